// Session 58: validate read a selector naming `io.cilium.k8s.policy.cluster` against a local cluster fixed at `default`
// (DEFAULT_CLUSTER_NAME) while `trace` takes `--cluster-name`. Cilium gives every pod the label
// `io.cilium.k8s.policy.cluster=<cluster-name>` (pkg/k8s/utils `SanitizePodLabels`), so in a cluster named `east` an egress
// allow to kube-dns of cluster `default` gives the pods no DNS (validate passed it: exit 0), and one to kube-dns of `east`
// does (validate failed it: exit 1). `ValidateInputsOptions.clusterName` / `validate --cluster-name` (the row of
// `SETTING_FLAGS`) now say which cluster the manifests are for; unset, it stays `default`. The truth table of the finding
// (`pitfall-default-deny-without-dns`) over the cluster the rule names and the local one, beside the engine's verdict.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { cliAsync } from '../support/cli';
import { check, findings } from './helpers';

/** A policy whose pods may reach kube-dns of cluster `named` only (DNS rules: default deny of egress). */
const policy = (named: string): string => `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  egress:
  - toEndpoints:
    - matchLabels: { io.kubernetes.pod.namespace: kube-system, k8s-app: kube-dns, io.cilium.k8s.policy.cluster: ${named} }
    toPorts: [{ ports: [{ port: "53", protocol: ANY }], rules: { dns: [{ matchPattern: "*" }] } }]
`;

const ID = 'pitfall-default-deny-without-dns';

describe('the DNS pitfalls read the cluster key against the local cluster', () => {
  test.each([
    // [cluster the rule names, local cluster given (undefined: not given), finding expected]
    ['default', undefined, false],
    ['east', undefined, true],
    ['default', 'default', false],
    ['east', 'default', true],
    ['east', 'east', false],
    ['default', 'east', true],
  ] as const)('kube-dns of cluster %s, local cluster %s: no DNS finding %s', (named, local, expected) => {
    const report = check({ 'p.yaml': policy(named) }, local !== undefined ? { clusterName: local } : {});
    expect(findings(report, ID).length > 0).toBe(expected);
    // The engine agrees: the pods reach kube-dns of their own cluster only when the rule names it.
    const set = PolicySet.fromYaml(policy(named), { clusterName: local ?? 'default' });
    expect(verdictFor(set, 'pod:shop:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP').verdict).toBe(expected ? 'denied' : 'allowed');
  });

  // A Kubernetes NetworkPolicy's peer: with policy-default-local-cluster (1.19) an empty cluster label is no cluster given
  // (pkg/k8s/network_policy.go `parseNetworkPolicyPeer` → `isPodSelectorSelectingCluster`), and the local cluster's match
  // label replaces it; 1.16 `parseNetworkPolicyPeer(namespace, peer)` takes no cluster name: the empty value selects no pod.
  const networkPolicy = (cluster: string): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: kube-system } }
      podSelector: { matchLabels: { k8s-app: kube-dns, io.cilium.k8s.policy.cluster: ${JSON.stringify(cluster)} } }
    ports: [{ port: 53, protocol: UDP }, { port: 53, protocol: TCP }]
`;
  test.each([
    // [cluster label of the peer, version, local cluster, finding expected]
    ['', '1.19', 'east', false],
    ['', '1.19', 'default', false],
    ['', '1.16', 'east', true],
    ['', '1.18', 'east', true],
    ['east', '1.19', 'east', false],
    ['default', '1.19', 'east', true],
    ['east', '1.16', 'east', false],
  ] as const)('a NetworkPolicy peer with cluster label %j on %s, local cluster %s: no DNS finding %s', (cluster, version, local, expected) => {
    const yaml = networkPolicy(cluster);
    expect(findings(check({ 'np.yaml': yaml }, { ciliumVersion: version, clusterName: local }), ID).length > 0).toBe(expected);
    const set = PolicySet.fromYaml(yaml, { ciliumVersion: CiliumVersion.parse(version), clusterName: local });
    expect(verdictFor(set, 'pod:shop:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP').verdict).toBe(expected ? 'denied' : 'allowed');
  });

  test.each(['', 'East', ' east', 'a'.repeat(33)])('a cluster name Cilium refuses (%j) is refused, no report', (name) => {
    expect(() => check({ 'p.yaml': policy('east') }, { clusterName: name })).toThrow(/is not a Cilium cluster name \(engine-cluster-name\)/);
  });
});

describe('validate --cluster-name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-validate-cluster-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (named: string): string => {
    const path = join(dir, `${named}.yaml`);
    writeFileSync(path, policy(named));
    return path;
  };

  test.each([
    ['default', [], 0],
    ['east', [], 1],
    ['east', ['--cluster-name', 'east'], 0],
    ['default', ['--cluster-name', 'east'], 1],
  ] as const)('kube-dns of cluster %s, %j: exit %s', async (named, flags, code) => {
    const r = await cliAsync('validate', file(named), ...flags);
    expect(r.code, r.stdout + r.stderr).toBe(code);
    expect(r.stdout.includes(ID)).toBe(code === 1);
  });

  test('an empty name (an unset CI variable) is exit 2, nothing on stdout', async () => {
    const r = await cliAsync('validate', file('east'), '--cluster-name', '');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('cluster name "" is not a Cilium cluster name (engine-cluster-name)');
  });
});
