import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../api/server';
import { client, join, userToken, type Frame, type TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { startRedis, startServerProcess, stop, type ServerProcess } from './procs';

// A short heartbeat keeps the test fast; 2 s leaves room for a loaded machine inside 2.5×.
const HB = 2000;
const databaseUrl = process.env.DATABASE_URL;
if (process.env.CI && !databaseUrl) throw new Error('CI must set DATABASE_URL');
const maybe = databaseUrl ? describe : describe.skip;

maybe('presence heals across servers (a private redis-server the test may kill)', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let a: TestServer;
  const others: RunningServer[] = [];
  const children: ServerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    a = await startTestServer({ backend: 'postgres', redisUrl: redis.url, heartbeatMs: HB });
  });
  afterAll(async () => {
    for (const s of others) await s.close();
    for (const c of children) await stop(c.proc, 'SIGKILL');
    await a?.stop();
    if (redis) await stop(redis.proc, 'SIGTERM');
  });

  const as = async (wsUrl: string, sub: string) =>
    client(wsUrl, a.demo.publishableKey, { token: await userToken(a.demo.secretKey, { sub, name: sub.toUpperCase() }) });
  const users = (j: Frame) => (j.presence as { user: string }[]).map((p) => p.user).sort();
  const presence = (c: TestClient, user: string, status: string) => (f: Record<string, unknown>) =>
    f.type === 'presence' && f.user === user && f.status === status;

  it('announces a kill -9’d server’s users offline in every room within 2.5 heartbeats', async () => {
    const b = await startServerProcess({
      DATABASE_URL: a.databaseUrl!,
      REDIS_URL: redis.url,
      PARLEY_MASTER_KEY: a.masterKey,
      PARLEY_ADMIN_TOKEN: a.adminToken,
      PARLEY_HEARTBEAT_MS: String(HB),
    });
    children.push(b);
    const alice = await as(a.wsUrl, 'alice');
    const carol = await as(a.wsUrl, 'carol');
    const daveHere = await as(a.wsUrl, 'dave');
    const bob = await as(b.wsUrl, 'bob');
    const daveThere = await as(b.wsUrl, 'dave');
    await join(alice, 'k1');
    await join(daveHere, 'k1');
    await join(carol, 'k2');
    await join(bob, 'k1');
    await join(bob, 'k2');
    await join(daveThere, 'k1');
    await alice.next(presence(alice, 'bob', 'online'));
    await carol.next(presence(carol, 'bob', 'online'));

    const killedAt = Date.now();
    await stop(b.proc, 'SIGKILL');
    const [inK1, inK2] = await Promise.all([
      alice.next(presence(alice, 'bob', 'offline'), 4 * HB),
      carol.next(presence(carol, 'bob', 'offline'), 4 * HB),
    ]);
    const took = Date.now() - killedAt;
    expect(inK1.room).toBe('k1');
    expect(inK2.room).toBe('k2');
    expect(took).toBeLessThanOrEqual(2.5 * HB);
    // Dave still has a connection on this server: he stays online, and nobody was told otherwise.
    expect(alice.frames.some(presence(alice, 'dave', 'offline'))).toBe(false);
    const erin = await as(a.wsUrl, 'erin');
    expect(users(await join(erin, 'k1'))).toEqual(['alice', 'dave', 'erin']);
    expect(users(await join(erin, 'k2'))).toEqual(['carol', 'erin']);
    for (const c of [alice, carol, daveHere, erin]) c.close();
  });

  it('after Redis restarts empty, lists are whole again within a heartbeat and the bus carries on, without re-joining', async () => {
    const b = await startServer({
      port: 0,
      databaseUrl: a.databaseUrl,
      redisUrl: redis.url,
      adminToken: a.adminToken,
      masterKey: a.masterKey,
      memory: true,
      heartbeatMs: HB,
      log: () => {},
    });
    others.push(b);
    const bWs = `ws://127.0.0.1:${b.port}/v1/ws`;
    const ann = await as(a.wsUrl, 'ann');
    const ben = await as(bWs, 'ben');
    await join(ann, 'rs');
    await join(ben, 'rs');

    await stop(redis.proc, 'SIGKILL');
    redis = await startRedis(redis.port);
    const back = Date.now();
    // A newcomer's join waits for Redis, then must list both without ann or ben re-joining.
    let listed: string[] = [];
    for (let i = 0; i < 50; i++) {
      const cy = await as(a.wsUrl, `cy${i}`);
      listed = users(await join(cy, 'rs'));
      cy.close();
      await cy.closed;
      if (listed.includes('ann') && listed.includes('ben')) break;
    }
    expect(listed).toEqual(expect.arrayContaining(['ann', 'ben']));
    // One heartbeat, plus the client's reconnect backoff (capped at 500 ms).
    expect(Date.now() - back).toBeLessThanOrEqual(HB + 500);
    // The bus resubscribed: a message from b reaches a.
    const ack = await ben.request({ type: 'message', room: 'rs', id: 'after-restart', text: 'still here' }, 10_000);
    expect(ack.type).toBe('ack');
    await ann.next((f) => f.type === 'message' && f.id === 'after-restart', 10_000);
    ann.close();
    ben.close();
  }, 60_000);
});
