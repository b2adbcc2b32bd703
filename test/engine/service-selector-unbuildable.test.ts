// A `toServices` `k8sServiceSelector` whose requirements Kubernetes cannot build: the agent imports the policy (it
// validates no toServices selector: pkg/policy/api/rule_validation.go `EgressCommonRule` validates toEndpoints,
// toNodes, toCIDR, toCIDRSet and toEntities only; the CRD leaves the keys free), and matches the selector against each
// Service's own labels (pkg/policy/k8s/service.go `serviceSelectorMatches`, before 1.17 pkg/policy/api/service.go
// `K8sServiceSelectorNamespace.Matches`): `api.EndpointSelector(sel.Selector)` keeps the keys as written
// (`ServiceSelector` is a defined type, without EndpointSelector's source-adding UnmarshalJSON), and when
// `LabelSelectorAsSelector` fails (a `k8s:` prefix is no label key) `EndpointSelector.Matches` returns false. So the
// entry selects no Service: no generated toEndpoints, and the item's L3 is empty (pkg/policy/utils/parserules.go
// `mergeEndpointSelectors` has no toServices argument): nothing without toPorts, every peer on them with them.
// Before, the engine skipped the whole policy as refused by the agent (its default deny with it) — fail-open.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Connectivity, PolicySet } from '../../src';
import { CiliumVersion } from '../../src/core/cilium-version';
import { AgentRefusalCheck } from '../../src/engine/parser-conflicts';
import { cli } from '../support/cli';
import { cnp, judged, labels, policySet } from './helpers';

const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-cilium-service-selector-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let count = 0;

const WEB = 'pod:shop:app=web';
const DB = 'pod:shop:app=db';
const WORLD = 'cidr:203.0.113.9';
const SERVICE = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop', labels: { app: 'db' } },
  spec: { selector: { app: 'db' }, ports: [{ port: 5432 }] },
};
const P5432 = { toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] };
const toService = (selector: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toServices: [{ k8sServiceSelector: { selector } }], ...extra }] }, 'shop');

describe('k8sServiceSelector whose requirements do not build, up to 1.18', () => {
  test.each([
    ['a k8s: source prefix', labels({ 'k8s:app': 'db' })],
    ['an any: source prefix', labels({ 'any:app': 'db' })],
    ['In without values', { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }],
    ['a NotIn value that is no label value', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web*'] }] }],
  ])('%s: the policy is imported, the entry selects no Service, the subject is in egress default deny', (_what, selector) => {
    const set = policySet([SERVICE, toService(selector)], { ciliumVersion: CiliumVersion.V1_18 });
    const v = judged(set, WEB, DB, '5432/TCP');
    expect(v.allowed).toBe(false);
    expect(v.egress.decision).toBe('default-deny');
    expect(judged(set, WEB, WORLD, '443/TCP').egress.decision).toBe('default-deny');
  });

  test('with toPorts and no other entry: its ports are open to every peer (1.17+, where toServices may have toPorts)', () => {
    const set = policySet([SERVICE, toService(labels({ 'k8s:app': 'db' }), P5432)], { ciliumVersion: CiliumVersion.V1_18 });
    const v = judged(set, WEB, WORLD, '5432/TCP');
    expect(v.allowed).toBe(true);
    expect(v.egress.notes.join('\n')).toContain('toServices: the k8sServiceSelector {k8s:app=db} matches no Service: the key "k8s:app" is not a label key '
      + '(a Service label has no source prefix); Cilium matches it against each Service\'s own labels, and the requirement does not build, so it adds no selector');
    expect(judged(set, WEB, DB, '5432/TCP').allowed).toBe(true);
    expect(judged(set, WEB, DB, '80/TCP').allowed).toBe(false);
  });

  test('beside an entry that resolves: that Service\'s pods only, with a note on the other', () => {
    const doc = cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ toServices: [{ k8sServiceSelector: { selector: labels({ 'k8s:app': 'db' }) } }, { k8sService: { serviceName: 'db', namespace: 'shop' } }], ...P5432 }],
    }, 'shop');
    const set = policySet([SERVICE, doc], { ciliumVersion: CiliumVersion.V1_18 });
    const v = judged(set, WEB, DB, '5432/TCP');
    expect(v.allowed).toBe(true);
    expect(v.egress.notes.join('\n')).toContain('toServices: the k8sServiceSelector {k8s:app=db} matches no Service: the key "k8s:app" is not a label key');
    expect(set._agentRefusals(set.endpoint(WEB))).toEqual([]);
    expect(judged(set, WEB, WORLD, '5432/TCP').allowed).toBe(false);
  });

  test('the same selector without the prefix selects the Service\'s pods (control)', () => {
    const set = policySet([SERVICE, toService(labels({ app: 'db' }))], { ciliumVersion: CiliumVersion.V1_18 });
    expect(judged(set, WEB, DB, '5432/TCP').allowed).toBe(true);
    expect(judged(set, WEB, WORLD, '443/TCP').allowed).toBe(false);
  });

  test('the policy is not skipped as refused by the agent', () => {
    const set = policySet([SERVICE, toService(labels({ 'k8s:app': 'db' }))], { ciliumVersion: CiliumVersion.V1_18 });
    expect(set.skippedRules).toEqual([]);
  });
});

