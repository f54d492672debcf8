import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from './client';
import { secretKeys, tenants, type TenantSettings } from './schema';

export type TenantRow = typeof tenants.$inferSelect;
export type SecretKeyRow = typeof secretKeys.$inferSelect;

/** Inserts a tenant with its publishable key and first secret key. */
export async function insertTenant(
  db: Db,
  t: { id: string; name: string; origins: string[]; settings: Partial<TenantSettings>; publishableKey: string },
  key: { prefix: string; hash: string; sealed: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(tenants).values(t);
    await tx.insert(secretKeys).values({ ...key, tenantId: t.id });
  });
}

export const tenantById = async (db: Db, tenantId: string) =>
  (await db.select().from(tenants).where(eq(tenants.id, tenantId)))[0] ?? null;

export const tenantByPublishableKey = async (db: Db, publishableKey: string) =>
  (await db.select().from(tenants).where(eq(tenants.publishableKey, publishableKey)))[0] ?? null;

export const listTenants = (db: Db) => db.select().from(tenants).orderBy(tenants.createdAt);

export async function updateTenant(
  db: Db,
  tenantId: string,
  patch: Partial<Pick<TenantRow, 'name' | 'origins' | 'settings' | 'disabled'>>,
): Promise<TenantRow | null> {
  const rows = await db.update(tenants).set(patch).where(eq(tenants.id, tenantId)).returning();
  return rows[0] ?? null;
}

export const secretKeysOf = (db: Db, tenantId: string) =>
  db.select().from(secretKeys).where(eq(secretKeys.tenantId, tenantId)).orderBy(secretKeys.createdAt);

export const allSecretKeys = (db: Db) => db.select().from(secretKeys).orderBy(secretKeys.createdAt);

export const activeSecretKeyByHash = async (db: Db, hash: string) =>
  (await db.select().from(secretKeys).where(and(eq(secretKeys.hash, hash), isNull(secretKeys.revokedAt))))[0] ??
  null;

export async function insertSecretKey(db: Db, tenantId: string, key: { prefix: string; hash: string; sealed: string }) {
  await db.insert(secretKeys).values({ ...key, tenantId });
}

/** Revokes a key; false when the tenant has no such active key. */
export async function revokeSecretKey(db: Db, tenantId: string, prefix: string): Promise<boolean> {
  const rows = await db
    .update(secretKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(secretKeys.tenantId, tenantId), eq(secretKeys.prefix, prefix), isNull(secretKeys.revokedAt)))
    .returning({ prefix: secretKeys.prefix });
  return rows.length > 0;
}
