import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ChatError } from '../chat/errors';
import type { Tenant } from '../chat/tenants';
import type { WebhookLog } from '../chat/webhook-log';
import { openapiRoute } from './openapi-route';
import { body, intString, json, mounted, ROLE_LIMITED, says, TENANT_MOUNT } from './schemas';

const EVENT_RE = /^evt_(\d{1,18})$/;
/** An event id like evt_42, as its number. */
const eventId = z
  .string(says('id', 'id must be an event id like evt_42'))
  .regex(EVENT_RE)
  .transform((v) => Number(EVENT_RE.exec(v)![1]))
  .pipe(z.number().max(Number.MAX_SAFE_INTEGER, 'id must be an event id like evt_42'))
  .openapi({ type: 'string', pattern: EVENT_RE.source, example: 'evt_42' });

const STATUS = createRoute({ method: 'get', path: '/webhooks', summary: 'Event delivery: the URL, the backlog, whether it is disabled', responses: { 200: json('the status') } });
const EVENTS = createRoute({
  method: 'get',
  path: '/webhooks/events',
  summary: 'The delivery log, newest first',
  request: { query: z.object({ limit: intString('limit', 1, 200).optional(), before: eventId.optional() }) },
  responses: { 200: json('events and whether there are more') },
});
const TEST = createRoute({ method: 'post', path: '/webhooks/test', summary: 'Queues a webhook.test event', responses: { 202: { description: 'queued' } } });
const since = { error: 'give id (evt_<n>) or since (ms since the epoch)' };
const REPLAY = createRoute({
  method: 'post',
  path: '/webhooks/replay',
  summary: 'Sends finished events again: one by id, or all since a time',
  request: {
    body: body(
      z
        .object({ id: eventId.optional(), since: z.number(since).int(since).min(0, since).max(Number.MAX_SAFE_INTEGER, since).optional() })
        .refine((b) => b.id !== undefined || b.since !== undefined, since),
    ),
  },
  responses: { 200: json('how many were sent again', z.object({ replayed: z.number().int() })) },
});
const ENABLE = createRoute({ method: 'post', path: '/webhooks/enable', summary: 'Resumes delivery after a 410', responses: { 200: json('whether it was disabled', z.object({ enabled: z.boolean() })) } });

/**
 * A tenant's event webhooks in the Admin API (mounted under /admin/api/tenants/:id): status
 * and backlog, the delivery log, a test event, replays, enabling after a 410.
 */
export function webhookAdminRoutes(opts: { log: WebhookLog; tenantOf: (c: Context) => Promise<Tenant | null> }) {
  const { log } = opts;
  const app = new OpenAPIHono();
  const tenantOf = async (c: Context) => {
    const t = await opts.tenantOf(c);
    if (!t) throw new ChatError('not_found', 'no such tenant');
    return t;
  };
  const at = <R extends Parameters<typeof mounted>[1]>(r: R, why = {}) => mounted(TENANT_MOUNT, r, { ...ROLE_LIMITED, ...why });

  openapiRoute(app, at(STATUS), async (c) => c.json(await log.status(await tenantOf(c))));

  openapiRoute(app, at(EVENTS, { bad_request: 'a malformed limit or before' }), async (c) => {
    const q = c.req.valid('query');
    return c.json(await log.events((await tenantOf(c)).id, q.limit ?? 50, q.before));
  });

  openapiRoute(app, at(TEST), async (c) => {
    await log.sendTest(await tenantOf(c));
    return c.body(null, 202);
  });

  openapiRoute(app, at(REPLAY, { bad_request: 'neither an event id nor a time' }), async (c) => {
    const tenant = await tenantOf(c);
    const b = c.req.valid('json');
    return c.json({ replayed: await log.replay(tenant.id, b.id !== undefined ? { id: b.id } : { since: b.since! }) });
  });

  openapiRoute(app, at(ENABLE), async (c) => c.json({ enabled: await log.enable((await tenantOf(c)).id) }));

  return app;
}
