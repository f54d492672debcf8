import type { ControlBus } from '../bus/control';
import type { Db } from '../db/client';
import * as q from '../db/bans';
import { recordEvent } from './event-record';
import type { Tenant } from './tenants';

export interface Ban {
  user: string;
  reason: string | null;
  /** When the ban ends (ms since the epoch); null for good. */
  until: number | null;
  createdAt: number;
}

const CACHE_MS = 2000;

/**
 * Users banned from a tenant. A banned user's `hello` is answered with 4503, their open
 * sockets are closed with 4503, and nothing they send is stored, over the socket or over the
 * tenant's HTTP API. Every hello and message asks, so each tenant's list is cached briefly; a
 * ban or unban is pushed over the control bus, which drops the cache on every server (and the
 * gateway closes the user's sockets there).
 */
export function createBans(opts: {
  db: Db;
  now: () => number;
  control: ControlBus;
  /** Called after an event webhook was recorded. */
  onEvent?: () => void;
}) {
  const { db, now, control } = opts;
  // Per tenant: the bans read at `at`, or the read under way (so the messages and hellos that
  // arrive while it runs share it instead of each starting one).
  const cache = new Map<string, { at: number; bans: Promise<Map<string, Ban>> }>();
  control.on((ev) => {
    if (ev === 'resync') cache.clear();
    else if (ev.kind === 'bans' || ev.kind === 'tenant') cache.delete(ev.tenantId);
  });

  function current(tenantId: string): Promise<Map<string, Ban>> {
    const hit = cache.get(tenantId);
    if (hit && now() - hit.at < CACHE_MS) return hit.bans;
    const bans = q.bansOf(db, tenantId, now()).then((rows) => new Map(rows.map((r) => [r.userId, { user: r.userId, reason: r.reason, until: r.until, createdAt: r.createdAt }])));
    const entry = { at: now(), bans };
    cache.set(tenantId, entry);
    // A failed read is not kept: the next caller tries again.
    bans.catch(() => cache.get(tenantId) === entry && cache.delete(tenantId));
    return bans;
  }
  const active = (b: Ban | undefined) => !!b && (b.until === null || b.until > now());

  return {
    async isBanned(tenantId: string, userId: string): Promise<boolean> {
      return active((await current(tenantId)).get(userId));
    },
    /** The tenant's bans in force now. */
    async list(tenantId: string): Promise<Ban[]> {
      return [...(await current(tenantId)).values()].filter((b) => active(b));
    },
    /** Bans a user, for `minutes` or for good. */
    async ban(tenant: Tenant, userId: string, o: { reason?: string; minutes?: number }): Promise<Ban> {
      const at = now();
      const ban = { user: userId, reason: o.reason ?? null, until: o.minutes ? at + o.minutes * 60_000 : null, createdAt: at };
      const recorded = await db.transaction(async (tx) => {
        await q.putBan(tx, tenant.id, userId, { reason: ban.reason, until: ban.until, at });
        return recordEvent(tx, tenant, 'user.banned', { ...ban }, at);
      });
      if (recorded) opts.onEvent?.();
      await control.publish({ tenantId: tenant.id, kind: 'bans', subject: userId });
      return ban;
    },
    async unban(tenant: Tenant, userId: string): Promise<boolean> {
      let recorded = false;
      const had = await db.transaction(async (tx) => {
        const gone = await q.deleteBan(tx, tenant.id, userId);
        if (gone) recorded = await recordEvent(tx, tenant, 'user.unbanned', { user: userId }, now());
        return gone;
      });
      if (recorded) opts.onEvent?.();
      await control.publish({ tenantId: tenant.id, kind: 'bans', subject: userId });
      return had;
    },
  };
}

export type Bans = ReturnType<typeof createBans>;
