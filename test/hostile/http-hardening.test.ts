import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../api/ops/config';
import { backends } from '../helpers/backends';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody, http } from '../http/http';

describe.each(backends())('HTTP hardening, on %s', (backend) => {
  let s: TestServer;
  const { admin } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it('sends CSP, nosniff and Referrer-Policy on / and /dashboard, and frame-ancestors none on the dashboard', async () => {
    for (const path of ['/', '/dashboard']) {
      const r = await http(`${s.url}${path}`);
      expect(r.status).toBe(200);
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
      if (path === '/dashboard') expect(csp).toContain("frame-ancestors 'none'");
    }
  });

  it('marks admin answers no-store (they carry secrets)', async () => {
    const made = await admin('/tenants', { method: 'POST', body: { name: 'nostore', origins: ['*'] } });
    expect(made.status).toBe(201);
    expect(made.headers.get('cache-control')).toBe('no-store');
    expect((await admin(`/tenants/${made.body.tenantId}/secret-keys`, { method: 'POST' })).headers.get('cache-control')).toBe('no-store');
  });

  it('slows repeated wrong admin tokens from one address: 429 with Retry-After', async () => {
    const answers = [];
    for (let i = 0; i < 32; i++) answers.push(await http(`${s.url}/admin/api/tenants`, { bearer: `wrong-token-${i}` }));
    expect(answers.slice(0, 30).map((a) => a.status)).toEqual(Array(30).fill(401));
    expect(answers[31]).toMatchObject({ status: 429, body: errorBody('rate_limited') });
    expect(Number(answers[31].headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('the admin token', () => {
  it('is refused at start when shorter than 24 characters', () => {
    expect(() => readConfig({ PARLEY_ADMIN_TOKEN: 'x'.repeat(23) })).toThrow(/PARLEY_ADMIN_TOKEN: must be at least 24/);
    expect(readConfig({ PARLEY_ADMIN_TOKEN: 'x'.repeat(24) }).PARLEY_ADMIN_TOKEN).toHaveLength(24);
  });
});
