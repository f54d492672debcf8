import type { WebSocket } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { embedPage, freshRoom, screenshot, widgetOf, type BrowserEnv } from './harness';
import { HOSTILE_BODY, HOSTILE_CSS, snapshot } from './hostile-page';

/** The widget on pages that fight it, for people who type markup at it, by keyboard and on phones. */
export function embeddingSuite(env: BrowserEnv) {
  describe('the widget on a hostile page', () => {
    it('works through hostile CSS and changes nothing of the page; loading twice makes one widget', async () => {
      const page = await env.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const sockets: string[] = [];
      page.on('websocket', (ws) => sockets.push(ws.url()));
      const url = env.site.page('/hostile.html', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>hostile</title>${HOSTILE_CSS}</head><body>${HOSTILE_BODY}</body></html>`);
      await page.goto(url);
      const before = await snapshot(page);

      // Embedded twice, the way a CMS block plus a tag manager would.
      const room = freshRoom('hostile');
      await page.evaluate(
        ({ api, key, room }) => {
          for (let i = 0; i < 2; i++) {
            const s = document.createElement('script');
            s.src = `${api}/widget.js`;
            s.dataset.key = key;
            s.dataset.room = room;
            s.dataset.name = 'Mallory';
            document.body.append(s);
          }
        },
        { api: env.server.url, key: env.server.demo.publishableKey, room },
      );
      const w = widgetOf(page);
      await w.launcher.waitFor();
      await expect.poll(() => page.evaluate(() => document.querySelectorAll('parley-chat').length)).toBe(1);

      // The launcher is where it should be, visible and on top of the page's z-index monster.
      const box = (await w.launcher.boundingBox())!;
      const viewport = page.viewportSize()!;
      expect(box.width).toBe(56);
      expect(box.height).toBe(56);
      expect(box.x + box.width).toBe(viewport.width - 20);
      expect(box.y + box.height).toBe(viewport.height - 20);
      await w.open();
      await w.connected();
      const panel = (await w.panel.boundingBox())!;
      expect(panel.width).toBe(370);
      await w.send('works on a hostile page');
      await expect.poll(() => w.message('works on a hostile page').getAttribute('data-status')).toBe('sent');

      // Inside, our styles rule: not the page's font, size, colour, case or direction.
      const inner = await page.evaluate(() => {
        const root = document.querySelector('parley-chat')!.shadowRoot!;
        const cs = (sel: string) => getComputedStyle(root.querySelector(sel)!);
        const host = getComputedStyle(document.querySelector('parley-chat')!);
        return {
          host: [host.display, host.position, host.opacity, host.visibility, host.transform, host.zIndex],
          hostBefore: getComputedStyle(document.querySelector('parley-chat')!, '::before').content,
          textarea: [cs('textarea').fontSize, cs('textarea').fontFamily, cs('textarea').display, cs('textarea').textTransform],
          bubble: [cs('.bubble').letterSpacing, cs('.bubble').color, cs('.bubble').direction],
          hit: document.elementFromPoint(innerWidth - 48, innerHeight - 48)?.localName,
        };
      });
      expect(inner.host).toEqual(['block', 'fixed', '1', 'visible', 'none', '2147483647']);
      expect(inner.hostBefore).toBe('none');
      expect(inner.textarea[0]).toBe('16px');
      expect(inner.textarea[1]).not.toMatch(/comic|fantasy/i);
      expect(inner.textarea.slice(2)).toEqual(['block', 'none']);
      expect(inner.bubble).toEqual(['normal', 'rgb(255, 255, 255)', 'ltr']);
      expect(inner.hit).toBe('parley-chat');
      await screenshot(page, 'hostile-page');

      // The page is exactly as it was, and its own controls still work.
      const after = await snapshot(page);
      expect(after).toEqual({ ...before, globals: [...before.globals, 'Parley'].sort() });
      await page.evaluate(() => document.getElementById('own-button')!.click());
      expect(await page.evaluate(() => (window as unknown as { __clicked?: boolean }).__clicked)).toBe(true);

      // It asked for nothing but its own script and the WebSocket.
      const extra = requests.filter((r) => r !== url && !r.endsWith('/favicon.ico'));
      expect(extra.length).toBeGreaterThan(0);
      expect(extra.filter((r) => r !== `${env.server.url}/widget.js`)).toEqual([]);
      expect(sockets).toEqual([`${env.server.url.replace('http', 'ws')}/v1/ws?key=${env.server.demo.publishableKey}`]);
    });

    it('markup and javascript: links arrive as text and run nothing', async () => {
      // The server refuses such messages by default (tests in test/http/moderation.test.ts); a
      // tenant may allow them, and then the widget itself must still render them as text.
      const rejectExecutable = (on: boolean) =>
        fetch(`${env.server.url}/admin/api/tenants/${env.server.demo.tenantId}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${env.server.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ settings: { rejectExecutable: on } }),
        }).then((r) => expect(r.status).toBe(200));
      await rejectExecutable(false);
      onTestFinished(() => rejectExecutable(true));
      const room = freshRoom('xss');
      const [alice, eve] = await Promise.all([env.newPage(), env.newPage()]);
      const dialogs: string[] = [];
      for (const p of [alice, eve]) p.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()));
      const attrs = (name: string) => ({ key: env.server.demo.publishableKey, room, name });
      await alice.goto(env.site.page(`/${room}-a.html`, embedPage({ api: env.server.url, attrs: attrs('Alice') })));
      await eve.goto(env.site.page(`/${room}-e.html`, embedPage({ api: env.server.url, attrs: attrs('<b>Eve</b>') })));
      const [a, e] = [widgetOf(alice), widgetOf(eve)];
      await Promise.all([a.open(), e.open()]);
      await Promise.all([a.connected(), e.connected()]);

      const evil = [
        '<img src=x onerror="window.__pwned=1;alert(1)">',
        '<script>window.__pwned=2</script>',
        '[click me](javascript:window.__pwned=3)',
        'javascript:window.__pwned=4',
        '<a href="javascript:window.__pwned=5">x</a>',
        'safe: https://example.com/ok?q=1&r=2.',
      ];
      for (const text of evil) await e.send(text);
      await a.message(evil.at(-1)!).waitFor();

      for (const [w, p] of [[a, alice], [e, eve]] as const) {
        expect(await w.texts()).toEqual(evil);
        const found = await p.evaluate(() => {
          const root = document.querySelector('parley-chat')!.shadowRoot!;
          return {
            dangerous: root.querySelectorAll('img, script, iframe, object, embed').length,
            links: [...root.querySelectorAll('a')].map((l) => [l.getAttribute('href'), l.rel, l.target, l.textContent]),
            pwned: (window as unknown as { __pwned?: number }).__pwned,
          };
        });
        expect(found.dangerous).toBe(0);
        expect(found.links).toEqual([['https://example.com/ok?q=1&r=2', 'noopener noreferrer', '_blank', 'https://example.com/ok?q=1&r=2']]);
        expect(found.pwned).toBeUndefined();
      }
      expect(await a.message(evil[0]).locator('.who b').innerText()).toBe('<b>Eve</b>');

      // Clicking the javascript: text does nothing; the real link opens with no way back to the page.
      await a.message(evil[3]).locator('.bubble').click();
      await alice.context().route('https://example.com/**', (r) => r.fulfill({ body: '<title>ok</title>', contentType: 'text/html' }));
      const [popup] = await Promise.all([alice.context().waitForEvent('page'), a.message(evil[5]).locator('a').click()]);
      await popup.waitForLoadState();
      expect(await popup.evaluate(() => window.opener)).toBeNull();
      expect(await alice.evaluate(() => [location.pathname, (window as unknown as { __pwned?: number }).__pwned])).toEqual([`/${room}-a.html`, undefined]);
      expect(dialogs).toEqual([]);
      await screenshot(alice, 'xss-as-text');
    });
  });

  describe('the widget for every person', () => {
    it('is reachable by keyboard, labelled, and Escape closes it', async () => {
      const page = await env.newPage();
      const sockets: WebSocket[] = [];
      page.on('websocket', (ws) => sockets.push(ws));
      const room = freshRoom('a11y');
      await page.goto(env.site.page(`/${room}.html`, embedPage({ api: env.server.url, attrs: { key: env.server.demo.publishableKey, room, title: 'Support' } })));
      const w = widgetOf(page);
      await w.launcher.waitFor();
      await page.keyboard.press('Tab');
      expect(await w.launcher.evaluate((b) => b === (b.getRootNode() as ShadowRoot).activeElement)).toBe(true);
      expect(await w.launcher.evaluate((b) => getComputedStyle(b).outlineStyle)).toBe('solid');
      await page.keyboard.press('Enter');
      await w.connected();
      // Focus moves in an effect after the panel renders.
      await expect.poll(() => w.textbox.evaluate((t) => t === (t.getRootNode() as ShadowRoot).activeElement)).toBe(true);
      const a11y = await page.evaluate(() => {
        const root = document.querySelector('parley-chat')!.shadowRoot!;
        return {
          unlabeled: [...root.querySelectorAll('button, textarea')].filter((el) => !el.getAttribute('aria-label')).length,
          log: [root.querySelector('.log')?.getAttribute('role'), root.querySelector('.log')?.getAttribute('aria-live')],
          dialog: root.querySelector('[role=dialog]')?.getAttribute('aria-labelledby'),
          title: root.querySelector('h2')?.textContent,
        };
      });
      expect(a11y).toEqual({ unlabeled: 0, log: ['log', 'polite'], dialog: 'parley-title', title: 'Support' });

      // Shift+Enter breaks the line, Enter sends both lines as one message.
      await w.textbox.pressSequentially('line one');
      await w.textbox.press('Shift+Enter');
      await w.textbox.pressSequentially('line two');
      await w.textbox.press('Enter');
      await w.message('line one\nline two').waitFor();
      expect(await w.textbox.inputValue()).toBe('');

      await page.keyboard.press('Escape');
      await expect.poll(() => w.panel.count()).toBe(0);
      expect(await w.launcher.evaluate((b) => b === (b.getRootNode() as ShadowRoot).activeElement)).toBe(true);
      expect(await page.evaluate(() => (window as unknown as { __events: [string][] }).__events.map(([e]) => e).filter((e) => e === 'open' || e === 'close'))).toEqual(['open', 'close']);

      // The page's API drives it too, and destroy() leaves nothing behind.
      await page.evaluate(() => window.Parley!.open());
      await expect.poll(() => w.panel.count()).toBe(1);
      await page.evaluate(() => window.Parley!.destroy());
      expect(await page.evaluate(() => [document.querySelectorAll('parley-chat').length, typeof window.Parley])).toEqual([0, 'undefined']);
      expect(sockets.length).toBe(1);
      await expect.poll(() => sockets[0].isClosed()).toBe(true);
    });

    it('fills a phone screen with an input that does not make iOS zoom; follows dark mode and reduced motion', async () => {
      const page = await env.newPage({
        viewport: { width: 375, height: 667 },
        isMobile: true,
        hasTouch: true,
        colorScheme: 'dark',
        reducedMotion: 'reduce',
      });
      const room = freshRoom('phone');
      await page.goto(env.site.page(`/${room}.html`, embedPage({ api: env.server.url, attrs: { key: env.server.demo.publishableKey, room, open: 'true' } })));
      const w = widgetOf(page);
      await w.connected();
      expect(await w.panel.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
      expect(await w.textbox.evaluate((t) => getComputedStyle(t).fontSize)).toBe('16px');
      // Reduced motion: the panel does not slide in. Dark scheme: a dark panel.
      expect(await w.panel.evaluate((p) => [p.getAnimations().length, getComputedStyle(p).backgroundColor])).toEqual([0, 'rgb(29, 31, 35)']);
      // Opened by the page's option, not by the person: focus stays with the page.
      expect(await page.evaluate(() => document.activeElement?.localName)).toBe('body');
      await screenshot(page, 'phone');
    });
  });
}
