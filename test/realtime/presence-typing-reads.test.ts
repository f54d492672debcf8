import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, userToken, type Frame } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';
import { DEFAULTS } from '../../api/protocol';

describe.each(backends())('presence, typing and read receipts on %s', (backend) => {
  let s: TestServer;
  // The server's clock runs with real time plus whatever the test adds: heartbeats and
  // throttles keep their production lengths and the test moves the clock past them.
  let offset = 0;
  const clock = { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms) };
  const heartbeatMs = DEFAULTS.heartbeatMs;
  beforeAll(async () => {
    s = await startTestServer({ backend, now: clock.now, sweepMs: 20 });
  });
  afterAll(() => s?.stop());

  const as = async (sub: string, name: string) =>
    client(s.wsUrl, s.demo.publishableKey, { token: await userToken(s.demo.secretKey, { sub, name }) });
  const presenceOf = (c: { frames: Frame[] }, user: string) =>
    c.frames.filter((f) => f.type === 'presence' && f.user === user).map((f) => f.status);

  it('a user with two tabs stays online until the last one closes', async () => {
    const bob = await as('bob', 'Bob');
    await join(bob, 'p1');
    const tab1 = await as('alice', 'Alice');
    const j1 = await join(tab1, 'p1');
    expect(j1.online).toBe(2);
    expect(j1.presence).toEqual(expect.arrayContaining([{ user: 'alice', name: 'Alice' }, { user: 'bob', name: 'Bob' }]));
    await bob.next((f) => f.type === 'presence' && f.user === 'alice' && f.status === 'online');
    const tab2 = await as('alice', 'Alice');
    expect((await join(tab2, 'p1')).online).toBe(2);
    tab1.close();
    await tab1.closed;
    await bob.request({ type: 'ping' });
    await tab2.request({ type: 'ping' });
    expect(presenceOf(bob, 'alice')).toEqual(['online']);
    tab2.close();
    // Presence changes may be held up to the coalescing window (1 s), so wait generously.
    await bob.next((f) => f.type === 'presence' && f.user === 'alice' && f.status === 'offline', 15_000);
    expect(presenceOf(bob, 'alice')).toEqual(['online', 'offline']);
    // Leaving is the same as closing.
    const carol = await as('carol', 'Carol');
    await join(carol, 'p1');
    expect(await carol.request({ type: 'leave', room: 'p1' })).toMatchObject({ type: 'left', room: 'p1' });
    await bob.next((f) => f.type === 'presence' && f.user === 'carol' && f.status === 'offline', 15_000);
    bob.close();
    carol.close();
  });

  it('a connection that goes silent is dead after 2.5 heartbeats and the room sees it offline', async () => {
    const bob = await as('bob2', 'Bob');
    await join(bob, 'p2');
    const ghost = await as('ghost', 'Ghost');
    await join(ghost, 'p2');
    await bob.next((f) => f.type === 'presence' && f.user === 'ghost' && f.status === 'online');
    // Stop reading: the ghost neither sends frames nor answers WebSocket pings.
    ((ghost.ws as unknown as { _socket: Socket })._socket).pause();
    const connections = s.server.stats().connections;
    // Short of 2.5 heartbeats (with 5 s to spare for a slow machine): the sweep pings both
    // (idle over one heartbeat) and keeps both. Bob's ws answers the ping, which keeps him alive;
    // his receiving it shows a sweep ran, and a sweep finishes before its pings are read.
    const swept = new Promise<void>((r) => bob.ws.once('ping', () => r()));
    clock.advance(heartbeatMs * 2.5 - 5000);
    await swept;
    expect(s.server.stats().connections).toBe(connections);
    expect(presenceOf(bob, 'ghost')).toEqual(['online']);
    // Past 2.5 heartbeats: the next sweep ends the ghost and the room is told.
    clock.advance(5001);
    await bob.next((f) => f.type === 'presence' && f.user === 'ghost' && f.status === 'offline', 10_000);
    expect(s.server.stats().connections).toBe(connections - 1);
    bob.close();
  });

  it('typing goes to the others only, is cleared by a message and by closing', async () => {
    const a = await as('ta', 'Alice');
    const b = await as('tb', 'Bob');
    await join(a, 't1');
    await join(b, 't1');
    a.send({ type: 'typing', room: 't1', active: true });
    expect(await b.next((f) => f.type === 'typing')).toEqual({ type: 'typing', room: 't1', user: 'ta', name: 'Alice', active: true });
    await a.request({ type: 'message', room: 't1', id: 'tm1', text: 'done typing' });
    const cleared = await b.next((f) => f.type === 'typing' && f.active === false);
    expect(cleared).toMatchObject({ user: 'ta', active: false });
    // The clear comes before the message itself.
    const order = b.frames.filter((f) => f.type === 'typing' || f.type === 'message').map((f) => f.type);
    expect(order).toEqual(['typing', 'typing', 'message']);
    b.send({ type: 'typing', room: 't1', active: true });
    await a.next((f) => f.type === 'typing' && f.user === 'tb' && f.active);
    b.close();
    await a.next((f) => f.type === 'typing' && f.user === 'tb' && f.active === false);
    expect(a.frames.filter((f) => f.type === 'typing' && f.user === 'ta')).toEqual([]);
    a.close();
  });

  it('read positions are stored forward only, clamped to the head, told to the room, and come back in joined', async () => {
    const a = await as('ra', 'Alice');
    const b = await as('rb', 'Bob');
    await join(a, 'r1');
    await join(b, 'r1');
    for (let i = 1; i <= 3; i++) await a.request({ type: 'message', room: 'r1', id: `rm${i}`, text: `${i}` });
    b.send({ type: 'read', room: 'r1', lastSeq: 2 });
    expect(await a.next((f) => f.type === 'read')).toEqual({ type: 'read', room: 'r1', user: 'rb', lastSeq: 2 });
    b.send({ type: 'read', room: 'r1', lastSeq: 1 });
    b.send({ type: 'read', room: 'r1', lastSeq: 99 });
    const clamped = await a.next((f) => f.type === 'read' && f.lastSeq !== 2);
    expect(clamped.lastSeq).toBe(3);
    await b.request({ type: 'ping' });
    await a.request({ type: 'ping' });
    expect(a.frames.filter((f) => f.type === 'read').map((f) => f.lastSeq)).toEqual([2, 3]);
    b.close();
    const again = await as('rb', 'Bob');
    const j = await join(again, 'r1');
    expect(j.lastRead).toBe(3);
    expect(j.reads).toEqual([{ user: 'rb', lastSeq: 3 }]);
    expect(await again.request({ type: 'read', room: 'elsewhere', lastSeq: 1 })).toMatchObject({ code: 'forbidden' });
    a.close();
    again.close();
  });

  it('blocking hides a user’s messages, typing and presence, live and in history', async () => {
    const a = await as('ba', 'Alice');
    const m = await as('bm', 'Mallory');
    await join(a, 'b1');
    await join(m, 'b1');
    await m.request({ type: 'message', room: 'b1', id: 'bm1', text: 'before' });
    expect(await a.request({ type: 'block', user: 'bm' })).toMatchObject({ type: 'ack', user: 'bm' });
    await m.request({ type: 'message', room: 'b1', id: 'bm2', text: 'after' });
    m.send({ type: 'typing', room: 'b1', active: true });
    await m.request({ type: 'message', room: 'b1', id: 'bm3', text: 'again' });
    await a.request({ type: 'message', room: 'b1', id: 'ba1', text: 'mine' });
    await a.next((f) => f.type === 'message' && f.id === 'ba1');
    expect(a.frames.filter((f) => f.type === 'message').map((f) => f.id)).toEqual(['bm1', 'ba1']);
    expect(a.frames.filter((f) => f.type === 'typing')).toEqual([]);
    const fresh = await as('ba', 'Alice');
    expect((await join(fresh, 'b1')).messages.map((x: Frame) => x.id)).toEqual(['ba1']);
    // Pages count visible messages only, in both directions, and hasMore says so.
    await a.request({ type: 'message', room: 'b1', id: 'ba2', text: 'mine too' });
    const page = async (q: Frame) => {
      const j = await fresh.request({ type: 'join', room: 'b1', ...q });
      return [j.messages.map((x: Frame) => x.id), j.hasMore];
    };
    expect(await page({ limit: 1 })).toEqual([['ba2'], true]);
    expect(await page({ limit: 2 })).toEqual([['ba1', 'ba2'], false]);
    expect(await page({ lastSeq: 0, limit: 1 })).toEqual([['ba1'], true]);
    expect(await page({ lastSeq: 4, limit: 1 })).toEqual([['ba2'], false]);
    // history and sync page the same way past the blocked author's messages.
    const hist = await fresh.request({ type: 'history', room: 'b1', beforeSeq: 5, limit: 1 });
    expect([hist.messages.map((x: Frame) => x.id), hist.hasMore]).toEqual([['ba1'], false]);
    const sync = await fresh.request({ type: 'sync', room: 'b1', lastSeq: 0, limit: 1 });
    expect([sync.messages.map((x: Frame) => x.id), sync.hasMore]).toEqual([['ba1'], true]);
    await a.request({ type: 'unblock', user: 'bm' });
    await m.request({ type: 'message', room: 'b1', id: 'bm4', text: 'visible' });
    await a.next((f) => f.type === 'message' && f.id === 'bm4');
    [a, m, fresh].forEach((c) => c.close());
  });
});
