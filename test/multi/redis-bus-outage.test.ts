import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus, RoomEvent } from '../../api/bus/bus';
import { createRedisBus } from '../../api/bus/redis-bus';
import { freePort } from '../helpers/free-port';
import { until, withRedisAndPostgres } from '../helpers/two-servers';
import { startRedis, stop } from './procs';

const maybe = withRedisAndPostgres ? describe : describe.skip;

/** A TCP hop between one server and Redis that the test can cut and mend: a partition of that server alone. */
async function cuttableLink(target: number) {
  const port = await freePort();
  const open = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((down) => {
    if (cut) return void down.destroy();
    const up = connect(target, '127.0.0.1');
    for (const s of [down, up]) {
      open.add(s);
      s.on('error', () => {});
      s.on('close', () => (open.delete(s), down.destroy(), up.destroy()));
    }
    down.pipe(up).pipe(down);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const cutAll = () => {
    cut = true;
    for (const s of open) s.destroy();
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    cut: cutAll,
    mend() {
      cut = false;
    },
    close: () => new Promise<void>((r) => (cutAll(), server.close(() => r()))),
  };
}

const event = (room: string, rev: number, kind: RoomEvent['kind'] = 'message'): RoomEvent => ({
  tenantId: 't',
  room,
  kind,
  seq: kind === 'message' ? rev : 0,
  rev: kind === 'message' ? rev : 0,
  user: 'u',
  json: JSON.stringify({ type: kind, room, seq: rev }),
});

maybe('the Redis bus while one server is cut off from Redis (private redis-server)', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let link: Awaited<ReturnType<typeof cuttableLink>>;
  let a: Bus;
  let b: Bus;
  let dropped = 0;
  const aLog: string[] = [];
  const got: RoomEvent[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    link = await cuttableLink(redis.port);
    const prefix = 'outage:';
    a = await createRedisBus({ url: link.url, prefix, log: (m) => aLog.push(m), onDropped: () => dropped++ });
    b = await createRedisBus({ url: redis.url, prefix, log: () => {} });
    b.onEvent((ev) => got.push(ev));
    await b.subscribe('t', 'x');
    await b.subscribe('t', 'y');
  }, 60_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await link?.close();
    if (redis) await stop(redis.proc, 'SIGKILL');
  });

  it("queues nothing while cut off, and publishes each room's latest message again once back", async () => {
    a.publish(event('x', 1));
    await until(() => got.length === 1, 10_000, 'the first event across');
    link.cut();
    // Wait until the publishing connection knows it is down: a typing pulse is then dropped.
    await until(() => {
      a.publish(event('y', 0, 'typing'));
      return dropped > 0;
    }, 10_000, 'a publish dropped');
    const before = dropped;
    for (let rev = 2; rev <= 5001; rev++) a.publish(event('x', rev));
    for (let rev = 1; rev <= 3; rev++) a.publish(event('y', rev));
    for (const status of ['offline', 'online']) a.publish({ ...event('y', 0, 'presence'), json: JSON.stringify({ type: 'presence', status }) });
    // Not one of them waits in memory for Redis.
    expect(dropped - before).toBe(5005);
    expect(aLog.filter((m) => m.startsWith('redis is unreachable'))).toHaveLength(1);
    link.mend();
    await until(() => got.some((ev) => ev.room === 'x' && ev.rev === 5001) && got.some((ev) => ev.room === 'y' && ev.rev === 3), 15_000, 'the latest events again');
    await until(() => got.some((ev) => ev.kind === 'presence'), 15_000, 'the latest presence again');
    // Only the latest of each room crossed (a hub on this server reads the gap before it from
    // the database), and the user's latest presence; the typing pulses are gone.
    expect(got.map((ev) => `${ev.room}:${ev.kind}:${ev.rev}`).sort()).toEqual(['x:message:1', 'x:message:5001', 'y:message:3', 'y:presence:0']);
    expect(JSON.parse(got.find((ev) => ev.kind === 'presence')!.json).status).toBe('online');
  }, 60_000);
});
