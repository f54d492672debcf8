import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardUser, inviteAndJoin, makeAccount } from '../helpers/accounts';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls } from './http';

// A moderator is shown no settings (GET /tenants leaves them out); the audit log, which every
// moderator reads, must not show them either: a webhook URL often carries its receiver's secret.
describe('the audit log as a moderator reads it', () => {
  let s: TestServer;
  const { admin, create } = calls(() => s);
  const PW = 'correct horse battery';
  beforeAll(async () => {
    s = await startTestServer();
    await makeAccount(s, 'op@example.com', PW, true);
  }, 60_000);
  afterAll(() => s?.stop());

  it("names the settings a change touched but never their values; owners and admins still read them", async () => {
    const t = await create();
    const secretUrl = 'https://hooks.example.com/catch/xq7-receiver-secret?token=tok_SECRET123';
    const patch = { settings: { eventsUrl: secretUrl, burst: 12 } };
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: patch })).status).toBe(200);
    const op = dashboardUser(() => s);
    await op.signIn('op@example.com', PW);
    const mod = await inviteAndJoin(() => s, op, t.tenantId, 'mod@example.com', 'moderator', PW);
    const adm = await inviteAndJoin(() => s, op, t.tenantId, 'adm@example.com', 'admin', PW);

    const seen = await mod.call(`/tenants/${t.tenantId}/audit`);
    expect(seen.status).toBe(200);
    expect(JSON.stringify(seen.body)).not.toContain('SECRET123');
    expect(JSON.stringify(seen.body)).not.toContain('receiver-secret');
    const update = seen.body.entries.find((e: { action: string }) => e.action === 'tenant.update');
    expect(update.detail).toEqual({ fields: ['settings.burst', 'settings.eventsUrl'] });
    // Moderation entries keep their detail for moderators.
    expect(seen.body.entries.find((e: { target: string }) => e.target === 'mod@example.com').detail).toEqual({ role: 'moderator' });

    const full = await adm.call(`/tenants/${t.tenantId}/audit`);
    expect(full.body.entries.find((e: { action: string }) => e.action === 'tenant.update').detail).toEqual(patch);
  }, 120_000);
});
