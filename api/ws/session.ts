import type { RoomEvent } from '../bus/bus';
import type { Auth, Identity } from '../chat/auth';
import type { ChatService } from '../chat/chat-service';
import type { ReportDesk } from '../chat/report-desk';
import { ChatError, toChatError } from '../chat/errors';
import type { Hub, Subscriber } from '../chat/hub';
import type { PresenceStore } from '../chat/presence';
import type { PresenceEvents } from '../chat/presence-events';
import type { Tenant } from '../chat/tenants';
import type { TypingTracker } from '../chat/typing';
import { CLOSE, decodeFrame, DEFAULTS, MAX_WELCOME_BLOCKS, type ErrorCode, type ServerFrame } from '../protocol';
import { ConnectionBudget } from './connection-budget';
import { dispatch } from './dispatch';
import type { Transport } from './transport';
import type { MetricHooks } from '../ops/metrics';

export interface SessionDeps {
  chat: ChatService;
  /** A moderator's deletes, mutes and bans, audited as the dashboard's are. */
  desk: ReportDesk;
  auth: Auth;
  hub: Hub;
  presence: PresenceStore;
  typing: TypingTracker;
  /** Publishes presence changes, coalesced per user and room (presence-events.ts). */
  presenceEvents: PresenceEvents;
  heartbeatMs: number;
  maxFrameBytes: number;
  now: () => number;
  /** True once the server is shutting down: new messages go to another server. */
  draining(): boolean;
  log: (msg: string, err?: unknown) => void;
  /** Counts joins, deliveries and ack latency (`/metrics`); absent in unit tests. */
  metrics?: MetricHooks;
}

type State = 'awaiting_hello' | 'ready' | 'closed';
export type Rid = { rid?: string };

/** One connection's membership in one room: what the hub delivers to. */
export class RoomSub implements Subscriber {
  lastSeq = 0;
  lastRev = 0;
  pending: RoomEvent[] | null = [];
  constructor(
    readonly room: string,
    readonly userId: string,
    private readonly session: Session,
  ) {}
  get blocked(): ReadonlySet<string> {
    return this.session.blocked;
  }
  deliver(ev: RoomEvent) {
    // Counted as handed to the transport; what it sheds is counted there (backpressure).
    this.session.deps.metrics?.delivered(ev.kind);
    this.session.transport.sendEvent(ev);
  }
}

let nextConnId = 0;
// Most users block nobody: they share one empty set instead of each holding their own.
const NO_ONE: ReadonlySet<string> = new Set<string>();
const SETTLED: Promise<void> = Promise.resolve();

/**
 * One WebSocket connection after the upgrade: the `hello` handshake, then frames dispatched to
 * the chat domain (dispatch.ts). Frames are handled one at a time in arrival order; a `message`
 * only waits to be queued for its room, so acks come back in order without a commit per frame.
 * A class rather than a closure: an idle connection then costs its fields, not a dozen function
 * objects (tsx's keepNames gives each of those a property store of its own).
 */
export class Session {
  readonly connId = `${process.pid}:${++nextConnId}`;
  state: State = 'awaiting_hello';
  user: Identity | null = null;
  /** Opened from this server's own origin (the dashboard), on no tenant's list: only a staff token may say hello. */
  staffOnly = false;
  blocked: ReadonlySet<string> = NO_ONE;
  /** Which read of the user's blocks may still replace `blocked` (a later read wins). */
  blocksRead = 0;
  readonly rooms = new Map<string, RoomSub>();
  /** When the token expires (ms); the sweep closes the socket with 4501 then, unless refreshed. */
  expiresAt = Infinity;
  lastSeenAt: number;
  /** When the socket was accepted: `hello` is due within helloTimeoutMs (the sweep checks). */
  readonly openedAt: number;
  private chain: Promise<void> = SETTLED;
  private messages: Promise<void> = SETTLED;
  private strikes: number[] | null = null;
  readonly budget = new ConnectionBudget();

  constructor(
    readonly deps: SessionDeps,
    // Replaced when the operator changes the tenant's settings, so limits apply to open sockets.
    public tenant: Tenant,
    readonly transport: Transport,
  ) {
    this.lastSeenAt = this.openedAt = deps.now();
  }

  setTenant(next: Tenant) {
    this.tenant = next;
  }

  setBlocked(next: Set<string>) {
    this.blocked = next.size ? next : NO_ONE;
  }

