import { and, eq, inArray, sql } from 'drizzle-orm';
import { prepared, type Db } from './client';
import { pgCode } from './query-error';
import { insertMessageCreated, insertRoomCreated, messageCreatedCte } from './message-events';
import { messages, rooms } from './schema';

// Storing messages: one statement for a batch of one room or of many rooms on the common path,
// a careful transaction when something is unusual. Reading them is messages.ts.

export interface NewMessage {
  id: string;
  userId: string;
  name: string;
  text: string;
  /** Record a `message.created` event webhook with it (message-events.ts). */
  event?: boolean;
  /** Record `room.created` should storing it create the room. */
  roomEvent?: boolean;
}

/** What storing one message of a batch came to. */
export type StoreOutcome =
  | { kind: 'stored'; seq: number; ts: number; rev: number }
  | { kind: 'duplicate'; seq: number; ts: number }
  | { kind: 'conflict' };

/**
 * Stores a batch of messages for one room in ONE statement, one round trip, on the path every
 * batch takes unless something is unusual: the room's `last_seq` moves by the batch size (which
 * locks the room row until the statement commits) and the rows go in with `ON CONFLICT DO
 * NOTHING` on the (tenant, room, id) index. If any id was already stored, or the room does not
 * exist yet, fewer rows go in than seqs were taken; the statement then fails on purpose (a
 * division by zero), rolls back whole, and the careful transaction below takes over. So seqs
 * stay gap-free, and the common case needs no lookup whose plan could go wrong: a lookup of
 * known ids, planned while the table's statistics were stale, once scanned a whole room per id
 * (21,000 → 170 msg/s as one room grew past 10,000 rows).
 */
export async function storeBatch(db: Db, tenantId: string, room: string, batch: NewMessage[], ts: number): Promise<StoreOutcome[]> {
  const ids = new Set(batch.map((m) => m.id));
  if (ids.size === batch.length) {
    try {
      const rows = await fastInsert(db, tenantId, room, batch, ts);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return batch.map((m) => ({ kind: 'stored', seq: Number(byId.get(m.id)!.seq), rev: Number(byId.get(m.id)!.rev), ts }));
    } catch (err) {
      // 22012: the deliberate failure above; 23505: another server won a race on an id.
      const code = pgCode(err);
      if (code !== '22012' && code !== '23505') throw err;
    }
  }
  return storeBatchLocked(db, tenantId, room, batch, ts);
}

/** One room's messages for `storeRooms`, in arrival order. */
export interface RoomBatch {
  tenantId: string;
  room: string;
  messages: NewMessage[];
}

/** What one message of a room's batch came to, or the error that failed it alone. */
export type RoomOutcome = StoreOutcome | { kind: 'failed'; error: unknown };

/**
 * Stores the batches of several rooms in ONE statement when nothing is unusual (the rooms
 * exist, no id is known, no other server raced us), else room by room, so that a room whose
 * batch fails fails alone and the others are still stored. Rooms are locked in (tenant, room)
 * order, so two servers storing overlapping rooms cannot deadlock each other; a deadlock
 * reported anyway (40P01) is one more reason to go room by room.
 */
export async function storeRooms(db: Db, batches: RoomBatch[], ts: number): Promise<RoomOutcome[][]> {
  const simple = batches.length > 1 && batches.every((b) => new Set(b.messages.map((m) => m.id)).size === b.messages.length);
  if (simple) {
    try {
      const rows = await multiInsert(db, batches, ts);
      const byKey = new Map(rows.map((r) => [`${r.tenant_id}\u0000${r.room}\u0000${r.id}`, r]));
      return batches.map((b) =>
        b.messages.map((m) => {
          const r = byKey.get(`${b.tenantId}\u0000${b.room}\u0000${m.id}`)!;
          return { kind: 'stored', seq: Number(r.seq), rev: Number(r.rev), ts };
        }),
      );
    } catch {
      // Not lost: the failed statement stored nothing, and every room is tried again below on
      // its own. Expected causes are the deliberate 22012 (a new room or a known id), 23505
      // (another server won an id) and 40P01; anything else (a bad row, a lost connection)
      // then fails only the room it belongs to, and reaches that room's senders as its error.
    }
  }
  const out: RoomOutcome[][] = [];
  for (const b of batches) out.push(await storeRoom(db, b, ts));
  return out;
}

/**
 * One room's batch; when it fails for a reason storeBatch does not handle (conflicts it does),
 * row by row, so one message the database cannot hold fails alone and everyone else's is
 * stored (a dead database fails each).
 */
async function storeRoom(db: Db, b: RoomBatch, ts: number): Promise<RoomOutcome[]> {
  try {
    return await storeBatch(db, b.tenantId, b.room, b.messages, ts);
  } catch (error) {
    if (b.messages.length === 1) return [{ kind: 'failed', error }];
    const out: RoomOutcome[] = [];
    for (const m of b.messages) {
      try {
        out.push(...(await storeBatch(db, b.tenantId, b.room, [m], ts)));
      } catch (err) {
        out.push({ kind: 'failed', error: err });
      }
    }
    return out;
  }
}

