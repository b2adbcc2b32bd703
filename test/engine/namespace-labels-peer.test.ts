// A CiliumNetworkPolicy peer selecting by namespace labels (`io.cilium.k8s.namespace.labels.<key>`) and no namespace key:
// from Cilium 1.16 (cilium/cilium#30650, pkg/k8s/apis/cilium.io/utils/utils.go `getEndpointSelector`,
// `podK8SNamespaceLabelsPrefix`) the agent adds no policy namespace, so the peer is every pod of the labelled namespaces;
// 1.14 and 1.15 check only the namespace key (`podPrefixLbl`, `podAnyPrefixLbl`) and add the policy namespace, so the peer
// is the labelled namespace's pods only if it is the policy's own namespace (cilium/cilium#30149). CCNP peers are the same
// in every version (no namespace is added to a selector of the clusterwide policy either way).
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src';
import { ccnp, cnp, policySet, verdict } from './helpers';

const TEAM = 'io.cilium.k8s.namespace.labels.team';
const DOCS = [
  cnp('team-blue', {
    endpointSelector: { matchLabels: { app: 'srv' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { [TEAM]: 'blue' } }] }],
    egressDeny: [{ toEndpoints: [{ matchLabels: { [`k8s:${TEAM}`]: 'red' } }] }],
    egress: [{ toEndpoints: [{}] }, { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }] }],
  }, 'ns'),
  ccnp('db', { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { [TEAM]: 'blue' } }] }] }),
];
const BLUE_OTHER = `pod:other:app=cli,${TEAM}=blue`;
const BLUE_OWN = `pod:ns:app=cli,${TEAM}=blue`;
const GREEN_OWN = `pod:ns:app=cli,${TEAM}=green`;
const RED_OTHER = `pod:other:app=x,${TEAM}=red`;
const RED_OWN = `pod:ns:app=x,${TEAM}=red`;

describe('CNP namespace-labels peers, per Cilium version', () => {
  test.each([
    // [version, from, to, allowed]
    ['1.15', BLUE_OTHER, 'pod:ns:app=srv', false],
    ['1.15', BLUE_OWN, 'pod:ns:app=srv', true],
    ['1.15', GREEN_OWN, 'pod:ns:app=srv', false],
    // The deny names the red pods of `ns` only on 1.15: a red pod of `other` is allowed (egress to `other`); 1.16 denies it.
    ['1.15', 'pod:ns:app=srv', RED_OWN, false],
    ['1.15', 'pod:ns:app=srv', RED_OTHER, true],
    ['1.16', 'pod:ns:app=srv', RED_OTHER, false],
    ['1.16', 'pod:ns:app=srv', 'pod:other:app=x', true],
    ['1.14', BLUE_OTHER, 'pod:ns:app=srv', false],
    ['1.16', BLUE_OTHER, 'pod:ns:app=srv', true],
    ['1.16', BLUE_OWN, 'pod:ns:app=srv', true],
    ['1.16', GREEN_OWN, 'pod:ns:app=srv', false],
    ['1.19', BLUE_OTHER, 'pod:ns:app=srv', true],
    ['1.19', `pod:other:app=cli,${TEAM}=green`, 'pod:ns:app=srv', false],
    // CCNP: every labelled namespace in every version.
    ['1.15', BLUE_OTHER, 'pod:ns:app=db', true],
    ['1.15', `pod:other:app=cli,${TEAM}=green`, 'pod:ns:app=db', false],
    ['1.19', BLUE_OTHER, 'pod:ns:app=db', true],
  ] as const)('Cilium %s: %s -> %s allowed=%s', (version, from, to, allowed) => {
    const set = policySet(DOCS, { ciliumVersion: CiliumVersion.parse(version) });
    const v = verdict(set, from, to, '80/TCP');
    expect(v.allowed).toBe(allowed);
  });

  test('the deciding rule: 1.15 denies a labelled pod of another namespace by default deny, 1.16 allows it by the rule', () => {
    const old = verdict(policySet(DOCS, { ciliumVersion: CiliumVersion.V1_15 }), BLUE_OTHER, 'pod:ns:app=srv', '80/TCP');
    expect(old.ingress.decision).toBe('default-deny');
    expect(old.ingress.rule).toBeUndefined();
    const now = verdict(policySet(DOCS, { ciliumVersion: CiliumVersion.V1_16 }), BLUE_OTHER, 'pod:ns:app=srv', '80/TCP');
    expect(now.ingress.rule?.path).toBe('spec.ingress[0]');
  });
});
