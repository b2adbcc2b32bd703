// The diff finds the pairs that change per class and direction (side tables) and judges only those; it must give the
// document that judging every pair of classes on every port segment with `verdict()` gives. Random small policy sets
// (CNPs and CCNPs, `{}` subjects, endpoint, entity, CIDR and FQDN peers, DNS rules toward kube-dns, deny sections, named
// ports, port ranges, ICMP, HTTP rules, `enableDefaultDeny: false`), with and without an inventory, under random changes
// (a policy added, removed or replaced, a section dropped, every policy renamed).
// And the classes miss no pod: random pods of several labels (app, tier, team; namespaces by name and label), with or
// without them as the inventory, judged pair by pair with `verdict()` on both sides; every pair whose verdict changes
// must be a listed change (the pods that unrelated selectors select at once are classes of their own).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Connectivity, ConnectivityDiffDocument } from '../../src/diff';
import { Endpoint, EndpointInventory, Endpoints, PolicySet } from '../../src/engine';
import { CiliumVersion } from '../../src/core/cilium-version';
import { LabelSelectorModel, PolicyDocumentModel, PolicyKind, PortRuleModel, RuleItemModel, RuleModel } from '../../src/model/policy-model';
import { propertyParams } from '../support/property';
import { cnp, labels, policySet } from '../engine/helpers';

/**
 * Runs of the two properties in the default mode (`PROPERTY_RUNS_DIFF_EQUIVALENCE`, `PROPERTY_RUNS_DIFF_NO_MISS`; random
 * seeds, printed; `PROPERTY_DEEP=1` runs ten times as many; see propertyParams). A run of the first judges every pair of
 * classes on every port segment with `verdict()` (the reference): 80% of this file's time. They were 80 and 150 runs on
 * the fixed seeds 13 and 17; half as many on those seeds reach 3 fewer of src/diff's 1,607 branches, and any other seed
 * differs from them by as many (docs/testing.md, "Suite time").
 */
const EQUIVALENCE_RUNS = 40;
const NO_MISS_RUNS = 75;

const NS = 'k8s:io.kubernetes.pod.namespace';
const NS_ENV = 'k8s:io.cilium.k8s.namespace.labels.env';

const podSelector: fc.Arbitrary<LabelSelectorModel> = fc.oneof(
  fc.constant<LabelSelectorModel>({}),
  fc.constantFrom('web', 'api', 'db').map((app): LabelSelectorModel => ({ matchLabels: { app } })),
  fc.tuple(fc.constantFrom('web', 'api'), fc.constantFrom('front', 'back')).map(([app, tier]): LabelSelectorModel => ({ matchLabels: { app, tier } })),
  fc.constantFrom('front', 'back').map((tier): LabelSelectorModel => ({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: [tier] }] })),
  fc.constant<LabelSelectorModel>({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] }),
  // A key no other selector names: its pods co-select with those of app and tier (`app=web` and `team=pay` at once).
  fc.constantFrom('pay', 'ops').map((team): LabelSelectorModel => ({ matchLabels: { team } })),
  fc.constant<LabelSelectorModel>({ matchExpressions: [{ key: 'team', operator: 'Exists', values: [] }] }),
);

/** A peer selector, sometimes in another namespace (by name or by namespace label). */
const peerSelector: fc.Arbitrary<LabelSelectorModel> = fc.tuple(podSelector, fc.constantFrom(undefined, 'prod', 'dev', 'env')).map(([sel, ns]) => {
  if (ns === undefined) return sel;
  const extra: Record<string, string> = ns === 'env' ? { [NS_ENV]: 'prod' } : { [NS]: ns };
  return { ...sel, matchLabels: { ...(sel.matchLabels ?? {}), ...extra } };
});

const port = (p: string, protocol = 'TCP', endPort?: number): PortRuleModel => ({ ports: [{ port: p, protocol, ...(endPort !== undefined ? { endPort } : {}) }] });

const toPorts: fc.Arbitrary<PortRuleModel[] | undefined> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  fc.constantFrom<PortRuleModel[]>([port('80')], [port('8000', 'TCP', 8100)], [port('53', 'ANY')], [port('http')], [port('0', 'UDP')], [port('443'), port('8080')]),
);

const httpPorts: fc.Arbitrary<PortRuleModel[]> = fc.constantFrom(
  [{ ...port('80'), rules: { http: [{ method: 'GET', path: '/a' }] } }],
  [{ ...port('8080'), rules: { http: [{ method: 'POST' }] } }],
);

const peer: fc.Arbitrary<RuleItemModel> = fc.oneof(
  { weight: 3, arbitrary: fc.array(peerSelector, { minLength: 1, maxLength: 2 }).map((endpoints) => ({ endpoints })) },
  fc.constantFrom('world', 'host', 'remote-node', 'cluster', 'all', 'kube-apiserver', 'health').map((e) => ({ entities: [e] })),
  fc.constantFrom('10.0.0.0/8', '203.0.113.0/24', '0.0.0.0/0', '10.1.2.3/32').map((cidr) => ({ cidr: [cidr] })),
  fc.constant<RuleItemModel>({ cidrSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }),
);

