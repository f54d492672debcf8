import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The Lua scripts behind Redis presence. Each runs atomically, so two servers adding the same
 * user at once cannot both miss (or both announce) the first connection, and each touches only
 * the fields it names: O(1) per user, never a scan of the room.
 *
 * Keys of one room: `users` (user → connections on all servers), `names` (user → name),
 * `mine` (user → connections on this server). Per server: `rooms` (the rooms it holds, so
 * whoever cleans up after it knows where to look). Every key gets a TTL and is refreshed by
 * the servers that hold it.
 */

/**
 * Sets this server's connection count of one user in a room to ARGV[2] (an absolute value, so a
 * re-assert after Redis lost its data and a late add converge to the same state).
 * KEYS: users, names, mine, rooms. ARGV: user, count, name, ttlMs, room member.
 * Returns 1 when the user came online in the room, -1 when they went offline, else 0.
 */
const SET = `
local old = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
local new = tonumber(ARGV[2])
if new > 0 then redis.call('HSET', KEYS[3], ARGV[1], new) else redis.call('HDEL', KEYS[3], ARGV[1]) end
local before = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local total = before + new - old
if total > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], total)
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
end
if redis.call('HLEN', KEYS[3]) > 0 then redis.call('SADD', KEYS[4], ARGV[5]) else redis.call('SREM', KEYS[4], ARGV[5]) end
for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ARGV[4]) end
if before <= 0 and total > 0 then return 1 end
if before > 0 and total <= 0 then return -1 end
return 0`;

/**
 * The count and up to ARGV[1] users of a room with their names.
 * KEYS: users, names. Returns [online, user1, name1, user2, name2, ...].
 */
const LIST = `
local online = redis.call('HLEN', KEYS[1])
local out = { online }
if online == 0 then return out end
local users = redis.call('HRANDFIELD', KEYS[1], tonumber(ARGV[1]))
if #users == 0 then return out end
local names = redis.call('HMGET', KEYS[2], unpack(users))
for i = 1, #users do
  out[#out + 1] = users[i]
  out[#out + 1] = names[i] or users[i]
end
return out`;

/**
 * This server's lease: scored by its expiry on Redis's clock, so servers' clocks do not matter.
 * KEYS: leases. ARGV: server, leaseMs, ttlMs.
 * Returns [whether the lease was still there, then the ids of servers whose lease ran out].
 */
const BEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local had = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local out = { had and 1 or 0 }
for _, s in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 20)) do out[#out + 1] = s end
return out`;

/**
 * Takes a dead server's entries out of one room and reports who went offline.
 * KEYS: users, names, the dead server's hash for the room, its rooms set. ARGV: room member.
 * Returns [user1, name1, ...] of users with no connection left anywhere.
 */
const REAP = `
local held = redis.call('HGETALL', KEYS[3])
local gone = {}
for i = 1, #held, 2 do
  local u = held[i]
  local n = redis.call('HINCRBY', KEYS[1], u, -tonumber(held[i + 1]))
  if n <= 0 then
    gone[#gone + 1] = u
    gone[#gone + 1] = redis.call('HGET', KEYS[2], u) or u
    redis.call('HDEL', KEYS[1], u)
    redis.call('HDEL', KEYS[2], u)
  end
end
redis.call('DEL', KEYS[3])
redis.call('SREM', KEYS[4], ARGV[1])
return gone`;

export type ScriptName = 'set' | 'list' | 'beat' | 'reap';
const SOURCES: Record<ScriptName, string> = { set: SET, list: LIST, beat: BEAT, reap: REAP };
const SHAS = Object.fromEntries(Object.entries(SOURCES).map(([k, src]) => [k, createHash('sha1').update(src).digest('hex')])) as Record<
  ScriptName,
  string
>;

/** Runs a script by its hash, loading it when Redis does not have it (a restart forgets them). */
export async function runScript(redis: Redis, name: ScriptName, keys: string[], args: (string | number)[]): Promise<unknown> {
  try {
    return await redis.evalsha(SHAS[name], keys.length, ...keys, ...args);
  } catch (err) {
    if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
    return redis.eval(SOURCES[name], keys.length, ...keys, ...args);
  }
}
