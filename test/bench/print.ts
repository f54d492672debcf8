/** Turns each scenario's raw rows into the tables run.ts prints. */
import { comparison, fmt, table, type Cell, type MetricRow } from './report';
import type { FanoutRow, IdleRow, StoreRow } from './measure';
import type { RoomCheck } from './db-target';
import type { SearchBenchResult } from './search';

export type ServerName = 'parley' | 'baseline';
type Results<T> = Partial<Record<ServerName, T | Error>>;

const ok = <T>(v: T | Error | undefined): T | undefined => (v instanceof Error ? undefined : v);
const failures = (r: Results<unknown>) =>
  Object.entries(r)
    .filter(([, v]) => v instanceof Error)
    .map(([k, v]) => `  ${k}: ${(v as Error).message}`)
    .join('\n');

function counts(m: Record<string, number>): string {
  const e = Object.entries(m);
  return e.length ? e.map(([k, v]) => `${k}×${v}`).join(' ') : 'none';
}

function fanoutRows(p: FanoutRow | undefined, b: FanoutRow | undefined): MetricRow[] {
  const row = (label: string, get: (r: FanoutRow) => Cell, extra: Partial<MetricRow> = {}): MetricRow => ({
    label,
    parley: p && get(p),
    baseline: b && get(b),
    ...extra,
  });
  const rows = [
    row('deliveries/s', (r) => r.deliveriesPerSec),
    row('messages sent (window)', (r) => r.sent, { noRatio: true, digits: 0 }),
    row('deliveries expected', (r) => r.expected, { noRatio: true, digits: 0 }),
    row('deliveries lost (missing after drain)', (r) => r.lost, { noRatio: true, digits: 0 }),
    row('messages unacked', (r) => r.unacked, { noRatio: true, digits: 0 }),
    row('deliveries of unacked messages', (r) => r.deliveredUnacked, { noRatio: true, digits: 0 }),
    row('latency p50 ms', (r) => r.p50Ms, { digits: 1 }),
    row('latency p99 ms', (r) => r.p99Ms, { digits: 1 }),
    row('latency max ms', (r) => r.maxMs, { digits: 1 }),
    row('ack p99 ms', (r) => r.ackP99Ms, { digits: 1 }),
    row('server CPU %', (r) => r.serverCpuPct, { digits: 0 }),
    row('server CPU µs/delivery', (r) => r.cpuUsPerDelivery, { digits: 2 }),
  ];
  if (p?.dbCpuUsPerDelivery !== undefined) rows.push(row('Postgres CPU µs/delivery (its own database)', (r) => r.dbCpuUsPerDelivery, { digits: 2 }));
  rows.push(row('total CPU µs/delivery (server + database)', (r) => r.totalCpuUsPerDelivery, { digits: 2 }));
  rows.push(
    row('server peak RSS MB', (r) => r.peakRssMb, { digits: 0 }),
    row('load generator CPU %', (r) => r.loadCpuPct, { digits: 0, noRatio: true }),
    row('core 0 (server) busy %, all processes', (r) => r.serverCoreBusyPct, { digits: 0, noRatio: true }),
    row('core 1 (load) busy %, all processes', (r) => r.loadCoreBusyPct, { digits: 0, noRatio: true }),
    row('out of order / errors', (r) => `${r.outOfOrder} / ${counts(r.errors)}`, { noRatio: true }),
  );
  return rows;
}

