/** Token buckets keyed by tenant and user: `rate` tokens a second, at most `burst` saved. */
export function createRateLimiter(opts: { now: () => number }) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  let lastSweep = opts.now();

  return {
    /** Takes one token; returns 0 when allowed, else the milliseconds until one is free. */
    take(key: string, rate: number, burst: number): number {
      const now = opts.now();
      // Full buckets are forgotten now and then so idle users cost nothing.
      if (now - lastSweep > 60_000) {
        lastSweep = now;
        for (const [k, b] of buckets) if (b.tokens + ((now - b.at) / 1000) * rate >= burst) buckets.delete(k);
      }
      const b = buckets.get(key) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * rate);
      b.at = now;
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil(((1 - b.tokens) / rate) * 1000));
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