const allowItem: fc.Arbitrary<RuleItemModel> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(peer, toPorts).map(([p, t]) => ({ ...p, ...(t ? { toPorts: t } : {}) })) },
  fc.tuple(peer, httpPorts).map(([p, t]): RuleItemModel => ({ ...p, toPorts: t })),
  peer.map((p): RuleItemModel => ({ ...p, icmps: [{ fields: [{ type: 8 }] }] })),
  fc.constant<RuleItemModel>({}),
);

/** kube-dns, the engine's default DNS server. */
const KUBE_DNS: LabelSelectorModel = { matchLabels: { [NS]: 'kube-system', 'k8s-app': 'kube-dns' } };

/** `toFQDNs` names and patterns that overlap (a name a pattern matches, a pattern of every name). */
const fqdnItem: fc.Arbitrary<RuleItemModel> = fc.tuple(
  fc.constantFrom<RuleItemModel['fqdns']>([{ matchName: 'api.example.com' }], [{ matchPattern: '*.example.com' }], [{ matchPattern: '*' }],
    [{ matchName: 'db.other.org' }, { matchPattern: 'api.*.com' }]),
  fc.constantFrom<PortRuleModel[] | undefined>(undefined, [port('443')], [port('80'), port('8443')]),
).map(([fqdns, t]): RuleItemModel => ({ fqdns, ...(t ? { toPorts: t } : {}) }));

/** Egress to the DNS server on 53: through the DNS proxy with DNS rules (what `toFQDNs` learns from), or L4 only. */
const dnsItem: fc.Arbitrary<RuleItemModel> = fc.constantFrom<RuleItemModel['toPorts']>(
  [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
  [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchName: 'api.example.com' }] } }],
  [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*.other.org' }, { matchPattern: '*.example.com' }] } }],
  [port('53', 'UDP')],
).map((toPorts) => ({ endpoints: [KUBE_DNS], toPorts }));

const egressItem: fc.Arbitrary<RuleItemModel> = fc.oneof({ weight: 4, arbitrary: allowItem }, fqdnItem, dnsItem);

const denyItem: fc.Arbitrary<RuleItemModel> = fc.tuple(peer, toPorts).map(([p, t]) => ({ ...p, ...(t ? { toPorts: t } : {}) }));

const rule = (subject: fc.Arbitrary<LabelSelectorModel>): fc.Arbitrary<RuleModel> => fc.record({
  endpointSelector: subject,
  ingress: fc.option(fc.array(allowItem, { maxLength: 2 }), { nil: undefined }),
  egress: fc.option(fc.array(egressItem, { maxLength: 3 }), { nil: undefined }),
  ingressDeny: fc.option(fc.array(denyItem, { minLength: 1, maxLength: 1 }), { nil: undefined, freq: 4 }),
  egressDeny: fc.option(fc.array(denyItem, { minLength: 1, maxLength: 1 }), { nil: undefined, freq: 4 }),
  enableDefaultDeny: fc.option(fc.constantFrom({ ingress: false }, { egress: false }, { ingress: false, egress: false }),
    { nil: undefined, freq: 4 }),
}, { requiredKeys: ['endpointSelector'] }).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as RuleModel);

const ccnpSubject: fc.Arbitrary<LabelSelectorModel> = fc.oneof(
  fc.constant({}),
  podSelector,
  fc.constantFrom('prod', 'dev').map((ns) => ({ matchLabels: { [NS]: ns } })),
  fc.constant({ matchLabels: { [NS_ENV]: 'prod' } }),
);

const policy: fc.Arbitrary<PolicyDocumentModel> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('prod', 'dev', 'kube-system'), rule(podSelector)).map(([namespace, spec]) => ({
    kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace }, spec,
  })) },
  rule(ccnpSubject).map((spec) => ({ kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'c' }, spec })),
);

type Change =
  | { readonly kind: 'add'; readonly policy: PolicyDocumentModel }
  | { readonly kind: 'remove'; readonly index: number }
  | { readonly kind: 'replace'; readonly index: number; readonly policy: PolicyDocumentModel }
  | { readonly kind: 'drop-section'; readonly index: number; readonly section: 'ingress' | 'egress' | 'ingressDeny' | 'egressDeny' }
  | { readonly kind: 'rename' };

/** A change of a policy list, adding and replacing with `policies`. */
const changeOf = (policies: fc.Arbitrary<PolicyDocumentModel>): fc.Arbitrary<Change> => fc.oneof(
  fc.record({ kind: fc.constant('add' as const), policy: policies }),
  fc.record({ kind: fc.constant('remove' as const), index: fc.nat() }),
  fc.record({ kind: fc.constant('replace' as const), index: fc.nat(), policy: policies }),
  fc.record({ kind: fc.constant('drop-section' as const), index: fc.nat(), section: fc.constantFrom('ingress' as const, 'egress' as const, 'ingressDeny' as const, 'egressDeny' as const) }),
  fc.constant({ kind: 'rename' as const }),
);

const change = changeOf(policy);

/** Unique names (a CNP per namespace, a CCNP cluster-wide), with a suffix. */
function named(docs: readonly PolicyDocumentModel[], suffix = ''): PolicyDocumentModel[] {
  return docs.map((d, i) => ({ ...d, metadata: { ...d.metadata, name: `${d.metadata.name}${i}${suffix}` } }));
}

