import type { AddressInfo } from 'node:net';
import { databaseError, listenError, probePort, secretFrom } from './ops/start-checks';
import { createAdaptorServer } from '@hono/node-server';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Bus } from './bus/bus';
import { createMemoryControl, createRedisControl, type ControlBus } from './bus/control';
import { createMemoryBus } from './bus/memory-bus';
import { createAccounts } from './chat/accounts';
import { createAudit } from './chat/audit';
import { createConsole } from './chat/console';
import { createReportDesk } from './chat/report-desk';
import { createAuth } from './chat/auth';
import { createChatService } from './chat/chat-service';
import { DEFAULT_COMMIT_WINDOW_MS } from './chat/message-writer';
import { createHub } from './chat/hub';
import { createSealer } from './chat/keys';
import { createMemoryPresence, type PresenceStore } from './chat/presence';
import { createMemoryRateLimiter, type RateLimiter } from './chat/rate-limit';
import { checkMasterKey } from './chat/master-check';
import { createRetention } from './chat/retention';
import { createTenantDirectory } from './chat/tenants';
import { createTypingTracker } from './chat/typing';
import { openDatabase } from './db/client';
import { loggableError } from './db/query-error';
import * as tenantsDb from './db/tenants';
import { DEFAULTS, protocolJsonSchema } from './protocol';
import { adminRoutes } from './routes/admin-api';
import { apiRoutes } from './routes/api-v1';
import { healthRoutes } from './routes/health';
import { onError } from './routes/http-error';
import { demoPage, dashboardPage } from './routes/pages';
import { embedCheckRoutes } from './routes/embed-check';
import { staticRoutes } from './routes/static';
import { createBans, createMutes } from './chat/bans';
import { createContentRules } from './chat/content-rules';
import { createEventWebhooks } from './chat/event-webhooks';
import { createPreSendHook } from './chat/pre-send';
import { createWebhookLog } from './chat/webhook-log';
import { createWebhookHttp, type WebhookHttpOptions } from './chat/webhook-http';
import { createWebhookSecrets } from './chat/webhook-secrets';
import { createWebhookSigner } from './chat/webhook-signing';
import { createGateway, WS_PATH } from './ws/gateway';
import { createLogger, logFn, type LogFn, type Logger } from './ops/logger';
import { requestLog } from './routes/request-log';
import { clientInfo } from './routes/client-info';
import { proxyTrust } from './ops/client-address';
import { metricsRoutes } from './routes/metrics';
import { contractRoutes } from './routes/openapi';
import { createMetrics } from './ops/metrics';
import { countedHttp, countedLimiter, timedBus } from './ops/instrument';
import { countUndelivered } from './db/webhook-events';
import type { BackpressureLimits } from './ws/transport';

