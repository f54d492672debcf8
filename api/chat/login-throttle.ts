import { isIP } from 'node:net';

/**
 * Whose failures a client address counts toward: an IPv6 client is given a whole /64 and may
 * send from any address in it, so the /64 is one bucket; an IPv4-mapped address is its IPv4.
 */
export function addressBucket(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const bare = address.split('%')[0]!;
  if (isIP(bare) !== 6) return address;
  const [head = '', tail] = bare.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/**
 * Failed sign-ins counted per email and per client address over a window. Once either passes
 * its limit, sign-ins for it are refused (even with the right password) until the window
 * ends, so guessing costs an attacker hours instead of seconds. Kept per server: with N
 * servers an attacker gets N times the attempts, still far too few to guess a 10-character
 * password (a shared limit is #9b's distributed rate limiting).
 */
export function createLoginThrottle(opts: { now: () => number; windowMs?: number; perEmail?: number; perAddress?: number; maxKeys?: number }) {
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const perEmail = opts.perEmail ?? 5;
  const perAddress = opts.perAddress ?? 30;
  // A bound on memory: an attacker cycling through addresses and emails cannot grow it forever.
  const maxKeys = opts.maxKeys ?? 50_000;
  const failures = new Map<string, { since: number; count: number }>();

  const live = (key: string) => {
    const f = failures.get(key);
    if (f && opts.now() - f.since >= windowMs) failures.delete(key);
    return failures.get(key);
  };
  const keys = (email: string, address: string) => [[`e:${email}`, perEmail], [`a:${addressBucket(address)}`, perAddress]] as const;

  return {
    /** Milliseconds until a sign-in for this email from this address may be tried; 0 now. */
    waitMs(email: string, address: string): number {
      let wait = 0;
      for (const [key, limit] of keys(email, address)) {
        const f = live(key);
        if (f && f.count >= limit) wait = Math.max(wait, f.since + windowMs - opts.now());
      }
      return wait;
    },
    /**
     * Counts an attempt before its password is checked, in the same turn as the check of the
     * limit: a check takes hundreds of milliseconds of scrypt, and attempts counted only after
     * it would all pass the limit when sent at once. Returns 0 (go on), or the ms to wait.
     */
    begin(email: string, address: string): number {
      const wait = this.waitMs(email, address);
      if (wait > 0) return wait;
      if (failures.size >= maxKeys) for (const k of failures.keys()) if (!live(k)) failures.delete(k);
      if (failures.size >= maxKeys) failures.delete(failures.keys().next().value!);
      for (const [key] of keys(email, address)) {
        const f = live(key);
        if (f) f.count++;
        else failures.set(key, { since: opts.now(), count: 1 });
      }
      return 0;
    },
    /**
     * A right password clears the email's count and takes back this attempt from the address's
     * (not the rest of it: one account is not proof).
     */
    succeeded(email: string, address: string) {
      failures.delete(`e:${email}`);
      const f = live(`a:${addressBucket(address)}`);
      if (f && f.count > 0) f.count--;
    },
  };
}
