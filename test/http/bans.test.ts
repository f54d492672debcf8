import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody, helloOutcome } from './http';

describe.each(backends())('bans on %s', (backend) => {
  let s: TestServer;
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it('closes the banned user’s sockets with 4503, refuses their hello and their messages, and lifts', async () => {
    const t = await create();
    const other = await create({ name: 'other', origins: ['*'] });
    const token = (k: { secretKey: string }, sub: string) => userToken(k.secretKey, { sub, name: sub });
    const ann = await client(s.wsUrl, t.publishableKey, { token: await token(t, 'ann') });
    const bob = await client(s.wsUrl, t.publishableKey, { token: await token(t, 'bob') });
    const annElsewhere = await client(s.wsUrl, other.publishableKey, { token: await token(other, 'ann') });
    await join(ann, 'r');
    await join(bob, 'r');

    const put = await v1(t.secretKey, '/bans/ann', { method: 'PUT', body: { reason: 'spam' } });
    expect(put).toMatchObject({ status: 200, body: { user: 'ann', reason: 'spam', until: null } });
    // On this server the answer comes after the sockets were told.
    expect((await ann.closed).code).toBe(4503);
    expect(ann.frames.at(-1)).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await helloOutcome(s.wsUrl, t.publishableKey, { token: await token(t, 'ann') })).toMatchObject({ close: 4503, error: { code: 'forbidden' } });
    const post = await v1(t.secretKey, '/rooms/r/messages', { method: 'POST', body: { id: 'a1', user: 'ann', text: 'hi' } });
    expect(post).toMatchObject({ status: 403, body: errorBody('forbidden') });
    expect((await v1(t.secretKey, '/bans')).body.bans).toEqual([{ user: 'ann', reason: 'spam', until: null, createdAt: expect.any(Number) }]);
    // Others, and the same user id in another tenant, are untouched.
    expect(await bob.request({ type: 'message', room: 'r', id: 'b1', text: 'still here' })).toMatchObject({ type: 'ack', seq: 1 });
    expect(await annElsewhere.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    expect((await v1(other.secretKey, '/bans')).body.bans).toEqual([]);

    expect((await v1(t.secretKey, '/bans/ann', { method: 'DELETE' })).status).toBe(204);
    expect((await v1(t.secretKey, '/bans/ann', { method: 'DELETE' })).body).toEqual(errorBody('not_found'));
    const back = await client(s.wsUrl, t.publishableKey, { token: await token(t, 'ann') });
    await join(back, 'r');
    expect(await back.request({ type: 'message', room: 'r', id: 'a2', text: 'back' })).toMatchObject({ type: 'ack', seq: 2 });
    [bob, back, annElsewhere].forEach((c) => c.close());
  });

  it('bans for a time, and validates what it is given', async () => {
    const t = await create();
    const before = Date.now();
    const r = await v1(t.secretKey, '/bans/cy', { method: 'PUT', body: { minutes: 60 } });
    expect(r.status).toBe(200);
    expect(r.body.until).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(r.body.until).toBeLessThan(Date.now() + 3_600_000 + 1000);
    for (const body of [{ minutes: 0 }, { minutes: 1.5 }, { reason: 5 }])
      expect(await v1(t.secretKey, '/bans/cy', { method: 'PUT', body })).toMatchObject({ status: 400, body: errorBody('bad_request') });
    // A body without a content-type still counts (it once made a ban without end, silently).
    const bare = await fetch(`${s.url}/v1/bans/dee`, { method: 'PUT', headers: { authorization: `Bearer ${t.secretKey}` }, body: '{"minutes":5}' });
    expect(((await bare.json()) as { until: number | null }).until).toBeGreaterThan(Date.now());
    expect(await v1(t.secretKey, '/bans/dee', { method: 'PUT', body: 'not json' })).toMatchObject({ status: 400, body: errorBody('bad_request') });
    expect((await v1('sk_wrong', '/bans')).status).toBe(401);
  });

  it('lets the operator ban, lift and read reports of any tenant through the Admin API', async () => {
    const t = await create();
    const zed = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'zed', name: 'Zed' }) });
    await join(zed, 'r');
    await zed.request({ type: 'message', room: 'r', id: 'z1', text: 'hi' });
    await zed.request({ type: 'report', room: 'r', id: 'z1', reason: 'testing' });
    expect((await admin(`/tenants/${t.tenantId}/reports`)).body).toMatchObject({ hasMore: false, reports: [{ messageId: 'z1', reporter: 'zed' }] });
    expect(await admin(`/tenants/${t.tenantId}/bans/zed`, { method: 'PUT', body: { reason: 'by the operator' } })).toMatchObject({ status: 200, body: { user: 'zed' } });
    expect((await zed.closed).code).toBe(4503);
    // The tenant's backend sees the same ban.
    expect((await v1(t.secretKey, '/bans')).body.bans).toMatchObject([{ user: 'zed', reason: 'by the operator' }]);
    expect((await admin(`/tenants/${t.tenantId}/bans/zed`, { method: 'DELETE' })).status).toBe(204);
    expect((await admin(`/tenants/${t.tenantId}/bans`)).body).toEqual({ bans: [] });
    expect(await admin('/tenants/t_nope/bans')).toMatchObject({ status: 404, body: errorBody('not_found') });
    expect((await v1('', `/../admin/api/tenants/${t.tenantId}/bans`)).status).toBe(401);
  });
});
