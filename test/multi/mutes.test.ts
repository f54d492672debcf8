import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, join, userToken } from '../helpers/client';
import { twoServers, unique, until, withRedisAndPostgres, type TwoServers } from '../helpers/two-servers';

const maybe = withRedisAndPostgres ? describe : describe.skip;

// A mute is pushed over the control bus like a ban: made through one server, it holds on the
// other, and so does its end.
maybe('mutes on every server (Postgres + Redis)', () => {
  let s: TwoServers;
  beforeAll(async () => {
    s = await twoServers({ tenantPollMs: 3_600_000 });
  });
  afterAll(() => s?.stop());

  const api = (path: string, method: string, body?: unknown) =>
    fetch(`${s.a.url}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${s.a.demo.secretKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('a mute through server a refuses the user’s messages on server b; the unmute lets them through', async () => {
    const [name, room] = [unique('muted'), unique('mute-room')];
    const onB = await client(s.bWs, s.a.demo.publishableKey, { token: await userToken(s.a.demo.secretKey, { sub: name, name }) });
    await join(onB, room);
    // A first message warms server b's cache of the tenant's mutes.
    expect(await onB.request({ type: 'message', room, id: unique('m'), text: 'before' })).toMatchObject({ type: 'ack' });
    expect((await api(`/mutes/${name}`, 'PUT', { reason: 'cool down', minutes: 60 })).status).toBe(200);
    const send = () => onB.request({ type: 'message', room, id: unique('m'), text: 'during' }).catch((e) => e);
    // Pushed: b drops its cached mutes when the event arrives (a Redis round trip after the PUT).
    await until(async () => (await send()).type === 'error', 3000, 'the mute on server b');
    const refused = await send();
    expect(refused).toMatchObject({ type: 'error', code: 'forbidden', message: expect.stringMatching(/^you are muted until .*: cool down$/) });
    expect((await api(`/mutes/${name}`, 'DELETE')).status).toBe(204);
    await until(async () => (await send()).type === 'ack', 3000, 'the unmute on server b');
    onB.close();
  });

  it('a moderator’s `mute` frame on server a refuses the user’s messages on server b, with the reason', async () => {
    const [name, room] = [unique('muted'), unique('mute-room')];
    const onB = await client(s.bWs, s.a.demo.publishableKey, { token: await userToken(s.a.demo.secretKey, { sub: name, name }) });
    const mod = await client(s.a.wsUrl, s.a.demo.publishableKey, { token: await userToken(s.a.demo.secretKey, { sub: unique('mod'), name: 'Mod', role: 'moderator' }) });
    await join(onB, room);
    expect(await onB.request({ type: 'message', room, id: unique('m'), text: 'before' })).toMatchObject({ type: 'ack' });
    expect(await mod.request({ type: 'mute', user: name, reason: 'flooding', minutes: 5 })).toMatchObject({ type: 'ack', user: name });
    const send = () => onB.request({ type: 'message', room, id: unique('m'), text: 'during' }).catch((e) => e);
    await until(async () => (await send()).type === 'error', 3000, 'the mute on server b');
    expect(await send()).toMatchObject({ type: 'error', code: 'forbidden', message: expect.stringMatching(/: flooding$/) });
    expect(await mod.request({ type: 'unmute', user: name })).toMatchObject({ type: 'ack' });
    await until(async () => (await send()).type === 'ack', 3000, 'the unmute on server b');
    onB.close();
    mod.close();
  });
});
