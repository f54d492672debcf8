import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, join, userToken, type Frame, type TestClient } from '../helpers/client';
import { twoServers, unique, until, withRedisAndPostgres, type TwoServers } from '../helpers/two-servers';

// Changes are pushed, so they reach the other server within a Redis round trip and one read.
// The window is generous for a loaded machine, yet shorter than a 5 s poll: the second of two
// changes made back to back (right after a poll would have picked up the first) must arrive
// by push. The fallback poll is turned off so only the push can pass.
const PUSHED_MS = 3000;

const maybe = withRedisAndPostgres ? describe : describe.skip;

maybe('tenant state pushed to every server (Postgres + Redis)', () => {
  let s: TwoServers;
  beforeAll(async () => {
    s = await twoServers({ tenantPollMs: 3_600_000 });
  });
  afterAll(() => s?.stop());

  const admin = (path: string, method: string, body?: unknown) =>
    fetch(`${s.a.url}/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${s.a.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const api = (path: string, method: string, body?: unknown, secret = s.a.demo.secretKey) =>
    fetch(`${s.a.url}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const on = async (server: 'a' | 'b', sub: string, claims: { role?: string; rooms?: string[] } = {}) =>
    client(server === 'a' ? s.a.wsUrl : s.bWs, s.a.demo.publishableKey, {
      token: await userToken(s.a.demo.secretKey, { sub, name: sub, ...claims }),
    });
  const post = async (c: TestClient, room: string, text: string) => {
    const ack = await c.request({ type: 'message', room, id: unique('m'), text });
    expect(ack.type).toBe('ack');
    return ack;
  };
  const closedWithin = (c: TestClient) =>
    Promise.race([c.closed, new Promise<null>((r) => setTimeout(() => r(null), PUSHED_MS))]);

  it('a block made on one server applies to the blocker’s sockets on the other, and an unblock too', async () => {
    const [u, v, w, room] = [unique('u'), unique('v'), unique('w'), unique('blk')];
    const uA = await on('a', u);
    const uB = await on('b', u);
    const vA = await on('a', v);
    const wA = await on('a', w);
    for (const c of [uA, uB, vA, wA]) await join(c, room);
    const first = await post(vA, room, 'before the block');
    await uB.next((f) => f.type === 'message' && f.id === first.id);

    expect(await uA.request({ type: 'block', user: v })).toMatchObject({ type: 'ack', user: v });
    const sees = async (c: TestClient, user: string) =>
      (await c.request({ type: 'sync', room, lastSeq: 0 })).messages.some((m: Frame) => m.user === user);
    await until(async () => !(await sees(uB, v)), PUSHED_MS, 'the block on server b');
    // Live: v's next message does not reach u on b; w's later one does.
    const hidden = await post(vA, room, 'after the block');
    const shown = await post(wA, room, 'marker');
    await uB.next((f) => f.type === 'message' && f.id === shown.id);
    expect(uB.frames.some((f) => f.id === hidden.id)).toBe(false);

    // Unblocked from b: u on a sees v again.
    expect(await uB.request({ type: 'unblock', user: v })).toMatchObject({ type: 'ack' });
    await until(() => sees(uA, v), PUSHED_MS, 'the unblock on server a');
    for (const c of [uA, uB, vA, wA]) c.close();
  });

  it('a ban through one server closes the user’s sockets on the other, twice in a row', async () => {
    for (const name of [unique('mallory'), unique('mallet')]) {
      const onB = await on('b', name);
      expect((await api(`/bans/${name}`, 'PUT', {})).status).toBe(200);
      expect((await closedWithin(onB))?.code).toBe(4503);
      expect(onB.frames.find((f) => f.type === 'error')).toMatchObject({ code: 'forbidden' });
    }
  });

  async function newTenant() {
    const t = (await (await admin('/tenants', 'POST', { name: unique('t'), origins: ['*'], guests: true })).json()) as {
      tenantId: string;
      publishableKey: string;
      secretKey: string;
    };
    return t;
  }

  it('revoking keys through one server closes the sockets they signed on the other, twice in a row', async () => {
    const t = await newTenant();
    const more = [];
    for (let i = 0; i < 2; i++) more.push((await (await admin(`/tenants/${t.tenantId}/secret-keys`, 'POST')).json()) as { secretKey: string; prefix: string });
    const sockets = await Promise.all(
      [t.secretKey, ...more.map((k) => k.secretKey)].map(async (key, i) =>
        client(s.bWs, t.publishableKey, { token: await userToken(key, { sub: `k${i}` }) }),
      ),
    );
    for (let i = 0; i < 2; i++) {
      expect((await admin(`/tenants/${t.tenantId}/secret-keys/${[t.secretKey, more[0].secretKey][i].slice(0, 11)}`, 'DELETE')).status).toBe(204);
      expect((await closedWithin(sockets[i]))?.code).toBe(4501);
    }
    // The key left active keeps its socket.
    expect(await sockets[2].request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    sockets[2].close();
  });

  it('settings changed through one server apply to sockets on the other, and disabling closes them', async () => {
    const t = await newTenant();
    const onB = await client(s.bWs, t.publishableKey, { name: 'G' });
    // A message to a room not joined answers `forbidden` when its length is allowed, and
    // `too_large` once the new limit applies: nothing is stored while waiting.
    const refused = async (len: number) =>
      (await onB.request({ type: 'message', room: 'nowhere', id: unique('p'), text: 'x'.repeat(len) })).code === 'too_large';
    for (const [max, len] of [
      [100, 150],
      [50, 80],
    ]) {
      expect(await refused(len)).toBe(false);
      expect((await admin(`/tenants/${t.tenantId}`, 'PATCH', { settings: { maxTextLength: max } })).status).toBe(200);
      await until(() => refused(len), PUSHED_MS, `maxTextLength ${max} on server b`);
    }
    expect((await admin(`/tenants/${t.tenantId}`, 'PATCH', { disabled: true })).status).toBe(200);
    expect((await closedWithin(onB))?.code).toBe(4504);
  });

  /** Waits until `c` is put out of `room`: the error, then `left`; a message to it is refused. */
  async function putOut(c: TestClient, room: string) {
    const err = await c.next((f) => f.type === 'error' && f.room === room, PUSHED_MS);
    expect(err).toMatchObject({ code: 'forbidden' });
    await c.next((f) => f.type === 'left' && f.room === room);
    expect(await c.request({ type: 'message', room, id: unique('x'), text: 'still here?' })).toMatchObject({ type: 'error', code: 'forbidden' });
  }

  /** After `from` posts, `witness` (in the room on b) gets it; `outsider` (also on b) never does. */
  async function notDelivered(from: TestClient, room: string, witness: TestClient, outsiders: TestClient[]) {
    const m = await post(from, room, 'members only');
    await witness.next((f) => f.type === 'message' && f.id === m.id);
    // A pong is written after anything the hub already handed to the same socket.
    for (const o of outsiders) {
      await o.request({ type: 'ping' });
      expect(o.frames.some((f) => f.id === m.id)).toBe(false);
    }
  }

  it('a member taken off a private room is put out of it on every server; grants by token stay', async () => {
    const [u, v, mod, room] = [unique('u'), unique('v'), unique('mod'), unique('priv')];
    expect((await api(`/rooms/${room}`, 'PUT', { private: true, members: [u, v] })).status).toBe(200);
    const uA = await on('a', u);
    const uB = await on('b', u);
    const vA = await on('a', v);
    const modB = await on('b', mod, { role: 'moderator' });
    const granted = await on('b', unique('g'), { rooms: [room] });
    for (const c of [uA, uB, vA, modB, granted]) await join(c, room);

    expect((await api(`/rooms/${room}`, 'PUT', { members: [v] })).status).toBe(200);
    await Promise.all([putOut(uA, room), putOut(uB, room)]);
    await notDelivered(vA, room, modB, [uB]);
    expect(granted.frames.some((f) => f.type === 'error')).toBe(false);
    for (const c of [uA, uB, vA, modB, granted]) c.close();
  });

  it('a public room made private puts out everyone not on its list, on every server', async () => {
    const [u, v, room] = [unique('u'), unique('v'), unique('pub')];
    const uA = await on('a', u);
    const uB = await on('b', u);
    const vB = await on('b', v);
    for (const c of [uA, uB, vB]) await join(c, room);
    expect((await api(`/rooms/${room}`, 'PUT', { private: true, members: [v] })).status).toBe(200);
    await Promise.all([putOut(uA, room), putOut(uB, room)]);
    const vA = await on('a', v);
    await join(vA, room);
    await notDelivered(vA, room, vB, [uB]);
    for (const c of [uA, uB, vA, vB]) c.close();
  });
});
