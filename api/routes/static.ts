import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

type Encoding = 'br' | 'gzip' | 'identity';

interface Asset {
  /** The bytes in each encoding; an ETag for each, since each is a different representation. */
  bodies: Record<Encoding, Buffer>;
  etags: Record<Encoding, string>;
  /** The first 16 hex digits of the SHA-256 of the plain bytes: the versioned URL's name. */
  hash: string;
  /** Subresource Integrity of the plain bytes, for a page that pins the versioned URL. */
  integrity: string;
  mtimeMs: number;
}

/** `<file>.gz` or `.br` as built (widget/precompress.mjs), or made here when missing or older. */
function variant(path: string, mtimeMs: number, make: () => Buffer): Buffer {
  try {
    if (statSync(path).mtimeMs >= mtimeMs) return readFileSync(path);
  } catch {
    // Not precompressed (a build without precompress.mjs): compress once, below.
  }
  return make();
}

/** A built file read once and again only when it changes on disk, with its gzip and brotli forms. */
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
      const bodies = {
        identity: body,
        gzip: variant(`${path}.gz`, mtimeMs, () => gzipSync(body, { level: 9 })),
        br: variant(`${path}.br`, mtimeMs, () => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })),
      };
      const etags = { identity: `"${hash}"`, gzip: `"${hash}-gz"`, br: `"${hash}-br"` };
      const integrity = `sha384-${createHash('sha384').update(body).digest('base64')}`;
      cached = { bodies, etags, hash, integrity, mtimeMs };
    }
    return cached;
  };
}

/** The best encoding the client accepts: brotli, then gzip (a `q=0` refuses one). */
export function pickEncoding(accept: string | undefined): Encoding {
  const offered = new Map<string, number>();
  for (const part of (accept ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    offered.set(name, q === undefined ? 1 : Number(q));
  }
  const ok = (e: string) => (offered.get(e) ?? offered.get('*') ?? 0) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : 'identity';
}

/** Answers with the asset in the best accepted encoding; 304 when the client holds that one. */
function serve(c: Context, a: Asset, type: string, cache: string) {
  const enc = pickEncoding(c.req.header('accept-encoding'));
  const headers: Record<string, string> = {
    'Content-Type': type,
    ETag: a.etags[enc],
    'Cache-Control': cache,
    Vary: 'Accept-Encoding',
    'Access-Control-Allow-Origin': '*',
  };
  if (enc !== 'identity') headers['Content-Encoding'] = enc;
  const held = c.req.header('if-none-match');
  if (held && held.split(',').some((t) => t.trim().replace(/^W\//, '') === a.etags[enc])) return c.body(null, 304, headers);
  return c.body(new Uint8Array(a.bodies[enc]), 200, headers);
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
// Short, and revalidated with the ETag (a 304 costs a round trip, no bytes): a new release
// reaches every site within five minutes.
const SHORT = 'public, max-age=300, must-revalidate';
const JS = 'text/javascript; charset=utf-8';

function serveJs(c: Context, a: Asset | null, immutable: boolean) {
  if (!a) return c.text('not built: run npm run build', 404);
  return serve(c, a, JS, immutable ? IMMUTABLE : SHORT);
}

/**
 * Security headers of our two pages: scripts only from this server (no inline script runs, so
 * an injected one cannot), styles inline too (the widget styles its Shadow DOM), sockets to
 * any host (the widget may be served apart from the API), `nosniff`, no referrer beyond the
 * origin; the dashboard may not be framed (clickjacking of its buttons).
 */
const pageHeaders = (dashboard: boolean) =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'", 'ws:', 'wss:'],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      ...(dashboard ? { frameAncestors: ["'none'"] } : {}),
    },
    xFrameOptions: dashboard ? 'DENY' : false,
    referrerPolicy: 'strict-origin-when-cross-origin',
    xContentTypeOptions: true,
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: false,
  });

const root = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));

/**
 * The widget bundle: `/widget.js` (short cache), `/widget.<hash>.js` (the same bytes, cached for
 * good), and `/widget.json` naming the current versioned URL with its integrity, for a loader or
 * a site's build that pins a release. Plus the dashboard, the language packs and built pages.
 */
export function staticRoutes(opts: { demoPage: (widgetSrc: string) => string; dashboardPage?: () => string }) {
  const widget = asset(root('widget/dist/widget.js'));
  const dashboard = asset(root('dashboard/dist/dashboard.js'));
  const app = new Hono();
  app.get('/widget.js', (c) => serveJs(c, widget(), false));
  // The whole segment is the pattern: Hono does not match text after a parameter in a segment
  // (`/widget.:hash.js` never matched).
  app.get('/:file{widget\\.[0-9a-f]{16}\\.js}', (c) => {
    const a = widget();
    return a && `widget.${a.hash}.js` === c.req.param('file') ? serveJs(c, a, true) : c.text('not found', 404);
  });
  app.get('/widget.json', (c) => {
    const a = widget();
    if (!a) return c.json({ error: { code: 'not_found', message: 'not built: run npm run build' } }, 404);
    const { hash, integrity, bodies } = a;
    const sizes = { bytes: bodies.identity.length, gzip: bodies.gzip.length, brotli: bodies.br.length };
    return c.json({ version: hash, src: `/widget.${hash}.js`, integrity, ...sizes }, 200, {
      'Cache-Control': 'no-cache',
      'Access-Control-Allow-Origin': '*',
    });
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
  app.get('/', pageHeaders(false), (c) => {
    const a = widget();
    return c.html(opts.demoPage(a ? `/widget.${a.hash}.js` : '/widget.js'));
  });
  if (opts.dashboardPage) app.get('/dashboard', pageHeaders(true), (c) => c.html(opts.dashboardPage!()));
  return app;
}
