import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, join as joinRoom, type TestClient } from '../helpers/client';
import { freePort } from '../helpers/free-port';
import { twoServers, until, unique, withRedisAndPostgres, type TwoServers } from '../helpers/two-servers';

// The compose file's load balancer is Debian's nginx running the committed api/deploy/nginx.conf,
// with only the upstream host names and the listen port swapped for this machine's: two Parley
// servers on Postgres and Redis behind it, as in docker-compose.yml (PARLEY_TRUSTED_PROXIES too).
const root = fileURLToPath(new URL('../..', import.meta.url));
const NGINX = '/usr/sbin/nginx';
if (process.env.CI && !existsSync(NGINX)) throw new Error('CI must install nginx (Debian package nginx)');
const maybe = withRedisAndPostgres && existsSync(NGINX) ? describe : describe.skip;

/** The committed server block, pointed at the two test servers. */
function siteConf(ports: [number, number], listen: number): string {
  const conf = readFileSync(join(root, 'api/deploy/nginx.conf'), 'utf8');
  const upstreams = conf.match(/server parley-\d:8787/g) ?? [];
  if (upstreams.length !== 2 || !/listen 80;/.test(conf)) throw new Error('nginx.conf no longer has two parley-N:8787 upstreams and listen 80');
  return conf
    .replace('server parley-1:8787', `server 127.0.0.1:${ports[0]}`)
    .replace('server parley-2:8787', `server 127.0.0.1:${ports[1]}`)
    .replace('listen 80;', `listen 127.0.0.1:${listen};`);
}

/** nginx in the foreground with a private prefix; stopped by its pid. */
async function startNginx(site: string, port: number) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-nginx-'));
  writeFileSync(join(dir, 'site.conf'), site);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`,
  );
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  await until(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null)) !== null, 15_000, 'nginx listening');
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

maybe('two servers behind the compose file\'s nginx', () => {
  let s: TwoServers;
  let lb: Awaited<ReturnType<typeof startNginx>>;
  let port: number;
  const open: TestClient[] = [];
  beforeAll(async () => {
    // One socket per client address: behind the balancer each visitor must still get theirs.
    s = await twoServers({ trustedProxies: ['loopback'], maxConnectionsPerIp: 1 });
    port = await freePort();
    lb = await startNginx(siteConf([s.a.port, s.b.port], port), port);
  }, 120_000);
  afterAll(async () => {
    for (const c of open) c.close();
    await lb?.stop();
    await s?.stop();
  });

  const wsUrl = () => `ws://127.0.0.1:${port}/v1/ws`;
  const visitor = async (localAddress: string) => {
    const c = await connect(wsUrl(), s.a.demo.publishableKey, { localAddress });
    open.push(c);
    const welcome = await c.request({ type: 'hello', name: localAddress });
    expect(welcome.type).toBe('welcome');
    return c;
  };

  it('answers HTTP through the balancer and hides /metrics', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
  });

  it('upgrades WebSockets to both servers, counts each visitor by its own address, and delivers across them', async () => {
    const room = unique('lb');
    // Three visitors, one socket allowed per address on each server: counted as the balancer's
    // one address, the third would be refused.
    const [one, two, three] = [await visitor('127.0.0.2'), await visitor('127.0.0.3'), await visitor('127.0.0.4')];
    // least_conn spread them over both servers.
    expect([s.a.server.stats().connections, s.b.stats().connections].sort()).toEqual([1, 2]);
    for (const c of [one, two, three]) await joinRoom(c, room);
    const ack = await one.request({ type: 'message', room, id: 'lb-1', text: 'through nginx' });
    expect(ack).toMatchObject({ type: 'ack' });
    for (const c of [two, three]) expect((await c.next((f) => f.type === 'message' && f.id === 'lb-1')).seq).toBe(ack.seq);
    // The limit still holds per visitor (on each server): of two more sockets from the first
    // address at most one finds a server without it, and the other is refused.
    const more = await Promise.all(
      [0, 1].map(() =>
        connect(wsUrl(), s.a.demo.publishableKey, { localAddress: '127.0.0.2' }).then(
          (c) => (open.push(c), 101),
          (err: { status: number }) => err.status,
        ),
      ),
    );
    expect(more.filter((x) => x === 429).length).toBeGreaterThanOrEqual(1);
    expect(more.filter((x) => x !== 429 && x !== 101)).toEqual([]);
  });

  it('sends new sockets to the other server while one drains', async () => {
    const draining = s.b.drain();
    const c = await visitor('127.0.0.4');
    expect(c.frames.length).toBeGreaterThan(0);
    expect(s.b.stats().connections).toBe(0);
    expect(s.a.server.stats().connections).toBeGreaterThanOrEqual(1);
    await draining;
  });
});
