import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { calls, eventually } from './http';

/** The tenant's backend: answers 500 while `failing` is above 0, else 204. */
async function startReceiver(secret: () => string) {
  const state = { failing: 0 };
  const rx = await startWebhookReceiver(secret, () => (state.failing > 0 ? (state.failing--, { status: 500 }) : { status: 204 }));
  return { ...rx, state };
}

describe.each(backends())('event webhooks on %s', (backend) => {
  let s: TestServer;
  let secret = '';
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend, eventsIntervalMs: 100, eventsRetryDelaysMs: Array(7).fill(50) });
    rx = await startReceiver(() => secret);
  });
  afterAll(async () => {
    await rx?.close();
    await s?.stop();
  });

  async function tenantWithEvents(url: string) {
    const t = await create();
    secret = (await admin(`/tenants/${t.tenantId}/webhook-secret`)).body.secret;
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: url } } })).status).toBe(200);
    return t;
  }

  it('sends reports and bans, signed, and tries again until the backend takes them, with the same webhook-id', async () => {
    const t = await tenantWithEvents(rx.url);
    rx.received.length = 0;
    const ann = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'ann', name: 'Ann' }) });
    await join(ann, 'r');
    await ann.request({ type: 'message', room: 'r', id: 'm1', text: 'buy now' });
    rx.state.failing = 2;
    expect(await ann.request({ type: 'report', room: 'r', id: 'm1', reason: 'spam' })).toMatchObject({ type: 'ack' });
    const tries = await eventually(async () => {
      const got = rx.received.filter((r) => r.body.type === 'message.reported');
      expect(got).toHaveLength(3);
      return got;
    });
    expect(new Set(tries.map((r) => r.id)).size).toBe(1);
    expect(tries.every((r) => r.verified)).toBe(true);
    expect(tries[0].body).toEqual({
      type: 'message.reported',
      tenantId: t.tenantId,
      createdAt: expect.any(Number),
      data: { room: 'r', reporter: 'ann', reason: 'spam', message: { id: 'm1', user: 'ann', name: 'Ann', text: 'buy now', seq: 1 } },
    });

    await v1(t.secretKey, '/bans/bob', { method: 'PUT', body: { reason: 'abuse' } });
    await v1(t.secretKey, '/bans/bob', { method: 'DELETE' });
    await eventually(async () =>
      expect(rx.received.filter((r) => r.body.type.startsWith('user.')).map((r) => [r.body.type, r.body.data.user, r.verified])).toEqual([
        ['user.banned', 'bob', true],
        ['user.unbanned', 'bob', true],
      ]),
    );
    ann.close();
  });

  it('loses no event while the backend is down and the server restarts', async () => {
    // Nothing listens at this address yet: every attempt fails until the receiver starts.
    const later = await startReceiver(() => secret);
    const url = later.url;
    await later.close();
    const t = await tenantWithEvents(url);
    await v1(t.secretKey, '/bans/carl', { method: 'PUT', body: {} });
    await s.restart();
    const back = await startReceiver(() => secret);
    try {
      // The receiver came back on another port: pointing the tenant there sends the kept event
      // at once, whatever the backoff had reached.
      expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: back.url } } })).status).toBe(200);
      await eventually(async () => expect(back.received.map((r) => [r.body.type, r.body.data.user, r.verified])).toEqual([['user.banned', 'carl', true]]), 3000);
    } finally {
      await back.close();
    }
  }, 30_000);

  it('records nothing for a tenant without an eventsUrl, and validates it', async () => {
    const t = await create();
    rx.received.length = 0;
    await v1(t.secretKey, '/bans/dan', { method: 'PUT', body: {} });
    expect(rx.received).toEqual([]);
    // Had the ban been recorded, setting a URL now would send it (waiting events are kept):
    // only the ban made afterwards arrives.
    secret = (await admin(`/tenants/${t.tenantId}/webhook-secret`)).body.secret;
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: rx.url } } })).status).toBe(200);
    await v1(t.secretKey, '/bans/eve', { method: 'PUT', body: {} });
    await eventually(async () => expect(rx.received.map((r) => r.body.data.user)).toContain('eve'));
    expect(rx.received.map((r) => r.body.data.user)).toEqual(['eve']);
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: 'mailto:x' } } })).status).toBe(400);
  });
});
