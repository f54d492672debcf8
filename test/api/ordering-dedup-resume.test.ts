import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../helpers/backends';
import { client, join, type Frame, type TestClient } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';

async function storedSeqs(s: TestServer, room: string): Promise<number[]> {
  const res = await fetch(`${s.url}/v1/rooms/${room}/messages?afterSeq=0&limit=200`, {
    headers: { authorization: `Bearer ${s.demo.secretKey}` },
  });
  const body = (await res.json()) as { messages: Frame[] };
  return body.messages.map((m) => m.seq);
}

const messagesIn = (c: TestClient, room: string) => c.frames.filter((f) => f.type === 'message' && f.room === room);

async function until(cond: () => boolean, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(backends())('ordering, idempotency and resume on %s', (backend) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ backend });
    // 20 messages at once per user needs more than the default burst of 10.
    await fetch(`${s.url}/admin/api/tenants/${s.demo.tenantId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ settings: { burst: 100, messagesPerSecond: 100 } }),
    });
  });
  afterAll(() => s?.stop());

  it('10 clients sending 20 messages each at once: everyone gets 200 in strictly increasing seq; stored 1..200', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => client(s.wsUrl, s.demo.publishableKey, { name: `u${i}`, batch: i % 2 === 0 })));
    for (const c of clients) await join(c, 'order');
    const acks: Promise<Frame>[] = [];
    clients.forEach((c, i) => {
      for (let k = 0; k < 20; k++) acks.push(c.request({ type: 'message', room: 'order', id: `c${i}-m${k}`, text: `${i}/${k}` }));
    });
    const got = await Promise.all(acks);
    expect(got.every((a) => a.type === 'ack')).toBe(true);
    await until(() => clients.every((c) => messagesIn(c, 'order').length >= 200));
    for (const c of clients) {
      const seqs = messagesIn(c, 'order').map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    }
    // Each sender's own messages are in the order it sent them.
    const first = messagesIn(clients[0], 'order');
    for (let i = 0; i < 10; i++) {
      const mine = first.filter((m) => m.id.startsWith(`c${i}-`)).map((m) => Number(m.id.split('-m')[1]));
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    expect(await storedSeqs(s, 'order')).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    clients.forEach((c) => c.close());
  });

  it('an id sent twice, and raced on two connections, is stored once and seen once', async () => {
    const a = await client(s.wsUrl, s.demo.publishableKey, { name: 'A' });
    const watcher = await client(s.wsUrl, s.demo.publishableKey, { name: 'W' });
    await join(a, 'dedup');
    await join(watcher, 'dedup');
    const first = await a.request({ type: 'message', room: 'dedup', id: 'same-1', text: 'once' });
    const again = await a.request({ type: 'message', room: 'dedup', id: 'same-1', text: 'once' });
    expect(again).toMatchObject({ type: 'ack', seq: first.seq, ts: first.ts, duplicate: true });
    expect(first.duplicate).toBeUndefined();

    // The same user on two connections (a guest keeps its id through guestToken) races one id.
    const a2 = await client(s.wsUrl, s.demo.publishableKey, { token: a.welcome.guestToken });
    expect(a2.welcome.user).toBe(a.welcome.user);
    await join(a2, 'dedup');
    const [r1, r2] = await Promise.all([
      a.request({ type: 'message', room: 'dedup', id: 'race-1', text: 'raced' }),
      a2.request({ type: 'message', room: 'dedup', id: 'race-1', text: 'raced' }),
    ]);
    expect(r1.seq).toBe(r2.seq);
    expect([r1.duplicate, r2.duplicate].filter(Boolean)).toHaveLength(1);

    // Another user reusing the id gets conflict.
    const other = await client(s.wsUrl, s.demo.publishableKey, { name: 'O' });
    await join(other, 'dedup');
    const clash = await other.request({ type: 'message', room: 'dedup', id: 'race-1', text: 'mine?' });
    expect(clash).toMatchObject({ type: 'error', code: 'conflict' });

    await watcher.request({ type: 'ping' });
    await until(() => messagesIn(watcher, 'dedup').length >= 2);
    const ids = messagesIn(watcher, 'dedup').map((m) => m.id);
    expect(ids).toEqual(['same-1', 'race-1']);
    expect(await storedSeqs(s, 'dedup')).toEqual([1, 2]);
    [a, a2, watcher, other].forEach((c) => c.close());
  });

  it('resume: a client away for 30 messages gets exactly those; a fresh join gets the last 50 with hasMore', async () => {
    const sender = await client(s.wsUrl, s.demo.publishableKey, { name: 'S' });
    await join(sender, 'resume');
    for (let i = 1; i <= 40; i++) await sender.request({ type: 'message', room: 'resume', id: `r${i}`, text: `m${i}` });
    const away = await client(s.wsUrl, s.demo.publishableKey, { name: 'Away' });
    const j1 = await join(away, 'resume');
    expect(j1.headSeq).toBe(40);
    const lastSeen = j1.messages.at(-1).seq;
    away.close();
    await away.closed;
    for (let i = 41; i <= 70; i++) await sender.request({ type: 'message', room: 'resume', id: `r${i}`, text: `m${i}` });
    const back = await client(s.wsUrl, s.demo.publishableKey, { token: away.welcome.guestToken });
    const j2 = await join(back, 'resume', { lastSeq: lastSeen });
    expect(j2.messages.map((m: Frame) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 41 + i));
    expect(j2.hasMore).toBe(false);
    // Nothing doubles: a new message arrives once, after the resumed ones.
    await sender.request({ type: 'message', room: 'resume', id: 'r71', text: 'm71' });
    const live = await back.next((f) => f.type === 'message' && f.id === 'r71');
    expect(live.seq).toBe(71);
    expect(messagesIn(back, 'resume').map((m) => m.seq)).toEqual([71]);

    const fresh = await client(s.wsUrl, s.demo.publishableKey, { name: 'Fresh' });
    const j3 = await join(fresh, 'resume');
    expect(j3.messages).toHaveLength(50);
    expect(j3.messages[0].seq).toBe(22);
    expect(j3.messages.at(-1).seq).toBe(71);
    expect(j3.hasMore).toBe(true);
    // Older pages with history, and sync forward with hasMore.
    const older = await fresh.request({ type: 'history', room: 'resume', beforeSeq: 22, limit: 15 });
    expect(older.messages.map((m: Frame) => m.seq)).toEqual(Array.from({ length: 15 }, (_, i) => 7 + i));
    expect(older.hasMore).toBe(true);
    const sync = await fresh.request({ type: 'sync', room: 'resume', lastSeq: 60, limit: 5 });
    expect(sync.messages.map((m: Frame) => m.seq)).toEqual([61, 62, 63, 64, 65]);
    expect(sync.hasMore).toBe(true);
    [sender, back, fresh].forEach((c) => c.close());
  });

  it('a deleted message keeps its place in history without text; only the author or a moderator may delete', async () => {
    const a = await client(s.wsUrl, s.demo.publishableKey, { name: 'A' });
    const b = await client(s.wsUrl, s.demo.publishableKey, { name: 'B' });
    await join(a, 'del');
    await join(b, 'del');
    await a.request({ type: 'message', room: 'del', id: 'd1', text: 'oops' });
    expect(await b.request({ type: 'delete', room: 'del', id: 'd1' })).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(await a.request({ type: 'delete', room: 'del', id: 'nope' })).toMatchObject({ type: 'error', code: 'not_found' });
    expect(await a.request({ type: 'delete', room: 'del', id: 'd1' })).toMatchObject({ type: 'ack', room: 'del', id: 'd1' });
    expect(await b.next((f) => f.type === 'deleted')).toMatchObject({ room: 'del', id: 'd1', seq: 1 });
    const j = await join(await client(s.wsUrl, s.demo.publishableKey, { name: 'C' }), 'del');
    expect(j.messages[0]).toEqual({ id: 'd1', seq: 1, ts: expect.any(Number), user: a.welcome.user, deleted: true });
    a.close();
    b.close();
  });
});
