import { describe, expect, it, vi } from 'vitest';
import { backoff } from '../../widget/client/backoff';
import { memoryStorage } from '../../widget/client/storage';
import { connect, drop, FakeSocket, joined, makeChat, ROOM, sentOf, tick, useFakes, wire } from './chat-harness';

useFakes();

describe('chat: identity and joining', () => {
  it('a guest keeps its identity across reloads through guestToken', async () => {
    const storage = memoryStorage();
    const first = makeChat(storage, { name: 'Ann' });
    const s1 = await connect(first, {}, { guestToken: 'g.t.1' });
    expect(s1.sent[0]).toEqual({ type: 'hello', name: 'Ann', batch: true });
    first.stop();
    const second = makeChat(storage, { name: 'Ann' });
    second.start();
    await tick();
    FakeSocket.last().open();
    expect(FakeSocket.last().sent[0]).toEqual({ type: 'hello', token: 'g.t.1', name: 'Ann', batch: true });
  });

  it('a site token wins over the guest token', async () => {
    const storage = memoryStorage();
    storage.setItem('parley:pk_t:guest', 'g.t.1');
    const chat = makeChat(storage, { token: 'site.jwt' });
    chat.start();
    await tick();
    FakeSocket.last().open();
    expect(FakeSocket.last().sent[0]).toMatchObject({ token: 'site.jwt' });
  });

  it('fetches tokenUrl at start and again after 4501', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ token: `tok${fetch.mock.calls.length}` })));
    const chat = makeChat(memoryStorage(), { tokenUrl: 'https://site.test/chat-token', fetch });
    await connect(chat);
    expect(FakeSocket.last().sent[0]).toMatchObject({ token: 'tok1' });
    FakeSocket.last().serverClose(4501);
    await vi.advanceTimersByTimeAsync(backoff(0, () => 0.999));
    FakeSocket.last().open();
    expect(FakeSocket.last().sent[0]).toMatchObject({ token: 'tok2' });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('identify() reconnects at once with the site token, and stops when it is refused', async () => {
    const chat = makeChat();
    await connect(chat, {}, { guestToken: 'g.t.1' });
    chat.identify({ token: 'user.jwt' });
    await tick();
    FakeSocket.last().open();
    expect(FakeSocket.all).toHaveLength(2);
    expect(FakeSocket.last().sent[0]).toMatchObject({ type: 'hello', token: 'user.jwt' });
    // The site's token cannot be renewed by the widget: after 4501 it stops, no new socket.
    FakeSocket.last().serverClose(4501);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(chat.status.value).toBe('stopped');
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('a stale guest token is dropped after 4501 and the visitor comes back as a new guest', async () => {
    const storage = memoryStorage();
    storage.setItem('parley:pk_t:guest', 'old.guest');
    const chat = makeChat(storage);
    chat.start();
    await tick();
    FakeSocket.last().open();
    expect(FakeSocket.last().sent[0]).toMatchObject({ token: 'old.guest' });
    FakeSocket.last().serverClose(4501);
    await vi.advanceTimersByTimeAsync(backoff(0, () => 0.999));
    FakeSocket.last().open();
    expect(FakeSocket.last().sent[0]).toEqual({ type: 'hello', batch: true });
    expect(storage.getItem('parley:pk_t:guest')).toBeNull();
  });

  it('joins after welcome, then resumes from the last seen seq after a reconnect', async () => {
    const chat = makeChat();
    const s = await connect(chat, { headSeq: 3, messages: [wire(1), wire(2), wire(3)] });
    expect(s.sent[1]).toEqual({ type: 'join', rid: 'j', room: ROOM });
    s.receive({ type: 'message', room: ROOM, ...wire(4) } as never);
    await drop();
    const s2 = await connect(chat, { headSeq: 5, messages: [wire(5)] });
    expect(s2.sent[1]).toEqual({ type: 'join', rid: 'j', room: ROOM, lastSeq: 4, limit: 200 });
    expect(chat.store.list.value.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    await drop();
    const s3 = await connect(chat, { headSeq: 5 });
    expect(s3.sent[1]).toMatchObject({ lastSeq: 5 });
  });

  it('catches up with sync while hasMore, and live events during it do not skip the gap', async () => {
    const chat = makeChat();
    await connect(chat, { headSeq: 2, messages: [wire(1), wire(2)] });
    await drop();
    const s = await connect(chat, { headSeq: 400, messages: [wire(3), wire(4)], hasMore: true });
    expect(sentOf(s, 'sync')).toEqual([{ type: 'sync', rid: 's', room: ROOM, lastSeq: 4, limit: 200 }]);
    s.receive({ type: 'message', room: ROOM, ...wire(401) } as never);
    s.receive({ type: 'history', rid: 's', room: ROOM, messages: [wire(5), wire(6)], hasMore: true, headSeq: 401 });
    expect(sentOf(s, 'sync').at(-1)).toMatchObject({ lastSeq: 6 });
    // The connection drops mid-catch-up: the resume point is 6, not 401.
    await drop();
    const s2 = await connect(chat, { headSeq: 401, messages: [wire(7)], hasMore: true });
    expect(s2.sent[1]).toMatchObject({ type: 'join', lastSeq: 6 });
    s2.receive({ type: 'history', rid: 's', room: ROOM, messages: [wire(8)], hasMore: false, headSeq: 401 });
    await drop();
    const s3 = await connect(chat, { headSeq: 401 });
    expect(s3.sent[1]).toMatchObject({ lastSeq: 401 });
    expect(chat.store.list.value.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 401]);
  });
});

