import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { password, type Accounts, type Principal } from '../chat/accounts';
import { ChatError } from '../chat/errors';
import { authenticate, clearSessionCookie, refuseCrossSite, clientAddress, sessionCookie, setSessionCookie, type AdminEnv } from './access';
import type { RateLimiter } from '../chat/rate-limit';
import { openapiRoute } from './openapi-route';
import { body, errors, json, SECURITY, text } from './schemas';

/** What the dashboard learns about who is signed in. */
export const whoAmI = (p: Principal) =>
  p.kind === 'token'
    ? { kind: 'token' as const, operator: true, tenants: {} }
    : { kind: 'account' as const, id: p.id, email: p.email, operator: p.operator, tenants: Object.fromEntries(p.roles) };

const WhoAmI = z
  .object({ kind: z.enum(['token', 'account']), id: z.string().optional(), email: z.string().optional(), operator: z.boolean(), tenants: z.record(z.string(), z.string()) })
  .openapi('WhoAmI');
const token = text('token', 64, /^[A-Za-z0-9_-]+$/);
/** A new password as accounts.ts `password` takes it, with its message. */
const newPassword = z
  .unknown()
  .transform((v, ctx) => {
    try {
      return password(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  })
  .openapi({ type: 'string' });
const required = { error: 'email and password are required' };
const crossSite = { forbidden: 'sent from another site (Sec-Fetch-Site or Origin)' };
const tooLarge = { too_large: 'a body over 64 KiB' };
const admin = { tags: ['Admin API'] };

const SIGN_IN = createRoute({
  ...admin,
  method: 'post',
  path: '/session',
  summary: "Signs in to the dashboard: the parley_session cookie (HttpOnly, SameSite=Strict, 12 hours)",
  security: SECURITY.public,
  request: { body: body(z.object({ email: z.string(required).optional(), password: z.string(required).optional() })) },
  responses: {
    200: json('who is signed in', WhoAmI),
    ...errors(
      { bad_request: 'no email or password', unauthorized: 'the email or password is wrong (which, is not said)', rate_limited: 'too many failed sign-ins (Retry-After)' },
      crossSite,
      tooLarge,
    ),
  },
});
const SIGN_OUT = createRoute({ ...admin, method: 'delete', path: '/session', summary: 'Signs out: the session ends on the server', security: SECURITY.public, responses: { 204: { description: 'signed out' }, ...errors(crossSite) } });
const WHO = createRoute({
  ...admin,
  method: 'get',
  path: '/session',
  summary: 'Who is signed in',
  security: SECURITY.admin,
  responses: { 200: json('who is signed in', WhoAmI), ...errors({ unauthorized: 'not signed in', rate_limited: 'too many wrong admin tokens from this address (Retry-After)' }) },
});
const LOOKUP = createRoute({
  ...admin,
  method: 'post',
  path: '/invites/lookup',
  summary: 'What an invitation is for (its token comes from the link, never a URL a server sees)',
  security: SECURITY.public,
  request: { body: body(z.object({ token })) },
  responses: { 200: json('the invitation'), ...errors({ bad_request: 'a malformed token', not_found: 'the invitation is used, expired or unknown' }, crossSite, tooLarge) },
});
const ACCEPT = createRoute({
  ...admin,
  method: 'post',
  path: '/invites/accept',
  summary: "Accepts an invitation and signs in: a new email gets an account with this password, an existing one gives its own",
  security: SECURITY.public,
  request: { body: body(z.object({ token, password: newPassword })) },
  responses: {
    200: json('who is signed in', WhoAmI),
    ...errors(
      {
        bad_request: 'a malformed token or password',
        unauthorized: "the account's own password is wrong",
        not_found: 'the invitation is used, expired or unknown',
        rate_limited: 'too many failed sign-ins (Retry-After)',
      },
      crossSite,
      tooLarge,
    ),
  },
});

/**
 * Dashboard sign-in, sign-out and invitations (mounted before the Admin API's own auth, so
 * sign-in is reachable without a session).
 */
// `limiter`: GET /session checks admin tokens too, so wrong ones count here as on every other route
// (without it this route let anyone guess the admin token at full speed).
export function sessionRoutes(opts: { accounts: Accounts; adminToken: string; limiter?: RateLimiter }) {
  const { accounts } = opts;
  const app = new OpenAPIHono<AdminEnv>();
  // Signing in or out from another site (login CSRF) is refused like any cookie-borne change.
  app.use('/session', refuseCrossSite);
  app.use('/invites/*', refuseCrossSite);

  openapiRoute(app, SIGN_IN, async (c) => {
    const b = c.req.valid('json');
    // A bad password is refused as one: no hint which of email or password is wrong.
    const e = b.email?.trim().toLowerCase().slice(0, 254) ?? '';
    const pw = b.password?.slice(0, 1024) ?? '';
    if (!e || !pw) throw new ChatError('bad_request', required.error);
    // A session cookie brought to sign-in is ended: the new session gets a new id.
    const old = sessionCookie(c);
    if (old) await accounts.logout(old);
    const s = await accounts.login(e, pw, clientAddress(c));
    setSessionCookie(c, s.sessionId, accounts.sessionTtlMs);
    return c.json(whoAmI((await accounts.principal(s.sessionId))!));
  });

  openapiRoute(app, SIGN_OUT, async (c) => {
    const sid = sessionCookie(c);
    if (sid) await accounts.logout(sid);
    clearSessionCookie(c);
    return c.body(null, 204);
  });

  openapiRoute(app, { ...WHO, middleware: authenticate(opts) }, (c) => c.json(whoAmI(c.get('principal'))));

  openapiRoute(app, LOOKUP, async (c) => c.json(await accounts.inviteInfo(c.req.valid('json').token)));

  openapiRoute(app, ACCEPT, async (c) => {
    const b = c.req.valid('json');
    const old = sessionCookie(c);
    if (old) await accounts.logout(old);
    const s = await accounts.acceptInvite(b.token, b.password, clientAddress(c));
    setSessionCookie(c, s.sessionId, accounts.sessionTtlMs);
    return c.json(whoAmI((await accounts.principal(s.sessionId))!));
  });

  return app;
}
