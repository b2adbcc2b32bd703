// Session 59: a dropped record whose drop_reason_desc is no value of flow.proto's DropReason (api/v1/flow/flow.proto; a
// newer agent, an edited capture) was counted as `non-policy-drop` with the datapath's drops, its value named nowhere,
// though it may be a policy drop of a release the tool predates. It is now `unknown-drop-reason`, each value named with
// its records and first line (JSON `skipped.unknownDropReasons`, a warning in both outputs), never judged, and the
// totals still add up to the records read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cliAsync } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-unknown-drop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const pod = (app: string, identity: number): Record<string, unknown> => ({
  ID: identity - 40000, identity, namespace: 'shop', pod_name: `${app}-0`, labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop'],
});
/** A record web → api on `port`; dropped with `drop` (desc and number) when given. */
function record(port: number, drop?: { desc?: string; n?: number }): string {
  return JSON.stringify({ flow: {
    time: '2026-12-04T10:00:01Z', verdict: drop ? 'DROPPED' : 'FORWARDED', IP: { source: '10.1.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40001, destination_port: port, flags: { SYN: true } } }, source: pod('web', 50001), destination: pod('api', 40002),
    Type: 'L3_L4', event_type: drop ? { type: 1, ...(drop.n !== undefined ? { sub_type: drop.n } : {}) } : { type: 5 },
    ...(drop?.desc !== undefined ? { drop_reason_desc: drop.desc } : {}), ...(drop?.n !== undefined ? { drop_reason: drop.n } : {}),
    traffic_direction: 'INGRESS', is_reply: false, node_name: 'node-1',
  } });
}
const POLICY = file('api.yaml', `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: web } }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`);
const CAPTURE = file('flows.jsonl', [
  record(8080),
  record(9090, { desc: 'POLICY_DENIED_V2', n: 250 }),
  record(9090, { desc: 'POLICY_DENIED_V2', n: 250 }),
  record(9091, { n: 251 }),
  record(8080, { desc: 'STALE_OR_UNROUTABLE_IP', n: 151 }),
  record(9092, { desc: 'POLICY_DENIED', n: 133 }),
  record(9093, { desc: `X${'\u001b[2J'}${'A'.repeat(500)}` }),
].join('\n') + '\n');

interface Report {
  input: { flows: number };
  skipped: {
    total: number; byReason: Record<string, number>; unknownDropReasons?: { value: string; records: number; firstLine: number }[];
    unknownDropReasonsOverflow?: { values: number; records: number };
  };
  summary: { flows: number; connections: number };
  warnings: string[];
}

describe('replay: drops of a reason flow.proto does not hold', () => {
  test('JSON: counted apart, each value named with its records and first line; the totals add up to the records read', async () => {
    const r = await cliAsync('replay', '--policies', POLICY, '--flows', CAPTURE, '--output', 'json', '--ip-families', 'ipv4');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Report;
    expect(doc.skipped.byReason).toEqual({ 'non-policy-drop': 1, 'unknown-drop-reason': 4 });
    expect(doc.skipped.unknownDropReasons).toEqual([
      { value: '"POLICY_DENIED_V2"', records: 2, firstLine: 2 },
      { value: 'drop_reason 251', records: 1, firstLine: 4 },
      { value: JSON.stringify(`X\u001b[2J${'A'.repeat(59)}…`), records: 1, firstLine: 7 },
    ]);
    // judged: the forwarded 8080 and the POLICY_DENIED 9092; skipped: 5.
    expect([doc.summary.flows, doc.skipped.total, doc.input.flows]).toEqual([2, 5, 7]);
    expect(doc.summary.flows + doc.skipped.total).toBe(doc.input.flows);
    expect(doc.warnings.some((w) => w.startsWith('4 dropped records of a drop reason flow.proto\'s DropReason does not hold, not judged: '
      + '"POLICY_DENIED_V2" (2 at line 2 first), drop_reason 251 (1 at line 4)'))).toBe(true);
  });

  test('table: the skip line and the warning name them; the escape in a value is not written', async () => {
    const r = await cliAsync('replay', '--policies', POLICY, '--flows', CAPTURE, '--ip-families', 'ipv4');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('skipped 5 records that policy does not decide: non-policy-drop 1, unknown-drop-reason 4');
    expect(r.stdout).toContain('warning: 4 dropped records of a drop reason flow.proto\'s DropReason does not hold, not judged: "POLICY_DENIED_V2"');
    expect(r.stdout).not.toContain('\u001b');
  });

  test('beyond 100 values: the rest counted (values and records) in the JSON report and the warning, so every record is accounted for', async () => {
    // 105 distinct values; the last is given twice: 100 named, 5 values of 6 records left out.
    const lines = [record(8080), ...Array.from({ length: 105 }, (_, k) => record(9000 + k, { desc: `NEW_REASON_${k}` })), record(9104, { desc: 'NEW_REASON_104' })];
    const r = await cliAsync('replay', '--policies', POLICY, '--flows', file('many.jsonl', `${lines.join('\n')}\n`), '--output', 'json', '--ip-families', 'ipv4');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Report;
    expect(doc.skipped.byReason).toEqual({ 'unknown-drop-reason': 106 });
    expect(doc.skipped.unknownDropReasons).toHaveLength(100);
    expect(doc.skipped.unknownDropReasons?.[99]).toEqual({ value: '"NEW_REASON_99"', records: 1, firstLine: 101 });
    expect(doc.skipped.unknownDropReasonsOverflow).toEqual({ values: 5, records: 6 });
    const named = (doc.skipped.unknownDropReasons ?? []).reduce((a, u) => a + u.records, 0);
    expect(named + (doc.skipped.unknownDropReasonsOverflow?.records ?? 0)).toBe(doc.skipped.byReason['unknown-drop-reason']);
    expect(doc.warnings.find((w) => w.startsWith('106 dropped records'))).toContain(', … (5 more values of 6 records beyond the 100 the JSON report names);');
    // 100 values exactly: nothing left out, no overflow.
    const exact = [record(8080), ...Array.from({ length: 100 }, (_, k) => record(9000 + k, { desc: `NEW_REASON_${k}` }))];
    const e = JSON.parse((await cliAsync('replay', '--policies', POLICY, '--flows', file('exact.jsonl', `${exact.join('\n')}\n`), '--output', 'json',
      '--ip-families', 'ipv4')).stdout) as Report;
    expect([e.skipped.unknownDropReasons?.length, e.skipped.unknownDropReasonsOverflow]).toEqual([100, undefined]);
  });
});
