import type { ServerFrame } from '../../api/protocol';
import type { SocketLike } from '../../widget/client/connection';

/** A WebSocket stand-in: tests open, feed and close it by hand, and read what the client sent. */
export class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  static last(): FakeSocket {
    const s = FakeSocket.all.at(-1);
    if (!s) throw new Error('no socket was opened');
    return s;
  }
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  closedWith?: number;
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000) {
    this.closedWith = code;
    this.readyState = 3;
  }
  /** The server accepts the upgrade. */
  open() {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  /** The server sends frames; several become one batched text frame. */
  receive(...frames: (ServerFrame | Record<string, unknown>)[]) {
    this.onmessage?.({ data: frames.map((f) => JSON.stringify(f)).join('\n') } as MessageEvent);
  }
  /** The server closes (or the network drops) with `code`. */
  serverClose(code: number) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
  types(): unknown[] {
    return this.sent.map((f) => f.type);
  }
  welcome(extra: Record<string, unknown> = {}) {
    this.receive({
      type: 'welcome',
      user: 'u1',
      name: 'Ann',
      role: 'member',
      heartbeatMs: 15_000,
      limits: { maxTextLength: 4000, maxFrameBytes: 65536, messagesPerSecond: 5, burst: 10 },
      ...extra,
    });
  }
}
