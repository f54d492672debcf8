import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEmbed } from '../../api/ws/embed-rule';
import { REFUSAL_LINES_PER_WINDOW, REFUSAL_WINDOW_MS, createRefusalLog } from '../../api/ws/refusal-log';
import { connect } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { http } from './http';

const SITE = 'https://shop.example';

describe('GET /v1/embed-check and refused upgrades', () => {
  let server: TestServer;
  const lines: string[] = [];
  let tenant: { tenantId: string; publishableKey: string };
  const admin = (path: string, method: string, body: unknown) =>
    http(`${server.url}/admin/api${path}`, { method, bearer: server.adminToken, body });
  const check = (key: string, origin?: string) =>
    http(`${server.url}/v1/embed-check?key=${encodeURIComponent(key)}`, { headers: origin ? { origin } : {} });

  beforeAll(async () => {
    server = await startTestServer({ log: (msg) => lines.push(msg) });
    tenant = (await admin('/tenants', 'POST', { name: 'shop', origins: [SITE] })).body;
  });
  afterAll(() => server.stop());

  it('answers with the upgrade rule, readable from any page, and never lists the allowed origins', async () => {
    const ok = await check(tenant.publishableKey, SITE);
    expect([ok.status, ok.body]).toEqual([200, { ok: true, origin: SITE }]);
    expect(ok.headers.get('access-control-allow-origin')).toBe('*');
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const wrongOrigin = (await check(tenant.publishableKey, 'http://localhost:3000')).body;
    expect(wrongOrigin).toEqual({ ok: false, reason: 'origin_not_allowed', origin: 'http://localhost:3000', message: expect.any(String) });
    expect(wrongOrigin.message).toContain('"http://localhost:3000"');
    expect(wrongOrigin.message).toContain(`"${tenant.publishableKey}"`);
    expect((await check('pk_NotAKeyOfAnySite000000', SITE)).body).toEqual({ ok: false, reason: 'unknown_key', origin: SITE, message: expect.stringContaining('"pk_NotAKeyOfAnySite000000"') });
    expect((await check('', SITE)).body).toMatchObject({ reason: 'unknown_key' });
    expect((await check(`pk_${'x'.repeat(5000)}`, SITE)).body).toMatchObject({ reason: 'unknown_key' });
    expect(JSON.stringify((await check(tenant.publishableKey, 'http://evil.example')).body)).not.toContain('shop.example');

    // The socket is refused for exactly the same reasons.
    await expect(connect(server.wsUrl, tenant.publishableKey, { origin: 'http://localhost:3000' })).rejects.toMatchObject({ status: 403 });
    await expect(connect(server.wsUrl, 'pk_NotAKeyOfAnySite000000', { origin: SITE })).rejects.toMatchObject({ status: 401 });
    (await connect(server.wsUrl, tenant.publishableKey, { origin: SITE })).close();
  });

  it('says when the site is disabled, and the socket closes with 4504', async () => {
    expect((await admin(`/tenants/${tenant.tenantId}`, 'PATCH', { disabled: true })).status).toBe(200);
    try {
      expect((await check(tenant.publishableKey, SITE)).body).toMatchObject({ ok: false, reason: 'tenant_disabled', origin: SITE });
      // An origin that is not allowed is told so first: a stranger learns nothing about the switch.
      expect((await check(tenant.publishableKey, 'http://evil.example')).body).toMatchObject({ reason: 'origin_not_allowed' });
      const c = await connect(server.wsUrl, tenant.publishableKey, { origin: SITE });
      expect((await c.closed).code).toBe(4504);
    } finally {
      await admin(`/tenants/${tenant.tenantId}`, 'PATCH', { disabled: false });
    }
  });

  it('logs refused upgrades with the reason, the origin and a key prefix only', async () => {
    const key = tenant.publishableKey;
    const refusals = lines.filter((l) => l.startsWith('upgrade refused'));
    expect(refusals).toContain(`upgrade refused: origin not allowed (key "${key.slice(0, 10)}…", origin "http://localhost:3000")`);
    expect(refusals).toContain(`upgrade refused: unknown key (key "pk_NotAKey…", origin "${SITE}")`);
    expect(refusals).toContain(`upgrade refused: tenant disabled (key "${key.slice(0, 10)}…", origin "${SITE}")`);
    for (const l of lines) expect(l).not.toContain(key);
  });
});

describe('checkEmbed', () => {
  it('looks up only what has the shape of a publishable key', async () => {
    const asked: string[] = [];
    const tenants = { byPublishableKey: async (k: string) => (asked.push(k), null) };
    for (const k of ['', 'pk_short', `pk_${'a'.repeat(65)}`, 'sk_aaaaaaaaaaaaaaaaaaaaaaaa', 'pk_aaaaaaaa/aaaaaaaaaaaaaaa', 'pk_aaaaaaaaaaaaaaaaaaaaaaaa'])
      expect(await checkEmbed(tenants, k, undefined)).toEqual({ ok: false, reason: 'unknown_key' });
    expect(asked).toEqual(['pk_aaaaaaaaaaaaaaaaaaaaaaaa']);
  });
});

describe('the refused-upgrade log', () => {
  it('logs each refusal once a window and counts what is over the budget', () => {
    const out: string[] = [];
    let t = 0;
    const log = createRefusalLog({ log: (m) => out.push(m), now: () => t });
    log('unknown_key', 'pk_aaaaaaaaaaaaaaaa', 'https://a.example');
    log('unknown_key', 'pk_aaaaaaaaaaaaaaaa', 'https://a.example');
    expect(out).toEqual(['upgrade refused: unknown key (key "pk_aaaaaaa…", origin "https://a.example")']);
    for (let i = 0; i < REFUSAL_LINES_PER_WINDOW + 5; i++) log('origin_not_allowed', 'pk_b', `https://o${i}.example\r\nforged`);
    expect(out).toHaveLength(REFUSAL_LINES_PER_WINDOW);
    // The caller's header is quoted: a line break in it cannot start a log line of its own.
    expect(out[1]).toBe('upgrade refused: origin not allowed (key "pk_b", origin "https://o0.example\\r\\nforged")');
    t += REFUSAL_WINDOW_MS;
    log('unknown_key', 'pk_aaaaaaaaaaaaaaaa', 'https://a.example');
    expect(out.slice(REFUSAL_LINES_PER_WINDOW)).toEqual([
      '6 more refused upgrades in the last minute were not logged',
      'upgrade refused: unknown key (key "pk_aaaaaaa…", origin "https://a.example")',
    ]);
  });
});
