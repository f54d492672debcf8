import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer, type ServerOptions } from '../../api/server';
import { createLogger } from '../../api/ops/logger';
import { freshPostgres, type Backend } from './backends';

// Tests read what they assert on; request lines on stdout would only bury failures.
const silentLogger = createLogger({ level: 'silent' });

export interface TestServer {
  url: string;
  wsUrl: string;
  port: number;
  adminToken: string;
  masterKey: string;
  backend: Backend;
  databaseUrl?: string;
  demo: { tenantId: string; publishableKey: string; secretKey: string };
  server: RunningServer;
  /** Stops the server and starts it again on the same port and database. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real server on a random port with its own database (in-memory PGlite is lost on restart,
 * so PGlite tests keep it in a temp dir). The demo tenant allows any origin, and its secret
 * key is rotated in so tests can sign tokens.
 */
export async function startTestServer(
  opts: { backend?: Backend } & Omit<ServerOptions, 'databaseUrl' | 'dataDir' | 'memory' | 'port'> = {},
): Promise<TestServer> {
  const backend = opts.backend ?? (process.env.DATABASE_URL ? 'postgres' : 'pglite');
  const pg = backend === 'postgres' ? await freshPostgres() : null;
  const dataDir = pg ? undefined : mkdtempSync(join(tmpdir(), 'parley-test-'));
  // At least 24 characters, as `npm start` requires (children started with it must accept it).
  const adminToken = opts.adminToken ?? `admin-${randomBytes(18).toString('base64url')}`;
  const masterKey = opts.masterKey ?? `master-${Math.random().toString(36).slice(2)}`;
  const base: ServerOptions = {
    ...opts,
    adminToken,
    masterKey,
    databaseUrl: pg?.url,
    dataDir,
    memory: !dataDir,
    demoOrigins: ['*'],
    // Test receivers listen on 127.0.0.1; the SSRF tests turn this off.
    allowPrivateWebhooks: opts.allowPrivateWebhooks ?? true,
    log: opts.log ?? (opts.logger ? undefined : () => {}),
    logger: opts.logger ?? silentLogger,
  };
  let server = await startServer({ ...base, port: 0 });
  const port = server.port;
  const res = await fetch(`${server.url}/admin/api/tenants/${server.demo.tenantId}/secret-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}` },
  });
  const { secretKey } = (await res.json()) as { secretKey: string };
  const t: TestServer = {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/v1/ws`,
    port,
    adminToken,
    masterKey,
    backend,
    databaseUrl: pg?.url,
    demo: { ...server.demo, secretKey },
    get server() {
      return server;
    },
    async restart() {
      await server.close();
      server = await startServer({ ...base, port });
    },
    async stop() {
      await server.close();
      await pg?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Changes the demo tenant's settings through the Admin API (e.g. a higher message burst). */
export async function patchSettings(s: Pick<TestServer, 'url' | 'adminToken' | 'demo'>, settings: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${s.url}/admin/api/tenants/${s.demo.tenantId}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ settings }),
  });
  if (!res.ok) throw new Error(`settings refused: HTTP ${res.status}`);
}

