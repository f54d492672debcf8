import { batch, signal } from '@preact/signals';
import type { AdminApi, ApiError, Result, TenantInfo, TenantPatch } from './api';

const TOKEN_KEY = 'parley.adminToken';

/** Where the operator is: one closed union, changed only through `setSession`. */
export type Session = { state: 'signedOut'; message: string } | { state: 'signingIn' } | { state: 'signedIn'; token: string };

/** A secret key on screen for the one time it can be shown. */
export interface Revealed {
  tenantName: string;
  secretKey: string;
  /** Why it exists: a new tenant, or a key added to an existing one. */
  reason: 'created' | 'rotated';
}

/** The subset of Web Storage used; sessionStorage can throw (blocked storage), so it may be absent. */
export interface TokenStore {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
}

/** The dashboard's state and the actions views call; actions answer an error to show, or null. */
export function createDashboard(opts: { api: AdminApi; storage: TokenStore | null }) {
  const { api, storage } = opts;
  const saved = storage?.getItem(TOKEN_KEY);
  const session = signal<Session>(saved ? { state: 'signedIn', token: saved } : { state: 'signedOut', message: '' });
  const tenants = signal<TenantInfo[] | null>(null);
  const listError = signal('');
  const revealed = signal<Revealed | null>(null);

  function setSession(next: Session) {
    if (next.state === 'signedIn') storage?.setItem(TOKEN_KEY, next.token);
    else storage?.removeItem(TOKEN_KEY);
    session.value = next;
  }

  function signOut(message = '') {
    batch(() => {
      setSession({ state: 'signedOut', message });
      // Nothing from the old session stays on screen, least of all a secret key.
      tenants.value = null;
      revealed.value = null;
      listError.value = '';
    });
  }

  /** Calls the API with the session's token; a 401 ends the session with a message. */
  async function call<T>(fn: (token: string) => Promise<Result<T>>): Promise<Result<T>> {
    const s = session.value;
    if (s.state !== 'signedIn') return { ok: false, error: { code: 'unauthorized', message: 'Not signed in.', status: 401 } };
    const r = await fn(s.token);
    if (!r.ok && r.error.status === 401) signOut('The admin token was not accepted (it may have changed). Sign in again.');
    return r;
  }

  async function refresh(): Promise<ApiError | null> {
    const r = await call((t) => api.list(t));
    batch(() => {
      listError.value = r.ok ? '' : r.error.message;
      if (r.ok) tenants.value = r.data;
    });
    return r.ok ? null : r.error;
  }

  /** Runs a change, then reloads the list so the screen shows what the server stored. */
  async function change<T>(fn: (token: string) => Promise<Result<T>>, then?: (data: T) => void): Promise<ApiError | null> {
    const r = await call(fn);
    if (!r.ok) return r.error;
    then?.(r.data);
    await refresh();
    return null;
  }

  return {
    session,
    tenants,
    listError,
    revealed,
    signOut,
    refresh,

    /** Checks the token by listing tenants; only a token that works is kept. */
    async signIn(token: string) {
      token = token.trim();
      if (!token) return setSession({ state: 'signedOut', message: 'Enter the admin token.' });
      setSession({ state: 'signingIn' });
      const r = await api.list(token);
      if (r.ok) {
        batch(() => {
          setSession({ state: 'signedIn', token });
          tenants.value = r.data;
          listError.value = '';
        });
      } else {
        setSession({ state: 'signedOut', message: r.error.status === 401 ? 'That admin token is not valid.' : r.error.message });
      }
    },

    createTenant: (input: { name: string; origins: string[]; guests: boolean }) =>
      change(
        (t) => api.create(t, input),
        (d) => (revealed.value = { tenantName: input.name, secretKey: d.secretKey, reason: 'created' }),
      ),

    updateTenant: (id: string, patch: TenantPatch) => change((t) => api.update(t, id, patch)),

    rotateKey: (tenant: TenantInfo) =>
      change(
        (t) => api.addKey(t, tenant.tenantId),
        (d) => (revealed.value = { tenantName: tenant.name, secretKey: d.secretKey, reason: 'rotated' }),
      ),

    revokeKey: (id: string, prefix: string) => change((t) => api.revokeKey(t, id, prefix)),

    /** A tenant's reports and bans (the moderation view loads them when it opens). */
    moderation: async (id: string) => {
      const [reports, bans] = await Promise.all([call((t) => api.reports(t, id)), call((t) => api.bans(t, id))]);
      if (!reports.ok) return reports;
      if (!bans.ok) return bans;
      return { ok: true as const, data: { reports: reports.data.reports, bans: bans.data.bans } };
    },
    ban: async (id: string, user: string, reason: string): Promise<ApiError | null> => {
      const r = await call((t) => api.ban(t, id, user, reason));
      return r.ok ? null : r.error;
    },
    unban: async (id: string, user: string): Promise<ApiError | null> => {
      const r = await call((t) => api.unban(t, id, user));
      return r.ok ? null : r.error;
    },
  };
}

export type Dashboard = ReturnType<typeof createDashboard>;
