/**
 * Numbers strings by first sight: the same string gets the same small integer, the next new one the next integer. For
 * keying work by content (a pair of numbered ends instead of a key text built per pair).
 */
export class Interner {
  private readonly ids = new Map<string, number>();

  /** The number of `key`, given on first sight. */
  public id(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return id;
  }

  /** How many strings have a number. */
  public get size(): number {
    return this.ids.size;
  }
}
