import { describe, expect, it } from 'vitest';
import { embedPage, freshRoom, screenshot, widgetOf, type BrowserEnv } from './harness';

/** The launcher badge, the page title and the optional sound. */
export function unreadSuite(env: BrowserEnv) {
  describe('unread means unread', () => {
    it('a first visit counts no history; an answer while closed shows badge, title and a tone; a return counts what came meanwhile', async () => {
      const room = freshRoom('unread');
      const key = env.server.demo.publishableKey;
      for (let i = 1; i <= 3; i++) {
        const res = await fetch(`${env.server.url}/v1/rooms/${room}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${env.server.demo.secretKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ id: `old-${i}`, user: 'agent', name: 'Agent', text: `old ${i}` }),
        });
        expect(res.status).toBe(201);
      }
      const bobPage = await env.newPage();
      await bobPage.goto(env.site.page(`/${room}-bob.html`, embedPage({ api: env.server.url, attrs: { key, room, name: 'Bob' } })));
      const bob = widgetOf(bobPage);
      await bob.open();
      await bob.connected();

      const visitor = await env.newPage();
      // Counts the tones the widget starts (the page's own code could do the same).
      await visitor.addInitScript(() => {
        const start = OscillatorNode.prototype.start;
        (window as unknown as { __tones: number }).__tones = 0;
        OscillatorNode.prototype.start = function (...a) {
          (window as unknown as { __tones: number }).__tones++;
          return start.apply(this, a);
        };
      });
      const url = env.site.page(`/${room}-visitor.html`, embedPage({ api: env.server.url, attrs: { key, room, name: 'Vi', sound: '' } }));
      await visitor.goto(url);
      const v = widgetOf(visitor);
      const tones = () => visitor.evaluate(() => (window as unknown as { __tones: number }).__tones);
      // Bob sees the visitor arrive: the visitor has joined, with three old messages in the room.
      await expect.poll(() => bob.panel.locator('.state').innerText()).toBe('2 online');
      expect(await v.badge.count()).toBe(0);
      expect(await visitor.title()).toBe('site');

      await bob.send('Hello, can I help?');
      await expect.poll(() => v.badge.innerText()).toBe('1');
      expect(await visitor.title()).toBe('(1) site');
      expect(await tones()).toBe(1);
      await screenshot(visitor, 'unread-badge');

      await v.open();
      await v.message('Hello, can I help?').waitFor();
      expect(await visitor.title()).toBe('site');
      // Only the new one is below the "New messages" line.
      expect(await visitor.locator('parley-chat .divider + .msg .bubble').innerText()).toBe('Hello, can I help?');
      await expect.poll(() => bob.message('Hello, can I help?').getAttribute('data-status')).toBe('seen');
      await v.launcher.click();
      expect(await v.badge.count()).toBe(0);
      await visitor.close();

      // Away: two more. Back on the site (same browser), the launcher counts just those.
      await bob.send('Are you still there?');
      await bob.send('We are open until 6.');
      const back = await visitor.context().newPage();
      await back.goto(url);
      const b = widgetOf(back);
      await expect.poll(() => b.badge.innerText()).toBe('2');
      expect(await back.title()).toBe('(2) site');
    });

    it('sound is off unless asked for', async () => {
      const room = freshRoom('quiet');
      const key = env.server.demo.publishableKey;
      const page = await env.newPage();
      await page.addInitScript(() => {
        (window as unknown as { __tones: number }).__tones = 0;
        OscillatorNode.prototype.start = () => void (window as unknown as { __tones: number }).__tones++;
      });
      await page.goto(env.site.page(`/${room}.html`, embedPage({ api: env.server.url, attrs: { key, room, name: 'Q' } })));
      const w = widgetOf(page);
      // No wait for this page's 'connected' status event: it may come before a listener could
      // be added (that race hung this test). '2 online' on the other page says both are in.
      const other = await env.newPage();
      await other.goto(env.site.page(`/${room}-o.html`, embedPage({ api: env.server.url, attrs: { key, room, name: 'O' } })));
      const o = widgetOf(other);
      await o.open();
      await o.connected();
      await expect.poll(() => o.panel.locator('.state').innerText()).toBe('2 online');
      await o.send('psst');
      await expect.poll(() => w.badge.innerText()).toBe('1');
      expect(await page.evaluate(() => (window as unknown as { __tones: number }).__tones)).toBe(0);
    });
  });
}
