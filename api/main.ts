import { startServer } from './server';
import { createLogger, type LogLevel } from './ops/logger';

// `npm start`: configuration from the environment (PROTOCOL.md, "Configuration").
const env = process.env;

/** JSON lines; in a terminal, pino-pretty (a dev dependency) when it is installed. */
async function destination() {
  if (!process.stdout.isTTY || env.LOG_FORMAT === 'json') return undefined;
  try {
    const { default: pretty } = await import('pino-pretty');
    return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
  } catch {
    return undefined; // production install: JSON it is
  }
}
const logger = createLogger({ level: (env.LOG_LEVEL as LogLevel) || 'info', destination: await destination() });

const dataDir = env.DATA_DIR ?? './data';
const server = await startServer({
  port: env.PORT ? Number(env.PORT) : 8787,
  host: env.HOST,
  dataDir,
  databaseUrl: env.DATABASE_URL || undefined,
  redisUrl: env.REDIS_URL || undefined,
  redisPrefix: env.PARLEY_REDIS_PREFIX || undefined,
  adminToken: env.PARLEY_ADMIN_TOKEN || undefined,
  masterKey: env.PARLEY_MASTER_KEY || undefined,
  heartbeatMs: env.PARLEY_HEARTBEAT_MS ? Number(env.PARLEY_HEARTBEAT_MS) : undefined,
  coalesceMs: env.PARLEY_COALESCE_MS ? Number(env.PARLEY_COALESCE_MS) : undefined,
  commitWindowMs: env.PARLEY_COMMIT_WINDOW_MS ? Number(env.PARLEY_COMMIT_WINDOW_MS) : undefined,
  metricsToken: env.PARLEY_METRICS_TOKEN || undefined,
  logger,
  // Off unless set to 1: tenants' webhooks may not reach private or loopback addresses.
  allowPrivateWebhooks: env.PARLEY_ALLOW_PRIVATE_WEBHOOKS === '1',
});

// The publishable key is public (it sits in every page that embeds the widget); the admin
// token is a secret, so it is never logged: the line says where it is kept.
logger.info(
  {
    address: server.url,
    database: server.dbKind,
    bus: env.REDIS_URL ? 'redis' : 'in-process',
    demoPage: `${server.url}/`,
    dashboard: `${server.url}/dashboard`,
    api: `${server.url}/v1`,
    demoKey: server.demo.publishableKey,
    adminTokenFrom: env.PARLEY_ADMIN_TOKEN ? 'PARLEY_ADMIN_TOKEN' : `${dataDir}/admin-token`,
    adminTokenGenerated: server.adminTokenGenerated,
  },
  'listening',
);

// Operators (and the benchmark) can ask a server started with --expose-gc for a full collection,
// to read steady-state memory; the log then says what is left (heap per socket is the figure
// that tells a leak from allocator slack).
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  process.on('SIGUSR2', () => {
    gc();
    const m = process.memoryUsage();
    const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
    logger.info(
      { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external), arrayBuffersMb: mb(m.arrayBuffers), sockets: server.stats().connections },
      'gc',
    );
  });
}

let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: sig }, 'draining');
    // The deadline is a backstop; a drain normally takes well under a second.
    setTimeout(() => {
      logger.fatal('drain took too long; exiting');
      process.exit(1);
    }, 9_000).unref();
    server.drain().then(
      () => {
        logger.info('drained');
        process.exit(0);
      },
      (err) => {
        logger.fatal({ err }, 'drain failed');
        process.exit(1);
      },
    );
  });
}
