import { SignJWT, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, connect, join, rawUpgrade, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';

const admin = (s: TestServer, path: string, init: RequestInit = {}) =>
  fetch(`${s.url}/admin/api${path}`, {
    ...init,
    headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
  }).then((r) => r.json() as Promise<any>);

describe.each(backends())('authentication and bad input on %s', (backend) => {
  let s: TestServer;
  let other: { tenantId: string; publishableKey: string; secretKey: string };
  beforeAll(async () => {
    s = await startTestServer({ backend, helloTimeoutMs: 300 });
    other = await admin(s, '/tenants', { method: 'POST', body: JSON.stringify({ name: 'other', origins: ['https://other.example'] }) });
  });
  afterAll(() => s?.stop());

  it('refuses an unknown key with 401 and a foreign Origin with 403 before upgrading', async () => {
    await expect(connect(s.wsUrl, 'pk_nope')).rejects.toMatchObject({ status: 401 });
    await expect(connect(s.wsUrl, other.publishableKey, { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    const ok = await connect(s.wsUrl, other.publishableKey, { origin: 'https://other.example' });
    ok.close();
    // No Origin at all is a server-side client and passes.
    (await connect(s.wsUrl, other.publishableKey)).close();
  });

  const refused = async (token: string, key = s.demo.publishableKey) => {
    const c = await connect(s.wsUrl, key);
    c.send({ type: 'hello', token, rid: 'h' });
    const err = await c.next((f) => f.rid === 'h');
    expect(err).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect((await c.closed).code).toBe(4501);
  };

  it('closes with 4501 for a bad signature, alg none, expired, no exp, future iat and another tenant’s token', async () => {
    await refused(await userToken('sk_wrong', { sub: 'u1' }));
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(
      JSON.stringify({ sub: 'u1', exp: Math.floor(Date.now() / 1000) + 600 }),
    )}.`;
    await refused(none);
    await refused(await userToken(s.demo.secretKey, { sub: 'u1' }, { expSeconds: -10 }));
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('u1').sign(new TextEncoder().encode(s.demo.secretKey));
    await refused(noExp);
    const future = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u1')
      .setIssuedAt(Math.floor(Date.now() / 1000) + 600)
      .setExpirationTime(Math.floor(Date.now() / 1000) + 1200)
      .sign(new TextEncoder().encode(s.demo.secretKey));
    await refused(future);
    await refused(await userToken(other.secretKey, { sub: 'u1' }));
    // A good token works, and identity comes from it.
    const c = await client(s.wsUrl, s.demo.publishableKey, { token: await userToken(s.demo.secretKey, { sub: 'alice', name: 'Alice', role: 'moderator' }) });
    expect(c.welcome).toMatchObject({ user: 'alice', name: 'Alice', role: 'moderator', heartbeatMs: 15000 });
    expect(c.welcome.guestToken).toBeUndefined();
    expect(c.welcome.limits).toEqual({ maxTextLength: 4000, maxFrameBytes: 65536, messagesPerSecond: 5, burst: 10 });
    c.close();
  });

  it('answers refused upgrades in the API error shape, other paths with 404, and a plain GET with 426', async () => {
    const refused = await rawUpgrade(s.port, '/v1/ws?key=pk_nope');
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({ error: { code: 'unauthorized', message: 'unknown key' } });
    expect((await rawUpgrade(s.port, `/v1/other?key=${s.demo.publishableKey}`)).status).toBe(404);
    const plain = await fetch(`${s.url}/v1/ws?key=${s.demo.publishableKey}`);
    expect(plain.status).toBe(426);
    expect(((await plain.json()) as any).error.code).toBe('bad_request');
  });

  it('answers a binary frame as bad_request and keeps the connection', async () => {
    const c = await client(s.wsUrl, s.demo.publishableKey, { name: 'Bin' });
    c.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
    expect(await c.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_request' });
    expect(await c.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    c.close();
  });

  it('answers frames before hello with unauthorized and closes with 4008 when no hello comes in time', async () => {
    const c = await connect(s.wsUrl, s.demo.publishableKey);
    expect(await c.request({ type: 'join', room: 'x' })).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect((await c.closed).code).toBe(4008);
  });

  it('refuses guests where the tenant does not allow them', async () => {
    const c = await connect(s.wsUrl, other.publishableKey);
    expect(await c.request({ type: 'hello', name: 'g' })).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect((await c.closed).code).toBe(4501);
  });

  it('answers malformed frames with coded errors, stores nothing, and keeps the connection', async () => {
    const c = await client(s.wsUrl, s.demo.publishableKey, { name: 'Bad' });
    await join(c, 'badinput');
    const cases: [unknown, string][] = [
      ['not json', 'bad_request'],
      [[1, 2], 'bad_request'],
      [{ type: 'shout' }, 'bad_request'],
      [{ type: 'message', room: 'badinput', id: 'x1' }, 'bad_request'],
      [{ type: 'message', room: 'badinput', id: 'x1', text: 5 }, 'bad_request'],
      [{ type: 'message', room: 'bad room', id: 'x1', text: 'hi' }, 'bad_request'],
      [{ type: 'message', room: 'r'.repeat(65), id: 'x1', text: 'hi' }, 'bad_request'],
      [{ type: 'message', room: 'badinput', id: 'bad id!', text: 'hi' }, 'bad_request'],
      [{ type: 'message', room: 'badinput', id: 'i'.repeat(65), text: 'hi' }, 'bad_request'],
      [{ type: 'join', room: 'badinput', limit: 0 }, 'bad_request'],
      [{ type: 'join', room: 'badinput', limit: 201 }, 'bad_request'],
      [{ type: 'typing', room: 'badinput', active: 'yes' }, 'bad_request'],
      [{ type: 'message', room: 'notjoined', id: 'x1', text: 'hi' }, 'forbidden'],
      [{ type: 'typing', room: 'notjoined', active: true }, 'forbidden'],
      [{ type: 'message', room: 'badinput', id: 'x2', text: 'é'.repeat(4001) }, 'too_large'],
    ];
    for (const [frame, code] of cases) {
      const rid = `c${cases.findIndex((x) => x[0] === frame)}`;
      if (typeof frame === 'string' || Array.isArray(frame)) {
        c.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
        const err = await c.next((f) => f.type === 'error' && f.rid === undefined && !c.frames.slice(0, -1).includes(f));
        expect(err.code, JSON.stringify(frame)).toBe(code);
        c.frames.length = 0;
      } else {
        const err = await c.request(frame as Record<string, unknown>);
        expect(err, `${rid} ${JSON.stringify(frame).slice(0, 80)}`).toMatchObject({ type: 'error', code });
      }
    }
    // Exactly 4000 code points (emoji are two UTF-16 units each) is fine.
    expect(await c.request({ type: 'message', room: 'badinput', id: 'ok1', text: '😀'.repeat(4000) })).toMatchObject({ type: 'ack', seq: 1 });
    expect(await c.request({ type: 'ping' })).toMatchObject({ type: 'pong', ts: expect.any(Number) });
    const res = await fetch(`${s.url}/v1/rooms/badinput/messages`, { headers: { authorization: `Bearer ${s.demo.secretKey}` } });
    expect(((await res.json()) as any).messages.map((m: any) => m.id)).toEqual(['ok1']);
    c.close();
  });

  it('closes a frame over maxFrameBytes with 1009, and floods of bad frames with 4029', async () => {
    const big = await client(s.wsUrl, s.demo.publishableKey, { name: 'Big' });
    big.send(JSON.stringify({ type: 'message', room: 'x', id: 'big', text: 'x'.repeat(70 * 1024) }));
    expect((await big.closed).code).toBe(1009);
    const flood = await client(s.wsUrl, s.demo.publishableKey, { name: 'Flood' });
    for (let i = 0; i < 25; i++) flood.send('nope');
    expect((await flood.closed).code).toBe(4029);
    // The server still serves others.
    const fine = await client(s.wsUrl, s.demo.publishableKey, { name: 'Fine' });
    expect(await fine.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    fine.close();
  });

  it('rate-limits messages per user with a token bucket and says when to retry', async () => {
    const c = await client(s.wsUrl, s.demo.publishableKey, { name: 'Fast' });
    await join(c, 'rate');
    const answers = await Promise.all(
      Array.from({ length: 14 }, (_, i) => c.request({ type: 'message', room: 'rate', id: `f${i}`, text: `${i}` })),
    );
    const acks = answers.filter((a) => a.type === 'ack');
    const limited = answers.filter((a) => a.type === 'error');
    expect(acks).toHaveLength(10);
    expect(limited.every((e) => e.code === 'rate_limited' && e.retryAfterMs > 0 && e.retryAfterMs <= 200)).toBe(true);
    await new Promise((r) => setTimeout(r, limited[0].retryAfterMs + 10));
    expect(await c.request({ type: 'message', room: 'rate', id: 'later', text: 'ok' })).toMatchObject({ type: 'ack' });
    c.close();
  });

  it('isolates tenants: the same room name in two tenants shares nothing', async () => {
    await admin(s, `/tenants/${other.tenantId}`, { method: 'PATCH', body: JSON.stringify({ guests: true }) });
    const a = await client(s.wsUrl, s.demo.publishableKey, { name: 'A' });
    const b = await client(s.wsUrl, other.publishableKey, { name: 'B' });
    await join(a, 'shared');
    await a.request({ type: 'message', room: 'shared', id: 'secret', text: 'tenant A only' });
    const jb = await join(b, 'shared');
    expect(jb).toMatchObject({ headSeq: 0, messages: [], online: 1 });
    expect(jb.presence.map((p: any) => p.user)).toEqual([b.welcome.user]);
    await b.request({ type: 'message', room: 'shared', id: 'bmsg', text: 'tenant B' });
    expect(await b.request({ type: 'delete', room: 'shared', id: 'secret' })).toMatchObject({ code: 'not_found' });
    await a.request({ type: 'ping' });
    expect(a.frames.filter((f) => f.type === 'message').map((f) => f.id)).toEqual(['secret']);
    expect(b.frames.filter((f) => f.type === 'message').map((f) => f.id)).toEqual(['bmsg']);
    // A's token in B's tenant is refused.
    await refused(await userToken(s.demo.secretKey, { sub: 'alice' }), other.publishableKey);
    a.close();
    b.close();
  });
});
