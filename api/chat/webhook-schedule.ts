/**
 * The published retry schedule (README, "Event webhooks"): the first attempt at once, then
 * after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h; an event that failed all eight is given
 * up and the tenant's next event goes.
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** Retry-After is honoured up to this; a longer one would stall the tenant's queue for days. */
const MAX_RETRY_AFTER_MS = 36_000_000;

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or null. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const v = header.trim();
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * When to try again after `attempts` failed attempts, or 'given_up' when the schedule ran out.
 * A `Retry-After` longer than the schedule's step is waited out (capped at 10 h).
 */
export function nextAttempt(attempts: number, now: number, retryAfter: number | null, delays = RETRY_DELAYS_MS): number | 'given_up' {
  if (attempts > delays.length) return 'given_up';
  const step = delays[attempts - 1];
  return now + Math.max(step, Math.min(retryAfter ?? 0, MAX_RETRY_AFTER_MS));
}
