// Session 58: `diff` and `report` judged allow-localhost always, the host firewall auto and policy-default-local-cluster at
// the release's default whatever the cluster ran, while `trace` and `replay` took the three as flags (the rows of
// src/cli/agent-setting-flags.ts `SETTING_FLAGS` said so): a cluster run with `allow-localhost: policy` got a report listing
// the host → pod connections its agents drop, and a diff that hid a rule change toward the host. They now take the flags
// of the table (`--allow-localhost`, `--host-firewall`/`--no-host-firewall`, `--policy-default-local-cluster`). Verdicts
// of both commands under each value: allowed AND denied.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cliAsync } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-connectivity-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const backend = (from: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: backend, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: backend } }
  ingress:
  - ${from}
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;
const BASE = file('base.yaml', backend('fromEndpoints: [{ matchLabels: { app: frontend } }]'));
const HEAD = file('head.yaml', `${backend('fromEndpoints: [{ matchLabels: { app: frontend } }]')}  - fromEntities: [host]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`);
const HOST_POLICY = file('host.yaml', `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: host }
spec:
  nodeSelector: {}
  ingress:
  - fromEntities: [cluster]
`);

/** The JSON report's connections, as `from → to`. */
async function reported(...args: string[]): Promise<string[]> {
  const r = await cliAsync('report', '--output', 'json', ...args);
  expect([r.code, r.stderr]).toEqual([0, '']);
  const doc = JSON.parse(r.stdout) as { connections: { from: string; to: string }[] };
  return doc.connections.map((c) => `${c.from} → ${c.to}`);
}

describe('report', () => {
  test.each([
    [[], true],
    [['--allow-localhost', 'always'], true],
    [['--allow-localhost', 'auto'], true],
    [['--allow-localhost', 'policy'], false],
  ])('%j: the host reaches the pod the policy selects: %s', async (flags, allowed) => {
    const connections = await reported('--policies', BASE, ...flags);
    expect(connections.includes('host → shop/app=backend')).toBe(allowed);
    // The pods no policy selects are reached from the host either way (default allow).
    expect(connections).toContain('host → shop/(other pods)');
  });

  test.each([
    [[], false],
    [['--host-firewall'], false],
    [['--no-host-firewall'], true],
  ])('%j: the world reaches the nodes a host policy selects: %s', async (flags, allowed) => {
    const connections = await reported('--policies', HOST_POLICY, ...flags);
    expect(connections.includes('world → host')).toBe(allowed);
  });
});

describe('diff', () => {
  test.each([
    [[], 0],
    [['--allow-localhost', 'always'], 0],
    [['--allow-localhost', 'policy'], 1],
  ])('%j: a rule allowing the host is a change (--fail-on allowed exit %s)', async (flags, code) => {
    const r = await cliAsync('diff', '--base', BASE, '--head', HEAD, '--output', 'json', '--fail-on', 'allowed', ...flags);
    expect([r.code, r.stderr]).toEqual([code, '']);
    const doc = JSON.parse(r.stdout) as { changes: { from: string; to: string; after: string }[] };
    expect(doc.changes.map((c) => `${c.from} → ${c.to} ${c.after}`)).toEqual(code === 1 ? ['host → shop/app=backend allowed'] : []);
  });

  test('a value outside the choices is refused (exit 2, nothing on stdout)', async () => {
    const r = await cliAsync('diff', '--base', BASE, '--head', HEAD, '--policy-default-local-cluster', 'yes');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('--policy-default-local-cluster <bool>\' argument \'yes\' is invalid. Allowed choices are true, false (cli-usage)');
  });
});

// Review of session 58: with `--flows` from a clustermesh, a pod of another cluster became a workload of the inventory, whose
// Cilium-owned labels (the cluster label among them) are dropped: judged as a local pod. Capture `web` of cluster `east` →
// `api` of `west`; base allows `{app: web, io.cilium.k8s.policy.cluster: east}`, head `{app: web}`. Cilium (1.19,
// policy-default-local-cluster on: the head's selector is the local cluster's pods only) stops allowing it, as replay
// says; `diff --cluster-name west --fail-on denied` read it as denied → allowed and exited 0. Now refused (exit 2):
// the classes cannot carry a pod of another cluster. A capture of the local cluster's pods is judged as before.
describe('--flows with pods of another cluster than the local one', () => {
  const pod = (app: string, cluster: string, identity: number, ip: string): Record<string, unknown> => ({
    ID: identity - 40000, identity, namespace: 'shop', pod_name: `${app}-0`,
    labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop', `k8s:io.cilium.k8s.policy.cluster=${cluster}`], _ip: ip,
  });
  const capture = (name: string, webCluster: string): string => {
    const { _ip: srcIp, ...source } = pod('web', webCluster, 50001, '10.1.0.1');
    const { _ip: dstIp, ...destination } = pod('api', 'west', 40002, '10.0.0.2');
    return file(name, `${JSON.stringify({ flow: {
      time: '2026-12-04T10:00:01Z', verdict: 'FORWARDED', IP: { source: srcIp, destination: dstIp, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40001, destination_port: 8080, flags: { SYN: true } } }, source, destination, Type: 'L3_L4',
      event_type: { type: 5 }, traffic_direction: 'INGRESS', is_reply: false, node_name: 'west/node-1',
    } })}\n`);
  };
  const MESH = capture('mesh.jsonl', 'east');
  const LOCAL = capture('local.jsonl', 'west');
  const api = (peer: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: ${peer} }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;
  const EAST_WEB = file('east-web.yaml', api('{ app: web, io.cilium.k8s.policy.cluster: east }'));
  const ANY_WEB = file('any-web.yaml', api('{ app: web }'));
  const common = ['--ip-families', 'ipv4'];

  test.each([
    ['diff', ['diff', '--base', EAST_WEB, '--head', ANY_WEB, '--fail-on', 'denied']],
    ['report', ['report', '--policies', ANY_WEB]],
  ])('%s: a pod of cluster east in a capture judged for cluster west is refused (exit 2, nothing on stdout)', async (_, argv) => {
    const r = await cliAsync(...argv, '--flows', MESH, '--cluster-name', 'west', ...common);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`--flows ${MESH}: pod shop/web-0 is of cluster east (io.cilium.k8s.policy.cluster=east), not of the local cluster west`);
    expect(r.stderr).toContain('(cli-flows-other-cluster)');
    expect(r.stderr).toContain('judge it with replay');
  });

  // Session 59: the one cluster a capture names is the local one (test/cli/capture-cluster-name.test.ts); was refused.
  test('without --cluster-name a capture whose every record names cluster west is judged for west', async () => {
    const r = await cliAsync('report', '--policies', ANY_WEB, '--flows', LOCAL, ...common);
    expect([r.code, r.stderr]).toEqual([0, '']);
  });

  test.each([
    // [base, head, --fail-on, exit]: local web is not of cluster east, so the base denies it and the head allows it.
    [EAST_WEB, ANY_WEB, 'allowed', 1],
    [EAST_WEB, ANY_WEB, 'denied', 0],
    [ANY_WEB, EAST_WEB, 'denied', 1],
    [ANY_WEB, EAST_WEB, 'allowed', 0],
  ])('a capture of the local cluster\'s pods is judged: %s → %s, --fail-on %s: exit %s', async (base, head, failOn, code) => {
    const r = await cliAsync('diff', '--base', base, '--head', head, '--fail-on', failOn, '--flows', LOCAL, '--cluster-name', 'west', ...common);
    expect(r.code, r.stderr).toBe(code);
  });
});
