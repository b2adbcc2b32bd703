// A `node:` endpoint written with a reserved label (`reserved:host`, `reserved:remote-node`): which reserved label a node's
// identity carries is Cilium's, not the node's. pkg/node/manager `nodeIdentityLabels` gives another node reserved:remote-node
// and its labels through `Map2Labels(n.Labels, "node")`, the local node reserved:host; pkg/endpoint `InitWithNodeLabels`
// gives the host endpoint reserved:host and `Map2Labels(nodeLabels, "k8s")`; pkg/labels `NewLabel` lets the source given win
// over one the key seems to say, so no node label becomes reserved. Before session 52 the engine copied the written reserved
// labels into the identity: a remote node was reserved:host as well, and `toEntities: [host]` allowed it.
import { describe, expect, test } from 'vitest';
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

  test('the host endpoint as a subject carries reserved:host and its k8s node labels, never reserved:remote-node', () => {
    const docs = [ccnp('remote-only', {
      nodeSelector: labels({ 'reserved:remote-node': '' }),
      ingress: [{ fromCIDR: ['203.0.113.0/24'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }],
    })];
    const set = policySet(docs, { hostFirewall: true });
    const v = set.verdict({ from: set.endpoint('cidr:203.0.113.5'), to: set.endpoint('node:reserved:remote-node,kubernetes.io/hostname=n1'), protocol: 'TCP', port: 22 });
    // The selector holds on no host endpoint: no host policy, so no rule of it allows (nor denies) 22/TCP.
    expect(v.ingress.decision).toBe('no-policy-default-allow');
  });
});
