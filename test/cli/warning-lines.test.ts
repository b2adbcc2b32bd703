// trace/replay's text warnings: many of one id in one file are one line, but never hiding which policy is skipped or
// where the others are (session 40 review).
import { describe, expect, test } from 'vitest';
import { Severity } from '../../src/core/errors';
import { SourceDiagnostic } from '../../src/model/parse-result';
import { warningLines } from '../../src/cli/trace';

function warning(id: string, message: string, line?: number, file = 'p.yaml'): SourceDiagnostic {
  return { id, severity: Severity.WARNING, message, file, ...(line !== undefined ? { line } : {}) };
}

describe('warningLines', () => {
  test('skipped policies are each named on their line, however many', () => {
    const skipped = [1, 2, 3, 4, 5, 6].map((i) => warning('engine-policy-skipped', `CiliumNetworkPolicy shop/p${i} is skipped`, i * 10));
    expect(warningLines(skipped)).toEqual(skipped.map((d) => `p.yaml:${d.line}: ${d.message} (engine-policy-skipped)`));
  });

  test('warnings without a line are not collapsed (nothing would tell them apart)', () => {
    const noLine = [1, 2, 3, 4, 5].map((i) => warning('parse-missing-kind', `no kind ${i}`));
    expect(warningLines(noLine)).toEqual(noLine.map((d) => `p.yaml: ${d.message} (parse-missing-kind)`));
  });

  test('the distinct lines of the collapsed ones; … only when some are left out', () => {
    const four = [1, 4, 7, 10].map((line) => warning('parse-missing-kind', 'no kind', line));
    expect(warningLines(four)).toEqual(['p.yaml:1: no kind (parse-missing-kind); and 3 more parse-missing-kind warnings in p.yaml '
      + '(at lines 4, 7, 10; cdk8s-cilium validate lists each)']);
    const five = [1, 4, 7, 10, 13].map((line) => warning('parse-missing-kind', 'no kind', line));
    expect(warningLines(five)[0]).toContain('and 4 more parse-missing-kind warnings in p.yaml (at lines 4, 7, 10, …;');
    const sameLine = [7, 7, 7, 7, 7].map((line) => warning('parse-wrong-type', 'wrong', line));
    expect(warningLines(sameLine)).toEqual(['p.yaml:7: wrong (parse-wrong-type); and 4 more parse-wrong-type warnings in p.yaml '
      + '(at line 7; cdk8s-cilium validate lists each)']);
  });

  test('the order of first appearance is kept, the uncollapsed among the groups', () => {
    const ds = [warning('a', 'a1', 1), warning('engine-policy-skipped', 's', 2), warning('a', 'a2', 3), warning('b', 'b', 4)];
    expect(warningLines(ds)).toEqual(['p.yaml:1: a1 (a)', 'p.yaml:3: a2 (a)', 'p.yaml:2: s (engine-policy-skipped)', 'p.yaml:4: b (b)']);
  });
});
