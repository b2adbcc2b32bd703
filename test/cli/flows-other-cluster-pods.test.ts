// `report`/`diff --flows` with pods of other clusters than the local one (src/cli/diff.ts `remoteClusterPods`,
// cli-flows-other-cluster): the refusal names the first such pod and counts the others, each pod once. Session 59 (mutants
// diff.ts:453 `pods.size > 1` → `false`, `pods.size - 1` → `+ 1`: the count was left out or off by two).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cliAsync } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-flows-other-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const pod = (name: string, cluster: string, identity: number): Record<string, unknown> => ({
  ID: identity - 40000, identity, namespace: 'shop', pod_name: name,
  labels: [`k8s:app=${name.replace(/-\d+$/, '')}`, `k8s:pod=${name}`, 'k8s:io.kubernetes.pod.namespace=shop', `k8s:io.cilium.k8s.policy.cluster=${cluster}`],
});
/** One record per client pod (`names`, of `cluster`) to the api pod of cluster west on 8080/TCP. */
const capture = (name: string, cluster: string, names: readonly string[]): string => file(name, names.map((n, i) => `${JSON.stringify({ flow: {
  time: `2026-12-04T10:00:0${i}Z`, verdict: 'FORWARDED', IP: { source: `10.1.0.${i + 1}`, destination: '10.0.0.2', ipVersion: 'IPv4' },
  l4: { TCP: { source_port: 40001, destination_port: 8080, flags: { SYN: true } } }, source: pod(n, cluster, 50001 + i),
  destination: { ...pod('api-0', 'west', 40002), labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=shop', 'k8s:io.cilium.k8s.policy.cluster=west'] },
  Type: 'L3_L4', event_type: { type: 5 }, traffic_direction: 'INGRESS', is_reply: false, node_name: 'west/node-1',
} })}\n`).join(''));
const POLICY = file('api.yaml', `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`);

describe('the pods of other clusters a capture holds: the first named, the others counted', () => {
  test.each([
    [['web-0'], 'pod shop/web-0 is of cluster east (io.cilium.k8s.policy.cluster=east), not of the local cluster west'],
    [['web-0', 'web-1'], 'pod shop/web-0 is of cluster east (io.cilium.k8s.policy.cluster=east) (and 1 more pod of other clusters), not of'],
    [['web-0', 'web-1', 'web-2', 'web-1'], 'pod shop/web-0 is of cluster east (io.cilium.k8s.policy.cluster=east) (and 2 more pods of other clusters), not of'],
  ])('%j', async (names, says) => {
    const flows = capture(`east-${names.length}.jsonl`, 'east', names);
    const r = await cliAsync('report', '--policies', POLICY, '--flows', flows, '--cluster-name', 'west', '--ip-families', 'ipv4');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain(`--flows ${flows}: ${says}`);
    expect(r.stderr).toContain('(cli-flows-other-cluster)');
  });

  test('the same pods of the local cluster: judged (the report lists web → api on 8080)', async () => {
    const r = await cliAsync('report', '--policies', POLICY, '--flows', capture('west.jsonl', 'west', ['web-0', 'web-1']), '--cluster-name', 'west',
      '--ip-families', 'ipv4');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('shop/web → shop/api 8080/TCP');
  });
});
