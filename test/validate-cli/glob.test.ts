// The small helpers of the input layer: glob translation, brace expansion, sizes, token ends and key positions.
import { describe, expect, it } from 'vitest';
import { expandBraces, globMatcher, isGlob, parseSize } from '../../src/model/inputs';
import { parseTargetVersion } from '../../src/validate/target-version';
import { keyPosition, tokenEnd } from '../../src/validate/yaml-positions';

describe('globMatcher', () => {
  it.each([
    ['*.yaml', ['a.yaml', '.yaml'], ['a/b.yaml', 'a.yml']],
    ['**/*.yaml', ['a.yaml', 'x/a.yaml', 'x/y/z.yaml'], ['a.yml']],
    ['k8s/**', ['k8s/a', 'k8s/a/b/c'], ['k8s', 'other/a']],
    ['a/**/b', ['a/b', 'a/x/b', 'a/x/y/b'], ['a/xb', 'b']],
    ['?.yml', ['a.yml'], ['ab.yml', '/.yml']],
    ['[ab].yaml', ['a.yaml', 'b.yaml'], ['c.yaml']],
    ['[!ab].yaml', ['c.yaml'], ['a.yaml', '/.yaml']],
    ['a+b(1).yaml', ['a+b(1).yaml'], ['aab1.yaml']],
  ])('%s', (glob, yes, no) => {
    const re = globMatcher(glob);
    for (const p of yes) expect(re.test(p), p).toBe(true);
    for (const p of no) expect(re.test(p), p).toBe(false);
  });

  it('matches in time linear in the path: many stars against a long name that fails late (a RegExp backtracked for minutes)', () => {
    const re = globMatcher(`${'*a'.repeat(12)}*.yaml`);
    const name = `${'a'.repeat(250)}.yml`;
    expect(re.test(name)).toBe(false);
    expect(re.test(`${'a'.repeat(250)}.yaml`)).toBe(true);
  });

  it('a class RE2 refuses matches nothing, without throwing', () => {
    expect(globMatcher('[z-a].yaml').test('b.yaml')).toBe(false);
  });

  it('braces expand, nested too; a brace without a comma is literal', () => {
    expect(expandBraces('**/*.{yaml,yml}')).toEqual(['**/*.yaml', '**/*.yml']);
    expect(expandBraces('{a,b/{c,d}}.json')).toEqual(['a.json', 'b/c.json', 'b/d.json']);
    expect(expandBraces('x{a}.yaml')).toEqual(['x{a}.yaml']);
  });

  it('braces past the limit are undefined, found before the patterns are made (session 45: {a,b} 22 times is 4 million)', () => {
    expect(expandBraces('{a,b}'.repeat(22))).toBeUndefined();
    expect(expandBraces(`{${Array.from({ length: 1_001 }, (_, i) => i).join(',')}}`)).toBeUndefined();
    expect(expandBraces(`{${Array.from({ length: 1_000 }, (_, i) => i).join(',')}}`)).toHaveLength(1_000);
    expect(expandBraces('{a,b}'.repeat(3), 8)).toHaveLength(8);
    expect(expandBraces('{a,b}'.repeat(3), 7)).toBeUndefined();
  });

  it('isGlob', () => {
    expect(['*.yaml', 'a?', '[ab]', '{a,b}'].every(isGlob)).toBe(true);
    expect(isGlob('k8s/app.yaml')).toBe(false);
  });
});

describe('parseSize', () => {
  it.each([['1024', 1024], ['512k', 512 * 1024], ['10MiB', 10 * 1024 ** 2], ['1.5 MB', 1.5 * 1024 ** 2], ['1g', 1024 ** 3]])('%s', (text, n) => {
    expect(parseSize(text)).toBe(n);
  });
  it.each(['', 'huge', '-1', '0', '10 TB', '1.5g', '100G'])('%j is not a size', (text) => expect(parseSize(text)).toBeUndefined());
  it('white space around the size is read; a long run of it before other text is refused in linear time (session 50: was minutes)', { timeout: 30_000 }, () => {
    expect(parseSize(' \t512k\n')).toBe(512 * 1024);
    expect(parseSize(`512${' '.repeat(1000)}k`)).toBe(512 * 1024);
    expect(parseSize(`1${' '.repeat(300_000)}x`)).toBeUndefined();
    expect(parseSize(`${' '.repeat(300_000)}1${' '.repeat(300_000)}`)).toBe(1);
  });
});

describe('tokenEnd', () => {
  it.each([
    ['      port: "8080"', 13, 19],
    ["      port: 'a''b'", 13, 19],
    ['      port: 8080 # comment', 13, 17],
    ['  - toFQDNs:', 5, 12],
    ['  ingress: [{}, {}]', 12, 20],
    ['  name: x', 50, 51],
  ])('%j from column %i ends at %i', (line, column, end) => {
    expect(tokenEnd(line, column)).toBe(end);
  });
});

describe('keyPosition', () => {
  const lines = ['spec:', '  egress:', '    - toFQDN:', '        - matchName: x', '      endPort: 8100'];
  it('finds a key on an earlier line (block value) or on the same line (scalar)', () => {
    expect(keyPosition(lines, { line: 4, column: 9 }, 'toFQDN')).toEqual({ line: 3, column: 7 });
    expect(keyPosition(lines, { line: 5, column: 16 }, 'endPort')).toEqual({ line: 5, column: 7 });
    expect(keyPosition(lines, { line: 4, column: 9 }, 'nothere')).toBeUndefined();
  });
});

describe('parseTargetVersion', () => {
  it.each([['1.19', '1.19'], ['v1.16.3', '1.16'], ['1.20', '1.20-dev'], ['main', '1.20-dev'], ['1.20-dev', '1.20-dev']])('%s', (text, name) => {
    expect(parseTargetVersion(text).name).toBe(name);
  });
  it('1.20 runs the 1.19 rules without Kafka', () => {
    expect(parseTargetVersion('main')).toMatchObject({ kafkaRemoved: true });
    expect(String(parseTargetVersion('main').rules)).toBe('1.19');
  });
  it.each(['1.13', '2.0', 'latest'])('%s is refused', (text) => expect(() => parseTargetVersion(text)).toThrow(/unsupported Cilium version/));
});
