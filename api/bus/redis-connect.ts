import type { Redis } from 'ioredis';

/**
 * Connects ioredis clients made with `lazyConnect`, riding out a Redis that closes the first
 * connection (still starting, or restarting: a server started beside it used to die of the
 * rejected `connect()`). ioredis keeps reconnecting by its retry strategy; this waits for each
 * client's `ready`, and fails only after `timeoutMs`.
 */
export async function connectRedis(clients: Redis[], log: (msg: string, err?: unknown) => void, timeoutMs = 30_000): Promise<void> {
  await Promise.all(
    clients.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          if (c.status === 'ready') return resolve();
          const onReady = () => {
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(() => {
            c.off('ready', onReady);
            reject(new Error(`Redis did not become ready within ${timeoutMs} ms`));
          }, timeoutMs);
          c.once('ready', onReady);
          c.connect().catch((err) => log('redis connect failed; retrying', err));
        }),
    ),
  );
}
