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
  /** Where event webhooks (reports, bans) are delivered ('' for none). */
  eventsUrl: string;
}

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
