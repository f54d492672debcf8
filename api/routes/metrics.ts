import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import type { Registry } from 'prom-client';
import { ChatError } from '../chat/errors';

/**
 * `GET /metrics` in Prometheus text format, for a scraper holding `PARLEY_METRICS_TOKEN` as its
 * bearer token. Without a token configured the route does not exist (404): figures such as
 * connection counts and webhook outcomes are not for the public.
 */
export function metricsRoutes(opts: { registry: Registry; token?: string }) {
  const app = new Hono();
  const { token } = opts;
  if (!token) {
    app.get('/metrics', () => {
      throw new ChatError('not_found', 'metrics are off: set PARLEY_METRICS_TOKEN');
    });
    return app;
  }
  // Hono's bearer check; its 401 goes through onError into the API's error shape.
  app.get('/metrics', bearerAuth({ token }), async (c) =>
    c.body(await opts.registry.metrics(), 200, { 'Content-Type': opts.registry.contentType }),
  );
  return app;
}
