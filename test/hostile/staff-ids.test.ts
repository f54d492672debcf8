import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody } from '../http/http';

// Dashboard consoles say hello as staff_<account>: ids no tenant user may take, and no
// moderator may mute or ban (else a volunteer could lock the owners' consoles out, or a user
// named staff_… could share a console's blocks and audit name).
describe('staff_ user ids are the consoles’ own', () => {
  let s: TestServer;
  const { admin, v1, create } = calls(() => s);
  let t: Awaited<ReturnType<typeof create>>;
  beforeAll(async () => {
    s = await startTestServer();
    t = await create({ name: 'shop', origins: ['*'] });
  }, 60_000);
  afterAll(() => s?.stop());

  const consoleHello = async () => {
    const k = (await admin(`/tenants/${t.tenantId}/console-token`, { method: 'POST' })).body as { token: string; user: string };
    const c = await connect(s.wsUrl, t.publishableKey, { origin: s.url });
    return { c, user: k.user, welcome: await c.request({ type: 'hello', token: k.token }) };
  };

  it('refuses a tenant-signed token, or one from POST /v1/tokens, for a staff_ id', async () => {
    const { c, user } = await consoleHello();
    c.close();
    const imp = await connect(s.wsUrl, t.publishableKey);
    imp.send({ type: 'hello', token: await userToken(t.secretKey, { sub: user, name: 'Moderator', role: 'moderator' }) });
    expect((await imp.closed).code).toBe(4501);
    expect(imp.frames.find((f) => f.type === 'error')).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('reserved') });
    const made = await v1(t.secretKey, '/tokens', { method: 'POST', body: { user: 'staff_someone' } });
    expect([made.status, made.body.error?.code]).toEqual([400, 'bad_request']);
    // Only the prefix is reserved.
    expect((await v1(t.secretKey, '/tokens', { method: 'POST', body: { user: 'staffer_ann' } })).status).toBe(201);
  });

  it('refuses to mute or ban a console, over the socket and over HTTP, and the console still gets in', async () => {
    const { c: first, user } = await consoleHello();
    first.close();
    const mod = await connect(s.wsUrl, t.publishableKey);
    await mod.request({ type: 'hello', token: await userToken(t.secretKey, { sub: 'volunteer', role: 'moderator' }) });
    for (const verb of ['ban', 'mute']) expect(await mod.request({ type: verb, user, reason: 'x' })).toMatchObject({ type: 'error', code: 'bad_request' });
    for (const what of ['bans', 'mutes']) {
      const r = await v1(t.secretKey, `/${what}/${user}`, { method: 'PUT', body: { reason: 'x' } });
      expect(r.status).toBe(400);
      expect(r.body).toEqual(errorBody('bad_request'));
    }
    const { c, welcome } = await consoleHello();
    expect(welcome).toMatchObject({ type: 'welcome', user });
    await join(c, 'lobby');
    c.close();
    mod.close();
  });
});
