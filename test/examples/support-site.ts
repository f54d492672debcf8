/**
 * An example site that embeds Parley both ways (see the README, "Conversations"):
 *
 * - `/community`: a shared room everyone on the site reads and writes, as a guest.
 * - `/`: a private support room for each signed-in visitor, which this backend creates with
 *   `PUT /v1/rooms/support-<user>` (the visitor and the support agent as members) before it hands
 *   the widget a token from `POST /v1/tokens`, through the widget's `tokenUrl`.
 *
 * Run it next to a Parley server (the demo tenant allows its own origins; add this site's):
 *
 *   PARLEY_URL=http://localhost:8787 PARLEY_PK=pk_… PARLEY_SK=sk_… npx tsx test/examples/support-site.ts
 *
 * Sign-in here is a stand-in (`/login?as=Ann` sets a cookie): a real site has its own. The secret
 * key stays on this server; the page only ever sees the publishable key and a user token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SupportSiteOptions {
  /** The Parley API origin, e.g. http://localhost:8787. */
  parley: string;
  publishableKey: string;
  secretKey: string;
  /** The support agent who is a member of every visitor's room. */
  agent?: string;
  port?: number;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
// A user id from the demo sign-in name: letters, digits and dashes, as room names allow.
const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);

/** Starts the example site; resolves to its origin and a close function. */
export async function startSupportSite(o: SupportSiteOptions): Promise<{ origin: string; server: Server; close(): Promise<void> }> {
  const agent = o.agent ?? 'agent';
  const parley = (path: string, method: string, body: unknown) =>
    fetch(`${o.parley}${path}`, {
      method,
      headers: { authorization: `Bearer ${o.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const signedIn = (req: IncomingMessage) => {
    const m = /(?:^|;\s*)user=([a-z0-9-]+)/.exec(req.headers.cookie ?? '');
    return m ? m[1] : null;
  };

  const page = (title: string, body: string, widget: Record<string, string>) =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head>
<body>${body}
<script src="${esc(o.parley)}/widget.js" data-key="${esc(o.publishableKey)}"${Object.entries(widget)
      .map(([k, v]) => ` data-${k}="${esc(v)}"`)
      .join('')} async></script></body></html>`;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://site');
    const user = signedIn(req);
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers }).end(body);

    if (url.pathname === '/login') {
      const id = slug(url.searchParams.get('as') ?? '');
      if (!id) return send(400, 'text/plain', 'say who: /login?as=Ann');
      return send(302, 'text/plain', '', { location: '/', 'set-cookie': `user=${id}; Path=/; HttpOnly; SameSite=Lax` });
    }
    if (url.pathname === '/community') {
      // Everyone in one room: the default, no backend needed.
      return send(200, 'text/html; charset=utf-8', page('Community', '<h1>Community</h1><p>Everyone on this site chats here.</p>', { room: 'community', title: 'Community' }));
    }
    if (url.pathname === '/chat-token' && req.method === 'POST') {
      if (!user) return send(401, 'application/json', '{"error":"sign in first"}');
      // Create (or update) this visitor's private room before the widget joins it: only the
      // visitor and the agent are members, so no other visitor can read it.
      const room = await parley(`/v1/rooms/support-${user}`, 'PUT', { private: true, members: [user, agent] });
      if (!room.ok) return send(502, 'application/json', '{"error":"chat is unavailable"}');
      const t = await parley('/v1/tokens', 'POST', { user, name: user, ttlSeconds: 3600 });
      if (!t.ok) return send(502, 'application/json', '{"error":"chat is unavailable"}');
      const { token } = (await t.json()) as { token: string };
      return send(200, 'application/json', JSON.stringify({ token }));
    }
    if (url.pathname === '/') {
      if (!user) return send(200, 'text/html; charset=utf-8', page('Shop', '<h1>Shop</h1><p><a href="/login?as=Ann">Sign in</a> for private support.</p>', { room: 'community' }));
      return send(
        200,
        'text/html; charset=utf-8',
        page('Shop', `<h1>Shop</h1><p>Signed in as ${esc(user)}. The chat is your private support room.</p>`, {
          room: `support-${user}`,
          'token-url': '/chat-token',
          title: 'Support',
        }),
      );
    }
    send(404, 'text/plain', 'not found');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      console.error('support-site: request failed', err.message);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(o.port ?? 0, '127.0.0.1', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return { origin, server, close: () => new Promise<void>((r) => server.close(() => r())) };
}

// Run directly: `npx tsx test/examples/support-site.ts`.
if (process.argv[1]?.endsWith('support-site.ts')) {
  const env = (k: string) => process.env[k] ?? (console.error(`set ${k}`), process.exit(1));
  void startSupportSite({ parley: env('PARLEY_URL'), publishableKey: env('PARLEY_PK'), secretKey: env('PARLEY_SK'), port: Number(process.env.PORT ?? 3000) }).then((s) =>
    console.log(`example site on ${s.origin} (allow this origin for the key)`),
  );
}
