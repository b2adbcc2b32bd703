// Session 54 (fail-open in report and diff): the public verdicts refuse, through one gate (`unjudgedConnectionError`),
// every connection `trace` refuses; the report and the diff read the internal decision and showed some of them as judged:
// a pod class given without its service account where the accounts decide differently was `allowed` in the report, and a
// diff from `serviceaccount: default` to every pod hid the widening for such pods as "no change". Now the report lists
// them as NOT JUDGED and the diff as NOT COMPARED (counted by every `--fail-on`), with the gate's id, words and fix.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Connectivity, ConnectivityReportDocument, EndpointClassKind, Endpoints, PolicySet } from '../../src';
import { ClassifiedEndpoint } from '../../src/diff/endpoint-classes';
import { cliAsync } from '../support/cli';
import { changeLine } from './support';

const policy = (from: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
  - fromEndpoints: [${from}]
    toPorts: [{ ports: [{ port: "80", protocol: TCP }] }]
`;
const DEFAULT_ONLY = '{ matchLabels: { io.cilium.k8s.policy.serviceaccount: default } }';
const WEB_DEFAULT = '{ matchLabels: { app: web, io.cilium.k8s.policy.serviceaccount: default } }';
const WEB = '{ matchLabels: { app: web } }';

const pod = (id: string, labels: Record<string, string>, serviceAccount?: string): ClassifiedEndpoint => ({
  cls: { id, kind: EndpointClassKind.POD, name: id, namespace: 'shop', labels },
  endpoint: Endpoints.pod('shop', labels, serviceAccount !== undefined ? { serviceAccount } : {}),
});
/** A client given without its service account, one given with `robot`, and the server. */
const CLASSES = (): ClassifiedEndpoint[] => [
  pod('shop/app=web', { app: 'web' }), pod('shop/app=web,sa=robot', { app: 'web' }, 'robot'), pod('shop/app=api', { app: 'api' }, 'default'),
];

const lines = (doc: ConnectivityReportDocument): string[] => doc.connections.map((c) => `${c.from} → ${c.to} ${c.ports.join(', ')}`);

describe('connections the verdict gate refuses are not judged in report and diff', () => {
  test('report: a pod class given without its service account is NOT JUDGED where the accounts decide, never allowed', () => {
    const set = PolicySet.fromYaml(policy(DEFAULT_ONLY), { file: 'p.yaml' });
    expect(() => set.decide({ from: Endpoints.pod('shop', { app: 'api' }), to: Endpoints.pod('shop', { app: 'api' }), protocol: 'TCP', port: 80 }))
      .toThrow(/engine-service-account-unknown/);
    const doc = Connectivity.report(set);
    expect(lines(doc)).not.toContain('shop/app=api → shop/app=api 80/TCP');
    expect(lines(doc)).not.toContain('shop/(other pods) → shop/app=api 80/TCP');
    // Judged elsewhere as before: the host's allow-localhost, and the pods of an account the rule does not name are denied.
    expect(lines(doc)).toContain('host → shop/app=api any');
    expect(lines(doc).filter((l) => l.startsWith('shop/serviceaccount=any → shop/app=api'))).toEqual([]);
    const notes = (doc.notJudged ?? []).map((n) => n.text).filter((t) => t.includes('engine-service-account-unknown'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('shop/app=api → shop/app=api 80/TCP');
    expect(notes[0]).toContain('shop/(other pods) → shop/app=api 80/TCP');
    expect(notes[0]).toMatch(/is given without a service account .*fix: give the pod's service account: pod:shop:app=api,/);
  });

  test('report: the host class under a nodeSelector that reads node labels is judged (it has none of them); the API server\'s nodes are NOT JUDGED', () => {
    const set = PolicySet.fromYaml(`apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: hostfw }
spec:
  nodeSelector: { matchLabels: { role: edge } }
  ingress:
  - fromEntities: [cluster]
  - fromEntities: [world]
    toPorts: [{ ports: [{ port: "22", protocol: TCP }] }]
