import type { KeyValue } from './storage';

/** Where the token for `hello` comes from: the site's token, its tokenUrl, or the stored guest token. */
export interface Identity {
  /** For the connection's `auth`: a token, undefined for a guest, null when none can be had. */
  token(renew: boolean): Promise<string | undefined | null>;
  /** Replaces the site's token (`Parley.identify`). */
  set(token: string | undefined): void;
  /** Keeps the `guestToken` from `welcome`, so the guest is the same person after a reload. */
  keepGuest(guestToken: string): void;
  /** A guest's display name: the site's `name`, or the one they gave, kept on this device. */
  name(): string | undefined;
  setName(name: string): string;
}

/** Creates the identity source of one site (its publishable key names the storage entry). */
export function createIdentity(o: { storage: KeyValue; key: string; token?: string; tokenUrl?: string; name?: string; fetch?: typeof fetch }): Identity {
  const guestKey = `parley:${o.key}:guest`;
  const nameKey = `parley:${o.key}:name`;
  let token = o.token;
  let name = o.name ?? o.storage.getItem(nameKey) ?? undefined;
  return {
    async token(renew) {
      if (o.tokenUrl && (renew || !token)) {
        const res = await (o.fetch ?? fetch)(o.tokenUrl, { method: 'POST' });
        if (!res.ok) throw new Error(`tokenUrl answered ${res.status}`);
        return (token = (await res.json()).token);
      }
      // A site-given token cannot be renewed here: stop rather than loop on 4501.
      if (token) return renew ? null : token;
      const guest = o.storage.getItem(guestKey);
      if (!renew || !guest) return guest ?? undefined;
      // The stored guest token is no longer accepted (e.g. the tenant rotated keys): become a new guest.
      o.storage.removeItem(guestKey);
      return undefined;
    },
    set(next) {
      token = next;
    },
    keepGuest: (guestToken) => o.storage.setItem(guestKey, guestToken),
    name: () => name,
    setName(next) {
      o.storage.setItem(nameKey, next);
      return (name = next);
    },
  };
}
