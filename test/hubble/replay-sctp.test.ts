// Replay of SCTP (session 51): without enable-sctp the datapath drops SCTP at conntrack, before any policy
// (bpf/lib/conntrack.h `ipv4_extract_tuple`: DROP_CT_UNKNOWN_PROTO; bpf/bpf_lxc.c TAIL_CT_LOOKUP), so SCTP the cluster
// delivered, or a policy verdict of SCTP, proves the agent runs it: replay judges such a capture with `sctp: true`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runReplay } from '../../src/cli/replay';

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-replay-sctp-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function pod(id: number, identity: number, app: string): Record<string, unknown> {
  return {
    ID: id, identity, cluster_name: 'default', namespace: 'default', pod_name: `${app}-0`,
    labels: [`k8s:app=${app}`, 'k8s:io.cilium.k8s.policy.cluster=default', 'k8s:io.kubernetes.pod.namespace=default'],
  };
}

/** One SCTP record web → db 5000. */
function record(extra: Record<string, unknown>): string {
  const flow = {
    time: '2025-06-02T10:00:01.000Z', verdict: 'FORWARDED', IP: { source: '10.0.1.1', destination: '10.0.1.2', ipVersion: 'IPv4' },
    l4: { SCTP: { source_port: 40000, destination_port: 5000 } }, source: pod(11, 1001, 'web'), destination: pod(12, 1002, 'db'),
    Type: 'L3_L4', node_name: 'node-a', is_reply: false, ...extra,
  };
  return JSON.stringify({ flow, node_name: 'node-a', time: flow.time });
}
const DELIVERED = record({ event_type: { type: 4 }, traffic_direction: 'INGRESS', trace_observation_point: 'TO_ENDPOINT', trace_reason: 'NEW' });
const POLICY_VERDICT = record({ event_type: { type: 5 }, traffic_direction: 'INGRESS', trace_reason: 'NEW', policy_match_type: 2 });
/** A default cluster's SCTP drop: conntrack refuses SCTP without ENABLE_SCTP (flow.proto CT_UNKNOWN_L4_PROTOCOL = 137). */
const CT_DROP = record({
  verdict: 'DROPPED', event_type: { type: 1, sub_type: 137 }, traffic_direction: 'EGRESS', drop_reason: 137, drop_reason_desc: 'CT_UNKNOWN_L4_PROTOCOL',
});
const FROM_ENDPOINT = record({ event_type: { type: 4, sub_type: 5 }, traffic_direction: 'EGRESS', trace_observation_point: 'FROM_ENDPOINT', trace_reason: 'NEW' });

const ALLOW_ANY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
    toPorts: [{ports: [{port: "5000", protocol: ANY}]}]
`;

type Report = { connections: { change: string; predicted: { verdict: string } }[]; warnings: string[]; disagreements: unknown[] };

async function replay(name: string, flows: string[], ...flags: string[]): Promise<{ code: number; report: Report }> {
  const flowsFile = join(scratch, `${name}.jsonl`);
  const policyFile = join(scratch, `${name}.yaml`);
  writeFileSync(flowsFile, `${flows.join('\n')}\n`);
  writeFileSync(policyFile, ALLOW_ANY);
  let stdout = '';
  const code = await runReplay(['--flows', flowsFile, '--policies', policyFile, '--ip-families', 'ipv4', '--output', 'json', ...flags],
    { stdout: (t) => (stdout += t), stderr: () => undefined });
  return { code, report: JSON.parse(stdout) as Report };
}

describe('replay: SCTP and enable-sctp', () => {
  test('SCTP delivered to the endpoint proves enable-sctp: judged with it, and said so (a false drop before)', async () => {
    const run = await replay('delivered', [DELIVERED]);
    expect(run.report.connections.map((c) => [c.change, c.predicted.verdict])).toEqual([['unchanged', 'allowed']]);
    expect(run.report.warnings.filter((w) => w.includes('judged with enable-sctp'))).toHaveLength(1);
    expect(run.report.warnings.find((w) => w.includes('judged with enable-sctp'))).toContain('5000/SCTP, delivered to the endpoint, first at line 1');
    expect(run.code).toBe(0);
  });

  test('a policy verdict of SCTP proves it too: no disagreement with the cluster', async () => {
    const run = await replay('verdict', [POLICY_VERDICT]);
    expect(run.report.connections.map((c) => [c.change, c.predicted.verdict])).toEqual([['unchanged', 'allowed']]);
    expect(run.report.disagreements).toEqual([]);
    expect(run.code).toBe(0);
  });

  test('a FROM_ENDPOINT trace proves nothing (sent before conntrack): judged without enable-sctp', async () => {
    const run = await replay('from-endpoint', [FROM_ENDPOINT]);
    expect(run.report.connections.map((c) => [c.change, c.predicted.verdict])).toEqual([['newly-dropped', 'denied']]);
    expect(run.report.warnings.some((w) => w.includes('enable-sctp'))).toBe(false);
    expect(run.code).toBe(1);
  });

  test('--sctp judges SCTP with enable-sctp', async () => {
    const run = await replay('flag', [FROM_ENDPOINT], '--sctp');
    expect(run.report.connections.map((c) => [c.change, c.predicted.verdict])).toEqual([['unchanged', 'allowed']]);
    expect(run.report.warnings.some((w) => w.includes('enable-sctp'))).toBe(false);
    expect(run.code).toBe(0);
  });

  test('SCTP dropped at conntrack (enable-sctp off) is a drop the cluster does today: unchanged (newly-dropped, exit 1, before)', async () => {
    const run = await replay('ct-drop', [FROM_ENDPOINT, CT_DROP]);
    expect(run.report.connections.map((c) => [c.change, c.predicted.verdict])).toEqual([['unchanged', 'denied']]);
    expect(run.report.disagreements).toEqual([]);
    expect(run.report.warnings.some((w) => w.includes('enable-sctp'))).toBe(false);
    expect(run.code).toBe(0);
  });

  test('--sctp against a conntrack drop of SCTP warns of the conflict', async () => {
    const run = await replay('ct-drop-flag', [FROM_ENDPOINT, CT_DROP], '--sctp');
    expect(run.report.connections.map((c) => [c.change, c.predicted.verdict])).toEqual([['newly-allowed', 'allowed']]);
    const warning = run.report.warnings.find((w) => w.includes('judged with enable-sctp (--sctp), as given'));
    expect(warning).toContain('5000/SCTP, dropped CT_UNKNOWN_L4_PROTOCOL, first at line 1');
  });

  test('evidence both ways: judged without enable-sctp, with a warning naming both', async () => {
    const run = await replay('both', [CT_DROP, DELIVERED.replace('"destination_port":5000', '"destination_port":5001')]);
    expect(run.report.connections.every((c) => c.predicted.verdict === 'denied')).toBe(true);
    const warning = run.report.warnings.find((w) => w.includes('both enable-sctp on and off'));
    expect(warning).toContain('5001/SCTP, delivered to the endpoint');
    expect(warning).toContain('5000/SCTP, dropped CT_UNKNOWN_L4_PROTOCOL');
  });
});
