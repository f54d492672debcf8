import { and, asc, desc, eq, gt, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Db } from './client';
import { messages, rooms } from './schema';

export type MessageRow = typeof messages.$inferSelect;

export interface NewMessage {
  id: string;
  userId: string;
  name: string;
  text: string;
}

/** What storing one message of a batch came to. */
export type StoreOutcome =
  | { kind: 'stored'; seq: number; ts: number }
  | { kind: 'duplicate'; seq: number; ts: number }
  | { kind: 'conflict' };

/**
 * Stores a batch of messages for one room in ONE statement, one round trip: the ids already
 * stored are looked up, the room's `last_seq` moves once by the number of new messages (which
 * locks the room row until the statement commits), and the new ones go in with their seqs.
 * The statement is atomic, so seqs stay gap-free. If another server stored one of these ids
 * after the statement's snapshot, the unique index refuses the insert and the whole statement
 * rolls back; the careful transaction below then takes over. A room that does not exist yet
 * is created and the statement retried.
 */
export async function storeBatch(db: Db, tenantId: string, room: string, batch: NewMessage[], ts: number): Promise<StoreOutcome[]> {
  // The same id twice in one batch is stored once: later copies answer like a retry.
  const firstAt = new Map<string, number>();
  const unique: NewMessage[] = [];
  for (const m of batch) if (!firstAt.has(m.id)) firstAt.set(m.id, unique.push(m) - 1);
  let rows: { kind: string; id: string; seq: unknown; ts: unknown; user_id: string | null }[];
  try {
    rows = await fastInsert(db, tenantId, room, unique, ts);
    if (!rows.some((r) => r.kind === 'new') && rows.length < unique.length) {
      // Nothing was new, yet not everything was old: the room row is missing.
      await db.insert(rooms).values({ tenantId, name: room }).onConflictDoNothing();
      rows = await fastInsert(db, tenantId, room, unique, ts);
    }
  } catch (err) {
    if (pgCode(err) !== '23505') throw err;
    return storeBatchLocked(db, tenantId, room, batch, ts);
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  const seen = new Set<string>();
  return batch.map((m): StoreOutcome => {
    const r = byId.get(m.id);
    if (!r) throw new Error(`message ${m.id} missing from the store result`);
    const repeat = seen.has(m.id);
    seen.add(m.id);
    const owner = r.kind === 'new' ? unique[firstAt.get(m.id)!].userId : r.user_id;
    if (owner !== m.userId) return { kind: 'conflict' };
    const out = { seq: Number(r.seq), ts: Number(r.ts) };
    return r.kind === 'new' && !repeat ? { kind: 'stored', ...out } : { kind: 'duplicate', ...out };
  });
}

/** The Postgres error code of a failed query (Drizzle wraps the driver's error as `cause`). */
function pgCode(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } };
  return e.code ?? e.cause?.code;
}

async function fastInsert(db: Db, tenantId: string, room: string, batch: NewMessage[], ts: number) {
  const input = JSON.stringify(batch.map((m, i) => ({ ord: i, id: m.id, user_id: m.userId, name: m.name, text: m.text })));
  const res = await db.execute(sql`
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as i(ord int, id text, user_id text, name text, text text)
    ),
    existing as (
      -- One unique-index probe per id. LIMIT 1 keeps the planner from turning this into a scan
      -- of the whole room when its statistics still think the table is small.
      select m.id, m.seq, m.ts, m.user_id from input i
      cross join lateral (
        select m.id, m.seq, m.ts, m.user_id from ${messages} m
        where m.tenant_id = ${tenantId} and m.room = ${room} and m.id = i.id limit 1
      ) m
    ),
    fresh as (
      select i.*, row_number() over (order by i.ord) as n from input i
      where not exists (select 1 from existing e where e.id = i.id)
    ),
    bump as (
      update ${rooms} set last_seq = last_seq + (select count(*) from fresh)
      where tenant_id = ${tenantId} and name = ${room} and exists (select 1 from fresh)
      returning last_seq
    ),
    ins as (
      insert into ${messages} (tenant_id, room, seq, id, user_id, name, text, ts)
      select ${tenantId}, ${room}, b.last_seq - (select count(*) from fresh) + f.n, f.id, f.user_id, f.name, f.text, ${ts}
      from fresh f, bump b
      returning id, seq
    )
    select 'new' as kind, id, seq, ${ts}::bigint as ts, null::text as user_id from ins
    union all
    select 'old' as kind, id, seq, ts, user_id from existing`);
  return (Array.isArray(res) ? res : (res as unknown as { rows: unknown[] }).rows) as {
    kind: string;
    id: string;
    seq: unknown;
    ts: unknown;
    user_id: string | null;
  }[];
}

