// A host endpoint given without its node's labels (entity:host, entity:remote-node, entity:kube-apiserver on a node) under
// a host rule whose nodeSelector reads node labels: in Cilium the host endpoint carries reserved:host and its node's k8s
// labels (pkg/endpoint InitWithNodeLabels), so whether the rule applies depends on the node, which the query does not say.
// trace refuses (exit 2), replay leaves the connection not judged, verdict() notes it; never a silent default allow.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { FlowSource, replayFlows } from '../../src/hubble';
import { cli } from '../support/cli';
import { ccnp, cnp, judged, policySet, refusedByMatchers, verdict } from './helpers';

const HOST = { hostFirewall: true };
const dir = mkdtempSync(join(tmpdir(), 'host-node-labels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CP_EGRESS = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: cp-egress }
spec:
  nodeSelector: { matchExpressions: [{ key: node-role.kubernetes.io/control-plane, operator: Exists }] }
  egress:
  - toEntities: [cluster]
`;
const CP_INGRESS = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: cp-ingress }
spec:
  nodeSelector: { matchLabels: { node-role.kubernetes.io/control-plane: "" } }
  ingress:
  - fromEntities: [cluster]
`;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('trace: a host endpoint without its node\'s labels under a nodeSelector of node labels', () => {
  test('is refused (exit 2, engine-node-labels-unknown) as --from and --to; a node given by its labels is judged', () => {
    const egress = file('cp.yaml', CP_EGRESS);
    for (const from of ['entity:host', 'entity:kube-apiserver', 'entity:remote-node']) {
      const r = cli('trace', '--policies', egress, '--from', from, '--to', 'cidr:203.0.113.5', '--port', '443');
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toContain(`error: --from ${from} as the subject of egress host policy is `);
      expect(r.stderr).toContain('CiliumClusterwideNetworkPolicy cp-egress spec (nodeSelector {any:node-role.kubernetes.io/control-plane Exists}) selects it depends on them');
      expect(r.stderr).toContain('(engine-node-labels-unknown); fix: give the node by its labels instead');
    }
    // The node named: a control-plane node is in default deny for the world, another node has no egress policy.
    const cp = cli('trace', '--policies', egress, '--from', 'node:kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane=', '--to',
      'cidr:203.0.113.5', '--port', '443', '--output', 'json');
    expect(cp.code).toBe(1);
    expect(JSON.parse(cp.stdout).egress.decision).toBe('default-deny');
    const worker = cli('trace', '--policies', egress, '--from', 'node:kubernetes.io/hostname=n2', '--to', 'cidr:203.0.113.5', '--port', '443', '--output', 'json');
    expect(worker.code).toBe(0);
    expect(JSON.parse(worker.stdout).egress.decision).toBe('no-policy-default-allow');

    const ingress = file('cp-ingress.yaml', CP_INGRESS);
    const r = cli('trace', '--policies', ingress, '--from', 'cidr:203.0.113.5', '--to', 'entity:host', '--port', '22');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('error: --to entity:host as the subject of ingress host policy is a node\'s host endpoint');
  });

  // Session 51: the fix for entity:kube-apiserver named node:kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane=,
  // a node like any other (reserved:remote-node only), so a pod's egress to the kube-apiserver entity was DENIED where
  // Cilium allows it: the identity of a node that runs the API server carries reserved:kube-apiserver (pkg/ipcache
  // metadata.go resolveLabels). `reserved:kube-apiserver` among a node endpoint's labels says so, and the fix names it.
  test('entity:kube-apiserver: the fix names the node with reserved:kube-apiserver, which keeps the API server\'s identity', () => {
    const policies = file('api-clients.yaml', `${CP_INGRESS}---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEntities: [kube-apiserver]
    toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]
`);
    const refused = cli('trace', '--policies', policies, '--from', 'pod:shop:app=web', '--to', 'entity:kube-apiserver', '--port', '6443');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('(engine-node-labels-unknown); fix: give the node by its labels instead, with reserved:kube-apiserver among them '
      + '(a node that runs the API server), node:reserved:kube-apiserver,kubernetes.io/hostname=<node>,<label>=<value>,... '
      + '(node:reserved:kube-apiserver,kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane= for a control-plane node) as --to');
    const apiNode = cli('trace', '--policies', policies, '--from', 'pod:shop:app=web', '--to',
      'node:reserved:kube-apiserver,kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane=', '--port', '6443', '--output', 'json');
    expect(apiNode.code).toBe(0);
    const json = JSON.parse(apiNode.stdout);
    expect([json.to, json.egress.decision, json.ingress.decision])
      .toEqual(['node:kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane,reserved:kube-apiserver', 'allowed', 'allowed']);
    // The same node without the label is a node like any other: the pod's egress to the API server does not reach it.
    const plain = cli('trace', '--policies', policies, '--from', 'pod:shop:app=web', '--to',
      'node:kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane=', '--port', '6443', '--output', 'json');
    expect([plain.code, JSON.parse(plain.stdout).egress.decision]).toEqual([1, 'default-deny']);
    // Other entities keep the fix without the label.
    const host = cli('trace', '--policies', policies, '--from', 'cidr:203.0.113.5', '--to', 'entity:host', '--port', '22');
    expect(host.stderr).toContain('fix: give the node by its labels instead, node:kubernetes.io/hostname=<node>');
  });

  test('a host rule of the other direction, of every node, or of no node leaves the entity judged', () => {
    // Ingress-only on control-plane nodes: egress of entity:host does not depend on the node.
    const ingress = file('cp-ingress-only.yaml', CP_INGRESS);
    expect(cli('trace', '--policies', ingress, '--from', 'entity:host', '--to', 'cidr:203.0.113.5', '--port', '443').code).toBe(0);
    // An empty nodeSelector, and reserved:host, select every node: default deny, denied (exit 1).
    for (const sel of ['{}', '{ matchLabels: { reserved:host: "" } }', '{ matchExpressions: [{ key: host, operator: Exists }] }']) {
      const f = file('all.yaml', CP_EGRESS.replace(/nodeSelector: .*/, `nodeSelector: ${sel}`));
      const r = cli('trace', '--policies', f, '--from', 'entity:host', '--to', 'cidr:203.0.113.5', '--port', '443', '--output', 'json');
      expect([sel, r.code, JSON.parse(r.stdout || '{}').egress?.decision]).toEqual([sel, 1, 'default-deny']);
    }
  });
});

describe('session 50 review: a nodeSelector on a key the identity label filter drops, and node peers without labels', () => {
  test('a nodeSelector on kubernetes.io/hostname selects no node (labelsfilter drops the key): entity:host is judged, default allow', () => {
    const f = file('n1.yaml', CP_INGRESS.replace('node-role.kubernetes.io/control-plane: ""', 'kubernetes.io/hostname: n1'));
    const r = cli('trace', '--policies', f, '--from', 'cidr:203.0.113.5', '--to', 'entity:host', '--port', '22', '--output', 'json');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout).ingress.decision).toBe('no-policy-default-allow');
    // The same answer for the node itself: the key is in no host endpoint's identity.
    const n1 = cli('trace', '--policies', f, '--from', 'cidr:203.0.113.5', '--to', 'node:kubernetes.io/hostname=n1', '--port', '22', '--output', 'json');
    expect(JSON.parse(n1.stdout).ingress.decision).toBe('no-policy-default-allow');
    // NotIn on a dropped key always holds: the rule applies to every node, so entity:host is judged (default deny off the cluster).
    const notIn = file('not-n1.yaml', CP_INGRESS.replace('matchLabels: { node-role.kubernetes.io/control-plane: "" }',
      'matchExpressions: [{ key: kubernetes.io/hostname, operator: NotIn, values: [n1] }]'));
    const d = cli('trace', '--policies', notIn, '--from', 'cidr:203.0.113.5', '--to', 'entity:host', '--port', '22', '--output', 'json');
    expect([d.code, JSON.parse(d.stdout || '{}').ingress?.decision]).toEqual([1, 'default-deny']);
    // A kept key beside the dropped NotIn still reads node labels.
    const both = file('cp-not-n1.yaml', CP_INGRESS.replace('matchLabels: { node-role.kubernetes.io/control-plane: "" }',
      'matchExpressions: [{ key: kubernetes.io/hostname, operator: NotIn, values: [n1] }, { key: node-role.kubernetes.io/control-plane, operator: Exists }]'));
    expect(cli('trace', '--policies', both, '--from', 'cidr:203.0.113.5', '--to', 'entity:host', '--port', '22').code).toBe(2);
  });

  const PEER_DENY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: prod }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEntities: [all]
  egressDeny:
  - toNodes: [{ matchLabels: { node-role.kubernetes.io/control-plane: "" } }]
  ingress:
  - fromEntities: [all]
  ingressDeny:
  - fromNodes: [{ matchLabels: { node-role.kubernetes.io/control-plane: "" } }]
`;

  test('a node peer without labels under toNodes/fromNodes of node labels (per-node labels on) is refused; a node given by its labels is judged', () => {
    const f = file('peer-deny.yaml', PEER_DENY);
    for (const to of ['entity:remote-node', 'entity:kube-apiserver']) {
      const r = cli('trace', '--node-selector-labels', '--policies', f, '--from', 'pod:prod:app=web', '--to', to, '--port', '443');
      expect([to, r.code, r.stdout]).toEqual([to, 2, '']);
      expect(r.stderr).toContain(`error: --to ${to} as a peer of the egress policy of pod:prod:app=web is the identity of `);
      expect(r.stderr).toContain('CiliumNetworkPolicy prod/web spec.egressDeny[0] (toNodes) selects it depends on them');
      expect(r.stderr).toContain('(engine-node-labels-unknown); fix: give the node by its labels instead');
      const back = cli('trace', '--node-selector-labels', '--policies', f, '--from', to, '--to', 'pod:prod:app=web', '--port', '443');
      expect([back.code, back.stdout]).toEqual([2, '']);
      expect(back.stderr).toContain(`error: --from ${to} as a peer of the ingress policy of pod:prod:app=web is the identity of `);
    }
    const cp = cli('trace', '--node-selector-labels', '--policies', f, '--from', 'pod:prod:app=web', '--to',
      'node:kubernetes.io/hostname=n2,node-role.kubernetes.io/control-plane=', '--port', '443', '--output', 'json');
    expect([cp.code, JSON.parse(cp.stdout).egress.decision]).toEqual([1, 'denied-by-deny-rule']);
    const worker = cli('trace', '--node-selector-labels', '--policies', f, '--from', 'pod:prod:app=web', '--to', 'node:kubernetes.io/hostname=n3',
      '--port', '443', '--output', 'json');
    expect([worker.code, JSON.parse(worker.stdout).egress.decision]).toEqual([0, 'allowed']);
    // A toNodes that reads no node label (every node) leaves the entity judged.
    const all = file('peer-all.yaml', PEER_DENY.replace(/toNodes: \[.*\]/, 'toNodes: [{}]'));
    expect(cli('trace', '--node-selector-labels', '--policies', all, '--from', 'pod:prod:app=web', '--to', 'entity:remote-node', '--port', '443').code).toBe(1);
  });

  test('replay leaves a flow to a node peer without labels under such a toNodes not judged', async () => {
    const set = policySet([cnp('web', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['all'] }],
      egressDeny: [{ toNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }] }] }, 'prod')], { nodeSelectorLabels: true });
    const line = JSON.stringify({ flow: {
      time: '2025-06-02T10:00:00Z', verdict: 'FORWARDED', IP: { source: '10.0.1.5', destination: '10.0.2.1', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 47001, destination_port: 443, flags: { SYN: true } } },
      source: { identity: 1234, namespace: 'prod', labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=prod'] },
      destination: { identity: 6, labels: ['reserved:remote-node'] }, Type: 'L3_L4', node_name: 'node-a', traffic_direction: 'EGRESS', is_reply: false,
    } });
    const report = await replayFlows(FlowSource._bytes(Buffer.from(`${line}\n`), 'peer.jsonl'), set);
    expect(report.connections).toEqual([]);
    expect(report.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(
      /^the destination entity:remote-node as a peer of the egress policy of pod:prod:app=web is the identity of another node, .*, so no one verdict holds for every node; this connection is not judged \(engine-node-labels-unknown\)$/) })]);
  });

  test('verdict() notes a node peer without labels', () => {
    const set = policySet([cnp('web', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['all'] }],
      egressDeny: [{ toNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }] }] }, 'prod')], { nodeSelectorLabels: true });
    const v = judged(set, 'pod:prod:app=web', 'entity:remote-node', 443);
    // The matchers refuse it, as trace does (engine-node-labels-unknown): the note is the engine's, for what explains it.
    expect(() => verdict(set, 'pod:prod:app=web', 'entity:remote-node', 443)).toThrow(/^Verdicts\.verdictFor\(\) pod:prod:app=web → entity:remote-node: the server /);
    expect(v.egress.notes).toContainEqual(expect.stringMatching(
      /^entity:remote-node as a peer of the egress policy of pod:prod:app=web is the identity of another node, .*: this is the verdict of a node without labels; fix: /));
  });
});

describe('verdict() and replay', () => {
  const set = (): ReturnType<typeof policySet> => policySet([ccnp('cp', {
    nodeSelector: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }, egress: [{ toEntities: ['cluster'] }],
  })]);

  test('verdict() notes that the verdict is a node\'s without labels', () => {
    const v = judged(set(), 'entity:host', 'cidr:203.0.113.5', 443, HOST);
    expect(() => verdict(set(), 'entity:host', 'cidr:203.0.113.5', 443, HOST)).toThrow(/^Verdicts\.verdictFor\(\) entity:host → cidr:203\.0\.113\.5: the client /);
    expect(v.egress.decision).toBe('no-policy-default-allow');
    expect(v.egress.notes).toContainEqual(expect.stringMatching(
      /^entity:host as the subject of egress host policy is a node's host endpoint, given without the node's labels.*: this is the verdict of a node without labels; fix: /));
    // A node with the label: default deny.
    expect(verdict(set(), 'node:kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane=', 'cidr:203.0.113.5', 443, HOST).egress.decision).toBe('default-deny');
  });

  test('replay leaves a host flow under such a rule not judged', async () => {
    const line = JSON.stringify({ flow: {
      time: '2025-06-02T10:00:00Z', verdict: 'FORWARDED', IP: { source: '10.0.1.1', destination: '203.0.113.5', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 47001, destination_port: 443, flags: { SYN: true } } }, source: { identity: 1, labels: ['reserved:host'] },
      destination: { identity: 2, labels: ['reserved:world'] }, Type: 'L3_L4', node_name: 'node-a', traffic_direction: 'EGRESS', is_reply: false,
    } });
    const report = await replayFlows(FlowSource._bytes(Buffer.from(`${line}\n`), 'host.jsonl'), set());
    expect(report.connections).toEqual([]);
    expect(report.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(
      /^the source entity:host as the subject of egress host policy is a node's host endpoint, .*, so no one verdict holds for every node; this connection is not judged \(engine-node-labels-unknown\)$/) })]);
  });
});

// Session 51 review: `node:reserved:kube-apiserver` (and `node:@<ip>`, `node:`) says no more of the node than the entity
// does, yet was judged as a node with no labels: a worker-only host rule (control-plane DoesNotExist) allowed the API server.
describe('session 51: a node: endpoint without node labels is refused as the entity is', () => {
  const WORKER_ONLY = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: workers-hf }
spec:
  nodeSelector: { matchExpressions: [{ key: node-role.kubernetes.io/control-plane, operator: DoesNotExist }] }
  ingress:
  - fromEntities: [cluster]
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: cp-ingress }
spec:
  nodeSelector: { matchLabels: { node-role.kubernetes.io/control-plane: "" } }
  ingress:
  - fromEntities: [remote-node]
    toPorts: [{ ports: [{ port: "6443", protocol: TCP }] }]
`;
  const sets = (): ReturnType<typeof policySet> => policySet([
    ccnp('workers-hf', { nodeSelector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] },
      ingress: [{ fromEntities: ['cluster'] }] }),
    ccnp('cp-ingress', { nodeSelector: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } },
      ingress: [{ fromEntities: ['remote-node'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }] }),
  ]);

  test('trace refuses node:reserved:kube-apiserver[@ip] and node:@ip under a host rule of node labels; with the labels it is judged', () => {
    const f = file('worker-only.yaml', WORKER_ONLY);
    // Every node carries the cluster label (pkg/node nodeIdentityLabels adds it): given alone, it says no more of the node.
    for (const to of ['node:reserved:kube-apiserver', 'node:reserved:kube-apiserver@10.0.0.1', 'node:@10.0.0.1',
      'node:io.cilium.k8s.policy.cluster=default', 'node:k8s:io.cilium.k8s.policy.cluster=default,reserved:kube-apiserver@10.0.0.1']) {
      const r = cli('trace', '--policies', f, '--from', 'pod:shop:app=web', '--to', to, '--port', '6443');
      expect([to, r.code, r.stdout]).toEqual([to, 2, '']);
      expect(r.stderr).toContain(`error: --to ${to} as the subject of ingress host policy is `);
      expect(r.stderr).toContain('given without the node\'s labels');
      expect(r.stderr).toContain('(engine-node-labels-unknown); fix: give the node by its labels instead');
    }
    // The API server's node by its labels: a worker is allowed by workers-hf (cluster), a control-plane node denies the pod.
    const worker = cli('trace', '--policies', f, '--from', 'pod:shop:app=web', '--to', 'node:reserved:kube-apiserver,kubernetes.io/hostname=w1',
      '--port', '6443', '--output', 'json');
    expect([worker.code, JSON.parse(worker.stdout).ingress.decision]).toEqual([0, 'allowed']);
    const cp = cli('trace', '--policies', f, '--from', 'pod:shop:app=web', '--to',
      'node:reserved:kube-apiserver,kubernetes.io/hostname=cp1,node-role.kubernetes.io/control-plane=', '--port', '6443', '--output', 'json');
    expect([cp.code, JSON.parse(cp.stdout).ingress.decision]).toEqual([1, 'default-deny']);
  });

  test('the matchers refuse it and verdict() notes it; a node with its labels is judged, allowed and denied', () => {
    for (const to of ['node:reserved:kube-apiserver', 'node:@10.0.0.1']) {
      expect(refusedByMatchers(sets(), 'pod:shop:app=web', to, 6443)).toBe(true);
      expect(judged(sets(), 'pod:shop:app=web', to, 6443).ingress.notes).toContainEqual(expect.stringMatching(
        new RegExp(`^${to.replace(/[.@]/g, '\\$&')} as the subject of ingress host policy is .*: this is the verdict of a node without labels; fix: give the node`)));
    }
    expect(verdict(sets(), 'pod:shop:app=web', 'node:reserved:kube-apiserver,kubernetes.io/hostname=w1', 6443).ingress.allowed).toBe(true);
    expect(verdict(sets(), 'pod:shop:app=web', 'node:reserved:kube-apiserver,kubernetes.io/hostname=cp1,node-role.kubernetes.io/control-plane=', 6443)
      .ingress.decision).toBe('default-deny');
  });

  test('a node peer of reserved labels only under toNodes of node labels (per-node labels on) is refused; with its labels it is judged', () => {
    const set = policySet([cnp('web', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['all'] }],
      egressDeny: [{ toNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }] }] }, 'prod')], { nodeSelectorLabels: true });
    expect(refusedByMatchers(set, 'pod:prod:app=web', 'node:reserved:kube-apiserver', 443)).toBe(true);
    expect(judged(set, 'pod:prod:app=web', 'node:reserved:kube-apiserver', 443).egress.notes).toContainEqual(expect.stringMatching(
      /^node:reserved:kube-apiserver as a peer of the egress policy of pod:prod:app=web is the identity of a node the API server runs on, .*; fix: /));
    expect(verdict(set, 'pod:prod:app=web', 'node:reserved:kube-apiserver,kubernetes.io/hostname=w1', 443).egress.allowed).toBe(true);
    expect(verdict(set, 'pod:prod:app=web', 'node:reserved:kube-apiserver,kubernetes.io/hostname=cp1,node-role.kubernetes.io/control-plane=', 443)
      .egress.decision).toBe('denied-by-deny-rule');
  });
});

