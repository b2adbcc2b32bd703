// One reading of which Services a `toServices` entry matches (`serviceEntryTarget`, src/model/services-unresolved.ts),
// for the engine and validate, on the edge cases where four copies disagreed before session 54:
// - a k8sServiceSelector whose selector is `{}`: up to 1.18 Cilium decodes it as no label selector (api.ServiceSelector
//   embeds a *LabelSelector that JSON decoding sets only for a matchLabels or matchExpressions key), and
//   EndpointSelector.Matches of none is false (labelSelectorToRequirements: LabelSelectorAsSelector(nil) is
//   labels.Nothing, not selectable): no Service. `matchLabels: {}` is a label selector without requirements: every
//   Service. From 1.19 (policytypes.NewLabelSelector: nil requirements match) both are every Service;
// - a k8sService without a serviceName: pkg/policy/k8s/service.go serviceRefMatches compares the name, which every
//   Service has: no Service whatever the cluster holds, so with toPorts the ports are open to every peer (judged, not
//   "the Service may exist in the cluster").
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { serviceEntryTarget } from '../../src/model/services-unresolved';
import { checkInfo } from '../../src/validate';
import { itemPeerScope, itemsSelectBroadly } from '../../src/validate/lockout-guard';
import { RuleItemModel } from '../../src/model/policy-model';
import { check, findings } from '../validate-cli/helpers';
import { cnp, judged, labels, policySet } from './helpers';

const WEB = 'pod:shop:app=web';
const DB = 'pod:shop:app=db';
const WORLD = 'cidr:203.0.113.9';
const SERVICE = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop', labels: { app: 'db' } },
  spec: { selector: { app: 'db' }, ports: [{ port: 5432 }] },
};
const P5432 = { toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] };
const toServices = (entry: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toServices: [entry], ...extra }] }, 'shop');
const V = (v: string): CiliumVersion => CiliumVersion.parse(v);

function validated(docs: readonly Record<string, unknown>[], ciliumVersion: string): { id: string; path: string }[] {
  const report = check(Object.fromEntries(docs.map((d, i) => [`d${i}.yaml`, JSON.stringify(d)])), { ciliumVersion });
  const ids = ['pitfall-service-selector-invalid', 'pitfall-services-every-peer', 'pitfall-services-missing-every-peer', 'pitfall-services-with-ports'];
  return ids.flatMap((id) => findings(report, id).map((f) => {
    expect(f.severity).toBe(checkInfo(id).severity);
    return { id, path: f.path ?? '' };
  }));
}

describe('serviceEntryTarget', () => {
  test.each([
    ['selector {}', { k8sServiceSelector: { selector: {} } }, 'nothing', 'labels'],
    ['selector missing', { k8sServiceSelector: { namespace: 'shop' } }, 'nothing', 'labels'],
    ['matchLabels {}', { k8sServiceSelector: { selector: { matchLabels: {} } } }, 'labels', 'labels'],
    ['matchExpressions only', { k8sServiceSelector: { selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] } } }, 'labels', 'labels'],
    ['a key with a source', { k8sServiceSelector: { selector: labels({ 'k8s:app': 'db' }) } }, 'nothing', 'undecided'],
    ['serviceName ""', { k8sService: { serviceName: '', namespace: 'shop' } }, 'nothing', 'nothing'],
    ['serviceName missing', { k8sService: { namespace: 'shop' } }, 'nothing', 'nothing'],
    ['both fields: the selector', { k8sService: { serviceName: 'x' }, k8sServiceSelector: { selector: labels({ app: 'db' }) } }, 'labels', 'labels'],
    ['neither field', { k8sServise: { serviceName: 'db' } }, 'nothing', 'nothing'],
  ])('%s: %s up to 1.18, %s on 1.19', (_what, entry, upTo118, on119) => {
    for (const v of ['1.15', '1.16', '1.17', '1.18']) expect(serviceEntryTarget(entry, V(v)).kind, v).toBe(upTo118);
    expect(serviceEntryTarget(entry, V('1.19')).kind).toBe(on119);
  });

  test('a namespace empty or missing is every namespace, in a CNP as in a CCNP', () => {
    for (const namespace of [undefined, '']) {
      const target = serviceEntryTarget({ k8sService: { serviceName: 'db', ...(namespace === undefined ? {} : { namespace }) } }, V('1.18'));
      expect(target).toEqual({ kind: 'name', name: 'db' });
    }
  });
});

