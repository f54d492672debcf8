import { Hono, type Context } from 'hono';
import type { Audit } from '../chat/audit';
import type { ReportDesk } from '../chat/report-desk';
import type { Auth } from '../chat/auth';
import type { ChatService } from '../chat/chat-service';
import { ChatError } from '../chat/errors';
import type { Tenant, TenantDirectory } from '../chat/tenants';
import { DEFAULTS, MESSAGE_ID_RE, ROOM_RE } from '../protocol';
import { jsonBody } from './http-error';
import { moderationRoutes } from './moderation';
import { roomRoutes } from './rooms-api';
import { bad, bearer, cleanText, intQuery, limitBody, roomParam, str } from './params';

type Env = { Variables: { tenant: Tenant; keyPrefix: string } };


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
  const app = new Hono<Env>();

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

  app.post('/tokens', async (c) => {
    const body = await jsonBody(c);
    const user = str(body, 'user', { max: 128 })!;
    const given = str(body, 'name', { max: DEFAULTS.maxNameLength, optional: true });
    const name = given === undefined ? undefined : chat.displayName(c.get('tenant'), given);
    const role = body.role;
    if (role !== undefined && role !== 'member' && role !== 'moderator') throw bad('role must be member or moderator');
    const rooms = body.rooms;
    if (rooms !== undefined && (!Array.isArray(rooms) || !rooms.every((r) => typeof r === 'string' && ROOM_RE.test(r))))
      throw bad('rooms must be a list of room names');
    // Never longer than the tenant lets a token live: a longer one would be refused at hello.
    const maxTtl = c.get('tenant').settings.maxTokenLifetime;
    const ttl = body.ttlSeconds ?? Math.min(3600, maxTtl);
    if (!Number.isInteger(ttl) || (ttl as number) < 1 || (ttl as number) > maxTtl)
      throw bad(`ttlSeconds must be an integer from 1 to ${maxTtl} (the site's maxTokenLifetime)`);
    // Signed with the key that asked, so revoking another key leaves these tokens working.
    const t = await auth.sign(c.get('tenant').id, c.get('keyPrefix'), {
      user,
      name,
      role: role as 'member' | 'moderator' | undefined,
      rooms: rooms as string[] | undefined,
      ttlSeconds: ttl as number | undefined,
    });
    return c.json(t, 201);
  });

  app.get('/rooms/:room/messages', async (c) => {
    const tenant = c.get('tenant');
    const room = roomParam(c.req.param('room'));
    const afterSeq = intQuery(c.req.query('afterSeq'), 'afterSeq', 0, Number.MAX_SAFE_INTEGER);
    const beforeSeq = intQuery(c.req.query('beforeSeq'), 'beforeSeq', 0, Number.MAX_SAFE_INTEGER);
    const limit = intQuery(c.req.query('limit'), 'limit', 1, DEFAULTS.maxHistoryLimit);
    if (afterSeq !== undefined && beforeSeq !== undefined) throw bad('give afterSeq or beforeSeq, not both');
    const head = await chat.roomHead(tenant.id, room);
    if (head === null) throw new ChatError('not_found', 'no such room');
    return c.json(await chat.history(tenant.id, room, { afterSeq, beforeSeq, limit, upTo: head }));
  });

  app.post('/rooms/:room/messages', async (c) => {
    const tenant = c.get('tenant');
    const room = roomParam(c.req.param('room'));
    const body = await jsonBody(c);
    const id = str(body, 'id', { re: MESSAGE_ID_RE, max: 64 })!;
    const user = str(body, 'user', { max: 128 })!;
    const name = chat.displayName(tenant, str(body, 'name', { max: DEFAULTS.maxNameLength, optional: true }) ?? user);
    if (typeof body.text !== 'string') throw bad('text is required');
    cleanText(body.text, 'text');
    if (opts.draining?.()) throw new ChatError('internal', 'server shutting down; retry with the same id');
    // The backend posts as a person, with that person's access: not into a private room the
    // user may not enter (add them to its members first).
    const access = await chat.allowedIn(tenant.id, room, [user]);
    if (access !== 'all' && !access.has(user)) throw new ChatError('forbidden', `${user} is not a member of this private room`);
    const ack = await chat.post(tenant, { id: user, name, role: 'member', rooms: null, guest: false }, room, id, body.text, {
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