/** (a): every round in one line each, then the full table of the round with the median CPU ratio. */
export function printFanout(rounds: Results<FanoutRow>[]): void {
  const cpuRatio = (r: Results<FanoutRow>) => {
    const p = ok(r.parley);
    const b = ok(r.baseline);
    return p && b ? p.totalCpuUsPerDelivery / b.totalCpuUsPerDelivery : NaN;
  };
  if (rounds.length > 1) {
    console.log(
      table(
        ['round', 'parley p99 ms', 'baseline p99 ms', 'parley lost', 'parley process µs/deliv', 'parley total µs/deliv', 'baseline µs/deliv', 'total CPU parley/baseline'],
        rounds.map((r, i) => {
          const p = ok(r.parley);
          const b = ok(r.baseline);
          return [String(i + 1), fmt(p?.p99Ms, 1), fmt(b?.p99Ms, 1), fmt(p?.lost, 0), fmt(p?.cpuUsPerDelivery, 2), fmt(p?.totalCpuUsPerDelivery, 2), fmt(b?.cpuUsPerDelivery, 2), `${fmt(cpuRatio(r), 2)}×`];
        }),
      ),
    );
  }
  const ranked = rounds.map((r, i) => ({ r, i, x: cpuRatio(r) })).filter((o) => !Number.isNaN(o.x)).sort((a, b) => a.x - b.x);
  const median = ranked[Math.floor((ranked.length - 1) / 2)] ?? { r: rounds[0], i: 0 };
  if (rounds.length > 1) console.log(`\nround ${median.i + 1} (median CPU ratio) in full:`);
  console.log(comparison(fanoutRows(ok(median.r.parley), ok(median.r.baseline))));
  for (const [name, v] of Object.entries(median.r)) {
    const s = ok(v)?.slowestPerSecondMs;
    if (s?.length) console.log(`  ${name}: slowest delivery of the messages sent in each second, ms: ${s.map((x) => fmt(x, 0)).join(' ')}`);
  }
  for (const r of rounds) {
    const f = failures(r);
    if (f) console.log(`failed:\n${f}`);
  }
}

/** (b): every step per server, then capacity side by side. */
export function printSweep(r: Results<FanoutRow[]>, passes: (row: FanoutRow) => boolean): void {
  const capacity: Partial<Record<ServerName, FanoutRow>> = {};
  for (const name of ['parley', 'baseline'] as const) {
    const rows = ok(r[name]);
    if (!rows) continue;
    console.log(`\n${name}:`);
    console.log(
      table(
        ['R msg/s', 'deliveries/s', 'p50 ms', 'p99 ms', 'max ms', 'lost', 'server CPU %', 'CPU µs/deliv', 'load CPU %', 'core0/core1 busy %', 'verdict'],
        rows.map((x) => [
          fmt(x.rate, 1), fmt(x.deliveriesPerSec), fmt(x.p50Ms, 1), fmt(x.p99Ms, 1), fmt(x.maxMs, 1), fmt(x.lost, 0),
          fmt(x.serverCpuPct, 0), fmt(x.cpuUsPerDelivery, 2), fmt(x.loadCpuPct, 0),
          `${fmt(x.serverCoreBusyPct, 0)}/${fmt(x.loadCoreBusyPct, 0)}`,
          passes(x) ? (x.loadCpuPct > 90 ? 'ok (load gen busy)' : 'ok') : 'over',
        ]),
      ),
    );
    for (const x of rows) if (passes(x) && x.deliveriesPerSec > (capacity[name]?.deliveriesPerSec ?? -1)) capacity[name] = x;
    const last = rows[rows.length - 1];
    if (rows.every(passes)) console.log(`  (every step passed: capacity is at least the last step${last.loadCpuPct > 90 ? '; the load generator was saturated' : ''})`);
  }
  const p = capacity.parley;
  const b = capacity.baseline;
  console.log('\ncapacity (highest deliveries/s with p99 < 100 ms and nothing lost):');
  console.log(
    comparison([
      { label: 'capacity deliveries/s', parley: p?.deliveriesPerSec, baseline: b?.deliveriesPerSec },
      { label: 'at R msg/s per member', parley: p?.rate, baseline: b?.rate, digits: 1 },
      { label: 'p99 ms at capacity', parley: p?.p99Ms, baseline: b?.p99Ms, digits: 1 },
      { label: 'server CPU µs/delivery there', parley: p?.cpuUsPerDelivery, baseline: b?.cpuUsPerDelivery, digits: 2 },
    ]),
  );
  const f = failures(r);
  if (f) console.log(`failed:\n${f}`);
}