// From 1.19 pkg/policy/k8s/service.go serviceSelectorMatches builds `policytypes.NewLabelSelector(api.EndpointSelector(
// sel.Selector))`: pkg/policy/types/requirements.go LabelSelectorToRequirements returns nil when the selector does not
// build, and MatchesRequirements of nil is true, so the entry matches every Service in its scope. cilium/cilium#46946
// (July 2026) changed it again (the Service match ignores a key's source). The patch release decides: not judged.
describe('k8sServiceSelector whose requirements do not build, 1.19: the endpoints the rule selects are not judged', () => {
  const policies = (docs: readonly Record<string, unknown>[]): string => {
    const path = join(scratch, `p${count++}.yaml`);
    writeFileSync(path, docs.map((d) => JSON.stringify(d)).join('\n---\n'));
    return path;
  };

  test('trace exits 2 naming the selector, the patch releases and the fix; the other endpoints are judged', () => {
    const set = policySet([SERVICE, toService(labels({ 'k8s:app': 'db' }))], { ciliumVersion: CiliumVersion.V1_19 });
    expect(set._agentRefusals(set.endpoint(WEB)).map((r) => r.check)).toEqual([AgentRefusalCheck.SERVICE_SELECTOR_UNDECIDED]);
    expect(set._agentRefusals(set.endpoint(DB))).toEqual([]);
    const file = policies([SERVICE, toService(labels({ 'k8s:app': 'db' }))]);
    const r = cli('trace', '--policies', file, '--cilium-version', '1.19', '--from', WEB, '--to', DB, '--port', '5432');
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('--from pod:shop:app=web: the policy Cilium 1.19 enforces for this endpoint is not known: CiliumNetworkPolicy shop/p '
      + 'spec.egress[0] has a k8sServiceSelector that does not build (toServices[0].k8sServiceSelector.selector.matchLabels["k8s:app"]: the key '
      + '"k8s:app" is not a label key (a Service label has no source prefix)): which Services it matches depends on the 1.19 patch release: '
      + 'before cilium/cilium#46946 its requirements do not build and it matches every Service');
    expect(r.stderr).toContain('the inputs do not say which patch release the agent runs');
    expect(r.stderr).toContain('write the Service\'s label key as it is, without a source prefix (app, not k8s:app)');
    expect(r.stderr).toContain('reports it as pitfall-service-selector-invalid');
    expect(cli('trace', '--policies', file, '--cilium-version', '1.19', '--from', DB, '--to', WORLD, '--port', '443').code).toBe(0);
    // 1.18: judged, the entry matches no Service.
    expect(cli('trace', '--policies', file, '--cilium-version', '1.18', '--from', WEB, '--to', DB, '--port', '5432').code).toBe(1);
  });

  test('diff does not compare it, report does not judge it', () => {
    const set = PolicySet.fromYaml([SERVICE, toService(labels({ 'k8s:app': 'db' }))].map((d) => JSON.stringify(d)).join('\n---\n'),
      { ciliumVersion: CiliumVersion.V1_19 });
    const report = Connectivity.report(set);
    expect(report.notJudged?.map((n) => n.text)).toEqual([expect.stringContaining('The policy Cilium 1.19 enforces for the endpoint class')]);
    expect(report.notJudged?.[0].text).toContain('get the policy their agent\'s 1.19 patch release makes of it, which the inputs do not hold');
    const base = PolicySet.fromYaml(JSON.stringify(SERVICE), { ciliumVersion: CiliumVersion.V1_19 });
    const diff = Connectivity.diff(base, set);
    expect(diff.notCompared?.map((n) => n.text)).toEqual([expect.stringContaining('The policy Cilium 1.19 enforces for the endpoint class')]);
  });

  test('a selector that builds, or an unbuildable one in egressDeny (never resolved), is judged', () => {
    const ok = policySet([SERVICE, toService(labels({ app: 'db' }))], { ciliumVersion: CiliumVersion.V1_19 });
    expect(ok._agentRefusals(ok.endpoint(WEB))).toEqual([]);
    const deny = cnp('p', { endpointSelector: labels({ app: 'web' }),
      egressDeny: [{ toServices: [{ k8sServiceSelector: { selector: labels({ 'k8s:app': 'db' }) } }] }] }, 'shop');
    const set = policySet([SERVICE, deny], { ciliumVersion: CiliumVersion.V1_19 });
    expect(set._agentRefusals(set.endpoint(WEB))).toEqual([]);
  });
});

