// Workloads on the host network (hostNetwork: true) in the connectivity diff and report: Cilium manages no endpoint for
// their pods, whose traffic carries the node's identity (host on the local node, remote-node elsewhere), so no pod class
// stands for them (a policy selecting them by pod labels applies to none of their traffic): the host classes list them.
import { describe, expect, test } from 'vitest';
import { diffLines } from './support';

const INVENTORY = `apiVersion: v1
kind: Namespace
metadata: { name: prod, labels: { team: a } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: agent, namespace: prod }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      hostNetwork: true
      containers: [{ name: c, image: agent:1 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: prod }
spec:
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec:
      containers: [{ name: c, image: api:1 }]
---
`;

/** Every pod of prod admits app=agent only: the agent's pods match no endpoint's labels (their traffic is a node's). */
const ADMIT_AGENT = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: from-agent, namespace: prod }
spec:
  podSelector: {}
  ingress:
  - from: [{ podSelector: { matchLabels: { app: agent } } }]
`;

describe('hostNetwork workloads in the diff', () => {
  test('no pod class stands for them: the host and remote-node classes list them, and their traffic changes as the nodes\' does', () => {
    const { doc, lines } = diffLines(INVENTORY, INVENTORY + ADMIT_AGENT);
    const byId = new Map(doc.endpoints.map((e) => [e.id, e]));
    expect(byId.get('host')?.workloads).toEqual(['Deployment prod/agent']);
    expect(byId.get('remote-node')?.workloads).toEqual(['Deployment prod/agent']);
    expect(doc.endpoints.filter((e) => e.workloads?.includes('Deployment prod/agent')).map((e) => e.id)).toEqual(['host', 'remote-node']);
    // The agent's pods on other nodes lose their access to api (the NetworkPolicy's app=agent selects no node): listed.
    expect(lines).toContain('- remote-node → prod/api any');
    // Before, the agent was a pod class whose access to api stayed allowed, and which the policy "restricted": both wrong.
    expect(lines.filter((l) => l.includes('prod/agent'))).toEqual([]);
  });

  // Session 56 (review): a workload on the host network on one side only made `diff` refuse (exit 2) with a fix that
  // pointed back at the diff: the merged inventory kept base's copy (a pod class) and head's `enrich` refused its pod.
  test.each([['on head only', false], ['on base only', true]] as const)('on the host network %s: no pod class, and noted as not compared', (where, baseOnHost) => {
    const onHost = INVENTORY.replace('hostNetwork: true', 'hostNetwork: false');
    const [base, head] = baseOnHost ? [INVENTORY, onHost] : [onHost, INVENTORY];
    const { doc } = diffLines(base + ADMIT_AGENT, head + ADMIT_AGENT);
    expect(doc.endpoints.filter((e) => e.id.includes('agent') || e.workloads?.includes('Deployment prod/agent')).map((e) => e.id)).toEqual(['host', 'remote-node']);
    const notes = (doc.notCompared ?? []).filter((n) => n.text.includes('Deployment prod/agent'));
    expect(notes.map((n) => [n.text.slice(0, n.text.indexOf('): ') + 1), n.mayAllow, n.mayDeny])).toEqual([
      [`workloads run their pods on the host network (hostNetwork: true) on one side only (Deployment prod/agent (${where}))`, true, true],
    ]);
  });
});
