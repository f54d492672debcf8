import type { Bus, RoomEvent } from '../bus/bus';

/** A local connection's membership in one room, as the hub delivers to it. */
export interface Subscriber {
  readonly userId: string;
  /** Users whose messages, typing and presence this subscriber does not receive. */
  readonly blocked: ReadonlySet<string>;
  /** Highest message seq this subscriber has been given (history or live). */
  lastSeq: number;
  /** Highest change cursor this subscriber has been given or passed over (history or live). */
  lastRev: number;
  /** While the join's history is being read, live events wait here. */
  pending: RoomEvent[] | null;
  deliver(ev: RoomEvent): void;
}

interface HubRoom {
  tenantId: string;
  room: string;
  subs: Set<Subscriber>;
  /**
   * Highest change cursor this server has released in the room (every change up to it is
   * delivered or read); -1 until a join read the head.
   */
  head: number;
  /** Changes (messages, deletions) that arrived ahead of a gap, or before the head was known. */
  held: Map<number, RoomEvent>;
  /** Highest cursor known to be committed (from held events or a re-sync); a fill reads up to it. */
  want: number;
  timer: ReturnType<typeof setTimeout> | null;
  filling: boolean;
  /** Failed fills in a row, for the retry backoff. */
  failures: number;
  /** Resolves once the bus delivers this room's events. */
  live: Promise<void>;
  /** Members that joined before the room had a head and are not ready yet. */
  early: Set<Subscriber>;
  /** The head the first ready join set: what it dropped, an early join may not have read. */
  startHead: number;
}

/** The most messages one gap fill reads. */
const MAX_FILL = 500;

const key = (tenantId: string, room: string) => `${tenantId}\u0000${room}`;

/** Whether an event is a stored change (a message or a deletion), ordered by the room's cursor. */
const ordered = (ev: RoomEvent) => ev.rev > 0;

