import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Console } from '../chat/console';
import { ChatError } from '../chat/errors';
import type { TenantDirectory } from '../chat/tenants';
import { ROOM_RE } from '../protocol';
import { need, type AdminEnv } from './access';
import { badRequestHook } from './openapi-route';
import { intString, SECURITY, tenantId } from './schemas';

// The dashboard's room view (issue 12): the rooms to pick from, and the moderator token its
// socket says hello with. Paths are relative to /admin/api (mounting adds the prefix).

const ROOM_CHARS = /^[A-Za-z0-9_.:-]{1,64}$/;
// No bound of its own: an id no tenant has answers 404 from the role check, like every admin route.
const TenantParam = z.object({ id: tenantId.openapi({ param: { name: 'id', in: 'path' } }) });
const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const errors = {
  401: { description: 'not signed in (no session cookie, no admin token)', content: { 'application/json': { schema: ErrorBody } } },
  // Every role in a tenant moderates: 403 is only a session cookie sent from another site (CSRF), never on a GET.
  403: { description: 'a session cookie sent from another site', content: { 'application/json': { schema: ErrorBody } } },
  404: { description: 'no such tenant, or no role in it', content: { 'application/json': { schema: ErrorBody } } },
} as const;

/** POST /admin/api/tenants/{id}/console-token. */
export const CONSOLE_TOKEN_ROUTE = createRoute({
  method: 'post',
  path: '/tenants/{id}/console-token',
  tags: ['Admin API'],
  security: SECURITY.admin,
  summary: "A short-lived moderator token for the dashboard's room view, for hello on /v1/ws with the tenant's publishable key",
  middleware: [need('moderate')] as const,
  request: { params: TenantParam },
  responses: {
    200: {
      description:
        'token: HS256, role moderator, sub staff_<account id> (staff_admin-token for the admin token), name "Moderator", valid 5 minutes; renew it with refresh',
      content: {
        'application/json': {
          schema: z.object({ token: z.string(), expiresAt: z.number().int(), user: z.string(), publishableKey: z.string() }),
        },
      },
    },
    ...errors,
  },
});

/** GET /admin/api/tenants/{id}/rooms. */
export const ROOMS_ROUTE = createRoute({
  method: 'get',
  path: '/tenants/{id}/rooms',
  summary: "A page of the tenant's rooms in name order",
  tags: ['Admin API'],
  security: SECURITY.admin,
  middleware: [need('moderate')] as const,
  request: {
    params: TenantParam,
    query: z.object({
      prefix: z.string().regex(ROOM_CHARS, 'prefix must be 1 to 64 characters of A-Z a-z 0-9 _ . : -').optional(),
      after: z.string().regex(ROOM_RE, 'after must be a room name (the next of a previous page)').optional(),
      limit: intString('limit', 1, 200).optional().openapi({ default: 100 }),
    }),
  },
  responses: {
    200: {
      description: 'rooms with whether they are private and their newest seq; next is the after of the next page, null at the end',
      content: {
        'application/json': {
          schema: z.object({
            rooms: z.array(z.object({ room: z.string(), private: z.boolean(), headSeq: z.number().int() })),
            next: z.string().nullable(),
          }),
        },
      },
    },
    400: { description: 'a malformed query', content: { 'application/json': { schema: ErrorBody } } },
    401: errors[401],
    404: errors[404],
  },
});

/** The room view's routes, for moderators and up (need('moderate') runs before validation). */
export function consoleRoutes(opts: { console: Console; tenants: Pick<TenantDirectory, 'byId'> }) {
  const app = new OpenAPIHono<AdminEnv>({ defaultHook: badRequestHook });

  app.openapi(CONSOLE_TOKEN_ROUTE, async (c) => {
    const { id } = c.req.valid('param');
    const tenant = await opts.tenants.byId(id);
    if (!tenant) throw new ChatError('not_found', 'no such tenant');
    const t = await opts.console.token(id, c.get('principal'));
    return c.json({ ...t, publishableKey: tenant.publishableKey }, 200);
  });

  app.openapi(ROOMS_ROUTE, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await opts.tenants.byId(id))) throw new ChatError('not_found', 'no such tenant');
    const q = c.req.valid('query');
    return c.json(await opts.console.rooms(id, { prefix: q.prefix, after: q.after, limit: q.limit ?? 100 }), 200);
  });

  return app;
}
