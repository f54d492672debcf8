import { describe, expect, it, vi } from 'vitest';
import { createReadBatcher } from '../../api/db/read-batcher';

type Item = { n: number; resolve: (v: number) => void; reject: (e: unknown) => void };

/** A batcher whose statements the test finishes by hand; it records each batch it was given. */
function harness(opts: { max: number; concurrency: number; gapMs?: number }) {
  const batches: number[][] = [];
  const finish: (() => void)[] = [];
  const b = createReadBatcher<Item>({
    ...opts,
    run: (batch) => {
      batches.push(batch.map((q) => q.n));
      return new Promise<void>((done) =>
        finish.push(() => {
          for (const q of batch) q.n < 0 ? q.reject(new Error(`bad ${q.n}`)) : q.resolve(q.n * 10);
          done();
        }),
      );
    },
  });
  const read = (n: number) => new Promise<number>((resolve, reject) => b.add({ n, resolve, reject }));
  const turn = () => new Promise((r) => setImmediate(r));
  return { batches, finish, read, turn };
}

describe('read batcher', () => {
  it('sends the first read of a quiet moment on the next turn, and the reads queued while it runs together in the next', async () => {
    const h = harness({ max: 100, concurrency: 1 });
    const first = h.read(1);
    await h.turn();
    expect(h.batches).toEqual([[1]]);
    const later = [h.read(2), h.read(3)];
    await h.turn();
    const last = h.read(4);
    await h.turn();
    // Still one statement running: nothing else started.
    expect(h.batches).toEqual([[1]]);
    h.finish[0]();
    expect(await first).toBe(10);
    await h.turn();
    expect(h.batches).toEqual([[1], [2, 3, 4]]);
    h.finish[1]();
    expect(await Promise.all([...later, last])).toEqual([20, 30, 40]);
  });

  it('runs up to `concurrency` statements at once and at most `max` reads in each', async () => {
    const h = harness({ max: 2, concurrency: 2 });
    const all = [1, 2, 3, 4, 5].map(h.read);
    await h.turn();
    expect(h.batches).toEqual([[1, 2], [3, 4]]);
    h.finish[1]();
    await h.turn();
    expect(h.batches).toEqual([[1, 2], [3, 4], [5]]);
    h.finish[0]();
    h.finish[2]();
    expect(await Promise.all(all)).toEqual([10, 20, 30, 40, 50]);
  });

  it('fails every read of a statement that throws, and goes on with the next', async () => {
    let calls = 0;
    const b = createReadBatcher<Item>({
      max: 10,
      concurrency: 1,
      run: async (batch) => {
        if (calls++ === 0) throw new Error('statement failed');
        for (const q of batch) q.resolve(q.n);
      },
    });
    const read = (n: number) => new Promise<number>((resolve, reject) => b.add({ n, resolve, reject }));
    const failed = [read(1), read(2)];
    await expect(Promise.all(failed)).rejects.toThrow('statement failed');
    await expect(failed[1]).rejects.toThrow('statement failed');
    expect(await read(3)).toBe(3);
  });

  it('with a gap, reads after a statement wait for it to pass and then go together; a full batch does not wait', async () => {
    const h = harness({ max: 3, concurrency: 1, gapMs: 60_000 });
    const first = h.read(1);
    await h.turn();
    h.finish[0]();
    expect(await first).toBe(10);
    // Within the gap: these wait, though nothing runs.
    const waiting = [h.read(2), h.read(3)];
    await h.turn();
    await h.turn();
    expect(h.batches).toEqual([[1]]);
    // The third makes a full batch (max 3): it goes without waiting out the minute.
    waiting.push(h.read(4));
    await h.turn();
    expect(h.batches).toEqual([[1], [2, 3, 4]]);
    h.finish[1]();
    expect(await Promise.all(waiting)).toEqual([20, 30, 40]);
  });

  it('with a short gap, a lone read after a statement goes once the gap has passed', async () => {
    const h = harness({ max: 100, concurrency: 1, gapMs: 20 });
    const first = h.read(1);
    await h.turn();
    h.finish[0]();
    await first;
    const second = h.read(2);
    await vi.waitFor(() => expect(h.batches).toEqual([[1], [2]]), { timeout: 5000 });
    h.finish[1]();
    expect(await second).toBe(20);
  });
});
