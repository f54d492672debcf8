import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBatch } from '../../api/db/message-store';
import { purgeOlderThan, softDelete } from '../../api/db/messages';
import { roomSnapshot } from '../../api/db/rooms';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/backends';
import { client, join, userToken, type Frame, type TestClient } from '../helpers/client';
import { patchSettings, startTestServer, type TestServer } from '../helpers/server';

/** Every change a client holds after applying frames in order: id → text, or null when deleted. */
function apply(state: Map<string, string | null>, messages: Frame[]) {
  for (const m of messages) state.set(m.id, m.deleted ? null : m.text);
}

describe.each(backends())('complete resume with the change cursor on %s', (backend) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ backend });
    await patchSettings(s, { burst: 100, messagesPerSecond: 100 });
  });
  afterAll(() => s?.stop());

  const as = async (sub: string, role?: string) =>
    client(s.wsUrl, s.demo.publishableKey, { token: await userToken(s.demo.secretKey, { sub, name: sub, role }) });
  const say = (c: TestClient, room: string, id: string) => c.request({ type: 'message', room, id, text: `text ${id}` });

  it('joined and live events carry the cursor; a rejoin with it brings new messages and deletions of old ones', async () => {
    const mod = await as('mod', 'moderator');
    await join(mod, 'cr1');
    for (let i = 1; i <= 5; i++) await say(mod, 'cr1', `a${i}`);
    const ann = await as('ann');
    const j = await join(ann, 'cr1');
    const state = new Map<string, string | null>();
    apply(state, j.messages);
    expect(j.cursor).toBe(5);
    // A live event moves the cursor too.
    await say(mod, 'cr1', 'a6');
    const live = await ann.next((f) => f.type === 'message' && f.id === 'a6');
    expect(live.cursor).toBe(6);
    apply(state, [live]);
    ann.close();
    await ann.closed;

    // While Ann is away: an old message and a new one are deleted, three arrive.
    expect((await mod.request({ type: 'delete', room: 'cr1', id: 'a2' })).type).toBe('ack');
    for (const id of ['b1', 'b2', 'b3']) await say(mod, 'cr1', id);
    await mod.request({ type: 'delete', room: 'cr1', id: 'b2' });

    const back = await as('ann');
    const r = await join(back, 'cr1', { cursor: live.cursor });
    expect(r.reset).toBeUndefined();
    // Every change since the cursor, once each, in change order: a2's deletion is in it.
    expect(r.messages.map((m: Frame) => [m.id, !!m.deleted])).toEqual([
      ['a2', true],
      ['b1', false],
      ['b3', false],
      ['b2', true],
    ]);
    apply(state, r.messages);
    expect(state.get('a2')).toBeNull();
    expect(r.cursor).toBe(11);
    expect(r.headSeq).toBe(9);

    // lastSeq alone still resumes messages only (backward compatible).
    const old = await join(back, 'cr1', { lastSeq: live.seq });
    expect(old.messages.map((m: Frame) => m.id)).toEqual(['b1', 'b2', 'b3']);
    for (const c of [mod, back]) c.close();
  });

  it('a resume larger than limit pages on with sync and cursor, and never repeats a change', async () => {
    const mod = await as('mod2', 'moderator');
    await join(mod, 'cr2');
    for (let i = 1; i <= 4; i++) await say(mod, 'cr2', `m${i}`);
    const j = await join(mod, 'cr2');
    const start = j.cursor;
    for (let i = 5; i <= 9; i++) await say(mod, 'cr2', `m${i}`);
    for (const id of ['m1', 'm3', 'm7']) await mod.request({ type: 'delete', room: 'cr2', id });

    const ann = await as('ann2');
    const first = await join(ann, 'cr2', { cursor: start, limit: 3 });
    expect(first.hasMore).toBe(true);
    const seen: Frame[] = [...first.messages];
    let cursor = first.cursor;
    for (let page = 0; page < 10; page++) {
      const h = await ann.request({ type: 'sync', room: 'cr2', cursor, limit: 3 });
      expect(h.type).toBe('history');
      seen.push(...h.messages);
      cursor = h.cursor;
      if (!h.hasMore) break;
    }
    // m5..m9 new (m7 as deleted), m1 and m3 deleted; each id once.
    const ids = seen.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(['m1', 'm3', 'm5', 'm6', 'm7', 'm8', 'm9']);
    expect(seen.filter((m) => m.deleted).map((m) => m.id).sort()).toEqual(['m1', 'm3', 'm7']);
    expect(cursor).toBe(12);
    for (const c of [mod, ann]) c.close();
  });

  it('a cursor the room cannot resume from says reset and returns the newest page', async () => {
    const bob = await as('bob3');
    await join(bob, 'cr3');
    await say(bob, 'cr3', 'x1');
    const r = await join(bob, 'cr3', { cursor: 999 });
    expect(r.reset).toBe(true);
    expect(r.messages.map((m: Frame) => m.id)).toEqual(['x1']);
    expect(r.cursor).toBe(1);
    const h = await bob.request({ type: 'sync', room: 'cr3', cursor: 999 });
    expect(h).toMatchObject({ type: 'history', reset: true, messages: [] });
    const none = await bob.request({ type: 'sync', room: 'cr3' });
    expect(none).toMatchObject({ type: 'error', code: 'bad_request' });
    bob.close();
  });
});

describe.each(backends())('the change cursor in the database on %s', (backend) => {
  let d: TestDatabase;
  beforeAll(async () => {
    d = await openTestDatabase(backend, ['t']);
  });
  afterAll(() => d?.close());

  it('moves with every insert and deletion, and retention raises the floor a resume must be above', async () => {
    const msg = (id: string) => ({ id, userId: 'u', name: 'u', text: id });
    await storeBatch(d.db, 't', 'r', [msg('a'), msg('b')], 1000);
    await storeBatch(d.db, 't', 'r', [msg('c')], 5000);
    expect(await softDelete(d.db, 't', 'r', 'a', 6000)).toEqual({ seq: 1, rev: 4 });
    // Deleting twice changes nothing.
    expect(await softDelete(d.db, 't', 'r', 'a', 6001)).toBeNull();
    let snap = (await roomSnapshot(d.db, 't', 'r', 'u', { afterRev: 1, limit: 10 }, []))!;
    expect(snap.rev).toBe(4);
    expect(snap.floorRev).toBe(0);
    expect(snap.messages.map((m) => [m.id, m.rev, m.deletedAt != null])).toEqual([
      ['b', 2, false],
      ['c', 3, false],
      ['a', 4, true],
    ]);
    expect(await purgeOlderThan(d.db, 't', 2000)).toBe(2);
    snap = (await roomSnapshot(d.db, 't', 'r', 'u', { limit: 10 }, []))!;
    expect(snap.floorRev).toBe(4);
    expect(snap.messages.map((m) => m.id)).toEqual(['c']);
  });
});
