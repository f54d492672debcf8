import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, connect, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody, http } from '../http/http';

describe.each(backends())('reports, names and settings a hostile guest or caller sends, on %s', (backend) => {
  let s: TestServer;
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it('report checks room access: a private room a guest may not read answers as a made-up id does', async () => {
    const t = await create({ name: 'rep', origins: ['*'], guests: true });
    expect((await v1(t.secretKey, '/rooms/secret', { method: 'PUT', body: { private: true, members: ['owner'] } })).status).toBe(200);
    expect((await v1(t.secretKey, '/rooms/secret/messages', { method: 'POST', body: { id: 'm1', user: 'owner', text: 'private words' } })).status).toBe(201);
    const stranger = await client(s.wsUrl, t.publishableKey, { name: 'S' });
    const real = await stranger.request({ type: 'report', room: 'secret', id: 'm1', reason: 'peek' });
    const madeUp = await stranger.request({ type: 'report', room: 'nonesuch', id: 'm1', reason: 'peek' });
    const missing = await stranger.request({ type: 'report', room: 'secret', id: 'zz', reason: 'peek' });
    expect(real).toMatchObject({ type: 'error', code: 'not_found' });
    for (const other of [madeUp, missing]) expect({ ...other, rid: 'x' }).toEqual({ ...real, rid: 'x' });
    const owner = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'owner' }) });
    expect(await owner.request({ type: 'report', room: 'secret', id: 'm1', reason: 'fine' })).toMatchObject({ type: 'ack' });
    expect((await v1(t.secretKey, '/reports')).body.reports.map((r: { reporter: string }) => r.reporter)).toEqual(['owner']);
    stranger.close();
    owner.close();
  });

  it('applies content rules to display names and report reasons as to messages', async () => {
    const t = await create({ name: 'rules', origins: ['*'], guests: true, settings: { profanity: 'mask' } });
    const script = '<script>alert(1)</script>';
    const c = await connect(s.wsUrl, t.publishableKey);
    expect(await c.request({ type: 'hello', name: script })).toMatchObject({ type: 'error', code: 'rejected' });
    expect(await c.request({ type: 'hello', token: await userToken(t.secretKey, { sub: 'u', name: `<img src=x onerror=alert(1)>` }) })).toMatchObject({
      type: 'error',
      code: 'rejected',
    });
    const w = await c.request({ type: 'hello', name: 'fuck off' });
    expect(w).toMatchObject({ type: 'welcome' });
    expect(w.name).not.toContain('fuck');
    await join(c, 'r');
    expect(await c.request({ type: 'message', room: 'r', id: 'm1', text: 'hi' })).toMatchObject({ type: 'ack' });
    expect(await c.request({ type: 'report', room: 'r', id: 'm1', reason: `see <iframe src="javascript:alert(1)">` })).toMatchObject({
      type: 'error',
      code: 'rejected',
    });
    expect(await c.request({ type: 'report', room: 'r', id: 'm1', reason: 'this is shit' })).toMatchObject({ type: 'ack' });
    const reports = (await v1(t.secretKey, '/reports')).body.reports as { reason: string }[];
    expect(reports.map((r) => r.reason)).toEqual(['this is ****']);
    // Over HTTP too.
    expect(await v1(t.secretKey, '/rooms/r/messages', { method: 'POST', body: { id: 'h1', user: 'bot', name: script, text: 'hi' } })).toMatchObject({
      status: 422,
      body: errorBody('rejected'),
    });
    c.close();
  });

  it('accepts only known settings, as own keys: __proto__ and constructor are 400', async () => {
    const t = await create();
    for (const raw of ['{"settings":{"__proto__":{"guests":true}}}', '{"settings":{"constructor":{}}}', '{"settings":{"toString":1}}', '{"settings":{"hasOwnProperty":1}}']) {
      const r = await http(`${s.url}/admin/api/tenants/${t.tenantId}`, { method: 'PATCH', bearer: s.adminToken, body: raw });
      expect(r, raw).toMatchObject({ status: 400, body: errorBody('bad_request') });
      const made = await http(`${s.url}/admin/api/tenants`, { method: 'POST', bearer: s.adminToken, body: raw.replace('{"settings"', '{"name":"x","settings"') });
      expect(made.status, raw).toBe(400);
    }
    const listed = (await admin('/tenants')).body.find((x: { tenantId: string }) => x.tenantId === t.tenantId);
    expect(Object.keys(listed.settings)).not.toContain('__proto__');
    expect(listed.settings.guests).toBe(false);
  });
});
