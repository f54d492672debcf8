import { CLOSE, DEFAULTS, isTerminalClose, type ClientFrame, type ServerFrame } from '../../api/protocol';
import { backoff } from './backoff';
import type { Refusal } from './embed-check';

/** The one state field of a connection. `connected` means `welcome` arrived, not "socket open". */
export type ConnState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'stopped';

/** What the connection needs of a WebSocket; the browser's, or a fake in tests. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number): void;
  onopen: ((e: Event) => void) | null;
  onmessage: ((e: MessageEvent) => void) | null;
  onclose: ((e: CloseEvent) => void) | null;
  onerror: ((e: Event) => void) | null;
}
export type SocketCtor = new (url: string) => SocketLike;

export interface ConnectionOptions {
  /** `ws(s)://host/v1/ws?key=pk_…` */
  url: string;
  WebSocket: SocketCtor;
  /**
   * The token for `hello`: undefined for a guest, null when no usable token can be had (the
   * connection stops). `renew` is true after a 4501, asking for a fresh one.
   */
  auth?: (renew: boolean) => string | undefined | null | Promise<string | undefined | null>;
  /**
   * A new token for the same user, sent as `refresh` shortly before the current one expires
   * (the site's tokenUrl); without it the socket is closed at `exp` and `auth(true)` reconnects.
   */
  refresh?: () => Promise<string | undefined | null>;
  /** Guest display name; a function is asked at each connect (the visitor may set it later). */
  name?: string | (() => string | undefined);
  random?: () => number;
  /**
   * Asked after a socket that never opened (the browser hides the upgrade's HTTP status) and
   * after 4504: a refusal stops for good, null (or a failure: the network) retries as usual.
   */
  diagnose?: () => Promise<Refusal | null>;
  onFrame(frame: ServerFrame): void;
  onState?(state: ConnState, closeCode?: number, refusal?: Refusal): void;
}

export interface Connection {
  readonly state: ConnState;
  /** Sends a frame when connected; false (and nothing sent) otherwise, so callers can keep it. */
  send(frame: ClientFrame): boolean;
  start(): void;
  /** Drops the socket and connects again now, with the current `auth` (after `identify`). */
  restart(): void;
  /** Feed of the browser's online/offline events. */
  setOnline(online: boolean): void;
  /** Stops for good; safe to call twice. */
  close(): void;
}

/** A connection that lived this long resets the backoff; a shorter one keeps counting. */
export const HEALTHY_MS = 60_000;
/** How long `welcome` or a `pong` may take before the socket counts as dead. */
export const ANSWER_TIMEOUT_MS = 10_000;
/** After 1001 (server going away) the first retry comes within this window: at once, jittered. */
export const GOING_AWAY_JITTER_MS = 1000;
/** How long before the token's `exp` the widget sends `refresh` (at most half the time left). */
export const REFRESH_LEAD_MS = 60_000;
/** Our own close code for a socket we dropped because it stopped answering. */
export const CLOSE_DEAD = 4000;