// Session 52 (seed-5252 mutants of host-node-labels.ts: `whichNode` with `ep.kind !== NODE`, and
// `peerNodeLabelsUnknownText` always in the singular): which node identity the peer is, and every item that reads its
// labels, by number.
describe('session 52: the peer\'s node identity and the items that read its labels', () => {
  const set = (): ReturnType<typeof policySet> => policySet([cnp('web', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['all'] }],
    egressDeny: [{ toNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }] }, { toNodes: [{ matchLabels: { zone: 'a' } }] }] }, 'prod')],
  { nodeSelectorLabels: true });

  test.each([
    ['node:@10.0.0.1', 'the identity of a node'],
    ['entity:remote-node', 'the identity of another node'],
  ])('%s: refused, "%s", both deny items named; with its labels it is judged', (to, identity) => {
    expect(refusedByMatchers(set(), 'pod:prod:app=web', to, 443)).toBe(true);
    const notes = judged(set(), 'pod:prod:app=web', to, 443).egress.notes;
    expect(notes).toContainEqual(expect.stringMatching(new RegExp(`^${to.replace(/[.@:-]/g, '\\$&')} as a peer of the egress policy of pod:prod:app=web is ${identity}, `
      + 'given without the node\'s labels, and whether the rule items CiliumNetworkPolicy prod/web spec\\.egressDeny\\[0\\] \\(toNodes\\), '
      + 'CiliumNetworkPolicy prod/web spec\\.egressDeny\\[1\\] \\(toNodes\\) select it depends on them')));
  });

  test('a node with its labels is judged: denied in zone a, allowed elsewhere', () => {
    expect(verdict(set(), 'pod:prod:app=web', 'node:kubernetes.io/hostname=w1,zone=a', 443).egress.decision).toBe('denied-by-deny-rule');
    expect(verdict(set(), 'pod:prod:app=web', 'node:kubernetes.io/hostname=w1,zone=b', 443).egress.allowed).toBe(true);
  });
});

