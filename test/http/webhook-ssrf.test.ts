import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlockedAddress, safeAddress, systemResolver, type Resolver } from '../../api/chat/address-guard';
import { createWebhookHttp } from '../../api/chat/webhook-http';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { calls, eventually } from './http';

// Every spelling of a forbidden address a tenant might try; the WHATWG parser turns the
// numeric ones into dotted form, and names are resolved and their addresses checked.
const FORBIDDEN = [
  'http://127.0.0.1/',
  'http://127.9.9.9:8080/x',
  'http://localhost/',
  'http://LocalHost:9/',
  'http://vm/', // a name from the hosts file
  'http://[::1]/',
  'http://[0:0:0:0:0:0:0:1]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:7f00:1]/',
  'http://[::127.0.0.1]/',
  'http://[::ffff:169.254.169.254]/',
  'http://[64:ff9b::127.0.0.1]/',
  'http://[64:ff9b:1::a00:1]/', // local-use NAT64 (RFC 8215) to 10.0.0.1
  'http://[2002:7f00:1::]/', // 6to4 of 127.0.0.1
  'http://[2002:a9fe:a9fe::1]/', // 6to4 of the metadata address
  'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', // Teredo (carries 127.0.0.1, obfuscated)
  'http://2130706433/',
  'http://0177.0.0.1/',
  'http://0x7f.0.0.1/',
  'http://0x7f000001/',
  'http://127.1/',
  'http://0/',
  'http://0.0.0.0/',
  'http://[::]/',
  'http://169.254.169.254/latest/meta-data/',
  'http://0xa9fea9fe/',
  'http://[fd00:ec2::254]/',
  'http://100.100.100.200/',
  'http://10.0.0.1/',
  'http://172.16.5.4/',
  'http://192.168.1.1/',
  'http://[fc00::1]/',
  'http://[fe80::1]/',
  'http://224.0.0.1/',
  'http://[ff02::1]/',
  'http://255.255.255.255/',
];

/** Names under `.example` resolve as the test says; everything else as the system does. */
const fakeDns =
  (names: Record<string, string[]>): Resolver =>
  async (host) =>
    names[host] ? names[host].map((address) => ({ address, family: address.includes(':') ? 6 : 4 })) : systemResolver(host);

describe('the SSRF guard', () => {
  it('refuses every spelling of loopback, private, link-local, unique-local, multicast, unspecified, mapped and metadata addresses', async () => {
    const resolve = fakeDns({});
    for (const url of FORBIDDEN)
      await expect(safeAddress(new URL(url), { allowPrivate: false, resolve }), url).rejects.toMatchObject({ code: 'blocked_address' });
  });

  it('refuses a name when any of its addresses is private (a rebinding name), and lets public ones through', async () => {
    const resolve = fakeDns({ 'mixed.example': ['93.184.215.14', '10.1.2.3'], 'rebind.example': ['127.0.0.1'], 'public.example': ['93.184.215.14', '2606:2800:21f:cb07::1'] });
    await expect(safeAddress(new URL('http://mixed.example/'), { allowPrivate: false, resolve })).rejects.toMatchObject({ code: 'blocked_address' });
    await expect(safeAddress(new URL('http://rebind.example/'), { allowPrivate: false, resolve })).rejects.toMatchObject({ code: 'blocked_address' });
    expect(await safeAddress(new URL('http://public.example/'), { allowPrivate: false, resolve })).toBe('93.184.215.14');
    expect(await safeAddress(new URL('http://8.8.8.8/'), { allowPrivate: false, resolve })).toBe('8.8.8.8');
    expect(isBlockedAddress('2606:2800:21f:cb07::1')).toBe(false);
    // The development switch lets private addresses through.
    expect(await safeAddress(new URL('http://rebind.example/'), { allowPrivate: true, resolve })).toBe('127.0.0.1');
  });

  it('limits the size of an answer and the time it may take', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/big') res.end('x'.repeat(100_000));
      // /slow never answers.
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const http = createWebhookHttp({ allowPrivate: true });
    try {
      await expect(http.post(`${base}/big`, { headers: {}, body: '{}', timeoutMs: 5000, maxBytes: 1024 })).rejects.toMatchObject({ code: 'too_large' });
      await expect(http.post(`${base}/slow`, { headers: {}, body: '{}', timeoutMs: 200, maxBytes: 1024 })).rejects.toMatchObject({ code: 'timeout' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe.each(backends())('tenant webhooks with private addresses refused, on %s', (backend) => {
  let s: TestServer;
  let rx: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let redirector: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    rx = await startWebhookReceiver(() => '', () => ({ status: 200, json: { action: 'allow' } }));
    // An allowed endpoint that redirects to the loopback receiver.
    redirector = await startWebhookReceiver(() => '', () => ({ status: 307, headers: { location: rx.url } }));
    s = await startTestServer({
      backend,
      allowPrivateWebhooks: false,
      eventsIntervalMs: 100,
      eventsRetryDelaysMs: Array(7).fill(100),
      // `hooks.example` is a public address to the guard; the test dials it on this machine.
      webhookNetwork: {
        resolve: fakeDns({ 'hooks.example': ['93.184.215.14'] }),
        dial: (address, port) => (address === '93.184.215.14' ? { host: '127.0.0.1', port } : { host: address, port }),
      },
    });
  });
  afterAll(async () => {
    await s?.stop();
    await rx?.close();
    await redirector?.close();
  });

  it('refuses an address literal when it is set', async () => {
    const t = await create();
    for (const url of FORBIDDEN.filter((u) => !/localhost|\/\/vm\//i.test(u)))
      for (const key of ['eventsUrl', 'preSendUrl'])
        expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { [key]: url } } })).status, `${key} ${url}`).toBe(400);
  });

  it('never calls a name that resolves to loopback, and follows no redirect to it', async () => {
    const port = new URL(rx.url).port;
    const t = await create();
    const hostsFile = `http://localhost:${port}/hook`;
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: hostsFile, preSendUrl: hostsFile, preSendFailOpen: false } } })).status).toBe(200);
    const c = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'ann', name: 'Ann' }) });
    await join(c, 'r');
    expect(await c.request({ type: 'message', room: 'r', id: 'm1', text: 'hi' })).toMatchObject({ type: 'error', code: 'rejected' });
    await v1(t.secretKey, '/bans/bob', { method: 'PUT', body: {} });
    await eventually(async () => {
      const log = (await admin(`/tenants/${t.tenantId}/webhooks/events`)).body.events;
      expect(log[0]).toMatchObject({ type: 'user.banned', state: 'pending', lastError: expect.stringMatching(/^blocked_address/) });
    });

    // An allowed URL whose answer redirects to loopback: the redirect is an answer, not followed.
    const allowed = `http://hooks.example:${new URL(redirector.url).port}/hook`;
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: allowed, preSendUrl: allowed } } })).status).toBe(200);
    expect(await c.request({ type: 'message', room: 'r', id: 'm2', text: 'hi' })).toMatchObject({ type: 'error', code: 'rejected' });
    await v1(t.secretKey, '/bans/carl', { method: 'PUT', body: {} });
    await eventually(async () => expect(redirector.received.filter((d) => d.body.data?.user === 'carl').length).toBeGreaterThanOrEqual(2));
    const log = (await admin(`/tenants/${t.tenantId}/webhooks/events`)).body.events;
    expect(log[0]).toMatchObject({ data: { user: 'carl' }, lastStatus: 307, finishedAt: null });
    expect(redirector.received.map((d) => d.body.type)).toContain('message.pre_send');
    expect(rx.received).toEqual([]);
    c.close();
  });
});
