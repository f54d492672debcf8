/** A tenant's settings, as the Admin API shows and takes them (PROTOCOL.md, "Admin API"). */
export interface TenantSettings {
  guests: boolean;
  maxTextLength: number;
  messagesPerSecond: number;
  burst: number;
  /** 0 keeps messages forever; otherwise a periodic purge deletes older ones. */
  retentionDays: number;
  /** Refuse messages holding scripts, event handlers or script URLs (`rejected`). */
  rejectExecutable: boolean;
  /** Profanity: let it through, mask it with asterisks, or refuse the message (`rejected`). */
  profanity: 'off' | 'mask' | 'reject';
  /** Where each message is POSTed before it is stored ('' for none; the README has the contract). */
  preSendUrl: string;
  /** How long the pre-send webhook may take. */
  preSendTimeoutMs: number;
  /** When the webhook fails or is late: true lets the message through, false refuses it. */
  preSendFailOpen: boolean;
  /** Where event webhooks are delivered ('' for none; the README has the contract). */
  eventsUrl: string;
  /** Which event types are sent: `["*"]` (the default) for all, else a list of EVENT_TYPES. */
  eventTypes: string[];
  /**
   * The longest lifetime (`exp` − `iat`, in seconds) a user token signed by the tenant may have;
   * a longer one is refused at `hello` and `refresh` (default 86,400: 24 h).
   */
  maxTokenLifetime: number;
  /** Rooms one connection may be in at once (a join beyond it is `too_large`). */
  maxRoomsPerConnection: number;
  /** Joins one connection may make a second, and how many it may save up (`rate_limited`). */
  joinsPerSecond: number;
  joinBurst: number;
  /**
   * Frames of any type one connection may send a second beyond its message allowance
   * (`messagesPerSecond`/`burst` are added), and how many it may save up. Over it, frames are
   * answered `rate_limited`; a connection that keeps on is closed with 4029.
   */
  framesPerSecond: number;
  frameBurst: number;
  /** Reports, and blocks or unblocks, one user may make a minute (`rate_limited`). */
  reportsPerMinute: number;
  blocksPerMinute: number;
}

/** The event webhook types a tenant may choose (README, "Webhooks"). */
export const EVENT_TYPES = [
  'message.created',
  'message.deleted',
  'message.rejected',
  'message.reported',
  'report.resolved',
  'user.banned',
  'user.unbanned',
  'user.muted',
  'user.unmuted',
  'room.created',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** A secret key's public part: the secret itself is shown only when it is made. */
export interface SecretKeyInfo {
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
}

/** One entry of a tenant's audit log (`GET /admin/api/tenants/:id/audit`). */
export interface AuditEntry {
  id: number;
  /** An account id, `admin-token`, or `key:<prefix>` for the tenant's backend. */
  actor: string;
  actorName: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  ts: number;
}

/** One event in a tenant's delivery log (`GET /admin/api/tenants/:id/webhooks/events`). */
export interface WebhookDelivery {
  id: string;
  type: string;
  createdAt: number;
  state: 'pending' | 'delivered' | 'given_up';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  latencyMs: number | null;
  /** When the next attempt is due (pending only; an event behind another waits for it). */
  nextAt: number | null;
  finishedAt: number | null;
  data: Record<string, unknown>;
}

/** `GET /admin/api/tenants/:id/webhooks`. */
export interface WebhookStatus {
  eventsUrl: string;
  backlog: { pending: number; oldestAt: number | null };
  disabled: { at: number; reason: string | null } | null;
}

/** `GET /admin/api/tenants/:id/webhook-secret`: the secret, and the old one while it still signs. */
export interface SigningSecret {
  secret: string;
  previous: { secret: string; until: number } | null;
}
