import { randomBytes } from 'node:crypto';
import { REDIS_PREFIX } from '../bus/bus';
import { redisConnection } from '../bus/redis-bus';
import type { PresenceEntry } from '../protocol';
import type { PresenceChange, PresenceStore } from './presence';
import { runScript } from './redis-presence-scripts';

interface HeldRoom {
  tenantId: string;
  room: string;
  /** This server's connections per user, and the name to show. */
  users: Map<string, { name: string; n: number }>;
}

/**
 * Presence shared by every server through Redis (the scripts are in redis-presence-scripts.ts).
 *
 * Each server keeps what it holds in memory too, which makes two things heal:
 * - It beats every heartbeat/4 with a lease of 1.5 heartbeats on Redis's clock. A server whose
 *   lease ran out (kill -9, lost network) is reaped by the first live server that sees it: its
 *   users leave every room they were in, and those with no connection left anywhere are
 *   announced offline, at most 1.75 heartbeats after its last beat (PROTOCOL.md promises 2.5).
 * - A beat that finds its own lease gone means Redis lost our data (it restarted empty, or we
 *   stalled and were reaped): the server writes back everything it holds at once, so lists
 *   are right again within a beat of Redis returning, without anyone re-joining.
 * Every key has a TTL of 10 heartbeats, refreshed once per heartbeat by the servers holding it.
 */
