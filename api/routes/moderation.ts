import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Actor } from '../chat/accounts';
import type { Audit } from '../chat/audit';
import type { ChatService } from '../chat/chat-service';
import { ChatError } from '../chat/errors';
import type { Tenant } from '../chat/tenants';
import { bad, intQuery, str, userParam } from './params';

/**
 * Reports and bans of one tenant. Mounted twice: under /v1 for the tenant's backend (the
 * tenant comes from its secret key) and under /admin/api/tenants/:id for the operator's
 * dashboard (from the path).
 */
export function moderationRoutes(opts: {
  chat: ChatService;
  tenantOf: (c: Context) => Promise<Tenant | null>;
  /** Who acts, for the audit log. */
  actor: (c: Context) => Actor;
  audit: Audit;
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

  // What people reported (the `report` frame), newest first.
  app.get('/reports', async (c) => {
    const limit = intQuery(c.req.query('limit'), 'limit', 1, 200) ?? 50;
    const beforeId = intQuery(c.req.query('before'), 'before', 1, Number.MAX_SAFE_INTEGER);
    const rows = await chat.reports((await tenantOf(c)).id, { limit: limit + 1, beforeId });
    return c.json({ reports: rows.slice(0, limit), hasMore: rows.length > limit });
  });

  // Bans: a banned user's sockets close with 4503 (on this server at once, on others within
  // seconds), their hello is refused, and nothing is stored for them.
  app.get('/bans', async (c) => c.json({ bans: await chat.bans.list((await tenantOf(c)).id) }));

  app.put('/bans/:user', async (c) => {
    const tenant = await tenantOf(c);
    const user = userParam(c.req.param('user'));
    // The body is optional: none bans for good without a reason; one that is there must parse.
    const raw = await c.req.text();
    let body: Record<string, unknown> = {};
    if (raw.trim()) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw bad('body must be JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('body must be a JSON object');
    }
    const reason = str(body, 'reason', { max: 500, optional: true });
    const minutes = body.minutes;
    if (minutes !== undefined && !(Number.isInteger(minutes) && (minutes as number) >= 1 && (minutes as number) <= 5_256_000))
      throw bad('minutes must be a whole number from 1 to 5256000 (ten years), or absent for a ban without end');
    const ban = await chat.bans.ban(tenant, user, { reason, minutes: minutes as number | undefined });
    await audit.record(tenant.id, opts.actor(c), 'user.ban', user, { reason: ban.reason, until: ban.until });
    return c.json(ban);
  });

  app.delete('/bans/:user', async (c) => {
    const tenant = await tenantOf(c);
    const user = userParam(c.req.param('user'));
    if (!(await chat.bans.unban(tenant, user))) throw new ChatError('not_found', 'this user is not banned');
    await audit.record(tenant.id, opts.actor(c), 'user.unban', user);
    return c.body(null, 204);
  });

  return app;
}
