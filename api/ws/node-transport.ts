import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { RoomEvent } from '../bus/bus';
import { CLOSE } from '../protocol';
import type { BackpressureLimits, Transport } from './transport';

// The one file that knows the `ws` library's insides. Broadcasts are framed once per event and
// the same bytes are written to the raw socket of every member; frames queued for one socket in
// one turn go out in one write (one WebSocket frame for batch clients). This is safe because
// the server never compresses (perMessageDeflate is off), so `ws` itself never holds frames
// back and ours cannot interleave with its own.

const MAX_BATCH_BYTES = 64 * 1024;
/**
 * How long room events to a recently written socket may wait to share a write. Each write to a
 * socket costs about 10 µs of kernel time on loopback whatever its size, and was the largest
 * cost in the fan-out benchmark. A busy room's messages already come one statement at a time,
 * at most one per commit window (DEFAULT_COMMIT_WINDOW_MS, 40 ms), so this is shorter than that
 * window: each statement's events then leave at once. When it was the same as the window, the
 * wait random-walked: a statement that committed a little sooner than the one before waited
 * the difference, and the next wait started from there (a Lindley queue with no drift), which
 * added ~10 ms at the median and ~20 ms at p99 for nothing. What this still batches is the
 * unpaced traffic: several rooms of one socket, typing, presence.
 */
export const DEFAULT_COALESCE_MS = 25;
/**
 * Presence events to a socket written to less than this ago wait for the next write, or for
 * this much time since the last one. In a deploy's reconnect wave (5,000 clients joining 100
 * rooms) every join told each member of its room at once: about 125,000 writes of one small
 * frame each, the largest cost of the wave. Whether someone came online is not worth a write of
 * its own more than once a second; a quiet socket still gets it on the next turn.
 */
export const PRESENCE_COALESCE_MS = 1000;
const NL = 0x0a;

/** Bytes of a text frame's header for a payload of `len` bytes. */
const headerLength = (len: number) => (len < 126 ? 2 : len < 65536 ? 4 : 10);

/** Writes an unmasked text frame header into `f` and returns where the payload starts. */
function writeHeader(f: Buffer, len: number): number {
  f[0] = 0x81;
  if (len < 126) {
    f[1] = len;
    return 2;
  }
  if (len < 65536) {
    f[1] = 126;
    f.writeUInt16BE(len, 2);
    return 4;
  }
  f[1] = 127;
  f.writeUInt32BE(0, 2);
  f.writeUInt32BE(len, 6);
  return 10;
}

/** A complete unmasked text frame around `payload`. */
export function textFrame(payload: Buffer): Buffer {
  const f = Buffer.allocUnsafe(headerLength(payload.length) + payload.length);
  payload.copy(f, writeHeader(f, payload.length));
  return f;
}

/**
 * Batch frames for `parts` (payloads joined by newlines, at most MAX_BATCH_BYTES of payload
 * each unless one part alone is bigger), each built in one buffer.
 */
function batchFrames(parts: Buffer[]): Buffer[] {
  const frames: Buffer[] = [];
  let start = 0;
  while (start < parts.length) {
    let end = start;
    let size = -1;
    while (end < parts.length && (end === start || size + parts[end].length + 1 <= MAX_BATCH_BYTES)) size += parts[end++].length + 1;
    const f = Buffer.allocUnsafe(headerLength(size) + size);
    let at = writeHeader(f, size);
    for (let i = start; i < end; i++) {
      if (i > start) f[at++] = NL;
      at += parts[i].copy(f, at);
    }
    frames.push(f);
    start = end;
  }
  return frames;
}

const ephemeral = (ev: RoomEvent) => ev.kind === 'typing' || ev.kind === 'presence' || ev.kind === 'read';

