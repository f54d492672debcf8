import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardUser, makeAccount } from '../helpers/accounts';
import { startTestServer, type TestServer } from '../helpers/server';
import { http } from './http';

// Admin API answers carry secret keys, webhook secrets, invitation tokens and sessions: no
// browser or proxy cache may keep them (a shared computer's back button, a caching proxy).
describe('Admin API answers are never stored by caches', () => {
  let s: TestServer;
  const PW = 'correct horse battery';
  beforeAll(async () => {
    s = await startTestServer();
    await makeAccount(s, 'op@example.com', PW, true);
  }, 60_000);
  afterAll(() => s?.stop());

  it('sends Cache-Control: no-store on secrets, invitations, sessions and errors', async () => {
    const u = dashboardUser(() => s);
    const signIn = await u.signIn('op@example.com', PW);
    const t = s.demo.tenantId;
    const answers = {
      signIn,
      session: await u.call('/session'),
      secretKey: await u.call(`/tenants/${t}/secret-keys`, { method: 'POST' }),
      webhookSecret: await u.call(`/tenants/${t}/webhook-secret`),
      invite: await u.call(`/tenants/${t}/invites`, { method: 'POST', body: { email: 'new@example.com', role: 'moderator' } }),
      tenants: await http(`${s.url}/admin/api/tenants`, { bearer: s.adminToken }),
      refused: await http(`${s.url}/admin/api/tenants`, { bearer: 'wrong' }),
    };
    for (const [name, r] of Object.entries(answers)) {
      expect(r.status, name).toBeLessThan(name === 'refused' ? 500 : 300);
      expect(r.headers.get('cache-control'), name).toBe('no-store');
    }
    expect(answers.secretKey.body.secretKey).toMatch(/^sk_/);
  }, 60_000);
});
