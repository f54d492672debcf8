import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Db } from '../db/client';
import * as ep from '../db/webhook-endpoints';
import * as q from '../db/webhook-events';
import type { Tenant, TenantDirectory } from './tenants';
import type { WebhookHttp } from './webhook-http';
import { nextAttempt, retryAfterMs } from './webhook-schedule';
import type { WebhookSigner } from './webhook-signing';

const LEASE_MS = 30_000;
const KEEP_FINISHED_MS = 7 * 86_400_000;
/** A tenant without an events URL is looked at again this often (a change to it makes it due at once). */
const PAUSE_MS = 60_000;
const MAX_ANSWER_BYTES = 64 * 1024;
/** Pending events a worker reads at once (it still sends them one at a time). */
const READ_AHEAD = 50;

/**
 * Delivers event webhooks to each tenant's `eventsUrl`, signed with Standard Webhooks headers.
 * Events are rows written with the change they report (db/webhook-events.ts).
 *
 * Order: a tenant's events go one at a time, oldest first; the next is sent only once the one
 * before was taken (2xx) or given up after the retry schedule (webhook-schedule.ts). One server
 * at a time delivers a tenant's events: it holds the tenant's lease (webhook-endpoints.ts)
 * while it works through them and lets go when the oldest is waiting for a retry, so whichever
 * server looks next when it is due carries on.
 *
 * Isolation: each tenant has its own worker, up to `concurrency` at once per server, and
 * each request has a deadline (`timeoutMs`): a tenant whose endpoint hangs holds one worker,
 * never another tenant's queue.
 */
