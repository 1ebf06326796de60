/** The expiry of a TTL from `now`, in ms since the epoch: `ttlSeconds` 0 (or less) never expires. */
export function expiryAfter(now: number, ttlSeconds: number): number {
  return ttlSeconds > 0 ? now + ttlSeconds * 1000 : Number.POSITIVE_INFINITY;
}

/**
 * A Map of values that carry their own expiry (`expiresAt`, ms since the epoch; Infinity for
 * none), as Redis keys do: an expired value is dropped when it is next looked at, or by
 * {@link ExpiringMap.sweep}. The MemoryStore keeps its histories, operation records, claims
 * and usage counters in one each.
 */
export class ExpiringMap<V extends { expiresAt: number }> {
  readonly #values = new Map<string, V>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The live value under `key` (the object itself, so a change to it is kept), or undefined. */
  get(key: string): V | undefined {
    const value = this.#values.get(key);
    if (value && value.expiresAt <= this.#now()) {
      this.#values.delete(key);
      return undefined;
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#values.set(key, value);
  }

  delete(key: string): void {
    this.#values.delete(key);
  }

  /** The remaining TTL of `key` in seconds, as Redis's TTL says it: -2 missing, -1 none. */
  ttlSeconds(key: string): number {
    const value = this.get(key);
    if (!value) return -2;
    if (value.expiresAt === Number.POSITIVE_INFINITY) return -1;
    return Math.ceil((value.expiresAt - this.#now()) / 1000);
  }

  /** Drops every expired value now; returns how many were dropped. */
  sweep(): number {
    const now = this.#now();
    let dropped = 0;
    for (const [key, value] of this.#values) {
      if (value.expiresAt <= now) {
        this.#values.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** The keys of live values. */
  liveKeys(): string[] {
    return [...this.#values.keys()].filter((key) => this.get(key) !== undefined);
  }

  /** How many values are held, expired ones included until they are looked at or swept. */
  get size(): number {
    return this.#values.size;
  }
}
