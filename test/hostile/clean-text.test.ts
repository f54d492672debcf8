import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, connect, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody } from '../http/http';

// What one guest must not be able to set: it cannot be stored (Postgres refuses U+0000 and a
// lone surrogate) or has no place in chat (C0 controls).
const BAD = ['a\u0000b', 'lone \ud800 high', 'lone \udc00 low', 'bell \u0007', 'escape \u001b[31m'];

describe.each(backends())('text people set is clean Unicode, on %s', (backend) => {
  let s: TestServer;
  const logs: string[] = [];
  const { v1 } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend, log: (msg, err) => logs.push(`${msg} ${String((err as Error)?.message ?? '')}`) });
  });
  afterAll(() => s?.stop());

  it('refuses it with bad_request at the decoder, in every field of every frame, and the socket goes on', async () => {
    // A client per text: bad frames count towards the flood limit (close 4029).
    for (const t of BAD) {
      const c = await client(s.wsUrl, s.demo.publishableKey, { name: 'Ann' });
      await join(c, 'clean');
      for (const frame of [
        { type: 'message', room: 'clean', id: 'm1', text: t },
        { type: 'report', room: 'clean', id: 'm1', reason: t },
        { type: 'block', user: t },
        { type: 'join', room: t },
      ])
        expect(await c.request(frame)).toMatchObject({ type: 'error', code: 'bad_request' });
      c.close();
    }
    const c = await client(s.wsUrl, s.demo.publishableKey, { name: 'Ann' });
    await join(c, 'clean');
    // Newline and tab are text; an emoji (a surrogate pair) is one character.
    expect(await c.request({ type: 'message', room: 'clean', id: 'ok', text: 'line one\n\tline two 😀' })).toMatchObject({ type: 'ack', seq: 1 });
    c.close();
  });

  it('refuses a dirty display name in hello and in a token’s name claim', async () => {
    for (const name of BAD) {
      const c = await connect(s.wsUrl, s.demo.publishableKey);
      expect(await c.request({ type: 'hello', name })).toMatchObject({ type: 'error', code: 'bad_request' });
      const token = await userToken(s.demo.secretKey, { sub: 'u1', name });
      expect(await c.request({ type: 'hello', token })).toMatchObject({ type: 'error', code: 'bad_request' });
      // Still waiting for a good hello.
      expect(await c.request({ type: 'hello', name: 'Fine' })).toMatchObject({ type: 'welcome', name: 'Fine' });
      c.close();
    }
    const c = await connect(s.wsUrl, s.demo.publishableKey);
    expect(await c.request({ type: 'hello', token: await userToken(s.demo.secretKey, { sub: 'bad\u0000sub' }) })).toMatchObject({ type: 'error', code: 'bad_request' });
    c.close();
  });

  it('refuses it over HTTP with 400, and stores every clean message posted alongside', async () => {
    const sk = s.demo.secretKey;
    const posts = Array.from({ length: 30 }, (_, i) => {
      const dirty = i % 10 === 3;
      return v1(sk, '/rooms/http-clean/messages', {
        method: 'POST',
        body: { id: `h${i}`, user: 'bot', text: dirty ? BAD[i % BAD.length] : `fine ${i}` },
      });
    });
    const answers = await Promise.all(posts);
    answers.forEach((a, i) => expect(a.status).toBe(i % 10 === 3 ? 400 : 201));
    const stored = await v1(sk, '/rooms/http-clean/messages?limit=200');
    expect(stored.body.messages).toHaveLength(27);
    for (const [field, body] of [
      ['name', { id: 'n1', user: 'bot', name: 'x\u0000', text: 'hi' }],
      ['user', { id: 'n2', user: '\ud800', text: 'hi' }],
    ] as const)
      expect(await v1(sk, '/rooms/http-clean/messages', { method: 'POST', body }), field).toMatchObject({ status: 400, body: errorBody('bad_request') });
    expect(await v1(sk, '/tokens', { method: 'POST', body: { user: 'u', name: 'a\u0001' } })).toMatchObject({ status: 400 });
    expect(await v1(sk, '/bans/someone', { method: 'PUT', body: { reason: 'r\u0000' } })).toMatchObject({ status: 400 });
    expect(await v1(sk, '/rooms/priv', { method: 'PUT', body: { private: true, members: ['ok', 'b\u0000'] } })).toMatchObject({ status: 400 });
    expect(logs).toEqual([]);
  });
});
