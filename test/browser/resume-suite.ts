import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBalancer } from '../helpers/balancer';
import { createLogger } from '../../api/ops/logger';
import { patchSettings, startTestServer } from '../helpers/server';
import { browserStack } from '../helpers/stack';
import { twoServers, type TwoServers } from '../helpers/two-servers';
import { embedPage, freshRoom, screenshot, widgetOf, type BrowserEnv, type Widget } from './harness';

const DAY_MS = 86_400_000;

/** The tenant's backend, over the HTTP API of one server. */
function backend(base: string, secretKey: string) {
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${base}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => r.status);
  return {
    post: (room: string, id: string, text: string) => call('POST', `/rooms/${room}/messages`, { id, user: 'agent', name: 'Agent', text }),
    remove: (room: string, id: string) => call('DELETE', `/rooms/${room}/messages/${id}`),
  };
}

/**
 * Complete resume in the widget (api/protocol/README.md, "Complete resume"): a visitor who was
 * away comes back to what the room is now, on the same server, on another one, and after
 * retention removed what the resume point needed.
 */
export function resumeSuite(env: BrowserEnv) {
  /** A visitor's open widget on a page of the site, its API at `api`. */
  async function visitor(api: string, key: string, room: string): Promise<Widget> {
    const page = await env.newPage();
    await page.goto(env.site.page(`/${room}.html`, embedPage({ api, attrs: { key, room, name: 'Visitor' } })));
    // Still this page afterwards: the widget resumed, nothing reloaded it.
    await page.evaluate(() => ((window as unknown as { __samePage: boolean }).__samePage = true));
    const w = widgetOf(page);
    await w.open();
    await w.connected();
    return w;
  }
  const samePage = (w: Widget) => w.page.evaluate(() => (window as unknown as { __samePage?: boolean }).__samePage === true);

  /** Offline with the browser (the widget drops its socket), `meanwhile`, then back online and connected. */
  async function away(w: Widget, meanwhile: () => Promise<void>) {
    const context = w.page.context();
    await context.setOffline(true);
    await w.page.locator('parley-chat .panel[data-state=offline]').waitFor();
    await meanwhile();
    await context.setOffline(false);
    await w.connected();
  }

  /**
   * Seeds "kept" and "doomed", shows them to a visitor, deletes "doomed" and posts "new" while
   * the visitor is away (`api` is where the page connects; `before`/`after` run the backend),
   * and checks what the visitor sees on return: the deletion, the new message, nothing twice.
   */
  async function deletedWhileAway(o: { room: string; api: string; key: string; before: ReturnType<typeof backend>; after: ReturnType<typeof backend>; meanwhile?: () => void }) {
    const { room } = o;
    expect(await o.before.post(room, 'kept', 'kept')).toBe(201);
    expect(await o.before.post(room, 'doomed', 'doomed')).toBe(201);
    const w = await visitor(o.api, o.key, room);
    await w.message('doomed').waitFor();
    expect(await w.texts()).toEqual(['kept', 'doomed']);
    await away(w, async () => {
      o.meanwhile?.();
      expect(await o.after.remove(room, 'doomed')).toBe(204);
      expect(await o.after.post(room, 'new', 'said while away')).toBe(201);
    });
    await w.message('said while away').waitFor();
    await expect.poll(() => w.texts()).toEqual(['kept', 'Message deleted', 'said while away']);
    expect(await w.page.locator('parley-chat .msg.gone').getAttribute('data-id')).toBe('doomed');
    expect(await samePage(w)).toBe(true);
    return w;
  }

  describe('complete resume', () => {
    it('a message deleted while the visitor was offline disappears on return, and the new one appears once', async () => {
      const { url, demo } = env.server;
      const api = backend(url, demo.secretKey);
      const w = await deletedWhileAway({ room: freshRoom('away'), api: url, key: demo.publishableKey, before: api, after: api });
      await screenshot(w.page, 'resume-deleted-while-away');
    });

    it('after retention removed what the resume point needed, the widget shows the room afresh', async () => {
      // A server of its own with a clock the test moves: retention purges at start.
      let offset = 0;
      const s = await startTestServer({ ...browserStack(), now: () => Date.now() + offset });
      try {
        await patchSettings(s, { retentionDays: 1 });
        const api = backend(s.url, s.demo.secretKey);
        const room = freshRoom('purged');
        for (const id of ['old-1', 'old-2']) expect(await api.post(room, id, id)).toBe(201);
        const w = await visitor(s.url, s.demo.publishableKey, room);
        await w.message('old-2').waitFor();
        await away(w, async () => {
          // Said while away, then two days on a restart purges all three: one the visitor never
          // got is gone, so its resume point is below the room's floor.
          expect(await api.post(room, 'old-3', 'old-3')).toBe(201);
          offset += 2 * DAY_MS;
          await s.restart();
          expect(await api.post(room, 'fresh', 'after the purge')).toBe(201);
        });
        // `reset`: what the widget held is dropped (no "deleted" rows for purged messages).
        await expect.poll(() => w.texts()).toEqual(['after the purge']);
        expect(await samePage(w)).toBe(true);
      } finally {
        await s.stop();
      }
      // A start and a restart of a server of its own: on PGlite each takes seconds.
    }, 90_000);
  });

  // Two servers share a database only on Postgres; the embedded stack is one server by design.
  (browserStack().backend === 'postgres' ? describe : describe.skip)('complete resume across two servers', () => {
    let pair: TwoServers;
    let balancer: Awaited<ReturnType<typeof startBalancer>>;
    beforeAll(async () => {
      pair = await twoServers({ logger: createLogger({ level: 'silent' }) });
      balancer = await startBalancer(pair.a.port);
    });
    afterAll(async () => {
      await balancer?.close();
      await pair?.stop();
    });

    it('a visitor who left server A comes back through the balancer to server B and sees the deletion and the new message', async () => {
      const { a, b, bUrl } = pair;
      await deletedWhileAway({
        room: freshRoom('across'),
        api: balancer.url,
        key: a.demo.publishableKey,
        // Seeded on A, changed on B: the change reaches the visitor only through the database.
        before: backend(a.url, a.demo.secretKey),
        after: backend(bUrl, a.demo.secretKey),
        meanwhile: () => balancer.to(b.port),
      });
      // The socket is on B now, and none is left on A.
      expect(b.stats().connections).toBe(1);
      await expect.poll(() => a.server.stats().connections).toBe(0);
    });
  });
}
