/** What a room event is about; `message` and `deleted` events are ordered by the room's cursor. */
export type RoomEventKind = 'message' | 'deleted' | 'typing' | 'presence' | 'read';

/**
 * One event for one room, serialized once by whoever published it. `bytes` and `frame` are
 * filled lazily by the transport the first time the event is written, so every member of the
 * room gets the same buffer without the event being encoded again.
 */
export interface RoomEvent {
  tenantId: string;
  room: string;
  kind: RoomEventKind;
  /** The message's seq for `message`; 0 for the rest. */
  seq: number;
  /** The room's change cursor after this change, for `message` and `deleted`; 0 for the rest. */
  rev: number;
  /** The user the event is from or about (block filtering, no typing echo). */
  user: string;
  json: string;
  bytes?: Buffer;
  frame?: Buffer;
}

/** Carries room events between the servers sharing a database. */
export interface Bus {
  publish(ev: RoomEvent): void;
  /** Starts receiving a room's events (called when the first local member joins); resolves once active. */
  subscribe(tenantId: string, room: string): Promise<void>;
  unsubscribe(tenantId: string, room: string): void;
  /** Sets the one handler that receives every event of subscribed rooms, local or remote. */
  onEvent(handler: (ev: RoomEvent) => void): void;
  /**
   * Sets what runs after the bus came back from a lost connection: events published while it
   * was away are gone, so the hub re-reads what it may have missed.
   */
  onReconnect(handler: () => void): void;
  close(): Promise<void>;
}

/** The default start of every Redis key and channel; tests give each server set its own. */
export const REDIS_PREFIX = 'parley:';

/** The bus channel of a room: tenant first, so isolation is structural. */
export const roomChannel = (prefix: string, tenantId: string, room: string) => `${prefix}${tenantId}:room:${room}`;
