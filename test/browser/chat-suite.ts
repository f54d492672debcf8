import { describe, expect, it } from 'vitest';
import { embedPage, freshRoom, screenshot, widgetOf, type BrowserEnv, type Widget } from './harness';

/** Two people, a reload, a server restart and the browser going offline. */
export function chatSuite(env: BrowserEnv) {
  /** A person: their own browser context (own localStorage), on a page of the site. */
  async function person(room: string, name: string): Promise<Widget> {
    const page = await env.newPage();
    const url = env.site.page(`/${room}-${name}.html`, embedPage({ api: env.server.url, attrs: { key: env.server.demo.publishableKey, room, name } }));
    await page.goto(url);
    const w = widgetOf(page);
    await w.open();
    await w.connected();
    return w;
  }

  /** The room's stored messages, read through the HTTP API. */
  async function stored(room: string): Promise<{ text?: string }[]> {
    const res = await fetch(`${env.server.url}/v1/rooms/${room}/messages?limit=200`, {
      headers: { authorization: `Bearer ${env.server.demo.secretKey}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { messages: { text?: string }[] }).messages;
  }

  describe('older messages', () => {
    it('load when scrolling up, in order, without moving what the reader sees', async () => {
      const room = freshRoom('older');
      const post = (i: number) =>
        fetch(`${env.server.url}/v1/rooms/${room}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${env.server.demo.secretKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ id: `seed-${i}`, user: `seeder-${i}`, name: 'Seeder', text: `old ${i}` }),
        });
      const statuses = await Promise.all(Array.from({ length: 60 }, (_, i) => post(i + 1).then((r) => r.status)));
      expect(new Set(statuses)).toEqual(new Set([201]));
      // Posted at once, so the server's seq order is the truth to compare with.
      const bySeq = (await stored(room)).map((m) => m.text);
      expect(bySeq).toHaveLength(60);
      const reader = await person(room, 'Reader');
      await expect.poll(() => reader.bubbles.count()).toBe(50);
      expect(await reader.texts()).toEqual(bySeq.slice(10));
      const log = reader.page.locator('parley-chat .log');
      await log.evaluate((el) => el.scrollTo(0, 0));
      await expect.poll(() => reader.bubbles.count()).toBe(60);
      expect(await reader.texts()).toEqual(bySeq);
      // The messages that were on screen stay on screen: the list grew above them.
      expect(await log.evaluate((el) => el.scrollTop)).toBeGreaterThan(100);
      const [logBox, oldTop] = [await log.boundingBox(), await reader.message(bySeq[10]!).boundingBox()];
      expect(oldTop!.y).toBeGreaterThanOrEqual(logBox!.y);
      expect(oldTop!.y).toBeLessThan(logBox!.y + logBox!.height);
      await screenshot(reader.page, 'older-loaded');
    });
  });

  describe('two people chatting', () => {
    const room = freshRoom('duo');
    let alice: Widget;
    let bob: Widget;

    it('two people chat both ways, with names, typing, presence and receipts', async () => {
      [alice, bob] = await Promise.all([person(room, 'Alice'), person(room, 'Bob')]);
      await expect.poll(() => alice.panel.locator('.state').innerText()).toBe('2 online');

      await alice.textbox.pressSequentially('Hi Bob');
      await expect.poll(() => bob.typing.innerText()).toBe('Alice is typing…');
      await alice.textbox.press('Enter');
      await bob.message('Hi Bob').waitFor();
      await expect.poll(() => bob.message('Hi Bob').locator('.who b').innerText()).toBe('Alice');
      // Bob has the panel open at the bottom of a visible tab: Alice's message turns "seen".
      await expect.poll(() => alice.message('Hi Bob').getAttribute('data-status')).toBe('seen');
      await expect.poll(() => bob.typing.innerText()).toBe('');

      await bob.send('Hi Alice, https://example.com/x');
      await alice.message('Hi Alice, https://example.com/x').waitFor();
      expect(await alice.message('Hi Alice, https://example.com/x').locator('.who b').innerText()).toBe('Bob');
      expect(await alice.texts()).toEqual(['Hi Bob', 'Hi Alice, https://example.com/x']);
      expect(await bob.texts()).toEqual(['Hi Bob', 'Hi Alice, https://example.com/x']);
      expect(await alice.message('Hi Bob').getAttribute('class')).toContain('own');
      expect(await alice.message('Hi Alice, https://example.com/x').getAttribute('class')).not.toContain('own');
      await Promise.all([screenshot(alice.page, 'duo-alice'), screenshot(bob.page, 'duo-bob')]);
    });

    it('a reload shows the history once, still as the same guest, and counts unread on the launcher', async () => {
      await alice.page.reload();
      // Closed after reload: Bob's next message shows as a badge.
      await alice.launcher.waitFor();
      await bob.send('while you were away');
      await expect.poll(() => alice.badge.innerText(), { timeout: 10_000 }).toBe('1');
      expect(await alice.launcher.getAttribute('aria-label')).toBe('Open chat, 1 unread');
      await alice.open();
      await alice.message('while you were away').waitFor();
      expect(await alice.texts()).toEqual(['Hi Bob', 'Hi Alice, https://example.com/x', 'while you were away']);
      // The guest token kept Alice's identity: her old message is still hers.
      expect(await alice.message('Hi Bob').getAttribute('class')).toContain('own');
      // Read in the open panel: the count drops to 0, so closing shows no badge.
      await expect.poll(() => alice.page.evaluate(() => (window as unknown as { __events: [string, unknown][] }).__events.filter(([e]) => e === 'unread').at(-1)?.[1])).toBe(0);
      await alice.launcher.click();
      expect(await alice.badge.count()).toBe(0);
      await alice.open();
      await screenshot(alice.page, 'reload-alice');
    });

    it('survives a server restart while a person types: shows reconnecting, delivers once', async () => {
      await alice.textbox.fill('');
      await alice.textbox.pressSequentially('typed across');
      // Every status the widget goes through, recorded in the page from before the restart: the
      // reconnecting window can be shorter than a poll of the DOM.
      // The label shown in that state is recorded the same way, by an observer of the panel.
      await alice.page.evaluate(() => {
        const w = window as unknown as { __statuses: string[]; __labels: string[]; Parley: { on(e: 'status', f: (s: string) => void): void } };
        w.__statuses = [];
        w.__labels = [];
        w.Parley.on('status', (st) => w.__statuses.push(st));
        const root = document.querySelector('parley-chat')!.shadowRoot!;
        const look = () => {
          const el = root.querySelector('.panel[data-state=reconnecting] .state');
          if (el?.textContent) w.__labels.push(el.textContent);
        };
        new MutationObserver(look).observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
      });
      const restarting = env.server.restart();
      const seen = () =>
        alice.page.evaluate(() => {
          const w = window as unknown as { __statuses: string[]; __labels: string[] };
          return { __statuses: w.__statuses, __labels: w.__labels };
        });
      await expect.poll(async () => (await seen()).__statuses).toContain('reconnecting');
      await expect.poll(async () => (await seen()).__labels).toContain('Reconnecting…');
      await screenshot(alice.page, 'restart-reconnecting');
      await alice.textbox.pressSequentially(' a restart');
      await alice.textbox.press('Enter');
      await bob.send('bob during restart');
      await restarting;

      await Promise.all([alice.connected(), bob.connected()]);
      await bob.message('typed across a restart').waitFor({ timeout: 15_000 });
      await alice.message('bob during restart').waitFor({ timeout: 15_000 });
      await expect.poll(() => alice.message('typed across a restart').getAttribute('data-status')).toMatch(/^(sent|seen)$/);
      const expected = ['Hi Bob', 'Hi Alice, https://example.com/x', 'while you were away'];
      for (const w of [alice, bob]) {
        const texts = await w.texts();
        expect(texts.slice(0, 3)).toEqual(expected);
        expect(texts.slice(3).sort()).toEqual(['bob during restart', 'typed across a restart']);
      }
      const db = (await stored(room)).map((m) => m.text);
      expect(db.filter((t) => t === 'typed across a restart')).toHaveLength(1);
      expect(db.filter((t) => t === 'bob during restart')).toHaveLength(1);
      const statuses = await alice.page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
      expect(statuses).toContain('reconnecting');
      expect(statuses.at(-1)).toBe('connected');
      await screenshot(alice.page, 'restart-after');
    });

    it('goes offline with the browser and sends what was written offline when back', async () => {
      const context = alice.page.context();
      await context.setOffline(true);
      expect(await alice.page.locator('parley-chat .panel[data-state=offline] .state').innerText()).toBe('You are offline');
      await alice.send('written offline');
      expect(await alice.message('written offline').getAttribute('data-status')).toBe('sending');
      await screenshot(alice.page, 'offline');
      await context.setOffline(false);
      await bob.message('written offline').waitFor({ timeout: 15_000 });
      await expect.poll(() => alice.message('written offline').getAttribute('data-status')).toMatch(/^(sent|seen)$/);
      expect((await bob.texts()).filter((t) => t === 'written offline')).toHaveLength(1);
    });
  });
}
