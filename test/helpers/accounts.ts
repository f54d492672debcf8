import { expect } from 'vitest';
import { http, type HttpAnswer } from '../http/http';
import type { TestServer } from './server';

type Opts = Parameters<typeof http>[1];

/** The `parley_session` cookie a Set-Cookie header sets, or null. */
export const sessionFrom = (res: { headers: Headers }) => /parley_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1] || null;

/**
 * A dashboard user's side of the Admin API: requests carry the session cookie and the Origin a
 * browser on the dashboard would send (state-changing requests without it are refused as CSRF).
 */
export function dashboardUser(server: () => TestServer, cookie: string | null = null) {
  const user = {
    cookie,
    async call(path: string, opts: Opts = {}): Promise<HttpAnswer> {
      return http(`${server().url}/admin/api${path}`, {
        ...opts,
        headers: { origin: server().url, ...(user.cookie ? { cookie: `parley_session=${user.cookie}` } : {}), ...opts.headers },
      });
    },
    async signIn(email: string, password: string) {
      const r = await user.call('/session', { method: 'POST', body: { email, password } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      user.cookie = sessionFrom(r);
      return r;
    },
    /** Takes an invitation link's token, setting the password; signs in. */
    async accept(token: string, password: string) {
      const r = await user.call('/invites/accept', { method: 'POST', body: { token, password } });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      user.cookie = sessionFrom(r);
      return r;
    },
  };
  return user;
}

export type DashboardUser = ReturnType<typeof dashboardUser>;

/** Makes an account with the admin token (as `npm run admin -- user:create` does). */
export async function makeAccount(s: TestServer, email: string, password: string, operator = false) {
  const r = await http(`${s.url}/admin/api/accounts`, { method: 'POST', bearer: s.adminToken, body: { email, password, operator } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; email: string; operator: boolean };
}

/** Invites `email` to a tenant as `role` (by `by`, who must be an owner or operator) and accepts it. */
export async function inviteAndJoin(server: () => TestServer, by: DashboardUser, tenantId: string, email: string, role: string, password: string) {
  const inv = await by.call(`/tenants/${tenantId}/invites`, { method: 'POST', body: { email, role } });
  expect(inv.status, JSON.stringify(inv.body)).toBe(201);
  const u = dashboardUser(server);
  await u.accept(inv.body.token, password);
  return u;
}