export function createRedisPresence(opts: {
  url: string;
  heartbeatMs: number;
  prefix?: string;
  log: (msg: string, err?: unknown) => void;
}): PresenceStore {
  const server = randomBytes(6).toString('hex');
  const p = opts.prefix ?? REDIS_PREFIX;
  const redis = redisConnection(opts.url, { enableAutoPipelining: true });
  redis.on('error', (err) => opts.log('redis presence error', err));
  const beatMs = Math.max(1, Math.round(opts.heartbeatMs / 4));
  const leaseMs = Math.round(opts.heartbeatMs * 1.5);
  const ttlMs = opts.heartbeatMs * 10;
  const leases = `${p}presence-leases`;
  const roomsOf = (s: string) => `${p}server:${s}:presence-rooms`;
  const usersKey = (t: string, r: string) => `${p}${t}:presence:${r}`;
  const namesKey = (t: string, r: string) => `${p}${t}:presence-names:${r}`;
  const mineKey = (t: string, r: string, s: string) => `${p}${t}:presence:${r}:server:${s}`;
  const member = (t: string, r: string) => `${t}\u0000${r}`;
  const held = new Map<string, HeldRoom>();
  let announce: (changes: PresenceChange[]) => void = () => {};
  let peerDown: () => void = () => {};
  let beats = 0;
  let closed = false;

  /** Writes this server's count of one user in a room; 1 = came online, -1 = went offline. */
  async function put(h: HeldRoom, user: string, name: string, n: number): Promise<number> {
    const { tenantId: t, room: r } = h;
    const keys = [usersKey(t, r), namesKey(t, r), mineKey(t, r, server), roomsOf(server)];
    return Number(await runScript(redis, 'set', keys, [user, n, name, ttlMs, member(t, r)]));
  }

  /** Writes back everything this server holds; tells the rooms who is online again. */
  async function reassert() {
    const writes: Promise<PresenceChange | null>[] = [];
    for (const h of held.values())
      for (const [user, u] of h.users)
        writes.push(
          put(h, user, u.name, u.n).then((d) => (d === 1 ? { tenantId: h.tenantId, room: h.room, user, name: u.name, status: 'online' } : null)),
        );
    const changes = (await Promise.all(writes)).filter((c): c is PresenceChange => c !== null);
    if (changes.length) announce(changes);
  }

  /** Refreshes the TTL of every key this server holds (once per heartbeat). */
  function refresh() {
    for (const h of held.values()) {
      for (const k of [usersKey(h.tenantId, h.room), namesKey(h.tenantId, h.room), mineKey(h.tenantId, h.room, server)])
        redis.pexpire(k, ttlMs).catch((err) => opts.log('redis presence refresh failed', err));
    }
    redis.pexpire(roomsOf(server), ttlMs).catch((err) => opts.log('redis presence refresh failed', err));
  }

  /** Takes a dead server out of every room it held; the first live server to claim it does it. */
  async function reap(dead: string) {
    const claimed = await redis.set(`${p}presence-reap:${dead}`, server, 'PX', Math.max(ttlMs, 10_000), 'NX');
    if (!claimed) return;
    const changes: PresenceChange[] = [];
    for (const m of await redis.smembers(roomsOf(dead))) {
      const [t, r] = m.split('\u0000');
      const gone = (await runScript(redis, 'reap', [usersKey(t, r), namesKey(t, r), mineKey(t, r, dead), roomsOf(dead)], [m])) as string[];
      for (let i = 0; i < gone.length; i += 2) changes.push({ tenantId: t, room: r, user: gone[i], name: gone[i + 1], status: 'offline' });
    }
    await redis.zrem(leases, dead);
    await redis.del(roomsOf(dead));
    if (changes.length) announce(changes);
    peerDown();
  }

  async function beat() {
    const [had, ...dead] = (await runScript(redis, 'beat', [leases], [server, leaseMs, ttlMs])) as [number, ...string[]];
    if (beats++ > 0 && !had) {
      opts.log(`presence: this server's lease was gone from Redis (restarted empty, or this server stalled); re-asserting ${held.size} rooms`);
      await reassert();
    }
    if (beats % 4 === 0) refresh();
    for (const s of dead) await reap(s);
  }
  let beating: Promise<void> | null = null;
  const tick = () => {
    if (closed || beating) return;
    beating = beat()
      .catch((err) => opts.log('presence beat failed', err))
      .finally(() => (beating = null));
  };
  tick();
  const timer = setInterval(tick, beatMs);
  timer.unref();
  // Back from a lost connection: beat now, so a Redis that came back empty is refilled at once.
  redis.on('ready', tick);

  function roomOf(t: string, r: string, make: boolean): HeldRoom | undefined {
    const k = member(t, r);
    let h = held.get(k);
    if (!h && make) held.set(k, (h = { tenantId: t, room: r, users: new Map() }));
    return h;
  }

  return {
    async add(tenantId, room, user) {
      const h = roomOf(tenantId, room, true)!;
      const u = h.users.get(user.user) ?? { name: user.name, n: 0 };
      u.n++;
      h.users.set(user.user, u);
      return (await put(h, user.user, u.name, u.n)) === 1;
    },
    async remove(tenantId, room, userId) {
      const h = roomOf(tenantId, room, false);
      const u = h?.users.get(userId);
      if (!h || !u) return false;
      u.n--;
      if (u.n <= 0) h.users.delete(userId);
      if (!h.users.size) held.delete(member(tenantId, room));
      return (await put(h, userId, u.name, Math.max(0, u.n))) === -1;
    },
    async list(tenantId, room, limit) {
      const out = (await runScript(redis, 'list', [usersKey(tenantId, room), namesKey(tenantId, room)], [limit])) as [number, ...string[]];
      const presence: PresenceEntry[] = [];
      for (let i = 1; i < out.length; i += 2) presence.push({ user: String(out[i]), name: String(out[i + 1]) });
      return { online: Number(out[0]), presence };
    },
    onChanges(h) {
      announce = h;
    },
    onPeerDown(h) {
      peerDown = h;
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await beating;
      // Gone on purpose, every member having left: the others need not wait for the lease to
      // run out. If some leave failed, the lease stays and a live server reaps what is left.
      if (!held.size) await Promise.all([redis.zrem(leases, server), redis.del(roomsOf(server))]).catch((err) => opts.log('redis presence close failed', err));
      redis.disconnect();
    },
  };
}
