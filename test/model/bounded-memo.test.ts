import { describe, expect, test } from 'vitest';
import { BoundedMemo } from '../../src/model/bounded-memo';

describe('BoundedMemo', () => {
  test('computes a key once, undefined results included', () => {
    const memo = new BoundedMemo<string, number | undefined>(10);
    const calls: string[] = [];
    const compute = (k: string): number | undefined => {
      calls.push(k);
      return k === 'none' ? undefined : k.length;
    };
    expect(memo.get('abc', compute)).toBe(3);
    expect(memo.get('abc', compute)).toBe(3);
    expect(memo.get('none', compute)).toBeUndefined();
    expect(memo.get('none', compute)).toBeUndefined();
    expect(calls).toEqual(['abc', 'none']);
  });

  test('never holds more than its limit: when full, it starts over', () => {
    const memo = new BoundedMemo<number, number>(3);
    let calls = 0;
    const square = (k: number): number => {
      calls++;
      return k * k;
    };
    for (let i = 0; i < 100; i++) {
      expect(memo.get(i, square)).toBe(i * i);
      expect(memo.size).toBeLessThanOrEqual(3);
    }
    expect(calls).toBe(100);
    // 99 was kept after the last start-over; 0 was forgotten long ago.
    memo.get(99, square);
    expect(calls).toBe(100);
    memo.get(0, square);
    expect(calls).toBe(101);
  });

  test('setting a kept key again does not start over', () => {
    const memo = new BoundedMemo<string, number>(2);
    memo.set('a', 1);
    memo.set('b', 2);
    memo.set('b', 3);
    expect(memo.size).toBe(2);
    expect(memo.get('a', () => -1)).toBe(1);
    expect(memo.get('b', () => -1)).toBe(3);
  });
});
