/** The Postgres error code of a failed query (Drizzle wraps the driver's error as `cause`). */
export function pgCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

const isQueryError = (e: unknown): e is { query: string; params: unknown[] } =>
  typeof e === 'object' && e !== null && typeof (e as { query?: unknown }).query === 'string' && Array.isArray((e as { params?: unknown }).params);

const bytes = (v: unknown) => (typeof v === 'string' ? v.length : v == null ? 0 : String(v).length);

/**
 * What may be logged of a thrown value. A failed query's error embeds its parameters (Drizzle
 * puts them in `.message`; a Postgres `detail` repeats values), and those are message texts,
 * names and secret hashes: one poisoned batch once logged every other user's message. So a
 * database error becomes its code and sizes only; anything else passes unchanged.
 */
export function loggableError(err: unknown): unknown {
  const q = isQueryError(err) ? err : isQueryError((err as { cause?: unknown } | null)?.cause) ? (err as { cause: { query: string; params: unknown[] } }).cause : null;
  const code = pgCode(err);
  if (!q && !(code && /^[0-9A-Z]{5}$/.test(code))) return err;
  const sizes = q ? `; ${q.params.length} params, ${q.params.reduce<number>((n, p) => n + bytes(p), 0)} chars, query ${q.query.length} chars` : '';
  const safe = new Error(`query failed (code ${code ?? 'none'}${sizes})`);
  safe.name = 'QueryError';
  // The stack says where, and holds no values.
  safe.stack = `${safe.name}: ${safe.message}\n${(err as Error).stack?.split('\n').filter((l) => /^\s+at /.test(l)).join('\n') ?? ''}`;
  return safe;
}
