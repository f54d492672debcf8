import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { actorOf, email, password, type Accounts } from '../chat/accounts';
import type { Audit } from '../chat/audit';
import type { ReportDesk } from '../chat/report-desk';
import type { ChatService } from '../chat/chat-service';
import { ChatError } from '../chat/errors';
import { tenantView, type TenantDirectory } from '../chat/tenants';
import type { TenantSettings } from '../db/schema';
import { DEFAULTS, EVENT_TYPES, isCleanText } from '../protocol';
import type { RateLimiter } from '../chat/rate-limit';
import { authenticate, need, operatorOnly, roleIn, type AdminEnv } from './access';
import { memberRoutes } from './members';
import { moderationRoutes } from './moderation';
import { webhookAdminRoutes } from './webhooks-admin';
import type { WebhookLog } from '../chat/webhook-log';
import { DEFAULT_GRACE_MINUTES, type WebhookSecrets } from '../chat/webhook-secrets';
import { isBlockedAddress, literalAddress } from '../chat/address-guard';
import { sessionRoutes } from './session';
import { consoleRoutes } from './console-routes';
import type { Console } from '../chat/console';
import { limitBody, openapiRoute } from './openapi-route';
import { ADMIN_MOUNT, body, byRule, json, mounted, ROLE_LIMITED, TENANT_MOUNT } from './schemas';
import { PASSWORD_MAX, PASSWORD_MIN } from '../chat/passwords';

const NAME = 'name must be 1 to 100 characters of clean text';
/** A tenant's name, trimmed: 1 to 100 characters of clean text. */
const tenantName = z.string({ error: NAME }).trim().min(1, NAME).max(100, NAME).refine(isCleanText, NAME);

const ORIGINS = 'origins must be a list of origins like https://example.com, or "*"';
const origins = z.array(z.string({ error: ORIGINS }).regex(/^(\*|https?:\/\/[^/\s]+)$/, ORIGINS), { error: ORIGINS }).openapi({ example: ['https://example.com'] });

/** A boolean field whose message is `<field> must be a boolean`, null included. */
const flag = (field: string) => z.boolean({ error: `${field} must be a boolean` });

const canParse = (v: string) => {
  try {
    new URL(v);
    return true;
  } catch {
    return false;
  }
};
/** A webhook address: http(s), or empty for none. Where it leads is checked at each request (address-guard.ts). */
const webhookUrl = z.union([z.literal(''), z.string().max(2000).regex(/^https?:\/\/\S+$/).refine(canParse)]);
const whole = (min: number, max: number) => z.number().int().min(min).max(max);

/** Each tenant setting's own schema: what PATCH and POST /tenants accept for it. */
const SETTINGS = {
  guests: z.boolean(),
  maxTextLength: whole(1, 16_000),
  messagesPerSecond: z.number().gt(0).max(1_000_000),
  burst: whole(1, 1_000_000),
  retentionDays: whole(0, 36_500),
  rejectExecutable: z.boolean(),
  profanity: z.enum(['off', 'mask', 'reject']),
  preSendUrl: webhookUrl,
  preSendTimeoutMs: whole(100, DEFAULTS.maxPreSendTimeoutMs),
  preSendFailOpen: z.boolean(),
  eventsUrl: webhookUrl,
  eventTypes: z.array(z.enum(['*', ...EVENT_TYPES])).max(EVENT_TYPES.length + 1),
  // A minute to 30 days: the widget refreshes a minute before exp, and POST /v1/tokens never
  // signed longer than 30 days.
  maxTokenLifetime: whole(60, 30 * 86_400),
  maxRoomsPerConnection: whole(1, 1000),
  joinsPerSecond: z.number().min(0.01).max(1000),
  joinBurst: whole(1, 10_000),
  framesPerSecond: z.number().min(1).max(1_000_000),
  frameBurst: whole(1, 1_000_000),
  reportsPerMinute: whole(1, 10_000),
  blocksPerMinute: whole(1, 10_000),
} satisfies Record<keyof TenantSettings, z.ZodType>;
const TenantSettingsSchema = z.strictObject(SETTINGS).partial().openapi('TenantSettings', { description: 'settings merge: only those given change' });

