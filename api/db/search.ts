import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from './client';
import { auditLog, messages } from './schema';

/** Where a search page ends: the last row's (ts, room, seq), so the next page starts after it. */
export interface SearchCursor {
  ts: number;
  room: string;
  seq: number;
}

/**
 * A tenant's messages matching words (all of them, as whole words) and/or an author, newest
 * first, across rooms; deleted ones are left out. Uses messages_text_search_idx (GIN over
 * to_tsvector('simple', text)) for words and messages_tenant_user_idx for an author.
 */
export const searchMessages = (db: Db, tenantId: string, q: { words?: string; user?: string; before?: SearchCursor; limit: number }) =>
  db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.tenantId, tenantId),
        isNull(messages.deletedAt),
        q.words ? sql`to_tsvector('simple', coalesce(${messages.text}, '')) @@ plainto_tsquery('simple', ${q.words})` : undefined,
        q.user ? eq(messages.userId, q.user) : undefined,
        q.before ? sql`(${messages.ts}, ${messages.room}, ${messages.seq}) < (${q.before.ts}, ${q.before.room}, ${q.before.seq})` : undefined,
      ),
    )
    .orderBy(desc(messages.ts), desc(messages.room), desc(messages.seq))
    .limit(q.limit);

/** What moderators did to a user (bans, mutes and their lifting), newest first. */
export const auditAbout = (db: Db, tenantId: string, target: string, limit: number) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.target, target)))
    .orderBy(desc(auditLog.id))
    .limit(limit);
