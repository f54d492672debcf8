/** The part of `Storage` the widget uses; `localStorage` in a browser, a Map in tests. */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** An in-memory store, for tests and for pages where `localStorage` is unusable. */
export function memoryStorage(): KeyValue {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
  };
}

/**
 * Wraps `localStorage` so that a sandboxed iframe (where reading `window.localStorage` throws
 * SecurityError) or a full quota (setItem throws) degrades to memory for this page view
 * instead of breaking chat.
 */
export function safeStorage(get: () => KeyValue): KeyValue {
  const mem = memoryStorage();
  let s: KeyValue;
  try {
    s = get();
    s.getItem('parley');
  } catch {
    return mem;
  }
  return {
    getItem: (k) => mem.getItem(k) ?? s.getItem(k),
    setItem(k, v) {
      try {
        s.setItem(k, v);
        mem.removeItem(k);
      } catch {
        // Quota exceeded: keep the value for this page view rather than lose what was typed.
        mem.setItem(k, v);
      }
    },
    removeItem(k) {
      mem.removeItem(k);
      s.removeItem(k);
    },
  };
}

/** Reads a JSON value, or `fallback` when missing or unreadable (another version wrote it). */
export function readJson<T>(s: KeyValue, key: string, fallback: T): T {
  try {
    return (JSON.parse(s.getItem(key) ?? 'null') as T) ?? fallback;
  } catch {
    return fallback;
  }
}
