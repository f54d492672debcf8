/**
 * The idle scenario: many joined connections that send nothing, to weigh what one connection
 * costs a server at rest. run.ts reads the server's RSS at the `before` and `after` phases.
 */
import { connectBench, helloFrame, pool, type SocketHooks } from './bench-socket';
import type { IdleConfig, IdleResult } from './load-types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Connects and joins `conns` sockets across `rooms` rooms, holds them, then closes them. */
export async function runIdle(cfg: IdleConfig, phase: (name: string) => void): Promise<IdleResult> {
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

  // Warm the server's code paths and allocator first, so "before" is not a cold process.
  const warm = await pool(cfg.warmupConns, 50, (i) => connect(cfg.conns + i, `${cfg.tag}-warm`));
  for (const w of warm) if (w.status === 'fulfilled') w.value.close();
  await sleep(1500);
  // Both servers run with --expose-gc and collect on SIGUSR2: RSS is read after a full
  // collection, so it shows what idle connections keep, not the garbage of connecting them.
  // Twice, a second apart: PGlite frees its start-up buffers (the initdb module's memory and
  // its file bundle, some 400 MB of external memory) over the first collections, which once
  // put "before" above "after" and the figure below zero.
  phase('gc');
  await sleep(1000);
  phase('gc');
  await sleep(700);
  phase('before');

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
  phase('connected');
  await sleep(cfg.settleS * 1000);
  phase('gc');
  await sleep(700);
  phase('after');
  // Give run.ts time to read /proc before the sockets start closing.
  await sleep(500);
  for (const s of socks) if (s.status === 'fulfilled') s.value.close();

  // The same clients come back once more, now to a server that has run a wave: a rolling
  // restart with drain sends its clients to servers that are up, where the first wave after a
  // start meets code V8 has not optimised yet (bench README). The pause lets both servers
  // finish the first wave's closes.
  await sleep(3000);
  phase('wave2');
  const t1 = performance.now();
  const again = await pool(cfg.conns, 64, (i) => connect(i, `${cfg.tag}-r${i % cfg.rooms}`, hellos[i]));
  const wave2S = (performance.now() - t1) / 1000;
  phase('wave2-connected');
  let wave2Failed = 0;
  for (const s of again) {
    if (s.status === 'fulfilled') s.value.close();
    else {
      wave2Failed++;
      const k = `2nd wave: ${String((s.reason as Error)?.message ?? s.reason).slice(0, 40)}`;
      errors[k] = (errors[k] ?? 0) + 1;
    }
  }
  await sleep(200);
  return { connected, failed: cfg.conns - connected, connectS, loadCpuS, wave2S, wave2Failed, errors };
}
