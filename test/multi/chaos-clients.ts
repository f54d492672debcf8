/**
 * The clients of the chaos test: each keeps one WebSocket to some live server, reconnects to
 * another (as behind a load balancer) when it goes, and resumes with `lastSeq`. Senders retry
 * an unacknowledged id with the same id until it is acknowledged. Readers are strict on
 * purpose: they move their resume point to any seq they see (as the widget did before it
 * learned to sync gaps), so a hole a server leaves is a hole in what they hold.
 */
import WebSocket from 'ws';

type Frame = Record<string, any>;

export interface ChaosOptions {
  name: string;
  room: string;
  token: string;
  /** Index of the server to try first. */
  home: number;
  /** The servers' WebSocket URLs (with `?key=`), null while one is down. */
  servers: (string | null)[];
}

/** Resolves the waiters whose condition holds; checked after every frame. */
class Waiters {
  private list: { ok: () => boolean; resolve: () => void }[] = [];
  wait(ok: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (ok()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { ok, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.list = this.list.filter((x) => x !== w);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.list.push(w);
    });
  }
  check() {
    this.list = this.list.filter((w) => (w.ok() ? (w.resolve(), false) : true));
  }
}

export class ChaosClient {
  /** Resume point: the highest seq seen (strict: moved past any gap). */
  seen = 0;
  /** Every message this client holds, by seq. */
  readonly got = new Map<number, string>();
  /** A seq received twice, or a live seq not above the previous one on the same connection. */
  readonly faults: string[] = [];
  /** `presence` frames with when they arrived. */
  readonly presence: { at: number; user: string; status: string }[] = [];
  /** The current connection's server index, once joined; null between connections. */
  joinedOn: number | null = null;
  reconnects = 0;
  /** "server:code" of every closed connection, for a failure message. */
  readonly closes: string[] = [];
  private joins = 0;
  /** The highest seq held. */
  private top = 0;
  private ws: WebSocket | null = null;
  private stopped = false;
  private goHome = false;
  private attempt = 0;
  private lastLive = 0;
  private syncing = false;
  private answers = new Map<string, (f: Frame | null) => void>();
  readonly waiters = new Waiters();
  readonly done: Promise<void>;

  constructor(readonly o: ChaosOptions) {
    this.done = this.loop();
  }

  private async loop() {
    while (!this.stopped) {
      const n = this.o.servers.length;
      const i = this.goHome ? this.o.home : (this.o.home + this.attempt) % n;
      this.goHome = false;
      const url = this.o.servers[i];
      if (url) await this.session(url, i);
      if (this.stopped) break;
      if (!this.goHome) this.attempt++;
      // Full jitter, capped: like the widget's backoff.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 50 * 2 ** Math.min(this.attempt, 5))));
    }
  }

