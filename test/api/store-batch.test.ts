import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../api/db/client';
import { storeBatch } from '../../api/db/messages';
import { messages, tenants } from '../../api/db/schema';
import { backends, freshPostgres } from '../helpers/backends';

const msg = (id: string, userId = 'u') => ({ id, userId, name: userId, text: id });

describe.each(backends())('storeBatch on %s', (backend) => {
  const dbs: Database[] = [];
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const pg = backend === 'postgres' ? await freshPostgres() : null;
    drop = pg?.drop;
    dbs.push(await openDatabase({ url: pg?.url }));
    // On Postgres a second pool stands in for a second server writing the same rooms.
    if (pg) dbs.push(await openDatabase({ url: pg.url }));
    await dbs[0].db.insert(tenants).values([
      { id: 't', name: 't', publishableKey: 'pk_t' },
      { id: 't2', name: 't2', publishableKey: 'pk_t2' },
    ]);
  });
  afterAll(async () => {
    for (const d of dbs) await d.close();
    await drop?.();
  });

  it('stores new ids with consecutive seqs, answers repeats and foreign ids, and creates the room', async () => {
    const db = dbs[0].db;
    expect(await storeBatch(db, 't', 'fresh-room', [msg('a'), msg('b'), msg('a')], 1)).toEqual([
      { kind: 'stored', seq: 1, ts: 1 },
      { kind: 'stored', seq: 2, ts: 1 },
      { kind: 'duplicate', seq: 1, ts: 1 },
    ]);
    expect(await storeBatch(db, 't', 'fresh-room', [msg('b'), msg('c'), msg('a', 'other'), msg('d', 'x'), msg('d', 'y')], 2)).toEqual([
      { kind: 'duplicate', seq: 2, ts: 1 },
      { kind: 'stored', seq: 3, ts: 2 },
      { kind: 'conflict' },
      { kind: 'stored', seq: 4, ts: 2 },
      { kind: 'conflict' },
    ]);
    // Same room name, other tenant: its own seqs.
    expect(await storeBatch(db, 't2', 'fresh-room', [msg('a')], 3)).toEqual([{ kind: 'stored', seq: 1, ts: 3 }]);
  });

  it('keeps seqs gap-free and each id once when writers race on the same ids', async () => {
    const rounds = 20;
    for (let r = 0; r < rounds; r++) {
      const a = Array.from({ length: 5 }, (_, i) => msg(`r${r}-${i}`));
      const b = Array.from({ length: 5 }, (_, i) => msg(`r${r}-${i + 3}`));
      const [ra, rb] = await Promise.all([
        storeBatch(dbs[0].db, 't', 'race', a, 10),
        storeBatch((dbs[1] ?? dbs[0]).db, 't', 'race', b, 10),
      ]);
      for (const o of [...ra, ...rb]) expect(o.kind === 'stored' || o.kind === 'duplicate').toBe(true);
      // The shared ids got one seq, whichever writer stored them.
      for (let i = 0; i < 2; i++) expect(ra[3 + i]).toMatchObject({ seq: (rb[i] as { seq: number }).seq });
    }
    const rows = await dbs[0].db.select({ seq: messages.seq, id: messages.id }).from(messages);
    const seqs = rows.filter((x) => x.id.startsWith('r')).map((x) => x.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: rounds * 8 }, (_, i) => i + 1));
  });
});
