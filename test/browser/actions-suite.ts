import { describe, expect, it } from 'vitest';
import { userToken } from '../helpers/client';
import { embedPage, freshRoom, screenshot, widgetOf, type BrowserEnv, type Widget } from './harness';

/** The per-message menu: report, delete, block and a moderator's delete, mute and ban, each seen by another person. */
export function actionsSuite(env: BrowserEnv) {
  describe('message actions', () => {
    const run = Math.random().toString(36).slice(2, 7);
    const id = (name: string) => `${name}-${run}`;

    /** A signed-in person (a token from the site's backend), with the panel open and connected. */
    async function person(room: string, name: string, role?: string): Promise<Widget> {
      const page = await env.newPage();
      const token = await userToken(env.server.demo.secretKey, { sub: id(name), name, role });
      await page.goto(env.site.page(`/${room}-${name}.html`, embedPage({ api: env.server.url, attrs: { key: env.server.demo.publishableKey, room, token } })));
      const w = widgetOf(page);
      await w.open();
      await w.connected();
      return w;
    }
    const api = async (path: string) =>
      (await fetch(`${env.server.url}/v1${path}`, { headers: { authorization: `Bearer ${env.server.demo.secretKey}` } })).json() as Promise<any>;
    /** Opens the message's menu, picks `action`, and confirms it (with a reason, where asked). */
    async function act(w: Widget, text: string, action: string, reason?: string) {
      const m = w.message(text);
      await m.getByRole('button', { name: 'Message actions' }).click();
      await m.locator('.menu').getByRole('button', { name: action }).click();
      if (reason !== undefined) await m.getByRole('textbox', { name: 'Reason (optional)' }).fill(reason);
      await m.locator('.menu').getByRole('button', { name: action }).click();
      await expect.poll(() => m.locator('.menu').count()).toBe(0);
    }
    const online = (w: Widget) => w.panel.locator('.state').innerText();

    it('report: keyboard-operable menu, a reason, and the report lands in the queue', async () => {
      const room = freshRoom('report');
      const [ann, bob] = await Promise.all([person(room, 'Ann'), person(room, 'Bob')]);
      await ann.send('buy cheap pills');
      await bob.message('buy cheap pills').waitFor();
      // Ann's own message offers Delete only; Bob's view of it offers Report and Block.
      const more = bob.message('buy cheap pills').getByRole('button', { name: 'Message actions' });
      await more.focus();
      await bob.page.keyboard.press('Enter');
      const menu = bob.message('buy cheap pills').locator('.menu');
      expect(await menu.getByRole('button').allInnerTexts()).toEqual(['Report', 'Block']);
      expect(await more.getAttribute('aria-expanded')).toBe('true');
      // Focus moved into the menu; Escape closes it (not the panel) and gives focus back.
      expect(await menu.getByRole('button', { name: 'Report' }).evaluate((b) => b === (b.getRootNode() as ShadowRoot).activeElement)).toBe(true);
      await bob.page.keyboard.press('Escape');
      expect(await menu.count()).toBe(0);
      expect(await bob.panel.count()).toBe(1);
      expect(await more.evaluate((b) => b === (b.getRootNode() as ShadowRoot).activeElement)).toBe(true);

      await more.click();
      await menu.getByRole('button', { name: 'Report' }).click();
      await bob.message('buy cheap pills').getByRole('textbox', { name: 'Reason (optional)' }).fill('spam');
      await screenshot(bob.page, 'action-report-confirm');
      await bob.page.keyboard.press('Enter');
      await expect.poll(() => bob.typing.innerText()).toBe('Thanks, reported');
      const { reports } = await api('/reports?status=open');
      expect(reports.find((r: { reporter: string }) => r.reporter === id('Bob'))).toMatchObject({
        room,
        reason: 'spam',
        message: { user: id('Ann'), text: 'buy cheap pills', deleted: false },
      });
      await ann.message('buy cheap pills').getByRole('button', { name: 'Message actions' }).click();
      expect(await ann.message('buy cheap pills').locator('.menu').getByRole('button').allInnerTexts()).toEqual(['Delete']);
    });

    it('delete own: after the confirm, the other person sees it deleted', async () => {
      const room = freshRoom('delete');
      const [ann, bob] = await Promise.all([person(room, 'Ann'), person(room, 'Bob')]);
      await ann.send('oops, wrong chat');
      await bob.message('oops, wrong chat').waitFor();
      // Cancel does nothing.
      const m = ann.message('oops, wrong chat');
      await m.getByRole('button', { name: 'Message actions' }).click();
      await m.locator('.menu').getByRole('button', { name: 'Delete' }).click();
      await m.locator('.menu').getByRole('button', { name: 'Cancel' }).click();
      expect(await m.locator('.menu').count()).toBe(0);
      await act(ann, 'oops, wrong chat', 'Delete');
      await expect.poll(() => bob.page.locator('parley-chat .msg.gone .bubble').allInnerTexts()).toEqual(['Message deleted']);
      expect(await bob.message('oops, wrong chat').count()).toBe(0);
      expect((await api(`/rooms/${room}/messages`)).messages).toEqual([expect.objectContaining({ deleted: true })]);
    });

    it('block hides the author’s messages, typing and presence, also after a reload; unblock brings them back', async () => {
      const room = freshRoom('block');
      const [ann, bob, cy] = await Promise.all([person(room, 'Ann'), person(room, 'Bob'), person(room, 'Cy')]);
      await expect.poll(() => online(bob)).toBe('3 online');
      await ann.send('you are all wrong');
      await bob.message('you are all wrong').waitFor();
      await act(bob, 'you are all wrong', 'Block');
      await expect.poll(() => bob.message('you are all wrong').count()).toBe(0);
      await expect.poll(() => online(bob)).toBe('2 online');
      const unblock = bob.panel.getByRole('button', { name: 'Unblock Ann' });
      await unblock.waitFor();

      // Ann goes on; what Cy says after her reaches Bob, so hers would have too.
      await ann.textbox.pressSequentially('still here');
      await cy.textbox.pressSequentially('hello');
      await expect.poll(() => bob.typing.innerText()).toBe('Cy is typing…');
      await ann.textbox.press('Enter');
      await cy.message('still here').waitFor();
      await cy.textbox.press('Enter');
      await bob.message('hello').waitFor();
      expect(await bob.texts()).toEqual(['hello']);
      await screenshot(bob.page, 'action-blocked');

      // The block is the server's: a reload shows nothing of Ann, and still offers to lift it.
      await bob.page.reload();
      await bob.open();
      await bob.connected();
      await bob.message('hello').waitFor();
      expect(await bob.texts()).toEqual(['hello']);
      expect(await online(bob)).toBe('2 online');
      await unblock.click();
      await expect.poll(() => bob.texts()).toEqual(['you are all wrong', 'still here', 'hello']);
      await expect.poll(() => online(bob)).toBe('3 online');
      expect(await unblock.count()).toBe(0);
      await ann.textbox.pressSequentially('thanks');
      // Ann may start within a second of her last start: the server then tells it when that
      // second is over, on its next sweep (typing.ts), so up to 1.5 s after she began.
      await expect.poll(() => bob.typing.innerText(), { timeout: 5000 }).toBe('Ann is typing…');
    });

    it('a moderator deletes anyone’s message, mutes (the muted person learns why) and bans, each after a confirm', async () => {
      const room = freshRoom('moderate');
      const [ann, bob, mod] = await Promise.all([person(room, 'Ann'), person(room, 'Bob'), person(room, 'Mo', 'moderator')]);
      await ann.send('rude words');
      await bob.send('more spam');
      await mod.message('more spam').waitFor();
      await mod.message('rude words').getByRole('button', { name: 'Message actions' }).click();
      expect(await mod.message('rude words').locator('.menu').getByRole('button').allInnerTexts()).toEqual(['Report', 'Delete', 'Block', 'Mute for 1 hour', 'Ban']);
      await mod.message('rude words').getByRole('button', { name: 'Message actions' }).click();

      await act(mod, 'rude words', 'Delete');
      await expect.poll(() => bob.message('rude words').count()).toBe(0);
      await expect.poll(() => bob.page.locator('parley-chat .msg.gone').count()).toBe(1);

      await act(mod, 'more spam', 'Mute for 1 hour', 'cool down');
      await expect.poll(() => mod.typing.innerText()).toBe('Done');
      await bob.send('am I muted?');
      const refused = bob.message('am I muted?');
      await expect.poll(() => refused.getAttribute('data-status')).toBe('failed');
      expect(await refused.locator('.reason').innerText()).toMatch(/^you are muted until .*: cool down$/);
      // The composer is off, under the server's words for it.
      await expect.poll(() => bob.page.locator('parley-chat .dead').textContent()).toMatch(/^you are muted until .*: cool down$/);
      expect(await bob.textbox.isDisabled()).toBe(true);
      expect((await api('/mutes')).mutes).toEqual(expect.arrayContaining([expect.objectContaining({ user: id('Bob'), reason: 'cool down' })]));
      await screenshot(bob.page, 'action-muted');

      await ann.send('and again');
      await act(mod, 'and again', 'Ban');
      await expect.poll(() => ann.page.locator('parley-chat .dead').textContent()).toBe("You can't send messages in this chat");
      expect((await api('/bans')).bans).toEqual(expect.arrayContaining([expect.objectContaining({ user: id('Ann'), until: null })]));
    });
  });
}
