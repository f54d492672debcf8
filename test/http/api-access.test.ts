import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { errorBody, eventually, helloOutcome, http } from './http';

describe.each(backends())('HTTP API: tokens, private rooms and secret keys on %s', (backend) => {
  let s: TestServer;
  let sk: string;
  const api = (path: string, opts: Parameters<typeof http>[1] = {}) => http(`${s.url}/v1${path}`, { bearer: sk, ...opts });
  const post = (room: string, body: object) => api(`/rooms/${room}/messages`, { method: 'POST', body });
  const tokenFor = async (claims: object) => {
    const r = await api('/tokens', { method: 'POST', body: claims });
    expect(r.status).toBe(201);
    return r.body.token as string;
  };

  beforeAll(async () => {
    s = await startTestServer({ backend });
    sk = s.demo.secretKey;
  });
  afterAll(() => s?.stop());

  describe('POST /v1/tokens', () => {
    it('answers 201 {token, expiresAt}, and the token is accepted in hello', async () => {
      const before = Date.now();
      const r = await api('/tokens', { method: 'POST', body: { user: 'ann', name: 'Ann', role: 'moderator', ttlSeconds: 120 } });
      expect(r.status).toBe(201);
      expect(Object.keys(r.body).sort()).toEqual(['expiresAt', 'token']);
      // expiresAt is milliseconds since the epoch, whole seconds from now.
      expect(r.body.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 119_000);
      expect(r.body.expiresAt).toBeLessThanOrEqual(Date.now() + 121_000);
      const c = await client(s.wsUrl, s.demo.publishableKey, { token: r.body.token });
      expect(c.welcome).toMatchObject({ user: 'ann', name: 'Ann', role: 'moderator' });
      expect(c.welcome.guestToken).toBeUndefined();
      c.close();
    });

    it('defaults to a member token valid for an hour', async () => {
      const r = await api('/tokens', { method: 'POST', body: { user: 'bo' } });
      expect(r.status).toBe(201);
      expect(Math.abs(r.body.expiresAt - (Date.now() + 3_600_000))).toBeLessThan(5_000);
      const c = await client(s.wsUrl, s.demo.publishableKey, { token: r.body.token });
      expect(c.welcome).toMatchObject({ user: 'bo', name: 'bo', role: 'member' });
      c.close();
    });

    it.each([
      ['not JSON', 'user=ann'],
      ['a JSON array', [{ user: 'ann' }]],
      ['no user', {}],
      ['an empty user', { user: '' }],
      ['a numeric user', { user: 7 }],
      ['a user over 128 characters', { user: 'u'.repeat(129) }],
      ['an unknown role', { user: 'ann', role: 'admin' }],
      ['rooms not a list', { user: 'ann', rooms: 'vip' }],
      ['a malformed room in rooms', { user: 'ann', rooms: ['no spaces'] }],
      ['ttlSeconds 0', { user: 'ann', ttlSeconds: 0 }],
      ['a fractional ttlSeconds', { user: 'ann', ttlSeconds: 1.5 }],
      ['a string ttlSeconds', { user: 'ann', ttlSeconds: '60' }],
      ['a numeric name', { user: 'ann', name: 5 }],
    ])('refuses %s with 400 bad_request', async (_what, body) => {
      const r = await api('/tokens', { method: 'POST', body });
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(r.body).toEqual(errorBody('bad_request'));
    });
  });

  describe('PUT /v1/rooms/:room', () => {
    const joinAs = async (claims: { sub: string; rooms?: string[] }, room: string) => {
      const c = await client(s.wsUrl, s.demo.publishableKey, { token: await tokenFor({ user: claims.sub, rooms: claims.rooms }) });
      const answer = await c.request({ type: 'join', room });
      c.close();
      return answer;
    };

    it('makes a private room: members and a token naming it may join, others get forbidden', async () => {
      const r = await api('/rooms/vip', { method: 'PUT', body: { private: true, members: ['m1', 'm2', 'm1'] } });
      expect(r.status).toBe(200);
      expect({ ...r.body, members: [...r.body.members].sort() }).toEqual({ room: 'vip', private: true, members: ['m1', 'm2'], headSeq: 0 });

      expect(await joinAs({ sub: 'm1' }, 'vip')).toMatchObject({ type: 'joined', room: 'vip', headSeq: 0 });
      expect(await joinAs({ sub: 'stranger' }, 'vip')).toMatchObject({ type: 'error', code: 'forbidden' });
      expect(await joinAs({ sub: 'invited', rooms: ['vip'] }, 'vip')).toMatchObject({ type: 'joined' });
      expect(await joinAs({ sub: 'elsewhere', rooms: ['other'] }, 'vip')).toMatchObject({ type: 'error', code: 'forbidden' });
      const guest = await client(s.wsUrl, s.demo.publishableKey, { name: 'Guest' });
      expect(await guest.request({ type: 'join', room: 'vip' })).toMatchObject({ type: 'error', code: 'forbidden' });
      guest.close();
    });

    it('replaces the member list, keeps privacy when only members change, and can open the room', async () => {
      await api('/rooms/club', { method: 'PUT', body: { private: true, members: ['old'] } });
      const r = await api('/rooms/club', { method: 'PUT', body: { members: ['new'] } });
      expect(r.body).toMatchObject({ room: 'club', private: true, members: ['new'] });
      expect(await joinAs({ sub: 'new' }, 'club')).toMatchObject({ type: 'joined' });
      expect(await joinAs({ sub: 'old' }, 'club')).toMatchObject({ type: 'error', code: 'forbidden' });
      const open = await api('/rooms/club', { method: 'PUT', body: { private: false } });
      expect(open.body).toMatchObject({ private: false, members: ['new'] });
      expect(await joinAs({ sub: 'old' }, 'club')).toMatchObject({ type: 'joined' });
    });

    it('makes an existing public room private without losing its messages', async () => {
      await post('was-public', { id: 'w1', user: 'ann', text: 'before' });
      const r = await api('/rooms/was-public', { method: 'PUT', body: { private: true, members: [] } });
      expect(r.body).toEqual({ room: 'was-public', private: true, members: [], headSeq: 1 });
      expect(await joinAs({ sub: 'ann' }, 'was-public')).toMatchObject({ type: 'error', code: 'forbidden' });
      const page = await api('/rooms/was-public/messages');
      expect(page.body.messages).toHaveLength(1);
    });

    it.each([
      ['not JSON', 'private'],
      ['private not a boolean', { private: 'yes' }],
      ['members not a list', { members: 'm1' }],
      ['a numeric member', { members: [1] }],
      ['an empty member', { members: [''] }],
    ])('refuses %s with 400 bad_request', async (_what, body) => {
      const r = await api('/rooms/put-bad', { method: 'PUT', body });
      expect(r.status).toBe(400);
      expect(r.body).toEqual(errorBody('bad_request'));
      expect((await api('/rooms/put-bad/messages')).status).toBe(404);
    });
  });

  describe('secret key', () => {
    beforeAll(async () => {
      await post('guarded', { id: 'g1', user: 'ann', text: 'one' });
      await post('guarded', { id: 'g2', user: 'ann', text: 'two' });
    });

    const routes: [string, string, object?][] = [
      ['POST', '/tokens', { user: 'ann' }],
      ['GET', '/rooms/guarded/messages'],
      ['POST', '/rooms/guarded/messages', { id: 'k1', user: 'ann', text: 'hi' }],
      ['DELETE', '/rooms/guarded/messages/g1'],
      ['PUT', '/rooms/guarded', { private: true }],
    ];

    it.each([
      ['no Authorization header', undefined],
      ['an empty bearer', ''],
      ['an unknown secret key', 'sk_thisIsNotAKeyOfAnyTenantAtAll'],
      ['the publishable key', 'publishable'],
      ['the admin token', 'admin'],
    ])('%s is 401 unauthorized on every route, and nothing changes', async (_what, which) => {
      const bearer = which === 'publishable' ? s.demo.publishableKey : which === 'admin' ? s.adminToken : which;
      for (const [method, path, body] of routes) {
        const r = await http(`${s.url}/v1${path}`, { method, bearer, body });
        expect(r.status, `${method} ${path}`).toBe(401);
        expect(r.body).toEqual(errorBody('unauthorized'));
      }
      const page = await api('/rooms/guarded/messages');
      expect(page.body.messages.map((m: any) => [m.id, m.text])).toEqual([
        ['g1', 'one'],
        ['g2', 'two'],
      ]);
      expect((await api('/rooms/guarded', { method: 'PUT', body: {} })).body.private).toBe(false);
    });

    it('the Bearer scheme is case-insensitive', async () => {
      const r = await http(`${s.url}/v1/rooms/guarded/messages`, { headers: { authorization: `bearer ${sk}` } });
      expect(r.status).toBe(200);
    });

    it('a Basic Authorization header carrying a real key is 401', async () => {
      const r = await http(`${s.url}/v1/rooms/guarded/messages`, { headers: { authorization: `Basic ${sk}` } });
      expect(r.status).toBe(401);
    });

    it('a revoked secret key is 401', async () => {
      const admin = (path: string, method: string) => http(`${s.url}/admin/api/tenants/${s.demo.tenantId}${path}`, { method, bearer: s.adminToken });
      const made = await admin('/secret-keys', 'POST');
      expect(made.status).toBe(201);
      const key = made.body.secretKey;
      expect((await http(`${s.url}/v1/rooms/guarded/messages`, { bearer: key })).status).toBe(200);
      expect((await admin(`/secret-keys/${made.body.prefix}`, 'DELETE')).status).toBe(204);
      await eventually(async () => {
        const r = await http(`${s.url}/v1/rooms/guarded/messages`, { bearer: key });
        expect(r.status).toBe(401);
        expect(r.body).toEqual(errorBody('unauthorized'));
      });
      // The other keys are untouched.
      expect((await api('/rooms/guarded/messages')).status).toBe(200);
      const token = await userToken(key, { sub: 'late' });
      expect((await helloOutcome(s.wsUrl, s.demo.publishableKey, { token })).close).toBe(4501);
    });
  });
});
