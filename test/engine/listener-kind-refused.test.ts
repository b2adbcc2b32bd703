// A listener of kind CiliumEnvoyConfig is looked up in the namespace of the endpoint whose policy the agent computes
// (pkg/policy/repository.go resolvePolicyLocked: policyContext.ns is the subject identity's k8s:io.kubernetes.pod.namespace
// label). For a subject without one (a node's host endpoint) pkg/policy/l4.go createL4Filter fails, 1.14 to 1.19:
// "Listener %q in CCNP can not use Kind CiliumEnvoyConfig"; the endpoint keeps the policy it had. For a pod it is the
// CiliumEnvoyConfig of the pod's namespace, in a CCNP too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Connectivity } from '../../src/diff';
import { PolicySet } from '../../src/engine';
import { cli, cliAsync } from '../support/cli';
import { ccnp, judged, policySet, verdict } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'listener-kind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LISTENER = (kind: string): Record<string, unknown> => ({
  toEntities: ['cluster'],
  toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], listener: { envoyConfig: { ...(kind ? { kind } : {}), name: 'cec' }, name: 'l1' } }],
});
const NODE = 'node:kubernetes.io/hostname=n1';
const REFUSED = /Cilium refuses the policy of this endpoint: CiliumClusterwideNetworkPolicy host spec\.egress\[0\] has the listener l1 of kind CiliumEnvoyConfig \(toPorts\[0\]\.listener\.envoyConfig\.kind\), .*createL4Filter fails with Listener "l1" in CCNP can not use Kind CiliumEnvoyConfig: the endpoint keeps the policy it had/;

describe('a listener of kind CiliumEnvoyConfig', () => {
  test('in a host policy: the agent refuses the node\'s policy (note; trace exit 2, engine-policy-refused)', () => {
    const set = policySet([ccnp('host', { nodeSelector: {}, egress: [LISTENER('CiliumEnvoyConfig')] })]);
    const v = judged(set, NODE, 'pod:prod:app=api', 443, { hostFirewall: true });
    expect(v.egress.notes).toContainEqual(expect.stringMatching(REFUSED));
    // The matchers refuse it, as trace does: no verdict on the node is what the agent enforces.
    expect(() => verdict(set, NODE, 'pod:prod:app=api', 443)).toThrow(/^Verdicts\.verdictFor\(\) node:kubernetes\.io\/hostname=n1 → pod:prod:app=api: the client node:/);
    const file = join(dir, 'host.yaml');
    writeFileSync(file, `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: host }
spec:
  nodeSelector: {}
  egress:
  - toEntities: [cluster]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }], listener: { envoyConfig: { kind: CiliumEnvoyConfig, name: cec }, name: l1 } }]
`);
    const r = cli('trace', '--policies', file, '--from', NODE, '--to', 'cidr:203.0.113.5', '--port', '443');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toMatch(/^error: --from node:kubernetes.io\/hostname=n1: Cilium refuses the policy of this endpoint: /);
    expect(r.stderr).toContain('(engine-policy-refused); fix: put the listener in a CiliumClusterwideEnvoyConfig');
    expect(r.stderr).toContain('`cdk8s-cilium validate` reports it as pitfall-listener-kind-refused');
  });

  test('for a pod, in a CCNP: no refusal, the CiliumEnvoyConfig of the pod\'s namespace', () => {
    const set = policySet([ccnp('cw', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [LISTENER('CiliumEnvoyConfig')] })]);
    const v = verdict(set, 'pod:prod:app=web', 'pod:prod:app=api', 443);
    expect(v.egress.notes.filter((n) => n.includes('refuses'))).toEqual([]);
    expect(v.egress.unevaluatedRestrictions?.[0].listener).toEqual({ envoyConfigKind: 'CiliumEnvoyConfig', envoyConfigNamespace: 'prod', envoyConfigName: 'cec', name: 'l1' });
  });

  test('of kind CiliumClusterwideEnvoyConfig, or without a kind, in a host policy: no refusal', () => {
    for (const kind of ['CiliumClusterwideEnvoyConfig', '']) {
      const set = policySet([ccnp('host', { nodeSelector: {}, egress: [LISTENER(kind)] })]);
      const v = verdict(set, NODE, 'pod:prod:app=api', 443, { hostFirewall: true });
      expect([kind, v.egress.notes.filter((n) => n.includes('refuses'))]).toEqual([kind, []]);
      expect(v.egress.unevaluatedRestrictions?.[0].listener).toEqual({ envoyConfigKind: 'CiliumClusterwideEnvoyConfig', envoyConfigName: 'cec', name: 'l1' });
    }
  });
});

