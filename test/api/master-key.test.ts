import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../api/db/client';
import { serverMeta } from '../../api/db/schema';
import { StartupError } from '../../api/ops/startup-error';
import { startServer, type ServerOptions } from '../../api/server';
import { backends, freshPostgres } from '../helpers/backends';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIRST = 'first-master-key-0123456789';
const OTHER = 'other-master-key-9876543210';
const ADMIN = 'admin-token-for-master-key-test';

describe.each(backends())('the master key check on %s', (backend) => {
  let where: Pick<ServerOptions, 'databaseUrl' | 'dataDir'>;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    if (backend === 'postgres') {
      const pg = await freshPostgres();
      where = { databaseUrl: pg.url };
      cleanup = pg.drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'parley-mk-'));
      where = { dataDir: dir };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(() => cleanup?.());

  // PGlite keeps its files in dataDir; on Postgres the server keeps nothing on disk.
  const start = (o: Partial<ServerOptions>) =>
    startServer({ port: 0, memory: backend === 'postgres', adminToken: ADMIN, log: () => {}, ...where, ...o });

  /** Starting with `o` is refused with a StartupError whose message matches `why` and holds no secret. */
  async function refused(o: Partial<ServerOptions>, why: RegExp) {
    const err = await start(o).then(
      async (s) => (await s.close(), null),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StartupError);
    const message = (err as Error).message;
    expect(message).toMatch(why);
    for (const secret of [FIRST, OTHER, ADMIN]) expect(message).not.toContain(secret);
  }

  // Three starts of a server (PGlite applies its migrations on each): slow on a loaded machine.
  it('the first start stores a check value; a start with another key is refused; the right key starts', { timeout: 120_000 }, async () => {
    await (await start({ masterKey: FIRST })).close();
    const db = await openDatabase({ url: where.databaseUrl, dataDir: where.dataDir });
    const stored = await db.db.select().from(serverMeta);
    await db.close();
    expect(stored).toHaveLength(1);
    expect(stored[0].value).not.toContain(FIRST);
    await refused({ masterKey: OTHER }, /master key does not match.*same PARLEY_MASTER_KEY/);
    await (await start({ masterKey: FIRST })).close();
  });

  it('a database from before the check is tested by unsealing a stored key, and a wrong key is not stored', { timeout: 120_000 }, async () => {
    const db = await openDatabase({ url: where.databaseUrl, dataDir: where.dataDir });
    await db.db.delete(serverMeta);
    await db.close();
    await refused({ masterKey: OTHER }, /master key does not match/);
    await (await start({ masterKey: FIRST })).close();
  });

  it('npm start says why in one line, without a stack or a secret, and exits 1', { timeout: 120_000 }, async () => {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
      PARLEY_ADMIN_TOKEN: ADMIN,
      PARLEY_MASTER_KEY: OTHER,
      ...(where.databaseUrl ? { DATABASE_URL: where.databaseUrl, DATA_DIR: mkdtempSync(join(tmpdir(), 'parley-mk-')) } : { DATA_DIR: where.dataDir! }),
    };
    const p = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => p.on('exit', r));
    expect(code).toBe(1);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).msg).toMatch(/^not starting: the master key does not match/);
    for (const secret of [FIRST, OTHER, ADMIN]) expect(out).not.toContain(secret);
  });

  // Only Postgres can be shared by servers at once (PGlite is one process on its DATA_DIR).
  if (backend === 'postgres') {
    it('a second server that made up its own master key or admin token is refused, not started broken', async () => {
      const first = await start({ masterKey: FIRST });
      try {
        await refused({ masterKey: undefined }, /PARLEY_MASTER_KEY is not set and this start generated its own/);
        await refused({ masterKey: FIRST, adminToken: undefined }, /PARLEY_ADMIN_TOKEN is not set.*same PARLEY_ADMIN_TOKEN/);
        const second = await start({ masterKey: FIRST });
        await second.close();
      } finally {
        await first.close();
      }
    });
  }
});
