import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, join, userToken, type Frame, type TestClient } from '../helpers/client';
import { patchSettings, type TestServer } from '../helpers/server';
import { twoServers, unique, withRedisAndPostgres } from '../helpers/two-servers';

const maybe = withRedisAndPostgres ? describe : describe.skip;

maybe('the change cursor across two servers sharing Postgres and Redis', () => {
  let a: TestServer;
  let bWs: string;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ a, bWs, stop } = await twoServers());
    await patchSettings(a, { burst: 200, messagesPerSecond: 200 });
  });
  afterAll(() => stop?.());

  const as = async (wsUrl: string, sub: string, role?: string) =>
    client(wsUrl, a.demo.publishableKey, { token: await userToken(a.demo.secretKey, { sub, name: sub, role }) });
  const changes = (c: TestClient, room: string) => c.frames.filter((f) => (f.type === 'message' || f.type === 'deleted') && f.room === room);

  it('live changes from both servers reach every client in cursor order, each cursor once', async () => {
    const room = unique('xr-live');
    const mods = await Promise.all([as(a.wsUrl, 'm1', 'moderator'), as(bWs, 'm2', 'moderator')]);
    const watchers = await Promise.all([as(a.wsUrl, 'w1'), as(bWs, 'w2')]);
    for (const c of [...mods, ...watchers]) await join(c, room);
    // Messages from both servers at once, each followed by deleting every other one.
    await Promise.all(
      mods.map(async (m, i) => {
        for (let k = 0; k < 15; k++) {
          const id = `s${i}-${k}`;
          await m.request({ type: 'message', room, id, text: id });
          if (k % 2) await m.request({ type: 'delete', room, id });
        }
      }),
    );
    const total = 30 + 14;
    for (const w of watchers) {
      await w.next(() => changes(w, room).length >= total, 15_000).catch(() => undefined);
      const cursors = changes(w, room).map((f) => f.cursor);
      expect(cursors).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    }
    for (const c of [...mods, ...watchers]) c.close();
  });

  it('a client that left server A resumes on server B with every change made meanwhile', async () => {
    const room = unique('xr-resume');
    const mod = await as(bWs, 'mod', 'moderator');
    await join(mod, room);
    for (let i = 1; i <= 4; i++) await mod.request({ type: 'message', room, id: `o${i}`, text: `old ${i}` });
    const ann = await as(a.wsUrl, 'ann');
    const j = await join(ann, room);
    const held = new Map<string, Frame>(j.messages.map((m: Frame) => [m.id, m]));
    await mod.request({ type: 'message', room, id: 'o5', text: 'old 5' });
    const live = await ann.next((f) => f.type === 'message' && f.id === 'o5');
    held.set(live.id, live);
    ann.close();
    await ann.closed;

    await mod.request({ type: 'delete', room, id: 'o1' });
    await mod.request({ type: 'message', room, id: 'n1', text: 'new 1' });
    await mod.request({ type: 'delete', room, id: 'o5' });

    const back = await as(bWs, 'ann');
    const r = await join(back, room, { cursor: live.cursor });
    for (const m of r.messages) held.set(m.id, m);
    expect(r.reset).toBeUndefined();
    expect([...held.values()].filter((m) => !m.deleted).map((m) => m.id)).toEqual(['o2', 'o3', 'o4', 'n1']);
    expect(held.get('o1')?.deleted).toBe(true);
    expect(held.get('o5')?.deleted).toBe(true);
    for (const c of [mod, back]) c.close();
  });
});
