import type { Db } from '../db/client';
import { LOCKS, tryTransactionLock } from '../db/locks';
import { purgeOlderThan } from '../db/messages';
import { DEFAULT_SETTINGS } from '../db/schema';
import { listTenants } from '../db/tenants';

const DAY_MS = 86_400_000;

/**
 * Deletes each tenant's messages older than its `retentionDays` (0 keeps everything), at start
 * and every hour. One server at a time: a pass runs in one transaction holding an advisory
 * lock, and a server that finds it held skips its pass (another server is doing the work).
 */
export function createRetention(opts: { db: Db; now: () => number; log: (msg: string, err?: unknown) => void; intervalMs?: number }) {
  const { db, now, log } = opts;
  let timer: ReturnType<typeof setInterval> | null = null;

  /** One pass; `ran` is false when another server holds the lock. */
  async function run(): Promise<{ ran: boolean; deleted: number }> {
    return db.transaction(async (tx) => {
      if (!(await tryTransactionLock(tx, LOCKS.retention))) return { ran: false, deleted: 0 };
      let deleted = 0;
      for (const row of await listTenants(tx)) {
        const days = { ...DEFAULT_SETTINGS, ...row.settings }.retentionDays;
        if (!days) continue;
        // A savepoint per tenant: one that fails is logged and the others still purge.
        deleted += await tx
          .transaction((sp) => purgeOlderThan(sp, row.id, now() - days * DAY_MS))
          .catch((err) => (log('retention purge failed', err), 0));
      }
      return { ran: true, deleted };
    });
  }

  const pass = () => void run().catch((err) => log('retention pass failed', err));
  return {
    run,
    start() {
      pass();
      timer = setInterval(pass, opts.intervalMs ?? 3_600_000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
