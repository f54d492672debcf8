import { Hono } from 'hono';
import type { ChatService } from '../chat/chat-service';
import { ChatError } from '../chat/errors';
import { safeEqual } from '../chat/keys';
import { tenantView, type TenantDirectory } from '../chat/tenants';
import type { TenantSettings } from '../db/schema';
import { isCleanText } from '../protocol';
import { jsonBody } from './http-error';
import { moderationRoutes } from './moderation';
import { bad, bearer, limitBody } from './params';
import { webhookAdminRoutes } from './webhooks-admin';
import type { WebhookLog } from '../chat/webhook-log';
import { isBlockedAddress, literalAddress } from '../chat/address-guard';

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

const SETTING_RULES: Record<keyof TenantSettings, (v: unknown) => boolean> = {
  guests: (v) => typeof v === 'boolean',
  maxTextLength: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 16_000,
  messagesPerSecond: (v) => typeof v === 'number' && v > 0 && v <= 1_000_000,
  burst: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 1_000_000,
  retentionDays: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 36_500,
  rejectExecutable: (v) => typeof v === 'boolean',
  profanity: (v) => v === 'off' || v === 'mask' || v === 'reject',
  preSendUrl: webhookUrl,
  preSendTimeoutMs: (v) => Number.isInteger(v) && (v as number) >= 100 && (v as number) <= 10_000,
  preSendFailOpen: (v) => typeof v === 'boolean',
  eventsUrl: webhookUrl,
};

function settings(v: unknown): Partial<TenantSettings> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('settings must be an object');
  for (const [k, val] of Object.entries(v)) {
    const rule = SETTING_RULES[k as keyof TenantSettings];
    if (!rule) throw bad(`unknown setting ${k}`);
    if (!rule(val)) throw bad(`setting ${k} is out of range`);
  }
  return v as Partial<TenantSettings>;
}

/** The operator's Admin API (PROTOCOL.md), behind the admin token. */
export function adminRoutes(opts: {
  tenants: TenantDirectory;
  chat: ChatService;
  adminToken: string;
  webhookSecret: (tenantId: string) => string;
  webhooks: WebhookLog;
  allowPrivateWebhooks: boolean;
}) {
  const { tenants } = opts;
  const app = new Hono();

  app.use('*', async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token || !safeEqual(token, opts.adminToken)) throw new ChatError('unauthorized', 'a valid admin token is required');
    await next();
  });
  // Bodies here are a few hundred bytes; refuse to buffer a huge one.
  app.use('*', limitBody(64 * 1024));

  app.post('/tenants', async (c) => {
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
    return c.json(made, 201);
  });

  app.get('/tenants', async (c) => c.json(await tenants.list()));

  app.patch('/tenants/:id', async (c) => {
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
    return c.json(tenantView(t));
  });

  app.post('/tenants/:id/secret-keys', async (c) => c.json(await tenants.addSecretKey(c.req.param('id')), 201));

  app.delete('/tenants/:id/secret-keys/:prefix', async (c) => {
    await tenants.revokeSecretKey(c.req.param('id'), c.req.param('prefix'));
    return c.body(null, 204);
  });

  // The secret the tenant's backend checks webhook signatures with (Standard Webhooks).
  app.get('/tenants/:id/webhook-secret', async (c) => {
    const id = c.req.param('id');
    if (!(await tenants.byId(id))) throw new ChatError('not_found', 'no such tenant');
    return c.json({ secret: opts.webhookSecret(id) });
  });

  app.route('/tenants/:id', webhookAdminRoutes({ log: opts.webhooks, tenantOf: (c) => tenants.byId(c.req.param('id') ?? '') }));

  // Reports and bans of a tenant, for the dashboard's moderation view.
  app.route('/tenants/:id', moderationRoutes({ chat: opts.chat, tenantOf: (c) => tenants.byId(c.req.param('id') ?? '') }));

  // Unknown paths answer in the API's own error shape, not Hono's plain-text 404.
  app.all('*', () => {
    throw new ChatError('not_found', 'no such admin route');
  });

  return app;
}
