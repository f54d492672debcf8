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
 * Stores a batch of messages for one room in one transaction: the room row is locked, its
 * `last_seq` moves once by the number of new messages, and they go in with one multi-row
 * insert. Ids already stored (or repeated within the batch) are not stored again: the same
 * user's repeat is a duplicate with the original seq, another user's is a conflict.
 */
export async function storeBatch(
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
