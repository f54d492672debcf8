import type { Db } from '../db/client';
import * as q from '../db/accounts';
import { ChatError } from './errors';
import { hashSecret, newToken } from './keys';
import { createLoginThrottle } from './login-throttle';
import { decoyHash, hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from './passwords';
import { randomBytes } from 'node:crypto';

export type Role = q.Role;
export const ROLES: readonly Role[] = ['owner', 'admin', 'moderator'];

/** Who is calling the Admin API: the admin token (automation), or a signed-in account. */
export type Principal =
  | { kind: 'token' }
  | { kind: 'account'; id: string; email: string; operator: boolean; roles: Map<string, Role> };

/** Who did something, as the audit log records it. */
export interface Actor {
  id: string;
  name: string;
}

export const actorOf = (p: Principal): Actor => (p.kind === 'token' ? { id: 'admin-token', name: 'admin token' } : { id: p.id, name: p.email });

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A normalised email, or bad_request. */
export function email(v: unknown): string {
  const e = typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (!e || e.length > 254 || !EMAIL_RE.test(e)) throw new ChatError('bad_request', 'email must be an email address');
  return e;
}

/** A password within bounds, or bad_request. */
export function password(v: unknown): string {
  if (typeof v !== 'string' || [...v].length < PASSWORD_MIN || v.length > PASSWORD_MAX)
    throw new ChatError('bad_request', `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  return v;
}

/**
 * Dashboard accounts, their sessions, tenant memberships and invitations. Session ids and
 * invite tokens are 256-bit random values; only their SHA-256 is stored.
 */
export function createAccounts(opts: { db: Db; now: () => number; sessionTtlMs?: number; inviteTtlMs?: number }) {
  const { db, now } = opts;
  const sessionTtlMs = opts.sessionTtlMs ?? 12 * 3_600_000;
  const inviteTtlMs = opts.inviteTtlMs ?? 7 * 86_400_000;
  const throttle = createLoginThrottle({ now });
  let decoy: Promise<string> | null = null;

  async function newSession(accountId: string) {
    const id = newToken();
    const at = now();
    await q.insertSession(db, { idHash: hashSecret(id), accountId, createdAt: at, expiresAt: at + sessionTtlMs });
    return { sessionId: id, expiresAt: at + sessionTtlMs };
  }

  async function create(input: { email: string; password: string; operator?: boolean }): Promise<q.AccountRow> {
    const row = {
      id: `a_${randomBytes(8).toString('hex')}`,
      email: input.email,
      passwordHash: await hashPassword(input.password),
      operator: !!input.operator,
      createdAt: now(),
    };
    if (!(await q.insertAccount(db, row))) throw new ChatError('conflict', 'an account with this email exists');
    return row;
  }

  return {
    sessionTtlMs,
    create,
    /** True while no account exists (the first start tells the operator how to make one). */
    none: async () => (await q.countAccounts(db)) === 0,

    /** Checks a password and opens a new session (never reuses one: no session fixation). */
    async login(emailAddr: string, pw: string, address: string) {
      const wait = throttle.begin(emailAddr, address);
      if (wait > 0) throw new ChatError('rate_limited', 'too many failed sign-ins; try again later', { retryAfterMs: wait });
      const account = await q.accountByEmail(db, emailAddr);
      const ok = account ? await verifyPassword(pw, account.passwordHash) : await verifyPassword(pw, await (decoy ??= decoyHash()));
      if (!account || !ok) throw new ChatError('unauthorized', 'the email or password is wrong');
      throttle.succeeded(emailAddr, address);
      // Expired sessions are refused anyway; dropping them here keeps the table small.
      await q.purgeSessions(db, now());
      return newSession(account.id);
    },

    /** The principal of a live session, with its roles read now (a removed member loses access at once). */
    async principal(sessionId: string): Promise<Principal | null> {
      const a = await q.sessionAccount(db, hashSecret(sessionId), now());
      if (!a) return null;
      const roles = new Map((await q.membershipsOf(db, a.id)).map((m) => [m.tenantId, m.role]));
      return { kind: 'account', id: a.id, email: a.email, operator: a.operator, roles };
    },

    logout: (sessionId: string) => q.deleteSession(db, hashSecret(sessionId)),

    /** A one-time invitation to a tenant; the token is shown once, in the link. */
    async invite(tenantId: string, emailAddr: string, role: Role, by: Actor) {
      const token = newToken();
      const at = now();
      await q.insertInvite(db, { tokenHash: hashSecret(token), tenantId, email: emailAddr, role, invitedBy: by.id, createdAt: at, expiresAt: at + inviteTtlMs, usedAt: null });
      return { token, link: `/dashboard#invite=${token}`, email: emailAddr, role, expiresAt: at + inviteTtlMs };
    },

    /** What an invite is for, so the page can say it before asking for a password. */
    async inviteInfo(token: string) {
      const found = await q.openInvite(db, hashSecret(token), now());
      if (!found) throw new ChatError('not_found', 'this invitation is used, expired or unknown');
      const existing = await q.accountByEmail(db, found.invite.email);
      return { email: found.invite.email, role: found.invite.role, tenantId: found.invite.tenantId, tenantName: found.tenantName, hasAccount: !!existing };
    },

    /**
     * Takes an invitation: a new account gets the password; an existing one must give its own.
     * Used once (a second use, even concurrent, is refused); signs the invitee in.
     */
    async acceptInvite(token: string, pw: string, address: string) {
      const hash = hashSecret(token);
      const found = await q.openInvite(db, hash, now());
      if (!found) throw new ChatError('not_found', 'this invitation is used, expired or unknown');
      const { invite } = found;
      let account = await q.accountByEmail(db, invite.email);
      if (account) {
        const wait = throttle.begin(invite.email, address);
        if (wait > 0) throw new ChatError('rate_limited', 'too many failed sign-ins; try again later', { retryAfterMs: wait });
        if (!(await verifyPassword(pw, account.passwordHash))) throw new ChatError('unauthorized', 'an account with this email exists: give its password');
        throttle.succeeded(invite.email, address);
      }
      if (!(await q.useInvite(db, hash, now()))) throw new ChatError('not_found', 'this invitation is used, expired or unknown');
      account ??= await create({ email: invite.email, password: pw });
      await q.putMembership(db, invite.tenantId, account.id, invite.role, now());
      return { ...(await newSession(account.id)), tenantId: invite.tenantId, role: invite.role, account: { id: account.id, email: account.email } };
    },

    async members(tenantId: string) {
      const [members, invites] = await Promise.all([q.membersOf(db, tenantId), q.pendingInvites(db, tenantId, now())]);
      return { members, invites };
    },
    setRole: (tenantId: string, accountId: string, role: Role) => q.putMembership(db, tenantId, accountId, role, now()),
    removeMember: (tenantId: string, accountId: string) => q.deleteMembership(db, tenantId, accountId),
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
