import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { calls, eventually } from './http';

/** The tenant's backend: answers 500 while `failing` is above 0, else 204; as a pre-send hook it refuses "nope". */
async function startReceiver(secret: () => string) {
  const state = { failing: 0 };
  const rx = await startWebhookReceiver(secret, (d) => {
    if (d.body.type === 'message.pre_send') return d.body.message.text === 'nope' ? { status: 200, json: { action: 'reject', reason: 'not here' } } : { status: 204 };
    return state.failing > 0 ? (state.failing--, { status: 500 }) : { status: 204 };
  });
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

  async function tenantWithEvents(url: string, more: object = {}) {
    const t = await create();
    secret = (await admin(`/tenants/${t.tenantId}/webhook-secret`)).body.secret;
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: url, ...more } } })).status).toBe(200);
    return t;
  }

  it('sends every event type, in the order things happened, each signed', async () => {
    const t = await tenantWithEvents(rx.url, { preSendUrl: rx.url });
    rx.received.length = 0;
    const ann = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'ann', name: 'Ann' }) });
    await join(ann, 'r');
    const send = (id: string, text: string) => ann.request({ type: 'message', room: 'r', id, text });
    expect(await send('m1', 'hello')).toMatchObject({ type: 'ack', seq: 1 });
    expect(await send('m2', '<script>alert(1)</script>')).toMatchObject({ type: 'error', code: 'rejected' });
    expect(await send('m3', 'nope')).toMatchObject({ type: 'error', code: 'rejected', message: 'not here' });
    expect(await ann.request({ type: 'report', room: 'r', id: 'm1', reason: 'rude' })).toMatchObject({ type: 'ack' });
    const [open] = (await admin(`/tenants/${t.tenantId}/reports?status=open`)).body.reports;
    expect((await admin(`/tenants/${t.tenantId}/reports/${open.id}`, { method: 'POST', body: { action: 'dismiss' } })).status).toBe(200);
    expect(await ann.request({ type: 'delete', room: 'r', id: 'm1' })).toMatchObject({ type: 'ack' });
    await v1(t.secretKey, '/bans/bob', { method: 'PUT', body: { reason: 'abuse' } });
    await v1(t.secretKey, '/bans/bob', { method: 'DELETE' });
    await v1(t.secretKey, '/mutes/cy', { method: 'PUT', body: { minutes: 5 } });
    await v1(t.secretKey, '/mutes/cy', { method: 'DELETE' });
    expect((await v1(t.secretKey, '/rooms/staff', { method: 'PUT', body: { private: true } })).status).toBe(200);
    expect((await admin(`/tenants/${t.tenantId}/webhooks/test`, { method: 'POST' })).status).toBe(202);
    const events = () => rx.received.filter((d) => d.body.type !== 'message.pre_send');
    await eventually(async () => expect(events().map((d) => d.body.type)).toContain('webhook.test'));
    expect(events().every((d) => d.verified && d.body.tenantId === t.tenantId)).toBe(true);
    expect(new Set(events().map((d) => d.id)).size).toBe(events().length);
    expect(events().map((d) => [d.body.type, d.body.data])).toEqual([
      ['room.created', { room: 'r', private: false }],
      ['message.created', { room: 'r', message: { id: 'm1', user: 'ann', name: 'Ann', text: 'hello', seq: 1, ts: expect.any(Number) } }],
      ['message.rejected', { room: 'r', message: { id: 'm2', user: 'ann', name: 'Ann', text: '<script>alert(1)</script>' }, by: 'content_rules', reason: expect.any(String) }],
      ['message.rejected', { room: 'r', message: { id: 'm3', user: 'ann', name: 'Ann', text: 'nope' }, by: 'pre_send', reason: 'not here' }],
      ['message.reported', { room: 'r', message: { id: 'm1', user: 'ann', name: 'Ann', text: 'hello', seq: 1 }, reporter: 'ann', reason: 'rude' }],
      ['report.resolved', expect.objectContaining({ room: 'r', messageId: 'm1', action: 'dismiss' })],
      ['message.deleted', { room: 'r', message: { id: 'm1', user: 'ann', seq: 1 }, by: 'ann' }],
      ['user.banned', { user: 'bob', reason: 'abuse', until: null, createdAt: expect.any(Number) }],
      ['user.unbanned', { user: 'bob' }],
      ['user.muted', expect.objectContaining({ user: 'cy', until: expect.any(Number) })],
      ['user.unmuted', { user: 'cy' }],
      ['room.created', { room: 'staff', private: true }],
      ['webhook.test', { message: expect.any(String) }],
    ]);
    ann.close();
  });

  it('sends only the types the tenant chose, and writes no event for a message not stored', async () => {
    const t = await tenantWithEvents(rx.url, { eventTypes: ['user.banned', 'message.created'] });
    rx.received.length = 0;
    const ann = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'ann', name: 'Ann' }) });
    await join(ann, 'r');
    expect(await ann.request({ type: 'message', room: 'r', id: 'k1', text: 'kept' })).toMatchObject({ type: 'ack' });
    expect(await ann.request({ type: 'message', room: 'r', id: 'k2', text: '<script>x</script>' })).toMatchObject({ type: 'error' });
    // A resend of a stored id is a duplicate: no second event.
    expect(await ann.request({ type: 'message', room: 'r', id: 'k1', text: 'kept' })).toMatchObject({ type: 'ack', duplicate: true });
    await v1(t.secretKey, '/bans/bob', { method: 'PUT', body: {} });
    await v1(t.secretKey, '/bans/bob', { method: 'DELETE' });
    await eventually(async () => expect(rx.received.map((d) => d.body.type)).toContain('user.banned'));
    const log = (await admin(`/tenants/${t.tenantId}/webhooks/events`)).body.events;
    expect(log.map((e: { type: string }) => e.type)).toEqual(['user.banned', 'message.created']);
    expect(rx.received.map((d) => [d.body.type, d.body.data.message?.id ?? d.body.data.user])).toEqual([
      ['message.created', 'k1'],
      ['user.banned', 'bob'],
    ]);
    for (const eventTypes of [['nope.type'], 'all', Array(20).fill('*')])
      expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { eventTypes } } })).status).toBe(400);
    ann.close();
  });

  it('sends reports and bans, signed, and tries again until the backend takes them, with the same webhook-id', async () => {
    const t = await tenantWithEvents(rx.url, { eventTypes: ['message.reported', 'user.banned', 'user.unbanned'] });
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