// Cilium reads an entry's k8sServiceSelector first and its k8sService only without one (pkg/policy/k8s/service.go
// processRule, hasMatchingToServices: `if sel := toService.K8sServiceSelector; sel != nil {…} else if ref := …K8sService`).
describe('an entry with both k8sService and k8sServiceSelector: the selector decides', () => {
  const both = (selector: Record<string, unknown>): Record<string, unknown> => cnp('p', { endpointSelector: labels({ app: 'web' }),
    egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' }, k8sServiceSelector: { selector } }] }] }, 'shop');

  test('a selector that does not build: no Service (1.18), not judged (1.19); the name is not read', () => {
    const old = policySet([SERVICE, both(labels({ 'k8s:app': 'db' }))], { ciliumVersion: CiliumVersion.V1_18 });
    expect(judged(old, WEB, DB, '5432/TCP').allowed).toBe(false);
    const v19 = policySet([SERVICE, both(labels({ 'k8s:app': 'db' }))], { ciliumVersion: CiliumVersion.V1_19 });
    expect(v19._agentRefusals(v19.endpoint(WEB)).map((r) => r.check)).toEqual([AgentRefusalCheck.SERVICE_SELECTOR_UNDECIDED]);
  });

  test('a selector matching no Service: nothing, though the name matches', () => {
    const set = policySet([SERVICE, both(labels({ app: 'cache' }))], { ciliumVersion: CiliumVersion.V1_18 });
    expect(judged(set, WEB, DB, '5432/TCP').allowed).toBe(false);
    const named = policySet([SERVICE, cnp('p', { endpointSelector: labels({ app: 'web' }),
      egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' } }] }] }, 'shop')], { ciliumVersion: CiliumVersion.V1_18 });
    expect(judged(named, WEB, DB, '5432/TCP').allowed).toBe(true);
  });
});

// pkg/policy/k8s/service.go appendSelector copies a Service's selector keys as they are (no source) into a generated
// toEndpoints selector, and labels.LabelArray.Has/Get read a key with labels.ParseSelectDotLabel, whose source is the text
// before the first "." (`app.kubernetes.io/name` is source `app`): such a selector matches no pod. Reported as
// cilium/cilium#41151 (1.17.4, 1.18.0) and #46732 (1.19.5 and later 1.19 releases); which patch releases carry a fix is not
// known here, so the verdict stays the translation's and says that affected agents select none of the pods.
describe('a Service selecting its pods by a key with a "." (cilium/cilium#41151)', () => {
  const dotted = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop' },
    spec: { selector: { 'app.kubernetes.io/name': 'db' }, ports: [{ port: 5432 }] },
  };
  const pods = 'pod:shop:app.kubernetes.io/name=db';
  const toDb = cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' } }] }] }, 'shop');

  test('the verdict carries a note naming the keys and the issue', () => {
    const v = judged(policySet([dotted, toDb], { ciliumVersion: CiliumVersion.V1_19 }), WEB, pods, '5432/TCP');
    expect(v.allowed).toBe(true);
    expect(v.egress.notes.join('\n')).toContain('toServices: Service shop/db selects its pods by "app.kubernetes.io/name": Cilium builds the selector '
      + 'of its pods from these keys as written, and agents without the fix of cilium/cilium#41151 (commit 76f23906; backported to 1.17 by #44950, '
      + '1.18 by #44949, 1.19 by #44888, in March 2026) read the text before a key\'s first "." as a label source: "app.kubernetes.io/name" as '
      + 'source app, which no pod label has. This verdict reads the keys as written, as agents with the fix do');
    expect(v.egress.notes.join('\n')).not.toContain('#46732');
  });

  test('a key whose text before the "." is a pod label source (k8s.app) is read as a different key, not as none', () => {
    const k8sDotted = { ...dotted, spec: { ...dotted.spec, selector: { 'k8s.app': 'db' } } };
    const v = judged(policySet([k8sDotted, toDb], { ciliumVersion: CiliumVersion.V1_19 }), WEB, 'pod:shop:k8s.app=db', '5432/TCP');
    expect(v.egress.notes.join('\n')).toContain('"k8s.app" as k8s:app, a different key. This verdict');
  });

  // cilium/cilium#46732 ("k8sServiceSelector fails if selector labels has dots"): the k8sServiceSelector's own keys.
  test('a k8sServiceSelector key with a "." on 1.19: a note naming cilium/cilium#46732; not on 1.18', () => {
    const svc = { ...SERVICE, metadata: { ...SERVICE.metadata, labels: { 'app.kubernetes.io/name': 'db' } } };
    const policy = toService(labels({ 'app.kubernetes.io/name': 'db' }));
    const v = judged(policySet([svc, policy], { ciliumVersion: CiliumVersion.V1_19 }), WEB, DB, '5432/TCP');
    expect(v.allowed).toBe(true);
    expect(v.egress.notes.join('\n')).toContain('toServices: the k8sServiceSelector {any:app.kubernetes.io/name=db} has keys with a "." ("app.kubernetes.io/name"): '
      + '1.19 agents with cilium/cilium#46732 (reported on 1.19.5 and later; fixed by #46946, July 2026)');
    const old = judged(policySet([svc, policy], { ciliumVersion: CiliumVersion.V1_18 }), WEB, DB, '5432/TCP');
    expect(old.egress.notes.join('\n')).not.toContain('#46732');
  });

  test('no such note for keys without a ".", nor before 1.17 (a Service with a selector is no target there)', () => {
    const plain = policySet([SERVICE, toService(labels({ app: 'db' }))], { ciliumVersion: CiliumVersion.V1_19 });
    expect(judged(plain, WEB, DB, '5432/TCP').egress.notes.join('\n')).not.toContain('#41151');
    const old = judged(policySet([dotted, toDb], { ciliumVersion: CiliumVersion.V1_16 }), WEB, pods, '5432/TCP');
    expect(old.egress.notes.join('\n')).not.toContain('#41151');
  });
});
