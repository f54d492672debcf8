import { and, eq, isNotNull, lt, sql } from 'drizzle-orm';
import type { Db } from './client';
import { webhookEvents } from './schema';

export type WebhookEventRow = typeof webhookEvents.$inferSelect;

/** Records an event to deliver; pass the transaction of the change it reports. */
export async function enqueueEvent(db: Db, tenantId: string, type: string, data: Record<string, unknown>, at: number) {
  await db.insert(webhookEvents).values({ tenantId, type, data, createdAt: at, nextAt: at });
}

/**
 * Takes up to `limit` due events for `leaseMs`: another server (or this one after a crash)
 * takes them again only once the lease ends, so each is being sent by one server at a time.
 */
export async function claimDue(db: Db, at: number, leaseMs: number, limit: number): Promise<WebhookEventRow[]> {
  const due = db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(and(sql`${webhookEvents.deliveredAt} is null`, sql`${webhookEvents.nextAt} <= ${at}`))
    .orderBy(webhookEvents.id)
    .limit(limit)
    .for('update', { skipLocked: true });
  return db
    .update(webhookEvents)
    .set({ nextAt: at + leaseMs, attempts: sql`${webhookEvents.attempts} + 1` })
    .where(sql`${webhookEvents.id} in (${due})`)
    .returning();
}

export async function markDelivered(db: Db, id: number, at: number, note: string | null = null) {
  await db.update(webhookEvents).set({ deliveredAt: at, lastError: note }).where(eq(webhookEvents.id, id));
}

export async function markFailed(db: Db, id: number, nextAt: number, error: string) {
  await db.update(webhookEvents).set({ nextAt, lastError: error.slice(0, 500) }).where(eq(webhookEvents.id, id));
}

/** Makes a tenant's undelivered events due now (its settings changed: maybe a fixed URL). */
export async function retryNow(db: Db, tenantId: string, at: number) {
  await db
    .update(webhookEvents)
    .set({ nextAt: at })
    .where(and(eq(webhookEvents.tenantId, tenantId), sql`${webhookEvents.deliveredAt} is null`, sql`${webhookEvents.nextAt} > ${at}`));
}

/** Deletes delivered events older than `before`. */
export async function purgeDelivered(db: Db, before: number) {
  await db.delete(webhookEvents).where(and(isNotNull(webhookEvents.deliveredAt), lt(webhookEvents.deliveredAt, before)));
}
