import { beforeAll, describe, expect, it } from 'vitest';
import { userToken } from '../helpers/client';
import { embedPage, freshRoom, screenshot, widgetOf, type BrowserEnv } from './harness';

/** Messages the server refuses, and the dead ends where the visitor cannot write at all. */
export function refusalSuite(env: BrowserEnv) {
  describe('refusals and dead ends', () => {
    let tenant: { tenantId: string; publishableKey: string; secretKey: string };
    const api = (path: string, method: string, body?: unknown, bearer = tenant.secretKey) =>
      fetch(`${env.server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const settings = async (s: Record<string, unknown>) =>
      expect((await api(`/admin/api/tenants/${tenant.tenantId}`, 'PATCH', { settings: s }, env.server.adminToken)).status).toBe(200);
    const stored = async (room: string) =>
      ((await (await api(`/v1/rooms/${room}/messages`, 'GET')).json()) as { messages: { text: string }[] }).messages.map((m) => m.text);
    async function visit(room: string, sub: string, opts: { connected?: boolean; token?: string } = {}) {
      const page = await env.newPage();
      const token = opts.token ?? (await userToken(tenant.secretKey, { sub, name: sub }));
      await page.goto(env.site.page(`/${room}-${sub}.html`, embedPage({ api: env.server.url, attrs: { key: tenant.publishableKey, room, token } })));
      const w = widgetOf(page);
      await w.open();
      if (opts.connected !== false) await w.connected();
      return w;
    }

    beforeAll(async () => {
      const res = await api('/admin/api/tenants', 'POST', { name: 'refusals', origins: [env.site.origin] }, env.server.adminToken);
      tenant = (await res.json()) as typeof tenant;
    });

    it('a refused message shows the reason under it, offers Edit (not Retry), and Edit puts it back in the box', async () => {
      const room = freshRoom('refused');
      const w = await visit(room, 'u-cy');
      const bad = 'look <script>alert(1)</script>';
      await w.send(bad);
      const m = w.message(bad);
      await expect.poll(() => m.getAttribute('data-status')).toBe('failed');
      expect(await m.locator('.reason').innerText()).toBe('messages may not contain scripts, event handlers or script URLs');
      expect(await m.getByRole('button', { name: 'Retry' }).count()).toBe(0);

      // Too long for a limit the operator lowered after we connected: only the server knows.
      await settings({ maxTextLength: 5 });
      try {
        await w.send('longer than five');
        const long = w.message('longer than five');
        await expect.poll(() => long.locator('.reason').textContent()).toBe('text is longer than 5 characters');
        await screenshot(w.page, 'refused-reason');
        await settings({ maxTextLength: 4000 });
        await long.getByRole('button', { name: 'Edit' }).click();
        expect(await w.textbox.inputValue()).toBe('longer than five');
        expect(await long.count()).toBe(0);
        await w.textbox.press('Enter');
        await expect.poll(() => w.message('longer than five').getAttribute('data-status')).toBe('sent');
        expect(await stored(room)).toEqual(['longer than five']);
        // The script one is still there, still refused, with its reason.
        expect(await m.getAttribute('data-status')).toBe('failed');
      } finally {
        await settings({ maxTextLength: 4000 });
      }
    });

    it('banned while typing: the composer is disabled with one line, and the typed text stays', async () => {
      const room = freshRoom('banned');
      const w = await visit(room, 'u-ban');
      await w.textbox.pressSequentially('half a thought');
      expect((await api('/v1/bans/u-ban', 'PUT', { reason: 'spam' })).status).toBe(200);
      await expect.poll(() => w.page.locator('parley-chat .dead').textContent()).toBe("You can't send messages in this chat");
      expect(await w.textbox.isDisabled()).toBe(true);
      expect(await w.textbox.inputValue()).toBe('half a thought');
      expect(await w.page.locator('parley-chat .send').isDisabled()).toBe(true);
      expect(await w.page.locator('parley-chat .state').count()).toBe(0);
      await screenshot(w.page, 'banned');
    });

    it('not a member of a private room: no live presence, the composer says why', async () => {
      const room = freshRoom('private');
      expect((await api(`/v1/rooms/${room}`, 'PUT', { private: true, members: ['u-member'] })).status).toBe(200);
      const w = await visit(room, 'u-stranger', { connected: false });
      await expect.poll(() => w.page.locator('parley-chat .dead').textContent()).toBe('This conversation is private');
      expect(await w.textbox.isDisabled()).toBe(true);
      // Neither "0 online" nor a green dot.
      expect(await w.panel.getAttribute('data-state')).toBe('stopped');
      expect(await w.page.locator('parley-chat .state').count()).toBe(0);
      await screenshot(w.page, 'not-a-member');
    });

    it('an invalid token the widget cannot renew: signed out, composer disabled', async () => {
      const w = await visit(freshRoom('badtoken'), 'u-x', { connected: false, token: 'not.a.token' });
      await expect.poll(() => w.page.locator('parley-chat .dead').textContent()).toBe('You are signed out of chat: reload the page to continue');
      expect(await w.textbox.isDisabled()).toBe(true);
      expect(await w.panel.getAttribute('data-state')).toBe('stopped');
    });
  });
}
