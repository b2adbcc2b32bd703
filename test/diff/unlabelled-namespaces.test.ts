// A namespace the inputs know only by name (a policy's namespace, no Namespace manifest, no --inventory): its labels are
// unknown, so a namespace-label selector (`io.cilium.k8s.namespace.labels.team: pay`) may or may not apply to it. Taking
// it without labels made a change that only such a labelled namespace sees a silent "no change"; the classes now hold a
// variant of the namespace per combination of namespace-label selectors it could satisfy.
import { describe, expect, test } from 'vitest';
import { Connectivity, ConnectivityDiffDocument, PolicySet } from '../../src';
import { changeLine } from './support';

/**
 * pay/web may reach world on 8443; a CCNP for the namespaces labelled team=pay allows world 443 and (in base) denies 8443.
 * Removing that deny changes nothing for a namespace of team=pay without other rules (8443 stays default-denied), but
 * lets pay/web through when pay is such a namespace.
 */
const platform = (deny: boolean, namespace: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: pay }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEntities: [world]
    toPorts: [{ ports: [{ port: "8443", protocol: TCP }] }]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: team-pay }
spec:
  endpointSelector: { matchLabels: { k8s:io.cilium.k8s.namespace.labels.team: pay } }
  egress:
  - toEntities: [world]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
${deny ? '  egressDeny:\n  - toEntities: [world]\n    toPorts: [{ ports: [{ port: "8443", protocol: TCP }] }]\n' : ''}${namespace}`;

const payNamespace = `---
apiVersion: v1
kind: Namespace
metadata: { name: pay, labels: { team: pay } }
`;

function diff(base: string, head: string): ConnectivityDiffDocument {
  return Connectivity.diff(PolicySet.fromYaml(base, { file: 'base.yaml' }), PolicySet.fromYaml(head, { file: 'head.yaml' }));
}

describe('diff: namespaces known only by name', () => {
  test('the Namespace manifest given: the change is on pay/web (the ground truth)', () => {
    expect(diff(platform(true, payNamespace), platform(false, payNamespace)).changes.map(changeLine))
      .toEqual(['+ pay/app=web → world 8443/TCP']);
  });

  test('no Namespace manifest: the variant of pay labelled team=pay shows the change', () => {
    const doc = diff(platform(true, ''), platform(false, ''));
    expect(doc.changes.map(changeLine)).toEqual(['+ pay (labelled team=pay)/app=web → world 8443/TCP']);
    expect(doc.changes[0].reason.before.text).toBe('denied by egress CiliumClusterwideNetworkPolicy team-pay spec.egressDeny[0]');
    expect(doc.notCompared).toBeUndefined();
  });

  test('the variants are classes of the report too, and none is made without namespace-label selectors', () => {
    const ids = Connectivity.report(PolicySet.fromYaml(platform(true, ''))).endpoints.map((e) => e.id);
    expect(ids.filter((id) => id.startsWith('pay'))).toEqual([
      'pay/app=web', 'pay/(other pods)', 'pay (labelled team=pay)/app=web', 'pay (labelled team=pay)/(other pods)',
    ]);
    const plain = platform(true, '').replace('k8s:io.cilium.k8s.namespace.labels.team: pay', 'tier: pay');
    expect(Connectivity.report(PolicySet.fromYaml(plain)).endpoints.map((e) => e.id).filter((id) => id.includes('labelled'))).toEqual([]);
  });

  test('with workloads but no Namespace manifest: each workload has the variant too', () => {
    const workload = `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: pay }
spec:
  selector: { matchLabels: { app: web } }
  template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: c, image: x }] } }
`;
    expect(diff(platform(true, workload), platform(false, workload)).changes.map(changeLine))
      .toEqual(['+ pay (labelled team=pay)/web → world 8443/TCP']);
  });
});

describe('diff: namespaces no input names, with the labels of a known one', () => {
  /** dev (labelled env=dev) denies all egress to world; a CCNP lets the namespaces labelled env=dev reach world on `port`. */
  const envDev = (port: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: deny, namespace: dev }
spec:
  endpointSelector: {}
  egressDeny: [{ toEntities: [world] }]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: env-dev }
spec:
  endpointSelector: { matchLabels: { k8s:io.cilium.k8s.namespace.labels.env: dev } }
  egress: [{ toEntities: [world], toPorts: [{ ports: [{ port: "${port}", protocol: TCP }] }] }]
---
apiVersion: v1
kind: Namespace
metadata: { name: dev, labels: { env: dev } }
`;

  test('a CCNP port moved: dev (its own deny) sees nothing, another namespace labelled env=dev sees the change', () => {
    const q = (yaml: string, port: number): string => {
      const set = PolicySet.fromYaml(yaml);
      return set.verdict({ from: set.endpoint('pod:qa:app=x'), to: set.endpoint('entity:world'), protocol: 'TCP', port }).verdict;
    };
    // The ground truth, for a pod of qa labelled env=dev (as the Namespace says).
    const qa = '---\napiVersion: v1\nkind: Namespace\nmetadata: { name: qa, labels: { env: dev } }\n';
    expect([q(envDev('443') + qa, 443), q(envDev('8443') + qa, 443)]).toEqual(['allowed', 'denied']);
    expect(diff(envDev('443'), envDev('8443')).changes.map(changeLine)).toEqual([
      '+ (namespaces with env=dev)/(other pods) → world 8443/TCP',
      '- (namespaces with env=dev)/(other pods) → world 443/TCP',
    ]);
  });
});

describe('diff: namespaces known only by name, past the class budget', () => {
  // A namespace known only by name with seven namespace-label selectors (its variants) and eight pod selectors (their
  // co-selected pods): past the budget of 4,096 classes, later variants keep a pod per selector. A deny port changed for
  // pods of two selectors in one of them must be NOT COMPARED (the note was kept on a copy of the class and lost).
  const platform = (denyPort: number): string => [
    `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: b, namespace: pay }
spec:
  endpointSelector: { matchLabels: { k1: v } }
  egress: [{ toEntities: [cluster] }]
  egressDeny: [{ toEntities: [world], toPorts: [{ ports: [{ port: "${denyPort}", protocol: TCP }] }] }]
`,
    `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: a }
spec:
  endpointSelector: { matchLabels: { io.cilium.k8s.namespace.labels.n0: v, k0: v } }
  egress: [{ toEntities: [world], toPorts: [{ ports: [{ port: "443", protocol: TCP }] }] }]
`,
    ...Array.from({ length: 6 }, (_, j) => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: p${j + 2}, namespace: pay }
spec:
  endpointSelector: { matchLabels: { k${j + 2}: v } }
  egress: [{ toEntities: [world], toPorts: [{ ports: [{ port: "${2002 + j}", protocol: TCP }] }] }]
`),
    ...Array.from({ length: 6 }, (_, j) => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: c${j + 1} }
spec:
  endpointSelector: { matchLabels: { io.cilium.k8s.namespace.labels.n${j + 1}: v } }
  egress: [{ toEntities: [world], toPorts: [{ ports: [{ port: "${1001 + j}", protocol: TCP }] }] }]
`),
  ].join('---\n');

  test('a change only co-selected pods of a late variant see: NOT COMPARED, counted either way', () => {
    const doc = diff(platform(443), platform(444));
    expect(doc.notCompared?.map((n) => [n.text.slice(0, 42), n.mayAllow, n.mayDeny])).toEqual([['pods of namespace pay (labelled n1=v,n5=v)', true, true]]);
    expect(doc.notCompared?.[0].text).toContain('or more classes than the 4096 left to all namespaces together');
  });
});
