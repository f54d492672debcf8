import { describe, expect, it } from 'vitest';
import { connect, drop, makeChat, ROOM, sentOf, useFakes, wire } from './chat-harness';

useFakes();

const ids = (chat: ReturnType<typeof makeChat>) => chat.store.list.value.map((m) => `${m.id}${m.deleted ? ':deleted' : ''}`);

describe('chat: complete resume with the change cursor', () => {
  it('rejoins with the cursor; a message deleted while away disappears on return', async () => {
    const chat = makeChat();
    const s = await connect(chat, { headSeq: 3, cursor: 3, messages: [wire(1), wire(2), wire(3)] });
    s.receive({ type: 'message', room: ROOM, ...wire(4), cursor: 4 } as never);
    s.receive({ type: 'deleted', room: ROOM, id: 'm9', seq: 9, cursor: 5 });
    await drop();
    // Away: m2 was deleted (cursor 6) and m5 arrived (cursor 7). A tombstone of a message never
    // held (m0) is not shown.
    const s2 = await connect(chat, {
      headSeq: 5,
      cursor: 7,
      messages: [{ id: 'm0', seq: 0, ts: 1, user: 'u2', deleted: true }, { id: 'm2', seq: 2, ts: 1002, user: 'u2', deleted: true }, wire(5)],
    });
    expect(s2.sent[1]).toEqual({ type: 'join', rid: 'j', room: ROOM, cursor: 5, limit: 200 });
    expect(ids(chat)).toEqual(['m1', 'm2:deleted', 'm3', 'm4', 'm5']);
    await drop();
    const s3 = await connect(chat, { headSeq: 5, cursor: 7 });
    expect(s3.sent[1]).toMatchObject({ cursor: 7 });
  });

  it('pages on with sync and the cursor while hasMore; live events meanwhile do not move the cursor', async () => {
    const chat = makeChat();
    await connect(chat, { headSeq: 1, cursor: 1, messages: [wire(1)] });
    await drop();
    const s = await connect(chat, { headSeq: 300, cursor: 40, hasMore: true, messages: [wire(2)] });
    expect(sentOf(s, 'sync')).toEqual([{ type: 'sync', rid: 's', room: ROOM, cursor: 40, limit: 200 }]);
    s.receive({ type: 'message', room: ROOM, ...wire(301), cursor: 500 } as never);
    s.receive({ type: 'history', rid: 's', room: ROOM, messages: [{ id: 'm1', seq: 1, ts: 1, user: 'u2', deleted: true }], hasMore: false, headSeq: 300, cursor: 499 });
    expect(ids(chat)).toEqual(['m1:deleted', 'm2', 'm301']);
    await drop();
    const s2 = await connect(chat, { headSeq: 301, cursor: 500 });
    expect(s2.sent[1]).toMatchObject({ cursor: 499 });
  });

  it('a reset drops what is held (sent messages only) and shows the newest page', async () => {
    const chat = makeChat();
    await connect(chat, { headSeq: 2, cursor: 2, messages: [wire(1), wire(2)] });
    await drop();
    chat.send('unsent');
    await connect(chat, { headSeq: 90, cursor: 95, reset: true, hasMore: true, messages: [wire(89), wire(90)] });
    expect(chat.store.list.value.map((m) => m.seq ?? 'pending')).toEqual([89, 90, 'pending']);
    expect(chat.olderMore.value).toBe(true);
  });
});
