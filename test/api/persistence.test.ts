import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatService } from '../../api/chat/chat-service';
import { createSealer } from '../../api/chat/keys';
import { createBans } from '../../api/chat/bans';
import { createContentRules } from '../../api/chat/content-rules';
import { createWebhookHttp } from '../../api/chat/webhook-http';
import { createPreSendHook } from '../../api/chat/pre-send';
import { createWebhookSigner } from '../../api/chat/webhook-signing';
import { createMemoryRateLimiter } from '../../api/chat/rate-limit';
import { createTenantDirectory } from '../../api/chat/tenants';
import { createTypingTracker } from '../../api/chat/typing';
import { createMemoryControl } from '../../api/bus/control';
import { createMemoryBus } from '../../api/bus/memory-bus';
import { openDatabase, type Database } from '../../api/db/client';
import { backends, freshPostgres } from '../helpers/backends';
import { client, join } from '../helpers/client';
import { startTestServer, type TestServer } from '../helpers/server';

describe.each(backends())('persistence on %s', (backend) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ backend });
  });
  afterAll(() => s?.stop());

  it('keeps every message across a restart, and seqs continue after it', async () => {
    const a = await client(s.wsUrl, s.demo.publishableKey, { name: 'A' });
    await join(a, 'keep');
    for (let i = 1; i <= 5; i++) await a.request({ type: 'message', room: 'keep', id: `k${i}`, text: `${i}` });
    a.close();
    await s.restart();
    const b = await client(s.wsUrl, s.demo.publishableKey, { token: a.welcome.guestToken });
    expect(b.welcome.user).toBe(a.welcome.user);
    const j = await join(b, 'keep');
    expect(j.messages.map((m: { id: string }) => m.id)).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
    expect(await b.request({ type: 'message', room: 'keep', id: 'k6', text: '6' })).toMatchObject({ seq: 6 });
    // The same id after the restart is still a duplicate.
    expect(await b.request({ type: 'message', room: 'keep', id: 'k1', text: '1' })).toMatchObject({ seq: 1, duplicate: true });
    b.close();
  });
});

describe.each(backends())('retention on %s', (backend) => {
  let database: Database;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const pg = backend === 'postgres' ? await freshPostgres() : null;
    drop = pg?.drop;
    database = await openDatabase({ url: pg?.url });
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  it('purges messages older than the tenant’s retentionDays and keeps everything at 0', async () => {
    let now = Date.UTC(2026, 0, 1);
    const control = createMemoryControl({ log: () => {} });
    const sealer = createSealer('k');
    const tenants = createTenantDirectory({ db: database.db, sealer, control, now: () => now });
    const chat = createChatService({
      db: database.db,
      bus: createMemoryBus(),
      control,
      typing: createTypingTracker({ now: () => now }),
      limiter: createMemoryRateLimiter({ now: () => now }),
      rules: createContentRules(),
      bans: createBans({ db: database.db, control, now: () => now }),
      preSend: createPreSendHook({ sign: createWebhookSigner(() => `whsec_${Buffer.alloc(32).toString('base64')}`), http: createWebhookHttp({ allowPrivate: false }), log: () => {} }),
      now: () => now,
    });
    const keep = await tenants.create({ name: 'keep', origins: [] });
    const short = await tenants.create({ name: 'short', origins: [], settings: { retentionDays: 7 } });
    const who = { id: 'u', name: 'U', role: 'member' as const, rooms: null, guest: false };
    for (const t of [keep, short]) {
      const tenant = (await tenants.byId(t.tenantId))!;
      await chat.post(tenant, who, 'r', 'old', 'old', { trusted: true });
      now += 10 * 86_400_000;
      await chat.post(tenant, who, 'r', 'new', 'new', { trusted: true });
      now -= 10 * 86_400_000;
    }
    now += 10 * 86_400_000;
    expect(await chat.purge((await tenants.byId(keep.tenantId))!)).toBe(0);
    expect(await chat.purge((await tenants.byId(short.tenantId))!)).toBe(1);
    const left = await chat.history(short.tenantId, 'r', { upTo: 2 });
    expect(left.messages.map((m) => m.id)).toEqual(['new']);
    expect((await chat.history(keep.tenantId, 'r', { upTo: 2 })).messages.map((m) => m.id)).toEqual(['old', 'new']);
  });
});