function apply(docs: readonly PolicyDocumentModel[], c: Change): PolicyDocumentModel[] {
  const at = (i: number): number => i % docs.length;
  switch (c.kind) {
    case 'add':
      return named([...docs, c.policy]);
    case 'remove':
      return named(docs.filter((_, i) => i !== at(c.index)));
    case 'replace':
      return named(docs.map((d, i) => (i === at(c.index) ? c.policy : d)));
    case 'drop-section':
      return named(docs.map((d, i) => (i === at(c.index) && d.spec ? { ...d, spec: { ...d.spec, [c.section]: undefined } } : d)));
    case 'rename':
      return named(docs, '-v2');
  }
}

function inventory(): EndpointInventory {
  const inv = new EndpointInventory();
  inv.addNamespace('prod', { env: 'prod' });
  inv.addNamespace('dev', { env: 'dev' });
  inv.addWorkload({ kind: 'Deployment', name: 'web', namespace: 'prod', podLabels: { app: 'web', tier: 'front' }, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
  inv.addWorkload({ kind: 'Deployment', name: 'api', namespace: 'prod', podLabels: { app: 'api', tier: 'back' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] });
  inv.addWorkload({ kind: 'Deployment', name: 'web', namespace: 'dev', podLabels: { app: 'web', tier: 'back' }, ports: [] });
  inv.addWorkload({ kind: 'StatefulSet', name: 'db', namespace: 'dev', podLabels: { app: 'db' }, ports: [{ name: 'http', port: 5432, protocol: 'TCP' }] });
  return inv;
}

/** A deny on a named port added beside a deny with the same flags: the named port resolves on the destination (api: 80). */
const NAMED_PORT_DENY: [PolicyDocumentModel[], Change, boolean] = [[{
  kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'prod' },
  spec: {
    endpointSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] },
    ingressDeny: [{ cidrSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }], toPorts: [port('80')] }],
    enableDefaultDeny: { ingress: false },
  },
}], {
  kind: 'add',
  policy: {
    kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'prod' },
    spec: { endpointSelector: {}, ingressDeny: [{ cidr: ['203.0.113.0/24'], toPorts: [port('http')] }], enableDefaultDeny: { ingress: false } },
  },
}, true];

/** web's DNS companion narrowed to another name: api.example.com is no longer learned (toFQDNs selects nothing). */
const fqdnPolicy = (dns: string): PolicyDocumentModel => ({
  kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'prod' },
  spec: {
    endpointSelector: { matchLabels: { app: 'web' } },
    egress: [
      { endpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: dns }] } }] },
      { fqdns: [{ matchPattern: '*.example.com' }, { matchName: 'api.example.com' }], toPorts: [port('443')] },
    ],
  },
});
const DNS_NARROWED: [PolicyDocumentModel[], Change, boolean] = [[fqdnPolicy('*')], { kind: 'replace', index: 0, policy: fqdnPolicy('*.other.org') }, false];

/** kube-dns stops admitting prod (an ingress default deny in kube-system): nothing prod looks up is learned. */
const DNS_SERVER_CLOSED: [PolicyDocumentModel[], Change, boolean] = [[fqdnPolicy('*')], {
  kind: 'add',
  policy: {
    kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'dns', namespace: 'kube-system' },
    spec: { endpointSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ingress: [{ endpoints: [{ matchLabels: { [NS]: 'dev' } }] }] },
  },
}, true];

/**
 * Every pod has the same egress rules (one CCNP: DNS through the proxy, a name on a port that changes), but kube-dns admits
 * only prod: the dev pods never learn the name, so only prod's connections to it change.
 */
const everyPodFqdn = (p: string): PolicyDocumentModel => ({
  kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'c' },
  spec: {
    endpointSelector: {},
    egress: [
      { endpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
      { fqdns: [{ matchName: 'api.example.com' }], toPorts: [port(p)] },
    ],
  },
});
const kubeDnsAdmitsProd: PolicyDocumentModel = {
  kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'dns', namespace: 'kube-system' },
  spec: { endpointSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ingress: [{ endpoints: [{ matchLabels: { [NS]: 'prod' } }] }] },
};
const DNS_PER_CLIENT: [PolicyDocumentModel[], Change, boolean] = [[everyPodFqdn('443'), kubeDnsAdmitsProd], {
  kind: 'replace', index: 0, policy: everyPodFqdn('8443'),
}, true];

/**
 * Every pod looks names up through one CCNP and reaches three `toFQDNs` selectors; kube-dns admits only prod. The DNS rule
 * narrowed to `*.example.com`: prod stops learning `db.other.org` and `api.*.com`'s witness, whose explanations name
 * different selectors of the same item (the FQDN classes are decided alike, explained apart), and the dev pods, which
 * share prod's egress rules but not their lookup, change nothing.
 */
const everyPodNames = (dns: string): PolicyDocumentModel => ({
  kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'c' },
  spec: {
    endpointSelector: {},
    egress: [
      { endpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: dns }] } }] },
      { fqdns: [{ matchName: 'db.other.org' }, { matchPattern: 'api.*.com' }, { matchPattern: '*.example.com' }], toPorts: [port('443')] },
    ],
  },
});
const FQDN_EXPLAINED_APART: [PolicyDocumentModel[], Change, boolean] = [[everyPodNames('*'), kubeDnsAdmitsProd], {
  kind: 'replace', index: 0, policy: everyPodNames('*.example.com'),
}, true];

