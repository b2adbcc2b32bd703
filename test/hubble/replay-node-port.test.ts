// Replay of flows from a pod to a node on a Service's node port, or to a node address that is a Service's external IP on
// that Service's port (session 58): Cilium translates such a connection to a backend before any policy decides it
// (bpf/bpf_sock.c `__sock4_xlate_fwd`: `lb4_lookup_service` on the exact address and port, then `sock4_wildcard_lookup_full`
// for NodePort and HostPort), so no verdict on the node is what Cilium enforces: NOT JUDGED, never UNCHANGED or a drop.
// The node's other ports stay judged.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runReplay } from '../../src/cli/replay';
import { HUBBLE_FIXTURES_DIR } from './support/paths';

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-node-port-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The shop capture's backend (line 77's destination) reaching a node of these labels at `dst` on `port`/TCP. */
function capture(labels: string[], identity: number, dst: string, port: number): string {
  const record = JSON.parse(readFileSync(join(HUBBLE_FIXTURES_DIR, 'shop-capture.jsonl'), 'utf8').split('\n')[76]) as { flow: Record<string, unknown> };
  const f = record.flow;
  const flow = {
    ...f, verdict: 'FORWARDED', drop_reason: undefined, drop_reason_desc: undefined, event_type: { type: 4, sub_type: 3 },
    trace_observation_point: 'TO_STACK', is_reply: false, traffic_direction: 'EGRESS', source: f.destination,
    IP: { source: '10.0.2.30', destination: dst, ipVersion: 'IPv4' }, destination: { identity, labels },
    l4: { TCP: { source_port: 40001, destination_port: port, flags: { SYN: true } } },
  };
  return JSON.stringify({ ...record, flow });
}

const INPUTS = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: backend, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: backend}}
  egress:
  - toEntities: [remote-node, host]
---
apiVersion: v1
kind: Service
metadata: {name: np, namespace: shop}
spec:
  type: NodePort
  selector: {app: np}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
---
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: shop}
spec:
  selector: {app: np}
  externalIPs: [10.10.0.6]
  ports: [{port: 443, targetPort: 8443}]
`;

describe('replay: a flow to a node on a node port, or to a node address that is a Service\'s on its port, is not judged', () => {
  test('reserved:host and remote-node on the node port, a node with CIDR labels on the external IP\'s port: NOT JUDGED; the next ports judged', async () => {
    const flows = [
      capture(['reserved:remote-node'], 6, '10.10.0.6', 30080),
      capture(['reserved:host'], 1, '10.10.0.5', 30080),
      capture(['reserved:remote-node'], 6, '10.10.0.6', 30081),
      // policy-cidr-match-mode nodes: the node end keeps its address (node:@10.10.0.6), the external IP of Service ext.
      capture(['cidr:10.10.0.6/32', 'reserved:remote-node'], 33554433, '10.10.0.6', 443),
      capture(['cidr:10.10.0.6/32', 'reserved:remote-node'], 33554433, '10.10.0.6', 444),
    ];
    writeFileSync(join(scratch, 'flows.jsonl'), `${flows.join('\n')}\n`);
    writeFileSync(join(scratch, 'inputs.yaml'), INPUTS);
    let stdout = '';
    const code = await runReplay(['--flows', join(scratch, 'flows.jsonl'), '--policies', join(scratch, 'inputs.yaml'), '--cilium-version', '1.18',
      '--ip-families', 'ipv4'], { stdout: (t) => (stdout += t), stderr: () => undefined });
    const section = (name: string): string[] => {
      const lines = stdout.split('\n');
      const start = lines.findIndex((l) => l.startsWith(`${name}:`));
      const end = lines.findIndex((l, i) => i > start && /^[A-Z]/.test(l));
      return start < 0 ? [] : lines.slice(start + 1, end < 0 ? undefined : end);
    };
    const notJudged = section('NOT JUDGED');
    const unchanged = section('UNCHANGED');
    const backend = /^pod:shop:app=backend,[^ ]* → /;
    const ends = (lines: string[]) => lines.filter((l) => backend.test(l.trim())).map((l) => l.trim().replace(backend, '').replace(/: .*/, ''));
    expect(ends(notJudged).sort()).toEqual(['entity:host 30080/TCP', 'entity:remote-node 30080/TCP', 'node:@10.10.0.6 443/TCP']);
    expect(notJudged.filter((l) => l.includes('(engine-node-port)'))).toHaveLength(2);
    // Was: UNCHANGED (FORWARDED, ALLOWED by toEntities remote-node), the Service's backend never asked.
    expect(notJudged.find((l) => l.includes('node:@10.10.0.6 443/TCP'))).toMatch(/10\.10\.0\.6 is an address of Service shop\/ext in the inputs on 443\/TCP.*\(engine-service-address\)/);
    expect(unchanged.filter((l) => l.includes('→')).map((l) => l.replace(/^.*→ /, '').trim()).sort()).toEqual(['entity:remote-node 30081/TCP', 'node:@10.10.0.6 444/TCP']);
    expect(code).toBe(1);
  });
});
