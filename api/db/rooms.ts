import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { prepared, type Db } from './client';
import type { MessageRow } from './messages';
import { createReadBatcher, DEFAULT_READ_GAP_MS } from './read-batcher';
import { messages, reads, roomMembers, rooms } from './schema';

export type RoomRow = typeof rooms.$inferSelect;

export const getRoom = async (db: Db, tenantId: string, room: string): Promise<RoomRow | null> =>
  (await db.select().from(rooms).where(and(eq(rooms.tenantId, tenantId), eq(rooms.name, room))))[0] ?? null;

/** Creates the room; null when it already exists. */
export async function createRoom(db: Db, tenantId: string, room: string, isPrivate: boolean): Promise<RoomRow | null> {
  return (await db.insert(rooms).values({ tenantId, name: room, private: isPrivate }).onConflictDoNothing().returning())[0] ?? null;
}

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
  /** Called in the transaction when this call made the room (its `room.created` event). */
  onCreated?: (tx: Db, row: { private: boolean }) => Promise<unknown>,
): Promise<{ room: RoomRow; members: string[] }> {
  return db.transaction(async (tx) => {
    const [put] = await tx
      .insert(rooms)
      .values({ tenantId, name: room, private: patch.private ?? false })
      .onConflictDoUpdate({
        target: [rooms.tenantId, rooms.name],
        set: patch.private === undefined ? { name: sql`excluded.name` } : { private: patch.private },
      })
      // xmax is 0 on a row this statement inserted, not on one it updated.
      .returning({ inserted: sql<boolean>`xmax = 0`, private: rooms.private });
    if (put.inserted && onCreated) await onCreated(tx, put);
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

/** Every member of a room, in id order. */
export async function membersOf(db: Db, tenantId: string, room: string): Promise<string[]> {
  const rows = await db
    .select({ u: roomMembers.userId })
    .from(roomMembers)
    .where(and(eq(roomMembers.tenantId, tenantId), eq(roomMembers.room, room)))
    .orderBy(roomMembers.userId);
  return rows.map((r) => r.u);
}

/** Adds or removes one member; null when the room does not exist (it is not made here). */
export async function setMember(db: Db, tenantId: string, room: string, userId: string, on: boolean) {
  const row = await getRoom(db, tenantId, room);
  if (!row) return null;
  if (on) await db.insert(roomMembers).values({ tenantId, room, userId }).onConflictDoNothing();
  else await db.delete(roomMembers).where(and(eq(roomMembers.tenantId, tenantId), eq(roomMembers.room, room), eq(roomMembers.userId, userId)));
  return { room: row, members: await membersOf(db, tenantId, room) };
}

export async function isMember(db: Db, tenantId: string, room: string, userId: string): Promise<boolean> {
  const rows = await db
    .select({ u: roomMembers.userId })
    .from(roomMembers)
    .where(and(eq(roomMembers.tenantId, tenantId), eq(roomMembers.room, room), eq(roomMembers.userId, userId)));
  return rows.length > 0;
}

/** Those of `users` on the room's member list, in one query. */
export async function membersAmong(db: Db, tenantId: string, room: string, users: string[]): Promise<string[]> {
  if (!users.length) return [];
  const rows = await db
    .select({ u: roomMembers.userId })
    .from(roomMembers)
    .where(and(eq(roomMembers.tenantId, tenantId), eq(roomMembers.room, room), inArray(roomMembers.userId, users)));
  return rows.map((r) => r.u);
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
 * for MANY joins in one round trip: a join used to take four, and a reconnect storm (every
 * client of a server that restarted) is nothing but joins, so the joins that arrive in one turn
 * share one statement (PGlite spends about 2 ms of CPU per statement whatever it reads). Each
 * page holds up to `limit + 1` messages at or below the head, skipping that reader's `blocked`
 * authors: with `afterSeq` the oldest after it (resume), with `afterRev` every message changed
 * after that cursor in change order (complete resume), else the newest. Of the three page
 * queries only the one named by the input row's `mode` runs (the others are gated off by a
 * one-time filter), each on its own index. A row with no room comes back with nulls.
 */
const snapshotStatement = prepared<Record<string, unknown>>('parley_room_snapshots', () => {
  const page = (mode: string, where: SQL, order: SQL) => sql`
    (select m.id, m.seq, m.ts, m.user_id, m.name, m.text, m.deleted_at, m.rev from ${messages} m
      where i.mode = ${sql.raw(`'${mode}'`)} and m.tenant_id = r.tenant_id and m.room = r.name and m.seq <= r.last_seq ${where}
        and m.user_id not in (select jsonb_array_elements_text(i.skip))
      order by ${order}
      limit i.lim)`;
  return sql`
    select i.ord, r.last_seq, r.private, r.rev, r.floor_rev,
      exists(select 1 from ${roomMembers} rm
             where rm.tenant_id = r.tenant_id and rm.room = r.name and rm.user_id = i.user_id) as member,
      (select coalesce(json_agg(p order by case when i.mode = 'rev' then p.rev else p.seq end), '[]'::json) from (
         ${page('seq', sql`and m.seq > i.after`, sql`m.seq asc`)}
         union all
         ${page('rev', sql`and m.rev > i.after and m.rev <= r.rev`, sql`m.rev asc`)}
         union all
         ${page('newest', sql``, sql`m.seq desc`)}
      ) p) as messages,
      (select coalesce(json_agg(json_build_object('user', rd.user_id, 'lastSeq', rd.last_seq)), '[]'::json)
         from ${reads} rd where rd.tenant_id = r.tenant_id and rd.room = r.name) as reads
    from jsonb_to_recordset(${sql.placeholder('input')}::jsonb)
      as i(ord int, tenant_id text, room text, user_id text, mode text, after bigint, lim int, skip jsonb)
    left join ${rooms} r on r.tenant_id = i.tenant_id and r.name = i.room`;
});

interface SnapshotRequest {
  tenantId: string;
  room: string;
  userId: string;
  page: SnapshotPage;
  blocked: Iterable<string>;
  resolve: (s: RoomSnapshot | null) => void;
  reject: (e: unknown) => void;
}

/** The most joins one statement reads. */
const MAX_SNAPSHOTS = 200;

/**
 * Reads join snapshots, batching the requests that arrive while a statement runs into the
 * next one (read-batcher.ts). Belongs to the chat service of one database (no module state:
 * two servers in one process keep apart). `concurrency`: statements at once (PGlite 1).
 */
export function createSnapshotReader(db: Db, opts: { concurrency?: number; gapMs?: number } = {}) {
  async function run(batch: SnapshotRequest[]) {
    const input = batch.map((q, ord) => ({
      ord,
      tenant_id: q.tenantId,
      room: q.room,
      user_id: q.userId,
      mode: q.page.afterRev !== undefined ? 'rev' : q.page.afterSeq !== undefined ? 'seq' : 'newest',
      after: q.page.afterRev ?? q.page.afterSeq ?? 0,
      lim: q.page.limit + 1,
      skip: [...q.blocked],
    }));
    const rows = await snapshotStatement(db, { input: JSON.stringify(input) });
    const answered = new Set<number>();
    for (const row of rows) {
      const q = batch[Number(row.ord)];
      answered.add(Number(row.ord));
      // One row that cannot be read fails its own join, never the rest of the batch.
      try {
        q.resolve(row.last_seq == null ? null : toSnapshot(q.tenantId, q.room, row));
      } catch (err) {
        q.reject(err);
      }
    }
    // The left join answers every input row; never leave a join waiting if that changes.
    batch.forEach((q, i) => answered.has(i) || q.reject(new Error('join snapshot: no row for a request')));
  }
  const batcher = createReadBatcher({ run, max: MAX_SNAPSHOTS, concurrency: opts.concurrency ?? 1, gapMs: opts.gapMs ?? DEFAULT_READ_GAP_MS });

  return {
    /** One join's snapshot; null when the room does not exist. */
    read(tenantId: string, room: string, userId: string, page: SnapshotPage, blocked: Iterable<string>): Promise<RoomSnapshot | null> {
      return new Promise((resolve, reject) => batcher.add({ tenantId, room, userId, page, blocked, resolve, reject }));
    },
  };
}

export type SnapshotReader = ReturnType<typeof createSnapshotReader>;

/** One snapshot read on its own (tests, tools); the chat service batches through a reader. */
export const roomSnapshot = (db: Db, tenantId: string, room: string, userId: string, page: SnapshotPage, blocked: Iterable<string>) =>
  createSnapshotReader(db).read(tenantId, room, userId, page, blocked);

function toSnapshot(tenantId: string, room: string, row: Record<string, unknown>): RoomSnapshot {
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

/** A page of a tenant's rooms in name order, after `after`, whose names start with `prefix`. */
export const listRooms = (db: Db, tenantId: string, p: { prefix?: string; after?: string; limit: number }) =>
  db
    .select({ name: rooms.name, private: rooms.private, lastSeq: rooms.lastSeq })
    .from(rooms)
    .where(
      and(
        eq(rooms.tenantId, tenantId),
        p.prefix ? sql`starts_with(${rooms.name}, ${p.prefix})` : undefined,
        p.after !== undefined ? sql`${rooms.name} > ${p.after}` : undefined,
      ),
    )
    .orderBy(rooms.name)
    .limit(p.limit);
