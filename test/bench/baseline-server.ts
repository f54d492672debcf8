/**
 * The tutorial chat server Parley is measured against, broadcasting exactly as the tutorials
 * write it: one `JSON.stringify` per message, then the same string sent to every open member.
 *
 *   const payload = JSON.stringify(msg);
 *   for (const client of room) { if (client.readyState === 1) client.send(payload); }
 *
 * Around that loop it speaks just enough of PROTOCOL.md for the load generator (hello, join,
 * ack, pong), keeps everything in memory and checks nothing. Do not make it slower (an earlier
 * version stringified once per member, which flattered Parley) and do not make it cleverer
 * than the tutorials (no batching, no coalescing): it is the thing Parley replaces.
 *
 * Run: PORT=8790 tsx test/bench/baseline-server.ts   (prints "baseline listening <port>")
 */
import { WebSocketServer, WebSocket } from 'ws';

interface Client {
  ws: WebSocket;
  user: string;
  name: string;
  ready: boolean;
  rooms: Set<string>;
}

interface Room {
  seq: number;
  members: Set<Client>;
}

const rooms = new Map<string, Room>();
let guests = 0;

function reply(c: Client, frame: object): void {
  c.ws.send(JSON.stringify(frame));
}

/** Reads `sub`/`name` from a JWT without verifying it: the baseline has no auth cost. */
function claims(token: string): { sub?: string; name?: string } {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return {};
  }
}

function handle(c: Client, f: Record<string, unknown>): void {
  const rid = typeof f.rid === 'string' ? f.rid : undefined;
  if (f.type === 'hello') {
    const id = typeof f.token === 'string' ? claims(f.token) : {};
    c.user = id.sub ?? `guest-${++guests}`;
    c.name = id.name ?? (typeof f.name === 'string' && f.name ? f.name : c.user);
    c.ready = true;
    const limits = { maxTextLength: 4000, maxFrameBytes: 65536, messagesPerSecond: 1e9, burst: 1e9 };
    return reply(c, { type: 'welcome', rid, user: c.user, name: c.name, role: 'member', heartbeatMs: 15000, limits });
  }
  if (!c.ready) return reply(c, { type: 'error', rid, code: 'unauthorized', message: 'hello first' });
  const roomName = typeof f.room === 'string' ? f.room : '';
  switch (f.type) {
    case 'join': {
      let room = rooms.get(roomName);
      if (!room) rooms.set(roomName, (room = { seq: 0, members: new Set() }));
      room.members.add(c);
      c.rooms.add(roomName);
      return reply(c, {
        type: 'joined', rid, room: roomName, headSeq: room.seq, messages: [], hasMore: false,
        online: room.members.size, presence: [], reads: [], lastRead: 0,
      });
    }
    case 'leave':
      rooms.get(roomName)?.members.delete(c);
      c.rooms.delete(roomName);
      return reply(c, { type: 'left', rid, room: roomName });
    case 'message': {
      const room = rooms.get(roomName);
      if (!room || !room.members.has(c)) return reply(c, { type: 'error', rid, code: 'forbidden', message: 'join first' });
      const seq = ++room.seq;
      const ts = Date.now();
      reply(c, { type: 'ack', rid, room: roomName, id: f.id, seq, ts });
      const payload = JSON.stringify({ type: 'message', room: roomName, id: f.id, seq, ts, user: c.user, name: c.name, text: f.text });
      for (const m of room.members) if (m.ws.readyState === WebSocket.OPEN) m.ws.send(payload);
      return;
    }
    case 'ping':
      return reply(c, { type: 'pong', rid, ts: Date.now() });
    default:
      return reply(c, { type: 'error', rid, code: 'bad_request', message: 'unknown type' });
  }
}

const wss = new WebSocketServer({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });

wss.on('connection', (ws) => {
  const c: Client = { ws, user: '', name: '', ready: false, rooms: new Set() };
  ws.on('message', (data) => {
    let f: unknown;
    try {
      f = JSON.parse(String(data));
    } catch {
      return reply(c, { type: 'error', code: 'bad_request', message: 'not JSON' });
    }
    if (f && typeof f === 'object') handle(c, f as Record<string, unknown>);
  });
  ws.on('close', () => {
    for (const r of c.rooms) rooms.get(r)?.members.delete(c);
  });
  ws.on('error', () => ws.terminate());
});

wss.on('listening', () => {
  const addr = wss.address();
  console.log(`baseline listening ${typeof addr === "object" && addr ? addr.port : addr}`);
});

process.on('SIGTERM', () => process.exit(0));

// The benchmark reads idle RSS after a full collection (run with --expose-gc; see load-idle.ts).
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) process.on('SIGUSR2', () => gc());
