import type { RoomEvent } from '../bus/bus';
import type { Auth, Identity } from '../chat/auth';
import type { ChatService } from '../chat/chat-service';
import { ChatError, toChatError } from '../chat/errors';
import type { Hub, Subscriber } from '../chat/hub';
import type { PresenceStore } from '../chat/presence';
import type { Tenant } from '../chat/tenants';
import type { TypingTracker } from '../chat/typing';
import {
  CLOSE,
  codePointLength,
  decodeFrame,
  DEFAULTS,
  type ClientFrame,
  type ErrorCode,
  type ServerFrame,
} from '../protocol';
import type { Transport } from './transport';

export interface SessionDeps {
  chat: ChatService;
  auth: Auth;
  hub: Hub;
  presence: PresenceStore;
  typing: TypingTracker;
  heartbeatMs: number;
  maxFrameBytes: number;
  now: () => number;
  /** True once the server is shutting down: new messages go to another server. */
  draining(): boolean;
  /** Called when a user's blocks change, so their other connections here follow. */
  onBlocksChanged(tenantId: string, userId: string, blocked: Set<string>): void;
  log: (msg: string, err?: unknown) => void;
}

type State = 'awaiting_hello' | 'ready' | 'closed';

interface Joined extends Subscriber {
  room: string;
}

let nextConnId = 0;

/**
 * One WebSocket connection after the upgrade: the `hello` handshake, then frames dispatched to
 * the chat domain. Frames are handled one at a time in arrival order; a `message` only waits
 * to be queued for its room, so acks come back in order without a commit per frame.
 */
