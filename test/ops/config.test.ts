import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../api/ops/config';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Values a careless operator might paste; none may come back in an error.
const BAD = {
  PORT: '80a',
  DATABASE_URL: 'mysql://root:hunter2-db-password@db/parley',
  REDIS_URL: 'not a url with-redis-secret',
  PARLEY_ADMIN_TOKEN: 'short-adm',
  PARLEY_METRICS_TOKEN: 'short-met',
  PARLEY_HEARTBEAT_MS: '9999999',
  LOG_LEVEL: 'verbose-secret-level',
  PARLEY_ALLOW_PRIVATE_WEBHOOKS: 'yes-please',
  PARLEY_TRUSTED_PROXIES: 'private, 10.9.9.9/33',
};

describe('configuration', () => {
  it('lists every problem in one error, naming the variables and never their values', () => {
    let err: unknown;
    try {
      readConfig(BAD);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const { problems, message } = err as ConfigError;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(Object.keys(BAD).sort());
    for (const value of Object.values(BAD)) expect(message.includes(value) ? `message holds ${value}` : '').toBe('');
    expect(message).toMatch(/^Parley's configuration has 9 problems:/);
  });

  it('reads a good environment into typed values; empty variables count as unset', () => {
    const c = readConfig({
      PORT: '9000',
      DATABASE_URL: 'postgres://u:p@h:5432/d',
      REDIS_URL: '',
      PARLEY_ADMIN_TOKEN: 'a-long-enough-admin-token-0123',
      PARLEY_HEARTBEAT_MS: '2000',
      PARLEY_ALLOW_PRIVATE_WEBHOOKS: '1',
      UNRELATED: 'ignored',
    });
    expect(c).toMatchObject({ PORT: 9000, DATA_DIR: './data', DATABASE_URL: 'postgres://u:p@h:5432/d', PARLEY_HEARTBEAT_MS: 2000, PARLEY_ALLOW_PRIVATE_WEBHOOKS: true, LOG_LEVEL: 'info' });
    expect(c.REDIS_URL).toBeUndefined();
    expect(readConfig({}).PORT).toBe(8787);
  });

  it('stops the server at start with exit code 2 and one fatal line holding every problem', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...BAD },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(2);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { level: number; problems: string[] });
    expect(lines).toHaveLength(1);
    expect(lines[0].level).toBe(60);
    expect(lines[0].problems).toHaveLength(Object.keys(BAD).length);
    for (const value of Object.values(BAD)) expect(out.includes(value) ? `output holds ${value}` : '').toBe('');
  }, 60_000);
});
