// Session 55: in a diff or report whose rules read node labels, the class of the other nodes (`remote-node`, and the local
// `host`) stands for the nodes with none of the labels the node selectors read: the nodes with such labels are `node <labels>`
// classes of their own. Session 54's verdict gate read its representative (entity:remote-node) as a node of unknown labels,
// so a connection of it that changed was NOT COMPARED where the answer is known (an over-refusal). The class now carries the
// keys it is known not to carry (`nodeLabelsAbsent`) to the gate; what reads another label of a node stays NOT COMPARED.
import { describe, expect, test } from 'vitest';
import { Connectivity, EndpointClassKind, Endpoints, PolicySet } from '../../src';
import { ClassifiedEndpoint } from '../../src/diff/endpoint-classes';
import { changeLine } from './support';

const ON = { nodeSelectorLabels: true };
const db = (items: string): string => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: db }
spec:
  endpointSelector: { matchLabels: { app: db } }
  ingress:
${items}`;
const EDGE = '  - fromNodes: [{ matchLabels: { role: edge } }]\n';
const OTHER_NODES_SSH = '  - fromEntities: [remote-node]\n    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]\n';
const sets = (base: string, head: string): [PolicySet, PolicySet] => [
  PolicySet.fromYaml(base, { ...ON, file: 'base.yaml' }), PolicySet.fromYaml(head, { ...ON, file: 'head.yaml' }),
];
const notCompared = (doc: { notCompared?: readonly { text: string }[] }): string => (doc.notCompared ?? []).map((n) => n.text).join('\n');

describe('the class of the other nodes carries the node labels it is known not to carry', () => {
  test('diff: the other nodes newly denied are a change, not NOT COMPARED; the nodes role=edge unchanged', () => {
    const [base, head] = sets(db(EDGE + OTHER_NODES_SSH), db(EDGE));
    const doc = Connectivity.diff(base, head);
    expect(doc.changes.map(changeLine)).toEqual(['- remote-node → (other namespaces)/app=db 22/TCP']);
    expect(doc.changes[0].reason.before.text).toContain('spec.ingress[1]');
    expect(doc.notCompared ?? []).toEqual([]);
    // The class says what is known of it: the one key the node selectors read.
    const other = Connectivity.endpointClasses([base, head]).find((c) => c.cls.id === 'remote-node');
    expect(other?.nodeLabelsAbsent).toEqual(['role']);
    // The every-pair reference agrees.
    expect(Connectivity.diff(base, head, { _judgeEveryPair: true }).changes.map(changeLine)).toEqual(doc.changes.map(changeLine));
  });

  test('report: the other nodes are judged (allowed on 22 only), the nodes role=edge on every port', () => {
    const doc = Connectivity.report(sets(db(EDGE + OTHER_NODES_SSH), db(EDGE))[0]);
    const lines = doc.connections.map((c) => `${c.from} → ${c.to} ${c.ports.join(', ')}`);
    expect(lines).toContain('remote-node → (other namespaces)/app=db 22/TCP');
    expect(lines).toContain('node role=edge → (other namespaces)/app=db any');
    expect(doc.notJudged ?? []).toEqual([]);
  });

  test('a class given without what it knows (a hand-built remote-node) stays NOT COMPARED: its labels are unknown', () => {
    const [base, head] = sets(db(EDGE + OTHER_NODES_SSH), db(EDGE));
    const classes: ClassifiedEndpoint[] = [
      { cls: { id: 'db', kind: EndpointClassKind.POD, name: 'db', namespace: 'x', labels: { app: 'db' } }, endpoint: Endpoints.pod('x', { app: 'db' }) },
      { cls: { id: 'remote-node', kind: EndpointClassKind.HOST, name: 'remote-node' }, endpoint: Endpoints.entity('remote-node') },
    ];
    const doc = Connectivity.diff(base, head, { classes });
    expect(doc.changes).toEqual([]);
    expect(notCompared(doc)).toContain('(engine-node-labels-unknown): remote-node → db any (not judged → not judged)');
  });

  test('what depends on a label the classes do not tell stays NOT COMPARED: the API server\'s nodes', () => {
    // fromEntities: [kube-apiserver] → every node role=edge: whether the API server's nodes carry role=edge is not known.
    const api = '  - fromEntities: [kube-apiserver]\n';
    const [base, head] = sets(db(EDGE + api), db(EDGE));
    const doc = Connectivity.diff(base, head);
    expect(doc.changes.map(changeLine)).toEqual([]);
    expect(notCompared(doc)).toMatch(/\(engine-node-labels-unknown\): kube-apiserver → \(other namespaces\)\/app=db any \(not judged → not judged\)/);
  });

  test('an endpoint selector that reads a remote node\'s labels makes node classes of them (zone=a), and the other nodes lack zone', () => {
    const zone = (port: number): string => db(`${EDGE}  - fromEndpoints: [{ matchLabels: { reserved:remote-node: "", zone: a } }]
    toPorts: [{ ports: [{ port: "${port}", protocol: TCP }] }]
