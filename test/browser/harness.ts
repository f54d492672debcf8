import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server';
import { browserStack } from '../helpers/stack';

export const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** Launches headless Chromium; throws (the tests fail, never skip) when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A site owner's web server on its own origin (another port than the API), so the widget
 * really runs cross-origin and finds the API from its script's `src`.
 */
export async function startSite() {
  const pages = new Map<string, string>();
  const routes = new Map<string, () => Promise<unknown>>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = req.method === 'POST' ? routes.get(path) : undefined;
    if (route) {
      route().then(
        (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        () => res.writeHead(500).end(),
      );
      return;
    }
    const html = pages.get(path);
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    /** Serves `html` at `path`; returns the page's full URL. */
    page(path: string, html: string): string {
      pages.set(path, html);
      return origin + path;
    },
    /** Answers POST `path` with the JSON `answer` resolves to (a site's own endpoint, e.g. a token URL). */
    route(path: string, answer: () => Promise<unknown>) {
      routes.set(path, answer);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Site = Awaited<ReturnType<typeof startSite>>;

/** One server, one site and one browser for all browser tests (a server start costs seconds). */
export interface BrowserEnv {
  readonly server: TestServer;
  readonly site: Site;
  readonly browser: Browser;
  /** A page in a fresh context (its own localStorage); page errors fail the test. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
}

/** Registers the hooks that start and stop the environment; call at the top of a test file. */
export function useBrowserEnv(): BrowserEnv {
  let server: TestServer;
  let site: Site;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const pageErrors: Error[] = [];
  beforeAll(async () => {
    [server, site, browser] = await Promise.all([startTestServer(browserStack()), startSite(), launchChromium()]);
  });
  afterEach(() => expect(pageErrors).toEqual([]));
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await site?.close();
    await server?.stop();
  });
  return {
    get server() {
      return server;
    },
    get site() {
      return site;
    },
    get browser() {
      return browser;
    },
    async newPage(options) {
      const context = await browser.newContext(options);
      // Fail with Playwright's message well before the test's own timeout.
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => pageErrors.push(e));
      return page;
    },
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A page embedding the widget as a site owner would: one script tag with data- attributes. */
export function embedPage(o: { api: string; attrs: Record<string, string>; head?: string; body?: string }): string {
  const attrs = Object.entries(o.attrs)
    .map(([k, v]) => ` data-${k}="${esc(v)}"`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>site</title>${o.head ?? ''}</head>
<body>${o.body ?? '<h1>A site</h1>'}
<script>window.__statuses = []; window.__events = [];</script>
<script src="${esc(o.api)}/widget.js"${attrs} async></script>
<script>
  // Record what the page's own code would see through the public API.
  (function wait() {
    if (!window.Parley) return setTimeout(wait, 10);
    Parley.on('status', function (s) { __statuses.push(s); });
    ['open', 'close', 'unread', 'message'].forEach(function (e) {
      Parley.on(e, function (p) { __events.push([e, p && p.text !== undefined ? p.text : p]); });
    });
  })();
</script>
</body></html>`;
}

/** Handles on the widget inside one page (Playwright's CSS locators pierce the open shadow root). */
export function widgetOf(page: Page) {
  const panel = page.locator('parley-chat .panel');
  return {
    page,
    launcher: page.locator('parley-chat .launcher'),
    panel,
    textbox: page.locator('parley-chat textarea'),
    typing: page.locator('parley-chat .typing'),
    badge: page.locator('parley-chat .badge'),
    bubbles: page.locator('parley-chat .msg .bubble'),
    /** The message whose text is exactly `text`. */
    message(text: string): Locator {
      return page.locator('parley-chat .msg').filter({ has: page.locator('.bubble', { hasText: new RegExp(`^${escapeRe(text)}$`) }) });
    },
    async open() {
      await this.launcher.click();
      await expect.poll(() => panel.count()).toBe(1);
    },
    async connected() {
      await page.locator('parley-chat .panel[data-state=connected]').waitFor({ timeout: 15_000 });
    },
    async send(text: string) {
      await this.textbox.fill(text);
      await this.textbox.press('Enter');
    },
    /** Texts of all messages shown, in order. */
    texts: () => page.locator('parley-chat .msg .bubble').allInnerTexts(),
  };
}

export type Widget = ReturnType<typeof widgetOf>;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Saves a screenshot as a test artifact (test/artifacts/, gitignored). */
export async function screenshot(page: Page, name: string) {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Animations finished: a screenshot mid-fade would look broken when it is not.
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, animations: 'disabled' });
}

/** A room name no other test uses. */
export const freshRoom = (label: string) => `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
