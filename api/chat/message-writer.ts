import type { Db } from '../db/client';
import { storeRooms, type NewMessage, type StoreOutcome } from '../db/message-store';

interface Pending {
  tenantId: string;
  room: string;
  msg: NewMessage;
  resolve: (o: StoreOutcome) => void;
  reject: (e: unknown) => void;
}

interface Lane {
  waiting: Pending[];
  /** A statement is running, or one is scheduled. */
  busy: boolean;
  /** The pacing timer of the next statement, while it waits out the window. */
  timer: ReturnType<typeof setTimeout> | null;
  /** When the last statement started (for pacing). */
  lastStartAt: number;
}

/** One room's share of a statement, in arrival order. */
interface Group {
  tenantId: string;
  room: string;
  pending: Pending[];
}

/**
 * The default pacing window. A busy room's members get one write per statement (the sockets'
 * write coalescing, DEFAULT_COALESCE_MS, is shorter on purpose, see there), so the window sets
 * both the statements and the writes a busy room costs a second, and how long a message may
 * wait for its statement. In the fan-out bench (one room, 200 members × 1 msg/s, PGlite) 30 ms
 * (coalescing 20) cost 5.1-6.1 µs of CPU per delivery with p99 38 ms in the undisturbed round;
 * 40 ms (coalescing 25) cost 5.0-5.6 µs with p99 47-48 ms.
 */
export const DEFAULT_COMMIT_WINDOW_MS = 40;

/**
 * Messages waiting in a lane that start its next statement without waiting out the window: so
 * many already share a statement, and waiting longer would only cap a busy server's throughput
 * at maxBatch per window.
 */
export const FULL_BATCH = 64;

export interface WriterOptions {
  db: Db;
  now: () => number;
  /** Called once per room per statement, after commit, with the stored messages in seq order. */
  onCommitted: (tenantId: string, room: string, stored: { msg: NewMessage; seq: number; ts: number; rev: number }[]) => void;
  maxBatch?: number;
  /**
   * Least time between the starts of two statements of one lane while messages keep coming.
   * A statement costs about the same for 1 row as for 6 (PGlite: 2.2 ms of CPU for one message,
   * 1.6 ms for six, 3.1 ms for sixty; Postgres: 0.35 / 0.39 / 0.59 ms in the client alone), so a
   * busy server stores what arrived within the window in one statement. A lane that was quiet
   * for the window commits on the next turn, as before: quiet rooms pay no delay.
   */
  windowMs?: number;
  /**
   * Statements that may run at once (rooms are spread over lanes by name; one room always uses
   * the same lane, so its seqs are handed out in order). PGlite runs one statement at a time
   * anyway: 1. A Postgres pool gains from a few.
   */
  lanes?: number;
  /** Called once per statement with how many messages it carried and how many were new. */
  onBatch?: (size: number, stored: number) => void;
  /** Where a callback's failure is reported (it fails neither the batch nor the lane). */
  log?: (msg: string, err?: unknown) => void;
}

/**
 * Group commit across rooms: messages for any rooms that arrive while a lane's statement runs,
 * or within its pacing window, are stored together in its next statement (each room's
 * `last_seq` moves once, one multi-row insert). One statement per lane is in flight at a time,
 * so a room's seqs are handed out, acknowledged and published in order.
 */
