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
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { cnp, judged, labels, policySet } from './helpers';

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

describe('k8sServiceSelector whose requirements do not build', () => {
  test.each([
    ['a k8s: source prefix', labels({ 'k8s:app': 'db' })],
    ['an any: source prefix', labels({ 'any:app': 'db' })],
    ['In without values', { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }],
    ['a NotIn value that is no label value', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web*'] }] }],
  ])('%s: the policy is imported, the entry selects no Service, the subject is in egress default deny', (_what, selector) => {
    const set = policySet([SERVICE, toService(selector)], { ciliumVersion: CiliumVersion.V1_19 });
    const v = judged(set, WEB, DB, '5432/TCP');
    expect(v.allowed).toBe(false);
    expect(v.egress.decision).toBe('default-deny');
    expect(judged(set, WEB, WORLD, '443/TCP').egress.decision).toBe('default-deny');
  });

  test('with toPorts and no other entry: its ports are open to every peer (1.17+, where toServices may have toPorts)', () => {
    const set = policySet([SERVICE, toService(labels({ 'k8s:app': 'db' }), P5432)], { ciliumVersion: CiliumVersion.V1_19 });
    const v = judged(set, WEB, WORLD, '5432/TCP');
    expect(v.allowed).toBe(true);
    expect(v.egress.notes.join('\n')).toContain('toServices: the k8sServiceSelector matches no Service (the key "k8s:app" is not a label key');
    expect(judged(set, WEB, DB, '5432/TCP').allowed).toBe(true);
    expect(judged(set, WEB, DB, '80/TCP').allowed).toBe(false);
  });

  test('beside an entry that resolves: that Service\'s pods only, with a note on the other', () => {
    const doc = cnp('p', {
      endpointSelector: labels({ app: 'web' }),
      egress: [{ toServices: [{ k8sServiceSelector: { selector: labels({ 'k8s:app': 'db' }) } }, { k8sService: { serviceName: 'db', namespace: 'shop' } }], ...P5432 }],
    }, 'shop');
    const set = policySet([SERVICE, doc], { ciliumVersion: CiliumVersion.V1_19 });
    const v = judged(set, WEB, DB, '5432/TCP');
    expect(v.allowed).toBe(true);
    expect(v.egress.notes.join('\n')).toContain('toServices: the k8sServiceSelector {k8s:app=db} matches no Service: the key "k8s:app" is not a label key');
    expect(judged(set, WEB, WORLD, '5432/TCP').allowed).toBe(false);
  });

  test('the same selector without the prefix selects the Service\'s pods (control)', () => {
    const set = policySet([SERVICE, toService(labels({ app: 'db' }))], { ciliumVersion: CiliumVersion.V1_19 });
    expect(judged(set, WEB, DB, '5432/TCP').allowed).toBe(true);
    expect(judged(set, WEB, WORLD, '443/TCP').allowed).toBe(false);
  });

  test('the policy is not skipped as refused by the agent', () => {
    const set = policySet([SERVICE, toService(labels({ 'k8s:app': 'db' }))], { ciliumVersion: CiliumVersion.V1_19 });
    expect(set.skippedRules).toEqual([]);
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
    expect(v.egress.notes.join('\n')).toContain('toServices: Service shop/db selects its pods by "app.kubernetes.io/name": Cilium builds the selector');
    expect(v.egress.notes.join('\n')).toContain('cilium/cilium#41151');
  });

  test('no such note for keys without a ".", nor before 1.17 (a Service with a selector is no target there)', () => {
    const plain = policySet([SERVICE, toService(labels({ app: 'db' }))], { ciliumVersion: CiliumVersion.V1_19 });
    expect(judged(plain, WEB, DB, '5432/TCP').egress.notes.join('\n')).not.toContain('#41151');
    const old = judged(policySet([dotted, toDb], { ciliumVersion: CiliumVersion.V1_16 }), WEB, pods, '5432/TCP');
    expect(old.egress.notes.join('\n')).not.toContain('#41151');
  });
});
