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
import { ApiObject, ApiObjectProps, App, Chart } from 'cdk8s';
import { afterAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import {
  AppValidationOptions, CiliumAppValidation, CiliumVersion, ManifestInventory, PitfallOptions, ValidateInputsOptions, ValidatePathsOptions, Validator,
} from '../../src';
import { PolicySet } from '../../src/engine';
import { verdictFor } from '../../src/engine/matchers';
import { fromObject } from '../../src/model/parse';
import { CiliumValidation, CiliumValidationProps } from '../../src/plugin/cilium-validation';
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

// Review of session 58: the option was read by `validate` only. The public calls refused it (`option-unknown`: not in their
// tables of known options), the synthesis check and the cdk8s plugin had no way to take it, and a value that is not text
// (`5` from JavaScript, an unquoted `5` in cdk8s.yaml) was read as its `String()`. Each way in: the finding's truth table,
// and the same refusal as the engine's (`clusterNameError`) for values that are not a cluster name.
describe('the public API, the synthesis check and the plugin take clusterName', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-validate-cluster-api-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (named: string): string => {
    const path = join(dir, `${named}.yaml`);
    writeFileSync(path, policy(named));
    return path;
  };
  const ids = (diagnostics: readonly { id: string }[]): boolean => diagnostics.some((d) => d.id === ID);
  const app = (named: string): App => {
    const a = new App();
    const chart = new Chart(a, 'c');
    new ApiObject(chart, 'p', parse(policy(named)) as ApiObjectProps);
    return a;
  };
  const plugin = async (named: string, clusterName: unknown): Promise<{ ids: string[]; fix: string }> => {
    const ruleNames: string[] = [];
    let fix = '';
    await new CiliumValidation({ clusterName } as CiliumValidationProps).validate({
      manifests: [file(named)],
      report: { addViolation: (v) => { ruleNames.push(v.ruleName); fix = v.fix; }, submit: () => undefined },
    });
    return { ids: ruleNames.map((r) => r.split(' ')[0]), fix };
  };
  const CALLS: [string, (named: string, clusterName: unknown) => boolean][] = [
    ['Validator.validatePaths', (named, clusterName) => ids(Validator.validatePaths([file(named)], { clusterName } as ValidatePathsOptions).diagnostics)],
    ['Validator.validateInputs', (named, clusterName) => ids(Validator.validateInputs(
      [{ name: 'p.yaml', text: policy(named) }], { clusterName } as ValidateInputsOptions).diagnostics)],
    ['Validator.checkPitfalls', (named, clusterName) => ids(Validator.checkPitfalls(
      [{ model: fromObject(parse(policy(named))).documents[0].model, version: CiliumVersion.V1_19 }], new ManifestInventory(),
      { clusterName } as PitfallOptions))],
    ['Validator.validateApp', (named, clusterName) => ids(Validator.validateApp(app(named), { clusterName } as AppValidationOptions))],
  ];

  describe.each(CALLS)('%s', (_, call) => {
    test.each([
      ['east', 'east', false],
      ['default', 'east', true],
      ['east', 'default', true],
      ['default', 'default', false],
    ] as const)('kube-dns of cluster %s, clusterName %s: finding %s', (named, local, expected) => {
      expect(call(named, local)).toBe(expected);
    });

    test.each([5, ['east'], null, '', 'East'])('clusterName %j is refused (engine-cluster-name), not read as its text', (value) => {
      expect(() => call('east', value)).toThrow(/is not a Cilium cluster name.*\(engine-cluster-name\)/);
    });
  });

  test('CiliumAppValidation.ensure refuses a clusterName that is not one before the synthesis', () => {
    expect(() => CiliumAppValidation.ensure(new App(), { clusterName: 5 } as unknown as AppValidationOptions))
      .toThrow(/cluster name 5 is not a Cilium cluster name \(a number, not text\)/);
  });

  test.each([
    ['east', 'east', []],
    ['default', 'east', [ID]],
    ['east', 'default', [ID]],
  ] as const)('the plugin: kube-dns of cluster %s, clusterName %s: %j', async (named, local, expected) => {
    expect((await plugin(named, local)).ids).toEqual(expected);
  });

  test.each([5, ['east'], null])('the plugin refuses clusterName %j, naming the property', async (value) => {
    const r = await plugin('east', value);
    expect(r.ids).toEqual(['engine-cluster-name']);
    expect(r.fix).toContain('clusterName in the properties in cdk8s.yaml');
  });
});
