// `trimRuns`: the one trim of text read from an input (session 50), as Go's `strings.TrimRight`/`TrimFunc` for the
// characters given, and linear: each character of the text is looked at no more than once.
import { describe, expect, test } from 'vitest';
import { trimRuns } from '../../src/model/trim-runs';

const colon = (c: number): boolean => c === 0x3a;
const blank = (c: number): boolean => c === 0x20 || c === 0x09;

describe('trimRuns', () => {
  test.each([
    ['', 'both', ''],
    [':::', 'both', ''],
    [':::', 'end', ''],
    ['a', 'both', 'a'],
    ['X-Token:', 'end', 'X-Token'],
    ['X-Token:::', 'end', 'X-Token'],
    [':X-Token:', 'end', ':X-Token'],
    [':X-Token:', 'both', 'X-Token'],
    ['a::b', 'both', 'a::b'],
    ['a::b::', 'end', 'a::b'],
  ] as const)('%j trimmed of colons at %s → %j', (text, ends, expected) => {
    expect(trimRuns(text, colon, ends)).toBe(expected);
  });

  test('the default trims both ends; characters not taken stay, inside and at the ends', () => {
    expect(trimRuns(' \tv \t', blank)).toBe('v');
    expect(trimRuns('v\u00a0', blank)).toBe('v\u00a0');
    expect(trimRuns('x \t y', blank)).toBe('x \t y');
  });

  test('each character is looked at once at most, however long the run inside', () => {
    const text = `a${':'.repeat(100_000)}b`;
    let calls = 0;
    const counted = (c: number): boolean => {
      calls++;
      return colon(c);
    };
    expect(trimRuns(text, counted)).toBe(text);
    expect(calls).toBe(2);
    calls = 0;
    expect(trimRuns(`${':'.repeat(1000)}x${':'.repeat(1000)}`, counted)).toBe('x');
    expect(calls).toBe(2002);
  });
});
