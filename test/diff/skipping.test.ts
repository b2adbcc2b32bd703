// The fingerprint skipping of the diff never hides a change: on a generated platform (bench/workload.ts), each kind of
// edit gives the same document with skipping as with every pair of classes judged.
import { describe, expect, test } from 'vitest';
import { Connectivity } from '../../src/diff';
import { EndpointInventory, PolicySet } from '../../src/engine';
import { PolicyDocumentModel, RuleModel } from '../../src/model/policy-model';
import { generateWorkload } from '../../bench/workload';
import { deepMode } from '../support/property';

/**
 * The platform's size. Judging every pair (the reference) is the cost of this file, about the square of the classes: 25
 * policies and 80 endpoints (88 classes) by default, the former 40 and 120 (120 classes) in the deep mode (`PROPERTY_DEEP=1`).
 */
const SIZE = deepMode() ? { policies: 40, endpoints: 120 } : { policies: 25, endpoints: 80 };
const workload = generateWorkload({ seed: 3, ...SIZE, queries: 1 });
const docs = workload.docs;
const inventory = new EndpointInventory();
workload.endpoints.forEach((p, i) => {
  if (p.kind !== 'pod' || p.namespace === undefined || i % 3 !== 0) return;
  inventory.addWorkload({ kind: 'Deployment', name: `w${i}`, namespace: p.namespace, podLabels: { ...p.labels }, ports: p.ports ?? [] });
});
// The Namespaces with their labels, as the bench gives them: namespaces known only by name would each get a variant per
// namespace-label combination (unlabelled-namespaces.test.ts), multiplying the pairs judged here one by one.
workload.endpoints.forEach((p) => {
  if (p.kind === 'pod' && p.namespace !== undefined && p.namespaceLabels) inventory.addNamespace(p.namespace, p.namespaceLabels);
});

/** The policy set with the `n`th policy that `which` picks edited. */
function edit(which: (d: PolicyDocumentModel) => boolean, n: number, f: (spec: RuleModel) => RuleModel): PolicyDocumentModel[] {
  const targets = docs.filter((d) => d.spec !== undefined && which(d));
  const target = targets[n % targets.length];
  return docs.map((d) => (d === target && d.spec ? { ...d, spec: f(d.spec) } : d));
}

/** An app's policy (ingress items with ports) whose pods are in the inventory. */
const app = (d: PolicyDocumentModel): boolean => d.kind === 'CiliumNetworkPolicy' && (d.spec?.ingress ?? []).some((i) => (i.toPorts ?? []).length > 0)
  && inventory.workloads.some((w) => w.namespace === d.metadata.namespace && w.podLabels.app === d.spec?.endpointSelector?.matchLabels?.app);

const EDITS: readonly (readonly [string, () => PolicyDocumentModel[]])[] = [
  ['a policy removed', () => docs.filter((_, i) => i !== 5)],
  ['a port range opened to the world', () => edit(app, 2, (s) => ({
    ...s, ingress: [...(s.ingress ?? []), { entities: ['world'], toPorts: [{ ports: [{ port: '7000', endPort: 7010, protocol: 'TCP' }] }] }],
  }))],
  ['an egress deny of everything', () => edit(app, 3, (s) => ({ ...s, egressDeny: [{ entities: ['all'] }] }))],
  ['a subject selector widened', () => edit(app, 4, (s) => ({ ...s, endpointSelector: {} }))],
  ['the ingress rules of an app dropped', () => edit(app, 6, (s) => ({ ...s, ingress: [] }))],
  ['ICMP allowed from everywhere', () => edit(app, 5, (s) => ({ ...s, ingress: [...(s.ingress ?? []), { entities: ['all'], icmps: [{ fields: [{ type: 0 }] }] }] }))],
  ['a host policy added (host firewall on)', () => [...docs, {
    kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'host' },
    spec: { nodeSelector: {}, ingress: [{ entities: ['cluster'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }] },
  } as PolicyDocumentModel]],
];

describe('diff skipping agrees with judging every pair', () => {
  test.each(EDITS)('%s', (_name, make) => {
    const base = PolicySet.fromDocuments(docs, { inventory });
    const head = PolicySet.fromDocuments(make(), { inventory });
    const classes = Connectivity.endpointClasses([base, head]);
    const fast = Connectivity.diff(base, head, { classes });
    const full = Connectivity.diff(base, head, { classes, _judgeEveryPair: true });
    expect(fast.changes.length).toBeGreaterThan(0);
    expect(fast).toEqual(full);
  });
});
