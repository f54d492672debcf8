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
}

/**
 * Group reads: the first read of a quiet moment goes on the next turn, and every read queued
 * while a statement runs waits for it and shares the next one. A reconnect wave (every client
 * of a restarted server says hello and joins within seconds) once cost one statement per
 * hello (PGlite: ~2 ms of CPU each, whatever it reads); batching by turn alone gathered about
 * five per statement, because connections arrive spread over many turns while a statement
 * runs. Belongs to the object that owns the database handle (no module state).
 */
export function createReadBatcher<T extends BatchItem>(opts: ReadBatcherOptions<T>) {
  let queue: T[] = [];
  let running = 0;
  let scheduled = false;

  function pump() {
    scheduled = false;
    while (queue.length && running < opts.concurrency) {
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
      if (!scheduled && running < opts.concurrency) {
        scheduled = true;
        setImmediate(pump);
      }
    },
  };
}
