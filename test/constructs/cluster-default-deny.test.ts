import { describe, expect, test } from 'vitest';
import { CiliumVersion, ClusterDefaultDeny } from '../../src';
import { chart, synth } from '../support/synth';

describe('ClusterDefaultDeny', () => {
  test('selects only pods outside the system namespaces, never namespace-less endpoints', () => {
    const c = chart('ignored');
    new ClusterDefaultDeny(c, 'baseline');
    const [ccnp] = synth(c);
    expect(ccnp.kind).toBe('CiliumClusterwideNetworkPolicy');
    expect(ccnp.metadata).toEqual({ name: 'cluster-default-deny' });
    expect(ccnp.spec.endpointSelector).toEqual({
      matchExpressions: [
        { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' },
        { key: 'k8s:io.kubernetes.pod.namespace', operator: 'NotIn', values: ['cilium', 'kube-node-lease', 'kube-public', 'kube-system'] },
      ],
    });
    expect(ccnp.spec.ingress).toEqual([{}, { fromEntities: ['host', 'health'] }]);
  });

  test('ingress only: DNS goes through the proxy in the same resource without flipping egress', () => {
    const c = chart();
    new ClusterDefaultDeny(c, 'baseline', { excludedNamespaces: ['kube-system', 'monitoring'] });
    const [ccnp] = synth(c);
    expect(ccnp.spec.enableDefaultDeny).toEqual({ egress: false });
    expect(ccnp.spec.egress).toHaveLength(1);
    expect(ccnp.spec.egress[0].toPorts[0]).toEqual({
      ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }],
      rules: { dns: [{ matchPattern: '*' }] },
    });
  });

  test('on Cilium 1.15 an ingress-only default deny leaves egress alone entirely', () => {
    const c = chart(undefined, CiliumVersion.V1_15);
    new ClusterDefaultDeny(c, 'baseline');
    const [ccnp] = synth(c);
    expect(ccnp.spec.egress).toBeUndefined();
    expect(ccnp.spec.enableDefaultDeny).toBeUndefined();
  });

  test('egress too: {} idiom plus the DNS companion', () => {
    const c = chart();
    new ClusterDefaultDeny(c, 'baseline', { egress: true });
    const [ccnp] = synth(c);
    expect(ccnp.spec.egress[0]).toEqual({});
    expect(ccnp.spec.egress[1].toEndpoints[0].matchLabels['k8s:k8s-app']).toBe('kube-dns');
    expect(ccnp.spec.enableDefaultDeny).toBeUndefined();
  });

  test('when the DNS namespace is not excluded, a second rule keeps DNS reachable (specs)', () => {
    const c = chart();
    new ClusterDefaultDeny(c, 'baseline', { excludedNamespaces: ['cilium'] });
    const [ccnp] = synth(c);
    expect(ccnp.spec).toBeUndefined();
    expect(ccnp.specs).toHaveLength(2);
    expect(ccnp.specs[1].endpointSelector).toEqual({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } });
    expect(ccnp.specs[1].ingress).toEqual([
      {
        fromEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }],
        toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }] }],
      },
      { fromEntities: ['host'], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }] }] },
    ]);
  });
});
