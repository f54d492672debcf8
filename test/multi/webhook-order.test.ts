import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../api/server';
import { http } from '../http/http';
import { startTestServer, type TestServer } from '../helpers/server';
import { startWebhookReceiver } from '../helpers/webhook-receiver';

const redisUrl = process.env.REDIS_URL;
const databaseUrl = process.env.DATABASE_URL;
if (process.env.CI && (!redisUrl || !databaseUrl)) throw new Error('CI must set REDIS_URL and DATABASE_URL');
const maybe = redisUrl && databaseUrl ? describe : describe.skip;

async function until(cond: () => boolean, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

maybe('event webhooks from two servers sharing Postgres and Redis', () => {
  let a: TestServer;
  let b: RunningServer;
  const fast = { eventsIntervalMs: 50, eventsRetryDelaysMs: Array(7).fill(100) };
  beforeAll(async () => {
    a = await startTestServer({ backend: 'postgres', redisUrl, ...fast });
    b = await startServer({
      port: 0,
      databaseUrl: a.databaseUrl,
      redisUrl,
      adminToken: a.adminToken,
      masterKey: a.masterKey,
      memory: true,
      demoOrigins: ['*'],
      allowPrivateWebhooks: true,
      log: () => {},
      ...fast,
    });
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it('sends event n+1 only after event n was taken, though n failed twice and both servers deliver', async () => {
    const admin = (path: string, opts: Parameters<typeof http>[1] = {}) => http(`${a.url}/admin/api${path}`, { bearer: a.adminToken, ...opts });
    const made = await admin('/tenants', { method: 'POST', body: { name: 'order', origins: ['*'] } });
    const t = made.body as { tenantId: string; secretKey: string };
    const secret = (await admin(`/tenants/${t.tenantId}/webhook-secret`)).body.secret as string;
    let failsLeft = 2;
    const rx = await startWebhookReceiver(
      () => secret,
      (d) => (d.body.data.user === 'u3' && failsLeft > 0 ? (failsLeft--, { status: 500 }) : { status: 204 }),
    );
    try {
      await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: rx.url } } });
      // Bans made on either server, one after the other: u1 … u6 in that order.
      const urls = [a.url, `http://127.0.0.1:${b.port}`];
      for (let i = 1; i <= 6; i++) {
        const r = await http(`${urls[i % 2]}/v1/bans/u${i}`, { method: 'PUT', bearer: t.secretKey, body: {} });
        expect(r.status).toBe(200);
      }
      await until(() => rx.received.filter((d) => d.body.data.user === 'u6').length > 0);
      expect(rx.received.map((d) => [d.body.data.user, d.verified])).toEqual([
        ['u1', true],
        ['u2', true],
        ['u3', true],
        ['u3', true],
        ['u3', true],
        ['u4', true],
        ['u5', true],
        ['u6', true],
      ]);
    } finally {
      await rx.close();
    }
  });
});
