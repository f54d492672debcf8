/**
 * Where Parley keeps its data during the bench: a fresh Postgres database per server start
 * when DATABASE_URL is set (created beside it, dropped at the end), else a fresh PGlite
 * directory. Also the after-the-fact check that stored seqs are gap-free 1..n per room.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import postgres from 'postgres';

export interface RoomCheck {
  room: string;
  rows: number;
  minSeq: number;
  maxSeq: number;
  lastSeq: number;
  gapFree: boolean;
}

export interface DbInstance {
  /** Environment for the Parley process. */
  env: Record<string, string>;
  /** Reads seqs of `rooms` from the database; with PGlite only after the server has stopped. */
  checkRooms(tenantId: string, rooms: string[]): Promise<RoomCheck[]>;
  /**
   * Postgres only: the server processes that work for this database — its backends, plus the
   * WAL writer, checkpointer and background writer its commits keep busy — so Parley's cost
   * counts its database without counting other databases on a shared server.
   */
  ownPids?(): Promise<Set<number>>;
}

export interface DbTarget {
  kind: 'postgres' | 'pglite';
  /** A fresh, empty database for one server start. */
  fresh(): Promise<DbInstance>;
  /** Drops every database and directory this target made. */
  cleanup(): Promise<void>;
}

type Query = (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

async function check(query: Query, tenantId: string, rooms: string[]): Promise<RoomCheck[]> {
  const rows = await query(
    `select m.room, count(*)::int as rows, min(m.seq)::int as lo, max(m.seq)::int as hi,
            count(distinct m.seq)::int as distinct_seqs, max(r.last_seq)::int as last_seq
       from messages m left join rooms r on r.tenant_id = m.tenant_id and r.name = m.room
      where m.tenant_id = $1 and m.room = any($2::text[])
      group by m.room`,
    [tenantId, rooms],
  );
  const byRoom = new Map(rows.map((r) => [String(r.room), r]));
  return rooms.map((room) => {
    const r = byRoom.get(room);
    const n = Number(r?.rows ?? 0);
    const lo = Number(r?.lo ?? 0);
    const hi = Number(r?.hi ?? 0);
    const last = Number(r?.last_seq ?? 0);
    // Gap-free 1..n: n rows, n distinct seqs, from 1 to n, and the room's counter agrees.
    const gapFree = n > 0 && lo === 1 && hi === n && Number(r?.distinct_seqs) === n && last === n;
    return { room, rows: n, minSeq: lo, maxSeq: hi, lastSeq: last, gapFree };
  });
}

/** Picks Postgres when DATABASE_URL is set, else PGlite in temporary directories. */
export function createDbTarget(scratch: string): DbTarget {
  const url = process.env.DATABASE_URL;
  if (url) {
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    const made: string[] = [];
    return {
      kind: 'postgres',
      async fresh() {
        const name = `parley_bench_${Date.now()}_${made.length}`;
        await admin.unsafe(`create database ${name}`);
        made.push(name);
        const u = new URL(url);
        u.pathname = `/${name}`;
        const dbUrl = u.toString();
        return {
          env: { DATABASE_URL: dbUrl },
          async ownPids() {
            const rows = await admin.unsafe(
              `select pid from pg_stat_activity
                where datname = $1 or backend_type in ('walwriter', 'checkpointer', 'background writer')`,
              [name],
            );
            return new Set(rows.map((r) => Number(r.pid)));
          },
          async checkRooms(tenantId, rooms) {
            const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
            try {
              return await check((t, p) => sql.unsafe(t, p as never[]) as never, tenantId, rooms);
            } finally {
              await sql.end();
            }
          },
        };
      },
      async cleanup() {
        for (const name of made) await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
        await admin.end();
      },
    };
  }
  const dirs: string[] = [];
  return {
    kind: 'pglite',
    async fresh() {
      const dir = mkdtempSync(join(scratch, 'pglite-'));
      dirs.push(dir);
      return {
        env: { DATA_DIR: dir },
        async checkRooms(tenantId, rooms) {
          const { PGlite } = await import('@electric-sql/pglite');
          const pg = new PGlite(dir);
          try {
            return await check(async (t, p) => (await pg.query<Record<string, unknown>>(t, p)).rows, tenantId, rooms);
          } finally {
            await pg.close();
          }
        },
      };
    },
    async cleanup() {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** A scratch directory for logs and PGlite data. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'parley-bench-'));
}
