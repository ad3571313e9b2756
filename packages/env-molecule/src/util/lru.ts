/** A Map that forgets its least recently used entries beyond `capacity`. */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * Values of a batch of keys from an LRU cache, computing the missing ones (each distinct key
 * once) in one call of `compute`.
 */
export async function cachedBatch(
  cache: LruMap<string, number>,
  keys: readonly string[],
  compute: (missing: string[]) => Float64Array | Promise<Float64Array>,
): Promise<Float64Array> {
  const found = new Map<string, number>();
  for (const k of keys) {
    const v = cache.get(k);
    if (v !== undefined) found.set(k, v);
  }
  const missing = [...new Set(keys.filter((k) => !found.has(k)))];
  if (missing.length > 0) {
    const values = await compute(missing);
    missing.forEach((k, j) => {
      found.set(k, values[j]!);
      cache.set(k, values[j]!);
    });
  }
  return Float64Array.from(keys, (k) => found.get(k)!);
}
