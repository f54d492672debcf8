/**
 * Latency histogram with fixed 0.1 ms buckets up to 60 s: O(1) per sample and no per-sample
 * allocation, so recording 10^6 deliveries a second costs the load generator almost nothing.
 */
const BUCKET_US = 100;
const BUCKETS = 600_000;

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Creates an empty histogram of microsecond samples. */
export function createHistogram() {
  const buckets = new Uint32Array(BUCKETS + 1);
  let count = 0;
  let maxUs = 0;

  function record(us: number): void {
    if (us < 0) us = 0;
    if (us > maxUs) maxUs = us;
    const i = (us / BUCKET_US) | 0;
    buckets[i < BUCKETS ? i : BUCKETS]++;
    count++;
  }

  /** The upper edge of the bucket holding the p-th fraction of samples (0 when empty). */
  function percentileMs(p: number): number {
    if (count === 0) return 0;
    const rank = Math.max(1, Math.ceil(count * p));
    let seen = 0;
    for (let i = 0; i <= BUCKETS; i++) {
      seen += buckets[i];
      if (seen >= rank) return Math.min(((i + 1) * BUCKET_US) / 1000, maxUs / 1000);
    }
    return maxUs / 1000;
  }

  function summary(): LatencySummary {
    return { count, p50Ms: percentileMs(0.5), p99Ms: percentileMs(0.99), maxMs: maxUs / 1000 };
  }

  return { record, summary };
}

export type Histogram = ReturnType<typeof createHistogram>;