/** (c): RSS per idle connection. */
export function printIdle(r: Results<IdleRow>): void {
  const p = ok(r.parley);
  const b = ok(r.baseline);
  console.log(
    comparison([
      { label: 'connections joined', parley: p?.connected, baseline: b?.connected, noRatio: true, digits: 0 },
      { label: 'connections failed', parley: p?.failed, baseline: b?.failed, noRatio: true, digits: 0 },
      { label: 'connect + join time s', parley: p?.connectS, baseline: b?.connectS, digits: 1 },
      { label: 'server CPU s (storm)', parley: p?.stormCpuS, baseline: b?.stormCpuS, digits: 2 },
      ...(p?.stormDbCpuS !== undefined ? [{ label: 'Postgres CPU s (storm)', parley: p.stormDbCpuS, baseline: undefined, noRatio: true, digits: 2 }] : []),
      { label: 'total CPU s (storm)', parley: p && p.stormCpuS + (p.stormDbCpuS ?? 0), baseline: b?.stormCpuS, digits: 2 },
      { label: 'load generator CPU s (storm)', parley: p?.loadCpuS, baseline: b?.loadCpuS, digits: 2 },
      { label: 'server core busy % (storm)', parley: p?.stormServerCoreBusyPct, baseline: b?.stormServerCoreBusyPct, noRatio: true, digits: 0 },
      { label: '2nd wave: connect + join time s', parley: p?.wave2S, baseline: b?.wave2S, digits: 1 },
      { label: '2nd wave: total CPU s', parley: p && p.wave2CpuS + (p.wave2DbCpuS ?? 0), baseline: b?.wave2CpuS, digits: 2 },
      { label: '2nd wave: failed', parley: p?.wave2Failed, baseline: b?.wave2Failed, noRatio: true, digits: 0 },
      { label: 'RSS before MB', parley: p?.rssBeforeMb, baseline: b?.rssBeforeMb, digits: 1 },
      { label: 'RSS after MB', parley: p?.rssAfterMb, baseline: b?.rssAfterMb, digits: 1 },
      { label: 'RSS per connection KB', parley: p?.kbPerConn, baseline: b?.kbPerConn, digits: 1 },
    ]),
  );
  for (const [name, v] of Object.entries(r)) if (v && !(v instanceof Error) && Object.keys(v.errors).length) console.log(`  ${name} errors: ${counts(v.errors)}`);
  const f = failures(r);
  if (f) console.log(`failed:\n${f}`);
}

/** (d): Parley only; the baseline stores nothing. */
export function printStorage(r: { rows: StoreRow[]; checks: RoomCheck[][] } | Error | undefined, postgres: boolean): void {
  if (!r || r instanceof Error) {
    console.log(`parley: ${r ? r.message : 'not run'}  (baseline: no storage)`);
    return;
  }
  const label = ['one room', '100 rooms'];
  console.log(
    table(
      ['parley (baseline: no storage)', 'stored msg/s', 'ack p50 ms', 'ack p99 ms', 'server CPU %', ...(postgres ? ['Postgres CPU %'] : []), 'acked', 'gap-free (acks)', 'gap-free (db)', 'errors'],
      r.rows.map((x, i) => {
        const dbOk = r.checks[i].filter((c) => c.gapFree).length;
        const rows = r.checks[i].reduce((a, c) => a + c.rows, 0);
        return [
          label[i], fmt(x.storedPerSec), fmt(x.ackP50Ms, 1), fmt(x.ackP99Ms, 1), fmt(x.serverCpuPct, 0),
          ...(postgres ? [fmt(x.dbCpuPct, 0)] : []),
          fmt(x.acked, 0), `${x.roomsGapFree}/${x.rooms}`, `${dbOk}/${x.rooms} (${fmt(rows, 0)} rows)`, counts(x.errors),
        ];
      }),
    ),
  );
  for (const c of r.checks.flat()) {
    if (!c.gapFree) console.log(`  db: room ${c.room}: ${c.rows} rows, seq ${c.minSeq}..${c.maxSeq}, rooms.last_seq ${c.lastSeq}`);
  }
}

/** (f): one line per query shape, p50 and p99 of the search call and the indexes its plan uses. */
export function printSearch(r: SearchBenchResult): void {
  console.log(`loaded ${r.rows.toLocaleString('en-US')} messages in ${r.loadSeconds.toFixed(0)} s (insert … select generate_series, indexes in place, then analyze)`);
  if (r.stopped) console.log(`  ${r.stopped}`);
  const width = Math.max(...r.queries.map((q) => q.label.length));
  console.log(`${'query (limit 51, as the API asks)'.padEnd(width)}  rows   p50 ms   p99 ms  indexes in the plan`);
  for (const q of r.queries)
    console.log(`${q.label.padEnd(width)}  ${String(q.rows).padStart(4)}  ${fmt(q.latency.p50Ms, 1).padStart(7)}  ${fmt(q.latency.p99Ms, 1).padStart(7)}  ${q.indexes.join(', ') || 'none: sequential scan'}`);
  const seq = r.queries.filter((q) => !q.indexes.length);
  if (seq.length) console.log(`  a sequential scan of the messages: ${seq.map((q) => q.label).join('; ')}`);
}
