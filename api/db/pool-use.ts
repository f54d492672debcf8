/**
 * Counts the calls of `methods` on a database client that have not settled yet, by wrapping
 * them in place: the connections in use (a transaction holds one for its whole callback, and
 * its own queries go through the transaction object, so they are not counted twice). Neither
 * postgres.js nor PGlite exposes its pool's state. postgres.js queries start when first
 * awaited, and the driver awaits each at once, so watching the promise changes nothing.
 */
export function trackPoolUse(client: object, methods: string[], max: number): () => { max: number; busy: number; waiting: number } {
  let pending = 0;
  const settled = () => void pending--;
  const target = client as Record<string, unknown>;
  for (const name of methods) {
    const original = target[name];
    if (typeof original !== 'function') throw new Error(`database client has no ${name}()`);
    target[name] = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      if (result && typeof (result as PromiseLike<unknown>).then === 'function') {
        pending++;
        (result as PromiseLike<unknown>).then(settled, settled);
      }
      return result;
    };
  }
  return () => ({ max, busy: Math.min(pending, max), waiting: Math.max(0, pending - max) });
}
