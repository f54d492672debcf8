/** A token bucket's rule: `rate` tokens a second, at most `burst` saved. */
export interface RateLimit {
  rate: number;
  burst: number;
}

/**
 * Token buckets per tenant and key (`message:<user>`, `report:<user>`, ...). `take` resolves 0
 * when a token was taken, else `retryAfterMs`: the milliseconds until one is free. The memory
 * limiter serves one process; with REDIS_URL every server shares the buckets
 * (redis-rate-limit.ts), so a user spread over servers gets the limit once, not once a server.
 */
export interface RateLimiter {
  take(tenantId: string, key: string, limit: RateLimit): Promise<number>;
  close(): Promise<void>;
}

/** The per-user message limit's key. */
export const messageKey = (userId: string) => `message:${userId}`;

interface Bucket {
  tokens: number;
  at: number;
}

/** Refills `b` up to `now`, then takes `want` tokens if it holds them; returns the wait otherwise. */
export function takeFrom(b: Bucket, now: number, { rate, burst }: RateLimit, want = 1): number {
  b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.at) / 1000) * rate);
  b.at = now;
  if (b.tokens >= want) {
    b.tokens -= want;
    return 0;
  }
  return Math.max(1, Math.ceil(((want - b.tokens) / rate) * 1000));
}

/** The in-process limiter (no REDIS_URL). */
export function createMemoryRateLimiter(opts: { now: () => number }): RateLimiter {
  const buckets = new Map<string, Bucket & { limit: RateLimit }>();
  let lastSweep = opts.now();
  return {
    async take(tenantId, key, limit) {
      const now = opts.now();
      // Full buckets are forgotten now and then so idle users cost nothing.
      if (now - lastSweep > 60_000) {
        lastSweep = now;
        for (const [k, b] of buckets) if (b.tokens + ((now - b.at) / 1000) * b.limit.rate >= b.limit.burst) buckets.delete(k);
      }
      const k = `${tenantId}\u0000${key}`;
      const b = buckets.get(k) ?? { tokens: limit.burst, at: now, limit };
      b.limit = limit;
      buckets.set(k, b);
      return takeFrom(b, now, limit);
    },
    async close() {},
  };
}
