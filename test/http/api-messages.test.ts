import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { errorBody, http } from './http';

describe.each(backends())('HTTP API: messages on %s', (backend) => {
  let s: TestServer;
  let sk: string;
  const api = (path: string, opts: Parameters<typeof http>[1] = {}) => http(`${s.url}/v1${path}`, { bearer: sk, ...opts });
  const post = (room: string, body: object) => api(`/rooms/${room}/messages`, { method: 'POST', body });

  beforeAll(async () => {
    s = await startTestServer({ backend });
    sk = s.demo.secretKey;
  });
  afterAll(() => s?.stop());

  it('POST stores a message (201); the same id again is 200 duplicate with the original seq and ts', async () => {
    const first = await post('dup', { id: 'm-1', user: 'ann', name: 'Ann', text: 'first' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: 'm-1', seq: 1, ts: expect.any(Number) });
    expect(Math.abs(first.body.ts - Date.now())).toBeLessThan(10_000);
    const again = await post('dup', { id: 'm-1', user: 'ann', name: 'Ann', text: 'changed' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: 'm-1', seq: 1, ts: first.body.ts, duplicate: true });
    const next = await post('dup', { id: 'm-2', user: 'ann', text: 'second' });
    expect(next.body.seq).toBe(2);
    const page = await api('/rooms/dup/messages');
    expect(page.body.messages.map((m: any) => [m.id, m.seq, m.text])).toEqual([
      ['m-1', 1, 'first'],
      ['m-2', 2, 'second'],
    ]);
  });

  it('an id another user already used in the room is 409 conflict, and nothing is stored', async () => {
    expect((await post('conflict', { id: 'c1', user: 'ann', text: 'mine' })).status).toBe(201);
    const r = await post('conflict', { id: 'c1', user: 'bo', text: 'also mine' });
    expect(r.status).toBe(409);
    expect(r.body).toEqual(errorBody('conflict'));
    const page = await api('/rooms/conflict/messages');
    expect(page.body).toMatchObject({ headSeq: 1, messages: [{ id: 'c1', user: 'ann', text: 'mine' }] });
  });

  it.each([
    ['not JSON', '{"id":', 400, 'bad_request'],
    ['no id', { user: 'ann', text: 'hi' }, 400, 'bad_request'],
    ['an id with a space', { id: 'a b', user: 'ann', text: 'hi' }, 400, 'bad_request'],
    ['an id over 64 characters', { id: 'x'.repeat(65), user: 'ann', text: 'hi' }, 400, 'bad_request'],
    ['no user', { id: 'v1', text: 'hi' }, 400, 'bad_request'],
    ['no text', { id: 'v1', user: 'ann' }, 400, 'bad_request'],
    ['a numeric text', { id: 'v1', user: 'ann', text: 5 }, 400, 'bad_request'],
    ['blank text', { id: 'v1', user: 'ann', text: '   ' }, 400, 'bad_request'],
    ['text over maxTextLength', { id: 'v1', user: 'ann', text: 'x'.repeat(4001) }, 413, 'too_large'],
  ])('POST with %s is %i %s and stores nothing', async (_what, body, status, code) => {
    const r = await post('validation', body as object);
    expect(r.status).toBe(status);
    expect(r.body).toEqual(errorBody(code));
    expect((await api('/rooms/validation/messages')).status).toBe(404);
  });

  it('text length is counted in code points: 4000 emoji fit', async () => {
    const r = await post('emoji', { id: 'e1', user: 'ann', text: '😀'.repeat(4000) });
    expect(r.status).toBe(201);
  });

  it('a malformed room name is 400 bad_request on every route', async () => {
    const bad = 'bad%20room';
    for (const r of [
      await api(`/rooms/${bad}/messages`),
      await post(bad, { id: 'x', user: 'ann', text: 'hi' }),
      await api(`/rooms/${bad}/messages/x`, { method: 'DELETE' }),
      await api(`/rooms/${bad}`, { method: 'PUT', body: {} }),
      await api(`/rooms/${'r'.repeat(65)}/messages`),
    ]) {
      expect(r.status).toBe(400);
      expect(r.body).toEqual(errorBody('bad_request'));
    }
  });

  it('a message posted over HTTP is broadcast to a WebSocket member of the room', async () => {
    const c = await client(s.wsUrl, s.demo.publishableKey, { token: await userToken(sk, { sub: 'watcher' }) });
    await join(c, 'bcast');
    const r = await post('bcast', { id: 'h1', user: 'alice', name: 'Alice', text: 'from the backend' });
    expect(r.status).toBe(201);
    const ev = await c.next((f) => f.type === 'message');
    expect(ev).toEqual({ type: 'message', room: 'bcast', id: 'h1', seq: 1, ts: r.body.ts, user: 'alice', name: 'Alice', text: 'from the backend', cursor: 1 });
    // Without a name the user id is shown; a duplicate is not broadcast again.
    await post('bcast', { id: 'h1', user: 'alice', text: 'from the backend' });
    await post('bcast', { id: 'h2', user: 'carl', text: 'no name' });
    const ev2 = await c.next((f) => f.type === 'message' && f.id === 'h2');
    expect(ev2).toMatchObject({ seq: 2, user: 'carl', name: 'carl' });
    expect(c.frames.filter((f) => f.type === 'message').map((f) => f.seq)).toEqual([1, 2]);
    c.close();
  });

  it('DELETE is 204, the room gets deleted, and the message keeps its place without text', async () => {
    await post('del', { id: 'd1', user: 'ann', text: 'oops' });
    await post('del', { id: 'd2', user: 'ann', text: 'fine' });
    const c = await client(s.wsUrl, s.demo.publishableKey, { token: await userToken(sk, { sub: 'watcher' }) });
    await join(c, 'del');
    const r = await api('/rooms/del/messages/d1', { method: 'DELETE' });
    expect(r.status).toBe(204);
    expect(r.body).toBeNull();
    expect(await c.next((f) => f.type === 'deleted')).toEqual({ type: 'deleted', room: 'del', id: 'd1', seq: 1, cursor: 3 });
    const page = await api('/rooms/del/messages');
    expect(page.body.messages).toEqual([
      { id: 'd1', seq: 1, ts: expect.any(Number), user: 'ann', deleted: true },
      { id: 'd2', seq: 2, ts: expect.any(Number), user: 'ann', name: 'ann', text: 'fine' },
    ]);
    // Deleting again changes nothing and tells nobody.
    expect((await api('/rooms/del/messages/d1', { method: 'DELETE' })).status).toBe(204);
    await post('del', { id: 'd3', user: 'ann', text: 'marker' });
    await c.next((f) => f.type === 'message' && f.id === 'd3');
    expect(c.frames.filter((f) => f.type === 'deleted')).toHaveLength(1);
    c.close();
  });

  it('DELETE of an unknown message or in an unknown room is 404 not_found', async () => {
    await post('del404', { id: 'x1', user: 'ann', text: 'hi' });
    for (const path of ['/rooms/del404/messages/nope', '/rooms/never-made/messages/x1']) {
      const r = await api(path, { method: 'DELETE' });
      expect(r.status).toBe(404);
      expect(r.body).toEqual(errorBody('not_found'));
    }
    expect((await api('/rooms/del404/messages/bad%20id', { method: 'DELETE' })).status).toBe(400);
  });

  it('GET pages with afterSeq, beforeSeq and limit', async () => {
    for (let i = 1; i <= 7; i++) expect((await post('pages', { id: `p${i}`, user: 'ann', text: `t${i}` })).body.seq).toBe(i);
    const seqs = async (q: string) => {
      const r = await api(`/rooms/pages/messages${q}`);
      expect(r.status).toBe(200);
      expect(r.body.headSeq).toBe(7);
      return [r.body.messages.map((m: any) => m.seq), r.body.hasMore];
    };
    expect(await seqs('')).toEqual([[1, 2, 3, 4, 5, 6, 7], false]);
    expect(await seqs('?limit=3')).toEqual([[5, 6, 7], true]);
    expect(await seqs('?beforeSeq=5&limit=3')).toEqual([[2, 3, 4], true]);
    expect(await seqs('?beforeSeq=3&limit=3')).toEqual([[1, 2], false]);
    expect(await seqs('?afterSeq=0&limit=3')).toEqual([[1, 2, 3], true]);
    expect(await seqs('?afterSeq=2&limit=3')).toEqual([[3, 4, 5], true]);
    expect(await seqs('?afterSeq=4&limit=3')).toEqual([[5, 6, 7], false]);
    expect(await seqs('?afterSeq=7')).toEqual([[], false]);
    expect(await seqs('?beforeSeq=1')).toEqual([[], false]);
    const one = await api('/rooms/pages/messages?afterSeq=3&limit=1');
    expect(one.body.messages).toEqual([{ id: 'p4', seq: 4, ts: expect.any(Number), user: 'ann', name: 'ann', text: 't4' }]);
  });

  it('GET without a cursor returns the newest 50', async () => {
    const posted = await Promise.all(
      Array.from({ length: 55 }, (_, i) => post('fifty', { id: `f${i}`, user: 'ann', text: `t${i}` })),
    );
    expect(posted.map((r) => r.status).every((st) => st === 201)).toBe(true);
    const r = await api('/rooms/fifty/messages');
    expect(r.body.headSeq).toBe(55);
    expect(r.body.hasMore).toBe(true);
    expect(r.body.messages.map((m: any) => m.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 6));
  });

  it.each([
    ['limit=0'],
    ['limit=201'],
    ['limit=ten'],
    ['limit=1.5'],
    ['afterSeq=-1'],
    ['beforeSeq=x'],
    ['afterSeq='],
    ['afterSeq=1&beforeSeq=5'],
  ])('GET with %s is 400 bad_request', async (q) => {
    await post('query', { id: 'q1', user: 'ann', text: 'hi' });
    const r = await api(`/rooms/query/messages?${q}`);
    expect(r.status).toBe(400);
    expect(r.body).toEqual(errorBody('bad_request'));
  });

  it('GET for a room the tenant never made is 404 not_found', async () => {
    const r = await api('/rooms/no-such-room/messages');
    expect(r.status).toBe(404);
    expect(r.body).toEqual(errorBody('not_found'));
  });

  it('a room first joined over the WebSocket exists, empty, for GET', async () => {
    const c = await client(s.wsUrl, s.demo.publishableKey, { token: await userToken(sk, { sub: 'joiner' }) });
    await join(c, 'joined-first');
    c.close();
    const r = await api('/rooms/joined-first/messages');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ messages: [], hasMore: false, headSeq: 0 });
  });

  it('an unknown path under /v1 is 404 not_found in the JSON error shape', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/rooms/x'],
      ['GET', '/tokens'],
      ['PATCH', '/rooms/x/messages'],
    ]) {
      const r = await api(path, { method });
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body).toEqual(errorBody('not_found'));
    }
  });

  it('a body over 256 KiB is 413 too_large, and nothing is stored', async () => {
    const r = await post('huge', { id: 'big', user: 'ann', text: 'x'.repeat(300 * 1024) });
    expect(r.status).toBe(413);
    expect(r.body).toEqual(errorBody('too_large'));
    // The unread rest of the body makes the connection unusable; the client must not reuse it.
    expect(r.headers.get('connection')).toBe('close');
    expect((await api('/rooms/huge/messages')).status).toBe(404);
  });
});
