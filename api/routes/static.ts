import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';

interface Asset {
  body: Buffer;
  etag: string;
  hash: string;
  mtimeMs: number;
}

/** A built file read once and again only when it changes on disk. */
function asset(path: string) {
  let cached: Asset | null = null;
  return (): Asset | null => {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(path).mtimeMs;
    } catch {
      return null;
    }
    if (!cached || cached.mtimeMs !== mtimeMs) {
      const body = readFileSync(path);
      const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
      cached = { body, etag: `"${hash}"`, hash, mtimeMs };
    }
    return cached;
  };
}

function serveJs(c: Context, a: Asset | null, immutable: boolean) {
  if (!a) return c.text('not built: run npm run build', 404);
  return serve(c, a, 'text/javascript; charset=utf-8', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=300, must-revalidate');
}

function serve(c: Context, a: Asset, type: string, cache: string) {
  const headers = { 'Content-Type': type, ETag: a.etag, 'Cache-Control': cache, 'Access-Control-Allow-Origin': '*' };
  if (c.req.header('if-none-match') === a.etag) return c.body(null, 304, headers);
  return c.body(new Uint8Array(a.body), 200, headers);
}

const root = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));

/** The widget bundle (`/widget.js`, and `/widget.<hash>.js` cached for good) and built pages. */
export function staticRoutes(opts: { demoPage: () => string; dashboardPage?: () => string }) {
  const widget = asset(root('widget/dist/widget.js'));
  const dashboard = asset(root('dashboard/dist/dashboard.js'));
  const app = new Hono();
  app.get('/widget.js', (c) => serveJs(c, widget(), false));
  app.get('/widget.:hash{[0-9a-f]{16}}.js', (c) => {
    const a = widget();
    return a && a.hash === c.req.param('hash') ? serveJs(c, a, true) : c.text('not found', 404);
  });
  app.get('/dashboard.js', (c) => serveJs(c, dashboard(), false));
  // The widget's language packs, fetched on demand (widget/locale.ts); the name is checked
  // against a fixed pattern, so no path from the URL reaches the file system.
  const packs = new Map<string, () => Asset | null>();
  app.get('/widget/locales/:file{[a-z]{2}\\.json}', (c) => {
    const file = c.req.param('file');
    if (!packs.has(file)) packs.set(file, asset(root(`widget/locales/${file}`)));
    const a = packs.get(file)!();
    if (!a) return c.json({ error: { code: 'not_found', message: 'no such language pack' } }, 404);
    return serve(c, a, 'application/json; charset=utf-8', 'public, max-age=3600');
  });
  app.get('/', (c) => c.html(opts.demoPage()));
  if (opts.dashboardPage) app.get('/dashboard', (c) => c.html(opts.dashboardPage!()));
  return app;
}
