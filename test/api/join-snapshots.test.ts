import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBatch } from '../../api/db/message-store';
import { softDelete } from '../../api/db/messages';
import { createSnapshotReader, putRoom, roomSnapshot } from '../../api/db/rooms';
import { createBlocksReader, setBlock } from '../../api/db/reads';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/backends';

const msg = (id: string, userId = 'u') => ({ id, userId, name: userId, text: `text ${id}` });
const ids = (s: { messages: { id: string }[] } | null) => s?.messages.map((m) => m.id);

// Joins that arrive in one turn share one statement: each must still get exactly the snapshot
// it would have got alone (its room, its page mode, its blocks, its membership).
describe.each(backends())('join snapshots read together on %s', (backend) => {
  let d: TestDatabase;
  beforeAll(async () => {
    d = await openTestDatabase(backend, ['t', 't2']);
    await storeBatch(d.db, 't', 'a', [msg('a1'), msg('a2', 'troll'), msg('a3'), msg('a4')], 1);
    await storeBatch(d.db, 't2', 'a', [msg('x1')], 1);
    await putRoom(d.db, 't', 'vip', { private: true, members: ['ann'] });
    await storeBatch(d.db, 't', 'vip', [msg('v1', 'ann')], 1);
    await softDelete(d.db, 't', 'a', 'a1', 2);
  });
  afterAll(() => d?.close());

  it('answers each of many joins in one turn as if it were alone', async () => {
    const reader = createSnapshotReader(d.db);
    const asks = [
      reader.read('t', 'a', 'u', { limit: 2 }, []),
      reader.read('t', 'a', 'u', { afterSeq: 1, limit: 10 }, ['troll']),
      reader.read('t', 'a', 'u', { afterRev: 4, limit: 10 }, []),
      reader.read('t2', 'a', 'u', { limit: 10 }, []),
      reader.read('t', 'nowhere', 'u', { limit: 10 }, []),
      reader.read('t', 'vip', 'ann', { limit: 10 }, []),
      reader.read('t', 'vip', 'bob', { limit: 10 }, []),
    ];
    const [newest, afterSeq, afterRev, otherTenant, missing, member, stranger] = await Promise.all(asks);
    // The newest two and one more (limit + 1 says whether there is more), oldest first.
    expect(ids(newest)).toEqual(['a2', 'a3', 'a4']);
    expect(newest!.lastSeq).toBe(4);
    // After seq 1, without the blocked author.
    expect(ids(afterSeq)).toEqual(['a3', 'a4']);
    // After cursor 4: only the deletion of a1 (its row took cursor 5).
    expect(afterRev!.messages.map((m) => [m.id, m.deletedAt !== null])).toEqual([['a1', true]]);
    expect(ids(otherTenant)).toEqual(['x1']);
    expect(missing).toBeNull();
    expect(member).toMatchObject({ private: true, member: true });
    expect(stranger).toMatchObject({ private: true, member: false });
    // And alone, the same answer.
    expect(await roomSnapshot(d.db, 't', 'a', 'u', { afterSeq: 1, limit: 10 }, ['troll'])).toEqual(afterSeq);
  });

  it('reads the blocks of many hellos in one turn, each user its own, across tenants', async () => {
    await setBlock(d.db, 't', 'ann', 'troll', true);
    await setBlock(d.db, 't', 'ann', 'spam', true);
    await setBlock(d.db, 't', 'bob', 'ann', true);
    await setBlock(d.db, 't2', 'ann', 'x', true);
    const reader = createBlocksReader(d.db);
    const [ann, bob, nobody, annElsewhere, annAgain] = await Promise.all([
      reader.read('t', 'ann'),
      reader.read('t', 'bob'),
      reader.read('t', 'carl'),
      reader.read('t2', 'ann'),
      reader.read('t', 'ann'),
    ]);
    expect(ann.sort()).toEqual(['spam', 'troll']);
    expect(bob).toEqual(['ann']);
    expect(nobody).toEqual([]);
    expect(annElsewhere).toEqual(['x']);
    expect(annAgain.sort()).toEqual(['spam', 'troll']);
  });
});
