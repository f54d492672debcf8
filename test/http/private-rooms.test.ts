import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { errorBody, http } from './http';

describe.each(backends())('private rooms: who may enter, members one by one, the backend as a user on %s', (backend) => {
  let s: TestServer;
  const api = (path: string, opts: Parameters<typeof http>[1] = {}) => http(`${s.url}/v1${path}`, { bearer: s.demo.secretKey, ...opts });
  const as = async (sub: string, claims: { role?: string; rooms?: string[] } = {}) =>
    client(s.wsUrl, s.demo.publishableKey, { token: await userToken(s.demo.secretKey, { sub, name: sub, ...claims }) });
  const tryJoin = async (sub: string, room: string, claims: { role?: string; rooms?: string[] } = {}) => {
    const c = await as(sub, claims);
    const r = await c.request({ type: 'join', room });
    c.close();
    return r.type === 'joined' ? 'joined' : r.code;
  };

  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it('enters: members, users whose token names the room, and moderators; nobody else', async () => {
    expect((await api('/rooms/pr1', { method: 'PUT', body: { private: true, members: ['mem'] } })).status).toBe(200);
    expect(await tryJoin('mem', 'pr1')).toBe('joined');
    expect(await tryJoin('claimed', 'pr1', { rooms: ['pr1'] })).toBe('joined');
    expect(await tryJoin('boss', 'pr1', { role: 'moderator' })).toBe('joined');
    expect(await tryJoin('other', 'pr1')).toBe('forbidden');
    expect(await tryJoin('other', 'pr1', { rooms: ['elsewhere'] })).toBe('forbidden');
  });

  it('GET, PUT and the member routes answer {room, private, members, headSeq}; one member at a time keeps the rest', async () => {
    expect(await api('/rooms/pr2')).toMatchObject({ status: 404, body: errorBody('not_found') });
    expect(await api('/rooms/pr2/members/a', { method: 'PUT' })).toMatchObject({ status: 404, body: errorBody('not_found') });
    expect(await api('/rooms/pr2/members/a', { method: 'DELETE' })).toMatchObject({ status: 404, body: errorBody('not_found') });
    const put = await api('/rooms/pr2', { method: 'PUT', body: { private: true, members: ['a'] } });
    expect(put).toMatchObject({ status: 200, body: { room: 'pr2', private: true, members: ['a'], headSeq: 0 } });
    expect((await api('/rooms/pr2/members/b', { method: 'PUT' })).body).toEqual({ room: 'pr2', private: true, members: ['a', 'b'], headSeq: 0 });
    // Adding twice is harmless.
    expect((await api('/rooms/pr2/members/b', { method: 'PUT' })).body.members).toEqual(['a', 'b']);
    expect(await tryJoin('b', 'pr2')).toBe('joined');
    const del = await api('/rooms/pr2/members/a', { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(del.body).toBeNull();
    expect((await api('/rooms/pr2')).body).toEqual({ room: 'pr2', private: true, members: ['b'], headSeq: 0 });
    expect(await tryJoin('a', 'pr2')).toBe('forbidden');
    expect((await api('/rooms/pr2/members/%20', { method: 'PUT' })).status).toBe(400);
  });

  it('a member removed one at a time is put out of the room at once, and cannot post', async () => {
    await api('/rooms/pr3', { method: 'PUT', body: { private: true, members: ['dan', 'eve'] } });
    const dan = await as('dan');
    await join(dan, 'pr3');
    expect((await api('/rooms/pr3/members/dan', { method: 'DELETE' })).status).toBe(204);
    expect(await dan.next((f) => f.type === 'error' && f.room === 'pr3')).toMatchObject({ code: 'forbidden' });
    await dan.next((f) => f.type === 'left' && f.room === 'pr3');
    expect(await dan.request({ type: 'message', room: 'pr3', id: 'x1', text: 'still here?' })).toMatchObject({ type: 'error', code: 'forbidden' });
    dan.close();
  });

  it('the backend posts as a user only where that user may be: not as a non-member of a private room', async () => {
    await api('/rooms/pr4', { method: 'PUT', body: { private: true, members: ['fay'] } });
    expect(await api('/rooms/pr4/messages', { method: 'POST', body: { id: 'p1', user: 'stranger', text: 'hi' } })).toMatchObject({
      status: 403,
      body: errorBody('forbidden'),
    });
    expect((await api('/rooms/pr4/messages', { method: 'POST', body: { id: 'p2', user: 'fay', text: 'hi' } })).status).toBe(201);
    // In a public room anyone, and a room posted to first is made public.
    expect((await api('/rooms/pr4-open/messages', { method: 'POST', body: { id: 'p3', user: 'anyone', text: 'hi' } })).status).toBe(201);
    expect((await api('/rooms/pr4-open')).body).toMatchObject({ private: false, headSeq: 1 });
    // The backend deletes any message.
    expect((await api('/rooms/pr4/messages/p2', { method: 'DELETE' })).status).toBe(204);
  });

  it('an unknown room is made public by join, never by a refused join to a private one', async () => {
    expect(await tryJoin('gil', 'pr5-new')).toBe('joined');
    expect((await api('/rooms/pr5-new')).body).toEqual({ room: 'pr5-new', private: false, members: [], headSeq: 0 });
  });
});
