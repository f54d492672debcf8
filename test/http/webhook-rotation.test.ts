import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createWebhookSecrets } from '../../api/chat/webhook-secrets';
import { createWebhookSigner } from '../../api/chat/webhook-signing';
import { createSealer } from '../../api/chat/keys';
import { openDatabase, type Database } from '../../api/db/client';
import { backends, freshPostgres } from '../helpers/backends';
import { startTestServer, type TestServer } from '../helpers/server';
import { startWebhookReceiver, type Delivery } from '../helpers/webhook-receiver';
import { calls, eventually } from './http';

const verifies = (secret: string, d: Delivery) => {
  try {
    new Webhook(secret).verify(d.raw, d.headers);
    return true;
  } catch {
    return false;
  }
};

describe.each(backends())('webhook secret rotation on %s', (backend) => {
  let s: TestServer;
  let rx: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let oldSecret = '';
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend });
    rx = await startWebhookReceiver(() => oldSecret, () => ({ status: 204 }));
  });
  afterAll(async () => {
    await rx?.close();
    await s?.stop();
  });

  it('signs with the old and the new secret during the grace period, and with the new alone once it is cut to 0', async () => {
    const t = await create();
    const shown = await admin(`/tenants/${t.tenantId}/webhook-secret`);
    expect(shown.body).toEqual({ secret: expect.stringMatching(/^whsec_/), previous: null });
    oldSecret = shown.body.secret;
    await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: rx.url, eventTypes: ['user.banned'] } } });

    const rotated = await admin(`/tenants/${t.tenantId}/webhook-secret/rotate`, { method: 'POST', body: { graceMinutes: 60 } });
    expect(rotated.status).toBe(200);
    const newSecret: string = rotated.body.secret;
    expect(newSecret).not.toBe(oldSecret);
    expect(rotated.body.previous).toEqual({ secret: oldSecret, until: expect.any(Number) });
    expect((await admin(`/tenants/${t.tenantId}/webhook-secret`)).body).toEqual(rotated.body);

    await v1(t.secretKey, '/bans/during', { method: 'PUT', body: {} });
    const during = await eventually(async () => {
      const d = rx.received.find((r) => r.body.data.user === 'during');
      expect(d).toBeDefined();
      return d!;
    });
    // A receiver holding either secret verifies the same request.
    expect([during.verified, verifies(oldSecret, during), verifies(newSecret, during)]).toEqual([true, true, true]);
    expect(during.headers['webhook-signature'].split(' ')).toHaveLength(2);

    const again = await admin(`/tenants/${t.tenantId}/webhook-secret/rotate`, { method: 'POST', body: { graceMinutes: 0 } });
    expect(again.body.previous).toBeNull();
    await v1(t.secretKey, '/bans/after', { method: 'PUT', body: {} });
    const after = await eventually(async () => {
      const d = rx.received.find((r) => r.body.data.user === 'after');
      expect(d).toBeDefined();
      return d!;
    });
    expect([verifies(again.body.secret, after), verifies(newSecret, after), verifies(oldSecret, after)]).toEqual([true, false, false]);

    for (const body of [{ graceMinutes: -1 }, { graceMinutes: 1.5 }, { graceMinutes: 99_999 }])
      expect((await admin(`/tenants/${t.tenantId}/webhook-secret/rotate`, { method: 'POST', body })).status).toBe(400);
    expect((await admin('/tenants/t_nope/webhook-secret/rotate', { method: 'POST' })).status).toBe(404);
  });
});

describe.each(backends())('the old secret after its grace period, on %s', (backend) => {
  let database: Database;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const pg = backend === 'postgres' ? await freshPostgres() : null;
    drop = pg?.drop;
    database = await openDatabase({ url: pg?.url });
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  it('stops signing when the grace period ends', async () => {
    let clock = 5_000_000;
    const secrets = createWebhookSecrets({ db: database.db, derive: createSealer('rotation').derive, now: () => clock });
    const sign = createWebhookSigner(secrets.signing);
    const old = (await secrets.show('t1')).secret;
    const { secret } = await secrets.rotate('t1', 10);
    const request = async () => {
      const headers = await sign('t1', 'evt_1', '{"a":1}', new Date());
      return { raw: '{"a":1}', headers } as Delivery;
    };
    const inGrace = await request();
    expect([verifies(old, inGrace), verifies(secret, inGrace)]).toEqual([true, true]);
    clock += 10 * 60_000 - 1;
    expect((await secrets.show('t1')).previous?.secret).toBe(old);
    clock += 1;
    const over = await request();
    expect([verifies(old, over), verifies(secret, over)]).toEqual([false, true]);
    expect((await secrets.show('t1')).previous).toBeNull();
  });
});
