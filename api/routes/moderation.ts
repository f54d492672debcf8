import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Actor } from '../chat/accounts';
import type { Audit } from '../chat/audit';
import type { ChatService } from '../chat/chat-service';
import { ChatError } from '../chat/errors';
import type { Tenant } from '../chat/tenants';
import { REPORT_ACTIONS, type ReportDesk } from '../chat/report-desk';
import { openapiRoute } from './openapi-route';
import { body, intString, json, messageId, mounted, room, type Mount } from './schemas';
import { sanctionFields, sanctionRoutes } from './sanction-routes';
import { searchRoutes } from './search-routes';

const STATUSES = ['open', 'resolved', 'dismissed'] as const;

// What people reported (the `report` frame), newest first; `status=open` is the queue, and
// `context=1` adds the messages around each.
const REPORTS = createRoute({
  method: 'get',
  path: '/reports',
  summary: 'Reports, newest first (status=open is the queue)',
  request: {
    query: z.object({
      limit: intString('limit', 1, 200).optional(),
      before: intString('before', 1, Number.MAX_SAFE_INTEGER).optional(),
      status: z.enum(STATUSES, { error: 'status must be open, resolved or dismissed' }).optional(),
      context: z.string().optional().openapi({ description: '1 adds the messages around each reported one' }),
    }),
  },
  responses: { 200: json('a page of reports, and whether there are more') },
});

const RESOLVE = createRoute({
  method: 'post',
  path: '/reports/{rid}',
  summary: 'Acts on a report: delete the message, mute or ban its author, or dismiss it',
  request: {
    params: z.object({ rid: intString('report', 1, Number.MAX_SAFE_INTEGER) }),
    body: body(
      z.object({
        action: z.enum(REPORT_ACTIONS, { error: `action must be one of ${REPORT_ACTIONS.join(', ')}` }),
        deleteMessage: z.boolean({ error: 'deleteMessage must be a boolean' }).optional(),
        ...sanctionFields,
      }),
      false,
    ),
  },
  responses: { 200: json('the report, closed') },
});

// A moderator's delete of any message: it stays in its place without text for everyone.
// `{msg}`, not `{id}`: under /admin/api/tenants/{id} the tenant already owns that name.
const DELETE_MESSAGE = createRoute({
  method: 'delete',
  path: '/rooms/{room}/messages/{msg}',
  summary: 'Deletes any message: it keeps its place, without text, for everyone',
  request: { params: z.object({ room, msg: messageId('id') }) },
  responses: { 204: { description: 'deleted' } },
});

/**
 * Reports, bans, mutes and message deletes of one tenant. Mounted twice: under /v1 for the
 * tenant's backend (the tenant comes from its secret key) and under /admin/api/tenants/:id for
 * the operator's dashboard (from the path); `mount` says which, for the document.
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
  mount: Mount;
}) {
  const { chat, audit, mount } = opts;
  const app = new OpenAPIHono();
  if (opts.guard) app.use('*', opts.guard);
  const tenantOf = async (c: Context) => {
    const t = await opts.tenantOf(c);
    if (!t) throw new ChatError('not_found', 'no such tenant');
    return t;
  };

  openapiRoute(app, mounted(mount, REPORTS, { bad_request: 'a malformed limit, before or status' }), async (c) => {
    const q = c.req.valid('query');
    const limit = q.limit ?? 50;
    const rows = await opts.desk.list((await tenantOf(c)).id, { limit: limit + 1, beforeId: q.before, status: q.status, context: q.context === '1' });
    return c.json({ reports: rows.slice(0, limit), hasMore: rows.length > limit });
  });

  const resolveWhy = { bad_request: 'a malformed field', not_found: 'no such report', conflict: 'the report is closed already, or its message is gone for a mute or ban' };
  openapiRoute(app, mounted(mount, RESOLVE, resolveWhy), async (c) => {
    const tenant = await tenantOf(c);
    const { rid } = c.req.valid('param');
    const b = c.req.valid('json');
    const action = { action: b.action, reason: b.reason ?? undefined, minutes: b.minutes ?? undefined, deleteMessage: b.deleteMessage === true };
    return c.json(await opts.desk.resolve(tenant, rid, opts.actor(c), action));
  });

  openapiRoute(app, mounted(mount, DELETE_MESSAGE, { bad_request: 'a malformed room or id', not_found: 'no such message' }), async (c) => {
    const { room, msg } = c.req.valid('param');
    await opts.desk.deleteMessage(await tenantOf(c), opts.actor(c), room, msg);
    return c.body(null, 204);
  });

  // Bans: a banned user's sockets close with 4503 on every server, their hello is refused, and
  // nothing is stored for them. Mutes: they stay and read, but their messages are refused.
  const common = { tenantOf, actor: opts.actor, audit, mount };
  app.route('/', sanctionRoutes({ ...common, path: 'bans', verb: 'ban', list: (t) => chat.bans.list(t), add: (t, u, o) => chat.bans.ban(t, u, o), lift: (t, u) => chat.bans.unban(t, u) }));
  app.route('/', sanctionRoutes({ ...common, path: 'mutes', verb: 'mute', list: (t) => chat.mutes.list(t), add: (t, u, o) => chat.mutes.mute(t, u, o), lift: (t, u) => chat.mutes.unmute(t, u) }));

  app.route('/', searchRoutes({ desk: opts.desk, tenantOf, mount }));

  return app;
}
