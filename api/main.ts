import { StartupError } from './ops/startup-error';
import { startServer } from './server';
import { ConfigError, readConfig, type Config } from './ops/config';
import { createLogger } from './ops/logger';

// `npm start`: configuration from the environment (README, "Configuration"), checked first.
const env = process.env;

/** JSON lines; in a terminal, pino-pretty (a dev dependency) when it is installed. */
async function destination(format: string | undefined) {
  if (format === 'json' || (format !== 'pretty' && !process.stdout.isTTY)) return undefined;
  try {
    const { default: pretty } = await import('pino-pretty');
    return pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
  } catch {
    return undefined; // production install: JSON it is
  }
}

let config: Config;
try {
  config = readConfig(env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  createLogger({ destination: await destination(env.LOG_FORMAT) }).fatal({ problems: err.problems }, err.message);
  process.exit(2);
}
const logger = createLogger({ level: config.LOG_LEVEL, destination: await destination(config.LOG_FORMAT) });

const dataDir = config.DATA_DIR;
const server = await startServer({
  port: config.PORT,
  host: config.HOST,
  dataDir,
  databaseUrl: config.DATABASE_URL,
  redisUrl: config.REDIS_URL,
  redisPrefix: config.PARLEY_REDIS_PREFIX,
  adminToken: config.PARLEY_ADMIN_TOKEN,
  masterKey: config.PARLEY_MASTER_KEY,
  heartbeatMs: config.PARLEY_HEARTBEAT_MS,
  coalesceMs: config.PARLEY_COALESCE_MS,
  commitWindowMs: config.PARLEY_COMMIT_WINDOW_MS,
  metricsToken: config.PARLEY_METRICS_TOKEN,
  demoOrigins: config.PARLEY_DEMO_ORIGINS,
  logger,
  // Off unless set: tenants' webhooks may not reach private or loopback addresses.
  allowPrivateWebhooks: config.PARLEY_ALLOW_PRIVATE_WEBHOOKS,
  maxConnections: config.PARLEY_MAX_CONNECTIONS,
  maxConnectionsPerIp: config.PARLEY_MAX_CONNECTIONS_PER_IP,
  trustedProxies: config.PARLEY_TRUSTED_PROXIES,
}).catch((err) => {
  // A reason the operator can fix is one line without a stack (and without secrets).
  if (!(err instanceof StartupError)) throw err;
  logger.fatal(`not starting: ${err.message}`);
  process.exit(1);
});

// The publishable key is public (it sits in every page that embeds the widget); the admin
// token is a secret, so it is never logged: the line says where it is kept.
logger.info(
  {
    address: server.url,
    database: server.dbKind,
    bus: config.REDIS_URL ? 'redis' : 'in-process',
    demoPage: `${server.url}/`,
    dashboard: `${server.url}/dashboard`,
    api: `${server.url}/v1`,
    demoKey: server.demo.publishableKey,
    adminTokenFrom: config.PARLEY_ADMIN_TOKEN ? 'PARLEY_ADMIN_TOKEN' : `${dataDir}/admin-token`,
    adminTokenGenerated: server.adminTokenGenerated,
  },
  'listening',
);
if (server.noAccounts)
  logger.info(
    { firstOperator: 'npm run admin -- user:create --email you@example.com --operator' },
    'no dashboard account yet: make the first operator with this command (it asks for the password, or reads PARLEY_PASSWORD)',
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
