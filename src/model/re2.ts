/**
 * The one regular-expression engine of the SDK for patterns Cilium, Envoy or the API server compile: Go RE2 syntax and
 * semantics (the `re2js` port of RE2), with matching in time linear in the input. The validator (`sanitize-http-regex`),
 * the engine (HTTP `method`/`path`/`host` rules), the import check of the engine and the CRD schema patterns all use it,
 * so a pattern is accepted, rejected and matched the same way everywhere.
 *
 * RE2 syntax JavaScript `RegExp` lacks is supported as written (`[[:digit:]]`, `\Q…\E`, `\pL`, a mid-pattern `(?i)`,
 * `\x{41}`, `(?P<name>…)`); what RE2 rejects (look-around, back-references, atomic groups, possessive quantifiers,
 * repeat counts above 1000) does not compile.
 */
import type { RE2JS } from 're2js';
import { BoundedMemo } from './bounded-memo';

/** A compiled RE2 pattern. */
export interface Re2Pattern {
  /** The pattern as written. */
  readonly source: string;
  /** Whether the whole of `value` matches (Envoy `safe_regex`, anchored at both ends). */
  fullMatch(value: string): boolean;
  /** Whether some part of `value` matches (Go `MatchString`, the API server's `pattern`). */
  test(value: string): boolean;
  /**
   * The names of the groups written `(?<name>…)`: Go's `regexp` accepts that spelling only from Go 1.22 (`(?P<name>…)`
   * always), so an agent built with an older Go refuses the pattern.
   */
  readonly angleNamedGroups: readonly string[];
}

/** The result of compiling a pattern: the compiled pattern, or why it does not compile. */
export type Re2Result = { readonly ok: true; readonly pattern: Re2Pattern } | { readonly ok: false; readonly error: string };

/** Compiled patterns by source (compiling is the expensive part; patterns repeat across rules and policies). */
const cache = new BoundedMemo<string, Re2Result>(10_000);
/** Full-match results kept per compiled pattern (the memo starts over when full), for values up to this length. */
const MAX_MEMO_VALUES = 256;
const MAX_MEMO_VALUE_LENGTH = 512;

/** Compiles a Go RE2 pattern (cached). Never throws. */
export function compileRe2(source: string): Re2Result {
  return cache.get(source, compileUncached);
}

/**
 * Why `pattern` would not compile as a Go RE2 regular expression (Go's `regexp.Compile`, which the agent's `Sanitize`
 * runs), or `undefined` when it compiles.
 */
export function re2Error(pattern: string): string | undefined {
  const r = compileRe2(pattern);
  return r.ok ? undefined : r.error;
}

/** The groups of `pattern` named in the `(?<name>…)` spelling (Go 1.22+); none when it does not compile. */
export function re2AngleNamedGroups(pattern: string): readonly string[] {
  const r = compileRe2(pattern);
  return r.ok ? r.pattern.angleNamedGroups : [];
}

/** Whether the whole of `value` matches the RE2 `pattern`; `false` when the pattern does not compile. */
export function re2FullMatch(pattern: string, value: string): boolean {
  const r = compileRe2(pattern);
  return r.ok && r.pattern.fullMatch(value);
}

/** Whether some part of `value` matches the RE2 `pattern` (Go `MatchString`); `false` when the pattern does not compile. */
export function re2Test(pattern: string, value: string): boolean {
  const r = compileRe2(pattern);
  return r.ok && r.pattern.test(value);
}

function compileUncached(source: string): Re2Result {
  if (typeof source !== 'string') return { ok: false, error: 'not a string' };
  let re: RE2JS;
  try {
    re = re2js().RE2JS.compile(source);
  } catch (e) {
    return { ok: false, error: describeError(e) };
  }
  // Full matches are kept per value (bounded): the engine asks the same few HTTP methods and paths of the same patterns
  // again and again (every new peer and port of a first pass), and a match is a pure function of the pattern and value.
  const fullMatches = new BoundedMemo<string, boolean>(MAX_MEMO_VALUES);
  // RE2 refuses a group name given twice, so a name with no `(?P<name>` in the source was written `(?<name>`.
  const angleNamedGroups = Object.freeze(Object.keys(re.namedGroups()).filter((name) => !source.includes(`(?P<${name}>`)));
  return {
    ok: true,
    pattern: Object.freeze({
      source,
      angleNamedGroups,
      fullMatch: (value: string): boolean => {
        if (value.length > MAX_MEMO_VALUE_LENGTH) return re.matches(value);
        return fullMatches.get(value, (v) => re.matches(v));
      },
      test: (value: string): boolean => re.test(value),
      toString: (): string => `/${source}/`,
    }),
  };
}

/** The `re2js` module, loaded on first compile: many runs (a `trace` of policies without CRD-pattern fields or HTTP rules) never compile a pattern. */
function re2js(): typeof import('re2js') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('re2js') as typeof import('re2js');
}

/** `error parsing regexp: invalid escape sequence: `\y`` → `invalid escape sequence: \y`. */
function describeError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.replace(/^error parsing regexp: /, '').replace(/`/g, '').split('\n')[0];
}
