import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { CONSOLE_TOKEN_ROUTE, ROOMS_ROUTE } from './console-routes';
import { EMBED_CHECK_ROUTE } from './embed-check';

// The OpenAPI 3.1 document of the HTTP API (/v1) and the Admin API (/admin/api), generated from
// the route definitions whose schemas validate the requests. Route files are converted one at a
// time; a route not converted yet is not in the document (README, "API description"). A route
// file mounted under both /v1 and /admin/api/tenants/{id} (moderation) is registered here once
// per prefix, with the `id` path parameter added for the second.

/** Routes, with their full path, that need no credentials. */
const PUBLIC: RouteConfig[] = [EMBED_CHECK_ROUTE];
/** Admin API routes, with their path under /admin/api. */
const ADMIN: RouteConfig[] = [CONSOLE_TOKEN_ROUTE, ROOMS_ROUTE];

/** Builds the document once; the server answers GET /v1/openapi.json with it. */
export function openApiDocument(version: string) {
  const doc = new OpenAPIHono();
  const reg = doc.openAPIRegistry;
  reg.registerComponent('securitySchemes', 'secretKey', { type: 'http', scheme: 'bearer', description: "a tenant's secret key (sk_…)" });
  reg.registerComponent('securitySchemes', 'admin', {
    type: 'http',
    scheme: 'bearer',
    description: 'the admin token; the dashboard sends its session cookie (parley_session) instead',
  });
  const describeOnly = () => {
    throw new Error('this app only describes routes');
  };
  for (const r of PUBLIC) doc.openapi({ ...r, tags: ['HTTP API'], security: [] }, describeOnly as never);
  for (const { middleware: _, ...r } of ADMIN) doc.openapi({ ...r, path: `/admin/api${r.path}`, tags: ['Admin API'], security: [{ admin: [] }] }, describeOnly as never);
  return doc.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Parley',
      version,
      description: 'HTTP API for tenant backends and the Admin API. The WebSocket protocol is described in api/protocol/README.md.',
    },
  });
}
