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

describe('a workload added that takes over a class of pods the selectors tell apart', () => {
  // The egress of namespace c allows prod's app=db and denies prod's pods other than tier=back; head adds the Deployment
  // prod/db (app=db, tier=back). The class `prod/app=db` is completed from that workload on head only (tier=back: the
  // deny no longer selects it): its verdict differs between the sides although no policy changed.
  const policy = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: client-egress, namespace: c }
spec:
  endpointSelector: {}
  egress:
  - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: prod, app: db } }]
  egressDeny:
  - toEndpoints:
    - matchLabels: { k8s:io.kubernetes.pod.namespace: prod }
      matchExpressions: [{ key: tier, operator: NotIn, values: [back] }]
---
apiVersion: v1
kind: Namespace
metadata: { name: prod }
---
apiVersion: v1
kind: Namespace
metadata: { name: c }
`;
  const db = `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: db, namespace: prod }
spec:
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db, tier: back } }
    spec: { containers: [{ name: c, image: x }] }
`;

  test('is NOT COMPARED, naming the classes, and counted as a possible change either way', () => {
    const base = PolicySet.fromYaml(policy);
    const head = PolicySet.fromYaml(policy + db);
    const doc = Connectivity.diff(base, head);
    const note = (doc.notCompared ?? []).find((n) => n.text.startsWith('a workload added or removed takes over'));
    expect(note?.text).toContain('prod/app=db');
    // Two classes, "them" (a seed-4242 mutant of connectivity.ts wrote "it").
    expect(note?.text).toContain('takes over 2 classes of pods that the selectors tell apart (prod/app=db, prod/tier=back): the inventory completes them from');
    expect(note).toMatchObject({ mayAllow: true, mayDeny: true });
    // What the note stands for is real: the class's pod is denied on base and allowed on head.
    const q = { from: 'pod:c:app=client', to: 'pod:prod:app=db', protocol: 'TCP', port: 5432 } as const;
    expect(base.verdict({ ...q, from: base.endpoint(q.from), to: base.endpoint(q.to) }).verdict).toBe('denied');
    expect(head.verdict({ ...q, from: head.endpoint(q.from), to: head.endpoint(q.to) }).verdict).toBe('allowed');
  });

  test('the same inventory on both sides notes nothing', () => {
    const doc = Connectivity.diff(PolicySet.fromYaml(policy + db), PolicySet.fromYaml(policy + db));
    expect(doc.notCompared ?? []).toEqual([]);
    expect(doc.changes).toEqual([]);
  });
});

describe('diff: how many facts of the inventories differ', () => {
  /** `n` Deployments prod/w1…wn, each with the container port `port` (named http). */
  const workloads = (n: number, port: number): string => Array.from({ length: n }, (_, i) => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: w${i + 1}, namespace: prod }
spec:
  selector: { matchLabels: { app: w${i + 1} } }
  template:
    metadata: { labels: { app: w${i + 1} } }
    spec: { containers: [{ name: c, image: x, ports: [{ name: http, containerPort: ${port} }] }] }
`).join('');
  const note = (n: number): string | undefined => diff(namedPort(8080) + workloads(n, 8080), namedPort(8080) + workloads(n, 9090)).notCompared
    ?.find((c) => c.text.startsWith('the inventories say different things'))?.text;

  // Seed-4949 mutants of comparison-limits.ts (session 49): "and 2 more" dropped, or counted as 12 more.
  test.each([[5, 5, ''], [6, 5, '; and 1 more'], [7, 5, '; and 2 more']])('%i workloads differ: %i named, then the count of the rest', (n, named, rest) => {
    const shown = Array.from({ length: named }, (_, i) => `labels, container ports or service account of Deployment prod/w${i + 1}`).join('; ');
    expect(note(n)).toContain(`(${shown}${rest}): the endpoint classes hold one version`);
  });
});
