import type { Tenant, TenantDirectory } from '../chat/tenants';

/** Why a page may not embed chat: the widget shows these to the site owner in the console. */
export type EmbedRefusal = 'unknown_key' | 'origin_not_allowed' | 'tenant_disabled';

// The shape of every publishable key (`pk_` and 24 base64url characters, api/chat/keys.ts) with
// room to grow: anything else is unknown without a lookup, so made-up strings of any size neither
// reach the database nor fill the tenant cache.
const KEY_SHAPE = /^pk_[A-Za-z0-9_-]{16,64}$/;

/** Whether a browser page at `origin` may connect for a tenant. */
export function originAllowed(origins: string[], origin: string | undefined): boolean {
  if (!origin) return true;
  return origins.includes('*') || origins.includes(origin);
}

/**
 * Whether a browser page is on this server's own origin (the dashboard): its host is the one the
 * request was sent to (`Host`, or `X-Forwarded-Host` from a trusted proxy), as the Admin API's
 * CSRF check sees it (api/routes/access.ts).
 */
export function ownOrigin(origin: string | undefined, host: string | undefined): boolean {
  return !!origin && !!host && URL.canParse(origin) && new URL(origin).host === host;
}

/**
 * The one rule for who may open the chat socket, applied by the upgrade and by
 * `GET /v1/embed-check` alike, so the widget's explanation can never disagree with the refusal.
 */
export async function checkEmbed(
  tenants: Pick<TenantDirectory, 'byPublishableKey'>,
  key: string,
  origin: string | undefined,
): Promise<{ ok: true; tenant: Tenant } | { ok: false; reason: EmbedRefusal }> {
  const tenant = KEY_SHAPE.test(key) ? await tenants.byPublishableKey(key) : null;
  if (!tenant) return { ok: false, reason: 'unknown_key' };
  if (!originAllowed(tenant.origins, origin)) return { ok: false, reason: 'origin_not_allowed' };
  if (tenant.disabled) return { ok: false, reason: 'tenant_disabled' };
  return { ok: true, tenant };
}

/** What a log line may show of a key: its first characters, never the whole of it. */
export const keyPrefix = (key: string) => (key.length > 10 ? `${key.slice(0, 10)}…` : key);

/**
 * What the widget logs for the site owner (after "Parley: chat is off on this page."): what is
 * wrong, with the key and origin, and where to fix it. Worded here, not in the widget, to keep
 * those bytes out of every page's bundle.
 */
export function explainRefusal(reason: EmbedRefusal, key: string, origin: string | undefined): string {
  const k = JSON.stringify(key);
  return reason === 'unknown_key'
      ? `The key ${k} (data-key) is not the publishable key of any Parley site: it is mistyped, or the site was deleted. Copy the publishable key from the Parley dashboard (Tenants).`
      : reason === 'origin_not_allowed'
        ? `This page's origin ${origin} is not allowed for the key ${k}. Add exactly "${origin}" to the site's allowed origins in the Parley dashboard (Tenants → the site → Allowed origins) or with PATCH /admin/api/tenants/:id {"origins":[…]}; http://localhost and http://127.0.0.1 are different origins, and so are http and https.`
        : `The Parley site of the key ${k} is disabled. Enable it in the Parley dashboard (Tenants → the site → Disabled), or ask your Parley operator.`;
}
