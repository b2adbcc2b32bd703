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
import { ccnp, policySet, verdict } from './helpers';

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
const N1_INGRESS = `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: n1-ingress }
spec:
  nodeSelector: { matchLabels: { kubernetes.io/hostname: n1 } }
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

    const ingress = file('n1.yaml', N1_INGRESS);
    const r = cli('trace', '--policies', ingress, '--from', 'cidr:203.0.113.5', '--to', 'entity:host', '--port', '22');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('error: --to entity:host as the subject of ingress host policy is a node\'s host endpoint');
  });

  test('a host rule of the other direction, of every node, or of no node leaves the entity judged', () => {
    // Ingress-only on n1: egress of entity:host does not depend on the node.
    const ingress = file('n1-only.yaml', N1_INGRESS);
    expect(cli('trace', '--policies', ingress, '--from', 'entity:host', '--to', 'cidr:203.0.113.5', '--port', '443').code).toBe(0);
    // An empty nodeSelector, and reserved:host, select every node: default deny, denied (exit 1).
    for (const sel of ['{}', '{ matchLabels: { reserved:host: "" } }', '{ matchExpressions: [{ key: host, operator: Exists }] }']) {
      const f = file('all.yaml', CP_EGRESS.replace(/nodeSelector: .*/, `nodeSelector: ${sel}`));
      const r = cli('trace', '--policies', f, '--from', 'entity:host', '--to', 'cidr:203.0.113.5', '--port', '443', '--output', 'json');
      expect([sel, r.code, JSON.parse(r.stdout || '{}').egress?.decision]).toEqual([sel, 1, 'default-deny']);
    }
  });
});

describe('verdict() and replay', () => {
  const set = (): ReturnType<typeof policySet> => policySet([ccnp('cp', {
    nodeSelector: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }, egress: [{ toEntities: ['cluster'] }],
  })]);

  test('verdict() notes that the verdict is a node\'s without labels', () => {
    const v = verdict(set(), 'entity:host', 'cidr:203.0.113.5', 443, HOST);
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
      /^entity:host as the subject of egress host policy is a node's host endpoint, .*, so this connection is not judged$/) })]);
  });
});
