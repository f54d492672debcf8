import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryControl } from '../../api/bus/control';
import { createMemoryBus } from '../../api/bus/memory-bus';
import { createBans, createMutes } from '../../api/chat/bans';
import { createChatService } from '../../api/chat/chat-service';
import { createContentRules } from '../../api/chat/content-rules';
import { createSealer } from '../../api/chat/keys';
import { createPreSendHook } from '../../api/chat/pre-send';
import { createMemoryRateLimiter } from '../../api/chat/rate-limit';
import { createTenantDirectory, type Tenant } from '../../api/chat/tenants';
import { createTypingTracker } from '../../api/chat/typing';
import { createWebhookHttp } from '../../api/chat/webhook-http';
import { createWebhookSigner } from '../../api/chat/webhook-signing';
import { getRoom } from '../../api/db/rooms';
import { eventLog } from '../../api/db/webhook-events';
import { rooms } from '../../api/db/schema';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/backends';

// A room is made by its first join. When many people join a room nobody has made yet at once
// (a room announced to everyone), the joins that find it missing share the one insert that
// makes it, instead of each trying to make it again.
describe.each(backends())('first joins of a new room on %s', (backend) => {
  let d: TestDatabase;
  let chat: ReturnType<typeof createChatService>;
  let tenant: Tenant;
  let tenants: ReturnType<typeof createTenantDirectory>;
  const now = () => Date.UTC(2026, 0, 1);
  beforeAll(async () => {
    d = await openTestDatabase(backend);
    const control = createMemoryControl({ log: () => {} });
    tenants = createTenantDirectory({ db: d.db, sealer: createSealer('k'), control, now });
    chat = createChatService({
      db: d.db,
      bus: createMemoryBus(),
      control,
      typing: createTypingTracker({ now }),
      limiter: createMemoryRateLimiter({ now }),
      rules: createContentRules(),
      bans: createBans({ db: d.db, control, now }),
      mutes: createMutes({ db: d.db, control, now }),
      preSend: createPreSendHook({
        sign: createWebhookSigner(() => `whsec_${Buffer.alloc(32).toString('base64')}`),
        http: createWebhookHttp({ allowPrivate: false }),
        log: () => {},
      }),
      now,
    });
    const t = await tenants.create({ name: 'first-join', origins: [] });
    tenant = (await tenants.byId(t.tenantId))!;
  });
  afterAll(() => d?.close());

  it('makes the room once for many joins that find it missing together, and answers each', async () => {
    // Counts the inserts into `rooms` this database is asked for (the real database runs them).
    let inserts = 0;
    const db = d.db as unknown as { insert: (table: unknown) => unknown };
    const insert = db.insert;
    db.insert = function (this: unknown, table: unknown) {
      if (table === rooms) inserts++;
      return insert.call(this, table);
    };
    try {
      const who = (i: number) => ({ id: `u${i}`, name: `u${i}`, role: 'member' as const, rooms: null, guest: false });
      const joins = await Promise.all(Array.from({ length: 30 }, (_, i) => chat.joinRoom(tenant, who(i), 'lobby', { lastSeq: 0 }, new Set())));
      for (const j of joins) expect(j.page).toMatchObject({ headSeq: 0, messages: [], hasMore: false });
      expect(await getRoom(d.db, tenant.id, 'lobby')).toMatchObject({ name: 'lobby', private: false, lastSeq: 0 });
      expect(inserts).toBe(1);
      // Made once, the room is not made again: a later join reads it.
      await chat.joinRoom(tenant, who(99), 'lobby', { lastSeq: 0 }, new Set());
      expect(inserts).toBe(1);
      // Another new room is made by its own first join.
      await chat.joinRoom(tenant, who(0), 'other', {}, new Set());
      expect(inserts).toBe(2);
    } finally {
      db.insert = insert;
    }
  });

  const who = (i: number) => ({ id: `u${i}`, name: `u${i}`, role: 'member' as const, rooms: null, guest: false });

  it('fails every join waiting on an insert that failed, and the next first join makes the room', async () => {
    const db = d.db as unknown as { insert: (table: unknown) => unknown };
    const insert = db.insert;
    let fail = true;
    db.insert = function (this: unknown, table: unknown) {
      if (table === rooms && fail) {
        fail = false;
        throw new Error('the database is away');
      }
      return insert.call(this, table);
    };
    try {
      const joins = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => chat.joinRoom(tenant, who(i), 'flaky', {}, new Set())));
      expect(joins.map((j) => (j.status === 'rejected' ? (j.reason as Error).message : 'joined'))).toEqual(Array(10).fill('the database is away'));
      expect(await getRoom(d.db, tenant.id, 'flaky')).toBeNull();
      // Not remembered as being made: the next join makes it.
      expect((await chat.joinRoom(tenant, who(0), 'flaky', {}, new Set())).page.headSeq).toBe(0);
      expect(await getRoom(d.db, tenant.id, 'flaky')).toMatchObject({ name: 'flaky' });
    } finally {
      db.insert = insert;
    }
  });

  it('records one room.created for a tenant that wants it, however many joins made the room together', async () => {
    const t = await tenants.create({ name: 'hooked', origins: [], settings: { eventsUrl: 'https://hooks.example.com/parley', eventTypes: ['room.created'] } });
    const hooked = (await tenants.byId(t.tenantId))!;
    await Promise.all(Array.from({ length: 20 }, (_, i) => chat.joinRoom(hooked, who(i), 'launch', {}, new Set())));
    const events = (await eventLog(d.db, hooked.id, 100)).filter((e) => e.type === 'room.created');
    expect(events.map((e) => e.data.room)).toEqual(['launch']);
  });
});