/**
 * A found case (random seed 1007799402): the variant `kube-system (labelled env=prod)` stands for its pods as servers
 * only, and it shared its group of FQDN clients (the same egress policies and lookups) with `(namespaces with
 * env=prod)/app=web`; judged first, as no client, it made the group's FQDN changes empty (app=web losing its `toFQDNs`
 * rule went unlisted).
 */
const SERVER_ONLY_FQDN_CLIENT: [PolicyDocumentModel[], Change, boolean] = [[
  {
    kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'c' },
    spec: { endpointSelector: { matchLabels: { [NS_ENV]: 'prod' } }, ingressDeny: [{ entities: ['world'] }] },
  },
  { kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'c' }, spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ fqdns: [{ matchName: 'api.example.com' }] }] } },
  { kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'prod' }, spec: { endpointSelector: {} } },
], {
  kind: 'replace', index: 1, policy: {
    kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'prod' },
    spec: {
      endpointSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] },
      egress: [{ endpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }],
    },
  },
}, false];

/**
 * A found case (random seed 389051898, shrunk): pairs to IPv4 world addresses (the classes of 10.0.0.0/8 and 10.1.0.0/16)
 * judged alike with a pair without an address took its ICMPv6 segments, which no packet to an IPv4 address is (the diff
 * listed `icmpv6` there where judging every pair did not).
 */
const ICMP_FAMILY_ALIKE: [PolicyDocumentModel[], Change, boolean] = [[
  {
    kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'prod' },
    spec: { endpointSelector: { matchLabels: { app: 'db' } }, egress: [{ entities: ['all'], toPorts: [{ ports: [{ port: '8000', protocol: 'TCP', endPort: 8100 }] }] }] },
  },
  {
    kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'prod' },
    spec: { endpointSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] }, egress: [{ entities: ['world'] }] },
  },
  {
    kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'dev' },
    spec: { endpointSelector: { matchLabels: { team: 'pay' } }, egressDeny: [{ cidrSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }] },
  },
], { kind: 'remove', index: 1 }, true];

describe('the diff equals judging every pair with verdict()', () => {
  test('random policy sets and changes', () => {
    fc.assert(fc.property(fc.array(policy, { minLength: 1, maxLength: 5 }), change, fc.boolean(), (policies, c, withInventory) => {
      const docs = named(policies);
      const options = withInventory ? { inventory: inventory() } : {};
      const base = PolicySet.fromDocuments(docs, options);
      const head = PolicySet.fromDocuments(apply(docs, c), options);
      const classes = Connectivity.endpointClasses([base, head]);
      const fast = Connectivity.diff(base, head, { classes });
      const full = Connectivity.diff(base, head, { classes, _judgeEveryPair: true });
      expect(fast).toEqual(full);
    }), { ...propertyParams('DIFF_EQUIVALENCE', EQUIVALENCE_RUNS), examples: [ICMP_FAMILY_ALIKE, NAMED_PORT_DENY, DNS_NARROWED, DNS_SERVER_CLOSED, DNS_PER_CLIENT, FQDN_EXPLAINED_APART, SERVER_ONLY_FQDN_CLIENT] });
  }, 180_000); // many runs of two diffs each: under a loaded 2-core machine the default 60 s was reached (session 56)
});

/**
 * Port rules the engine allows but the proxy restricts (TLS `serverNames` in either order, Envoy `listener`s of two names
 * and priorities, TLS interception with two Secrets), beside plain allows of
 * the same ports: whether a plain allow of another selector lifts the restriction (`unevaluatedRestrictionOf`) changes
 * with the items added and removed, and the diff counts the connections whose restriction was gained or lost
 * (`restriction-changes.ts`, only on the pairs a restricted item selects) in its NOT COMPARED note, which must equal
 * judging every pair on every segment with `verdict()`.
 */
