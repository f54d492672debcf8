import { describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import type { RoomEvent } from '../../api/bus/bus';
import { createNodeTransport, textFrame } from '../../api/ws/node-transport';

function fakeSocket() {
  const writes: Buffer[] = [];
  const closes: number[] = [];
  const socket = { writableLength: 0, destroyed: false, cork() {}, uncork() {}, write: (b: Buffer) => writes.push(b) };
  const ws = { _socket: socket, readyState: 1, close: (code: number) => closes.push(code), ping() {}, terminate() {} };
  return { ws: ws as unknown as WebSocket, socket, writes, closes };
}

const ev = (kind: RoomEvent['kind'], json: string): RoomEvent => ({ tenantId: 't', room: 'r', kind, seq: 0, rev: 0, user: 'u', json });
const limits = { softBytes: 1000, hardBytes: 5000, softMs: 10_000 };
const tick = () => new Promise((r) => setImmediate(r));

describe('node transport', () => {
  it('frames an event once and shares the bytes between connections', async () => {
    const a = fakeSocket();
    const b = fakeSocket();
    const ta = createNodeTransport(a.ws, { now: Date.now, limits, onTooSlow() {} });
    const tb = createNodeTransport(b.ws, { now: Date.now, limits, onTooSlow() {} });
    const e = ev('message', '{"type":"message"}');
    ta.sendEvent(e);
    tb.sendEvent(e);
    await tick();
    expect(a.writes[0]).toBe(b.writes[0]);
    expect(a.writes[0]).toEqual(textFrame(Buffer.from(e.json)));
  });

  it('puts everything queued in one turn into one frame for batch clients', async () => {
    const a = fakeSocket();
    const t = createNodeTransport(a.ws, { now: Date.now, limits, onTooSlow() {} });
    t.setBatch(true);
    t.send('{"a":1}');
    t.sendEvent(ev('message', '{"b":2}'));
    await tick();
    expect(a.writes).toEqual([textFrame(Buffer.from('{"a":1}\n{"b":2}'))]);
  });

  it('builds one batch frame for every batch socket holding the same events, and its own for one that differs', async () => {
    const [a, b, c] = [fakeSocket(), fakeSocket(), fakeSocket()];
    const ts = [a, b, c].map((x) => createNodeTransport(x.ws, { now: Date.now, limits, onTooSlow() {} }));
    for (const t of ts) t.setBatch(true);
    const events = [ev('message', '{"m":1}'), ev('message', '{"m":2}')];
    for (const t of ts) for (const e of events) t.sendEvent(e);
    ts[2].send('{"type":"ack"}');
    await tick();
    expect(a.writes).toHaveLength(1);
    expect(b.writes[0]).toBe(a.writes[0]);
    expect(a.writes[0]).toEqual(textFrame(Buffer.from('{"m":1}\n{"m":2}')));
    expect(c.writes[0]).toEqual(textFrame(Buffer.from('{"m":1}\n{"m":2}\n{"type":"ack"}')));
  });

  it('splits a batch over 64 KiB into frames that each parse, losing and reordering nothing', async () => {
    const a = fakeSocket();
    const t = createNodeTransport(a.ws, { now: Date.now, limits: { ...limits, softBytes: 1e9, hardBytes: 2e9 }, onTooSlow() {} });
    t.setBatch(true);
    const texts = Array.from({ length: 40 }, (_, i) => JSON.stringify({ n: i, pad: 'x'.repeat(5000) }));
    for (const x of texts) t.sendEvent(ev('message', x));
    await tick();
    expect(a.writes.length).toBeGreaterThan(1);
    const lines: string[] = [];
    for (const w of a.writes) {
      const len = w[1] === 126 ? w.readUInt16BE(2) : w[1];
      const start = w[1] === 126 ? 4 : 2;
      expect(w.length - start).toBe(len);
      expect(len).toBeLessThanOrEqual(64 * 1024);
      lines.push(...w.subarray(start).toString().split('\n'));
    }
    expect(lines).toEqual(texts);
  });

  it('writes nothing to a socket that is closing: what waited for the flush is dropped, not written', async () => {
    const a = fakeSocket();
    const t = createNodeTransport(a.ws, { now: Date.now, limits, onTooSlow() {} });
    t.sendEvent(ev('message', '{"m":1}'));
    // The peer's close frame came before the flush (ws answers it and ends the socket).
    (a.ws as unknown as { readyState: number }).readyState = 2;
    await tick();
    expect(a.writes).toEqual([]);
  });

  it('holds room events to a socket written to within the window, then writes them together', async () => {
    const a = fakeSocket();
    const t = createNodeTransport(a.ws, { now: Date.now, limits, onTooSlow() {}, coalesceMs: 30 });
    t.setBatch(true);
    t.sendEvent(ev('message', '{"m":1}'));
    await tick();
    expect(a.writes).toHaveLength(1);
    t.sendEvent(ev('message', '{"m":2}'));
    t.sendEvent(ev('message', '{"m":3}'));
    await tick();
    expect(a.writes).toHaveLength(1);
    // An answer does not wait: it takes the held events with it.
    t.send('{"type":"pong"}');
    await tick();
    expect(a.writes.map((w) => w.subarray(2).toString())).toEqual(['{"m":1}', '{"m":2}\n{"m":3}\n{"type":"pong"}']);
    t.sendEvent(ev('message', '{"m":4}'));
    // A lone event after the window leaves on the coalescing timer: wait for the write.
    await vi.waitFor(() => expect(a.writes.map((w) => w.subarray(2).toString()).at(-1)).toBe('{"m":4}'), { timeout: 5000 });
  });

  it('holds presence to a recently written socket past the room window, until something else leaves or its own wait ends', async () => {
    const [a, b] = [fakeSocket(), fakeSocket()];
    const now = () => 1_000_000;
    const [ta, tb] = [a, b].map((x) => createNodeTransport(x.ws, { now, limits, onTooSlow() {}, coalesceMs: 30 }));
    for (const t of [ta, tb]) t.setBatch(true);
    const texts = (x: { writes: Buffer[] }) => x.writes.map((w) => w.subarray(2).toString());
    // Quiet sockets: presence leaves on the next turn like anything else.
    ta.sendEvent(ev('presence', '{"p":1}'));
    tb.sendEvent(ev('message', '{"m":0}'));
    await tick();
    expect(texts(a)).toEqual(['{"p":1}']);
    // Both were just written (the clock stands still): b's message waits for the room window,
    // a's presence waits longer.
    ta.sendEvent(ev('presence', '{"p":2}'));
    tb.sendEvent(ev('message', '{"m":1}'));
    await vi.waitFor(() => expect(texts(b)).toEqual(['{"m":0}', '{"m":1}']), { timeout: 5000 });
    expect(texts(a)).toEqual(['{"p":1}']);
    // A message does not wait so long, and the held presence goes with it, in order.
    ta.sendEvent(ev('message', '{"m":2}'));
    await vi.waitFor(() => expect(texts(a)).toEqual(['{"p":1}', '{"p":2}\n{"m":2}']), { timeout: 5000 });
    // A lone presence still leaves once its own wait is over.
    ta.sendEvent(ev('presence', '{"p":3}'));
    await vi.waitFor(() => expect(texts(a).at(-1)).toBe('{"p":3}'), { timeout: 5000 });
  });

  it('sheds typing, presence and read over the soft limit, keeps messages, and closes with 4050 over the hard one', async () => {
    const a = fakeSocket();
    let slow = 0;
    const t = createNodeTransport(a.ws, { now: Date.now, limits, onTooSlow: () => slow++ });
    a.socket.writableLength = 2000;
    for (const kind of ['typing', 'presence', 'read'] as const) t.sendEvent(ev(kind, `{"k":"${kind}"}`));
    t.sendEvent(ev('message', '{"m":1}'));
    await tick();
    expect(a.writes.map((w) => w.subarray(2).toString())).toEqual(['{"m":1}']);
    expect(t.overSoftSince).toBeGreaterThan(0);
    a.socket.writableLength = 6000;
    t.sendEvent(ev('message', '{"m":2}'));
    expect(a.closes).toEqual([4050]);
    expect(slow).toBe(1);
    expect(t.closed).toBe(true);
  });
});
