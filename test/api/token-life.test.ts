import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { backends } from '../helpers/backends';
import { client, connect, join, userToken } from '../helpers/client';
import { patchSettings, startTestServer, type TestServer } from '../helpers/server';

describe.each(backends())('token expiry, refresh and maxTokenLifetime on %s', (backend) => {
  let s: TestServer;
  // The server's clock: the tests move it past a token's exp instead of waiting.
  let offset = 0;
  beforeAll(async () => {
    // A long heartbeat, so moving the clock does not also make every socket look dead.
    s = await startTestServer({ backend, now: () => Date.now() + offset, sweepMs: 50, heartbeatMs: 3_600_000 });
  });
  afterAll(() => s?.stop());

  const token = (sub: string, expSeconds: number, claims: { rooms?: string[] } = {}) => userToken(s.demo.secretKey, { sub, name: sub, ...claims }, { expSeconds });
  const as = async (sub: string, expSeconds: number) => client(s.wsUrl, s.demo.publishableKey, { token: await token(sub, expSeconds) });
  const api = (path: string, init: { method?: string; body?: unknown } = {}) =>
    fetch(`${s.url}/v1${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${s.demo.secretKey}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  it('welcome says when the token expires; at exp the socket gets unauthorized and 4501, unless it refreshed', async () => {
    const start = 0;
    const lapsing = await as('lapse', 120);
    const kept = await as('keep', 120);
    const expected = Math.floor(Date.now() / 1000) + 120;
    expect(Math.abs(kept.welcome.expiresAt - expected * 1000)).toBeLessThanOrEqual(1000);
    const r = await kept.request({ type: 'refresh', token: await token('keep', 600) });
    expect(r.type).toBe('refreshed');
    expect(r.expiresAt).toBeGreaterThan(kept.welcome.expiresAt);

    offset = start + 121_000;
    // The socket that did not refresh closes at its exp: proof a sweep ran after the clock moved.
    expect(await lapsing.next((f) => f.type === 'error')).toMatchObject({ code: 'unauthorized', message: 'token expired' });
    expect((await lapsing.closed).code).toBe(4501);
    // The refreshed one lives on.
    expect((await kept.request({ type: 'ping' })).type).toBe('pong');

    offset = start + 601_000;
    expect((await kept.closed).code).toBe(4501);
    offset = 0;
  });

  it('a refresh must be valid and for the same user; a refused one changes nothing', async () => {
    const ann = await as('ann', 300);
    expect(await ann.request({ type: 'refresh', token: await token('bob', 300) })).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect(await ann.request({ type: 'refresh', token: 'not a jwt' })).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect(await ann.request({ type: 'refresh', token: await token('ann', -10) })).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect(await ann.request({ type: 'refresh' })).toMatchObject({ type: 'error', code: 'bad_request' });
    expect((await ann.request({ type: 'ping' })).type).toBe('pong');
    ann.close();
  });

  it('a refreshed token that no longer names a private room puts the socket out of it', async () => {
    expect((await api('/rooms/vault', { method: 'PUT', body: { private: true } })).status).toBe(200);
    const c = await client(s.wsUrl, s.demo.publishableKey, { token: await token('carol', 300, { rooms: ['vault'] }) });
    await join(c, 'vault');
    const r = await c.request({ type: 'refresh', token: await token('carol', 300) });
    expect(r.type).toBe('refreshed');
    expect(c.frames.find((f) => f.type === 'error' && f.room === 'vault')).toMatchObject({ code: 'forbidden' });
    expect(c.frames.some((f) => f.type === 'left' && f.room === 'vault')).toBe(true);
    expect(await c.request({ type: 'message', room: 'vault', id: 'v1', text: 'hi' })).toMatchObject({ code: 'forbidden' });
    c.close();
  });

  it('refuses tokens that live longer than maxTokenLifetime (24 h by default), exp in milliseconds included', async () => {
    const hello = async (t: string) => {
      const c = await connect(s.wsUrl, s.demo.publishableKey);
      const answer = await c.request({ type: 'hello', token: t });
      return { answer, closed: await c.closed };
    };
    const day = await hello(await token('d', 25 * 3600));
    expect(day.answer).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect(day.closed.code).toBe(4501);
    const now = Math.floor(Date.now() / 1000);
    const ms = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('m').setIssuedAt(now).setExpirationTime(now * 1000 + 3600_000).sign(new TextEncoder().encode(s.demo.secretKey));
    expect((await hello(ms)).closed.code).toBe(4501);
    expect((await as('fine', 23 * 3600)).welcome.type).toBe('welcome');

    await patchSettings(s, { maxTokenLifetime: 3600 });
    expect((await hello(await token('d2', 7200))).closed.code).toBe(4501);
    expect((await api('/tokens', { method: 'POST', body: { user: 'x', ttlSeconds: 7200 } })).status).toBe(400);
    const made = await api('/tokens', { method: 'POST', body: { user: 'x' } });
    expect(made.status).toBe(201);
    const { expiresAt } = (await made.json()) as { expiresAt: number };
    expect(Math.abs(expiresAt - (Date.now() + offset + 3600_000))).toBeLessThan(5000);
    await patchSettings(s, { maxTokenLifetime: 86_400 });
  });
});
