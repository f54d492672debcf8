import { and, eq, sql } from 'drizzle-orm';
import { prepared, type Db } from './client';
import { blocks, reads, reports, rooms } from './schema';

const advanceReadStatement = prepared<{ last_seq: unknown }>('parley_advance_read', () => {
  const p = (name: string) => sql.placeholder(name);
  return sql`
    insert into ${reads} (tenant_id, room, user_id, last_seq)
    values (${p('tenantId')}, ${p('room')}, ${p('userId')},
            least(${p('lastSeq')}::bigint, coalesce((select last_seq from ${rooms} where tenant_id = ${p('tenantId')} and name = ${p('room')}), 0)))
    on conflict (tenant_id, room, user_id) do update set last_seq = excluded.last_seq
    where ${reads}.last_seq < excluded.last_seq
    returning last_seq`;
});

/**
 * Moves a user's read position forward, clamped to the room's head. Returns the new position
 * when it moved, else null. (Every client marks what it has read: a prepared statement.)
 */
export async function advanceRead(db: Db, tenantId: string, room: string, userId: string, lastSeq: number) {
  const rows = await advanceReadStatement(db, { tenantId, room, userId, lastSeq });
  const moved = rows.length ? Number(rows[0].last_seq) : 0;
  return moved > 0 ? moved : null;
}

export async function setBlock(db: Db, tenantId: string, userId: string, blockedUserId: string, on: boolean) {
  if (on) await db.insert(blocks).values({ tenantId, userId, blockedUserId }).onConflictDoNothing();
  else
    await db
      .delete(blocks)
      .where(and(eq(blocks.tenantId, tenantId), eq(blocks.userId, userId), eq(blocks.blockedUserId, blockedUserId)));
}

const blockedByStatement = prepared<{ b: string }>('parley_blocked_by', () => {
  const p = (name: string) => sql.placeholder(name);
  return sql`select blocked_user_id as b from ${blocks} where tenant_id = ${p('tenantId')} and user_id = ${p('userId')}`;
});

/** Whom a user has blocked (read at every hello). */
export async function blockedBy(db: Db, tenantId: string, userId: string): Promise<string[]> {
  return (await blockedByStatement(db, { tenantId, userId })).map((r) => r.b);
}

export async function insertReport(
  db: Db,
  r: { tenantId: string; room: string; messageId: string; reporterId: string; reason: string | null; ts: number },
) {
  await db.insert(reports).values(r);
}