  /**
   * Puts the connection out of a room it may no longer be in (taken off a private room's
   * members, or the room made private): an error, then `left`; nothing more arrives from the
   * room and `message` to it is refused.
   */
  async evict(room: string) {
    if (this.state === 'closed' || !this.rooms.has(room)) return;
    this.send({ type: 'error', code: 'forbidden', room, message: `you may no longer be in ${room}` });
    await this.leave(room);
    this.send({ type: 'left', room });
  }

  send(f: ServerFrame) {
    this.transport.send(JSON.stringify(f));
  }

  /** Counts a bad or rate-limited frame; too many in the window closes the connection. */
  private strike() {
    const now = this.deps.now();
    const recent = (this.strikes ?? []).filter((t) => now - t < DEFAULTS.floodWindowMs);
    recent.push(now);
    this.strikes = recent;
    if (recent.length > DEFAULTS.floodMaxFrames) this.transport.close(CLOSE.flooding, 'too many bad frames');
  }

  sendError(code: ErrorCode, message: string, rid?: string, retryAfterMs?: number) {
    this.send({ type: 'error', code, message, ...(rid !== undefined ? { rid } : {}), ...(retryAfterMs ? { retryAfterMs } : {}) });
    if (code === 'bad_request' || code === 'rate_limited' || code === 'unauthorized' || code === 'too_large') this.strike();
  }

  fail(err: unknown, rid?: string) {
    const e = toChatError(err);
    if (e.code === 'internal') this.deps.log('frame failed', err);
    this.sendError(e.code, e.message, rid, e.retryAfterMs);
  }

  onFrame(raw: string) {
    this.lastSeenAt = this.deps.now();
    if (this.state === 'closed') return;
    const d = decodeFrame(raw);
    // Decoded first (bounded by maxFrameBytes) so the refusal carries the frame's rid.
    const wait = this.budget.frame(this.lastSeenAt, this.tenant.settings);
    if (wait) return this.sendError('rate_limited', 'too many frames on this connection', d.ok ? d.frame.rid : d.rid, wait);
    if (!d.ok) return this.sendError(d.code, d.message, d.rid);
    const f = d.frame;
    if (this.state === 'awaiting_hello' && f.type !== 'hello') return this.sendError('unauthorized', 'send hello first', f.rid);
    this.chain = this.chain.then(() => dispatch(this, f)).catch((err) => this.fail(err, f.rid));
  }

  /**
   * Runs `step` after every message step queued before it, apart from the frame chain: the
   * connection's messages keep their order while its other frames go on.
   */
  afterMessages(step: () => Promise<void>, rid?: string) {
    this.messages = this.messages.then(step).catch((err) => this.fail(err, rid));
  }

  /** The room's membership, or null after telling the client it has not joined. */
  joined(room: string, rid?: string): RoomSub | null {
    const j = this.rooms.get(room);
    if (!j) this.sendError('forbidden', `join ${room} first`, rid);
    return j ?? null;
  }

  /** The token expired with no `refresh` before it (the sweep calls this). */
  expire() {
    if (this.state === 'closed') return;
    this.send({ type: 'error', code: 'unauthorized', message: 'token expired' });
    this.transport.close(CLOSE.authFailed, 'token expired');
  }

  /** The key that signed this connection's token was revoked. */
  revoke() {
    if (this.state === 'closed') return;
    this.send({ type: 'error', code: 'unauthorized', message: 'the key that signed your token was revoked' });
    this.transport.close(CLOSE.authFailed, 'token revoked');
  }

  async hello(token: string | undefined, name: string | undefined, batch: boolean, rid: Rid) {
    const { deps, tenant } = this;
    if (this.state !== 'awaiting_hello') return this.sendError('bad_request', 'hello was already sent', rid.rid);
    if (tenant.disabled) return this.transport.close(CLOSE.revoked, 'tenant disabled');
    let who: Identity;
    let guestToken: string | undefined;
    try {
      // Names are text people show each other: the tenant's content rules apply, as to messages.
      if (name?.trim()) name = deps.chat.displayName(tenant, name.trim().slice(0, DEFAULTS.maxNameLength));
      if (token) {
        who = await deps.auth.verify(tenant, token);
        if (!who.guest) who = { ...who, name: deps.chat.displayName(tenant, who.name) };
        else {
          // A guest token's name passed these rules when it was signed.
          if (name?.trim()) who = { ...who, name };
          guestToken = await deps.auth.guestToken(tenant, who);
        }
      } else if (tenant.settings.guests) {
        const g = await deps.auth.guest(tenant, name);
        who = g.identity;
        guestToken = g.token;
      } else {
        throw new ChatError('unauthorized', 'a token is required');
      }
      if (this.staffOnly && !who.staff) throw new ChatError('unauthorized', "this origin is not allowed for the site's users; only the dashboard's console may connect from it");
    } catch (err) {
      const e = toChatError(err);
      if (e.code !== 'unauthorized') throw err;
      this.send({ type: 'error', code: 'unauthorized', message: e.message, ...rid });
      this.transport.close(CLOSE.authFailed, 'authentication failed');
      this.state = 'closed';
      return;
    }
    if ((this.state as State) === 'closed') return;
    if (await deps.chat.bans.isBanned(tenant.id, who.id)) {
      this.send({ type: 'error', code: 'forbidden', message: 'you are banned from this site', ...rid });
      this.transport.close(CLOSE.banned, 'banned');
      this.state = 'closed';
      return;
    }
    this.user = who;
    this.expiresAt = who.expiresAt ?? Infinity;
    const read = this.blocksRead;
    const blocked = await deps.chat.blockedBy(tenant.id, who.id);
    // A block pushed meanwhile started a later read: that one sets the list.
    if (blocked.length && this.blocksRead === read) this.blocked = new Set(blocked);
    this.transport.setBatch(batch);
    this.state = 'ready';
    this.send({
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
      expiresAt: this.expiresAt,
      // So a client can offer "unblock" for people it no longer sees anything of.
      ...(this.blocked.size ? { blocked: [...this.blocked].slice(0, MAX_WELCOME_BLOCKS) } : {}),
      ...rid,
    });
  }

