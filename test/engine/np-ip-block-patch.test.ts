// Session 59 (fid2): a Kubernetes NetworkPolicy ingress peer of only an ipBlock on Cilium 1.19. On 1.19.0-1.19.4 with the
// cluster filter on (policy-default-local-cluster, the 1.19 default) pkg/k8s/network_policy.go `ParseNetworkPolicy` calls
// `parseNetworkPolicyPeer` on every ingress peer, which gives the selector-less peer the local cluster and then the policy
// namespace, so the rule also allows every pod of that namespace (cilium/cilium#46305, fixed in 1.19.5). Before, the engine
// judged the fixed translation on every 1.19 target: DENIED on 1.19.4 where the agent allows, and a verdict on an unpatched
// 1.19 that the patch decides. Now 1.19.0-1.19.4 are judged as the agent translates, and an unpatched 1.19 refuses the
// connections whose verdict the patch decides (`engine-ip-block-patch-split`: trace exit 2, the matchers refuse).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { Endpoint, EndpointKind, VerdictQuery } from '../../src/engine';
import { cli, cliAsync } from '../support/cli';
import { notJudgedRefusal, policySet, verdict } from './helpers';

const np = {
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'from-office', namespace: 'shop' },
  spec: {
    podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'],
    ingress: [
      { from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 8080 }] },
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 9090 }] },
    ],
  },
};
const API = 'pod:shop:app=api';
const v = (text: string): { ciliumVersion: CiliumVersion } => ({ ciliumVersion: CiliumVersion.parse(text) });

