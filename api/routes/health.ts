import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { openapiRoute } from './openapi-route';
import { json, SECURITY } from './schemas';

const Health = z.object({ ok: z.boolean(), reason: z.enum(['draining', 'database']).optional() });

const HEALTHZ = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Answers while the process lives',
  tags: ['Operations'],
  security: SECURITY.public,
  responses: { 200: json('alive', Health) },
});

const READYZ = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Answers 200 only while the server can serve (a balancer routes by it)',
  tags: ['Operations'],
  security: SECURITY.public,
  responses: { 200: json('ready', Health), 503: json('draining (SIGTERM) or the database does not answer', Health) },
});

/** `/healthz` answers while the process lives; `/readyz` only while it can serve. */
export function healthRoutes(opts: { ping: () => Promise<void>; draining: () => boolean }) {
  const app = new OpenAPIHono();
  openapiRoute(app, HEALTHZ, (c) => c.json({ ok: true }));
  openapiRoute(app, READYZ, async (c) => {
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
