// Shared by the chat tests: a chat on a FakeSocket, driven through welcome and joined.
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { WireMessage } from '../../api/protocol';
import { memoryStorage, type KeyValue } from '../../widget/client/storage';
import { createChat } from '../../widget/state/chat';
import { FakeSocket } from './fake-socket';

export { FakeSocket };

export const ROOM = 'lobby';
export const wire = (seq: number, user = 'u2', name = 'Bob'): WireMessage => ({ id: `m${seq}`, seq, ts: 1000 + seq, user, name, text: `text ${seq}` });
export const joined = (extra: Record<string, unknown> = {}) => ({
  type: 'joined',
  rid: 'j',
  room: ROOM,
  headSeq: 0,
  messages: [],
  hasMore: false,
  online: 1,
  presence: [{ user: 'u1', name: 'Ann' }],
  reads: [],
  lastRead: 0,
  ...extra,
});

export function makeChat(storage: KeyValue = memoryStorage(), extra = {}) {
  const chat = createChat({ url: 'ws://x/v1/ws?key=pk_t', key: 'pk_t', room: ROOM, WebSocket: FakeSocket, storage, random: () => 0.999, ...extra });
  return chat;
}

export const tick = () => vi.advanceTimersByTimeAsync(0);

/** Starts the chat (or reconnects it) through welcome and joined. */
export async function connect(chat: ReturnType<typeof makeChat>, join: Record<string, unknown> = {}, welcome = {}) {
  chat.start(); // no-op when already started
  await tick();
  const s = FakeSocket.last();
  s.open();
  s.welcome({ heartbeatMs: 3_600_000, ...welcome });
  s.receive(joined(join));
  return s;
}

/** Drops the socket and waits out the backoff until the next socket exists. */
export async function drop(code = 1006) {
  const n = FakeSocket.all.length;
  FakeSocket.last().serverClose(code);
  for (let i = 0; i < 20 && FakeSocket.all.length === n; i++) await vi.advanceTimersToNextTimerAsync();
  expect(FakeSocket.all.length).toBe(n + 1);
}

export const sentOf = (s: FakeSocket, type: string) => s.sent.filter((f) => f.type === type);

/** Fake timers and a clean socket list for every test. */
export function useFakes() {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
  });
  afterEach(() => vi.useRealTimers());
}
