// The C++ RE2 program size of a pattern as `re2ProgramSize` (src/model/re2.ts) bounds it, against the sizes libre2 measured
// (test/fixtures/re2-program-size.tsv: RE2::ProgramSize() of libre2 2022-06-01, the number Envoy compares with
// re2.max_program_size.error_level). The lower bound must never be above the measured size: `validate` and `HttpRule.of`
// call a regex too large for Envoy when it is above 100.
import { readFileSync } from 'fs';
import { join } from 'path';
import { describe, expect, test } from 'vitest';
import { ENVOY_REGEX_MAX_PROGRAM_SIZE, envoyRegexSizeProblem } from '../../src/model/envoy-regex';
import { re2ProgramSize } from '../../src/model/re2';

const MEASURED: readonly (readonly [number, string])[] = readFileSync(join(__dirname, '..', 'fixtures', 're2-program-size.tsv'), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'))
  .map((line) => {
    const tab = line.indexOf('\t');
    return [Number(line.slice(0, tab)), line.slice(tab + 1)] as const;
  });

describe('re2ProgramSize: bounds of the C++ RE2 program size', () => {
  test('the corpus is read whole (100 patterns and more)', () => {
    expect(MEASURED.length).toBeGreaterThanOrEqual(100);
    expect(MEASURED.every(([size]) => Number.isInteger(size) && size > 0)).toBe(true);
  });

  test.each(MEASURED.map(([size, pattern]) => [pattern, size]))('%s: at least is never above libre2\'s %i', (pattern, size) => {
    const bounds = re2ProgramSize(pattern);
    expect(bounds).toBeDefined();
    expect(bounds!.atLeast).toBeLessThanOrEqual(size);
    expect(bounds!.estimate).toBeGreaterThanOrEqual(bounds!.atLeast);
  });

  test('a literal is exact: one instruction per UTF-8 byte, fail, match and the two of the unanchored loop', () => {
    for (const [size, pattern] of MEASURED.filter(([, p]) => /^[/a-z]+$/.test(p))) {
      expect(re2ProgramSize(pattern), pattern).toEqual({ atLeast: size, estimate: size });
    }
    expect(re2ProgramSize('/api/v1/日本')).toEqual({ atLeast: 4 + 8 + 6, estimate: 4 + 8 + 6 });
  });

  test('the estimate stays within a factor 2 of libre2 for ASCII patterns', () => {
    for (const [size, pattern] of MEASURED.filter(([, p]) => /^[\x20-\x7e]*$/.test(p) && !/\\[pPwWsS]|\[\^|\{\d+,\d+\}|\^/.test(p))) {
      const { estimate } = re2ProgramSize(pattern)!;
      expect(estimate, pattern).toBeGreaterThanOrEqual(size / 2);
      expect(estimate, pattern).toBeLessThanOrEqual(size * 2);
    }
  });

  test('merged repeats, the literal after ^ and a pattern matching nothing are not counted (libre2 merges, strips, keeps only fail)', () => {
    expect(re2ProgramSize('a*a{0,100}')!.atLeast).toBeLessThanOrEqual(5);
    expect(re2ProgramSize(`^/${'a'.repeat(130)}`)!.atLeast).toBeLessThanOrEqual(4);
    expect(re2ProgramSize('[^\\x00-\\x{10FFFF}]abc')).toEqual({ atLeast: 1, estimate: 1 });
  });

  test('a pattern that does not compile has no size', () => {
    expect(re2ProgramSize('a(')).toBeUndefined();
  });

  test('large patterns are sized in time linear in the pattern (no quadratic search)', () => {
    const started = Date.now();
    expect(re2ProgramSize('a'.repeat(100_000))!.atLeast).toBe(100_004);
    expect(re2ProgramSize('(?:(?:)|(?:)|a)*'.repeat(2_000))).toBeDefined();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('envoyRegexSizeProblem: Envoy\'s limit of 100', () => {
  test('certain above 100 (the lower bound is), a warning when only the estimate is, nothing at or below', () => {
    expect(ENVOY_REGEX_MAX_PROGRAM_SIZE).toBe(100);
    // libre2: 101, 100.
    expect(envoyRegexSizeProblem('path', `/${'a'.repeat(96)}`)).toMatchObject({ certain: true, atLeast: 101 });
    expect(envoyRegexSizeProblem('path', `/${'a'.repeat(95)}`)).toBeUndefined();
    // libre2: 590; the lower bound cannot tell.
    expect(envoyRegexSizeProblem('path', '/api/[^/]{1,64}/items')).toMatchObject({ certain: false });
    expect(envoyRegexSizeProblem('path', 'a(')).toBeUndefined();
  });

  test('the message names the size and the limit, the fix the ways out', () => {
    const p = envoyRegexSizeProblem('host', `${'b'.repeat(150)}`)!;
    expect(p.shown).toBe(JSON.stringify(`${'b'.repeat(117)}...`));
    expect(p.problem).toBe('its RE2 program size is at least 154, above the 100 Envoy accepts (re2.max_program_size.error_level)');
    expect(p.fix).toMatch(/^shorten the host regex .*split it into several HTTP rules .*raise re2\.max_program_size\.error_level/);
    expect(envoyRegexSizeProblem('path', '/api/[^/]{1,64}/items')!.problem).toMatch(/^its RE2 program size is estimated at \d+ \(at least \d+\), above the 100/);
  });
});
