import type { Db } from '../db/client';
import * as msgs from '../db/messages';
import * as roomsDb from '../db/rooms';
import { ChatError } from './errors';
import { recordEvent, wantsEvent } from './event-record';
import type { Tenant } from './tenants';

/**
 * The chat changes that event webhooks report, each written with its event in one transaction
 * (`message.created` is written by the storing statement itself: db/message-events.ts):
 * rooms made on first use, deleted messages, refused messages. `kick` starts delivery after
 * the commit.
 */
export function createChatEvents(opts: { db: Db; now: () => number; kick: () => void }) {
  const { db, now } = opts;

  return {
    /** What a message to store carries for the storing statement: which events to write with it. */
    flags: (tenant: Tenant) => ({ event: wantsEvent(tenant, 'message.created'), roomEvent: wantsEvent(tenant, 'room.created') }),

    /** The room, made as a public room on first use (and `room.created` recorded with it). */
    async ensureRoom(tenant: Tenant, room: string): Promise<roomsDb.RoomRow> {
      if (!wantsEvent(tenant, 'room.created')) return roomsDb.ensureRoom(db, tenant.id, room);
      let made = false;
      const row = await db.transaction(async (tx) => {
        const r = await roomsDb.createRoom(tx, tenant.id, room, false);
        if (r) made = await recordEvent(tx, tenant, 'room.created', { room, private: r.private }, now());
        return r ?? (await roomsDb.getRoom(tx, tenant.id, room))!;
      });
      if (made) opts.kick();
      return row;
    },

    /** Creates or updates a room (HTTP API), recording `room.created` when this made it. */
    async putRoom(tenant: Tenant, room: string, patch: { private?: boolean; members?: string[] }) {
      let made = false;
      const r = await roomsDb.putRoom(db, tenant.id, room, patch, async (tx, row) => {
        made = await recordEvent(tx, tenant, 'room.created', { room, private: row.private }, now());
      });
      if (made) opts.kick();
      return r;
    },

    /** Soft-deletes a message and records `message.deleted`; null when it was already deleted. */
    async softDelete(tenant: Tenant, row: msgs.MessageRow, by: string): Promise<{ seq: number; rev: number } | null> {
      const at = now();
      let recorded = false;
      const done = await db.transaction(async (tx) => {
        const d = await msgs.softDelete(tx, tenant.id, row.room, row.id, at);
        if (d) recorded = await recordEvent(tx, tenant, 'message.deleted', { room: row.room, message: { id: row.id, user: row.userId, seq: row.seq }, by }, at);
        return d;
      });
      if (recorded) opts.kick();
      return done;
    },

    /**
     * Runs a check that may refuse a message (content rules, the pre-send hook); a refusal is
     * recorded as `message.rejected` with its reason before it reaches the sender.
     */
    async refusals<T>(tenant: Tenant, room: string, msg: { id: string; user: string; name: string; text: string }, by: 'content_rules' | 'pre_send', check: () => T | Promise<T>): Promise<T> {
      try {
        return await check();
      } catch (err) {
        if (err instanceof ChatError && err.code === 'rejected') {
          const data = { room, message: msg, by, reason: err.message };
          if (await recordEvent(db, tenant, 'message.rejected', data, now())) opts.kick();
        }
        throw err;
      }
    },
  };
}

export type ChatEvents = ReturnType<typeof createChatEvents>;
