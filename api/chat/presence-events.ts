export type PresenceStatus = 'online' | 'offline';

interface Slot {
  tenantId: string;
  room: string;
  user: string;
  /** When an event for this user and room was last published. */
  at: number;
  /** The status observers were last told. */
  told: PresenceStatus;
  /** The newest status and name not yet told, and the timer that tells it. */
  pending: { status: PresenceStatus; name: string } | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Presence events, at most one per user per room per `windowMs`. A guest who joins and leaves
 * in a loop once sent an observer 400 events in 0.3 s; now the first change is told at once
 * and later ones within the window are held, the newest replacing the older, and told when the
 * window ends, unless they came back to what observers already know. The final state is
 * therefore always the true one, never a stale one. One per server (not module state).
 */
export function createPresenceEvents(opts: {
  windowMs: number;
  now: () => number;
  publish: (tenantId: string, room: string, user: string, name: string, status: PresenceStatus) => void;
}) {
  const slots = new Map<string, Slot>();
  const key = (t: string, r: string, u: string) => `${t}\u0000${r}\u0000${u}`;

  function flush(s: Slot) {
    s.timer = null;
    const p = s.pending;
    s.pending = null;
    if (!p || p.status === s.told) return;
    s.at = opts.now();
    s.told = p.status;
    opts.publish(s.tenantId, s.room, s.user, p.name, p.status);
  }

  return {
    /** A user's presence in a room changed on this server. */
    change(tenantId: string, room: string, user: string, name: string, status: PresenceStatus) {
      const now = opts.now();
      const k = key(tenantId, room, user);
      const s = slots.get(k);
      if (!s || (!s.timer && now - s.at >= opts.windowMs)) {
        slots.set(k, { tenantId, room, user, at: now, told: status, pending: null, timer: null });
        return opts.publish(tenantId, room, user, name, status);
      }
      s.pending = { status, name };
      if (!s.timer) {
        s.timer = setTimeout(() => flush(s), Math.max(0, s.at + opts.windowMs - now));
        s.timer.unref?.();
      }
    },

    /** Forgets users whose window has passed with nothing held (called by the periodic sweep). */
    sweep() {
      const now = opts.now();
      for (const [k, s] of slots) if (!s.timer && now - s.at >= opts.windowMs) slots.delete(k);
    },

    /** Tells every held change now (shutdown: the last state must not be lost). */
    flushAll() {
      for (const s of slots.values()) {
        if (s.timer) clearTimeout(s.timer);
        flush(s);
      }
      slots.clear();
    },
  };
}

export type PresenceEvents = ReturnType<typeof createPresenceEvents>;
