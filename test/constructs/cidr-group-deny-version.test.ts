// Before 1.16 the watcher resolves cidrGroupRef only in the fromCIDRSet of ingress allow rules (pkg/k8s/watchers
// `translateSpec` loops over spec.Ingress alone): a deny of a CIDR group denies no one there, so synthesis refuses it.
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, CiliumVersion, EndpointSelector, Peer } from '../../src';

function synthDeny(version: CiliumVersion, verb: 'denyIngress' | 'allowIngress'): () => unknown {
  const chart = Testing.chart();
  CiliumVersion.use(chart, version);
  const policy = new CiliumPolicy(chart, 'api', { namespace: 'shop', endpointSelector: EndpointSelector.labels({ app: 'api' }) });
  policy.allowIngress(Peer.endpoints({ labels: { app: 'web' } }));
  policy[verb](Peer.cidrGroup('corp'));
  return () => Testing.synth(chart);
}

describe('denyIngress(Peer.cidrGroup) by version', () => {
  test('1.14 and 1.15 refuse it, naming the check and the fix', () => {
    for (const v of [CiliumVersion.V1_14, CiliumVersion.V1_15]) {
      expect(synthDeny(v, 'denyIngress')).toThrow(
        /spec\.ingressDeny\[0\]\.fromCIDRSet\[0\]\.cidrGroupRef: cidrGroupRef in an ingressDeny fromCIDRSet needs Cilium 1\.16 or newer .* denies no one \(version-egress-cidr-group-ref\)/);
    }
  });

  test('an ingress allow of the group on 1.15, and the deny on 1.16 and 1.19, synthesize', () => {
    expect(synthDeny(CiliumVersion.V1_15, 'allowIngress')).not.toThrow();
    for (const v of [CiliumVersion.V1_16, CiliumVersion.V1_19]) {
      const manifests = synthDeny(v, 'denyIngress')() as { spec: { ingressDeny: unknown[] } }[];
      expect(manifests[0].spec.ingressDeny).toEqual([{ fromCIDRSet: [{ cidrGroupRef: 'corp' }] }]);
    }
  });
});

// In an egress allow the 1.14/1.15 agent's Sanitize parses the reference's empty cidr and refuses the whole policy.
describe('allowEgress(Peer.cidrGroup) by version', () => {
  const synthEgress = (version: CiliumVersion): (() => unknown) => {
    const chart = Testing.chart();
    CiliumVersion.use(chart, version);
    const policy = new CiliumPolicy(chart, 'api', { namespace: 'shop', endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    policy.allowEgress(Peer.cidrGroup('corp'));
    return () => Testing.synth(chart);
  };

  test('1.14 and 1.15 refuse it as a policy the agent refuses; 1.16 writes it', () => {
    for (const v of [CiliumVersion.V1_14, CiliumVersion.V1_15]) {
      expect(synthEgress(v)).toThrow(/spec\.egress\[0\]\.toCIDRSet\[0\]\.cidrGroupRef: cidrGroupRef "corp" in an egress toCIDRSet needs Cilium 1\.16 .* refuses the whole policy \(sanitize-egress-cidr-group-ref\)/);
    }
    const manifests = synthEgress(CiliumVersion.V1_16)() as { spec: { egress: unknown[] } }[];
    expect(manifests[0].spec.egress).toEqual([{ toCIDRSet: [{ cidrGroupRef: 'corp' }] }]);
  });
});
