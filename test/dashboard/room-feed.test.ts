import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRoomFeed } from '../../dashboard/live/room-feed';
import { FakeSocket } from '../widget/fake-socket';

// The room view's live feed over a fake socket: a staff token says hello, the room is joined,
// live messages, deletions and presence change the signals, a reconnect joins afresh so a
// deletion made while away cannot linger, and a refused token stops it with a reason.
const ROOM = 'lobby';
const msg = (n: number, extra = {}) => ({ id: `m${n}`, seq: n, ts: 1000 + n, user: 'mal', name: 'Mal', text: `text ${n}`, ...extra });
const joined = (messages: object[], presence = [{ user: 'ann', name: 'Ann' }]) =>
  ({ type: 'joined', room: ROOM, headSeq: 9, messages, hasMore: false, online: presence.length, presence, reads: [], lastRead: 0, cursor: 9 }) as never;

describe('the room view feed', () => {
  let tokens: (string | null)[];
  const feed = () =>
    createRoomFeed({ url: 'ws://x/v1/ws?key=pk_x', room: ROOM, token: async () => tokens.shift() ?? null, WebSocket: FakeSocket });
  const connect = async (f: ReturnType<typeof feed>) => {
    if (f.state.value === 'stopped') f.start();
    // The token arrives, and a reconnect's first wait (under a second) passes; the socket dials.
    await vi.advanceTimersByTimeAsync(1_000);
    const s = FakeSocket.last();
    s.open();
    s.welcome({ user: 'staff_a_1', role: 'moderator', expiresAt: Date.now() + 300_000 });
    return s;
  };
  const ids = (f: ReturnType<typeof feed>) => f.messages.value.map((m) => `${m.id}${m.deleted ? ':deleted' : ''}`);

  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    tokens = ['t1', 't2', 't3'];
  });
  afterEach(() => vi.useRealTimers());

  it('says hello with the staff token, joins, and follows messages, deletions and presence', async () => {
    const f = feed();
    const s = await connect(f);
    expect(s.sent).toEqual([{ type: 'hello', token: 't1', batch: true }, { type: 'join', room: ROOM }]);
    expect(f.me.value).toBe('staff_a_1');
    s.receive(joined([msg(1), msg(2, { deleted: true, text: undefined })]));
    expect(ids(f)).toEqual(['m1', 'm2:deleted']);
    expect(f.online.value).toEqual([{ user: 'ann', name: 'Ann' }]);
    s.receive({ type: 'message', room: ROOM, ...msg(3), cursor: 10 }, { type: 'message', room: 'other', ...msg(4), cursor: 1 });
    s.receive({ type: 'deleted', room: ROOM, id: 'm1', seq: 1, cursor: 11 });
    expect(ids(f)).toEqual(['m1:deleted', 'm2:deleted', 'm3']);
    s.receive({ type: 'presence', room: ROOM, user: 'mal', name: 'Mal', status: 'online' });
    s.receive({ type: 'presence', room: ROOM, user: 'ann', name: 'Ann', status: 'offline' });
    expect(f.online.value).toEqual([{ user: 'mal', name: 'Mal' }]);
    f.close();
  });

  it('after a drop, nobody is shown online, and the rejoin replaces the page: what was deleted meanwhile is gone', async () => {
    const f = feed();
    const s = await connect(f);
    s.receive(joined([msg(1), msg(2)]));
    s.serverClose(1006);
    expect(f.state.value).toBe('reconnecting');
    expect(f.online.value).toEqual([]);
    const s2 = await connect(f);
    expect(s2.sent).toEqual([{ type: 'hello', token: 't2', batch: true }, { type: 'join', room: ROOM }]);
    s2.receive(joined([msg(1, { deleted: true, text: undefined }), msg(3)]));
    expect(ids(f)).toEqual(['m1:deleted', 'm3']);
    f.close();
  });

  it('renews the token with refresh a minute before it ends, on the open socket', async () => {
    const f = feed();
    f.start();
    await vi.advanceTimersByTimeAsync(0);
    const s = FakeSocket.last();
    s.open();
    // No pings in the way (their answers are another test's business).
    s.welcome({ user: 'staff_a_1', role: 'moderator', heartbeatMs: 3_600_000, expiresAt: Date.now() + 300_000 });
    await vi.advanceTimersByTimeAsync(239_000);
    expect(s.types()).not.toContain('refresh');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(s.sent.at(-1)).toEqual({ type: 'refresh', token: 't2' });
    expect(s.closedWith).toBeUndefined();
    f.close();
  });

  it('stops with a reason when no token can be had, or the token is refused twice', async () => {
    tokens = [null];
    const none = feed();
    none.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(none.state.value).toBe('stopped');
    expect(none.problem.value).toMatch(/could not get a moderator token/);

    tokens = ['t1', 't2'];
    const f = feed();
    const s = await connect(f);
    s.serverClose(4501);
    await vi.advanceTimersByTimeAsync(1_000);
    FakeSocket.last().open();
    FakeSocket.last().serverClose(4501);
    await vi.advanceTimersByTimeAsync(0);
    expect(f.state.value).toBe('stopped');
    expect(f.problem.value).toMatch(/could not get a moderator token/);
  });
});
