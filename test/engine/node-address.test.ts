// A `cidr:` end at an address of a Node of the inputs (`status.addresses` InternalIP/ExternalIP): the agents give a node's
// addresses the node's identity (host, remote-node), which CIDR rules select only under policy-cidr-match-mode: nodes,
// while the engine takes a `cidr:` end for an outside address (world). Such an end is refused by the gate
// (`engine-node-address`), at either end, with the node end to give; other addresses, and the node given as a node, stay judged.
import { describe, expect, test } from 'vitest';
import { CiliumPolicyError } from '../../src/core/errors';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { cli } from '../support/cli';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const YAML = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toCIDR: [10.0.0.0/8]
    toPorts: [{ ports: [{ port: "10250", protocol: TCP }] }]
  - toEntities: [world]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }] }]
---
apiVersion: v1
kind: Node
metadata: { name: n2, labels: { kubernetes.io/hostname: n2 } }
status:
  addresses: [{ type: InternalIP, address: 10.0.0.2 }, { type: ExternalIP, address: 203.0.113.2 }, { type: Hostname, address: n2 }]
`;

/** With a toNodes item (per-node labels: enable-node-selector-labels on 1.17). */
const TO_NODES = YAML.replace('---', `  - toNodes: [{ matchLabels: { kubernetes.io/hostname: n9 } }]
    toPorts: [{ ports: [{ port: "10251", protocol: TCP }] }]
---`);

function outcome(set: PolicySet, from: string, to: string, port: number): string {
  const q = { from: set.endpoint(from), to: set.endpoint(to), port, protocol: 'TCP' };
  try {
    const decided = set.decide(q);
    expect(set.verdict(q).allowed).toBe(decided === 'allowed');
    return decided;
  } catch (e) {
    if (e instanceof CiliumPolicyError && e.id === 'engine-node-address') return e.id;
    throw e;
  }
}

describe('an address end at a Node\'s address is not judged as an outside address', () => {
  const set = PolicySet.fromYaml(YAML, { file: 'p.yaml' });
  test.each([
    ['pod:shop:app=web', 'cidr:10.0.0.2', 'engine-node-address'], // was: allowed by toCIDR 10.0.0.0/8 (the node: denied)
    ['pod:shop:app=web', 'cidr:203.0.113.2', 'engine-node-address'],
    ['pod:shop:app=web', 'fqdn:n2.example.com@10.0.0.2', 'engine-node-address'],
    ['cidr:10.0.0.2', 'pod:shop:app=web', 'engine-node-address'],
    ['pod:shop:app=web', 'cidr:10.0.0.3', 'allowed'],
    ['pod:shop:app=web', 'node:kubernetes.io/hostname=n2@10.0.0.2', 'denied'],
  ])('%s -> %s on 10250/TCP: %s', (from, to, expected) => {
    expect(outcome(set, from, to, 10250)).toBe(expected);
  });

  // entity:kube-apiserver@<ip> is judged as a managed API server outside the cluster (world): not at a Node's address.
  test.each([
    ['pod:shop:app=web', 'entity:kube-apiserver@10.0.0.2', 'engine-node-address'], // was: allowed by toEntities world
    ['pod:shop:app=web', 'entity:kube-apiserver@203.0.113.2', 'engine-node-address'],
    ['entity:kube-apiserver@10.0.0.2', 'pod:shop:app=web', 'engine-node-address'],
    ['pod:shop:app=web', 'entity:kube-apiserver@198.51.100.9', 'allowed'],
  ])('%s -> %s on 443/TCP: %s', (from, to, expected) => {
    expect(outcome(set, from, to, 443)).toBe(expected);
  });

  test('the kube-apiserver refusal gives the API server on the nodes or the node', () => {
    const q = { from: set.endpoint('pod:shop:app=web'), to: set.endpoint('entity:kube-apiserver@10.0.0.2'), port: 443, protocol: 'TCP' };
    expect(() => set.decide(q)).toThrow('fix: give entity:kube-apiserver (the API server on the nodes) or the node (node:kubernetes.io/hostname=n2@10.0.0.2)');
  });

  // A node end whose labels the Node at its address does not carry would be judged by labels Cilium never gives it.
  test.each([
    [false, 'node:kubernetes.io/hostname=n9@10.0.0.2', 'engine-node-address'], // was: allowed by toNodes hostname=n9
    [false, 'node:kubernetes.io/hostname=n9', 'allowed'], // no address: the node meant
    [false, 'node:kubernetes.io/hostname=n2@10.0.0.2', 'denied'],
    [true, 'node:kubernetes.io/hostname=n9@10.0.0.2', 'engine-node-address'],
  ])('as client %s: %s on 10251/TCP: %s', (asClient, end, expected) => {
    const labelled = PolicySet.fromYaml(TO_NODES, { file: 'p.yaml', ciliumVersion: CiliumVersion.V1_17, nodeSelectorLabels: true });
    expect(asClient ? outcome(labelled, end, 'pod:shop:app=web', 10251) : outcome(labelled, 'pod:shop:app=web', end, 10251)).toBe(expected);
  });

  test('the node-labels refusal names the Node\'s labels', () => {
    const labelled = PolicySet.fromYaml(TO_NODES, { file: 'p.yaml', ciliumVersion: CiliumVersion.V1_17, nodeSelectorLabels: true });
    const q = { from: labelled.endpoint('pod:shop:app=web'), to: labelled.endpoint('node:kubernetes.io/hostname=n9@10.0.0.2'), port: 10251, protocol: 'TCP' };
    expect(() => labelled.decide(q)).toThrow('whose labels (kubernetes.io/hostname=n2) do not include the node\'s given here');
  });

  test('trace exits 2 and names the node end to give', () => {
    const dir = mkdtempSync(join(tmpdir(), 'node-address-'));
    writeFileSync(join(dir, 'p.yaml'), YAML);
    const run = cli('trace', '--policies', join(dir, 'p.yaml'), '--from', 'pod:shop:app=web', '--to', 'cidr:10.0.0.2', '--port', '10250/TCP');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('(engine-node-address); fix: give the node (node:kubernetes.io/hostname=n2@10.0.0.2;');
  });
});