export function createSession(deps: SessionDeps, initialTenant: Tenant, transport: Transport) {
  // Replaced when the operator changes the tenant's settings, so limits apply to open sockets.
  let tenant = initialTenant;
  const connId = `${process.pid}:${++nextConnId}`;
  let state: State = 'awaiting_hello';
  let who: Identity | null = null;
  let blocked = new Set<string>();
  const rooms = new Map<string, Joined>();
  let chain: Promise<void> = Promise.resolve();
  let strikes: number[] = [];
  const session = {
    connId,
    get tenant() {
      return tenant;
    },
    setTenant(next: Tenant) {
      tenant = next;
    },
    transport,
    lastSeenAt: deps.now(),
    get user() {
      return who;
    },
    get state() {
      return state;
    },
    onFrame,
    onClose,
    setBlocked(next: Set<string>) {
      blocked = next;
    },
    /** The key that signed this connection's token was revoked. */
    revoke() {
      if (state === 'closed') return;
      send({ type: 'error', code: 'unauthorized', message: 'the key that signed your token was revoked' });
      transport.close(CLOSE.authFailed, 'token revoked');
    },
  };

  const send = (f: ServerFrame) => transport.send(JSON.stringify(f));

  /** Counts a bad or rate-limited frame; too many in the window closes the connection. */
  function strike() {
    const now = deps.now();
    strikes = strikes.filter((t) => now - t < DEFAULTS.floodWindowMs);
    strikes.push(now);
    if (strikes.length > DEFAULTS.floodMaxFrames) transport.close(CLOSE.flooding, 'too many bad frames');
  }

  function sendError(code: ErrorCode, message: string, rid?: string, retryAfterMs?: number) {
    send({ type: 'error', code, message, ...(rid !== undefined ? { rid } : {}), ...(retryAfterMs ? { retryAfterMs } : {}) });
    if (code === 'bad_request' || code === 'rate_limited' || code === 'unauthorized' || code === 'too_large') strike();
  }

  function fail(err: unknown, rid?: string) {
    const e = toChatError(err);
    if (e.code === 'internal') deps.log('frame failed', err);
    sendError(e.code, e.message, rid, e.retryAfterMs);
  }

  function onFrame(raw: string) {
    session.lastSeenAt = deps.now();
    if (state === 'closed') return;
    const d = decodeFrame(raw);
    if (!d.ok) return sendError(d.code, d.message, d.rid);
    const f = d.frame;
    if (state === 'awaiting_hello' && f.type !== 'hello') return sendError('unauthorized', 'send hello first', f.rid);
    chain = chain.then(() => handle(f)).catch((err) => fail(err, f.rid));
  }

  function joined(room: string, rid?: string): Joined | null {
    const j = rooms.get(room);
    if (!j) sendError('forbidden', `join ${room} first`, rid);
    return j ?? null;
  }

  async function handle(f: ClientFrame): Promise<void> {
    if (state === 'closed') return;
    const rid = f.rid !== undefined ? { rid: f.rid } : {};
    switch (f.type) {
      case 'hello':
        return hello(f.token, f.name, f.batch === true, rid);
      case 'join':
        return join(f.room, f.lastSeq, f.limit, rid);
      case 'leave':
        await leave(f.room);
        return send({ type: 'left', room: f.room, ...rid });
      case 'message': {
        const max = tenant.settings.maxTextLength;
        if (codePointLength(f.text) > max) return sendError('too_large', `text is longer than ${max} characters`, f.rid);
        if (!joined(f.room, f.rid)) return;
        if (deps.draining()) return sendError('internal', 'server shutting down; retry with the same id', f.rid);
        // Not awaited: the next frame may be handled while this one commits.
        deps.chat.post(tenant, who!, f.room, f.id, f.text).then(
          (ack) => send({ type: 'ack', ...ack, ...rid }),
          (err) => fail(err, f.rid),
        );
        return;
      }
      case 'typing': {
        if (!joined(f.room, f.rid)) return;
        const change = deps.typing.update(tenant.id, f.room, who!.id, who!.name, f.active);
        if (change) deps.chat.publishTyping(change);
        return;
      }
      case 'read':
        if (!joined(f.room, f.rid)) return;
        return deps.chat.markRead(tenant.id, who!, f.room, f.lastSeq);
      case 'sync':
      case 'history': {
        const j = rooms.get(f.room);
        const head = j ? j.lastSeq : await deps.chat.openRoom(tenant, who!, f.room);
        const page = await deps.chat.history(
          tenant.id,
          f.room,
          f.type === 'sync' ? { afterSeq: f.lastSeq, limit: f.limit, upTo: head } : { beforeSeq: f.beforeSeq, limit: f.limit, upTo: head },
          blocked,
        );
        return send({ type: 'history', room: f.room, ...page, ...rid });
      }
      case 'ping':
        return send({ type: 'pong', ts: deps.now(), ...rid });
      case 'delete':
        if (!joined(f.room, f.rid)) return;
        await deps.chat.remove(tenant, who!, f.room, f.id);
        return send({ type: 'ack', room: f.room, id: f.id, ...rid });
      case 'report':
        await deps.chat.report(tenant, who!, f.room, f.id, f.reason);
        return send({ type: 'ack', room: f.room, id: f.id, ...rid });
      case 'block':
      case 'unblock': {
        await deps.chat.setBlock(tenant.id, who!, f.user, f.type === 'block');
        const next = new Set(blocked);
        if (f.type === 'block') next.add(f.user);
        else next.delete(f.user);
        deps.onBlocksChanged(tenant.id, who!.id, next);
        return send({ type: 'ack', user: f.user, ...rid });
      }
    }
  }

  async function hello(token: string | undefined, name: string | undefined, batch: boolean, rid: { rid?: string }) {
    if (state !== 'awaiting_hello') return sendError('bad_request', 'hello was already sent', rid.rid);
    if (tenant.disabled) return transport.close(CLOSE.revoked, 'tenant disabled');
    let guestToken: string | undefined;
    try {
      if (token) {
        who = await deps.auth.verify(tenant, token);
        if (who.guest) {
          if (name?.trim()) who = { ...who, name: name.trim().slice(0, DEFAULTS.maxNameLength) };
          guestToken = await deps.auth.guestToken(tenant, who);
        }
      } else if (tenant.settings.guests) {
        const g = await deps.auth.guest(tenant, name);
        who = g.identity;
        guestToken = g.token;
      } else {
        throw new ChatError('unauthorized', 'a token is required');
      }
    } catch (err) {
      const e = toChatError(err);
      if (e.code !== 'unauthorized') throw err;
      send({ type: 'error', code: 'unauthorized', message: e.message, ...rid });
      transport.close(CLOSE.authFailed, 'authentication failed');
      state = 'closed';
      return;
    }
    if ((state as State) === 'closed') return;
    blocked = new Set(await deps.chat.blockedBy(tenant.id, who.id));
    transport.setBatch(batch);
    state = 'ready';
    send({
      type: 'welcome',
      user: who.id,
      name: who.name,
      role: who.role,
      ...(guestToken ? { guestToken } : {}),
      heartbeatMs: deps.heartbeatMs,
      limits: {
        maxTextLength: tenant.settings.maxTextLength,
        maxFrameBytes: deps.maxFrameBytes,
        messagesPerSecond: tenant.settings.messagesPerSecond,
        burst: tenant.settings.burst,
      },
      ...rid,
    });
  }

  async function join(room: string, lastSeq: number | undefined, limit: number | undefined, rid: { rid?: string }) {
    const me = who!;
    await deps.chat.openRoom(tenant, me, room);
    const previous = rooms.get(room);
    if (previous) deps.hub.remove(tenant.id, room, previous);
    const sub: Joined = {
      room,
      userId: me.id,
      get blocked() {
        return blocked;
      },
      lastSeq: 0,
      pending: [],
      deliver: (ev: RoomEvent) => transport.sendEvent(ev),
    };
    rooms.set(room, sub);
    // Subscribe before reading the head: every message committed later arrives live, every
    // one before is in the page, and the overlap is cut by seq.
    try {
      await deps.hub.add(tenant.id, room, sub);
      const head = await deps.chat.headSeq(tenant.id, room);
      const page = await deps.chat.history(
        tenant.id,
        room,
        lastSeq !== undefined ? { afterSeq: lastSeq, limit, upTo: head } : { limit, upTo: head },
        blocked,
      );
      if (!previous && (await deps.presence.add(tenant.id, room, { user: me.id, name: me.name }, connId)))
        publishPresence(room, 'online');
      const [list, reads] = await Promise.all([
        deps.presence.list(tenant.id, room, 100),
        deps.chat.readsIn(tenant.id, room),
      ]);
      if (state === 'closed' || rooms.get(room) !== sub) return;
      send({
        type: 'joined',
        room,
        ...page,
        online: list.online,
        presence: list.presence,
        reads,
        lastRead: reads.find((r) => r.user === me.id)?.lastSeq ?? 0,
        ...rid,
      });
      deps.hub.ready(tenant.id, room, sub, head);
    } catch (err) {
      rooms.delete(room);
      deps.hub.remove(tenant.id, room, sub);
      throw err;
    }
  }

  function publishPresence(room: string, status: 'online' | 'offline') {
    const me = who!;
    deps.chat.publishEvent(tenant.id, room, 'presence', me.id, { type: 'presence', room, user: me.id, name: me.name, status });
  }

  async function leave(room: string) {
    const sub = rooms.get(room);
    if (!sub) return;
    rooms.delete(room);
    deps.hub.remove(tenant.id, room, sub);
    const t = deps.typing.clear(tenant.id, room, who!.id);
    if (t) deps.chat.publishTyping(t);
    if (await deps.presence.remove(tenant.id, room, who!.id, connId)) publishPresence(room, 'offline');
  }

  /** Called once when the socket is gone: leave every room so presence and typing clear. */
  async function onClose() {
    if (state === 'closed' && !rooms.size) return;
    state = 'closed';
    await Promise.all([...rooms.keys()].map((r) => leave(r).catch((err) => deps.log('leave on close failed', err))));
  }

  return session;
}

export type Session = ReturnType<typeof createSession>;
