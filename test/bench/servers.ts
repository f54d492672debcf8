/**
 * Starts the servers under test as child processes pinned to the server core, and the load
 * generator pinned to the other. Both servers run compiled (Parley as `npm start` runs it, the
 * baseline built with esbuild), the load generator through tsx; node is exec'd through `sh` and
 * `taskset`, so the child's pid is the server's own pid and /proc reads the server.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { freePort } from '../helpers/free-port';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Auth } from './load-types';
import type { DbInstance } from './db-target';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

const HAS_TASKSET = (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * BENCH_NICE=-10 runs servers and load generator at a higher priority, so other work on a
 * shared machine disturbs the figures less. Off by default: it slows everyone else down.
 */
export const niceness = /^-?\d+$/.test(process.env.BENCH_NICE ?? '') ? Number(process.env.BENCH_NICE) : 0;
const NICE = niceness ? `nice -n ${niceness} ` : '';

/** Whether pinning is in effect (taskset present). */
export const pinned = HAS_TASKSET;

/** Pins this process (all its threads) to the load core, away from the servers. */
export function pinSelf(core: number): void {
  if (HAS_TASKSET) execFileSync('taskset', ['-a', '-cp', String(core), String(process.pid)], { stdio: 'ignore' });
}

/** `sh -c` wrapper: raise the fd limit (5,000 idle sockets), pin, exec node (with tsx unless `plain`). */
export function spawnTs(opts: {
  script: string;
  core: number;
  env: Record<string, string>;
  stdout: 'pipe' | number;
  stderr: 'inherit' | 'pipe' | number;
  /** 'pipe' for the load generator, which hears on stdin when a phase is done. */
  stdin?: 'pipe';
  /** Plain node, not through tsx: `script` is JavaScript (with its arguments). */
  plain?: boolean;
}): ChildProcess {
  const pin = HAS_TASKSET ? `taskset -c ${opts.core} ` : '';
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") goes to the servers only.
  const extra = process.env.BENCH_SERVER_NODE_ARGS ?? '';
  // --expose-gc: the idle scenario asks both servers for a full collection (SIGUSR2) before
  // reading RSS.
  const cmd = `ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec ${NICE}${pin}node --expose-gc ${extra} ${opts.plain ? '' : '--import tsx '}${opts.script}`;
  return spawn('sh', ['-c', cmd], {
    cwd: ROOT,
    // Both servers run as `npm start` runs Parley: with glibc held to two malloc arenas. Without
    // it, memory freed by threads (WebCrypto runs on libuv's pool) stays in per-thread arenas
    // and idle RSS moved between 9 and 20 KB per connection from run to run.
    env: { ...process.env, MALLOC_ARENA_MAX: '2', ...opts.env },
    stdio: [opts.stdin ?? 'ignore', opts.stdout, opts.stderr],
  });
}

export interface ServerHandle {
  name: 'parley' | 'baseline';
  pid: number;
  port: number;
  /** ws URL with the publishable key. */
  wsUrl: string;
  auth: Auth;
  tenantId: string;
  db?: DbInstance;
  /** Problems met while setting up, to print under the tables. */
  notes: string[];
  stop(): Promise<void>;
}

/**
 * Resolves when the server prints the line that says it is listening (the baseline's
 * "baseline listening <port>", Parley's `listening` log line, written once it is ready), and
 * copies all it prints to `logPath`. Fails if it exits first or says nothing in `timeoutMs`.
 */
function waitListening(child: ChildProcess, ready: RegExp, logPath: string, timeoutMs: number): Promise<void> {
  const log = createWriteStream(logPath, { flags: 'a' });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server said nothing like ${ready} in ${timeoutMs} ms (see ${logPath})`)), timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening (see ${logPath})`));
    };
    child.once('exit', onExit);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (!ready.test(line)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      resolve();
    });
  });
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
}

/**
 * The baseline compiled to JavaScript, as Parley is (npm start runs its build): esbuild, no
 * kept names, `ws` left an import. Written under node_modules/.cache, from where `ws` resolves.
 */
