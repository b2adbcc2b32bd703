import { describe, expect, test } from 'vitest';
import { CiliumVersion, ClusterDefaultDeny } from '../../src';
import { chart, synth } from '../support/synth';

const DNS_PORTS = { ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }] };

describe('ClusterDefaultDeny', () => {
  test('selects only pods outside the system namespaces, never namespace-less endpoints', () => {
    const c = chart('ignored');
    new ClusterDefaultDeny(c, 'baseline');
    const [ccnp] = synth(c);
    expect(ccnp.kind).toBe('CiliumClusterwideNetworkPolicy');
    expect(ccnp.metadata).toEqual({ name: 'cluster-default-deny', annotations: { 'cdk8s-cilium.io/cilium-version': '1.19' } });
    expect(ccnp.specs[0].endpointSelector).toEqual({
      matchExpressions: [
        { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' },
        { key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['cilium', 'kube-node-lease', 'kube-public', 'kube-system'] },
      ],
    });
    expect(ccnp.specs[0].ingress).toEqual([{}, { fromEntities: ['host'] }]);
  });

  test('ingress only: no egress rule at all, and DNS kept reachable by an additive rule in the same resource', () => {
    const c = chart();
    new ClusterDefaultDeny(c, 'baseline', { excludedNamespaces: ['kube-system', 'monitoring'] });
    const [ccnp] = synth(c);
    expect(ccnp.specs[0].egress).toBeUndefined();
    expect(ccnp.specs[0].enableDefaultDeny).toBeUndefined();
    expect(ccnp.specs[1]).toEqual({
      description: 'keep DNS reachable from every pod and node',
      endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } },
      enableDefaultDeny: { ingress: false },
      ingress: [
        { fromEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }], toPorts: [DNS_PORTS] },
        { fromEntities: ['host', 'remote-node'], toPorts: [DNS_PORTS] },
      ],
    });
  });

  test('on Cilium 1.15, with the DNS namespace excluded, the DNS rule is left out (it could not be additive)', () => {
    const c = chart(undefined, CiliumVersion.V1_15);
    new ClusterDefaultDeny(c, 'baseline');
    const [ccnp] = synth(c);
    expect(ccnp.specs).toBeUndefined();
    expect(ccnp.spec.egress).toBeUndefined();
    expect(ccnp.spec.enableDefaultDeny).toBeUndefined();
  });

  test('egress too: {} idiom plus the DNS companion', () => {
    const c = chart();
    new ClusterDefaultDeny(c, 'baseline', { egress: true });
    const [ccnp] = synth(c);
    expect(ccnp.specs[0].egress[0]).toEqual({});
    expect(ccnp.specs[0].egress[1].toEndpoints[0].matchLabels['k8s:k8s-app']).toBe('kube-dns');
    expect(ccnp.specs[0].egress[1].toPorts[0].rules).toEqual({ dns: [{ matchPattern: '*' }] });
  });

  test('DNS visibility on request: the proxy sees every lookup without egress default deny', () => {
    const c = chart();
    new ClusterDefaultDeny(c, 'baseline', { dnsVisibility: true });
    const [ccnp] = synth(c);
    expect(ccnp.specs[0].enableDefaultDeny).toEqual({ egress: false });
    expect(ccnp.specs[0].egress[0].toPorts[0]).toEqual({ ...DNS_PORTS, rules: { dns: [{ matchPattern: '*' }] } });
  });

  test('when the DNS namespace is not excluded, the DNS rule re-opens 53 on pods this policy denies', () => {
    const c = chart();
    new ClusterDefaultDeny(c, 'baseline', { excludedNamespaces: ['cilium'] });
    const [ccnp] = synth(c);
    expect(ccnp.specs).toHaveLength(2);
    expect(ccnp.specs[1].enableDefaultDeny).toBeUndefined();
    expect(ccnp.specs[1].ingress).toHaveLength(2);
  });

  test('fails when both directions are off', () => {
    expect(() => new ClusterDefaultDeny(chart(), 'x', { ingress: false, egress: false })).toThrow(/denies nothing/);
  });
});
