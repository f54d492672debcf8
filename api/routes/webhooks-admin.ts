import { Hono, type Context } from 'hono';
import { ChatError } from '../chat/errors';
import type { Tenant } from '../chat/tenants';
import type { WebhookLog } from '../chat/webhook-log';
import { jsonBody } from './http-error';
import { bad, intQuery } from './params';

const eventId = (v: unknown) => {
  const m = typeof v === 'string' ? /^evt_(\d{1,18})$/.exec(v) : null;
  if (!m || !Number.isSafeInteger(Number(m[1]))) throw bad('id must be an event id like evt_42');
  return Number(m[1]);
};

/**
 * A tenant's event webhooks in the Admin API (mounted under /admin/api/tenants/:id): status
 * and backlog, the delivery log, a test event, replays, enabling after a 410.
 */
export function webhookAdminRoutes(opts: { log: WebhookLog; tenantOf: (c: Context) => Promise<Tenant | null> }) {
  const { log } = opts;
  const app = new Hono();
  const tenantOf = async (c: Context) => {
    const t = await opts.tenantOf(c);
    if (!t) throw new ChatError('not_found', 'no such tenant');
    return t;
  };

  app.get('/webhooks', async (c) => c.json(await log.status(await tenantOf(c))));

  app.get('/webhooks/events', async (c) => {
    const limit = intQuery(c.req.query('limit'), 'limit', 1, 200) ?? 50;
    const before = c.req.query('before');
    return c.json(await log.events((await tenantOf(c)).id, limit, before === undefined ? undefined : eventId(before)));
  });

  app.post('/webhooks/test', async (c) => {
    await log.sendTest(await tenantOf(c));
    return c.body(null, 202);
  });

  // Sends finished events again: {"id":"evt_42"} or {"since": <ms since the epoch>}.
  app.post('/webhooks/replay', async (c) => {
    const tenant = await tenantOf(c);
    const body = await jsonBody(c);
    let which: { id: number } | { since: number };
    if (body.id !== undefined) which = { id: eventId(body.id) };
    else if (Number.isSafeInteger(body.since) && (body.since as number) >= 0) which = { since: body.since as number };
    else throw bad('give id (evt_<n>) or since (ms since the epoch)');
    return c.json({ replayed: await log.replay(tenant.id, which) });
  });

  app.post('/webhooks/enable', async (c) => c.json({ enabled: await log.enable((await tenantOf(c)).id) }));

  return app;
}
