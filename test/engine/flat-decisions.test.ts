// The flat table that holds `decide()`'s decision tables: what it keeps per (table, key), against a plain Map, through
// growth, replacement and clearing.
import { describe, expect, test } from 'vitest';
import { SideOutcome } from '../../src/engine/evaluate';
import { FlatDecisions } from '../../src/engine/flat-decisions';
import { SideDecision } from '../../src/engine/verdict';

const outcome = (n: number): SideOutcome => ({ decision: n % 2 === 0 ? SideDecision.ALLOWED : SideDecision.DEFAULT_DENY, allowed: n % 2 === 0 });

describe('FlatDecisions', () => {
  test('keeps each (table, key) apart, through growth, and finds nothing it was not given', () => {
    const flat = new FlatDecisions();
    const reference = new Map<string, SideOutcome>();
    // 40,000 decisions over 300 tables with keys up to 2^30 - 1 (peer × 4,096 + port index), table 0 and key 0 included.
    let seed = 7;
    const next = (bound: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % bound;
    };
    for (let n = 0; n < 40_000; n++) {
      const table = n < 10 ? n : next(300);
      const key = n < 10 ? 0 : next(1 << 30);
      const o = outcome(n);
      flat.set(table, key, o);
      reference.set(`${table}/${key}`, o);
    }
    expect(flat.size).toBe(reference.size);
    // Compared in a plain loop, the mismatches asserted once (an expect per entry cost more than the table itself).
    const wrong: string[] = [];
    for (const [k, o] of reference) {
      const [table, key] = k.split('/').map(Number);
      if (flat.get(table, key) !== o) wrong.push(`${k}: ${JSON.stringify(flat.get(table, key))}, not ${JSON.stringify(o)}`);
    }
    // The same keys in other tables, and other keys in the same tables, are absent.
    let probes = 0;
    for (const k of [...reference.keys()].slice(0, 2_000)) {
      const [table, key] = k.split('/').map(Number);
      if (!reference.has(`${table + 300}/${key}`)) {
        if (flat.get(table + 300, key) !== undefined) wrong.push(`${table + 300}/${key}: ${JSON.stringify(flat.get(table + 300, key))}, not absent`);
        probes++;
      }
      if (!reference.has(`${table}/${key ^ 1}`) && flat.get(table, key ^ 1) !== undefined) {
        wrong.push(`${table}/${key ^ 1}: ${JSON.stringify(flat.get(table, key ^ 1))}, not absent`);
      }
    }
    expect(wrong).toEqual([]);
    expect(probes).toBe(2_000);
  });

  test('one key in 3,000 tables: each table finds its own decision, a table never given the key none', () => {
    // The pairs of one key in many tables share home slots and probe chains: a lookup that compared the key alone would
    // return another table's decision (or one for a table that has none).
    const flat = new FlatDecisions();
    const key = 4_096 * 7 + 3;
    const given = Array.from({ length: 3_000 }, (_, n) => outcome(n));
    given.forEach((o, table) => flat.set(table, key, o));
    const wrong: string[] = [];
    for (let table = 0; table < 6_000; table++) {
      const found = flat.get(table, key);
      if (found !== given[table]) wrong.push(`table ${table}: ${found === undefined ? 'none' : 'another decision'}`);
    }
    expect(wrong).toEqual([]);
    expect(flat.size).toBe(3_000);
  });

  test('a decision kept again under the same (table, key) replaces the first; clear forgets every one', () => {
    const flat = new FlatDecisions();
    const [a, b] = [outcome(0), outcome(1)];
    flat.set(3, 4_096 * 5 + 2, a);
    flat.set(3, 4_096 * 5 + 2, b);
    flat.set(4, 4_096 * 5 + 2, a);
    expect(flat.size).toBe(2);
    expect(flat.get(3, 4_096 * 5 + 2)).toBe(b);
    expect(flat.get(4, 4_096 * 5 + 2)).toBe(a);
    flat.clear();
    expect(flat.size).toBe(0);
    expect(flat.get(3, 4_096 * 5 + 2)).toBeUndefined();
    flat.set(3, 1, a);
    expect(flat.get(3, 1)).toBe(a);
  });
});
