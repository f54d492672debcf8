import postgres from 'postgres';
import { openDatabase, type Database } from '../../api/db/client';
import { tenants } from '../../api/db/schema';

export type Backend = 'pglite' | 'postgres';

/**
 * The databases every database test runs on: PGlite always, Postgres when DATABASE_URL is set.
 * In CI a missing DATABASE_URL is an error, never a silent skip.
 */
export function backends(): Backend[] {
  if (process.env.CI && !process.env.DATABASE_URL) throw new Error('CI must set DATABASE_URL so the tests cover Postgres');
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** Creates an empty database on the DATABASE_URL server; returns its URL and a dropper. */
export async function freshPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is not set');
  const name = `parley_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(base, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const a = postgres(base, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await a.end();
    },
  };
}

/** A migrated empty database of one backend, and the tenants `tenantIds` in it (name and key from the id). */
export interface TestDatabase extends Database {
  /** The Postgres URL (another pool can open it); undefined on PGlite, which is in memory. */
  url?: string;
  /** Closes the database and, on Postgres, drops it. */
  close(): Promise<void>;
}

/** Opens a fresh database for a test: PGlite in memory, or its own database on DATABASE_URL. */
export async function openTestDatabase(backend: Backend, tenantIds: string[] = []): Promise<TestDatabase> {
  const pg = backend === 'postgres' ? await freshPostgres() : null;
  const database = await openDatabase({ url: pg?.url });
  if (tenantIds.length) await database.db.insert(tenants).values(tenantIds.map((id) => ({ id, name: id, publishableKey: `pk_${id}` })));
  return {
    ...database,
    url: pg?.url,
    async close() {
      await database.close();
      await pg?.drop();
    },
  };
}
