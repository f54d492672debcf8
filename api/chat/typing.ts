/** Typing shown for at most this long unless refreshed. */
export const TYPING_TTL_MS = 5000;
/** At most one `active: true` per user and room forwarded in this window. */
export const TYPING_THROTTLE_MS = 1000;

interface Entry {
  tenantId: string;
  room: string;
  user: string;
  name: string;
  /** Whether the room was last told `active: true`. */
  shown: boolean;
  expiresAt: number;
  lastTrueAt: number;
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
 * than a timer per keystroke. At most one `active: true` a second is forwarded per user and
 * room, and `active: false` only when the room was shown typing, so a client toggling in a
 * loop costs the room at most two events a second.
 */
export function createTypingTracker(opts: { now: () => number }) {
  const entries = new Map<string, Entry>();
  const key = (t: string, r: string, u: string) => `${t}\u0000${r}\u0000${u}`;
  const off = (e: Entry): TypingChange => {
    e.shown = false;
    return { tenantId: e.tenantId, room: e.room, user: e.user, name: e.name, active: false };
  };

  return {
    /** Applies a client's typing frame; returns what to forward to the room, if anything. */
    update(tenantId: string, room: string, user: string, name: string, on: boolean): TypingChange | null {
      const k = key(tenantId, room, user);
      let e = entries.get(k);
      const now = opts.now();
      if (!on) {
        if (!e) return null;
        e.expiresAt = 0;
        return e.shown ? off(e) : null;
      }
      if (!e) entries.set(k, (e = { tenantId, room, user, name, shown: false, expiresAt: 0, lastTrueAt: -Infinity }));
      e.expiresAt = now + TYPING_TTL_MS;
      if (now - e.lastTrueAt < TYPING_THROTTLE_MS) return null;
      e.lastTrueAt = now;
      e.shown = true;
      return { tenantId, room, user, name, active: true };
    },

    /** Clears a user's typing (on send, leave or close); the change to forward, if it was shown. */
    clear(tenantId: string, room: string, user: string): TypingChange | null {
      const e = entries.get(key(tenantId, room, user));
      if (!e) return null;
      e.expiresAt = 0;
      return e.shown ? off(e) : null;
    },

    /** Ends typing whose time is up, returning the changes; forgets idle entries. */
    sweep(): TypingChange[] {
      const now = opts.now();
      const out: TypingChange[] = [];
      for (const [k, e] of entries) {
        if (e.expiresAt > now) continue;
        if (e.shown) out.push(off(e));
        else if (now - e.lastTrueAt >= TYPING_THROTTLE_MS) entries.delete(k);
      }
      return out;
    },
  };
}

export type TypingTracker = ReturnType<typeof createTypingTracker>;