`, { file: 'p.yaml' });
    const doc = Connectivity.report(set);
    // Session 55: the host class stands for the nodes without the label `role` (the nodes role=edge are a class of their
    // own), so the rule does not select it: no host policy, `world → host` allowed on every port. Session 54 left it
    // NOT JUDGED, reading its representative (entity:host) as a node of unknown labels.
    expect(lines(doc)).toContain('world → host any');
    expect(lines(doc)).toContain('world → remote-node any');
    // The node class the rule selects is judged, as before.
    expect(lines(doc)).toContain('world → node role=edge 22/TCP');
    expect(lines(doc)).not.toContain('world → node role=edge any');
    // The API server's nodes (the kube-apiserver class, named through `cluster`) may or may not carry role=edge: not judged.
    const note = (doc.notJudged ?? []).map((n) => n.text).find((t) => t.includes('(engine-node-labels-unknown)'));
    expect(note).toContain('world → kube-apiserver any');
    expect(note).not.toMatch(/→ (host|remote-node) /);
    expect(lines(doc).filter((l) => l.includes('→ kube-apiserver'))).toEqual([]);
  });

  test('diff: a widening for pods given without an account is NOT COMPARED, not "no change"; others are changes as before', () => {
    const base = PolicySet.fromYaml(policy(WEB_DEFAULT), { file: 'base.yaml' });
    const head = PolicySet.fromYaml(policy(WEB), { file: 'head.yaml' });
    const doc = Connectivity.diff(base, head, { classes: CLASSES() });
    // The pods of `robot` were denied and are allowed: a change, as before.
    expect(doc.changes.map(changeLine)).toEqual(['+ shop/app=web,sa=robot → shop/app=api 80/TCP']);
    const notes = (doc.notCompared ?? []).filter((n) => n.text.includes('engine-service-account-unknown'));
    expect(notes).toHaveLength(1);
    expect(notes[0].text).toContain('shop/app=web → shop/app=api 80/TCP (not judged → allowed)');
    expect(notes[0]).toMatchObject({ mayAllow: true, mayDeny: true });
    // Without the robot class the widening was "no change" (both sides judged allowed): now it is noted.
    const alone = Connectivity.diff(base, head, { classes: CLASSES().filter((c) => !c.cls.id.includes('robot')) });
    expect(alone.changes).toEqual([]);
    expect((alone.notCompared ?? []).map((n) => n.text).join('\n')).toContain('shop/app=web → shop/app=api 80/TCP (not judged → allowed)');
    // The reference (every pair, by `verdict()`) agrees.
    expect(Connectivity.diff(base, head, { classes: CLASSES(), _judgeEveryPair: true }).notCompared).toEqual(doc.notCompared);
  });

  test('diff: not judged on both sides while the policies changed for it is NOT COMPARED; unchanged policies note nothing', () => {
    const a = PolicySet.fromYaml(policy(WEB_DEFAULT), { file: 'base.yaml' });
    const b = PolicySet.fromYaml(policy(WEB_DEFAULT).replace('port: "80"', 'port: "80" }, { port: "81"'), { file: 'head.yaml' });
    const doc = Connectivity.diff(a, b, { classes: CLASSES() });
    const texts = (doc.notCompared ?? []).map((n) => n.text).join('\n');
    expect(texts).toContain('shop/app=web → shop/app=api 80/TCP (not judged → not judged)');
    // The head's first port lost its protocol (every protocol on 80) and 81/TCP was added: denied before, not judged now.
    expect(texts).toContain('shop/app=web → shop/app=api 81/TCP, 80/UDP (denied → not judged)');
    const same = Connectivity.diff(a, PolicySet.fromYaml(policy(WEB_DEFAULT), { file: 'head.yaml' }), { classes: CLASSES() });
    expect(same.notCompared ?? []).toEqual([]);
  });

  test('CLI: report lists the refused connection under NOT JUDGED; diff --fail-on allowed fails on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'unjudged-classes-'));
    writeFileSync(join(dir, 'base.yaml'), policy(DEFAULT_ONLY));
    writeFileSync(join(dir, 'head.yaml'), policy('{}'));
    const report = await cliAsync('report', '--policies', join(dir, 'base.yaml'));
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/NOT JUDGED\n {2}\? 2 connections are not judged and not listed \(engine-service-account-unknown\): shop\/app=api → shop\/app=api 80\/TCP/);
    expect(report.stdout).not.toMatch(/^ {2}shop\/app=api → shop\/app=api 80\/TCP$/m);
    const diff = await cliAsync('diff', '--base', join(dir, 'base.yaml'), '--head', join(dir, 'head.yaml'), '--fail-on', 'denied');
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('shop/app=api → shop/app=api 80/TCP (not judged → allowed)');
  });
});

// Session 54 (read-through): the diff asked the gate per class (a class as both ends), so a refusal that depends on the
// pair, the learning lookup of a DNS name by a client that learns names, was never asked: a change of the toFQDNs port
// under a DNS lookup the 1.17 patch release decides was "no connectivity change", where the report says NOT JUDGED.
test('diff: a pair to a DNS name whose learning lookup is not judged is NOT COMPARED when the policies change for it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-unjudged-fqdn-'));
  const web = (port: number): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  enableDefaultDeny: { egress: false }
  egress:
  - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns } }]
    toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchName: a.example.com }] } }]
  - toFQDNs: [{ matchName: b.example.com }]
    toPorts: [{ ports: [{ port: "${port}", protocol: TCP }] }]
`;
  writeFileSync(join(dir, 'base.yaml'), web(443));
  writeFileSync(join(dir, 'head.yaml'), web(8443));
  const run = await cliAsync('diff', '--base', join(dir, 'base.yaml'), '--head', join(dir, 'head.yaml'), '--cilium-version', '1.17', '--fail-on', 'denied');
  expect(run.code).toBe(1);
  expect(run.stdout).toMatch(/NOT COMPARED\n {2}\? 1 connection is not judged on base or head, so not compared \(engine-dns-patch-split\): shop\/app=web → fqdn:b\.example\.com/);
  // Given the patch, the lookup is judged: allowed from 1.17.5 (visibility only), so 443 → 8443 is a change, not a refusal.
  const patched = await cliAsync('diff', '--base', join(dir, 'base.yaml'), '--head', join(dir, 'head.yaml'), '--cilium-version', '1.17.5');
  expect(patched.stdout).not.toContain('NOT COMPARED');
});
