import { OpenAPIHono } from '@hono/zod-openapi';
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
import { jsonBody } from './http-error';
import { memberRoutes } from './members';
import { moderationRoutes } from './moderation';
import { webhookAdminRoutes } from './webhooks-admin';
import type { WebhookLog } from '../chat/webhook-log';
import { DEFAULT_GRACE_MINUTES, type WebhookSecrets } from '../chat/webhook-secrets';
import { isBlockedAddress, literalAddress } from '../chat/address-guard';
import { sessionRoutes } from './session';
import { consoleRoutes } from './console-routes';
import type { Console } from '../chat/console';
import { bad, limitBody } from './openapi-route';
import { TENANT_MOUNT } from './schemas';

function tenantName(v: unknown): string {
  const name = typeof v === 'string' ? v.trim() : '';
  if (!name || name.length > 100 || !isCleanText(name)) throw bad('name must be 1 to 100 characters of clean text');
  return name;
}

function origins(v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((o) => typeof o === 'string' && (o === '*' || /^https?:\/\/[^/\s]+$/.test(o))))
    throw bad('origins must be a list of origins like https://example.com, or "*"');
  return v as string[];
}

/** A webhook address: http(s), or empty for none. Where it leads is checked at each request (address-guard.ts). */
const webhookUrl = (v: unknown) => {
  if (v === '') return true;
  if (typeof v !== 'string' || v.length > 2000 || !/^https?:\/\/\S+$/.test(v)) return false;
  try {
    new URL(v);
    return true;
  } catch {
    return false;
  }
};

/** An address literal no webhook may reach is refused when set, not only when called. */
function reachable(s: Partial<TenantSettings>, allowPrivate: boolean) {
  if (allowPrivate) return;
  for (const k of ['preSendUrl', 'eventsUrl'] as const) {
    const v = s[k];
    const ip = v ? literalAddress(new URL(v)) : null;
    if (ip && isBlockedAddress(ip)) throw bad(`setting ${k} points at a private or reserved address`);
  }
}

