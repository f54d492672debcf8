/**
 * Scenario (f), `npm run bench -- search`: moderators' message search on a million messages
 * of one tenant. Loads them with INSERT … SELECT generate_series (the real indexes in place),
 * then times the very query function the API runs (api/db/search.ts) for words (a rare, a
 * medium and a common word), an author, both, and a deep page, and shows each plan's indexes.
 */
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../api/db/client';
import { searchMessages, type SearchCursor } from '../../api/db/search';
import { tenants } from '../../api/db/schema';
import { createHistogram, type LatencySummary } from './histogram';

const TENANT = 'bench_search';
const ROOMS = 1000;
const USERS = 10_000;
const FILLER = ['the', 'a', 'chat', 'room', 'is', 'open', 'today', 'we', 'ship', 'order', 'price', 'thanks', 'help', 'please', 'new', 'old', 'good', 'bad', 'when', 'where'];

export interface SearchQueryRow {
  label: string;
  /** Rows one call answered (the last call). */
  rows: number;
  latency: LatencySummary;
  /** Index names the plan uses. */
  indexes: string[];
  plan: string;
}

export interface SearchBenchResult {
  kind: 'postgres' | 'pglite';
  rows: number;
  loadSeconds: number;
  /** Set when the load was cut short (PGlite over its time budget). */
  stopped?: string;
  queries: SearchQueryRow[];
}

/**
 * Message i: room i mod 1000 (seq i div 1000 + 1), author u<(7i) mod 10000>, one second
 * apart, two filler words, a word n<i mod 100000> (10 messages each: rare), `pills` in every
 * 1,000th (medium), `hello` in every 10th (common).
 */
const load = (from: number, to: number) => sql`
  insert into messages (tenant_id, room, seq, id, user_id, name, text, ts, rev)
  select ${TENANT}, 'room-' || (i % ${ROOMS}), i / ${ROOMS} + 1, 'm' || i, 'u' || ((i * 7) % ${USERS}), 'User ' || ((i * 7) % ${USERS}),
         concat_ws(' ', (${sql.raw(`array[${FILLER.map((w) => `'${w}'`).join(',')}]`)})[1 + i % ${FILLER.length}],
                        (${sql.raw(`array[${FILLER.map((w) => `'${w}'`).join(',')}]`)})[1 + (i / 7) % ${FILLER.length}],
                        'n' || (i % 100000),
                        case when i % 10 = 0 then 'hello' end,
                        case when i % 1000 = 0 then 'pills' end),
         1700000000000 + i * 1000, i / ${ROOMS} + 1
    from generate_series(${from}::int, ${to - 1}::int) as i`;

/** Runs scenario (f) on one database; `budgetS` bounds the load (PGlite may be too slow for a million). */
export async function benchSearch(o: { url?: string; dataDir?: string; rows: number; runs: number; budgetS: number; log: (line: string) => void }): Promise<SearchBenchResult> {
  const database = await openDatabase({ url: o.url, dataDir: o.dataDir, poolSize: 2 });
  try {
    return await run(database, o);
  } finally {
    await database.close();
  }
}