const restrictedPorts: fc.Arbitrary<PortRuleModel[]> = fc.constantFrom<PortRuleModel[]>(
  [{ ...port('443'), serverNames: ['api.example.com'] }],
  [{ ...port('443'), serverNames: ['www.example.com'] }],
  [{ ...port('8000', 'TCP', 8100), serverNames: ['api.example.com'] }],
  [{ ...port('http'), serverNames: ['api.example.com'] }],
  [{ ...port('443'), serverNames: ['api.example.com', 'www.example.com'] }],
  [{ ...port('443'), serverNames: ['www.example.com', 'api.example.com'] }],
  [{ ...port('443'), listener: { envoyConfig: { kind: 'CiliumEnvoyConfig', name: 'cec' }, name: 'l1' } }],
  // Session 49 review: one listener only, no TLS interception: two restrictions compared as one text passed.
  [{ ...port('443'), listener: { envoyConfig: { kind: 'CiliumEnvoyConfig', name: 'cec-2' }, name: 'l2' } }],
  [{ ...port('443'), listener: { envoyConfig: { kind: 'CiliumEnvoyConfig', name: 'cec' }, name: 'l1', priority: 3 } }],
  [{ ...port('443'), terminatingTLS: { secret: { namespace: 'prod', name: 's1' } } }],
  [{ ...port('443'), terminatingTLS: { secret: { namespace: 'prod', name: 's2' } } }],
  [{ ...port('443'), originatingTLS: { secret: { name: 'ca' } }, serverNames: ['api.example.com'] }],
  [port('443')],
  [port('8050')],
);
const restrictedItem: fc.Arbitrary<RuleItemModel> = fc.tuple(peer, restrictedPorts).map(([p, toPorts]) => ({ ...p, toPorts }));
const restrictedRule = (subject: fc.Arbitrary<LabelSelectorModel>): fc.Arbitrary<RuleModel> => fc.record({
  endpointSelector: subject,
  ingress: fc.option(fc.array(fc.oneof({ weight: 2, arbitrary: restrictedItem }, allowItem), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  egress: fc.option(fc.array(fc.oneof({ weight: 2, arbitrary: restrictedItem }, egressItem), { minLength: 1, maxLength: 3 }), { nil: undefined }),
  egressDeny: fc.option(fc.array(denyItem, { minLength: 1, maxLength: 1 }), { nil: undefined, freq: 6 }),
  enableDefaultDeny: fc.option(fc.constantFrom({ ingress: false }, { egress: false }), { nil: undefined, freq: 4 }),
}, { requiredKeys: ['endpointSelector'] }).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as RuleModel);
const restrictedPolicy: fc.Arbitrary<PolicyDocumentModel> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('prod', 'dev'), restrictedRule(podSelector)).map(([namespace, spec]) => ({
    kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace }, spec,
  })) },
  restrictedRule(ccnpSubject).map((spec) => ({ kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'c' }, spec })),
);

/** web's ingress: serverNames for app=api on 443, and a plain allow of 443 from another selector (tier=back) that lifts it. */
const sniBeside = (sibling: boolean): PolicyDocumentModel => ({
  kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'prod' },
  spec: {
    endpointSelector: { matchLabels: { app: 'web' } },
    ingress: [
      { endpoints: [{ matchLabels: { app: 'api' } }], toPorts: [{ ...port('443'), serverNames: ['api.example.com'] }] },
      ...(sibling ? [{ endpoints: [{ matchLabels: { tier: 'back' } }], toPorts: [port('443')] }] : []),
    ],
  },
});
const SIBLING_REMOVED: [PolicyDocumentModel[], Change, boolean] = [[sniBeside(true)], { kind: 'replace', index: 0, policy: sniBeside(false) }, true];
const SIBLING_ADDED: [PolicyDocumentModel[], Change, boolean] = [[sniBeside(false)], { kind: 'replace', index: 0, policy: sniBeside(true) }, true];

/** The runs of the restriction property (`PROPERTY_RUNS_DIFF_RESTRICTIONS`; see propertyParams). */
const RESTRICTION_RUNS = 12;

describe('the restrictions gained and lost equal judging every pair with verdict()', () => {
  test('random policy sets with serverNames and listener items, and changes', () => {
    let noted = 0;
    const policies = fc.array(restrictedPolicy, { minLength: 1, maxLength: 3 });
    fc.assert(fc.property(policies, changeOf(restrictedPolicy), fc.boolean(), (docsIn, c, withInventory) => {
      const docs = named(docsIn);
      const options = withInventory ? { inventory: inventory() } : {};
      const base = PolicySet.fromDocuments(docs, options);
      const head = PolicySet.fromDocuments(apply(docs, c), options);
      const classes = Connectivity.endpointClasses([base, head]);
      const fast = Connectivity.diff(base, head, { classes });
      const full = Connectivity.diff(base, head, { classes, _judgeEveryPair: true });
      expect(fast).toEqual(full);
      if ((fast.notCompared ?? []).some((n) => n.text.includes('allowed on both sides differ'))) noted++;
    }), { ...propertyParams('DIFF_RESTRICTIONS', RESTRICTION_RUNS), examples: [SIBLING_REMOVED, SIBLING_ADDED] });
    // The examples at least: a restriction gained and one lost, on connections allowed on both sides.
    expect(noted).toBeGreaterThanOrEqual(2);
  });

  test('a sibling allow removed: the restriction gained is noted as judging every pair notes it', () => {
    const [docs, c, withInventory] = SIBLING_REMOVED;
    const options = withInventory ? { inventory: inventory() } : {};
    const base = PolicySet.fromDocuments(named(docs), options);
    const head = PolicySet.fromDocuments(apply(named(docs), c), options);
    const doc = Connectivity.diff(base, head);
    expect(doc).toEqual(Connectivity.diff(base, head, { _judgeEveryPair: true }));
    const note = doc.notCompared?.find((n) => n.text.includes('allowed on both sides differ'))?.text ?? '';
    expect(note).toMatch(/\(gained on \d+; prod\/.* 443\/TCP: restricted in head, not in base/);
  });
});

describe('pairs judged alike', () => {
  // Workloads in four namespaces without policies of their own, then a cluster-wide ingress default deny admitting
  // kube-system and the host (what `ClusterDefaultDeny` writes): the pairs whose ends the diff groups alike are judged
  // once, and every change must still name its own classes, in its reason too.
  const NAMESPACES = ['a', 'b', 'c', 'd'];
  const platform = (): EndpointInventory => {
    const inv = new EndpointInventory();
    for (const ns of NAMESPACES) {
      inv.addNamespace(ns, { team: ns });
      inv.addWorkload({ kind: 'Deployment', name: 'web', namespace: ns, podLabels: { app: 'web' }, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] });
      inv.addWorkload({ kind: 'Deployment', name: 'api', namespace: ns, podLabels: { app: 'api' }, ports: [] });
    }
    inv.addWorkload({ kind: 'Deployment', name: 'agent', namespace: 'kube-system', podLabels: { app: 'agent' }, ports: [] });
    return inv;
  };
  const clusterDefaultDeny: PolicyDocumentModel = {
    kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'default-deny' },
    spec: {
      endpointSelector: { matchExpressions: [{ key: NS, operator: 'Exists' }] },
      ingress: [{ entities: ['host'] }, { endpoints: [{ matchLabels: { [NS]: 'kube-system' } }] }],
    },
  };
  const webIngress: PolicyDocumentModel = {
    kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'web', namespace: 'a' },
    spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ endpoints: [{ matchLabels: { app: 'api' } }], toPorts: [port('8080')] }] },
  };

  test('each change of a cluster default deny names its own classes, as judging every pair does', () => {
    const base = PolicySet.fromDocuments([webIngress], { inventory: platform() });
    const head = PolicySet.fromDocuments([webIngress, clusterDefaultDeny], { inventory: platform() });
    const doc = Connectivity.diff(base, head);
    expect(doc).toEqual(Connectivity.diff(base, head, { _judgeEveryPair: true }));
    const name = (id: string): string => doc.endpoints.find((e) => e.id === id)?.name ?? id;
    const denied = doc.changes.filter((c) => c.after === 'denied');
    // Every pod of b, c and d loses its callers in the other namespaces (a's web had its own ingress rules already).
    for (const ns of ['b', 'c', 'd']) {
      const into = denied.filter((c) => name(c.to) === `${ns}/web`);
      expect(new Set(into.map((c) => c.from)).size).toBeGreaterThanOrEqual(7);
      for (const c of into) expect(c.reason.after.text).toContain(`default deny at ingress of ${name(c.to)}`);
    }
    expect(denied.some((c) => name(c.from).includes('kube-system/'))).toBe(false);
  });
});

