import type { ControlBus } from '../bus/control';
import type { Db } from '../db/client';
import * as q from '../db/bans';
import type { EventType } from '../protocol';
import { isStaffId } from './auth';
import { ChatError } from './errors';
import { recordEvent } from './event-record';
import type { Tenant } from './tenants';

/** A ban or a mute of one user in a tenant. */
export interface Sanction {
  user: string;
  reason: string | null;
  /** When it ends (ms since the epoch); null for good. */
  until: number | null;
  createdAt: number;
}

const CACHE_MS = 2000;

/**
 * Bans or mutes of a tenant's users (the same machinery, two tables). Every hello or message
 * asks, so each tenant's list is cached briefly; a change is pushed over the control bus as
 * `kind`, which drops the cache on every server. Each change records its event webhook in the
 * same transaction (when the tenant wants that type), so none is lost.
 */
export function createSanctions(opts: {
  db: Db;
  now: () => number;
  control: ControlBus;
  kind: 'bans' | 'mutes';
  table: q.SanctionTable;
  /** Event webhook types for putting one on and lifting it. */
  events: { on: EventType; off: EventType };
  /** Called after an event webhook was recorded. */
  onEvent?: () => void;
}) {
  const { db, now, control, kind, table } = opts;
  // Per tenant: the list read at `at`, or the read under way (so the messages and hellos that
  // arrive while it runs share it instead of each starting one).
  const cache = new Map<string, { at: number; list: Promise<Map<string, Sanction>> }>();
  control.on((ev) => {
    if (ev === 'resync') cache.clear();
    else if (ev.kind === kind || ev.kind === 'tenant') cache.delete(ev.tenantId);
  });

  function current(tenantId: string): Promise<Map<string, Sanction>> {
    const hit = cache.get(tenantId);
    if (hit && now() - hit.at < CACHE_MS) return hit.list;
    const list = q
      .sanctionsOf(db, table, tenantId, now())
      .then((rows) => new Map(rows.map((r) => [r.userId, { user: r.userId, reason: r.reason, until: r.until, createdAt: r.createdAt }])));
    const entry = { at: now(), list };
    cache.set(tenantId, entry);
    // A failed read is not kept: the next caller tries again.
    list.catch(() => cache.get(tenantId) === entry && cache.delete(tenantId));
    return list;
  }
  const active = (s: Sanction | undefined) => !!s && (s.until === null || s.until > now());

  return {
    /** The user's sanction in force now, or undefined. */
    async find(tenantId: string, userId: string): Promise<Sanction | undefined> {
      const s = (await current(tenantId)).get(userId);
      return active(s) ? s : undefined;
    },
    /** The tenant's sanctions in force now. */
    async list(tenantId: string): Promise<Sanction[]> {
      return [...(await current(tenantId)).values()].filter((s) => active(s));
    },
    /** Puts one on a user, for `minutes` or for good (again: the reason and end are replaced). */
    async add(tenant: Tenant, userId: string, o: { reason?: string; minutes?: number }): Promise<Sanction> {
      // A moderator could otherwise lock the owners' consoles out; take the account off the tenant instead.
      if (isStaffId(userId)) throw new ChatError('bad_request', 'a dashboard console cannot be muted or banned; remove the account from the tenant instead');
      const at = now();
      const s = { user: userId, reason: o.reason ?? null, until: o.minutes ? at + o.minutes * 60_000 : null, createdAt: at };
      const recorded = await db.transaction(async (tx) => {
        await q.putSanction(tx, table, tenant.id, userId, { reason: s.reason, until: s.until, at });
        return recordEvent(tx, tenant, opts.events.on, { ...s }, at);
      });
      if (recorded) opts.onEvent?.();
      await control.publish({ tenantId: tenant.id, kind, subject: userId });
      return s;
    },
    /** Lifts it; false when there was none. */
    async lift(tenant: Tenant, userId: string): Promise<boolean> {
      let recorded = false;
      const had = await db.transaction(async (tx) => {
        const gone = await q.deleteSanction(tx, table, tenant.id, userId);
        if (gone) recorded = await recordEvent(tx, tenant, opts.events.off, { user: userId }, now());
        return gone;
      });
      if (recorded) opts.onEvent?.();
      await control.publish({ tenantId: tenant.id, kind, subject: userId });
      return had;
    },
  };
}

export type Sanctions = ReturnType<typeof createSanctions>;
