import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE, ERROR_CODES, HTTP_STATUS } from '../../api/protocol';
import { sessionFrom } from '../helpers/accounts';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { codeColumn, docRoutes, read, rows, section, shapeOf, type DocRoute } from './docs-tables';

// The docs match the server, mechanically: the error codes, the status of each code, the close
// codes and the routes in api/protocol/README.md are the ones in the code, and every status
// documented for a route is driven here with a real request that answers it. A status a probe
// meets that the table does not list fails too. A route or status added without its line in
// the docs, or documented without being true, fails this test.

const PROTOCOL = read('api/protocol/README.md');
const README = read('README.md');
const ROUTES = docRoutes(PROTOCOL);
const key = (method: string, path: string) => `${method} ${shapeOf(path)}`;

describe('the protocol README names exactly the codes the code has', () => {
  it('error codes', () => {
    expect(codeColumn(section(PROTOCOL, 'Errors'), /^\| code \| when \|/)).toEqual([...ERROR_CODES]);
  });

  it('the HTTP status of each error code', () => {
    const sentence = /the statuses ((?:\d{3} `\w+`(?: \(with `Retry-After`\))?(?:, )?)+)/.exec(section(PROTOCOL, 'HTTP API for tenant backends').replace(/\s+/g, ' '));
    const documented = Object.fromEntries([...sentence![1]!.matchAll(/(\d{3}) `(\w+)`/g)].map((m) => [m[2], Number(m[1])]));
    expect(documented).toEqual(HTTP_STATUS);
  });

  it('close codes: every code the server sends, and 1006 (no close frame)', () => {
    const documented = codeColumn(section(PROTOCOL, 'Errors'), /^\| code \| cause/).map(Number);
    expect([...documented].sort()).toEqual([...new Set([...Object.values(CLOSE), 1006])].sort());
  });

  it('the server closes sockets only with the codes of CLOSE (no literal elsewhere)', () => {
    const dir = fileURLToPath(new URL('../../api/', import.meta.url));
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.startsWith('dist'));
    const literal = files.flatMap((f) =>
      [...readFileSync(dir + f, 'utf8').matchAll(/\.close\(\s*(\d{4})/g)].map((m) => `${f}: close(${m[1]})`),
    );
    expect(literal).toEqual([]);
  });
});

/** What the table shows for a registered path with a pattern (the two static files with a hash or a language). */
const SHOWN_AS: Record<string, string> = {
  '/:file{widget\\.[0-9a-f]{16}\\.js}': '/widget.<hash>.js',
  '/widget/locales/:file{[a-z]{2}\\.json}': '/widget/locales/<lang>.json',
};

