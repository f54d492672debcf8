import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, connect, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';

describe.each(backends())('tenant changes reach open connections on %s', (backend) => {
  let s: TestServer;
  const admin = (path: string, method: string, body?: unknown) =>
    fetch(`${s.url}/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it('new rate limits apply to sockets already open', async () => {
    const c = await client(s.wsUrl, s.demo.publishableKey, { name: 'R' });
    await join(c, 'limits');
    const t = (await (await admin('/tenants', 'POST', { name: 'x', origins: ['*'], guests: true })).json()) as { tenantId: string; publishableKey: string };
    const d = await client(s.wsUrl, t.publishableKey, { name: 'D' });
    await join(d, 'limits');
    await admin(`/tenants/${t.tenantId}`, 'PATCH', { settings: { burst: 2, messagesPerSecond: 1 } });
    const answers = await Promise.all([1, 2, 3].map((i) => d.request({ type: 'message', room: 'limits', id: `l${i}`, text: 'x' })));
    expect(answers.map((a) => a.type)).toEqual(['ack', 'ack', 'error']);
    c.close();
    d.close();
  });

  it('revoking a key closes the sockets whose token it signed with 4501; disabling the tenant closes all with 4504', async () => {
    const t = (await (await admin('/tenants', 'POST', { name: 'y', origins: ['*'], guests: true })).json()) as {
      tenantId: string;
      publishableKey: string;
      secretKey: string;
    };
    const second = (await (await admin(`/tenants/${t.tenantId}/secret-keys`, 'POST')).json()) as { secretKey: string; prefix: string };
    const viaOld = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'old' }) });
    const viaNew = await client(s.wsUrl, t.publishableKey, { token: await userToken(second.secretKey, { sub: 'new' }) });
    const guest = await client(s.wsUrl, t.publishableKey, { name: 'G' });
    const oldPrefix = t.secretKey.slice(0, 11);
    expect((await admin(`/tenants/${t.tenantId}/secret-keys/${oldPrefix}`, 'DELETE')).status).toBe(204);
    expect(await viaOld.next((f) => f.type === 'error')).toMatchObject({ code: 'unauthorized' });
    expect((await viaOld.closed).code).toBe(4501);
    expect(await viaNew.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    await admin(`/tenants/${t.tenantId}`, 'PATCH', { disabled: true });
    expect((await viaNew.closed).code).toBe(4504);
    expect((await guest.closed).code).toBe(4504);
    // A new socket for a disabled tenant is told 4504 at once.
    const late = await connect(s.wsUrl, t.publishableKey);
    expect((await late.closed).code).toBe(4504);
  });
});
