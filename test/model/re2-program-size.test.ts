// The C++ RE2 program size of a pattern as `re2ProgramSize` (src/model/re2.ts) bounds it, against the sizes libre2 measured
// (test/fixtures/re2-program-size.tsv: RE2::ProgramSize() of libre2 2022-06-01, the number Envoy compares with
// re2.max_program_size.error_level). The lower bound must never be above the measured size: `validate` and `HttpRule.of`
// call a regex too large for Envoy when it is above 100. test/fixtures/re2-program-size-random.tsv: the same, of patterns
// test/support/re2-patterns.ts generates. With RE2_PROGRAM_SIZE_TOOL set to a program that prints `ProgramSize()<TAB>pattern`
// for each line it reads (C++, linked with -lre2), the property is also checked live on new random patterns.
import { spawnSync } from 'child_process';
import { readFileSync } from 'fs';
import { join } from 'path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ENVOY_REGEX_MAX_PROGRAM_SIZE, envoyRegexSizeProblem } from '../../src/model/envoy-regex';
import { re2ProgramSize } from '../../src/model/re2';
import { RANDOM_RUNS, re2Pattern } from '../support/re2-patterns';

function measured(file: string): readonly (readonly [number, string])[] {
  return readFileSync(join(__dirname, '..', 'fixtures', file), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const tab = line.indexOf('\t');
      return [Number(line.slice(0, tab)), line.slice(tab + 1)] as const;
    });
}
const MEASURED = measured('re2-program-size.tsv');
const RANDOM = measured('re2-program-size-random.tsv');

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

  test('at least is never above libre2 on the random patterns (C++ RE2 rewrites more than Go: factored first pieces, case pairs, x{0})', () => {
    expect(RANDOM.length).toBe(RANDOM_RUNS);
    const above = RANDOM.filter(([size, pattern]) => re2ProgramSize(pattern)!.atLeast > size);
    expect(above).toEqual([]);
  });

  test('what C++ RE2 rewrites is no longer counted: shared \\b first pieces, ASCII case pairs after ^ (libre2: 86 and 4)', () => {
    const host = ['a', 'b', 'c', 'd'].map((x) => `\\bfrontend-${x}\\.prod\\.example\\.com`).join('|');
    expect(re2ProgramSize(host)!.atLeast).toBeLessThanOrEqual(86);
    expect(envoyRegexSizeProblem('host', host)?.certain).not.toBe(true);
    const tagging = `^[Ss]${'[Tt][Aa][Gg][Ii][Nn][Gg]'.repeat(17)}`;
    expect(re2ProgramSize(tagging)!.atLeast).toBeLessThanOrEqual(4);
    expect(envoyRegexSizeProblem('path', tagging)?.certain).not.toBe(true);
  });

  test('property: a rewrite C++ RE2 compiles to the same program never raises the bound (P|P, (?:X){0}P, \\bP|\\bQ)', () => {
    const atLeast = (p: string): number => re2ProgramSize(p)?.atLeast ?? 0;
    fc.assert(fc.property(re2Pattern, re2Pattern, (p, q) => {
      if (re2ProgramSize(p) === undefined || re2ProgramSize(q) === undefined) return;
      expect(atLeast(p)).toBeLessThanOrEqual(re2ProgramSize(p)!.estimate);
      expect(atLeast(`(?:${p})|(?:${p})`)).toBeLessThanOrEqual(atLeast(`(?:${p})`));
      expect(atLeast(`(?:${q}){0}(?:${p})`)).toBeLessThanOrEqual(atLeast(`(?:${p})`));
      expect(atLeast(`\\b(?:${p})|\\b(?:${q})`)).toBeLessThanOrEqual(atLeast(`\\b(?:(?:${p})|(?:${q}))`));
    }), { numRuns: 200, seed: 36 });
  });

  test.runIf(process.env.RE2_PROGRAM_SIZE_TOOL)('property (live, RE2_PROGRAM_SIZE_TOOL): at least is never above libre2', () => {
    const patterns = fc.sample(re2Pattern, 300).filter((p) => re2ProgramSize(p) !== undefined && !p.includes('\n'));
    const out = spawnSync(process.env.RE2_PROGRAM_SIZE_TOOL!, { input: `${patterns.join('\n')}\n`, encoding: 'utf8' }).stdout;
    const sizes = out.split('\n').filter((l) => l !== '').map((l) => Number(l.slice(0, l.indexOf('\t'))));
    expect(sizes.length).toBe(patterns.length);
    expect(patterns.filter((p, i) => !(re2ProgramSize(p)!.atLeast <= sizes[i]))).toEqual([]);
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
    expect(re2ProgramSize('a'.repeat(10_000))!.atLeast).toBe(10_004);
    expect(re2ProgramSize('(?:(?:)|(?:)|a)*'.repeat(1_000))).toBeDefined();
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('a pattern whose Go program is over the 10,000 instructions this engine compiles has no size (session 44: before, 100,000 runes were sized)', () => {
    expect(re2ProgramSize('a'.repeat(10_001))).toBeUndefined();
    expect(re2ProgramSize('a'.repeat(100_000))).toBeUndefined();
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
    // Sizes of four digits and more grouped, as the other sizes of the messages are (before: "at least 2004").
    expect(envoyRegexSizeProblem('path', `/${'a'.repeat(2000)}`)!.problem).toMatch(/^its RE2 program size is at least 2,00\d, above the 100/);
  });
});
