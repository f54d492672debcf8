import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, type JWTPayload } from 'jose';
import { DEFAULTS, isCleanText, textProblem } from '../protocol';
import { ChatError } from './errors';
import { newToken, type Sealer } from './keys';
import type { Tenant, TenantDirectory } from './tenants';

/** The start of every dashboard console's user id; no tenant-signed token may use it. */
export const STAFF_PREFIX = 'staff_';

/** Whether a user id is a dashboard console's (reserved: never a tenant's user, never sanctioned). */
export const isStaffId = (user: string) => user.startsWith(STAFF_PREFIX);

/** Who a connection or request acts as; only ever built from a verified token. */
export interface Identity {
  id: string;
  name: string;
  role: 'member' | 'moderator';
  /** Private rooms the token grants; null when the token names none. */
  rooms: string[] | null;
  guest: boolean;
  /** Prefix of the secret key that signed the token (null for guests and server-made identities). */
  keyPrefix?: string | null;
  /** When the token expires (ms since the epoch): the socket is closed with 4501 then, unless refreshed. */
  expiresAt?: number;
  /** A dashboard account's console (staff token, signed by us): always a moderator. */
  staff?: true;
}

/** How long a dashboard console's token lives: a member removed from the tenant keeps a console open at most this long. */
export const STAFF_TTL_S = 300;

const CLOCK_TOLERANCE_S = 60;
const GUEST_TTL_S = 365 * 24 * 3600;
const enc = new TextEncoder();

const cleanName = (name: unknown, fallback: string) => {
  const s = typeof name === 'string' ? name.trim().slice(0, DEFAULTS.maxNameLength) : '';
  // A name the tenant signed is still text a person chose: it must be storable (text.ts).
  if (s && !isCleanText(s)) throw new ChatError('bad_request', `the token's name ${textProblem(s)}`);
  return s || fallback;
};

const unauthorized = (message: string) => new ChatError('unauthorized', message);

