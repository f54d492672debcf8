import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, connect, join, type Frame, type TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { calls } from '../http/http';

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('the upgrade was accepted');
    },
    (err: { status: number; body: string }) => ({ status: err.status, code: JSON.parse(err.body).error.code as string }),
  );

describe.each(backends())('limits for one guest, on %s', (backend) => {
  let s: TestServer;
  const { create } = calls(() => s);
  beforeAll(async () => {
    s = await startTestServer({ backend, presenceWindowMs: 1000 });
  });
  afterAll(() => s?.stop());

  /** A tenant with guests and these settings, and a guest connection to it. */
  async function tenantWith(settings: object) {
    const t = await create({ name: 'limits', origins: ['*'], guests: true, settings });
    return { t, guest: (name = 'G') => client(s.wsUrl, t.publishableKey, { name }) };
  }

  it('refuses connections over the per-address limit with 429 and over the total with 503, and frees slots on close', async () => {
    // A server of its own: the other tests all connect from 127.0.0.1.
    const small = await startTestServer({ backend, maxConnections: 4, maxConnectionsPerIp: 2 });
    const key = small.demo.publishableKey;
    const s = small;
    const open: TestClient[] = [];
    open.push(await connect(s.wsUrl, key, { localAddress: '127.0.0.1' }), await connect(s.wsUrl, key, { localAddress: '127.0.0.1' }));
    expect(await refusal(connect(s.wsUrl, key, { localAddress: '127.0.0.1' }))).toEqual({ status: 429, code: 'rate_limited' });
    // A refused upgrade (unknown key) from another address does not keep a slot.
    expect(await refusal(connect(s.wsUrl, 'pk_unknown_but_well_formed', { localAddress: '127.0.0.2' }))).toMatchObject({ status: 401 });
    open.push(await connect(s.wsUrl, key, { localAddress: '127.0.0.2' }), await connect(s.wsUrl, key, { localAddress: '127.0.0.3' }));
    expect(await refusal(connect(s.wsUrl, key, { localAddress: '127.0.0.4' }))).toEqual({ status: 503, code: 'internal' });
    const first = open.shift()!;
    first.close();
    await first.closed;
    // The slot comes back once the server has seen the close.
    for (let i = 0; ; i++) {
      const again = await connect(s.wsUrl, key, { localAddress: '127.0.0.1' }).catch((err) => (i > 100 ? Promise.reject(err) : null));
      if (again) {
        open.push(again);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const c of open) c.close();
    await Promise.all(open.map((c) => c.closed));
    await small.stop();
    // A second server starting on a loaded machine (PGlite) can take a while.
  }, 120_000);

  it('caps rooms per connection (too_large) and joins per second (rate_limited with retryAfterMs)', async () => {
    const { guest } = await tenantWith({ maxRoomsPerConnection: 3, joinsPerSecond: 1000 });
    const g = await guest();
    for (const r of ['a', 'b', 'c']) await join(g, r);
    expect(await g.request({ type: 'join', room: 'd' })).toMatchObject({ type: 'error', code: 'too_large' });
    // A re-join of a room it is in is not a new room.
    await join(g, 'a');
    await g.request({ type: 'leave', room: 'b' });
    await join(g, 'd');
    g.close();

    const slow = await tenantWith({ joinsPerSecond: 0.01, joinBurst: 2 });
    const h = await slow.guest();
    await join(h, 'x');
    await join(h, 'y');
    const refused = await h.request({ type: 'join', room: 'z' });
    expect(refused).toMatchObject({ type: 'error', code: 'rate_limited' });
    expect(refused.retryAfterMs).toBeGreaterThan(1000);
    h.close();
  });

  it('answers frames over the connection budget with rate_limited, then closes with 4029', async () => {
    const { guest } = await tenantWith({ framesPerSecond: 1, frameBurst: 2, messagesPerSecond: 0.01, burst: 1 });
    const g = await guest();
    // The budget's burst is frameBurst + burst = 3; the hello took one.
    for (let i = 0; i < 40; i++) g.send({ type: 'ping', rid: `p${i}` });
    const { code } = await g.closed;
    expect(code).toBe(4029);
    const pongs = g.frames.filter((f) => f.type === 'pong').length;
    const limited = g.frames.filter((f) => f.type === 'error' && f.code === 'rate_limited');
    // Refusals are sent at once and may overtake the pongs still queued when the close comes.
    expect(pongs).toBeLessThanOrEqual(2);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0].retryAfterMs).toBeGreaterThan(0);
    expect(limited[0].rid).toMatch(/^p\d+$/);
  });

  it('coalesces join/leave flapping to at most one presence event per user per room per second, the last one true', async () => {
    const { guest } = await tenantWith({ joinsPerSecond: 1000, joinBurst: 1000, framesPerSecond: 1000, frameBurst: 1000 });
    const watcher = await guest('W');
    await join(watcher, 'flap');
    const flapper = await guest('F');
    const user = flapper.welcome.user;
    const events = () => watcher.frames.filter((f) => f.type === 'presence' && f.user === user);
    const started = Date.now();
    for (let i = 0; i < 30; i++) {
      await join(flapper, 'flap');
      await flapper.request({ type: 'leave', room: 'flap' });
    }
    const elapsed = Date.now() - started;
    // The held change is told when its window ends: the final state, offline.
    await watcher.next((f) => f.type === 'presence' && f.user === user && f.status === 'offline' && events().at(-1) === f, 5000);
    await watcher.request({ type: 'ping' });
    const seen = events();
    expect(seen.at(-1)).toMatchObject({ status: 'offline' });
    // One at once, then at most one per window that passed (plus the last held one).
    expect(seen.length).toBeLessThanOrEqual(Math.floor(elapsed / 1000) + 2);
    expect(seen.length).toBeLessThan(60);
    // A flapper that ends in the room is shown online.
    await join(flapper, 'flap');
    await flapper.request({ type: 'leave', room: 'flap' });
    await join(flapper, 'flap');
    await watcher.next((f: Frame) => f.type === 'presence' && f.user === user && f.status === 'online' && events().at(-1) === f, 5000);
    const fresh = await guest('W2');
    expect((await join(fresh, 'flap')).presence.map((p: Frame) => p.user)).toContain(user);
    for (const c of [watcher, flapper, fresh]) c.close();
  });

  it('limits reports and blocks per user per minute', async () => {
    const { guest } = await tenantWith({ reportsPerMinute: 3, blocksPerMinute: 3 });
    const author = await guest('A');
    const g = await guest('R');
    await join(author, 'rep');
    await join(g, 'rep');
    expect(await author.request({ type: 'message', room: 'rep', id: 'm1', text: 'hello' })).toMatchObject({ type: 'ack' });
    for (let i = 0; i < 3; i++) expect(await g.request({ type: 'report', room: 'rep', id: 'm1', reason: `r${i}` })).toMatchObject({ type: 'ack' });
    expect(await g.request({ type: 'report', room: 'rep', id: 'm1' })).toMatchObject({ type: 'error', code: 'rate_limited', retryAfterMs: expect.any(Number) });
    for (let i = 0; i < 3; i++) expect(await g.request({ type: i % 2 ? 'unblock' : 'block', user: `u${i}` })).toMatchObject({ type: 'ack' });
    expect(await g.request({ type: 'block', user: 'u9' })).toMatchObject({ type: 'error', code: 'rate_limited' });
    author.close();
    g.close();
  });

  it('creates rooms only by join: history and sync of a room nobody joined answer empty and make nothing', async () => {
    const { t, guest } = await tenantWith({});
    const g = await guest();
    expect(await g.request({ type: 'history', room: 'never-joined', beforeSeq: 10 })).toMatchObject({ type: 'history', messages: [], headSeq: 0 });
    expect(await g.request({ type: 'sync', room: 'never-synced', lastSeq: 0 })).toMatchObject({ type: 'history', messages: [], headSeq: 0 });
    for (const room of ['never-joined', 'never-synced'])
      expect((await calls(() => s).v1(t.secretKey, `/rooms/${room}/messages`)).status).toBe(404);
    await join(g, 'joined-once');
    expect((await calls(() => s).v1(t.secretKey, '/rooms/joined-once/messages')).status).toBe(200);
    g.close();
  });
});
