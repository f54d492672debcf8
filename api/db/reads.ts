import { and, eq, sql } from 'drizzle-orm';
import type { Db } from './client';
import { blocks, reads, reports, rooms } from './schema';

/**
 * Moves a user's read position forward, clamped to the room's head. Returns the new position
 * when it moved, else null.
 */
export async function advanceRead(db: Db, tenantId: string, room: string, userId: string, lastSeq: number) {
  const head = sql`(select ${rooms.lastSeq} from ${rooms} where ${rooms.tenantId} = ${tenantId} and ${rooms.name} = ${room})`;
  const rows = await db
    .insert(reads)
    .values({ tenantId, room, userId, lastSeq: sql`least(${lastSeq}::bigint, coalesce(${head}, 0))` as never })
    .onConflictDoUpdate({
      target: [reads.tenantId, reads.room, reads.userId],
      set: { lastSeq: sql`excluded.last_seq` },
      setWhere: sql`${reads.lastSeq} < excluded.last_seq`,
    })
    .returning({ lastSeq: reads.lastSeq });
  const moved = rows[0]?.lastSeq;
  return moved !== undefined && moved > 0 ? moved : null;
}

export async function setBlock(db: Db, tenantId: string, userId: string, blockedUserId: string, on: boolean) {
  if (on) await db.insert(blocks).values({ tenantId, userId, blockedUserId }).onConflictDoNothing();
  else
    await db
      .delete(blocks)
      .where(and(eq(blocks.tenantId, tenantId), eq(blocks.userId, userId), eq(blocks.blockedUserId, blockedUserId)));
}

export async function blockedBy(db: Db, tenantId: string, userId: string): Promise<string[]> {
  const rows = await db
    .select({ b: blocks.blockedUserId })
    .from(blocks)
    .where(and(eq(blocks.tenantId, tenantId), eq(blocks.userId, userId)));
  return rows.map((r) => r.b);
}

export async function insertReport(
  db: Db,
  r: { tenantId: string; room: string; messageId: string; reporterId: string; reason: string | null; ts: number },
) {
  await db.insert(reports).values(r);
}
