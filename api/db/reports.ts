import { and, asc, between, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from './client';
import { messages, reports } from './schema';

export type ReportStatus = 'open' | 'resolved' | 'dismissed';

/**
 * A tenant's reports, newest first, with the reported message as it is stored now (null when
 * it is gone); `status` narrows, `beforeId` pages back.
 */
export async function reportsOf(db: Db, tenantId: string, q: { limit: number; beforeId?: number; status?: ReportStatus; reportId?: number }) {
  return db
    .select({ report: reports, author: messages.userId, authorName: messages.name, text: messages.text, seq: messages.seq, deletedAt: messages.deletedAt })
    .from(reports)
    .leftJoin(messages, and(eq(messages.tenantId, reports.tenantId), eq(messages.room, reports.room), eq(messages.id, reports.messageId)))
    .where(
      and(
        eq(reports.tenantId, tenantId),
        q.beforeId !== undefined ? lt(reports.id, q.beforeId) : undefined,
        q.status ? eq(reports.status, q.status) : undefined,
        q.reportId !== undefined ? eq(reports.id, q.reportId) : undefined,
      ),
    )
    .orderBy(desc(reports.id))
    .limit(q.limit);
}

/** The messages of a room from `seq - n` to `seq + n`, oldest first (context around a report). */
export const around = (db: Db, tenantId: string, room: string, seq: number, n: number) =>
  db
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.room, room), between(messages.seq, seq - n, seq + n)))
    .orderBy(asc(messages.seq));

/** Closes every open report of one message; returns their ids (none when another moderator was first). */
export async function closeReports(
  db: Db,
  tenantId: string,
  room: string,
  messageId: string,
  c: { status: Exclude<ReportStatus, 'open'>; by: string; byName: string; at: number; action: string },
): Promise<number[]> {
  const rows = await db
    .update(reports)
    .set({ status: c.status, closedBy: c.by, closedByName: c.byName, closedAt: c.at, action: c.action })
    .where(and(eq(reports.tenantId, tenantId), eq(reports.room, room), eq(reports.messageId, messageId), eq(reports.status, 'open')))
    .returning({ id: reports.id });
  return rows.map((r) => r.id);
}

/** Reports made by, or against messages of, a user (the user view), newest first. */
export const reportsAbout = (db: Db, tenantId: string, userId: string, limit: number) =>
  db
    .select({ report: reports, author: messages.userId })
    .from(reports)
    .leftJoin(messages, and(eq(messages.tenantId, reports.tenantId), eq(messages.room, reports.room), eq(messages.id, reports.messageId)))
    .where(and(eq(reports.tenantId, tenantId), sql`(${reports.reporterId} = ${userId} or ${messages.userId} = ${userId})`))
    .orderBy(desc(reports.id))
    .limit(limit);
