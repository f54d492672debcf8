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
const NL = 0x0a;

function header(len: number): Buffer {
  if (len < 126) return Buffer.from([0x81, len]);
  if (len < 65536) return Buffer.from([0x81, 126, len >> 8, len & 255]);
  const h = Buffer.alloc(10);
  h[0] = 0x81;
  h[1] = 127;
  h.writeUIntBE(len, 4, 6);
  return h;
}

/** A complete unmasked text frame around `payload`. */
export function textFrame(payload: Buffer): Buffer {
  const h = header(payload.length);
  const f = Buffer.allocUnsafe(h.length + payload.length);
  h.copy(f, 0);
  payload.copy(f, h.length);
  return f;
}

const ephemeral = (ev: RoomEvent) => ev.kind === 'typing' || ev.kind === 'presence' || ev.kind === 'read';

const dirty = new Set<NodeTransport>();
let flushScheduled = false;

function flushAll() {
  flushScheduled = false;
  for (const t of dirty) t.flush();
  dirty.clear();
}

class NodeTransport implements Transport {
  // Each queued item is a payload (batch mode) or a finished frame (otherwise).
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private batch = false;
  private softSince = 0;
  closed = false;
  private readonly socket: Socket;

  constructor(
    private readonly ws: WebSocket,
    private readonly now: () => number,
    private readonly limits: BackpressureLimits,
    private readonly onTooSlow: () => void,
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
    const bytes = Buffer.from(json);
    this.push(this.batch ? bytes : textFrame(bytes));
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
      if (ephemeral(ev)) return;
    } else this.softSince = 0;
    ev.bytes ??= Buffer.from(ev.json);
    if (this.batch) this.push(ev.bytes);
    else this.push((ev.frame ??= textFrame(ev.bytes)));
  }

  private push(b: Buffer) {
    if (this.closed || this.ws.readyState !== 1) return;
    this.queue.push(b);
    this.queuedBytes += b.length;
    dirty.add(this);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushAll);
    }
  }

  flush() {
    const q = this.queue;
    if (!q.length || this.closed || this.socket.destroyed) {
      this.queue = [];
      this.queuedBytes = 0;
      return;
    }
    this.queue = [];
    this.queuedBytes = 0;
    const s = this.socket;
    s.cork();
    if (!this.batch) {
      for (const f of q) s.write(f);
    } else {
      let start = 0;
      while (start < q.length) {
        let end = start;
        let size = 0;
        while (end < q.length && (end === start || size + q[end].length + 1 <= MAX_BATCH_BYTES)) size += q[end++].length + 1;
        const payload = Buffer.allocUnsafe(size - 1);
        let at = 0;
        for (let i = start; i < end; i++) {
          if (i > start) payload[at++] = NL;
          at += q[i].copy(payload, at);
        }
        s.write(textFrame(payload));
        start = end;
      }
    }
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
  opts: { now: () => number; limits: BackpressureLimits; onTooSlow: () => void },
): Transport {
  return new NodeTransport(ws, opts.now, opts.limits, opts.onTooSlow);
}
