import type { Db } from '../db/client';
import * as q from '../db/accounts';
import type { AuditEntry } from '../protocol';
import type { Actor } from './accounts';

/** The audit log: who did what to whom in a tenant (moderation, settings, keys, members). */
export function createAudit(opts: { db: Db; now: () => number }) {
  const { db, now } = opts;
  return {
    record: (tenantId: string, by: Actor, action: string, target: string, detail: Record<string, unknown> = {}) =>
      q.insertAudit(db, { tenantId, actor: by.id, actorName: by.name, action, target, detail, ts: now() }),
    async list(tenantId: string, p: { limit: number; beforeId?: number }): Promise<AuditEntry[]> {
      return (await q.auditOf(db, tenantId, p)).map(({ tenantId: _t, ...e }) => e);
    },
  };
}

export type Audit = ReturnType<typeof createAudit>;