export function createEventWebhooks(opts: {
  db: Db;
  tenants: TenantDirectory;
  /** Signs a request to a tenant (webhook-signing.ts). */
  sign: WebhookSigner;
  http: WebhookHttp;
  now: () => number;
  log: (msg: string, err?: unknown) => void;
  /** How often due events are looked for (default 1 s; this server's own events start at once). */
  intervalMs?: number;
  /** The retry schedule (default RETRY_DELAYS_MS). */
  retryDelaysMs?: number[];
  /** Deadline of one request (default 10 s). */
  timeoutMs?: number;
  /** Tenants delivered to at once by this server (default 32). */
  concurrency?: number;
}) {
  const { db, now, log } = opts;
  const holder = randomUUID();
  const concurrency = opts.concurrency ?? 32;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const workers = new Map<string, Promise<void>>();
  const stopping = new AbortController();
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let lastPurge = 0;

  async function attempt(tenant: Tenant, url: string, ev: q.WebhookEventRow): Promise<q.AttemptResult> {
    const body = JSON.stringify({ type: ev.type, tenantId: ev.tenantId, createdAt: ev.createdAt, data: ev.data });
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    const failed = (status: number | null, error: string, retryAfter: number | null = null): q.AttemptResult => {
      const next = nextAttempt(ev.attempts + 1, now(), retryAfter, opts.retryDelaysMs);
      return { at: now(), status, error, latencyMs: latency(), next: next === 'given_up' ? next : { retryAt: next, counted: true } };
    };
    try {
      // The same id on every attempt: the receiver drops repeats by it.
      const headers = await opts.sign(tenant.id, `evt_${ev.id}`, body, new Date(now()));
      const res = await opts.http.post(url, { headers, body, timeoutMs, maxBytes: MAX_ANSWER_BYTES, signal: stopping.signal });
      if (res.status >= 200 && res.status < 300) return { at: now(), status: res.status, error: null, latencyMs: latency(), next: 'delivered' };
      if (res.status === 410) {
        // Gone: the tenant's backend says to stop. Its events wait until the endpoint is enabled again.
        await ep.disable(db, tenant.id, now(), 'the endpoint answered 410 Gone');
        return { at: now(), status: 410, error: 'answered 410: endpoint disabled', latencyMs: latency(), next: { retryAt: now(), counted: false } };
      }
      // A redirect is an answer like any other: following it could lead anywhere (SSRF).
      return failed(res.status, `answered ${res.status}`, retryAfterMs(res.retryAfter, now()));
    } catch (err) {
      const e = err as { code?: string; message?: string };
      return failed(null, e.code ? `${e.code}: ${e.message}` : String(e.message ?? err));
    }
  }

  /** Sends a tenant's due events in order while it holds the lease. */
  async function work(tenantId: string) {
    let leaseUntil = now() + LEASE_MS;
    let tenant: Tenant | null = null;
    let tenantAt = -Infinity;
    let lost = false;
    let ahead: q.WebhookEventRow[] = [];
    try {
      while (!stopped) {
        // Settings are read again every second, not per event: a backlog drains without a read each.
        if (now() - tenantAt >= 1000) {
          tenant = await opts.tenants.byId(tenantId);
          tenantAt = now();
        }
        if (!ahead.length) ahead = await q.pendingOf(db, tenantId, READ_AHEAD);
        const head = ahead[0];
        if (!head || head.nextAt > now()) return;
        if (now() > leaseUntil - LEASE_MS / 2) {
          if (!(await ep.claimLease(db, tenantId, holder, now(), now() + LEASE_MS))) return void (lost = true);
          leaseUntil = now() + LEASE_MS;
        }
        const url = tenant?.settings.eventsUrl;
        let result: q.AttemptResult;
        if (!tenant) result = { at: now(), status: null, error: 'no such tenant', latencyMs: 0, next: 'given_up' };
        // An events URL removed after the event was recorded pauses delivery; setting one
        // again makes what waited due at once (tenants.onChange below).
        else if (!url) result = { at: now(), status: null, error: 'no eventsUrl set', latencyMs: 0, next: { retryAt: now() + PAUSE_MS, counted: false } };
        else result = await attempt(tenant, url, head);
        if (stopped && result.next !== 'delivered') return;
        await q.recordAttempt(db, head.id, result);
        if (result.status === 410) return;
        // Done with: the next one read ahead goes. Still pending: read it again (attempts and
        // next attempt changed), as is anything replayed meanwhile.
        if (result.next === 'delivered' || result.next === 'given_up') ahead.shift();
        else ahead = [];
      }
    } finally {
      if (!lost) await ep.releaseLease(db, tenantId, holder);
    }
  }

  function start(tenantId: string) {
    const full = () => workers.size >= concurrency;
    const w = work(tenantId)
      .catch((err) => log(`event webhooks of tenant ${tenantId} failed`, err))
      .finally(() => {
        const wasFull = full();
        workers.delete(tenantId);
        // A slot came free: a tenant that found none may be waiting.
        if (wasFull) kick();
      });
    workers.set(tenantId, w);
  }

  async function pass() {
    do {
      again = false;
      if (workers.size >= concurrency) break;
      for (const tenantId of await q.dueTenants(db, now(), holder, concurrency + workers.size)) {
        if (stopped || workers.size >= concurrency) break;
        if (workers.has(tenantId)) continue;
        if (await ep.claimLease(db, tenantId, holder, now(), now() + LEASE_MS)) start(tenantId);
      }
    } while (again && !stopped);
    if (now() - lastPurge > 3_600_000) {
      lastPurge = now();
      await q.purgeFinished(db, now() - KEEP_FINISHED_MS);
    }
  }

  /** Looks for due events now, or right after the look under way. */
  function kick() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = pass()
      .catch((err) => log('event webhooks failed', err))
      .finally(() => (running = null));
  }

  const timer = setInterval(kick, opts.intervalMs ?? 1000);
  timer.unref();
  // An operator who fixes the events URL should not wait out the backoff: a tenant change
  // made here makes its waiting event due at once.
  opts.tenants.onChange(async (tenantId) => {
    await q.retryNow(db, tenantId, now()).catch((err) => log('event webhooks: retry failed', err));
    kick();
  });

  return {
    kick,
    /** Resolves once no look and no delivery is under way (tests, after moving the clock). */
    async idle() {
      while (running || workers.size) await Promise.all([running, ...workers.values()]);
    },
    /** Stops the loop and cuts requests under way short (they are sent again, by any server). */
    async stop() {
      stopped = true;
      clearInterval(timer);
      stopping.abort();
      await Promise.all([running, ...workers.values()]);
    },
  };
}

export type EventWebhooks = ReturnType<typeof createEventWebhooks>;
