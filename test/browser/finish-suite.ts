import { describe, expect, it } from 'vitest';
import { embedPage, freshRoom, screenshot, widgetOf, type BrowserEnv } from './harness';

/** A site's own page in its own language and direction, with the widget embedded. */
const sitePage = (o: { api: string; lang: string; dir?: string; attrs: Record<string, string> }) =>
  embedPage({ api: o.api, attrs: o.attrs }).replace('<html lang="en">', `<html lang="${o.lang}"${o.dir ? ` dir="${o.dir}"` : ''}>`);

/** Languages, right-to-left, themes, guest names, avatars, day separators, www. links. */
export function finishSuite(env: BrowserEnv) {
  describe('the finish', () => {
    const key = () => env.server.demo.publishableKey;

    it('on an Arabic right-to-left page: Arabic texts, mirrored layout, launcher on the left; text sets its own direction', async () => {
      const room = freshRoom('rtl');
      const page = await env.newPage();
      const packs: string[] = [];
      page.on('request', (r) => r.url().includes('/widget/locales/') && packs.push(new URL(r.url()).pathname));
      await page.goto(env.site.page(`/${room}.html`, sitePage({ api: env.server.url, lang: 'ar', dir: 'rtl', attrs: { key: key(), room, name: 'سارة' } })));
      const w = widgetOf(page);
      await w.launcher.waitFor();
      expect(packs).toEqual(['/widget/locales/ar.json']);
      expect(await w.launcher.getAttribute('aria-label')).toBe('افتح الدردشة');
      const box = (await w.launcher.boundingBox())!;
      expect(box.x).toBe(20);
      await w.open();
      await w.connected();
      expect(await page.locator('parley-chat .root').getAttribute('dir')).toBe('rtl');
      expect(await page.locator('parley-chat h2').innerText()).toBe('الدردشة');
      expect(await w.textbox.getAttribute('placeholder')).toBe('اكتب رسالة…');
      await w.send('مرحبا! كيف حالك؟');
      await w.send('Order #123 is late');
      await expect.poll(() => w.message('Order #123 is late').getAttribute('data-status')).toBe('sent');
      const dirs = await page.evaluate(() =>
        [...document.querySelector('parley-chat')!.shadowRoot!.querySelectorAll('.bubble')].map((b) => getComputedStyle(b).direction),
      );
      expect(dirs).toEqual(['rtl', 'ltr']);
      // Own messages sit at the end of the line: the left, in a right-to-left panel.
      const own = (await w.message('مرحبا! كيف حالك؟').locator('.bubble').boundingBox())!;
      const panel = (await w.panel.boundingBox())!;
      expect(own.x - panel.x).toBeLessThan(40);
      expect(await page.locator('parley-chat .day').innerText()).toBe('اليوم');
      await screenshot(page, 'rtl-arabic');
    });

    it('German from the page language, dark by data-theme, a guest asked for a name, initials, www. links', async () => {
      const room = freshRoom('de');
      const page = await env.newPage({ colorScheme: 'light' });
      await page.goto(env.site.page(`/${room}.html`, sitePage({ api: env.server.url, lang: 'de-DE', attrs: { key: key(), room, theme: 'dark', 'ask-name': '' } })));
      const w = widgetOf(page);
      await w.open();
      await w.connected();
      expect(await w.panel.evaluate((p) => getComputedStyle(p).backgroundColor)).toBe('rgb(29, 31, 35)');
      // Asked before the first message; the composer comes after.
      expect(await w.textbox.count()).toBe(0);
      expect(await page.locator('parley-chat .ask label').innerText()).toBe('Wie dürfen wir dich nennen?');
      await screenshot(page, 'ask-name-dark-de');
      await page.locator('parley-chat .ask input').fill('Zoë Weber');
      await page.locator('parley-chat .ask button').click();
      await w.connected();
      await w.send('Siehe www.example.com/hilfe');
      await expect.poll(() => w.message('Siehe www.example.com/hilfe').getAttribute('data-status')).toBe('sent');
      expect(await w.message('Siehe www.example.com/hilfe').locator('a').getAttribute('href')).toBe('https://www.example.com/hilfe');
      expect(await page.locator('parley-chat .day').innerText()).toBe('Heute');
      expect(await page.locator('parley-chat .state').innerText()).toBe('1 online');

      // Someone else sees the chosen name, with initials on a colour of Zoë's own.
      const other = await env.newPage();
      await other.goto(env.site.page(`/${room}-o.html`, embedPage({ api: env.server.url, attrs: { key: key(), room, name: 'Otto' } })));
      const o = widgetOf(other);
      await o.open();
      await o.message('Siehe www.example.com/hilfe').waitFor();
      const msg = o.message('Siehe www.example.com/hilfe');
      expect(await msg.locator('.who b').innerText()).toBe('Zoë Weber');
      expect(await msg.locator('.av').innerText()).toBe('ZW');
      expect(await msg.locator('.av').evaluate((a) => getComputedStyle(a).backgroundColor)).toMatch(/^rgb\(/);
      await screenshot(other, 'avatars-light');

      // Back later: the name is remembered, no question.
      await page.reload();
      await w.open();
      await w.connected();
      expect(await page.locator('parley-chat .ask').count()).toBe(0);
      expect(await w.textbox.count()).toBe(1);
      await screenshot(page, 'german-dark');
    });
  });
}