/** Signs and verifies user tokens (HS256 with a tenant secret key) and guest tokens. */
export function createAuth(opts: { tenants: TenantDirectory; sealer: Sealer; now?: () => number }) {
  const { tenants, sealer } = opts;
  const nowS = () => Math.floor((opts.now ?? Date.now)() / 1000);
  // jose imports a raw key on every call; a KeyObject made once per secret skips that work on
  // every hello. Keys are few (a handful per tenant), so the cache stays small.
  const keyObjects = new Map<string, KeyObject>();
  const keyFor = (secret: string | Uint8Array, id: string) => {
    let k = keyObjects.get(id);
    if (!k) keyObjects.set(id, (k = createSecretKey(typeof secret === 'string' ? enc.encode(secret) : secret)));
    return k;
  };
  const guestKey = (tenantId: string) => keyFor(sealer.derive(`guest:${tenantId}`), `guest:${tenantId}`);
  // Staff tokens are signed with a key of their own, derived like the guests': a tenant's
  // secret key cannot make one, and revoking a tenant's keys leaves the dashboard working.
  const staffKey = (tenantId: string) => keyFor(sealer.derive(`staff:${tenantId}`), `staff:${tenantId}`);

  /**
   * Checks an HS256 token's signature and claims. The HMAC is computed here with node:crypto:
   * jose's jwtVerify goes through WebCrypto (a key import and a job on the thread pool per
   * call), which was 8% of the server's CPU in a reconnect wave of 5,000 hellos; this costs a
   * few µs. The claims are checked as jwtVerify checked them: exp and sub required, numeric
   * dates, nbf with the clock tolerance, no `crit` extension (we understand none). Null when
   * `key` did not make the signature (the caller may try another key).
   */
  function verifyWith(token: string, key: KeyObject): JWTPayload | null {
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) throw unauthorized('token is malformed');
    const given = Buffer.from(token.slice(dot2 + 1), 'base64url');
    const want = createHmac('sha256', key).update(token.slice(0, dot2)).digest();
    if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
    let payload: JWTPayload;
    try {
      payload = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString('utf8'));
    } catch {
      throw unauthorized('token is malformed');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw unauthorized('token is malformed');
    const now = nowS();
    for (const claim of ['exp', 'iat', 'nbf'] as const)
      if (payload[claim] !== undefined && typeof payload[claim] !== 'number') throw unauthorized(`token's ${claim} is not a number`);
    if (typeof payload.nbf === 'number' && payload.nbf > now + CLOCK_TOLERANCE_S) throw unauthorized('token is not valid yet');
    if (typeof payload.exp !== 'number' || payload.exp <= now) throw unauthorized('token expired');
    // jose has no future-iat check: refuse tokens issued in the future.
    if (typeof payload.iat === 'number' && payload.iat > now + CLOCK_TOLERANCE_S) throw unauthorized('token is not valid yet');
    if (typeof payload.sub !== 'string' || !payload.sub || payload.sub.length > 128) throw unauthorized('bad sub');
    if (!isCleanText(payload.sub) || /\s/.test(payload.sub)) throw new ChatError('bad_request', "the token's sub is not a valid user id");
    return payload;
  }

  /**
   * A tenant-signed token may live at most the tenant's `maxTokenLifetime` (from `iat`, or from
   * now without one), with the clock tolerance: a token valid for years (or an `exp` given in
   * milliseconds) would outlive every revocation but the key's.
   */
  function checkLifetime(tenant: Tenant, p: { exp?: number; iat?: number }) {
    const from = typeof p.iat === 'number' ? p.iat : nowS();
    if (p.exp! - from > tenant.settings.maxTokenLifetime + CLOCK_TOLERANCE_S)
      throw unauthorized(`token lifetime exceeds the site's maxTokenLifetime of ${tenant.settings.maxTokenLifetime} s`);
  }

  return {
    /** Verifies a token from `hello`: a tenant-signed user token or a guest token we issued. */
    async verify(tenant: Tenant, token: string): Promise<Identity> {
      let header;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw unauthorized('token is malformed');
      }
      if (header.alg !== 'HS256') throw unauthorized('only HS256 tokens are accepted');
      if (header.crit !== undefined) throw unauthorized('token uses an extension this server does not support');
      if (header.kid === 'guest') {
        if (!tenant.settings.guests) throw unauthorized('guests are not allowed');
        const p = verifyWith(token, guestKey(tenant.id));
        if (!p) throw unauthorized('invalid guest token');
        return { id: p.sub!, name: cleanName(p.name, 'Guest'), role: 'member', rooms: null, guest: true, expiresAt: p.exp! * 1000 };
      }
      if (header.kid === 'staff') {
        const p = verifyWith(token, staffKey(tenant.id));
        if (!p) throw unauthorized('invalid staff token');
        return { id: p.sub!, name: cleanName(p.name, 'Moderator'), role: 'moderator', rooms: null, guest: false, keyPrefix: null, expiresAt: p.exp! * 1000, staff: true };
      }
      const keys = await tenants.activeKeys(tenant.id);
      // A kid naming one of our keys picks it; otherwise try each active key (tokens made by
      // tenant backends carry no kid).
      const candidates = keys.filter((k) => k.prefix === header.kid);
      for (const k of candidates.length ? candidates : keys) {
        // Signed with another of the tenant's keys: try the next one. A token this key signed
        // but whose claims are wrong is refused as it is.
        const p = verifyWith(token, keyFor(k.key, `sk:${k.prefix}`));
        if (!p) continue;
        checkLifetime(tenant, p);
        // Consoles' ids are the server's: a user named staff_… would share a console's blocks and audit name.
        if (isStaffId(p.sub!)) throw unauthorized(`user ids starting with ${STAFF_PREFIX} are reserved for dashboard consoles`);
        const rooms = Array.isArray(p.rooms) ? p.rooms.filter((r): r is string => typeof r === 'string') : null;
        return {
          id: p.sub!,
          name: cleanName(p.name, p.sub!),
          role: p.role === 'moderator' ? 'moderator' : 'member',
          rooms,
          guest: false,
          keyPrefix: k.prefix,
          expiresAt: p.exp! * 1000,
        };
      }
      throw unauthorized('token signature, expiry or claims are invalid');
    },

    /** A new guest identity and the token that keeps it across reloads. */
    async guest(tenant: Tenant, name: unknown): Promise<{ identity: Identity; token: string }> {
      const id = `guest_${newToken().slice(0, 16)}`;
      const display = cleanName(name, `Guest ${id.slice(6, 10)}`);
      const token = await new SignJWT({ name: display })
        .setProtectedHeader({ alg: 'HS256', kid: 'guest' })
        .setSubject(id)
        .setIssuedAt(nowS())
        .setExpirationTime(nowS() + GUEST_TTL_S)
        .sign(guestKey(tenant.id));
      return { identity: { id, name: display, role: 'member', rooms: null, guest: true, expiresAt: (nowS() + GUEST_TTL_S) * 1000 }, token };
    },

    /** Renews a guest's token (e.g. with a new display name). */
    async guestToken(tenant: Tenant, identity: Identity): Promise<string> {
      return new SignJWT({ name: identity.name })
        .setProtectedHeader({ alg: 'HS256', kid: 'guest' })
        .setSubject(identity.id)
        .setIssuedAt(nowS())
        .setExpirationTime(nowS() + GUEST_TTL_S)
        .sign(guestKey(tenant.id));
    },

    /**
     * A moderator's token for a dashboard account's console (`POST /admin/api/tenants/:id/console-token`):
     * short-lived, renewed by the dashboard while it is open.
     */
    async staff(tenantId: string, claims: { user: string; name: string }): Promise<{ token: string; expiresAt: number }> {
      const exp = nowS() + STAFF_TTL_S;
      const token = await new SignJWT({ name: claims.name, role: 'moderator' })
        .setProtectedHeader({ alg: 'HS256', kid: 'staff' })
        .setSubject(claims.user)
        .setIssuedAt(nowS())
        .setExpirationTime(exp)
        .sign(staffKey(tenantId));
      return { token, expiresAt: exp * 1000 };
    },

    /** Signs a user token with one of the tenant's active secret keys (POST /v1/tokens). */
    async sign(
      tenantId: string,
      prefix: string,
      claims: { user: string; name?: string; role?: 'member' | 'moderator'; rooms?: string[]; ttlSeconds?: number },
    ): Promise<{ token: string; expiresAt: number }> {
      if (isStaffId(claims.user)) throw new ChatError('bad_request', `user ids starting with ${STAFF_PREFIX} are reserved for dashboard consoles`);
      const keys = await tenants.activeKeys(tenantId);
      const key = keys.find((k) => k.prefix === prefix);
      if (!key) throw new ChatError('unauthorized', 'that secret key is not active');
      const exp = nowS() + (claims.ttlSeconds ?? 3600);
      const token = await new SignJWT({
        ...(claims.name ? { name: claims.name } : {}),
        ...(claims.role ? { role: claims.role } : {}),
        ...(claims.rooms ? { rooms: claims.rooms } : {}),
      })
        .setProtectedHeader({ alg: 'HS256', kid: key.prefix })
        .setSubject(claims.user)
        .setIssuedAt(nowS())
        .setExpirationTime(exp)
        .sign(keyFor(key.key, `sk:${key.prefix}`));
      return { token, expiresAt: exp * 1000 };
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;
