import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { roomChannel, type Bus, type RoomEvent, type RoomEventKind } from './bus';

// Wire form on Redis: "<server> <kind> <seq> <tenant.length>:<tenant><room.length>:<room><user.length>:<user><json>".
// Length prefixes keep any id safe without JSON-parsing our own broadcasts on every server.
function encode(server: string, ev: RoomEvent): string {
  return `${server} ${ev.kind} ${ev.seq} ${ev.tenantId.length}:${ev.tenantId}${ev.room.length}:${ev.room}${ev.user.length}:${ev.user}${ev.json}`;
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
  return {
    server: raw.slice(0, a),
    ev: { tenantId, room, user, kind: raw.slice(a + 1, b) as RoomEventKind, seq: Number(raw.slice(b + 1, c)), json: raw.slice(at) },
  };
}

/**
 * The bus between servers over Redis pub/sub, one channel per room. Local events are delivered
 * at once and also published; a server ignores its own echo. Order across servers is restored
 * by the hub from `seq`.
 */
export async function createRedisBus(opts: { url: string; log: (msg: string, err?: unknown) => void }): Promise<Bus> {
  const server = randomBytes(6).toString('hex');
  const pub = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: null });
  const sub = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: null });
  await Promise.all([pub.connect(), sub.connect()]);
  let handler: (ev: RoomEvent) => void = () => {};
  const counts = new Map<string, number>();
  sub.on('message', (_channel: string, raw: string) => {
    const d = decode(raw);
    if (d && d.server !== server) handler(d.ev);
  });
  for (const c of [pub, sub]) c.on('error', (err) => opts.log('redis error', err));
  return {
    publish(ev) {
      handler(ev);
      pub.publish(roomChannel(ev.tenantId, ev.room), encode(server, ev)).catch((err) => opts.log('redis publish failed', err));
    },
    async subscribe(tenantId, room) {
      const ch = roomChannel(tenantId, room);
      const n = (counts.get(ch) ?? 0) + 1;
      counts.set(ch, n);
      // Every caller waits for the SUBSCRIBE: a join must not read the head before it is live.
      await sub.subscribe(ch);
    },
    unsubscribe(tenantId, room) {
      const ch = roomChannel(tenantId, room);
      const n = (counts.get(ch) ?? 0) - 1;
      if (n > 0) return void counts.set(ch, n);
      counts.delete(ch);
      sub.unsubscribe(ch).catch((err) => opts.log('redis unsubscribe failed', err));
    },
    onEvent(h) {
      handler = h;
    },
    async close() {
      await Promise.all([pub.quit(), sub.quit()]).catch(() => {});
    },
  };
}