export interface ServerOptions {
  port?: number;
  host?: string;
  /** Postgres URL; absent means embedded PGlite. */
  databaseUrl?: string;
  /** Redis URL; absent means the in-process bus. */
  redisUrl?: string;
  /** Start of every Redis key and channel (default `parley:`): servers share data only with the same prefix. */
  redisPrefix?: string;
  /** Where PGlite and generated secrets live; absent with `memory` means nothing on disk. */
  dataDir?: string;
  /** Keep PGlite in memory (tests). */
  memory?: boolean;
  adminToken?: string;
  /** Seals secret keys at rest; servers sharing a database must share it. */
  masterKey?: string;
  heartbeatMs?: number;
  helloTimeoutMs?: number;
  maxFrameBytes?: number;
  sweepMs?: number;
  /** Per-connection outgoing buffer limits (slow consumers). */
  backpressure?: Partial<BackpressureLimits>;
  /** How long room events may wait to share one write to a socket; 0 writes every turn. */
  coalesceMs?: number;
  /** Least time between two message-storing statements while messages keep coming (group commit). */
  commitWindowMs?: number;
  /** How often open connections re-read their tenants in case a pushed change was lost (default 30 s). */
  tenantPollMs?: number;
  /** How often due event webhooks are looked for (default 1 s). */
  eventsIntervalMs?: number;
  /** The event webhooks' retry schedule (default RETRY_DELAYS_MS: 5 s … 10 h). */
  eventsRetryDelaysMs?: number[];
  /** Deadline of one event webhook request (default 10 s). */
  eventsTimeoutMs?: number;
  /** Tenants whose events one server delivers at once (default 32). */
  eventsConcurrency?: number;
  /**
   * Lets tenants' webhooks (pre-send, events) reach loopback and private addresses, for
   * development and tests (`PARLEY_ALLOW_PRIVATE_WEBHOOKS=1`); off by default.
   */
  allowPrivateWebhooks?: boolean;
  /** Tests only: how webhook host names resolve, and where a checked address is dialled. */
  webhookNetwork?: Pick<WebhookHttpOptions, 'resolve' | 'dial'>;
  /** How long a dashboard session lasts (default 12 hours). */
  sessionTtlMs?: number;
  /** Open sockets at most (503 beyond; default 20,000) and per client address (429; default 500). */
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  /**
   * Proxies whose `X-Forwarded-For`/`-Proto`/`-Host` are believed (`loopback`, `private`, addresses
   * or CIDRs; default none): per-address limits then count the client, not the load balancer.
   */
  trustedProxies?: string[];
  /** Presence events per user and room at most one per this many ms (default 1000). */
  presenceWindowMs?: number;
  /** Origins the demo tenant allows besides the server's own address. */
  demoOrigins?: string[];
  /** The clock every part reads (default `Date.now`); tests move it instead of waiting. */
  now?: () => number;
  /** Bearer token for `GET /metrics`; absent means the route answers 404. */
  metricsToken?: string;
  /** The structured logger (default: JSON lines on stdout at `info`). */
  logger?: Logger;
  /** The `log(msg, err?)` seam; default: `error`/`warn` lines on `logger`. */
  log?: LogFn;
}

export interface RunningServer {
  url: string;
  port: number;
  adminToken: string;
  /** True when this start generated the admin token (print it once). */
  adminTokenGenerated: boolean;
  /** True while no dashboard account exists (print how to make the first operator). */
  noAccounts: boolean;
  demo: { tenantId: string; publishableKey: string };
  dbKind: 'pglite' | 'postgres';
  stats(): { connections: number; maxBufferedBytes: number; tooSlowClosed: number };
  /** Every route the HTTP app registers, middleware included (what the OpenAPI test walks). */
  routes: readonly { method: string; path: string }[];
  /** Graceful stop: refuse new work, commit and ack what was taken in, close sockets with 1001. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export const DEMO_TENANT_ID = 't_demo';

/** The composition root: the only place that picks PGlite or Postgres, memory bus or Redis. */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const logger = opts.logger ?? createLogger();
  const sink = opts.log ?? logFn(logger);
  // Every log line of the server passes here: query errors lose their parameters.
  const log = (msg: string, err?: unknown) => sink(msg, err === undefined ? undefined : loggableError(err));
  const now = opts.now ?? Date.now;
  const dataDir = opts.memory ? undefined : (opts.dataDir ?? './data');
  const admin = secretFrom(opts.adminToken, dataDir, 'admin-token');
  const master = secretFrom(opts.masterKey, dataDir, 'master-key');
  const heartbeatMs = opts.heartbeatMs ?? DEFAULTS.heartbeatMs;

