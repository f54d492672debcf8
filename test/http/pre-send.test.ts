import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { calls, errorBody } from './http';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The tenant's backend: answers by the message's text. */
const startHook = (secret: () => string) =>
  startWebhookReceiver(secret, async ({ body }) => {
    const text: string = body.message.text;
    if (text.startsWith('reject')) return { status: 200, json: { action: 'reject', reason: 'not on our site' } };
    if (text.startsWith('replace')) return { status: 200, json: { action: 'replace', text: 'replaced by the site' } };
    if (text.startsWith('broken')) return { status: 500 };
    if (text.startsWith('slow')) await sleep(1500);
    if (text.startsWith('lag')) await sleep(150);
    if (text.startsWith('empty')) return { status: 204 };
    if (text.startsWith('object')) return { status: 200, json: {} };
    if (text.startsWith('garbage')) return { status: 200, json: { action: 'explode' } };
    if (text.startsWith('loud')) return { status: 200, json: { action: 'reject', reason: `\u202eno\u0007 <b>way</b>\n\n${'!'.repeat(500)}` } };
    return { status: 200, json: { action: 'allow' } };
  });

describe.each(backends())('the pre-send webhook on %s', (backend) => {
  let s: TestServer;
  let secret = '';
  let hook: Awaited<ReturnType<typeof startHook>>;
  const logged: { msg: string; err: unknown }[] = [];
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend, log: (msg, err) => logged.push({ msg, err }) });
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
    hook.received.length = 0;
    expect(await send('a1', 'hello')).toMatchObject({ type: 'ack', seq: 1 });
    expect(await send('a2', 'empty answer means yes')).toMatchObject({ type: 'ack', seq: 2 });
    expect(await send('a3', 'reject this')).toMatchObject({ type: 'error', code: 'rejected', message: 'not on our site' });
    expect(await send('a4', 'replace this')).toMatchObject({ type: 'ack', seq: 3, text: 'replaced by the site' });
    // A message that waits on the hook still keeps its place before the next one sent.
    const [first, second] = await Promise.all([send('l1', 'lag first'), send('l2', 'then this')]);
    expect([first.seq, second.seq]).toEqual([4, 5]);
    // A resend of a stored id is answered from the database, without asking again.
    expect(await send('a1', 'hello')).toMatchObject({ type: 'ack', seq: 1, duplicate: true });
    // The tenant's backend posting over HTTP goes through the hook too.
    const http = await v1(t.secretKey, '/rooms/r/messages', { method: 'POST', body: { id: 'h1', user: 'bot', text: 'reject me too' } });
    expect(http).toMatchObject({ status: 422, body: errorBody('rejected') });
    expect(hook.received.map((x) => [x.body.message.id, x.verified])).toEqual([
      ['a1', true],
      ['a2', true],
      ['a3', true],
      ['a4', true],
      ['l1', true],
      ['l2', true],
      ['h1', true],
    ]);
    expect(await stored()).toEqual([
      ['a1', 'hello'],
      ['a2', 'empty answer means yes'],
      ['a4', 'replaced by the site'],
      ['l1', 'lag first'],
      ['l2', 'then this'],
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

  it('takes {} as allow, passes a reason on as short plain text, and logs a malformed answer once a minute without a stack', async () => {
    const { c, send } = await setup({ preSendFailOpen: true });
    expect(await send('b1', 'object answer')).toMatchObject({ type: 'ack', seq: 1 });
    const loud = await send('b2', 'loud reject');
    expect(loud).toMatchObject({ type: 'error', code: 'rejected' });
    expect(loud.message).toBe(`no <b>way</b> ${'!'.repeat(500)}`.slice(0, 200));
    logged.length = 0;
    for (const id of ['g1', 'g2', 'g3']) expect(await send(id, 'garbage answer')).toMatchObject({ type: 'ack' });
    const lines = logged.filter((l) => l.msg.startsWith('pre-send webhook of tenant'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toEqual({ msg: expect.stringContaining('an unknown action'), err: undefined });
    c.close();
  });

  it('validates the settings', async () => {
    const t = await create();
    for (const settings of [{ preSendUrl: 'ftp://x' }, { preSendUrl: 'not a url' }, { preSendTimeoutMs: 50 }, { preSendFailOpen: 'no' }])
      expect(await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings } })).toMatchObject({ status: 400, body: errorBody('bad_request') });
    expect((await admin('/tenants/t_nope/webhook-secret')).status).toBe(404);
  });
});
