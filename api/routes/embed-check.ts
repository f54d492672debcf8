import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { TenantDirectory } from '../chat/tenants';
import { checkEmbed, explainRefusal } from '../ws/embed-rule';
import { openapiRoute } from './openapi-route';
import { SECURITY } from './schemas';

/** GET /v1/embed-check as OpenAPI describes it (openapi.ts). */
export const EMBED_CHECK_ROUTE = createRoute({
  method: 'get',
  path: '/v1/embed-check',
  summary: "Why the chat socket would be refused for the asking page's Origin",
  tags: ['HTTP API'],
  security: SECURITY.public,
  request: { query: z.object({ key: z.string().optional().openapi({ param: { name: 'key', in: 'query' }, example: 'pk_…' }) }) },
  responses: {
    200: {
      description: 'ok, or why not (unknown_key, origin_not_allowed, tenant_disabled) with a message for the site owner',
      content: {
        'application/json': {
          schema: z.object({ ok: z.boolean(), origin: z.string().nullable(), reason: z.string().optional(), message: z.string().optional() }),
        },
      },
    },
  },
});

/**
 * `GET /v1/embed-check?key=pk_…`: why the chat socket would be refused for this page. The
 * browser's WebSocket hides the upgrade's HTTP status (the page sees only a close with 1006),
 * so the widget asks here after a socket that never opened, to tell a misconfiguration (stop,
 * and say what to fix) from a network failure (keep retrying). It applies the upgrade's own
 * rule to the request's Origin and reveals nothing a visitor could not learn already: whether
 * the key exists, whether this origin is allowed (never the list), whether the site is off.
 */
export function embedCheckRoutes(opts: { tenants: Pick<TenantDirectory, 'byPublishableKey'> }) {
  const app = new OpenAPIHono();
  openapiRoute(app, EMBED_CHECK_ROUTE, async (c) => {
    const origin = c.req.header('origin');
    const key = c.req.valid('query').key ?? '';
    const check = await checkEmbed(opts.tenants, key, origin);
    const answer = check.ok
      ? { ok: true, origin: origin ?? null }
      : // The key is echoed only when it is short enough to be one (the page has it anyway).
        { ok: false, reason: check.reason, origin: origin ?? null, message: explainRefusal(check.reason, key.slice(0, 100), origin ?? 'none') };
    return c.json(answer, 200, {
      // Readable from any page: the answer is about the page that asks.
      'Access-Control-Allow-Origin': '*',
      'Cache-Control': 'no-store',
    });
  });
  return app;
}
