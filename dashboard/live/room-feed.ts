import { batch, signal } from '@preact/signals';
import { CLOSE, type PresenceEntry, type ServerFrame } from '../../api/protocol';
import { createConnection, type ConnState, type SocketCtor } from '../../widget/client/connection';
import { createMessageStore } from '../../widget/state/messages';

/** What the room view shows when the connection stops for good, by close code. */
const STOPPED: Record<number, string> = {
  [CLOSE.authFailed]: 'The dashboard could not get a moderator token for this tenant. Reload, or sign in again.',
  [CLOSE.banned]: 'This moderator identity is banned from the site.',
  [CLOSE.revoked]: 'The site is disabled.',
};

type Frame<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;

/**
 * One room, live, as a moderator sees it over the same WebSocket API as the widget: the
 * dashboard's staff token says hello (renewed with `refresh` before it ends), and the
 * messages, who is online and the connection's state are signals. The console shows the
 * room's newest page and what arrives after it; every (re)join replaces that page, so a
 * message deleted while the socket was down cannot linger on screen (no cursor to resume).
 */
export function createRoomFeed(o: {
  /** `ws(s)://host/v1/ws?key=pk_…` */
  url: string;
  room: string;
  /** A fresh staff token; null when none can be had (no longer a member): the feed stops. */
  token: () => Promise<string | null>;
  WebSocket?: SocketCtor;
}) {
  const store = createMessageStore();
  const online = signal<PresenceEntry[]>([]);
  const state = signal<ConnState>('stopped');
  const problem = signal('');
  /** This console's own user id (from `welcome`), to tell it apart in the online list. */
  const me = signal('');

  const present = (user: string, name: string, on: boolean) => {
    const others = online.value.filter((p) => p.user !== user);
    online.value = on ? [...others, { user, name }] : others;
  };
  const ours = (f: { room?: string }) => f.room === o.room;

  const handlers: { [T in ServerFrame['type']]?: (f: Frame<T>) => void } = {
    welcome: (f) => {
      me.value = f.user;
      conn.send({ type: 'join', room: o.room });
    },
    joined: (f) =>
      batch(() => {
        if (!ours(f)) return;
        store.clearStored();
        store.merge(f.messages);
        online.value = f.presence;
        problem.value = '';
      }),
    message: (f) => {
      if (!ours(f)) return;
      store.merge([{ id: f.id, seq: f.seq, ts: f.ts, user: f.user, name: f.name, text: f.text }]);
    },
    deleted: (f) => {
      if (!ours(f)) return;
      store.merge([{ id: f.id, seq: f.seq, deleted: true }]);
    },
    presence: (f) => ours(f) && present(f.user, f.name, f.status === 'online'),
    error: (f) => void (problem.value = f.message),
  };

  const conn = createConnection({
    url: o.url,
    WebSocket: o.WebSocket ?? (WebSocket as unknown as SocketCtor),
    auth: () => o.token(),
    refresh: () => o.token(),
    onFrame: (f) => (handlers[f.type] as ((f: ServerFrame) => void) | undefined)?.(f),
    onState: (s, code) =>
      batch(() => {
        state.value = s;
        // Nobody is known to be online while the socket is down.
        if (s !== 'connected') online.value = [];
        if (s === 'stopped' && code) problem.value = STOPPED[code] ?? `The connection closed (${code}).`;
      }),
  });

  return {
    messages: store.list,
    online,
    me,
    state,
    problem,
    start: () => conn.start(),
    /** Stops for good; safe to call twice. */
    close: () => conn.close(),
    setOnline: (on: boolean) => conn.setOnline(on),
  };
}

export type RoomFeed = ReturnType<typeof createRoomFeed>;
