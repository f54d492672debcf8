import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardUser, inviteAndJoin, makeAccount, type DashboardUser } from '../helpers/accounts';
import { backends } from '../helpers/backends';
import { connect, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody, helloOutcome } from './http';

// The dashboard's room view: a staff token from the Admin API says hello on /v1/ws as a
// moderator, also from the server's own origin (on no tenant's list), where nothing else may.
describe.each(backends())('console tokens and the room list on %s', (backend) => {
  let s: TestServer;
  const { admin, v1, create } = calls(() => s);
  let t: Awaited<ReturnType<typeof create>>;
  let mod: DashboardUser;
  let modId = '';
  beforeAll(async () => {
    s = await startTestServer({ backend });
    // Origins that are not this server: the dashboard's own origin must still be let in.
    t = await create({ name: 'shop', origins: ['https://shop.example'], guests: true });
    const op = dashboardUser(() => s);
    await makeAccount(s, 'op@example.com', 'operator password', true);
    await op.signIn('op@example.com', 'operator password');
    mod = await inviteAndJoin(() => s, op, t.tenantId, 'mod@example.com', 'moderator', 'moderator password');
    modId = (await mod.call('/session')).body.id;
  }, 60_000);
  afterAll(() => s?.stop());

  const token = async () => {
    const r = await mod.call(`/tenants/${t.tenantId}/console-token`, { method: 'POST' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as { token: string; expiresAt: number; user: string; publishableKey: string };
  };

  it('says hello as a moderator named Moderator, for five minutes, from the server’s own origin', async () => {
    const k = await token();
    expect(k).toMatchObject({ user: `staff_${modId}`, publishableKey: t.publishableKey });
    expect(k.expiresAt - Date.now()).toBeGreaterThan(290_000);
    expect(k.expiresAt - Date.now()).toBeLessThanOrEqual(300_000);
    const c = await connect(s.wsUrl, t.publishableKey, { origin: s.url });
    const w = await c.request({ type: 'hello', token: k.token });
    expect(w).toMatchObject({ type: 'welcome', user: `staff_${modId}`, name: 'Moderator', role: 'moderator', expiresAt: k.expiresAt });
    // A moderator enters a private room it is not a member of, and sees who is there.
    await v1(t.secretKey, '/rooms/back-office', { method: 'PUT', body: { private: true, members: ['ann'] } });
    const ann = await connect(s.wsUrl, t.publishableKey);
    await ann.request({ type: 'hello', token: await userToken(t.secretKey, { sub: 'ann', name: 'Ann' }) });
    await join(ann, 'back-office');
    const joined = await join(c, 'back-office');
    expect(joined.presence).toEqual(expect.arrayContaining([{ user: 'ann', name: 'Ann' }, { user: `staff_${modId}`, name: 'Moderator' }]));
    // The socket lives on with a renewed token; a token of another account is refused.
    expect(await c.request({ type: 'refresh', token: (await token()).token })).toMatchObject({ type: 'refreshed' });
    const someone = await userToken(t.secretKey, { sub: `staff_${modId}`, role: 'moderator' });
    expect(await c.request({ type: 'refresh', token: someone })).toMatchObject({ type: 'error', code: 'unauthorized' });
    c.close();
    ann.close();
  });

  it("from the server's own origin, a user's token and a guest are refused with 4501; from another origin the upgrade is 403", async () => {
    const user = await helloOutcome(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'ann' }) });
    // Without an Origin (a server-side client) a user's token is fine, as before.
    expect(user.welcome).toMatchObject({ user: 'ann' });
    for (const hello of [{ token: await userToken(t.secretKey, { sub: 'ann', role: 'moderator' }) }, {}]) {
      const c = await connect(s.wsUrl, t.publishableKey, { origin: s.url });
      c.send({ type: 'hello', ...hello });
      expect((await c.closed).code).toBe(4501);
      expect(c.frames.find((f) => f.type === 'error')).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('dashboard') });
    }
    const refused = await connect(s.wsUrl, t.publishableKey, { origin: 'https://evil.example' }).catch((e) => e);
    expect(refused.status).toBe(403);
    // The page the site allows still connects with the staff token too (it is just a moderator token).
    const c = await connect(s.wsUrl, t.publishableKey, { origin: 'https://shop.example' });
    expect(await c.request({ type: 'hello', token: (await token()).token })).toMatchObject({ type: 'welcome', role: 'moderator' });
    c.close();
  });

  it("a staff token is the server's own: the tenant's secret key cannot make one, and one for another tenant is refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ role: 'moderator' })
      .setProtectedHeader({ alg: 'HS256', kid: 'staff' })
      .setSubject('staff_x')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(t.secretKey));
    for (const tok of [forged, (await admin(`/tenants/${s.demo.tenantId}/console-token`, { method: 'POST' })).body.token]) {
      const c = await connect(s.wsUrl, t.publishableKey, { origin: s.url });
      c.send({ type: 'hello', token: tok });
      expect((await c.closed).code).toBe(4501);
    }
    // The admin token's console is `staff_admin-token`.
    expect((await admin(`/tenants/${t.tenantId}/console-token`, { method: 'POST' })).body.user).toBe('staff_admin-token');
  });

  it('lists the rooms in name order, in pages, by prefix; bad queries are bad_request', async () => {
    const u = await create();
    for (const r of ['b-2', 'a-1', 'b-1', 'b_x', 'c']) await v1(u.secretKey, `/rooms/${r}`, { method: 'PUT', body: { private: r === 'c' } });
    await v1(u.secretKey, '/rooms/a-1/messages', { method: 'POST', body: { id: 'm1', user: 'ann', text: 'hi' } });
    const rooms = (q: string) => admin(`/tenants/${u.tenantId}/rooms${q}`);
    expect((await rooms('')).body).toEqual({
      rooms: [
        { room: 'a-1', private: false, headSeq: 1 },
        { room: 'b-1', private: false, headSeq: 0 },
        { room: 'b-2', private: false, headSeq: 0 },
        { room: 'b_x', private: false, headSeq: 0 },
        { room: 'c', private: true, headSeq: 0 },
      ],
      next: null,
    });
    const first = await rooms('?prefix=b-&limit=1');
    expect(first.body).toEqual({ rooms: [{ room: 'b-1', private: false, headSeq: 0 }], next: 'b-1' });
    expect((await rooms('?prefix=b-&limit=1&after=b-1')).body.rooms.map((r: { room: string }) => r.room)).toEqual(['b-2']);
    // `_` is a character here, not a LIKE wildcard.
    expect((await rooms('?prefix=b_')).body.rooms.map((r: { room: string }) => r.room)).toEqual(['b_x']);
    // Another tenant's rooms are not listed.
    expect((await admin(`/tenants/${t.tenantId}/rooms?prefix=b-`)).body.rooms).toEqual([]);
    for (const q of ['?limit=0', '?limit=201', '?limit=x', '?limit=1e2', '?limit=0x10', '?limit=%2050', '?limit=5.0', '?prefix=a%20b', `?prefix=${'a'.repeat(65)}`, '?after=%2F'])
      expect(await rooms(q), q).toMatchObject({ status: 400, body: errorBody('bad_request') });
    // A long id is no tenant: 404 like any other, never the schema library's own words.
    expect(await admin(`/tenants/${'t'.repeat(65)}/rooms`)).toMatchObject({ status: 404, body: errorBody('not_found') });
  });
});
