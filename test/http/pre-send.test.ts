import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody } from './http';

/** The tenant's backend: checks each signature and answers by the message's text. */
async function startHook(secret: () => string) {
  const seen: { id: string; text: string; verified: boolean }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      let verified = true;
      try {
        new Webhook(secret()).verify(raw, req.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      const body = JSON.parse(raw);
      const text: string = body.message.text;
      seen.push({ id: body.message.id, text, verified });
      const answer = (status: number, json?: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(json ? JSON.stringify(json) : '');
      if (text.startsWith('reject')) return answer(200, { action: 'reject', reason: 'not on our site' });
      if (text.startsWith('replace')) return answer(200, { action: 'replace', text: 'replaced by the site' });
      if (text.startsWith('broken')) return answer(500);
      if (text.startsWith('slow')) return void setTimeout(() => answer(200, { action: 'allow' }), 1500);
      if (text.startsWith('empty')) return answer(204);
      answer(200, { action: 'allow' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen, close: () => new Promise((r) => server.close(r)) };
}

describe.each(backends())('the pre-send webhook on %s', (backend) => {
  let s: TestServer;
  let secret = '';
  let hook: Awaited<ReturnType<typeof startHook>>;
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend });
    hook = await startHook(() => secret);
  });
  afterAll(async () => {
    await hook?.close();
    await s?.stop();
  });

  async function setup(settings: object) {
    const t = await create();
    secret = (await admin(`/tenants/${t.tenantId}/webhook-secret`)).body.secret;
    expect(secret).toMatch(/^whsec_/);
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { preSendUrl: hook.url, preSendTimeoutMs: 300, ...settings } } })).status).toBe(200);
    const c = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'ann', name: 'Ann' }) });
    await join(c, 'r');
    const send = (id: string, text: string) => c.request({ type: 'message', room: 'r', id, text });
    const stored = async () => ((await v1(t.secretKey, '/rooms/r/messages')).body.messages as { id: string; text: string }[]).map((m) => [m.id, m.text]);
    return { t, c, send, stored };
  }

  it('asks the site, signed, before storing: allow, reject with its reason, replace the text', async () => {
    const { t, c, send, stored } = await setup({});
    hook.seen.length = 0;
    expect(await send('a1', 'hello')).toMatchObject({ type: 'ack', seq: 1 });
    expect(await send('a2', 'empty answer means yes')).toMatchObject({ type: 'ack', seq: 2 });
    expect(await send('a3', 'reject this')).toMatchObject({ type: 'error', code: 'rejected', message: 'not on our site' });
    expect(await send('a4', 'replace this')).toMatchObject({ type: 'ack', seq: 3, text: 'replaced by the site' });
    // A resend of a stored id is answered from the database, without asking again.
    expect(await send('a1', 'hello')).toMatchObject({ type: 'ack', seq: 1, duplicate: true });
    // The tenant's backend posting over HTTP goes through the hook too.
    const http = await v1(t.secretKey, '/rooms/r/messages', { method: 'POST', body: { id: 'h1', user: 'bot', text: 'reject me too' } });
    expect(http).toMatchObject({ status: 422, body: errorBody('rejected') });
    expect(hook.seen.map((x) => [x.id, x.verified])).toEqual([
      ['a1', true],
      ['a2', true],
      ['a3', true],
      ['a4', true],
      ['h1', true],
    ]);
    expect(await stored()).toEqual([
      ['a1', 'hello'],
      ['a2', 'empty answer means yes'],
      ['a4', 'replaced by the site'],
    ]);
    c.close();
  });

  it('lets messages through when the hook fails or is late, unless the tenant chose to fail closed', async () => {
    const open = await setup({ preSendFailOpen: true });
    expect(await open.send('o1', 'broken hook')).toMatchObject({ type: 'ack', seq: 1 });
    expect(await open.send('o2', 'slow hook')).toMatchObject({ type: 'ack', seq: 2 });
    open.c.close();
    const closed = await setup({ preSendFailOpen: false });
    expect(await closed.send('c1', 'broken hook')).toMatchObject({ type: 'error', code: 'rejected' });
    expect(await closed.send('c2', 'slow hook')).toMatchObject({ type: 'error', code: 'rejected' });
    expect(await closed.send('c3', 'fine')).toMatchObject({ type: 'ack', seq: 1 });
    expect(await closed.stored()).toEqual([['c3', 'fine']]);
    closed.c.close();
  });

  it('validates the settings', async () => {
    const t = await create();
    for (const settings of [{ preSendUrl: 'ftp://x' }, { preSendUrl: 'not a url' }, { preSendTimeoutMs: 50 }, { preSendFailOpen: 'no' }])
      expect(await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings } })).toMatchObject({ status: 400, body: errorBody('bad_request') });
    expect((await admin('/tenants/t_nope/webhook-secret')).status).toBe(404);
  });
});