let baselineBuilt: Promise<string> | undefined;
function buildBaseline(): Promise<string> {
  baselineBuilt ??= (async () => {
    const { build } = await import('esbuild');
    const out = 'node_modules/.cache/parley-bench/baseline-server.mjs';
    await build({ absWorkingDir: ROOT, entryPoints: ['test/bench/baseline-server.ts'], outfile: out, bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
    return out;
  })();
  return baselineBuilt;
}

/** Starts the tutorial baseline. */
export async function startBaseline(logDir: string): Promise<ServerHandle> {
  const port = await freePort();
  const script = await buildBaseline();
  const child = spawnTs({ script, plain: true, core: SERVER_CORE, env: { PORT: String(port) }, stdout: 'pipe', stderr: 'pipe' });
  await waitListening(child, /^baseline listening /, join(logDir, 'baseline.log'), 20_000);
  return {
    name: 'baseline',
    pid: child.pid!,
    port,
    wsUrl: `ws://127.0.0.1:${port}/v1/ws?key=baseline`,
    auth: { kind: 'guest' },
    tenantId: '',
    notes: [],
    stop: stopper(child),
  };
}

/** Starts Parley on a fresh database and makes a bench tenant with raised rate limits. */
export async function startParley(opts: {
  logDir: string;
  db: DbInstance;
  /** Tenant settings to PATCH, tried in order until one is accepted. */
  settings: Record<string, unknown>[];
}): Promise<ServerHandle> {
  const port = await freePort();
  const adminToken = randomBytes(16).toString('hex');
  // Every load-generator socket comes from 127.0.0.1: lift the per-address connection cap
  // (500 by default) that guards a real deployment against one host's flood.
  const env = { PORT: String(port), PARLEY_ADMIN_TOKEN: adminToken, PARLEY_MAX_CONNECTIONS_PER_IP: '100000', PARLEY_MAX_CONNECTIONS: '100000', ...opts.db.env };
  // What `npm start` runs: the compiled server (api/dist, built first when missing or older
  // than the sources), not the TypeScript through tsx, whose esbuild transform keeps function
  // names with a __name() call per closure made.
  const child = spawnTs({ script: 'api/deploy/start.mjs main', plain: true, core: SERVER_CORE, env, stdout: 'pipe', stderr: 'pipe' });
  const stop = stopper(child);
  try {
    const base = `http://127.0.0.1:${port}`;
    // Building (when the build is stale), migrating and opening the database come first.
    await waitListening(child, /"msg":"listening"/, join(opts.logDir, 'parley.log'), 90_000);
    const ready = await fetch(`${base}/readyz`);
    if (!ready.ok) throw new Error(`listening, but /readyz answered ${ready.status}`);
    const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    const res = await fetch(`${base}/admin/api/tenants`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'bench', origins: ['*'], guests: true }),
    });
    if (res.status !== 201) throw new Error(`POST /admin/api/tenants: ${res.status} ${await res.text()}`);
    const t = (await res.json()) as { tenantId: string; publishableKey: string; secretKey: string };
    const notes: string[] = [];
    let applied = false;
    for (const settings of opts.settings) {
      const patch = await fetch(`${base}/admin/api/tenants/${t.tenantId}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ settings }),
      });
      if (patch.ok) {
        applied = true;
        notes.push(`tenant rate limit raised with PATCH /admin/api/tenants/:id ${JSON.stringify(settings)}`);
        break;
      }
      notes.push(`PATCH /admin/api/tenants/:id ${JSON.stringify(settings)} refused with ${patch.status}`);
    }
    if (!applied) notes.push('tenant settings not raised: the default per-user rate limit applies');
    return {
      name: 'parley',
      pid: child.pid!,
      port,
      wsUrl: `ws://127.0.0.1:${port}/v1/ws?key=${encodeURIComponent(t.publishableKey)}`,
      auth: { kind: 'token', secretKey: t.secretKey },
      tenantId: t.tenantId,
      db: opts.db,
      notes,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * The rate limit a fresh connection's `welcome` shows, to check that the raised one applies: a
 * tenant change is applied on the server that made it before the PATCH is answered (the
 * control bus runs this server's handlers first), so one probe after the answer tells.
 */
export async function probeLimits(server: ServerHandle): Promise<number> {
  const { default: WebSocket } = await import('ws');
  const { SignJWT } = await import('jose');
  if (server.auth.kind !== 'token') return Infinity;
  const token = await new SignJWT({ name: 'probe' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench-probe')
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(server.auth.secretKey));
  return new Promise<number>((resolve) => {
    const ws = new WebSocket(server.wsUrl);
    const done = (v: number) => {
      ws.terminate();
      resolve(v);
    };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', rid: 'p', token })));
    ws.on('message', (d) => {
      const f = JSON.parse(String(d).split('\n')[0]);
      done(f.type === 'welcome' ? Number(f.limits?.messagesPerSecond) : NaN);
    });
    ws.on('error', () => done(NaN));
  });
}