/**
 * The careful path, for when another server raced us on an id: one transaction, the room row is locked, its
 * `last_seq` moves once by the number of new messages, and they go in with one multi-row
 * insert. Ids already stored (or repeated within the batch) are not stored again: the same
 * user's repeat is a duplicate with the original seq, another user's is a conflict.
 */
async function storeBatchLocked(
  db: Db,
  tenantId: string,
  room: string,
  batch: NewMessage[],
  ts: number,
): Promise<StoreOutcome[]> {
  return db.transaction(async (tx) => {
    const locked = await tx
      .select({ lastSeq: rooms.lastSeq })
      .from(rooms)
      .where(and(eq(rooms.tenantId, tenantId), eq(rooms.name, room)))
      .for('update');
    let seq = locked[0]?.lastSeq;
    if (seq === undefined) {
      await tx.insert(rooms).values({ tenantId, name: room }).onConflictDoNothing();
      seq = 0;
    }
    const ids = [...new Set(batch.map((m) => m.id))];
    const existing = await tx
      .select({ id: messages.id, seq: messages.seq, ts: messages.ts, userId: messages.userId })
      .from(messages)
      .where(and(eq(messages.tenantId, tenantId), eq(messages.room, room), inArray(messages.id, ids)));
    const known = new Map(existing.map((e) => [e.id, e]));
    const outcomes: StoreOutcome[] = [];
    const rows: (typeof messages.$inferInsert)[] = [];
    for (const m of batch) {
      const prior = known.get(m.id);
      if (prior) {
        outcomes.push(prior.userId === m.userId ? { kind: 'duplicate', seq: prior.seq, ts: prior.ts } : { kind: 'conflict' });
        continue;
      }
      seq += 1;
      known.set(m.id, { id: m.id, seq, ts, userId: m.userId });
      rows.push({ tenantId, room, seq, id: m.id, userId: m.userId, name: m.name, text: m.text, ts });
      outcomes.push({ kind: 'stored', seq, ts });
    }
    if (rows.length) {
      await tx
        .update(rooms)
        .set({ lastSeq: seq })
        .where(and(eq(rooms.tenantId, tenantId), eq(rooms.name, room)));
      await tx.insert(messages).values(rows);
    }
    return outcomes;
  });
}

const visible = (tenantId: string, room: string) => and(eq(messages.tenantId, tenantId), eq(messages.room, room));

/** The oldest `limit` messages with seq in (afterSeq, upTo]. */
export const messagesAfter = (db: Db, tenantId: string, room: string, afterSeq: number, upTo: number, limit: number) =>
  db
    .select()
    .from(messages)
    .where(and(visible(tenantId, room), gt(messages.seq, afterSeq), lte(messages.seq, upTo)))
    .orderBy(asc(messages.seq))
    .limit(limit);

/** The newest `limit` messages with seq below `beforeSeq`, newest first. */
export const messagesBefore = (db: Db, tenantId: string, room: string, beforeSeq: number, limit: number) =>
  db
    .select()
    .from(messages)
    .where(and(visible(tenantId, room), lt(messages.seq, beforeSeq)))
    .orderBy(desc(messages.seq))
    .limit(limit);

export const messageById = async (db: Db, tenantId: string, room: string, id: string) =>
  (await db.select().from(messages).where(and(visible(tenantId, room), eq(messages.id, id))))[0] ?? null;

/** Soft-deletes a message: it keeps its place in history without its text. */
export async function softDelete(db: Db, tenantId: string, room: string, id: string, at: number) {
  const rows = await db
    .update(messages)
    .set({ deletedAt: at, text: null })
    .where(and(visible(tenantId, room), eq(messages.id, id), sql`${messages.deletedAt} is null`))
    .returning({ seq: messages.seq });
  return rows[0] ?? null;
}

/** Deletes messages older than `before` for one tenant (retention). Returns how many. */
export async function purgeOlderThan(db: Db, tenantId: string, before: number): Promise<number> {
  const rows = await db
    .delete(messages)
    .where(and(eq(messages.tenantId, tenantId), lt(messages.ts, before)))
    .returning({ seq: messages.seq });
  return rows.length;
}
