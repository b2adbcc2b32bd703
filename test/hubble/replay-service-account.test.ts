// Session 53 (review of the default service account): which service account a captured pod runs as. The capture's label
// wins; a captured identity without it takes the account of its workload in the inputs; with neither it is given without
// one, judged only where every account it may run as decides alike, else not judged (`engine-service-account-unknown`).
// Before, a captured pod without the label was judged with none at all (''), ignoring its workload's account: a connection
// allowed by `serviceaccount: fe` for the workload's pods became "WOULD BE DROPPED".
import { describe, expect, test } from 'vitest';
import { PolicySet } from '../../src/engine';
import { FlowSource, replayFlows } from '../../src/hubble';

const SA = 'io.cilium.k8s.policy.serviceaccount';
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: fe, namespace: prod}
spec:
  selector: {matchLabels: {app: fe}}
  template:
    metadata: {labels: {app: fe}}
    spec: {serviceAccountName: fe, containers: [{name: c, image: x}]}
`;
const POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: prod}
spec:
  endpointSelector: {matchLabels: {app: web}}
  ingress:
  - fromEndpoints: [{matchLabels: {${SA}: fe}}]
    toPorts: [{ports: [{port: "80", protocol: TCP}]}]
`;

function flow(sourceAccount: string | undefined): string {
  const labels = ['k8s:app=fe', 'k8s:io.kubernetes.pod.namespace=prod', 'k8s:io.cilium.k8s.policy.cluster=default',
    ...(sourceAccount !== undefined ? [`k8s:${SA}=${sourceAccount}`] : [])];
  return JSON.stringify({ flow: {
    time: '2024-01-01T00:00:00Z', verdict: 'FORWARDED', IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40000, destination_port: 80, flags: { SYN: true } } },
    source: { ID: 100, identity: 1001, namespace: 'prod', labels, pod_name: 'fe-1' },
    destination: { ID: 101, identity: 1002, namespace: 'prod', pod_name: 'web-1',
      labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=prod', 'k8s:io.cilium.k8s.policy.cluster=default', `k8s:${SA}=web`] },
    Type: 'L3_L4', node_name: 'n1', event_type: { type: 4 }, traffic_direction: 'INGRESS', is_reply: false,
  } });
}

async function predicted(sourceAccount: string | undefined, yaml: string): Promise<string> {
  const report = await replayFlows(FlowSource._bytes(Buffer.from(`${flow(sourceAccount)}\n`), 'flows.jsonl'), PolicySet.fromYaml(yaml, { file: 'p.yaml' }));
  if (report.connections.length === 1) return report.connections[0].predicted.verdict;
  expect(report.errors).toHaveLength(1);
  expect(report.errors[0].message).toContain('engine-service-account-unknown');
  expect(report.errors[0].message).toContain('pod:prod:app=fe');
  return 'not-judged';
}

describe('replay: the service account of a captured pod', () => {
  test('the capture\'s label wins, else the workload of the inputs, else not judged where the account decides', async () => {
    expect(await predicted('robot', DEPLOYMENT + '---\n' + POLICY)).toBe('denied');
    expect(await predicted('fe', POLICY)).toBe('allowed');
    expect(await predicted(undefined, DEPLOYMENT + '---\n' + POLICY)).toBe('allowed');
    expect(await predicted(undefined, POLICY)).toBe('not-judged');
  });
});
