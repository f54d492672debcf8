import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimiter } from '../../api/chat/redis-rate-limit';
import { client, join, userToken } from '../helpers/client';
import { redisUrl, twoServers, unique, withRedisAndPostgres, type TwoServers } from '../helpers/two-servers';
import { startRedis, stop } from './procs';

const maybe = withRedisAndPostgres ? describe : describe.skip;
// About one token in 100 s: nothing refills while a test runs, so counts are exact.
const SLOW = 0.01;

maybe('rate limits shared by every server (Redis)', () => {
  let s: TwoServers;
  beforeAll(async () => {
    s = await twoServers();
  });
  afterAll(() => s?.stop());

  it('a user on two servers gets the tenant’s burst once, not once per server', async () => {
    const admin = { authorization: `Bearer ${s.a.adminToken}`, 'content-type': 'application/json' };
    const t = (await (
      await fetch(`${s.a.url}/admin/api/tenants`, { method: 'POST', headers: admin, body: JSON.stringify({ name: unique('rl'), origins: ['*'] }) })
    ).json()) as { tenantId: string; publishableKey: string; secretKey: string };
    await fetch(`${s.a.url}/admin/api/tenants/${t.tenantId}`, {
      method: 'PATCH',
      headers: admin,
      body: JSON.stringify({ settings: { burst: 6, messagesPerSecond: SLOW } }),
    });
    const token = await userToken(t.secretKey, { sub: 'spread' });
    const [onA, onB] = await Promise.all([s.a.wsUrl, s.bWs].map((url) => client(url, t.publishableKey, { token })));
    for (const c of [onA, onB]) await join(c, 'r');
    const answers = await Promise.all(
      [onA, onB].flatMap((c, i) => Array.from({ length: 6 }, (_, k) => c.request({ type: 'message', room: 'r', id: `m${i}-${k}`, text: 'hi' }))),
    );
    expect(answers.filter((f) => f.type === 'ack')).toHaveLength(6);
    const refused = answers.filter((f) => f.type === 'error');
    expect(refused).toHaveLength(6);
    for (const f of refused) expect(f).toMatchObject({ code: 'rate_limited', retryAfterMs: expect.any(Number) });
    // The wait is the shared bucket's: about 1 / SLOW seconds for the next token.
    expect(Math.min(...refused.map((f) => f.retryAfterMs))).toBeGreaterThan(50_000);
    onA.close();
    onB.close();
  });
});

(redisUrl ? describe : describe.skip)('the Redis limiter', () => {
  const log = () => {};

  it('takes tokens ahead of need yet never grants more than the shared bucket holds', async () => {
    const tenant = unique('t');
    // A long lease: each server takes up to burst / 4 tokens per round trip.
    const servers = await Promise.all([0, 1].map(() => createRedisRateLimiter({ url: redisUrl!, now: Date.now, log, leaseMs: 1e9 })));
    const limit = { rate: SLOW, burst: 20 };
    let allowed = 0;
    for (let i = 0; i < 15; i++) for (const l of servers) if ((await l.take(tenant, 'message:u', limit)) === 0) allowed++;
    expect(allowed).toBe(20);
    // 10 tokens each in leases of 5, then one refusal each answered by Redis (the rest locally).
    expect(servers.map((l) => l.stats().roundTrips)).toEqual([3, 3]);
    // Other keys and tenants have buckets of their own.
    expect(await servers[0].take(tenant, 'report:u', limit)).toBe(0);
    expect(await servers[0].take(unique('t'), 'message:u', limit)).toBe(0);
    await Promise.all(servers.map((l) => l.close()));
  });

  it('falls back to limiting on this server alone while Redis is unreachable', async () => {
    const redis = await startRedis();
    try {
      const l = await createRedisRateLimiter({ url: redis.url, now: Date.now, log, leaseMs: 0 });
      const limit = { rate: SLOW, burst: 2 };
      expect(await l.take('t', 'k', limit)).toBe(0);
      await stop(redis.proc, 'SIGKILL');
      expect(await l.take('t', 'k', limit)).toBe(0);
      expect(await l.take('t', 'k', limit)).toBe(0);
      expect(await l.take('t', 'k', limit)).toBeGreaterThan(0);
      expect(l.stats().fallbacks).toBe(3);
      await l.close();
    } finally {
      await stop(redis.proc, 'SIGKILL');
    }
  });
});
