// The dashboard's one way to reach the Admin API (PROTOCOL.md "Admin API"). Every call answers
// a Result instead of throwing, so a view shows `error.message` and the state layer can send a
// 401 back to sign-in without each caller remembering to. The session is an HttpOnly cookie the
// browser sends by itself; no script here ever holds a credential.

import type { AuditEntry, SecretKeyInfo, SigningSecret, TenantSettings, WebhookDelivery, WebhookStatus, WireMessage } from '../api/protocol';

export type { AuditEntry, SecretKeyInfo, SigningSecret, TenantSettings, WebhookDelivery, WebhookStatus };

/** A role in a tenant; `all` for operators. */
export type Role = 'owner' | 'admin' | 'moderator';

/** A row of `GET /admin/api/tenants` for someone who may see settings. */
export interface TenantInfo {
  role: Role | 'all';
  tenantId: string;
  name: string;
  origins: string[];
  guests: boolean;
  settings: TenantSettings;
  disabled: boolean;
  publishableKey: string;
  secretKeys: SecretKeyInfo[];
}

/** A moderator's row of `GET /admin/api/tenants`: no settings, no keys. */
export interface TenantSummary {
  role: 'moderator';
  tenantId: string;
  name: string;
  disabled: boolean;
  publishableKey: string;
}

export type TenantRow = TenantInfo | TenantSummary;

/** `GET /admin/api/session`: who is signed in, and their role in each tenant. */
export interface Me {
  kind: 'account' | 'token';
  email?: string;
  operator: boolean;
  tenants: Record<string, Role>;
}

/** What an invitation is for (`POST /admin/api/invites/lookup`). */
export interface InviteInfo {
  email: string;
  role: Role;
  tenantId: string;
  tenantName: string;
  hasAccount: boolean;
}

/** `GET /admin/api/tenants/:id/members`. */
export interface Members {
  members: { accountId: string; email: string; role: Role; createdAt: number }[];
  invites: { email: string; role: Role; createdAt: number; expiresAt: number }[];
}


/** A message as the room shows it (deleted ones keep their place without text): the wire's own shape. */
export type ContextMessage = WireMessage;

/** One row of `GET /admin/api/tenants/:id/reports?status=open&context=1`. */
export interface ReportInfo {
  id: number;
  room: string;
  messageId: string;
  reporter: string;
  reason: string | null;
  ts: number;
  status: 'open' | 'resolved' | 'dismissed';
  closed: { by: string; byName: string; at: number; action: string } | null;
  /** The message as it is now; null when it is gone. */
  message: { user: string; name: string; text: string | null; deleted: boolean; seq: number } | null;
  context?: ContextMessage[];
}

/** What a moderator does about a report. */
export interface Resolution {
  action: 'delete' | 'mute' | 'ban' | 'dismiss';
  reason?: string;
  /** Absent: without end. */
  minutes?: number;
  deleteMessage?: boolean;
}

/** One row of `GET /admin/api/tenants/:id/bans`. */
export interface BanInfo {
  user: string;
  reason: string | null;
  until: number | null;
  createdAt: number;
}

/** `POST /admin/api/tenants/:id/console-token`: the room view's moderator token. */
export interface ConsoleToken {
  token: string;
  expiresAt: number;
  user: string;
  publishableKey: string;
}

/** One row of `GET /admin/api/tenants/:id/rooms`. */
export interface RoomInfo {
  room: string;
  private: boolean;
  headSeq: number;
}

/** A message found by search, or in a user view: a stored message and its room. */
export type FoundMessage = ContextMessage & { room: string };

/** `GET /admin/api/tenants/:id/messages`. */
export interface SearchPage {
  messages: FoundMessage[];
  hasMore: boolean;
  next: string | null;
}

/** A report as the user view lists it: the queue's row without the message and who closed it. */
export type UserReport = Omit<ReportInfo, 'closed' | 'message' | 'context'>;

/** `GET /admin/api/tenants/:id/users/:user`. */
export interface UserView {
  user: string;
  messages: FoundMessage[];
  reportsBy: UserReport[];
  reportsAgainst: UserReport[];
  ban: BanInfo | null;
  mute: BanInfo | null;
  /** What moderators did to the user, newest first (audit entries). */
  history: AuditEntry[];
}

/** A ban or mute as a moderator gives it; no minutes: without end. */
export interface Sanction {
  reason?: string;
  minutes?: number;
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

/** A query string of the fields that are set. */
const query = (q: Record<string, string | undefined>) =>
  new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => !!e[1])).toString();

