import { and, asc, desc, eq, gt, lt, lte, notInArray, sql } from 'drizzle-orm';
import type { Db } from './client';
import { messages, rooms } from './schema';

// Reading, deleting and expiring stored messages. Storing them (the hot write path, group
// commit's statements) is message-store.ts.

export type MessageRow = typeof messages.$inferSelect;

const visible = (tenantId: string, room: string) => and(eq(messages.tenantId, tenantId), eq(messages.room, room));

/** Leaves out messages of `skip` users (the reader's blocks), as roomSnapshot does. */
const notBy = (skip: ReadonlySet<string> | undefined) => (skip?.size ? notInArray(messages.userId, [...skip]) : undefined);

/** The oldest `limit` messages with seq in (afterSeq, upTo], none by `skip` users. */
export const messagesAfter = (db: Db, tenantId: string, room: string, afterSeq: number, upTo: number, limit: number, skip?: ReadonlySet<string>) =>
  db
    .select()
    .from(messages)
    .where(and(visible(tenantId, room), gt(messages.seq, afterSeq), lte(messages.seq, upTo), notBy(skip)))
    .orderBy(asc(messages.seq))
    .limit(limit);

/** The newest `limit` messages with seq below `beforeSeq`, newest first, none by `skip` users. */
export const messagesBefore = (db: Db, tenantId: string, room: string, beforeSeq: number, limit: number, skip?: ReadonlySet<string>) =>
  db
    .select()
    .from(messages)
    .where(and(visible(tenantId, room), lt(messages.seq, beforeSeq), notBy(skip)))
    .orderBy(desc(messages.seq))
    .limit(limit);

export const messageById = async (db: Db, tenantId: string, room: string, id: string) =>
  (await db.select().from(messages).where(and(visible(tenantId, room), eq(messages.id, id))))[0] ?? null;

/**
 * Soft-deletes a message: it keeps its place in history without its text. The room's change
 * cursor moves in the same statement (the room row's lock orders it with inserts), and the row
 * takes the new cursor, so a client resuming from before it learns of the deletion.
 */
export async function softDelete(db: Db, tenantId: string, room: string, id: string, at: number): Promise<{ seq: number; rev: number } | null> {
  const rows = await db.execute(sql`
    with target as (
      select seq from ${messages}
      where tenant_id = ${tenantId} and room = ${room} and id = ${id} and deleted_at is null
    ),
    bump as (
      update ${rooms} set rev = rev + 1
      where tenant_id = ${tenantId} and name = ${room} and exists (select 1 from target)
      returning rev
    )
    update ${messages} m set deleted_at = ${at}, text = null, rev = bump.rev
    from bump, target
    where m.tenant_id = ${tenantId} and m.room = ${room} and m.seq = target.seq and m.deleted_at is null
    returning m.seq, m.rev`);
  const row = rowsOf(rows)[0];
  return row ? { seq: Number(row.seq), rev: Number(row.rev) } : null;
}

/** The oldest `limit` messages whose last change has a cursor in (afterRev, upToRev], none by `skip` users. */
export const changesAfter = (db: Db, tenantId: string, room: string, afterRev: number, upToRev: number, limit: number, skip?: ReadonlySet<string>) =>
  db
    .select()
    .from(messages)
    .where(and(visible(tenantId, room), gt(messages.rev, afterRev), lte(messages.rev, upToRev), notBy(skip)))
    .orderBy(asc(messages.rev))
    .limit(limit);

/**
 * Deletes messages older than `before` for one tenant (retention). Returns how many. Each room
 * that lost messages raises its `floor_rev` to its cursor: a client resuming from below it may
 * hold messages that are gone, so its resume is incomplete (PROTOCOL.md).
 */
export async function purgeOlderThan(db: Db, tenantId: string, before: number): Promise<number> {
  const rows = await db.execute(sql`
    with gone as (
      delete from ${messages} where tenant_id = ${tenantId} and ts < ${before} returning room
    ),
    floors as (
      update ${rooms} set floor_rev = rev
      where tenant_id = ${tenantId} and name in (select distinct room from gone)
      returning name
    )
    select (select count(*) from gone) as n, (select count(*) from floors) as f`);
  return Number(rowsOf(rows)[0]?.n ?? 0);
}

/** The rows of `db.execute` (postgres-js returns an array, PGlite an object with `rows`). */
function rowsOf(r: unknown): Record<string, unknown>[] {
  return (Array.isArray(r) ? r : (r as { rows: Record<string, unknown>[] }).rows) ?? [];
}
