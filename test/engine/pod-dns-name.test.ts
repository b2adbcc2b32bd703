// A pod's cluster DNS name (`<address with dashes>.<namespace>.pod.<domain>`) resolves to the pod's address, which the
// ipcache holds with the pod's own identity: the `generated` prefixes of DNS answers never overwrite an endpoint's entry
// (pkg/source `AllowOverwrite`), so `toFQDNs` does not select it. The engine judged such an `fqdn:` end as an outside
// address selected by `toFQDNs` (ALLOWED); it is now refused by the gate (`engine-pod-dns-name`), at either end, by the
// public verdicts and trace alike. Other names with a `pod` label stay judged.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CiliumPolicyError } from '../../src/core/errors';
import { IpFamilies, PolicySet } from '../../src/engine';
import { cli } from '../support/cli';

const POLICY = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints: [{ matchLabels: { k8s:io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns } }]
    toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchPattern: "*" }] } }]
  - toFQDNs: [{ matchPattern: "*.shop.pod.cluster.local" }, { matchPattern: "*.example.pod.com" }, { matchPattern: "*.db.shop.svc.cluster.local" }]
    toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }]
`;

/** The gate's refusal of `call`, or `undefined` when it answers. */
function refusalOf(call: () => unknown): CiliumPolicyError | undefined {
  try {
    call();
    return undefined;
  } catch (e) {
    if (e instanceof CiliumPolicyError && e.id === 'engine-pod-dns-name') return e;
    throw e;
  }
}

describe('a pod\'s cluster DNS name is not judged as an outside address', () => {
  const set = PolicySet.fromYaml(POLICY, { file: 'p.yaml', ipFamilies: IpFamilies.DUAL });
  const ask = (to: string, port = 8080): string => {
    const q = { from: set.endpoint('pod:shop:app=web'), to: set.endpoint(to), port, protocol: 'TCP' };
    const refusal = refusalOf(() => set.decide(q));
    expect(refusalOf(() => set.verdict(q))?.id).toBe(refusal?.id);
    return refusal?.id ?? set.decide(q);
  };

  test.each([
    ['fqdn:10-0-0-5.shop.pod.cluster.local@10.0.0.5', 'engine-pod-dns-name'], // was: allowed by toFQDNs
    ['fqdn:10-0-0-5.SHOP.pod.cluster.local.@10.0.0.5', 'engine-pod-dns-name'],
    ['fqdn:fd00--5.shop.pod.cluster.local@fd00::5', 'engine-pod-dns-name'],
    ['fqdn:a.example.pod.com@203.0.113.1', 'allowed'], // no pod address: an outside name
    ['fqdn:x.shop.pod.cluster.local@10.0.0.5', 'allowed'],
    ['fqdn:api.example.com@203.0.113.1', 'denied'],
    // A headless Service's endpoint without a hostname (CoreDNS: the dashed address under the Service's name), at its address.
    ['fqdn:10-0-0-5.db.shop.svc.cluster.local@10.0.0.5', 'engine-pod-dns-name'], // was: allowed by toFQDNs
    ['fqdn:fd00--5.DB.shop.svc.cluster.local.@fd00::5', 'engine-pod-dns-name'],
    ['fqdn:10-0-0-5.db.shop.svc.cluster.local@10.0.0.6', 'allowed'], // another address: a pod's hostname, not its address
    ['fqdn:web-0.db.shop.svc.cluster.local@10.0.0.5', 'allowed'],
  ])('web -> %s on 8080/TCP: %s', (to, expected) => {
    expect(ask(to)).toBe(expected);
  });

  test('as the client too, and the refusal names the pod and the fix', () => {
    const q = { from: set.endpoint('fqdn:10-0-0-5.shop.pod.cluster.local@10.0.0.5'), to: set.endpoint('pod:shop:app=web'), port: 8080, protocol: 'TCP' };
    const refusal = refusalOf(() => set.decide(q));
    expect(refusal?.id).toBe('engine-pod-dns-name');
    expect(refusal?.message).toContain('is the cluster DNS name of the pod at 10.0.0.5 in namespace shop');
    expect(refusal?.fix).toBe('give the pod itself (pod:shop:<its labels>)');
  });

  test('the Service form names the namespace after the Service', () => {
    const q = { from: set.endpoint('pod:shop:app=web'), to: set.endpoint('fqdn:10-0-0-5.db.shop.svc.cluster.local@10.0.0.5'), port: 8080, protocol: 'TCP' };
    const refusal = refusalOf(() => set.decide(q));
    expect(refusal?.message).toContain('is the cluster DNS name of the pod at 10.0.0.5 in namespace shop');
    expect(refusal?.fix).toBe('give the pod itself (pod:shop:<its labels>)');
  });

  test('trace exits 2 with the refusal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pod-dns-'));
    writeFileSync(join(dir, 'p.yaml'), POLICY);
    const run = cli('trace', '--policies', join(dir, 'p.yaml'), '--from', 'pod:shop:app=web', '--to', 'fqdn:10-0-0-5.shop.pod.cluster.local@10.0.0.5',
      '--port', '8080/TCP');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('(engine-pod-dns-name)');
  });
});
