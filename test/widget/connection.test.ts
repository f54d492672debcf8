import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerFrame } from '../../api/protocol';
import { backoff } from '../../widget/client/backoff';
import {
  ANSWER_TIMEOUT_MS,
  createConnection,
  HEALTHY_MS,
  type ConnectionOptions,
  type ConnState,
} from '../../widget/client/connection';
import { FakeSocket } from './fake-socket';

const URL = 'ws://api.test/v1/ws?key=pk_test';

function setup(extra: Partial<ConnectionOptions> = {}) {
  const states: [ConnState, number | undefined][] = [];
  const frames: ServerFrame[] = [];
  const conn = createConnection({
    url: URL,
    WebSocket: FakeSocket,
    random: () => 0.999,
    name: 'Ann',
    onFrame: (f) => frames.push(f),
    onState: (s, code) => states.push([s, code]),
    ...extra,
  });
  return { conn, states, frames, state: () => conn.state };
}

// Lets the async dial (it awaits the token) run to the socket.
const tick = () => vi.advanceTimersByTimeAsync(0);

async function connected(extra: Partial<ConnectionOptions> = {}, welcome: Record<string, unknown> = {}) {
  const t = setup(extra);
  t.conn.start();
  await tick();
  FakeSocket.last().open();
  FakeSocket.last().welcome(welcome);
  return t;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('connection state machine', () => {
  it('is connected only after welcome, not when the socket opens', async () => {
    const t = setup();
    t.conn.start();
    expect(t.state()).toBe('connecting');
    await tick();
    const s = FakeSocket.last();
    expect(s.url).toBe(URL);
    s.open();
    expect(s.sent).toEqual([{ type: 'hello', name: 'Ann', batch: true }]);
    expect(t.state()).toBe('connecting');
    expect(t.conn.send({ type: 'ping' })).toBe(false);
    s.welcome();
    expect(t.state()).toBe('connected');
    expect(t.conn.send({ type: 'ping' })).toBe(true);
    expect(t.states.map(([st]) => st)).toEqual(['connecting', 'connected']);
  });

  it('sends the token from auth in hello', async () => {
    const t = setup({ auth: () => 'jwt.token.here' });
    t.conn.start();
    await tick();
    FakeSocket.last().open();
    expect(FakeSocket.last().sent[0]).toEqual({ type: 'hello', token: 'jwt.token.here', name: 'Ann', batch: true });
  });

  it('splits a batched frame on newlines and delivers each in order', async () => {
    const t = await connected();
    FakeSocket.last().receive(
      { type: 'typing', room: 'r', user: 'b', name: 'Bob', active: true },
      { type: 'pong', ts: 1 },
      { type: 'read', room: 'r', user: 'b', lastSeq: 4 },
    );
    expect(t.frames.map((f) => f.type)).toEqual(['welcome', 'typing', 'pong', 'read']);
  });

  it('reconnects after a drop with full-jitter backoff that doubles up to the cap', async () => {
    const t = await connected();
    for (let attempt = 0; attempt < 8; attempt++) {
      const before = FakeSocket.all.length;
      FakeSocket.last().serverClose(1006);
      expect(t.state()).toBe('reconnecting');
      const wait = backoff(attempt, () => 0.999);
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(FakeSocket.all.length).toBe(before);
      await vi.advanceTimersByTimeAsync(1);
      expect(FakeSocket.all.length).toBe(before + 1);
    }
    expect(backoff(7, () => 0.999)).toBeLessThanOrEqual(30_000);
    expect(t.states.filter(([s]) => s === 'reconnecting').length).toBe(1);
  });

  it('resets the backoff only after a healthy minute', async () => {
    await connected();
    // Three quick failures push the backoff to attempt 3.
    for (let i = 0; i < 3; i++) {
      FakeSocket.last().serverClose(1006);
      await vi.advanceTimersByTimeAsync(backoff(i, () => 0.999));
    }
    // A connection that dies within the minute keeps the count. (Long heartbeat: no pings here.)
    const quiet = { heartbeatMs: 10 * HEALTHY_MS };
    FakeSocket.last().open();
    FakeSocket.last().welcome(quiet);
    await vi.advanceTimersByTimeAsync(HEALTHY_MS - 1000);
    let n = FakeSocket.all.length;
    FakeSocket.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(backoff(3, () => 0.999) - 1);
    expect(FakeSocket.all.length).toBe(n);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all.length).toBe(n + 1);
    // One that lives a minute resets it.
    FakeSocket.last().open();
    FakeSocket.last().welcome(quiet);
    await vi.advanceTimersByTimeAsync(HEALTHY_MS);
    n = FakeSocket.all.length;
    FakeSocket.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(backoff(0, () => 0.999));
    expect(FakeSocket.all.length).toBe(n + 1);
  });

  it('reconnects at once, with jitter, after 1001', async () => {
    const t = await connected({ random: () => 0.3 });
    FakeSocket.last().serverClose(1001);
    expect(t.state()).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(299);
    expect(FakeSocket.all.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all.length).toBe(2);
  });

  it.each([4501, 4503, 4504, 4999])('stops for good on close %i without a way to renew', async (code) => {
    const t = await connected();
    FakeSocket.last().serverClose(code);
    expect(t.state()).toBe('stopped');
    expect(t.states.at(-1)).toEqual(['stopped', code]);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(FakeSocket.all.length).toBe(1);
  });

  it.each([4008, 4029, 4050, 1009, 1006])('reconnects with backoff on close %i', async (code) => {
    const t = await connected();
    FakeSocket.last().serverClose(code);
    expect(t.state()).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(backoff(0, () => 0.999));
    expect(FakeSocket.all.length).toBe(2);
  });

  it('after 4501 asks auth for a renewed token once, then stops if that fails too', async () => {
    const renews: boolean[] = [];
    const t = await connected({ auth: (renew) => (renews.push(renew), renew ? 'fresh' : 'stale') });
    FakeSocket.last().serverClose(4501);
    expect(t.state()).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(backoff(0, () => 0.999));
    FakeSocket.last().open();
    expect(FakeSocket.last().sent[0]).toMatchObject({ type: 'hello', token: 'fresh' });
    FakeSocket.last().serverClose(4501);
    expect(t.state()).toBe('stopped');
    expect(renews).toEqual([false, true]);
  });

  it('stops when auth has no token to offer', async () => {
    const t = setup({ auth: () => null });
    t.conn.start();
    await tick();
    expect(FakeSocket.all.length).toBe(0);
    expect(t.states.at(-1)).toEqual(['stopped', 4501]);
  });

  it('retries with backoff when fetching the token fails', async () => {
    let calls = 0;
    const t = setup({
      auth: async () => {
        if (++calls === 1) throw new Error('tokenUrl answered 502');
        return 'tok';
      },
    });
    t.conn.start();
    await tick();
    expect(t.state()).toBe('reconnecting');
    expect(FakeSocket.all.length).toBe(0);
    await vi.advanceTimersByTimeAsync(backoff(0, () => 0.999));
    expect(FakeSocket.all.length).toBe(1);
  });

  it('treats a WebSocket constructor that throws as a failed attempt', async () => {
    let calls = 0;
    class Refused extends FakeSocket {
      constructor(url: string) {
        if (++calls === 1) throw new DOMException('insecure', 'SecurityError');
        super(url);
      }
    }
    const t = setup({ WebSocket: Refused });
    t.conn.start();
    await tick();
    expect(t.state()).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(backoff(0, () => 0.999));
    expect(FakeSocket.all.length).toBe(1);
  });

  it('pings every heartbeatMs and reconnects when no pong comes in time', async () => {
    const t = await connected({}, { heartbeatMs: 1000 });
    const s = FakeSocket.last();
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.types()).toEqual(['hello', 'ping']);
    s.receive({ type: 'pong', ts: 1 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(s.types()).toEqual(['hello', 'ping', 'ping']);
    // No pong this time.
    await vi.advanceTimersByTimeAsync(ANSWER_TIMEOUT_MS - 1);
    expect(t.state()).toBe('connected');
    await vi.advanceTimersByTimeAsync(1);
    expect(t.state()).toBe('reconnecting');
    expect(s.closedWith).toBe(4000);
    await vi.advanceTimersByTimeAsync(backoff(0, () => 0.999));
    expect(FakeSocket.all.length).toBe(2);
  });

  it('gives up on a socket that opens but never says welcome', async () => {
    const t = setup();
    t.conn.start();
    await tick();
    FakeSocket.last().open();
    await vi.advanceTimersByTimeAsync(ANSWER_TIMEOUT_MS);
    expect(t.state()).toBe('reconnecting');
    expect(FakeSocket.last().closedWith).toBe(4000);
  });

  it('waits while the browser is offline and comes back at once when online', async () => {
    const t = await connected();
    const s = FakeSocket.last();
    t.conn.setOnline(false);
    expect(t.state()).toBe('offline');
    expect(s.closedWith).toBeDefined();
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(FakeSocket.all.length).toBe(1);
    t.conn.setOnline(true);
    expect(t.state()).toBe('reconnecting');
    await tick();
    expect(FakeSocket.all.length).toBe(2);
  });

  it('goes offline instead of retrying when a drop happens offline', async () => {
    const t = await connected();
    t.conn.setOnline(false);
    t.conn.setOnline(true);
    await tick();
    t.conn.setOnline(false);
    expect(t.state()).toBe('offline');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all.length).toBe(2);
  });

  it('close() is final and safe to call twice, even if the old socket reports later', async () => {
    const t = await connected();
    const s = FakeSocket.last();
    t.conn.close();
    t.conn.close();
    expect(t.state()).toBe('stopped');
    expect(s.closedWith).toBe(1000);
    s.serverClose(1006);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all.length).toBe(1);
    expect(t.states.filter(([st]) => st === 'stopped').length).toBe(1);
  });

  it('restart() drops the socket and connects again at once', async () => {
    const t = await connected();
    t.conn.restart();
    expect(FakeSocket.all[0].closedWith).toBe(1000);
    expect(t.state()).toBe('connecting');
    await tick();
    expect(FakeSocket.all.length).toBe(2);
  });
});
