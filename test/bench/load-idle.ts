/**
 * The idle scenario: many joined connections that send nothing, to weigh what one connection
 * costs a server at rest. run.ts reads the server's RSS at the `before` and `after` phases.
 */
import { connectBench, helloFrame, pool, type BenchSocket, type SocketHooks } from './bench-socket';
import type { IdleConfig, IdleResult } from './load-types';

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

/**
 * Who each client knows to be online in its room: the `joined` list, then `presence` events.
 * `complete` resolves once every client knows all the room's clients (those it was told are
 * online but not listed, past the list's cap, excepted), or after `timeoutMs` with how many do
 * not. A server that lists nobody in `joined` and sends no presence (the tutorial server)
 * holds nothing back, so there is nothing to wait for.
 */
function presenceWatch(conns: number) {
  const known: Set<string>[] = Array.from({ length: conns }, () => new Set());
  /** How many users each client must know (set once the wave is in), and how many do not yet. */
  const want: number[] = new Array(conns).fill(0);
  let missing = 0;
  let done: (() => void) | null = null;
  const short = (i: number) => known[i].size < want[i];
  const hooks = (i: number): SocketHooks => ({
    onMessage() {},
    onAck() {},
    onClose() {},
    onFrame(f) {
      if (f.type !== 'presence') return;
      const was = short(i);
      if (f.status === 'online') known[i].add(f.user);
      else known[i].delete(f.user);
      const is = short(i);
      if (was !== is) missing += is ? 1 : -1;
      if (!missing) done?.();
    },
  });
  return {
    hooks,
    complete(socks: PromiseSettledResult<BenchSocket>[], roomOf: (i: number) => string, timeoutMs: number): Promise<number> {
      const size = new Map<string, number>();
      socks.forEach((s, i) => s.status === 'fulfilled' && size.set(roomOf(i), (size.get(roomOf(i)) ?? 0) + 1));
      let speaks = false;
      socks.forEach((s, i) => {
        if (s.status !== 'fulfilled') return;
        const j = s.value.joined[0];
        const listed: { user: string }[] = j.presence ?? [];
        if (listed.length) speaks = true;
        for (const p of listed) known[i].add(p.user);
        want[i] = size.get(roomOf(i))! - Math.max(0, Number(j.online ?? 0) - listed.length);
        if (short(i)) missing++;
      });
      if (!speaks || !missing) return Promise.resolve(0);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          done = null;
          resolve(missing);
        }, timeoutMs);
        done = () => {
          clearTimeout(timer);
          done = null;
          resolve(0);
        };
      });
    },
  };
}

/**
 * One part of (c), each on a fresh server (run.ts). `storm`: the join storm, then the same
 * clients again once it has closed (no collection is forced: each full collection ages the
 * code V8 has compiled, and two before a wave cost it 0.6-0.8 s more of Parley's CPU, cold code
 * again). `memory`: RSS before and after the wave with the connections held idle, each read
 * after full collections.
 */
export async function runIdle(cfg: IdleConfig, phase: (name: string) => Promise<void>): Promise<IdleResult> {
  const errors: Record<string, number> = {};
  const hooks: SocketHooks = { onMessage() {}, onAck() {}, onFrame() {}, onClose() {} };
  // Every connection joins as a returning client does after a deploy (with its resume point),
  // so connect + join time is the reconnect wave's.
  const connect = (i: number, room: string, hello?: string, h = hooks) =>
    connectBench({ url: cfg.url, auth: cfg.auth, user: `${cfg.tag}-${i}`, name: `idle ${i}`, rooms: [room], hooks: h, lastSeq: 0, hello });
  // A client coming back after a deploy holds its token already: signing 5,000 of them (jose,
  // WebCrypto) was a quarter of the load generator's CPU in the wave against Parley, and none
  // against the baseline (no auth), so they are made before the wave is timed.
  const hellos = await Promise.all(Array.from({ length: cfg.conns }, (_, i) => helloFrame(cfg.auth, `${cfg.tag}-${i}`, `idle ${i}`)));
  const room = (i: number) => `${cfg.tag}-r${i % cfg.rooms}`;
  const wave = () => pool(cfg.conns, 64, (i) => connect(i, room(i), hellos[i]));
  const failures = (socks: PromiseSettledResult<BenchSocket>[], label: string) => {
    let failed = 0;
    for (const s of socks) {
      if (s.status === 'fulfilled') continue;
      failed++;
      const k = `${label}${String((s.reason as Error)?.message ?? s.reason).slice(0, 40)}`;
      errors[k] = (errors[k] ?? 0) + 1;
    }
    return failed;
  };

  // Warm the server's code paths and allocator first, so the wave does not meet a process that
  // has run nothing. The warm-up joins the wave's rooms, so they exist when the wave comes, as
  // they do in a deploy's reconnect: a room's first join also makes the room (an insert on
  // Parley), which a reconnect wave does not pay and which made the first wave about 0.5 s longer.
  const warm = await pool(Math.max(cfg.warmupConns, cfg.rooms), 50, (i) => connect(cfg.conns + i, room(i)));
  await closeAll(warm);

  if (cfg.part === 'memory') {
    // Both servers run with --expose-gc and collect on SIGUSR2: run.ts reads RSS after full
    // collections (measure.ts), so it shows what idle connections keep, not the garbage of
    // connecting them nor PGlite's start-up buffers (some 400 MB, freed over the first ones).
    await phase('before');
    const presence = presenceWatch(cfg.conns);
    const socks = await pool(cfg.conns, 64, (i) => connect(i, room(i), hellos[i], presence.hooks(i)));
    const failed = failures(socks, '');
    // "after" once every client knows everyone online in its room: presence to a socket written
    // to lately goes out a second after its last write (Parley), and what waits to be written
    // is not what an idle connection keeps.
    const late = await presence.complete(socks, room, 30_000);
    if (late) errors[`${late} clients still missed someone's presence after 30 s`] = 1;
    await phase('after');
    await closeAll(socks);
    return { connected: cfg.conns - failed, failed, connectS: NaN, loadCpuS: NaN, wave2S: NaN, wave2Failed: 0, errors };
  }

  await phase('storm');
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const socks = await wave();
  const connectS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const loadCpuS = (cpu.user + cpu.system) / 1e6;
  const failed = failures(socks, '');
  await phase('connected');
  await closeAll(socks);

  // The same clients come back once more, now to a server that has run a wave: a rolling
  // restart with drain sends its clients to servers that are up, where the first wave after a
  // start meets code V8 has not optimised yet (bench README). Every socket of the first wave
  // has seen the server close it by now, and run.ts waits until the server has closed its side.
  await phase('wave2');
  const t1 = performance.now();
  const again = await wave();
  const wave2S = (performance.now() - t1) / 1000;
  await phase('wave2-connected');
  const wave2Failed = failures(again, '2nd wave: ');
  await closeAll(again);
  return { connected: cfg.conns - failed, failed, connectS, loadCpuS, wave2S, wave2Failed, errors };
}
