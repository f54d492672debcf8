import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { actorOf, email, ROLES, type Accounts, type Role } from '../chat/accounts';
import type { Audit } from '../chat/audit';
import { ChatError } from '../chat/errors';
import { CAPABILITIES, need, roleIn, type AdminEnv } from './access';
import type { AuditEntry } from '../protocol';
import { openapiRoute } from './openapi-route';
import { body, intString, json, mounted, ROLE_LIMITED, says, TENANT_MOUNT } from './schemas';

const role = z.enum(ROLES as unknown as [Role, ...Role[]], { error: `role must be one of ${ROLES.join(', ')}` });
const account = z.string(says('account')).regex(/^a_[0-9a-f]{16}$/);
/** An email address as accounts.ts `email` takes it (trimmed, lower case), with its message. */
const emailField = z
  .string({ error: 'email must be an email address' })
  .transform((v, ctx) => {
    try {
      return email(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  })
  .openapi({ type: 'string', format: 'email', maxLength: 254 });

/**
 * An entry as a moderator may read it: a tenant's settings are not theirs to see (GET /tenants
 * leaves them out; a webhook URL may carry the receiver's secret), so a tenant change names
 * the fields it changed, not their values.
 */
function withoutSettings(e: AuditEntry): AuditEntry {
  if (!e.action.startsWith('tenant.')) return e;
  const settings = e.detail.settings;
  const fields = Object.keys(e.detail).flatMap((k) =>
    k === 'settings' && settings && typeof settings === 'object' ? Object.keys(settings).map((s) => `settings.${s}`) : [k],
  );
  return { ...e, detail: { fields: fields.sort() } };
}

const MEMBERS = createRoute({ method: 'get', path: '/members', summary: "The tenant's members and open invitations", middleware: need('members'), responses: { 200: json('members and invites') } });
const INVITE = createRoute({
  method: 'post',
  path: '/invites',
  summary: 'Invites someone by email with a role: the link is good once for 7 days',
  middleware: need('members'),
  request: { body: body(z.object({ email: emailField, role })) },
  responses: { 201: json('the invitation, with its token and link') },
});
const memberParams = z.object({ account });
const SET_ROLE = createRoute({
  method: 'put',
  path: '/members/{account}',
  summary: "Changes a member's role",
  middleware: need('members'),
  request: { params: memberParams, body: body(z.object({ role })) },
  responses: { 204: { description: 'changed' } },
});
const REMOVE = createRoute({
  method: 'delete',
  path: '/members/{account}',
  summary: 'Removes a member; their open sessions lose the tenant at once',
  middleware: need('members'),
  request: { params: memberParams },
  responses: { 204: { description: 'removed' } },
});
const AUDIT = createRoute({
  method: 'get',
  path: '/audit',
  summary: "The tenant's audit log, newest first",
  middleware: need('moderate'),
  request: { query: z.object({ limit: intString('limit', 1, 200).optional(), before: intString('before', 1, Number.MAX_SAFE_INTEGER).optional() }) },
  responses: { 200: json('entries and whether there are more') },
});

/** A tenant's members and invitations (owners), and its audit log (anyone who moderates it). */
export function memberRoutes(opts: { accounts: Accounts; audit: Audit }) {
  const { accounts, audit } = opts;
  const app = new OpenAPIHono<AdminEnv>();
  const owners = <R extends Parameters<typeof mounted>[1]>(r: R, why = {}) => mounted(TENANT_MOUNT, r, { ...ROLE_LIMITED, ...why });

  openapiRoute(app, owners(MEMBERS), async (c) => c.json(await accounts.members(c.req.param('id')!)));

  openapiRoute(app, owners(INVITE, { bad_request: 'a malformed email or role' }), async (c) => {
    const b = c.req.valid('json');
    const id = c.req.param('id')!;
    const inv = await accounts.invite(id, b.email, b.role, actorOf(c.get('principal')));
    await audit.record(id, actorOf(c.get('principal')), 'member.invite', inv.email, { role: inv.role });
    return c.json(inv, 201);
  });

  openapiRoute(app, owners(SET_ROLE, { bad_request: 'a malformed account or role', not_found: 'no such member' }), async (c) => {
    const id = c.req.param('id')!;
    const { account } = c.req.valid('param');
    const r = c.req.valid('json').role;
    const { members } = await accounts.members(id);
    if (!members.some((m) => m.accountId === account)) throw new ChatError('not_found', 'no such member');
    await accounts.setRole(id, account, r);
    await audit.record(id, actorOf(c.get('principal')), 'member.role', account, { role: r });
    return c.body(null, 204);
  });

  openapiRoute(app, owners(REMOVE, { bad_request: 'a malformed account', not_found: 'no such member' }), async (c) => {
    const id = c.req.param('id')!;
    const { account } = c.req.valid('param');
    if (!(await accounts.removeMember(id, account))) throw new ChatError('not_found', 'no such member');
    await audit.record(id, actorOf(c.get('principal')), 'member.remove', account);
    return c.body(null, 204);
  });

  openapiRoute(app, mounted(TENANT_MOUNT, AUDIT, { bad_request: 'a malformed limit or before' }), async (c) => {
    const q = c.req.valid('query');
    const limit = q.limit ?? 50;
    const id = c.req.param('id')!;
    const rows = await audit.list(id, { limit: limit + 1, beforeId: q.before });
    const role = roleIn(c.get('principal'), id);
    const mayReadSettings = role === 'all' || (CAPABILITIES.settings as readonly (Role | null)[]).includes(role);
    const entries = rows.slice(0, limit).map((e) => (mayReadSettings ? e : withoutSettings(e)));
    return c.json({ entries, hasMore: rows.length > limit });
  });

  return app;
}
