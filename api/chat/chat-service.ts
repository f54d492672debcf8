import type { Bus, RoomEvent, RoomEventKind } from '../bus/bus';
import type { ControlBus } from '../bus/control';
import type { Db } from '../db/client';
import * as msgs from '../db/messages';
import * as reads from '../db/reads';
import * as roomsDb from '../db/rooms';
import { codePointLength, DEFAULTS, type WireMessage } from '../protocol';
import type { Identity } from './auth';
import type { Bans, Mute, Mutes } from './bans';
import { createChatEvents } from './chat-events';
import { recordEvent } from './event-record';
import type { ContentRules } from './content-rules';
import { ChatError } from './errors';
import type { PreSendHook } from './pre-send';
import { createMessageWriter, type WriterOptions } from './message-writer';
import { messageKey, type RateLimiter } from './rate-limit';
import type { Tenant } from './tenants';
import type { TypingChange, TypingTracker } from './typing';

export interface HistoryPage {
  messages: WireMessage[];
  hasMore: boolean;
  headSeq: number;
  /** For a page of changes: every change up to this cursor is in this page or an earlier one. */
  cursor?: number;
  /** The resume from a cursor could not be complete: drop what is held and take this page. */
  reset?: true;
}

export interface Ack {
  room: string;
  id: string;
  seq: number;
  ts: number;
  duplicate?: true;
  /** The stored text, when the tenant's content rules changed it. */
  text?: string;
}

/** A stored row as clients see it: deleted messages keep their place without text. */
export function toWire(r: msgs.MessageRow): WireMessage {
  return r.deletedAt != null
    ? { id: r.id, seq: r.seq, ts: r.ts, user: r.userId, deleted: true }
    : { id: r.id, seq: r.seq, ts: r.ts, user: r.userId, name: r.name, text: r.text ?? '' };
}

/** What a muted sender is told: that they are muted, until when, and why. */
function mutedError(m: Mute): ChatError {
  const until = m.until === null ? 'until a moderator lifts it' : `until ${new Date(m.until).toISOString()}`;
  return new ChatError('forbidden', `you are muted ${until}${m.reason ? `: ${m.reason}` : ''}`);
}

/** A moderator, or a token naming the room, may enter a private room without being listed. */
export const grants = (who: Identity, room: string) => who.role === 'moderator' || !!who.rooms?.includes(room);
const forbidden = () => new ChatError('forbidden', 'this room is private');

