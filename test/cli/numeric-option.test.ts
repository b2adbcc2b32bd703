// The one parser of whole-number options: beyond the range is "too large (max N)" with the fix, never "not a number".
import { describe, expect, it } from 'vitest';
import { parseIntegerOption } from '../../src/cli/numeric-option';
import { parseCount } from '../../src/cli/replay';
import { executeValidate } from '../../src/cli/validate';
import { thrown } from '../support/errors';

const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return `${(e as Error).message.split(' (cli-flag)')[0]} | ${(e as { fix?: string }).fix}`;
  }
  return 'no error';
};

describe('whole-number options', () => {
  it.each([
    ['--max-connections', '99999999999999999999'], ['--max-changes', '9007199254740992'], ['--max-pairs', '0009007199254740993'],
  ])('%s %s is too large, with its max and the fix', (flag, value) => {
    expect(message(() => parseCount(value, flag, 7))).toBe(
      `${flag} ${value} is too large (max 9007199254740991) | give ${flag} at most 9007199254740991, e.g. 7`);
  });

  it('the max itself is read; no number, zero and negatives stay "not a positive number"', () => {
    expect(parseCount('9007199254740991', '--max-pairs')).toBe(9007199254740991);
    expect(parseCount(' 0012 ', '--max-pairs')).toBe(12);
    for (const v of ['0', '-1', '1.5', 'abc', '1e3', '0x50', '80abc', '+1']) {
      expect(message(() => parseCount(v, '--max-pairs', 5))).toBe(`--max-pairs ${v} is not a positive number | give --max-pairs a number, e.g. 5`);
    }
  });

  // Session 57: `--max-connections ""` said `--max-connections  is not a positive number` (two spaces, as if no value was
  // given); a value empty or with white space at either end is quoted (flag-value.ts `flagWithValue`).
  it('an empty or blank value is quoted in the refusal, never two spaces', () => {
    expect(message(() => parseCount('', '--max-connections', 5))).toBe('--max-connections "" is not a positive number | give --max-connections a number, e.g. 5');
    expect(message(() => parseCount('  ', '--max-pairs', 5))).toBe('--max-pairs "  " is not a positive number | give --max-pairs a number, e.g. 5');
    expect(message(() => parseCount(' -3', '--max-pairs', 5))).toBe('--max-pairs " -3" is not a positive number | give --max-pairs a number, e.g. 5');
  });

  it('a range of its own: a max below the safe integers, a negative min', () => {
    const range = { min: -1, max: 100, example: 3, what: 'a percentage' };
    expect(parseIntegerOption('-1', '--p', range)).toBe(-1);
    expect(message(() => parseIntegerOption('101', '--p', range))).toBe('--p 101 is too large (max 100) | give --p at most 100, e.g. 3');
    expect(message(() => parseIntegerOption('-2', '--p', range))).toBe('--p -2 is not a percentage | give --p a number, e.g. 3');
  });

  it('leading zeros are not digits of the size: 19 characters worth 1 are 1', () => {
    expect(parseCount('0000000000000000001', '--max-pairs')).toBe(1);
  });

  it('the bounds themselves and a shorter number are read; a negative beyond the max is below the min, not too large', () => {
    const range = { min: -1, max: 100, example: 3, what: 'a percentage' };
    expect([parseIntegerOption('100', '--p', range), parseIntegerOption('99', '--p', range), parseIntegerOption('5', '--p', range),
      parseIntegerOption('12', '--p', range)]).toEqual([100, 99, 5, 12]);
    expect(message(() => parseIntegerOption('-101', '--p', range))).toBe('--p -101 is not a percentage | give --p a number, e.g. 3');
    for (const v of ['a-1', '-1x', '--1', '1-']) expect(message(() => parseIntegerOption(v, '--p', range))).toBe(`--p ${v} is not a percentage | give --p a number, e.g. 3`);
  });

  it('a minimum of 0 takes no sign: -0 is no such number, 0 is', () => {
    const range = { min: 0, example: 3, what: 'a count' };
    expect(parseIntegerOption('0', '--n', range)).toBe(0);
    expect(message(() => parseIntegerOption('-0', '--n', range))).toBe('--n -0 is not a count | give --n a number, e.g. 3');
  });

  it('an error id and a fix of its own: the id on both refusals, the fix for a value that is no such number', () => {
    const range = { min: 1, max: 10, example: 2, what: 'a count', id: 'input-limit', fix: 'count the inputs' };
    const none = thrown(() => parseIntegerOption('x', '--n', range));
    expect([none.id, none.fix]).toEqual(['input-limit', 'count the inputs']);
    const large = thrown(() => parseIntegerOption('11', '--n', range));
    expect([large.id, large.fix]).toEqual(['input-limit', 'give --n at most 10, e.g. 2']);
  });

  it('validate --max-warnings uses it too', async () => {
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (t: string) => err.push(t), readStdin: async () => '' };
    await expect(executeValidate(['x.yaml'], { maxWarnings: '99999999999999999999' }, io as never)).rejects.toThrow('--max-warnings 99999999999999999999 is too large (max 9007199254740991)');
  });
});
