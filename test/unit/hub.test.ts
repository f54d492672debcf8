import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Bus, RoomEvent } from '../../api/bus/bus';
import { createHub, type Subscriber } from '../../api/chat/hub';

const T = 't1';
const ROOM = 'r';
const msg = (seq: number): RoomEvent => ({ tenantId: T, room: ROOM, kind: 'message', seq, rev: seq, user: `u${seq % 3}`, json: `{"seq":${seq}}` });

/** A bus whose deliveries the test makes by hand, in any order it likes. */
function fakeBus() {
  let handler: (ev: RoomEvent) => void = () => {};
  const bus: Bus = {
    publish: (ev) => handler(ev),
    subscribe: async () => {},
    unsubscribe: () => {},
    onEvent: (h) => void (handler = h),
    onReconnect: () => {},
    close: async () => {},
  };
  return { bus, bring: (seq: number) => handler(msg(seq)) };
}

/** The committed messages, and a read of them the test can hold open or make fail. */
function fakeDb(head: number) {
  const db = {
    head,
    reads: [] as { after: number; upTo: number }[],
    failNext: 0,
    gate: null as Promise<void> | null,
    async fillGap(_t: string, _r: string, after: number, upTo: number) {
      db.reads.push({ after, upTo });
      if (db.gate) await db.gate;
      if (db.failNext > 0) {
        db.failNext--;
        throw new Error('connection reset');
      }
      const out: RoomEvent[] = [];
      for (let s = after + 1; s <= Math.min(upTo, db.head); s++) out.push(msg(s));
      return out;
    },
    readHead: async () => db.head,
  };
  return db;
}

function member(): Subscriber & { got: number[] } {
  const got: number[] = [];
  return { userId: 'me', blocked: new Set(), lastSeq: 0, lastRev: 0, pending: [], got, deliver: (ev) => void got.push(ev.seq) };
}

/** A small seeded generator, so a shuffled run is the same run every time. */
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('hub ordering', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  async function setup(head: number, joinHead = 0) {
    const { bus, bring } = fakeBus();
    const db = fakeDb(head);
    const logged: string[] = [];
    const hub = createHub({ bus, fillGap: (...a) => db.fillGap(...a), readHead: db.readHead, gapWaitMs: 100, log: (m) => void logged.push(m) });
    const sub = member();
    await hub.add(T, ROOM, sub);
    return { hub, sub, db, bring, logged, ready: () => hub.ready(T, ROOM, sub, joinHead, joinHead) };
  }

  it('releases events that arrive during a fill’s read instead of dropping the ones before them', async () => {
    const { sub, db, bring, ready } = await setup(6);
    ready();
    bring(1);
    bring(3);
    let open!: () => void;
    db.gate = new Promise((r) => (open = r));
    await vi.advanceTimersByTimeAsync(100);
    expect(db.reads).toEqual([{ after: 1, upTo: 3 }]);
    // While the read of 2..3 is out, 6 arrives; 4 and 5 are still on their way.
    bring(6);
    open();
    db.gate = null;
    await vi.advanceTimersByTimeAsync(0);
    expect(sub.got).toEqual([1, 2, 3]);
    bring(4);
    bring(5);
    expect(sub.got).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('retries a failed read with a logged error rather than skipping the hole', async () => {
    const { hub, sub, db, bring, logged, ready } = await setup(3);
    ready();
    bring(1);
    bring(3);
    db.failNext = 1;
    await vi.advanceTimersByTimeAsync(100);
    expect(sub.got).toEqual([1]);
    expect(logged.some((m) => m.startsWith('gap fill failed'))).toBe(true);
    expect(hub.stats().fillErrors).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(sub.got).toEqual([1, 2, 3]);
    expect(db.reads.length).toBe(2);
  });

  it('holds live events until the first join has read the head', async () => {
    const { sub, bring, ready } = await setup(7, 5);
    // 7 overtakes 6 on the bus while the join is still reading (head 5).
    bring(7);
    ready();
    bring(6);
    expect(sub.got).toEqual([6, 7]);
  });

  it('a re-sync fills a tail the bus lost, with no later message to reveal it', async () => {
    const { hub, sub, bring, ready } = await setup(4);
    ready();
    bring(1);
    await hub.resync();
    expect(sub.got).toEqual([1, 2, 3, 4]);
  });

  it('a seq the read covers but does not return (deleted) is passed, not waited for', async () => {
    const { sub, db, bring, ready } = await setup(3);
    const read = db.fillGap;
    db.fillGap = async (...a) => (await read(...a)).filter((ev) => ev.seq !== 2);
    ready();
    bring(1);
    bring(3);
    await vi.advanceTimersByTimeAsync(100);
    expect(sub.got).toEqual([1, 3]);
  });

  it('delivers 1..N exactly once in order through a bus that delays, reorders and loses events', async () => {
    const n = 400;
    const { hub, sub, db, bring, ready } = await setup(n);
    ready();
    const rand = rng(7);
    // Each event is late by 0–30 slots; one in twenty never arrives.
    const order = Array.from({ length: n }, (_, i) => ({ seq: i + 1, at: i + Math.floor(rand() * 30), lost: rand() < 0.05 })).sort(
      (a, b) => a.at - b.at,
    );
    db.failNext = 1;
    for (const e of order) {
      if (!e.lost) bring(e.seq);
      await vi.advanceTimersByTimeAsync(10);
    }
    await hub.resync();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sub.got).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('two first joins whose reads finish in the other order: the one with the older page still gets every message after it', async () => {
    // Joins B (reads head 2) and A (reads head 5) subscribe before the room has a head; A's
    // presence round trip is quicker, so A is ready first and sets the room's head to 5.
    const { hub, sub: b, db, bring } = await setup(6);
    const a = member();
    await hub.add(T, ROOM, a);
    for (const s of [3, 4, 5, 6]) bring(s);
    hub.ready(T, ROOM, a, 5, 5);
    expect(a.got).toEqual([6]);
    hub.ready(T, ROOM, b, 2, 2);
    await vi.advanceTimersByTimeAsync(0);
    expect(b.got).toEqual([3, 4, 5, 6]);
    expect(db.reads).toEqual([{ after: 2, upTo: 5 }]);
    // Live events after the catch-up reach both once, in order.
    bring(7);
    expect(a.got).toEqual([6, 7]);
    expect(b.got).toEqual([3, 4, 5, 6, 7]);
  });

  it('a catch-up read that fails is retried while live events wait behind it', async () => {
    const { hub, sub: b, db, bring, logged } = await setup(6);
    const a = member();
    await hub.add(T, ROOM, a);
    hub.ready(T, ROOM, a, 5, 5);
    db.failNext = 1;
    hub.ready(T, ROOM, b, 2, 2);
    bring(6);
    await vi.advanceTimersByTimeAsync(0);
    expect(b.got).toEqual([]);
    expect(logged.some((m) => m.startsWith('catch-up'))).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(b.got).toEqual([3, 4, 5, 6]);
  });
});
