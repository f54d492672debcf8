import { Redis } from 'ioredis';
import { REDIS_PREFIX } from '../bus/bus';
import { createMemoryRateLimiter, type RateLimit, type RateLimiter } from './rate-limit';
import { connectRedis } from '../bus/redis-connect';

// One atomic step on the shared bucket: refill by Redis's own clock (servers' clocks may
// differ), then grant up to ARGV[3] whole tokens, or none and the wait for one. The bucket
// expires once it would be full again, so idle users cost nothing.
const TAKE = `
local rate, burst, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1]) or burst
local at = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local got = math.min(want, math.floor(tokens))
local wait = 0
if got >= 1 then tokens = tokens - got else got = 0; wait = math.max(1, math.ceil((1 - tokens) * 1000 / rate)) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {got, wait}`;

type WithTake = Redis & { parleyTake(key: string, rate: number, burst: number, want: number): Promise<[number, number]> };

/** What this server holds of one shared bucket. */
interface Local {
  /** Tokens taken from Redis ahead of need, spendable until `until`. */
  tokens: number;
  until: number;
  /** Redis said the bucket is empty until then: refuse without asking again. */
  emptyUntil: number;
}

/**
 * Token buckets shared by every server through Redis (one Lua script per check; keys
 * `<prefix><tenant>:rl:<key>` with a TTL). So that most messages cost no round trip, a server
 * takes a few tokens at once (at most a quarter of the burst, and what the rate refills in half
 * of `leaseMs`) and spends them locally for up to `leaseMs`; unspent ones then lapse. Every
 * token still comes out of the one shared bucket, so the user's rate across all servers is the
 * tenant's, never more (a user spread over servers may be refused a little early while another
 * server holds a lease). After a refusal the server answers locally until the bucket has a
 * token again, so a flood costs Redis nothing. While Redis is unreachable each server limits on
 * its own (logged), rather than refusing everyone.
 */
export async function createRedisRateLimiter(opts: {
  url: string;
  /** Start of every key (ServerOptions.redisPrefix). */
  prefix?: string;
  now: () => number;
  log: (msg: string, err?: unknown) => void;
  leaseMs?: number;
}): Promise<RateLimiter & { stats(): { roundTrips: number; fallbacks: number } }> {
  const leaseMs = opts.leaseMs ?? 1000;
  const prefix = opts.prefix ?? REDIS_PREFIX;
  // No offline queue: a check while Redis is down fails at once and falls back.
  const redis = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, enableAutoPipelining: true }) as WithTake;
  redis.defineCommand('parleyTake', { numberOfKeys: 1, lua: TAKE });
  redis.on('error', (err) => opts.log('redis error (rate limits)', err));
  await connectRedis([redis], opts.log);
  const fallback = createMemoryRateLimiter({ now: opts.now });
  const local = new Map<string, Local>();
  let roundTrips = 0;
  let fallbacks = 0;
  let down = false;
  let lastSweep = opts.now();

  const leaseOf = ({ rate, burst }: RateLimit) => Math.max(1, Math.min(Math.floor(burst / 4), Math.floor((rate * leaseMs) / 2000)));

  function sweep(now: number) {
    if (now - lastSweep < 60_000) return;
    lastSweep = now;
    for (const [k, l] of local) if (l.until <= now && l.emptyUntil <= now) local.delete(k);
  }

  return {
    async take(tenantId, key, limit) {
      const now = opts.now();
      sweep(now);
      const k = `${prefix}${tenantId}:rl:${key}`;
      const l = local.get(k);
      if (l && l.tokens >= 1 && now < l.until) {
        l.tokens -= 1;
        return 0;
      }
      if (l && now < l.emptyUntil) return l.emptyUntil - now;
      let got: number;
      let wait: number;
      try {
        roundTrips++;
        [got, wait] = await redis.parleyTake(k, limit.rate, limit.burst, leaseOf(limit));
        down = false;
      } catch (err) {
        fallbacks++;
        // Once per outage, not once per message.
        if (!down) opts.log('rate limits fell back to each server alone (redis unreachable)', err);
        down = true;
        return fallback.take(tenantId, key, limit);
      }
      const at = opts.now();
      const entry = local.get(k) ?? { tokens: 0, until: 0, emptyUntil: 0 };
      local.set(k, entry);
      if (got < 1) {
        entry.emptyUntil = at + wait;
        return wait;
      }
      entry.tokens = got - 1;
      entry.until = at + leaseMs;
      return 0;
    },
    stats: () => ({ roundTrips, fallbacks }),
    async close() {
      await redis.quit().catch((err) => opts.log('rate limit close failed', err));
    },
  };
}
