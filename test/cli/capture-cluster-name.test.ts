// Session 59: `diff`/`report --flows` judged the capture for cluster `default` unless `--cluster-name` was given, and refused
// (`cli-flows-other-cluster`) every capture of a named cluster without it, the real kind capture of hubble-otel among them
// (pods labelled io.cilium.k8s.policy.cluster=kind-kind). Now the one cluster the records name (a node `<cluster>/<node>`:
// pkg/node/types `GetAbsoluteNodeName`; an end's cluster_name; a pod's cluster label: pkg/k8s/utils `SanitizePodLabels`) is
// the local cluster; `--cluster-name` contradicting it is refused with both names, and a capture naming several clusters
// is never guessed at. Verdicts through `diff --fail-on allowed`: base allows web of cluster `default`, head web of `west`
// (policy-default-local-cluster, 1.19), so judged for west the head newly allows web → api (exit 1), for default it denies.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cliAsync } from '../support/cli';
import { HUBBLE_SAMPLES_DIR } from '../hubble/support/paths';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-capture-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface Ends { node?: string; web?: string; api?: string; clusterName?: string }

/** One policy-verdict record web → api:8080 of namespace shop, the clusters where `ends` says. */
function capture(name: string, ends: Ends): string {
  const pod = (app: string, cluster: string | undefined, identity: number): Record<string, unknown> => ({
    ID: identity - 40000, identity, namespace: 'shop', pod_name: `${app}-0`,
    ...(ends.clusterName !== undefined ? { cluster_name: ends.clusterName } : {}),
    labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop', ...(cluster !== undefined ? [`k8s:io.cilium.k8s.policy.cluster=${cluster}`] : [])],
  });
  return file(name, `${JSON.stringify({ flow: {
    time: '2026-12-04T10:00:01Z', verdict: 'FORWARDED', IP: { source: '10.1.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40001, destination_port: 8080, flags: { SYN: true } } }, source: pod('web', ends.web, 50001),
    destination: pod('api', ends.api, 40002), Type: 'L3_L4', event_type: { type: 5 }, traffic_direction: 'INGRESS', is_reply: false,
    ...(ends.node !== undefined ? { node_name: ends.node } : {}),
  } })}\n`);
}

const api = (cluster: string): string => file(`${cluster}.yaml`, `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web, io.cilium.k8s.policy.cluster: ${cluster} } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`);
const DEFAULT_WEB = api('default');
const WEST_WEB = api('west');

const WEST = capture('west.jsonl', { node: 'west/node-1', web: 'west', api: 'west' });
const WEST_LABELS = capture('west-labels.jsonl', { node: 'node-1', web: 'west', api: 'west' });
const WEST_FIELD = capture('west-field.jsonl', { node: 'node-1', clusterName: 'west' });
const DEFAULT = capture('default.jsonl', { node: 'node-1', web: 'default', api: 'default' });
const MESH = capture('mesh.jsonl', { node: 'west/node-1', web: 'east', api: 'west' });
const EAST_NODE = capture('east-node.jsonl', { node: 'east/node-1', web: 'west', api: 'west' });
const common = ['--ip-families', 'ipv4'];

async function diff(flows: string, ...flags: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliAsync('diff', '--base', DEFAULT_WEB, '--head', WEST_WEB, '--fail-on', 'allowed', '--flows', flows, ...common, ...flags);
}

describe('diff --flows: the local cluster is the one the capture names', () => {
  test.each([
    ['a node west/node-1', WEST],
    ['pods labelled io.cilium.k8s.policy.cluster=west (a bare node name)', WEST_LABELS],
    ['ends of cluster_name west', WEST_FIELD],
  ])('%s, no --cluster-name: judged for west (web newly allowed, exit 1)', async (_, flows) => {
    const r = await diff(flows);
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(r.stdout).toContain('1 newly allowed, 0 newly denied');
  });

  test('the same capture with --cluster-name west: the same verdict', async () => {
    expect((await diff(WEST, '--cluster-name', 'west')).code).toBe(1);
  });

  test('a capture of cluster default: judged for default (web of default is denied by the head: no newly allowed, exit 0)', async () => {
    const r = await diff(DEFAULT);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('0 newly allowed, 1 newly denied');
  });

  test.each([['a node', WEST, 'node west/node-1 at line 1'], ['cluster_name', WEST_FIELD, 'source.cluster_name west at line 1']])(
    '--cluster-name default contradicting a capture of west (%s) is refused with both names', async (_, flows, where) => {
      const r = await diff(flows, '--cluster-name', 'default');
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toContain(`--cluster-name default contradicts --flows ${flows}, whose records name cluster west (${where}) and no other`);
      expect(r.stderr).toContain('(cli-flows-cluster-name); fix: leave --cluster-name out (the capture\'s cluster, west, is taken) or give --cluster-name west');
    });

  test('a capture naming two clusters without --cluster-name is refused, never guessed (each named with where)', async () => {
    const r = await diff(MESH);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`--flows ${MESH} names 2 clusters: east (pod shop/web-0 (io.cilium.k8s.policy.cluster=east) at line 1), `
      + 'west (node west/node-1 at line 1); the local cluster cannot be told');
    expect(r.stderr).toContain('(cli-flows-clusters)');
  });

  test('a node of another cluster than --cluster-name, its pods labelled with the given one, is refused', async () => {
    const r = await diff(EAST_NODE, '--cluster-name', 'west');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`--flows ${EAST_NODE} names cluster east (node east/node-1 at line 1), not the local cluster west (--cluster-name)`);
    expect(r.stderr).toContain('(cli-flows-other-cluster)');
  });

  test('a cluster name Cilium refuses, named by every record, is refused as --cluster-name would be', async () => {
    const r = await diff(capture('upper.jsonl', { node: 'West/node-1', web: 'West', api: 'West' }));
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('"West" (node West/node-1 at line 1), which is not a Cilium cluster name (engine-cluster-name)');
  });
});

describe('report --flows', () => {
  test('the real kind capture of hubble-otel (bare node names, pods of cluster kind-kind) is judged for kind-kind', async () => {
    const r = await cliAsync('report', '--policies', WEST_WEB, '--flows', join(HUBBLE_SAMPLES_DIR, 'hubble-otel.basic-sample-400-tcp-flows.head60.jsonl'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('110 allowed connections between 11 endpoint classes');
  });

  test('--help says where the cluster name comes from', async () => {
    const r = await cliAsync('report', '--help');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('the local cluster name (default: with --flows, the one cluster its records name; else default)');
  });
});
