// A `node:` endpoint written with a reserved label (`reserved:host`, `reserved:remote-node`): which reserved label a node's
// identity carries is Cilium's, not the node's. pkg/node/manager `nodeIdentityLabels` gives another node reserved:remote-node
// and its labels through `Map2Labels(n.Labels, "node")`, the local node reserved:host; pkg/endpoint `InitWithNodeLabels`
// gives the host endpoint reserved:host and `Map2Labels(nodeLabels, "k8s")`; pkg/labels `NewLabel` lets the source given win
// over one the key seems to say, so no node label becomes reserved. Before session 52 the engine copied the written reserved
// labels into the identity: a remote node was reserved:host as well, and `toEntities: [host]` allowed it.
import { describe, expect, test } from 'vitest';
import { Endpoint, Endpoints } from '../../src/engine';
import { ccnp, cnp, labels, policySet } from './helpers';

const TO_HOST = cnp('to-host', {
  endpointSelector: labels({ app: 'web' }),
  egress: [{ toEntities: ['host'] }, { toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
}, 'prod');
const TO_REMOTE = cnp('to-remote', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['remote-node'] }] }, 'prod');

function decision(docs: Record<string, unknown>[], to: string, podNode: string, nodeSelectorLabels: boolean): string {
  const set = policySet(docs, { nodeSelectorLabels });
  return set.verdict({ from: { ...set.endpoint('pod:prod:app=web'), nodeName: podNode }, to: set.endpoint(to), protocol: 'TCP', port: 10250 })
    .egress.decision;
}

describe('a node written with a reserved label is still the local host or another node, by where the pod runs', () => {
  test.each([false, true])('toEntities: [host] allows the local node only (node selector labels %s)', (nsl) => {
    for (const to of ['node:reserved:host,kubernetes.io/hostname=n1', 'node:kubernetes.io/hostname=n1', 'node:reserved:remote-node,kubernetes.io/hostname=n1']) {
      expect([to, decision([TO_HOST], to, 'n1', nsl)]).toEqual([to, 'allowed']);
      // From a pod on n2, n1 is a remote node (reserved:remote-node), whatever the endpoint was written with.
      expect([to, decision([TO_HOST], to, 'n2', nsl)]).toEqual([to, 'default-deny']);
    }
  });

  test.each([false, true])('toEntities: [remote-node] allows another node only (node selector labels %s)', (nsl) => {
    for (const to of ['node:reserved:remote-node,kubernetes.io/hostname=n1', 'node:reserved:host,kubernetes.io/hostname=n1']) {
      expect([to, decision([TO_REMOTE], to, 'n2', nsl)]).toEqual([to, 'allowed']);
      expect([to, decision([TO_REMOTE], to, 'n1', nsl)]).toEqual([to, 'default-deny']);
    }
  });

  test('the host endpoint as a subject carries reserved:host and its node labels of source k8s, never reserved:remote-node', () => {
    const docs = [
      ccnp('remote-only', {
        nodeSelector: labels({ 'reserved:remote-node': '' }),
        ingress: [{ fromCIDR: ['203.0.113.0/24'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }],
      }),
      ccnp('hosts', {
        nodeSelector: labels({ 'reserved:host': '' }),
        ingress: [{ fromCIDR: ['192.0.2.0/24'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] }],
      }),
      ccnp('cp-ssh', {
        nodeSelector: labels({ 'k8s:role': 'cp' }),
        ingress: [{ fromCIDR: ['203.0.113.0/24'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }],
      }),
    ];
    const set = policySet(docs, { hostFirewall: true });
    const judge = (from: string, to: string | Endpoint, port: number): [string, string, string, readonly string[]] => {
      const v = set.verdict({ from: set.endpoint(from), to: typeof to === 'string' ? set.endpoint(to) : to, protocol: 'TCP', port });
      return [typeof to === 'string' ? to : JSON.stringify(to.labels), v.ingress.decision, v.ingress.rule?.name ?? '-', v.ingress.policies.map((p) => p.name).sort()];
    };
    // Cilium gives the host endpoint its node's labels of source k8s whatever source they are written with (pkg/labels
    // NewLabel: the source given wins): the node `role=cp` is selected by `k8s:role: cp`, written plain, node: or k8s:.
    const cp: (string | Endpoint)[] = ['node:role=cp,kubernetes.io/hostname=n1', 'node:node:role=cp,kubernetes.io/hostname=n1',
      'node:reserved:remote-node,role=cp,kubernetes.io/hostname=n1', Endpoints.node({ 'k8s:role': 'cp', 'kubernetes.io/hostname': 'n1' }),
      Endpoints.node({ 'container:role': 'cp', 'kubernetes.io/hostname': 'n1' })];
    for (const to of cp) {
      const shown = typeof to === 'string' ? to : JSON.stringify(to.labels);
      // Selected by cp-ssh and hosts (reserved:host selects every host endpoint), never by remote-only.
      expect(judge('cidr:203.0.113.5', to, 22)).toEqual([shown, 'allowed', 'cp-ssh', ['cp-ssh', 'hosts']]);
      expect(judge('cidr:198.51.100.7', to, 22)).toEqual([shown, 'default-deny', '-', ['cp-ssh', 'hosts']]);
      expect(judge('cidr:192.0.2.9', to, 10250)).toEqual([shown, 'allowed', 'hosts', ['cp-ssh', 'hosts']]);
    }
    // A node without role=cp: only the reserved:host policy selects it (22/TCP is denied, not allowed by remote-only).
    for (const to of ['node:kubernetes.io/hostname=n2', 'node:reserved:remote-node,kubernetes.io/hostname=n2', 'node:node:role=worker,kubernetes.io/hostname=n2']) {
      expect(judge('cidr:203.0.113.5', to, 22)).toEqual([to, 'default-deny', '-', ['hosts']]);
      expect(judge('cidr:192.0.2.9', to, 10250)).toEqual([to, 'allowed', 'hosts', ['hosts']]);
    }
  });

  test('another node carries its labels of source node, whatever source they are written with (per-node labels on)', () => {
    const docs = [cnp('to-cp', { endpointSelector: labels({ app: 'web' }), egress: [{ toNodes: [labels({ 'node:role': 'cp' })] }] }, 'prod')];
    const set = policySet(docs, { nodeSelectorLabels: true });
    const from = { ...set.endpoint('pod:prod:app=web'), nodeName: 'n2' };
    for (const to of [Endpoints.parse('node:role=cp,kubernetes.io/hostname=n1'), Endpoints.parse('node:node:role=cp,kubernetes.io/hostname=n1'),
      Endpoints.node({ 'k8s:role': 'cp', 'kubernetes.io/hostname': 'n1' }), Endpoints.node({ 'container:role': 'cp', 'kubernetes.io/hostname': 'n1' })]) {
      expect([to.labels, set.verdict({ from, to, protocol: 'TCP', port: 443 }).egress.decision]).toEqual([to.labels, 'allowed']);
    }
    const worker = Endpoints.node({ 'k8s:role': 'worker', 'kubernetes.io/hostname': 'n1' });
    expect(set.verdict({ from, to: worker, protocol: 'TCP', port: 443 }).egress.decision).toBe('default-deny');
  });
});