async function run(database: Database, o: { rows: number; runs: number; budgetS: number; log: (line: string) => void }): Promise<SearchBenchResult> {
  const { db, kind } = database;
  await db.insert(tenants).values({ id: TENANT, name: TENANT, publishableKey: `pk_${TENANT}` });
  await db.execute(sql`insert into rooms (tenant_id, name, last_seq, rev) select ${TENANT}, 'room-' || r, 0, 0 from generate_series(0, ${ROOMS - 1}) as r`);
  const started = performance.now();
  const batch = 100_000;
  let loaded = 0;
  let stopped: string | undefined;
  while (loaded < o.rows) {
    const to = Math.min(o.rows, loaded + batch);
    await db.execute(load(loaded, to));
    loaded = to;
    const s = (performance.now() - started) / 1000;
    o.log(`  loaded ${loaded.toLocaleString('en-US')} messages in ${s.toFixed(0)} s`);
    if (loaded < o.rows && s > o.budgetS) {
      stopped = `stopped after ${loaded.toLocaleString('en-US')} messages: the load took ${s.toFixed(0)} s, over the ${o.budgetS} s budget (about ${Math.round(loaded / s).toLocaleString('en-US')} messages/s with the indexes in place)`;
      break;
    }
  }
  await db.execute(sql`update rooms r set last_seq = m.hi, rev = m.hi from (select room, max(seq) as hi from messages where tenant_id = ${TENANT} group by room) m where r.tenant_id = ${TENANT} and r.name = m.room`);
  await db.execute(sql`analyze messages`);
  const loadSeconds = (performance.now() - started) / 1000;

  // Parameters vary per call (another rare word, another author) so no answer is served from a
  // warm cache of the one page; the same shapes as the dashboard's search sends.
  const rare = (k: number) => ({ words: `n${(k * 7919) % Math.min(loaded, 100_000)}` });
  const author = (k: number) => ({ user: `u${(k * 7) % USERS}` });
  const deep = await cursorAfter(database, { words: 'hello' }, 10);
  const shapes: { label: string; q: (k: number) => { words?: string; user?: string; before?: SearchCursor } }[] = [
    { label: 'words, rare (10 matches)', q: rare },
    { label: 'words, medium: pills (1 in 1,000)', q: () => ({ words: 'pills' }) },
    { label: 'words, common: hello (1 in 10)', q: () => ({ words: 'hello' }) },
    { label: 'words, two: hello pills', q: () => ({ words: 'hello pills' }) },
    { label: 'author (about 100 messages)', q: author },
    // Authors u<7k mod 10000> with k a multiple of 10 wrote only messages with `hello`.
    { label: 'author and a word', q: (k) => ({ ...author(k * 10), words: 'hello' }) },
    { label: 'words, common, page 11 (cursor)', q: () => ({ words: 'hello', before: deep }) },
    { label: 'author, page 2 (cursor)', q: (k) => ({ ...author(k), before: { ts: 1700000000000 + (loaded / 2) * 1000, room: 'room-500', seq: 1 } }) },
  ];

  const queries: SearchQueryRow[] = [];
  for (const s of shapes) {
    const h = createHistogram();
    let rows = 0;
    for (let k = 0; k < o.runs + 5; k++) {
      const t = performance.now();
      rows = (await searchMessages(db, TENANT, { ...s.q(k), limit: 51 })).length;
      if (k >= 5) h.record((performance.now() - t) * 1000);
    }
    const plan = await explain(database, s.q(1));
    const indexes = [...new Set([...plan.matchAll(/(?:Bitmap Index Scan on|Index (?:Only )?Scan(?: Backward)? using) (\w+)/g)].map((m) => m[1]!))];
    queries.push({ label: s.label, rows, latency: h.summary(), indexes, plan });
    o.log(`  ${s.label}: p50 ${h.summary().p50Ms.toFixed(1)} ms, p99 ${h.summary().p99Ms.toFixed(1)} ms; indexes ${indexes.join(', ') || 'none (sequential scan)'}`);
  }
  return { kind, rows: loaded, loadSeconds, stopped, queries };
}

/** The cursor after `pages` pages of 50, as the dashboard's "More results" would reach it. */
async function cursorAfter(database: Database, q: { words?: string; user?: string }, pages: number): Promise<SearchCursor | undefined> {
  let before: SearchCursor | undefined;
  for (let i = 0; i < pages; i++) {
    const rows = await searchMessages(database.db, TENANT, { ...q, before, limit: 50 });
    const last = rows.at(-1);
    if (!last) break;
    before = { ts: last.ts, room: last.room, seq: last.seq };
  }
  return before;
}

async function explain(database: Database, q: { words?: string; user?: string; before?: SearchCursor }): Promise<string> {
  const res = (await database.db.execute(sql`explain ${searchMessages(database.db, TENANT, { ...q, limit: 51 })}`)) as unknown;
  const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Record<string, string>[];
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}
