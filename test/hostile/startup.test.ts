import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../api/server';
import { StartupError } from '../../api/ops/startup-error';
import { startTestServer, type TestServer } from '../helpers/server';

describe('a start that cannot succeed', () => {
  let busy: TestServer;
  const dirs: string[] = [];
  const fresh = () => {
    const d = mkdtempSync(join(tmpdir(), 'parley-start-'));
    dirs.push(d);
    return join(d, 'data');
  };
  beforeAll(async () => {
    busy = await startTestServer({ backend: 'pglite' });
  });
  afterAll(async () => {
    await busy?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('says in one line that the port is in use, and writes no admin token or master key', async () => {
    const dataDir = fresh();
    const err = await startServer({ port: busy.port, dataDir, log: () => {} }).catch((e) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect(err.message).toBe(`port ${busy.port} is already in use (set PORT to another)`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('says in one line that the database did not answer, without the URL’s password, and writes no secret', async () => {
    const dataDir = fresh();
    const err = await startServer({ port: 0, dataDir, databaseUrl: 'postgres://parley:hunter2-secret@127.0.0.1:1/parley', log: () => {} }).catch((e) => e);
    expect(err).toBeInstanceOf(StartupError);
    expect(err.message).toMatch(/^the database did not answer \(\w+\)/);
    expect(String(err.message)).not.toContain('hunter2');
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
  });
});
