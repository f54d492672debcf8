import type { Bus, RoomEvent } from '../bus/bus';

/** A local connection's membership in one room, as the hub delivers to it. */
export interface Subscriber {
  readonly userId: string;
  /** Users whose messages, typing and presence this subscriber does not receive. */
  readonly blocked: ReadonlySet<string>;
  /** Highest message seq this subscriber has been given (history or live). */
  lastSeq: number;
  /** While the join's history is being read, live events wait here. */
  pending: RoomEvent[] | null;
  deliver(ev: RoomEvent): void;
}

interface HubRoom {
  subs: Set<Subscriber>;
  /** Highest seq delivered in this room on this server; -1 until known. */
  lastSeq: number;
  /** Messages that arrived ahead of a gap (another server published out of order). */
  held: Map<number, RoomEvent>;
  gapTimer: ReturnType<typeof setTimeout> | null;
  /** Resolves once the bus delivers this room's events. */
  live: Promise<void>;
}

const key = (tenantId: string, room: string) => `${tenantId}\u0000${room}`;

/** Gives an event to one subscriber, applying the per-connection rules. */
export function offer(sub: Subscriber, ev: RoomEvent): void {
  if (ev.kind === 'message') {
    if (ev.seq <= sub.lastSeq) return;
    if (sub.pending) {
      sub.pending.push(ev);
      return;
    }
    sub.lastSeq = ev.seq;
  } else if (sub.pending) {
    // Typing and presence from before the join finished are not worth replaying.
    if (ev.kind !== 'deleted') return;
    sub.pending.push(ev);
    return;
  }
  if (ev.kind === 'typing' && ev.user === sub.userId) return;
  if ((ev.kind === 'message' || ev.kind === 'typing' || ev.kind === 'presence') && sub.blocked.has(ev.user)) return;
  sub.deliver(ev);
}

/**
 * The rooms that have members on this server. Every room event, local or from the bus, comes
 * through here once and goes to each local member in seq order.
 */
export function createHub(opts: {
  bus: Bus;
  /** Reads committed messages (as events) to fill a gap the bus left; seq in (after, upTo]. */
  fillGap?: (tenantId: string, room: string, after: number, upTo: number) => Promise<RoomEvent[]>;
  gapWaitMs?: number;
}) {
  const rooms = new Map<string, HubRoom>();
  const gapWaitMs = opts.gapWaitMs ?? 250;

  function fanOut(r: HubRoom, ev: RoomEvent) {
    for (const sub of r.subs) offer(sub, ev);
  }

  function deliverOrdered(r: HubRoom, ev: RoomEvent) {
    if (r.lastSeq >= 0 && ev.seq <= r.lastSeq) return;
    if (r.lastSeq >= 0 && ev.seq > r.lastSeq + 1) {
      r.held.set(ev.seq, ev);
      if (!r.gapTimer) r.gapTimer = setTimeout(() => void fill(ev.tenantId, ev.room, r), gapWaitMs);
      return;
    }
    r.lastSeq = ev.seq;
    fanOut(r, ev);
    // Release what was waiting behind this one.
    for (let next = r.held.get(r.lastSeq + 1); next; next = r.held.get(r.lastSeq + 1)) {
      r.held.delete(next.seq);
      r.lastSeq = next.seq;
      fanOut(r, next);
    }
    if (!r.held.size && r.gapTimer) {
      clearTimeout(r.gapTimer);
      r.gapTimer = null;
    }
  }

  async function fill(tenantId: string, room: string, r: HubRoom) {
    r.gapTimer = null;
    if (!r.held.size) return;
    const upTo = Math.max(...r.held.keys());
    const missing = opts.fillGap ? await opts.fillGap(tenantId, room, r.lastSeq, upTo).catch(() => []) : [];
    for (const ev of missing) r.held.set(ev.seq, r.held.get(ev.seq) ?? ev);
    // Whatever is still missing was never committed in order (cannot happen with one writer
    // per room); skip the hole rather than stall the room.
    const seqs = [...r.held.keys()].sort((a, b) => a - b);
    for (const s of seqs) {
      const ev = r.held.get(s)!;
      r.held.delete(s);
      if (s > r.lastSeq) {
        r.lastSeq = s;
        fanOut(r, ev);
      }
    }
  }

  opts.bus.onEvent((ev) => {
    const r = rooms.get(key(ev.tenantId, ev.room));
    if (!r) return;
    if (ev.kind === 'message') deliverOrdered(r, ev);
    else fanOut(r, ev);
  });

  return {
    /** Adds a local member; the bus subscription follows the first one. */
    async add(tenantId: string, room: string, sub: Subscriber): Promise<void> {
      const k = key(tenantId, room);
      let r = rooms.get(k);
      if (!r) {
        r = { subs: new Set(), lastSeq: -1, held: new Map(), gapTimer: null, live: opts.bus.subscribe(tenantId, room) };
        rooms.set(k, r);
      }
      r.subs.add(sub);
      await r.live;
    },

    /** Ends a join's buffering: the member has history up to `headSeq`; replay what came since. */
    ready(tenantId: string, room: string, sub: Subscriber, headSeq: number) {
      const r = rooms.get(key(tenantId, room));
      if (r && r.lastSeq < 0) r.lastSeq = headSeq;
      const pending = sub.pending ?? [];
      sub.pending = null;
      sub.lastSeq = Math.max(sub.lastSeq, headSeq);
      for (const ev of pending) offer(sub, ev);
    },

    remove(tenantId: string, room: string, sub: Subscriber) {
      const k = key(tenantId, room);
      const r = rooms.get(k);
      if (!r || !r.subs.delete(sub)) return;
      if (!r.subs.size) {
        if (r.gapTimer) clearTimeout(r.gapTimer);
        rooms.delete(k);
        opts.bus.unsubscribe(tenantId, room);
      }
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
