import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { startTestServer, type TestServer } from '../helpers/server';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { calls, eventually } from './http';

/** An endpoint that takes requests and never answers them. */
async function startHangingEndpoint() {
  const hanging: ServerResponse<IncomingMessage>[] = [];
  const server = createServer((_req, res) => hanging.push(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    hanging,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe.each(backends())('event webhook isolation on %s', (backend) => {
  let s: TestServer;
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    // A long request deadline: tenant A's request is still hanging when B's event arrives.
    s = await startTestServer({ backend, eventsTimeoutMs: 60_000 });
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("delivers tenant B's event while tenant A's endpoint hangs, and shows A's backlog", async () => {
    const hang = await startHangingEndpoint();
    const a = await create();
    const b = await create();
    const bSecret = (await admin(`/tenants/${b.tenantId}/webhook-secret`)).body.secret;
    const rx = await startWebhookReceiver(() => bSecret, () => ({ status: 204 }));
    try {
      await admin(`/tenants/${a.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: hang.url } } });
      await admin(`/tenants/${b.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: rx.url } } });
      for (const u of ['a1', 'a2', 'a3']) await v1(a.secretKey, `/bans/${u}`, { method: 'PUT', body: {} });
      await eventually(async () => expect(hang.hanging).toHaveLength(1));
      await v1(b.secretKey, '/bans/b1', { method: 'PUT', body: {} });
      await eventually(async () => expect(rx.received.map((d) => [d.body.data.user, d.verified])).toEqual([['b1', true]]));
      // A's first request is still open, and nothing else of A's was sent meanwhile.
      expect(hang.hanging.map((r) => r.writableEnded)).toEqual([false]);
      const status = await admin(`/tenants/${a.tenantId}/webhooks`);
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ backlog: { pending: 3, oldestAt: expect.any(Number) }, disabled: null });
      expect((await admin(`/tenants/${b.tenantId}/webhooks`)).body.backlog).toEqual({ pending: 0, oldestAt: null });
    } finally {
      await hang.close();
      await rx.close();
    }
  });
});
