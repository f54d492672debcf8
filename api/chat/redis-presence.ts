import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { PresenceEntry } from '../protocol';
import type { PresenceStore } from './presence';

/**
 * Presence shared by every server through Redis. Each server counts its own connections per
 * user and room in one hash field ("<server>\0<user>"), and keeps a liveness key alive while it
 * runs; fields of a server whose key has expired (it crashed) are ignored and cleaned up, so a
 * dead server does not leave its users online.
 */
export function createRedisPresence(opts: { url: string; heartbeatMs: number }): PresenceStore {
  const server = randomBytes(6).toString('hex');
  const redis = new Redis(opts.url, { maxRetriesPerRequest: null });
  const aliveKey = (s: string) => `parley:server:${s}`;
  const ttlMs = opts.heartbeatMs * 3;
  const beat = () => redis.set(aliveKey(server), '1', 'PX', ttlMs).catch(() => {});
  void beat();
  const timer = setInterval(beat, opts.heartbeatMs);
  timer.unref();
  const roomKey = (t: string, r: string) => `parley:${t}:presence:${r}`;
  const namesKey = (t: string, r: string) => `parley:${t}:presence-names:${r}`;

  /** Users online in the room per live server, cleaning fields of dead servers. */
  async function live(tenantId: string, room: string): Promise<Map<string, number>> {
    const all = await redis.hgetall(roomKey(tenantId, room));
    const fields = Object.keys(all);
    const servers = [...new Set(fields.map((f) => f.slice(0, f.indexOf('\u0000'))))];
    const alive = servers.length ? await redis.mget(servers.map(aliveKey)) : [];
    const dead = new Set(servers.filter((_, i) => alive[i] === null && servers[i] !== server));
    const users = new Map<string, number>();
    const stale: string[] = [];
    for (const f of fields) {
      const s = f.slice(0, f.indexOf('\u0000'));
      if (dead.has(s)) {
        stale.push(f);
        continue;
      }
      const u = f.slice(f.indexOf('\u0000') + 1);
      users.set(u, (users.get(u) ?? 0) + Number(all[f]));
    }
    if (stale.length) await redis.hdel(roomKey(tenantId, room), ...stale);
    return users;
  }

  return {
    async add(tenantId, room, user, _connId) {
      await redis.hset(namesKey(tenantId, room), user.user, user.name);
      await redis.hincrby(roomKey(tenantId, room), `${server}\u0000${user.user}`, 1);
      return (await live(tenantId, room)).get(user.user) === 1;
    },
    async remove(tenantId, room, userId, _connId) {
      const field = `${server}\u0000${userId}`;
      const n = await redis.hincrby(roomKey(tenantId, room), field, -1);
      if (n <= 0) await redis.hdel(roomKey(tenantId, room), field);
      return !(await live(tenantId, room)).has(userId);
    },
    async list(tenantId, room, limit) {
      const users = [...(await live(tenantId, room)).keys()];
      const shown = users.slice(0, limit);
      const names = shown.length ? await redis.hmget(namesKey(tenantId, room), ...shown) : [];
      const presence: PresenceEntry[] = shown.map((u, i) => ({ user: u, name: names[i] ?? u }));
      return { online: users.length, presence };
    },
    async close() {
      clearInterval(timer);
      await redis.del(aliveKey(server)).catch(() => {});
      redis.disconnect();
    },
  };
}
