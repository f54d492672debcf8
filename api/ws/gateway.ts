import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Context } from 'hono';
import type { RoomEvent } from '../bus/bus';
import { createPresenceEvents } from '../chat/presence-events';
import type { Tenant } from '../chat/tenants';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { TenantDirectory } from '../chat/tenants';
import type { ControlBus } from '../bus/control';
import { CLOSE } from '../protocol';
import { clientAddressOf, forwardedValue, trustNoProxy, type ProxyTrust } from '../ops/client-address';
import { checkEmbed, ownOrigin } from './embed-rule';
import { createNodeTransport } from './node-transport';
import { createRefusalLog } from './refusal-log';
import { createSession, type Session, type SessionDeps } from './session';
import { createTenantSync } from './tenant-sync';
import { BACKPRESSURE, type BackpressureLimits } from './transport';

export interface GatewayOptions extends Omit<SessionDeps, 'draining' | 'presenceEvents'> {
  /** Presence events per user and room at most one per this many ms (default 1000). */
  presenceWindowMs?: number;
  tenants: TenantDirectory;
  helloTimeoutMs: number;
  /** How often the one sweep looks for dead, slow and expired things. */
  sweepMs: number;
  /** Tenant changes from every server (tenant-sync.ts). */
  control: ControlBus;
  /** How often open connections re-read their tenants, in case a control event was lost. */
  tenantPollMs?: number;
  backpressure?: Partial<BackpressureLimits>;
  /** How long room events may wait to share one write to a socket (see node-transport). */
  coalesceMs?: number;
  /** Told of every refused upgrade (metrics count them; the refusal log writes the lines). */
  onRefused?: (refusal: { status: number; code: string; reason: string }) => void;
  /** Open sockets this server holds at most (503 beyond), and per client address (429 beyond). */
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  /** Which peers' `X-Forwarded-For` names the client (default: none). */
  trustProxy?: ProxyTrust;
}

/** 20,000 idle sockets are about 200 MB of heap; 500 per address leaves room for an office NAT. */
export const CONNECTION_LIMITS = { total: 20_000, perIp: 500 };

export const WS_PATH = '/v1/ws';
const SESSION = Symbol('session');
/** An accepted socket carries its session, so its listeners need no closure of their own. */
type Sock = WebSocket & { [SESSION]?: Session };
const ignore = () => {};

/** Answers a refused upgrade with an HTTP error in the API's JSON shape, and closes. */
function refuse(socket: Duplex, status: number, code: string, message: string) {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code, message } });
  // Destroyed once written: a client that never closes its end must not keep a slot.
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/**
 * The WebSocket side of the server: the upgrade checks, the session of each connection, and one
 * periodic sweep for dead connections, slow consumers and typing expiry.
 */
