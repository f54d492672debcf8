import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken, type TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls, helloOutcome } from '../http/http';

// A token with role `moderator` deletes any message and mutes or bans over the socket, as the
// dashboard does over HTTP; anyone else is refused. And a user's blocks reach `welcome`/`joined`.
describe.each(backends())('moderators over the socket on %s', (backend) => {
  let s: TestServer;
  const { admin, v1, create } = calls(() => s);
  let t: { tenantId: string; publishableKey: string; secretKey: string };
  beforeAll(async () => {
    s = await startTestServer({ backend });
    t = await create();
  });
  afterAll(() => s?.stop());

  const open: TestClient[] = [];
  afterAll(() => open.forEach((c) => c.close()));
  async function person(sub: string, room: string, role?: string) {
    const c = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub, name: sub.toUpperCase(), role }) });
    open.push(c);
    await join(c, room);
    return c;
  }
  const audit = async () => ((await admin(`/tenants/${t.tenantId}/audit`)).body.entries as { actor: string; actorName: string; action: string; target: string; detail: any }[]);

  it('a moderator deletes anyone’s message: the room gets `deleted`, the audit log names them', async () => {
    const [ann, mod, bob] = [await person('ann', 'd'), await person('mia', 'd', 'moderator'), await person('bob', 'd')];
    expect(await ann.request({ type: 'message', room: 'd', id: 'a1', text: 'spam' })).toMatchObject({ type: 'ack', seq: 1 });
    // A member may not delete someone else's message.
    expect(await bob.request({ type: 'delete', room: 'd', id: 'a1' })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await mod.request({ type: 'delete', room: 'd', id: 'a1' })).toMatchObject({ type: 'ack', room: 'd', id: 'a1' });
    expect(await bob.next((f) => f.type === 'deleted' && f.id === 'a1')).toMatchObject({ seq: 1 });
    expect((await audit())[0]).toMatchObject({ actor: 'user:mia', actorName: 'MIA (chat)', action: 'message.delete', target: 'd/a1', detail: { user: 'ann' } });
    // Her own message is not a moderator's act: nothing more in the log.
    await mod.request({ type: 'message', room: 'd', id: 'm1', text: 'mine' });
    const before = (await audit()).length;
    expect(await mod.request({ type: 'delete', room: 'd', id: 'm1' })).toMatchObject({ type: 'ack' });
    expect((await audit()).length).toBe(before);
  });

  it('mute with a reason and a length: the user reads on, their message gets `forbidden` with the reason; unmute lifts it', async () => {
    const [cat, mod] = [await person('cat', 'm'), await person('mo', 'm', 'moderator')];
    expect(await mod.request({ type: 'mute', user: 'cat', reason: 'cool down', minutes: 60 })).toMatchObject({ type: 'ack', user: 'cat' });
    const refused = await cat.request({ type: 'message', room: 'm', id: 'c1', text: 'hey' });
    expect(refused).toMatchObject({ type: 'error', code: 'forbidden', message: expect.stringMatching(/^you are muted until .*: cool down$/) });
    // Still reading.
    await mod.request({ type: 'message', room: 'm', id: 'o1', text: 'calm' });
    await cat.next((f) => f.type === 'message' && f.id === 'o1');
    expect((await v1(t.secretKey, '/mutes')).body.mutes).toEqual([expect.objectContaining({ user: 'cat', reason: 'cool down' })]);
    expect((await audit())[0]).toMatchObject({ actor: 'user:mo', action: 'user.mute', target: 'cat', detail: { reason: 'cool down' } });
    expect(await mod.request({ type: 'unmute', user: 'cat' })).toMatchObject({ type: 'ack', user: 'cat' });
    expect(await cat.request({ type: 'message', room: 'm', id: 'c2', text: 'sorry' })).toMatchObject({ type: 'ack' });
    expect(await mod.request({ type: 'unmute', user: 'cat' })).toMatchObject({ type: 'error', code: 'not_found' });
    expect((await audit())[0]).toMatchObject({ action: 'user.unmute', target: 'cat' });
  });

  it('ban closes the user’s sockets with 4503 and refuses their hello; unban lets them back', async () => {
    const [dan, mod] = [await person('dan', 'b'), await person('mo2', 'b', 'moderator')];
    expect(await mod.request({ type: 'ban', user: 'dan', reason: 'abuse' })).toMatchObject({ type: 'ack', user: 'dan' });
    expect((await dan.closed).code).toBe(4503);
    const token = await userToken(t.secretKey, { sub: 'dan', name: 'Dan' });
    expect(await helloOutcome(s.wsUrl, t.publishableKey, { token })).toMatchObject({ close: 4503, error: { code: 'forbidden' } });
    expect((await v1(t.secretKey, '/bans')).body.bans).toEqual([expect.objectContaining({ user: 'dan', reason: 'abuse', until: null })]);
    expect(await mod.request({ type: 'unban', user: 'dan' })).toMatchObject({ type: 'ack', user: 'dan' });
    await person('dan', 'b');
    expect((await audit()).slice(0, 2).map((e) => e.action)).toEqual(['user.unban', 'user.ban']);
  });

  it('refuses members, themselves, and bad fields, each with its code', async () => {
    const [eve, mod] = [await person('eve', 'x'), await person('mo3', 'x', 'moderator')];
    for (const type of ['mute', 'ban', 'unmute', 'unban'])
      expect(await eve.request({ type, user: 'mo3' })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await mod.request({ type: 'ban', user: 'mo3' })).toMatchObject({ type: 'error', code: 'bad_request' });
    for (const bad of [
      { type: 'mute', user: 'eve', minutes: 0 },
      { type: 'mute', user: 'eve', minutes: 5_256_001 },
      { type: 'mute', user: 'eve', minutes: 1.5 },
      { type: 'ban', user: 'eve', reason: 'x'.repeat(501) },
      { type: 'ban', user: 'has space' },
      { type: 'ban' },
    ])
      expect(await mod.request(bad)).toMatchObject({ type: 'error', code: 'bad_request' });
    expect((await v1(t.secretKey, '/bans')).body.bans.map((b: { user: string }) => b.user)).not.toContain('eve');
  });

  it('welcome lists the blocks, and joined leaves the blocked out of presence and the count', async () => {
    const [fay, gus] = [await person('fay', 'p'), await person('gus', 'p')];
    expect(await fay.request({ type: 'block', user: 'gus' })).toMatchObject({ type: 'ack', user: 'gus' });
    const again = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'fay', name: 'Fay' }) });
    open.push(again);
    expect(again.welcome.blocked).toEqual(['gus']);
    const j = await join(again, 'p');
    expect(j.presence.map((p: { user: string }) => p.user)).toEqual(['fay']);
    expect(j.online).toBe(1);
    // Gus sees Fay as usual: blocks are one-way.
    expect((await join(gus, 'p')).online).toBe(2);
    await again.request({ type: 'unblock', user: 'gus' });
    const back = await join(again, 'p');
    expect(back.online).toBe(2);
    const third = await client(s.wsUrl, t.publishableKey, { token: await userToken(t.secretKey, { sub: 'fay', name: 'Fay' }) });
    open.push(third);
    expect(third.welcome).not.toHaveProperty('blocked');
  });
});