// Session 52: the refusal was per rule that reads node labels, not per verdict: a connection those rules cannot change (a
// deny of every node decides it, their ports are not the one asked, the subject is in default deny either way) was refused.
// Now each side is decided with every such rule selecting the node and not (every combination, decidesAlikeOnEveryNode),
// and judged only when all decide alike: the same decision, deciding rule and L7 outcome.
describe('session 52: the node-label refusal is per verdict', () => {
  const port = (p: string): Record<string, unknown>[] => [{ ports: [{ port: p, protocol: 'TCP' }] }];
  const hostSet = (): ReturnType<typeof policySet> => policySet([
    // Every node: default deny on egress, 203.0.113.0/24 on 443, never 198.51.100.0/24.
    ccnp('all-nodes', { nodeSelector: {}, egress: [{ toCIDR: ['203.0.113.0/24'], toPorts: port('443') }],
      egressDeny: [{ toCIDR: ['198.51.100.0/24'] }] }),
    // Control-plane nodes: the world on 80 too.
    ccnp('cp', { nodeSelector: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }, egress: [{ toEntities: ['world'], toPorts: port('80') }] }),
  ], HOST);

  test('a host endpoint without its labels: judged where the node-label rule cannot change the side, refused where it can', () => {
    for (const from of ['entity:host', 'node:@10.0.0.5', 'node:reserved:host']) {
      // Allowed by all-nodes whether cp selects the node or not (cp is on port 80 only).
      const allowed = judged(hostSet(), from, 'cidr:203.0.113.5', 443);
      expect([from, allowed.verdict, allowed.egress.rule?.name]).toEqual([from, 'allowed', 'all-nodes']);
      expect(refusedByMatchers(hostSet(), from, 'cidr:203.0.113.5', 443)).toBe(false);
      expect(allowed.egress.notes).toContainEqual(expect.stringMatching(/given without the node's labels, .* the node's labels are unknown and do not change this verdict: .* so it holds on every node \(2 combinations decided\)$/));
      // Denied by all-nodes' deny rule on every node, cp's allow of port 80 notwithstanding.
      const denied = judged(hostSet(), from, 'cidr:198.51.100.7', 80);
      expect([denied.verdict, denied.egress.decision, denied.egress.rule?.name]).toEqual(['denied', 'denied-by-deny-rule', 'all-nodes']);
      expect(refusedByMatchers(hostSet(), from, 'cidr:198.51.100.7', 80)).toBe(false);
      // Default deny on every node: all-nodes selects it, and cp allows nothing on 8080.
      expect(judged(hostSet(), from, 'cidr:192.0.2.9', 8080).egress.decision).toBe('default-deny');
      expect(refusedByMatchers(hostSet(), from, 'cidr:192.0.2.9', 8080)).toBe(false);
      // Port 80 to the world: allowed on a control-plane node (cp), default deny on another. Refused.
      expect(refusedByMatchers(hostSet(), from, 'cidr:192.0.2.9', 80)).toBe(true);
      expect(judged(hostSet(), from, 'cidr:192.0.2.9', 80).egress.notes).toContainEqual(expect.stringMatching(/: this is the verdict of a node without labels; fix: /));
    }
    // The nodes by their labels: the truth the combinations stand for.
    const cpNode = 'node:kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane=';
    expect(verdict(hostSet(), cpNode, 'cidr:192.0.2.9', 80).verdict).toBe('allowed');
    expect(verdict(hostSet(), 'node:kubernetes.io/hostname=n2', 'cidr:192.0.2.9', 80).verdict).toBe('denied');
    for (const node of [cpNode, 'node:kubernetes.io/hostname=n2']) {
      expect(verdict(hostSet(), node, 'cidr:203.0.113.5', 443).verdict).toBe('allowed');
      expect(verdict(hostSet(), node, 'cidr:198.51.100.7', 80).verdict).toBe('denied');
    }
  });

  test('without a rule of every node, the node-label rule decides default deny: refused on every port', () => {
    const set = (): ReturnType<typeof policySet> => policySet([ccnp('cp', { nodeSelector: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } },
      egress: [{ toEntities: ['world'], toPorts: port('80') }] })], HOST);
    // 8080: default deny on a control-plane node, no policy (allowed) on another.
    for (const p of [80, 8080]) expect(refusedByMatchers(set(), 'entity:host', 'cidr:192.0.2.9', p)).toBe(true);
  });

  test('trace judges what the node-label rule cannot change (exit 0 and 1) and refuses the rest (exit 2)', () => {
    const f = file('per-verdict.yaml', `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: all-nodes }
spec:
  nodeSelector: {}
  egress:
  - toCIDR: [203.0.113.0/24]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
---
${CP_EGRESS}`);
    const ok = cli('trace', '--policies', f, '--from', 'entity:host', '--to', 'cidr:203.0.113.5', '--port', '443', '--output', 'json');
    expect([ok.code, JSON.parse(ok.stdout).egress.rule.name]).toEqual([0, 'all-nodes']);
    const deny = cli('trace', '--policies', f, '--from', 'entity:host', '--to', 'cidr:192.0.2.9', '--port', '443', '--output', 'json');
    expect([deny.code, JSON.parse(deny.stdout).egress.decision]).toEqual([1, 'default-deny']);
    // cp-egress allows the cluster: a pod on 8080 is allowed on a control-plane node only.
    const depends = cli('trace', '--policies', f, '--from', 'entity:host', '--to', 'pod:shop:app=web', '--port', '8080');
    expect([depends.code, depends.stdout]).toEqual([2, '']);
    expect(depends.stderr).toContain('(engine-node-labels-unknown)');
  });

  const peerSet = (): ReturnType<typeof policySet> => policySet([cnp('web', { endpointSelector: { matchLabels: { app: 'web' } },
    ingress: [{ fromEntities: ['cluster'], toPorts: port('8080') },
      { fromNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }], toPorts: port('10250') }],
    ingressDeny: [{ fromNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }], toPorts: port('22') }] }, 'prod')],
  { nodeSelectorLabels: true });

  test('a node peer without its labels under fromNodes of node labels: judged off their ports, refused on them', () => {
    for (const from of ['entity:remote-node', 'node:@10.0.0.5']) {
      const allowed = judged(peerSet(), from, 'pod:prod:app=web', 8080);
      expect([from, allowed.verdict, allowed.ingress.rule?.path]).toEqual([from, 'allowed', 'spec.ingress[0]']);
      expect(refusedByMatchers(peerSet(), from, 'pod:prod:app=web', 8080)).toBe(false);
      expect(judged(peerSet(), from, 'pod:prod:app=web', 9999).ingress.decision).toBe('default-deny');
      expect(refusedByMatchers(peerSet(), from, 'pod:prod:app=web', 9999)).toBe(false);
      // 10250: allowed from a control-plane node, default deny from another.
      expect(refusedByMatchers(peerSet(), from, 'pod:prod:app=web', 10250)).toBe(true);
      // 22: denied from every node, by the deny rule on a control-plane node and by default deny on another: the reason is
      // the node's, so it stays refused (replay compares the deciding rule with the cluster's).
      expect(refusedByMatchers(peerSet(), from, 'pod:prod:app=web', 22)).toBe(true);
    }
  });

  test('an L7 outcome the fromNodes item changes stays refused: its L4 allow makes the port\'s HTTP rules allow all on a control-plane node', () => {
    const set = policySet([cnp('web', { endpointSelector: { matchLabels: { app: 'web' } },
      ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/public' }] } }] },
        { fromNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }], toPorts: port('8080') }] }, 'prod')], { nodeSelectorLabels: true });
    const cp = 'node:kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane=';
    expect([verdict(set, cp, 'pod:prod:app=web', 8080, { http: 'GET /admin' }).verdict,
      verdict(set, 'node:kubernetes.io/hostname=n2', 'pod:prod:app=web', 8080, { http: 'GET /admin' }).verdict]).toEqual(['allowed', 'l7-denied']);
    for (const path of ['/admin', '/public']) {
      expect(() => verdict(set, 'entity:remote-node', 'pod:prod:app=web', 8080, { http: `GET ${path}` })).toThrow(/ \(engine-node-labels-unknown\)/);
    }
  });

  test('within the work budget (combinations × items and rules) decided; past it, refused before any combination, never guessed', () => {
    const rules = (n: number, items = 1): ReturnType<typeof policySet> => policySet([
      ccnp('all', { nodeSelector: {}, egress: [{ toCIDR: ['203.0.113.0/24'], toPorts: port('443') }] }),
      ...Array.from({ length: n }, (_, i) => ccnp(`r${i}`, { nodeSelector: { matchLabels: { [`role${i}`]: '' } },
        egress: Array.from({ length: items }, (__, j) => ({ toEntities: ['world'], toPorts: port(String(80 + j)) })) })),
    ], HOST);
    // 5 host rules of node labels: 32 combinations × (6 items + 6 rules) = 384 ≤ 512.
    expect(judged(rules(5), 'entity:host', 'cidr:203.0.113.5', 443).egress.notes).toContainEqual(expect.stringMatching(/\(32 combinations decided\)$/));
    expect(refusedByMatchers(rules(5), 'entity:host', 'cidr:203.0.113.5', 443)).toBe(false);
    // 6: 64 × 14 = 896; 8 and 9 (256 and 512 combinations) too: refused, though all allows 443 on every node.
    for (const n of [6, 8, 9]) expect(refusedByMatchers(rules(n), 'entity:host', 'cidr:203.0.113.5', 443)).toBe(true);
    // One host rule: 2 × (201 items + 2 rules) = 406 decided; 2 × (301 + 2) = 606 refused.
    expect(refusedByMatchers(rules(1, 200), 'entity:host', 'cidr:203.0.113.5', 443)).toBe(false);
    expect(refusedByMatchers(rules(1, 300), 'entity:host', 'cidr:203.0.113.5', 443)).toBe(true);
  });

  test('replay under --node-selector-labels judges a flow the fromNodes items cannot change, and leaves one they can not judged', async () => {
    const flow = (port: number, sourcePort: number): string => JSON.stringify({ flow: {
      time: '2025-06-02T10:00:00Z', verdict: 'FORWARDED', IP: { source: '10.0.2.1', destination: '10.0.1.5', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: sourcePort, destination_port: port, flags: { SYN: true } } }, source: { identity: 6, labels: ['reserved:remote-node'] },
      destination: { identity: 1234, namespace: 'prod', labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=prod'] },
      Type: 'L3_L4', node_name: 'node-a', traffic_direction: 'INGRESS', is_reply: false,
    } });
    const report = await replayFlows(FlowSource._bytes(Buffer.from(`${flow(8080, 47001)}\n${flow(10250, 47002)}\n`), 'peer.jsonl'), peerSet());
    expect(report.connections.map((c) => [c.source, c.destination, c.connection, c.predicted.verdict, c.change]))
      .toEqual([['entity:remote-node', 'pod:prod:app=web', '8080/TCP', 'allowed', 'unchanged']]);
    expect(report.errors).toEqual([expect.objectContaining({ connection: expect.stringContaining('10250/TCP'), message: expect.stringMatching(
      /^the source entity:remote-node as a peer of the ingress policy of pod:prod:app=web is the identity of another node, .*; this connection is not judged \(engine-node-labels-unknown\)$/) })]);
  });
});

