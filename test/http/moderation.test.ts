import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody } from './http';

describe.each(backends())('content rules: executable content and profanity on %s', (backend) => {
  let s: TestServer;
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  async function person(t: { publishableKey: string; secretKey: string }, sub: string, room: string) {
    const c = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub, name: sub }) });
    await join(c, room);
    return c;
  }
  const stored = async (t: { secretKey: string }, room: string) =>
    ((await v1(t.secretKey, `/rooms/${room}/messages`)).body.messages as { id: string; seq: number; text: string }[]).map((m) => [m.id, m.seq, m.text]);

  it('refuses scripts over the socket and over HTTP by default, storing nothing and keeping seqs gap-free', async () => {
    const t = await create();
    const c = await person(t, 'ann', 'r');
    expect(await c.request({ type: 'message', room: 'r', id: 'm1', text: 'hi <img src=x onerror=alert(1)>' })).toMatchObject({ type: 'error', code: 'rejected' });
    expect(await c.request({ type: 'message', room: 'r', id: 'm2', text: 'a < b, and I <3 onload events' })).toMatchObject({ type: 'ack', seq: 1 });
    const http = await v1(t.secretKey, '/rooms/r/messages', { method: 'POST', body: { id: 'h1', user: 'bot', text: 'go to javascript:alert(1)' } });
    expect(http.status).toBe(422);
    expect(http.body).toEqual(errorBody('rejected'));
    expect(await stored(t, 'r')).toEqual([['m2', 1, 'a < b, and I <3 onload events']]);
    // A tenant that shows messages only as text may allow markup.
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { rejectExecutable: false } } })).status).toBe(200);
    expect(await c.request({ type: 'message', room: 'r', id: 'm1', text: '<script>x</script>' })).toMatchObject({ type: 'ack', seq: 2 });
    c.close();
  });

  it('masks profanity for everyone when asked (the sender learns the stored text from the ack), or refuses it', async () => {
    const t = await create();
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { profanity: 'mask' } } })).status).toBe(200);
    const [ann, bob] = [await person(t, 'ann', 'p'), await person(t, 'bob', 'p')];
    const ack = await ann.request({ type: 'message', room: 'p', id: 'p1', text: 'what the fuck' });
    expect(ack).toMatchObject({ type: 'ack', seq: 1, text: 'what the ****' });
    expect(await bob.next((f) => f.type === 'message' && f.id === 'p1')).toMatchObject({ text: 'what the ****' });
    // A clean message's ack carries no text.
    expect(await ann.request({ type: 'message', room: 'p', id: 'p2', text: 'sorry' })).not.toHaveProperty('text');
    const http = await v1(t.secretKey, '/rooms/p/messages', { method: 'POST', body: { id: 'h1', user: 'bot', text: 'shit happens' } });
    expect(http.body).toMatchObject({ seq: 3, text: '**** happens' });

    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: { profanity: 'reject' } } })).status).toBe(200);
    expect(await ann.request({ type: 'message', room: 'p', id: 'p3', text: 'fuck this' })).toMatchObject({ type: 'error', code: 'rejected' });
    expect(await stored(t, 'p')).toEqual([
      ['p1', 1, 'what the ****'],
      ['p2', 2, 'sorry'],
      ['h1', 3, '**** happens'],
    ]);
    [ann, bob].forEach((c) => c.close());
  });

  it('validates the settings', async () => {
    const t = await create();
    for (const settings of [{ profanity: 'loud' }, { rejectExecutable: 'yes' }])
      expect(await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings } })).toMatchObject({ status: 400, body: errorBody('bad_request') });
    expect((await admin(`/tenants/${t.tenantId}`, { method: 'PATCH', body: { settings: {} } })).body.settings).toMatchObject({ rejectExecutable: true, profanity: 'off' });
  });

  it('lists what people reported for the tenant’s moderators, newest first, with the message as it is now', async () => {
    const t = await create();
    const other = await create({ name: 'other', origins: ['*'] });
    const [ann, bob] = [await person(t, 'ann', 'q'), await person(t, 'bob', 'q')];
    await ann.request({ type: 'message', room: 'q', id: 'q1', text: 'buy my stuff' });
    await ann.request({ type: 'message', room: 'q', id: 'q2', text: 'really, buy it' });
    expect(await bob.request({ type: 'report', room: 'q', id: 'q1', reason: 'spam' })).toMatchObject({ type: 'ack' });
    expect(await bob.request({ type: 'report', room: 'q', id: 'q2' })).toMatchObject({ type: 'ack' });
    await ann.request({ type: 'delete', room: 'q', id: 'q2' });
    const all = await v1(t.secretKey, '/reports');
    expect(all.status).toBe(200);
    expect(all.body).toEqual({
      hasMore: false,
      reports: [
        { id: expect.any(Number), room: 'q', messageId: 'q2', reporter: 'bob', reason: null, ts: expect.any(Number), status: 'open', closed: null, message: { user: 'ann', name: 'ann', text: null, deleted: true, seq: 2 } },
        { id: expect.any(Number), room: 'q', messageId: 'q1', reporter: 'bob', reason: 'spam', ts: expect.any(Number), status: 'open', closed: null, message: { user: 'ann', name: 'ann', text: 'buy my stuff', deleted: false, seq: 1 } },
      ],
    });
    const first = await v1(t.secretKey, '/reports?limit=1');
    expect(first.body).toMatchObject({ hasMore: true, reports: [{ messageId: 'q2' }] });
    const next = await v1(t.secretKey, `/reports?limit=1&before=${first.body.reports[0].id}`);
    expect(next.body).toMatchObject({ hasMore: false, reports: [{ messageId: 'q1' }] });
    expect((await v1(other.secretKey, '/reports')).body).toEqual({ reports: [], hasMore: false });
    expect((await v1(t.secretKey, '/reports?limit=0')).body).toEqual(errorBody('bad_request'));
    [ann, bob].forEach((c) => c.close());
  });
});
