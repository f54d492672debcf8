import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { calls, errorBody } from '../http/http';

describe.each(backends())('a slow pre-send hook, on %s', (backend) => {
  let s: TestServer;
  let secret = '';
  // The tenant's backend holds every hook request until the test lets it go.
  const held: (() => void)[] = [];
  let arrived: (() => void) | null = null;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend });
    hook = await startWebhookReceiver(
      () => secret,
      () =>
        new Promise((reply) => {
          held.push(() => reply({ status: 200, json: { action: 'allow' } }));
          arrived?.();
        }),
    );
  });
  afterAll(async () => {
    for (const release of held) release();
    await hook?.close();
    await s?.stop();
  });
  const hookHas = (n: number) =>
    new Promise<void>((resolve) => {
      if (held.length >= n) return resolve();
      arrived = () => held.length >= n && resolve();
    });

  it('never stalls its connection: pings, typing and reads are answered while it is pending; messages still commit in order', async () => {
    const t = await create();
    secret = (await admin(`/tenants/${t.tenantId}/webhook-secret`)).body.secret;
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { preSendUrl: hook.url, preSendTimeoutMs: 5000 } } })).status).toBe(200);
    const c = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'ann', name: 'Ann' }) });
    const other = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'bob', name: 'Bob' }) });
    await join(c, 'r');
    await join(other, 'r');
    const first = c.request({ type: 'message', room: 'r', id: 'm1', text: 'first' }, 20_000);
    const second = c.request({ type: 'message', room: 'r', id: 'm2', text: 'second' }, 20_000);
    await hookHas(1);
    // The hook holds m1; everything else on the connection is answered meanwhile.
    expect(await c.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    c.send({ type: 'typing', room: 'r', active: true });
    await other.next((f) => f.type === 'typing' && f.user === 'ann' && f.active === true);
    expect(await c.request({ type: 'history', room: 'r', beforeSeq: 10 })).toMatchObject({ type: 'history', messages: [] });
    // m2 waits behind m1: its hook is not asked until m1 is queued.
    expect(held.length).toBe(1);
    held[0]();
    await hookHas(2);
    held[1]();
    const [a1, a2] = await Promise.all([first, second]);
    expect([a1.seq, a2.seq]).toEqual([1, 2]);
    expect(((await v1(t.secretKey, '/rooms/r/messages')).body.messages as { id: string }[]).map((m) => m.id)).toEqual(['m1', 'm2']);
    c.close();
    other.close();
  });

  it('may not be given a timeout near the client’s answer timeout', async () => {
    const t = await create();
    for (const preSendTimeoutMs of [5001, 10_000])
      expect(await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { preSendTimeoutMs } } })).toMatchObject({ status: 400, body: errorBody('bad_request') });
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { preSendTimeoutMs: 5000 } } })).status).toBe(200);
  });
});