describe.each(backends())('every route and every status in the docs, against a server on %s', (backend) => {
  let s: TestServer;
  const fx = { tenant: '', room: 'docs-room', msg: 'm1', report: 0, report2: 0, strictKey: '', strictTenant: '', prefix: '', account: '', invite: '', cookie: '', modCookie: '' };
  beforeAll(async () => {
    s = await startTestServer({ backend });
    fx.tenant = s.demo.tenantId;
    const v1 = (method: string, path: string, body?: unknown) => call({ method, path, auth: 'key', body });
    expect(await v1('PUT', '/v1/rooms/docs-private', { private: true, members: ['ann'] })).toBe(200);
    expect(await v1('POST', `/v1/rooms/${fx.room}/messages`, { id: fx.msg, user: 'u1', text: 'hello docs' })).toBe(201);
    expect(await v1('POST', `/v1/rooms/${fx.room}/messages`, { id: 'm2', user: 'u1', text: 'second' })).toBe(201);
    // A report, made the only way there is: a person's `report` frame.
    const c = await client(s.wsUrl, s.demo.publishableKey, { token: await userToken(s.demo.secretKey, { sub: 'reporter' }) });
    await join(c, fx.room);
    expect((await c.request({ type: 'report', room: fx.room, id: fx.msg, reason: 'docs' })).type).toBe('ack');
    expect((await c.request({ type: 'report', room: fx.room, id: 'm2', reason: 'docs' })).type).toBe('ack');
    c.close();
    const reports = await fetchJson('/v1/reports', 'key');
    fx.report = reports.reports.find((r: { messageId: string }) => r.messageId === fx.msg).id;
    fx.report2 = reports.reports.find((r: { messageId: string }) => r.messageId === 'm2').id;
    fx.prefix = (await fetchJson(`/admin/api/tenants/${fx.tenant}/secret-keys`, 'admin', 'POST')).prefix;
    // A moderator's session in the demo tenant, signed in through an invitation.
    const inv = await fetchJson(`/admin/api/tenants/${fx.tenant}/invites`, 'admin', 'POST', { email: 'mod@example.com', role: 'moderator' });
    const accepted = await fetch(`${s.url}/admin/api/invites/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: s.url },
      body: JSON.stringify({ token: inv.token, password: 'a long password' }),
    });
    expect(accepted.status).toBe(200);
    fx.modCookie = sessionFrom(accepted)!;
    fx.account = (await fetchJson(`/admin/api/tenants/${fx.tenant}/members`, 'admin')).members[0].accountId;
    // A tenant that allows one origin (the demo tenant allows any).
    const strict = await fetchJson('/admin/api/tenants', 'admin', 'POST', { name: 'strict', origins: ['https://ok.example'] });
    [fx.strictKey, fx.strictTenant] = [strict.publishableKey, strict.tenantId];
    fx.invite = (await fetchJson(`/admin/api/tenants/${fx.tenant}/invites`, 'admin', 'POST', { email: 'new@example.com', role: 'admin' })).token;
  }, 120_000);
  afterAll(() => s?.stop());

  type Auth = 'none' | 'key' | 'admin' | 'wrongAdmin' | 'mod' | 'modCrossSite';
  interface Req {
    method: string;
    path: string;
    auth?: Auth;
    body?: unknown;
    headers?: Record<string, string>;
    /** Requests that lead up to this one; it answers the status of the last. */
    run?: () => Promise<number>;
  }

  async function send(r: Req): Promise<Response> {
    const headers: Record<string, string> = { ...r.headers };
    if (r.auth === 'key') headers.authorization = `Bearer ${s.demo.secretKey}`;
    if (r.auth === 'admin') headers.authorization = `Bearer ${s.adminToken}`;
    if (r.auth === 'wrongAdmin') headers.authorization = 'Bearer not-the-admin-token';
    if (r.auth === 'mod' || r.auth === 'modCrossSite') {
      headers.cookie = `parley_session=${fx.modCookie}`;
      headers.origin = r.auth === 'mod' ? s.url : 'https://elsewhere.example';
    }
    if (r.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(s.url + r.path, { method: r.method, headers, body: r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body) });
  }
  async function call(r: Req): Promise<number> {
    if (r.run) return r.run();
    // fetch refuses Upgrade headers and a body on GET: those go out as plain HTTP/1.1 requests.
    if (r.headers?.upgrade || (r.method === 'GET' && r.body !== undefined))
      return new Promise((resolve, reject) => {
        const body = typeof r.body === 'string' ? r.body : '';
        const q = request(s.url + r.path, { method: r.method, headers: { ...r.headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...(r.auth === 'key' ? { authorization: `Bearer ${s.demo.secretKey}` } : r.auth === 'admin' ? { authorization: `Bearer ${s.adminToken}` } : {}) } });
        q.on('response', (res) => (res.resume(), resolve(res.statusCode!)));
        q.on('upgrade', (res, socket) => (socket.destroy(), resolve(res.statusCode!)));
        // The server answers 413 before reading a body too large, and may close while we write.
        q.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
        q.end(body);
      });
    const res = await send(r);
    await res.arrayBuffer();
    return res.status;
  }
  async function fetchJson(path: string, auth: Auth, method = 'GET', body?: unknown) {
    const res = await send({ method, path, auth, body });
    expect(res.status, `${method} ${path}`).toBeLessThan(300);
    return res.json() as Promise<any>;
  }

  /** A documented path with the fixtures put in (`:room` the docs room, `:id` the tenant, …). */
  const fill = (path: string, o: Partial<Record<string, string>> = {}) =>
    path.replace(/:(\w+)/g, (_, name: string) => {
      const v = o[name] ?? { room: fx.room, msg: fx.msg, id: fx.tenant, user: 'u1', rid: String(fx.report), prefix: fx.prefix, accountId: fx.account }[name];
      if (v === undefined) throw new Error(`no fixture for :${name}`);
      return encodeURIComponent(v);
    });

  /**
   * Requests that answer one status each, for a documented route: those every route of its kind
   * has (no credentials, a body too large, …), then the route's own from SPECIFIC.
   */
  function witnesses(r: DocRoute): { status: number; req: Req; why: string }[] {
    const out: { status: number; req: Req; why: string }[] = [];
    const hasBody = r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH';
    const v1 = r.path.startsWith('/v1/') && !PUBLIC_V1.has(r.path);
    const admin = r.path.startsWith('/admin/api/');
    const open = admin && OPEN_ADMIN.has(`${r.method} ${r.path}`);
    const path = fill(r.path);
    if (v1) {
      out.push({ status: 401, req: { method: r.method, path }, why: 'no secret key' });
      // A GET's body is never read (Hono's bodyLimit passes it): no 413 there.
      if (r.method !== 'GET') out.push({ status: 413, req: { method: r.method, path, auth: 'key', body: 'x'.repeat(257 * 1024) }, why: 'a body over 256 KiB' });
    }
    if (admin) {
      if (r.method !== 'GET') out.push({ status: 413, req: { method: r.method, path, auth: 'admin', body: 'x'.repeat(65 * 1024) }, why: 'a body over 64 KiB' });
      if (!open) {
        out.push({ status: 401, req: { method: r.method, path }, why: 'no session and no admin token' });
        out.push({ status: 429, req: { method: r.method, path, run: () => throttled({ method: r.method, path, auth: 'wrongAdmin' }) }, why: 'wrong admin tokens, past 30 a minute' });
        if (/^(operator|owner|admin)$/.test(whoOf(r))) out.push({ status: 403, req: { method: r.method, path, auth: 'mod' }, why: `a moderator, where ${whoOf(r)} is needed` });
        if (r.method !== 'GET') out.push({ status: 403, req: { method: r.method, path, auth: 'modCrossSite' }, why: 'a session cookie from another site' });
        if (r.path.includes('/tenants/:id')) {
          out.push({ status: 404, req: { method: r.method, path: fill(r.path, { id: fx.strictTenant }), auth: 'mod' }, why: 'a tenant the caller has no role in' });
          out.push({ status: 404, req: { method: r.method, path: fill(r.path, { id: 't_nope' }), auth: 'admin' }, why: 'a tenant that does not exist, for an operator' });
        }
      }
    }
    const own = Object.entries(SPECIFIC).find(([k]) => key(...(k.split(' ') as [string, string])) === key(r.method, r.path));
    for (const [status, make, why] of own?.[1]() ?? []) out.push({ status, req: make, why });
    return out;
  }

  /** Sends `r` until the address is held back (429), at most 40 times: the bucket refills one every 2 s. */
  async function throttled(r: Req): Promise<number> {
    let got = 0;
    for (let i = 0; i < 40 && got !== 429; i++) got = await call(r);
    return got;
  }
  /** Who the row says may call the route: its `who` cell, or `(owner)` after the path. */
  const whoOf = (r: DocRoute) => {
    const cells = r.line.split(' | ');
    return cells.length === 5 ? cells[1]! : /\) *$/.test(cells[0]!) ? /\((\w+)/.exec(cells[0]!)![1]! : '';
  };
  /** GETs `path` and then again with its ETag: 304. */
  const revalidated = async (path: string) => {
    const first = await fetch(s.url + path);
    await first.arrayBuffer();
    return call({ method: 'GET', path, headers: { 'if-none-match': first.headers.get('etag') ?? '' } });
  };

  /** Routes of /v1 that need no secret key. */
  const PUBLIC_V1 = new Set(['/v1/ws', '/v1/embed-check', '/v1/openapi.json', '/v1/protocol.schema.json']);
  /** Admin API routes reached before its authentication (signing in, invitations). */
  const OPEN_ADMIN = new Set(['POST /admin/api/session', 'DELETE /admin/api/session', 'POST /admin/api/invites/lookup', 'POST /admin/api/invites/accept']);

  type W = [number, Req, string];
  const k = (method: string, path: string, more: Omit<Req, 'method' | 'path'> = {}): Req => ({ method, path, auth: 'key', ...more });
  const a = (method: string, path: string, more: Omit<Req, 'method' | 'path'> = {}): Req => ({ method, path, auth: 'admin', ...more });
  const T = () => `/admin/api/tenants/${fx.tenant}`;
  const R = () => `/v1/rooms/${fx.room}`;
  /** Mirrored under /v1 and /admin/api/tenants/:id: the same witnesses under both. */
  const moderation = (base: () => string, auth: (m: string, p: string, more?: Omit<Req, 'method' | 'path'>) => Req): Record<string, () => W[]> => {
    const p = base() === '/v1' ? '/v1' : '/admin/api/tenants/:id';
    // Each mount bans, mutes and dismisses its own, so neither finds the other's done.
    const n = p === '/v1' ? 1 : 2;
    const report = () => (n === 1 ? fx.report : fx.report2);
    return {
      [`GET ${p}/reports`]: () => [[200, auth('GET', `${base()}/reports?status=open&context=1`), 'the queue'], [400, auth('GET', `${base()}/reports?status=maybe`), 'an unknown status']],
      [`POST ${p}/reports/:rid`]: () => [
        [400, auth('POST', `${base()}/reports/x`, { body: { action: 'dismiss' } }), 'a malformed report id'],
        [404, auth('POST', `${base()}/reports/999999`, { body: { action: 'dismiss' } }), 'no such report'],
        [200, auth('POST', `${base()}/reports/${report()}`, { body: { action: 'dismiss' } }), 'dismissed'],
        [409, auth('POST', `${base()}/reports/${report()}`, { body: { action: 'dismiss' } }), 'already dismissed'],
      ],
      [`DELETE ${p}/rooms/:room/messages/:msg`]: () => [
        [400, auth('DELETE', `${base()}/rooms/${fx.room}/messages/bad!id`), 'a malformed id'],
        [404, auth('DELETE', `${base()}/rooms/${fx.room}/messages/nope`), 'no such message'],
      ],
      [`GET ${p}/bans`]: () => [[200, auth('GET', `${base()}/bans`), 'the list']],
      [`PUT ${p}/bans/:user`]: () => [[200, auth('PUT', `${base()}/bans/troll${n}`, { body: { reason: 'spam', minutes: 60 } }), 'a ban'], [400, auth('PUT', `${base()}/bans/troll${n}`, { body: { minutes: 0 } }), 'minutes out of range']],
      [`DELETE ${p}/bans/:user`]: () => [[204, auth('DELETE', `${base()}/bans/troll${n}`), 'lifted'], [404, auth('DELETE', `${base()}/bans/nobody`), 'not banned'], [400, auth('DELETE', `${base()}/bans/${'x'.repeat(129)}`), 'a malformed user']],
      [`GET ${p}/mutes`]: () => [[200, auth('GET', `${base()}/mutes`), 'the list']],
      [`PUT ${p}/mutes/:user`]: () => [[200, auth('PUT', `${base()}/mutes/loud${n}`, { body: { minutes: 5 } }), 'a mute'], [400, auth('PUT', `${base()}/mutes/loud${n}`, { body: { reason: 5 } }), 'a reason that is no text']],
      [`DELETE ${p}/mutes/:user`]: () => [[204, auth('DELETE', `${base()}/mutes/loud${n}`), 'lifted'], [404, auth('DELETE', `${base()}/mutes/nobody`), 'not muted'], [400, auth('DELETE', `${base()}/mutes/${'x'.repeat(129)}`), 'a malformed user']],
      [`GET ${p}/messages`]: () => [[200, auth('GET', `${base()}/messages?q=hello`), 'found'], [400, auth('GET', `${base()}/messages`), 'neither q nor user']],
      [`GET ${p}/users/:user`]: () => [[200, auth('GET', `${base()}/users/u1`), 'the user view'], [400, auth('GET', `${base()}/users/${'x'.repeat(129)}`), 'a malformed user']],
    };
  };

  /** Each route's own witnesses; the run order below puts the ones that change state last. */
  const SPECIFIC: Record<string, () => W[]> = {
    // First: the entries below that add to a moderation route replace these.
    ...moderation(() => '/v1', k),
    ...moderation(T, a),
    'POST /v1/tokens': () => [[201, k('POST', '/v1/tokens', { body: { user: 'ann' } }), 'a token'], [400, k('POST', '/v1/tokens', { body: { user: 'ann', ttlSeconds: 0 } }), 'ttl out of range']],
    'GET /v1/rooms/:room/messages': () => [
      [200, k('GET', `${R()}/messages?limit=5`), 'a page'],
      [400, k('GET', `${R()}/messages?limit=0`), 'limit out of range'],
      [404, k('GET', '/v1/rooms/nowhere/messages'), 'no such room'],
    ],
    'POST /v1/rooms/:room/messages': () => [
      [201, k('POST', `${R()}/messages`, { body: { id: 'm3', user: 'u1', text: 'third' } }), 'stored'],
      [200, k('POST', `${R()}/messages`, { body: { id: fx.msg, user: 'u1', text: 'hello docs' } }), 'a duplicate id'],
      [409, k('POST', `${R()}/messages`, { body: { id: fx.msg, user: 'u2', text: 'mine' } }), "another user's id"],
      [403, k('POST', '/v1/rooms/docs-private/messages', { body: { id: 'p1', user: 'bob', text: 'in?' } }), 'not a member of a private room'],
      [413, k('POST', `${R()}/messages`, { body: { id: 'long', user: 'u1', text: 'x'.repeat(4001) } }), 'text over maxTextLength'],
      [422, k('POST', `${R()}/messages`, { body: { id: 'x1', user: 'u1', text: '<script>alert(1)</script>' } }), 'refused by the content rules'],
      [400, k('POST', '/v1/rooms/bad!room/messages', { body: { id: 'b1', user: 'u1', text: 'x' } }), 'a malformed room'],
    ],
    'DELETE /v1/rooms/:room/messages/:msg': () => moderation(() => '/v1', k)['DELETE /v1/rooms/:room/messages/:msg']!().concat([[204, k('DELETE', `${R()}/messages/m2`), 'deleted']]),
    'GET /v1/rooms/:room': () => [[200, k('GET', R()), 'the room'], [404, k('GET', '/v1/rooms/nowhere'), 'no such room'], [400, k('GET', '/v1/rooms/bad!room'), 'a malformed room']],
    'PUT /v1/rooms/:room': () => [[200, k('PUT', '/v1/rooms/docs-made', { body: { private: false } }), 'made'], [400, k('PUT', '/v1/rooms/docs-made', { body: { private: 'yes' } }), 'private not a boolean']],
    'PUT /v1/rooms/:room/members/:user': () => [
      [200, k('PUT', '/v1/rooms/docs-private/members/cid'), 'added'],
      [404, k('PUT', '/v1/rooms/nowhere/members/cid'), 'no such room'],
      [400, k('PUT', '/v1/rooms/docs-private/members/a%20b'), 'a user id with a space'],
    ],
    'DELETE /v1/rooms/:room/members/:user': () => [
      [204, k('DELETE', '/v1/rooms/docs-private/members/cid'), 'removed'],
      [404, k('DELETE', '/v1/rooms/nowhere/members/cid'), 'no such room'],
      [400, k('DELETE', '/v1/rooms/docs-private/members/a%20b'), 'a user id with a space'],
    ],
    'DELETE /admin/api/tenants/:id/rooms/:room/messages/:msg': () =>
      moderation(T, a)['DELETE /admin/api/tenants/:id/rooms/:room/messages/:msg']!().concat([[204, a('DELETE', `${T()}/rooms/${fx.room}/messages/m3`), 'deleted']]),
    'GET /v1/ws': () => [
      [426, { method: 'GET', path: `/v1/ws?key=${s.demo.publishableKey}` }, 'a plain GET'],
      [401, { method: 'GET', path: '/v1/ws?key=pk_wrong', headers: upgrade }, 'an unknown key'],
      [403, { method: 'GET', path: `/v1/ws?key=${fx.strictKey}`, headers: { ...upgrade, origin: 'https://not-allowed.example' } }, 'an origin the tenant does not allow'],
    ],
    'GET /v1/embed-check': () => [[200, { method: 'GET', path: '/v1/embed-check?key=pk_wrong' }, 'an answer']],
    'GET /v1/openapi.json': () => [[200, { method: 'GET', path: '/v1/openapi.json' }, 'the document']],
    'GET /v1/protocol.schema.json': () => [[200, { method: 'GET', path: '/v1/protocol.schema.json' }, 'the schema']],
    'GET /healthz': () => [[200, { method: 'GET', path: '/healthz' }, 'alive']],
    'GET /readyz': () => [[200, { method: 'GET', path: '/readyz' }, 'ready']],
    'GET /metrics': () => [[404, { method: 'GET', path: '/metrics' }, 'no PARLEY_METRICS_TOKEN']],
    'GET /widget.js': () => [[200, { method: 'GET', path: '/widget.js' }, 'the widget'], [304, { method: 'GET', path: '', run: () => revalidated('/widget.js') }, 'its ETag again']],
    'GET /widget.<hash>.js': () => [
      [404, { method: 'GET', path: '/widget.0000000000000000.js' }, 'not the current hash'],
      [200, { method: 'GET', path: '', run: async () => call({ method: 'GET', path: (await fetchJson('/widget.json', 'none')).src }) }, 'the current hash'],
      [304, { method: 'GET', path: '', run: async () => revalidated((await fetchJson('/widget.json', 'none')).src) }, 'its ETag again'],
    ],
    'GET /widget.json': () => [[200, { method: 'GET', path: '/widget.json' }, 'the release']],
    'GET /dashboard.js': () => [[200, { method: 'GET', path: '/dashboard.js' }, 'the dashboard'], [304, { method: 'GET', path: '', run: () => revalidated('/dashboard.js') }, 'its ETag again']],
    'GET /widget/locales/<lang>.json': () => [[200, { method: 'GET', path: '/widget/locales/de.json' }, 'German'], [404, { method: 'GET', path: '/widget/locales/xx.json' }, 'no such language']],
    'GET /': () => [[200, { method: 'GET', path: '/' }, 'the demo page']],
    'GET /dashboard': () => [[200, { method: 'GET', path: '/dashboard' }, 'the dashboard page']],
    'POST /admin/api/session': () => [
      [401, { method: 'POST', path: '/admin/api/session', body: { email: 'mod@example.com', password: 'wrong password' }, headers: { origin: s.url } }, 'a wrong password'],
      [400, { method: 'POST', path: '/admin/api/session', body: {}, headers: { origin: s.url } }, 'no email'],
      [403, { method: 'POST', path: '/admin/api/session', body: {}, headers: { origin: 'https://elsewhere.example' } }, 'from another site'],
    ],
    'GET /admin/api/session': () => [[200, { method: 'GET', path: '/admin/api/session', auth: 'mod' }, 'who is signed in']],
    'DELETE /admin/api/session': () => [[204, { method: 'DELETE', path: '/admin/api/session', headers: { origin: s.url } }, 'signed out'], [403, { method: 'DELETE', path: '/admin/api/session' }, 'no Origin']],
    'POST /admin/api/invites/lookup': () => [
      [200, { method: 'POST', path: '/admin/api/invites/lookup', body: { token: fx.invite }, headers: { origin: s.url } }, 'the invitation'],
      [404, { method: 'POST', path: '/admin/api/invites/lookup', body: { token: 'unknown' }, headers: { origin: s.url } }, 'unknown'],
      [400, { method: 'POST', path: '/admin/api/invites/lookup', body: { token: 'not a token!' }, headers: { origin: s.url } }, 'a malformed token'],
      [403, { method: 'POST', path: '/admin/api/invites/lookup', body: { token: 'unknown' } }, 'no Origin'],
    ],
    'POST /admin/api/invites/accept': () => [
      [404, { method: 'POST', path: '/admin/api/invites/accept', body: { token: 'unknown', password: 'a long password' }, headers: { origin: s.url } }, 'unknown'],
      [403, { method: 'POST', path: '/admin/api/invites/accept', body: { token: 'unknown', password: 'a long password' } }, 'no Origin'],
      [400, { method: 'POST', path: '/admin/api/invites/accept', body: { token: 'unknown', password: 'short' }, headers: { origin: s.url } }, 'a short password'],
      [
        401,
        {
          method: 'POST',
          path: '',
          run: async () => {
            // An invitation for an email that has an account: its password, not another.
            const inv = await fetchJson(`/admin/api/tenants/${fx.strictTenant}/invites`, 'admin', 'POST', { email: 'mod@example.com', role: 'moderator' });
            return call({ method: 'POST', path: '/admin/api/invites/accept', body: { token: inv.token, password: 'not its password' }, headers: { origin: s.url } });
          },
        },
        'an existing account, a wrong password',
      ],
      [200, { method: 'POST', path: '/admin/api/invites/accept', body: { token: fx.invite, password: 'a long password' }, headers: { origin: s.url } }, 'accepted'],
    ],
    'POST /admin/api/accounts': () => [
      [201, a('POST', '/admin/api/accounts', { body: { email: 'op2@example.com', password: 'a long password' } }), 'made'],
      [409, a('POST', '/admin/api/accounts', { body: { email: 'op2@example.com', password: 'a long password' } }), 'the email has one'],
      [400, a('POST', '/admin/api/accounts', { body: { email: 'op3@example.com', password: 'short' } }), 'a short password'],
    ],
    'POST /admin/api/tenants': () => [[201, a('POST', '/admin/api/tenants', { body: { name: 'docs', origins: [] } }), 'made'], [400, a('POST', '/admin/api/tenants', { body: { name: '' } }), 'no name']],
    'GET /admin/api/tenants': () => [[200, a('GET', '/admin/api/tenants'), 'the list']],
    'PATCH /admin/api/tenants/:id': () => [[200, a('PATCH', T(), { body: { settings: { burst: 10 } } }), 'changed'], [400, a('PATCH', T(), { body: { settings: { nope: 1 } } }), 'an unknown setting']],
    'POST /admin/api/tenants/:id/secret-keys': () => [[201, a('POST', `${T()}/secret-keys`), 'a new key']],
    'DELETE /admin/api/tenants/:id/secret-keys/:prefix': () => [[204, a('DELETE', `${T()}/secret-keys/${fx.prefix}`), 'revoked'], [404, a('DELETE', `${T()}/secret-keys/sk_nope`), 'no such key']],
    'GET /admin/api/tenants/:id/webhook-secret': () => [[200, a('GET', `${T()}/webhook-secret`), 'the secret']],
    'POST /admin/api/tenants/:id/webhook-secret/rotate': () => [[200, a('POST', `${T()}/webhook-secret/rotate`, { body: { graceMinutes: 0 } }), 'rotated'], [400, a('POST', `${T()}/webhook-secret/rotate`, { body: { graceMinutes: -1 } }), 'grace out of range']],
    'GET /admin/api/tenants/:id/webhooks': () => [[200, a('GET', `${T()}/webhooks`), 'the status']],
    'GET /admin/api/tenants/:id/webhooks/events': () => [[200, a('GET', `${T()}/webhooks/events?limit=5`), 'the log'], [400, a('GET', `${T()}/webhooks/events?before=42`), 'a malformed event id']],
    'POST /admin/api/tenants/:id/webhooks/test': () => [[202, a('POST', `${T()}/webhooks/test`), 'queued']],
    'POST /admin/api/tenants/:id/webhooks/replay': () => [[200, a('POST', `${T()}/webhooks/replay`, { body: { since: 0 } }), 'replayed'], [400, a('POST', `${T()}/webhooks/replay`, { body: {} }), 'neither id nor since']],
    'POST /admin/api/tenants/:id/webhooks/enable': () => [[200, a('POST', `${T()}/webhooks/enable`), 'enabled']],
    'GET /admin/api/tenants/:id/members': () => [[200, a('GET', `${T()}/members`), 'the members'], [403, { method: 'GET', path: `${T()}/members`, auth: 'mod' }, 'a moderator']],
    'POST /admin/api/tenants/:id/invites': () => [[201, a('POST', `${T()}/invites`, { body: { email: 'third@example.com', role: 'moderator' } }), 'invited'], [400, a('POST', `${T()}/invites`, { body: { email: 'third@example.com', role: 'king' } }), 'an unknown role']],
    'PUT /admin/api/tenants/:id/members/:accountId': () => [
      [204, a('PUT', `${T()}/members/${fx.account}`, { body: { role: 'moderator' } }), 'changed'],
      [404, a('PUT', `${T()}/members/a_0000000000000000`, { body: { role: 'admin' } }), 'no such member'],
      [400, a('PUT', `${T()}/members/nope`, { body: { role: 'admin' } }), 'a malformed account'],
    ],
    'DELETE /admin/api/tenants/:id/members/:accountId': () => [[404, a('DELETE', `${T()}/members/a_0000000000000000`), 'no such member'], [400, a('DELETE', `${T()}/members/nope`), 'a malformed account']],
    'GET /admin/api/tenants/:id/audit': () => [[200, a('GET', `${T()}/audit?limit=5`), 'the log'], [400, a('GET', `${T()}/audit?limit=0`), 'limit out of range']],
    'POST /admin/api/tenants/:id/console-token': () => [[200, a('POST', `${T()}/console-token`), 'a staff token']],
    'GET /admin/api/tenants/:id/rooms': () => [[200, a('GET', `${T()}/rooms?prefix=docs`), 'the rooms'], [400, a('GET', `${T()}/rooms?limit=0`), 'limit out of range']],
  };
  const upgrade = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };

  /** The routes that answer requests (middleware, registered as ALL, answers none of its own). */
  const answered = () => s.server.routes.filter((r) => r.method !== 'ALL');

  it('the route tables list exactly the routes the server registers', () => {
    const registered = answered().map((r) => key(r.method, SHOWN_AS[r.path] ?? r.path));
    const documented = ROUTES.map((r) => key(r.method, r.path));
    expect(documented.length, 'a route documented twice').toBe(new Set(documented).size);
    expect([...new Set(registered)].sort()).toEqual([...documented].sort());
  });

  it('README.md names only routes that exist', () => {
    const registered = new Set(answered().map((r) => key(r.method, SHOWN_AS[r.path] ?? r.path)));
    const named = [...README.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`?\s]*)/g)].map((m) => key(m[1]!, m[2]!.replace(/\/…$/, '')));
    // Prose names some routes relative to /v1 or to a tenant's Admin API (`GET /webhooks`).
    const exists = (n: string) => ['', '/v1', '/admin/api/tenants/:'].some((base) => registered.has(n.replace(/^(\w+) /, `$1 ${base}`)));
    expect(named.filter((n) => !exists(n))).toEqual([]);
  });

  it('every documented status of every route is answered by a real request, and every probe answers a documented status', async () => {
    const problems: string[] = [];
    // Wrong admin tokens are counted per address: once past 30, each is 429 (the 401 witness sends none).
    for (let i = 0; i < 31; i++) await call({ method: 'GET', path: '/admin/api/tenants', auth: 'wrongAdmin' });
    // State changes last: a lifted ban needs the ban, a revoked key its creation.
    const order = (r: DocRoute) => (r.method === 'DELETE' ? 2 : r.method === 'GET' ? 0 : 1);
    for (const r of [...ROUTES].sort((x, y) => order(x) - order(y))) {
      const driven = new Set<number>();
      for (const w of witnesses(r)) {
        const got = await call(w.req);
        if (got !== w.status) problems.push(`${r.method} ${r.path}: ${w.why} answered ${got}, not ${w.status}`);
        else if (!r.statuses.includes(got)) problems.push(`${r.method} ${r.path}: ${w.why} answers ${got}, which its row does not list`);
        else driven.add(got);
      }
      for (const st of r.statuses) if (!driven.has(st) && !UNDRIVEN[`${r.method} ${r.path} ${st}`]) problems.push(`${r.method} ${r.path}: ${st} is documented but no request here answers it`);
    }
    expect(problems).toEqual([]);
  }, 120_000);

  // Known and left to the OpenAPI conversion (schemas.ts KEY_ERRORS, ADMIN_ERRORS, ROLE_ERRORS): it
  // lists 413 and 403 for every GET, but the server never reads a GET's body (a GET with 257 KiB of
  // body is answered 200: tried by hand), refuses only changes from another site, and every role
  // moderates. Where a GET can answer 403 (a role without the right), the docs row lists it and
  // the statuses test drives it.
  it('every status an OpenAPI operation lists is in the docs row of that route (but 413 and 403 on a GET)', async () => {
    const doc = await fetchJson('/v1/openapi.json', 'none');
    const problems: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>))
      for (const [method, op] of Object.entries(ops)) {
        const row = ROUTES.find((r) => key(r.method, r.path) === key(method.toUpperCase(), p.replace(/\{(\w+)\}/g, ':$1')));
        if (!row) problems.push(`${method} ${p} is not in the docs`);
        else
          for (const st of Object.keys(op.responses).map(Number))
            if (!row.statuses.includes(st) && !(method === 'get' && (st === 413 || st === 403))) problems.push(`${method} ${p}: ${st} in OpenAPI, not in the docs`);
      }
    expect(problems).toEqual([]);
  });
});

