// CIDR rules under cidrMatchNodes (policy-cidr-match-mode=nodes) select the nodes whose IPs they hold. The host and
// remote-node classes carry no IP (the inputs give none), so a CIDR rule that differs between base and head may change a
// node's connections the diff cannot list: it says NOT COMPARED (fails closed), never a silent "no change".
import { describe, expect, test } from 'vitest';
import { Connectivity, PolicySet } from '../../src';

const DENY_EGRESS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: np, namespace: prod }
spec:
  podSelector: {}
  policyTypes: [Egress]
`;
const TO_NODES_BLOCK = `${DENY_EGRESS}  egress:
  - to: [{ ipBlock: { cidr: 10.0.0.0/8 } }]
`;

describe('diff: CIDR rules that select node IPs', () => {
  test('an ipBlock added under cidrMatchNodes: a node inside it is newly reachable, which no class shows, so NOT COMPARED', () => {
    const head = PolicySet.fromYaml(TO_NODES_BLOCK, { file: 'head.yaml', cidrMatchNodes: true });
    // The oracle: a node at 10.1.1.1 is reached with the head's policies, not with the base's.
    const node = (s: PolicySet): boolean => s.verdict({ from: s.endpoint('pod:prod:app=web'), to: s.endpoint('node:kubernetes.io/hostname=n1@10.1.1.1'),
      protocol: 'TCP', port: 10250 }).allowed;
    const base = PolicySet.fromYaml(DENY_EGRESS, { file: 'base.yaml', cidrMatchNodes: true });
    expect([node(base), node(head)]).toEqual([false, true]);
    const doc = Connectivity.diff(base, head);
    expect(doc.changes.some((c) => c.to === 'remote-node' || c.to === 'host')).toBe(false);
    expect(doc.notCompared).toEqual([expect.objectContaining({ mayAllow: true, mayDeny: false })]);
    expect(doc.notCompared?.[0].text).toMatch(/^CIDR rules, which select node IPs here \(cidrMatchNodes/);
  });

  test('without cidrMatchNodes CIDR rules never select nodes: the change is compared in full', () => {
    const doc = Connectivity.diff(PolicySet.fromYaml(DENY_EGRESS, { file: 'base.yaml' }), PolicySet.fromYaml(TO_NODES_BLOCK, { file: 'head.yaml' }));
    expect(doc.notCompared).toBeUndefined();
    expect(doc.changes.map((c) => `${c.from} → ${c.to}`)).toEqual(['prod/(other pods) → world 10.0.0.0/8']);
  });

  test('the same CIDR rules on both sides: nothing to say', () => {
    const doc = Connectivity.diff(PolicySet.fromYaml(TO_NODES_BLOCK, { file: 'base.yaml', cidrMatchNodes: true }),
      PolicySet.fromYaml(TO_NODES_BLOCK, { file: 'head.yaml', cidrMatchNodes: true }));
    expect(doc.notCompared).toBeUndefined();
    expect(doc.changes).toEqual([]);
  });
});

describe('report: CIDR rules that select node IPs', () => {
  test('under cidrMatchNodes the report says the nodes\' connections through CIDR rules are not judged', () => {
    const doc = Connectivity.report(PolicySet.fromYaml(TO_NODES_BLOCK, { file: 'p.yaml', cidrMatchNodes: true }));
    expect(doc.notJudged?.map((n) => n.text)).toEqual([expect.stringMatching(/^1 rule item with CIDR peers selects node IPs \(cidrMatchNodes/)]);
    expect(Connectivity.report(PolicySet.fromYaml(TO_NODES_BLOCK, { file: 'p.yaml' })).notJudged).toBeUndefined();
  });

  test('a CIDR item on a named port is noted too (review: the named port hid it)', () => {
    const named = `${TO_NODES_BLOCK}    ports: [{ port: https }]\n`;
    const doc = Connectivity.report(PolicySet.fromYaml(named, { file: 'p.yaml', cidrMatchNodes: true }));
    expect(doc.notJudged?.map((n) => n.text)).toEqual([expect.stringMatching(/^1 rule item with CIDR peers selects node IPs \(cidrMatchNodes/)]);
  });
});