describe('chat: a gap in live messages', () => {
  it('asks sync for the gap instead of moving the resume point past it', async () => {
    const chat = makeChat();
    const s = await connect(chat, { headSeq: 2, messages: [wire(1), wire(2)] });
    s.receive({ type: 'message', room: ROOM, ...wire(3) } as never);
    expect(sentOf(s, 'sync')).toEqual([]);
    // 4 and 5 never came: 6 shows the gap.
    s.receive({ type: 'message', room: ROOM, ...wire(6) } as never);
    expect(sentOf(s, 'sync')).toEqual([{ type: 'sync', rid: 's', room: ROOM, lastSeq: 3, limit: 200 }]);
    s.receive({ type: 'message', room: ROOM, ...wire(7) } as never);
    // Dropped before the answer: the resume point is still 3.
    await drop();
    const s2 = await connect(chat, { headSeq: 7, messages: [wire(4), wire(5), wire(6), wire(7)] });
    expect(s2.sent[1]).toMatchObject({ type: 'join', lastSeq: 3 });
    s2.receive({ type: 'message', room: ROOM, ...wire(8) } as never);
    expect(sentOf(s2, 'sync')).toEqual([]);
    expect(chat.store.list.value.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Answered: the gap is filled and the resume point moves on.
    s2.receive({ type: 'message', room: ROOM, ...wire(10) } as never);
    expect(sentOf(s2, 'sync')).toEqual([{ type: 'sync', rid: 's', room: ROOM, lastSeq: 8, limit: 200 }]);
    s2.receive({ type: 'history', rid: 's', room: ROOM, messages: [wire(9), wire(10)], hasMore: false, headSeq: 10 });
    await drop();
    const s3 = await connect(chat, { headSeq: 10 });
    expect(s3.sent[1]).toMatchObject({ lastSeq: 10 });
    expect(chat.store.list.value.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('chat: receipts, unread, typing, presence', () => {
  it('own messages go sent → seen when another user reads up to them', async () => {
    const chat = makeChat();
    const s = await connect(chat, { reads: [{ user: 'u2', lastSeq: 0 }] });
    chat.send('hi');
    const id = chat.store.list.value[0].id;
    s.receive({ type: 'ack', rid: id, room: ROOM, id, seq: 1, ts: 9 });
    s.receive({ type: 'read', room: ROOM, user: 'u1', lastSeq: 1 });
    expect(chat.delivery(chat.store.get(id)!)).toBe('sent');
    s.receive({ type: 'read', room: ROOM, user: 'u2', lastSeq: 1 });
    expect(chat.delivery(chat.store.get(id)!)).toBe('seen');
  });

  it('shows the text the server stored when the ack says it changed it (masked words)', async () => {
    const chat = makeChat();
    const s = await connect(chat);
    chat.send('what the heck');
    const id = chat.store.list.value[0].id;
    s.receive({ type: 'ack', rid: id, room: ROOM, id, seq: 1, ts: 9, text: 'what the ****' });
    expect(chat.store.get(id)).toMatchObject({ seq: 1, text: 'what the ****' });
  });

  it('counts unread from others after lastRead, and markRead sends read and clears it', async () => {
    const chat = makeChat();
    const s = await connect(chat, { headSeq: 3, messages: [wire(1), wire(2), wire(3)], lastRead: 1 });
    expect(chat.unread.value).toBe(2);
    s.receive({ type: 'message', room: ROOM, id: 'own', seq: 4, ts: 1, user: 'u1', name: 'Ann', text: 'mine' });
    expect(chat.unread.value).toBe(2);
    chat.markRead();
    expect(sentOf(s, 'read')).toEqual([{ type: 'read', room: ROOM, lastSeq: 4 }]);
    expect(chat.unread.value).toBe(0);
    chat.markRead();
    expect(sentOf(s, 'read')).toHaveLength(1);
    // Read in another tab of the same user clears the count here too.
    s.receive({ type: 'message', room: ROOM, ...wire(5) } as never);
    expect(chat.unread.value).toBe(1);
    s.receive({ type: 'read', room: ROOM, user: 'u1', lastSeq: 5 });
    expect(chat.unread.value).toBe(0);
  });

  it('sends typing true on the first keystroke, nothing for 3 s, false after 3 s idle or on send', async () => {
    const chat = makeChat();
    const s = await connect(chat);
    chat.typed();
    await vi.advanceTimersByTimeAsync(1000);
    chat.typed();
    await vi.advanceTimersByTimeAsync(1000);
    chat.typed();
    expect(sentOf(s, 'typing')).toEqual([{ type: 'typing', room: ROOM, active: true }]);
    // Still typing 3 s after the first: refresh, so the server's 5 s expiry never hides us.
    await vi.advanceTimersByTimeAsync(1000);
    chat.typed();
    expect(sentOf(s, 'typing').map((f) => f.active)).toEqual([true, true]);
    await vi.advanceTimersByTimeAsync(2999);
    expect(sentOf(s, 'typing')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sentOf(s, 'typing').map((f) => f.active)).toEqual([true, true, false]);
    chat.typed();
    chat.send('done');
    expect(s.sent.slice(-2).map((f) => [f.type, f.active])).toEqual([['typing', false], ['message', undefined]]);
  });

  it('shows others typing and hides them after 5 s without news', async () => {
    const chat = makeChat();
    const s = await connect(chat);
    s.receive({ type: 'typing', room: ROOM, user: 'u2', name: 'Bob', active: true });
    await vi.advanceTimersByTimeAsync(2000);
    s.receive({ type: 'typing', room: ROOM, user: 'u3', name: 'Cy', active: true });
    expect(chat.typists.value).toEqual(['Bob', 'Cy']);
    await vi.advanceTimersByTimeAsync(3000);
    expect(chat.typists.value).toEqual(['Cy']);
    s.receive({ type: 'typing', room: ROOM, user: 'u3', name: 'Cy', active: false });
    expect(chat.typists.value).toEqual([]);
  });

  it('tracks people online from joined and presence events', async () => {
    const chat = makeChat();
    const s = await connect(chat, { online: 2, presence: [{ user: 'u1', name: 'Ann' }, { user: 'u2', name: 'Bob' }] });
    expect(chat.online.value).toBe(2);
    s.receive({ type: 'presence', room: ROOM, user: 'u3', name: 'Cy', status: 'online' });
    s.receive({ type: 'presence', room: ROOM, user: 'u3', name: 'Cy', status: 'online' });
    expect(chat.online.value).toBe(3);
    s.receive({ type: 'presence', room: ROOM, user: 'u2', name: 'Bob', status: 'offline' });
    expect(chat.online.value).toBe(2);
  });

  it('loads older messages with history before the oldest held', async () => {
    const chat = makeChat();
    const s = await connect(chat, { headSeq: 60, messages: [wire(59), wire(60)], hasMore: true });
    chat.loadOlder();
    chat.loadOlder();
    expect(sentOf(s, 'history')).toEqual([{ type: 'history', rid: 'h', room: ROOM, beforeSeq: 59, limit: 50 }]);
    s.receive({ type: 'history', rid: 'h', room: ROOM, messages: [wire(57), wire(58)], hasMore: false, headSeq: 60 });
    expect(chat.store.list.value.map((m) => m.seq)).toEqual([57, 58, 59, 60]);
    chat.loadOlder();
    expect(sentOf(s, 'history')).toHaveLength(1);
  });

  it('reports status changes and live messages to listeners', async () => {
    const chat = makeChat();
    const statuses: string[] = [];
    const texts: string[] = [];
    chat.on('status', (st) => statuses.push(st));
    const off = chat.on('message', (m) => texts.push(m.text!));
    const s = await connect(chat);
    s.receive({ type: 'message', room: ROOM, ...wire(1) } as never);
    off();
    s.receive({ type: 'message', room: ROOM, ...wire(2) } as never);
    s.serverClose(4503);
    expect(statuses).toEqual(['connecting', 'connected', 'stopped']);
    expect(texts).toEqual(['text 1']);
  });
});
