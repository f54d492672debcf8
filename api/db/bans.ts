import { and, eq, gt, isNull, or } from 'drizzle-orm';
import type { Db } from './client';
import { bans } from './schema';

export type BanRow = typeof bans.$inferSelect;

/** Bans a user (again: the reason and end are replaced). */
export async function putBan(db: Db, tenantId: string, userId: string, b: { reason: string | null; until: number | null; at: number }) {
  await db
    .insert(bans)
    .values({ tenantId, userId, reason: b.reason, until: b.until, createdAt: b.at })
    .onConflictDoUpdate({ target: [bans.tenantId, bans.userId], set: { reason: b.reason, until: b.until, createdAt: b.at } });
}

/** Lifts a ban; false when there was none. */
export async function deleteBan(db: Db, tenantId: string, userId: string): Promise<boolean> {
  const rows = await db
    .delete(bans)
    .where(and(eq(bans.tenantId, tenantId), eq(bans.userId, userId)))
    .returning({ userId: bans.userId });
  return rows.length > 0;
}

/** A tenant's bans still in force at `at` (ended ones stay in the table but are not read). */
export const bansOf = (db: Db, tenantId: string, at: number): Promise<BanRow[]> =>
  db
    .select()
    .from(bans)
    .where(and(eq(bans.tenantId, tenantId), or(isNull(bans.until), gt(bans.until, at))));
