import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Audit } from '../chat/audit';
import type { ReportDesk } from '../chat/report-desk';
import type { Auth } from '../chat/auth';
import type { ChatService } from '../chat/chat-service';
import { ChatError } from '../chat/errors';
import type { Tenant, TenantDirectory } from '../chat/tenants';
import { DEFAULTS, MESSAGE_ID_RE, ROOM_RE } from '../protocol';
import { bearer } from './access';
import { moderationRoutes } from './moderation';
import { bad, limitBody, openapiRoute } from './openapi-route';
import { roomRoutes } from './rooms-api';
import { anyText, body, int, intString, json, mounted, room, text, V1_MOUNT } from './schemas';

type Env = { Variables: { tenant: Tenant; keyPrefix: string } };

/** Longest token POST /tokens signs: the highest maxTokenLifetime a site may set. */
const MAX_TTL = 30 * 86_400;
const roomNames = { error: 'rooms must be a list of room names' };

const TOKENS = createRoute({
  method: 'post',
  path: '/tokens',
  summary: "Signs a user token for the widget's hello, with the key that asks",
  request: {
    body: body(
      z.object({
        user: text('user', 128),
        name: text('name', DEFAULTS.maxNameLength).nullish(),
        role: z.enum(['member', 'moderator'], { error: 'role must be member or moderator' }).optional(),
        rooms: z.array(z.string(roomNames).regex(ROOM_RE, roomNames), roomNames).optional(),
        ttlSeconds: int('ttlSeconds', 1, MAX_TTL, "ttlSeconds must be an integer from 1 to the site's maxTokenLifetime").nullish().openapi({ description: "default 3600 or the site's maxTokenLifetime, whichever is less" }),
      }),
    ),
  },
  responses: {
    201: json('the token and when it expires (seconds since the epoch)', z.object({ token: z.string(), expiresAt: z.number() })),
  },
});

const HISTORY = createRoute({
  method: 'get',
  path: '/rooms/{room}/messages',
  summary: "A page of a room's messages, oldest first",
  request: {
    params: z.object({ room }),
    query: z
      .object({
        afterSeq: intString('afterSeq', 0, Number.MAX_SAFE_INTEGER).optional(),
        beforeSeq: intString('beforeSeq', 0, Number.MAX_SAFE_INTEGER).optional(),
        limit: intString('limit', 1, DEFAULTS.maxHistoryLimit).optional(),
      })
      .refine((q) => q.afterSeq === undefined || q.beforeSeq === undefined, { error: 'give afterSeq or beforeSeq, not both' }),
  },
  responses: {
    200: json('messages, and whether there are more'),
  },
});

const POST_ERRORS = {
  bad_request: 'a malformed field, or empty text',
  forbidden: 'the user is banned, muted, or not a member of this private room',
  conflict: 'another user already used this id in the room',
  too_large: "text over the site's maxTextLength",
  rejected: 'refused by the content rules or the pre-send hook',
  internal: 'the server is shutting down: retry with the same id',
};

const Ack = z.object({ id: z.string(), seq: z.number().int(), ts: z.number(), duplicate: z.literal(true).optional(), text: z.string().optional() });

const POST_MESSAGE = createRoute({
  method: 'post',
  path: '/rooms/{room}/messages',
  summary: 'Posts a message as a user (through the same content rules, bans and pre-send hook as people)',
  request: {
    params: z.object({ room }),
    body: body(
      z.object({
        id: text('id', 64, MESSAGE_ID_RE).openapi({ description: 'the client message id: a retry with the same id is stored once' }),
        user: text('user', 128),
        name: text('name', DEFAULTS.maxNameLength).nullish(),
        text: anyText('text'),
      }),
    ),
  },
  responses: {
    201: json('stored: its seq and time (and the stored text when the content rules changed it)', Ack),
    200: json('a retry of a message already stored', Ack),
  },
});

// Far above what a valid request needs (a message at the highest maxTextLength, 16,000 code
// points, is under 100 KiB as JSON), and low enough that one request cannot hog memory.
const MAX_BODY_BYTES = 256 * 1024;

