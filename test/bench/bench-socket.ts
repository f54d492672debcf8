/**
 * One load-generator connection speaking PROTOCOL.md. The receive path is the hot loop of the
 * whole benchmark (up to ~10^6 deliveries a second on one core), so `message` events are
 * recognised and read with indexOf instead of JSON.parse; every other frame is parsed fully.
 */
import WebSocket from 'ws';
import { SignJWT } from 'jose';
import type { Auth } from './load-types';

/** What a connection reports upward. */
export interface SocketHooks {
  /**
   * A `message` event: its seq, and what `textFor` embedded (send time in µs, sender index,
   * the sender's message number; all -1 for a text the bench did not write), arrival in µs.
   */
  onMessage(seq: number, sendUs: number, sender: number, k: number, recvUs: number): void;
  /** An `ack` to a `message`: its id, room and seq. */
  onAck(id: string, room: string, seq: number, recvUs: number): void;
  /** Any other frame, parsed. */
  onFrame(frame: Record<string, any>, recvUs: number): void;
  onClose(code: number): void;
}

const MSG_HEAD = '{"type":"message"';
const TEXT_KEY = '"text":"';
const SEQ_KEY = '"seq":';
const ROOM_KEY = '"room":"';
const ACK_HEAD = '{"type":"ack"';
const ID_KEY = '"id":"';
/** Bench texts start with this marker: `b:<send time µs since the epoch>:<sender>:<number>:`. */
const MARK = 'b:';

