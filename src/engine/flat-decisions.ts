/**
 * The flat hash table that holds every decision table of `DecisionTables` (`decision-table.ts`): one open-addressing
 * table keyed by (table number, decision key), both small non-negative integers.
 */
import { SideOutcome } from './evaluate';

/**
 * Decisions keyed by (table number, decision key), both small non-negative integers, in one open-addressing hash table:
 * the pairs in one `Int32Array` (table + 1, key; 0 marks a free entry), the outcomes in one array at the same index. A
 * lookup reads one pair and one outcome: no map object per table, no hash buckets and entry chains to follow.
 */
export class FlatDecisions {
  private capacity = 1 << 12;
  private pairs = new Int32Array(2 << 12);
  private outcomes: (SideOutcome | undefined)[] = new Array<SideOutcome | undefined>(1 << 12).fill(undefined);
  /** Decisions held. */
  public size = 0;

  /** The outcome kept under (table, key), if any. */
  public get(table: number, key: number): SideOutcome | undefined {
    const mask = this.capacity - 1;
    const t = table + 1;
    for (let i = slotOf(t, key) & mask; ; i = (i + 1) & mask) {
      const held = this.pairs[2 * i];
      if (held === 0) return undefined;
      if (held === t && this.pairs[2 * i + 1] === key) return this.outcomes[i];
    }
  }

  /** Keeps (or replaces) the outcome under (table, key). */
  public set(table: number, key: number, outcome: SideOutcome): void {
    if ((this.size + 1) * 2 > this.capacity) this.grow();
    this.put(table + 1, key, outcome);
  }

  /** Forgets every outcome. */
  public clear(): void {
    this.pairs.fill(0);
    this.outcomes.fill(undefined);
    this.size = 0;
  }

  private put(t: number, key: number, outcome: SideOutcome): void {
    const mask = this.capacity - 1;
    let i = slotOf(t, key) & mask;
    while (this.pairs[2 * i] !== 0 && !(this.pairs[2 * i] === t && this.pairs[2 * i + 1] === key)) i = (i + 1) & mask;
    if (this.pairs[2 * i] === 0) this.size++;
    this.pairs[2 * i] = t;
    this.pairs[2 * i + 1] = key;
    this.outcomes[i] = outcome;
  }

  private grow(): void {
    const { pairs, outcomes, capacity } = this;
    this.capacity = capacity * 2;
    this.pairs = new Int32Array(2 * this.capacity);
    this.outcomes = new Array<SideOutcome | undefined>(this.capacity).fill(undefined);
    this.size = 0;
    for (let i = 0; i < capacity; i++) {
      const outcome = outcomes[i];
      if (pairs[2 * i] !== 0 && outcome !== undefined) this.put(pairs[2 * i], pairs[2 * i + 1], outcome);
    }
  }
}

/** The home index of a (table + 1, key) pair (a multiplicative hash of both). */
function slotOf(t: number, key: number): number {
  const h = Math.imul(t, 0x9e3779b1) ^ Math.imul(key, 0x85ebca6b);
  return (h ^ (h >>> 15)) >>> 0;
}
