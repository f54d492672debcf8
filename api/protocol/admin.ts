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
}

/** A secret key's public part: the secret itself is shown only when it is made. */
export interface SecretKeyInfo {
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
}
