import type { ErrorCode } from '../../api/protocol';
import { readJson, type KeyValue } from './storage';

/** A message the server has not acknowledged yet. */
export interface OutboxItem {
  id: string;
  room: string;
  text: string;
  /** Local time it was written, to order unsent messages after the stored ones. */
  ts: number;
  /** Set when the server refused it for good; the person can take it back to edit. */
  error?: ErrorCode;
  /** The server's words for the refusal, shown under the message. */
  reason?: string;
}

/** The outbox: unacknowledged messages, kept in storage so a reload or a crash loses nothing. */
export interface Outbox {
  /** Items in the order they were written (re-read from storage: other tabs may have changed it). */
  items(room?: string): OutboxItem[];
  add(item: OutboxItem): void;
  /** Drops an acknowledged item. */
  remove(id: string): void;
  /** Replaces fields of an item (marks it failed, or clears the failure on retry). */
  update(id: string, patch: Partial<OutboxItem>): void;
}

/** Creates the outbox stored under `key`. */
export function createOutbox(o: { storage: KeyValue; key: string }): Outbox {
  const read = () => readJson<OutboxItem[]>(o.storage, o.key, []);
  const write = (items: OutboxItem[]) =>
    items.length ? o.storage.setItem(o.key, JSON.stringify(items)) : o.storage.removeItem(o.key);
  return {
    items: (room) => read().filter((i) => !room || i.room === room),
    add(item) {
      const items = read().filter((i) => i.id !== item.id);
      items.push(item);
      write(items);
    },
    // Called for every message seen (its event proves it stored): touch storage only when
    // the id was ours.
    remove(id) {
      const items = read();
      const left = items.filter((i) => i.id !== id);
      if (left.length !== items.length) write(left);
    },
    update: (id, patch) => write(read().map((i) => (i.id === id ? { ...i, ...patch } : i))),
  };
}
