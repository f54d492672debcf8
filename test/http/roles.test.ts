import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../api/routes/admin-api';
import { dashboardUser, inviteAndJoin, makeAccount, type DashboardUser } from '../helpers/accounts';
import { backends } from '../helpers/backends';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls } from './http';

// Every Admin API route, with every role: who may call it, and what the others get (anonymous
// 401, a role in another tenant only 404, a role here without the right 403).
type Who = 'operator' | 'owner' | 'admin' | 'moderator' | 'otherTenant' | 'anonymous';

interface Route {
  method: string;
  path: string;
  /** The path with `T` for the tenant under test. */
  url: (t: string) => string;
  body?: unknown;
  allowed: Who[];
}

const MODERATORS: Who[] = ['operator', 'owner', 'admin', 'moderator'];
const route = (method: string, path: string, allowed: Who[], body?: unknown): Route => ({
  method,
  path,
  url: (t) => path.replace(':id', t).replace(':account', 'a_0000000000000000').replace(':prefix', 'sk_nope').replace(':user', 'mal').replace(':rid', '999999').replace(':room', 'lobby').replace(':msg', 'nope'),
  body,
  allowed,
});

const TENANT_ROUTES: Route[] = [
  route('PATCH', '/tenants/:id', ['operator', 'owner', 'admin'], { settings: { burst: 12 } }),
  route('POST', '/tenants/:id/secret-keys', ['operator', 'owner']),
  route('DELETE', '/tenants/:id/secret-keys/:prefix', ['operator', 'owner']),
  route('GET', '/tenants/:id/webhook-secret', ['operator', 'owner']),
  route('POST', '/tenants/:id/webhook-secret/rotate', ['operator', 'owner']),
  route('GET', '/tenants/:id/members', ['operator', 'owner']),
  route('POST', '/tenants/:id/invites', ['operator', 'owner'], { email: 'new@example.com', role: 'moderator' }),
  route('PUT', '/tenants/:id/members/:account', ['operator', 'owner'], { role: 'admin' }),
  route('DELETE', '/tenants/:id/members/:account', ['operator', 'owner']),
  route('GET', '/tenants/:id/webhooks', ['operator', 'owner', 'admin']),
  route('GET', '/tenants/:id/webhooks/events', ['operator', 'owner', 'admin']),
  route('POST', '/tenants/:id/webhooks/test', ['operator', 'owner', 'admin']),
  route('POST', '/tenants/:id/webhooks/replay', ['operator', 'owner', 'admin'], { since: 0 }),
  route('POST', '/tenants/:id/webhooks/enable', ['operator', 'owner', 'admin']),
  route('GET', '/tenants/:id/audit', MODERATORS),
  route('GET', '/tenants/:id/reports', MODERATORS),
  route('GET', '/tenants/:id/bans', MODERATORS),
  route('PUT', '/tenants/:id/bans/:user', MODERATORS, { reason: 'spam', minutes: 60 }),
  route('DELETE', '/tenants/:id/bans/:user', MODERATORS),
  route('GET', '/tenants/:id/mutes', MODERATORS),
  { ...route('GET', '/tenants/:id/messages', MODERATORS), url: (t) => `/tenants/${t}/messages?q=hello` },
  route('GET', '/tenants/:id/users/:user', MODERATORS),
  route('POST', '/tenants/:id/console-token', MODERATORS),
  { ...route('GET', '/tenants/:id/rooms', MODERATORS), url: (t) => `/tenants/${t}/rooms?prefix=lob&limit=10` },
  route('POST', '/tenants/:id/reports/:rid', MODERATORS, { action: 'dismiss' }),
  route('DELETE', '/tenants/:id/rooms/:room/messages/:msg', MODERATORS),
  route('PUT', '/tenants/:id/mutes/:user', MODERATORS, { reason: 'loud', minutes: 60 }),
  route('DELETE', '/tenants/:id/mutes/:user', MODERATORS),
];
// Routes not about one tenant; the session routes are open (sign-in) or the caller's own.
const OTHER_ROUTES: Route[] = [
  route('POST', '/tenants', ['operator'], { name: 'made', origins: [] }),
  route('POST', '/accounts', ['operator'], { email: `made-${Math.random().toString(36).slice(2)}@example.com`, password: 'long enough password' }),
];
const OPEN = ['POST /session', 'DELETE /session', 'GET /session', 'POST /invites/lookup', 'POST /invites/accept', 'GET /tenants'];

