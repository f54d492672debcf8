import type { Db } from '../db/client';
import * as q from '../db/reports';
import { auditAbout, searchMessages, type SearchCursor } from '../db/search';
import type { WireMessage } from '../protocol';
import type { Actor } from './accounts';
import type { Identity } from './auth';
import type { Audit } from './audit';
import { toWire, type ChatService } from './chat-service';
import { recordEvent } from './event-record';
import { ChatError } from './errors';
import type { Tenant } from './tenants';

export type ReportAction = 'delete' | 'mute' | 'ban' | 'dismiss';
export const REPORT_ACTIONS: readonly ReportAction[] = ['delete', 'mute', 'ban', 'dismiss'];

/** A chat user acting as a moderator (a token with role `moderator`), as the audit log names them. */
const chatActor = (who: Identity): Actor => ({ id: `user:${who.id}`, name: `${who.name} (chat)` });

/** How many messages before and after a reported one the queue shows. */
const CONTEXT = 3;

/** A report as moderators see it. */
export interface ReportView {
  id: number;
  room: string;
  messageId: string;
  reporter: string;
  reason: string | null;
  ts: number;
  status: q.ReportStatus;
  /** Who closed it, when, and what they did; null while open. */
  closed: { by: string; byName: string; at: number; action: string } | null;
  /** The message as it is now; null when it is gone. */
  message: { user: string; name: string; text: string | null; deleted: boolean; seq: number } | null;
  /** With `context`: the messages just before and after it in the room. */
  context?: WireMessage[];
}

/**
 * The moderation queue: reports with their message in context, and what a moderator does
 * about one (delete the message, mute or ban its author, or dismiss). Acting closes every open
 * report of that message at once, records `report.resolved` for the tenant's event webhook in
 * the same transaction, and writes the audit log.
 */
