/**
 * Three servers on a private Postgres cluster and a private redis-server (one of them behind a
 * proxy that delays its writes), with 36 senders and strict readers on every server, through: kill -9 of a server (and its restart), SIGTERM of
 * another, Redis killed and restarted empty, Postgres restarted fast and then immediate.
 * Everything is started by the test on free ports and stopped by pid.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { userToken } from '../helpers/client';
import { ChaosClient } from './chaos-clients';
import { startDelayProxy, startPostgres, startRedis, startServerProcess, stop, type ServerProcess } from './procs';

const HB = 2000;
const ROOMS = ['c1', 'c2', 'c3'];
const SENDERS = 36;
const PACE_MS = 250;

// The test needs the machine's Postgres binaries and redis-server, not the shared services;
// CI (which sets DATABASE_URL) has them.
const maybe = process.env.DATABASE_URL ? describe : describe.skip;

maybe('chaos: three servers under faults', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const f of cleanup.reverse()) await f().catch((err) => console.error('chaos cleanup failed', err));
  });

  it('loses nothing, stores nothing twice, leaves no hole, and keeps presence right', async () => {
    const pg = await startPostgres();
    cleanup.push(() => pg.stop());
    let redis = await startRedis();
    cleanup.push(() => stop(redis.proc, 'SIGTERM'));
    const env = {
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      PARLEY_MASTER_KEY: randomBytes(32).toString('base64url'),
      PARLEY_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
      PARLEY_HEARTBEAT_MS: String(HB),
    };
    // Server 0 reaches Redis through a proxy that holds its writes back 50–1000 ms: its
    // publishes arrive late and out of order with the others' (what made holes before #9).
    let seed = 9;
    const proxy = await startDelayProxy(redis.port, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31));
    cleanup.push(() => proxy.close());
    const procs: (ServerProcess | null)[] = [null, null, null];
    let everyone: ChaosClient[] = [];
    const urls: (string | null)[] = [null, null, null];
    let key = '';
    const up = async (i: number) => {
      const s = await startServerProcess(i === 0 ? { ...env, REDIS_URL: proxy.url } : env);
      procs[i] = s;
      if (key) urls[i] = `${s.wsUrl}?key=${key}`;
      // Clients that moved away go back, so every server has readers and senders again.
      for (const c of everyone) c.rehome();
      return s;
    };
    const down = async (i: number, sig: NodeJS.Signals) => {
      const s = procs[i]!;
      urls[i] = null;
      procs[i] = null;
      return stop(s.proc, sig);
    };
    cleanup.push(async () => Promise.all(procs.map((s) => s && stop(s.proc, 'SIGKILL'))));
    // The first applies the migrations; the others start together.
    const s0 = await up(0);
    await Promise.all([up(1), up(2)]);

    const admin = (path: string, init: RequestInit = {}) =>
      fetch(`${s0.url}/admin/api${path}`, { ...init, headers: { authorization: `Bearer ${env.PARLEY_ADMIN_TOKEN}`, 'content-type': 'application/json' } });
    key = s0.demoKey;
    expect(key).toMatch(/^pk_/);
    procs.forEach((s, i) => (urls[i] = `${s!.wsUrl}?key=${key}`));
    const { secretKey } = (await (await admin('/tenants/t_demo/secret-keys', { method: 'POST' })).json()) as { secretKey: string };
    const patched = await admin('/tenants/t_demo', { method: 'PATCH', body: JSON.stringify({ settings: { burst: 1000, messagesPerSecond: 1000 } }) });
    expect(patched.status).toBe(200);
    const token = (sub: string) => userToken(secretKey, { sub, name: sub }, { expSeconds: 3600 });

    // Victims: one user per room, only ever on server 1, who never reconnects.
    const victims = await Promise.all(
      ROOMS.map(async (room) => {
        const ws = new WebSocket(urls[1]!);
        const t = await token(`victim-${room}`);
        await new Promise<void>((resolve, reject) => {
          ws.on('error', reject);
          ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token: t })));
          ws.on('message', (d) => {
            const f = JSON.parse(String(d).split('\n')[0]);
            if (f.type === 'welcome') ws.send(JSON.stringify({ type: 'join', rid: 'j', room }));
            if (f.type === 'joined') resolve();
          });
        });
        ws.on('error', () => {});
        return { user: `victim-${room}`, room, ws };
      }),
    );
    cleanup.push(async () => victims.forEach((v) => v.ws.terminate()));

    const readers: ChaosClient[] = [];
    for (let s = 0; s < 3; s++)
      for (const room of ROOMS) readers.push(new ChaosClient({ name: `reader-${s}-${room}`, room, token: await token(`reader-${s}-${room}`), home: s, servers: urls }));
    const senders: ChaosClient[] = [];
    for (let i = 0; i < SENDERS; i++) {
      const room = ROOMS[i % 3];
      senders.push(new ChaosClient({ name: `sender-${i}`, room, token: await token(`sender-${i}`), home: Math.floor(i / 3) % 3, servers: urls }));
    }
    everyone = [...readers, ...senders];
    cleanup.push(async () => everyone.forEach((c) => c.stop()));
    await Promise.all(everyone.map((c) => c.waiters.wait(() => c.joinedOn !== null, 60_000, `${c.o.name} joined`)));

    // Senders: the next message after the last is acknowledged, until told to stop.
    const acked = new Map<string, { room: string; seq: number }>();
    let sending = true;
    const progress = new ChaosProgress();
    const loops = senders.map(async (c, i) => {
      for (let k = 0; sending; k++) {
        const id = `s${i}-${k}`;
        const seq = await c.send(id, `message ${k} from ${i}`);
        acked.set(id, { room: c.o.room, seq });
        progress.bump();
        await new Promise((r) => setTimeout(r, PACE_MS));
      }
    });
    const more = (n: number, what: string) => progress.until(progress.count + n, 120_000, `${n} more acks after ${what}`);
    await more(200, 'the start');

    // 1. kill -9 server 1: its victims are announced offline everywhere; it comes back.
    const killedAt = Date.now();
    await down(1, 'SIGKILL');
    const watchers = readers.filter((r) => r.joinedOn === 0 || r.joinedOn === 2);
    const offlineAfter = await Promise.all(
      victims.flatMap((v) =>
        watchers
          .filter((r) => r.o.room === v.room)
          .map(async (r) => {
            const seen = () => r.presence.find((p) => p.user === v.user && p.status === 'offline');
            await r.waiters.wait(() => !!seen(), 30_000, `${r.o.name} to see ${v.user} offline`);
            return seen()!.at - killedAt;
          }),
      ),
    );
    await up(1);
    await more(150, 'kill -9 of server 1');

    // 2. SIGTERM server 2 (drain), and back.
    expect(await down(2, 'SIGTERM')).toBe('0');
    await up(2);
    await more(150, 'SIGTERM of server 2');

    // 3. Redis killed and restarted empty on the same port.
    await stop(redis.proc, 'SIGKILL');
    redis = await startRedis(redis.port);
    await more(150, 'the Redis restart');

    // 4. Postgres restarted fast, then immediate (crash recovery).
    await pg.restart('fast');
    await more(150, 'the fast Postgres restart');
    await pg.restart('immediate');
    await more(150, 'the immediate Postgres restart');

    sending = false;
    await Promise.all(loops);

    // The database is the truth: every acked id once, with its acked seq; seqs 1..n per room.
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    cleanup.push(() => sql.end());
    const rows = await sql<{ room: string; seq: string; id: string }[]>`select room, seq::text as seq, id from messages where tenant_id = 't_demo' order by room, messages.seq`;
    const stored = new Map(rows.map((r) => [r.id, { room: r.room, seq: Number(r.seq) }]));
    expect(stored.size).toBe(rows.length);
    expect(stored.size).toBe(acked.size);
    for (const [id, a] of acked) expect(stored.get(id), id).toEqual(a);
    const byRoom = new Map(ROOMS.map((room) => [room, rows.filter((r) => r.room === room)]));
    for (const [, list] of byRoom) expect(list.map((r) => Number(r.seq))).toEqual(list.map((_, i) => i + 1));

    // Every reader (and sender) holds exactly the stored sequence of its room.
    await Promise.all(everyone.map((c) => c.holds(byRoom.get(c.o.room)!.length, 60_000)));
    for (const c of everyone) {
      const list = byRoom.get(c.o.room)!;
      expect(c.faults, c.o.name).toEqual([]);
      expect(c.got.size, c.o.name).toBe(list.length);
      for (const r of list) expect(c.got.get(Number(r.seq)), `${c.o.name} seq ${r.seq}`).toBe(r.id);
    }

    // Online lists: on every server, each room lists exactly its readers and senders (not the
    // victims, whose server died), plus the one asking.
    await Promise.all(everyone.map((c) => c.waiters.wait(() => c.joinedOn !== null, 30_000, `${c.o.name} joined at the end`)));
    const where = everyone.map((c) => `${c.o.name}@${c.joinedOn} closes ${c.closes.join(',')}`).join('\n');
    for (let s = 0; s < 3; s++)
      for (const room of ROOMS) {
        const want = everyone.filter((c) => c.o.room === room).map((c) => c.o.name);
        const me = `probe-${s}-${room}`;
        // An earlier probe may still be leaving (its server answers through the slow proxy).
        const probe = (await probeJoin(urls[s]!, await token(me), room)).filter((u) => u === me || !u.startsWith('probe-'));
        expect(probe.sort(), `server ${s} room ${room}\n${where}`).toEqual([...want, me].sort());
      }

    // The killed server's users were announced offline within 2.5 heartbeats.
    expect(offlineAfter.length).toBeGreaterThan(0);
    for (const ms of offlineAfter) expect(ms).toBeLessThanOrEqual(2.5 * HB);
    console.log(
      `chaos: ${acked.size} messages acked over ${ROOMS.length} rooms; ${everyone.reduce((n, c) => n + c.reconnects, 0)} reconnects; ` +
        `offline announced after ${Math.min(...offlineAfter)}–${Math.max(...offlineAfter)} ms (limit ${2.5 * HB})`,
    );
  }, 300_000);
});

/** Counts acknowledgements; resolves waiters when the count reaches theirs. */
class ChaosProgress {
  count = 0;
  private waiters: { n: number; resolve: () => void }[] = [];
  bump() {
    this.count++;
    this.waiters = this.waiters.filter((w) => (this.count >= w.n ? (w.resolve(), false) : true));
  }
  until(n: number, timeoutMs: number, what: string): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} (at ${this.count})`)), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

/** Joins a room as a fresh user and returns who it lists as online. */
function probeJoin(url: string, token: string, room: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', token })));
    ws.on('message', (d) => {
      for (const line of String(d).split('\n')) {
        const f = JSON.parse(line);
        if (f.type === 'welcome') ws.send(JSON.stringify({ type: 'join', rid: 'j', room }));
        if (f.type === 'joined') {
          ws.close();
          resolve((f.presence as { user: string }[]).map((p) => p.user));
        }
        if (f.type === 'error') reject(new Error(`probe join failed: ${f.code} ${f.message}`));
      }
    });
  });
}
