import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./python/parley_client.py', import.meta.url));

// The second reference client (Python, python3-websockets from Debian; .ci/run installs it),
// written from the docs: if they drift from the server, this fails.
describe('the Python reference client against a real server', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ backend: 'pglite' });
  });
  afterAll(() => s?.stop());

  it('connects, joins, sends, refreshes its token, and resumes with every change made while away', async () => {
    const { stdout } = await run('/usr/bin/python3', [script, s.url, s.demo.publishableKey, s.demo.secretKey, 'py-room'], { timeout: 60_000 });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(out.user).toBe('pyuser');
    expect(out.ackSeq).toBe(1);
    expect(out.refreshedExpiresAt).toBeGreaterThan(out.expiresAt);
    expect(out.http).toEqual([204, 201]);
    expect(out.reset).toBe(false);
    expect(out.changes).toEqual([
      { id: out.mine, deleted: true },
      { id: 'from-backend', deleted: false },
    ]);
  });
});
