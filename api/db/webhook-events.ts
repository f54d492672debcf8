import { and, desc, eq, gte, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import { prepared, type Db } from './client';
import { webhookEndpoints, webhookEvents } from './schema';

export type WebhookEventRow = typeof webhookEvents.$inferSelect;

const pending = and(isNull(webhookEvents.deliveredAt), isNull(webhookEvents.givenUpAt));

/** Records an event to deliver; pass the transaction of the change it reports. */
export async function enqueueEvent(db: Db, tenantId: string, type: string, data: Record<string, unknown>, at: number) {
  await db.insert(webhookEvents).values({ tenantId, type, data, createdAt: at, nextAt: at });
}

/**
 * Tenants whose oldest pending event is due, whose endpoint is not disabled and whose lease
 * is free (or ours). One index probe per tenant with pending events (a loose index scan over
 * `webhook_events_pending_idx`), however long a tenant's backlog has grown.
 *
 * Every server asks this once a second, webhooks or not, so it is prepared: planned each time,
 * it cost PGlite 2 ms of the process's one thread on an empty table and 5-17 ms under load,
 * a stall for every socket once a second.
 */
const dueStatement = prepared<{ tenant_id: string }>('parley_due_tenants', () => {
  const at = sql.placeholder('at');
  return sql`
    with recursive t as (
      (select tenant_id from ${webhookEvents} where delivered_at is null and given_up_at is null order by tenant_id limit 1)
      union all
      select (select e.tenant_id from ${webhookEvents} e
              where e.delivered_at is null and e.given_up_at is null and e.tenant_id > t.tenant_id
              order by e.tenant_id limit 1)
      from t where t.tenant_id is not null
    )
    select t.tenant_id from t
    cross join lateral (
      select e.next_at from ${webhookEvents} e
      where e.tenant_id = t.tenant_id and e.delivered_at is null and e.given_up_at is null
      order by e.id limit 1
    ) head
    left join ${webhookEndpoints} p on p.tenant_id = t.tenant_id
    where t.tenant_id is not null and head.next_at <= ${at}::bigint
      and (p.tenant_id is null or (p.disabled_at is null and (p.lease_until < ${at}::bigint or p.lease_holder = ${sql.placeholder('holder')}::text)))
    limit ${sql.placeholder('limit')}::int`;
});

export async function dueTenants(db: Db, at: number, holder: string, limit: number): Promise<string[]> {
  const rows = await dueStatement(db, { at, holder, limit });
  return rows.map((r) => r.tenant_id);
}

/**
 * The tenant's oldest pending events, oldest first: only the first may be sent (order within a
 * tenant); the rest are read ahead so a backlog drains without a read per event.
 */
export async function pendingOf(db: Db, tenantId: string, limit: number): Promise<WebhookEventRow[]> {
  return db
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.tenantId, tenantId), pending))
    .orderBy(webhookEvents.id)
    .limit(limit);
}

/** What one attempt came to. */
export interface AttemptResult {
  at: number;
  status: number | null;
  error: string | null;
  latencyMs: number;
  /** Delivered, given up, or tried again at `retryAt` (`counted` false: the attempt does not use up the schedule). */
  next: 'delivered' | 'given_up' | { retryAt: number; counted: boolean };
}

export async function recordAttempt(db: Db, id: number, r: AttemptResult) {
  await db
    .update(webhookEvents)
    .set({
      attempts: typeof r.next === 'object' && !r.next.counted ? webhookEvents.attempts : sql`${webhookEvents.attempts} + 1`,
      lastStatus: r.status,
      lastError: r.error?.slice(0, 500) ?? null,
      latencyMs: r.latencyMs,
      ...(r.next === 'delivered' ? { deliveredAt: r.at } : r.next === 'given_up' ? { givenUpAt: r.at } : { nextAt: r.next.retryAt }),
    })
    .where(eq(webhookEvents.id, id));
}

/** Makes a tenant's waiting head due now (its settings changed: maybe a fixed URL). */
export async function retryNow(db: Db, tenantId: string, at: number) {
  await db
    .update(webhookEvents)
    .set({ nextAt: at })
    .where(and(eq(webhookEvents.tenantId, tenantId), pending, sql`${webhookEvents.nextAt} > ${at}`));
}

/** Events not yet delivered nor given up, and when the oldest was recorded. */
export async function backlogOf(db: Db, tenantId: string): Promise<{ pending: number; oldestAt: number | null }> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int`, oldest: sql<string | null>`min(${webhookEvents.createdAt})` })
    .from(webhookEvents)
    .where(and(eq(webhookEvents.tenantId, tenantId), pending));
  return { pending: Number(row.n), oldestAt: row.oldest == null ? null : Number(row.oldest) };
}

/** The tenant's delivery log, newest first, ids below `beforeId`. */
export const eventLog = (db: Db, tenantId: string, limit: number, beforeId?: number) =>
  db
    .select()
    .from(webhookEvents)
    .where(and(eq(webhookEvents.tenantId, tenantId), beforeId ? lt(webhookEvents.id, beforeId) : undefined))
    .orderBy(desc(webhookEvents.id))
    .limit(limit);

/**
 * Sends finished events again: one by id, or every one recorded since `since`. They keep
 * their ids (and `webhook-id`), so they go out before anything newer still pending.
 */
export async function replay(db: Db, tenantId: string, which: { id: number } | { since: number }, at: number): Promise<number> {
  const rows = await db
    .update(webhookEvents)
    .set({ deliveredAt: null, givenUpAt: null, attempts: 0, nextAt: at, lastError: null })
    .where(
      and(
        eq(webhookEvents.tenantId, tenantId),
        'id' in which ? eq(webhookEvents.id, which.id) : gte(webhookEvents.createdAt, which.since),
        or(isNotNull(webhookEvents.deliveredAt), isNotNull(webhookEvents.givenUpAt)),
      ),
    )
    .returning({ id: webhookEvents.id });
  return rows.length;
}

/** Deletes finished events older than `before`. */
export async function purgeFinished(db: Db, before: number) {
  await db
    .delete(webhookEvents)
    .where(or(and(isNotNull(webhookEvents.deliveredAt), lt(webhookEvents.deliveredAt, before)), and(isNotNull(webhookEvents.givenUpAt), lt(webhookEvents.givenUpAt, before))));
}

/** Events recorded and not yet delivered, across every tenant (the metrics' queue depth). */
export async function countUndelivered(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(webhookEvents).where(pending);
  return Number(row?.n ?? 0);
}
