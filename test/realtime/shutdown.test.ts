import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../api/db/client';
import { messages } from '../../api/db/schema';
import { healthRoutes } from '../../api/routes/health';
import { backends, freshPostgres } from '../helpers/backends';
import { client, join, type Frame } from '../helpers/client';
import { waitForLine } from '../helpers/process-output';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('readiness', () => {
  it('/readyz fails while draining or when the database does not answer; /healthz answers', async () => {
    let draining = false;
    let dbUp = true;
    const app = healthRoutes({ ping: async () => {
        if (!dbUp) throw new Error('down');
      }, draining: () => draining });
    expect((await app.request('/readyz')).status).toBe(200);
    dbUp = false;
    expect((await app.request('/readyz')).status).toBe(503);
    dbUp = true;
    draining = true;
    expect((await app.request('/readyz')).status).toBe(503);
    expect((await app.request('/healthz')).status).toBe(200);
  });
});

describe.each(backends())('graceful shutdown on %s', (backend) => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups) await c();
  });

  it('on SIGTERM commits and acks what it took in, says 1001 to every client and exits 0 within 10 s', async () => {
    const pg = backend === 'postgres' ? await freshPostgres() : null;
    const dataDir = mkdtempSync(pathJoin(tmpdir(), 'parley-shutdown-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = {
      ...process.env,
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: pg?.url ?? '',
      REDIS_URL: '',
      PARLEY_ADMIN_TOKEN: 'shutdown-admin-token-long-enough',
      PARLEY_MASTER_KEY: 'shutdown-master',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const listening = (await waitForLine(child, /^.*"msg":"listening".*$/m, 90_000))[0];
    const url = listening.match(/"address":"(http:[^"]+)"/)![1];
    const key = listening.match(/"demoKey":"(pk_[^"]+)"/)![1];
    const wsUrl = `${url.replace('http', 'ws')}/v1/ws`;

    const clients = await Promise.all([0, 1, 2].map((i) => client(wsUrl, key, { name: `c${i}` })));
    for (const c of clients) await join(c, 'drain');
    const closes = clients.map((c) => c.closed);
    // Each client sends steadily (within its rate limit) until its socket closes.
    const answers: Frame[] = [];
    let n = 0;
    const senders = clients.map((c, i) =>
      (async () => {
        while (c.ws.readyState === c.ws.OPEN) {
          c.request({ type: 'message', room: 'drain', id: `c${i}-${n++}`, text: 'x' }, 15_000).then(
            (a) => answers.push(a),
            () => {},
          );
          await new Promise((r) => setTimeout(r, 100));
        }
      })(),
    );
    // SIGTERM once some messages were acked, so the drain has work before and during it.
    await vi.waitFor(() => expect(answers.filter((a) => a.type === 'ack').length).toBeGreaterThanOrEqual(6), { timeout: 30_000, interval: 20 });
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    const tookMs = Date.now() - signalledAt;
    await Promise.all(senders);
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    for (const c of closes) expect((await c).code).toBe(1001);

    const acked = answers.filter((a) => a.type === 'ack').map((a) => a.id);
    expect(acked.length).toBeGreaterThan(5);
    // Anything refused during the drain was refused with a retryable code, never lost silently.
    for (const a of answers.filter((x) => x.type === 'error')) expect(a.code).toBe('internal');
    const db = await openDatabase({ url: pg?.url, dataDir: pg ? undefined : dataDir });
    const stored = (await db.db.select({ id: messages.id }).from(messages)).map((r) => r.id);
    await db.close();
    await pg?.drop();
    expect(stored).toEqual(expect.arrayContaining(acked));
  }, 150_000);
});