describe('every Admin API route is in the role table', () => {
  it('lists each registered route once', () => {
    const app = adminRoutes({} as never);
    const registered = app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`);
    const tabled = [...TENANT_ROUTES, ...OTHER_ROUTES].map((r) => `${r.method} ${r.path}`).concat(OPEN);
    expect([...new Set(registered)].sort()).toEqual([...tabled].sort());
  });
});

describe.each(backends())('roles on %s', (backend) => {
  let s: TestServer;
  const api = calls(() => s);
  let tenantA = '';
  let tenantB = '';
  const users = {} as Record<Exclude<Who, 'anonymous'>, DashboardUser>;
  const PW = 'correct horse battery';

  beforeAll(async () => {
    s = await startTestServer({ backend });
    tenantA = (await api.create({ name: 'A', origins: [] })).tenantId;
    tenantB = (await api.create({ name: 'B', origins: [] })).tenantId;
    await makeAccount(s, 'op@example.com', PW, true);
    users.operator = dashboardUser(() => s);
    await users.operator.signIn('op@example.com', PW);
    users.owner = await inviteAndJoin(() => s, users.operator, tenantA, 'owner@example.com', 'owner', PW);
    users.admin = await inviteAndJoin(() => s, users.owner, tenantA, 'admin@example.com', 'admin', PW);
    users.moderator = await inviteAndJoin(() => s, users.owner, tenantA, 'mod@example.com', 'moderator', PW);
    users.otherTenant = await inviteAndJoin(() => s, users.operator, tenantB, 'modb@example.com', 'moderator', PW);
  }, 120_000);
  afterAll(() => s?.stop());

  const call = (who: Who, r: Route, tenant: string) =>
    (who === 'anonymous' ? dashboardUser(() => s) : users[who]).call(r.url(tenant), { method: r.method, body: r.body });

  for (const r of [...TENANT_ROUTES, ...OTHER_ROUTES]) {
    it(`${r.method} ${r.path}`, async () => {
      for (const who of ['anonymous', 'otherTenant', 'moderator', 'admin', 'owner', 'operator'] as Who[]) {
        const res = await call(who, r, tenantA);
        const label = `${who}: ${res.status} ${JSON.stringify(res.body)}`;
        if (who === 'anonymous') expect(res.status, label).toBe(401);
        else if (r.allowed.includes(who)) {
          expect([401, 403], label).not.toContain(res.status);
          if (res.status === 404) expect(res.body.error.message, label).not.toBe('no such tenant');
        } else if (who === 'otherTenant' && r.path.includes(':id')) expect(res.status, label).toBe(404);
        else expect(res.status, label).toBe(403);
      }
    });
  }

  it('a tenant that does not exist is 404 to a member of another, and to operators', async () => {
    expect((await users.owner.call('/tenants/t_nope/reports')).status).toBe(404);
    expect((await users.operator.call('/tenants/t_nope/reports')).status).toBe(404);
    expect((await users.operator.call('/tenants/t_nope/console-token', { method: 'POST' })).status).toBe(404);
    expect((await users.operator.call('/tenants/t_nope/rooms')).status).toBe(404);
  });

  it("a console token is for the caller's tenant only: another tenant's moderator gets 404 and no token, anonymous 401", async () => {
    const other = await users.otherTenant.call(`/tenants/${tenantA}/console-token`, { method: 'POST' });
    expect(other).toMatchObject({ status: 404, body: { error: { code: 'not_found', message: 'no such tenant' } } });
    expect(JSON.stringify(other.body)).not.toMatch(/token"/);
    expect((await dashboardUser(() => s).call(`/tenants/${tenantA}/console-token`, { method: 'POST' })).status).toBe(401);
    // Without the dashboard's Origin, a cookie's POST is refused as cross-site.
    const csrf = await users.moderator.call(`/tenants/${tenantA}/console-token`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(csrf.status).toBe(403);
    const mine = await users.moderator.call(`/tenants/${tenantA}/console-token`, { method: 'POST' });
    expect(mine.body).toMatchObject({ token: expect.any(String), user: expect.stringMatching(/^staff_a_[0-9a-f]{16}$/), publishableKey: expect.stringMatching(/^pk_/) });
  });

  it('GET /tenants lists each caller only their tenants, a moderator without settings or keys', async () => {
    const ids = async (who: Exclude<Who, 'anonymous'>) => ((await users[who].call('/tenants')).body as { tenantId: string }[]).map((t) => t.tenantId);
    expect(await ids('otherTenant')).toEqual([tenantB]);
    expect(await ids('moderator')).toEqual([tenantA]);
    expect((await ids('operator')).sort()).toEqual(expect.arrayContaining([tenantA, tenantB, s.demo.tenantId]));
    const [mod] = (await users.moderator.call('/tenants')).body;
    expect(mod).toEqual({ tenantId: tenantA, name: 'A', disabled: false, publishableKey: expect.any(String), role: 'moderator' });
    const [adm] = (await users.admin.call('/tenants')).body;
    expect(adm).toMatchObject({ tenantId: tenantA, role: 'admin', secretKeys: [], settings: expect.any(Object) });
    const [own] = (await users.owner.call('/tenants')).body;
    expect(own.secretKeys.length).toBeGreaterThan(0);
  });

  it('a member removed by the owner loses access at once, on their open session', async () => {
    const gone = await inviteAndJoin(() => s, users.owner, tenantA, 'gone@example.com', 'moderator', PW);
    expect((await gone.call(`/tenants/${tenantA}/reports`)).status).toBe(200);
    const m = (await users.owner.call(`/tenants/${tenantA}/members`)).body.members.find((x: { email: string }) => x.email === 'gone@example.com');
    expect((await users.owner.call(`/tenants/${tenantA}/members/${m.accountId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await gone.call(`/tenants/${tenantA}/reports`)).status).toBe(404);
  });

  it('the audit log names who changed settings and who banned whom', async () => {
    const log = (await users.moderator.call(`/tenants/${tenantA}/audit`)).body.entries as { actorName: string; action: string; target: string }[];
    expect(log).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actorName: 'admin@example.com', action: 'tenant.update' }),
        expect.objectContaining({ actorName: 'mod@example.com', action: 'user.ban', target: 'mal' }),
        expect.objectContaining({ actorName: 'owner@example.com', action: 'member.invite', target: 'mod@example.com' }),
        expect.objectContaining({ actorName: 'owner@example.com', action: 'member.remove' }),
      ]),
    );
    // Nothing of tenant B's moderator shows in A's log.
    expect(log.some((e) => e.actorName === 'modb@example.com')).toBe(false);
  });
});
