/** Plain-text tables for the bench output: one row per metric, Parley beside the baseline. */

export type Cell = number | string | undefined;

export interface MetricRow {
  label: string;
  parley: Cell;
  baseline: Cell;
  /** Digits after the point; default picks by size. */
  digits?: number;
  /** No ratio for this row (counts where a ratio means nothing). */
  noRatio?: boolean;
}

/** Formats a number for a table: thousands grouped, sensible precision. */
export function fmt(v: Cell, digits?: number): string {
  if (v === undefined) return 'n/a';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return 'n/a';
  const d = digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

function ratio(a: Cell, b: Cell): string {
  if (typeof a !== 'number' || typeof b !== 'number' || !Number.isFinite(a) || !Number.isFinite(b)) return '—';
  if (b === 0) return a === 0 ? '—' : '∞';
  return `${(a / b).toFixed(2)}×`;
}

/** Renders rows with aligned columns. */
export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The standard scenario table: metric, Parley, baseline, Parley/baseline. */
export function comparison(rows: MetricRow[]): string {
  return table(
    ['metric', 'parley', 'baseline', 'parley/baseline'],
    rows.map((r) => [r.label, fmt(r.parley, r.digits), fmt(r.baseline, r.digits), r.noRatio ? '—' : ratio(r.parley, r.baseline)]),
  );
}

/** A heading line for a scenario. */
export function heading(text: string): string {
  return `\n== ${text} ${'='.repeat(Math.max(3, 86 - text.length))}`;
}
