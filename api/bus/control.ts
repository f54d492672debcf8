import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { REDIS_PREFIX } from './bus';
import { connectRedis } from './redis-connect';

/**
 * What changed in a tenant, as a hint to re-read it: every server holds the database's truth,
 * so a control event never carries state, only what to look at again. That also makes a stray
 * or repeated event harmless (it costs one read).
 * - `tenant`: settings, origins, disabled, secret keys (subject '');
 * - `bans`: a ban or unban of the user `subject`;
 * - `mutes`: a mute or unmute of the user `subject`;
 * - `blocks`: the user `subject` blocked or unblocked someone;
 * - `room`: the room `subject`'s privacy or member list.
 */
export type ControlKind = 'tenant' | 'bans' | 'mutes' | 'blocks' | 'room';
export interface ControlEvent {
  tenantId: string;
  kind: ControlKind;
  subject: string;
}

/** Everything `resync` can re-read after events may have been missed (the bus reconnected). */
type Handler = (ev: ControlEvent | 'resync') => void | Promise<void>;

/**
 * Tenant changes pushed to every server sharing the database: the memory one delivers in
 * process, the Redis one over one control channel for all tenants (changes are rare; one
 * channel costs each server one subscription).
 */
export interface ControlBus {
  /** Applies the change on this server (resolves once every handler ran) and sends it to the others (not awaited). */
  publish(ev: ControlEvent): Promise<void>;
  /** Handlers run in the order added, one after another. */
  on(handler: Handler): void;
  close(): Promise<void>;
}

const KINDS = new Set<string>(['tenant', 'bans', 'mutes', 'blocks', 'room']);

function dispatcher(log: (msg: string, err?: unknown) => void) {
  const handlers: Handler[] = [];
  return {
    handlers,
    async run(ev: ControlEvent | 'resync') {
      for (const h of handlers) {
        try {
          await h(ev);
        } catch (err) {
          log(`control event ${ev === 'resync' ? ev : ev.kind} failed`, err);
        }
      }
    },
  };
}

export function createMemoryControl(opts: { log: (msg: string, err?: unknown) => void }): ControlBus {
  const d = dispatcher(opts.log);
  return {
    publish: (ev) => d.run(ev),
    on: (h) => void d.handlers.push(h),
    close: async () => {},
  };
}

/** The control channel under a Redis key prefix (`parley:` unless ServerOptions.redisPrefix says otherwise). */
export const controlChannel = (prefix: string) => `${prefix}control`;

/** Wire form: JSON `[server, tenantId, kind, subject]`; anything else is dropped. */
export function decodeControl(raw: string): { server: string; ev: ControlEvent } | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => typeof x === 'string')) return null;
  const [server, tenantId, kind, subject] = v as string[];
  if (!KINDS.has(kind) || !tenantId) return null;
  return { server, ev: { tenantId, kind: kind as ControlKind, subject } };
}

/**
 * The control channel over Redis pub/sub. A server applies its own change before publishing
 * and ignores its echo. The request that made the change does not wait for Redis: while it is
 * away the event waits in the client's queue and goes out on reconnect. After the subscriber
 * reconnects, events sent meanwhile are lost to it, so handlers get 'resync' and re-read
 * everything they hold.
 */
export async function createRedisControl(opts: { url: string; prefix?: string; log: (msg: string, err?: unknown) => void }): Promise<ControlBus> {
  const server = randomBytes(6).toString('hex');
  const channel = controlChannel(opts.prefix ?? REDIS_PREFIX);
  const d = dispatcher(opts.log);
  const pub = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: null });
  const sub = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: null });
  for (const c of [pub, sub]) c.on('error', (err) => opts.log('redis error (control)', err));
  await connectRedis([pub, sub], opts.log);
  sub.on('message', (_channel: string, raw: string) => {
    const m = decodeControl(raw);
    if (!m) return opts.log('malformed control event dropped');
    if (m.server !== server) void d.run(m.ev);
  });
  await sub.subscribe(channel);
  // ioredis subscribes again by itself after a reconnect (`ready` again); whatever was sent
  // meanwhile is lost.
  sub.on('ready', () => void d.run('resync'));
  return {
    async publish(ev) {
      await d.run(ev);
      pub
        .publish(channel, JSON.stringify([server, ev.tenantId, ev.kind, ev.subject]))
        .catch((err) => opts.log('control publish failed; other servers catch up when they resync or poll', err));
    },
    on: (h) => void d.handlers.push(h),
    async close() {
      await Promise.all([pub.quit(), sub.quit()]).catch((err) => opts.log('control close failed', err));
    },
  };
}
