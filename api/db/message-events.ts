import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { webhookEvents } from './schema';

// `message.created` event webhooks are written by the statement that stores the messages, so
// an event exists exactly when its message does: never lost, never for a message that was
// not stored. A message carries `event: true` when its tenant wants the type; the others cost
// the statement a filtered join that inserts nothing.

/**
 * A CTE (after `ins`, which returns the stored rows with `seq`) inserting one event per stored
 * message whose input row has `ev`. `match` joins `ins x` to `input i`; `tenant`, `room` and
 * `ts` are SQL for those values; `order` keeps the events in seq order.
 */
export const messageCreatedCte = (o: { tenant: SQL; room: SQL; ts: SQL; match: SQL; order: SQL }) => sql`
    outbox as (
      insert into ${webhookEvents} (tenant_id, type, data, created_at, next_at)
      select ${o.tenant}, 'message.created',
        jsonb_build_object('room', ${o.room}, 'message',
          jsonb_build_object('id', x.id, 'user', i.user_id, 'name', i.name, 'text', i.text, 'seq', x.seq, 'ts', ${o.ts})),
        ${o.ts}, ${o.ts}
      from ins x join input i on ${o.match}
      where i.ev
      order by ${o.order}
    )`;

/** The same events for the careful path (storeBatchLocked), inside its transaction. */
export async function insertMessageCreated(
  tx: Db,
  tenantId: string,
  room: string,
  stored: { id: string; userId: string; name: string; text: string; seq: number; ts: number }[],
) {
  if (!stored.length) return;
  await tx.insert(webhookEvents).values(
    stored.map((m) => ({
      tenantId,
      type: 'message.created',
      data: { room, message: { id: m.id, user: m.userId, name: m.name, text: m.text, seq: m.seq, ts: m.ts } },
      createdAt: m.ts,
      nextAt: m.ts,
    })),
  );
}

/** A `room.created` event for a room the careful path made. */
export async function insertRoomCreated(tx: Db, tenantId: string, room: string, at: number) {
  await tx.insert(webhookEvents).values({ tenantId, type: 'room.created', data: { room, private: false }, createdAt: at, nextAt: at });
}
