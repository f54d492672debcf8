import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// scrypt at N = 2^17, r = 8, p = 1 (OWASP's recommendation for scrypt): 128 MiB and a few
// hundred milliseconds a hash, so a stolen table costs an attacker the same per guess. Node's
// default `maxmem` (32 MiB) refuses these parameters, hence the raised limit.
const LOG_N = 17;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const maxmem = (logN: number, r: number) => 128 * r * 2 ** logN + 32 * 1024 * 1024;

/** Password length bounds: long enough to resist guessing, short enough that hashing stays bounded. */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_BYTES, { N: 2 ** logN, r, p, maxmem: maxmem(logN, r) }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** `scrypt$<logN>$<r>$<p>$<salt>$<hash>` (base64url), so stronger parameters can come later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, LOG_N, R, P);
  return ['scrypt', LOG_N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** True when `password` matches `stored`; a malformed stored hash matches nothing. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, logN, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const want = Buffer.from(hash, 'base64url');
  const got = await derive(password, Buffer.from(salt, 'base64url'), Number(logN), Number(r), Number(p));
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * A hash of nothing anyone knows, checked when the email is unknown, so a login with an unknown
 * email takes as long as one with a wrong password and does not reveal which accounts exist.
 */
export const decoyHash = (): Promise<string> => hashPassword(randomBytes(16).toString('hex'));
