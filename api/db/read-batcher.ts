/** One queued read: the batcher fails it when its batch's statement fails. */
export interface BatchItem {
  reject: (e: unknown) => void;
}

export interface ReadBatcherOptions<T extends BatchItem> {
  /** Reads one batch in one statement and settles every item of it. */
  run: (batch: T[]) => Promise<void>;
  /** The most items one statement reads. */
  max: number;
  /**
   * Statements that may run at once. Reads queued while that many run wait for one to end and
   * then go together: PGlite runs one statement at a time (1), a Postgres pool a few.
   */
  concurrency: number;
  /**
   * Least time between the starts of two statements while reads keep coming (0: none). A quiet
   * batcher still reads on the next turn, and `max` queued reads go without waiting.
   */
  gapMs?: number;
}

/**
 * The readers' gap: a join or hello waits at most this long for its statement while others keep
 * coming, and a wave of them costs at most 1000 / gap statements a second per reader. It was
 * 10 ms: a reconnect wave's clients then spent most of their hello and join waiting for it
 * (welcome 11 ms and joined 15 ms at the median, against 2 ms each from the tutorial server),
 * and the wave took longer than the CPU it cost. At 4 ms the second wave of 5,000 clients took
 * 1.96-2.13 s against 2.34-2.67 s, and a snapshot statement still reads about a dozen joins (its
 * wall time on PGlite, warm, in a scratch micro-benchmark: 0.43 ms for one join, 0.8 ms for 20,
 * 1.7 ms for 64).
 */
export const DEFAULT_READ_GAP_MS = 4;

/**
 * Group reads: the first read of a quiet moment goes on the next turn, and every read queued
 * while a statement runs (or, with `gapMs`, within the gap since the last one started) waits
 * for it and shares the next one. A reconnect wave (every client of a restarted server says
 * hello and joins within seconds) once cost one statement per hello; batching by turn alone
 * gathered about five per statement, and batching by statement about three (5,000 clients:
 * 3,343 statements for 10,502 reads), because a statement is quick and connections arrive
 * spread over many turns. A statement's cost is nearly all fixed (PGlite, a join snapshot:
 * 0.8 ms of CPU for 1, 3 or 10 joins, 1.1 ms for 30; the blocks read 0.3 ms for 1 or 30), so
 * DEFAULT_READ_GAP_MS paces them. Belongs to the object that owns the database handle (no
 * module state).
 */
export function createReadBatcher<T extends BatchItem>(opts: ReadBatcherOptions<T>) {
  const gapMs = opts.gapMs ?? 0;
  let queue: T[] = [];
  let running = 0;
  let scheduled = false;
  let lastStartAt = -Infinity;
  /** The pacing timer, while the next statement waits out the gap. */
  let timer: ReturnType<typeof setTimeout> | null = null;

  function pump() {
    scheduled = false;
    while (queue.length && running < opts.concurrency) {
      const wait = queue.length >= opts.max ? 0 : lastStartAt + gapMs - performance.now();
      if (wait > 0) {
        timer ??= setTimeout(() => {
          timer = null;
          pump();
        }, wait);
        return;
      }
      if (timer) clearTimeout(timer);
      timer = null;
      lastStartAt = performance.now();
      const batch = queue.length <= opts.max ? queue : queue.slice(0, opts.max);
      queue = batch === queue ? [] : queue.slice(opts.max);
      running++;
      opts
        .run(batch)
        .catch((err) => batch.forEach((q) => q.reject(err)))
        .finally(() => {
          running--;
          pump();
        });
    }
  }

  return {
    add(item: T) {
      queue.push(item);
      // A full batch does not wait out the gap.
      if (!scheduled && running < opts.concurrency && (!timer || queue.length >= opts.max)) {
        scheduled = true;
        setImmediate(pump);
      }
    },
  };
}
