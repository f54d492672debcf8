import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken, type TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody } from './http';

// The moderation queue: reports with context, and each action a moderator takes on one.
describe.each(backends())('report queue on %s', (backend) => {
  let s: TestServer;
  const { admin, create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  async function room(t: { tenantId: string; publishableKey: string; secretKey: string }) {
    const as = async (sub: string) => {
      const c = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub, name: `${sub} name` }) });
      await join(c, 'r');
      return c;
    };
    const [mal, ann] = [await as('mal'), await as('ann')];
    for (let i = 1; i <= 9; i++) await (i % 2 ? mal : ann).request({ type: 'message', room: 'r', id: `m${i}`, text: `text ${i}` });
    return { mal, ann };
  }
  const report = (c: TestClient, id: string, reason?: string) => c.request({ type: 'report', room: 'r', id, ...(reason ? { reason } : {}) });
  const queue = async (tenantId: string) => (await admin(`/tenants/${tenantId}/reports?status=open&context=1`)).body.reports;
  const act = (tenantId: string, rid: number, body: object) => admin(`/tenants/${tenantId}/reports/${rid}`, { method: 'POST', body });

  it('lists open reports with the author, the reporter, the reason and three messages either side', async () => {
    const t = await create();
    const { mal, ann } = await room(t);
    await report(ann, 'm5', 'rude');
    const [r] = await queue(t.tenantId);
    expect(r).toMatchObject({ room: 'r', messageId: 'm5', reporter: 'ann', reason: 'rude', status: 'open', closed: null, message: { user: 'mal', name: 'mal name', text: 'text 5', deleted: false, seq: 5 } });
    expect(r.context.map((m: { id: string }) => m.id)).toEqual(['m2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
    [mal, ann].forEach((c) => c.close());
  });

  it('delete takes the message down for everyone and resolves every open report of it', async () => {
    const t = await create();
    const { mal, ann } = await room(t);
    await report(ann, 'm3', 'spam');
    await report(mal, 'm3');
    const [r] = await queue(t.tenantId);
    const done = await act(t.tenantId, r.id, { action: 'delete' });
    expect(done.body).toMatchObject({ status: 'resolved', closed: { byName: 'admin token', action: 'delete' }, message: { deleted: true, text: null } });
    await ann.next((f) => f.type === 'deleted' && f.id === 'm3');
    expect(await queue(t.tenantId)).toEqual([]);
    const all = (await admin(`/tenants/${t.tenantId}/reports`)).body.reports;
    expect(all.map((x: { status: string }) => x.status)).toEqual(['resolved', 'resolved']);
    expect(await act(t.tenantId, r.id, { action: 'dismiss' })).toMatchObject({ status: 409, body: errorBody('conflict') });
    [mal, ann].forEach((c) => c.close());
  });

  it('mute and ban for a length (with the message taken down), and dismiss, each logged', async () => {
    const t = await create();
    const { mal, ann } = await room(t);
    await report(ann, 'm1');
    await report(ann, 'm7');
    await report(mal, 'm2', 'not really');
    const [notReally, seven, one] = await queue(t.tenantId);
    const before = Date.now();

    const muted = await act(t.tenantId, seven.id, { action: 'mute', reason: 'calm down', minutes: 60, deleteMessage: true });
    expect(muted.body).toMatchObject({ status: 'resolved', closed: { action: 'mute' }, message: { deleted: true } });
    expect((await mal.request({ type: 'message', room: 'r', id: 'x1', text: 'hey' }).catch((e) => e)).message).toMatch(/^you are muted until .*: calm down$/);
    const mutes = (await admin(`/tenants/${t.tenantId}/mutes`)).body.mutes;
    expect(mutes[0].until).toBeGreaterThanOrEqual(before + 3_600_000);

    expect((await act(t.tenantId, notReally.id, { action: 'dismiss' })).body).toMatchObject({ status: 'dismissed', closed: { action: 'dismiss' }, message: { deleted: false } });

    const banned = await act(t.tenantId, one.id, { action: 'ban', reason: 'enough', minutes: 10_080 });
    expect(banned.body).toMatchObject({ status: 'resolved', closed: { action: 'ban' }, message: { deleted: false } });
    expect((await mal.closed).code).toBe(4503);
    const bans = (await admin(`/tenants/${t.tenantId}/bans`)).body.bans;
    expect(bans).toEqual([{ user: 'mal', reason: 'enough', until: expect.any(Number), createdAt: expect.any(Number) }]);
    expect(bans[0].until).toBeGreaterThanOrEqual(before + 7 * 86_400_000);

    const log = (await admin(`/tenants/${t.tenantId}/audit`)).body.entries.map((e: { action: string; target: string }) => `${e.action} ${e.target}`);
    expect(log).toEqual([
      `report.resolved report #${one.id}`,
      'user.ban mal',
      `report.dismissed report #${notReally.id}`,
      `report.resolved report #${seven.id}`,
      'message.delete r/m7',
      'user.mute mal',
      `tenant.create ${t.tenantId}`,
    ]);
    for (const body of [{ action: 'explode' }, { action: 'mute', minutes: 0 }, { action: 'ban', deleteMessage: 'yes' }])
      expect(await act(t.tenantId, one.id, body)).toMatchObject({ status: 400, body: errorBody('bad_request') });
    expect((await act(t.tenantId, 999_999, { action: 'dismiss' })).status).toBe(404);
    ann.close();
  });

  it('records report.resolved, user.muted and user.unmuted for the event webhook', async () => {
    const t = await create();
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: 'https://hooks.example.com/parley' } } })).status).toBe(200);
    const { mal, ann } = await room(t);
    await report(ann, 'm1');
    const [r] = await queue(t.tenantId);
    await act(t.tenantId, r.id, { action: 'mute', minutes: 60 });
    expect((await admin(`/tenants/${t.tenantId}/mutes/mal`, { method: 'DELETE' })).status).toBe(204);
    const types = (await admin(`/tenants/${t.tenantId}/webhooks/events?limit=20`)).body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['message.reported', 'user.muted', 'report.resolved', 'user.unmuted']));
    [mal, ann].forEach((c) => c.close());
  });
});

describe.each(backends())('a moderator’s delete through the Admin API on %s', (backend) => {
  let s: TestServer;
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it('deletes any message in the tenant named by the path, and only there', async () => {
    const [t, other] = [await create(), await create({ name: 'other', origins: ['*'] })];
    await v1(t.secretKey, '/rooms/r/messages', { method: 'POST', body: { id: 'x1', user: 'u', text: 'hello' } });
    await v1(other.secretKey, '/rooms/r/messages', { method: 'POST', body: { id: 'x1', user: 'u', text: 'hello' } });
    expect((await admin(`/tenants/${t.tenantId}/rooms/r/messages/x1`, { method: 'DELETE' })).status).toBe(204);
    expect((await v1(t.secretKey, '/rooms/r/messages')).body.messages[0]).toMatchObject({ id: 'x1', deleted: true });
    expect((await v1(other.secretKey, '/rooms/r/messages')).body.messages[0]).toMatchObject({ id: 'x1', text: 'hello' });
    expect((await admin(`/tenants/${t.tenantId}/audit`)).body.entries[0]).toMatchObject({ action: 'message.delete', target: 'r/x1' });
  });
});
