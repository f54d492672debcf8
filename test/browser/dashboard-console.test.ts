import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardUser, inviteAndJoin, makeAccount } from '../helpers/accounts';
import { client, join, userToken, type TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { browserStack } from '../helpers/stack';
import { calls } from '../http/http';
import { launchChromium, screenshot } from './harness';

// The dashboard's room view, user view and search in real Chromium against a real server. A
// moderator of a tenant whose allowed origins do not include the dashboard opens a room: the
// dashboard's own socket (a staff token) sees what two users' sockets send, who is online,
// and deletes and bans from there; the user view and search show the same.
const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the moderation console: room view, user view, search', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let tenant: { tenantId: string; publishableKey: string; secretKey: string };
  let mal: TestClient;
  let ann: TestClient;
  const pageErrors: Error[] = [];
  const ROOM = 'lobby';

  beforeAll(async () => {
    if (!existsSync(`${root}dashboard/dist/dashboard.js`)) execSync('npm run build', { cwd: root, stdio: 'inherit' });
    [server, browser] = await Promise.all([startTestServer(browserStack()), launchChromium()]);
    tenant = await calls(() => server).create({ name: 'Shop', origins: ['https://shop.example'] });
    await makeAccount(server, 'op@example.com', 'operator password', true);
    const op = dashboardUser(() => server);
    await op.signIn('op@example.com', 'operator password');
    await inviteAndJoin(() => server, op, tenant.tenantId, 'mod@example.com', 'moderator', 'moderator password');

    const as = async (sub: string) => client(server.wsUrl, tenant.publishableKey, { token: await userToken(tenant.secretKey, { sub, name: `${sub} name` }) });
    [mal, ann] = [await as('mal'), await as('ann')];
    await join(mal, ROOM);
    await join(ann, ROOM);
    await ann.request({ type: 'message', room: ROOM, id: 'a1', text: 'good morning, shop' });

    const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    ctx.setDefaultTimeout(15_000);
    page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(e));
    await page.goto(`${server.url}/dashboard`);
    await page.getByLabel('Email').fill('mod@example.com');
    await page.getByLabel('Password').fill('moderator password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await card().waitFor();
  }, 120_000);

  afterAll(async () => {
    mal?.close();
    ann?.close();
    await browser?.close();
    await server?.stop();
    expect(pageErrors).toEqual([]);
  });

  const card = () => page.locator(`article[data-tenant="${tenant.tenantId}"]`);
  const live = () => card().getByRole('region', { name: `Room ${ROOM} of Shop` });
  const message = (where: Locator, text: string) => where.locator('li.message').filter({ has: page.locator('.text', { hasText: text }) });

  it("a moderator sees only moderation's buttons, and opens a room from the tenant's room list", async () => {
    expect(await card().getByRole('button').allInnerTexts()).toEqual(['Moderation', 'Rooms', 'Search', 'Audit log']);
    await card().getByRole('button', { name: 'Rooms' }).click();
    await card().getByRole('region', { name: 'Rooms of Shop' }).getByRole('button', { name: ROOM }).click();
    await expect.poll(() => live().getAttribute('data-state')).toBe('connected');
    // What was said before is there, and who is online: both users and the console itself.
    await message(live(), 'good morning, shop').waitFor();
    const online = live().getByRole('list', { name: 'Online now' });
    await online.locator('li[data-user="mal"]').waitFor();
    expect(await online.locator('li[data-user="ann"]').innerText()).toBe('ann name (ann)');
    // The users see the console as "Moderator", never as the account's email.
    const seen = await ann.next((f) => f.type === 'presence' && f.user.startsWith('staff_') && f.status === 'online');
    expect(seen.name).toBe('Moderator');
  });

  it('shows a message a user sends live, and deletes it: the other user gets deleted, the console drops it', async () => {
    await mal.request({ type: 'message', room: ROOM, id: 'm1', text: 'cheap pills, click here' });
    const row = message(live(), 'cheap pills, click here');
    await row.waitFor();
    expect(await row.getByRole('button', { name: 'User view of mal' }).innerText()).toBe('mal name');
    await row.getByRole('button', { name: 'Delete' }).click();
    expect((await ann.next((f) => f.type === 'deleted' && f.id === 'm1')).room).toBe(ROOM);
    await expect.poll(() => row.count()).toBe(0);
    await expect.poll(() => live().getByRole('status').innerText()).toBe('The message is deleted.');
  });

  it('bans the author for 24 hours after a confirm: their socket closes with 4503 and they go offline in the console', async () => {
    await mal.request({ type: 'message', room: ROOM, id: 'm2', text: 'pills again, last chance' });
    const row = message(live(), 'pills again, last chance');
    await row.getByRole('button', { name: 'Ban', exact: true }).click();
    const form = row.getByRole('group', { name: 'Ban mal name' });
    await form.getByLabel('Reason').fill('selling pills');
    await form.getByLabel('Length').selectOption({ label: '24 hours' });
    // Dismissing the confirm bans nobody.
    page.once('dialog', (d) => void d.dismiss());
    await form.getByRole('button', { name: 'Ban mal name for 24 hours' }).click();
    expect((await calls(() => server).admin(`/tenants/${tenant.tenantId}/bans`)).body.bans).toEqual([]);
    let asked = '';
    page.once('dialog', (d) => ((asked = d.message()), void d.accept()));
    await form.getByRole('button', { name: 'Ban mal name for 24 hours' }).click();
    expect((await mal.closed).code).toBe(4503);
    expect(asked).toBe('Ban mal name for 24 hours? Their chat closes at once.');
    await expect.poll(() => live().getByRole('status').innerText()).toBe('mal name is banned for 24 hours.');
    await expect.poll(() => live().getByRole('list', { name: 'Online now' }).locator('li[data-user="mal"]').count()).toBe(0);
    const [ban] = (await calls(() => server).admin(`/tenants/${tenant.tenantId}/bans`)).body.bans;
    expect(ban).toMatchObject({ user: 'mal', reason: 'selling pills' });
    expect(ban.until - ban.createdAt).toBe(24 * 3_600_000);
    await screenshot(page, 'dashboard-room-view');
  });

  it("the user view, from the message's author, shows the ban in force, its history and their messages", async () => {
    await message(live(), 'pills again, last chance').getByRole('button', { name: 'User view of mal' }).click();
    const view = card().getByRole('region', { name: 'User mal in Shop' });
    await view.locator('[data-sanction=banned]').waitFor();
    expect(await view.locator('[data-sanction=banned]').innerText()).toMatch(/^Banned until .+: selling pills \(since .+\)$/);
    expect(await view.locator('[data-sanction=muted]').innerText()).toBe('Not muted.');
    expect(await view.locator('tr[data-action="user.ban"]').innerText()).toContain('mod@example.com');
    // The deleted message is gone from their messages; the other is there, linked to its room.
    const msgs = view.getByRole('list', { name: 'Recent messages of mal' });
    expect(await msgs.locator('.text').allInnerTexts()).toEqual(['pills again, last chance']);
    expect(await msgs.getByRole('button', { name: `Open room ${ROOM}` }).count()).toBe(1);
  });

  it('the audit log has the delete and the ban, by the moderator', async () => {
    await card().getByRole('button', { name: 'Audit log' }).click();
    const log = card().getByRole('region', { name: 'Audit log of Shop' });
    await log.locator('tr[data-action="user.ban"]').waitFor();
    expect(await log.locator('tr[data-action="user.ban"]').innerText()).toContain('mod@example.com');
    expect(await log.locator('tr[data-action="message.delete"]').innerText()).toContain(`${ROOM}/m1`);
  });

  it('search finds a message by words and by user; a result opens the user view and the room', async () => {
    await card().getByRole('button', { name: 'Search' }).click();
    const search = card().getByRole('region', { name: 'Search in Shop' });
    await search.getByLabel('Words').fill('pills');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => search.getByRole('status').innerText()).toBe('1 found.');
    expect(await search.locator('li.message .text').allInnerTexts()).toEqual(['pills again, last chance']);

    await search.getByLabel('Words').fill('');
    await search.getByLabel('User id').fill('ann');
    await search.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => search.locator('li.message .text').allInnerTexts()).toEqual(['good morning, shop']);
    await search.getByRole('button', { name: 'User view of ann' }).click();
    const view = card().getByRole('region', { name: 'User ann in Shop' });
    await expect.poll(() => view.locator('[data-sanction=banned]').innerText()).toBe('Not banned.');

    // Back to search (by user, from the user view), then into the room live.
    await view.getByRole('button', { name: 'Search their messages' }).click();
    await expect.poll(() => search.locator('li.message .text').allInnerTexts()).toEqual(['good morning, shop']);
    await search.getByRole('button', { name: `Open room ${ROOM}` }).click();
    await expect.poll(() => live().getAttribute('data-state')).toBe('connected');
    await message(live(), 'good morning, shop').waitFor();
    await ann.request({ type: 'message', room: ROOM, id: 'a2', text: 'still here' });
    await message(live(), 'still here').waitFor();
  });

  it("a report card links to the author's and the reporter's user views, which list the report against and by them", async () => {
    expect(await ann.request({ type: 'report', room: ROOM, id: 'm2', reason: 'spam' })).toMatchObject({ type: 'ack' });
    await card().getByRole('button', { name: 'Moderation' }).click();
    const queue = card().getByRole('region', { name: 'Moderation of Shop' });
    await queue.getByRole('button', { name: 'User view of mal' }).click();
    const mal = card().getByRole('region', { name: 'User mal in Shop' });
    const against = mal.getByRole('table', { name: 'Reports against them (1)' });
    await against.waitFor();
    expect(await against.innerText()).toMatch(/in lobby\s+by ann\s+spam\s+open/);
    await card().getByRole('button', { name: 'Moderation' }).click();
    await queue.getByRole('button', { name: 'User view of ann' }).click();
    await card().getByRole('region', { name: 'User ann in Shop' }).getByRole('table', { name: 'Reports by them (1)' }).waitFor();
  });
});
