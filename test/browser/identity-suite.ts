import { beforeAll, describe, expect, it } from 'vitest';
import { userToken } from '../helpers/client';
import { embedPage, freshRoom, widgetOf, type BrowserEnv } from './harness';

/** People the site signs in (tokenUrl, Parley.identify). */
export function identitySuite(env: BrowserEnv) {
  describe('signed-in people', () => {
    // A tenant of its own that allows no guests: every person here needs a token from the site.
    let tenant: { tenantId: string; publishableKey: string; secretKey: string };
    const admin = (path: string, init: RequestInit = {}) =>
      fetch(`${env.server.url}/admin/api${path}`, {
        ...init,
        headers: { authorization: `Bearer ${env.server.adminToken}`, 'content-type': 'application/json' },
      });
    const stored = async (room: string) => {
      const res = await fetch(`${env.server.url}/v1/rooms/${room}/messages`, { headers: { authorization: `Bearer ${tenant.secretKey}` } });
      return ((await res.json()) as { messages: { user: string; name: string; text: string }[] }).messages;
    };
    async function open(room: string, attrs: Record<string, string>) {
      const page = await env.newPage();
      await page.goto(env.site.page(`/${room}.html`, embedPage({ api: env.server.url, attrs: { key: tenant.publishableKey, room, ...attrs } })));
      const w = widgetOf(page);
      await w.open();
      await w.connected();
      return w;
    }

    beforeAll(async () => {
      const res = await admin('/tenants', { method: 'POST', body: JSON.stringify({ name: 'signed-in', origins: [env.site.origin] }) });
      tenant = (await res.json()) as typeof tenant;
    });

    it("takes its token from the site's tokenUrl, and Parley.identify() switches to another person", async () => {
      const room = freshRoom('ident');
      let asked = 0;
      env.site.route(`/${room}/token`, async () => {
        asked++;
        return { token: await userToken(tenant.secretKey, { sub: 'u-ann', name: 'Ann' }) };
      });
      const w = await open(room, { 'token-url': `/${room}/token` });
      await w.send('from Ann');
      await expect.poll(() => w.message('from Ann').getAttribute('data-status')).toBe('sent');
      expect(asked).toBe(1);

      const bob = await userToken(tenant.secretKey, { sub: 'u-bob', name: 'Bob' });
      await w.page.evaluate((token) => (window as unknown as { Parley: { identify(o: { token: string }): void } }).Parley.identify({ token }), bob);
      await w.send('from Bob');
      await expect.poll(() => w.message('from Bob').getAttribute('data-status')).toBe('sent');
      // The widget now speaks as Bob: Ann's message is someone else's.
      await expect.poll(() => w.message('from Ann').getAttribute('class')).not.toContain('own');
      expect(await w.message('from Ann').locator('.who b').innerText()).toBe('Ann');
      expect((await stored(room)).map((m) => [m.user, m.name, m.text])).toEqual([
        ['u-ann', 'Ann', 'from Ann'],
        ['u-bob', 'Bob', 'from Bob'],
      ]);
    });
  });
}
