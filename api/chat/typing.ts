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
  /**
   * An `active: true` came within the throttle window while the room was not shown typing (the
   * user stopped and started again): told by the sweep once the window ends, if still typing.
   */
  held: boolean;
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
 * loop costs the room at most two events a second. A start that the throttle holds back (the
 * user sent a message and began the next within the second) is told by the sweep when the
 * second ends, if they are still typing: a client refreshes only every 3 s, and one that
 * typed a short word and stopped was never shown typing at all.
 */
export function createTypingTracker(opts: { now: () => number }) {
  const entries = new Map<string, Entry>();
  const key = (t: string, r: string, u: string) => `${t}\u0000${r}\u0000${u}`;
  const off = (e: Entry): TypingChange => {
    e.shown = false;
    return { tenantId: e.tenantId, room: e.room, user: e.user, name: e.name, active: false };
  };
  const shownOn = (e: Entry, now: number): TypingChange => {
    e.lastTrueAt = now;
    e.shown = true;
    e.held = false;
    return { tenantId: e.tenantId, room: e.room, user: e.user, name: e.name, active: true };
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
        e.held = false;
        return e.shown ? off(e) : null;
      }
      if (!e) entries.set(k, (e = { tenantId, room, user, name, shown: false, expiresAt: 0, lastTrueAt: -Infinity, held: false }));
      e.expiresAt = now + TYPING_TTL_MS;
      e.name = name;
      if (now - e.lastTrueAt < TYPING_THROTTLE_MS) {
        // Already shown: this only keeps it shown. Not shown: the sweep tells it later.
        if (!e.shown) e.held = true;
        return null;
      }
      return shownOn(e, now);
    },

    /** Clears a user's typing (on send, leave or close); the change to forward, if it was shown. */
    clear(tenantId: string, room: string, user: string): TypingChange | null {
      const e = entries.get(key(tenantId, room, user));
      if (!e) return null;
      e.expiresAt = 0;
      e.held = false;
      return e.shown ? off(e) : null;
    },

    /** Tells held starts whose second is over, ends typing whose time is up; forgets idle entries. */
    sweep(): TypingChange[] {
      const now = opts.now();
      const out: TypingChange[] = [];
      for (const [k, e] of entries) {
        if (e.expiresAt > now) {
          if (e.held && now - e.lastTrueAt >= TYPING_THROTTLE_MS) out.push(shownOn(e, now));
          continue;
        }
        e.held = false;
        if (e.shown) out.push(off(e));
        else if (now - e.lastTrueAt >= TYPING_THROTTLE_MS) entries.delete(k);
      }
      return out;
    },
  };
}

export type TypingTracker = ReturnType<typeof createTypingTracker>;
