import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Actor } from '../chat/accounts';
import type { Audit } from '../chat/audit';
import { ChatError } from '../chat/errors';
import type { Sanction } from '../chat/sanctions';
import type { Tenant } from '../chat/tenants';
import { openapiRoute } from './openapi-route';
import { body, int, json, mounted, text, user, type Mount } from './schemas';

/** Longest ban or mute with an end: ten years, in minutes. */
const MAX_MINUTES = 5_256_000;

/** `{reason?, minutes?}` of a ban or mute (and of a report's mute or ban); no minutes means without end. */
export const sanctionFields = {
  reason: text('reason', 500).nullish(),
  minutes: int('minutes', 1, MAX_MINUTES, `minutes must be a whole number from 1 to ${MAX_MINUTES} (ten years), or absent for no end`).nullish(),
};

const SanctionBody = z.object({ user: z.string(), reason: z.string().nullable(), until: z.number().nullable() }).catchall(z.unknown());

/**
 * GET /<path>, PUT /<path>/:user and DELETE /<path>/:user for bans or mutes, each change in
 * the audit log as `user.<verb>` / `user.un<verb>`.
 */
export function sanctionRoutes(opts: {
  path: 'bans' | 'mutes';
  verb: 'ban' | 'mute';
  list: (tenantId: string) => Promise<Sanction[]>;
  add: (tenant: Tenant, user: string, o: { reason?: string; minutes?: number }) => Promise<Sanction>;
  lift: (tenant: Tenant, user: string) => Promise<boolean>;
  tenantOf: (c: Context) => Promise<Tenant>;
  actor: (c: Context) => Actor;
  audit: Audit;
  mount: Mount;
}) {
  const { path, verb, audit, tenantOf, mount } = opts;
  const app = new OpenAPIHono();
  const done = verb === 'ban' ? 'banned' : 'muted';
  const who = verb === 'ban' ? 'Bans: a banned user is closed out (4503) on every server and refused at hello' : 'Mutes: a muted user stays and reads, but cannot post';

  const list = createRoute({ method: 'get', path: `/${path}`, summary: `${who}; the list`, responses: { 200: json(`the ${path}`, z.object({ [path]: z.array(SanctionBody) })) } });
  openapiRoute(app, mounted(mount, list, {}), async (c) => c.json({ [path]: await opts.list((await tenantOf(c)).id) }));

  const put = createRoute({
    method: 'put',
    path: `/${path}/{user}`,
    summary: `${verb === 'ban' ? 'Bans' : 'Mutes'} a user, for minutes or without end (replacing an earlier ${verb})`,
    request: { params: z.object({ user }), body: body(z.object(sanctionFields), false) },
    responses: { 200: json(`the ${verb}`, SanctionBody) },
  });
  openapiRoute(app, mounted(mount, put, { bad_request: 'a malformed user, reason or minutes, or a dashboard console' }), async (c) => {
    const tenant = await tenantOf(c);
    const { user } = c.req.valid('param');
    const b = c.req.valid('json');
    const s = await opts.add(tenant, user, { reason: b.reason ?? undefined, minutes: b.minutes ?? undefined });
    await audit.record(tenant.id, opts.actor(c), `user.${verb}`, user, { reason: s.reason, until: s.until });
    return c.json(s);
  });

  const lift = createRoute({
    method: 'delete',
    path: `/${path}/{user}`,
    summary: `Lifts a ${verb}`,
    request: { params: z.object({ user }) },
    responses: { 204: { description: 'lifted' } },
  });
  openapiRoute(app, mounted(mount, lift, { bad_request: 'a malformed user', not_found: `this user is not ${done}` }), async (c) => {
    const tenant = await tenantOf(c);
    const { user } = c.req.valid('param');
    if (!(await opts.lift(tenant, user))) throw new ChatError('not_found', `this user is not ${done}`);
    await audit.record(tenant.id, opts.actor(c), `user.un${verb}`, user);
    return c.body(null, 204);
  });
  return app;
}
