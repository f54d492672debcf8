import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Actor } from '../chat/accounts';
import type { Audit } from '../chat/audit';
import type { ChatService } from '../chat/chat-service';
import { ChatError } from '../chat/errors';
import type { Tenant } from '../chat/tenants';
import { MESSAGE_ID_RE } from '../protocol';
import { REPORT_ACTIONS, type ReportAction, type ReportDesk } from '../chat/report-desk';
import { bad, intQuery, roomParam } from './params';
import { optionalBody, sanctionInput, sanctionRoutes } from './sanction-routes';
import { searchRoutes } from './search-routes';

/**
 * Reports, bans, mutes and message deletes of one tenant. Mounted twice: under /v1 for the tenant's backend (the
 * tenant comes from its secret key) and under /admin/api/tenants/:id for the operator's
 * dashboard (from the path).
 */
export function moderationRoutes(opts: {
  chat: ChatService;
  tenantOf: (c: Context) => Promise<Tenant | null>;
  /** Who acts, for the audit log. */
  actor: (c: Context) => Actor;
  audit: Audit;
  desk: ReportDesk;
  /** Checks the caller may moderate this tenant (the Admin API's roles). */
  guard?: MiddlewareHandler;
}) {
  const { chat, audit } = opts;
  const app = new Hono();
  if (opts.guard) app.use('*', opts.guard);
  const tenantOf = async (c: Context) => {
    const t = await opts.tenantOf(c);
    if (!t) throw new ChatError('not_found', 'no such tenant');
    return t;
  };

  // What people reported (the `report` frame), newest first; `status=open` is the queue, and
  // `context=1` adds the messages around each.
  app.get('/reports', async (c) => {
    const limit = intQuery(c.req.query('limit'), 'limit', 1, 200) ?? 50;
    const beforeId = intQuery(c.req.query('before'), 'before', 1, Number.MAX_SAFE_INTEGER);
    const status = c.req.query('status');
    if (status !== undefined && status !== 'open' && status !== 'resolved' && status !== 'dismissed') throw bad('status must be open, resolved or dismissed');
    const context = c.req.query('context') === '1';
    const rows = await opts.desk.list((await tenantOf(c)).id, { limit: limit + 1, beforeId, status, context });
    return c.json({ reports: rows.slice(0, limit), hasMore: rows.length > limit });
  });

  // Acts on a report: {action: delete | mute | ban | dismiss, reason?, minutes?, deleteMessage?}.
  app.post('/reports/:rid', async (c) => {
    const tenant = await tenantOf(c);
    const rid = intQuery(c.req.param('rid'), 'report', 1, Number.MAX_SAFE_INTEGER)!;
    const body = await optionalBody(c);
    if (!REPORT_ACTIONS.includes(body.action as ReportAction)) throw bad(`action must be one of ${REPORT_ACTIONS.join(', ')}`);
    if (body.deleteMessage !== undefined && typeof body.deleteMessage !== 'boolean') throw bad('deleteMessage must be a boolean');
    const input = sanctionInput(body);
    return c.json(await opts.desk.resolve(tenant, rid, opts.actor(c), { action: body.action as ReportAction, ...input, deleteMessage: body.deleteMessage === true }));
  });

  // A moderator's delete of any message: it stays in its place without text for everyone.
  // `:msg`, not `:id`: under /admin/api/tenants/:id the tenant already owns that name.
  app.delete('/rooms/:room/messages/:msg', async (c) => {
    const room = roomParam(c.req.param('room'));
    const id = c.req.param('msg');
    if (!MESSAGE_ID_RE.test(id)) throw bad('id is malformed');
    await opts.desk.deleteMessage(await tenantOf(c), opts.actor(c), room, id);
    return c.body(null, 204);
  });

  // Bans: a banned user's sockets close with 4503 on every server, their hello is refused, and
  // nothing is stored for them. Mutes: they stay and read, but their messages are refused.
  const common = { tenantOf, actor: opts.actor, audit };
  app.route('/', sanctionRoutes({ ...common, path: 'bans', verb: 'ban', list: (t) => chat.bans.list(t), add: (t, u, o) => chat.bans.ban(t, u, o), lift: (t, u) => chat.bans.unban(t, u) }));
  app.route('/', sanctionRoutes({ ...common, path: 'mutes', verb: 'mute', list: (t) => chat.mutes.list(t), add: (t, u, o) => chat.mutes.mute(t, u, o), lift: (t, u) => chat.mutes.unmute(t, u) }));

  app.route('/', searchRoutes({ desk: opts.desk, tenantOf }));

  return app;
}
