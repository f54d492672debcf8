import type { Db } from '../db/client';
import * as q from '../db/webhook-events';
import type { TenantDirectory } from './tenants';
import type { WebhookSigner } from './webhook-signing';

const LEASE_MS = 30_000;
const SEND_TIMEOUT_MS = 5_000;
const MAX_RETRY_MS = 3_600_000;
const KEEP_DELIVERED_MS = 7 * 86_400_000;

/**
 * Delivers event webhooks (`message.reported`, `user.banned`, `user.unbanned`) to each tenant's
 * `eventsUrl`, signed with Standard Webhooks headers. Events are rows written with the change
 * they report (db/webhook-events.ts); this loop claims due ones, POSTs them, and marks them
 * delivered on a 2xx, else tries again later (doubling from `retryMs`, at most an hour apart),
 * for as long as it takes (a change to the tenant made on this server makes them due at once).
 * `webhook-id` stays the same across attempts, so the receiver can drop a repeat (delivery is
 * at least once).
 */
export function createEventWebhooks(opts: {
  db: Db;
  tenants: TenantDirectory;
  /** Signs a request to a tenant (webhook-signing.ts). */
  sign: WebhookSigner;
  now: () => number;
  log: (msg: string, err?: unknown) => void;
  intervalMs?: number;
  retryMs?: number;
  fetch?: typeof fetch;
}) {
  const { db, now } = opts;
  const retryMs = opts.retryMs ?? 1000;
  const { sign } = opts;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let lastPurge = 0;

  async function send(ev: q.WebhookEventRow) {
    const tenant = await opts.tenants.byId(ev.tenantId);
    if (!tenant) return q.markDelivered(db, ev.id, now(), 'not sent: no such tenant');
    const url = tenant.settings.eventsUrl;
    const body = JSON.stringify({ type: ev.type, tenantId: ev.tenantId, createdAt: ev.createdAt, data: ev.data });
    try {
      // An events URL removed after the event was recorded pauses delivery; setting one again
      // sends what waited (a tenant change makes it due at once).
      if (!url) throw new Error('no eventsUrl set');
      const res = await (opts.fetch ?? fetch)(url, {
        method: 'POST',
        // The same id on every attempt: the receiver drops repeats by it.
        headers: sign(ev.tenantId, `evt_${ev.id}`, body, new Date(now())),
        body,
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      if (!res.ok) throw new Error(`answered ${res.status}`);
      await q.markDelivered(db, ev.id, now());
    } catch (err) {
      const wait = Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.min(ev.attempts - 1, 20));
      await q.markFailed(db, ev.id, now() + wait, err instanceof Error ? err.message : String(err));
    }
  }

  async function drainDue() {
    do {
      again = false;
      for (;;) {
        const batch = await q.claimDue(db, now(), LEASE_MS, 20);
        if (!batch.length) break;
        // In order within a tenant (a ban before its lifting); tenants side by side.
        const byTenant = new Map<string, q.WebhookEventRow[]>();
        for (const ev of batch) byTenant.set(ev.tenantId, [...(byTenant.get(ev.tenantId) ?? []), ev]);
        await Promise.all([...byTenant.values()].map(async (evs) => {
          for (const ev of evs) await send(ev);
        }));
      }
    } while (again && !stopped);
    if (now() - lastPurge > 3_600_000) {
      lastPurge = now();
      await q.purgeDelivered(db, now() - KEEP_DELIVERED_MS);
    }
  }

  /** Runs one pass now, or right after the one under way. */
  function kick() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drainDue()
      .catch((err) => opts.log('event webhooks failed', err))
      .finally(() => (running = null));
  }

  const timer = setInterval(kick, opts.intervalMs ?? 1000);
  timer.unref();
  // An operator who fixes the events URL should not wait out the backoff: a tenant change
  // made here makes its waiting events due at once.
  opts.tenants.onChange(async (tenantId) => {
    await q.retryNow(db, tenantId, now()).catch((err) => opts.log('event webhooks: retry failed', err));
    kick();
  });

  return {
    kick,
    /** Stops the loop; resolves once a pass under way has finished. */
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

export type EventWebhooks = ReturnType<typeof createEventWebhooks>;
