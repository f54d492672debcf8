import { sql } from 'drizzle-orm';
import type { Db } from './client';

/** Advisory lock keys: one constant per job that must run on one server at a time. */
export const LOCKS = { retention: 0x7061726c } as const;

/**
 * Takes a transaction-scoped advisory lock if no one holds it; true when taken. It is released
 * when the transaction ends, also when the server dies, so it can never be left behind.
 */
export async function tryTransactionLock(tx: Db, key: number): Promise<boolean> {
  const res = await tx.execute(sql`select pg_try_advisory_xact_lock(${key}::bigint) as ok`);
  // postgres.js answers with the rows, PGlite with a result holding them.
  const rows = (Array.isArray(res) ? res : (res as unknown as { rows: { ok: boolean }[] }).rows) as { ok: boolean }[];
  return rows[0]?.ok === true;
}
