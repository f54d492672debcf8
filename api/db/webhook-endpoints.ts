import { and, eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { webhookEndpoints } from './schema';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

/**
 * Takes (or extends) the lease on delivering a tenant's events until `until`: true when this
 * holder has it. A lease ends when its holder lets go or stops renewing it (a crash), so one
 * server at a time sends a tenant's events and the next picks up where it stopped.
 */
export async function claimLease(db: Db, tenantId: string, holder: string, at: number, until: number): Promise<boolean> {
  const rows = await db
    .insert(webhookEndpoints)
    .values({ tenantId, leaseHolder: holder, leaseUntil: until })
    .onConflictDoUpdate({
      target: webhookEndpoints.tenantId,
      set: { leaseHolder: holder, leaseUntil: until },
      setWhere: sql`${webhookEndpoints.disabledAt} is null and (${webhookEndpoints.leaseUntil} < ${at} or ${webhookEndpoints.leaseHolder} = ${holder})`,
    })
    .returning({ tenantId: webhookEndpoints.tenantId });
  return rows.length > 0;
}

export async function releaseLease(db: Db, tenantId: string, holder: string) {
  await db
    .update(webhookEndpoints)
    .set({ leaseUntil: 0, leaseHolder: null })
    .where(and(eq(webhookEndpoints.tenantId, tenantId), eq(webhookEndpoints.leaseHolder, holder)));
}

export async function endpointOf(db: Db, tenantId: string): Promise<WebhookEndpointRow | null> {
  return (await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.tenantId, tenantId)))[0] ?? null;
}

/** Stops delivery to a tenant's endpoint (it answered 410 Gone) until it is enabled again. */
export async function disable(db: Db, tenantId: string, at: number, reason: string) {
  await db
    .insert(webhookEndpoints)
    .values({ tenantId, disabledAt: at, disabledReason: reason })
    .onConflictDoUpdate({ target: webhookEndpoints.tenantId, set: { disabledAt: at, disabledReason: reason } });
}

/** Enables a disabled endpoint; true when it was disabled. */
export async function enable(db: Db, tenantId: string): Promise<boolean> {
  const rows = await db
    .update(webhookEndpoints)
    .set({ disabledAt: null, disabledReason: null })
    .where(and(eq(webhookEndpoints.tenantId, tenantId), sql`${webhookEndpoints.disabledAt} is not null`))
    .returning({ tenantId: webhookEndpoints.tenantId });
  return rows.length > 0;
}

/**
 * Moves the tenant's signing secret to its next generation; the current one keeps signing
 * until `previousUntil`. Returns the new state.
 */
export async function rotateSecret(db: Db, tenantId: string, previousUntil: number): Promise<WebhookEndpointRow> {
  const [row] = await db
    .insert(webhookEndpoints)
    .values({ tenantId, secretGen: 1, previousGen: 0, previousUntil })
    .onConflictDoUpdate({
      target: webhookEndpoints.tenantId,
      set: { previousGen: sql`${webhookEndpoints.secretGen}`, secretGen: sql`${webhookEndpoints.secretGen} + 1`, previousUntil },
    })
    .returning();
  return row;
}
