// Peer.endpoints({ namespaceLabels }) is the pods of every namespace with those labels. Before Cilium 1.16 the agent adds
// the policy namespace to a CNP peer without a namespace key even when it has a namespace-labels key
// (pkg/k8s/apis/cilium.io/utils/utils.go `getEndpointSelector`, v1.14/v1.15: `!es.HasKey(podPrefixLbl) &&
// !es.HasKey(podAnyPrefixLbl)`), so there the rule writes `k8s:io.kubernetes.pod.namespace Exists` itself; from 1.16
// (cilium/cilium#30650) the output is unchanged.
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, CiliumVersion, EndpointSelector, Peer, Port } from '../../src';
import { verdictOf } from '../support/construct-verdicts';

const TEAM = 'io.cilium.k8s.namespace.labels.team';

function chartFor(version: CiliumVersion) {
  const chart = Testing.chart();
  CiliumVersion.use(chart, version);
  const policy = new CiliumPolicy(chart, 'p', { namespace: 'ns', endpointSelector: EndpointSelector.labels({ app: 'srv' }) });
  policy.denyIngress(Peer.endpoints({ namespaceLabels: { team: 'red' } }), { ports: [Port.tcp(80)] });
  policy.allowIngress(Peer.allNamespaces(), { ports: [Port.tcp(80)] });
  return chart;
}

describe('Peer.endpoints({ namespaceLabels }) by version', () => {
  test.each([
    // [version, from, verdict]
    ['1.14', `pod:other:app=cli,${TEAM}=red`, 'denied'],
    ['1.15', `pod:other:app=cli,${TEAM}=red`, 'denied'],
    ['1.15', `pod:ns:app=cli,${TEAM}=red`, 'denied'],
    ['1.15', `pod:other:app=cli,${TEAM}=blue`, 'allowed'],
    ['1.16', `pod:other:app=cli,${TEAM}=red`, 'denied'],
    ['1.16', `pod:other:app=cli,${TEAM}=blue`, 'allowed'],
    ['1.19', `pod:other:app=cli,${TEAM}=red`, 'denied'],
  ] as const)('Cilium %s: %s -> srv is %s', (version, from, verdict) => {
    const v = CiliumVersion.parse(version);
    expect(verdictOf(chartFor(v), from, 'pod:ns:app=srv', 80, { ciliumVersion: v })).toBe(verdict);
  });

  test('the namespace key is written before 1.16 only', () => {
    const peerOf = (v: CiliumVersion): unknown => (Testing.synth(chartFor(v))[0] as { spec: { ingressDeny: { fromEndpoints: unknown[] }[] } })
      .spec.ingressDeny[0].fromEndpoints[0];
    expect(peerOf(CiliumVersion.V1_15)).toEqual({
      matchLabels: { [`k8s:${TEAM}`]: 'red' },
      matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }],
    });
    expect(peerOf(CiliumVersion.V1_16)).toEqual({ matchLabels: { [`k8s:${TEAM}`]: 'red' } });
    expect(peerOf(CiliumVersion.V1_19)).toEqual({ matchLabels: { [`k8s:${TEAM}`]: 'red' } });
  });
});
