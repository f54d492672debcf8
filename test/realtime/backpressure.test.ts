import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKPRESSURE } from '../../api/ws/transport';
import { backends } from '../helpers/backends';
import { client, join, userToken, type TestClient } from '../helpers/client';
import { sample, scrape } from '../helpers/metrics';
import { startTestServer, type TestServer } from '../helpers/server';

// At least 2,000 messages from each of three senders, and more if the slow member is not over
// the soft limit by then. 2,000 in all (2.2 MB) would never reach the server's own buffer: on
// loopback Linux grows a socket's send buffer to tcp_wmem's 4 MiB, so the kernel alone holds
// that much for a reader that has stopped.
const PER_SENDER = 2000;
const TOTAL = 3 * PER_SENDER;
const TEXT = 'x'.repeat(1000);
const SLOW_CLIENT = fileURLToPath(new URL('./peers/slow_client.py', import.meta.url));

describe.each(backends())('backpressure on %s', (backend) => {
  let s: TestServer;
  beforeAll(async () => {
    // The soft-limit grace is 10 s in production; 5 s here keeps the test short and still
    // leaves the slow member connected while typing is sent to it over the soft limit.
    s = await startTestServer({ backend, backpressure: { softMs: 5000 }, metricsToken: 'bp-metrics' });
    await fetch(`${s.url}/admin/api/tenants/${s.demo.tenantId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { messagesPerSecond: 10_000, burst: 10_000 } }),
    });
  });
  afterAll(() => s?.stop());

  const as = async (sub: string) => client(s.wsUrl, s.demo.publishableKey, { token: await userToken(s.demo.secretKey, { sub, name: sub }) });
  const seqs = (c: TestClient) => c.frames.filter((f) => f.type === 'message').map((f) => f.seq as number);

  /** The slow reader: a separate process with a tiny receive buffer (see peers/slow_client.py). */
  async function slowPeer(token: string, room: string) {
    const proc = spawn('python3', [SLOW_CLIENT, '127.0.0.1', String(s.port), s.demo.publishableKey, token, room], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    let waiter: (() => void) | null = null;
    createInterface({ input: proc.stdout! }).on('line', (l) => {
      lines.push(l);
      waiter?.();
    });
    const until = async (pred: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > end) throw new Error(`slow peer: timed out; last lines ${lines.slice(-3).join(' | ')}`);
        await new Promise<void>((r) => {
          waiter = r;
          setTimeout(r, 50);
        });
      }
    };
    await until(() => lines.includes('READY'), 30_000);
    return {
      /** Starts reading again and resolves with the seqs it got and the close code it saw. */
      async readAll() {
        proc.stdin!.write('go\n');
        await until(() => lines.includes('END'), 30_000);
        const parsed = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { seq?: number; close?: number });
        return { seqs: parsed.flatMap((p) => (p.seq ? [p.seq] : [])), close: parsed.find((p) => p.close)?.close };
      },
      kill: () => proc.kill(),
    };
  }

  it('a client that stops reading is cut off with 4050 while the others get every message; it resumes from its seq', async () => {
    const slowToken = await userToken(s.demo.secretKey, { sub: 'slow', name: 'slow' });
    const slow = await slowPeer(slowToken, 'flood');
    const watcher = await as('watcher');
    await join(watcher, 'flood');
    const typist = await as('typist');
    await join(typist, 'flood');
    const senders = await Promise.all([as('s1'), as('s2'), as('s3')]);
    for (const c of senders) await join(c, 'flood');
    let maxBuffered = 0;
    const sampler = setInterval(() => (maxBuffered = Math.max(maxBuffered, s.server.stats().maxBufferedBytes)), 5);
    const acks: Promise<unknown>[] = [];
    let sent = 0;
    const flood = async (upTo: number) => {
      for (; sent < upTo; sent++) {
        const sender = senders[sent % 3];
        acks.push(sender.request({ type: 'message', room: 'flood', id: `f${sent}`, text: `${sent} ${TEXT}` }, 30_000));
        // Keep typing flowing too: it is the first thing shed for a slow client.
        if (sent % 100 === 0) sender.send({ type: 'typing', room: 'flood', active: true });
        if (sent % 200 === 0) await new Promise((r) => setImmediate(r));
      }
      await Promise.all(acks);
      // Every reading member has it all: no buffer but the slow member's holds anything.
      await Promise.all([watcher, typist, ...senders].map((c) => c.next((f) => f.type === 'message' && f.seq === sent, 30_000)));
    };
    const typingShed = async () => sample(await scrape(s.url, 'bp-metrics'), 'parley_backpressure_shed_total', { kind: 'typing' }) ?? 0;
    // First until the slow member holds more than the soft limit. The kernel takes the first
    // few MB (loopback grows a send buffer to 4 MiB), so how many that takes is the machine's
    // business; once the others have everything, the biggest buffer is the slow member's.
    while (s.server.stats().maxBufferedBytes <= BACKPRESSURE.softBytes) {
      if (sent >= 2 * TOTAL) throw new Error(`the slow member never went over the soft limit in ${sent} messages`);
      await flood(sent + 300);
    }
    // Typing now is shed for it and still reaches the watcher (which was not held back).
    const shedBefore = await typingShed();
    typist.send({ type: 'typing', room: 'flood', active: true });
    await watcher.next((f) => f.type === 'typing' && f.user === 'typist' && f.active === true, 10_000);
    expect(s.server.stats().tooSlowClosed).toBe(0);
    expect(await typingShed()).toBeGreaterThan(shedBefore);
    // Then on until it is cut off (hard limit, or too long over the soft one).
    while (s.server.stats().tooSlowClosed < 1 && sent < TOTAL) await flood(Math.min(TOTAL, sent + 300));
    // The watcher got everything while the slow member read nothing.
    expect(seqs(watcher)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));

    const cutEnd = Date.now() + 10_000;
    while (s.server.stats().tooSlowClosed < 1 && Date.now() < cutEnd) await new Promise((r) => setTimeout(r, 20));
    clearInterval(sampler);
    expect(s.server.stats().tooSlowClosed).toBe(1);
    // /metrics says the same: one 4050, and typing shed for the slow member before it.
    const figures = await scrape(s.url, 'bp-metrics');
    expect(sample(figures, 'parley_too_slow_closed_total')).toBe(1);
    expect(sample(figures, 'parley_backpressure_shed_total', { kind: 'typing' })).toBeGreaterThan(0);
    // The server held more than the soft limit for it, but never much more than the hard one.
    expect(maxBuffered).toBeGreaterThan(BACKPRESSURE.softBytes);
    expect(maxBuffered).toBeLessThan(BACKPRESSURE.hardBytes + 512 * 1024);

    // Reading again, it finds what was buffered, in order with nothing twice, then close 4050.
    // (How much that is depends on how far the flood got before the cut.)
    const { seqs: got, close } = await slow.readAll();
    expect(close).toBe(4050);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));

    // After reconnecting with its last seq it has every message exactly once.
    const back = await client(s.wsUrl, s.demo.publishableKey, { token: slowToken });
    let last = got.at(-1) ?? 0;
    const j = await join(back, 'flood', { lastSeq: last, limit: 200 });
    const all = [...got, ...j.messages.map((m: { seq: number }) => m.seq)];
    let more = j.hasMore;
    last = all.at(-1)!;
    while (more) {
      const page = await back.request({ type: 'sync', room: 'flood', lastSeq: last, limit: 200 });
      all.push(...page.messages.map((m: { seq: number }) => m.seq));
      more = page.hasMore;
      last = all.at(-1)!;
    }
    expect(all).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    slow.kill();
    [watcher, typist, back, ...senders].forEach((c) => c.close());
  }, 90_000);
});
