import { and, desc, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Db } from './client';
import { accounts, auditLog, invites, memberships, sessions, tenants } from './schema';

export type AccountRow = typeof accounts.$inferSelect;
export type Role = (typeof memberships.$inferSelect)['role'];
export type InviteRow = typeof invites.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;

export const accountByEmail = async (db: Db, email: string) =>
  (await db.select().from(accounts).where(eq(accounts.email, email)))[0] ?? null;

export const countAccounts = async (db: Db) => (await db.select({ id: accounts.id }).from(accounts).limit(1)).length;

/** Inserts an account; false when the email is taken. */
export async function insertAccount(db: Db, a: AccountRow): Promise<boolean> {
  const rows = await db.insert(accounts).values(a).onConflictDoNothing().returning({ id: accounts.id });
  return rows.length > 0;
}

export async function insertSession(db: Db, s: typeof sessions.$inferInsert) {
  await db.insert(sessions).values(s);
}

export async function deleteSession(db: Db, idHash: string) {
  await db.delete(sessions).where(eq(sessions.idHash, idHash));
}

/** The account behind a session that has not expired at `at`, or null. */
export async function sessionAccount(db: Db, idHash: string, at: number): Promise<AccountRow | null> {
  const rows = await db
    .select({ a: accounts })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(and(eq(sessions.idHash, idHash), gt(sessions.expiresAt, at)));
  return rows[0]?.a ?? null;
}

/** Sessions expired before `at` (expired ones are already refused; this only keeps the table small). */
export async function purgeSessions(db: Db, at: number) {
  await db.delete(sessions).where(lt(sessions.expiresAt, at));
}

/** The account's tenants and roles. */
export const membershipsOf = (db: Db, accountId: string) =>
  db.select({ tenantId: memberships.tenantId, role: memberships.role }).from(memberships).where(eq(memberships.accountId, accountId));

/** Adds or changes a membership. */
export async function putMembership(db: Db, tenantId: string, accountId: string, role: Role, at: number) {
  await db
    .insert(memberships)
    .values({ tenantId, accountId, role, createdAt: at })
    .onConflictDoUpdate({ target: [memberships.tenantId, memberships.accountId], set: { role } });
}

export async function deleteMembership(db: Db, tenantId: string, accountId: string): Promise<boolean> {
  const rows = await db
    .delete(memberships)
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.accountId, accountId)))
    .returning({ a: memberships.accountId });
  return rows.length > 0;
}

/** A tenant's members with their emails. */
export const membersOf = (db: Db, tenantId: string) =>
  db
    .select({ accountId: accounts.id, email: accounts.email, role: memberships.role, createdAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(accounts, eq(accounts.id, memberships.accountId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(accounts.email);

export async function insertInvite(db: Db, i: InviteRow) {
  await db.insert(invites).values(i);
}

/** An unused invite that has not expired, with its tenant's name. */
export async function openInvite(db: Db, tokenHash: string, at: number) {
  const rows = await db
    .select({ invite: invites, tenantName: tenants.name })
    .from(invites)
    .innerJoin(tenants, eq(tenants.id, invites.tenantId))
    .where(and(eq(invites.tokenHash, tokenHash), isNull(invites.usedAt), gt(invites.expiresAt, at)));
  return rows[0] ?? null;
}

/** Marks an invite used; false when another request used it first (one-time). */
export async function useInvite(db: Db, tokenHash: string, at: number): Promise<boolean> {
  const rows = await db
    .update(invites)
    .set({ usedAt: at })
    .where(and(eq(invites.tokenHash, tokenHash), isNull(invites.usedAt)))
    .returning({ t: invites.tokenHash });
  return rows.length > 0;
}

/** A tenant's invites not yet used and not expired. */
export const pendingInvites = (db: Db, tenantId: string, at: number) =>
  db
    .select({ email: invites.email, role: invites.role, createdAt: invites.createdAt, expiresAt: invites.expiresAt })
    .from(invites)
    .where(and(eq(invites.tenantId, tenantId), isNull(invites.usedAt), gt(invites.expiresAt, at)))
    .orderBy(desc(invites.createdAt));

export async function insertAudit(db: Db, row: Omit<typeof auditLog.$inferInsert, 'id'>) {
  await db.insert(auditLog).values(row);
}

/** A tenant's audit log, newest first; `beforeId` pages back. */
export const auditOf = (db: Db, tenantId: string, q: { limit: number; beforeId?: number }) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), q.beforeId !== undefined ? lt(auditLog.id, q.beforeId) : undefined))
    .orderBy(desc(auditLog.id))
    .limit(q.limit);
