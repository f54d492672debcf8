import { eq } from 'drizzle-orm';
import type { Db } from './client';
import { secretKeys, serverMeta } from './schema';

export async function readMeta(db: Db, name: string): Promise<string | null> {
  return (await db.select().from(serverMeta).where(eq(serverMeta.name, name)))[0]?.value ?? null;
}

/** Stores `value` under `name` unless one is there; answers what is stored now (of two first starts, one wins). */
export async function claimMeta(db: Db, name: string, value: string): Promise<string> {
  const made = await db.insert(serverMeta).values({ name, value }).onConflictDoNothing().returning();
  return made.length ? value : ((await readMeta(db, name)) ?? value);
}

/** One sealed secret key, if any: a database from before the check value can still be tested. */
export async function anySealedKey(db: Db): Promise<string | null> {
  const rows = await db.select({ sealed: secretKeys.sealed }).from(secretKeys).orderBy(secretKeys.createdAt).limit(1);
  return rows[0]?.sealed ?? null;
}
