import { and, eq, sql } from 'drizzle-orm';
import { prepared, type Db } from './client';
import type { MessageRow } from './messages';
import { messages, reads, roomMembers, rooms } from './schema';

export type RoomRow = typeof rooms.$inferSelect;

export const getRoom = async (db: Db, tenantId: string, room: string): Promise<RoomRow | null> =>
  (await db.select().from(rooms).where(and(eq(rooms.tenantId, tenantId), eq(rooms.name, room))))[0] ?? null;

/** The room, creating it as a public room when it does not exist yet. */
export async function ensureRoom(db: Db, tenantId: string, room: string): Promise<RoomRow> {
  const made = await db.insert(rooms).values({ tenantId, name: room }).onConflictDoNothing().returning();
  return made[0] ?? (await getRoom(db, tenantId, room))!;
}

/** Creates or updates a room's privacy and, when given, replaces its member list. */
export async function putRoom(
  db: Db,
  tenantId: string,
  room: string,
  patch: { private?: boolean; members?: string[] },
): Promise<{ room: RoomRow; members: string[] }> {
  return db.transaction(async (tx) => {
    await tx
      .insert(rooms)
      .values({ tenantId, name: room, private: patch.private ?? false })
      .onConflictDoUpdate({
        target: [rooms.tenantId, rooms.name],
        set: patch.private === undefined ? { name: sql`excluded.name` } : { private: patch.private },
      });
    if (patch.members) {
      await tx.delete(roomMembers).where(and(eq(roomMembers.tenantId, tenantId), eq(roomMembers.room, room)));
      const unique = [...new Set(patch.members)];
      if (unique.length)
        await tx.insert(roomMembers).values(unique.map((userId) => ({ tenantId, room, userId })));
    }
    const row = (await tx.select().from(rooms).where(and(eq(rooms.tenantId, tenantId), eq(rooms.name, room))))[0];
    const members = await tx
      .select({ userId: roomMembers.userId })
      .from(roomMembers)
      .where(and(eq(roomMembers.tenantId, tenantId), eq(roomMembers.room, room)));
    return { room: row, members: members.map((m) => m.userId) };
  });
}

export async function isMember(db: Db, tenantId: string, room: string, userId: string): Promise<boolean> {
  const rows = await db
    .select({ u: roomMembers.userId })
    .from(roomMembers)
    .where(and(eq(roomMembers.tenantId, tenantId), eq(roomMembers.room, room), eq(roomMembers.userId, userId)));
  return rows.length > 0;
}

/** What a joining connection needs from one room, read in one statement (see roomSnapshot). */
export interface RoomSnapshot {
  lastSeq: number;
  /** The room's change cursor, read in the same statement as the page. */
  rev: number;
  /** A resume from a cursor below this is incomplete (retention removed messages). */
  floorRev: number;
  private: boolean;
  /** Whether the user is on the room's member list (private rooms). */
  member: boolean;
  /** Up to `limit + 1` visible messages, ascending by seq (see roomSnapshot). */
  messages: MessageRow[];
  reads: { user: string; lastSeq: number }[];
}

type JsonMessage = { id: string; seq: number; ts: number; user_id: string; name: string; text: string | null; deleted_at: number | null; rev: number };

/** How a join pages: the newest messages, the oldest after a seq, or the changes after a cursor. */
export type SnapshotPage = { afterSeq?: number; afterRev?: number; limit: number };

/**
 * The room's head, privacy, the user's membership, a page of messages and every read position,
 * in one round trip: a join used to take four, and a reconnect storm (every client of a server
 * that restarted) is nothing but joins. The page holds up to `limit + 1` messages at or below
 * the head, skipping `blocked` authors: with `afterSeq` the oldest after it (resume), with
 * `afterRev` every message changed after that cursor in change order (complete resume), else
 * the newest. Null when the room does not exist.
 */
const snapshotStatement = (mode: 'seq' | 'rev' | 'newest') =>
  prepared<Record<string, unknown>>(`parley_room_snapshot_${mode}`, () => {
    const p = (name: string) => sql.placeholder(name);
    const where =
      mode === 'seq' ? sql`and m.seq > ${p('after')}::bigint` : mode === 'rev' ? sql`and m.rev > ${p('after')}::bigint and m.rev <= r.rev` : sql``;
    const order = mode === 'seq' ? sql`m.seq asc` : mode === 'rev' ? sql`m.rev asc` : sql`m.seq desc`;
    return sql`
    select r.last_seq, r.private, r.rev, r.floor_rev,
      exists(select 1 from ${roomMembers} rm
             where rm.tenant_id = r.tenant_id and rm.room = r.name and rm.user_id = ${p('userId')}) as member,
      (select coalesce(json_agg(p order by ${mode === 'rev' ? sql`p.rev` : sql`p.seq`}), '[]'::json) from (
         select m.id, m.seq, m.ts, m.user_id, m.name, m.text, m.deleted_at, m.rev from ${messages} m
         where m.tenant_id = r.tenant_id and m.room = r.name and m.seq <= r.last_seq
           ${where}
           and m.user_id not in (select jsonb_array_elements_text(${p('skip')}::jsonb))
         order by ${order}
         limit ${p('limit')}::int) p) as messages,
      (select coalesce(json_agg(json_build_object('user', rd.user_id, 'lastSeq', rd.last_seq)), '[]'::json)
         from ${reads} rd where rd.tenant_id = r.tenant_id and rd.room = r.name) as reads
    from ${rooms} r where r.tenant_id = ${p('tenantId')} and r.name = ${p('room')}`;
  });
const snapshots = { seq: snapshotStatement('seq'), rev: snapshotStatement('rev'), newest: snapshotStatement('newest') };

export async function roomSnapshot(
  db: Db,
  tenantId: string,
  room: string,
  userId: string,
  page: SnapshotPage,
  blocked: Iterable<string>,
): Promise<RoomSnapshot | null> {
  const mode = page.afterRev !== undefined ? 'rev' : page.afterSeq !== undefined ? 'seq' : 'newest';
  const after = page.afterRev ?? page.afterSeq;
  const values = { tenantId, room, userId, after, limit: page.limit + 1, skip: JSON.stringify([...blocked]) };
  const rows = await snapshots[mode](db, values);
  const row = rows[0];
  if (!row) return null;
  const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
  return {
    lastSeq: Number(row.last_seq),
    rev: Number(row.rev),
    floorRev: Number(row.floor_rev),
    private: row.private === true,
    member: row.member === true,
    messages: json<JsonMessage[]>(row.messages).map((m) => ({
      tenantId,
      room,
      seq: Number(m.seq),
      id: m.id,
      userId: m.user_id,
      name: m.name,
      text: m.text,
      ts: Number(m.ts),
      deletedAt: m.deleted_at == null ? null : Number(m.deleted_at),
      rev: Number(m.rev),
    })),
    reads: json<{ user: string; lastSeq: number }[]>(row.reads).map((r) => ({ user: r.user, lastSeq: Number(r.lastSeq) })),
  };
}