export function createReportDesk(opts: { db: Db; chat: ChatService; audit: Audit; now: () => number; onEvent?: () => void }) {
  const { db, chat, audit, now } = opts;

  async function list(tenantId: string, p: { limit: number; beforeId?: number; status?: q.ReportStatus; reportId?: number; context?: boolean }): Promise<ReportView[]> {
    const rows = await q.reportsOf(db, tenantId, p);
    return Promise.all(
      rows.map(async ({ report: r, ...m }): Promise<ReportView> => {
        const view: ReportView = {
          id: r.id,
          room: r.room,
          messageId: r.messageId,
          reporter: r.reporterId,
          reason: r.reason,
          ts: r.ts,
          status: r.status,
          closed: r.closedAt != null ? { by: r.closedBy ?? '', byName: r.closedByName ?? '', at: r.closedAt, action: r.action ?? '' } : null,
          message: m.author == null ? null : { user: m.author, name: m.authorName!, text: m.deletedAt != null ? null : m.text, deleted: m.deletedAt != null, seq: m.seq! },
        };
        if (p.context && m.seq != null) view.context = (await q.around(db, tenantId, r.room, m.seq, CONTEXT)).map(toWire);
        return view;
      }),
    );
  }

  return {
    list,

    /** Acts on a report; answers the report as it now is. */
    async resolve(tenant: Tenant, reportId: number, by: Actor, a: { action: ReportAction; reason?: string; minutes?: number; deleteMessage?: boolean }) {
      const [r] = await list(tenant.id, { limit: 1, reportId });
      if (!r) throw new ChatError('not_found', 'no such report');
      if (r.status !== 'open') throw new ChatError('conflict', `this report was already ${r.status} by ${r.closed?.byName}`);
      const author = r.message?.user;
      if ((a.action === 'mute' || a.action === 'ban') && !author) throw new ChatError('conflict', 'the reported message is gone, so its author is unknown');
      if (a.action === 'mute') {
        const m = await chat.mutes.mute(tenant, author!, a);
        await audit.record(tenant.id, by, 'user.mute', author!, { reason: m.reason, until: m.until, report: r.id });
      } else if (a.action === 'ban') {
        const b = await chat.bans.ban(tenant, author!, a);
        await audit.record(tenant.id, by, 'user.ban', author!, { reason: b.reason, until: b.until, report: r.id });
      }
      // A ban or mute may take the message down too; a delete always does.
      if (r.message && !r.message.deleted && (a.action === 'delete' || ((a.action === 'mute' || a.action === 'ban') && a.deleteMessage))) {
        await chat.remove(tenant, 'backend', r.room, r.messageId);
        await audit.record(tenant.id, by, 'message.delete', `${r.room}/${r.messageId}`, { user: author, report: r.id });
      }
      const status = a.action === 'dismiss' ? 'dismissed' : 'resolved';
      const at = now();
      let recorded = false;
      const ids = await db.transaction(async (tx) => {
        const closed = await q.closeReports(tx, tenant.id, r.room, r.messageId, { status, by: by.id, byName: by.name, at, action: a.action });
        if (closed.length)
          recorded = await recordEvent(tx, tenant, 'report.resolved', { reports: closed, room: r.room, messageId: r.messageId, user: author ?? null, status, action: a.action, by: by.name }, at);
        return closed;
      });
      if (!ids.length) throw new ChatError('conflict', 'another moderator closed this report just now');
      if (recorded) opts.onEvent?.();
      await audit.record(tenant.id, by, `report.${status}`, `report #${r.id}`, { action: a.action, reports: ids, user: author ?? null });
      return (await list(tenant.id, { limit: 1, reportId, context: true }))[0]!;
    },

    /** Messages matching words and/or an author across the tenant's rooms, newest first. */
    async search(tenantId: string, p: { words?: string; user?: string; before?: SearchCursor; limit: number }) {
      const rows = await searchMessages(db, tenantId, { ...p, limit: p.limit + 1 });
      const page = rows.slice(0, p.limit);
      const last = page.at(-1);
      return { messages: page.map((r) => ({ room: r.room, ...toWire(r) })), hasMore: rows.length > p.limit, next: rows.length > p.limit && last ? { ts: last.ts, room: last.room, seq: last.seq } : null };
    },

    /** One user as moderators see them: recent messages, reports by and against them, sanctions and their history. */
    async userView(tenantId: string, user: string) {
      const [found, reports, history, ban, mute] = await Promise.all([
        searchMessages(db, tenantId, { user, limit: 50 }),
        q.reportsAbout(db, tenantId, user, 100),
        auditAbout(db, tenantId, user, 100),
        chat.bans.list(tenantId).then((l) => l.find((b) => b.user === user) ?? null),
        chat.mutes.mutedNow(tenantId, user).then((m) => m ?? null),
      ]);
      const view = ({ report: r }: (typeof reports)[number]) => ({ id: r.id, room: r.room, messageId: r.messageId, reporter: r.reporterId, reason: r.reason, ts: r.ts, status: r.status });
      return {
        user,
        messages: found.map((r) => ({ room: r.room, ...toWire(r) })),
        reportsBy: reports.filter((r) => r.report.reporterId === user).map(view),
        reportsAgainst: reports.filter((r) => r.author === user).map(view),
        ban,
        mute,
        history: history.map(({ tenantId: _t, ...e }) => e),
      };
    },

    /**
     * A chat user's delete (own message, or any for a `moderator`); a moderator's delete of
     * someone else's message goes into the audit log like one from the dashboard.
     */
    async deleteAs(tenant: Tenant, who: Identity, room: string, id: string) {
      const { user } = await chat.remove(tenant, who, room, id);
      if (user !== who.id) await audit.record(tenant.id, chatActor(who), 'message.delete', `${room}/${id}`, { user });
    },

    /**
     * A chat moderator's mute or ban (or its lifting), as `PUT`/`DELETE …/mutes|bans/:user`
     * does it: on every server through the control bus, and in the audit log.
     */
    async sanctionAs(tenant: Tenant, who: Identity, verb: 'mute' | 'ban' | 'unmute' | 'unban', user: string, o: { reason?: string; minutes?: number }) {
      if (who.role !== 'moderator') throw new ChatError('forbidden', `only a moderator may ${verb} people`);
      if (user === who.id) throw new ChatError('bad_request', `you cannot ${verb} yourself`);
      const by = chatActor(who);
      const what = verb === 'mute' || verb === 'unmute' ? 'mute' : 'ban';
      if (verb === what) {
        const s = what === 'mute' ? await chat.mutes.mute(tenant, user, o) : await chat.bans.ban(tenant, user, o);
        await audit.record(tenant.id, by, `user.${what}`, user, { reason: s.reason, until: s.until });
        return;
      }
      const had = what === 'mute' ? await chat.mutes.unmute(tenant, user) : await chat.bans.unban(tenant, user);
      if (!had) throw new ChatError('not_found', `this user is not ${what === 'ban' ? 'banned' : 'muted'}`);
      await audit.record(tenant.id, by, `user.un${what}`, user);
    },

    /** Deletes any message (a moderator's delete, from the dashboard or the backend). */
    async deleteMessage(tenant: Tenant, by: Actor, room: string, id: string) {
      await chat.remove(tenant, 'backend', room, id);
      await audit.record(tenant.id, by, 'message.delete', `${room}/${id}`);
    },
  };
}

export type ReportDesk = ReturnType<typeof createReportDesk>;
