// The lint rule that keeps quadratic trims out of src/ (session 50): eslint.config.mjs's `QUADRATIC_TRIM_REGEX`, run by
// ESLint's Linter on snippets. A regex whose unanchored alternative opens with a run followed by more is refused; one
// that is linear (a run with nothing after it, an anchored pattern, a sticky regex) passes. `npm test` lints src/ with it.
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, test } from 'vitest';
// @ts-expect-error -- the ESLint config is plain JavaScript (no declaration file): its selector is a string.
import { QUADRATIC_TRIM_REGEX } from '../../eslint.config.mjs';

const linter = new Linter({ configType: 'flat' });

function flagged(source: string): boolean {
  const messages = linter.verify(source, [{
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: { 'no-restricted-syntax': ['error', { selector: QUADRATIC_TRIM_REGEX, message: 'quadratic' }] },
  }], 'snippet.ts');
  expect(messages.filter((m) => m.message !== 'quadratic')).toEqual([]);
  return messages.length > 0;
}

describe('QUADRATIC_TRIM_REGEX (eslint.config.mjs)', () => {
  test.each([
    // The shapes of the session-50 findings, each quadratic on a run that does not complete the match.
    String.raw`s.replace(/:+$/, '')`,
    String.raw`s.replace(/[ \t]+$/, '')`,
    String.raw`s.replace(/^[ \t]+|[ \t]+$/g, '')`,
    String.raw`s.replace(/\s*\n\s*/g, ' ')`,
    String.raw`s.replace(/\/+$/, '')`,
    String.raw`s.replace(/^-+|-+$/g, '')`,
    String.raw`s.replace(/^[._-]+|-+$/g, '')`,
    String.raw`s.replace(/0+$/, '')`,
    String.raw`s.replace(/-+?$/, '')`,
    String.raw`s.replace(/.*$/, '')`,
  ])('refused: %s', (source) => {
    expect(flagged(source)).toBe(true);
  });

  test.each([
    // A run with nothing after it matches wherever it starts; an anchored pattern is tried once; a sticky one at lastIndex.
    String.raw`s.replace(/-+/g, '-')`,
    String.raw`s.split(/\s+/)`,
    String.raw`s.replace(/[^a-z0-9-]+/g, '-')`,
    String.raw`/^[a-z]+$/.test(s)`,
    String.raw`s.replace(/\.$/, '')`,
    String.raw`s.replace(/^error: /, '')`,
    String.raw`/\s+|&\S+/y.exec(s)`,
    String.raw`s.replace(/\\+/g, '/')`,
    String.raw`s.replace(/a\|+b/, '')`,
  ])('let through: %s', (source) => {
    expect(flagged(source)).toBe(false);
  });
});
