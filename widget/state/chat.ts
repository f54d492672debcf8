import { batch, computed, signal } from '@preact/signals-core';
import { codePointLength, DEFAULTS, type ClientFrame, type Limits, type ServerFrame } from '../../api/protocol';
import { createConnection, type ConnState } from '../client/connection';
import { createEmitter } from '../client/emitter';
import { embedCheck } from '../client/embed-check';
import { createIdentity } from '../client/identity';
import { readJson } from '../client/storage';
import { createOutbox, type OutboxItem } from '../client/outbox';
import type { ChatEvents, ChatOptions, Delivery } from './chat-types';
import { createDeadEnd } from './dead-end';
import { createMessageStore, type ChatMessage } from './messages';
import { createResume } from './resume';
import { createTypingSender, createTypists } from './typing';
import { unreadBase } from './unread-base';

export type { ChatEvents, ChatOptions, Delivery } from './chat-types';

// rids of the answers we wait for; message frames use the message id as rid.
const RID_JOIN = 'j';
const RID_SYNC = 's';
const RID_OLDER = 'h';
const PAGE = 50;

/** What the per-message menu can do; each is also the `rid` of its frame. */
export const ACTIONS = ['report', 'delete', 'block', 'mute', 'ban'] as const;
export type Action = (typeof ACTIONS)[number] | 'unblock';

const newId = (): string =>
  crypto.randomUUID?.() ?? Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b | 256).toString(16).slice(1)).join('');