/** Wall clock in µs with sub-ms precision; one process sends and receives, so one clock. */
export function nowUs(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

/** A message text carrying its send time, sender and number, padded to `bytes` characters. */
export function textFor(sendUs: number, sender: number, k: number, bytes: number): string {
  const t = `${MARK}${Math.round(sendUs)}:${sender}:${k}:`;
  return t.length >= bytes ? t : t + 'x'.repeat(bytes - t.length);
}

/** Where the last readInt stopped, so consecutive numbers are read without slicing. */
let readEnd = 0;

function readInt(s: string, i: number): number {
  let n = 0;
  for (let c = s.charCodeAt(i); c >= 48 && c <= 57; c = s.charCodeAt(++i)) n = n * 10 + (c - 48);
  readEnd = i;
  return n;
}

/** Reads `b:<sendUs>:<sender>:<k>:` at i and reports the event. */
function emitMessage(hooks: SocketHooks, seq: number, s: string, i: number, recvUs: number): void {
  if (i < 0 || !s.startsWith(MARK, i)) return hooks.onMessage(seq, -1, -1, -1, recvUs);
  const sendUs = readInt(s, i + MARK.length);
  const sender = readInt(s, readEnd + 1);
  hooks.onMessage(seq, sendUs, sender, readInt(s, readEnd + 1), recvUs);
}

/** Lines handed to JSON.parse: everything but `message` events and `ack`s with `type` first. */
export const counters = { slowLines: 0 };

/** The string value of `key` inside [start, end), or undefined. */
function strAt(s: string, key: string, start: number, end: number): string | undefined {
  const i = s.indexOf(key, start);
  if (i < 0 || i >= end) return undefined;
  const from = i + key.length;
  return s.slice(from, s.indexOf('"', from));
}

function scan(s: string, hooks: SocketHooks, recvUs: number): void {
  const len = s.length;
  let start = 0;
  while (start < len) {
    let end = s.indexOf('\n', start);
    if (end < 0) end = len;
    // Fast path only when `type` is the first key of a `message` or `ack`: those are flat
    // objects, so every key found before `end` is theirs. Anything else (or a server that
    // orders keys differently) falls back to JSON.parse, which is slower but never wrong.
    const isMsg = s.startsWith(MSG_HEAD, start);
    const si = isMsg || s.startsWith(ACK_HEAD, start) ? s.indexOf(SEQ_KEY, start) : -1;
    if (si > 0 && si < end && !isMsg) {
      const id = strAt(s, ID_KEY, start, end);
      const room = strAt(s, ROOM_KEY, start, end);
      if (id !== undefined && room !== undefined) hooks.onAck(id, room, readInt(s, si + SEQ_KEY.length), recvUs);
      else hooks.onFrame(JSON.parse(s.slice(start, end)), recvUs);
    } else if (si > 0 && si < end) {
      const ti = s.indexOf(TEXT_KEY, start);
      emitMessage(hooks, readInt(s, si + SEQ_KEY.length), s, ti > 0 && ti < end ? ti + TEXT_KEY.length : -1, recvUs);
    } else if (end > start) {
      counters.slowLines++;
      const f = JSON.parse(s.slice(start, end));
      if (f.type === 'message') {
        emitMessage(hooks, f.seq, typeof f.text === 'string' ? f.text : '', 0, recvUs);
      } else if (f.type === 'ack' && typeof f.id === 'string' && typeof f.seq === 'number') {
        hooks.onAck(f.id, f.room, f.seq, recvUs);
      } else hooks.onFrame(f, recvUs);
    }
    start = end + 1;
  }
}

/** The hello frame a client sends: with a token the bench signs for `user`, or as a guest. */
export async function helloFrame(auth: Auth, user: string, name: string): Promise<string> {
  if (auth.kind === 'guest') return JSON.stringify({ type: 'hello', rid: 'hello', name, batch: true });
  const token = await new SignJWT({ name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(auth.secretKey));
  return JSON.stringify({ type: 'hello', rid: 'hello', token, batch: true });
}

export interface BenchSocket {
  ws: WebSocket;
  /** The `joined` answer of each room, in the order of `rooms`. */
  joined: Record<string, any>[];
  /** Sends a pre-serialised frame. */
  send(frame: string): void;
  close(): void;
}

/** Opens a connection, says hello (batch: true), joins `rooms`, and resolves when all are joined. */
export async function connectBench(opts: {
  url: string;
  auth: Auth;
  user: string;
  name: string;
  rooms: string[];
  hooks: SocketHooks;
  timeoutMs?: number;
  /** Join as a client coming back would: with its resume point. */
  lastSeq?: number;
  /** The hello frame, made beforehand (helloFrame): a client coming back holds its token. */
  hello?: string;
}): Promise<BenchSocket> {
  const hello = opts.hello ?? (await helloFrame(opts.auth, opts.user, opts.name));
  const ws = new WebSocket(opts.url, { perMessageDeflate: false, skipUTF8Validation: true });
  const pending = new Map<string, { ok: (f: any) => void; fail: (e: Error) => void }>();
  const hooks: SocketHooks = {
    onMessage: opts.hooks.onMessage,
    onAck: opts.hooks.onAck,
    onFrame(f, recvUs) {
      const waiter = typeof f.rid === 'string' ? pending.get(f.rid) : undefined;
      if (waiter && (f.type === 'welcome' || f.type === 'joined' || f.type === 'error')) {
        pending.delete(f.rid);
        if (f.type === 'error') waiter.fail(new Error(`${f.code}: ${f.message}`));
        else waiter.ok(f);
      } else opts.hooks.onFrame(f, recvUs);
    },
    onClose: opts.hooks.onClose,
  };
  ws.on('message', (data: Buffer) => scan(data.toString('latin1'), hooks, nowUs()));

  const request = (rid: string, frame: string) =>
    new Promise<any>((ok, fail) => {
      pending.set(rid, { ok, fail });
      ws.send(frame);
    });

  const timeoutMs = opts.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const handshake = new Promise<void>((ok, fail) => {
    timer = setTimeout(() => fail(new Error('timeout')), timeoutMs);
    ws.once('open', ok);
    ws.once('unexpected-response', (_req, res) => fail(new Error(`http_${res.statusCode}`)));
    ws.once('error', (e) => fail(e));
    ws.once('close', (code) => {
      for (const w of pending.values()) w.fail(new Error(`closed_${code}`));
      fail(new Error(`closed_${code}`));
    });
  });
  let joined: Record<string, any>[] = [];
  try {
    await handshake;
    await request('hello', hello);
    // Joins are pipelined: the server answers each with its own rid.
    joined = await Promise.all(
      opts.rooms.map((room) =>
        request(`j:${room}`, JSON.stringify({ type: 'join', rid: `j:${room}`, room, limit: 1, ...(opts.lastSeq === undefined ? {} : { lastSeq: opts.lastSeq }) })),
      ),
    );
  } catch (e) {
    ws.terminate();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  ws.removeAllListeners('close');
  ws.removeAllListeners('error');
  ws.on('error', () => {});
  ws.on('close', (code) => opts.hooks.onClose(code));
  return {
    ws,
    joined,
    send: (frame) => ws.send(frame),
    close: () => ws.close(1000),
  };
}

/** Runs `fn(0..count-1)` with at most `limit` in flight; settles all. */
export async function pool<T>(count: number, limit: number, fn: (i: number) => Promise<T>) {
  const out: PromiseSettledResult<T>[] = new Array(count);
  let next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      try {
        out[i] = { status: 'fulfilled', value: await fn(i) };
      } catch (reason) {
        out[i] = { status: 'rejected', reason };
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return out;
}