  async join(room: string, q: { lastSeq?: number; cursor?: number; limit?: number }, rid: Rid) {
    const { deps, tenant } = this;
    const me = this.user!;
    const previous = this.rooms.get(room);
    if (previous) deps.hub.remove(tenant.id, room, previous);
    const sub = new RoomSub(room, me.id, this);
    this.rooms.set(room, sub);
    // Subscribe before reading the head: every message committed later arrives live, every
    // one before is in the page, and the overlap is cut by seq. The access check reads the
    // head too; a refusal unsubscribes below.
    try {
      await deps.hub.add(tenant.id, room, sub);
      const { page, reads, headRev } = await deps.chat.joinRoom(tenant, me, room, q, this.blocked);
      const head = page.headSeq;
      const gone = () => this.state === 'closed' || this.rooms.get(room) !== sub;
      if (gone()) return;
      if (!previous && (await deps.presence.add(tenant.id, room, { user: me.id, name: me.name }, this.connId))) this.publishPresence(room, 'online');
      // The socket closed or left the room while presence was being added: its leave ran
      // before the add, so undo it here (a re-join that replaced this one keeps it).
      if (this.state === 'closed' || !this.rooms.has(room)) {
        if (!previous && (await deps.presence.remove(tenant.id, room, me.id, this.connId))) this.publishPresence(room, 'offline');
        return;
      }
      const list = await deps.presence.list(tenant.id, room, 100);
      if (gone()) return;
      // Blocked users' presence is not sent live (hub.ts), so not here either.
      const presence = list.presence.filter((p) => !this.blocked.has(p.user));
      this.send({
        type: 'joined',
        room,
        ...page,
        online: list.online - (list.presence.length - presence.length),
        presence,
        reads,
        lastRead: reads.find((r) => r.user === me.id)?.lastSeq ?? 0,
        ...rid,
      });
      deps.hub.ready(tenant.id, room, sub, head, headRev);
      deps.metrics?.joined();
    } catch (err) {
      // Out of the room entirely (a refused re-join also ends the earlier membership).
      await this.leave(room);
      throw err;
    }
  }

  private publishPresence(room: string, status: 'online' | 'offline') {
    const me = this.user!;
    this.deps.presenceEvents.change(this.tenant.id, room, me.id, me.name, status);
  }

  async leave(room: string) {
    const sub = this.rooms.get(room);
    if (!sub) return;
    const { deps, tenant } = this;
    const me = this.user!;
    this.rooms.delete(room);
    deps.hub.remove(tenant.id, room, sub);
    const t = deps.typing.clear(tenant.id, room, me.id);
    if (t) deps.chat.publishTyping(t);
    if (await deps.presence.remove(tenant.id, room, me.id, this.connId)) this.publishPresence(room, 'offline');
  }

  /** Called once when the socket is gone: leave every room so presence and typing clear. */
  async onClose() {
    if (this.state === 'closed' && !this.rooms.size) return;
    this.state = 'closed';
    await Promise.all([...this.rooms.keys()].map((r) => this.leave(r).catch((err) => this.deps.log('leave on close failed', err))));
  }
}

/** Makes the session of a newly upgraded connection. */
export function createSession(deps: SessionDeps, tenant: Tenant, transport: Transport): Session {
  return new Session(deps, tenant, transport);
}
