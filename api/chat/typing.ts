/** Typing shown for at most this long unless refreshed. */
export const TYPING_TTL_MS = 5000;
/** At most one `active: true` per user and room forwarded in this window. */
export const TYPING_THROTTLE_MS = 1000;

interface Entry {
  tenantId: string;
  room: string;
  user: string;
  name: string;
  expiresAt: number;
  lastForwardAt: number;
}

export interface TypingChange {
  tenantId: string;
  room: string;
  user: string;
  name: string;
  active: boolean;
}

/**
 * Who is typing where. Never stored; expiry is found by the server's one periodic sweep rather
 * than a timer per keystroke.
 */
export function createTypingTracker(opts: { now: () => number }) {
  const active = new Map<string, Entry>();
  const key = (t: string, r: string, u: string) => `${t}\u0000${r}\u0000${u}`;

  return {
    /** Applies a client's typing frame; returns what to forward to the room, if anything. */
    update(tenantId: string, room: string, user: string, name: string, on: boolean): TypingChange | null {
      const k = key(tenantId, room, user);
      const e = active.get(k);
      const now = opts.now();
      if (!on) {
        if (!e) return null;
        active.delete(k);
        return { tenantId, room, user, name, active: false };
      }
      if (e) {
        e.expiresAt = now + TYPING_TTL_MS;
        if (now - e.lastForwardAt < TYPING_THROTTLE_MS) return null;
        e.lastForwardAt = now;
        return { tenantId, room, user, name, active: true };
      }
      active.set(k, { tenantId, room, user, name, expiresAt: now + TYPING_TTL_MS, lastForwardAt: now });
      return { tenantId, room, user, name, active: true };
    },

    /** Clears a user's typing (on send, leave or close); the change to forward, if it was on. */
    clear(tenantId: string, room: string, user: string): TypingChange | null {
      const k = key(tenantId, room, user);
      const e = active.get(k);
      if (!e) return null;
      active.delete(k);
      return { tenantId, room, user, name: e.name, active: false };
    },

    /** Removes and returns every entry whose time is up. */
    sweep(): TypingChange[] {
      const now = opts.now();
      const out: TypingChange[] = [];
      for (const [k, e] of active) {
        if (e.expiresAt > now) continue;
        active.delete(k);
        out.push({ tenantId: e.tenantId, room: e.room, user: e.user, name: e.name, active: false });
      }
      return out;
    },
  };
}

export type TypingTracker = ReturnType<typeof createTypingTracker>;