`);
    const [base, head] = sets(zone(22), zone(23));
    const doc = Connectivity.diff(base, head);
    // Before: no class of the nodes zone=a (the change was hidden for them), and the other nodes NOT COMPARED.
    expect(doc.changes.map(changeLine)).toEqual([
      '+ node zone=a → (other namespaces)/app=db 23/TCP',
      '- node zone=a → (other namespaces)/app=db 22/TCP',
    ]);
    expect(doc.notCompared ?? []).toEqual([]);
    expect(Connectivity.endpointClasses([base, head]).find((c) => c.cls.id === 'remote-node')?.nodeLabelsAbsent).toEqual(['role', 'zone']);
  });

  // Session 56 (seed 5603, endpoint-classes.ts `nodeClasses`): where the node selectors read no node label, no key is known
  // absent on the other nodes (a key no rule reads is not one the classes can vouch for), and their connections are judged.
  test('a node selector that reads no node label (fromNodes: [{}]): the other nodes are said to lack no key, and are judged', () => {
    const EVERY_NODE_SSH = '  - fromNodes: [{}]\n    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]\n';
    const [base, head] = sets(db(EVERY_NODE_SSH), db(EVERY_NODE_SSH.replace('22', '23')));
    for (const id of ['remote-node', 'host']) {
      expect(Connectivity.endpointClasses([base, head]).find((c) => c.cls.id === id)?.nodeLabelsAbsent ?? [], id).toEqual([]);
    }
    const doc = Connectivity.diff(base, head);
    expect(doc.changes.map(changeLine)).toEqual([
      '+ remote-node → (other namespaces)/app=db 23/TCP',
      '- remote-node → (other namespaces)/app=db 22/TCP',
    ]);
    expect(doc.notCompared ?? []).toEqual([]);
  });

  test('what a diff knew of a class does not carry over to the public verdicts: entity:remote-node is still refused', () => {
    const [base, head] = sets(db(EDGE + OTHER_NODES_SSH), db(EDGE));
    Connectivity.diff(base, head);
    Connectivity.report(base);
    // The server as the classes have it (equal endpoints share what the set keeps of them, the gate's passes too).
    const server = Connectivity.endpointClasses([base]).find((c) => c.cls.id.endsWith('app=db'))?.endpoint ?? Endpoints.pod('x', {});
    const q = { from: Endpoints.entity('remote-node'), to: server, protocol: 'TCP' as const, port: 22 };
    expect(() => base.decide(q)).toThrow(/engine-node-labels-unknown/);
    expect(() => base.verdict(q)).toThrow(/engine-node-labels-unknown/);
  });
});

// A reviewer's repros: the class of the other nodes was said to lack a key that nodes no class stands for carry (a value
// no selector names that a NotIn/DoesNotExist reads differently from the key's absence), or that the local host carries.
describe('the other nodes are said to lack a key only where every node no class stands for behaves as without it', () => {
  const NOT_EDGE = '  - fromNodes: [{ matchExpressions: [{ key: role, operator: NotIn, values: [edge] }] }]\n'
    + '    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]\n';
  const changedOrNotCompared = (doc: ReturnType<typeof Connectivity.diff>, line: RegExp): void => {
    expect(doc.changes.map(changeLine).some((l) => line.test(l)) || line.test(notCompared(doc))).toBe(true);
  };

  test('diff: role NotIn [edge], then remote-node added: the nodes role=edge newly allowed show (or NOT COMPARED)', () => {
    const [base, head] = sets(db(NOT_EDGE), db(NOT_EDGE + OTHER_NODES_SSH));
    const server = Connectivity.endpointClasses([base]).find((c) => c.cls.id.endsWith('app=db'))?.endpoint ?? Endpoints.pod('x', {});
    const q = { from: Endpoints.node({ role: 'edge' }), to: server, protocol: 'TCP' as const, port: 22 };
    expect([base.decide(q), head.decide(q)]).toEqual(['denied', 'allowed']);
    const doc = Connectivity.diff(base, head);
    expect(doc.changes.length + (doc.notCompared ?? []).length).toBeGreaterThan(0);
    changedOrNotCompared(doc, /(node role=edge|remote-node) → .*app=db/);
    // role is read by a NotIn: the other nodes are not said to lack it.
    expect(Connectivity.endpointClasses([base, head]).find((c) => c.cls.id === 'remote-node')?.nodeLabelsAbsent ?? []).not.toContain('role');
  });

  test('report: ingressDeny role DoesNotExist beside remote-node: the nodes role=core (allowed on 22) are judged or NOT JUDGED', () => {
    const set = PolicySet.fromYaml(db(OTHER_NODES_SSH).replace(/$/, '')
      + '  ingressDeny:\n  - fromNodes: [{ matchExpressions: [{ key: role, operator: DoesNotExist }] }]\n', { ...ON, file: 'p.yaml' });
    const server = Connectivity.endpointClasses([set]).find((c) => c.cls.id.endsWith('app=db'))?.endpoint ?? Endpoints.pod('x', {});
    expect(set.decide({ from: Endpoints.node({ role: 'core' }), to: server, protocol: 'TCP', port: 22 })).toBe('allowed');
    const doc = Connectivity.report(set);
    const lines = doc.connections.map((c) => `${c.from} → ${c.to} ${c.ports.join(', ')}`);
    const judged = lines.some((l) => /^node role=\S+ → .*app=db 22\/TCP/.test(l));
    expect(judged || (doc.notJudged ?? []).length > 0).toBe(true);
  });

  test('role In [edge] and role DoesNotExist: the nodes role=core (neither) are not said to be the other nodes', () => {
    const items = '  - fromNodes: [{ matchLabels: { role: edge } }]\n'
      + '  - fromNodes: [{ matchExpressions: [{ key: role, operator: DoesNotExist }] }]\n    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]\n';
    const [base, head] = sets(db(items), db(items + OTHER_NODES_SSH.replace('22', '23')));
    const doc = Connectivity.diff(base, head);
    // The nodes role=core are newly allowed on 23 (as are those without role): shown, or NOT COMPARED.
    changedOrNotCompared(doc, /(node role=|remote-node).* → .*app=db (23\/TCP|any)/);
    expect(Connectivity.endpointClasses([base, head]).find((c) => c.cls.id === 'remote-node')?.nodeLabelsAbsent ?? []).not.toContain('role');
  });

  test('past the bound of node classes, a key read by NotIn is not said absent though a selector `role Exists` reads it too', () => {
    // Nine keys k0..k8 make more than NODE_CLASS_LIMIT label sets: a node per selector is a class, and a role=edge node
    // (selected by `role Exists`, not by `role NotIn [edge]`) need not be one: `role` stays unknown on the other nodes.
    const keys = Array.from({ length: 9 }, (_, i) => `  - fromNodes: [{ matchLabels: { k${i}: x } }]\n`).join('');
    const items = keys + '  - fromNodes: [{ matchExpressions: [{ key: role, operator: Exists }] }]\n'
      + '  - fromNodes: [{ matchExpressions: [{ key: role, operator: NotIn, values: [edge] }] }]\n    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]\n';
    const [base, head] = sets(db(items), db(items));
    const absent = Connectivity.endpointClasses([base, head]).find((c) => c.cls.id === 'remote-node')?.nodeLabelsAbsent ?? [];
    expect(absent).toContain('k0');
    expect(absent).not.toContain('role');
  });

  const HOST_ZONE_A = '  - fromEndpoints: [{ matchLabels: { reserved:host: "", zone: a } }]\n    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]\n';
  const ZONE_B = '  - fromNodes: [{ matchLabels: { zone: b } }]\n';
  const NO_LOCALHOST = { ...ON, allowLocalhost: false };

  test('report: a key a reserved:host selector reads is not said absent on host (the local host carries its node\'s labels)', () => {
    const set = PolicySet.fromYaml(db(HOST_ZONE_A + ZONE_B), { ...NO_LOCALHOST, file: 'p.yaml' });
    const doc = Connectivity.report(set);
    const hostToDb = doc.connections.filter((c) => c.from === 'host' && c.to.endsWith('app=db'));
    expect(hostToDb.length + (doc.notJudged ?? []).length).toBeGreaterThan(0);
    expect(Connectivity.endpointClasses([set]).find((c) => c.cls.id === 'host')?.nodeLabelsAbsent ?? []).not.toContain('zone');
  });

  test('diff: removing the reserved:host zone=a rule is a change or NOT COMPARED, not nothing', () => {
    const doc = Connectivity.diff(PolicySet.fromYaml(db(ZONE_B + HOST_ZONE_A), { ...NO_LOCALHOST, file: 'b' }),
      PolicySet.fromYaml(db(ZONE_B), { ...NO_LOCALHOST, file: 'h' }));
    expect(doc.changes.length + (doc.notCompared ?? []).length).toBeGreaterThan(0);
    changedOrNotCompared(doc, /host → .*app=db/);
  });
});
