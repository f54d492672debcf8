import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { Placeholder, sql, type SQL } from 'drizzle-orm';
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
  // Values are written into EXECUTE as literals (see prepared): a backslash must be text.
  await client.exec('set standard_conforming_strings = on');
  // PGlite is one session, so this holds for the whole database. A new 16 MB WAL segment was
  // filled with zeros before use: 33,000 writes and 30-70 ms of the process (so of every socket)
  // every few seconds under load. Without it the file is made at its size and written as WAL
  // goes in; PGlite's files are ordinary files, where that is as safe (PGlite runs fsync off).
  await client.exec('set wal_init_zero = off');
  pgliteOf.set(db, client);
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

/** What prepared() needs of a PGlite handle. */
interface PgliteQuery {
  query<Row>(text: string): Promise<{ rows: Row[] }>;
  exec(text: string): Promise<{ rows: unknown[] }[]>;
}

/** The PGlite handle under each Drizzle database opened on PGlite (see prepared). */
const pgliteOf = new WeakMap<Db, PgliteQuery>();

/** A value as an SQL literal for EXECUTE (standard_conforming_strings is on). */
function literal(v: unknown, name: string): string {
  if (v === undefined) throw new Error(`no value for placeholder "${name}"`);
  if (v === null) return 'null';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  // PGlite passes the query as a C string: a NUL would cut it short.
  if (s.includes('\0')) throw new Error(`the value of "${name}" holds a NUL character`);
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * A raw statement prepared once per database handle, run with `sql.placeholder` values, for
 * the statements every message, hello and join runs. Rows come back as objects keyed by column
 * name.
 *
 * On Postgres it is a named protocol-level statement: Drizzle sends every other query unnamed,
 * so Postgres parses and plans it on each call; a named one is planned once per pooled
 * connection. PGlite ignores statement names (it sends every query unnamed), so there it is an
 * SQL `PREPARE` in PGlite's one session, run by `EXECUTE` with the values as quoted literals
 * (EXECUTE takes no protocol parameters). Planning was most of PGlite's cost for these: the
 * join snapshot for one join took 5.3 ms of CPU planned each time and 1.5 ms executed from its
 * prepared plan (machine under load; the same ratio at 5 and 50 joins a statement).
 */
export function prepared<Row>(name: string, build: () => SQL) {
  const byDb = new WeakMap<Db, (values: Record<string, unknown>) => Promise<Row[]>>();
  return async (db: Db, values: Record<string, unknown>): Promise<Row[]> => {
    let run = byDb.get(db);
    if (!run) byDb.set(db, (run = runner<Row>(db, name, build)));
    return run(values);
  };
}

function runner<Row>(db: Db, name: string, build: () => SQL): (values: Record<string, unknown>) => Promise<Row[]> {
  const query = dialect.sqlToQuery(build());
  const client = pgliteOf.get(db);
  if (!client) {
    const q = db._.session.prepareQuery(query, undefined, name, false);
    // postgres.js answers with the rows, PGlite (a transaction's handle) with a result holding them.
    return async (values) => {
      const res = await q.execute(values);
      return (Array.isArray(res) ? res : (res as { rows: Row[] }).rows) as Row[];
    };
  }
  // $1..$n in order: a placeholder's value, or a constant the statement was built with.
  const args = query.params.map((p) => (p instanceof Placeholder ? (values: Record<string, unknown>) => literal(values[p.name], p.name) : () => literal(p, name)));
  let ready: Promise<unknown> | null = null;
  return async (values) => {
    const list = args.map((a) => a(values)).join(', ');
    ready ??= client.query(`prepare ${name} as ${query.sql}`).catch((err) => {
      ready = null;
      throw err;
    });
    await ready;
    // The simple protocol: one message into PGlite where query() sends five (parse, bind,
    // describe, execute, sync), each a crossing into its WebAssembly (0.17 against 0.33 ms for
    // `select 1`); there is nothing to bind, the values are in the text.
    const results = await client.exec(`execute ${name}(${list})`);
    return results[results.length - 1].rows as Row[];
  };
}