/** Gives an event to one subscriber, applying the per-connection rules. */
export function offer(sub: Subscriber, ev: RoomEvent): void {
  if (ordered(ev)) {
    // Already in the page the join or sync returned.
    if (ev.rev <= sub.lastRev || (ev.kind === 'message' && ev.seq <= sub.lastSeq)) return;
    if (sub.pending) {
      sub.pending.push(ev);
      return;
    }
    sub.lastRev = ev.rev;
    if (ev.kind === 'message') sub.lastSeq = ev.seq;
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

export interface HubOptions {
  bus: Bus;
  /**
   * Reads committed changes (as `message` and `deleted` events) whose cursor is in (after, upTo];
   * a row changed again since is returned at its newer cursor.
   */
  fillGap: (tenantId: string, room: string, after: number, upTo: number) => Promise<RoomEvent[]>;
  /** Reads a room's committed change cursor (for a re-sync after the bus may have lost events). */
  readHead: (tenantId: string, room: string) => Promise<number>;
  /** How long a gap may wait for the bus to bring the missing event before the database is read. */
  gapWaitMs?: number;
  /** The longest wait between retries of a failed read. */
  maxRetryMs?: number;
  log: (msg: string, err?: unknown) => void;
}

/**
 * The rooms that have members on this server. Every room event, local or from the bus, comes
 * through here once. Stored changes (messages, deletions) go to each local member in the order
 * of the room's change cursor, so a client may keep the highest cursor it received as its
 * resume point, and messages arrive in seq order (seqs grow with the cursor). A change is
 * released only when every cursor before it was released or read from the database: the bus may delay, reorder
 * or lose events (another server publishing late, a Redis restart, a server killed between
 * commit and publish), and the database is the truth that fills whatever it did not bring.
 */
export function createHub(opts: HubOptions) {
  const rooms = new Map<string, HubRoom>();
  const gapWaitMs = opts.gapWaitMs ?? 250;
  const maxRetryMs = opts.maxRetryMs ?? 5000;
  let fillErrors = 0;

  function fanOut(r: HubRoom, ev: RoomEvent) {
    for (const sub of r.subs) offer(sub, ev);
  }

  /** Releases the held events that follow the head without a gap; schedules a fill for the rest. */
  function drain(r: HubRoom) {
    if (r.head < 0) return;
    for (const [s] of r.held) if (s <= r.head) r.held.delete(s);
    for (let next = r.held.get(r.head + 1); next; next = r.held.get(r.head + 1)) {
      r.held.delete(next.rev);
      r.head = next.rev;
      fanOut(r, next);
    }
    if (r.want <= r.head && !r.held.size) {
      if (r.timer) clearTimeout(r.timer);
      r.timer = null;
      r.failures = 0;
      return;
    }
    schedule(r, gapWaitMs);
  }

  function schedule(r: HubRoom, ms: number) {
    if (r.timer || r.filling) return;
    r.timer = setTimeout(() => void fill(r), ms);
  }

  async function fill(r: HubRoom) {
    r.timer = null;
    if (r.head < 0 || rooms.get(key(r.tenantId, r.room)) !== r) return;
    let known = r.want;
    for (const s of r.held.keys()) known = Math.max(known, s);
    if (known <= r.head) return drain(r);
    const after = r.head;
    // A long outage can leave thousands behind: read them a page at a time.
    const upTo = Math.min(known, after + MAX_FILL);
    r.filling = true;
    let read: RoomEvent[];
    try {
      read = await opts.fillGap(r.tenantId, r.room, after, upTo);
    } catch (err) {
      r.filling = false;
      fillErrors++;
      r.failures++;
      opts.log(`gap fill failed for room ${r.room} of ${r.tenantId} (cursor ${after + 1}..${upTo}, attempt ${r.failures}); retrying`, err);
      if (rooms.get(key(r.tenantId, r.room)) === r) schedule(r, Math.min(maxRetryMs, gapWaitMs * 2 ** r.failures));
      return;
    }
    r.filling = false;
    r.failures = 0;
    if (rooms.get(key(r.tenantId, r.room)) !== r) return;
    // Events that came over the bus during the read are still held: they are released here
    // in order with what was read, or after it if they lie beyond `upTo`.
    const fromDb = new Map(read.map((ev) => [ev.rev, ev]));
    for (let s = r.head + 1; s <= upTo; s++) {
      const ev = r.held.get(s) ?? fromDb.get(s);
      r.held.delete(s);
      r.head = s;
      // A cursor the read covered but did not return belongs to a message changed again since
      // (delivered at its newer cursor): nothing to deliver here.
      if (ev) fanOut(r, ev);
    }
    if (upTo < known) schedule(r, 0);
    drain(r);
  }

  /** Reads a room's committed head and fills up to it; a failed read is retried with backoff. */
  async function resyncRoom(r: HubRoom, attempt = 0): Promise<void> {
    let head: number;
    try {
      head = await opts.readHead(r.tenantId, r.room);
    } catch (err) {
      fillErrors++;
      opts.log(`re-sync of room ${r.room} of ${r.tenantId} failed (attempt ${attempt + 1}); retrying`, err);
      const t = setTimeout(() => {
        if (rooms.get(key(r.tenantId, r.room)) === r) void resyncRoom(r, attempt + 1);
      }, Math.min(maxRetryMs, gapWaitMs * 2 ** (attempt + 1)));
      t.unref?.();
      return;
    }
    if (head <= r.want) return;
    r.want = head;
    if (r.head < 0 || r.filling || r.want <= r.head) return;
    if (r.timer) clearTimeout(r.timer);
    r.timer = null;
    await fill(r);
  }

  /**
   * An early member's page ends below the head the room started from: the changes between
   * were dropped as the first join's, so they are read for this member alone; live events
   * wait in its `pending` until they are delivered.
   */
  async function catchUp(r: HubRoom, sub: Subscriber, after: number, upTo: number, attempt = 0): Promise<void> {
    const read: RoomEvent[] = [];
    try {
      for (let a = after; a < upTo; a = Math.min(upTo, a + MAX_FILL)) read.push(...(await opts.fillGap(r.tenantId, r.room, a, Math.min(upTo, a + MAX_FILL))));
    } catch (err) {
      fillErrors++;
      opts.log(`catch-up of a join to room ${r.room} of ${r.tenantId} failed (cursor ${after + 1}..${upTo}, attempt ${attempt + 1}); retrying`, err);
      const t = setTimeout(() => {
        if (r.subs.has(sub)) void catchUp(r, sub, after, upTo, attempt + 1);
      }, Math.min(maxRetryMs, gapWaitMs * 2 ** (attempt + 1)));
      t.unref?.();
      return;
    }
    if (!r.subs.has(sub)) return;
    const pending = sub.pending ?? [];
    sub.pending = null;
    for (const ev of [...read.sort((x, y) => x.rev - y.rev), ...pending]) offer(sub, ev);
  }

  opts.bus.onEvent((ev) => {
    const r = rooms.get(key(ev.tenantId, ev.room));
    if (!r) return;
    if (!ordered(ev)) return fanOut(r, ev);
    if (r.head >= 0 && ev.rev <= r.head) return;
    r.held.set(ev.rev, ev);
    drain(r);
  });

  return {
    /** Adds a local member; the bus subscription follows the first one. */
    async add(tenantId: string, room: string, sub: Subscriber): Promise<void> {
      const k = key(tenantId, room);
      let r = rooms.get(k);
      if (!r) {
        r = {
          tenantId,
          room,
          subs: new Set(),
          head: -1,
          held: new Map(),
          want: 0,
          timer: null,
          filling: false,
          failures: 0,
          live: opts.bus.subscribe(tenantId, room),
          early: new Set(),
          startHead: -1,
        };
        rooms.set(k, r);
      }
      r.subs.add(sub);
      if (r.head < 0) r.early.add(sub);
      await r.live;
    },

    /**
     * Ends a join's buffering: the member has history up to `headSeq` and every change up to
     * the cursor `headRev`; replay what came since.
     */
    ready(tenantId: string, room: string, sub: Subscriber, headSeq: number, headRev: number) {
      const r = rooms.get(key(tenantId, room));
      if (r?.early.delete(sub) && r.head >= 0 && headRev < r.startHead) {
        sub.lastSeq = Math.max(sub.lastSeq, headSeq);
        sub.lastRev = Math.max(sub.lastRev, headRev);
        void catchUp(r, sub, headRev, r.startHead);
        return;
      }
      const pending = sub.pending ?? [];
      sub.pending = null;
      sub.lastSeq = Math.max(sub.lastSeq, headSeq);
      sub.lastRev = Math.max(sub.lastRev, headRev);
      for (const ev of pending) offer(sub, ev);
      // The first join to read the head (after the bus was live) tells the room where to
      // start: everything up to it is in that join's page, everything after comes live.
      if (r && r.head < 0) {
        r.head = r.startHead = headRev;
        drain(r);
      }
    },

    remove(tenantId: string, room: string, sub: Subscriber) {
      const k = key(tenantId, room);
      const r = rooms.get(k);
      if (!r || !r.subs.delete(sub)) return;
      r.early.delete(sub);
      if (!r.subs.size) {
        if (r.timer) clearTimeout(r.timer);
        rooms.delete(k);
        opts.bus.unsubscribe(tenantId, room);
      }
    },

    /**
     * The bus may have lost events (it reconnected, or a server died between commit and
     * publish): reads every room's head and fills up to it, even if no later event comes.
     */
    resync(): Promise<void> {
      return Promise.all([...rooms.values()].map((r) => resyncRoom(r))).then(() => {});
    },

    stats: () => ({ rooms: rooms.size, fillErrors }),

    close() {
      for (const r of rooms.values()) if (r.timer) clearTimeout(r.timer);
      rooms.clear();
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
