import type { Db } from '../db/client';
import { storeBatch, type NewMessage, type StoreOutcome } from '../db/messages';

interface Pending {
  msg: NewMessage;
  resolve: (o: StoreOutcome) => void;
  reject: (e: unknown) => void;
}

interface RoomQueue {
  waiting: Pending[];
  busy: boolean;
}

/**
 * Group commit per room: messages that arrive for a room while its previous batch commits are
 * stored together in the next transaction (one seq increment, one multi-row insert). One batch
 * per room is in flight at a time, so seqs are handed out, acknowledged and published in order.
 */
export function createMessageWriter(opts: {
  db: Db;
  now: () => number;
  /** Called once per batch, after commit, with the stored messages in seq order. */
  onCommitted: (tenantId: string, room: string, stored: { msg: NewMessage; seq: number; ts: number }[]) => void;
  maxBatch?: number;
}) {
  const queues = new Map<string, RoomQueue>();
  const maxBatch = opts.maxBatch ?? 500;
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];

  function settle(tenantId: string, room: string, batch: Pending[], outcomes: StoreOutcome[]) {
    const stored: { msg: NewMessage; seq: number; ts: number }[] = [];
    outcomes.forEach((o, i) => {
      if (o.kind === 'stored') stored.push({ msg: batch[i].msg, seq: o.seq, ts: o.ts });
    });
    // Acks first, then the broadcast: the sender learns its seq no later than the room.
    outcomes.forEach((o, i) => batch[i].resolve(o));
    if (stored.length) opts.onCommitted(tenantId, room, stored);
  }

  async function storeOne(tenantId: string, room: string, p: Pending) {
    let outcomes: StoreOutcome[];
    try {
      outcomes = await storeBatch(opts.db, tenantId, room, [p.msg], opts.now());
    } catch (err) {
      return p.reject(err);
    }
    settle(tenantId, room, [p], outcomes);
  }

  async function run(tenantId: string, room: string, k: string, q: RoomQueue) {
    q.busy = true;
    inFlight++;
    try {
      while (q.waiting.length) {
        const batch = q.waiting.splice(0, maxBatch);
        try {
          settle(tenantId, room, batch, await storeBatch(opts.db, tenantId, room, batch.map((p) => p.msg), opts.now()));
        } catch (err) {
          // Known conflicts are handled inside storeBatch, so this is something else: one
          // message the database cannot hold, or the database itself. Row by row, one bad
          // message fails alone and everyone else's is stored (a dead database fails each).
          if (batch.length === 1) batch[0].reject(err);
          else for (const p of batch) await storeOne(tenantId, room, p);
        }
      }
    } finally {
      q.busy = false;
      queues.delete(k);
      inFlight--;
      if (!inFlight && !queues.size) {
        const w = idleWaiters;
        idleWaiters = [];
        for (const f of w) f();
      }
    }
  }

  return {
    /** Queues a message; resolves once its batch is committed. */
    write(tenantId: string, room: string, msg: NewMessage): Promise<StoreOutcome> {
      const k = `${tenantId}\u0000${room}`;
      let q = queues.get(k);
      if (!q) {
        q = { waiting: [], busy: false };
        queues.set(k, q);
      }
      const p = new Promise<StoreOutcome>((resolve, reject) => q!.waiting.push({ msg, resolve, reject }));
      if (!q.busy) {
        q.busy = true;
        // Wait one turn so messages arriving in the same tick share the first transaction.
        const qq = q;
        setImmediate(() => void run(tenantId, room, k, qq));
      }
      return p;
    },

    /** Resolves when every queued message is committed (graceful shutdown). */
    idle(): Promise<void> {
      if (!queues.size && !inFlight) return Promise.resolve();
      return new Promise((r) => idleWaiters.push(r));
    },
  };
}

export type MessageWriter = ReturnType<typeof createMessageWriter>;