describe('diff: the nodes whose policy the agent refuses are not compared', () => {
  const host = (kind: string): string => `apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: host }
spec:
  nodeSelector: {}
  egress:
  - toEntities: [cluster]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }], listener: { envoyConfig: { kind: ${kind}, name: cec }, name: l1 } }]
`;
  test('a listener of kind CiliumEnvoyConfig in head: NOT COMPARED, naming the check', () => {
    const doc = Connectivity.diff(PolicySet.fromYaml(host('CiliumClusterwideEnvoyConfig'), { file: 'base.yaml' }),
      PolicySet.fromYaml(host('CiliumEnvoyConfig'), { file: 'head.yaml' }));
    const texts = (doc.notCompared ?? []).map((n) => n.text).join('\n');
    expect(texts).toMatch(/Cilium refuses the policy of .*host.*Listener "l1" in CCNP can not use Kind CiliumEnvoyConfig.*keep the policy they had/);
    expect(texts).toContain('pitfall-listener-kind-refused');
  });
});

describe('validate reports the listener for every subject without a namespace that trace refuses (session 50 review)', () => {
  const rule = (head: string, selector: string): string => `${head}
spec:
  endpointSelector: ${selector}
  egress:
  - toEntities: [cluster]
    toPorts: [{ ports: [{ port: "443", protocol: TCP }], listener: { envoyConfig: { kind: CiliumEnvoyConfig, name: cec }, name: l1 } }]
`;
  const CCNP = 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: { name: all }';
  const CNP = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: { name: init, namespace: prod }';
  const reported = async (text: string, version: string): Promise<{ code: number; listener: boolean; stdout: string }> => {
    const f = join(dir, `v-${version}.yaml`);
    writeFileSync(f, text);
    const r = await cliAsync('validate', '--cilium-version', version, f);
    return { code: r.code, listener: r.stdout.includes('pitfall-listener-kind-refused'), stdout: r.stdout };
  };

  test('a CCNP endpointSelector {} or reserved:health, a 1.14 CNP of reserved:init: reported; trace refuses the same endpoint', async () => {
    const all = await reported(rule(CCNP, '{}'), '1.19');
    expect([all.code, all.listener]).toEqual([1, true]);
    expect(all.stdout).toContain('in a rule whose endpointSelector selects the reserved:health, reserved:ingress, reserved:init endpoints');
    expect(all.stdout).toContain('or select only pods');
    expect((await reported(rule(CCNP, '{ matchLabels: { reserved:health: "" } }'), '1.19')).listener).toBe(true);
    const init14 = await reported(rule(CNP, '{ matchLabels: { reserved:init: "" } }'), '1.14');
    expect([init14.code, init14.listener]).toEqual([1, true]);
    const f = join(dir, 'init14.yaml');
    writeFileSync(f, rule(CNP, '{ matchLabels: { reserved:init: "" } }'));
    const t = cli('trace', '--cilium-version', '1.14', '--policies', f, '--from', 'entity:init', '--to', 'entity:host', '--port', '443');
    expect([t.code, t.stderr]).toEqual([2, expect.stringContaining('`cdk8s-cilium validate` reports it as pitfall-listener-kind-refused')]);
  });

  test('a subject of pods only (a pod label, a CNP from 1.15) is not reported', async () => {
    expect((await reported(rule(CCNP, '{ matchLabels: { app: web } }'), '1.19')).listener).toBe(false);
    expect((await reported(rule(CNP, '{ matchLabels: { reserved:init: "" } }'), '1.15')).listener).toBe(false);
    expect((await reported(rule(CNP, '{}'), '1.14')).listener).toBe(false);
  });
});
