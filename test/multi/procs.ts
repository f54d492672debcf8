/**
 * Processes a fault-injection test may kill: Parley servers, a private redis-server and a
 * private Postgres cluster, each on a free port and stopped by its own pid (never the shared
 * Postgres on 5432 or Redis on 6379).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { freePort } from '../helpers/free-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Proc {
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<string>;
  /** Output so far (stdout and stderr), for a failure message. */
  output(): string;
}

function run(cmd: string, args: string[], opts: { env?: Record<string, string>; uid?: number; gid?: number; cwd?: string } = {}): Proc {
  const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, uid: opts.uid, gid: opts.gid, stdio: 'pipe' });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  const exited = new Promise<string>((r) => child.once('exit', (code, sig) => r(sig ?? String(code))));
  return { child, exited, output: () => out };
}

/** Waits until `ok()` holds, polling: for a port or a log line, never as synchronisation of our own events. */
async function until(what: string, ok: () => boolean | Promise<boolean>, p: Proc | null, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await ok()) return;
    if (Date.now() > end) throw new Error(`${what} did not come up in time:\n${p?.output() ?? ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves once something accepts TCP connections on the port. */
async function listening(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
    s.on('error', () => r(false));
  });
}

/** Stops a process with a signal and waits for it to be gone. */
export async function stop(p: Proc, sig: NodeJS.Signals): Promise<string> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill(sig);
  return p.exited;
}

/** A private redis-server with no persistence: a restart comes back empty. */
export async function startRedis(port?: number) {
  const at = port ?? (await freePort());
  const p = run('redis-server', ['--port', String(at), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await until('redis-server', () => listening(at), p);
  return { port: at, url: `redis://127.0.0.1:${at}`, proc: p };
}

/** A private Postgres cluster owned by the `postgres` OS user, in a temp dir; restartable. */
export async function startPostgres() {
  const bin = readdirSync('/usr/lib/postgresql')
    .map((v) => `/usr/lib/postgresql/${v}/bin`)
    .find((d) => existsSync(`${d}/initdb`));
  if (!bin) throw new Error('no Postgres binaries under /usr/lib/postgresql/*/bin');
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  const dir = mkdtempSync(join(tmpdir(), 'parley-pg-'));
  chownSync(dir, uid, gid);
  const data = join(dir, 'data');
  const init = run(`${bin}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { uid, gid, cwd: dir });
  if ((await init.exited) !== '0') throw new Error(`initdb failed:\n${init.output()}`);
  const port = await freePort();
  let proc: Proc;
  const start = async () => {
    proc = run(`${bin}/postgres`, ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'], {
      uid,
      gid,
      cwd: dir,
    });
    await until('postgres', () => /ready to accept connections/.test(proc.output()) && listening(port), proc);
  };
  await start();
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    /** Restarts: `fast` (SIGINT: clients disconnected, clean checkpoint) or `immediate` (SIGQUIT: crash recovery). */
    async restart(mode: 'fast' | 'immediate') {
      await stop(proc, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
      await start();
    },
    async stop() {
      await stop(proc, 'SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A TCP proxy that holds back what clients write by a random 50–1000 ms per chunk (order kept):
 * a server behind it publishes late, so the others see its messages after later ones, as on a
 * congested link. Answers come back at once. Closing either side closes the other.
 */
export async function startDelayProxy(target: number, random: () => number) {
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    let releaseAt = 0;
    client.on('data', (chunk) => {
      releaseAt = Math.max(releaseAt, Date.now() + 50 + Math.floor(random() * 950));
      setTimeout(() => upstream.writable && upstream.write(chunk), releaseAt - Date.now());
    });
    upstream.on('data', (chunk) => client.writable && client.write(chunk));
    const end = () => (client.destroy(), upstream.destroy());
    for (const s of [client, upstream]) s.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `redis://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A Parley server as `npm start` runs it (api/main.ts), configured by the environment. */
export async function startServerProcess(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-srv-'));
  const p = run(process.execPath, ['--import', 'tsx', 'api/main.ts'], { env: { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ...env } });
  let port = 0;
  // A server that never says where it listens is killed, not left running after the test.
  await until(
    'parley server',
    () => {
      // The JSON start line (stdout is not a terminal) names the port: "address":"http://host:port".
      const m = /"address":"http:\/\/[^:"]+:(\d+)"/.exec(p.output());
      if (m) port = Number(m[1]);
      if (p.child.exitCode !== null) throw new Error(`server exited:\n${p.output()}`);
      return port > 0;
    },
    p,
    60_000,
  ).catch(async (err) => {
    await stop(p, 'SIGKILL');
    throw err;
  });
  p.exited.then(() => rmSync(dataDir, { recursive: true, force: true }));
  const demoKey = /"demoKey":"([^"]+)"/.exec(p.output())?.[1] ?? '';
  return { port, demoKey, url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/v1/ws`, proc: p };
}

export type ServerProcess = Awaited<ReturnType<typeof startServerProcess>>;
