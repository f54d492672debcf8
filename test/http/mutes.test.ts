import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody } from './http';

describe.each(backends())('mutes on %s', (backend) => {
  let s: TestServer;
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it('a muted user stays connected and reads, but their messages are refused with the reason, until unmuted', async () => {
    const t = await create();
    const token = (sub: string) => userToken(t.secretKey, { sub, name: sub });
    const ann = await client(s.wsUrl, t.publishableKey, { token: await token('ann') });
    const bob = await client(s.wsUrl, t.publishableKey, { token: await token('bob') });
    await join(ann, 'r');
    await join(bob, 'r');

    const put = await v1(t.secretKey, '/mutes/ann', { method: 'PUT', body: { reason: 'flooding', minutes: 60 } });
    expect(put).toMatchObject({ status: 200, body: { user: 'ann', reason: 'flooding', until: expect.any(Number) } });
    const refused = await ann.request({ type: 'message', room: 'r', id: 'a1', text: 'hello?' }).catch((e) => e);
    expect(refused).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(refused.message).toBe(`you are muted until ${new Date(put.body.until).toISOString()}: flooding`);
    // Still connected, still reading.
    const b1 = await bob.request({ type: 'message', room: 'r', id: 'b1', text: 'you can read this' });
    await ann.next((f) => f.type === 'message' && f.id === 'b1');
    expect(b1).toMatchObject({ type: 'ack', seq: 1 });
    // Nor may the tenant's backend post for them.
    expect(await v1(t.secretKey, '/rooms/r/messages', { method: 'POST', body: { id: 'a2', user: 'ann', text: 'via backend' } })).toMatchObject({
      status: 403,
      body: errorBody('forbidden'),
    });
    expect((await v1(t.secretKey, '/mutes')).body.mutes).toEqual([{ user: 'ann', reason: 'flooding', until: put.body.until, createdAt: expect.any(Number) }]);
    // The Admin API lists the same, and the audit log names the backend key.
    expect((await admin(`/tenants/${t.tenantId}/mutes`)).body.mutes).toHaveLength(1);
    const audit = (await admin(`/tenants/${t.tenantId}/audit`)).body.entries;
    expect(audit[0]).toMatchObject({ action: 'user.mute', target: 'ann', actor: expect.stringMatching(/^key:sk_/) });

    expect((await admin(`/tenants/${t.tenantId}/mutes/ann`, { method: 'DELETE' })).status).toBe(204);
    expect(await ann.request({ type: 'message', room: 'r', id: 'a3', text: 'back' })).toMatchObject({ type: 'ack', seq: 2 });
    expect((await v1(t.secretKey, '/mutes/ann', { method: 'DELETE' })).body).toEqual(errorBody('not_found'));
    ann.close();
    bob.close();
  });

  it('a mute without end says so; lengths are checked', async () => {
    const t = await create();
    const cy = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'cy', name: 'cy' }) });
    await join(cy, 'r');
    expect((await v1(t.secretKey, '/mutes/cy', { method: 'PUT' })).body).toMatchObject({ until: null, reason: null });
    const refused = await cy.request({ type: 'message', room: 'r', id: 'c1', text: 'x' }).catch((e) => e);
    expect(refused.message).toBe('you are muted until a moderator lifts it');
    for (const body of [{ minutes: 0 }, { minutes: 2.5 }, { minutes: 5_256_001 }, { reason: 'x'.repeat(501) }])
      expect(await v1(t.secretKey, '/mutes/cy', { method: 'PUT', body })).toMatchObject({ status: 400, body: errorBody('bad_request') });
    cy.close();
  });
});
