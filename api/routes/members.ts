import { Hono } from 'hono';
import { actorOf, email, ROLES, type Accounts, type Role } from '../chat/accounts';
import type { Audit } from '../chat/audit';
import { ChatError } from '../chat/errors';
import { CAPABILITIES, need, roleIn, type AdminEnv } from './access';
import type { AuditEntry } from '../protocol';
import { jsonBody } from './http-error';
import { bad, intQuery } from './params';

function role(v: unknown): Role {
  if (!ROLES.includes(v as Role)) throw bad(`role must be one of ${ROLES.join(', ')}`);
  return v as Role;
}

const accountParam = (v: string) => {
  if (!/^a_[0-9a-f]{16}$/.test(v)) throw bad('account is malformed');
  return v;
};

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

/** A tenant's members and invitations (owners), and its audit log (anyone who moderates it). */
export function memberRoutes(opts: { accounts: Accounts; audit: Audit }) {
  const { accounts, audit } = opts;
  const app = new Hono<AdminEnv>();

  app.get('/members', need('members'), async (c) => c.json(await accounts.members(c.req.param('id')!)));

  app.post('/invites', need('members'), async (c) => {
    const body = await jsonBody(c);
    const id = c.req.param('id')!;
    const inv = await accounts.invite(id, email(body.email), role(body.role), actorOf(c.get('principal')));
    await audit.record(id, actorOf(c.get('principal')), 'member.invite', inv.email, { role: inv.role });
    return c.json(inv, 201);
  });

  app.put('/members/:account', need('members'), async (c) => {
    const id = c.req.param('id')!;
    const account = accountParam(c.req.param('account'));
    const r = role((await jsonBody(c)).role);
    const { members } = await accounts.members(id);
    if (!members.some((m) => m.accountId === account)) throw new ChatError('not_found', 'no such member');
    await accounts.setRole(id, account, r);
    await audit.record(id, actorOf(c.get('principal')), 'member.role', account, { role: r });
    return c.body(null, 204);
  });

  app.delete('/members/:account', need('members'), async (c) => {
    const id = c.req.param('id')!;
    const account = accountParam(c.req.param('account'));
    if (!(await accounts.removeMember(id, account))) throw new ChatError('not_found', 'no such member');
    await audit.record(id, actorOf(c.get('principal')), 'member.remove', account);
    return c.body(null, 204);
  });

  app.get('/audit', need('moderate'), async (c) => {
    const limit = intQuery(c.req.query('limit'), 'limit', 1, 200) ?? 50;
    const beforeId = intQuery(c.req.query('before'), 'before', 1, Number.MAX_SAFE_INTEGER);
    const id = c.req.param('id')!;
    const rows = await audit.list(id, { limit: limit + 1, beforeId });
    const role = roleIn(c.get('principal'), id);
    const mayReadSettings = role === 'all' || (CAPABILITIES.settings as readonly (Role | null)[]).includes(role);
    const entries = rows.slice(0, limit).map((e) => (mayReadSettings ? e : withoutSettings(e)));
    return c.json({ entries, hasMore: rows.length > limit });
  });

  return app;
}
