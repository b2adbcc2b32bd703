// The `sanitize-cnp-subject-namespace` warning says what the agent does with a namespace match in a CNP endpointSelector:
// a `k8s:` match label is replaced by the policy namespace; matchExpressions (and source-less labels) are kept and AND'ed.
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { validatePolicy } from '../../src/validate';
import { PolicyKind } from '../../src/model/policy-model';

function findings(endpointSelector: Record<string, unknown>): string[] {
  return validatePolicy({
    kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'shop' }, spec: { endpointSelector, ingress: [{}] },
  }, { version: CiliumVersion.DEFAULT }).filter((d) => d.id === 'sanitize-cnp-subject-namespace').map((d) => d.message);
}

describe('sanitize-cnp-subject-namespace', () => {
  test('a k8s: match label on another namespace is replaced', () => {
    expect(findings({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } })).toEqual([
      'the agent replaces the k8s:io.kubernetes.pod.namespace match ("other") of a CiliumNetworkPolicy endpointSelector with the policy\'s namespace "shop"',
    ]);
  });
  test('a matchExpressions entry is kept: NotIn [own] selects no pod', () => {
    const [m] = findings({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['shop'] }] });
    expect(m).toMatch(/is kept and AND'ed with the policy's namespace "shop", so the policy selects no pod/);
    expect(m).not.toMatch(/replaces/);
  });
  test('a matchExpressions entry that keeps the own namespace has no effect; In [own] alone is fine', () => {
    expect(findings({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['shop', 'x'] }] })[0]).toMatch(/so it has no effect/);
    expect(findings({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['shop'] }] })).toEqual([]);
  });
  test('a source-less namespace label on another namespace is kept: the policy selects no pod', () => {
    expect(findings({ matchLabels: { 'io.kubernetes.pod.namespace': 'other' } })[0]).toMatch(/is kept next to the policy's namespace "shop", so the policy selects no pod/);
  });
});
