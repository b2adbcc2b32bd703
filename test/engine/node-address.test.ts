// A `cidr:` end at an address of a Node of the inputs (`status.addresses` InternalIP/ExternalIP): the agents give a node's
// addresses the node's identity (host, remote-node), which CIDR rules select only under policy-cidr-match-mode: nodes,
// while the engine takes a `cidr:` end for an outside address (world). Such an end is refused by the gate
// (`engine-node-address`), at either end, with the node end to give; other addresses, and the node given as a node, stay judged.
import { describe, expect, test } from 'vitest';
import { CiliumPolicyError } from '../../src/core/errors';
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
---
apiVersion: v1
kind: Node
metadata: { name: n2, labels: { kubernetes.io/hostname: n2 } }
status:
  addresses: [{ type: InternalIP, address: 10.0.0.2 }, { type: ExternalIP, address: 203.0.113.2 }, { type: Hostname, address: n2 }]
`;

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

  test('trace exits 2 and names the node end to give', () => {
    const dir = mkdtempSync(join(tmpdir(), 'node-address-'));
    writeFileSync(join(dir, 'p.yaml'), YAML);
    const run = cli('trace', '--policies', join(dir, 'p.yaml'), '--from', 'pod:shop:app=web', '--to', 'cidr:10.0.0.2', '--port', '10250/TCP');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('(engine-node-address); fix: give the node (node:kubernetes.io/hostname=n2@10.0.0.2;');
  });
});