describe('NetworkPolicy ingress peer of only an ipBlock on 1.19 (cilium/cilium#46305)', () => {
  // [client, port, 1.18, 1.19.4, 1.19.5, 1.19.4 without the cluster filter]
  const table: [string, string, string, string, string, string][] = [
    ['pod:shop:app=job', '8080/TCP', 'denied', 'allowed', 'denied', 'denied'],
    ['pod:shop:app=job', '9090/TCP', 'denied', 'denied', 'denied', 'denied'],
    ['pod:shop:app=job', '8080/UDP', 'denied', 'denied', 'denied', 'denied'],
    ['pod:other:app=job', '8080/TCP', 'denied', 'denied', 'denied', 'denied'],
    ['pod:shop:app=web', '9090/TCP', 'allowed', 'allowed', 'allowed', 'allowed'],
    ['cidr:203.0.113.7', '8080/TCP', 'allowed', 'allowed', 'allowed', 'allowed'],
    ['cidr:198.51.100.7', '8080/TCP', 'denied', 'denied', 'denied', 'denied'],
  ];
  test.each(table)('%s → api %s: 1.18 %s, 1.19.4 %s, 1.19.5 %s, 1.19.4 without the filter %s', (from, port, v18, v194, v195, noFilter) => {
    expect(verdict(policySet([np], v('1.18')), from, API, port).verdict).toBe(v18);
    expect(verdict(policySet([np], v('1.19.4')), from, API, port).verdict).toBe(v194);
    expect(verdict(policySet([np], v('1.19.0')), from, API, port).verdict).toBe(v194);
    expect(verdict(policySet([np], v('1.19.5')), from, API, port).verdict).toBe(v195);
    expect(verdict(policySet([np], { ...v('1.19.4'), policyDefaultLocalCluster: false }), from, API, port).verdict).toBe(noFilter);
  });

  test('1.19.4 names the NetworkPolicy peer that allows a pod of the namespace', () => {
    const ingress = verdict(policySet([np], v('1.19.4')), 'pod:shop:app=job', API, '8080/TCP').ingress;
    expect(ingress.reason).toBe('allowed by NetworkPolicy shop/from-office spec.ingress[0].from[0]');
  });

  test('an unpatched 1.19 refuses only the connections the patch decides', () => {
    const set = policySet([np], v('1.19'));
    const refusal = notJudgedRefusal(() => verdict(set, 'pod:shop:app=job', API, '8080/TCP'));
    expect(refusal?.id).toBe('engine-ip-block-patch-split');
    expect(refusal?.message).toContain('the verdict is ALLOWED on 1.19.0-1.19.4 and DENIED from 1.19.5');
    expect(refusal?.fix).toContain('--cilium-version 1.19.5');
    // The same on every patch: judged, and by decide() too.
    for (const [from, port, want] of [['pod:shop:app=job', '9090/TCP', 'denied'], ['pod:shop:app=web', '9090/TCP', 'allowed'],
      ['pod:other:app=job', '8080/TCP', 'denied'], ['cidr:203.0.113.7', '8080/TCP', 'allowed']] as const) {
      expect(verdict(set, from, API, port).verdict).toBe(want);
    }
    expect(() => set.decide({ from: set.endpoint('pod:shop:app=job'), to: set.endpoint(API), protocol: 'TCP', port: 8080 })).toThrow(/engine-ip-block-patch-split|1\.19\.0-1\.19\.4/);
    // Without the cluster filter every patch translates the peer alike.
    expect(verdict(policySet([np], { ...v('1.19'), policyDefaultLocalCluster: false }), 'pod:shop:app=job', API, '8080/TCP').verdict).toBe('denied');
  });

  test('a pod given without its namespace is a pod of namespace default, refused as such (session 59, npfix)', () => {
    // Endpoint.namespace defaults to 'default': the refusal reads the same namespace the verdict does.
    const inDefault = { ...np, metadata: { ...np.metadata, namespace: 'default' } };
    const to = { kind: EndpointKind.POD, namespace: 'default', labels: { app: 'api' } };
    const query = (from: Endpoint): VerdictQuery => ({ from, to, protocol: 'TCP', port: 8080 });
    const omitted: Endpoint = { kind: EndpointKind.POD, labels: { app: 'job' } };
    const unpatched = policySet([inDefault], v('1.19'));
    expect(notJudgedRefusal(() => unpatched.verdict(query(omitted)))?.id).toBe('engine-ip-block-patch-split');
    expect(notJudgedRefusal(() => unpatched.decide(query(omitted)))?.id).toBe('engine-ip-block-patch-split');
    expect(notJudgedRefusal(() => unpatched.verdict(query(omitted)))?.message).toContain('is a pod of namespace default');
    expect(policySet([inDefault], v('1.19.4')).verdict(query(omitted)).verdict).toBe('allowed');
    expect(policySet([inDefault], v('1.19.5')).verdict(query(omitted)).verdict).toBe('denied');
  });

  const dir = mkdtempSync(join(tmpdir(), 'fid2-ipblock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  test('trace: exit 2 with the fix on an unpatched 1.19, exit 0 on 1.19.4, exit 1 on 1.19.5', () => {
    const f = join(dir, 'np.yaml');
    writeFileSync(f, JSON.stringify(np));
    const args = (version: string): string[] => ['trace', '--policies', f, '--cilium-version', version, '--from', 'pod:shop:app=job', '--to', API, '--port', '8080/TCP'];
    const unpatched = cli(...args('1.19'));
    expect(unpatched.code).toBe(2);
    expect(unpatched.stderr).toContain('give the patch release the cluster runs');
    expect(cli(...args('1.19.4')).code).toBe(0);
    expect(cli(...args('1.19.5')).code).toBe(1);
  });

  // Session 59 (npfix): diff and report gate their pairs on `PolicySet._mayLeaveUnjudged`, which did not ask the ipBlock
  // split: on an unpatched 1.19 they judged the fixed translation silently (report: no shop/job → shop/api and no note).
  const inventory = {
    apiVersion: 'v1', kind: 'List', items: ['api', 'job'].map((app) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: app, namespace: 'shop', labels: { app } },
      spec: { serviceAccountName: 'default', containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] },
    })),
  };
  const officeOnly = { ...np, spec: { ...np.spec, ingress: [np.spec.ingress[0]] } };
  const files = (): { inv: string; head: string; base: string } => {
    const inv = join(dir, 'inv.yaml');
    const head = join(dir, 'office.yaml');
    const base = join(dir, 'base.yaml');
    writeFileSync(inv, JSON.stringify(inventory));
    writeFileSync(head, JSON.stringify(officeOnly));
    const otherPort = [{ ...officeOnly.spec.ingress[0], ports: [{ port: 9999 }] }];
    writeFileSync(base, JSON.stringify({ ...officeOnly, spec: { ...officeOnly.spec, ingress: otherPort } }));
    return { inv, head, base };
  };

  test('report: NOT JUDGED with the id and the fix on an unpatched 1.19, listed on 1.19.4, absent on 1.19.5', async () => {
    const { inv, head } = files();
    const report = (version: string): Promise<{ code: number; stdout: string }> => cliAsync('report', '--policies', head, '--inventory', inv,
      '--cilium-version', version);
    const unpatched = await report('1.19');
    expect(unpatched.code).toBe(0);
    expect(unpatched.stdout).toContain('NOT JUDGED');
    expect(unpatched.stdout).toMatch(/not judged and not listed \(engine-ip-block-patch-split\): [^\n]*shop\/job → shop\/api 8080\/TCP/);
    expect(unpatched.stdout).toContain('give the patch release the cluster runs');
    expect(unpatched.stdout).not.toMatch(/^ {2}shop\/job → shop\/api/m);
    // The cidr peer is judged alike on every patch: listed.
    expect(unpatched.stdout).toMatch(/^ {2}world 203\.0\.113\.0\/24 → shop\/api 8080\/TCP$/m);
    expect((await report('1.19.4')).stdout).toMatch(/^ {2}shop\/job → shop\/api 8080\/TCP$/m);
    const fixed = await report('1.19.5');
    expect(fixed.stdout).not.toMatch(/^ {2}shop\/job → shop\/api/m);
    expect(fixed.stdout).not.toContain('engine-ip-block-patch-split');
  });

  test('diff: NOT COMPARED with the id on an unpatched 1.19, newly allowed and denied on 1.19.4', async () => {
    const { inv, head, base } = files();
    const diff = (version: string): Promise<{ code: number; stdout: string }> => cliAsync('diff', '--base', base, '--head', head, '--inventory', inv,
      '--cilium-version', version, '--fail-on', 'any');
    const unpatched = await diff('1.19');
    expect(unpatched.stdout).toMatch(/not compared \(engine-ip-block-patch-split\): [^\n]*shop\/job → shop\/api 8080\/TCP \(denied → not judged\)/);
    expect(unpatched.stdout).toMatch(/shop\/job → shop\/api 9999\/TCP \(not judged → denied\)/);
    expect(unpatched.stdout).not.toMatch(/^ {2}[+-] shop\/job → shop\/api/m);
    expect(unpatched.stdout).toMatch(/^ {2}\+ world 203\.0\.113\.0\/24 → shop\/api 8080\/TCP$/m);
    const patched = await diff('1.19.4');
    expect(patched.code).toBe(1);
    expect(patched.stdout).toMatch(/^ {2}\+ shop\/job → shop\/api 8080\/TCP$/m);
    expect(patched.stdout).toMatch(/^ {2}- shop\/job → shop\/api 9999\/TCP$/m);
    expect(patched.stdout).not.toContain('engine-ip-block-patch-split');
  });
});
