// Random RE2 patterns built from the pieces C++ RE2 rewrites before it compiles (shared first pieces of alternatives, empty-width
// ones too; ASCII case pairs such as [Kk] and [Ss]; (?i) literals; x{0}; duplicate and empty alternatives; merged repeats; the
// literal prefix after ^), for the lower bound of `re2ProgramSize` (test/model/re2-program-size.test.ts).
//
// test/fixtures/re2-program-size-random.tsv holds `fc.sample(re2Pattern, { seed: RANDOM_SEED, numRuns: RANDOM_RUNS })`
// measured by libre2 (RE2::ProgramSize()). To re-measure, print the sample one pattern a line and feed it to a small C++ program
// linked with -lre2 that prints `ProgramSize()<TAB>pattern` per line (the tool is not part of the repository).
import fc from 'fast-check';

export const RANDOM_SEED = 36;
export const RANDOM_RUNS = 400;

const word = fc.constantFrom('frontend', 'prod', 'api', 'v1', 'example', 'com', 'a', 'ab', 'abc', 'k', 's', 'tag', 'ing', '日本', 'é', 'ſ', 'K');
const atom = fc.oneof(
  word,
  fc.constantFrom('[Kk]', '[Ss]', '[Aa]', '[Tt]', '[Kk][Ss]', '(?i)k', '(?i)s', '(?i)abc', '(?i:tag)', '[a-z]', '[^/]', '.', '\\d', '\\.', '[0-9]'),
  fc.constantFrom('\\b', '\\B', '(?m)^', '(?m)$', '$', '^', '\\A', '\\z'),
  fc.constantFrom('a{0}', 'x{0}', '(?:abc){0}', '[Kk]{0}', 'a*', 'a+', 'a?', 'a{2}', 'a{0,3}', 'a{2,}', '[a-z]{1,3}', '(?:)', '(?:|a)', '(?:a|)', '(a|a)', '(?:a|a|a)'),
);
const concat = (parts: fc.Arbitrary<string>): fc.Arbitrary<string> => fc.array(parts, { minLength: 0, maxLength: 5 }).map((xs) => xs.join(''));

/** A pattern: a concatenation of atoms, groups and alternations whose alternatives often share a first piece. */
export const re2Pattern: fc.Arbitrary<string> = fc.letrec<{ expr: string; alt: string; group: string }>((tie) => ({
  expr: concat(fc.oneof({ weight: 4, arbitrary: atom }, { weight: 1, arbitrary: tie('group') })),
  alt: fc.tuple(fc.oneof(fc.constant(''), atom), fc.array(fc.oneof(atom, tie('expr')), { minLength: 1, maxLength: 4 }))
    .map(([shared, rest]) => rest.map((r) => `${shared}${r}`).join('|')),
  group: fc.tuple(fc.constantFrom('(', '(?:', '(?i:'), tie('alt'), fc.constantFrom('', '', '*', '+', '?', '{0}', '{2}', '{1,2}'))
    .map(([open, body, rep]) => `${open}${body})${rep}`),
})).expr.chain((e) => fc.oneof(fc.constant(e), fc.constant(`^${e}`), fc.constant(e === '' ? 'a' : `${e}|${e}`)));