// Three schedules for every socket of the process, not a timer per socket: answers (acks, pongs)
// leave on the next turn; room events to a socket written to less than `coalesceMs` ago wait
// for one shared timer, so a busy room costs one write per socket per window instead of one per
// message; a socket holding only presence waits in a group by due time (below). A socket that
// was quiet gets its event on the next turn.
const urgent = new Set<NodeTransport>();
let immediateScheduled = false;
const timed = new Set<NodeTransport>();
let timer: ReturnType<typeof setTimeout> | null = null;
// Sockets holding only presence events, which wait longer (PRESENCE_COALESCE_MS): grouped by
// when they are due, rounded up to SLOW_TICK_MS, one timer per group. So a wave of joins costs
// a set insert per socket and a timer per tick, not a scan of every waiting socket per timer,
// and the sockets of one room flushed together share their batch frame.
const SLOW_TICK_MS = 50;
const slowGroups = new Map<number, Set<NodeTransport>>();

/**
 * Batch frames built during one flush, by their first event. Members of a room flushed together
 * usually hold the very same events (the same objects, in the same order), so the frame is
 * built once and its bytes written to each of them, as for a lone event.
 */
const shared = new Map<RoomEvent, { events: RoomEvent[]; frames: Buffer[] }[]>();

function sameEvents(a: RoomEvent[], b: Queued[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The batch frames for a queue, shared with every other queue of the same events this flush. */
function framesFor(q: Queued[]): Buffer[] {
  if (!q.every(isEvent)) return batchFrames(q.map(bytesOf));
  const events = q as RoomEvent[];
  let list = shared.get(events[0]);
  if (!list) shared.set(events[0], (list = []));
  for (const c of list) if (sameEvents(c.events, events)) return c.frames;
  const frames = batchFrames(events.map(bytesOf));
  list.push({ events, frames });
  return frames;
}

function flushUrgent() {
  immediateScheduled = false;
  for (const t of urgent) {
    timed.delete(t);
    t.flush();
  }
  urgent.clear();
  shared.clear();
}

function flushTimed() {
  timer = null;
  for (const t of timed) t.flush();
  timed.clear();
  shared.clear();
}

function flushSlow(due: number) {
  const group = slowGroups.get(due);
  slowGroups.delete(due);
  if (!group) return;
  for (const t of group) {
    t.slowDue = 0;
    t.flush();
  }
  shared.clear();
}

function scheduleSlow(t: NodeTransport, delayMs: number) {
  const due = Math.ceil((performance.now() + delayMs) / SLOW_TICK_MS) * SLOW_TICK_MS;
  if (t.slowDue === due) return;
  unslow(t);
  let group = slowGroups.get(due);
  if (!group) {
    slowGroups.set(due, (group = new Set()));
    setTimeout(flushSlow, due - performance.now(), due);
  }
  group.add(t);
  t.slowDue = due;
}

function unslow(t: NodeTransport) {
  if (!t.slowDue) return;
  slowGroups.get(t.slowDue)?.delete(t);
  t.slowDue = 0;
}

function schedule(t: NodeTransport, delayMs: number) {
  unslow(t);
  if (delayMs <= 0) {
    urgent.add(t);
    if (!immediateScheduled) {
      immediateScheduled = true;
      setImmediate(flushUrgent);
    }
  } else if (!urgent.has(t)) {
    timed.add(t);
    timer ??= setTimeout(flushTimed, delayMs);
  }
}

type Queued = Buffer | RoomEvent;
const isEvent = (q: Queued): q is RoomEvent => !Buffer.isBuffer(q);
/** The payload bytes of a queued item. */
const bytesOf = (q: Queued): Buffer => (isEvent(q) ? q.bytes! : q);

class NodeTransport implements Transport {
  // Own answers as payload bytes; room events as events, so a lone one reuses the shared frame.
  private queue: Queued[] = [];
  private lastFlushAt = 0;
  private queuedBytes = 0;
  private batch = false;
  private softSince = 0;
  /** The queue holds only presence events (scheduled by scheduleSlow). */
  private slowOnly = false;
  /** The presence group this socket waits in (performance.now() ms), or 0. */
  slowDue = 0;
  closed = false;
  private readonly socket: Socket;

  constructor(
    private readonly ws: WebSocket,
    private readonly now: () => number,
    private readonly limits: BackpressureLimits,
    private readonly onTooSlow: () => void,
    private readonly coalesceMs: number,
    private readonly onShed?: (ev: RoomEvent) => void,
  ) {
    this.socket = (ws as unknown as { _socket: Socket })._socket;
  }

  get bufferedBytes() {
    return this.socket.writableLength + this.queuedBytes;
  }

  get overSoftSince() {
    return this.softSince;
  }

  setBatch(on: boolean) {
    this.batch = on;
  }

  send(json: string) {
    this.push(Buffer.from(json), 0);
  }

  sendEvent(ev: RoomEvent) {
    if (this.closed) return;
    const buffered = this.bufferedBytes;
    if (buffered > this.limits.softBytes) {
      if (!this.softSince) this.softSince = this.now();
      if (buffered > this.limits.hardBytes) {
        this.onTooSlow();
        this.close(CLOSE.tooSlow, 'too slow');
        return;
      }
      if (ephemeral(ev)) return void this.onShed?.(ev);
    } else this.softSince = 0;
    const bytes = (ev.bytes ??= Buffer.from(ev.json));
    if (this.closed || this.ws.readyState !== 1) return;
    this.queue.push(ev);
    this.queuedBytes += bytes.length;
    // Once one event waits, the socket is already scheduled: the rest of a busy window (every
    // member gets every event of the room) costs a push, not a clock read and a set insert.
    if (this.queue.length === 1) {
      const since = this.now() - this.lastFlushAt;
      this.slowOnly = ev.kind === 'presence' && since < PRESENCE_COALESCE_MS;
      if (this.slowOnly) scheduleSlow(this, PRESENCE_COALESCE_MS - since);
      else schedule(this, this.coalesceMs - since);
    } else if (this.slowOnly && ev.kind !== 'presence') {
      // Something that may not wait so long: presence leaves with it.
      this.slowOnly = false;
      schedule(this, this.coalesceMs - (this.now() - this.lastFlushAt));
    }
  }

  private push(item: Buffer, delayMs: number) {
    if (this.closed || this.ws.readyState !== 1) return;
    this.queue.push(item);
    this.queuedBytes += item.length;
    this.slowOnly = false;
    schedule(this, delayMs);
  }

  flush() {
    this.slowOnly = false;
    const q = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    // Closing (the peer's close frame came, or its FIN): nothing more may be sent, and a write
    // to the ended socket would only make an error to throw away.
    if (!q.length || this.closed || this.ws.readyState !== 1 || this.socket.destroyed) return;
    this.lastFlushAt = this.now();
    const frames = !this.batch || q.length === 1 ? q.map((item) => (isEvent(item) ? (item.frame ??= textFrame(item.bytes!)) : textFrame(item))) : framesFor(q);
    const s = this.socket;
    if (frames.length === 1) {
      s.write(frames[0]);
      return;
    }
    // Several frames leave in one writev.
    s.cork();
    for (const f of frames) s.write(f);
    s.uncork();
  }

  ping() {
    if (!this.closed) this.ws.ping();
  }

  terminate() {
    this.closed = true;
    this.ws.terminate();
  }

  close(code: number, reason = '') {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.ws.close(code, reason);
    // A client that stopped reading never completes the closing handshake: do not wait the
    // library's 30 s with its buffer held.
    if (code === CLOSE.tooSlow) setTimeout(() => this.ws.terminate(), 5000).unref();
  }
}

/** Wraps a `ws` socket accepted by our WebSocketServer as a Transport. */
export function createNodeTransport(
  ws: WebSocket,
  opts: { now: () => number; limits: BackpressureLimits; onTooSlow: () => void; coalesceMs?: number; onShed?: (ev: RoomEvent) => void },
): Transport {
  return new NodeTransport(ws, opts.now, opts.limits, opts.onTooSlow, opts.coalesceMs ?? DEFAULT_COALESCE_MS, opts.onShed);
}