  // A port in use or a database that does not answer is one line, and leaves no new secret
  // in DATA_DIR: those are written only after both checks.
  await probePort(opts.port ?? 8787, opts.host);
  const metrics = createMetrics();
  const database = await openDatabase({ url: opts.databaseUrl, dataDir }).catch((err) => {
    throw databaseError(err);
  });
  admin.save();
  master.save();
  const { db } = database;
  // Before anything else touches the database: a wrong master key could unseal nothing.
  const sealer = createSealer(master.value);
  await checkMasterKey(db, sealer, {
    masterKeyGenerated: master.generated,
    adminTokenGenerated: admin.generated,
    shared: database.kind === 'postgres',
  }).catch(async (err) => {
    await database.close();
    throw err;
  });
  let bus: Bus;
  let presence: PresenceStore;
  let control: ControlBus;
  let limiter: RateLimiter;
  if (opts.redisUrl) {
    const { createRedisBus } = await import('./bus/redis-bus');
    const { createRedisPresence } = await import('./chat/redis-presence');
    bus = timedBus(await createRedisBus({ url: opts.redisUrl, prefix: opts.redisPrefix, log, onDropped: metrics.busDropped }), metrics, now);
    presence = createRedisPresence({ url: opts.redisUrl, heartbeatMs, prefix: opts.redisPrefix, log });
    control = await createRedisControl({ url: opts.redisUrl, prefix: opts.redisPrefix, log });
    const { createRedisRateLimiter } = await import('./chat/redis-rate-limit');
    limiter = await createRedisRateLimiter({ url: opts.redisUrl, prefix: opts.redisPrefix, now, log });
  } else {
    bus = timedBus(createMemoryBus(), metrics, now);
    presence = createMemoryPresence();
    control = createMemoryControl({ log });
    limiter = createMemoryRateLimiter({ now });
  }
  const tenants = createTenantDirectory({ db, sealer, control, now });
  const auth = createAuth({ tenants, sealer, now });
  const typing = createTypingTracker({ now });
  const webhookSecrets = createWebhookSecrets({ db, derive: sealer.derive, now });
  // One signer for the pre-send hook and the events: each tenant's current secret, and the previous one during a rotation's grace period.
  const sign = createWebhookSigner(webhookSecrets.signing);
  const http = createWebhookHttp({ allowPrivate: opts.allowPrivateWebhooks ?? false, ...opts.webhookNetwork });
  const events = createEventWebhooks({
    db,
    tenants,
    sign,
    http: countedHttp('events', http, metrics),
    now,
    log,
    intervalMs: opts.eventsIntervalMs,
    retryDelaysMs: opts.eventsRetryDelaysMs,
    timeoutMs: opts.eventsTimeoutMs,
    concurrency: opts.eventsConcurrency,
  });
  const accounts = createAccounts({ db, now, sessionTtlMs: opts.sessionTtlMs });
  const audit = createAudit({ db, now });
  const bans = createBans({ db, now, control, onEvent: events.kick });
  const mutes = createMutes({ db, now, control, onEvent: events.kick });
  const preSend = createPreSendHook({ sign, http: countedHttp('pre_send', http, metrics), log, now });
  const chat = createChatService({
    db,
    bus,
    control,
    typing,
    limiter: countedLimiter(limiter, metrics),
    rules: createContentRules(),
    bans,
    mutes,
    preSend,
    now,
    onEvent: events.kick,
    // PGlite runs one statement at a time; a Postgres pool takes a few rooms' statements at once.
    commit: { windowMs: opts.commitWindowMs ?? DEFAULT_COMMIT_WINDOW_MS, lanes: database.kind === 'postgres' ? 4 : 1, log },
    onBatch: metrics.hooks.committed,
    readConcurrency: database.kind === 'postgres' ? 4 : 1,
  });
  const desk = createReportDesk({ db, chat, audit, now, onEvent: events.kick });
  const hub = createHub({ bus, fillGap: chat.eventsBetween, readHead: async (t, r) => (await chat.roomRev(t, r)) ?? 0, log });
  // The bus may have lost events: after it reconnects, and when a server died between commit
  // and publish, every room is read up to its head.
  bus.onReconnect(() => void hub.resync());
  presence.onPeerDown(() => void hub.resync());
  presence.onChanges((changes) => {
    for (const c of changes)
      chat.publishEvent(c.tenantId, c.room, 'presence', c.user, { type: 'presence', room: c.room, user: c.user, name: c.name, status: c.status });
  });
  const trustProxy = proxyTrust(opts.trustedProxies ?? []);
  const gateway = createGateway({
    chat,
    desk,
    auth,
    hub,
    presence,
    typing,
    tenants,
    control,
    tenantPollMs: opts.tenantPollMs,
    heartbeatMs,
    maxFrameBytes: opts.maxFrameBytes ?? DEFAULTS.maxFrameBytes,
    helloTimeoutMs: opts.helloTimeoutMs ?? DEFAULTS.helloTimeoutMs,
    sweepMs: opts.sweepMs ?? 500,
    backpressure: opts.backpressure,
    coalesceMs: opts.coalesceMs,
    maxConnections: opts.maxConnections,
    maxConnectionsPerIp: opts.maxConnectionsPerIp,
    trustProxy,
    presenceWindowMs: opts.presenceWindowMs,
    now,
    log,
    metrics: metrics.hooks,
    onRefused: ({ status }) => metrics.upgradeRefused(status),
  });
  metrics.sources({
    connections: () => gateway.stats().connections,
    tooSlowClosed: () => gateway.stats().tooSlowClosed,
    webhookQueueDepth: () => countUndelivered(db),
    dbPool: database.pool,
    gapFillFailures: () => hub.stats().fillErrors,
  });