const intIn = (min: number, max: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const numIn = (min: number, max: number) => (v: unknown) => typeof v === 'number' && v >= min && v <= max;

const SETTING_RULES: Record<keyof TenantSettings, (v: unknown) => boolean> = {
  guests: (v) => typeof v === 'boolean',
  maxTextLength: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 16_000,
  messagesPerSecond: (v) => typeof v === 'number' && v > 0 && v <= 1_000_000,
  burst: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1_000_000,
  retentionDays: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 36_500,
  rejectExecutable: (v) => typeof v === 'boolean',
  profanity: (v) => v === 'off' || v === 'mask' || v === 'reject',
  preSendUrl: webhookUrl,
  preSendTimeoutMs: intIn(100, DEFAULTS.maxPreSendTimeoutMs),
  preSendFailOpen: (v) => typeof v === 'boolean',
  eventsUrl: webhookUrl,
  eventTypes: (v) =>
    Array.isArray(v) && v.length <= EVENT_TYPES.length + 1 && v.every((t) => t === '*' || (EVENT_TYPES as readonly unknown[]).includes(t)),
  // A minute to 30 days: the widget refreshes a minute before exp, and POST /v1/tokens never
  // signed longer than 30 days.
  maxTokenLifetime: (v) => Number.isInteger(v) && (v as number) >= 60 && (v as number) <= 30 * 86_400,
  maxRoomsPerConnection: intIn(1, 1000),
  joinsPerSecond: numIn(0.01, 1000),
  joinBurst: intIn(1, 10_000),
  framesPerSecond: numIn(1, 1_000_000),
  frameBurst: intIn(1, 1_000_000),
  reportsPerMinute: intIn(1, 10_000),
  blocksPerMinute: intIn(1, 10_000),
};

function settings(v: unknown): Partial<TenantSettings> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('settings must be an object');
  for (const [k, val] of Object.entries(v)) {
    // Own keys only: `__proto__` or `constructor` would find Object.prototype's members.
    const rule = Object.hasOwn(SETTING_RULES, k) ? SETTING_RULES[k as keyof TenantSettings] : undefined;
    if (!rule) throw bad(`unknown setting ${k}`);
    if (!rule(val)) throw bad(`setting ${k} is out of range`);
  }
  return v as Partial<TenantSettings>;
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

  // Dashboard accounts: `npm run admin -- user:create` makes the first operator through this.
  app.post('/accounts', operatorOnly, async (c) => {
    const body = await jsonBody(c);
    if (body.operator !== undefined && typeof body.operator !== 'boolean') throw bad('operator must be a boolean');
    const a = await accounts.create({ email: email(body.email), password: password(body.password), operator: body.operator === true });
    return c.json({ id: a.id, email: a.email, operator: a.operator }, 201);
  });

  app.post('/tenants', operatorOnly, async (c) => {
    const body = await jsonBody(c);
    const name = tenantName(body.name);
    if (body.guests !== undefined && typeof body.guests !== 'boolean') throw bad('guests must be a boolean');
    const s = body.settings === undefined ? {} : settings(body.settings);
    reachable(s, opts.allowPrivateWebhooks);
    const made = await tenants.create({
      name,
      origins: origins(body.origins ?? []),
      settings: { ...s, ...(body.guests !== undefined ? { guests: body.guests as boolean } : {}) },
    });
    await audit.record(made.tenantId, by(c), 'tenant.create', made.tenantId, { name });
    return c.json(made, 201);
  });

  // Each caller sees the tenants they have a role in, and of each only what the role may see:
  // a moderator gets no settings or keys.
  app.get('/tenants', async (c) => {
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

  app.patch('/tenants/:id', need('settings'), async (c) => {
    const body = await jsonBody(c);
    const patch: Parameters<TenantDirectory['update']>[1] = {};
    if (body.name !== undefined) patch.name = tenantName(body.name);
    if (body.origins !== undefined) patch.origins = origins(body.origins);
    if (body.disabled !== undefined) {
      if (typeof body.disabled !== 'boolean') throw bad('disabled must be a boolean');
      patch.disabled = body.disabled;
    }
    const s = body.settings === undefined ? {} : settings(body.settings);
    reachable(s, opts.allowPrivateWebhooks);
    if (body.guests !== undefined) {
      if (typeof body.guests !== 'boolean') throw bad('guests must be a boolean');
      s.guests = body.guests;
    }
    if (Object.keys(s).length) patch.settings = s;
    const id = c.req.param('id');
    // An empty patch reads the tenant: an update that sets nothing is an error in the database layer.
    const t = Object.keys(patch).length ? await tenants.update(id, patch) : await tenants.byId(id);
    if (!t) throw new ChatError('not_found', 'no such tenant');
    // Setting the events URL again enables an endpoint that answered 410.
    if (s.eventsUrl) await opts.webhooks.enable(id);
    if (Object.keys(patch).length) await audit.record(id, by(c), 'tenant.update', id, patch);
    return c.json(tenantView(t));
  });

  app.post('/tenants/:id/secret-keys', need('keys'), async (c) => {
    const made = await tenants.addSecretKey(c.req.param('id'));
    await audit.record(c.req.param('id'), by(c), 'key.create', made.prefix);
    return c.json(made, 201);
  });

  app.delete('/tenants/:id/secret-keys/:prefix', need('keys'), async (c) => {
    await tenants.revokeSecretKey(c.req.param('id'), c.req.param('prefix'));
    await audit.record(c.req.param('id'), by(c), 'key.revoke', c.req.param('prefix'));
    return c.body(null, 204);
  });

  // The secret the tenant's backend checks webhook signatures with (Standard Webhooks).
  app.get('/tenants/:id/webhook-secret', need('keys'), async (c) => {
    const id = c.req.param('id');
    if (!(await tenants.byId(id))) throw new ChatError('not_found', 'no such tenant');
    return c.json(await opts.webhookSecrets.show(id));
  });

  // A new signing secret; the old one keeps signing for `graceMinutes` (default a day, 0: stops now).
  app.post('/tenants/:id/webhook-secret/rotate', need('keys'), async (c) => {
    const id = c.req.param('id');
    if (!(await tenants.byId(id))) throw new ChatError('not_found', 'no such tenant');
    const raw = await c.req.text();
    const body = raw.trim() ? await jsonBody(c) : {};
    const grace = body.graceMinutes ?? DEFAULT_GRACE_MINUTES;
    if (!Number.isInteger(grace) || (grace as number) < 0 || (grace as number) > 10_080) throw bad('graceMinutes must be an integer from 0 to 10080');
    const v = await opts.webhookSecrets.rotate(id, grace as number);
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