/** Creates the chat of one room: connection, outbox and the signals the UI renders. */
export function createChat(o: ChatOptions) {
  const { room, storage } = o;
  const identity = createIdentity(o);
  const store = createMessageStore();
  const outbox = createOutbox({ storage, key: `parley:${o.key}:outbox` });
  const typists = createTypists();
  const events = createEmitter<ChatEvents>();
  // 'connecting' until start(): the first render must not flash "unavailable".
  const status = signal<ConnState>('connecting');
  const me = signal('');
  const online = signal(0);
  const reads = signal<Record<string, number>>({});
  /** This user's read position (moves forward only). */
  const readSeq = signal(0);
  /** Where "new messages" start: the read position when this page first joined (unread-base.ts). */
  const firstRead = signal(0);
  const olderMore = signal(false);
  const loadingOlder = signal(false);
  const limits = signal<Limits>(DEFAULTS);
  /** A problem with the room itself (e.g. `forbidden`), shown in the panel. */
  const problem = signal('');
  const deadEnd = createDeadEnd();
  /** A token with role `moderator`: may delete any message, mute and ban. */
  const mod = signal(false);
  /** Whom this user blocks, id → name; their messages are hidden (the server sends no more). */
  const blocked = signal<Record<string, string>>({});
  const blockedKey = `parley:${o.key}:blocked`;
  /** One line about the last action: done, or the server's reason it was refused. */
  const notice = signal('');
  let noticeTimer: ReturnType<typeof setTimeout>;
  const say = (s: string) => {
    notice.value = s;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => (notice.value = ''), 5000);
  };
  const setBlocked = (b: Record<string, string>) => {
    blocked.value = b;
    // The server keeps only ids: the names, to offer "Unblock Bob" after a reload.
    storage.setItem(blockedKey, JSON.stringify(b));
  };
  let refusalLine = '';
  let myName = identity.name() ?? '';
  let joined = false;
  const resume = createResume();
  let sentRead = 0;
  let present = new Set<string>();

  const isOwn = (m: ChatMessage) => !!m.pending || m.user === me.value;
  const maxOtherRead = computed(() => {
    let max = 0;
    for (const [user, seq] of Object.entries(reads.value)) if (user !== me.value && seq > max) max = seq;
    return max;
  });
  const unread = computed(
    () => store.list.value.filter((m) => m.seq! > Math.max(readSeq.value, firstRead.value) && !isOwn(m) && !m.deleted && !blocked.value[m.user]).length,
  );

  const roomSend = (f: ClientFrame) => joined && conn.send(f);
  const transmit = (m: OutboxItem) => roomSend({ type: 'message', rid: m.id, room, id: m.id, text: m.text });
  const typing = createTypingSender((active) => roomSend({ type: 'typing', room, active }));

  const catchUp = () => roomSend({ type: 'sync', rid: RID_SYNC, room, ...resume.sync() });
  const rejoin = () => conn.send({ type: 'join', rid: RID_JOIN, room, ...resume.join() });

  const onFrame = (f: ServerFrame) => {
    const rid = f.type === 'error' ? f.rid : undefined;
    deadEnd.frame(f, rid === RID_JOIN, !!rid && !!store.get(rid)?.pending);
    switch (f.type) {
      case 'welcome':
        me.value = f.user;
        myName = f.name;
        mod.value = f.role === 'moderator';
        {
          const names = readJson<Record<string, string>>(storage, blockedKey, {});
          setBlocked(Object.fromEntries((f.blocked ?? []).map((u) => [u, names[u] || u])));
        }
        limits.value = f.limits;
        if (f.guestToken) identity.keepGuest(f.guestToken);
        rejoin();
        return;
      case 'joined': {
        // `reset`: the server could not resume (history beyond retention): start afresh.
        const resumed = resume.resuming && !f.reset;
        joined = true;
        batch(() => {
          if (f.reset) store.clearStored();
          // A resume's deletions of messages never held would show as stray "deleted" rows.
          store.merge(resumed ? f.messages.filter((m) => !m.deleted || store.get(m.id)) : f.messages);
          if (!resumed) {
            olderMore.value = f.hasMore;
            firstRead.value = unreadBase(storage, `parley:${o.key}:${room}:base`, f.lastRead, f.headSeq);
          }
          online.value = f.online;
          present = new Set(f.presence.map((p) => p.user));
          reads.value = Object.fromEntries(f.reads.map((r) => [r.user, r.lastSeq]));
          sentRead = f.lastRead;
          if (f.lastRead > readSeq.value) readSeq.value = f.lastRead;
          problem.value = '';
        });
        // A resumed join returns the oldest changes after the resume point; more may follow.
        if (resume.joined(f, resumed)) catchUp();
        // Only now, in the room: a message sent before `joined` would be refused as forbidden.
        for (const m of outbox.items(room)) if (!m.error) transmit(m);
        if (readSeq.value > sentRead) markRead();
        return;
      }
      case 'history':
        if (f.rid === RID_SYNC) {
          if (f.reset) {
            // Retention removed what the cursor needed: drop what is held and join afresh.
            store.clearStored();
            resume.forget();
            return void rejoin();
          }
          store.merge(f.messages.filter((m) => !m.deleted || store.get(m.id)));
          if (resume.synced(f, store.maxSeq())) catchUp();
        } else {
          store.merge(f.messages);
          olderMore.value = f.hasMore;
          loadingOlder.value = false;
        }
        return;
      case 'message':
        if (f.room !== room) return;
        store.merge([f]);
        // A seq past the resume point + 1 means something between never reached us: ask `sync`
        // for the gap rather than resume past it (defence in depth; the server should not skip).
        if (resume.live(f.seq, f.cursor)) catchUp();
        // The event proves it is stored even if our ack was lost with the connection.
        outbox.remove(f.id);
        events.emit('message', store.get(f.id)!);
        return;
      case 'ack':
        if (f.rid === 'block') {
          setBlocked({ ...blocked.value, [f.user!]: store.list.peek().find((m) => m.user === f.user)?.name || f.user! });
          // Already shown: hidden here. Typing and presence: the server sends no more of them.
          typists.set(f.user!, '', false);
          if (present.delete(f.user!)) online.value--;
        } else if (f.rid === 'unblock') {
          const { [f.user!]: _, ...b } = blocked.value;
          setBlocked(b);
          // What they said while blocked never reached us: join afresh, as after a reset.
          store.clearStored();
          resume.forget();
          rejoin();
        } else if (f.rid === 'report' || f.rid === 'mute' || f.rid === 'ban') say(f.rid === 'report' ? 'reported' : 'done');
        if (f.room !== room || !f.id || f.seq == null) return;
        outbox.remove(f.id);
        // Not `seen`: an ack may overtake others' events with lower seqs.
        // The ack carries `text` when the server stored it changed (masked words).
        store.merge([{ id: f.id, seq: f.seq, ts: f.ts, user: me.value, name: myName, ...(f.text != null ? { text: f.text } : {}) }]);
        return;
      case 'error': {
        if (rid === RID_OLDER) loadingOlder.value = false;
        else if (rid === RID_SYNC) resume.stop();
        else if (rid === RID_JOIN) problem.value = f.message;
        else if (rid === 'unblock' || (ACTIONS as readonly string[]).includes(rid!)) say(f.message);
        else if (rid && store.get(rid)?.pending) {
          const item = outbox.items(room).find((m) => m.id === rid);
          if (!item) return;
          // Too fast, or the server failed or is shutting down (retry with the same id, says the
          // protocol): the message stays "sending" and goes again, after a pause or the rejoin.
          if (f.code === 'rate_limited' || f.code === 'internal') setTimeout(() => transmit(item), f.retryAfterMs ?? 1500);
          else {
            // The server's reason shows under the message: "Please do not say …", "You are muted …".
            outbox.update(rid, { error: f.code, reason: f.message });
            store.merge([{ id: rid, error: f.code, reason: f.message }]);
          }
        }
        return;
      }
      case 'deleted':
        if (f.room !== room) return;
        // Only what we hold: an unknown id would show as an empty "deleted" row.
        if (store.get(f.id)) store.merge([{ id: f.id, seq: f.seq, deleted: true }]);
        resume.live(undefined, f.cursor);
        return;
      case 'typing':
        if (f.room === room && f.user !== me.value) typists.set(f.user, f.name, f.active);
        return;
      case 'presence':
        if (f.room !== room) return;
        if (f.status === 'online') {
          if (!present.has(f.user)) {
            present.add(f.user);
            online.value++;
          }
        } else {
          typists.set(f.user, f.name, false);
          // `presence` in `joined` lists at most 100 people; the count covers the rest.
          if (present.delete(f.user) || online.value > present.size) online.value = Math.max(0, online.value - 1);
        }
        return;
      case 'read':
        if (f.room !== room) return;
        reads.value = { ...reads.value, [f.user]: Math.max(reads.value[f.user] ?? 0, f.lastSeq) };
        // Read in another tab of this user: clears the badge here too.
        if (f.user === me.value) {
          sentRead = Math.max(sentRead, f.lastSeq);
          if (f.lastSeq > readSeq.value) readSeq.value = f.lastSeq;
        }
        return;
    }
  };

  const conn = createConnection({
    url: o.url,
    WebSocket: o.WebSocket,
    auth: identity.token,
    // Only a tokenUrl can give a new token for the same user; a guest's token lasts a year.
    refresh: o.tokenUrl ? () => identity.token(true) : undefined,
    name: identity.name,
    random: o.random,
    diagnose: o.api
      ? async () => {
          const r = await embedCheck({ api: o.api!, key: o.key, fetch: o.fetch });
          if (r) refusalLine = r.message;
          return r && r.reason;
        }
      : undefined,
    onFrame,
    onState(next, code, refusal) {
      deadEnd.state(next, code, refusal);
      // One line for the site owner, in the console where they will look.
      if (refusal) console.error(refusalLine);
      if (next !== 'connected') {
        joined = false;
        resume.stop();
        loadingOlder.value = false;
        typists.clear();
      }
      status.value = next;
      events.emit('status', next);
    },
  });

  /** Marks everything held as read, when newer than what the server knows. */
  function markRead() {
    const newest = store.maxSeq();
    if (newest > readSeq.value) readSeq.value = newest;
    if (readSeq.value > sentRead && roomSend({ type: 'read', room, lastSeq: readSeq.value })) sentRead = readSeq.value;
  }

  // What a reload left unsent shows right away, as "sending".
  store.merge(outbox.items(room).map((m) => ({ ...m, user: '', pending: true })));

  return {
    room,
    store,
    status,
    me,
    online,
    readSeq,
    firstRead,
    unread,
    olderMore,
    loadingOlder,
    limits,
    problem,
    dead: deadEnd.kind,
    mod,
    blocked,
    notice,
    deadWhy: deadEnd.why,
    typists: typists.names,
    on: events.on,
    emit: events.emit,
    isOwn,
    /** sending → sent → seen (another user read up to it), or failed. */
    delivery(m: ChatMessage): Delivery {
      return m.error ? 'failed' : m.seq == null ? 'sending' : m.seq <= maxOtherRead.value ? 'seen' : 'sent';
    },
    /** Queues a message; false when empty or too long. */
    send(text: string): boolean {
      text = text.trim();
      if (!text || codePointLength(text) > limits.value.maxTextLength) return false;
      typing.stop();
      const item: OutboxItem = { id: newId(), room, text, ts: Date.now() };
      outbox.add(item);
      store.merge([{ ...item, user: me.value, name: myName, pending: true }]);
      transmit(item);
      return true;
    },
    /**
     * Takes back a refused message and returns its text for the composer. No Retry: the same
     * text would be refused again (content rules, the site's hook, too long, a mute); the
     * errors a retry can cure (rate_limited, internal) are resent without asking.
     */
    discard(id: string): string | undefined {
      const item = outbox.items(room).find((m) => m.id === id);
      outbox.remove(id);
      store.drop(id);
      return item?.text;
    },
    /**
     * A per-message action. One frame shape for all: the server ignores fields a type does
     * not have (PROTOCOL.md), which keeps this small. A mute from the widget lasts an hour.
     * Offline, nothing is sent and the line says "Not sent".
     */
    act(a: Action, m: { id: string; user: string }, reason?: string) {
      conn.send({ type: a, rid: a, room, id: m.id, user: m.user, reason: reason || undefined, minutes: a === 'mute' ? 60 : undefined } as ClientFrame) ||
        say('failed');
    },
    typed: typing.typed,
    markRead,
    loadOlder() {
      if (!olderMore.value || loadingOlder.value) return;
      const beforeSeq = store.minSeq();
      if (beforeSeq > 1 && roomSend({ type: 'history', rid: RID_OLDER, room, beforeSeq, limit: PAGE })) loadingOlder.value = true;
    },
    named: () => !!identity.name(),
    /** A guest's chosen name (data-ask-name): kept, and said in a new hello. */
    setName(name: string) {
      myName = identity.setName(name.trim().slice(0, DEFAULTS.maxNameLength));
      conn.restart();
    },
    identify(next: { token?: string }) {
      identity.set(next.token);
      conn.restart();
    },
    setOnline: conn.setOnline,
    start: conn.start,
    stop() {
      typing.stop();
      typists.clear();
      conn.close();
    },
  };
}

export type Chat = ReturnType<typeof createChat>;
