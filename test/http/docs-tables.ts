import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Reads the tables of README.md and api/protocol/README.md that the docs test checks against
// the server (test/http/docs-contract.test.ts): routes with their statuses, error codes, the
// HTTP status of each code, and close codes.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const read = (file: string) => readFileSync(`${ROOT}${file}`, 'utf8');

/** The text under `## heading` up to the next `## `. */
export function section(md: string, heading: string): string {
  const start = md.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const end = md.indexOf('\n## ', start + 4);
  return md.slice(start, end < 0 ? undefined : end);
}

/** The cells of every table row in `text` (a `\|` inside a cell is not a separator). */
export function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('| ') && !/^\|\s*-{3}/.test(l))
    .map((l) =>
      l
        .slice(1, l.endsWith('|') ? -1 : undefined)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

export interface DocRoute {
  method: string;
  /** As written, without its query (`/v1/rooms/:room/messages`). */
  path: string;
  statuses: number[];
  /** The row, for failure messages. */
  line: string;
}

const ROUTE_CELL = /^`(GET|POST|PUT|PATCH|DELETE) (\/[^`?\s]*)/;

/** Every table row that documents a route: first cell `METHOD /path…`, last cell its statuses. */
export function docRoutes(md: string): DocRoute[] {
  return rows(md).flatMap((cells) => {
    const m = ROUTE_CELL.exec(cells[0]!);
    if (!m) return [];
    const last = cells.at(-1)!;
    if (!/^\d{3}(, \d{3})*$/.test(last)) throw new Error(`the row of ${m[1]} ${m[2]} must end with its statuses, e.g. "200, 401": ${cells.join(' | ')}`);
    return [{ method: m[1]!, path: m[2]!, statuses: last.split(', ').map(Number), line: cells.join(' | ') }];
  });
}

/** A path with its parameters made alike: `/rooms/:room` and `/rooms/:name` (and `<lang>`) both become `/rooms/:`. */
export const shapeOf = (path: string) => path.replace(/:\w+(\{[^}]*\})?/g, ':').replace(/<\w+>/g, ':');

/** The first column of the table under a heading line that starts with `| code |`. */
export function codeColumn(text: string, header: RegExp): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => header.test(l));
  if (at < 0) throw new Error(`no table with header ${header}`);
  const out: string[] = [];
  for (const l of lines.slice(at + 2)) {
    if (!l.startsWith('|')) break;
    out.push(rows(l)[0]![0]!.replace(/`/g, ''));
  }
  return out;
}
