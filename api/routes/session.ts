import { Hono } from 'hono';
import { password, type Accounts, type Principal } from '../chat/accounts';
import { ChatError } from '../chat/errors';
import { authenticate, clearSessionCookie, refuseCrossSite, clientAddress, sessionCookie, setSessionCookie, type AdminEnv } from './access';
import type { RateLimiter } from '../chat/rate-limit';
import { jsonBody } from './http-error';
import { str } from './params';

/** What the dashboard learns about who is signed in. */
export const whoAmI = (p: Principal) =>
  p.kind === 'token'
    ? { kind: 'token' as const, operator: true, tenants: {} }
    : { kind: 'account' as const, id: p.id, email: p.email, operator: p.operator, tenants: Object.fromEntries(p.roles) };

const token = (body: Record<string, unknown>) => str(body, 'token', { max: 64, re: /^[A-Za-z0-9_-]+$/ })!;

/**
 * Dashboard sign-in, sign-out and invitations (mounted before the Admin API's own auth, so
 * sign-in is reachable without a session). 
 */
// `limiter`: GET /session checks admin tokens too, so wrong ones count here as on every other route
// (without it this route let anyone guess the admin token at full speed).
export function sessionRoutes(opts: { accounts: Accounts; adminToken: string; limiter?: RateLimiter }) {
  const { accounts } = opts;
  const app = new Hono<AdminEnv>();
  // Signing in or out from another site (login CSRF) is refused like any cookie-borne change.
  app.use('/session', refuseCrossSite);
  app.use('/invites/*', refuseCrossSite);

  app.post('/session', async (c) => {
    const body = await jsonBody(c);
    // A bad password is refused as one: no hint which of email or password is wrong.
    const e = typeof body.email === 'string' ? body.email.trim().toLowerCase().slice(0, 254) : '';
    const pw = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
    if (!e || !pw) throw new ChatError('bad_request', 'email and password are required');
    // A session cookie brought to sign-in is ended: the new session gets a new id.
    const old = sessionCookie(c);
    if (old) await accounts.logout(old);
    const s = await accounts.login(e, pw, clientAddress(c));
    setSessionCookie(c, s.sessionId, accounts.sessionTtlMs);
    return c.json(whoAmI((await accounts.principal(s.sessionId))!));
  });

  app.delete('/session', async (c) => {
    const sid = sessionCookie(c);
    if (sid) await accounts.logout(sid);
    clearSessionCookie(c);
    return c.body(null, 204);
  });

  app.get('/session', authenticate(opts), (c) => c.json(whoAmI(c.get('principal'))));

  // The invite link carries its token in the URL's fragment (never sent to a server or logged);
  // the dashboard posts it here.
  app.post('/invites/lookup', async (c) => c.json(await accounts.inviteInfo(token(await jsonBody(c)))));

  app.post('/invites/accept', async (c) => {
    const body = await jsonBody(c);
    const t = token(body);
    const pw = password(body.password);
    const old = sessionCookie(c);
    if (old) await accounts.logout(old);
    const s = await accounts.acceptInvite(t, pw, clientAddress(c));
    setSessionCookie(c, s.sessionId, accounts.sessionTtlMs);
    return c.json(whoAmI((await accounts.principal(s.sessionId))!));
  });

  return app;
}
