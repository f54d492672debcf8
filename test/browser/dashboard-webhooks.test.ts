import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAccount } from '../helpers/accounts';
import { startTestServer, type TestServer } from '../helpers/server';
import { browserStack } from '../helpers/stack';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { calls, eventually } from '../http/http';
import { launchChromium } from './harness';

const root = fileURLToPath(new URL('../../', import.meta.url));

// The dashboard's webhook view in real Chromium: the delivery log, a test event, a replay,
// the signing secret and its rotation.
describe('dashboard: webhooks', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let secret = '';
  let rx: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const pageErrors: Error[] = [];
  const { admin, v1, create } = calls(() => server);

  beforeAll(async () => {
    if (!existsSync(`${root}dashboard/dist/dashboard.js`)) execSync('npm run build', { cwd: root, stdio: 'inherit' });
    [server, browser] = await Promise.all([startTestServer(browserStack()), launchChromium()]);
    rx = await startWebhookReceiver(() => secret, () => ({ status: 204 }));
    await makeAccount(server, 'op@example.com', 'operator password 1', true);
    const ctx = await browser.newContext({ viewport: { width: 1300, height: 900 } });
    ctx.setDefaultTimeout(15_000);
    page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e));
  });
  afterAll(async () => {
    await browser?.close();
    await rx?.close();
    await server?.stop();
    expect(pageErrors).toEqual([]);
  });

  it('shows the delivery log, sends a test event, replays one, and shows and rotates the signing secret', async () => {
    const t = await create({ name: 'Hooked', origins: ['*'] });
    secret = (await admin(`/tenants/${t.tenantId}/webhook-secret`)).body.secret;
    await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { eventsUrl: rx.url } } });
    await v1(t.secretKey, '/bans/bob', { method: 'PUT', body: {} });
    await eventually(async () => expect(rx.received.map((d) => d.body.type)).toEqual(['user.banned']));

    await page.goto(`${server.url}/dashboard`);
    await page.getByLabel('Email').fill('op@example.com');
    await page.getByLabel('Password').fill('operator password 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const card = page.getByRole('article', { name: 'Hooked' });
    await card.getByRole('button', { name: 'Webhooks' }).click();
    const view = card.getByRole('region', { name: 'Webhooks of Hooked' });
    const banned = view.locator('tr[data-state="delivered"]', { hasText: 'user.banned' });
    await banned.waitFor();
    await expect.poll(() => view.locator('.backlog').textContent()).toContain('Nothing waiting');

    await view.getByRole('button', { name: 'Send test event' }).click();
    await eventually(async () => expect(rx.received.map((d) => d.body.type)).toEqual(['user.banned', 'webhook.test']));
    await banned.getByRole('button', { name: 'Replay' }).click();
    await eventually(async () => expect(rx.received.map((d) => [d.body.type, d.verified])).toContainEqual(['user.banned', true]));
    await eventually(async () => expect(rx.received.filter((d) => d.body.type === 'user.banned').map((d) => d.id)).toHaveLength(2));
    const ids = rx.received.filter((d) => d.body.type === 'user.banned').map((d) => d.id);
    expect(ids[0]).toBe(ids[1]);

    await view.getByRole('button', { name: 'Show signing secret' }).click();
    await expect.poll(() => view.locator('.signing-secret code').first().textContent()).toBe(secret);
    await view.getByRole('button', { name: /Rotate signing secret/ }).click();
    const after = await eventually(async () => {
      const b = (await admin(`/tenants/${t.tenantId}/webhook-secret`)).body;
      expect(b.previous?.secret).toBe(secret);
      return b;
    });
    await expect.poll(() => view.locator('.signing-secret code').allTextContents()).toEqual([after.secret, secret]);
  });
});