// Session 52 review: the subject's DNS learning (toFQDNs) was read once, from the node as given, in every combination;
// but a node's proxy learns a name from its own lookup, which the host rules selecting it decide (pkg/fqdn/namemanager).
describe('session 52 review: a verdict that reads the node\'s DNS learning is not judged for a node without labels', () => {
  const KUBE_DNS = [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }];
  const DNS_ALLOW = { toEndpoints: KUBE_DNS, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };
  const FQDN_443 = { toFQDNs: [{ matchName: 'example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] };
  const CP = { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } };
  // p1: every node learns example.com and allows it on 443, but control-plane nodes deny their own lookups.
  const p1 = [ccnp('all-nodes', { nodeSelector: {}, egress: [DNS_ALLOW, FQDN_443] }),
    ccnp('cp-deny-dns', { nodeSelector: CP, egressDeny: [{ toEndpoints: KUBE_DNS, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }] })];
  // p4: every node allows example.com on 443, but only control-plane nodes may look it up.
  const p4 = [ccnp('all-nodes', { nodeSelector: {}, egress: [FQDN_443] }), ccnp('cp-dns', { nodeSelector: CP, egress: [DNS_ALLOW] })];
  // p3: every node may look names up; only control-plane nodes allow example.com on 443.
  const p3 = [ccnp('all-nodes', { nodeSelector: {}, egress: [DNS_ALLOW] }), ccnp('cp-fqdn', { nodeSelector: CP, egress: [FQDN_443] })];
  const cpNode = 'node:kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane=';
  const worker = 'node:kubernetes.io/hostname=n2';
  const yaml = (docs: Record<string, unknown>[]): string => docs.map((d) => JSON.stringify(d)).join('\n---\n');

  test('p1 and p4: the nodes by their labels differ, so entity:host and node:@ip are refused (matchers, trace exit 2)', () => {
    for (const [docs, cp, other] of [[p1, 'denied', 'allowed'], [p4, 'allowed', 'denied']] as const) {
      const set = policySet([...docs], HOST);
      expect([verdict(set, cpNode, 'fqdn:example.com@1.2.3.4', 443).verdict, verdict(set, worker, 'fqdn:example.com@1.2.3.4', 443).verdict]).toEqual([cp, other]);
      for (const from of ['entity:host', 'node:@10.0.0.5']) expect(refusedByMatchers(set, from, 'fqdn:example.com@1.2.3.4', 443)).toBe(true);
      const f = file(`learning-${cp}.yaml`, yaml([...docs]));
      const r = cli('trace', '--policies', f, '--host-firewall', '--from', 'entity:host', '--to', 'fqdn:example.com@1.2.3.4', '--port', '443');
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toContain('(engine-node-labels-unknown)');
    }
    // What reads no learning is still judged: another name (no toFQDNs item selects it on any node), an address.
    const set = policySet([...p1], HOST);
    expect(judged(set, 'entity:host', 'fqdn:other.example@1.2.3.4', 443).egress.decision).toBe('default-deny');
    expect(judged(set, 'entity:host', 'cidr:203.0.113.5', 443).egress.decision).toBe('default-deny');
  });

  const hostFlow = (names: string[]): string => JSON.stringify({ flow: {
    time: '2025-06-02T10:00:00Z', verdict: 'FORWARDED', IP: { source: '10.0.1.1', destination: '1.2.3.4', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 47001, destination_port: 443, flags: { SYN: true } } }, source: { identity: 1, labels: ['reserved:host'] },
    destination: { identity: 2, labels: ['reserved:world'] }, destination_names: names, Type: 'L3_L4', node_name: 'cp-1', traffic_direction: 'EGRESS', is_reply: false,
  } });

  test('replay leaves a host flow to a name not judged where a node-label rule decides its learning or its toFQDNs (p1, p3)', async () => {
    for (const docs of [p1, p3]) {
      const report = await replayFlows(FlowSource._bytes(Buffer.from(`${hostFlow(['example.com'])}\n`), 'names.jsonl'), policySet([...docs], HOST));
      expect(report.connections).toEqual([]);
      expect(report.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(
        /^the source entity:host as the subject of egress host policy is a node's host endpoint, .*; this connection is not judged \(engine-node-labels-unknown\)$/) })]);
    }
    // The same flow without a name: default deny on every node (cp-fqdn selects no address), judged.
    const report = await replayFlows(FlowSource._bytes(Buffer.from(`${hostFlow([])}\n`), 'bare.jsonl'), policySet([...p3], HOST));
    expect(report.connections.map((c) => [c.source, c.destination, c.predicted.verdict])).toEqual([['entity:host', 'cidr:1.2.3.4', 'denied']]);
  });
});
