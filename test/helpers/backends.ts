import postgres from 'postgres';

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
