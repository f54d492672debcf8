import { keyPrefix, type EmbedRefusal } from './embed-rule';

/** At most this many lines about refused upgrades per window; the rest are counted. */
export const REFUSAL_LINES_PER_WINDOW = 20;
export const REFUSAL_WINDOW_MS = 60_000;

/**
 * Logs refused upgrades for the operator, rate-limited: a misconfigured site with a thousand
 * visitors, or a stranger hammering the endpoint, must not flood the log. The same
 * (reason, key prefix, origin) is logged once a window; past the line budget, refusals are
 * counted and the count is logged when the next window opens. No key beyond its prefix.
 */
export function createRefusalLog(o: { log: (msg: string) => void; now: () => number }) {
  let windowStart = -Infinity;
  let seen = new Set<string>();
  let suppressed = 0;
  return (reason: EmbedRefusal | 'draining', key: string, origin: string | undefined) => {
    const t = o.now();
    if (t - windowStart >= REFUSAL_WINDOW_MS) {
      if (suppressed) o.log(`${suppressed} more refused upgrades in the last minute were not logged`);
      windowStart = t;
      seen = new Set();
      suppressed = 0;
    }
    // The origin header is the caller's: quoted and cut, so it cannot forge log lines.
    const line = `upgrade refused: ${reason.replace(/_/g, ' ')} (key ${JSON.stringify(keyPrefix(key))}, origin ${JSON.stringify((origin ?? 'none').slice(0, 200))})`;
    if (seen.has(line)) return;
    if (seen.size >= REFUSAL_LINES_PER_WINDOW) return void suppressed++;
    seen.add(line);
    o.log(line);
  };
}