/** An address literal no webhook may reach is refused when set, not only when called. */
function unreachable(s: Partial<TenantSettings>, allowPrivate: boolean): string | null {
  if (allowPrivate) return null;
  for (const k of ['preSendUrl', 'eventsUrl'] as const) {
    const v = s[k];
    const ip = v ? literalAddress(new URL(v)) : null;
    if (ip && isBlockedAddress(ip)) return `setting ${k} points at a private or reserved address`;
  }
  return null;
}

/**
 * The settings of a body, checked in the order the caller gave them (the first unknown or out
 * of range one is named), each by its schema in SETTINGS, then the webhook addresses.
 */
const settingsField = (allowPrivate: boolean) =>
  z.preprocess((v, ctx) => {
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    };
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail('settings must be an object');
    for (const [k, val] of Object.entries(v)) {
      // Own keys only: `__proto__` or `constructor` would find Object.prototype's members.
      if (!Object.hasOwn(SETTINGS, k)) return fail(`unknown setting ${k}`);
      if (!SETTINGS[k as keyof TenantSettings].safeParse(val).success) return fail(`setting ${k} is out of range`);
    }
    const far = unreachable(v as Partial<TenantSettings>, allowPrivate);
    return far ? fail(far) : v;
  }, TenantSettingsSchema);

const Tenant = z.object({}).catchall(z.unknown()).openapi('Tenant', { description: 'a tenant as listed (GET /tenants)' });
const SecretKey = z.object({ secretKey: z.string(), prefix: z.string() }).openapi('NewSecretKey');
const WebhookSecret = z
  .object({ secret: z.string(), previous: z.object({ secret: z.string(), until: z.number() }).nullable() })
  .openapi('WebhookSecret', { description: 'the signing secret, and the old one while it still signs' });
const GRACE = 'graceMinutes must be an integer from 0 to 10080';

/** The routes of this file; the settings' schema depends on whether private webhook addresses are allowed. */
function routes(allowPrivate: boolean) {
  const settings = settingsField(allowPrivate);
  return {
    ACCOUNT: createRoute({
      method: 'post',
      path: '/accounts',
      summary: 'Makes a dashboard account (`npm run admin -- user:create` makes the first operator through this)',
      middleware: operatorOnly,
      // Checked in this order: operator, email, password.
      request: { body: body(z.object({ operator: flag('operator').optional(), email: byRule(email).openapi({ type: 'string', format: 'email', maxLength: 254 }), password: byRule(password).openapi({ type: 'string', minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX }) })) },
      responses: { 201: json('the account', z.object({ id: z.string(), email: z.string(), operator: z.boolean() })) },
    }),
    CREATE: createRoute({
      method: 'post',
      path: '/tenants',
      summary: 'Makes a tenant: its secret key is shown only here',
      middleware: operatorOnly,
      // Checked in this order: name, guests, settings, origins.
      request: { body: body(z.object({ name: tenantName, guests: flag('guests').optional(), settings: settings.optional(), origins: origins.nullish() })) },
      responses: { 201: json('the tenant, its publishable and secret key', z.object({ tenantId: z.string(), publishableKey: z.string(), secretKey: z.string() })) },
    }),
    LIST: createRoute({
      method: 'get',
      path: '/tenants',
      summary: "The caller's tenants, each as its role may see it (an admin no keys; a moderator no settings)",
      responses: { 200: json('the tenants', z.array(Tenant)) },
    }),
    UPDATE: createRoute({
      method: 'patch',
      path: '/tenants/{id}',
      summary: 'Changes a tenant: name, origins, disabled (owners), settings (merged)',
      middleware: need('settings'),
      // Checked in this order: name, origins, disabled, settings, guests.
      request: { body: body(z.object({ name: tenantName.optional(), origins: origins.optional(), disabled: flag('disabled').optional(), settings: settings.optional(), guests: flag('guests').optional() })) },
      responses: { 200: json('the tenant as listed', Tenant) },
    }),
    ADD_KEY: createRoute({
      method: 'post',
      path: '/tenants/{id}/secret-keys',
      summary: 'A new secret key; the old ones keep working until revoked',
      middleware: need('keys'),
      responses: { 201: json('the new key, shown only here', SecretKey) },
    }),
    REVOKE_KEY: createRoute({
      method: 'delete',
      path: '/tenants/{id}/secret-keys/{prefix}',
      summary: 'Revokes a secret key: tokens it signed are refused, their sockets closed',
      middleware: need('keys'),
      request: { params: z.object({ prefix: z.string().openapi({ example: 'sk_1a2b3c4d' }) }) },
      responses: { 204: { description: 'revoked' } },
    }),
    SECRET: createRoute({
      method: 'get',
      path: '/tenants/{id}/webhook-secret',
      summary: "The secret the tenant's backend checks webhook signatures with (Standard Webhooks)",
      middleware: need('keys'),
      responses: { 200: json('the secret', WebhookSecret) },
    }),
    ROTATE: createRoute({
      method: 'post',
      path: '/tenants/{id}/webhook-secret/rotate',
      summary: 'A new signing secret; the old one keeps signing for graceMinutes (default a day, 0: stops now)',
      middleware: need('keys'),
      request: { body: body(z.object({ graceMinutes: z.number({ error: GRACE }).int(GRACE).min(0, GRACE).max(10_080, GRACE).nullish() }), false) },
      responses: { 200: json('the secret, and the old one until it stops signing', WebhookSecret) },
    }),
  };
}

