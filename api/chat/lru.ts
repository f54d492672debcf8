/**
 * A map that keeps at most `max` entries, dropping the least recently used: for caches whose
 * keys strangers choose (a publishable key on the upgrade URL), which would otherwise grow
 * with every made-up key (4,000 random keys once took the heap from 16 to 71 MB).
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(readonly max: number) {}

  get size() {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    // A Map iterates in insertion order: re-inserting makes this the newest.
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: K, value: V) {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  clear() {
    this.map.clear();
  }
}
