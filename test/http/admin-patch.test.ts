import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, connect, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody, eventually, helloOutcome } from './http';

describe.each(backends())('Admin API: PATCH /admin/api/tenants/:id on %s', (backend) => {
  let s: TestServer;
  const { admin, v1, create, listed } = calls(() => s);

  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  const patch = (tenantId: string, body: unknown) => admin(`/tenants/${tenantId}`, { method: 'PATCH', body });

  it('raising messagesPerSecond and burst lifts the rate limit for new connections', async () => {
    const t = await create();
    const send = async (user: string, n: number) => {
      const c = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: user }) });
      await join(c, 'fast');
      const answers = await Promise.all(Array.from({ length: n }, (_, i) => c.request({ type: 'message', room: 'fast', id: `${user}-${i}`, text: 'x' })));
      c.close();
      return { welcome: c.welcome, answers };
    };
    // The defaults (5 a second, burst 10) hold first, so the raise below is what lifts them.
    const slow = await send('slow', 15);
    expect(slow.welcome.limits).toMatchObject({ messagesPerSecond: 5, burst: 10 });
    expect(slow.answers.some((a) => a.type === 'error' && a.code === 'rate_limited')).toBe(true);

    const r = await patch(t.tenantId, { settings: { messagesPerSecond: 1000, burst: 500 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ tenantId: t.tenantId, settings: { messagesPerSecond: 1000, burst: 500, maxTextLength: 4000 } });
    const fast = await eventually(async () => {
      const f = await send(`fast${Math.random().toString(36).slice(2, 6)}`, 60);
      expect(f.welcome.limits).toMatchObject({ messagesPerSecond: 1000, burst: 500 });
      return f;
    });
    expect(fast.answers.map((a) => a.type)).toEqual(Array(60).fill('ack'));
    expect((await listed(t.tenantId)).settings).toMatchObject({ messagesPerSecond: 1000, burst: 500 });
  });

  it('changes only what it names: a later settings patch keeps earlier settings', async () => {
    const t = await create({ name: 'keep', origins: ['https://keep.example'], guests: true });
    await patch(t.tenantId, { settings: { burst: 77 } });
    const r = await patch(t.tenantId, { settings: { retentionDays: 30 } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: 'keep',
      origins: ['https://keep.example'],
      guests: true,
      disabled: false,
      publishableKey: t.publishableKey,
      settings: { burst: 77, retentionDays: 30, messagesPerSecond: 5, maxTextLength: 4000, guests: true },
    });
    expect(JSON.stringify(r.body)).not.toContain(t.secretKey);
  });

  it('maxTextLength applies to HTTP posts and shows in welcome', async () => {
    const t = await create();
    const r = await patch(t.tenantId, { settings: { maxTextLength: 10 } });
    expect(r.body.settings.maxTextLength).toBe(10);
    await eventually(async () => {
      const post = await v1(t.secretKey, '/rooms/r/messages', { method: 'POST', body: { id: 'long', user: 'u', text: 'x'.repeat(11) } });
      expect(post.status).toBe(413);
      expect(post.body).toEqual(errorBody('too_large'));
    });
    expect((await v1(t.secretKey, '/rooms/r/messages', { method: 'POST', body: { id: 'ok', user: 'u', text: 'x'.repeat(10) } })).status).toBe(201);
    const c = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'u' }) });
    expect(c.welcome.limits.maxTextLength).toBe(10);
    c.close();
  });

  it('guests: false refuses guests, guests: true lets them in again', async () => {
    const t = await create({ name: 'g', origins: ['*'], guests: true });
    const off = await patch(t.tenantId, { guests: false });
    expect(off.body).toMatchObject({ guests: false, settings: { guests: false } });
    await eventually(async () => expect((await helloOutcome(s.wsUrl, t.publishableKey, { name: 'G' })).close).toBe(4501));
    expect((await listed(t.tenantId)).guests).toBe(false);
    const on = await patch(t.tenantId, { settings: { guests: true } });
    expect(on.body.guests).toBe(true);
    await eventually(async () => expect((await helloOutcome(s.wsUrl, t.publishableKey, { name: 'G' })).welcome).toBeDefined());
  });

  it('name and origins: the new origin list replaces the old one', async () => {
    const t = await create({ name: 'before', origins: ['https://old.example'] });
    const r = await patch(t.tenantId, { name: ' after ', origins: ['https://new.example'] });
    expect(r.body).toMatchObject({ name: 'after', origins: ['https://new.example'] });
    await eventually(async () => {
      await expect(connect(s.wsUrl, t.publishableKey, { origin: 'https://old.example' })).rejects.toMatchObject({ status: 403 });
    });
    const c = await connect(s.wsUrl, t.publishableKey, { origin: 'https://new.example' });
    c.close();
    expect(await listed(t.tenantId)).toMatchObject({ name: 'after', origins: ['https://new.example'] });
  });

  it('disabled: true shuts the tenant out (401 over HTTP, 4504 on hello); false lets it back', async () => {
    const t = await create();
    const token = await userToken(t.secretKey, { sub: 'u' });
    expect((await patch(t.tenantId, { disabled: true })).body.disabled).toBe(true);
    await eventually(async () => expect((await v1(t.secretKey, '/rooms/r/messages')).status).toBe(401));
    await eventually(async () => expect((await helloOutcome(s.wsUrl, t.publishableKey, { token })).close).toBe(4504));
    expect((await listed(t.tenantId)).disabled).toBe(true);
    expect((await patch(t.tenantId, { disabled: false })).body.disabled).toBe(false);
    await eventually(async () => expect((await v1(t.secretKey, '/tokens', { method: 'POST', body: { user: 'u' } })).status).toBe(201));
    await eventually(async () => expect((await helloOutcome(s.wsUrl, t.publishableKey, { token })).welcome?.user).toBe('u'));
  });

  it('an empty patch changes nothing and answers the tenant', async () => {
    const t = await create({ name: 'same', origins: ['https://same.example'] });
    const r = await patch(t.tenantId, {});
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ tenantId: t.tenantId, name: 'same', origins: ['https://same.example'], disabled: false });
  });

  it('an unknown tenant is 404 not_found', async () => {
    const r = await patch('t_nonesuch', { settings: { burst: 20 } });
    expect(r.status).toBe(404);
    expect(r.body).toEqual(errorBody('not_found'));
  });

  describe('a bad patch is 400 bad_request and changes nothing', () => {
    let strict: { tenantId: string };
    beforeAll(async () => {
      strict = await create({ name: 'strict', origins: ['https://strict.example'] });
    });

    it.each([
      ['not JSON', 'burst=5'],
      ['a JSON array', [{ name: 'x' }]],
      ['a blank name', { name: ' ' }],
      ['a numeric name', { name: 5 }],
      ['a name over 100 characters', { name: 'n'.repeat(101) }],
      ['origins not a list', { origins: 'https://x.example' }],
      ['a malformed origin', { origins: ['x.example'] }],
      ['guests not a boolean', { guests: 'no' }],
      ['disabled not a boolean', { disabled: 1 }],
      ['settings not an object', { settings: [1] }],
      ['an unknown setting', { settings: { colour: 'red' } }],
      ['maxTextLength 0', { settings: { maxTextLength: 0 } }],
      ['maxTextLength over 16000', { settings: { maxTextLength: 16_001 } }],
      ['messagesPerSecond 0', { settings: { messagesPerSecond: 0 } }],
      ['messagesPerSecond as a string', { settings: { messagesPerSecond: '100' } }],
      ['a fractional burst', { settings: { burst: 1.5 } }],
      ['negative retentionDays', { settings: { retentionDays: -1 } }],
      ['settings.guests not a boolean', { settings: { guests: 1 } }],
      ['a good setting beside a bad one', { settings: { burst: 50, maxTextLength: -1 } }],
      ['a good name beside a bad origin', { name: 'changed', origins: ['nope'] }],
    ])('%s', async (_what, body) => {
      const r = await patch(strict.tenantId, body);
      expect(r.status).toBe(400);
      expect(r.body).toEqual(errorBody('bad_request'));
      // An empty patch reads the tenant back.
      expect((await patch(strict.tenantId, {})).body).toMatchObject({
        name: 'strict',
        origins: ['https://strict.example'],
        guests: false,
        disabled: false,
        settings: { maxTextLength: 4000, messagesPerSecond: 5, burst: 10, retentionDays: 0 },
      });
    });
  });
});
