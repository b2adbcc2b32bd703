// Property: a valid program with one invalid piece (arbitraries.ts `invalidCategories`) always fails with the SDK's own
// error: a CiliumPolicyError (with a fix) at the call, or a synthesis error naming one of the piece's check ids. Never a
// crash (TypeError, RangeError, …) and never a manifest. And soundness for programs mixing valid and invalid pieces:
// whatever synthesizes is CRD-valid, and a program with an invalid piece never synthesizes.
import { Testing } from 'cdk8s';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { Severity } from '../../src';
import { crdSchemas } from '../support/crd';
import { propertyParams } from '../support/property';
import { InvalidPiece, Program, VERSIONS, buildProgram, invalidCategories, invalidProgram, mixedProgram } from './arbitraries';

/** Runs per category (`PROPERTY_RUNS_INVALID_CATEGORY`) and of the mixed property (`PROPERTY_RUNS_INVALID_MIXED`); see propertyParams. */
const CATEGORY_RUNS = 10;
const MIXED_RUNS = 100;

beforeAll(() => {
  for (const v of VERSIONS) crdSchemas(v).load();
});

/** What happened to a program. */
type Outcome =
  | { readonly kind: 'thrown'; readonly error: unknown }
  | { readonly kind: 'synth-error'; readonly error: unknown }
  | { readonly kind: 'synthesized'; readonly manifests: any[]; readonly violations: string[]; readonly errors: string[] };

function run(p: Program): Outcome {
  let built: ReturnType<typeof buildProgram>;
  try {
    built = buildProgram(p);
  } catch (error) {
    return { kind: 'thrown', error };
  }
  let manifests: any[];
  try {
    manifests = Testing.synth(built.chart);
  } catch (error) {
    return { kind: 'synth-error', error };
  }
  const violations = manifests.flatMap((m) => crdSchemas(p.version).validate(m).map((v) => v.message));
  const errors = built.policy.synthesizeModel().diagnostics.filter((d) => d.severity === Severity.ERROR).map((d) => d.id);
  return { kind: 'synthesized', manifests, violations, errors };
}

/** The check ids in a synthesis error: every reported problem ends with `(id)`. */
function reportedIds(message: string): string[] {
  const problems = message.split('\n').filter((l) => /^ {2}\[/.test(l));
  return problems.map((l) => /\(([a-z0-9]+(?:-[a-z0-9]+)+)\)$/.exec(l)?.[1] ?? `<no id: ${l}>`);
}

/** Asserts that an outcome is the SDK's own refusal, naming one of `expected` (when given), and returns the ids it named. */
function expectRefused(outcome: Outcome, expected?: readonly string[]): string[] {
  if (outcome.kind === 'synthesized') {
    expect.fail(`synthesized although invalid; CRD violations: ${JSON.stringify(outcome.violations)}\n${JSON.stringify(outcome.manifests)}`);
  }
  const error = outcome.error;
  expect(error).toBeInstanceOf(Error);
  const e = error as Error & { id?: unknown };
  if (outcome.kind === 'thrown') {
    expect(e.name, `thrown at the call: ${e.stack}`).toBe('CiliumPolicyError');
    expect(e.message).toContain('fix:');
    expect(typeof e.id).toBe('string');
    expect(e.message).toContain(`(${String(e.id)})`);
    if (expected) expect(expected).toContain(e.id);
    return [String(e.id)];
  }
  // cdk8s reports validation errors as a plain Error; anything else (TypeError from a Lazy, …) is a crash.
  expect(e.constructor, `crash during synthesis: ${e.stack}`).toBe(Error);
  expect(e.message).toMatch(/^Validation failed with the following errors:/);
  const ids = reportedIds(e.message);
  expect(ids.length).toBeGreaterThan(0);
  expect(ids.filter((id) => id.startsWith('<no id'))).toEqual([]);
  if (expected) expect(ids.filter((id) => expected.includes(id)), `expected one of ${expected.join(', ')} in:\n${e.message}`).not.toEqual([]);
  return ids;
}

function expectedIds(pieces: readonly InvalidPiece[]): string[] {
  return [...new Set(pieces.flatMap((p) => p.expect))];
}

describe('invalid inputs are refused with the SDK\'s own error', () => {
  test.each(invalidCategories.map((c) => [c.name, c] as const))('%s', (_name, category) => {
    fc.assert(fc.property(invalidProgram(category), ({ program, pieces }) => {
      expectRefused(run(program), expectedIds(pieces));
    }), propertyParams('INVALID_CATEGORY', CATEGORY_RUNS));
  });
});

describe('soundness on programs mixing valid and invalid pieces', () => {
  test('whatever synthesizes is CRD-valid, and nothing invalid synthesizes', () => {
    fc.assert(fc.property(mixedProgram(), ({ program, pieces }) => {
      const outcome = run(program);
      if (outcome.kind === 'synthesized') {
        expect(outcome.violations, `CRD v${program.version}`).toEqual([]);
        expect(outcome.errors).toEqual([]);
      }
      if (pieces.length === 0) {
        expect(outcome.kind, outcome.kind === 'synthesized' ? '' : String((outcome.error as Error).message)).toBe('synthesized');
      } else {
        expectRefused(outcome, expectedIds(pieces));
      }
    }), propertyParams('INVALID_MIXED', MIXED_RUNS));
  });
});
