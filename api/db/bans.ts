import { and, eq, gt, isNull, or } from 'drizzle-orm';
import type { Db } from './client';
import { bans, mutes } from './schema';

/** Bans and mutes share one shape; each function takes which table. */
export type SanctionTable = typeof bans | typeof mutes;
export type SanctionRow = typeof bans.$inferSelect;
export type BanRow = SanctionRow;

/** Bans (or mutes) a user again: the reason and end are replaced. */
export async function putSanction(db: Db, t: SanctionTable, tenantId: string, userId: string, b: { reason: string | null; until: number | null; at: number }) {
  await db
    .insert(t)
    .values({ tenantId, userId, reason: b.reason, until: b.until, createdAt: b.at })
    .onConflictDoUpdate({ target: [t.tenantId, t.userId], set: { reason: b.reason, until: b.until, createdAt: b.at } });
}

/** Lifts a ban or mute; false when there was none. */
export async function deleteSanction(db: Db, t: SanctionTable, tenantId: string, userId: string): Promise<boolean> {
  const rows = await db
    .delete(t)
    .where(and(eq(t.tenantId, tenantId), eq(t.userId, userId)))
    .returning({ userId: t.userId });
  return rows.length > 0;
}

/** A tenant's bans or mutes still in force at `at` (ended ones stay in the table but are not read). */
export const sanctionsOf = (db: Db, t: SanctionTable, tenantId: string, at: number): Promise<SanctionRow[]> =>
  db
    .select()
    .from(t)
    .where(and(eq(t.tenantId, tenantId), or(isNull(t.until), gt(t.until, at))));