/** Documented statuses no request in this test can cause, each with where it is tested instead. */
const UNDRIVEN: Record<string, string> = {
  'POST /v1/rooms/:room/messages 500': 'while the server drains (test/http/api-draining.test.ts)',
  'GET /v1/ws 429': 'more sockets from one address than PARLEY_MAX_CONNECTIONS_PER_IP (test/hostile)',
  'GET /v1/ws 503': 'a draining or full server (test/realtime/shutdown.test.ts)',
  'GET /readyz 503': 'a draining server or a database that does not answer (test/realtime/shutdown.test.ts)',
  'GET /metrics 200': 'with PARLEY_METRICS_TOKEN (test/ops/metrics.test.ts)',
  'GET /metrics 401': 'with PARLEY_METRICS_TOKEN and a wrong bearer (test/ops/metrics.test.ts)',
  'POST /admin/api/invites/accept 429': '5 failed sign-ins for the email (test/http/login-throttle.test.ts)',
  'POST /admin/api/session 200': 'a right password (test/http/sessions.test.ts); scrypt is slow, the fixtures sign in once',
  'POST /admin/api/session 429': '5 failures for an email (test/http/login-throttle.test.ts)',
  'DELETE /admin/api/tenants/:id/members/:accountId 204': 'removes the fixture moderator (test/http/roles.test.ts)',
};
void rows;
