import { Hono, type Context } from 'hono';
import type { Actor } from '../chat/accounts';
import type { Audit } from '../chat/audit';
import { ChatError } from '../chat/errors';
import type { Sanction } from '../chat/sanctions';
import type { Tenant } from '../chat/tenants';
import { bad, str, userParam } from './params';

/** Longest ban or mute with an end: ten years, in minutes. */
const MAX_MINUTES = 5_256_000;

/** An optional JSON body: none is `{}`; one that is there must be an object. */
export async function optionalBody(c: Context): Promise<Record<string, unknown>> {
  const raw = await c.req.text();
  if (!raw.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw bad('body must be JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('body must be a JSON object');
  return body as Record<string, unknown>;
}

/** `{reason?, minutes?}` of a ban or mute; no minutes means without end. */
export function sanctionInput(body: Record<string, unknown>) {
  const reason = str(body, 'reason', { max: 500, optional: true });
  const minutes = body.minutes;
  if (minutes !== undefined && minutes !== null && !(Number.isInteger(minutes) && (minutes as number) >= 1 && (minutes as number) <= MAX_MINUTES))
    throw bad(`minutes must be a whole number from 1 to ${MAX_MINUTES} (ten years), or absent for no end`);
  return { reason, minutes: (minutes ?? undefined) as number | undefined };
}

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
}) {
  const { path, verb, audit, tenantOf } = opts;
  const app = new Hono();
  app.get(`/${path}`, async (c) => c.json({ [path]: await opts.list((await tenantOf(c)).id) }));

  app.put(`/${path}/:user`, async (c) => {
    const tenant = await tenantOf(c);
    const user = userParam(c.req.param('user'));
    const s = await opts.add(tenant, user, sanctionInput(await optionalBody(c)));
    await audit.record(tenant.id, opts.actor(c), `user.${verb}`, user, { reason: s.reason, until: s.until });
    return c.json(s);
  });

  app.delete(`/${path}/:user`, async (c) => {
    const tenant = await tenantOf(c);
    const user = userParam(c.req.param('user'));
    if (!(await opts.lift(tenant, user))) throw new ChatError('not_found', `this user is not ${verb === 'ban' ? 'banned' : 'muted'}`);
    await audit.record(tenant.id, opts.actor(c), `user.un${verb}`, user);
    return c.body(null, 204);
  });
  return app;
}
