import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { REDIS_PREFIX, roomChannel, type Bus, type RoomEvent, type RoomEventKind } from './bus';
import { connectRedis } from './redis-connect';

// Wire form on Redis: "<server> <kind> <seq>/<rev> <tenant.length>:<tenant><room.length>:<room><user.length>:<user><json>".
// Length prefixes keep any id safe without JSON-parsing our own broadcasts on every server.
function encode(server: string, ev: RoomEvent): string {
  return `${server} ${ev.kind} ${ev.seq}/${ev.rev} ${ev.tenantId.length}:${ev.tenantId}${ev.room.length}:${ev.room}${ev.user.length}:${ev.user}${ev.json}`;
}

function decode(raw: string): { server: string; ev: RoomEvent } | null {
  const a = raw.indexOf(' ');
  const b = raw.indexOf(' ', a + 1);
  const c = raw.indexOf(' ', b + 1);
  if (a < 0 || b < 0 || c < 0) return null;
  let at = c + 1;
  const take = () => {
    const colon = raw.indexOf(':', at);
    const len = Number(raw.slice(at, colon));
    const s = raw.slice(colon + 1, colon + 1 + len);
    at = colon + 1 + len;
    return s;
  };
  const tenantId = take();
  const room = take();
  const user = take();
  const [seq, rev = '0'] = raw.slice(b + 1, c).split('/');
  return {
    server: raw.slice(0, a),
    ev: { tenantId, room, user, kind: raw.slice(a + 1, b) as RoomEventKind, seq: Number(seq), rev: Number(rev), json: raw.slice(at) },
  };
}

/**
 * A Redis connection as Parley uses them: commands wait through a reconnect rather than fail,
 * and reconnects are tried at most 500 ms apart (ioredis's default waits up to 2 s), so a
 * restarted Redis is back in use within a fraction of a heartbeat.
 */
export function redisConnection(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(n * 50, 500), ...extra });
}

/**
 * The bus between servers over Redis pub/sub, one channel per room, subscribed only while the
 * room has members here. Local events are delivered at once and also published; a server
 * ignores its own echo. Order across servers is restored by the hub from `rev`.
 *
 * Publishes go out auto-pipelined: every PUBLISH of one event-loop turn shares one write, and
 * nothing on the hot path waits for a reply. On Redis 7 and later the channels are sharded
 * (SPUBLISH/SSUBSCRIBE), so a Redis Cluster spreads rooms over its shards.
 *
 * While the publishing connection is down nothing is queued (ioredis would keep every PUBLISH
 * in memory until Redis came back, without bound): the event is dropped and counted. Messages
 * and deletions are in the database already; for each room the latest such event is kept and
 * published again once the connection is back, so other servers see the gap before it and read
 * it from the database (they also re-read every room when their own connection comes back).
 * Presence and read receipts are states: the latest per user and room is sent again. Typing
 * pulses of the outage are lost, as ephemeral events may be.
 */
export async function createRedisBus(opts: {
  url: string;
  prefix?: string;
  log: (msg: string, err?: unknown) => void;
  /** Called for each event not published because the connection was down. */
  onDropped?: () => void;
}): Promise<Bus> {
  const server = randomBytes(6).toString('hex');
  const prefix = opts.prefix ?? REDIS_PREFIX;
  const pub = redisConnection(opts.url, { lazyConnect: true, enableAutoPipelining: true, enableOfflineQueue: false });
  // We resubscribe ourselves after a reconnect, so that the hub re-reads only once every
  // channel is live again (ioredis's own resubscribe gives no such moment).
  const sub = redisConnection(opts.url, { lazyConnect: true, autoResubscribe: false });
  await connectRedis([pub, sub], opts.log);
  const version = /redis_version:(\d+)/.exec(await pub.info('server'))?.[1];
  const sharded = Number(version) >= 7;
  let handler: (ev: RoomEvent) => void = () => {};
  let onReconnect: () => void = () => {};
  const counts = new Map<string, number>();
  const listen = (ch: string) => (sharded ? sub.ssubscribe(ch) : sub.subscribe(ch));
  const stop = (ch: string) => (sharded ? sub.sunsubscribe(ch) : sub.unsubscribe(ch));
  sub.on(sharded ? 'smessage' : 'message', (_channel: string, raw: string) => {
    const d = decode(raw);
    if (d && d.server !== server) handler(d.ev);
  });
  for (const c of [pub, sub]) c.on('error', (err) => opts.log('redis error', err));
  let closing = false;
  sub.on('ready', () => {
    if (closing) return;
    // A reconnect: every channel again, then the hub fills what was published meanwhile.
    Promise.all([...counts.keys()].map(listen)).then(
      () => onReconnect(),
      (err) => opts.log('redis resubscribe failed; the next reconnect tries again', err),
    );
  });
  // What could not be published, to send again: per room the latest ordered event, and per user
  // and room the latest presence and read (bounded by this server's rooms and members).
  const missed = new Map<string, RoomEvent>();
  let down = false;
  const send = (ch: string, ev: RoomEvent) => {
    if (pub.status !== 'ready') return void miss(ch, ev);
    (sharded ? pub.spublish(ch, encode(server, ev)) : pub.publish(ch, encode(server, ev))).catch((err) => {
      // Sent as the connection broke: ioredis gave up on it (no offline queue).
      miss(ch, ev);
      opts.log('redis publish failed', err);
    });
  };
  function miss(ch: string, ev: RoomEvent) {
    opts.onDropped?.();
    if (!down) opts.log('redis is unreachable: room events are not published until it is back; other servers will read them from the database');
    down = true;
    if (ev.rev > 0) {
      if ((missed.get(ch)?.rev ?? 0) < ev.rev) missed.set(ch, ev);
    } else if (ev.kind !== 'typing') {
      // Presence and read receipts are states: the latest per user and room stands for the rest.
      const key = `${ch}\n${ev.kind}\n${ev.user}`;
      missed.delete(key);
      missed.set(key, ev);
    }
  }
  pub.on('ready', () => {
    down = false;
    const again = [...missed];
    missed.clear();
    for (const [key, ev] of again) send(key.split('\n')[0]!, ev);
  });
  return {
    publish(ev) {
      handler(ev);
      send(roomChannel(prefix, ev.tenantId, ev.room), ev);
    },
    async subscribe(tenantId, room) {
      const ch = roomChannel(prefix, tenantId, room);
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
      // Every caller waits for the SUBSCRIBE: a join must not read the head before it is live.
      await listen(ch);
    },
    unsubscribe(tenantId, room) {
      const ch = roomChannel(prefix, tenantId, room);
      const n = (counts.get(ch) ?? 0) - 1;
      if (n > 0) return void counts.set(ch, n);
      counts.delete(ch);
      stop(ch).catch((err) => opts.log('redis unsubscribe failed', err));
    },
    onEvent(h) {
      handler = h;
    },
    onReconnect(h) {
      onReconnect = h;
    },
    async close() {
      closing = true;
      await Promise.all([pub.quit(), sub.quit()]).catch((err) => opts.log('redis quit failed', err));
    },
  };
}