  let port = opts.port ?? 8787;
  const baseUrl = () => `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : 'localhost'}:${port}`;
  let demoKey = '';
  // An OpenAPIHono, so each mounted route file brings its definitions into the document.
  const app = new OpenAPIHono();
  app.use(clientInfo(trustProxy), ...requestLog(logger));
  app.onError(onError(log));
  app.route('/', contractRoutes({ root: app, version: '0.1.0', protocolSchema: protocolJsonSchema() }));
  app.route('/', metricsRoutes({ registry: metrics.registry, token: opts.metricsToken }));
  app.route('/', healthRoutes({ ping: database.ping, draining: () => gateway.draining }));
  app.get(WS_PATH, gateway.route);
  app.route('/', embedCheckRoutes({ tenants }));
  app.route('/v1', apiRoutes({ tenants, auth, chat, audit, desk, draining: () => gateway.draining }));
  const webhooks = createWebhookLog({ db, now, kick: events.kick });
  app.route(
    '/admin/api',
    adminRoutes({ tenants, chat, accounts, audit, desk, console: createConsole({ db, auth }), adminToken: admin.value, limiter, webhookSecrets, webhooks, allowPrivateWebhooks: opts.allowPrivateWebhooks ?? false }),
  );
  app.route('/', staticRoutes({ demoPage: (widgetSrc) => demoPage({ publishableKey: demoKey, widgetSrc }), dashboardPage }));

  const server = createAdaptorServer({ fetch: app.fetch });
  server.on('upgrade', gateway.upgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(listenError(err, port)));
    server.listen(port, opts.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;

  // The demo tenant: made on first start, its origins kept in step with this address.
  const origins = [...new Set([baseUrl(), `http://127.0.0.1:${port}`, `http://localhost:${port}`, ...(opts.demoOrigins ?? [])])];
  const existing = await tenantsDb.tenantById(db, DEMO_TENANT_ID);
  if (!existing) await tenants.create({ id: DEMO_TENANT_ID, name: 'demo', origins, settings: { guests: true } });
  else await tenants.update(DEMO_TENANT_ID, { origins: [...new Set([...existing.origins, ...origins])] });
  demoKey = (await tenants.byId(DEMO_TENANT_ID))!.publishableKey;

  // Retention: now and every hour, on one server at a time.
  const retention = createRetention({ db, now, log });
  retention.start();

  let closed = false;
  async function drain() {
    if (closed) return;
    closed = true;
    retention.stop();
    // Order matters: stop taking upgrades, let every message already taken in commit and
    // be acknowledged, then tell every socket 1001.
    gateway.drain();
    await chat.writer.idle();
    // Acks are written on the next turn; let them out before the close frames.
    await new Promise((r) => setImmediate(r));
    await gateway.close();
    const stopped = new Promise<void>((r) => server.close(() => r()));
    (server as import('node:http').Server).closeAllConnections();
    await stopped;
    hub.close();
    await bus.close();
    await control.close();
    await limiter.close();
    await presence.close();
    await events.stop();
    await database.close();
    metrics.close();
  }

  return {
    url: baseUrl(),
    port,
    adminToken: admin.value,
    adminTokenGenerated: admin.generated,
    noAccounts: await accounts.none(),
    demo: { tenantId: DEMO_TENANT_ID, publishableKey: demoKey },
    dbKind: database.kind,
    stats: gateway.stats,
    routes: app.routes.map(({ method, path }) => ({ method, path })),
    drain,
    close: drain,
  };
}
