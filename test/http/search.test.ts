import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, errorBody } from './http';

// Moderators' message search (words and author, paged) and the user view, on both databases
// (the search index is a tsvector GIN index, which PGlite has as well as Postgres).
describe.each(backends())('message search and the user view on %s', (backend) => {
  let s: TestServer;
  const { admin, v1, create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it('finds messages by words and by author across rooms, newest first, in pages, leaving deleted ones out', async () => {
    const [t, other] = [await create(), await create({ name: 'other', origins: ['*'] })];
    const post = (key: string, room: string, id: string, user: string, text: string) =>
      v1(key, `/rooms/${room}/messages`, { method: 'POST', body: { id, user, text } });
    await post(t.secretKey, 'a', 'a1', 'mal', 'Cheap pills here');
    await post(t.secretKey, 'b', 'b1', 'ann', 'no pills for me, thanks');
    await post(t.secretKey, 'a', 'a2', 'mal', 'cheap PILLS again');
    await post(t.secretKey, 'b', 'b2', 'mal', 'hello there');
    await post(t.secretKey, 'a', 'a3', 'mal', 'pills pills');
    await post(other.secretKey, 'a', 'o1', 'mal', 'cheap pills elsewhere');
    expect((await admin(`/tenants/${t.tenantId}/rooms/a/messages/a3`, { method: 'DELETE' })).status).toBe(204);

    const ids = (r: { body: { messages: { id: string }[] } }) => r.body.messages.map((m) => m.id);
    const q = (query: string) => admin(`/tenants/${t.tenantId}/messages?${query}`);
    expect(ids(await q('q=pills'))).toEqual(['a2', 'b1', 'a1']);
    expect(ids(await q('q=cheap%20pills'))).toEqual(['a2', 'a1']);
    expect(ids(await q('user=mal'))).toEqual(['b2', 'a2', 'a1']);
    expect(ids(await q('q=pills&user=ann'))).toEqual(['b1']);
    expect((await q('q=pills')).body.messages[0]).toMatchObject({ room: 'a', id: 'a2', user: 'mal', text: 'cheap PILLS again' });

    const first = await q('q=pills&limit=2');
    expect(first.body).toMatchObject({ hasMore: true, next: expect.any(String) });
    const second = await q(`q=pills&limit=2&before=${encodeURIComponent(first.body.next)}`);
    expect([...ids(first), ...ids(second)]).toEqual(['a2', 'b1', 'a1']);
    expect(second.body).toMatchObject({ hasMore: false, next: null });
    // The tenant's backend has the same search.
    expect(ids(await v1(t.secretKey, '/messages?q=elsewhere'))).toEqual([]);
    for (const bad of ['', 'q=x&before=nope', `q=${'x'.repeat(201)}`, 'user=x&limit=0'])
      expect(await q(bad)).toMatchObject({ status: 400, body: errorBody('bad_request') });
  });

  it('shows a user: recent messages, reports by and against them, the mute in force and what moderators did', async () => {
    const t = await create();
    await v1(t.secretKey, '/rooms/r/messages', { method: 'POST', body: { id: 'm1', user: 'mal', text: 'spam' } });
    await admin(`/tenants/${t.tenantId}/mutes/mal`, { method: 'PUT', body: { reason: 'spam', minutes: 60 } });
    await admin(`/tenants/${t.tenantId}/bans/mal`, { method: 'PUT', body: { reason: 'more spam' } });
    await admin(`/tenants/${t.tenantId}/bans/mal`, { method: 'DELETE' });
    const u = (await admin(`/tenants/${t.tenantId}/users/mal`)).body;
    expect(u).toMatchObject({ user: 'mal', messages: [{ id: 'm1', room: 'r', text: 'spam' }], reportsBy: [], reportsAgainst: [], ban: null, mute: { reason: 'spam' } });
    expect(u.history.map((e: { action: string }) => e.action)).toEqual(['user.unban', 'user.ban', 'user.mute']);
  });
});