  private session(url: string, index: number): Promise<void> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url);
      this.ws = ws;
      this.lastLive = 0;
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token: this.o.token })));
      ws.on('message', (data) => {
        for (const line of data.toString().split('\n')) this.onFrame(JSON.parse(line) as Frame, ws, index);
      });
      ws.on('error', () => {});
      ws.on('close', (code) => {
        this.closes.push(`${index}:${code}`);
        this.ws = null;
        this.joinedOn = null;
        this.syncing = false;
        for (const [, answer] of this.answers) answer(null);
        this.answers.clear();
        this.waiters.check();
        resolve();
      });
    });
  }

  private onFrame(f: Frame, ws: WebSocket, index: number) {
    const answer = f.rid !== undefined ? this.answers.get(f.rid) : undefined;
    if (answer) {
      this.answers.delete(f.rid);
      answer(f);
    }
    if (f.type === 'welcome') {
      ws.send(JSON.stringify({ type: 'join', rid: 'join', room: this.o.room, ...(this.seen ? { lastSeq: this.seen, limit: 200 } : {}) }));
    } else if (f.type === 'joined') {
      const resumed = this.seen > 0;
      this.take(f.messages);
      this.syncing = resumed && f.hasMore && f.messages.length > 0;
      if (this.syncing) this.sync(ws, f.messages.at(-1).seq);
      else this.seen = Math.max(this.seen, f.headSeq);
      if (this.joins++) this.reconnects++;
      this.attempt = 0;
      this.joinedOn = index;
    } else if (f.type === 'history' && f.rid === 'sync') {
      this.take(f.messages);
      if (f.hasMore && f.messages.length) this.sync(ws, f.messages.at(-1).seq);
      else {
        this.syncing = false;
        this.seen = Math.max(this.seen, f.headSeq, this.top);
      }
    } else if (f.type === 'message' && f.room === this.o.room) {
      if (f.seq <= this.lastLive) this.faults.push(`live seq ${f.seq} after ${this.lastLive} on one connection`);
      this.lastLive = f.seq;
      this.take([f]);
      if (!this.syncing) this.seen = Math.max(this.seen, f.seq);
    } else if (f.type === 'presence' && f.room === this.o.room) {
      this.presence.push({ at: Date.now(), user: f.user, status: f.status });
    } else if (f.type === 'error' && f.rid === 'join') {
      // The join failed (the database restarting): reconnect and try again.
      ws.close();
    }
    this.waiters.check();
  }

  /** Asks for the page after `from`; until the catch-up ends, the resume point is the top of the pages. */
  private sync(ws: WebSocket, from: number) {
    this.seen = Math.max(this.seen, from);
    ws.send(JSON.stringify({ type: 'sync', rid: 'sync', room: this.o.room, lastSeq: from, limit: 200 }));
  }

  private take(messages: Frame[]) {
    for (const m of messages) {
      const had = this.got.get(m.seq);
      if (had !== undefined && had !== m.id) this.faults.push(`seq ${m.seq} was ${had}, now ${m.id}`);
      else if (had !== undefined) this.faults.push(`seq ${m.seq} received twice`);
      this.got.set(m.seq, m.id);
      this.top = Math.max(this.top, m.seq);
    }
  }

  /** Sends a frame and resolves with its answer, or null if the connection closed first. */
  private request(frame: Frame): Promise<Frame | null> {
    const ws = this.ws;
    if (!ws || this.joinedOn === null) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.answers.set(frame.rid, resolve);
      ws.send(JSON.stringify(frame));
    });
  }

  /** Sends a message until it is acknowledged (same id every time); resolves with its seq. */
  async send(id: string, text: string): Promise<number> {
    for (;;) {
      if (this.stopped) throw new Error(`${this.o.name} stopped before ${id} was acknowledged`);
      await this.waiters.wait(() => this.joinedOn !== null || this.stopped, 120_000, `${this.o.name} to be joined`);
      const f = await this.request({ type: 'message', rid: id, room: this.o.room, id, text });
      if (f?.type === 'ack') return f.seq;
      if (f?.type === 'error' && !['internal', 'rate_limited'].includes(f.code)) throw new Error(`${id} refused: ${f.code} ${f.message}`);
      // Lost with the connection, or a retryable error: the same id again, after a pause.
      await new Promise((r) => setTimeout(r, f?.retryAfterMs ?? 100 + Math.random() * 200));
    }
  }

  /** Resolves once this client holds every seq up to `head`. */
  holds(head: number, timeoutMs: number): Promise<void> {
    return this.waiters.wait(() => this.got.size >= head && this.seen >= head, timeoutMs, `${this.o.name} to hold ${head} messages`).catch((err) => {
      const missing = [];
      for (let q = 1; q <= head && missing.length < 20; q++) if (!this.got.has(q)) missing.push(q);
      throw new Error(`${(err as Error).message}; missing seqs ${missing.join(', ')} (resume point ${this.seen}, on server ${this.joinedOn})`);
    });
  }

  /** Back on its home server once that is up again: drops the connection and reconnects there. */
  rehome() {
    if (this.joinedOn === null || this.joinedOn === this.o.home || !this.o.servers[this.o.home]) return;
    this.goHome = true;
    this.ws?.close();
  }

  stop() {
    this.stopped = true;
    this.ws?.close();
    this.waiters.check();
  }
}
