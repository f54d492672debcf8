import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { bearerAuth } from 'hono/bearer-auth';
import type { Registry } from 'prom-client';
import { ChatError } from '../chat/errors';
import { openapiRoute } from './openapi-route';
import { errors, SECURITY } from './schemas';

const METRICS = createRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics (text exposition format)',
  tags: ['Operations'],
  security: SECURITY.metrics,
  responses: {
    200: { description: 'the metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
    ...errors({ unauthorized: 'not the metrics token', not_found: 'metrics are off (no PARLEY_METRICS_TOKEN)' }),
  },
});

/**
 * `GET /metrics` in Prometheus text format, for a scraper holding `PARLEY_METRICS_TOKEN` as its
 * bearer token. Without a token configured the route answers 404: figures such as connection
 * counts and webhook outcomes are not for the public.
 */
export function metricsRoutes(opts: { registry: Registry; token?: string }) {
  const app = new OpenAPIHono();
  const { token } = opts;
  // Hono's bearer check; its 401 goes through onError into the API's error shape.
  openapiRoute(app, { ...METRICS, middleware: token ? [bearerAuth({ token })] : [] }, async (c) => {
    if (!token) throw new ChatError('not_found', 'metrics are off: set PARLEY_METRICS_TOKEN');
    return c.body(await opts.registry.metrics(), 200, { 'Content-Type': opts.registry.contentType });
  });
  return app;
}
