// The labels of Kubernetes objects and of Hubble records are of source k8s with the key as written (pkg/labels
// `Map2Labels(labels, "k8s")`), in every command: `diff`/`report` classes from an inventory, `replay` from flow records,
// and a Service's own labels under a `k8sServiceSelector` (looked up by key as written, pkg/policy/k8s `labelsMatcher`).
// A selector key `reserved.example.com/tier` is parsed (`ParseSource`) to `reserved:example.com/tier`, which no pod has.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cli, cliAsync } from '../support/cli';

const dir = mkdtempSync(join(tmpdir(), 'k8s-object-labels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

const deployment = (name: string, labels: string, port?: number): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {${labels}}}
    spec: {containers: [{name: c, image: x${port === undefined ? '' : `, ports: [{containerPort: ${port}}]`}}]}
`;

const backPolicy = (from: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: back, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: back}}
  ingress:
  - fromEndpoints: [{matchLabels: {${from}}}]
`;

describe('a pod label key that reads as another source, in diff, report and replay', () => {
  const inventory = write('inv.yaml', `${deployment('front', 'app: front, reserved.example.com/tier: front')}---\n${deployment('back', 'app: back', 8080)}`);
  const base = write('base/p.yaml', backPolicy('app: nobody'));
  const head = write('head/p.yaml', backPolicy('reserved.example.com/tier: front'));

  test('diff: front is not newly allowed to back (before: NEWLY ALLOWED shop/front → shop/back)', async () => {
    const r = await cliAsync('diff', '--base', join(base, '..'), '--head', join(head, '..'), '--inventory', inventory);
    expect(r.stdout).not.toMatch(/NEWLY ALLOWED\n\s+\+ shop\/front/);
    expect(r.stdout).toMatch(/0 newly allowed/);
  });

  test('report: front → back is not allowed', async () => {
    const r = await cliAsync('report', '--policies', head, '--inventory', inventory);
    expect(r.stdout).not.toMatch(/shop\/front → shop\/back any\s+allowed/);
  });

  test('replay: a drop of front → back agrees with the cluster (before: "the engine disagrees", allowed)', async () => {
    const peer = (name: string, labels: string[]): object => ({
      ID: 1, identity: 12001, cluster_name: 'default', namespace: 'shop', pod_name: `${name}-1`,
      labels: [...labels, 'k8s:io.cilium.k8s.policy.cluster=default', 'k8s:io.cilium.k8s.policy.serviceaccount=default', 'k8s:io.kubernetes.pod.namespace=shop'],
    });
    const flow = {
      time: '2025-06-02T10:00:00.001Z', verdict: 'DROPPED', drop_reason_desc: 'POLICY_DENIED', Type: 'L3_L4', node_name: 'node-a',
      IP: { source: '10.0.1.5', destination: '10.0.1.10', ipVersion: 'IPv4' },
      l4: { TCP: { source_port: 51234, destination_port: 8080, flags: { SYN: true } } },
      source: peer('front', ['k8s:app=front', 'k8s:reserved.example.com/tier=front']), destination: peer('back', ['k8s:app=back']),
      event_type: { type: 5 }, traffic_direction: 'INGRESS', is_reply: false,
    };
    const flows = write('flows.jsonl', `${JSON.stringify({ flow, node_name: 'node-a', time: flow.time })}\n`);
    const r = await cliAsync('replay', '--flows', flows, '--policies', head);
    expect(r.stdout).not.toMatch(/DISAGREES/);
    expect(r.stdout).toMatch(/0 newly allowed/);
  });
});

test('a k8sServiceSelector reads the Service\'s labels by key as written (before: example.com/tier matched reserved.example.com/tier)', () => {
  const file = write('svc.yaml', `apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop, labels: {reserved.example.com/tier: db}}
spec: {selector: {app: db}, ports: [{port: 5432}]}
---
${deployment('db', 'app: db', 5432)}---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress:
  - toServices: [{k8sServiceSelector: {selector: {matchLabels: {example.com/tier: db}}}}]
`);
  const r = cli('trace', '--policies', file, '--from', 'pod:shop:app=web', '--to', 'pod:shop:app=db', '--port', '5432', '--cilium-version', '1.18');
  expect(r.stdout).toMatch(/^DENIED /);
  expect(r.code).toBe(1);
});
