import { createServer } from 'node:net';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { embedPage, freshRoom, screenshot, widgetOf, type BrowserEnv } from './harness';

/** Records the page's connection attempts and the widget's own console errors. */
function watch(page: Page) {
  const sockets: string[] = [];
  const errors: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  page.on('console', (m) => m.type() === 'error' && m.text().startsWith('Parley:') && errors.push(m.text()));
  return { sockets, errors };
}

/** A port nothing listens on: the network failure a visitor's flaky Wi-Fi looks like. */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** A misconfigured embed stops, says so to the visitor, and tells the site owner what to fix. */
export function misconfigSuite(env: BrowserEnv) {
  describe('a misconfigured embed', () => {
    let tenant: { tenantId: string; publishableKey: string };
    const admin = (path: string, method: string, body: unknown) =>
      fetch(`${env.server.url}/admin/api${path}`, {
        method,
        headers: { authorization: `Bearer ${env.server.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    beforeAll(async () => {
      const res = await admin('/tenants', 'POST', { name: 'misconfigured', origins: [env.site.origin], guests: true });
      tenant = (await res.json()) as typeof tenant;
    });

    /** Loads an embed under a fake clock, so "no more attempts" is checked over 10 minutes in no time. */
    async function load(name: string, attrs: Record<string, string>) {
      const page = await env.newPage();
      const seen = watch(page);
      await page.clock.install();
      await page.goto(env.site.page(`/${freshRoom(name)}.html`, embedPage({ api: env.server.url, attrs: { room: freshRoom(name), ...attrs } })));
      const w = widgetOf(page);
      await w.open();
      return { page, w, ...seen };
    }

    async function expectTerminal(name: string, attrs: Record<string, string>, says: string[]) {
      const { page, w, sockets, errors } = await load(name, attrs);
      await expect.poll(() => page.locator('parley-chat .dead').textContent()).toBe("Chat isn't available on this site");
      expect(await w.textbox.isDisabled()).toBe(true);
      expect(await page.locator('parley-chat .panel').getAttribute('data-state')).toBe('stopped');
      expect(await page.locator('parley-chat .state').count()).toBe(0);
      await expect.poll(() => errors.length).toBe(1);
      for (const s of says) expect(errors[0]).toContain(s);
      // Ten minutes later (on the page's clock): still the one attempt, still one message.
      await page.clock.runFor(10 * 60_000);
      expect(sockets).toHaveLength(1);
      expect(errors).toHaveLength(1);
      await screenshot(page, `misconfigured-${name}`);
    }

    it('a wrong key stops, shows that chat is not available, and names the key in the console', async () => {
      await expectTerminal('wrong-key', { key: 'pk_mistyped_key' }, ['"pk_mistyped_key"', 'not the publishable key']);
    });

    it('an origin the site does not allow: the console names the origin and where to allow it', async () => {
      expect((await admin(`/tenants/${tenant.tenantId}`, 'PATCH', { origins: ['https://shop.example'] })).status).toBe(200);
      try {
        await expectTerminal('origin', { key: tenant.publishableKey }, [`"${env.site.origin}"`, `"${tenant.publishableKey}"`, 'Allowed origins']);
      } finally {
        await admin(`/tenants/${tenant.tenantId}`, 'PATCH', { origins: [env.site.origin] });
      }
    });

    it('a disabled site stops the same way', async () => {
      expect((await admin(`/tenants/${tenant.tenantId}`, 'PATCH', { disabled: true })).status).toBe(200);
      try {
        await expectTerminal('disabled', { key: tenant.publishableKey }, ['is disabled', `"${tenant.publishableKey}"`]);
      } finally {
        await admin(`/tenants/${tenant.tenantId}`, 'PATCH', { disabled: false });
      }
    });

    it('a network failure is not a misconfiguration: it keeps retrying and blames nobody', async () => {
      const { page, w, sockets, errors } = await load('network', { key: tenant.publishableKey, api: `http://127.0.0.1:${await deadPort()}` });
      await expect.poll(() => page.locator('parley-chat .panel').getAttribute('data-state')).toBe('reconnecting');
      await page.clock.runFor(2 * 60_000);
      await expect.poll(() => sockets.length).toBeGreaterThan(2);
      expect(errors).toEqual([]);
      expect(await page.locator('parley-chat .dead').count()).toBe(0);
      expect(await w.textbox.isDisabled()).toBe(false);
    });
  });
}