/** The Admin API bound to a base URL, called with the browser's session cookie. */
export function createAdminApi(opts: { base: string; fetch?: typeof fetch }) {
  const f = opts.fetch ?? fetch.bind(globalThis);

  async function request<T>(method: string, path: string, body?: unknown): Promise<Result<T>> {
    let res: Response;
    try {
      res = await f(`${opts.base}/admin/api${path}`, {
        method,
        credentials: 'same-origin',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      return { ok: false, error: { code: 'network', message: 'Could not reach the server. Check the connection and try again.', status: 0 } };
    }
    // A body that is not JSON (a proxy's error page, a cut answer) is named, never taken for data.
    const json: unknown = res.status === 204 ? null : await res.json().catch(() => undefined);
    if (res.ok && json === undefined) return { ok: false, error: { code: 'internal', message: `The server's answer (${res.status}) could not be read.`, status: res.status } };
    if (res.ok) return { ok: true, data: json as T };
    const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
    return { ok: false, error: { code: e?.code ?? 'internal', message: e?.message ?? `The server answered ${res.status}.`, status: res.status } };
  }

  const tenant = (id: string) => `/tenants/${encodeURIComponent(id)}`;
  return {
    me: () => request<Me>('GET', '/session'),
    signIn: (email: string, password: string) => request<Me>('POST', '/session', { email, password }),
    signOut: () => request<null>('DELETE', '/session'),
    inviteInfo: (token: string) => request<InviteInfo>('POST', '/invites/lookup', { token }),
    acceptInvite: (token: string, password: string) => request<Me>('POST', '/invites/accept', { token, password }),
    list: () => request<TenantRow[]>('GET', '/tenants'),
    create: (input: { name: string; origins: string[]; guests: boolean }) =>
      request<{ tenantId: string; publishableKey: string; secretKey: string }>('POST', '/tenants', input),
    update: (id: string, patch: TenantPatch) => request<unknown>('PATCH', tenant(id), patch),
    addKey: (id: string) => request<{ secretKey: string; prefix: string }>('POST', `${tenant(id)}/secret-keys`),
    revokeKey: (id: string, prefix: string) => request<null>('DELETE', `${tenant(id)}/secret-keys/${encodeURIComponent(prefix)}`),
    members: (id: string) => request<Members>('GET', `${tenant(id)}/members`),
    invite: (id: string, email: string, role: Role) =>
      request<{ token: string; link: string; email: string; role: Role; expiresAt: number }>('POST', `${tenant(id)}/invites`, { email, role }),
    removeMember: (id: string, account: string) => request<null>('DELETE', `${tenant(id)}/members/${encodeURIComponent(account)}`),
    audit: (id: string) => request<{ entries: AuditEntry[]; hasMore: boolean }>('GET', `${tenant(id)}/audit`),
    queue: (id: string) => request<{ reports: ReportInfo[]; hasMore: boolean }>('GET', `${tenant(id)}/reports?status=open&context=1`),
    resolve: (id: string, report: number, r: Resolution) => request<ReportInfo>('POST', `${tenant(id)}/reports/${report}`, r),
    bans: (id: string) => request<{ bans: BanInfo[] }>('GET', `${tenant(id)}/bans`),
    mutes: (id: string) => request<{ mutes: BanInfo[] }>('GET', `${tenant(id)}/mutes`),
    unmute: (id: string, user: string) => request<null>('DELETE', `${tenant(id)}/mutes/${encodeURIComponent(user)}`),
    unban: (id: string, user: string) => request<null>('DELETE', `${tenant(id)}/bans/${encodeURIComponent(user)}`),
    consoleToken: (id: string) => request<ConsoleToken>('POST', `${tenant(id)}/console-token`),
    rooms: (id: string, prefix: string, after?: string) =>
      request<{ rooms: RoomInfo[]; next: string | null }>('GET', `${tenant(id)}/rooms?${query({ prefix, after, limit: '100' })}`),
    search: (id: string, q: { q?: string; user?: string; before?: string }) =>
      request<SearchPage>('GET', `${tenant(id)}/messages?${query({ ...q, limit: '25' })}`),
    userView: (id: string, user: string) => request<UserView>('GET', `${tenant(id)}/users/${encodeURIComponent(user)}`),
    deleteMessage: (id: string, room: string, msg: string) =>
      request<null>('DELETE', `${tenant(id)}/rooms/${encodeURIComponent(room)}/messages/${encodeURIComponent(msg)}`),
    sanction: (id: string, kind: 'bans' | 'mutes', user: string, s: Sanction) => request<BanInfo>('PUT', `${tenant(id)}/${kind}/${encodeURIComponent(user)}`, s),
    webhooks: (id: string) => request<WebhookStatus>('GET', `${tenant(id)}/webhooks`),
    deliveries: (id: string) => request<{ events: WebhookDelivery[]; hasMore: boolean }>('GET', `${tenant(id)}/webhooks/events?limit=50`),
    sendTestEvent: (id: string) => request<null>('POST', `${tenant(id)}/webhooks/test`),
    replay: (id: string, which: { id: string } | { since: number }) => request<{ replayed: number }>('POST', `${tenant(id)}/webhooks/replay`, which),
    enableWebhooks: (id: string) => request<{ enabled: boolean }>('POST', `${tenant(id)}/webhooks/enable`),
    signingSecret: (id: string) => request<SigningSecret>('GET', `${tenant(id)}/webhook-secret`),
    rotateSigningSecret: (id: string) => request<SigningSecret>('POST', `${tenant(id)}/webhook-secret/rotate`, {}),
  };
}

export type AdminApi = ReturnType<typeof createAdminApi>;
