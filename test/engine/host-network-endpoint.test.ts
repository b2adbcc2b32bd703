// A `pod:` endpoint of a workload on the host network (`hostNetwork: true`): Cilium manages no endpoint for its pods, whose
// traffic carries the node's identity (host on the same node, remote-node elsewhere). The engine refuses to judge it as
// a pod (`engine-endpoint-host-network`) and names the node identities to judge instead, as the connectivity diff lists
// such workloads under its host and remote-node classes (test/diff/host-network.test.ts). Before, verdict() judged it
// with its pod labels: a CNP admitting app=agent "allowed" traffic that reaches the pod as the node's.
import { describe, expect, test } from 'vitest';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { thrown } from '../support/errors';

const workload = (name: string, hostNetwork: boolean): string => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: prod }
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
${hostNetwork ? '      hostNetwork: true\n' : ''}      containers: [{ name: c, image: ${name}:1, ports: [{ containerPort: 8080 }] }]
---
`;

/** api admits app=agent on 8080/TCP, by pod labels. */
const ADMIT_AGENT = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: agent } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;

describe('a pod endpoint of a hostNetwork workload', () => {
  const set = PolicySet.fromYaml(workload('agent', true) + workload('api', false) + ADMIT_AGENT);

  test('as the peer or the subject of a verdict: refused, naming the workload and the node identities to judge', () => {
    for (const [from, to] of [['pod:prod:app=agent', 'pod:prod:app=api'], ['pod:prod:app=api', 'pod:prod:app=agent']]) {
      const e = thrown(() => verdictFor(set, from, to, '8080/TCP', {}));
      expect(e.id).toBe('engine-endpoint-host-network');
      expect(e.message).toContain('pod:prod:app=agent is a pod of Deployment prod/agent, on the host network (hostNetwork: true)');
      expect(e.fix).toContain('entity:host');
      expect(e.fix).toContain('entity:remote-node');
    }
    expect(thrown(() => set.endpoint('pod:prod:app=agent')).id).toBe('engine-endpoint-host-network');
  });

  test('its traffic judged as the node\'s, as the diff classes do: the pod-label rule admits neither node identity', () => {
    const policed = PolicySet.fromYaml(workload('agent', true) + workload('api', false) + ADMIT_AGENT, { allowLocalhost: false });
    expect(verdictFor(policed, 'entity:host', 'pod:prod:app=api', '8080/TCP', {}).verdict).toBe('denied');
    expect(verdictFor(set, 'entity:remote-node', 'pod:prod:app=api', '8080/TCP', {}).verdict).toBe('denied');
  });

  test('the diff agrees: no pod class stands for it (not even one derived from app=agent), the node classes list it', () => {
    const base = PolicySet.fromYaml(workload('agent', true) + workload('api', false));
    const doc = base.diff(set);
    expect(doc.endpoints.filter((e) => e.labels?.app === 'agent')).toEqual([]);
    expect(doc.endpoints.filter((e) => e.workloads?.includes('Deployment prod/agent')).map((e) => e.id)).toEqual(['host', 'remote-node']);
  });

  test('the same workload off the host network is a pod, judged by its labels', () => {
    const pods = PolicySet.fromYaml(workload('agent', false) + workload('api', false) + ADMIT_AGENT);
    expect(verdictFor(pods, 'pod:prod:app=agent', 'pod:prod:app=api', '8080/TCP', {}).verdict).toBe('allowed');
  });

  test('labels shared with a workload off the host network: the pod may be one of its, judged as a pod', () => {
    const mixed = PolicySet.fromYaml(workload('agent', true) + workload('api', false)
      + workload('agent', false).replace('name: agent, namespace', 'name: agent-pods, namespace') + ADMIT_AGENT);
    expect(verdictFor(mixed, 'pod:prod:app=agent', 'pod:prod:app=api', '8080/TCP', {}).verdict).toBe('allowed');
  });
});