describe('the shortcuts of the FQDN pairs', () => {
  test('an FQDN class decided like another but explained apart gets its own reason (the selector that matches it)', () => {
    const [docs, c] = FQDN_EXPLAINED_APART;
    const base = PolicySet.fromDocuments(named(docs), { inventory: inventory() });
    const head = PolicySet.fromDocuments(apply(named(docs), c), { inventory: inventory() });
    const doc = Connectivity.diff(base, head);
    expect(doc).toEqual(Connectivity.diff(base, head, { _judgeEveryPair: true }));
    const denied = doc.changes.filter((x) => x.from === 'prod/web' && x.to.startsWith('fqdn:')).map((x) => [x.to, x.reason.after.text.replace(/^.*; toFQDNs (.*?) matches.*$/, '$1')]);
    expect(denied).toEqual([['fqdn:api.*.com', 'matchPattern: api.*.com'], ['fqdn:db.other.org', 'matchName: db.other.org']]);
    // The dev pods share the egress rules but kube-dns does not admit them: no change.
    expect(doc.changes.filter((x) => x.from.startsWith('dev/'))).toEqual([]);
  });
});

/** A pod of the random inventories: several labels, so that unrelated selectors select it at once. */
interface Pod {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

const NAMESPACE_LABELS: Readonly<Record<string, Record<string, string>>> = { prod: { env: 'prod' }, dev: { env: 'dev' }, 'kube-system': {}, qa: {} };

const pod: fc.Arbitrary<Pod> = fc.record({
  namespace: fc.constantFrom('prod', 'dev', 'qa'),
  app: fc.constantFrom(undefined, 'web', 'api', 'db'),
  tier: fc.constantFrom(undefined, 'front', 'back', 'edge'),
  team: fc.constantFrom(undefined, 'pay', 'ops'),
}).map(({ namespace, ...labels }) => ({
  namespace, labels: Object.fromEntries(Object.entries(labels).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, v]]))),
}));

/** The probes: a port of every kind the generated rules name, and one none names. */
const PROBES: readonly { protocol: string; port: number }[] = [
  { protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 8050 },
  { protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }, { protocol: 'UDP', port: 9999 }, { protocol: 'TCP', port: 7 },
];

/** Whether a change's ports (`any`, `80/TCP`, `8000-8100/TCP`, `53/ANY`) hold a probe. */
function covers(ports: readonly string[], probe: { protocol: string; port: number }): boolean {
  return ports.some((p) => {
    if (p === 'any') return true;
    const m = /^(\d+)(?:-(\d+))?\/(TCP|UDP|SCTP|ANY)$/.exec(p);
    if (!m) return false;
    const [lo, hi] = [Number(m[1]), Number(m[2] ?? m[1])];
    return (m[3] === 'ANY' || m[3] === probe.protocol) && lo <= probe.port && probe.port <= hi;
  });
}

const endpointOf = (p: Pod): Endpoint => Endpoints.pod(p.namespace, p.labels, { namespaceLabels: NAMESPACE_LABELS[p.namespace] });

