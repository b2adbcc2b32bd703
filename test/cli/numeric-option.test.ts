// The one parser of whole-number options: beyond the range is "too large (max N)" with the fix, never "not a number".
import { describe, expect, it } from 'vitest';
import { parseIntegerOption } from '../../src/cli/numeric-option';
import { parseCount } from '../../src/cli/replay';
import { executeValidate } from '../../src/cli/validate';

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
    for (const v of ['0', '-1', '1.5', 'abc', '', '1e3']) expect(message(() => parseCount(v, '--max-pairs', 5))).toBe(`--max-pairs ${v} is not a positive number | give --max-pairs a number, e.g. 5`);
  });

  it('a range of its own: a max below the safe integers, a negative min', () => {
    const range = { min: -1, max: 100, example: 3, what: 'a percentage' };
    expect(parseIntegerOption('-1', '--p', range)).toBe(-1);
    expect(message(() => parseIntegerOption('101', '--p', range))).toBe('--p 101 is too large (max 100) | give --p at most 100, e.g. 3');
    expect(message(() => parseIntegerOption('-2', '--p', range))).toBe('--p -2 is not a percentage | give --p a number, e.g. 3');
  });

  it('validate --max-warnings uses it too', async () => {
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (t: string) => err.push(t), readStdin: async () => '' };
    await expect(executeValidate(['x.yaml'], { maxWarnings: '99999999999999999999' }, io as never)).rejects.toThrow('--max-warnings 99999999999999999999 is too large (max 9007199254740991)');
  });
});
