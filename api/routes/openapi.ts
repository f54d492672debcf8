import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { openapiRoute } from './openapi-route';
import { json, SECURITY } from './schemas';

// The OpenAPI 3.1 document of the HTTP API (/v1), the Admin API (/admin/api) and the health and
// metrics routes, generated from the server's own route tree: every route file is an
// OpenAPIHono whose routes are defined by their schemas (openapi-route.ts), and mounting one
// (`app.route`) carries its definitions up with the mount's path. test/http/openapi.test.ts
// compares the document with the routes the server registers, both ways.

const OPENAPI_ROUTE = createRoute({
  method: 'get',
  path: '/v1/openapi.json',
  summary: 'This document',
  tags: ['Contracts'],
  security: SECURITY.public,
  responses: { 200: json('OpenAPI 3.1') },
});

const PROTOCOL_ROUTE = createRoute({
  method: 'get',
  path: '/v1/protocol.schema.json',
  summary: 'The WebSocket protocol as JSON Schema (its prose contract is api/protocol/README.md)',
  tags: ['Contracts'],
  security: SECURITY.public,
  responses: { 200: json('JSON Schema 2020-12 of every frame') },
});

/** GET /v1/openapi.json (the document of everything mounted on `root`) and the protocol's schema. */
export function contractRoutes(opts: { root: OpenAPIHono<any>; version: string; protocolSchema: object }) {
  const app = new OpenAPIHono();
  const reg = app.openAPIRegistry;
  reg.registerComponent('securitySchemes', 'secretKey', { type: 'http', scheme: 'bearer', description: "a tenant's secret key (sk_…)" });
  reg.registerComponent('securitySchemes', 'adminToken', { type: 'http', scheme: 'bearer', description: 'the admin token (PARLEY_ADMIN_TOKEN); acts as an operator' });
  reg.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'parley_session',
    description: "the dashboard's session cookie (POST /admin/api/session); changes must come from the same origin",
  });
  reg.registerComponent('securitySchemes', 'metricsToken', { type: 'http', scheme: 'bearer', description: 'PARLEY_METRICS_TOKEN' });
  // Built on first request: by then every route file is mounted on the root.
  let doc: object | undefined;
  openapiRoute(app, OPENAPI_ROUTE, (c) => {
    doc ??= opts.root.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Parley',
        version: opts.version,
        description: 'HTTP API for tenant backends (/v1) and the Admin API (/admin/api). The WebSocket protocol is described in api/protocol/README.md.',
      },
    });
    return c.json(doc);
  });
  openapiRoute(app, PROTOCOL_ROUTE, (c) => c.json(opts.protocolSchema, 200, { 'cache-control': 'public, max-age=300' }));
  return app;
}
