// Pods (and namespaces) that two unrelated selectors select at once: the rules of both apply to them together, so
// their verdicts are not those of a pod of either selector alone. The endpoint classes must hold such a pod, or a
// change that only it sees (a deny removed beside an unrelated allow) is a silent "no change".
import { describe, expect, test } from 'vitest';
import { Connectivity, ConnectivityDiffDocument, PolicySet } from '../../src';
import { changeLine } from './support';

/** prod/api admits tier=frontend, and (in base) denies app=web. */
const peers = (deny: boolean): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { tier: frontend } }]
${deny ? '  ingressDeny:\n  - fromEndpoints: [{ matchLabels: { app: web } }]\n' : ''}`;

/** Two policies whose subjects overlap: app=api admits app=web; team=pay (in base) denies it, and admits app=ops. */
const subjects = (deny: boolean): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: pay, namespace: prod }
spec:
  endpointSelector: { matchLabels: { team: pay } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: ops } }]
${deny ? '  ingressDeny:\n  - fromEndpoints: [{ matchLabels: { app: web } }]\n' : ''}`;

/** prod/api admits pods of namespaces labelled team=pay, and (in base) denies those of namespaces labelled env=dev. */
const namespaces = (deny: boolean): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { k8s:io.cilium.k8s.namespace.labels.team: pay } }]
${deny ? '  ingressDeny:\n  - fromEndpoints: [{ matchLabels: { k8s:io.cilium.k8s.namespace.labels.env: dev } }]\n' : ''}`;

const deployment = (name: string, namespace: string, labels: Record<string, string>): string => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  selector: { matchLabels: ${JSON.stringify(labels)} }
  template: { metadata: { labels: ${JSON.stringify(labels)} }, spec: { containers: [{ name: c, image: x }] } }
`;

const namespace = (name: string, labels: Record<string, string>): string => `---
apiVersion: v1
kind: Namespace
metadata: { name: ${name}, labels: ${JSON.stringify(labels)} }
`;

function diff(base: string, head: string): ConnectivityDiffDocument {
  return Connectivity.diff(PolicySet.fromYaml(base, { file: 'base.yaml' }), PolicySet.fromYaml(head, { file: 'head.yaml' }));
}

/** The verdict of one connection on one side (the ground truth the diff must agree with). */
function verdict(yaml: string, from: string, to: string): string {
  const set = PolicySet.fromYaml(yaml);
  return set.verdict({ from: set.endpoint(from), to: set.endpoint(to), protocol: 'TCP', port: 80 }).verdict;
}

