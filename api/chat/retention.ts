import type { Db } from '../db/client';
import { LOCKS, tryTransactionLock } from '../db/locks';
import { purgeOlderThan } from '../db/messages';
import { DEFAULT_SETTINGS } from '../db/schema';
import { listTenants } from '../db/tenants';

const DAY_MS = 86_400_000;

/**
 * Deletes each tenant's messages older than its `retentionDays` (0 keeps everything), at start
 * and every hour. One server at a time: each tenant's purge is its own short transaction holding
 * an advisory lock, and a server that finds it held skips that tenant (another server's pass is
 * doing the work). A purge locks the rooms it raises `floor_rev` in until it commits, so one
 * transaction for the whole pass held every purged room (and stopped every message sent there)
 * until the last tenant was done; now a room is held only while its own tenant is purged.
 */
export function createRetention(opts: { db: Db; now: () => number; log: (msg: string, err?: unknown) => void; intervalMs?: number }) {
  const { db, now, log } = opts;
  let timer: ReturnType<typeof setInterval> | null = null;

  /** One pass; `ran` is false when another server held the lock for some tenant (it purges those). */
  async function run(): Promise<{ ran: boolean; deleted: number }> {
    let deleted = 0;
    let ran = true;
    for (const row of await listTenants(db)) {
      const days = { ...DEFAULT_SETTINGS, ...row.settings }.retentionDays;
      if (!days) continue;
      // One tenant that fails is logged and the others still purge.
      const n = await db
        .transaction(async (tx) => ((await tryTransactionLock(tx, LOCKS.retention)) ? purgeOlderThan(tx, row.id, now() - days * DAY_MS) : null))
        .catch((err) => (log('retention purge failed', err), 0));
      if (n === null) ran = false;
      else deleted += n;
    }
    return { ran, deleted };
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
