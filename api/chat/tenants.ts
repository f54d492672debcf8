import type { ControlBus } from '../bus/control';
import type { Db } from '../db/client';
import { DEFAULT_SETTINGS, type TenantSettings } from '../db/schema';
import * as q from '../db/tenants';
import { ChatError } from './errors';
import { hashSecret, newPublishableKey, newSecretKey, newTenantId, PUBLISHABLE_KEY_RE, SECRET_KEY_RE, type Sealer } from './keys';
import { Lru } from './lru';

/** A tenant as the rest of the server sees it: settings complete, secrets unsealed. */
export interface Tenant {
  id: string;
  name: string;
  origins: string[];
  settings: TenantSettings;
  publishableKey: string;
  disabled: boolean;
}

export interface TenantKey {
  prefix: string;
  key: string;
}

const CACHE_MS = 2000;

/** A tenant as the Admin API shows it. */
export const tenantView = (t: Tenant) => ({
  tenantId: t.id,
  name: t.name,
  origins: t.origins,
  guests: t.settings.guests,
  settings: t.settings,
  disabled: t.disabled,
  publishableKey: t.publishableKey,
});

function toTenant(row: q.TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    origins: row.origins,
    settings: { ...DEFAULT_SETTINGS, ...row.settings },
    publishableKey: row.publishableKey,
    disabled: row.disabled,
  };
}

/**
 * The tenants and their keys, cached briefly: every upgrade and every token check reads them.
 * A change is pushed to every server over the control bus, which drops the caches there before
 * anything else handles it, so a revocation or settings change takes effect everywhere at once.
 */
export function createTenantDirectory(opts: {
  db: Db;
  sealer: Sealer;
  control: ControlBus;
  now?: () => number;
  /** Publishable keys remembered at most (least recently used dropped first). */
  maxCachedKeys?: number;
}) {
  const { db, sealer, control } = opts;
  const now = opts.now ?? Date.now;
  // Bounded: upgrades name any key they like, and unknown ones are cached (as null) too.
  const byPk = new Lru<string, { at: number; tenant: Tenant | null }>(opts.maxCachedKeys ?? 10_000);
  const keysCache = new Map<string, { at: number; keys: TenantKey[] }>();

  const fresh = (at: number) => now() - at < CACHE_MS;
  control.on((ev) => {
    if (ev !== 'resync' && ev.kind !== 'tenant') return;
    byPk.clear();
    keysCache.clear();
  });
  /** Tells every server (this one first, before it answers) that the tenant changed. */
  const changed = (tenantId: string) => control.publish({ tenantId, kind: 'tenant', subject: '' });
  const sealKey = () => {
    const { key, prefix } = newSecretKey();
    return { key, prefix, hash: hashSecret(key), sealed: sealer.seal(key) };
  };

  return {
    /** Calls `fn` after a tenant changes (settings, keys) on any server, this one before it answers. */
    onChange(fn: (tenantId: string) => Promise<void>) {
      control.on((ev) => (ev !== 'resync' && ev.kind === 'tenant' ? fn(ev.tenantId) : undefined));
    },

    /** How many publishable keys are cached (bounded by `maxCachedKeys`). */
    cachedKeys: () => byPk.size,

    /** The active tenant owning a publishable key, or null. */
    async byPublishableKey(pk: string): Promise<Tenant | null> {
      // A key that cannot be one of ours is refused before any lookup or cache entry.
      if (!PUBLISHABLE_KEY_RE.test(pk)) return null;
      const hit = byPk.get(pk);
      if (hit && fresh(hit.at)) return hit.tenant;
      const row = await q.tenantByPublishableKey(db, pk);
      const tenant = row ? toTenant(row) : null;
      byPk.set(pk, { at: now(), tenant });
      return tenant;
    },

    async byId(tenantId: string): Promise<Tenant | null> {
      const row = await q.tenantById(db, tenantId);
      return row ? toTenant(row) : null;
    },

    /** The tenant and the prefix of an active secret key. */
    async secretKey(secret: string): Promise<{ tenant: Tenant; prefix: string } | null> {
      if (!SECRET_KEY_RE.test(secret)) return null;
      const key = await q.activeSecretKeyByHash(db, hashSecret(secret));
      if (!key) return null;
      const tenant = await this.byId(key.tenantId);
      return tenant && !tenant.disabled ? { tenant, prefix: key.prefix } : null;
    },

    /** The tenant's active secret keys, unsealed, for checking token signatures. */
    async activeKeys(tenantId: string): Promise<TenantKey[]> {
      const hit = keysCache.get(tenantId);
      if (hit && fresh(hit.at)) return hit.keys;
      const rows = await q.secretKeysOf(db, tenantId);
      const keys = rows.filter((r) => !r.revokedAt).map((r) => ({ prefix: r.prefix, key: sealer.unseal(r.sealed) }));
      keysCache.set(tenantId, { at: now(), keys });
      return keys;
    },

    async create(input: { id?: string; name: string; origins: string[]; settings?: Partial<TenantSettings> }) {
      const id = input.id ?? newTenantId();
      const publishableKey = newPublishableKey();
      const sk = sealKey();
      await q.insertTenant(
        db,
        { id, name: input.name, origins: input.origins, settings: input.settings ?? {}, publishableKey },
        sk,
      );
      return { tenantId: id, publishableKey, secretKey: sk.key };
    },

    /** Every tenant as the Admin API lists it: settings and key prefixes, never secrets. */
    async list() {
      const [rows, keys] = await Promise.all([q.listTenants(db), q.allSecretKeys(db)]);
      return rows.map((r) => ({
        ...tenantView(toTenant(r)),
        secretKeys: keys
          .filter((k) => k.tenantId === r.id)
          .map((k) => ({ prefix: k.prefix, createdAt: k.createdAt.getTime(), revokedAt: k.revokedAt ? k.revokedAt.getTime() : null })),
      }));
    },

    async update(
      tenantId: string,
      patch: { name?: string; origins?: string[]; settings?: Partial<TenantSettings>; disabled?: boolean },
    ): Promise<Tenant> {
      const current = await q.tenantById(db, tenantId);
      if (!current) throw new ChatError('not_found', 'no such tenant');
      const set = {
        ...patch,
        settings: patch.settings ? { ...current.settings, ...patch.settings } : undefined,
      };
      // Nothing to change is not an error: answer the tenant as it is.
      if (Object.values(set).every((v) => v === undefined)) return toTenant(current);
      const row = await q.updateTenant(db, tenantId, set);
      await changed(tenantId);
      return toTenant(row!);
    },

    async addSecretKey(tenantId: string) {
      if (!(await q.tenantById(db, tenantId))) throw new ChatError('not_found', 'no such tenant');
      const sk = sealKey();
      await q.insertSecretKey(db, tenantId, sk);
      await changed(tenantId);
      return { secretKey: sk.key, prefix: sk.prefix };
    },

    async revokeSecretKey(tenantId: string, prefix: string) {
      if (!(await q.revokeSecretKey(db, tenantId, prefix))) throw new ChatError('not_found', 'no such active key');
      await changed(tenantId);
    },
  };
}

export type TenantDirectory = ReturnType<typeof createTenantDirectory>;
