import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, join, userToken, type Frame, type TestClient } from '../helpers/client';
import { twoServers, unique, until, withRedisAndPostgres, type TwoServers } from '../helpers/two-servers';
import { startRedis, stop } from './procs';

const maybe = withRedisAndPostgres ? describe : describe.skip;

maybe('tenant changes made while Redis is down (private redis-server)', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let s: TwoServers;
  beforeAll(async () => {
    redis = await startRedis();
    // The fallback poll is off: only the re-read after reconnecting can carry the changes.
    s = await twoServers({ redisUrl: redis.url, tenantPollMs: 3_600_000 });
  });
  afterAll(async () => {
    await s?.stop();
    if (redis) await stop(redis.proc, 'SIGKILL');
  });

  const on = async (server: 'a' | 'b', sub: string) =>
    client(server === 'a' ? s.a.wsUrl : s.bWs, s.a.demo.publishableKey, { token: await userToken(s.a.demo.secretKey, { sub, name: sub }) });

  it('reach the other server once Redis is back (restarted empty), and the changing request does not wait for it', async () => {
    const [u, v, mallory, room] = [unique('u'), unique('v'), unique('mallory'), unique('down')];
    const uA = await on('a', u);
    const uB = await on('b', u);
    const vA = await on('a', v);
    const malloryB = await on('b', mallory);
    for (const c of [uA, uB, vA]) await join(c, room);
    await vA.request({ type: 'message', room, id: unique('m'), text: 'hello' });

    await stop(redis.proc, 'SIGKILL');
    const ban = await fetch(`${s.a.url}/v1/bans/${mallory}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${s.a.demo.secretKey}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(ban.status).toBe(200);
    expect(await uA.request({ type: 'block', user: v })).toMatchObject({ type: 'ack' });
    redis = await startRedis(redis.port);

    expect((await closedWithin15s(malloryB)).code).toBe(4503);
    const sees = async (c: TestClient) => (await c.request({ type: 'sync', room, lastSeq: 0 })).messages.some((m: Frame) => m.user === v);
    await until(async () => !(await sees(uB)), 15_000, 'the block on server b after Redis came back');
    for (const c of [uA, uB, vA]) c.close();
  });

  it('a change whose event was lost is read again by every server when its Redis connection comes back', async () => {
    const [u, v, mallory, room] = [unique('u'), unique('v'), unique('mallory'), unique('lost')];
    const uB = await on('b', u);
    const vA = await on('a', v);
    const malloryB = await on('b', mallory);
    for (const c of [uB, vA]) await join(c, room);
    await vA.request({ type: 'message', room, id: unique('m'), text: 'hello' });

    // Written straight to the database while Redis is down: no server publishes anything, as
    // when a server's event is lost with its connection.
    await stop(redis.proc, 'SIGKILL');
    const sql = postgres(s.a.databaseUrl!, { max: 1, onnotice: () => {} });
    try {
      await sql`insert into bans (tenant_id, user_id, created_at) values (${s.a.demo.tenantId}, ${mallory}, ${Date.now()})`;
      await sql`insert into blocks (tenant_id, user_id, blocked_user_id) values (${s.a.demo.tenantId}, ${u}, ${v})`;
    } finally {
      await sql.end();
    }
    redis = await startRedis(redis.port);

    expect((await closedWithin15s(malloryB)).code).toBe(4503);
    const sees = async (c: TestClient) => (await c.request({ type: 'sync', room, lastSeq: 0 })).messages.some((m: Frame) => m.user === v);
    await until(async () => !(await sees(uB)), 15_000, 'the block on server b after its resync');
    for (const c of [uB, vA]) c.close();
  });
});

/** The socket's close, or a failure after 15 s (ioredis reconnects with a backoff of up to 2 s). */
function closedWithin15s(c: TestClient) {
  return Promise.race([c.closed, new Promise<never>((_, no) => setTimeout(() => no(new Error('not closed within 15 s')), 15_000))]);
}
