import { connect as tcpConnect } from 'node:net';
import WebSocket from 'ws';
import { SignJWT } from 'jose';
import { serverFrameProblems } from './schema-check';

export type Frame = Record<string, any>;

export interface TestClient {
  ws: WebSocket;
  /** Every frame received so far, in order. */
  frames: Frame[];
  send(frame: Frame | string): void;
  /** Resolves with the first frame (already received or coming) that matches. */
  next(match: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Sends a frame with a fresh rid and resolves with the answer carrying it. */
  request(frame: Frame, timeoutMs?: number): Promise<Frame>;
  /** Resolves when the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

let rids = 0;

/** Opens a raw protocol connection (no hello). Rejects with the HTTP status on a refused upgrade. */
export function connect(
  wsUrl: string,
  key: string,
  opts: { origin?: string; localAddress?: string; headers?: Record<string, string> } = {},
): Promise<TestClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}?key=${encodeURIComponent(key)}`, {
      headers: { ...opts.headers, ...(opts.origin ? { origin: opts.origin } : {}) },
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    const frames: Frame[] = [];
    const waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
    let seen = 0;
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
    );
    ws.on('message', (data) => {
      for (const line of data.toString().split('\n')) {
        const f = JSON.parse(line) as Frame;
        // Every frame a test server sends must fit the published schema (/v1/protocol.schema.json).
        const wrong = serverFrameProblems(f);
        if (wrong.length) throw new Error(`server frame breaks protocol.schema.json: ${wrong.join('; ')} in ${line.slice(0, 300)}`);
        frames.push(f);
        for (let i = 0; i < waiters.length; i++)
          if (waiters[i].match(f)) {
            waiters[i].resolve(f);
            waiters.splice(i, 1);
            i--;
          }
      }
    });
    // A refused upgrade rejects with its status and JSON body ({ error: { code, message } }).
    ws.on('unexpected-response', (req, res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('close', () => {
        req.destroy();
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body }));
      });
    });
    ws.on('error', reject);
    ws.on('open', () => {
      const c: TestClient = {
        ws,
        frames,
        closed,
        send: (f) => ws.send(typeof f === 'string' ? f : JSON.stringify(f)),
        next(match, timeoutMs = 5000) {
          const have = frames.slice(seen).find(match);
          if (have) return Promise.resolve(have);
          return new Promise((res, rej) => {
            const timer = setTimeout(() => rej(new Error(`timed out waiting for a frame; last: ${JSON.stringify(frames.slice(-3))}`)), timeoutMs);
            waiters.push({ match, resolve: (f) => (clearTimeout(timer), res(f)) });
          });
        },
        request(frame, timeoutMs) {
          const rid = `r${++rids}`;
          const p = c.next((f) => f.rid === rid, timeoutMs);
          c.send({ ...frame, rid });
          return p;
        },
        close: () => ws.close(),
      };
      resolve(c);
    });
  });
}

/** Signs a user token the way a tenant's backend would. */
export async function userToken(
  secretKey: string,
  claims: { sub: string; name?: string; role?: string; rooms?: string[] },
  opts: { expSeconds?: number; alg?: string } = {},
): Promise<string> {
  const { sub, ...rest } = claims;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(rest)
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.expSeconds ?? 3600))
    .sign(new TextEncoder().encode(secretKey));
}

/** Connects, says hello (guest unless a token is given) and waits for welcome. */
export async function client(
  wsUrl: string,
  key: string,
  hello: { token?: string; name?: string; batch?: boolean } = {},
): Promise<TestClient & { welcome: Frame }> {
  const c = await connect(wsUrl, key);
  const welcome = await c.request({ type: 'hello', ...hello });
  if (welcome.type !== 'welcome') throw new Error(`hello failed: ${JSON.stringify(welcome)}`);
  return Object.assign(c, { welcome });
}

/** Joins a room and returns the joined frame. */
export async function join(c: TestClient, room: string, extra: Frame = {}): Promise<Frame> {
  const j = await c.request({ type: 'join', room, ...extra });
  if (j.type !== 'joined') throw new Error(`join failed: ${JSON.stringify(j)}`);
  return j;
}

/** Sends a WebSocket upgrade request by hand and reads the HTTP answer. */
export function rawUpgrade(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = tcpConnect(port, '127.0.0.1', () => {
      sock.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
    });
    let text = '';
    sock.on('data', (d) => (text += d));
    const done = () => {
      const [head, body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), body });
    };
    sock.on('error', reject);
    sock.on('close', done);
  });
}
