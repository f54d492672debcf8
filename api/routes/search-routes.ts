import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ReportDesk } from '../chat/report-desk';
import type { Tenant } from '../chat/tenants';
import type { SearchCursor } from '../db/search';
import { openapiRoute } from './openapi-route';
import { intString, json, mounted, says, text, user, type Mount } from './schemas';

const CURSOR_RE = /^(\d{1,16})\.(\d{1,16})\.(.{1,128})$/;
const cursorOf = (c: SearchCursor) => `${c.ts}.${c.seq}.${c.room}`;
const parseCursor = (v: string): SearchCursor => {
  const m = CURSOR_RE.exec(v)!;
  return { ts: Number(m[1]), seq: Number(m[2]), room: m[3]! };
};

const SEARCH = createRoute({
  method: 'get',
  path: '/messages',
  summary: "Searches the tenant's messages by words, by author, or both, newest first",
  request: {
    query: z
      .object({
        // Blank words are no words; the bound applies to what is searched for.
        q: z
          .string()
          .transform((s) => s.trim() || undefined)
          .pipe(z.string().max(200, 'q must be at most 200 characters').optional())
          .optional()
          .openapi({ type: 'string', maxLength: 200, description: 'words' }),
        // An empty user is no user.
        user: z.union([z.literal(''), text('user', 128)]).optional().openapi({ type: 'string', maxLength: 128, description: 'an author' }),
        before: z.string(says('before', 'before must be a cursor from a previous page')).regex(CURSOR_RE).optional().openapi({ description: 'next of the previous page' }),
        limit: intString('limit', 1, 100).optional(),
      })
      .refine((q) => q.q || q.user, { error: 'give q (words), user, or both' }),
  },
  responses: { 200: json('a page of messages; next is the before of the next page, null at the end') },
});

const USER_VIEW = createRoute({
  method: 'get',
  path: '/users/{user}',
  summary: 'One user for moderators: their messages, the reports about them, their bans and mutes',
  request: { params: z.object({ user }) },
  responses: { 200: json('the user view') },
});

/**
 * Message search (`GET /messages?q=words&user=id&before=cursor&limit`) and the user view
 * (`GET /users/:user`) of one tenant, for moderators.
 */
export function searchRoutes(opts: { desk: ReportDesk; tenantOf: (c: Context) => Promise<Tenant>; mount: Mount }) {
  const { desk, tenantOf, mount } = opts;
  const app = new OpenAPIHono();

  openapiRoute(app, mounted(mount, SEARCH, { bad_request: 'no q and no user, or a malformed one' }), async (c) => {
    const tenant = await tenantOf(c);
    const q = c.req.valid('query');
    const before = q.before === undefined ? undefined : parseCursor(q.before);
    const page = await desk.search(tenant.id, { words: q.q, user: q.user || undefined, before, limit: q.limit ?? 50 });
    return c.json({ ...page, next: page.next ? cursorOf(page.next) : null });
  });

  openapiRoute(app, mounted(mount, USER_VIEW, { bad_request: 'a malformed user' }), async (c) =>
    c.json(await desk.userView((await tenantOf(c)).id, c.req.valid('param').user)),
  );

  return app;
}
