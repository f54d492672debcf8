import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Accounts, Principal, Role } from '../chat/accounts';
import { ChatError } from '../chat/errors';
import { safeEqual } from '../chat/keys';
import type { RateLimiter } from '../chat/rate-limit';
import { clientOf } from './client-info';

/** The token of an `Authorization: Bearer …` header (the scheme is case-insensitive), or null. */
export const bearer = (h: string | undefined) => /^Bearer +(\S+) *$/i.exec(h ?? '')?.[1] ?? null;

/** Wrong admin tokens one address may send: 30 at once, then one every 2 s. */
export const ADMIN_FAILURES = { rate: 30 / 60, burst: 30 };

export type AdminEnv = { Variables: { principal: Principal } };

/** What a route does to a tenant; each is open to these roles (operators and the admin token: all). */
export const CAPABILITIES = {
  view: ['owner', 'admin', 'moderator'],
  settings: ['owner', 'admin'],
  keys: ['owner'],
  members: ['owner'],
  moderate: ['owner', 'admin', 'moderator'],
} as const satisfies Record<string, readonly Role[]>;
export type Capability = keyof typeof CAPABILITIES;

const COOKIE = 'parley_session';
const COOKIE_PATH = '/admin/api';

/** True when the browser reached us over HTTPS, directly or through a trusted proxy that says so. */
const overHttps = (c: Context) => clientOf(c).https;

/** Sets the session cookie: not readable by scripts, not sent on cross-site requests at all. */
export function setSessionCookie(c: Context, sessionId: string, maxAgeMs: number) {
  setCookie(c, COOKIE, sessionId, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: 'Strict',
    secure: overHttps(c),
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

export const sessionCookie = (c: Context) => getCookie(c, COOKIE);
export const clearSessionCookie = (c: Context) => deleteCookie(c, COOKIE, { path: COOKIE_PATH, secure: overHttps(c) });

/** The client's address, for sign-in throttling (behind trusted proxies: the address they were given). */
export const clientAddress = (c: Context): string => clientOf(c).address;

/**
 * Refuses a state-changing request a browser made from another site (CSRF). SameSite=Strict
 * already keeps the cookie off those; this is the second lock. It runs on every request the
 * cookie authenticates and on sign-in (login CSRF, where there is no cookie yet); requests
 * with the admin token carry no ambient credential and are not checked (the CLI, scripts).
 */
export function checkSameOrigin(c: Context) {
  const m = c.req.method;
  if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return;
  const site = c.req.header('sec-fetch-site');
  const origin = c.req.header('origin');
  let ok: boolean;
  if (site) ok = site === 'same-origin';
  else if (origin) {
    const host = clientOf(c).host;
    ok = URL.canParse(origin) && new URL(origin).host === host;
  } else ok = false;
  if (!ok) throw new ChatError('forbidden', 'cross-site request refused: send it from the dashboard (Origin must match)');
}

export const refuseCrossSite: MiddlewareHandler = async (c, next) => {
  checkSameOrigin(c);
  await next();
};

/** Who is calling: the admin token in `Authorization`, or the session cookie; else 401. */
export function authenticate(opts: { adminToken: string; accounts: Accounts; limiter?: RateLimiter }): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    let p: Principal | null = null;
    if (token) {
      if (!safeEqual(token, opts.adminToken)) {
        // Wrong tokens from one address are slowed: 30 a minute, then 429 with Retry-After.
        const wait = opts.limiter ? await opts.limiter.take('admin', `auth-failure:${clientAddress(c)}`, ADMIN_FAILURES) : 0;
        if (wait) throw new ChatError('rate_limited', 'too many wrong admin tokens; wait', { retryAfterMs: wait });
        throw new ChatError('unauthorized', 'a valid admin token is required');
      }
      p = { kind: 'token' };
    } else {
      const sid = sessionCookie(c);
      p = sid ? await opts.accounts.principal(sid) : null;
      if (!p) throw new ChatError('unauthorized', 'sign in first (or send the admin token)');
      checkSameOrigin(c);
    }
    c.set('principal', p);
    await next();
  };
}

/** The caller's role in a tenant: 'all' for operators and the admin token, null for none. */
export function roleIn(p: Principal, tenantId: string): Role | 'all' | null {
  if (p.kind === 'token' || p.operator) return 'all';
  return p.roles.get(tenantId) ?? null;
}

/**
 * Lets the request through only when the caller may do `cap` in the tenant named by the path's
 * `:id`: no role there answers 404 (another tenant's existence is not revealed), a role
 * without the capability 403.
 */
export const need =
  (cap: Capability): MiddlewareHandler<AdminEnv> =>
  async (c, next) => {
    const role = roleIn(c.get('principal'), c.req.param('id') ?? '');
    if (!role) throw new ChatError('not_found', 'no such tenant');
    if (role !== 'all' && !(CAPABILITIES[cap] as readonly Role[]).includes(role))
      throw new ChatError('forbidden', `a ${role} may not do this; it needs ${CAPABILITIES[cap].join(' or ')}`);
    await next();
  };

/** Only operators (and the admin token): creating tenants and accounts. */
export const operatorOnly: MiddlewareHandler<AdminEnv> = async (c, next) => {
  const p = c.get('principal');
  if (p.kind === 'account' && !p.operator) throw new ChatError('forbidden', 'only an operator may do this');
  await next();
};
