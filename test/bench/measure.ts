/**
 * Runs one load-generator step against one server and joins the client's figures with the
 * server's cost read from /proc over the same window (the load generator announces it).
 */
import { createInterface } from 'node:readline';
import { readdirSync, readFileSync } from 'node:fs';
import { clientSocketCount, cpuMicros, startWindow, statusKb } from './proc-stats';
import { LOAD_CORE, SERVER_CORE, spawnTs, type ServerHandle } from './servers';
import {
  DONE,
  PHASE,
  RESULT,
  type FanoutConfig,
  type FanoutResult,
  type IdleConfig,
  type IdleResult,
  type LoadConfig,
  type StoreConfig,
  type StoreResult,
} from './load-types';

/**
 * Runs load.ts as a child on the load core; `onPhase` hears each `@phase` line as it comes, and
 * once what it returns has settled the child is told (`@done <name>`), so the load generator
 * waits for the measurement instead of for a guessed time.
 */
export async function runLoad<R>(cfg: LoadConfig, onPhase: (name: string) => void | Promise<void> = () => {}): Promise<R> {
  const child = spawnTs({
    script: 'test/bench/load.ts',
    core: LOAD_CORE,
    env: { BENCH_LOAD_CONFIG: JSON.stringify(cfg) },
    stdout: 'pipe',
    stderr: 'inherit',
    stdin: 'pipe',
  });
  child.stdin!.on('error', () => {}); // the child may exit before hearing the last answer
  let result: (R & { error?: string }) | undefined;
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    if (line.startsWith(PHASE)) {
      const name = line.slice(PHASE.length);
      const done = () => void child.stdin!.write(`${DONE}${name}\n`);
      // A failed step is reported and answered all the same: the figures say what is missing.
      Promise.resolve(onPhase(name)).then(done, (err) => {
        process.stderr.write(`  phase ${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
        done();
      });
    }
    else if (line.startsWith(RESULT)) result = JSON.parse(line.slice(RESULT.length));
    else if (line.trim()) process.stderr.write(`  [load] ${line}\n`);
  });
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  await new Promise((r) => setImmediate(r));
  if (!result) throw new Error(`load generator exited with ${code} and no result`);
  if (result.error) throw new Error(`load generator: ${result.error}`);
  return result;
}

/** Every process named `postgres` on this machine: its pid and CPU µs so far. */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const us = cpuMicros(Number(d));
    if (Number.isFinite(us)) out.set(Number(d), us);
  }
  return out;
}

/**
 * Postgres CPU over a window, counted for the processes that serve Parley's database only:
 * CPU is read for every `postgres` process at both ends (synchronously, at the phase lines),
 * and the processes are picked afterwards from pg_stat_activity while the server still runs.
 * A backend that started inside the window counts from zero.
 */
function postgresWindow() {
  let before: Map<number, number> | undefined;
  let after: Map<number, number> | undefined;
  return {
    start: () => void (before = postgresCpu()),
    end: () => void (after = postgresCpu()),
    async micros(db: ServerHandle['db']): Promise<number | undefined> {
      if (!before || !after || !db?.ownPids) return undefined;
      const own = await db.ownPids();
      let total = 0;
      for (const [pid, us] of after) if (own.has(pid)) total += us - (before.get(pid) ?? 0);
      return total;
    },
  };
}

export interface FanoutRow extends FanoutResult {
  serverCpuPct: number;
  cpuUsPerDelivery: number;
  /** Postgres processes' CPU per delivery (only with DATABASE_URL; PGlite is inside Parley). */
  dbCpuUsPerDelivery?: number;
  /** What a delivery costs in all: the server's process plus its database's. */
  totalCpuUsPerDelivery: number;
  peakRssMb: number;
  /** Busy % of the server's core over the window, all processes. */
  serverCoreBusyPct: number;
  /** Busy % of the load generator's core over the window, all processes. */
  loadCoreBusyPct: number;
}

/** One fan-out step with server CPU and peak RSS over the measured window. */
export async function measureFanout(server: ServerHandle, cfg: FanoutConfig, postgres: boolean): Promise<FanoutRow> {
  let win: ReturnType<typeof startWindow> | undefined;
  let stats: ReturnType<ReturnType<typeof startWindow>['end']> | undefined;
  const pg = postgresWindow();
  const r = await runLoad<FanoutResult>(cfg, (p) => {
    if (p === 'measure-start') {
      win = startWindow([server.pid]);
      if (postgres) pg.start();
    } else if (p === 'measure-end' && win) {
      stats = win.end();
      if (postgres) pg.end();
    }
  });
  if (!stats) throw new Error('load generator never announced its measured window');
  const deliveries = r.deliveriesPerSec * r.windowS;
  const pgUs = await pg.micros(server.db);
  const cpuUsPerDelivery = stats.cpuUs[0] / deliveries;
  const dbCpuUsPerDelivery = pgUs === undefined ? undefined : pgUs / deliveries;
  return {
    ...r,
    serverCpuPct: (stats.cpuUs[0] / 1000 / stats.wallMs) * 100,
    cpuUsPerDelivery,
    dbCpuUsPerDelivery,
    totalCpuUsPerDelivery: cpuUsPerDelivery + (dbCpuUsPerDelivery ?? 0),
    peakRssMb: stats.peakKb[0] / 1024,
    serverCoreBusyPct: stats.coreBusyPct[SERVER_CORE],
    loadCoreBusyPct: stats.coreBusyPct[LOAD_CORE],
  };
}

export interface IdleRow extends IdleResult {
  rssBeforeMb: number;
  rssAfterMb: number;
  kbPerConn: number;
  /** CPU seconds the server's process spent on the join storm (connect + hello + join of all). */
  stormCpuS: number;
  /** CPU seconds of its Postgres processes over the same window (only with DATABASE_URL). */
  stormDbCpuS?: number;
  /** Busy % of the server's core over the storm, all processes. */
  stormServerCoreBusyPct: number;
  /** The second wave (the same clients again): the server's CPU seconds, and its Postgres's. */
  wave2CpuS: number;
  wave2DbCpuS?: number;
}

/**
 * One part of (c) on one server (load-idle.ts): the join storm's time and the CPU it cost
 * (process + database, which a busy machine disturbs less than the storm's wall time), and its
 * second wave; or RSS before and after, per connection. The other part's figures are NaN.
 */
export async function measureIdle(server: ServerHandle, cfg: IdleConfig, postgres = false): Promise<IdleRow> {
  let before = NaN;
  let after = NaN;
  /** One timed wave: the server's CPU (and its Postgres's) from `start` to `end`. */
  const timed = () => {
    let win: ReturnType<typeof startWindow> | undefined;
    let stats: ReturnType<ReturnType<typeof startWindow>['end']> | undefined;
    const pg = postgresWindow();
    return {
      /** Starts once the server holds none of the clients that came before. */
      async start(after: string) {
        await closedDown(after);
        win = startWindow([server.pid]);
        if (postgres) pg.start();
      },
      end() {
        stats = win?.end();
        if (postgres) pg.end();
      },
      cpuS: () => (stats ? stats.cpuUs[0] / 1e6 : NaN),
      coreBusyPct: () => (stats ? stats.coreBusyPct[SERVER_CORE] : NaN),
      dbCpuS: async () => {
        const us = await pg.micros(server.db);
        return us === undefined ? undefined : us / 1e6;
      },
    };
  };
  const storm = timed();
  const wave2 = timed();
  const waits: string[] = [];
  /** A full collection: signalled, then done once the server has answered a later request. */
  async function collect() {
    // Both servers collect in their SIGUSR2 handler, a turn of their loop; an HTTP answer
    // asked for after the signal comes from a later turn (accept, read, answer).
    process.kill(server.pid, 'SIGUSR2');
    await fetch(`http://127.0.0.1:${server.port}/readyz`).then((res) => res.arrayBuffer());
  }
  /**
   * RSS after two full collections, read once it holds still (two readings in a row 50 ms
   * apart within 1 MB, at most 3 s): memory a collection frees leaves the process over the next
   * moments (V8 frees external buffers on its own threads), and one reading taken at once put
   * "before" 180 MB above "after" (-32 KB per connection). Two, because PGlite's start-up
   * buffers (some 400 MB) go over the first collections. Only in the memory part: collections
   * age the code V8 has compiled, so none comes before a timed wave (load-idle.ts).
   */
  async function settledRssKb(at: string): Promise<number> {
    await collect();
    await collect();
    let last = statusKb(server.pid, 'VmRSS');
    let still = 0;
    for (let i = 0; i < 60 && still < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const now = statusKb(server.pid, 'VmRSS');
      still = Math.abs(now - last) < 1024 ? still + 1 : 0;
      last = now;
    }
    if (still < 2) waits.push(`RSS at "${at}" still moved after 3 s; the last reading is used`);
    return last;
  }
  /**
   * Waits until the server holds no client connection (at most 30 s; says so if not): every
   * client has seen its close, but the server may still be closing its side (Parley then takes
   * each user out of presence). A wave is timed on a server that is done with what came before,
   * as the servers a rolling restart sends clients to are.
   */
  async function closedDown(what: string) {
    const until = performance.now() + 30_000;
    for (;;) {
      const n = clientSocketCount(server.pid, server.port);
      if (!(n > 0)) return;
      if (performance.now() > until) return void waits.push(`the server still held ${n} client sockets of ${what} after 30 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  const r = await runLoad<IdleResult>(cfg, async (p) => {
    if (p === 'before') before = await settledRssKb('before');
    if (p === 'after') after = await settledRssKb('after');
    if (p === 'storm') await storm.start('the warm-up');
    if (p === 'connected') storm.end();
    if (p === 'wave2') await wave2.start('the first wave');
    if (p === 'wave2-connected') wave2.end();
  });
  return {
    ...r,
    rssBeforeMb: before / 1024,
    rssAfterMb: after / 1024,
    kbPerConn: (after - before) / r.connected,
    stormCpuS: storm.cpuS(),
    stormDbCpuS: await storm.dbCpuS(),
    stormServerCoreBusyPct: storm.coreBusyPct(),
    wave2CpuS: wave2.cpuS(),
    wave2DbCpuS: await wave2.dbCpuS(),
    errors: { ...r.errors, ...Object.fromEntries(waits.map((w) => [w, 1])) },
  };
}

export interface StoreRow extends StoreResult {
  serverCpuPct: number;
  dbCpuPct?: number;
}

/** Storage throughput with the server's CPU use over the window. */
export async function measureStore(server: ServerHandle, cfg: StoreConfig, postgres: boolean): Promise<StoreRow> {
  let win: ReturnType<typeof startWindow> | undefined;
  let cpuPct = NaN;
  let wallMs = NaN;
  const pg = postgresWindow();
  const r = await runLoad<StoreResult>(cfg, (p) => {
    if (p === 'measure-start') {
      win = startWindow([server.pid]);
      if (postgres) pg.start();
    } else if (p === 'measure-end' && win) {
      const s = win.end();
      wallMs = s.wallMs;
      cpuPct = (s.cpuUs[0] / 1000 / s.wallMs) * 100;
      if (postgres) pg.end();
    }
  });
  const pgUs = await pg.micros(server.db);
  return { ...r, serverCpuPct: cpuPct, dbCpuPct: pgUs === undefined ? undefined : (pgUs / 1000 / wallMs) * 100 };
}
