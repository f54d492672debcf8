import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisPresence } from '../../api/chat/redis-presence';
import type { PresenceStore } from '../../api/chat/presence';
import { unique } from '../helpers/two-servers';

const url = process.env.REDIS_URL;
if (process.env.CI && !url) throw new Error('CI must set REDIS_URL');
const maybe = url ? describe : describe.skip;

maybe('Redis presence, two stores as two servers', () => {
  const prefix = `${unique('presence-test')}:`;
  let a: PresenceStore;
  let b: PresenceStore;
  let redis: Redis;
  const logged: string[] = [];
  beforeAll(() => {
    const log = (m: string) => void logged.push(m);
    a = createRedisPresence({ url: url!, heartbeatMs: 15_000, prefix, log });
    b = createRedisPresence({ url: url!, heartbeatMs: 15_000, prefix, log });
    redis = new Redis(url!);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    redis?.disconnect();
  });

  it('two servers adding the same user at once: exactly one sees the first connection, one the last', async () => {
    for (let i = 0; i < 20; i++) {
      const room = `race-${i}`;
      const user = { user: 'ann', name: 'Ann' };
      const added = await Promise.all([a.add('t1', room, user, 'c1'), b.add('t1', room, user, 'c2')]);
      expect(added.filter(Boolean)).toHaveLength(1);
      const removed = await Promise.all([a.remove('t1', room, 'ann', 'c1'), b.remove('t1', room, 'ann', 'c2')]);
      expect(removed.filter(Boolean)).toHaveLength(1);
      expect(await a.list('t1', room, 10)).toEqual({ online: 0, presence: [] });
    }
  });

  it('counts connections per server, lists up to the limit with names, and gives every key a TTL', async () => {
    for (let i = 0; i < 5; i++) await a.add('t1', 'big', { user: `u${i}`, name: `User ${i}` }, `a${i}`);
    expect(await b.add('t1', 'big', { user: 'u0', name: 'User 0' }, 'b0')).toBe(false);
    const l = await b.list('t1', 'big', 3);
    expect(l.online).toBe(5);
    expect(l.presence).toHaveLength(3);
    for (const p of l.presence) expect(p.name).toBe(`User ${p.user.slice(1)}`);
    // u0 is still on server b after leaving server a.
    expect(await a.remove('t1', 'big', 'u0', 'a0')).toBe(false);
    expect((await a.list('t1', 'big', 10)).online).toBe(5);

    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(3);
    for (const k of keys) expect(await redis.pttl(k), k).toBeGreaterThan(0);
    expect(logged).toEqual([]);
  });
});
