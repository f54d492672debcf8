import type { Db } from '../db/client';
import * as ep from '../db/webhook-endpoints';
import type { SigningSecret } from '../protocol';
import { webhookSecret } from './webhook-signing';

const CACHE_MS = 2000;
/** How long the old secret keeps signing after a rotation, unless the operator says otherwise. */
export const DEFAULT_GRACE_MINUTES = 24 * 60;


/**
 * Each tenant's webhook signing secret: a generation number per tenant (webhook_endpoints),
 * the secret itself derived from the master key. Rotating moves to the next generation; the
 * old one keeps signing alongside until the grace period ends, then stops. Read per request
 * and cached two seconds, so a rotation on one server reaches the others within that.
 */
export function createWebhookSecrets(opts: { db: Db; derive: (purpose: string) => Uint8Array; now: () => number }) {
  const { db, now } = opts;
  const cache = new Map<string, { at: number; row: Promise<ep.WebhookEndpointRow | null> }>();

  function endpoint(tenantId: string) {
    const hit = cache.get(tenantId);
    if (hit && now() - hit.at < CACHE_MS) return hit.row;
    const row = ep.endpointOf(db, tenantId);
    const entry = { at: now(), row };
    cache.set(tenantId, entry);
    row.catch(() => cache.get(tenantId) === entry && cache.delete(tenantId));
    return row;
  }

  const view = (tenantId: string, row: ep.WebhookEndpointRow | null): SigningSecret => ({
    secret: webhookSecret(opts.derive, tenantId, row?.secretGen ?? 0),
    previous:
      row?.previousGen != null && row.previousUntil != null && row.previousUntil > now()
        ? { secret: webhookSecret(opts.derive, tenantId, row.previousGen), until: row.previousUntil }
        : null,
  });

  return {
    /** The secrets that sign now: the current one, and the previous one during its grace period. */
    async signing(tenantId: string): Promise<string[]> {
      const v = view(tenantId, await endpoint(tenantId));
      return v.previous ? [v.secret, v.previous.secret] : [v.secret];
    },
    async show(tenantId: string): Promise<SigningSecret> {
      return view(tenantId, await ep.endpointOf(db, tenantId));
    },
    /** A new secret; the old one signs too for `graceMinutes` (0: stops at once). */
    async rotate(tenantId: string, graceMinutes = DEFAULT_GRACE_MINUTES): Promise<SigningSecret> {
      const row = await ep.rotateSecret(db, tenantId, now() + graceMinutes * 60_000);
      cache.delete(tenantId);
      return view(tenantId, row);
    },
  };
}

export type WebhookSecrets = ReturnType<typeof createWebhookSecrets>;
