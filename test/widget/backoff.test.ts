import { describe, expect, it } from 'vitest';
import { backoff, BACKOFF_CAP_MS } from '../../widget/client/backoff';

describe('backoff', () => {
  it('is full jitter: anywhere from 0 up to the doubling ceiling', () => {
    expect(backoff(0, () => 0)).toBe(0);
    expect(backoff(0, () => 0.999)).toBe(999);
    expect(backoff(1, () => 0.5)).toBe(1000);
    expect(backoff(3, () => 0.5)).toBe(4000);
  });

  it('is capped at 30 s however many attempts failed', () => {
    expect(backoff(5, () => 0.999)).toBeLessThan(BACKOFF_CAP_MS);
    expect(backoff(5, () => 0.999)).toBeGreaterThan(29_000);
    expect(backoff(10_000, () => 0.999)).toBeLessThan(BACKOFF_CAP_MS);
    expect(Number.isFinite(backoff(10_000, () => 0.5))).toBe(true);
  });

  it('spreads widgets out: real randomness gives different waits', () => {
    const waits = new Set(Array.from({ length: 50 }, () => backoff(4)));
    expect(waits.size).toBeGreaterThan(40);
  });
});
