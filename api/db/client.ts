import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { trackPoolUse } from './pool-use';
import * as schema from './schema';

/** The Drizzle database every query function takes; PGlite and Postgres look the same. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Connections: the pool's size, those in use, and queries waiting for one. */
  pool(): { max: number; busy: number; waiting: number };
  close(): Promise<void>;
}

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));
// Any constant works; it only has to be the same on every server sharing the database.
const MIGRATION_LOCK = 7_357_001;

export interface DatabaseOptions {
  /** A Postgres URL; when absent the embedded PGlite is used. */
  url?: string;
  /** Where PGlite keeps its files; absent means in memory. */
  dataDir?: string;
  /** Connections in the Postgres pool. */
  poolSize?: number;
}

/** Opens the database named by the options and applies the migrations in `drizzle/`. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url, opts.poolSize ?? 10);
  return openPglite(opts.dataDir);
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  // Two servers starting together must not both apply migrations: take an advisory lock on a
  // dedicated connection for the duration.
  const lockClient = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await lockClient`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle({ client: lockClient }), { migrationsFolder: MIGRATIONS });
    await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await lockClient.end();
  }
  const client = postgres(url, { max, onnotice: () => {} });
  const pool = trackPoolUse(client, ['unsafe', 'begin'], max);
  const db = drizzle({ client, schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    pool,
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir?: string): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  await client.waitReady;
  const db = drizzle({ client, schema }) as unknown as Db;
  await migrate(db as never, { migrationsFolder: MIGRATIONS });
  return {
    db,
    kind: 'pglite',
    // One connection: queries wait their turn in PGlite's own queue.
    pool: trackPoolUse(client, ['query', 'transaction'], 1),
    ping: async () => void (await client.query('select 1')),
    close: () => client.close(),
  };
}

const dialect = new PgDialect();

/**
 * A raw statement prepared once per database handle, run with `sql.placeholder` values. Drizzle
 * sends every other query unnamed, so Postgres parses and plans it on each call (and the driver
 * asks it to describe the parameters each time); a named statement is planned once per pooled
 * connection. Used for the statements every message and every join runs. Rows come back as
 * objects keyed by column name.
 */
export function prepared<Row>(name: string, build: () => SQL) {
  const byDb = new WeakMap<Db, { execute(values: Record<string, unknown>): Promise<unknown> }>();
  return async (db: Db, values: Record<string, unknown>): Promise<Row[]> => {
    let q = byDb.get(db);
    if (!q) byDb.set(db, (q = db._.session.prepareQuery(dialect.sqlToQuery(build()), undefined, name, false)));
    const res = await q.execute(values);
    // postgres.js answers with the rows, PGlite with a result holding them.
    return (Array.isArray(res) ? res : (res as { rows: Row[] }).rows) as Row[];
  };
}
