// The dashboard's one way to reach the Admin API (PROTOCOL.md "Admin API"). Every call answers
// a Result instead of throwing, so a view shows `error.message` and the state layer can send a
// 401 back to sign-in without each caller remembering to.

import type { SecretKeyInfo, TenantSettings } from '../api/protocol';

export type { SecretKeyInfo, TenantSettings };

/** One row of `GET /admin/api/tenants`. */
export interface TenantInfo {
  tenantId: string;
  name: string;
  origins: string[];
  guests: boolean;
  settings: TenantSettings;
  disabled: boolean;
  publishableKey: string;
  secretKeys: SecretKeyInfo[];
}

/** One row of `GET /admin/api/tenants/:id/reports`. */
export interface ReportInfo {
  id: number;
  room: string;
  messageId: string;
  reporter: string;
  reason: string | null;
  ts: number;
  /** The message as it is now; null when it is gone. */
  message: { user: string; text: string | null; deleted: boolean } | null;
}

/** One row of `GET /admin/api/tenants/:id/bans`. */
export interface BanInfo {
  user: string;
  reason: string | null;
  until: number | null;
  createdAt: number;
}

/** What `PATCH /admin/api/tenants/:id` accepts. */
export interface TenantPatch {
  name?: string;
  origins?: string[];
  guests?: boolean;
  disabled?: boolean;
  settings?: Partial<Omit<TenantSettings, 'guests'>>;
}

/** A failed call: the API's stable code and message, and the HTTP status (0: no answer). */
export interface ApiError {
  code: string;
  message: string;
  status: number;
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: ApiError };

/** The Admin API bound to a base URL; each call takes the admin token it should send. */
export function createAdminApi(opts: { base: string; fetch?: typeof fetch }) {
  const f = opts.fetch ?? fetch.bind(globalThis);

  async function request<T>(token: string, method: string, path: string, body?: unknown): Promise<Result<T>> {
    let res: Response;
    try {
      res = await f(`${opts.base}/admin/api${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      return { ok: false, error: { code: 'network', message: 'Could not reach the server. Check the connection and try again.', status: 0 } };
    }
    const json: unknown = res.status === 204 ? null : await res.json().catch(() => null);
    if (res.ok) return { ok: true, data: json as T };
    const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
    return { ok: false, error: { code: e?.code ?? 'internal', message: e?.message ?? `The server answered ${res.status}.`, status: res.status } };
  }

  const tenant = (id: string) => `/tenants/${encodeURIComponent(id)}`;
  return {
    list: (token: string) => request<TenantInfo[]>(token, 'GET', '/tenants'),
    create: (token: string, input: { name: string; origins: string[]; guests: boolean }) =>
      request<{ tenantId: string; publishableKey: string; secretKey: string }>(token, 'POST', '/tenants', input),
    update: (token: string, id: string, patch: TenantPatch) => request<unknown>(token, 'PATCH', tenant(id), patch),
    addKey: (token: string, id: string) => request<{ secretKey: string; prefix: string }>(token, 'POST', `${tenant(id)}/secret-keys`),
    revokeKey: (token: string, id: string, prefix: string) =>
      request<null>(token, 'DELETE', `${tenant(id)}/secret-keys/${encodeURIComponent(prefix)}`),
    reports: (token: string, id: string) => request<{ reports: ReportInfo[]; hasMore: boolean }>(token, 'GET', `${tenant(id)}/reports`),
    bans: (token: string, id: string) => request<{ bans: BanInfo[] }>(token, 'GET', `${tenant(id)}/bans`),
    ban: (token: string, id: string, user: string, reason: string) =>
      request<BanInfo>(token, 'PUT', `${tenant(id)}/bans/${encodeURIComponent(user)}`, reason ? { reason } : {}),
    unban: (token: string, id: string, user: string) => request<null>(token, 'DELETE', `${tenant(id)}/bans/${encodeURIComponent(user)}`),
  };
}

export type AdminApi = ReturnType<typeof createAdminApi>;
