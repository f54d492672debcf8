/** A tiny typed event emitter; a throwing listener cannot break the others or the caller. */
export function createEmitter<E extends object>() {
  const all = new Map<keyof E, Set<(payload: never) => void>>();
  return {
    /** Subscribes; returns the unsubscribe function. */
    on<K extends keyof E>(event: K, fn: (payload: E[K]) => void): () => void {
      const set = all.get(event) ?? new Set();
      all.set(event, set.add(fn as (payload: never) => void));
      return () => void set.delete(fn as (payload: never) => void);
    },
    emit<K extends keyof E>(event: K, payload: E[K]) {
      for (const fn of all.get(event) ?? []) {
        try {
          (fn as (payload: E[K]) => void)(payload);
        } catch (e) {
          // A site's handler bug must not stop chat; rethrown async so it still shows in the console.
          setTimeout(() => {
            throw e;
          });
        }
      }
    },
  };
}
