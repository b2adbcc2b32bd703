// `diff` and `report` carry whether SCTP was judged (session 51): without `enable-sctp` (`--sctp`) the datapath drops
// SCTP before any policy, so `any` and `53/ANY` there are TCP and UDP only, while Cilium's `ANY` also means SCTP. The JSON
// documents say so (`sctp`), and so does the text header.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cliAsync as cli } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-sctp-document-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function policy(name: string, port: string, protocol: string): string {
  const path = join(dir, name);
  writeFileSync(path, `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {app: web}}]
    toPorts: [{ports: [{port: "${port}", protocol: ${protocol}}]}]
`);
  return path;
}
const TCP80 = policy('tcp80.yaml', '80', 'TCP');
const SCTP80 = policy('sctp80.yaml', '80', 'SCTP');
const ANY53 = policy('any53.yaml', '53', 'ANY');
const SCTP90 = policy('sctp90.yaml', '90', 'SCTP');

type Doc = { sctp?: boolean; changes?: { ports: string[] }[]; connections?: { from: string; to: string; ports: string[] }[] };
const ports = (d: Doc): string[] => [...(d.changes ?? []), ...(d.connections ?? [])].flatMap((c) => c.ports);

describe('diff and report: whether SCTP was judged', () => {
  test('diff --output json: sctp false by default (80/SCTP not compared), true with --sctp (80/SCTP newly allowed)', async () => {
    const off = await cli('diff', '--base', TCP80, '--head', SCTP80, '--output', 'json');
    const on = await cli('diff', '--base', TCP80, '--head', SCTP80, '--output', 'json', '--sctp');
    const [a, b] = [JSON.parse(off.stdout) as Doc, JSON.parse(on.stdout) as Doc];
    expect([a.sctp, ports(a)]).toEqual([false, ['80/TCP']]);
    expect([b.sctp, ports(b).sort()]).toEqual([true, ['80/SCTP', '80/TCP']]);
  });

  test('report --output json: 53/ANY is judged with or without SCTP, and the document says which', async () => {
    const off = JSON.parse((await cli('report', '--policies', ANY53, '--output', 'json')).stdout) as Doc;
    const on = JSON.parse((await cli('report', '--policies', ANY53, '--output', 'json', '--sctp')).stdout) as Doc;
    expect(off.sctp).toBe(false);
    expect(on.sctp).toBe(true);
    const db = (d: Doc): string[] => (d.connections ?? []).filter((c) => c.to.includes('db') && c.from.includes('web')).flatMap((c) => c.ports);
    expect(db(off)).toEqual(['53/ANY']);
    expect(db(on)).toEqual(['53/ANY']);
  });

  test('the text header says whether SCTP was judged', async () => {
    const off = await cli('report', '--policies', ANY53);
    const on = await cli('report', '--policies', ANY53, '--sctp');
    const diff = await cli('diff', '--base', TCP80, '--head', SCTP80);
    expect(off.stdout.split('\n')).toContain('SCTP: not judged (enable-sctp off, Cilium\'s default: the datapath drops SCTP before any policy, '
      + 'so any and ANY here are TCP and UDP; --sctp if the cluster enables it)');
    expect(on.stdout.split('\n')).toContain('SCTP: judged (enable-sctp: --sctp)');
    expect(diff.stdout.split('\n')[2]).toMatch(/^SCTP: not judged/);
  });

  test('diff: an SCTP-only rule change without --sctp is no change, and NOT COMPARED says to pass --sctp', async () => {
    const off = await cli('diff', '--base', SCTP80, '--head', SCTP90, '--output', 'json');
    const doc = JSON.parse(off.stdout) as Doc & { notCompared?: { text: string; mayAllow: boolean; mayDeny: boolean }[] };
    expect(doc.changes).toEqual([]);
    expect(doc.notCompared?.map((n) => [n.text.startsWith('rules naming SCTP, judged without enable-sctp'), n.text.endsWith('pass --sctp if the cluster '
      + 'enables it (Helm sctp.enabled)'), n.mayAllow, n.mayDeny])).toEqual([[true, true, true, true]]);
    const on = JSON.parse((await cli('diff', '--base', SCTP80, '--head', SCTP90, '--output', 'json', '--sctp')).stdout) as Doc & { notCompared?: unknown };
    expect(on.notCompared).toBeUndefined();
    expect(ports(on).sort()).toEqual(['80/SCTP', '90/SCTP']);
  });
});
