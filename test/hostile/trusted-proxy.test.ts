import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientAddressOf, proxyTrust, trustNoProxy, validProxyEntry } from '../../api/ops/client-address';
import { makeAccount } from '../helpers/accounts';
import { connect, type TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';

describe('the client address behind a load balancer', () => {
  const lb = proxyTrust(['10.0.0.2', 'loopback']);

  it('reads X-Forwarded-For right to left only while each hop is a trusted proxy', () => {
    expect(clientAddressOf('203.0.113.9', '198.51.100.1', lb)).toBe('203.0.113.9');
    expect(clientAddressOf('10.0.0.2', '198.51.100.1', lb)).toBe('198.51.100.1');
    expect(clientAddressOf('::ffff:10.0.0.2', '198.51.100.1', lb)).toBe('198.51.100.1');
    // What the client wrote itself sits left of the first untrusted hop and is not believed.
    expect(clientAddressOf('10.0.0.2', '1.1.1.1, 198.51.100.1, 127.0.0.1', lb)).toBe('198.51.100.1');
    expect(clientAddressOf('10.0.0.2', ['1.1.1.1', '2001:db8::7'], lb)).toBe('2001:db8::7');
    // Text that is no address ends the walk at the last proxy.
    expect(clientAddressOf('10.0.0.2', 'evil, 127.0.0.1', lb)).toBe('127.0.0.1');
    expect(clientAddressOf('10.0.0.2', '', lb)).toBe('10.0.0.2');
    // At most 16 hops are read.
    expect(clientAddressOf('10.0.0.2', ['198.51.100.1', ...Array(20).fill('127.0.0.1')].join(','), lb)).toBe('127.0.0.1');
    expect(clientAddressOf('10.0.0.2', '198.51.100.1', trustNoProxy)).toBe('10.0.0.2');
  });

  it('accepts keywords, addresses and CIDRs, and nothing else', () => {
    for (const ok of ['loopback', 'private', '10.1.2.3', '10.0.0.0/8', '::1', 'fd00::/8', '0.0.0.0/0']) expect(validProxyEntry(ok), ok).toBe(true);
    for (const bad of ['', 'lan', '10.0.0.0/33', '10.0.0.0/', '10.0.0/8', '::/129', '10.0.0.0/8/1', '10.0.0.0/+8', 'example.com'])
      expect(validProxyEntry(bad), bad).toBe(false);
    const p = proxyTrust(['private']);
    expect([p('172.20.0.4'), p('192.168.1.1'), p('fd12::1'), p('127.0.0.1'), p('8.8.8.8')]).toEqual([true, true, true, false, false]);
  });
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: { status: number }) => err.status,
  );

describe('per-address limits behind a trusted proxy', () => {
  let s: TestServer;
  const open: TestClient[] = [];
  beforeAll(async () => {
    // 127.0.0.1 plays the load balancer; any other loopback address is a client dialling in directly.
    s = await startTestServer({ maxConnectionsPerIp: 2, trustedProxies: ['127.0.0.1'] });
  }, 60_000);
  afterAll(async () => {
    for (const c of open) c.close();
    await s?.stop();
  });

  const via = (localAddress: string, forwardedFor: string) =>
    connect(s.wsUrl, s.demo.publishableKey, { localAddress, headers: { 'x-forwarded-for': forwardedFor } }).then((c) => (open.push(c), c));

  it('counts each client behind the proxy apart, and a direct client by its own address whatever it claims', async () => {
    await via('127.0.0.1', '203.0.113.5');
    await via('127.0.0.1', '203.0.113.5');
    expect(await refusal(via('127.0.0.1', '203.0.113.5'))).toBe(429);
    // Another visitor through the same balancer is not refused for the first one's sockets.
    await via('127.0.0.1', '203.0.113.6');
    // A chain of proxies: the trusted hop is skipped, the client before it counted.
    await via('127.0.0.1', '203.0.113.6, 127.0.0.1');
    expect(await refusal(via('127.0.0.1', '203.0.113.6'))).toBe(429);
    // Not a trusted peer: its X-Forwarded-For is its own text, so a new claim does not buy a slot.
    await via('127.0.0.2', '198.51.100.1');
    await via('127.0.0.2', '198.51.100.2');
    expect(await refusal(via('127.0.0.2', '198.51.100.3'))).toBe(429);
  });

  it('sets the Secure cookie flag on X-Forwarded-Proto only from the trusted proxy', async () => {
    await makeAccount(s, 'proxy@example.com', 'correct horse battery', true);
    const cookieFrom = (localAddress: string) =>
      new Promise<string>((resolve, reject) => {
        const body = JSON.stringify({ email: 'proxy@example.com', password: 'correct horse battery' });
        const req = request(`${s.url}/admin/api/session`, {
          method: 'POST',
          localAddress,
          headers: { 'content-type': 'application/json', origin: s.url, 'x-forwarded-proto': 'https' },
        });
        req.on('response', (res) => {
          res.resume();
          expect(res.statusCode).toBe(200);
          resolve(String(res.headers['set-cookie']));
        });
        req.on('error', reject);
        req.end(body);
      });
    expect(await cookieFrom('127.0.0.1')).toMatch(/; Secure; SameSite=Strict$/);
    expect(await cookieFrom('127.0.0.2')).not.toMatch(/Secure/);
  });
});