export function createGateway(opts: GatewayOptions) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const sessions = new Set<Session>();
  const limits: BackpressureLimits = { ...BACKPRESSURE, ...opts.backpressure };
  let tooSlowClosed = 0;
  let draining = false;
  const refused = createRefusalLog({ log: (msg) => opts.log(msg), now: opts.now });

  const presenceEvents = createPresenceEvents({
    windowMs: opts.presenceWindowMs ?? 1000,
    now: opts.now,
    publish: (tenantId, room, user, name, status) =>
      opts.chat.publishEvent(tenantId, room, 'presence', user, { type: 'presence', room, user, name, status }),
  });
  const deps: SessionDeps = {
    ...opts,
    presenceEvents,
    draining: () => draining,
  };

  function sweep() {
    const now = opts.now();
    const deadAfter = opts.heartbeatMs * 2.5;
    for (const s of sessions) {
      const idle = now - s.lastSeenAt;
      const t = s.transport;
      if (idle > deadAfter) {
        t.terminate();
        void closeSession(s);
        continue;
      }
      if (s.state === 'awaiting_hello' && now - s.openedAt > opts.helloTimeoutMs) {
        s.transport.close(CLOSE.helloTimeout, 'no hello in time');
        continue;
      }
      // The token's exp, unless a `refresh` moved it: one check per sweep, no timer per socket.
      if (s.state === 'ready' && now >= s.expiresAt) {
        s.expire();
        continue;
      }
      // Clients that do not ping (server-side bots) still answer WebSocket pings.
      if (idle > opts.heartbeatMs) t.ping();
      if (t.overSoftSince && !t.closed && t.bufferedBytes > limits.softBytes && now - t.overSoftSince > limits.softMs) {
        tooSlowClosed++;
        t.close(CLOSE.tooSlow, 'too slow');
      }
    }
    for (const change of opts.typing.sweep()) opts.chat.publishTyping(change);
    presenceEvents.sweep();
  }
  const timer = setInterval(sweep, opts.sweepMs);
  timer.unref();

  const sync = createTenantSync({
    sessions,
    tenants: opts.tenants,
    chat: opts.chat,
    control: opts.control,
    pollMs: opts.tenantPollMs ?? 30_000,
    log: opts.log,
  });

  async function closeSession(s: Session) {
    if (!sessions.delete(s)) return;
    await s.onClose().catch((err) => opts.log('session close failed', err));
  }

  /**
   * The `upgrade` event of the HTTP server, for GET /v1/ws: checks key and origin, then hands the
   * socket to `ws`. We take upgrades from Node directly rather than through Hono's
   * `upgradeWebSocket`: that adapter keeps, for each socket's whole life, a context object,
   * a parsed URL and eight closures (about 2.2 KB of heap per idle connection, a third of the
   * total), and builds a WHATWG Request for every upgrade. Plain HTTP stays on Hono.
   */
  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    // Until `ws` owns the socket, a reset must not become an uncaught error.
    socket.on('error', ignore);
    const deny = (status: number, code: string, reason: string) => {
      opts.onRefused?.({ status, code, reason });
      refuse(socket, status, code, reason);
    };
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      if ((q < 0 ? url : url.slice(0, q)) !== WS_PATH) return deny(404, 'not_found', 'no WebSocket endpoint here');
      if (draining) return deny(503, 'internal', 'server is shutting down');
      // Counted before anything is looked up, so a flood of upgrades costs no queries.
      const over = admit(clientAddressOf(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for'], trustProxy), socket);
      if (over === 'total') return deny(503, 'internal', 'server is at its connection limit; retry later');
      if (over === 'ip') return deny(429, 'rate_limited', 'too many connections from your address');
      const key = q < 0 ? '' : (new URLSearchParams(url.slice(q + 1)).get('key') ?? '');
      const origin = req.headers.origin;
      // The same rule answers GET /v1/embed-check, which tells the widget why it was refused.
      let check = await checkEmbed(opts.tenants, key, origin);
      // Parley's own pages (the dashboard's room view) are on no tenant's list: from this
      // server's origin the socket opens, and its hello must bring a staff token.
      const staffOnly = !check.ok && check.reason === 'origin_not_allowed' && ownOrigin(origin, hostOf(req));
      if (staffOnly) check = await checkEmbed(opts.tenants, key, undefined);
      if (!check.ok) refused(check.reason, key, origin);
      if (!check.ok && check.reason === 'unknown_key') return deny(401, 'unauthorized', 'unknown key');
      if (!check.ok && check.reason === 'origin_not_allowed') return deny(403, 'forbidden', 'origin not allowed');
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => {
        socket.off('error', ignore);
        // A disabled tenant gets a socket that says so (4504: do not reconnect), not an HTTP
        // error a client would retry.
        if (!check.ok) return ws.close(CLOSE.revoked, 'tenant disabled');
        accept(ws as Sock, check.tenant, staffOnly);
      });
    } catch (err) {
      opts.log('upgrade failed', err);
      deny(500, 'internal', 'internal error');
    }
  }

  /** The host the browser sent the upgrade to: `X-Forwarded-Host` from a trusted proxy, else `Host`. */
  function hostOf(req: IncomingMessage): string | undefined {
    const fwd = req.headers['x-forwarded-host'];
    return forwardedValue(req.socket.remoteAddress ?? '', typeof fwd === 'string' ? fwd : undefined, trustProxy) ?? req.headers.host;
  }

  const maxTotal = opts.maxConnections ?? CONNECTION_LIMITS.total;
  const maxPerIp = opts.maxConnectionsPerIp ?? CONNECTION_LIMITS.perIp;
  const trustProxy = opts.trustProxy ?? trustNoProxy;
  let open = 0;
  const perIp = new Map<string, number>();
  /**
   * Takes a connection slot for `ip` until the raw socket closes (accepted or not, however it
   * ends), or says which limit is reached.
   */
  function admit(ip: string, socket: Duplex): 'total' | 'ip' | null {
    const mine = perIp.get(ip) ?? 0;
    if (open >= maxTotal) return 'total';
    if (mine >= maxPerIp) return 'ip';
    open++;
    perIp.set(ip, mine + 1);
    socket.once('close', () => {
      open--;
      const n = (perIp.get(ip) ?? 1) - 1;
      if (n > 0) perIp.set(ip, n);
      else perIp.delete(ip);
    });
    return null;
  }

  const onTooSlow = () => void tooSlowClosed++;
  const onShed = (ev: RoomEvent) => opts.metrics?.shed(ev.kind);

  /** Starts the session of an accepted socket. Its listeners are shared by every socket. */
  function accept(ws: Sock, tenant: Tenant, staffOnly: boolean) {
    ws.on('error', onSocketError);
    if (draining) return ws.close(CLOSE.shuttingDown, 'shutting down');
    const s = createSession(deps, tenant, createNodeTransport(ws, { now: opts.now, limits, onTooSlow, onShed, coalesceMs: opts.coalesceMs }));
    if (staffOnly) s.staffOnly = true;
    ws[SESSION] = s;
    sessions.add(s);
    opts.metrics?.connected();
    ws.on('message', onSocketMessage);
    ws.on('pong', onSocketPong);
    ws.on('close', onSocketClose);
  }

  // `ws` calls listeners with the socket as `this`: one function each for all sockets.
  function onSocketMessage(this: Sock, data: RawData, isBinary: boolean) {
    // Text frames only (PROTOCOL.md): a binary one is answered as malformed.
    this[SESSION]?.onFrame(isBinary ? '' : String(data));
  }
  function onSocketPong(this: Sock) {
    // A WebSocket pong is a sign of life too (clients that never send frames).
    const s = this[SESSION];
    if (s) s.lastSeenAt = opts.now();
  }
  function onSocketClose(this: Sock) {
    const s = this[SESSION];
    if (s) void closeSession(s);
  }
  function onSocketError(this: Sock, err: Error) {
    opts.log('websocket error', err);
  }

  return {
    wss,
    upgrade,
    /** GET /v1/ws without an upgrade. */
    route: (c: Context) =>
      c.json({ error: { code: 'bad_request', message: 'this endpoint upgrades to a WebSocket' } }, 426, { upgrade: 'websocket' }),
    sessions,
    sweep,
    /** Connections now and the largest outgoing buffer among them. */
    stats() {
      let maxBufferedBytes = 0;
      for (const s of sessions) maxBufferedBytes = Math.max(maxBufferedBytes, s.transport.bufferedBytes);
      return { connections: sessions.size, maxBufferedBytes, tooSlowClosed };
    },
    /** Stops taking connections and new messages; `close` then says 1001 to every socket. */
    drain() {
      draining = true;
      clearInterval(timer);
      sync.stop();
    },
    get draining() {
      return draining;
    },
    async close() {
      clearInterval(timer);
      sync.stop();
      for (const s of [...sessions]) {
        s.transport.close(CLOSE.shuttingDown, 'server shutting down');
        await closeSession(s);
      }
      // Held presence changes go out before the bus closes: others must not see a stale state.
      presenceEvents.flushAll();
      wss.close();
    },
  };
}

export type Gateway = ReturnType<typeof createGateway>;
