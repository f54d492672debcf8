import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { errorBody, helloOutcome, http } from './http';

interface Keys {
  tenantId: string;
  publishableKey: string;
  secretKey: string;
}

// PROTOCOL.md, guarantee 6: nothing of one tenant is visible to another tenant's keys or tokens,
// even when both use the same room name and the same message ids.
describe.each(backends())('tenant isolation over HTTP on %s', (backend) => {
  let s: TestServer;
  let a: Keys;
  let b: Keys;
  const as = (t: Keys, path: string, opts: Parameters<typeof http>[1] = {}) => http(`${s.url}/v1${path}`, { bearer: t.secretKey, ...opts });
  const newTenant = async (name: string): Promise<Keys> => {
    const r = await http(`${s.url}/admin/api/tenants`, { method: 'POST', bearer: s.adminToken, body: { name, origins: ['*'], guests: true } });
    expect(r.status).toBe(201);
    return r.body;
  };

  beforeAll(async () => {
    s = await startTestServer({ backend });
    [a, b] = await Promise.all([newTenant('a'), newTenant('b')]);
    for (let i = 1; i <= 3; i++) {
      const r = await as(a, '/rooms/shared/messages', { method: 'POST', body: { id: `a${i}`, user: 'alice', text: `secret ${i}` } });
      expect(r.status).toBe(201);
    }
  });
  afterAll(() => s?.stop());

  const aMessages = async () => {
    const r = await as(a, '/rooms/shared/messages');
    expect(r.status).toBe(200);
    return r.body;
  };

  it("B's key finds no room of A's: GET is 404 and says nothing of A", async () => {
    const r = await as(b, '/rooms/shared/messages');
    expect(r.status).toBe(404);
    expect(r.body).toEqual(errorBody('not_found'));
    expect(JSON.stringify(r.body)).not.toContain('secret');
  });

  it("B cannot delete A's message, and A's message keeps its text", async () => {
    const r = await as(b, '/rooms/shared/messages/a1', { method: 'DELETE' });
    expect(r.status).toBe(404);
    expect(r.body).toEqual(errorBody('not_found'));
    const page = await aMessages();
    expect(page.messages[0]).toMatchObject({ id: 'a1', text: 'secret 1' });
    expect(page.messages[0].deleted).toBeUndefined();
  });

  it('B posting into the same room name gets its own room: its own seqs, ids free, no duplicate of A', async () => {
    // a2 is A's id in A's room; in B's room it is new, so neither a duplicate nor a conflict.
    const r = await as(b, '/rooms/shared/messages', { method: 'POST', body: { id: 'a2', user: 'bob', text: 'b text' } });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ id: 'a2', seq: 1, ts: expect.any(Number) });
    const bPage = await as(b, '/rooms/shared/messages');
    expect(bPage.body).toEqual({
      messages: [{ id: 'a2', seq: 1, ts: r.body.ts, user: 'bob', name: 'bob', text: 'b text' }],
      hasMore: false,
      headSeq: 1,
    });
    for (const q of ['?afterSeq=0', '?beforeSeq=4', '?limit=200']) {
      const p = await as(b, `/rooms/shared/messages${q}`);
      expect(p.body.messages.map((m: any) => m.text)).toEqual(['b text']);
    }
    const aPage = await aMessages();
    expect(aPage.headSeq).toBe(3);
    expect(aPage.messages.map((m: any) => [m.id, m.user, m.text])).toEqual([
      ['a1', 'alice', 'secret 1'],
      ['a2', 'alice', 'secret 2'],
      ['a3', 'alice', 'secret 3'],
    ]);
  });

  it("B making the room private changes only B's room", async () => {
    const r = await as(b, '/rooms/shared', { method: 'PUT', body: { private: true, members: ['bob'] } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ room: 'shared', private: true, members: ['bob'] });
    const ca = await client(s.wsUrl, a.publishableKey, { token: await userToken(a.secretKey, { sub: 'carol' }) });
    const joined = await join(ca, 'shared');
    expect(joined.messages.map((m: any) => m.id)).toEqual(['a1', 'a2', 'a3']);
    ca.close();
    const back = await as(b, '/rooms/shared', { method: 'PUT', body: { private: false } });
    expect(back.body).toMatchObject({ private: false, members: ['bob'] });
  });

  it("A's private room stays private to B's tokens and members of the same name", async () => {
    await as(a, '/rooms/vault', { method: 'PUT', body: { private: true, members: ['alice'] } });
    // B's user named like A's member, with a token that names the room, is still refused.
    const t = await as(b, '/tokens', { method: 'POST', body: { user: 'alice', rooms: ['vault'] } });
    const outcome = await helloOutcome(s.wsUrl, a.publishableKey, { token: t.body.token });
    expect(outcome.close).toBe(4501);
    expect((await as(b, '/rooms/vault/messages')).status).toBe(404);
  });

  it("a token B's key signs is refused on A's publishable key, and the other way round", async () => {
    const fromB = await as(b, '/tokens', { method: 'POST', body: { user: 'bob' } });
    expect((await helloOutcome(s.wsUrl, a.publishableKey, { token: fromB.body.token })).close).toBe(4501);
    expect((await helloOutcome(s.wsUrl, b.publishableKey, { token: fromB.body.token })).welcome?.user).toBe('bob');
    const fromA = await userToken(a.secretKey, { sub: 'alice' });
    expect((await helloOutcome(s.wsUrl, b.publishableKey, { token: fromA })).close).toBe(4501);
  });

  it("a WebSocket member of A's room never receives what B posts to the same room name", async () => {
    const ca = await client(s.wsUrl, a.publishableKey, { token: await userToken(a.secretKey, { sub: 'carol' }) });
    const cb = await client(s.wsUrl, b.publishableKey, { token: await userToken(b.secretKey, { sub: 'dan' }) });
    await join(ca, 'live');
    await join(cb, 'live');
    await as(b, '/rooms/live/messages', { method: 'POST', body: { id: 'from-b', user: 'bob', text: 'only for b' } });
    await cb.next((f) => f.type === 'message' && f.id === 'from-b');
    // B also deletes its message; A's member must not hear of that either.
    expect((await as(b, '/rooms/live/messages/from-b', { method: 'DELETE' })).status).toBe(204);
    await cb.next((f) => f.type === 'deleted');
    await as(a, '/rooms/live/messages', { method: 'POST', body: { id: 'from-a', user: 'alice', text: 'only for a' } });
    const ev = await ca.next((f) => f.type === 'message');
    expect(ev).toMatchObject({ id: 'from-a', seq: 1, text: 'only for a' });
    expect(ca.frames.filter((f) => f.type === 'message' || f.type === 'deleted').map((f) => f.id)).toEqual(['from-a']);
    expect(cb.frames.filter((f) => f.type === 'message').map((f) => f.id)).toEqual(['from-b']);
    ca.close();
    cb.close();
  });
});
