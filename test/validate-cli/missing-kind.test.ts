// A document that looks like a Cilium policy but has no kind: kubectl refuses it ("Object 'Kind' is missing"), so validate
// fails on it and the commands that judge policies refuse the input, never a verdict without the policy.
import { describe, expect, it } from 'vitest';
import { policyInputError } from '../../src/cli/trace';
import { PolicySet } from '../../src/engine';
import { check, errorIds } from './helpers';

const KINDLESS = 'apiVersion: cilium.io/v2\nmetadata: {name: web, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n';

describe('a Cilium policy without kind', () => {
  it('is an error of validate (it fails), at the document', () => {
    const report = check({ 'p.yaml': KINDLESS });
    expect(errorIds(report)).toEqual(['parse-missing-kind']);
    expect(report.summary.passed).toBe(false);
    const d = report.diagnostics.find((x) => x.id === 'parse-missing-kind');
    expect([d?.file, d?.line, d?.message]).toEqual(['p.yaml', 1, expect.stringContaining('kubectl refuses it')]);
  });

  it('is refused by trace, replay, diff and draft (exit 2), naming the file and line', () => {
    const e = policyInputError(PolicySet.fromTexts([{ file: 'p.yaml', text: KINDLESS }]));
    expect(e?.id).toBe('parse-missing-kind');
    expect(e?.message).toMatch(/^p\.yaml:1.*no kind/);
  });
});
