import { execSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAccount } from '../helpers/accounts';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { browserStack } from '../helpers/stack';
import { launchChromium } from './harness';

// The dashboard in real Chromium against a real server. The tests run in order: the operator
// signs in, creates, edits, rotates, revokes and invites an owner; the owner (another browser)
// invites a moderator, who sees only moderation; sessions end.
const root = fileURLToPath(new URL('../../', import.meta.url));

interface ListedTenant {
  tenantId: string;
  name: string;
  origins: string[];
  guests: boolean;
  settings: { maxTextLength: number; messagesPerSecond: number; burst: number; retentionDays: number };
  secretKeys: { prefix: string; createdAt: number; revokedAt: number | null }[];
}

describe('operator dashboard', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let context: BrowserContext;
  const pageErrors: Error[] = [];
  const PW = 'operator password 1';
  // A name with markup: it must show as these characters, not as a bold element.
  const NAME = 'Acme <b>Chat</b>';

  /** The tenant as the Admin API lists it, read behind the dashboard's back. */
  async function listed(name: string): Promise<ListedTenant | undefined> {
    const res = await fetch(`${server.url}/admin/api/tenants`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as ListedTenant[]).find((t) => t.name === name);
  }

  const card = () => page.getByRole('article', { name: NAME });

  beforeAll(async () => {
    // `npm test` builds first (pretest); a direct run of this file may not have.
    if (!existsSync(`${root}dashboard/dist/dashboard.js`)) execSync('npm run build', { cwd: root, stdio: 'inherit' });
    [server, browser] = await Promise.all([startTestServer(browserStack()), launchChromium()]);
    await makeAccount(server, 'op@example.com', PW, true);
    page = await newPage();
    context = page.context();
    await page.goto(`${server.url}/dashboard`);
  });

  /** A page in a browser of its own (its own cookies). */
  async function newPage(): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    ctx.setDefaultTimeout(15_000);
    const p = await ctx.newPage();
    p.on('pageerror', (e) => pageErrors.push(e));
    return p;
  }

  async function signIn(p: Page, email: string, password: string) {
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
  }

  const sessionCookie = async (ctx: BrowserContext) => (await ctx.cookies()).find((c) => c.name === 'parley_session');

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    expect(pageErrors).toEqual([]);
  });

  it('refuses a wrong password with a message, and shows the tenants for the right one in an HttpOnly session', async () => {
    await page.getByRole('heading', { name: 'Parley dashboard' }).waitFor();
    await signIn(page, 'op@example.com', 'not the password');
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('That email and password do not match an account.');
    expect(await sessionCookie(context)).toBeUndefined();

    await signIn(page, 'op@example.com', PW);
    const demo = page.locator(`article[data-tenant="${server.demo.tenantId}"]`);
    await demo.waitFor();
    expect(await demo.getByRole('heading').innerText()).toBe('demo');
    expect(await demo.innerText()).toContain(server.demo.publishableKey);
    expect(await demo.locator('.guests').innerText()).toBe('Allowed');
    // The demo's secret key rotated in by the test server is listed, active.
    expect(await demo.getByRole('row').filter({ hasText: 'Active' }).count()).toBeGreaterThanOrEqual(1);

    // The session is a cookie scripts cannot read, sent only to the Admin API, never cross-site;
    // nothing is kept in the page's storage.
    const cookie = (await sessionCookie(context))!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin/api', secure: false });
    expect(cookie.expires * 1000).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    expect(await page.evaluate(() => [document.cookie, sessionStorage.length, localStorage.length])).toEqual(['', 0, 0]);

    // A reload stays signed in.
    await page.reload();
    await demo.waitFor();
  });

  it('creates a tenant, shows its secret key once, and lists it', async () => {
    await page.getByLabel('Name').fill(NAME);
    await page.getByLabel('Allowed origins, one per line').fill('https://acme.example\n\nhttps://www.acme.example\n');
    await page.getByLabel(/Allow guests/).check();
    await page.getByRole('button', { name: 'Create tenant' }).click();

    const notice = page.getByRole('region', { name: `Tenant “${NAME}” created` });
    await notice.waitFor();
    // Focus moved to the notice, so a keyboard user lands on it.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('secret-title');
    const secret = await notice.getByLabel('Secret key').inputValue();
    expect(secret).toMatch(/^sk_/);
    expect(await notice.innerText()).toContain('shown only this once');

    await card().waitFor();
    expect(await card().locator('b').count()).toBe(0);
    expect(await card().locator('.origins').innerText()).toBe('https://acme.example, https://www.acme.example');
    expect(await card().locator('.guests').innerText()).toBe('Allowed');

    const t = await listed(NAME);
    expect(t).toMatchObject({ origins: ['https://acme.example', 'https://www.acme.example'], guests: true });
    expect(t!.secretKeys).toHaveLength(1);
    expect(await card().innerText()).toContain(t!.tenantId);
    // The key on screen is the real one: the server accepts it.
    const res = await fetch(`${server.url}/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'u1' }),
    });
    expect(res.status).toBe(201);

    // Once dismissed, it is gone from the page.
    await notice.getByRole('button', { name: 'I have saved it' }).click();
    expect(await page.getByLabel('Secret key').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
  });

  it("edits origins, limits and content rules, showing the API's validation error first", async () => {
    await card().getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: `Edit ${NAME}` });
    await form.getByLabel('Burst (messages at once)').fill('0');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => form.getByRole('alert').innerText()).toBe('setting burst is out of range');
    expect((await listed(NAME))!.settings.burst).toBe(10);

    await form.getByLabel('Allowed origins, one per line').fill('https://chat.acme.example');
    await form.getByLabel('Messages a second per person').fill('2.5');
    await form.getByLabel('Burst (messages at once)').fill('4');
    await form.getByLabel('Longest message (characters)').fill('500');
    await form.getByLabel('Profanity').selectOption({ label: 'Mask with asterisks' });
    await form.getByLabel('Refuse messages with scripts, event handlers or script URLs').uncheck();
    await form.getByLabel('Pre-send webhook URL (empty for none)').fill('https://acme.example/hooks/pre-send');
    await form.getByLabel('Let messages through when the webhook fails').uncheck();
    await form.getByLabel('Event webhook URL: messages, reports, bans, rooms (empty for none)').fill('https://acme.example/hooks/events');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => card().getByRole('status').innerText()).toBe('Saved.');
    expect(await form.count()).toBe(0);
    expect(await card().locator('.origins').innerText()).toBe('https://chat.acme.example');
    expect(await card().locator('.limits').innerText()).toContain('2.5 messages a second, burst 4');
    expect(await card().locator('.content-rules').innerText()).toBe(
      'scripts allowed; profanity masked; pre-send webhook https://acme.example/hooks/pre-send (fails closed); events to https://acme.example/hooks/events',
    );

    const t = await listed(NAME);
    expect(t!.origins).toEqual(['https://chat.acme.example']);
    expect(t!.settings).toMatchObject({ maxTextLength: 500, messagesPerSecond: 2.5, burst: 4, retentionDays: 0, rejectExecutable: false, profanity: 'mask', preSendUrl: 'https://acme.example/hooks/pre-send', preSendFailOpen: false, preSendTimeoutMs: 2000, eventsUrl: 'https://acme.example/hooks/events' });
    expect(t!.guests).toBe(true);
  });

  it('rotates a key (shown once) and revokes the old one after a confirm', async () => {
    const before = (await listed(NAME))!.secretKeys;
    await card().getByRole('button', { name: 'New secret key' }).click();
    const notice = page.getByRole('region', { name: `New secret key for “${NAME}”` });
    expect(await notice.getByLabel('Secret key').inputValue()).toMatch(/^sk_/);
    await expect.poll(() => card().locator('tbody tr').count()).toBe(2);

    const old = before[0]!.prefix;
    const revoke = card().getByRole('button', { name: `Revoke key ${old}` });
    // Dismissing the confirm revokes nothing.
    page.once('dialog', (d) => void d.dismiss());
    await revoke.click();
    expect((await listed(NAME))!.secretKeys.every((k) => k.revokedAt === null)).toBe(true);

    page.once('dialog', (d) => void d.accept());
    await revoke.click();
    const row = card().locator(`tr[data-prefix="${old}"]`);
    await expect.poll(() => row.locator('.revoked time').count()).toBe(1);
    expect(await row.getByRole('button').count()).toBe(0);

    const keys = (await listed(NAME))!.secretKeys;
    expect(keys.find((k) => k.prefix === old)!.revokedAt).toEqual(expect.any(Number));
    expect(keys.filter((k) => k.revokedAt === null)).toHaveLength(1);
    expect(await row.locator('.revoked time').getAttribute('datetime')).toBe(new Date(keys.find((k) => k.prefix === old)!.revokedAt!).toISOString());

    mkdirSync(`${root}test/artifacts`, { recursive: true });
    await page.screenshot({ path: `${root}test/artifacts/dashboard.png`, fullPage: true });
  });

  it('the operator invites an owner, who invites a moderator; the moderator sees only moderation of that tenant', async () => {
    await card().getByRole('button', { name: 'Members' }).click();
    const members = page.getByRole('region', { name: `Members of ${NAME}` });
    await members.getByLabel('Invite by email').fill('owner@example.com');
    await members.getByLabel('Role').selectOption('owner');
    await members.getByRole('button', { name: 'Invite' }).click();
    const ownerLink = await members.getByLabel('Invitation link').inputValue();
    expect(ownerLink.startsWith(`${server.url}/dashboard#invite=`)).toBe(true);
    expect(ownerLink).toMatch(/#invite=[\w-]{43}$/);

    const owner = await newPage();
    await owner.goto(ownerLink);
    await owner.getByRole('heading', { name: `Join ${NAME}` }).waitFor();
    expect(await owner.getByText('owner@example.com is invited').innerText()).toContain('as an owner');
    // The token left the address bar once read.
    expect(owner.url()).toBe(`${server.url}/dashboard`);
    await owner.getByLabel('New password').fill('owner password 1');
    await owner.getByLabel('Repeat the password').fill('owner password 1');
    await owner.getByRole('button', { name: 'Accept invitation' }).click();
    const ownerCard = owner.getByRole('article', { name: new RegExp(`^${NAME.replace(/[<>/]/g, '.')}`) });
    await ownerCard.waitFor();
    // An owner sees only their tenant, with keys and members; no "New tenant" form.
    expect(await owner.locator('article[data-tenant]').count()).toBe(1);
    expect(await owner.getByRole('heading', { name: 'New tenant' }).count()).toBe(0);
    // The link worked once.
    const again = await newPage();
    await again.goto(ownerLink);
    await expect.poll(() => again.getByRole('alert').innerText()).toBe('this invitation is used, expired or unknown');

    await ownerCard.getByRole('button', { name: 'Members' }).click();
    const ownerMembers = owner.getByRole('region', { name: `Members of ${NAME}` });
    await ownerMembers.getByLabel('Invite by email').fill('mod@example.com');
    await ownerMembers.getByRole('button', { name: 'Invite' }).click();
    const modLink = await ownerMembers.getByLabel('Invitation link').inputValue();
    await expect.poll(() => ownerMembers.locator('tr').filter({ hasText: 'mod@example.com' }).innerText()).toContain('moderator, invited');

    const mod = await newPage();
    await mod.goto(modLink);
    await mod.getByLabel('New password').fill('moderator password');
    await mod.getByLabel('Repeat the password').fill('moderator password');
    await mod.getByRole('button', { name: 'Accept invitation' }).click();
    const modCard = mod.locator('article[data-tenant]');
    await modCard.waitFor();
    expect(await modCard.count()).toBe(1);
    expect(await modCard.getByRole('button').allInnerTexts()).toEqual(['Moderation', 'Rooms', 'Search', 'Audit log']);
    expect(await modCard.innerText()).not.toContain('Secret keys');

    // Straight at the API from the moderator's page: settings are 403, another tenant 404.
    const tenantId = (await listed(NAME))!.tenantId;
    const status = (path: string, method = 'GET', body?: unknown) =>
      mod.evaluate(
        async ([p, m, b]) => (await fetch(`/admin/api${p}`, { method: m, headers: { 'content-type': 'application/json' }, body: b ? JSON.stringify(b) : undefined })).status,
        [path, method, body] as const,
      );
    expect(await status(`/tenants/${tenantId}`, 'PATCH', { settings: { burst: 1 } })).toBe(403);
    expect(await status(`/tenants/${tenantId}/members`)).toBe(403);
    expect(await status(`/tenants/${server.demo.tenantId}/reports`)).toBe(404);
    expect(await status(`/tenants/${tenantId}/reports`)).toBe(200);

    // The audit log shows who did it.
    await modCard.getByRole('button', { name: 'Audit log' }).click();
    const log = mod.getByRole('region', { name: `Audit log of ${NAME}` });
    await expect.poll(() => log.locator('tr[data-action="member.invite"]').count()).toBe(2);
    expect(await log.locator('tr[data-action="member.invite"]').first().innerText()).toContain('owner@example.com');
    await mod.screenshot({ path: `${root}test/artifacts/dashboard-moderator.png`, fullPage: true });
    await Promise.all([owner, again, mod].map((p) => p.context().close()));
  });

  it('a moderator works the queue: delete, mute for an hour, ban for 7 days, dismiss; each is in the audit log', async () => {
    // The operator invites a moderator to the demo tenant.
    const demo = page.getByRole('article', { name: 'demo' });
    await demo.getByRole('button', { name: 'Members' }).click();
    const members = page.getByRole('region', { name: 'Members of demo' });
    await members.getByLabel('Invite by email').fill('demomod@example.com');
    await members.getByRole('button', { name: 'Invite' }).click();
    const link = await members.getByLabel('Invitation link').inputValue();
    const mod = await newPage();
    await mod.goto(link);
    await mod.getByLabel('New password').fill('moderator password');
    await mod.getByLabel('Repeat the password').fill('moderator password');
    await mod.getByRole('button', { name: 'Accept invitation' }).click();
    await mod.locator('article[data-tenant]').waitFor();

    const as = async (sub: string) => client(server.wsUrl, server.demo.publishableKey, { token: await userToken(server.demo.secretKey, { sub, name: `${sub} name` }) });
    const [mal, ann] = [await as('mal'), await as('ann')];
    await join(mal, 'lobby');
    await join(ann, 'lobby');
    for (const [id, text] of [['s1', 'buy now'], ['s2', 'BUY NOW'], ['s3', 'last chance'], ['ok1', 'a fair point']])
      await mal.request({ type: 'message', room: 'lobby', id, text });
    for (const id of ['s1', 's2', 's3', 'ok1']) await ann.request({ type: 'report', room: 'lobby', id, reason: id === 'ok1' ? 'I disagree' : 'spam' });
    const queue = (await (await fetch(`${server.url}/admin/api/tenants/${server.demo.tenantId}/reports?status=open`, { headers: { authorization: `Bearer ${server.adminToken}` } })).json()) as { reports: { id: number; messageId: string }[] };
    const rid = (m: string) => queue.reports.find((r) => r.messageId === m)!.id;

    await mod.locator('article[data-tenant]').getByRole('button', { name: 'Moderation' }).click();
    const view = mod.getByRole('region', { name: 'Moderation of demo' });
    const card = (m: string) => view.locator(`article[data-report="${rid(m)}"]`);
    await card('s1').waitFor();
    expect(await card('s1').getByRole('heading').innerText()).toBe(`Report #${rid('s1')} in lobby: mal name (mal)`);
    expect(await card('s1').innerText()).toContain('Reported by ann because: spam');
    expect(await card('s2').locator('[aria-current=true]').innerText()).toBe('mal name BUY NOW');
    expect(await card('s2').locator('.context li').count()).toBeGreaterThan(2);

    await card('s1').getByRole('button', { name: 'Delete message' }).click();
    await expect.poll(() => view.getByRole('status').innerText()).toBe('The message is deleted.');
    expect((await ann.next((f) => f.type === 'deleted' && f.id === 's1')).id).toBe('s1');

    await card('s2').getByLabel('Length').selectOption({ label: '1 hour' });
    await card('s2').getByRole('button', { name: 'Mute mal name' }).click();
    await expect.poll(() => view.getByRole('status').innerText()).toBe('mal name is muted for 1 hour.');
    expect(await mal.request({ type: 'message', room: 'lobby', id: 'm9', text: 'hello?' }).catch((e) => e)).toMatchObject({ type: 'error', code: 'forbidden' });
    await expect.poll(() => view.locator('tr[data-user="mal"]').first().innerText()).toContain('until');

    await card('s3').getByLabel('Length').selectOption({ label: '7 days' });
    await card('s3').getByLabel('Reason').fill('spam, again');
    mod.once('dialog', (dlg) => void dlg.accept());
    await card('s3').getByRole('button', { name: 'Ban mal name' }).click();
    expect((await mal.closed).code).toBe(4503);
    await expect.poll(() => view.getByRole('status').innerText()).toBe('mal name is banned for 7 days.');

    await card('ok1').getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => view.getByText('No open reports.').count()).toBe(1);
    await mod.screenshot({ path: `${root}test/artifacts/dashboard-moderation.png`, fullPage: true });

    await mod.locator('article[data-tenant]').getByRole('button', { name: 'Audit log' }).click();
    const log = mod.getByRole('region', { name: 'Audit log of demo' });
    await log.locator('tr[data-action="report.dismissed"]').waitFor();
    for (const action of ['message.delete', 'user.mute', 'user.ban', 'report.resolved', 'report.dismissed'])
      expect(await log.locator(`tr[data-action="${action}"]`).first().innerText()).toContain('demomod@example.com');
    ann.close();
    await mod.context().close();
  });

  it('a cross-site page cannot make changes with the session', async () => {
    // The same browser (it holds the session cookie for 127.0.0.1) on another site: localhost.
    const evil = await context.newPage();
    await evil.goto(`${server.url.replace('127.0.0.1', 'localhost')}/missing`);
    await evil.evaluate(async (api) => {
      await fetch(`${api}/admin/api/tenants`, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ name: 'csrf', origins: [] }) }).catch(() => null);
    }, server.url);
    expect(await listed('csrf')).toBeUndefined();
    await evil.close();
  });

  it('signing in again gives a new session id; signing out ends the session on the server', async () => {
    const before = (await sessionCookie(context))!.value;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('You are signed out.');
    expect(await sessionCookie(context)).toBeUndefined();
    const res = await fetch(`${server.url}/admin/api/tenants`, { headers: { cookie: `parley_session=${before}` } });
    expect(res.status).toBe(401);

    await signIn(page, 'op@example.com', PW);
    await page.locator(`article[data-tenant="${server.demo.tenantId}"]`).waitFor();
    expect((await sessionCookie(context))!.value).not.toBe(before);
  });

  it('goes back to sign-in with a message when the session ends elsewhere', async () => {
    const sid = (await sessionCookie(context))!.value;
    const out = await fetch(`${server.url}/admin/api/session`, { method: 'DELETE', headers: { cookie: `parley_session=${sid}`, origin: server.url } });
    expect(out.status).toBe(204);
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('Your session ended. Sign in again.');
    expect(await page.getByLabel('Password').isVisible()).toBe(true);
  });
});
