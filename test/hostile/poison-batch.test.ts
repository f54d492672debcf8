import { inspect } from 'node:util';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageWriter } from '../../api/chat/message-writer';
import { messages } from '../../api/db/schema';
import { loggableError } from '../../api/db/query-error';
import type { StoreOutcome } from '../../api/db/message-store';
import { backends, openTestDatabase, type TestDatabase } from '../helpers/backends';

// The decoder now refuses these texts, so the test writes to the store directly, as a message
// that slipped past it (or an older server's) would arrive.
const POISONS = ['nul \u0000 inside', 'lone \ud800 surrogate'];

describe.each(backends())('one poisoned message in a batch on %s', (backend) => {
  let d: TestDatabase;
  beforeAll(async () => {
    d = await openTestDatabase(backend, ['t']);
  });
  afterAll(() => d?.close());

  it.each(POISONS)('fails alone; every innocent message of the same commit is stored and acked (%j)', async (poison) => {
    const room = `r${POISONS.indexOf(poison)}`;
    const committed: string[] = [];
    const writer = createMessageWriter({ db: d.db, now: () => 1000, onCommitted: (_t, _r, stored) => committed.push(...stored.map((s) => s.msg.id)) });
    // All written in one turn: the writer puts them in one batch (one statement).
    const ids = ['a', 'b', 'c', 'poison', 'd', 'e'];
    const results = await Promise.allSettled(
      ids.map((id) => writer.write('t', room, { id, userId: `u-${id}`, name: id, text: id === 'poison' ? poison : `secret text of ${id}` })),
    );
    const byId = Object.fromEntries(ids.map((id, i) => [id, results[i]]));
    expect(byId.poison.status).toBe('rejected');
    const innocent = ids.filter((id) => id !== 'poison');
    const seqs = innocent.map((id) => {
      const r = byId[id] as PromiseFulfilledResult<StoreOutcome>;
      expect(r.status).toBe('fulfilled');
      expect(r.value.kind).toBe('stored');
      return (r.value as { seq: number }).seq;
    });
    // Order kept and seqs without gaps.
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(committed).toEqual(innocent);
    const rows = await d.db.select({ id: messages.id, seq: messages.seq }).from(messages).where(eq(messages.room, room)).orderBy(messages.seq);
    expect(rows).toEqual(innocent.map((id, i) => ({ id, seq: i + 1 })));

    // What the server would log of the failure: its code and sizes, no text of anyone's.
    const reason = (byId.poison as PromiseRejectedResult).reason;
    const logged = inspect(loggableError(reason), { depth: 5 });
    expect(logged).toMatch(/query failed \(code [0-9A-Z]{5}/);
    expect(logged).not.toContain('poison');
    expect(logged).not.toContain('inside');
    expect(logged).not.toContain('surrogate');
    // The raw error does hold the batch's values: that is what must never reach a log.
    expect(inspect(reason, { depth: 5 })).toContain('u-poison');
  });
});
