import type { Backend } from './backends';

export interface Stack {
  backend: Backend;
  redisUrl?: string;
  redisPrefix?: string;
}

/**
 * What the browser and dashboard tests run on. `PARLEY_TEST_STACK=embedded` is the default
 * `npm start` runs (PGlite, in-process bus); otherwise Postgres and Redis when both are set
 * (CI runs the browser tests once each way, see .ci/run), else the embedded default. Each
 * server gets its own Redis prefix: other tests share the Redis and the demo tenant's id.
 */
export function browserStack(): Stack {
  const { DATABASE_URL, REDIS_URL, PARLEY_TEST_STACK } = process.env;
  if (PARLEY_TEST_STACK !== 'embedded' && DATABASE_URL && REDIS_URL)
    return { backend: 'postgres', redisUrl: REDIS_URL, redisPrefix: `parley-browser-${Math.random().toString(36).slice(2)}:` };
  return { backend: 'pglite' };
}
