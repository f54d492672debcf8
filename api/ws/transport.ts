import type { RoomEvent } from '../bus/bus';

/** One connection's outgoing side, as sessions and the hub see it. */
export interface Transport {
  /** Queues one frame of this connection's own (answers, errors). */
  send(json: string): void;
  /** Queues a room event; typing, presence and read events are shed under backpressure. */
  sendEvent(ev: RoomEvent): void;
  /** Lets frames queued in one turn share one WebSocket frame (`hello` with `batch: true`). */
  setBatch(on: boolean): void;
  /** Sends a WebSocket ping (clients answer with a pong, which counts as a sign of life). */
  ping(): void;
  close(code: number, reason?: string): void;
  /** Drops the connection without a closing handshake (dead peers). */
  terminate(): void;
  /** Bytes written but not yet taken by the network. */
  readonly bufferedBytes: number;
  /** Since when the buffer has been over the soft limit; 0 when it is not. */
  readonly overSoftSince: number;
  readonly closed: boolean;
}

export interface BackpressureLimits {
  softBytes: number;
  hardBytes: number;
  softMs: number;
}

export const BACKPRESSURE: BackpressureLimits = {
  /** Over this, typing, presence and read events are dropped for the connection. */
  softBytes: 256 * 1024,
  /** Over this, or over the soft limit for `softMs`, the connection is closed with 4050. */
  hardBytes: 4 * 1024 * 1024,
  softMs: 10_000,
};
