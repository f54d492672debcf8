import type { ConnState, SocketCtor } from '../client/connection';
import type { KeyValue } from '../client/storage';
import type { ChatMessage } from './messages';

export interface ChatOptions {
  /** `ws(s)://host/v1/ws?key=pk_…` */
  url: string;
  /** The API origin, to ask `/v1/embed-check` why a socket would not open. */
  api?: string;
  /** The publishable key: names this site's storage entries. */
  key: string;
  room: string;
  WebSocket: SocketCtor;
  storage: KeyValue;
  token?: string;
  tokenUrl?: string;
  name?: string;
  fetch?: typeof fetch;
  random?: () => number;
}

/** Shown state of an own message. */
export type Delivery = 'sending' | 'sent' | 'seen' | 'failed';

/** Events for `Parley.on`. */
export interface ChatEvents {
  message: ChatMessage;
  unread: number;
  status: ConnState;
  open: undefined;
  close: undefined;
}
