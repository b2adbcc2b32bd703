// The capture's local cluster (`FlowCapture.clusterName`, which draft and replay both take) is the cluster of the nodes
// that observed the records (session 46 review: it was the cluster with the most distinct pod identities, so a capture
// at west of two east clients reaching one west pod made east local: draft wrote policies for the east pods, none for api).
import { describe, expect, test } from 'vitest';
import { FlowSource, collectConnections, planDraft } from '../../src/hubble';

const pod = (app: string, cluster: string, identity: number, ip: string): Record<string, unknown> => ({
  ID: identity - 40000, identity, namespace: 'shop', pod_name: `${app}-0`,
  labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop', `k8s:io.cilium.k8s.policy.cluster=${cluster}`], _ip: ip,
});
const record = (src: Record<string, unknown>, dst: Record<string, unknown>, direction: string, node?: string): string => {
  const { _ip: srcIp, ...source } = src;
  const { _ip: dstIp, ...destination } = dst;
  return JSON.stringify({
    flow: {
      time: '2026-12-04T10:00:01Z', verdict: 'FORWARDED', IP: { source: srcIp, destination: dstIp, ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 40000 + (source.identity as number) % 100, destination_port: 8080, flags: { SYN: true } } },
      source, destination, Type: 'L3_L4', event_type: { type: 5 }, traffic_direction: direction, is_reply: false,
      ...(node !== undefined ? { node_name: node } : {}),
    },
  });
};
const EAST_WEB = pod('web', 'east', 50001, '10.1.0.1');
const EAST_WORKER = pod('worker', 'east', 50003, '10.1.0.3');
const WEST_API = pod('api', 'west', 40002, '10.0.0.2');

async function drafted(lines: string[]): Promise<{ cluster?: string; subjects: string[] }> {
  const capture = await collectConnections(FlowSource.text(lines.join('\n')));
  return { cluster: capture.clusterName, subjects: planDraft(capture).policies.map((p) => `${p.namespace}/${p.name}`).sort() };
}

describe('the local cluster is the observer\'s', () => {
  test('node_name <cluster>/<node>: two east clients reaching the west api, observed at west → west; draft writes api only', async () => {
    const r = await drafted([record(EAST_WEB, WEST_API, 'INGRESS', 'west/node-1'), record(EAST_WORKER, WEST_API, 'INGRESS', 'west/node-1')]);
    expect(r).toEqual({ cluster: 'west', subjects: ['shop/api'] });
  });

  test('no cluster in node_name: the end an ingress record is taken at (the destination) is local', async () => {
    const r = await drafted([record(EAST_WEB, WEST_API, 'INGRESS', 'node-1'), record(EAST_WORKER, WEST_API, 'INGRESS')]);
    expect(r).toEqual({ cluster: 'west', subjects: ['shop/api'] });
  });

  test('an egress record is taken at its source: east clients observed leaving east → east; draft writes web and worker', async () => {
    const r = await drafted([record(EAST_WEB, WEST_API, 'EGRESS'), record(EAST_WORKER, WEST_API, 'EGRESS')]);
    expect(r).toEqual({ cluster: 'east', subjects: ['shop/web', 'shop/worker'] });
  });
});
