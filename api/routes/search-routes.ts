import { Hono, type Context } from 'hono';
import type { ReportDesk } from '../chat/report-desk';
import type { Tenant } from '../chat/tenants';
import type { SearchCursor } from '../db/search';
import { bad, intQuery, userParam } from './params';

const cursorOf = (c: SearchCursor) => `${c.ts}.${c.seq}.${c.room}`;
function parseCursor(v: string | undefined): SearchCursor | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d{1,16})\.(\d{1,16})\.(.{1,128})$/.exec(v);
  if (!m) throw bad('before must be a cursor from a previous page');
  return { ts: Number(m[1]), seq: Number(m[2]), room: m[3]! };
}

/**
 * Message search (`GET /messages?q=words&user=id&before=cursor&limit`) and the user view
 * (`GET /users/:user`) of one tenant, for moderators.
 */
export function searchRoutes(opts: { desk: ReportDesk; tenantOf: (c: Context) => Promise<Tenant> }) {
  const { desk, tenantOf } = opts;
  const app = new Hono();

  app.get('/messages', async (c) => {
    const tenant = await tenantOf(c);
    const words = c.req.query('q')?.trim() || undefined;
    if (words && words.length > 200) throw bad('q must be at most 200 characters');
    const user = c.req.query('user') ? userParam(c.req.query('user')!) : undefined;
    if (!words && !user) throw bad('give q (words), user, or both');
    const limit = intQuery(c.req.query('limit'), 'limit', 1, 100) ?? 50;
    const page = await desk.search(tenant.id, { words, user, before: parseCursor(c.req.query('before')), limit });
    return c.json({ ...page, next: page.next ? cursorOf(page.next) : null });
  });

  app.get('/users/:user', async (c) => c.json(await desk.userView((await tenantOf(c)).id, userParam(c.req.param('user')))));

  return app;
}
