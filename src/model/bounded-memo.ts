/**
 * A memo of pure results by key that holds at most `limit` entries and starts over (forgets every entry) when full: the
 * compiled patterns, selectors and label verdicts that repeat across rules and policies are computed once, and hostile
 * input with endless distinct keys costs bounded memory and never more than computing each result again. Starting
 * over, rather than evicting one entry at a time, keeps a hit to one map lookup.
 * @internal
 */
export class BoundedMemo<K, V> {
  private readonly entries = new Map<K, V>();

  /** @param limit the most entries kept (at least 1) */
  constructor(private readonly limit: number) {}

  /** The result kept for `key`, else `compute(key)`, kept. */
  get(key: K, compute: (key: K) => V): V {
    const kept = this.entries.get(key);
    if (kept !== undefined || this.entries.has(key)) return kept as V;
    const value = compute(key);
    this.set(key, value);
    return value;
  }

  /** The result kept for `key`, if any (computing nothing). */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Keeps `value` for `key`, forgetting every other entry first when the memo is full. */
  set(key: K, value: V): void {
    if (this.entries.size >= this.limit && !this.entries.has(key)) this.entries.clear();
    this.entries.set(key, value);
  }

  /** How many entries are kept now. */
  get size(): number {
    return this.entries.size;
  }
}
