import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardUser, makeAccount, sessionFrom } from '../helpers/accounts';
import { startTestServer, type TestServer } from '../helpers/server';
import { http } from './http';

// The session cookie and CSRF, as a browser and an attacker's page would meet them.
describe('dashboard sessions', () => {
  let s: TestServer;
  const PW = 'correct horse battery';
  beforeAll(async () => {
    // The test plays the load balancer too (X-Forwarded-Proto), from loopback.
    s = await startTestServer({ trustedProxies: ['loopback'] });
    await makeAccount(s, 'op@example.com', PW, true);
  }, 60_000);
  afterAll(() => s?.stop());

  const login = (headers: Record<string, string>) =>
    http(`${s.url}/admin/api/session`, { method: 'POST', body: { email: 'op@example.com', password: PW }, headers });

  it('sets an HttpOnly, SameSite=Strict cookie scoped to the API, Secure when the proxy says HTTPS', async () => {
    const plain = await login({ origin: s.url });
    const cookie = plain.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^parley_session=[\w-]{43}; Max-Age=43200; Path=\/admin\/api; HttpOnly; SameSite=Strict$/);
    const proxied = await login({ origin: s.url, 'x-forwarded-proto': 'https' });
    expect(proxied.headers.get('set-cookie')).toMatch(/; Secure; SameSite=Strict$/);
    expect(plain.body).toMatchObject({ kind: 'account', email: 'op@example.com', operator: true });
  });

  it('refuses state-changing requests from another site, with a cookie or without', async () => {
    const u = dashboardUser(() => s);
    await u.signIn('op@example.com', PW);
    const cross: Record<string, string>[] = [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site', origin: s.url }, { 'sec-fetch-site': 'same-site' }, {}];
    for (const headers of cross) {
      const r = await http(`${s.url}/admin/api/tenants`, { method: 'POST', body: { name: 'csrf', origins: [] }, headers: { cookie: `parley_session=${u.cookie}`, ...headers } });
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect((await login(headers)).status).toBe(403);
    }
    const ok = await http(`${s.url}/admin/api/tenants`, { method: 'POST', body: { name: 'fine', origins: [] }, headers: { cookie: `parley_session=${u.cookie}`, 'sec-fetch-site': 'same-origin' } });
    expect(ok.status).toBe(201);
    expect((await http(`${s.url}/admin/api/tenants`, { headers: { cookie: `parley_session=${u.cookie}` } })).status).toBe(200);
  });

  it('gives a new session id at sign-in and ends the one brought to it', async () => {
    const u = dashboardUser(() => s);
    await u.signIn('op@example.com', PW);
    const first = u.cookie!;
    await u.signIn('op@example.com', PW);
    expect(u.cookie).not.toBe(first);
    expect((await dashboardUser(() => s, first).call('/session')).status).toBe(401);
    expect((await u.call('/session')).body.email).toBe('op@example.com');
  });

  it('logout ends the session on the server and clears the cookie', async () => {
    const u = dashboardUser(() => s);
    await u.signIn('op@example.com', PW);
    const sid = u.cookie!;
    const out = await u.call('/session', { method: 'DELETE' });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^parley_session=; Max-Age=0; Path=\/admin\/api/);
    expect(sessionFrom(out)).toBeNull();
    expect((await dashboardUser(() => s, sid).call('/tenants')).status).toBe(401);
  });

  it('a wrong password and an unknown email get the same answer; the admin token still works for scripts', async () => {
    const bad = async (email: string) => (await http(`${s.url}/admin/api/session`, { method: 'POST', body: { email, password: 'nope nope nope' }, headers: { origin: s.url } })).body;
    expect(await bad('op@example.com')).toEqual(await bad('nobody@example.com'));
    expect((await http(`${s.url}/admin/api/tenants`, { bearer: s.adminToken })).status).toBe(200);
  });
});
