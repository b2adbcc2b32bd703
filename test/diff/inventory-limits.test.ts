// The endpoint classes hold one version of what the inventories say of a workload or Namespace; when base and head say
// different things (a container port renumbered, a Namespace relabelled), the diff cannot compare the connections those
// facts decide, so it says so (NOT COMPARED, counted by --fail-on as a possible change either way) instead of a silent
// "no change". `trace` on both sides shows that such a change is real.
import { describe, expect, test } from 'vitest';
import { Connectivity, PolicySet } from '../../src';

const namedPort = (containerPort: number): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: p, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "http", protocol: TCP }] }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: prod }
spec:
  selector: { matchLabels: { app: api } }
  template:
    metadata: { labels: { app: api } }
    spec: { containers: [{ name: c, image: x, ports: [{ name: http, containerPort: ${containerPort} }] }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: prod }
spec:
  selector: { matchLabels: { app: web } }
  template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c, image: x }] } }
`;

const namespaceLabel = (env: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: p, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { k8s:io.cilium.k8s.namespace.labels.env: prod, k8s:io.kubernetes.pod.namespace: dev } }]
---
apiVersion: v1
kind: Namespace
metadata: { name: dev, labels: { env: ${env} } }
---
apiVersion: v1
kind: Namespace
metadata: { name: prod }
`;

function diff(base: string, head: string) {
  return Connectivity.diff(PolicySet.fromYaml(base), PolicySet.fromYaml(head));
}

describe('diff: inventories that disagree on a workload or Namespace', () => {
  test('a named container port renumbered: the trace changes, and the diff says it could not compare it', () => {
    const [base, head] = [PolicySet.fromYaml(namedPort(8080)), PolicySet.fromYaml(namedPort(9090))];
    const q = (set: PolicySet, port: number) => set.verdict({
      from: set.endpoint('pod:prod:app=web'), to: set.endpoint('pod:prod:app=api'), protocol: 'TCP', port,
    }).verdict;
    expect([q(base, 9090), q(head, 9090), q(base, 8080), q(head, 8080)]).toEqual(['denied', 'allowed', 'allowed', 'denied']);
    const doc = diff(namedPort(8080), namedPort(9090));
    expect(doc.notCompared).toHaveLength(1);
    expect(doc.notCompared?.[0]).toMatchObject({ mayAllow: true, mayDeny: true });
    expect(doc.notCompared?.[0].text).toContain('Deployment prod/api');
  });

  test('a Namespace relabelled: the trace changes, and the diff says it could not compare it', () => {
    const [base, head] = [PolicySet.fromYaml(namespaceLabel('prod')), PolicySet.fromYaml(namespaceLabel('dev'))];
    const q = (set: PolicySet) => set.verdict({
      from: set.endpoint('pod:dev:app=x'), to: set.endpoint('pod:prod:app=api'), protocol: 'TCP', port: 80,
    }).verdict;
    expect([q(base), q(head)]).toEqual(['allowed', 'denied']);
    const doc = diff(namespaceLabel('prod'), namespaceLabel('dev'));
    expect(doc.notCompared?.map((n) => n.text)).toEqual([expect.stringContaining('labels of Namespace dev')]);
  });

  test('the same inventory on both sides: nothing is left out', () => {
    expect(diff(namedPort(8080), namedPort(8080)).notCompared ?? []).toEqual([]);
    expect(diff(namespaceLabel('prod'), namespaceLabel('prod')).notCompared ?? []).toEqual([]);
  });
});
