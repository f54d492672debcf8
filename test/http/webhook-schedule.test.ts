import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventWebhooks } from '../../api/chat/event-webhooks';
import { createMemoryControl } from '../../api/bus/control';
import { createSealer } from '../../api/chat/keys';
import { createTenantDirectory } from '../../api/chat/tenants';
import { createWebhookHttp } from '../../api/chat/webhook-http';
import { RETRY_DELAYS_MS } from '../../api/chat/webhook-schedule';
import { createWebhookSigner, webhookSecret } from '../../api/chat/webhook-signing';
import { openDatabase, type Database } from '../../api/db/client';
import * as ep from '../../api/db/webhook-endpoints';
import { enqueueEvent, eventLog } from '../../api/db/webhook-events';
import { backends, freshPostgres } from '../helpers/backends';
import { startWebhookReceiver, type Delivery, type Reply } from '../helpers/webhook-receiver';



/**
 * The delivery loop with an injected clock: the published schedule, Retry-After, 410 and
 * redirects, without waiting hours. Time moves only when the test moves it; `idle()` waits
 * for the loop to finish what the move made due.
 */
describe.each(backends())('the event webhook schedule on %s', (backend) => {
  let database: Database;
  let drop: (() => Promise<void>) | undefined;
  let clock = 1_000_000;
  const sealer = createSealer('schedule-test');
  const secret = (id: string) => webhookSecret(sealer.derive, id);
  let script: (d: Delivery) => Reply = () => ({ status: 204 });
  let rx: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let tenantSecret = '';
  let other: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeAll(async () => {
    const pg = backend === 'postgres' ? await freshPostgres() : null;
    drop = pg?.drop;
    database = await openDatabase({ url: pg?.url });
    rx = await startWebhookReceiver(() => tenantSecret, (d) => script(d));
    other = await startWebhookReceiver(() => tenantSecret, () => ({ status: 204 }));
  });
  afterAll(async () => {
    await rx?.close();
    await other?.close();
    await database?.close();
    await drop?.();
  });

  async function setup() {
    const tenants = createTenantDirectory({ db: database.db, sealer, control: createMemoryControl({ log: () => {} }), now: () => clock });
    const t = await tenants.create({ name: 'sched', origins: ['*'], settings: { eventsUrl: rx.url } });
    tenantSecret = secret(t.tenantId);
    const loop = createEventWebhooks({
      db: database.db,
      tenants,
      sign: createWebhookSigner(secret),
      http: createWebhookHttp({ allowPrivate: true }),
      now: () => clock,
      log: () => {},
      intervalMs: 3_600_000,
    });
    const record = async (user: string) => {
      await enqueueEvent(database.db, t.tenantId, 'user.banned', { user }, clock);
      loop.kick();
      await loop.idle();
    };
    /** Moves the clock and lets the loop act on it. */
    const advance = async (ms: number) => {
      clock += ms;
      loop.kick();
      await loop.idle();
    };
    const sent = () => rx.received.filter((d) => d.body.tenantId === t.tenantId).map((d) => d.body.data.user as string);
    return { t, loop, record, advance, sent };
  }

  it('retries on the published schedule, in order, then gives up and sends the next', async () => {
    const { t, loop, record, advance, sent } = await setup();
    script = (d) => (d.body.data.user === 'n' ? { status: 500 } : { status: 204 });
    await record('n');
    await record('n+1');
    expect(sent()).toEqual(['n']);
    for (const [i, delay] of RETRY_DELAYS_MS.entries()) {
      // One millisecond early: nothing; on time: the next attempt, and still nothing after it.
      await advance(delay - 1);
      expect(sent()).toHaveLength(i + 1);
      await advance(1);
      expect(sent().slice(0, i + 2)).toEqual(Array(i + 2).fill('n'));
    }
    // Eight attempts, then given up: n+1 follows at once.
    expect(sent()).toEqual([...Array(8).fill('n'), 'n+1']);
    const log = await eventLog(database.db, t.tenantId, 10);
    expect(log.map((e) => [e.data.user, e.attempts, e.lastStatus, e.givenUpAt != null, e.deliveredAt != null])).toEqual([
      ['n+1', 1, 204, false, true],
      ['n', 8, 500, true, false],
    ]);
    await loop.stop();
  });

  it('waits as long as Retry-After asks, follows no redirect, and stops at 410 until enabled again', async () => {
    const { t, loop, record, advance, sent } = await setup();
    let answers: Reply[] = [{ status: 503, headers: { 'retry-after': '120' } }];
    script = () => answers.shift() ?? { status: 204 };
    await record('a');
    await advance(RETRY_DELAYS_MS[0]);
    expect(sent()).toEqual(['a']);
    await advance(120_000 - RETRY_DELAYS_MS[0]);
    expect(sent()).toEqual(['a', 'a']);

    other.received.length = 0;
    answers = [{ status: 307, headers: { location: other.url } }];
    await record('b');
    expect(sent()).toEqual(['a', 'a', 'b']);
    expect(other.received).toEqual([]);
    const [b] = await eventLog(database.db, t.tenantId, 1);
    expect([b.lastStatus, b.deliveredAt]).toEqual([307, null]);
    await advance(RETRY_DELAYS_MS[0]);
    expect(sent()).toEqual(['a', 'a', 'b', 'b']);

    answers = [{ status: 410 }];
    await record('c');
    await record('d');
    await advance(RETRY_DELAYS_MS[6]);
    expect(sent()).toEqual(['a', 'a', 'b', 'b', 'c']);
    expect((await ep.endpointOf(database.db, t.tenantId))?.disabledAt).toBe(clock - RETRY_DELAYS_MS[6]);
    expect(await ep.enable(database.db, t.tenantId)).toBe(true);
    await advance(0);
    expect(sent()).toEqual(['a', 'a', 'b', 'b', 'c', 'c', 'd']);
    await loop.stop();
  });
});
