import { and, eq, sql } from 'drizzle-orm';
import { prepared, type Db } from './client';
import { createReadBatcher, DEFAULT_READ_GAP_MS } from './read-batcher';
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

const blockedByStatement = prepared<{ u: string; b: string }>('parley_blocked_by_many', () => {
  const p = (name: string) => sql.placeholder(name);
  return sql`select user_id as u, blocked_user_id as b from ${blocks}
    where tenant_id = ${p('tenantId')} and user_id in (select jsonb_array_elements_text(${p('users')}::jsonb))`;
});

interface BlocksRequest {
  tenantId: string;
  userId: string;
  resolve: (blocked: string[]) => void;
  reject: (e: unknown) => void;
}

/** The most users one statement reads the blocks of. */
const MAX_BLOCK_READS = 500;

/**
 * Whom a user has blocked, read at every hello: the hellos that arrive while a statement runs
 * share the next one, one statement per tenant in the batch (a reconnect wave is thousands of
 * hellos a second, and this was one statement each). `concurrency`: statements at once.
 */
export function createBlocksReader(db: Db, opts: { concurrency?: number; gapMs?: number } = {}) {
  async function run(batch: BlocksRequest[]) {
    const byTenant = new Map<string, BlocksRequest[]>();
    for (const q of batch) {
      const list = byTenant.get(q.tenantId);
      if (list) list.push(q);
      else byTenant.set(q.tenantId, [q]);
    }
    await Promise.all(
      [...byTenant].map(async ([tenantId, asks]) => {
        try {
          const users = [...new Set(asks.map((q) => q.userId))];
          const rows = await blockedByStatement(db, { tenantId, users: JSON.stringify(users) });
          const found = new Map<string, string[]>();
          for (const r of rows) {
            const list = found.get(r.u);
            if (list) list.push(r.b);
            else found.set(r.u, [r.b]);
          }
          for (const q of asks) q.resolve(found.get(q.userId) ?? []);
        } catch (err) {
          for (const q of asks) q.reject(err);
        }
      }),
    );
  }
  const batcher = createReadBatcher({ run, max: MAX_BLOCK_READS, concurrency: opts.concurrency ?? 1, gapMs: opts.gapMs ?? DEFAULT_READ_GAP_MS });
  return {
    read: (tenantId: string, userId: string) =>
      new Promise<string[]>((resolve, reject) => batcher.add({ tenantId, userId, resolve, reject })),
  };
}

/** Whom a user has blocked, read on its own (tests, tools; the chat service batches). */
export const blockedBy = (db: Db, tenantId: string, userId: string) => createBlocksReader(db).read(tenantId, userId);

export async function insertReport(
  db: Db,
  r: { tenantId: string; room: string; messageId: string; reporterId: string; reason: string | null; ts: number },
) {
  await db.insert(reports).values(r);
}
