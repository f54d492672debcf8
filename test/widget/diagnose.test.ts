import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { explainRefusal } from '../../api/ws/embed-rule';
import { embedCheck } from '../../widget/client/embed-check';
import { createConnection, type ConnState } from '../../widget/client/connection';
import type { Refusal } from '../../widget/client/embed-check';
import { FakeSocket } from './fake-socket';

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
});
afterEach(() => vi.useRealTimers());

function setup(diagnose: () => Promise<Refusal | null>) {
  const states: [ConnState, number | undefined, Refusal | undefined][] = [];
  const asked = vi.fn(diagnose);
  const conn = createConnection({
    url: 'ws://api.test/v1/ws?key=pk_x',
    WebSocket: FakeSocket,
    random: () => 0.999,
    diagnose: asked,
    onFrame: () => {},
    onState: (s, code, why) => states.push([s, code, why]),
  });
  conn.start();
  return { conn, states, asked };
}

describe('connection: asking why a socket would not open', () => {
  it('a refusal stops for good: no socket after it, however long we wait', async () => {
    const t = setup(async () => 'origin_not_allowed');
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.asked).toHaveBeenCalledTimes(1);
    expect(t.states.at(-1)).toEqual(['stopped', 1006, 'origin_not_allowed']);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('a network failure (no answer, or nothing wrong) keeps retrying with backoff', async () => {
    let n = 0;
    const t = setup(async () => {
      if (n++ === 0) throw new TypeError('Failed to fetch');
      return null;
    });
    for (let i = 1; i <= 3; i++) {
      await vi.advanceTimersByTimeAsync(0);
      FakeSocket.last().serverClose(1006);
      await vi.advanceTimersByTimeAsync(0);
      expect(t.states.at(-1)?.[0]).toBe('reconnecting');
      // The third wait is at most 4 s (backoff), before the new socket's 10 s answer timeout.
      await vi.advanceTimersByTimeAsync(4000);
      expect(FakeSocket.all).toHaveLength(i + 1);
    }
    expect(t.asked).toHaveBeenCalledTimes(3);
  });

  it('a socket that opened and then dropped is the network: nothing is asked', async () => {
    const t = setup(async () => 'unknown_key');
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.last().open();
    FakeSocket.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.asked).not.toHaveBeenCalled();
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('4504 asks too, so a disabled site is explained; a late answer after close() does nothing', async () => {
    const t = setup(async () => 'tenant_disabled');
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.last().open();
    FakeSocket.last().serverClose(4504);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.states.at(-1)).toEqual(['stopped', 4504, 'tenant_disabled']);

    let answer!: (r: Refusal | null) => void;
    const late = setup(() => new Promise((r) => (answer = r)));
    await vi.advanceTimersByTimeAsync(0);
    FakeSocket.last().serverClose(1006);
    late.conn.close();
    answer('unknown_key');
    await vi.advanceTimersByTimeAsync(0);
    expect(late.states.at(-1)).toEqual(['stopped', undefined, undefined]);
  });
});

describe('embedCheck and the console line the server words', () => {
  const answer = (status: number, body: unknown) => vi.fn(async (_url: string) => new Response(JSON.stringify(body), { status }));

  it('reads the reason, and treats anything else as "nothing known"', async () => {
    const f = answer(200, { ok: false, reason: 'origin_not_allowed', origin: 'http://localhost:3000', message: 'Add it.' });
    expect(await embedCheck({ api: 'https://api.test', key: 'pk a&b', fetch: f as never })).toEqual({
      reason: 'origin_not_allowed',
      message: 'Parley: chat is off on this page. Add it.',
    });
    expect(f.mock.calls[0][0]).toBe('https://api.test/v1/embed-check?key=pk%20a%26b');
    expect(await embedCheck({ api: 'x', key: 'k', fetch: answer(200, { ok: true }) as never })).toBeNull();
    expect(await embedCheck({ api: 'x', key: 'k', fetch: answer(404, { error: {} }) as never })).toBeNull();
    expect(await embedCheck({ api: 'x', key: 'k', fetch: answer(200, { ok: false, reason: 'something_new' }) as never })).toBeNull();
  });

  it('names the key, the origin and where to fix it', () => {
    const line = explainRefusal('origin_not_allowed', 'pk_live_1', 'http://127.0.0.1:5173');
    expect(line).toContain('"pk_live_1"');
    expect(line).toContain('"http://127.0.0.1:5173"');
    expect(line).toContain('Allowed origins');
    expect(explainRefusal('unknown_key', 'pk_typo', 'https://a.example')).toContain('"pk_typo" (data-key) is not the publishable key');
    expect(explainRefusal('tenant_disabled', 'pk_off', 'https://a.example')).toContain('is disabled');
  });
});