// Every insert also moves the room's change cursor (`rev`) with `last_seq`, in the same update:
// a message's insert is its first change, so resuming from a cursor finds it (PROTOCOL.md).
const multiInsertStatement = prepared<{ tenant_id: string; room: string; id: string; seq: unknown; rev: unknown }>('parley_multi_insert', () => {
  const p = (name: string) => sql.placeholder(name);
  return sql`
    with input as (
      select * from jsonb_to_recordset(${p('input')}::jsonb)
        as i(g int, ord int, tenant_id text, room text, id text, user_id text, name text, text text, ev boolean)
    ),
    want as (
      select g, min(tenant_id) as tenant_id, min(room) as room, count(*)::int as k from input group by g
    ),
    locked as (
      select r.tenant_id, r.name from ${rooms} r join want w on r.tenant_id = w.tenant_id and r.name = w.room
      order by r.tenant_id, r.name
      for update of r
    ),
    bump as (
      update ${rooms} r set last_seq = r.last_seq + w.k, rev = r.rev + w.k
      from want w, locked l
      where r.tenant_id = w.tenant_id and r.name = w.room and l.tenant_id = r.tenant_id and l.name = r.name
      returning w.g, r.last_seq, r.rev, w.k
    ),
    ins as (
      insert into ${messages} (tenant_id, room, seq, id, user_id, name, text, ts, rev)
      select i.tenant_id, i.room, b.last_seq - b.k + i.ord + 1, i.id, i.user_id, i.name, i.text, ${p('ts')}::bigint, b.rev - b.k + i.ord + 1
      from input i join bump b on b.g = i.g
      on conflict (tenant_id, room, id) do nothing
      returning tenant_id, room, id, seq, rev
    ),
    ${messageCreatedCte({
      tenant: sql`x.tenant_id`,
      room: sql`x.room`,
      ts: sql`${p('ts')}::bigint`,
      match: sql`i.tenant_id = x.tenant_id and i.room = x.room and i.id = x.id`,
      order: sql`i.g, x.seq`,
    })}
    select tenant_id, room, id, seq, rev from ins
    where 1 / (case when (select count(*) from ins) = ${p('k')}::int then 1 else 0 end) = 1`;
});

function multiInsert(db: Db, batches: RoomBatch[], ts: number) {
  const input: object[] = [];
  let k = 0;
  batches.forEach((b, g) =>
    b.messages.forEach((m, ord) => {
      input.push({ g, ord, tenant_id: b.tenantId, room: b.room, id: m.id, user_id: m.userId, name: m.name, text: m.text, ev: !!m.event });
      k++;
    }),
  );
  return multiInsertStatement(db, { input: JSON.stringify(input), k, ts });
}


const fastInsertStatement = prepared<{ id: string; seq: unknown; rev: unknown }>('parley_fast_insert', () => {
  const p = (name: string) => sql.placeholder(name);
  return sql`
    with input as (
      select * from jsonb_to_recordset(${p('input')}::jsonb) as i(ord int, id text, user_id text, name text, text text, ev boolean)
    ),
    bump as (
      update ${rooms} set last_seq = last_seq + ${p('k')}::int, rev = rev + ${p('k')}::int
      where tenant_id = ${p('tenantId')} and name = ${p('room')}
      returning last_seq, rev
    ),
    ins as (
      insert into ${messages} (tenant_id, room, seq, id, user_id, name, text, ts, rev)
      select ${p('tenantId')}, ${p('room')}, b.last_seq - ${p('k')}::int + i.ord + 1, i.id, i.user_id, i.name, i.text, ${p('ts')}::bigint,
        b.rev - ${p('k')}::int + i.ord + 1
      from input i, bump b
      on conflict (tenant_id, room, id) do nothing
      returning id, seq, rev
    ),
    ${messageCreatedCte({ tenant: sql`${p('tenantId')}::text`, room: sql`${p('room')}::text`, ts: sql`${p('ts')}::bigint`, match: sql`i.id = x.id`, order: sql`x.seq` })}
    select id, seq, rev from ins
    where 1 / (case when (select count(*) from ins) = ${p('k')}::int then 1 else 0 end) = 1`;
});

function fastInsert(db: Db, tenantId: string, room: string, batch: NewMessage[], ts: number) {
  const input = JSON.stringify(batch.map((m, i) => ({ ord: i, id: m.id, user_id: m.userId, name: m.name, text: m.text, ev: !!m.event })));
  return fastInsertStatement(db, { input, k: batch.length, tenantId, room, ts });
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
    const lock = () =>
      tx
        .select({ lastSeq: rooms.lastSeq, rev: rooms.rev })
        .from(rooms)
        .where(and(eq(rooms.tenantId, tenantId), eq(rooms.name, room)))
        .for('update');
    let locked = await lock();
    if (!locked.length) {
      // A new room: make it, then lock it. Two writers creating it at once both get here; the
      // second waits on the first's insert and then on its lock, so they never share a seq.
      const made = await tx.insert(rooms).values({ tenantId, name: room }).onConflictDoNothing().returning({ name: rooms.name });
      if (made.length && batch.some((m) => m.roomEvent)) await insertRoomCreated(tx, tenantId, room, ts);
      locked = await lock();
    }
    let seq = locked[0].lastSeq;
    let rev = locked[0].rev;
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
      rev += 1;
      known.set(m.id, { id: m.id, seq, ts, userId: m.userId });
      rows.push({ tenantId, room, seq, id: m.id, userId: m.userId, name: m.name, text: m.text, ts, rev });
      outcomes.push({ kind: 'stored', seq, ts, rev });
    }
    if (rows.length) {
      await tx
        .update(rooms)
        .set({ lastSeq: seq, rev })
        .where(and(eq(rooms.tenantId, tenantId), eq(rooms.name, room)));
      await tx.insert(messages).values(rows);
      const wanted = new Set(batch.filter((m) => m.event).map((m) => m.id));
      await insertMessageCreated(
        tx,
        tenantId,
        room,
        rows.filter((r) => wanted.has(r.id)).map((r) => ({ id: r.id, userId: r.userId, name: r.name, text: r.text!, seq: r.seq, ts })),
      );
    }
    return outcomes;
  });
}
