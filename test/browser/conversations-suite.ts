import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSupportSite } from '../examples/support-site';
import { userToken } from '../helpers/client';
import { embedPage, screenshot, widgetOf, type BrowserEnv } from './harness';

/** test/examples/support-site.ts end to end: a private room per signed-in visitor, and a shared one. */
export function conversationsSuite(env: BrowserEnv) {
  describe('conversations: the example site', () => {
    let site: Awaited<ReturnType<typeof startSupportSite>>;
    beforeAll(async () => {
      site = await startSupportSite({ parley: env.server.url, publishableKey: env.server.demo.publishableKey, secretKey: env.server.demo.secretKey });
    });
    afterAll(() => site?.close());

    const signIn = async (name: string) => {
      const page = await env.newPage();
      await page.goto(`${site.origin}/login?as=${name}`);
      const w = widgetOf(page);
      await w.open();
      await w.connected();
      return w;
    };
    const reply = (room: string, text: string) =>
      fetch(`${env.server.url}/v1/rooms/${room}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.server.demo.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: crypto.randomUUID(), user: 'agent', name: 'Agent', text }),
      }).then((r) => expect(r.status).toBe(201));

    it('each signed-in visitor gets a private room with the agent; two visitors never see each other', async () => {
      const [ann, ben] = await Promise.all([signIn('Ann'), signIn('Ben')]);
      expect(await ann.page.locator('parley-chat h2').innerText()).toBe('Support');
      await ann.send('Where is my order #123?');
      await ben.send('Do you ship to Norway?');
      await expect.poll(() => ann.message('Where is my order #123?').getAttribute('data-status')).toBe('sent');
      await expect.poll(() => ben.message('Do you ship to Norway?').getAttribute('data-status')).toBe('sent');
      await reply('support-ann', 'Ann, it ships today.');
      await reply('support-ben', 'Ben, yes we do.');
      await ann.message('Ann, it ships today.').waitFor();
      await ben.message('Ben, yes we do.').waitFor();
      expect(await ann.texts()).toEqual(['Where is my order #123?', 'Ann, it ships today.']);
      expect(await ben.texts()).toEqual(['Do you ship to Norway?', 'Ben, yes we do.']);
      await screenshot(ann.page, 'private-room-ann');

      // Ben pointing his widget at Ann's room is turned away by the server.
      const snoop = await env.newPage();
      const token = await userToken(env.server.demo.secretKey, { sub: 'ben', name: 'ben' });
      await snoop.goto(env.site.page('/snoop.html', embedPage({ api: env.server.url, attrs: { key: env.server.demo.publishableKey, room: 'support-ann', token } })));
      const s = widgetOf(snoop);
      await s.open();
      await expect.poll(() => snoop.locator('parley-chat .dead').textContent()).toBe('This conversation is private');
      expect(await s.bubbles.count()).toBe(0);
    });

    it('the community page is one room for everyone', async () => {
      const open = async () => {
        const page = await env.newPage();
        await page.goto(`${site.origin}/community`);
        const w = widgetOf(page);
        await w.open();
        await w.connected();
        return w;
      };
      const [a, b] = await Promise.all([open(), open()]);
      await a.send('Hello everyone');
      await b.message('Hello everyone').waitFor();
      await b.send('Hi!');
      await a.message('Hi!').waitFor();
      await screenshot(b.page, 'community-room');
    });
  });
}
