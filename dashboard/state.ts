import { batch, signal } from '@preact/signals';
import type { AdminApi, ApiError, InviteInfo, Me, Resolution, Result, Role, Sanction, TenantInfo, TenantPatch, TenantRow } from './api';

/**
 * Where the person is: one closed union, changed only through `setSession`. The session itself
 * is an HttpOnly cookie; the dashboard only learns who it belongs to.
 */
export type Session =
  | { state: 'loading' }
  | { state: 'signedOut'; message: string }
  | { state: 'signingIn' }
  | { state: 'invited'; token: string; info: InviteInfo | null; message: string }
  | { state: 'signedIn'; me: Me };

/** A secret key on screen for the one time it can be shown. */
export interface Revealed {
  tenantName: string;
  secretKey: string;
  /** Why it exists: a new tenant, or a key added to an existing one. */
  reason: 'created' | 'rotated';
}

/** The dashboard's state and the actions views call; actions answer an error to show, or null. */
export function createDashboard(opts: { api: AdminApi }) {
  const { api } = opts;
  const session = signal<Session>({ state: 'loading' });
  const tenants = signal<TenantRow[] | null>(null);
  const listError = signal('');
  const revealed = signal<Revealed | null>(null);

  const setSession = (next: Session) => void (session.value = next);

  function signedOut(message = '') {
    batch(() => {
      setSession({ state: 'signedOut', message });
      // Nothing from the old session stays on screen, least of all a secret key.
      tenants.value = null;
      revealed.value = null;
      listError.value = '';
    });
  }

  /** Calls the API; a 401 (the session ended or expired) goes back to sign-in with a message. */
  async function call<T>(fn: () => Promise<Result<T>>): Promise<Result<T>> {
    const r = await fn();
    if (!r.ok && r.error.status === 401) signedOut('Your session ended. Sign in again.');
    return r;
  }

  async function refresh(): Promise<ApiError | null> {
    const r = await call(() => api.list());
    batch(() => {
      listError.value = r.ok ? '' : r.error.message;
      if (r.ok) tenants.value = r.data;
    });
    return r.ok ? null : r.error;
  }

  async function enter(me: Me) {
    setSession({ state: 'signedIn', me });
    await refresh();
  }

  /** Runs a change, then reloads the list so the screen shows what the server stored. */
  async function change<T>(fn: () => Promise<Result<T>>, then?: (data: T) => void): Promise<ApiError | null> {
    const r = await call(fn);
    if (!r.ok) return r.error;
    then?.(r.data);
    await refresh();
    return null;
  }
  const done = async <T,>(fn: () => Promise<Result<T>>): Promise<ApiError | null> => {
    const r = await call(fn);
    return r.ok ? null : r.error;
  };

  return {
    session,
    tenants,
    listError,
    revealed,
    refresh,
    api,
    call,

    /** At load: an invitation link (`#invite=…`), else the session the cookie holds, if any. */
    async start(hash: string) {
      const token = /^#invite=([\w-]{1,64})$/.exec(hash)?.[1];
      if (token) {
        setSession({ state: 'invited', token, info: null, message: '' });
        const r = await api.inviteInfo(token);
        setSession({ state: 'invited', token, info: r.ok ? r.data : null, message: r.ok ? '' : r.error.message });
        return;
      }
      const r = await api.me();
      if (r.ok) await enter(r.data);
      else signedOut(r.error.status === 401 ? '' : r.error.message);
    },

    async signIn(email: string, password: string) {
      if (!email || !password) return setSession({ state: 'signedOut', message: 'Enter your email and password.' });
      setSession({ state: 'signingIn' });
      const r = await api.signIn(email, password);
      if (r.ok) await enter(r.data);
      else signedOut(r.error.status === 401 ? 'That email and password do not match an account.' : r.error.message);
    },

    /** Takes an invitation with the password typed; signs in on success. */
    async acceptInvite(token: string, password: string): Promise<ApiError | null> {
      const r = await api.acceptInvite(token, password);
      if (!r.ok) return r.error;
      await enter(r.data);
      return null;
    },

    async signOut() {
      const r = await api.signOut();
      signedOut(r.ok ? 'You are signed out.' : r.error.message);
    },

    createTenant: (input: { name: string; origins: string[]; guests: boolean }) =>
      change(
        () => api.create(input),
        (d) => (revealed.value = { tenantName: input.name, secretKey: d.secretKey, reason: 'created' }),
      ),

    updateTenant: (id: string, patch: TenantPatch) => change(() => api.update(id, patch)),

    rotateKey: (tenant: TenantInfo) =>
      change(
        () => api.addKey(tenant.tenantId),
        (d) => (revealed.value = { tenantName: tenant.name, secretKey: d.secretKey, reason: 'rotated' }),
      ),

    revokeKey: (id: string, prefix: string) => change(() => api.revokeKey(id, prefix)),

    members: (id: string) => call(() => api.members(id)),
    invite: (id: string, email: string, role: Role) => call(() => api.invite(id, email, role)),
    removeMember: (id: string, account: string) => done(() => api.removeMember(id, account)),
    audit: (id: string) => call(() => api.audit(id)),

    /** A tenant's open reports (with context), bans and mutes (the moderation view loads them when it opens). */
    moderation: async (id: string) => {
      const [reports, bans, mutes] = await Promise.all([call(() => api.queue(id)), call(() => api.bans(id)), call(() => api.mutes(id))]);
      if (!reports.ok) return reports;
      if (!bans.ok) return bans;
      if (!mutes.ok) return mutes;
      return { ok: true as const, data: { reports: reports.data.reports, bans: bans.data.bans, mutes: mutes.data.mutes } };
    },
    resolve: (id: string, report: number, r: Resolution) => done(() => api.resolve(id, report, r)),
    unban: (id: string, user: string) => done(() => api.unban(id, user)),
    unmute: (id: string, user: string) => done(() => api.unmute(id, user)),

    // The room view, the user view and search (dashboard/views/room-view.tsx and the others).
    consoleToken: (id: string) => call(() => api.consoleToken(id)),
    rooms: (id: string, prefix: string, after?: string) => call(() => api.rooms(id, prefix, after)),
    search: (id: string, q: { q?: string; user?: string; before?: string }) => call(() => api.search(id, q)),
    userView: (id: string, user: string) => call(() => api.userView(id, user)),
    deleteMessage: (id: string, room: string, msg: string) => done(() => api.deleteMessage(id, room, msg)),
    sanction: (id: string, kind: 'bans' | 'mutes', user: string, s: Sanction) => done(() => api.sanction(id, kind, user, s)),
  };
}

export type Dashboard = ReturnType<typeof createDashboard>;