export function createMessageWriter(opts: WriterOptions) {
  const maxBatch = opts.maxBatch ?? 500;
  const windowMs = opts.windowMs ?? 0;
  const log = opts.log ?? ((msg: string, err?: unknown) => console.error(msg, err));
  const lanes: Lane[] = Array.from({ length: Math.max(1, opts.lanes ?? 1) }, (): Lane => ({ waiting: [], busy: false, timer: null, lastStartAt: -Infinity }));
  let idleWaiters: (() => void)[] = [];

  const laneOf = (tenantId: string, room: string): Lane => {
    if (lanes.length === 1) return lanes[0];
    let h = 0;
    for (const s of [tenantId, room]) for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
    return lanes[(h >>> 0) % lanes.length];
  };

  /** Starts the lane's next statement now, or when its window has passed. */
  function schedule(lane: Lane) {
    lane.busy = true;
    const wait = lane.waiting.length >= FULL_BATCH ? 0 : lane.lastStartAt + windowMs - performance.now();
    // On the next turn at the soonest, so messages arriving in the same tick share a statement.
    if (wait > 0) lane.timer = setTimeout(() => void run(lane), wait);
    else setImmediate(() => void run(lane));
  }

  /** A lane waiting out its window whose batch filled up goes now. */
  function hurry(lane: Lane) {
    if (!lane.timer) return;
    clearTimeout(lane.timer);
    lane.timer = null;
    setImmediate(() => void run(lane));
  }

  /**
   * A callback that throws (a socket's write, a metric) must not stop the lane: its messages
   * are committed and acknowledged, the other rooms of the statement still get theirs, and the
   * lane goes on to the next statement; else every later message of the lane waited forever.
   */
  function call(what: string, f: () => void) {
    try {
      f();
    } catch (err) {
      log(`message writer: ${what} threw; the lane goes on`, err);
    }
  }

  async function run(lane: Lane) {
    lane.timer = null;
    lane.lastStartAt = performance.now();
    const batch = lane.waiting.splice(0, maxBatch);
    try {
      await commit(batch);
    } catch (err) {
      // Whatever went wrong reaches the senders not yet answered (a settled promise ignores it).
      for (const p of batch) p.reject(err);
    }
    if (lane.waiting.length) return schedule(lane);
    lane.busy = false;
    if (lanes.every((l) => !l.busy)) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const f of w) f();
    }
  }

  async function commit(batch: Pending[]) {
    const groups = new Map<string, Group>();
    for (const p of batch) {
      const k = `${p.tenantId}\u0000${p.room}`;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { tenantId: p.tenantId, room: p.room, pending: [] }));
      g.pending.push(p);
    }
    const list = [...groups.values()];
    const results = await storeRooms(
      opts.db,
      list.map((g) => ({ tenantId: g.tenantId, room: g.room, messages: g.pending.map((p) => p.msg) })),
      opts.now(),
    );
    let storedCount = 0;
    for (const r of results) for (const o of r) if (o.kind === 'stored') storedCount++;
    if (opts.onBatch) call('onBatch', () => opts.onBatch!(batch.length, storedCount));
    list.forEach((g, i) => {
      const stored: { msg: NewMessage; seq: number; ts: number; rev: number }[] = [];
      // Acks first, then the broadcast: the sender learns its seq no later than the room.
      results[i].forEach((o, j) => {
        const p = g.pending[j];
        if (o.kind === 'failed') return p.reject(o.error);
        if (o.kind === 'stored') stored.push({ msg: p.msg, seq: o.seq, ts: o.ts, rev: o.rev });
        p.resolve(o);
      });
      if (stored.length) call('onCommitted', () => opts.onCommitted(g.tenantId, g.room, stored));
    });
  }

  return {
    /** Queues a message; resolves once its statement is committed. */
    write(tenantId: string, room: string, msg: NewMessage): Promise<StoreOutcome> {
      const lane = laneOf(tenantId, room);
      const p = new Promise<StoreOutcome>((resolve, reject) => lane.waiting.push({ tenantId, room, msg, resolve, reject }));
      if (!lane.busy) schedule(lane);
      else if (lane.waiting.length === FULL_BATCH) hurry(lane);
      return p;
    },

    /** Resolves when every queued message is committed (graceful shutdown). */
    idle(): Promise<void> {
      if (lanes.every((l) => !l.busy)) return Promise.resolve();
      return new Promise((r) => idleWaiters.push(r));
    },
  };
}

export type MessageWriter = ReturnType<typeof createMessageWriter>;
