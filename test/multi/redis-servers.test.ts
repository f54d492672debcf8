import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, join, userToken, type TestClient } from '../helpers/client';
import { twoServers, until, withRedisAndPostgres, type TwoServers } from '../helpers/two-servers';

const maybe = withRedisAndPostgres ? describe : describe.skip;

maybe('two servers sharing Postgres and Redis', () => {
  let s: TwoServers;
  let a: TwoServers['a'];
  let bWs: string;
  beforeAll(async () => {
    s = await twoServers();
    ({ a, bWs } = s);
    await fetch(`${a.url}/admin/api/tenants/${a.demo.tenantId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${a.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { burst: 100, messagesPerSecond: 100 } }),
    });
  });
  afterAll(() => s?.stop());

  const as = async (wsUrl: string, sub: string) =>
    client(wsUrl, a.demo.publishableKey, { token: await userToken(a.demo.secretKey, { sub, name: sub }) });
  const seqs = (c: TestClient, room: string) => c.frames.filter((f) => f.type === 'message' && f.room === room).map((f) => f.seq);

  it('delivers one room in the same strictly increasing order on both servers', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, (_, i) => as(i % 2 ? bWs : a.wsUrl, `u${i}`)));
    for (const c of clients) await join(c, 'multi');
    const acks = clients.flatMap((c, i) =>
      Array.from({ length: 25 }, (_, k) => c.request({ type: 'message', room: 'multi', id: `m${i}-${k}`, text: `${i}:${k}` })),
    );
    expect((await Promise.all(acks)).every((f) => f.type === 'ack')).toBe(true);
    await until(() => clients.every((c) => seqs(c, 'multi').length >= 200));
    for (const c of clients) expect(seqs(c, 'multi')).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    clients.forEach((c) => c.close());
  });

  it('shares presence and typing across servers', async () => {
    const alice = await as(a.wsUrl, 'alice');
    await join(alice, 'p');
    const bob = await as(bWs, 'bob');
    const jb = await join(bob, 'p');
    expect(jb.online).toBe(2);
    expect(jb.presence.map((p: { user: string }) => p.user).sort()).toEqual(['alice', 'bob']);
    await alice.next((f) => f.type === 'presence' && f.user === 'bob' && f.status === 'online');
    bob.send({ type: 'typing', room: 'p', active: true });
    await alice.next((f) => f.type === 'typing' && f.user === 'bob' && f.active);
    bob.close();
    await alice.next((f) => f.type === 'presence' && f.user === 'bob' && f.status === 'offline');
    alice.close();
  });

  it('a ban made through one server closes the user’s socket on the other within seconds', async () => {
    const mallory = await as(bWs, 'mallory');
    await join(mallory, 'p');
    const res = await fetch(`${a.url}/v1/bans/mallory`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${a.demo.secretKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    // Pushed to server b over Redis (tenant-state.test.ts checks it without the fallback poll).
    expect((await mallory.closed).code).toBe(4503);
  });

  it('subscribes a server only to the rooms it has members in, and lets go when the last leaves', async () => {
    const redis = new Redis(process.env.REDIS_URL!);
    const channels = async () => (await redis.call('PUBSUB', 'SHARDCHANNELS', `${s.redisPrefix}*`)) as string[];
    const sam = await as(a.wsUrl, 'sam');
    await join(sam, 'only-a');
    const mine = `${s.redisPrefix}${a.demo.tenantId}:room:only-a`;
    expect(await channels()).toContain(mine);
    expect(await channels()).not.toContain(`${s.redisPrefix}${a.demo.tenantId}:room:nobody-here`);
    sam.close();
    await until(async () => !(await channels()).includes(mine), 10_000, 'unsubscribed');
    redis.disconnect();
  });
});