describe('a k8sServiceSelector written {}', () => {
  test('up to 1.18 it matches no Service (allowed nothing); matchLabels {} and 1.19 match every Service (the pods of db)', () => {
    const empty = toServices({ k8sServiceSelector: { selector: {} } });
    const noRequirement = toServices({ k8sServiceSelector: { selector: { matchLabels: {} } } });
    for (const v of [CiliumVersion.V1_17, CiliumVersion.V1_18]) {
      expect(judged(policySet([SERVICE, empty], { ciliumVersion: v }), WEB, DB, '5432/TCP').allowed, `${v}`).toBe(false);
      expect(judged(policySet([SERVICE, noRequirement], { ciliumVersion: v }), WEB, DB, '5432/TCP').allowed, `${v}`).toBe(true);
    }
    expect(judged(policySet([SERVICE, empty], { ciliumVersion: CiliumVersion.V1_19 }), WEB, DB, '5432/TCP').allowed).toBe(true);
    expect(judged(policySet([SERVICE, empty], { ciliumVersion: CiliumVersion.V1_19 }), WEB, WORLD, '5432/TCP').allowed).toBe(false);
  });

  test('1.18 with toPorts: the item has no peer selector, its port is open to every peer and only it', () => {
    const set = policySet([SERVICE, toServices({ k8sServiceSelector: { selector: {} } }, P5432)], { ciliumVersion: CiliumVersion.V1_18 });
    expect(judged(set, WEB, WORLD, '5432/TCP').allowed).toBe(true);
    expect(judged(set, WEB, DB, '5432/TCP').allowed).toBe(true);
    expect(judged(set, WEB, WORLD, '443/TCP').allowed).toBe(false);
    expect(judged(set, WEB, WORLD, '5432/TCP').egress.notes.join('\n')).toContain('has neither matchLabels nor matchExpressions, so it matches no Service on Cilium 1.18');
  });

  test('validate: pitfall-service-selector-invalid at the selector up to 1.18 (with every-peer beside toPorts), nothing on 1.19', () => {
    const at = 'spec.egress[0].toServices[0].k8sServiceSelector.selector';
    expect(validated([SERVICE, toServices({ k8sServiceSelector: { selector: {} } })], '1.18')).toEqual([{ id: 'pitfall-service-selector-invalid', path: at }]);
    expect(validated([SERVICE, toServices({ k8sServiceSelector: { selector: {} } }, P5432)], '1.18')).toEqual([
      { id: 'pitfall-service-selector-invalid', path: at }, { id: 'pitfall-services-every-peer', path: 'spec.egress[0].toServices' },
    ]);
    expect(validated([SERVICE, toServices({ k8sServiceSelector: { selector: {} } })], '1.19')).toEqual([]);
    expect(validated([SERVICE, toServices({ k8sServiceSelector: { selector: { matchLabels: {} } } })], '1.18')).toEqual([]);
  });
});

describe('a k8sService without a serviceName', () => {
  test.each([['""', { serviceName: '', namespace: 'shop' }], ['missing', { namespace: 'shop' }]])(
    'serviceName %s with toPorts: judged, its port open to every peer (not "the Service may exist")', (_what, k8sService) => {
      const set = policySet([SERVICE, toServices({ k8sService }, P5432)], { ciliumVersion: CiliumVersion.V1_18 });
      expect(judged(set, WEB, WORLD, '5432/TCP').allowed).toBe(true);
      expect(judged(set, WEB, WORLD, '443/TCP').allowed).toBe(false);
      expect(validated([SERVICE, toServices({ k8sService }, P5432)], '1.18')).toEqual([
        { id: 'pitfall-service-selector-invalid', path: 'spec.egress[0].toServices[0].k8sService.serviceName' },
        { id: 'pitfall-services-every-peer', path: 'spec.egress[0].toServices' },
      ]);
    });

  test('without toPorts it allows nothing, and validate says so at serviceName', () => {
    const set = policySet([SERVICE, toServices({ k8sService: { serviceName: '', namespace: 'shop' } })], { ciliumVersion: CiliumVersion.V1_18 });
    expect(judged(set, WEB, DB, '5432/TCP').allowed).toBe(false);
    expect(validated([SERVICE, toServices({ k8sService: { serviceName: '', namespace: 'shop' } })], '1.18')).toEqual([
      { id: 'pitfall-service-selector-invalid', path: 'spec.egress[0].toServices[0].k8sService.serviceName' },
    ]);
  });
});

describe('matchLabels or matchExpressions null: pruned by the API server (parse-null-value), so not written', () => {
  test.each([
    ['matchLabels null', { k8sServiceSelector: { selector: { matchLabels: null } } }],
    ['matchExpressions null', { k8sServiceSelector: { selector: { matchExpressions: null } } }],
    ['both null', { k8sServiceSelector: { selector: { matchLabels: null, matchExpressions: null } } }],
  ])('%s: no Service up to 1.18, every Service on 1.19, as {}', (_what, entry) => {
    expect(serviceEntryTarget(entry, V('1.18'))).toMatchObject({ kind: 'nothing', at: 'k8sServiceSelector.selector' });
    expect(serviceEntryTarget(entry, V('1.19')).kind).toBe('labels');
  });
});

