import type { Db } from '../db/client';
import * as q from '../db/bans';
import { enqueueEvent } from '../db/webhook-events';
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
 * tenant's HTTP API. Every hello and message asks, so each tenant's list is cached briefly;
 * a ban made on another server takes effect here within seconds.
 */
export function createBans(opts: { db: Db; now: () => number; /** Called after an event webhook was recorded. */ onEvent?: () => void }) {
  const { db, now } = opts;
  const cache = new Map<string, { at: number; bans: Map<string, Ban> }>();

  async function current(tenantId: string): Promise<Map<string, Ban>> {
    const hit = cache.get(tenantId);
    if (hit && now() - hit.at < CACHE_MS) return hit.bans;
    const rows = await q.bansOf(db, tenantId);
    const map = new Map(rows.map((r) => [r.userId, { user: r.userId, reason: r.reason, until: r.until, createdAt: r.createdAt }]));
    cache.set(tenantId, { at: now(), bans: map });
    return map;
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
      const url = tenant.settings.eventsUrl;
      await db.transaction(async (tx) => {
        await q.putBan(tx, tenant.id, userId, { reason: ban.reason, until: ban.until, at });
        if (url) await enqueueEvent(tx, tenant.id, 'user.banned', { ...ban }, at);
      });
      cache.delete(tenant.id);
      if (url) opts.onEvent?.();
      return ban;
    },
    async unban(tenant: Tenant, userId: string): Promise<boolean> {
      const url = tenant.settings.eventsUrl;
      const had = await db.transaction(async (tx) => {
        const gone = await q.deleteBan(tx, tenant.id, userId);
        if (gone && url) await enqueueEvent(tx, tenant.id, 'user.unbanned', { user: userId }, now());
        return gone;
      });
      cache.delete(tenant.id);
      if (had && url) opts.onEvent?.();
      return had;
    },
  };
}

export type Bans = ReturnType<typeof createBans>;
