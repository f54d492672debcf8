import { startServer } from './server';

// `npm start`: configuration from the environment (PROTOCOL.md, "Configuration").
const env = process.env;
const server = await startServer({
  port: env.PORT ? Number(env.PORT) : 8787,
  host: env.HOST,
  dataDir: env.DATA_DIR ?? './data',
  databaseUrl: env.DATABASE_URL || undefined,
  redisUrl: env.REDIS_URL || undefined,
  adminToken: env.PARLEY_ADMIN_TOKEN || undefined,
  masterKey: env.PARLEY_MASTER_KEY || undefined,
  heartbeatMs: env.PARLEY_HEARTBEAT_MS ? Number(env.PARLEY_HEARTBEAT_MS) : undefined,
  coalesceMs: env.PARLEY_COALESCE_MS ? Number(env.PARLEY_COALESCE_MS) : undefined,
  commitWindowMs: env.PARLEY_COMMIT_WINDOW_MS ? Number(env.PARLEY_COMMIT_WINDOW_MS) : undefined,
});

const lines = [
  `Parley is listening on ${server.url} (database: ${server.dbKind}, bus: ${env.REDIS_URL ? 'redis' : 'in-process'})`,
  `  demo page:   ${server.url}/`,
  `  dashboard:   ${server.url}/dashboard`,
  `  API:         ${server.url}/v1  (WebSocket: ${server.url.replace(/^http/, 'ws')}/v1/ws?key=${server.demo.publishableKey})`,
  `  demo key:    ${server.demo.publishableKey}`,
  server.adminTokenGenerated
    ? `  admin token: ${server.adminToken} (generated now and kept in ${env.DATA_DIR ?? './data'}/admin-token; shown once)`
    : `  admin token: from ${env.PARLEY_ADMIN_TOKEN ? 'PARLEY_ADMIN_TOKEN' : `${env.DATA_DIR ?? './data'}/admin-token`}`,
];
console.log(lines.join('\n'));

// Operators (and the benchmark) can ask a server started with --expose-gc for a full collection,
// to read steady-state memory; the log then says what is left (heap per socket is the figure
// that tells a leak from allocator slack).
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  process.on('SIGUSR2', () => {
    gc();
    const m = process.memoryUsage();
    const mb = (n: number) => (n / 1048576).toFixed(1);
    console.log(
      `[parley] gc: rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB, external ${mb(m.external)} MB (array buffers ${mb(m.arrayBuffers)} MB), ${server.stats().connections} sockets`,
    );
  });
}

let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    console.log(`[parley] ${sig}: draining`);
    // The deadline is a backstop; a drain normally takes well under a second.
    setTimeout(() => {
      console.error('[parley] drain took too long; exiting');
      process.exit(1);
    }, 9_000).unref();
    server.drain().then(
      () => process.exit(0),
      (err) => {
        console.error('[parley] drain failed', err);
        process.exit(1);
      },
    );
  });
}