describe('the lockout guard and the narrow roles read toServices entries as the engine does (serviceEntryTarget)', () => {
  const DNS = { everyPod: true, namespaceFixed: true, podLabel: true };
  const dnsItem = (entry: unknown, ports = true): RuleItemModel =>
    ({ services: [entry], ...(ports ? { toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] } : {}) }) as RuleItemModel;
  const dnsRule = (entry: unknown): Record<string, unknown> => cnp('p', {
    endpointSelector: labels({ app: 'web' }),
    egress: [{ toServices: [entry], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] },
      { toFQDNs: [{ matchName: 'example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
  }, 'shop');
  const nameless = { k8sService: { namespace: 'kube-system' } };
  const emptySelector = { k8sServiceSelector: { selector: {} } };
  const sourceKey = { k8sServiceSelector: { selector: labels({ 'k8s:app': 'dns' }), namespace: 'kube-system' } };

  test.each([['no serviceName', nameless], ['selector {}', emptySelector], ['a key with a source', sourceKey]])(
    '1.18, %s: the engine opens 53/UDP to every peer, and itemPeerScope and itemsSelectBroadly say so', (_what, entry) => {
      const set = policySet([SERVICE, dnsRule(entry)], { ciliumVersion: CiliumVersion.V1_18 });
      expect(judged(set, WEB, WORLD, '53/UDP').allowed).toBe(true);
      expect(itemPeerScope(dnsItem(entry), false, undefined, V('1.18'))).toBe('any');
      expect(itemPeerScope(dnsItem(entry, false), false, undefined, V('1.18'))).toBe('none');
      expect(itemsSelectBroadly([dnsItem(entry)], DNS, V('1.18'))).toMatch(/^any peer/);
      const report = check({ 'a.yaml': JSON.stringify(SERVICE), 'b.yaml': JSON.stringify(dnsRule(entry)) }, { ciliumVersion: '1.18' });
      expect(findings(report, 'pitfall-fqdn-dns-server-broad').map((f) => f.path)).toEqual(['spec.egress[0]']);
    });

  test('without a version only what matches no Service on every version; 1.19 reads a selector {} as every Service', () => {
    expect(itemPeerScope(dnsItem(nameless), false)).toBe('any');
    expect(itemPeerScope(dnsItem(emptySelector), false)).toBe('listed');
    expect(itemPeerScope(dnsItem(emptySelector), false, undefined, V('1.19'))).toBe('listed');
    expect(itemsSelectBroadly([dnsItem(emptySelector)], DNS, V('1.19'))).toMatch(/^the backends of the Services \{\}/);
    expect(itemsSelectBroadly([dnsItem(sourceKey)], DNS, V('1.19'))).toBeUndefined();
    expect(itemsSelectBroadly([dnsItem({ k8sService: { serviceName: 'kube-dns', namespace: 'kube-system' } })], DNS, V('1.18'))).toBeUndefined();
  });

  test('an entry that matches a Service beside one that matches none: the item keeps its selector', () => {
    const item = { ...dnsItem(nameless), services: [nameless, { k8sService: { serviceName: 'db', namespace: 'shop' } }] } as RuleItemModel;
    expect(itemPeerScope(item, false, undefined, V('1.18'))).toBe('listed');
    expect(itemsSelectBroadly([item], DNS, V('1.18'))).toBeUndefined();
  });
});

// Session 54: the public `EndpointInventory.servicesMatching` kept (a label selector as given over the Services' labels,
// in the namespace if given), beside `serviceEntryTarget`'s reading of a written entry.
describe('EndpointInventory.servicesMatching', () => {
  test('the selector as given, in the namespace if given', () => {
    const other = { ...SERVICE, metadata: { ...SERVICE.metadata, name: 'db2', namespace: 'other' } };
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toEntities: ['world'] }] }, 'shop'), SERVICE, other]);
    const names = (sel: Record<string, unknown>, ns?: string): string[] =>
      set.inventory.servicesMatching(sel, ns).map((s) => `${s.namespace}/${s.name}`).sort();
    expect(names({ matchLabels: { app: 'db' } }, 'shop')).toEqual(['shop/db']);
    expect(names({ matchLabels: { app: 'db' } })).toEqual(['other/db2', 'shop/db']);
    expect(names({ matchLabels: { app: 'cache' } })).toEqual([]);
    expect(names({ matchLabels: {} }, 'other')).toEqual(['other/db2']);
  });
});
