import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemResolver, type Resolver } from '../../api/chat/address-guard';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls } from './http';

// A tenant controls its webhook's name, so it controls the DNS server that answers for it,
// and that server can simply never answer. The lookup is part of the request's deadline.
describe("a webhook name whose DNS never answers", () => {
  let s: TestServer;
  const { admin, create } = calls(() => s);
  let lookups = 0;
  const resolve: Resolver = (host) => {
    if (host !== 'stuck.example') return systemResolver(host);
    lookups++;
    return new Promise(() => {});
  };
  beforeAll(async () => {
    s = await startTestServer({ allowPrivateWebhooks: false, webhookNetwork: { resolve } });
  }, 60_000);
  afterAll(() => s?.stop());

  it('fails the pre-send hook at its timeout instead of holding the message', async () => {
    const t = await create();
    const patch = { settings: { preSendUrl: 'http://stuck.example/hook', preSendTimeoutMs: 300, preSendFailOpen: false } };
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: patch })).status).toBe(200);
    const c = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'ann', name: 'Ann' }) });
    await join(c, 'r');
    // Far longer than the 300 ms deadline; without one the answer never comes.
    expect(await c.request({ type: 'message', room: 'r', id: 'm1', text: 'hi' }, 20_000)).toMatchObject({ type: 'error', code: 'rejected' });
    expect(lookups).toBe(1);
    c.close();
  }, 60_000);
});
