import type { Context } from 'hono';
import type { WSEvents } from 'hono/ws';
import type { Tenant } from '../chat/tenants';
import { upgradeWebSocket, type WebSocketLike } from '@hono/node-server';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TenantDirectory } from '../chat/tenants';
import { CLOSE } from '../protocol';
import { createNodeTransport } from './node-transport';
import { createSession, type Session, type SessionDeps } from './session';
import { BACKPRESSURE, type BackpressureLimits } from './transport';

export interface GatewayOptions extends Omit<SessionDeps, 'onBlocksChanged' | 'draining'> {
  tenants: TenantDirectory;
  helloTimeoutMs: number;
  /** How often the one sweep looks for dead, slow and expired things. */
  sweepMs: number;
  /** How often open connections pick up tenant changes made on other servers. */
  tenantRefreshMs?: number;
  backpressure?: Partial<BackpressureLimits>;
  /** How long room events may wait to share one write to a socket (see node-transport). */
  coalesceMs?: number;
  onSweep?: () => void;
}

/** Whether a browser page at `origin` may connect for a tenant. */
export function originAllowed(origins: string[], origin: string | undefined): boolean {
  if (!origin) return true;
  return origins.includes('*') || origins.includes(origin);
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

  const deps: SessionDeps = {
    ...opts,
    draining: () => draining,
    onBlocksChanged(tenantId, userId, blocked) {
      for (const s of sessions) if (s.tenant.id === tenantId && s.user?.id === userId) s.setBlocked(blocked);
    },
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
      // Clients that do not ping (server-side bots) still answer WebSocket pings.
      if (idle > opts.heartbeatMs) t.ping();
      if (t.overSoftSince && !t.closed && t.bufferedBytes > limits.softBytes && now - t.overSoftSince > limits.softMs) {
        tooSlowClosed++;
        t.close(CLOSE.tooSlow, 'too slow');
      }
    }
    for (const change of opts.typing.sweep()) opts.chat.publishTyping(change);
    opts.onSweep?.();
  }
  const timer = setInterval(sweep, opts.sweepMs);
  timer.unref();

  /**
   * Brings open connections in line with their tenant: new settings apply at once, a disabled
   * tenant closes with 4504, and a revoked key closes the sockets whose token it signed (4501).
   * Runs when this server changes a tenant and every few seconds for changes made elsewhere.
   */
  async function refreshTenants(only?: string) {
    const byTenant = new Map<string, Session[]>();
    for (const s of sessions) {
      if (only && s.tenant.id !== only) continue;
      const list = byTenant.get(s.tenant.id) ?? [];
      list.push(s);
      byTenant.set(s.tenant.id, list);
    }
    for (const [tenantId, list] of byTenant) {
      const t = await opts.tenants.byId(tenantId);
      if (!t || t.disabled) {
        for (const s of list) s.transport.close(CLOSE.revoked, 'tenant disabled');
        continue;
      }
      const active = new Set((await opts.tenants.activeKeys(tenantId)).map((k) => k.prefix));
      for (const s of list) {
        s.setTenant(t);
        const prefix = s.user?.keyPrefix;
        if (prefix && !active.has(prefix)) s.revoke();
      }
    }
  }
  // The admin request that changed the tenant answers once this server's sockets follow it.
  opts.tenants.onChange((tenantId) => refreshTenants(tenantId).catch((err) => opts.log('tenant refresh failed', err)));
  const tenantTimer = setInterval(
    () => void refreshTenants().catch((err) => opts.log('tenant refresh failed', err)),
    opts.tenantRefreshMs ?? 5000,
  );
  tenantTimer.unref();

  async function closeSession(s: Session) {
    if (!sessions.delete(s)) return;
    await s.onClose().catch((err) => opts.log('session close failed', err));
  }

  /** Hono handler for GET /v1/ws: checks key and origin, then upgrades. */
  const route = async (c: Context, next: () => Promise<void>) => {
    if (draining) return c.json({ error: { code: 'internal', message: 'server is shutting down' } }, 503);
    const key = c.req.query('key') ?? '';
    const tenant = key ? await opts.tenants.byPublishableKey(key) : null;
    if (!tenant) return c.json({ error: { code: 'unauthorized', message: 'unknown key' } }, 401);
    if (!originAllowed(tenant.origins, c.req.header('origin')))
      return c.json({ error: { code: 'forbidden', message: 'origin not allowed' } }, 403);
    // The adapter keeps the context it is given for the socket's whole life. Give it only what
    // it reads (the upgrade header, the URL, the Node env), not Hono's context with the request
    // and its headers: that is a few KB per idle connection.
    const upgradeHeader = c.req.header('upgrade');
    // (The adapter parses `url` into a URL object it keeps but we never read: give it a short one.)
    const slim = { req: { header: (name: string) => (name.toLowerCase() === 'upgrade' ? upgradeHeader : undefined), url: 'http://parley/v1/ws' }, env: c.env };
    return upgradeWebSocket(slim as unknown as Context, connectionEvents(tenant, c.env as { incoming?: unknown }));
  };

  const onTooSlow = () => void tooSlowClosed++;

  /** The life of one accepted socket: its session, hello deadline and signs of life. */
  function connectionEvents(tenant: Tenant, env: { incoming?: unknown }): WSEvents<WebSocketLike> {
    let session: Session | null = null;
    let helloTimer: ReturnType<typeof setTimeout> | null = null;
    return {
      onOpen(_evt, ws) {
        const raw = ws.raw as WebSocket;
        // Nothing needs the Node request after the handshake; the adapter would keep it.
        env.incoming = undefined;
        if (draining) return raw.close(CLOSE.shuttingDown, 'shutting down');
        // A disabled tenant gets a socket that says so (4504: do not reconnect), not an HTTP
        // error a client would retry.
        if (tenant.disabled) return raw.close(CLOSE.revoked, 'tenant disabled');
        const s = createSession(deps, tenant, createNodeTransport(raw, { now: opts.now, limits, onTooSlow, coalesceMs: opts.coalesceMs }));
        session = s;
        sessions.add(s);
        // A WebSocket pong is a sign of life too (clients that never send frames).
        raw.on('pong', () => {
          s.lastSeenAt = opts.now();
        });
        helloTimer = setTimeout(() => {
          if (s.state === 'awaiting_hello') s.transport.close(CLOSE.helloTimeout, 'no hello in time');
        }, opts.helloTimeoutMs);
      },
      onMessage(evt) {
        if (!session) return;
        if (helloTimer && session.state !== 'awaiting_hello') {
          clearTimeout(helloTimer);
          helloTimer = null;
        }
        session.onFrame(typeof evt.data === 'string' ? evt.data : '');
      },
      onClose() {
        if (helloTimer) clearTimeout(helloTimer);
        if (session) void closeSession(session);
      },
      onError(evt) {
        opts.log('websocket error', (evt as ErrorEvent).error);
      },
    };
  }

  return {
    wss,
    route,
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
      clearInterval(tenantTimer);
    },
    get draining() {
      return draining;
    },
    async close() {
      clearInterval(timer);
      clearInterval(tenantTimer);
      for (const s of [...sessions]) {
        s.transport.close(CLOSE.shuttingDown, 'server shutting down');
        await closeSession(s);
      }
      wss.close();
    },
  };
}

export type Gateway = ReturnType<typeof createGateway>;