/**
 * The Admin API (PROTOCOL.md): the dashboard's accounts by session cookie, by role per tenant,
 * and automation (the CLI, scripts) by the admin token, which acts as an operator.
 */
export function adminRoutes(opts: {
  tenants: TenantDirectory;
  chat: ChatService;
  accounts: Accounts;
  audit: Audit;
  desk: ReportDesk;
  /** The dashboard's room view: rooms and staff tokens. */
  console: Console;
  adminToken: string;
  /** Slows repeated wrong admin tokens from one address. */
  limiter?: RateLimiter;
  webhookSecrets: WebhookSecrets;
  webhooks: WebhookLog;
  allowPrivateWebhooks: boolean;
}) {
  const { tenants, accounts, audit } = opts;
  const app = new OpenAPIHono<AdminEnv>();

  // Answers here hold secret keys, webhook secrets, invitation tokens and who is signed in:
  // no browser or proxy cache keeps any of them (errors included).
  app.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  // Bodies here are a few hundred bytes; refuse to buffer a huge one.
  app.use('*', limitBody(64 * 1024));
  app.route('/', sessionRoutes({ accounts, adminToken: opts.adminToken, limiter: opts.limiter }));
  // Answers here carry secrets (keys, webhook secrets, invites): never kept by a cache.
  app.use('*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  app.use('*', authenticate({ adminToken: opts.adminToken, accounts, limiter: opts.limiter }));
  // A tenant that does not exist is 404 for operators too, before a body is read: an operator
  // got 200 and empty lists for the members and audit log of no tenant, and 500 for an
  // invitation to one (found by test/http/docs-contract.test.ts). Others without a role there
  // get the same 404 from need().
  const tenantExists: MiddlewareHandler<AdminEnv> = async (c, next) => {
    if (!(await tenants.byId(c.req.param('id') ?? ''))) throw new ChatError('not_found', 'no such tenant');
    await next();
  };
  app.use('/tenants/:id', tenantExists);
  app.use('/tenants/:id/*', tenantExists);
  const by = (c: { get(k: 'principal'): AdminEnv['Variables']['principal'] }) => actorOf(c.get('principal'));

  const r = routes(opts.allowPrivateWebhooks);
  const admin = <R extends Parameters<typeof mounted>[1]>(route: R, why = {}) => mounted(ADMIN_MOUNT, route, why);
  // Routes of one tenant, open to some roles only (need()).
  const byRole = <R extends Parameters<typeof mounted>[1]>(route: R, why = {}) => mounted(TENANT_MOUNT, route, { ...ROLE_LIMITED, ...why });

  openapiRoute(app, admin(r.ACCOUNT, { ...ROLE_LIMITED, bad_request: 'a malformed email, password or operator', conflict: 'the email has an account' }), async (c) => {
    const b = c.req.valid('json');
    const a = await accounts.create({ email: b.email, password: b.password, operator: b.operator === true });
    return c.json({ id: a.id, email: a.email, operator: a.operator }, 201);
  });

  openapiRoute(app, admin(r.CREATE, { ...ROLE_LIMITED, bad_request: 'a malformed name, origin, setting or guests' }), async (c) => {
    const b = c.req.valid('json');
    const made = await tenants.create({
      name: b.name,
      origins: b.origins ?? [],
      settings: { ...b.settings, ...(b.guests !== undefined ? { guests: b.guests } : {}) },
    });
    await audit.record(made.tenantId, by(c), 'tenant.create', made.tenantId, { name: b.name });
    return c.json(made, 201);
  });

  // Each caller sees the tenants they have a role in, and of each only what the role may see:
  // a moderator gets no settings or keys.
  openapiRoute(app, admin(r.LIST), async (c) => {
    const p = c.get('principal');
    const rows = [];
    for (const t of await tenants.list()) {
      const role = roleIn(p, t.tenantId);
      if (!role) continue;
      if (role === 'all' || role === 'owner') rows.push({ ...t, role });
      else if (role === 'admin') rows.push({ ...t, secretKeys: [], role });
      else rows.push({ tenantId: t.tenantId, name: t.name, disabled: t.disabled, publishableKey: t.publishableKey, role });
    }
    return c.json(rows);
  });

  openapiRoute(app, byRole(r.UPDATE, { bad_request: 'a malformed name, origin, setting, disabled or guests' }), async (c) => {
    const b = c.req.valid('json');
    const patch: Parameters<TenantDirectory['update']>[1] = {};
    if (b.name !== undefined) patch.name = b.name;
    if (b.origins !== undefined) patch.origins = b.origins;
    if (b.disabled !== undefined) patch.disabled = b.disabled;
    const s: Partial<TenantSettings> = { ...b.settings };
    if (b.guests !== undefined) s.guests = b.guests;
    if (Object.keys(s).length) patch.settings = s;
    const id = c.req.param('id')!;
    // An empty patch reads the tenant: an update that sets nothing is an error in the database layer.
    const t = Object.keys(patch).length ? await tenants.update(id, patch) : await tenants.byId(id);
    if (!t) throw new ChatError('not_found', 'no such tenant');
    // Setting the events URL again enables an endpoint that answered 410.
    if (s.eventsUrl) await opts.webhooks.enable(id);
    if (Object.keys(patch).length) await audit.record(id, by(c), 'tenant.update', id, patch);
    return c.json(tenantView(t));
  });

  openapiRoute(app, byRole(r.ADD_KEY), async (c) => {
    const id = c.req.param('id')!;
    const made = await tenants.addSecretKey(id);
    await audit.record(id, by(c), 'key.create', made.prefix);
    return c.json(made, 201);
  });

  openapiRoute(app, byRole(r.REVOKE_KEY, { not_found: 'no such active key' }), async (c) => {
    const id = c.req.param('id')!;
    const { prefix } = c.req.valid('param');
    await tenants.revokeSecretKey(id, prefix);
    await audit.record(id, by(c), 'key.revoke', prefix);
    return c.body(null, 204);
  });

  openapiRoute(app, byRole(r.SECRET), async (c) => {
    const id = c.req.param('id')!;
    if (!(await tenants.byId(id))) throw new ChatError('not_found', 'no such tenant');
    return c.json(await opts.webhookSecrets.show(id));
  });

  openapiRoute(app, byRole(r.ROTATE, { bad_request: 'graceMinutes out of range' }), async (c) => {
    const id = c.req.param('id')!;
    if (!(await tenants.byId(id))) throw new ChatError('not_found', 'no such tenant');
    const grace = c.req.valid('json').graceMinutes ?? DEFAULT_GRACE_MINUTES;
    const v = await opts.webhookSecrets.rotate(id, grace);
    await audit.record(id, by(c), 'webhook_secret.rotate', id, { graceMinutes: grace });
    return c.json(v);
  });

  // Webhook delivery: part of the tenant's settings (owners and admins).
  app.use('/tenants/:id/webhooks', need('settings'));
  app.use('/tenants/:id/webhooks/*', need('settings'));
  app.route('/tenants/:id', webhookAdminRoutes({ log: opts.webhooks, tenantOf: (c) => tenants.byId(c.req.param('id') ?? '') }));

  app.route('/tenants/:id', memberRoutes({ accounts, audit }));
  app.route('/', consoleRoutes({ console: opts.console, tenants }));
  // Reports and bans of a tenant, for the dashboard's moderation view.
  app.route(
    '/tenants/:id',
    moderationRoutes({ chat: opts.chat, audit, desk: opts.desk, actor: by, guard: need('moderate'), tenantOf: (c) => tenants.byId(c.req.param('id') ?? ''), mount: TENANT_MOUNT }),
  );

  // Unknown paths answer in the API's own error shape, not Hono's plain-text 404.
  app.all('*', () => {
    throw new ChatError('not_found', 'no such admin route');
  });

  return app;
}
