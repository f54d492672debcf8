import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const b64url = (buf: Buffer) => buf.toString('base64url');

/** A new publishable key: safe to embed in web pages. */
export const newPublishableKey = () => `pk_${b64url(randomBytes(18))}`;
/** A new secret key; `prefix` identifies it in listings and in the `kid` of tokens we sign. */
export function newSecretKey(): { key: string; prefix: string } {
  const key = `sk_${b64url(randomBytes(30))}`;
  return { key, prefix: key.slice(0, 11) };
}
/** The shapes of the keys made above: anything else is refused before a lookup. */
export const PUBLISHABLE_KEY_RE = /^pk_[A-Za-z0-9_-]{24}$/;
export const SECRET_KEY_RE = /^sk_[A-Za-z0-9_-]{40}$/;
export const newTenantId = () => `t_${randomBytes(8).toString('hex')}`;
export const newToken = () => b64url(randomBytes(32));

/** SHA-256 hex of a secret, the form in which secret keys are looked up. */
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Constant-time comparison of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Seals secrets at rest with AES-256-GCM under the server's master key. HS256 tokens are checked
 * with the secret key itself, so a bare hash cannot serve; a database dump alone reveals nothing.
 */
export function createSealer(masterKey: string) {
  const key = createHash('sha256').update(`parley-seal:${masterKey}`).digest();
  return {
    seal(plain: string): string {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return [iv, c.getAuthTag(), body].map(b64url).join('.');
    },
    unseal(sealed: string): string {
      const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
      const d = createDecipheriv('aes-256-gcm', key, iv);
      d.setAuthTag(tag);
      return Buffer.concat([d.update(body), d.final()]).toString('utf8');
    },
    /** A per-purpose key derived from the master key (guest tokens of one tenant, say). */
    derive(purpose: string): Uint8Array {
      return createHmac('sha256', key).update(purpose).digest();
    },
  };
}

export type Sealer = ReturnType<typeof createSealer>;
