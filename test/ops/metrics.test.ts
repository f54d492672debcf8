import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../api/db/client';
import { backends, freshPostgres } from '../helpers/backends';
import { client, connect, join, userToken } from '../helpers/client';
import { sample, scrape } from '../helpers/metrics';
import { startTestServer, type TestServer } from '../helpers/server';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { calls, eventually, http } from '../http/http';

const TOKEN = 'metrics-test-token';

describe.each(backends())('/metrics on %s', (backend) => {
  let a: TestServer;
  let b: TestServer;
  const api = calls(() => a);
  beforeAll(async () => {
    // Two servers in one process: each must count only its own work.
    [a, b] = await Promise.all([startTestServer({ backend, metricsToken: TOKEN }), startTestServer({ backend, metricsToken: TOKEN })]);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
  });

  it('needs the token, and is absent without one', async () => {
    expect((await http(`${a.url}/metrics`)).status).toBe(401);
    expect((await http(`${a.url}/metrics`, { bearer: 'wrong' })).status).toBe(401);
    const off = await startTestServer({ backend });
    try {
      expect((await http(`${off.url}/metrics`, { bearer: TOKEN })).status).toBe(404);
    } finally {
      await off.stop();
    }
  });

  it('shows each figure moving during a run, on the server that did the work only', async () => {
    const before = await scrape(a.url, TOKEN);
    const hooks = await startWebhookReceiver(
      () => 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      (d) => (d.body.type === 'message.pre_send' ? { status: 200, json: { action: 'allow' } } : { status: 500 }),
    );
    try {
      // Pre-send answers 200 (ok); events get 500 (error_status) and wait in the queue.
      await api.admin(`/tenants/${a.demo.tenantId}`, {
        method: 'PATCH',
        body: { settings: { preSendUrl: hooks.url, eventsUrl: hooks.url, eventTypes: ['message.reported'], messagesPerSecond: 1, burst: 3 } },
      });
      const ann = await client(a.wsUrl, a.demo.publishableKey, { token: await userToken(a.demo.secretKey, { sub: 'ann' }) });
      const bob = await client(a.wsUrl, a.demo.publishableKey, { token: await userToken(a.demo.secretKey, { sub: 'bob' }) });
      await join(ann, 'metrics');
      await join(bob, 'metrics');
      const answers = await Promise.all(
        [0, 1, 2, 3, 4].map((i) => ann.request({ type: 'message', room: 'metrics', id: crypto.randomUUID(), text: `m${i}` })),
      );
      const acked = answers.filter((f) => f.type === 'ack');
      expect(acked.length).toBe(3);
      expect(answers.filter((f) => f.code === 'rate_limited').length).toBe(2);
      await bob.next((f) => f.type === 'message' && f.seq === acked.at(-1)!.seq);
      const report = await bob.request({ type: 'report', room: 'metrics', id: acked[0].id, reason: 'spam' });
      expect(report.type).toBe('ack');
      await expect(connect(a.wsUrl, 'pk_nope')).rejects.toMatchObject({ status: 401 });

      const after = await eventually(async () => {
        const text = await scrape(a.url, TOKEN);
        expect(sample(text, 'parley_webhook_attempts_total', { hook: 'events', outcome: 'error_status' })).toBeGreaterThan(0);
        return text;
      }, 15_000);
      const moved = (name: string, labels: Record<string, string> = {}) => (sample(after, name, labels) ?? 0) - (sample(before, name, labels) ?? 0);
      expect(sample(after, 'parley_connections')).toBe(2);
      expect(moved('parley_connections_opened_total')).toBe(2);
      expect(moved('parley_joins_total')).toBe(2);
      expect(moved('parley_messages_stored_total')).toBe(3);
      expect(moved('parley_commit_batch_size_count')).toBeGreaterThanOrEqual(1);
      expect(moved('parley_commit_batch_size_sum')).toBe(3);
      // Three messages to two members; presence too.
      expect(moved('parley_deliveries_total', { kind: 'message' })).toBe(6);
      expect(moved('parley_deliveries_total', { kind: 'presence' })).toBeGreaterThan(0);
      expect(moved('parley_ack_latency_seconds_count')).toBe(3);
      expect(moved('parley_bus_delivery_lag_seconds_count')).toBe(3);
      expect(moved('parley_rate_limited_total', { limit: 'message' })).toBe(2);
      expect(moved('parley_upgrades_refused_total', { status: '401' })).toBe(1);
      expect(moved('parley_webhook_attempts_total', { hook: 'pre_send', outcome: 'ok' })).toBe(3);
      expect(sample(after, 'parley_webhook_queue_depth')).toBe(1);
      expect(sample(after, 'parley_db_pool_connections', { state: 'max' })).toBe(backend === 'postgres' ? 10 : 1);
      expect(sample(after, 'parley_event_loop_lag_seconds', { quantile: 'max' })).toBeGreaterThan(0);
      ann.close();
      bob.close();
    } finally {
      await hooks.close();
    }

    // The other server in this process saw none of it.
    const other = await scrape(b.url, TOKEN);
    expect(sample(other, 'parley_messages_stored_total')).toBe(0);
    expect(sample(other, 'parley_joins_total')).toBe(0);
  });

  it('counts connections in use while a transaction holds one', async () => {
    const pg = backend === 'postgres' ? await freshPostgres() : null;
    const database = await openDatabase({ url: pg?.url });
    try {
      expect(database.pool().busy).toBe(0);
      let inside = { max: 0, busy: 0, waiting: 0 };
      await database.db.transaction(async (tx) => {
        await tx.execute('select 1');
        inside = database.pool();
      });
      expect(inside.busy).toBe(1);
      expect(database.pool().busy).toBe(0);
    } finally {
      await database.close();
      await pg?.drop();
    }
  });
});
