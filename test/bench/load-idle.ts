/**
 * The idle scenario: many joined connections that send nothing, to weigh what one connection
 * costs a server at rest. run.ts reads the server's RSS at the `before` and `after` phases.
 */
import { connectBench, helloFrame, pool, type BenchSocket, type SocketHooks } from './bench-socket';
import type { IdleConfig, IdleResult } from './load-types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Closes the sockets and resolves once each has seen the server's side of the close. */
function closeAll(socks: PromiseSettledResult<BenchSocket>[]): Promise<unknown> {
  return Promise.all(
    socks.map((s) => {
      if (s.status !== 'fulfilled') return undefined;
      const { ws } = s.value;
      if (ws.readyState === ws.CLOSED) return undefined;
      const closed = new Promise((r) => ws.once('close', r));
      s.value.close();
      return closed;
    }),
  );
}

/** Connects and joins `conns` sockets across `rooms` rooms, holds them, then closes them. */
export async function runIdle(cfg: IdleConfig, phase: (name: string) => Promise<void>): Promise<IdleResult> {
  const errors: Record<string, number> = {};
  const hooks: SocketHooks = { onMessage() {}, onAck() {}, onFrame() {}, onClose() {} };
  // Every connection joins as a returning client does after a deploy (with its resume point),
  // so connect + join time is the reconnect wave's.
  const connect = (i: number, room: string, hello?: string) =>
    connectBench({ url: cfg.url, auth: cfg.auth, user: `${cfg.tag}-${i}`, name: `idle ${i}`, rooms: [room], hooks, lastSeq: 0, hello });
  // A client coming back after a deploy holds its token already: signing 5,000 of them (jose,
  // WebCrypto) was a quarter of the load generator's CPU in the wave against Parley, and none
  // against the baseline (no auth), so they are made before the wave is timed.
  const hellos = await Promise.all(Array.from({ length: cfg.conns }, (_, i) => helloFrame(cfg.auth, `${cfg.tag}-${i}`, `idle ${i}`)));

  // Warm the server's code paths and allocator first, so "before" is not a cold process. The
  // warm-up joins the wave's rooms, so they exist when the wave comes, as they do in a deploy's
  // reconnect: a room's first join also makes the room (an insert on Parley), which a reconnect
  // wave does not pay and which made the first wave about 0.5 s longer.
  const warm = await pool(Math.max(cfg.warmupConns, cfg.rooms), 50, (i) => connect(cfg.conns + i, `${cfg.tag}-r${i % cfg.rooms}`));
  await closeAll(warm);
  // Both servers run with --expose-gc and collect on SIGUSR2: at "before" and "after" run.ts
  // collects twice and reads RSS once it holds still (measure.ts), so it shows what idle
  // connections keep, not the garbage of connecting them nor PGlite's start-up buffers (some
  // 400 MB, freed over the first collections).
  await phase('before');

  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const socks = await pool(cfg.conns, 64, (i) => connect(i, `${cfg.tag}-r${i % cfg.rooms}`, hellos[i]));
  const connectS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const loadCpuS = (cpu.user + cpu.system) / 1e6;
  let connected = 0;
  for (const s of socks) {
    if (s.status === 'fulfilled') connected++;
    else {
      const k = String((s.reason as Error)?.message ?? s.reason).slice(0, 40);
      errors[k] = (errors[k] ?? 0) + 1;
    }
  }
  await phase('connected');
  await closeAll(socks);

  // The same clients come back once more, now to a server that has run a wave: a rolling
  // restart with drain sends its clients to servers that are up, where the first wave after a
  // start meets code V8 has not optimised yet (bench README). Every socket of the first wave
  // has seen the server close it by now, and run.ts waits until the server has closed its side.
  // No collection is forced between the waves: each full collection ages the code V8 has
  // compiled, and a few in a row with the server idle flushed it, so the second wave met cold
  // code again (0.8 s more of Parley's CPU in a scratch run with four collections before it).
  await phase('wave2');
  const t1 = performance.now();
  const again = await pool(cfg.conns, 64, (i) => connect(i, `${cfg.tag}-r${i % cfg.rooms}`, hellos[i]));
  const wave2S = (performance.now() - t1) / 1000;
  await phase('wave2-connected');
  let wave2Failed = 0;
  for (const s of again) {
    if (s.status === 'rejected') {
      wave2Failed++;
      const k = `2nd wave: ${String((s.reason as Error)?.message ?? s.reason).slice(0, 40)}`;
      errors[k] = (errors[k] ?? 0) + 1;
    }
  }
  // The second wave's connections are held idle this long (the scenario's own length, like
  // BENCH_SECONDS): presence written late (a second after a socket's last write) has gone out
  // by then. "after" is their memory.
  await sleep(cfg.settleS * 1000);
  await phase('after');
  await closeAll(again);
  return { connected, failed: cfg.conns - connected, connectS, loadCpuS, wave2S, wave2Failed, errors };
}
