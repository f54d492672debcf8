import { startServer, type RunningServer, type ServerOptions } from '../../api/server';
import { startTestServer, type TestServer } from './server';

export const redisUrl = process.env.REDIS_URL;
export const databaseUrl = process.env.DATABASE_URL;
// CI sets both; a local run without them has nothing to share between servers.
if (process.env.CI && (!redisUrl || !databaseUrl)) throw new Error('CI must set REDIS_URL and DATABASE_URL');
export const withRedisAndPostgres = !!(redisUrl && databaseUrl);

/** A fresh id: the shared Redis is used by other test runs with the same tenant ids. */
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

/** Resolves once `cond` holds, checking every 25 ms; throws after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition') {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface TwoServers {
  a: TestServer;
  b: RunningServer;
  bUrl: string;
  bWs: string;
  /** The Redis key namespace of these two (its own, so concurrent tests do not collide). */
  redisPrefix: string;
  stop(): Promise<void>;
}

/**
 * Server a (a test server on a fresh Postgres database) and server b on the same database and
 * Redis (the shared one unless `redisUrl` names a private one).
 */
export async function twoServers(
  opts: Omit<ServerOptions, 'databaseUrl' | 'dataDir' | 'memory' | 'port'> = {},
): Promise<TwoServers> {
  const url = opts.redisUrl ?? redisUrl;
  const redisPrefix = opts.redisPrefix ?? `${unique('parley-test')}:`;
  const a = await startTestServer({ ...opts, backend: 'postgres', redisUrl: url, redisPrefix });
  const b = await startServer({
    ...opts,
    redisPrefix,
    port: 0,
    databaseUrl: a.databaseUrl,
    redisUrl: url,
    adminToken: a.adminToken,
    masterKey: a.masterKey,
    memory: true,
    demoOrigins: ['*'],
    log: opts.log ?? (() => {}),
  });
  return {
    a,
    b,
    bUrl: `http://127.0.0.1:${b.port}`,
    bWs: `ws://127.0.0.1:${b.port}/v1/ws`,
    redisPrefix,
    async stop() {
      await b.close();
      await a.stop();
    },
  };
}