/** The chat domain: rooms, messages, reads, blocks and reports. No sockets, no HTTP. */
export function createChatService(opts: {
  db: Db;
  bus: Bus;
  /** Tells every server that a user's blocks or a room's members changed. */
  control: ControlBus;
  typing: TypingTracker;
  limiter: RateLimiter;
  rules: ContentRules;
  bans: Bans;
  mutes: Mutes;
  preSend: PreSendHook;
  now: () => number;
  /** Called after an event webhook was recorded, so delivery starts at once. */
  onEvent?: () => void;
  /** Group-commit pacing and parallelism (see WriterOptions). */
  commit?: Pick<WriterOptions, 'windowMs' | 'lanes' | 'log'>;
  /** Batched read statements (join snapshots, blocks) that may run at once: PGlite 1 (default). */
  readConcurrency?: number;
  /** Told of each group commit (`/metrics`). */
  onBatch?: (size: number, stored: number) => void;
}) {
  const { db, bus, now } = opts;

  const publish = (tenantId: string, room: string, kind: RoomEventKind, seq: number, user: string, frame: object, rev = 0) =>
    bus.publish({ tenantId, room, kind, seq, rev, user, json: JSON.stringify(frame) } satisfies RoomEvent);

  const publishTyping = (c: TypingChange) =>
    publish(c.tenantId, c.room, 'typing', 0, c.user, {
      type: 'typing',
      room: c.room,
      user: c.user,
      name: c.name,
      active: c.active,
    });

  // Joins and hellos that arrive while a read runs (a reconnect storm) share the next statement.
  const readConcurrency = opts.readConcurrency ?? 1;
  const snapshots = roomsDb.createSnapshotReader(db, { concurrency: readConcurrency });
  const blocksReader = reads.createBlocksReader(db, { concurrency: readConcurrency });
  const events = createChatEvents({ db, now, kick: () => opts.onEvent?.() });
  /**
   * Rooms being made by a first join, by tenant and name: the joins that find the same new room
   * missing while it is being made (a room announced to many people at once) wait for that
   * one insert instead of each making it again.
   */
  const making = new Map<string, Promise<unknown>>();
  function ensureRoom(tenant: Tenant, room: string): Promise<unknown> {
    const key = `${tenant.id}\u0000${room}`;
    let p = making.get(key);
    if (!p) {
      p = events.ensureRoom(tenant, room).finally(() => making.delete(key));
      making.set(key, p);
    }
    return p;
  }

  const writer = createMessageWriter({
    db,
    now,
    ...opts.commit,
    onBatch: opts.onBatch,
    onCommitted(tenantId, room, stored) {
      // Their `message.created` events were written by the same statement: deliver them now.
      if (stored.some((s) => s.msg.event)) opts.onEvent?.();
      for (const { msg, seq, ts, rev } of stored) {
        // A message ends its sender's typing in the room.
        const t = opts.typing.clear(tenantId, room, msg.userId);
        if (t) publishTyping(t);
        publish(tenantId, room, 'message', seq, msg.userId, {
          type: 'message',
          room,
          id: msg.id,
          seq,
          ts,
          user: msg.userId,
          name: msg.name,
          text: msg.text,
          cursor: rev,
        }, rev);
      }
    },
  });

  const service = {
    writer,
    bans: opts.bans,
    mutes: opts.mutes,
    /** Shared token buckets for per-user limits (messages here; others may key their own). */
    limiter: opts.limiter,
    publishTyping,
    /** Publishes an unordered room event (presence, typing, read). */
    publishEvent: (tenantId: string, room: string, kind: RoomEventKind, user: string, frame: object) =>
      publish(tenantId, room, kind, 0, user, frame),

    /**
     * Checks that the user may read the room and returns its head. A room nobody has joined
     * reads as empty and is not created: only `join` and the HTTP API make rooms, or reads of
     * made-up names would fill the table.
     */
    async openRoom(tenant: Tenant, who: Identity, room: string): Promise<{ lastSeq: number; rev: number }> {
      const row = await roomsDb.getRoom(db, tenant.id, room);
      if (!row) return { lastSeq: 0, rev: 0 };
      if (row.private && !grants(who, room) && !(await roomsDb.isMember(db, tenant.id, room, who.id))) throw forbidden();
      return { lastSeq: row.lastSeq, rev: row.rev };
    },

    /** A display name as the tenant's content rules allow it (masked, or `rejected`). */
    displayName: (tenant: Tenant, name: string) => opts.rules.apply(tenant.settings, name),

    /**
     * Everything a join answers with, in one database round trip (two for a room's first
     * join, which creates it): the access check, the head, the page (`lastSeq` resumes after
     * it, else the newest `limit`) and the room's read positions.
     */
    async joinRoom(
      tenant: Tenant,
      who: Identity,
      room: string,
      q: { lastSeq?: number; cursor?: number; limit?: number },
      blocked: ReadonlySet<string>,
    ): Promise<{ page: HistoryPage & { cursor: number }; headRev: number; reads: { user: string; lastSeq: number }[] }> {
      const limit = q.limit ?? DEFAULTS.historyLimit;
      const read = (page: roomsDb.SnapshotPage) => snapshots.read(tenant.id, room, who.id, page, blocked);
      // A cursor wins over lastSeq: it also brings deletions of messages at or below it.
      const page: roomsDb.SnapshotPage = q.cursor !== undefined ? { afterRev: q.cursor, limit } : { afterSeq: q.lastSeq, limit };
      let snap = await read(page);
      if (!snap) {
        await ensureRoom(tenant, room);
        snap = (await read(page))!;
      }
      if (snap.private && !grants(who, room) && !snap.member) throw forbidden();
      // Retention removed messages after the cursor was given, or the cursor is from another
      // room's life (ahead of the head): the client must drop what it holds and start again.
      const reset = q.cursor !== undefined && (q.cursor < snap.floorRev || q.cursor > snap.rev);
      if (reset) snap = (await read({ limit }))!;
      const forward = !reset && (q.cursor !== undefined || q.lastSeq !== undefined);
      const rows = snap.messages;
      const hasMore = rows.length > limit;
      // One past the limit says whether there is more: the oldest extra row when paging back,
      // the newest when resuming forward.
      const kept = hasMore ? (forward ? rows.slice(0, limit) : rows.slice(1)) : rows;
      // A page of changes is complete up to its last row while more follow, else up to the head.
      const cursor = forward && q.cursor !== undefined && hasMore ? kept.at(-1)!.rev : snap.rev;
      return {
        page: { messages: kept.map(toWire), hasMore, headSeq: snap.lastSeq, cursor, ...(reset ? { reset: true as const } : {}) },
        headRev: snap.rev,
        reads: snap.reads,
      };
    },

    /**
     * Every message changed after `cursor` (new, deleted) up to `upTo`, the cursor the caller
     * already holds, in change order; `reset` when the room cannot give a complete answer.
     */
    async changes(
      tenantId: string,
      room: string,
      q: { cursor: number; limit?: number; upTo: number },
      blocked?: ReadonlySet<string>,
    ): Promise<HistoryPage> {
      const limit = q.limit ?? DEFAULTS.historyLimit;
      const row = await roomsDb.getRoom(db, tenantId, room);
      const headSeq = row?.lastSeq ?? 0;
      if (!row || q.cursor < row.floorRev || q.cursor > q.upTo) return { messages: [], hasMore: false, headSeq, cursor: q.upTo, reset: true };
      const found = await msgs.changesAfter(db, tenantId, room, q.cursor, q.upTo, limit + 1, blocked);
      const hasMore = found.length > limit;
      const rows = found.slice(0, limit);
      return { messages: rows.map(toWire), hasMore, headSeq, cursor: hasMore ? rows.at(-1)!.rev : q.upTo };
    },

    /** The room's change cursor, or null when the tenant has no such room. */
    async roomRev(tenantId: string, room: string): Promise<number | null> {
      return (await roomsDb.getRoom(db, tenantId, room))?.rev ?? null;
    },

    /** Head seq of a room, or null when the tenant has no such room. */
    async roomHead(tenantId: string, room: string): Promise<number | null> {
      return (await roomsDb.getRoom(db, tenantId, room))?.lastSeq ?? null;
    },

    /**
     * Messages after `lastSeq` (oldest first, for resume) or, without it, the newest before
     * `beforeSeq`. Never beyond `upTo`, the head the caller already holds, so a live event is
     * not also in the page.
     */
    async history(
      tenantId: string,
      room: string,
      q: { afterSeq?: number; beforeSeq?: number; limit?: number; upTo: number },
      blocked?: ReadonlySet<string>,
    ): Promise<HistoryPage> {
      const limit = q.limit ?? DEFAULTS.historyLimit;
      const forward = q.afterSeq !== undefined;
      // Blocked users' messages are left out in SQL, so one page of limit + 1 says hasMore.
      const found = forward
        ? await msgs.messagesAfter(db, tenantId, room, q.afterSeq!, q.upTo, limit + 1, blocked)
        : await msgs.messagesBefore(db, tenantId, room, Math.min(q.beforeSeq ?? q.upTo + 1, q.upTo + 1), limit + 1, blocked);
      const hasMore = found.length > limit;
      const rows = found.slice(0, limit);
      if (!forward) rows.reverse();
      return { messages: rows.map(toWire), hasMore, headSeq: q.upTo };
    },

    /** Validates, rate-limits and stores a message; resolves with its ack after commit. */
    async post(tenant: Tenant, who: Identity, room: string, id: string, text: string, how: { trusted?: boolean } = {}): Promise<Ack> {
      return (await service.submit(tenant, who, room, id, text, how)).ack;
    },

    /**
     * Checks a message (limits, content rules, bans, the pre-send hook) and queues it for its
     * room's next commit. Resolves once it is queued, with the ack that follows the commit: a
     * connection awaits this before its next frame, so its messages keep their order even when
     * a check has to wait, while the commit itself is shared with whatever else arrives.
     */
    async submit(tenant: Tenant, who: Identity, room: string, id: string, text: string, how: { trusted?: boolean } = {}): Promise<{ ack: Promise<Ack> }> {
      if (!text.trim()) throw new ChatError('bad_request', 'message.text is empty');
      if (codePointLength(text) > tenant.settings.maxTextLength)
        throw new ChatError('too_large', `text is longer than ${tenant.settings.maxTextLength} characters`);
      // The tenant's own backend (secret key) is trusted; people are rate-limited.
      const limit = { rate: tenant.settings.messagesPerSecond, burst: tenant.settings.burst };
      const wait = how.trusted ? 0 : await opts.limiter.take(tenant.id, messageKey(who.id), limit);
      if (wait) throw new ChatError('rate_limited', 'too many messages', { retryAfterMs: wait });
      // The tenant's backend goes through the same content rules as people (PROTOCOL.md), and
      // cannot post for a banned user either.
      const asSent = { id, user: who.id, name: who.name, text };
      let stored = await events.refusals(tenant, room, asSent, 'content_rules', () => opts.rules.apply(tenant.settings, text));
      if (await opts.bans.isBanned(tenant.id, who.id)) throw new ChatError('forbidden', 'this user is banned');
      const mute = await opts.mutes.mutedNow(tenant.id, who.id);
      if (mute) throw mutedError(mute);
      if (tenant.settings.preSendUrl) {
        // A retry of a stored message is answered from the database: asking the hook again
        // could refuse a message everyone has already seen.
        const prior = await msgs.messageById(db, tenant.id, room, id);
        if (prior && prior.userId !== who.id) throw new ChatError('conflict', 'this message id is already used in the room');
        if (prior)
          return { ack: Promise.resolve({ room, id, seq: prior.seq, ts: prior.ts, duplicate: true as const, ...(prior.text !== text && prior.text != null ? { text: prior.text } : {}) }) };
        const checked = stored;
        stored = await events.refusals(tenant, room, asSent, 'pre_send', () => opts.preSend.check(tenant, room, { ...asSent, text: checked }));
      }
      const written = writer.write(tenant.id, room, { id, userId: who.id, name: who.name, text: stored, ...events.flags(tenant) });
      // When the rules changed the text (masked words), the sender learns what was stored.
      const changed = stored !== text ? { text: stored } : {};
      const ack = written.then((o): Ack => {
        if (o.kind === 'conflict') throw new ChatError('conflict', 'this message id is already used in the room');
        return o.kind === 'duplicate' ? { room, id, seq: o.seq, ts: o.ts, duplicate: true, ...changed } : { room, id, seq: o.seq, ts: o.ts, ...changed };
      });
      return { ack };
    },

    /** Soft-deletes a message: the author's own, or any for a moderator. */
    async remove(tenant: Tenant, who: Identity | 'backend', room: string, id: string): Promise<{ seq: number; user: string }> {
      const row = await msgs.messageById(db, tenant.id, room, id);
      if (!row) throw new ChatError('not_found', 'no such message');
      if (who !== 'backend' && who.role !== 'moderator' && row.userId !== who.id)
        throw new ChatError('forbidden', 'only the author or a moderator may delete this message');
      if (row.deletedAt == null) {
        const done = await events.softDelete(tenant, row, who === 'backend' ? 'backend' : who.id);
        if (done) publish(tenant.id, room, 'deleted', 0, row.userId, { type: 'deleted', room, id, seq: row.seq, cursor: done.rev }, done.rev);
      }
      return { seq: row.seq, user: row.userId };
    },

    /** Stores a read position (forward only, clamped to the head) and tells the room. */
    async markRead(tenantId: string, who: Identity, room: string, lastSeq: number): Promise<void> {
      const moved = await reads.advanceRead(db, tenantId, room, who.id, lastSeq);
      if (moved !== null) publish(tenantId, room, 'read', 0, who.id, { type: 'read', room, user: who.id, lastSeq: moved });
    },

    async report(tenant: Tenant, who: Identity, room: string, id: string, reason?: string) {
      const perMinute = tenant.settings.reportsPerMinute;
      const wait = await opts.limiter.take(tenant.id, `report:${who.id}`, { rate: perMinute / 60, burst: perMinute });
      if (wait) throw new ChatError('rate_limited', 'too many reports', { retryAfterMs: wait });
      // A private room the reporter may not read answers as a made-up id does: no oracle.
      const access = await roomsDb.getRoom(db, tenant.id, room);
      const mayRead = access && (!access.private || grants(who, room) || (await roomsDb.isMember(db, tenant.id, room, who.id)));
      const row = mayRead ? await msgs.messageById(db, tenant.id, room, id) : null;
      if (!row) throw new ChatError('not_found', 'no such message');
      // The reason is shown to moderators and sent to the tenant: the same rules as messages.
      if (reason !== undefined) reason = opts.rules.apply(tenant.settings, reason);
      const ts = now();
      const recorded = await db.transaction(async (tx) => {
        await reads.insertReport(tx, { tenantId: tenant.id, room, messageId: id, reporterId: who.id, reason: reason ?? null, ts });
        const message = { id, user: row.userId, name: row.name, text: row.deletedAt != null ? null : row.text, seq: row.seq };
        return recordEvent(tx, tenant, 'message.reported', { room, message, reporter: who.id, reason: reason ?? null }, ts);
      });
      if (recorded) opts.onEvent?.();
    },

    /** Blocks or unblocks; resolves once the blocker's sockets on this server follow (the others are told). */
    async setBlock(tenant: Tenant, who: Identity, user: string, on: boolean) {
      if (user === who.id) throw new ChatError('bad_request', 'you cannot block yourself');
      const perMinute = tenant.settings.blocksPerMinute;
      const wait = await opts.limiter.take(tenant.id, `block:${who.id}`, { rate: perMinute / 60, burst: perMinute });
      if (wait) throw new ChatError('rate_limited', 'too many blocks and unblocks', { retryAfterMs: wait });
      await reads.setBlock(db, tenant.id, who.id, user, on);
      await opts.control.publish({ tenantId: tenant.id, kind: 'blocks', subject: who.id });
    },

    blockedBy: (tenantId: string, userId: string) => blocksReader.read(tenantId, userId),

    /**
     * Sets a room's privacy and members (HTTP API). Every server then re-checks the sockets in
     * the room (this one before the request answers): whoever may no longer be there is put out.
     */
    async putRoom(tenant: Tenant, room: string, patch: { private?: boolean; members?: string[] }) {
      const r = await events.putRoom(tenant, room, patch);
      await opts.control.publish({ tenantId: tenant.id, kind: 'room', subject: room });
      return r;
    },

    /** A room and its members, or null when the tenant has no such room. */
    async getRoom(tenantId: string, room: string) {
      const row = await roomsDb.getRoom(db, tenantId, room);
      return row ? { room: row, members: await roomsDb.membersOf(db, tenantId, room) } : null;
    },

    /**
     * Adds or removes one member of an existing room (the rest of the list is kept); every
     * server then re-checks the sockets in the room, as after putRoom.
     */
    async setMember(tenant: Tenant, room: string, user: string, on: boolean) {
      const r = await roomsDb.setMember(db, tenant.id, room, user, on);
      if (!r) throw new ChatError('not_found', 'no such room');
      await opts.control.publish({ tenantId: tenant.id, kind: 'room', subject: room });
      return r;
    },

    /**
     * Which of `users` the room's own rules let in now: 'all' for a public (or missing) room,
     * else those on its member list. Token grants (`grants`) are the caller's to apply.
     */
    async allowedIn(tenantId: string, room: string, users: string[]): Promise<'all' | Set<string>> {
      const row = await roomsDb.getRoom(db, tenantId, room);
      if (!row?.private) return 'all';
      return new Set(await roomsDb.membersAmong(db, tenantId, room, users));
    },

    /** Committed changes as bus events, to fill a gap in what the bus delivered; cursor in (after, upTo]. */
    async eventsBetween(tenantId: string, room: string, after: number, upTo: number): Promise<RoomEvent[]> {
      const rows = await msgs.changesAfter(db, tenantId, room, after, upTo, upTo - after);
      return rows.map((r) => {
        const base = { tenantId, room, rev: r.rev, user: r.userId };
        return r.deletedAt != null
          ? { ...base, kind: 'deleted' as const, seq: 0, json: JSON.stringify({ type: 'deleted', room, id: r.id, seq: r.seq, cursor: r.rev }) }
          : {
              ...base,
              kind: 'message' as const,
              seq: r.seq,
              json: JSON.stringify({ type: 'message', room, id: r.id, seq: r.seq, ts: r.ts, user: r.userId, name: r.name, text: r.text, cursor: r.rev }),
            };
      });
    },
  };
  return service;
}

export type ChatService = ReturnType<typeof createChatService>;
