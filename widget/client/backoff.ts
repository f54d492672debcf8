/** Longest wait between reconnect attempts. */
export const BACKOFF_CAP_MS = 30_000;
/** Ceiling of the first wait; it doubles with every failed attempt up to the cap. */
export const BACKOFF_BASE_MS = 1000;

/**
 * Milliseconds to wait before reconnect attempt number `attempt` (0 first): full jitter,
 * a uniform pick in [0, min(cap, base·2^attempt)), so a thousand widgets dropped by one server
 * restart do not all come back in the same instant.
 */
export const backoff = (attempt: number, random: () => number = Math.random): number =>
  Math.floor(random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 16)));
