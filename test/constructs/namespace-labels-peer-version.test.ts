// Peer.endpoints({ namespaceLabels }) is the pods of every namespace with those labels. Before Cilium 1.16 the agent adds
// the policy namespace to a CNP peer without a namespace key even when it has a namespace-labels key
// (pkg/k8s/apis/cilium.io/utils/utils.go `getEndpointSelector`, v1.14/v1.15: `!es.HasKey(podPrefixLbl) &&
// !es.HasKey(podAnyPrefixLbl)`), so there the rule writes `k8s:io.kubernetes.pod.namespace Exists` itself; from 1.16
// (cilium/cilium#30650) the output is unchanged.
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, CiliumVersion, DefaultDenyNamespace, EndpointSelector, IPeer, Peer, Port } from '../../src';
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

// Decided by the selector's keys, not by which factory made the peer: a peer judged again (DefaultDenyNamespace scrapeFrom),
// a peer of one's own answering Peer.endpoints()'s config, and Peer.selectedBy() with a namespace-labels key.
describe('the namespace key before 1.16 whichever peer holds the namespace-labels key', () => {
  const PROM_MON = `pod:monitoring:app=prom,${TEAM}=mon`;

  test.each(['1.15', '1.16'] as const)('Cilium %s: DefaultDenyNamespace scrapeFrom lets the labelled namespaces\' scraper in', (version) => {
    const v = CiliumVersion.parse(version);
    const chart = Testing.chart();
    CiliumVersion.use(chart, v);
    new DefaultDenyNamespace(chart, 'deny', {
      namespace: 'payments',
      scrapeFrom: Peer.endpoints({ namespaceLabels: { team: 'mon' }, labels: { app: 'prom' } }),
      scrapePorts: [Port.tcp(9090)],
    });
    expect(verdictOf(chart, PROM_MON, 'pod:payments:app=api', 9090, { ciliumVersion: v })).toBe('allowed');
    expect(verdictOf(chart, `pod:monitoring:app=prom,${TEAM}=blue`, 'pod:payments:app=api', 9090, { ciliumVersion: v })).toBe('denied');
  });

  const denying = (peer: IPeer, v: CiliumVersion) => {
    const chart = Testing.chart();
    CiliumVersion.use(chart, v);
    const policy = new CiliumPolicy(chart, 'p', { namespace: 'ns', endpointSelector: EndpointSelector.labels({ app: 'srv' }) });
    policy.denyIngress(peer, { ports: [Port.tcp(80)] });
    policy.allowIngress(Peer.allNamespaces(), { ports: [Port.tcp(80)] });
    return chart;
  };
  const custom = (): IPeer => ({ toPeerConfig: () => Peer.endpoints({ namespaceLabels: { team: 'red' } }).toPeerConfig() });
  const selected = (): IPeer => Peer.selectedBy(EndpointSelector.labels({ [`k8s:${TEAM}`]: 'red' }));

  test.each([
    ['a peer of one\'s own', custom],
    ['Peer.selectedBy() with a namespace-labels key', selected],
  ] as const)('Cilium 1.15 and 1.16: a deny of %s denies the labelled namespaces\' pods, and no other', (_what, make) => {
    for (const version of ['1.15', '1.16'] as const) {
      const v = CiliumVersion.parse(version);
      const chart = denying(make(), v);
      expect(verdictOf(chart, `pod:other:app=cli,${TEAM}=red`, 'pod:ns:app=srv', 80, { ciliumVersion: v })).toBe('denied');
      expect(verdictOf(chart, `pod:ns:app=cli,${TEAM}=red`, 'pod:ns:app=srv', 80, { ciliumVersion: v })).toBe('denied');
      expect(verdictOf(chart, `pod:other:app=cli,${TEAM}=blue`, 'pod:ns:app=srv', 80, { ciliumVersion: v })).toBe('allowed');
    }
  });
});