/**
 * The connections between the pods whose verdict differs between base and head that the diff does not stand for: a
 * change it lists with the same before and after, on ports holding the probe, between classes whose endpoints are judged
 * as the two pods are (the client class toward the server pod, the client pod toward the server class) on both sides.
 */
function missed(base: PolicySet, head: PolicySet, doc: ConnectivityDiffDocument, endpoints: ReadonlyMap<string, Endpoint>,
  pods: readonly Pod[]): string[] {
  // The engine's verdict, as the diff reads it (`_verdict`: the public one refuses a pod of unknown service account, session 54).
  const judge = (set: PolicySet, from: Endpoint, to: Endpoint, probe: { protocol: string; port: number }): string =>
    set._verdict({ from, to, ...probe }).verdict;
  const out: string[] = [];
  for (const p of pods) {
    for (const q of pods) {
      const [from, to] = [endpointOf(p), endpointOf(q)];
      for (const probe of PROBES) {
        const before = judge(base, from, to, probe);
        const after = judge(head, from, to, probe);
        if (before === after) continue;
        const found = doc.changes.some((c) => c.before === before && c.after === after && covers(c.ports, probe)
          && [base, head].every((set, i) => {
            const want = i === 0 ? before : after;
            return judge(set, endpoints.get(c.from) ?? from, to, probe) === want && judge(set, from, endpoints.get(c.to) ?? to, probe) === want;
          }));
        if (!found) out.push(`${JSON.stringify(p)} → ${JSON.stringify(q)} ${probe.port}/${probe.protocol}: ${before} → ${after}`);
      }
    }
  }
  return out;
}

/** The README's case: prod/api admits tier=front and denies app=web; the deny dropped. A pod of both is newly allowed. */
const DENY_DROPPED: [PolicyDocumentModel[], Change, Pod[], boolean] = [[{
  kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'prod' },
  spec: {
    endpointSelector: { matchLabels: { app: 'api' } },
    ingress: [{ endpoints: [{ matchLabels: { tier: 'front' } }] }],
    ingressDeny: [{ endpoints: [{ matchLabels: { app: 'web' } }] }],
  },
}], { kind: 'drop-section', index: 0, section: 'ingressDeny' }, [
  { namespace: 'prod', labels: { app: 'web', tier: 'front' } }, { namespace: 'prod', labels: { app: 'api' } },
], false];

/** Before 1.19: prod/api admits app=web from pods that also have tier=front; the requirement edited to tier=back. */
const requiresOn = (tier: string): PolicyDocumentModel => ({
  kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'prod' },
  spec: { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ endpoints: [{ matchLabels: { app: 'web' } }], requires: [{ matchLabels: { tier } }] }] },
});
const REQUIRES_EDITED: [PolicyDocumentModel[], Change, Pod[], boolean, boolean, boolean] = [[requiresOn('front')],
  { kind: 'replace', index: 0, policy: requiresOn('back') },
  [{ namespace: 'prod', labels: { app: 'web', tier: 'front' } }, { namespace: 'prod', labels: { app: 'web', tier: 'back' } }, { namespace: 'prod', labels: { app: 'api' } }],
  false, true, true];

/**
 * A selector on a label Cilium keeps out of identities (from 1.15, its default identity-relevant labels): prod/api admits
 * app=web pods without a StatefulSet pod name, which every app=web pod is on identities; the section dropped.
 */
const IDENTITY_FILTERED: [PolicyDocumentModel[], Change, Pod[], boolean, boolean, boolean] = [[{
  kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace: 'prod' },
  spec: {
    endpointSelector: { matchLabels: { app: 'api' } },
    ingress: [{ endpoints: [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'statefulset.kubernetes.io/pod-name', operator: 'DoesNotExist' }] }] }],
  },
}], { kind: 'drop-section', index: 0, section: 'ingress' }, [
  { namespace: 'prod', labels: { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-0' } }, { namespace: 'prod', labels: { app: 'db' } },
  { namespace: 'prod', labels: { app: 'api' } },
], false, true, false];

/** Selectors on unrelated keys (and one of two keys), so that pods of several labels co-select. */
const coSelector: fc.Arbitrary<LabelSelectorModel> = fc.oneof(
  fc.constantFrom('web', 'api').map((app): LabelSelectorModel => ({ matchLabels: { app } })),
  fc.constantFrom('front', 'back').map((tier): LabelSelectorModel => ({ matchLabels: { tier } })),
  fc.constant<LabelSelectorModel>({ matchLabels: { team: 'pay' } }),
  fc.constant<LabelSelectorModel>({
    matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }, { key: 'team', operator: 'Exists', values: [] }],
  }),
  fc.constant<LabelSelectorModel>({ matchLabels: { [NS_ENV]: 'dev' } }),
);

/** An item of those selectors; sometimes with a `fromRequires`/`toRequires` of them (kept only when the set is for 1.18). */
const coItem: fc.Arbitrary<RuleItemModel> = fc.tuple(coSelector, fc.constantFrom<PortRuleModel[] | undefined>(undefined, [port('80')], [port('443'), port('8080')]),
  fc.option(coSelector, { nil: undefined, freq: 4 }))
  .map(([sel, t, requires]) => ({ endpoints: [sel], ...(t ? { toPorts: t } : {}), ...(requires ? { requires: [requires] } : {}) }));

