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

// Review: a Helm values file (`helm create` writes `nodeSelector: {}` beside an `ingress:` block) or a pod spec patch is
// no policy: a warning that it is skipped, never an error that fails the gate or stops trace.
describe('a document without kind that is no policy', () => {
  const HELM_VALUES = 'replicaCount: 1\nnodeSelector: {}\ningress:\n  enabled: false\nspec: {replicas: 3}\n';

  it('is a warning of validate (it passes) and trace reads the rest', () => {
    const policy = `${KINDLESS.replace('metadata:', 'kind: CiliumNetworkPolicy\nmetadata:')}  ingress: [{fromEntities: [cluster]}]\n`;
    const report = check({ 'values.yaml': HELM_VALUES, 'p.yaml': policy });
    expect(errorIds(report)).toEqual([]);
    expect(report.diagnostics.map((d) => `${d.severity} ${d.id}`)).toContain('warning parse-missing-kind');
    expect(policyInputError(PolicySet.fromTexts([{ file: 'values.yaml', text: HELM_VALUES }]))).toBeUndefined();
  });

  it('a rule as its spec (endpointSelector or nodeSelector beside ingress/egress), or as itself, is a policy: an error', () => {
    for (const text of [
      'metadata: {name: web}\nspec:\n  nodeSelector: {}\n  ingress: [{fromEntities: [cluster]}]\n',
      'specs:\n- endpointSelector: {}\n  egressDeny: [{toEntities: [world]}]\n',
      'endpointSelector: {matchLabels: {app: web}}\negress: [{toEntities: [world]}]\n',
    ]) {
      expect(errorIds(check({ 'p.yaml': text }))).toEqual(['parse-missing-kind']);
    }
  });
});
