import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryControl } from '../../api/bus/control';
import { createMemoryBus } from '../../api/bus/memory-bus';
import { createBans, createMutes } from '../../api/chat/bans';
import { createChatService } from '../../api/chat/chat-service';
import { createContentRules } from '../../api/chat/content-rules';
import { createSealer } from '../../api/chat/keys';
import { createPreSendHook } from '../../api/chat/pre-send';
import { createWebhookHttp } from '../../api/chat/webhook-http';
import { createMemoryRateLimiter } from '../../api/chat/rate-limit';
import { createRetention } from '../../api/chat/retention';
import { createTenantDirectory } from '../../api/chat/tenants';
import { createTypingTracker } from '../../api/chat/typing';
import { createWebhookSigner } from '../../api/chat/webhook-signing';
import { LOCKS } from '../../api/db/locks';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/backends';

const DAY_MS = 86_400_000;

describe.each(backends())('retention on %s', (backend) => {
  let database: TestDatabase;
  let url: string | undefined;
  let now = Date.UTC(2026, 0, 1);
  const clock = () => now;
  let chat: ReturnType<typeof createChatService>;
  let tenants: ReturnType<typeof createTenantDirectory>;
  beforeAll(async () => {
    database = await openTestDatabase(backend);
    url = database.url;
    const control = createMemoryControl({ log: () => {} });
    tenants = createTenantDirectory({ db: database.db, sealer: createSealer('k'), control, now: clock });
    chat = createChatService({
      db: database.db,
      bus: createMemoryBus(),
      control,
      typing: createTypingTracker({ now: clock }),
      limiter: createMemoryRateLimiter({ now: clock }),
      rules: createContentRules(),
      bans: createBans({ db: database.db, control, now: clock }),
      mutes: createMutes({ db: database.db, control, now: clock }),
      preSend: createPreSendHook({
        sign: createWebhookSigner(() => `whsec_${Buffer.alloc(32).toString('base64')}`),
        http: createWebhookHttp({ allowPrivate: false }),
        log: () => {},
      }),
      now: clock,
    });
  });
  afterAll(() => database?.close());

  /** A tenant with one message 10 days old and one new, in room `r`. */
  async function tenantWithOldAndNew(retentionDays: number) {
    const t = await tenants.create({ name: `r${retentionDays}`, origins: [], settings: { retentionDays } });
    const tenant = (await tenants.byId(t.tenantId))!;
    const who = { id: 'u', name: 'U', role: 'member' as const, rooms: null, guest: false };
    now -= 10 * DAY_MS;
    await chat.post(tenant, who, 'r', 'old', 'old', { trusted: true });
    now += 10 * DAY_MS;
    await chat.post(tenant, who, 'r', 'new', 'new', { trusted: true });
    return { ids: async () => (await chat.history(t.tenantId, 'r', { upTo: 2 })).messages.map((m) => m.id) };
  }

  it('purges messages older than the tenant’s retentionDays and keeps everything at 0', async () => {
    const keep = await tenantWithOldAndNew(0);
    const short = await tenantWithOldAndNew(7);
    const retention = createRetention({ db: database.db, now: clock, log: () => {} });
    expect(await retention.run()).toEqual({ ran: true, deleted: 1 });
    expect(await short.ids()).toEqual(['new']);
    expect(await keep.ids()).toEqual(['old', 'new']);
  });

  // PGlite is one process and one connection: only Postgres has other servers to exclude.
  if (backend === 'postgres') {
    it('runs on one server at a time: a pass finding the lock held skips', async () => {
      const short = await tenantWithOldAndNew(3);
      // Another server's pass, holding the lock in its transaction on its own connection.
      const other = postgres(url!, { max: 1, onnotice: () => {} });
      const here = createRetention({ db: database.db, now: clock, log: () => {} });
      try {
        await other.begin(async (tx) => {
          await tx`select pg_advisory_xact_lock(${LOCKS.retention}::bigint)`;
          expect(await here.run()).toEqual({ ran: false, deleted: 0 });
          expect(await short.ids()).toEqual(['old', 'new']);
        });
        // The other pass ended (the lock went with its transaction): the next one here runs.
        expect(await here.run()).toEqual({ ran: true, deleted: 1 });
        expect(await short.ids()).toEqual(['new']);
      } finally {
        await other.end();
      }
    });

    it('holds no room of a purged tenant while it purges the next: chat there goes on during a long pass', async () => {
      await tenantWithOldAndNew(4);
      now += 1000;
      const second = await tenantWithOldAndNew(4);
      const [firstTenant, secondTenant] = (await tenants.list()).slice(-2);
      // Another connection holds the second tenant's old row, so the pass waits in its purge.
      const other = postgres(url!, { max: 1, onnotice: () => {} });
      const watch = postgres(url!, { max: 1, onnotice: () => {} });
      const here = createRetention({ db: database.db, now: clock, log: () => {} });
      try {
        let pass!: ReturnType<typeof here.run>;
        await other.begin(async (tx) => {
          await tx`select 1 from messages where tenant_id = ${secondTenant.tenantId} and id = 'old' for update`;
          pass = here.run();
          // Wait until the pass is stuck on that row (it has purged the first tenant by then).
          for (;;) {
            const [w] = await watch`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
            if (w.n > 0) break;
            await new Promise((r) => setImmediate(r));
          }
          // A message to the first tenant's purged room is stored while the pass still runs.
          const who = { id: 'u', name: 'U', role: 'member' as const, rooms: null, guest: false };
          await chat.post((await tenants.byId(firstTenant.tenantId))!, who, 'r', 'during', 'during', { trusted: true });
          expect((await chat.history(firstTenant.tenantId, 'r', { upTo: 3 })).messages.map((m) => m.id)).toEqual(['new', 'during']);
        });
        expect(await pass).toEqual({ ran: true, deleted: 2 });
        expect(await second.ids()).toEqual(['new']);
      } finally {
        await other.end();
        await watch.end();
      }
    });
  }
});