/** The HTTP API for tenant backends, authenticated with a secret key (PROTOCOL.md). */
export function apiRoutes(opts: {
  tenants: TenantDirectory;
  auth: Auth;
  chat: ChatService;
  audit: Audit;
  desk: ReportDesk;
  /** True once the server is shutting down: a message taken in now might not be committed. */
  draining?: () => boolean;
}) {
  const { tenants, auth, chat } = opts;
  const app = new OpenAPIHono<Env>();

  app.use('*', async (c, next) => {
    const key = bearer(c.req.header('authorization'));
    const found = key ? await tenants.secretKey(key) : null;
    if (!found) throw new ChatError('unauthorized', 'a valid secret key is required');
    c.set('tenant', found.tenant);
    c.set('keyPrefix', found.prefix);
    await next();
  });
  // After the key check, so strangers cannot make the server buffer anything.
  app.use('*', limitBody(MAX_BODY_BYTES));

  openapiRoute(app, mounted(V1_MOUNT, TOKENS, { bad_request: "a field out of bounds, or ttlSeconds over the site's maxTokenLifetime" }), async (c) => {
    const b = c.req.valid('json');
    const name = b.name == null ? undefined : chat.displayName(c.get('tenant'), b.name);
    // Never longer than the tenant lets a token live: a longer one would be refused at hello.
    const maxTtl = c.get('tenant').settings.maxTokenLifetime;
    const ttl = b.ttlSeconds ?? Math.min(3600, maxTtl);
    if (ttl > maxTtl) throw bad(`ttlSeconds must be an integer from 1 to ${maxTtl} (the site's maxTokenLifetime)`);
    // Signed with the key that asked, so revoking another key leaves these tokens working.
    const t = await auth.sign(c.get('tenant').id, c.get('keyPrefix'), { user: b.user, name, role: b.role, rooms: b.rooms, ttlSeconds: ttl });
    return c.json(t, 201);
  });

  openapiRoute(app, mounted(V1_MOUNT, HISTORY, { bad_request: 'a malformed room or query, or both afterSeq and beforeSeq', not_found: 'no such room' }), async (c) => {
    const tenant = c.get('tenant');
    const { room } = c.req.valid('param');
    const q = c.req.valid('query');
    const head = await chat.roomHead(tenant.id, room);
    if (head === null) throw new ChatError('not_found', 'no such room');
    return c.json(await chat.history(tenant.id, room, { ...q, upTo: head }));
  });

  openapiRoute(app, mounted(V1_MOUNT, POST_MESSAGE, POST_ERRORS), async (c) => {
    const tenant = c.get('tenant');
    const { room } = c.req.valid('param');
    const b = c.req.valid('json');
    const { id, user } = b;
    const name = chat.displayName(tenant, b.name ?? user);
    if (opts.draining?.()) throw new ChatError('internal', 'server shutting down; retry with the same id');
    // The backend posts as a person, with that person's access: not into a private room the
    // user may not enter (add them to its members first).
    const access = await chat.allowedIn(tenant.id, room, [user]);
    if (access !== 'all' && !access.has(user)) throw new ChatError('forbidden', `${user} is not a member of this private room`);
    const ack = await chat.post(tenant, { id: user, name, role: 'member', rooms: null, guest: false }, room, id, b.text, {
      trusted: true,
    });
    return c.json({ id: ack.id, seq: ack.seq, ts: ack.ts, ...(ack.duplicate ? { duplicate: true } : {}), ...(ack.text !== undefined ? { text: ack.text } : {}) }, ack.duplicate ? 200 : 201);
  });

  // Reports, bans, mutes and deletes, for the tenant's own moderation tools.
  app.route(
    '/',
    moderationRoutes({
      chat,
      audit: opts.audit,
      desk: opts.desk,
      tenantOf: async (c) => (c as Context<Env>).get('tenant'),
      mount: V1_MOUNT,
      // The backend acts under its key; the log names the key, not a person.
      actor: (c) => ({ id: `key:${(c as Context<Env>).get('keyPrefix')}`, name: `backend (key ${(c as Context<Env>).get('keyPrefix')}…)` }),
    }),
  );

  app.route('/', roomRoutes({ chat, tenantOf: (c) => (c as Context<Env>).get('tenant') }));

  // Unknown paths answer in the API's own error shape, not Hono's plain-text 404.
  app.all('*', () => {
    throw new ChatError('not_found', 'no such route');
  });

  return app;
}
