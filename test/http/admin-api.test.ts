import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, connect, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody, eventually, helloOutcome, http } from './http';

describe.each(backends())('Admin API on %s', (backend) => {
  let s: TestServer;
  const { admin, v1, create, listed } = calls(() => s);

  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'not-the-admin-token'],
    ['the admin token with a suffix', 'SUFFIX'],
    ["a tenant's secret key", 'SECRET'],
  ])('%s is 401 unauthorized on every route, and nothing is made', async (_what, which) => {
    const bearer = which === 'SECRET' ? s.demo.secretKey : which === 'SUFFIX' ? `${s.adminToken}x` : which;
    const before = (await admin('/tenants')).body.length;
    const id = s.demo.tenantId;
    for (const [method, path, body] of [
      ['GET', '/tenants'],
      ['POST', '/tenants', { name: 'intruder', origins: [] }],
      ['PATCH', `/tenants/${id}`, { disabled: true }],
      ['POST', `/tenants/${id}/secret-keys`],
      ['DELETE', `/tenants/${id}/secret-keys/${s.demo.secretKey.slice(0, 11)}`],
    ] as [string, string, object?][]) {
      const r = await http(`${s.url}/admin/api${path}`, { method, bearer, body });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.body).toEqual(errorBody('unauthorized'));
    }
    const after = await admin('/tenants');
    expect(after.body.length).toBe(before);
    const demo = after.body.find((t: any) => t.tenantId === id);
    expect(demo.disabled).toBe(false);
    expect(demo.secretKeys.every((k: any) => k.revokedAt === null)).toBe(true);
  });

  it('POST /tenants answers 201 {tenantId, publishableKey, secretKey}, and the keys work', async () => {
    const t = await create({ name: 'acme', origins: ['https://acme.example', 'http://localhost:3000'], guests: true });
    expect(Object.keys(t).sort()).toEqual(['publishableKey', 'secretKey', 'tenantId']);
    expect(t.tenantId).toEqual(expect.any(String));
    expect(t.publishableKey).toMatch(/^pk_/);
    expect(t.secretKey).toMatch(/^sk_/);
    expect((await v1(t.secretKey, '/tokens', { method: 'POST', body: { user: 'u' } })).status).toBe(201);
    // Its origins are the allowed ones; guests were asked for.
    const ok = await connect(s.wsUrl, t.publishableKey, { origin: 'https://acme.example' });
    ok.close();
    await expect(connect(s.wsUrl, t.publishableKey, { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    const guest = await client(s.wsUrl, t.publishableKey, { name: 'G' });
    expect(guest.welcome.guestToken).toEqual(expect.any(String));
    guest.close();
  });

  it('a tenant made without guests refuses guests', async () => {
    const t = await create({ name: 'members-only', origins: [] });
    const outcome = await helloOutcome(s.wsUrl, t.publishableKey, { name: 'G' });
    expect(outcome.close).toBe(4501);
    expect(outcome.error).toMatchObject({ code: 'unauthorized' });
  });

  it('GET /tenants lists every tenant with its keys by prefix, and no secret', async () => {
    const t = await create({ name: 'listed', origins: ['https://listed.example'], guests: true });
    const r = await admin('/tenants');
    expect(r.status).toBe(200);
    expect(Array.isArray(r.body)).toBe(true);
    expect(r.body.map((x: any) => x.tenantId)).toEqual(expect.arrayContaining([s.demo.tenantId, t.tenantId]));
    const mine = r.body.find((x: any) => x.tenantId === t.tenantId);
    expect(mine).toMatchObject({
      tenantId: t.tenantId,
      name: 'listed',
      origins: ['https://listed.example'],
      guests: true,
      publishableKey: t.publishableKey,
      secretKeys: [{ prefix: expect.any(String), createdAt: expect.any(Number), revokedAt: null }],
    });
    expect(t.secretKey.startsWith(mine.secretKeys[0].prefix)).toBe(true);
    expect(mine.secretKeys[0].prefix.length).toBeLessThan(t.secretKey.length / 2);
    expect(Math.abs(mine.secretKeys[0].createdAt - Date.now())).toBeLessThan(60_000);
    const text = JSON.stringify(r.body);
    expect(text).not.toContain(t.secretKey);
    expect(text).not.toContain(s.demo.secretKey);
    expect(text).not.toMatch(/sealed|hash/i);
  });

  it('POST /tenants with a bad body is 400 bad_request, and nothing is made', async () => {
    const before = (await admin('/tenants')).body.length;
    for (const [what, body] of [
      ['not JSON', 'name=acme'],
      ['no name', { origins: [] }],
      ['a blank name', { name: '  ', origins: [] }],
      ['a name over 100 characters', { name: 'n'.repeat(101), origins: [] }],
      ['origins not a list', { name: 'x', origins: 'https://x.example' }],
      ['an origin with a path', { name: 'x', origins: ['https://x.example/app'] }],
      ['an origin that is not http(s)', { name: 'x', origins: ['ftp://x.example'] }],
      ['guests not a boolean', { name: 'x', origins: [], guests: 'yes' }],
      ['an unknown setting', { name: 'x', origins: [], settings: { colour: 'red' } }],
    ] as [string, unknown][]) {
      const r = await admin('/tenants', { method: 'POST', body });
      expect(r.status, what).toBe(400);
      expect(r.body, what).toEqual(errorBody('bad_request'));
    }
    expect((await admin('/tenants')).body.length).toBe(before);
  });

  it('an unknown path is 404 not_found in the JSON error shape; a huge body is 413', async () => {
    const r = await admin('/nope');
    expect(r.status).toBe(404);
    expect(r.body).toEqual(errorBody('not_found'));
    const big = await admin('/tenants', { method: 'POST', body: { name: 'big', origins: Array(5000).fill('https://a-long-origin.example') } });
    expect(big.status).toBe(413);
    expect(big.body).toEqual(errorBody('too_large'));
    expect(big.headers.get('connection')).toBe('close');
    expect((await admin('/tenants')).status).toBe(200);
  });

  describe('secret keys', () => {
    it('rotate: the new key works, the old keeps working until revoked, then it and its tokens stop', async () => {
      const t = await create();
      const old = t.secretKey;
      const oldPrefix = (await listed(t.tenantId)).secretKeys[0].prefix;
      const made = await admin(`/tenants/${t.tenantId}/secret-keys`, { method: 'POST' });
      expect(made.status).toBe(201);
      expect(Object.keys(made.body).sort()).toEqual(['prefix', 'secretKey']);
      const fresh = made.body.secretKey as string;
      expect(fresh).toMatch(/^sk_/);
      expect(fresh).not.toBe(old);
      expect(fresh.startsWith(made.body.prefix)).toBe(true);

      // Both keys work over HTTP and for signing tokens.
      await v1(old, '/rooms/r/messages', { method: 'POST', body: { id: 'm1', user: 'u', text: 'hi' } });
      for (const key of [old, fresh]) {
        expect((await v1(key, '/rooms/r/messages')).status).toBe(200);
        expect((await helloOutcome(s.wsUrl, t.publishableKey, { token: await userToken(key, { sub: 'u' }) })).welcome?.user).toBe('u');
      }
      expect((await listed(t.tenantId)).secretKeys.map((k: any) => [k.prefix, k.revokedAt])).toEqual([
        [oldPrefix, null],
        [made.body.prefix, null],
      ]);

      // A connection already open with the old key's token is not the subject here; new hellos are.
      const oldToken = await userToken(old, { sub: 'u' });
      const revoked = await admin(`/tenants/${t.tenantId}/secret-keys/${oldPrefix}`, { method: 'DELETE' });
      expect(revoked.status).toBe(204);
      expect(revoked.body).toBeNull();
      await eventually(async () => {
        const r = await v1(old, '/rooms/r/messages');
        expect(r.status).toBe(401);
        expect(r.body).toEqual(errorBody('unauthorized'));
      });
      await eventually(async () => expect((await helloOutcome(s.wsUrl, t.publishableKey, { token: oldToken })).close).toBe(4501));
      // A token signed with the revoked key after revocation is refused as well.
      expect((await helloOutcome(s.wsUrl, t.publishableKey, { token: await userToken(old, { sub: 'v' }) })).close).toBe(4501);

      // The new key, and tokens from it, go on working; the list shows when the old one went.
      expect((await v1(fresh, '/rooms/r/messages')).body.messages).toHaveLength(1);
      const minted = await v1(fresh, '/tokens', { method: 'POST', body: { user: 'w' } });
      expect((await helloOutcome(s.wsUrl, t.publishableKey, { token: minted.body.token })).welcome?.user).toBe('w');
      const keys = (await listed(t.tenantId)).secretKeys;
      expect(keys.find((k: any) => k.prefix === oldPrefix).revokedAt).toEqual(expect.any(Number));
      expect(keys.find((k: any) => k.prefix === made.body.prefix).revokedAt).toBeNull();
    });

    it('revoking twice, an unknown prefix, or another tenant’s key is 404 and changes nothing', async () => {
      const t = await create();
      const other = await create();
      const prefix = (await listed(t.tenantId)).secretKeys[0].prefix;
      for (const [tenantId, p] of [
        [t.tenantId, 'sk_nonesuch'],
        [other.tenantId, prefix],
        ['t_nonesuch', prefix],
      ]) {
        const r = await admin(`/tenants/${tenantId}/secret-keys/${p}`, { method: 'DELETE' });
        expect(r.status).toBe(404);
        expect(r.body).toEqual(errorBody('not_found'));
      }
      expect((await v1(t.secretKey, '/tokens', { method: 'POST', body: { user: 'u' } })).status).toBe(201);
      expect((await admin(`/tenants/${t.tenantId}/secret-keys/${prefix}`, { method: 'DELETE' })).status).toBe(204);
      expect((await admin(`/tenants/${t.tenantId}/secret-keys/${prefix}`, { method: 'DELETE' })).status).toBe(404);
    });

    it('a new key for an unknown tenant is 404', async () => {
      const r = await admin('/tenants/t_nonesuch/secret-keys', { method: 'POST' });
      expect(r.status).toBe(404);
      expect(r.body).toEqual(errorBody('not_found'));
    });
  });

});
