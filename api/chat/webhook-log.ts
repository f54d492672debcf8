import type { Db } from '../db/client';
import * as ep from '../db/webhook-endpoints';
import * as q from '../db/webhook-events';
import type { WebhookDelivery, WebhookStatus } from '../protocol';
import type { Tenant } from './tenants';

const view = (e: q.WebhookEventRow): WebhookDelivery => ({
  id: `evt_${e.id}`,
  type: e.type,
  createdAt: e.createdAt,
  state: e.deliveredAt != null ? 'delivered' : e.givenUpAt != null ? 'given_up' : 'pending',
  attempts: e.attempts,
  lastStatus: e.lastStatus,
  lastError: e.lastError,
  latencyMs: e.latencyMs,
  nextAt: e.deliveredAt == null && e.givenUpAt == null ? e.nextAt : null,
  finishedAt: e.deliveredAt ?? e.givenUpAt,
  data: e.data,
});

/**
 * What an operator sees of and does with a tenant's event webhooks: the backlog, the delivery
 * log, a test event, replays, and enabling an endpoint that answered 410.
 */
export function createWebhookLog(opts: { db: Db; now: () => number; /** Starts delivery at once. */ kick: () => void }) {
  const { db, now } = opts;
  return {
    async status(tenant: Tenant): Promise<WebhookStatus> {
      const [backlog, endpoint] = await Promise.all([q.backlogOf(db, tenant.id), ep.endpointOf(db, tenant.id)]);
      return {
        eventsUrl: tenant.settings.eventsUrl,
        backlog,
        disabled: endpoint?.disabledAt != null ? { at: endpoint.disabledAt, reason: endpoint.disabledReason } : null,
      };
    },

    /** The delivery log, newest first. */
    async events(tenantId: string, limit: number, beforeId?: number) {
      const rows = await q.eventLog(db, tenantId, limit + 1, beforeId);
      return { events: rows.slice(0, limit).map(view), hasMore: rows.length > limit };
    },

    /** Queues a `webhook.test` event (whatever types the tenant chose), like any other. */
    async sendTest(tenant: Tenant) {
      await q.enqueueEvent(db, tenant.id, 'webhook.test', { message: 'a test event sent from the Parley dashboard' }, now());
      opts.kick();
    },

    /** Sends a finished event again (`evt_<n>`), or every one since `since`; returns how many. */
    async replay(tenantId: string, which: { id: number } | { since: number }) {
      const n = await q.replay(db, tenantId, which, now());
      if (n) opts.kick();
      return n;
    },

    async enable(tenantId: string) {
      const was = await ep.enable(db, tenantId);
      if (was) {
        await q.retryNow(db, tenantId, now());
        opts.kick();
      }
      return was;
    },
  };
}

export type WebhookLog = ReturnType<typeof createWebhookLog>;