describe('diff: pods that unrelated selectors select at once', () => {
  test('a deny removed beside an unrelated allow: the pod of both selectors is newly allowed', () => {
    expect(verdict(peers(true), 'pod:prod:app=web,tier=frontend', 'pod:prod:app=api')).toBe('denied');
    expect(verdict(peers(false), 'pod:prod:app=web,tier=frontend', 'pod:prod:app=api')).toBe('allowed');
    const doc = diff(peers(true), peers(false));
    expect(doc.changes.map(changeLine)).toEqual(['+ prod/app=web,tier=frontend → prod/app=api any']);
    expect(doc.changes[0].reason.before.text).toBe('denied by ingress CiliumNetworkPolicy prod/api spec.ingressDeny[0]');
    expect(doc.changes[0].reason.after.text).toBe('allowed by ingress CiliumNetworkPolicy prod/api spec.ingress[0]');
    expect(doc.notCompared).toBeUndefined();
  });

  test('a report: the co-selected pod is a class of its own, denied where a pod of either selector alone is not', () => {
    const report = Connectivity.report(PolicySet.fromYaml(peers(true)));
    expect(report.endpoints.map((e) => e.id)).toContain('prod/app=web,tier=frontend');
    const allowed = report.connections.filter((c) => c.to === 'prod/app=api').map((c) => c.from);
    expect(allowed).toContain('prod/tier=frontend');
    expect(allowed).not.toContain('prod/app=web,tier=frontend');
  });

  test('two policies whose subjects overlap: a deny removed from one shows on the pod both select', () => {
    expect(verdict(subjects(true), 'pod:prod:app=web', 'pod:prod:app=api,team=pay')).toBe('denied');
    expect(verdict(subjects(false), 'pod:prod:app=web', 'pod:prod:app=api,team=pay')).toBe('allowed');
    expect(diff(subjects(true), subjects(false)).changes.map(changeLine)).toEqual(['+ prod/app=web → prod/app=api,team=pay any']);
  });

  test('namespace labels: a namespace with both labels is newly allowed', () => {
    const doc = diff(namespaces(true), namespaces(false));
    // prod has no Namespace manifest: it may carry both labels itself (as a client: only the peers name namespace labels).
    expect(doc.changes.map(changeLine)).toEqual([
      '+ prod (labelled env=dev,team=pay)/app=api → prod/app=api any',
      '+ prod (labelled env=dev,team=pay)/(other pods) → prod/app=api any',
      '+ (namespaces with env=dev,team=pay)/(other pods) → prod/app=api any',
    ]);
    expect(doc.endpoints.filter((e) => e.id.startsWith('prod (')).map((e) => e.id)).toEqual([
      'prod (labelled team=pay)/app=api', 'prod (labelled team=pay)/(other pods)', 'prod (labelled env=dev)/app=api',
      'prod (labelled env=dev)/(other pods)', 'prod (labelled env=dev,team=pay)/app=api', 'prod (labelled env=dev,team=pay)/(other pods)',
    ]);
  });

  test('with an inventory, selectors no workload matches: their combinations with matched ones are classes', () => {
    const inv = deployment('api', 'prod', { app: 'api' }) + deployment('fe', 'prod', { tier: 'frontend' });
    const doc = diff(peers(true) + inv, peers(false) + inv);
    expect(doc.changes.map(changeLine)).toEqual(['+ prod/app=web,tier=frontend → prod/api any']);
  });

  test('with an inventory, a workload of both selectors is the class that changes', () => {
    const inv = deployment('api', 'prod', { app: 'api' }) + deployment('fe', 'prod', { tier: 'frontend' })
      + deployment('web', 'prod', { app: 'web', tier: 'frontend' });
    expect(diff(peers(true) + inv, peers(false) + inv).changes.map(changeLine)).toEqual(['+ prod/web → prod/api any']);
  });

  test('with an inventory, namespaces of both labels that no Namespace has: a class of their own', () => {
    const inv = namespace('prod', {}) + namespace('pay', { team: 'pay' }) + deployment('api', 'prod', { app: 'api' });
    const doc = diff(namespaces(true) + inv, namespaces(false) + inv);
    expect(doc.changes.map(changeLine)).toEqual(['+ (namespaces with env=dev,team=pay)/(other pods) → prod/api any']);
  });

  test('subject side with an inventory: the selectors no workload matches combine with those a workload matches', () => {
    const inv = deployment('api', 'prod', { app: 'api' }) + deployment('web', 'prod', { app: 'web' });
    expect(diff(subjects(true) + inv, subjects(false) + inv).changes.map(changeLine)).toEqual(['+ prod/web → prod/app=api,team=pay any']);
  });

  test('more combinations than the bound: NOT COMPARED, counted either way; none when nothing changes', () => {
    // Twelve peers on twelve keys: 4,096 combinations a client can be, over the bound of 2,048.
    const many = (extra: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
${Array.from({ length: 12 }, (_, i) => `  - fromEndpoints: [{ matchLabels: { k${i}: x } }]\n    toPorts: [{ ports: [{ port: "${8000 + i}", protocol: TCP }] }]\n`).join('')}${extra}`;
    const deny = '  ingressDeny:\n  - fromEndpoints: [{ matchLabels: { k0: x } }]\n    toPorts: [{ ports: [{ port: "8001", protocol: TCP }] }]\n';
    const doc = diff(many(''), many(deny));
    expect(doc.notCompared?.map((n) => [n.text.slice(0, 80), n.mayAllow, n.mayDeny])).toEqual([
      ['pods of namespace prod that several selectors select at once make more than 2048', true, true],
    ]);
    expect(diff(many(deny), many(deny).replace('name: api', 'name: api-v2')).notCompared).toBeUndefined();
  });

  test('several namespaces over the bound: one note naming the first five and how many more', () => {
    const many = (ns: string, extra: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: ${ns} }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
${Array.from({ length: 12 }, (_, i) => `  - fromEndpoints: [{ matchLabels: { k${i}: x } }]\n    toPorts: [{ ports: [{ port: "${8000 + i}", protocol: TCP }] }]\n`).join('')}${extra}`;
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const base = names.map((ns) => many(ns, '')).join('---\n');
    const head = names.map((ns) => many(ns, ns === 'g' ? '  ingressDeny: [{ fromEndpoints: [{ matchLabels: { k0: x } }] }]\n' : '')).join('---\n');
    expect(diff(base, head).notCompared?.map((n) => [n.text.slice(0, 115), n.mayAllow, n.mayDeny])).toEqual([[
      'pods of namespace a, namespace b, namespace c, namespace d, namespace e and 2 more that several selectors select at', true, true]]);
  });

  test('many namespaces each just under the bound: past the budget of all namespaces together, NOT COMPARED (a hostile input stays bounded)', () => {
    // Per namespace, eleven policies on eleven keys (2,048 combinations, within the bound); three namespaces need more
    // classes than the budget of 4,096, so the last one keeps a class per selector and says so.
    const ring = (ns: string, shift: number): string => Array.from({ length: 11 }, (_, i) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: p${i}, namespace: ${ns} }
spec:
  endpointSelector: { matchLabels: { k${i}: x } }
  egress: [{ toEntities: [world], toPorts: [{ ports: [{ port: "${1000 + i}", protocol: TCP }] }] }]
  egressDeny: [{ toEntities: [world], toPorts: [{ ports: [{ port: "${1000 + ((i + shift) % 11)}", protocol: TCP }] }] }]
`).join('---\n');
    const base = ['a', 'b', 'c'].map((ns) => ring(ns, 1)).join('---\n');
    const head = ['a', 'b'].map((ns) => ring(ns, 1)).join('---\n') + '---\n' + ring('c', 2);
    const doc = diff(base, head);
    expect(doc.notCompared?.map((n) => [n.text.slice(0, 57), n.mayAllow, n.mayDeny])).toEqual([['pods of namespace c that several selectors select at once', true, true]]);
    expect(doc.notCompared?.[0].text).toContain('or more classes than the 4096 left to all namespaces together');
  });
});
