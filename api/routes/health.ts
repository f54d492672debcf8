import { Hono } from 'hono';

/** `/healthz` answers while the process lives; `/readyz` only while it can serve. */
export function healthRoutes(opts: { ping: () => Promise<void>; draining: () => boolean }) {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.get('/readyz', async (c) => {
    if (opts.draining()) return c.json({ ok: false, reason: 'draining' }, 503);
    try {
      await opts.ping();
    } catch {
      return c.json({ ok: false, reason: 'database' }, 503);
    }
    return c.json({ ok: true });
  });
  return app;
}