/** Creates the connection state machine (see PROTOCOL.md, "Errors" and "Presence and typing"). */
export function createConnection(o: ConnectionOptions): Connection {
  const random = o.random ?? Math.random;
  let state: ConnState = 'stopped';
  let ws: SocketLike | null = null;
  let attempt = 0;
  // True from a 4501 until the next welcome: a second 4501 with a fresh token stops for good.
  let renew = false;
  let online = true;
  let ended = false;
  // Bumped on every dial and close, so a token fetch that resolves late opens nothing.
  let gen = 0;
  let heartbeatMs: number = DEFAULTS.heartbeatMs;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setTimeout> | undefined;
  let answerTimer: ReturnType<typeof setTimeout> | undefined;
  let healthyTimer: ReturnType<typeof setTimeout> | undefined;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;

  const setState = (next: ConnState, code?: number, refusal?: Refusal) => {
    if (next === state) return;
    state = next;
    o.onState?.(next, code, refusal);
  };

  const clearTimers = () => {
    clearTimeout(retryTimer);
    clearTimeout(pingTimer);
    clearTimeout(answerTimer);
    clearTimeout(healthyTimer);
    clearTimeout(refreshTimer);
  };

  // Asks for a new token a little before `exp` (a minute, or half the time left when that is
  // shorter) and sends it as `refresh`; the answer `refreshed` schedules the next one.
  const refreshBefore = (expiresAt: number | undefined) => {
    clearTimeout(refreshTimer);
    if (!o.refresh || !expiresAt) return;
    const left = expiresAt - Date.now();
    const s = ws;
    refreshTimer = setTimeout(async () => {
      const token = await o.refresh!().catch(() => null);
      // A failed fetch is not retried here: at exp the server closes with 4501, and the
      // reconnect asks for a token again.
      if (token && ws === s && state === 'connected') s!.send(JSON.stringify({ type: 'refresh', token }));
    }, Math.max(0, left - Math.min(REFRESH_LEAD_MS, left / 2)));
  };

  // Detaches and closes the current socket without running its close handler.
  const drop = (code = 1000) => {
    const s = ws;
    ws = null;
    clearTimers();
    if (!s) return;
    s.onopen = s.onmessage = s.onclose = s.onerror = null;
    s.close(code);
  };

  const expectAnswer = () => {
    clearTimeout(answerTimer);
    // A half-open TCP connection never fires close; only a missing answer reveals it.
    answerTimer = setTimeout(() => {
      drop(CLOSE_DEAD);
      closed(CLOSE_DEAD);
    }, ANSWER_TIMEOUT_MS);
  };

  const heartbeat = () => {
    clearTimeout(pingTimer);
    pingTimer = setTimeout(() => {
      ws?.send('{"type":"ping"}');
      expectAnswer();
    }, heartbeatMs);
  };

  const dial = async () => {
    const g = ++gen;
    let token: string | undefined | null;
    try {
      token = await o.auth?.(renew);
    } catch {
      // The site's token endpoint failed (network, 5xx): retry later like a failed socket.
      if (g === gen) closed(1006);
      return;
    }
    if (g !== gen) return;
    if (token === null) return stop(CLOSE.authFailed);
    let s: SocketLike;
    try {
      s = ws = new o.WebSocket(o.url);
    } catch {
      // The constructor throws on a URL the page refuses (mixed content): retry with backoff.
      return closed(1006);
    }
    expectAnswer();
    let opened = false;
    s.onopen = () => {
      opened = true;
      s.send(JSON.stringify({ type: 'hello', token, name: typeof o.name === 'function' ? o.name() : o.name, batch: true }));
    };
    s.onmessage = (e) => {
      // One frame may hold several objects separated by "\n" (we asked for `batch`).
      for (const line of String(e.data).split('\n')) {
        if (ws !== s) return;
        let f: ServerFrame;
        try {
          f = JSON.parse(line);
        } catch {
          continue; // A garbled line is the server's bug; the rest of the batch is still good.
        }
        if (f && typeof f === 'object') receive(f);
      }
    };
    s.onerror = () => {}; // close always follows error and carries the code
    s.onclose = (e) => {
      if (ws !== s) return;
      ws = null;
      clearTimers();
      closed(e.code, !opened);
    };
  };

  const receive = (f: ServerFrame) => {
    if (f.type === 'welcome') {
      heartbeatMs = f.heartbeatMs || heartbeatMs;
      renew = false;
      clearTimeout(answerTimer);
      healthyTimer = setTimeout(() => (attempt = 0), HEALTHY_MS);
      heartbeat();
      setState('connected');
      refreshBefore(f.expiresAt);
    } else if (f.type === 'refreshed') {
      refreshBefore(f.expiresAt);
    } else if (f.type === 'pong') {
      clearTimeout(answerTimer);
      heartbeat();
    }
    o.onFrame(f);
  };

  const stop = (code?: number, refusal?: Refusal) => {
    gen++;
    drop();
    setState('stopped', code, refusal);
  };

  // The socket is gone (or never came): ask why when it may be the site's setup, then retry or stop.
  const closed = (code: number, unopened?: boolean) => {
    if (ended) return;
    if (o.diagnose && (unopened || code === CLOSE.revoked)) {
      const g = ++gen;
      const then = (why: Refusal | null) => g === gen && (why ? stop(code, why) : retry(code));
      o.diagnose().then(then, () => then(null));
      return;
    }
    retry(code);
  };

  const retry = (code: number) => {
    if (isTerminalClose(code)) {
      // 4501 may only mean "token expired": try once with a renewed token.
      if (code !== CLOSE.authFailed || renew || !o.auth) return stop(code);
      renew = true;
    }
    if (!online) return setState('offline', code);
    const delay =
      code === CLOSE.shuttingDown && attempt === 0 ? random() * GOING_AWAY_JITTER_MS : backoff(attempt, random);
    attempt++;
    setState('reconnecting', code);
    retryTimer = setTimeout(dial, delay);
  };

  return {
    get state() {
      return state;
    },
    send(frame) {
      if (state !== 'connected' || ws?.readyState !== 1) return false;
      ws.send(JSON.stringify(frame));
      return true;
    },
    start() {
      if (ended || ws || state !== 'stopped') return;
      setState(online ? 'connecting' : 'offline');
      if (online) void dial();
    },
    restart() {
      if (ended) return;
      gen++;
      drop();
      attempt = 0;
      renew = false;
      setState(online ? 'connecting' : 'offline');
      if (online) void dial();
    },
    setOnline(next) {
      if (next === online) return;
      online = next;
      if (ended || state === 'stopped') return;
      if (!next) {
        gen++;
        drop(CLOSE_DEAD);
        setState('offline');
      } else {
        setState('reconnecting');
        void dial();
      }
    },
    close() {
      if (ended) return;
      ended = true;
      stop();
    },
  };
}
