import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { startTestServer, type TestServer } from '../helpers/server';
import { eventually, http } from './http';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let bundle = '';

// Most runs use the source built once here by esbuild into plain JavaScript (the command imports
// only node: modules, so the bundle is the source); `viaStart` runs it exactly as `npm run admin`
// does: the launcher, which builds first if the compiled output is missing or stale.
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cli-build-'));
  bundle = join(dir, 'admin.mjs');
  await build({ entryPoints: [join(root, 'api/cli/admin.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
  return () => rmSync(dir, { recursive: true, force: true });
});

/** Runs the admin command with exactly the environment given. */
function admin(args: string[], env: Record<string, string>, opts: { viaStart?: boolean; input?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      opts.viaStart ? ['api/deploy/start.mjs', 'admin', ...args] : [bundle, ...args],
      // Only PATH and what the test names: the developer's own PARLEY_* or DATA_DIR must not leak in.
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    // Piped, never a terminal: user:create reads the password's line from here.
    child.stdin?.end(opts.input ?? '');
  });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

/** The single JSON line a successful command prints. */
function oneJsonLine(r: Run) {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.endsWith('\n')).toBe(true);
  expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(r.stdout);
}

describe.each(backends())('npm run admin on %s', (backend) => {
  let s: TestServer;
  let env: Record<string, string>;
  const listed = async (tenantId: string) =>
    (await http(`${s.url}/admin/api/tenants`, { bearer: s.adminToken })).body.find((t: any) => t.tenantId === tenantId);

  // Setup that is not under test goes straight to the Admin API: each spawn costs time.
  const create = async (name: string, guests = false) =>
    (await http(`${s.url}/admin/api/tenants`, { method: 'POST', bearer: s.adminToken, body: { name, origins: ['*'], guests } })).body;

  beforeAll(async () => {
    s = await startTestServer({ backend });
    env = { PARLEY_URL: s.url, PARLEY_ADMIN_TOKEN: s.adminToken };
  });
  afterAll(() => s?.stop());

  it('tenant:create prints one JSON line {tenantId, publishableKey, secretKey}, and makes that tenant', async () => {
    const r = await admin(
      ['tenant:create', '--name', 'acme', '--origin', 'https://acme.example', '--origin', 'https://two.example', '--guests'],
      env,
      { viaStart: true },
    );
    const t = oneJsonLine(r);
    expect(Object.keys(t).sort()).toEqual(['publishableKey', 'secretKey', 'tenantId']);
    expect(await listed(t.tenantId)).toMatchObject({
      name: 'acme',
      origins: ['https://acme.example', 'https://two.example'],
      guests: true,
      publishableKey: t.publishableKey,
    });
    const token = await http(`${s.url}/v1/tokens`, { method: 'POST', bearer: t.secretKey, body: { user: 'u' } });
    expect(token.status).toBe(201);
  });

  it('tenant:create without --guests makes a tenant without guests; tenant:list prints JSON without secrets', async () => {
    const made = oneJsonLine(await admin(['tenant:create', '--name', 'quiet'], env));
    const list = oneJsonLine(await admin(['tenant:list'], env));
    expect(Array.isArray(list)).toBe(true);
    const t = list.find((x: any) => x.tenantId === made.tenantId);
    expect(t).toMatchObject({ name: 'quiet', origins: [], guests: false, publishableKey: made.publishableKey });
    expect(made.secretKey.startsWith(t.secretKeys[0].prefix)).toBe(true);
    expect(JSON.stringify(list)).not.toContain(made.secretKey);
  });

  it('key:create adds a working key; key:revoke makes it 401 while the first key keeps working', async () => {
    const t = await create('rotate');
    const k = oneJsonLine(await admin(['key:create', '--tenant', t.tenantId], env));
    expect(Object.keys(k).sort()).toEqual(['prefix', 'secretKey']);
    expect(k.secretKey.startsWith(k.prefix)).toBe(true);
    const get = (key: string) => http(`${s.url}/v1/rooms/none/messages`, { bearer: key });
    // 404: the key is accepted, the room just does not exist.
    expect((await get(k.secretKey)).status).toBe(404);
    const revoked = oneJsonLine(await admin(['key:revoke', '--tenant', t.tenantId, '--prefix', k.prefix], env));
    expect(revoked).toEqual({ tenantId: t.tenantId, prefix: k.prefix, revoked: true });
    await eventually(async () => expect((await get(k.secretKey)).status).toBe(401));
    expect((await get(t.secretKey)).status).toBe(404);
  });

  it('webhook:secret shows the signing secret; webhook:rotate makes a new one, the old one signing through the grace period', async () => {
    const t = await create('hooks');
    const before = oneJsonLine(await admin(['webhook:secret', '--tenant', t.tenantId], env));
    expect(before).toEqual({ secret: expect.stringMatching(/^whsec_/), previous: null });
    const after = oneJsonLine(await admin(['webhook:rotate', '--tenant', t.tenantId, '--grace-minutes', '30'], env));
    expect(after).toEqual({ secret: expect.stringMatching(/^whsec_/), previous: { secret: before.secret, until: expect.any(Number) } });
    expect(after.secret).not.toBe(before.secret);
    expect(oneJsonLine(await admin(['webhook:secret', '--tenant', t.tenantId], env))).toEqual(after);
  });

  it('tenant:update raises rate limits and changes guests and origins', async () => {
    const t = await create('bench', true);
    const out = oneJsonLine(
      await admin(
        ['tenant:update', '--tenant', t.tenantId, '--messages-per-second', '1000', '--burst', '2000', '--no-guests', '--origin', 'https://b.example'],
        env,
      ),
    );
    expect(out).toMatchObject({ tenantId: t.tenantId, guests: false, origins: ['https://b.example'], settings: { messagesPerSecond: 1000, burst: 2000 } });
    expect(await listed(t.tenantId)).toMatchObject({ guests: false, settings: { messagesPerSecond: 1000, burst: 2000, maxTextLength: 4000 } });
  });

  it('reads the admin token from $DATA_DIR/admin-token when PARLEY_ADMIN_TOKEN is unset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    try {
      writeFileSync(join(dir, 'admin-token'), `${s.adminToken}\n`);
      const list = oneJsonLine(await admin(['tenant:list'], { PARLEY_URL: s.url, DATA_DIR: dir }));
      expect(list.map((x: any) => x.tenantId)).toContain(s.demo.tenantId);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('user:create makes a dashboard account from PARLEY_PASSWORD or stdin, never echoing the password', async () => {
    const PW = 'the operator password';
    const op = oneJsonLine(await admin(['user:create', '--email', 'Op@Example.com', '--operator'], { ...env, PARLEY_PASSWORD: PW }));
    expect(op).toEqual({ id: expect.stringMatching(/^a_/), email: 'op@example.com', operator: true });
    const piped = await admin(['user:create', '--email', 'mod@example.com'], env, { input: `${PW}\n` });
    expect(oneJsonLine(piped)).toMatchObject({ email: 'mod@example.com', operator: false });
    expect(piped.stdout + piped.stderr).not.toContain(PW);
    const signIn = await http(`${s.url}/admin/api/session`, { method: 'POST', body: { email: 'op@example.com', password: PW }, headers: { origin: s.url } });
    expect(signIn.status).toBe(200);
    const again = await admin(['user:create', '--email', 'op@example.com'], { ...env, PARLEY_PASSWORD: PW });
    expect(again.stderr).toMatch(/409 conflict: an account with this email exists/);
    const short = await admin(['user:create', '--email', 'x@example.com'], { ...env, PARLEY_PASSWORD: 'short' });
    expect(short.stderr).toMatch(/400 bad_request: password must be 10 to 256 characters/);
    // Each account costs a scrypt hash on the server (on purpose: about a second under load).
  }, 120_000);

  it('fails with a clear message and exit code 1 when the server refuses', async () => {
    const cases: [string, string[], Record<string, string>, RegExp][] = [
      ['a wrong admin token', ['tenant:list'], { ...env, PARLEY_ADMIN_TOKEN: 'wrong' }, /refused the admin token \(401\).*PARLEY_ADMIN_TOKEN/],
      ['an unknown tenant', ['key:create', '--tenant', 't_nonesuch'], env, /404 not_found: no such tenant/],
      ['a key that is not there', ['key:revoke', '--tenant', s.demo.tenantId, '--prefix', 'sk_nonesuch'], env, /404 not_found: no such active key/],
      ['a bad origin', ['tenant:create', '--name', 'bad-origin', '--origin', 'acme.example'], env, /400 bad_request: origins must be/],
    ];
    const runs = await Promise.all(cases.map(([, args, e]) => admin(args, e)));
    runs.forEach((r, i) => {
      const [what, , , message] = cases[i];
      expect(r.code, what).toBe(1);
      expect(r.stdout, what).toBe('');
      expect(r.stderr, what).toMatch(/^admin: /);
      expect(r.stderr, what).toMatch(message);
    });
    const names = (await http(`${s.url}/admin/api/tenants`, { bearer: s.adminToken })).body.map((t: any) => t.name);
    expect(names).not.toContain('bad-origin');
  });
});

// Failures that never reach a database, so they run once rather than per backend.
describe('npm run admin without a server', () => {
  it('fails with a clear message and a non-zero exit code', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}`;
    const env = { PARLEY_URL: url, PARLEY_ADMIN_TOKEN: 'any' };
    const cases: [string, string[], Record<string, string>, number, RegExp][] = [
      ['no admin token anywhere', ['tenant:list'], { PARLEY_URL: url, DATA_DIR: empty }, 1, /no admin token.*PARLEY_ADMIN_TOKEN/],
      ['a server that is not running', ['tenant:list'], env, 1, /cannot reach the Parley server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); is it running/],
      ['no command', [], env, 2, /a command is required/],
      ['an unknown command', ['tenant:delete'], env, 2, /unknown command tenant:delete/],
      ['an unknown option', ['tenant:list', '--verbose'], env, 2, /unknown option --verbose/],
      ['an option of another command', ['tenant:list', '--prefix', 'sk_x'], env, 2, /tenant:list takes no --prefix/],
      ['a missing --name', ['tenant:create', '--origin', 'https://a.example'], env, 2, /--name is required/],
      ['a missing --prefix', ['key:revoke', '--tenant', 't_x'], env, 2, /--prefix is required/],
      ['a non-numeric --burst', ['tenant:update', '--tenant', 't_x', '--burst', 'lots'], env, 2, /--burst must be a whole number/],
      ['nothing to update', ['tenant:update', '--tenant', 't_x'], env, 2, /needs something to change/],
      ['a missing --email', ['user:create', '--operator'], env, 2, /--email is required/],
      ['no password given', ['user:create', '--email', 'a@example.com'], env, 2, /a password is required/],
    ];
    try {
      const runs = await Promise.all(cases.map(([, args, e]) => admin(args, e)));
      runs.forEach((r, i) => {
        const [what, , , code, message] = cases[i];
        expect(r.code, what).toBe(code);
        expect(r.stdout, what).toBe('');
        expect(r.stderr, what).toMatch(/^admin: /);
        expect(r.stderr, what).toMatch(message);
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('says so when PARLEY_URL is not a Parley server', async () => {
    const other = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const { port } = other.address() as { port: number };
      const r = await admin(['tenant:list'], { PARLEY_URL: `http://127.0.0.1:${port}`, PARLEY_ADMIN_TOKEN: 'any' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/answered 200 with something other than JSON; is PARLEY_URL a Parley server/);
    } finally {
      other.close();
    }
  });

  it('--help prints the usage and exits 0', async () => {
    const r = await admin(['--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run admin -- <command>/);
    for (const word of ['tenant:create', 'tenant:list', 'tenant:update', 'key:create', 'key:revoke', 'user:create', 'PARLEY_URL', 'PARLEY_ADMIN_TOKEN', 'PARLEY_PASSWORD'])
      expect(r.stdout).toContain(word);
  });
});