/** The documents without `fromRequires`/`toRequires` (for Cilium 1.19, which has none). */
function withoutRequires(docs: readonly PolicyDocumentModel[]): PolicyDocumentModel[] {
  const strip = (items: readonly RuleItemModel[] | undefined): RuleItemModel[] | undefined =>
    items?.map((item) => Object.fromEntries(Object.entries(item).filter(([k]) => k !== 'requires')) as RuleItemModel);
  return docs.map((d) => {
    if (d.spec === undefined) return d;
    const spec = { ...d.spec };
    for (const section of ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const) if (spec[section]) spec[section] = strip(spec[section]);
    return { ...d, spec };
  });
}

/** CNPs whose subjects and peers are those selectors: allows and denies of pods that several of them select. */
const coPolicy: fc.Arbitrary<PolicyDocumentModel> = fc.tuple(fc.constantFrom('prod', 'dev'), fc.record({
  endpointSelector: coSelector,
  ingress: fc.option(fc.array(coItem, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  ingressDeny: fc.option(fc.array(coItem, { minLength: 1, maxLength: 1 }), { nil: undefined }),
  egress: fc.option(fc.array(coItem, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  egressDeny: fc.option(fc.array(coItem, { minLength: 1, maxLength: 1 }), { nil: undefined }),
}, { requiredKeys: ['endpointSelector'] })).map(([namespace, spec]) => ({
  kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'p', namespace },
  spec: Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined)) as RuleModel,
}));

describe('the diff misses no change of the pods that several selectors select at once', () => {
  test('random multi-label pods: every pair whose verdict changes is a listed change', () => {
    const policies = fc.oneof({ weight: 3, arbitrary: coPolicy }, policy);
    const pods = fc.array(pod, { minLength: 1, maxLength: 6 });
    fc.assert(fc.property(fc.array(policies, { minLength: 1, maxLength: 5 }), changeOf(policies), pods, fc.boolean(), fc.boolean(), fc.boolean(),
      (docsIn, c, podList, withWorkloads, devKnown, pre119) => {
        const inv = new EndpointInventory();
        // dev (labelled env=dev) without its Namespace: known only by name, its labels unknown to the classes.
        for (const [name, labels] of Object.entries(NAMESPACE_LABELS)) if (name !== 'qa' && (devKnown || name !== 'dev')) inv.addNamespace(name, labels);
        // With the pods as workloads, or with the Namespaces alone (the classes derived from the selectors).
        if (withWorkloads) podList.forEach((p, i) => inv.addWorkload({ kind: 'Deployment', name: `w${i}`, namespace: p.namespace, podLabels: p.labels, ports: [] }));
        // Before 1.19, the items' fromRequires/toRequires apply (ANDed onto the endpoint peers of the subject's rules).
        const docs = named(docsIn);
        const version = pre119 ? { ciliumVersion: CiliumVersion.V1_18 } : {};
        const of = (list: PolicyDocumentModel[]): PolicyDocumentModel[] => (pre119 ? list : withoutRequires(list));
        const base = PolicySet.fromDocuments(of(docs), { inventory: inv, ...version });
        const head = PolicySet.fromDocuments(of(apply(docs, c)), { inventory: inv, ...version });
        const classes = Connectivity.endpointClasses([base, head]);
        const doc = Connectivity.diff(base, head, { classes });
        // What the diff says it could not compare (named ports without workloads that declare them) is not a miss.
        if ((doc.notCompared ?? []).length > 0) return;
        const endpoints = new Map(classes.map((k) => [k.cls.id, k.endpoint]));
        expect(missed(base, head, doc, endpoints, podList)).toEqual([]);
      }), { ...propertyParams('DIFF_NO_MISS', NO_MISS_RUNS), examples: [[...DENY_DROPPED, true, false], REQUIRES_EDITED, IDENTITY_FILTERED, [IDENTITY_FILTERED[0], IDENTITY_FILTERED[1], IDENTITY_FILTERED[2], true, true, true]] });
  });
});

describe('a change of the patch release alone', () => {
  // Egress DNS rules without default deny: on 1.16.0-1.16.9 and 1.17.0-1.17.4 they refuse the names they do not list, from
  // 1.16.10 and 1.17.5 they give visibility only. Both sides hold the same rules, so only the settings tell the change.
  const docs = [
    cnp('p', { endpointSelector: labels({ app: 'web' }), enableDefaultDeny: { egress: false },
      egress: [{ toEndpoints: [{ matchLabels: { [NS]: 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
        toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'a.example.com' }] } }] }] }),
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: { containers: [{ name: 'c', image: 'x' }] } },
  ];
  test.each([['1.17.4', '1.17.5'], ['1.16.9', '1.16.10']])('%s to %s: the DNS change, as judging every pair gives it', (a, b) => {
    const base = policySet(docs, { ciliumVersion: CiliumVersion.parse(a) });
    const head = policySet(docs, { ciliumVersion: CiliumVersion.parse(b) });
    const doc = Connectivity.diff(base, head);
    expect(doc).toEqual(Connectivity.diff(base, head, { _judgeEveryPair: true }));
    expect(doc.changes.length).toBeGreaterThan(0);
    expect(JSON.stringify(doc.changes)).toContain('a.example.com');
  });
});
