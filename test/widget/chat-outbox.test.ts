import { describe, expect, it, vi } from 'vitest';
import { memoryStorage } from '../../widget/client/storage';
import { connect, drop, FakeSocket, joined, makeChat, ROOM, sentOf, tick, useFakes } from './chat-harness';

useFakes();

describe('chat: outbox', () => {
  it('a message written before the connection is sent once joined, with its id, and shown once', async () => {
    const storage = memoryStorage();
    const chat = makeChat(storage);
    chat.start();
    expect(chat.send('  hello  ')).toBe(true);
    const [pending] = chat.store.list.value;
    expect(pending).toMatchObject({ text: 'hello', pending: true });
    expect(chat.delivery(pending)).toBe('sending');
    expect(JSON.parse(storage.getItem('parley:pk_t:outbox')!)).toHaveLength(1);
    await tick();
    const s = FakeSocket.last();
    s.open();
    s.welcome({ heartbeatMs: 3_600_000 });
    // Not before joined: the server would refuse a message in a room not joined.
    expect(sentOf(s, 'message')).toEqual([]);
    s.receive(joined({ headSeq: 7 }));
    expect(sentOf(s, 'message')).toEqual([{ type: 'message', rid: pending.id, room: ROOM, id: pending.id, text: 'hello' }]);
    s.receive({ type: 'ack', rid: pending.id, room: ROOM, id: pending.id, seq: 8, ts: 5 });
    s.receive({ type: 'message', room: ROOM, id: pending.id, seq: 8, ts: 5, user: 'u1', name: 'Ann', text: 'hello' });
    expect(chat.store.list.value).toHaveLength(1);
    expect(chat.delivery(chat.store.list.value[0])).toBe('sent');
    expect(storage.getItem('parley:pk_t:outbox')).toBeNull();
  });

  it('survives a reload: the next page shows it and sends it with the same id', async () => {
    const storage = memoryStorage();
    const before = makeChat(storage);
    before.send('typed offline');
    const id = before.store.list.value[0].id;
    before.stop();
    const after = makeChat(storage);
    expect(after.store.list.value).toMatchObject([{ id, text: 'typed offline', pending: true }]);
    expect(after.isOwn(after.store.list.value[0])).toBe(true);
    const s = await connect(after);
    expect(sentOf(s, 'message')).toMatchObject([{ id, text: 'typed offline' }]);
  });

  it('sent but not acknowledged when the connection drops: sent again after welcome, exactly once', async () => {
    const chat = makeChat();
    const s1 = await connect(chat);
    chat.send('in flight');
    const id = chat.store.list.value[0].id;
    expect(sentOf(s1, 'message')).toHaveLength(1);
    await drop();
    const s2 = await connect(chat);
    expect(sentOf(s2, 'message')).toEqual([{ type: 'message', rid: id, room: ROOM, id, text: 'in flight' }]);
    s2.receive({ type: 'ack', rid: id, room: ROOM, id, seq: 1, ts: 9, duplicate: true });
    await drop();
    const s3 = await connect(chat, { headSeq: 1 });
    expect(sentOf(s3, 'message')).toEqual([]);
    expect(chat.store.list.value).toHaveLength(1);
  });

  it('a message the live event proves stored is not sent again even if its ack was lost', async () => {
    const chat = makeChat();
    const s1 = await connect(chat);
    chat.send('x');
    const id = chat.store.list.value[0].id;
    s1.receive({ type: 'message', room: ROOM, id, seq: 1, ts: 9, user: 'u1', name: 'Ann', text: 'x' });
    await drop();
    const s2 = await connect(chat, { headSeq: 1 });
    expect(sentOf(s2, 'message')).toEqual([]);
  });

  it('a refused message shows failed with the reason, is not resent, and can be taken back', async () => {
    const chat = makeChat();
    const s = await connect(chat);
    chat.send('bad words');
    const id = chat.store.list.value[0].id;
    s.receive({ type: 'error', rid: id, code: 'rejected', message: 'Please do not say that' });
    expect(chat.delivery(chat.store.get(id)!)).toBe('failed');
    expect(chat.store.get(id)!.reason).toBe('Please do not say that');
    // Failed ones wait for the person: a reconnect does not resend them.
    await drop();
    const s2 = await connect(chat);
    expect(sentOf(s2, 'message')).toEqual([]);
    expect(chat.store.get(id)!.reason).toBe('Please do not say that');
    expect(chat.discard(id)).toBe('bad words');
    expect(chat.store.list.value).toEqual([]);
    expect(chat.discard(id)).toBeUndefined();
    await drop();
    expect(sentOf(await connect(chat), 'message')).toEqual([]);
  });

  // rate_limited says when; internal (the server failed, or is draining) means "retry with the
  // same id". Either way the message stays "sending" and goes again.
  it.each([
    ['rate_limited', 700, 700],
    ['internal', undefined, 1500],
  ] as const)('%s keeps the message sending and sends it again', async (code, retryAfterMs, waitMs) => {
    const chat = makeChat();
    const s = await connect(chat);
    chat.send('again');
    const id = chat.store.list.value[0].id;
    s.receive({ type: 'error', rid: id, code, message: 'not now', ...(retryAfterMs ? { retryAfterMs } : {}) });
    expect(chat.delivery(chat.store.get(id)!)).toBe('sending');
    await vi.advanceTimersByTimeAsync(waitMs - 1);
    expect(sentOf(s, 'message')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentOf(s, 'message').map((m) => m.id)).toEqual([id, id]);
  });

  it('refuses empty and too long text', async () => {
    const chat = makeChat();
    await connect(chat, {}, { limits: { maxTextLength: 5, maxFrameBytes: 65536, messagesPerSecond: 5, burst: 10 } });
    expect(chat.send('   ')).toBe(false);
    expect(chat.send('😀😀😀😀😀')).toBe(true);
    expect(chat.send('123456')).toBe(false);
  });
});
