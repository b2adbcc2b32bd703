import { describe, expect, test } from 'vitest';
import { CiliumVersion, DefaultDenyNamespace, DnsRule, Peer, Port } from '../../src';
import { chart, synth, synthError } from '../support/synth';

describe('DefaultDenyNamespace', () => {
  test('denies both directions with the {} idiom and keeps DNS and host probes in the same resource', () => {
    const c = chart('payments');
    new DefaultDenyNamespace(c, 'deny');
    const [cnp] = synth(c);
    expect(cnp.metadata).toEqual({ name: 'default-deny', namespace: 'payments', annotations: { 'cdk8s-cilium.io/cilium-version': '1.19' } });
    expect(cnp.spec.endpointSelector).toEqual({});
    expect(cnp.spec.ingress).toEqual([{}, { fromEntities: ['host'] }]);
    expect(cnp.spec.egress).toEqual([
      {},
      {
        toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
        toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }],
      },
    ]);
    expect(cnp.spec.enableDefaultDeny).toBeUndefined();
  });

  test('never writes an empty list', () => {
    const c = chart('ns');
    new DefaultDenyNamespace(c, 'deny', { ingress: true, egress: false, allowHostProbes: false });
    const [cnp] = synth(c);
    expect(cnp.spec).toEqual({ description: 'default deny ingress for namespace ns', endpointSelector: {}, ingress: [{}] });
  });

  test('options: within the namespace, API server, scraping, custom DNS server and names', () => {
    const c = chart('team');
    new DefaultDenyNamespace(c, 'deny', {
      allowWithinNamespace: true,
      allowKubeApiServer: true,
      scrapeFrom: Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } }),
      scrapePorts: [Port.tcp(9090)],
      dnsServer: Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } }),
      dnsRules: [DnsRule.pattern('*.svc.cluster.local'), DnsRule.exact('api.example.com')],
    });
    const [cnp] = synth(c);
    expect(cnp.spec.ingress).toContainEqual({ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'team' } }] });
    expect(cnp.spec.ingress).toContainEqual({
      fromEndpoints: [{ matchLabels: { 'app': 'prometheus', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } }],
      toPorts: [{ ports: [{ port: '9090', protocol: 'TCP' }] }],
    });
    expect(cnp.spec.egress).toContainEqual({ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'team' } }] });
    expect(cnp.spec.egress).toContainEqual({ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }, { port: '6443', protocol: 'TCP' }] }] });
    expect(cnp.spec.egress[1].toEndpoints).toEqual([{ matchLabels: { 'k8s-app': 'node-local-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }]);
    expect(cnp.spec.egress[1].toPorts[0].rules.dns).toEqual([{ matchPattern: '*.svc.cluster.local' }, { matchName: 'api.example.com' }]);
  });

  test('staged rollout selects the pods without switching them to default deny', () => {
    const c = chart('ns');
    new DefaultDenyNamespace(c, 'deny', { stagedRollout: true });
    const [cnp] = synth(c);
    expect(cnp.spec.enableDefaultDeny).toEqual({ ingress: false, egress: false });
    expect(cnp.spec.ingress[0]).toEqual({});
    expect(cnp.spec.description).toMatch(/staged/);
  });

  test('blocking the metadata endpoint on an ingress-only default deny does not flip egress', () => {
    const c = chart('ns');
    new DefaultDenyNamespace(c, 'deny', { egress: false, blockMetadataEndpoint: true });
    const [cnp] = synth(c);
    expect(cnp.spec.egressDeny).toEqual([{ toCIDR: ['169.254.169.254/32', 'fd00:ec2::254/128', 'fd20:ce::254/128'] }]);
    expect(cnp.spec.enableDefaultDeny).toEqual({ egress: false });
    expect(cnp.spec.egress).toBeUndefined();
  });

  test('fails when staged rollout targets a Cilium without enableDefaultDeny', () => {
    const c = chart('ns', CiliumVersion.V1_15);
    new DefaultDenyNamespace(c, 'deny', { stagedRollout: true });
    expect(synthError(c)).toMatch(/enableDefaultDeny needs Cilium 1\.16/);
  });

  test('fails without a namespace', () => {
    expect(() => new DefaultDenyNamespace(chart(), 'deny')).toThrow(/DefaultDenyNamespace needs a namespace/);
  });

  test('fails when both directions are off', () => {
    expect(() => new DefaultDenyNamespace(chart('ns'), 'deny', { ingress: false, egress: false })).toThrow(/denies nothing/);
  });
});
