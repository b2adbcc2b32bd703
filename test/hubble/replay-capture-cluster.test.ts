// Session 59 review: replay took the capture's local cluster from the majority of its observing nodes, diff and report from
// the clusters its records name (`captureLocalCluster`): a capture naming only west (an end's cluster_name) was judged for
// west by diff and for default by replay, and a capture naming default and west once each was refused by diff and
// judged for default by replay (an alphabetical tie-break). replay now takes the same one mechanism.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cliAsync } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-capture-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => { const p = join(dir, name); writeFileSync(p, text); return p; };
const pod = (app: string, identity: number, cluster?: string, clusterName?: string): Record<string, unknown> => ({
  ID: identity - 40000, identity, namespace: 'shop', pod_name: `${app}-0`, ...(clusterName !== undefined ? { cluster_name: clusterName } : {}),
  labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop', ...(cluster !== undefined ? [`k8s:io.cilium.k8s.policy.cluster=${cluster}`] : [])],
});
const record = (node: string, cluster?: string, clusterName?: string): string => JSON.stringify({ flow: {
  time: '2026-12-04T10:00:01Z', verdict: 'FORWARDED', IP: { source: '10.1.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
  l4: { TCP: { source_port: 40001, destination_port: 8080, flags: { SYN: true } } }, source: pod('web', 50001, cluster, clusterName),
  destination: pod('api', 40002, cluster, clusterName), Type: 'L3_L4', event_type: { type: 5 }, traffic_direction: 'INGRESS', is_reply: false, node_name: node,
} }) + '\n';
const POLICY = file('api.yaml', `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`);
const replay = (flows: string, ...more: string[]) => cliAsync('replay', '--policies', POLICY, '--flows', flows, '--ip-families', 'ipv4', '--fail-on', 'none', ...more);

describe('replay: the capture\'s local cluster is the one its records name, as for diff and report', () => {
  test('a bare node name and cluster_name west: judged for west', async () => {
    const r = await replay(file('west.jsonl', record('node-1', undefined, 'west')));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toContain('cluster west)');
  });

  test('default and west named once each: refused (never guessed) unless --cluster-name says which', async () => {
    const f = file('tie.jsonl', record('node-1', 'default') + record('west/node-2', 'west'));
    const r = await replay(f);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('names 2 clusters: default (');
    expect(r.stderr).toContain('give --cluster-name <the cluster whose nodes observed the records>');
    const given = await replay(f, '--cluster-name', 'west');
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout.split('\n')[0]).toContain('cluster west)');
  });
});
