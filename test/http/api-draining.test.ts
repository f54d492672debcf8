import { createAudit } from '../../api/chat/audit';
import { createReportDesk } from '../../api/chat/report-desk';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryControl } from '../../api/bus/control';
import { createMemoryBus } from '../../api/bus/memory-bus';
import { createAuth } from '../../api/chat/auth';
import { createChatService } from '../../api/chat/chat-service';
import { createSealer } from '../../api/chat/keys';
import { createBans, createMutes } from '../../api/chat/bans';
import { createContentRules } from '../../api/chat/content-rules';
import { createWebhookHttp } from '../../api/chat/webhook-http';
import { createPreSendHook } from '../../api/chat/pre-send';
import { createWebhookSigner } from '../../api/chat/webhook-signing';
import { createMemoryRateLimiter } from '../../api/chat/rate-limit';
import { createTenantDirectory } from '../../api/chat/tenants';
import { createTypingTracker } from '../../api/chat/typing';
import { openDatabase, type Database } from '../../api/db/client';
import { apiRoutes } from '../../api/routes/api-v1';
import { onError } from '../../api/routes/http-error';

// The narrowest boundary that shows it: the real routes and domain on an in-memory database,
// through app.request(), with the draining flag in the test's hands.
describe('HTTP API while the server drains', () => {
  let database: Database;
  let draining = false;
  let root: Hono;
  let secretKey = '';
  beforeAll(async () => {
    database = await openDatabase({});
    const now = Date.now;
    const control = createMemoryControl({ log: () => {} });
    const sealer = createSealer('drain-test');
    const tenants = createTenantDirectory({ db: database.db, sealer, control, now });
    const auth = createAuth({ tenants, sealer, now });
    const chat = createChatService({
      db: database.db,
      bus: createMemoryBus(),
      control,
      typing: createTypingTracker({ now }),
      limiter: createMemoryRateLimiter({ now }),
      rules: createContentRules(),
      bans: createBans({ db: database.db, control, now: now }),
      mutes: createMutes({ db: database.db, control, now: now }),
      preSend: createPreSendHook({ sign: createWebhookSigner(() => `whsec_${Buffer.alloc(32).toString('base64')}`), http: createWebhookHttp({ allowPrivate: false }), log: () => {} }),
      now,
    });
    ({ secretKey } = await tenants.create({ name: 'drain', origins: [] }));
    const audit = createAudit({ db: database.db, now });
    root = new Hono();
    root.onError(onError(() => {}));
    root.route('/v1', apiRoutes({ tenants, auth, chat, audit, desk: createReportDesk({ db: database.db, chat, audit, now }), draining: () => draining }));
  });
  afterAll(() => database?.close());

  const send = (id: string) =>
    root.request('/v1/rooms/r/messages', {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, user: 'u', text: 'hi' }),
    });
  const stored = async () =>
    (
      (await (await root.request('/v1/rooms/r/messages', { headers: { authorization: `Bearer ${secretKey}` } })).json()) as {
        messages: { id: string }[];
      }
    ).messages.map((m) => m.id);

  it('takes messages in while it is not draining, and refuses them with a retryable internal error while it is', async () => {
    expect((await send('before')).status).toBe(201);
    draining = true;
    const r = await send('during');
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ error: { code: 'internal', message: expect.stringMatching(/shutting down/) } });
    draining = false;
    expect(await stored()).toEqual(['before']);
  });
});
