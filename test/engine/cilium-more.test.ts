// More verdicts transcribed from Cilium's own policy unit tests (pkg/policy: distillery_test.go, l4_filter_test.go,
// repository_test.go, rule_test.go), as data: each check names the Go test function and case it reads. The Go tests build
// raw api.Rule values, so the policies here are raw `api.Rule` lists (no namespace is added to selectors), and their
// expected MapState / L4Filter is read as the verdict on a query that exercises it (deny entries win; a proxy redirect
// is read through the L7 rules of the peer's selector, plus the L3-only allow of the same peer, which the proxy's
// wildcard-port rules honour). Apache-2.0 material from cilium/cilium, read at the commits named in SOURCES.
import { describe, expect, test } from 'vitest';
import { formatVerdict } from '../../src/engine/explain';
import { IpFamilies } from '../../src/engine';
import { caseQuery, outcome, VerdictCase } from './support/verdict-cases';
import { thrown } from '../support/errors';

type Rule = Record<string, unknown>;
type Outcome = 'allowed' | 'denied' | 'l7-denied';
/** A conformance case's fields (`source` is `<file>#<Test function> <case>`), with raw rules and a three-way outcome. */
interface Check extends Pick<VerdictCase, 'id' | 'source' | 'from' | 'to' | 'port' | 'http' | 'dns' | 'kafka' | 'note'> {
  readonly rules: readonly Rule[];
  readonly expect: Outcome;
  readonly scope: 'ingress' | 'egress';
}

/** The commits read (cilium/cilium). */
const SOURCES = {
  'distillery_test.go': '0051756b06e7e53197ce7c097e1d68e9caba694b',
  'l4_filter_test.go': '00ad989ea72a6ddc777e19595e1f093298ffa4da',
  'repository_test.go': 'index id 3914794611 (PolicyEntry era)',
  'rule_test.go': 'index id 3862025758 (hivetest era)',
  'repository_deny_test.go': 'index id 10256761060 (PolicyEntry era)',
};

// ------------------------------------------------------------------------------------------------------------------
// Rule sections, as the Go tests compose them

const sel = (labels: Record<string, string>): Rule => ({ matchLabels: labels });
const ALL: Rule = {};
const tcp = (port: string): Rule => ({ ports: [{ port, protocol: 'TCP' }] });
const withHttp = (pr: Rule, ...http: Rule[]): Rule => ({ ...pr, rules: { http } });
const GET_ROOT: Rule = { method: 'GET', path: '/' };

// distillery_test.go: subject `foo` (labels foo, blue); `bar` stands for any other identity.
const FOO = sel({ foo: '' });
const distilled = (...sections: Rule[]): Rule[] => sections.map((s) => ({ endpointSelector: FOO, ...s }));
const NO_ALLOW: Rule = { ingress: [{}] };
const NO_DENY: Rule = { ingress: [{}] };
const L3_ALLOW: Rule = { ingress: [{ fromEndpoints: [FOO] }] };
const L4_ALLOW: Rule = { ingress: [{ toPorts: [tcp('80')] }] };
const L3L4_ALLOW: Rule = { ingress: [{ fromEndpoints: [FOO], toPorts: [tcp('80')] }] };
const L4L7_ALLOW: Rule = { ingress: [{ toPorts: [withHttp(tcp('80'), GET_ROOT)] }] };
const L3L4L7_ALLOW: Rule = { ingress: [{ fromEndpoints: [FOO], toPorts: [withHttp(tcp('80'), GET_ROOT)] }] };
const L3_DENY: Rule = { ingressDeny: [{ fromEndpoints: [FOO] }] };
const L4_DENY: Rule = { ingressDeny: [{ toPorts: [tcp('80')] }] };
const L3L4_DENY: Rule = { ingressDeny: [{ fromEndpoints: [FOO], toPorts: [tcp('80')] }] };
const NP_L4_ALLOW: Rule = { ingress: [{ toPorts: [tcp('port-80')] }] };
const NP_L4L7_ALLOW: Rule = { ingress: [{ toPorts: [withHttp(tcp('port-80'), GET_ROOT)] }] };
const NP_L3L4L7_ALLOW: Rule = { ingress: [{ fromEndpoints: [FOO], toPorts: [withHttp(tcp('port-80'), GET_ROOT)] }] };
const ALLOW_ALL: Rule = { ingress: [{ fromEndpoints: [ALL] }] };
const L3_ALLOW_BAR: Rule = { ingress: [{ fromEndpoints: [sel({ bar: '' })] }] };

/** Test_MergeRules' generateRule: bit i of the permutation number adds rule i, else a filler (`ingress: [{}]`). */
function mergeRules(permutation: number): Rule[] {
  const byBit = [L3_ALLOW, L4_ALLOW, L3L4_ALLOW, L4L7_ALLOW, L3L4L7_ALLOW, L3_DENY, L4_DENY, L3L4_DENY];
  return distilled(...byBit.map((r, i) => ((permutation >> i) & 1 ? r : i >= 5 ? NO_DENY : NO_ALLOW)).reverse());
}
/** Test_MergeRulesWithNamedPorts: the same table with the named port `port-80` (80 on the subject). */
function mergeRulesNamed(permutation: number): Rule[] {
  const byBit = [L3_ALLOW, NP_L4_ALLOW, L3L4_ALLOW, NP_L4L7_ALLOW, NP_L3L4L7_ALLOW];
  return distilled(...byBit.map((r, i) => ((permutation >> i) & 1 ? r : NO_ALLOW)));
}
const FOO_EP = 'pod:default:foo=,blue=';
const FOO_NP = 'pod:default:foo=,blue=,ports=port-80:80/TCP';
const BAR_EP = 'pod:default:bar=,blue=';
const BAZ_EP = 'pod:default:baz=,blue=';

// Test_EnsureDeniesPrecedeAllows: rules select every endpoint; subject foo; IPv4 only.
const everyone = (r: Rule): Rule => ({ endpointSelector: ALL, ...r });
const ALLOW_WORLD_IP = everyone({ ingress: [{ fromCIDR: ['192.0.2.3/32'] }], egress: [{ toCIDR: ['192.0.2.3/32'] }] });
const DENY_WORLD = everyone({ ingressDeny: [{ fromEntities: ['world'] }], egressDeny: [{ toEntities: ['world'] }] });
const DENY_SUBNET = everyone({ ingressDeny: [{ fromCIDRSet: [{ cidr: '192.0.2.0/24' }] }], egressDeny: [{ toCIDRSet: [{ cidr: '192.0.2.0/24' }] }] });
const ANY8080 = { ports: [{ port: '8080', protocol: 'ANY' }] };
const DENY_WORLD_8080 = everyone({
  ingressDeny: [{ fromEntities: ['world'], toPorts: [ANY8080] }], egressDeny: [{ toEntities: ['world'], toPorts: [ANY8080] }],
});
const ALLOW_SUBNET_8080 = everyone({
  ingress: [{ fromCIDR: ['192.0.2.0/24'], toPorts: [ANY8080] }], egress: [{ toCIDR: ['192.0.2.0/24'], toPorts: [ANY8080] }],
});
const DENY_WORLD_IP = everyone({ ingressDeny: [{ fromCIDR: ['192.0.2.3/32'] }], egressDeny: [{ toCIDR: ['192.0.2.3/32'] }] });
const ALLOW_SUBNET_RANGES = everyone({
  ingress: [{
    fromCIDR: ['192.0.2.0/24'],
    toPorts: [{ ports: [{ port: '64', endPort: 127, protocol: 'TCP' }, { port: '5', endPort: 10, protocol: 'TCP' }] }],
  }],
});

// l4_filter_test.go / repository_test.go / rule_test.go: subject endpointSelectorA (id=a); peers id=b, id=c, id=bar1, id=bar2.
const A = sel({ id: 'a' });
const B = sel({ id: 'b' });
const C = sel({ id: 'c' });
const BAR1 = sel({ id: 'bar1' });
const BAR2 = sel({ id: 'bar2' });
const ofA = (...r: Rule[]): Rule[] => r.map((x) => ({ endpointSelector: A, ...x }));
const ing = (...items: Rule[]): Rule => ({ ingress: items });
const from = (peers: Rule[], ...toPorts: Rule[]): Rule => ({ fromEndpoints: peers, ...(toPorts.length ? { toPorts } : {}) });
const kafkaPort = (port: string, ...kafka: Rule[]): Rule => ({ ...tcp(port), rules: { kafka } });
const pod = (id: string): string => `pod:default:id=${id}`;

const CASE7A = ofA(ing(from([A], withHttp(tcp('80'), GET_ROOT)), from([ALL], tcp('80'))));
const CASE7B = ofA(ing(from([ALL], tcp('80')), from([A], withHttp(tcp('80'), GET_ROOT))));
const CASE8A = ofA(ing(from([A], withHttp(tcp('80'), GET_ROOT)), from([ALL], withHttp(tcp('80'), GET_ROOT))));
const WILDCARD_L3_INGRESS = ofA(
  ing(from([BAR1])),
  ing(from([BAR2], kafkaPort('9092', { apiKey: 'produce' }))),
  ing(from([BAR2], withHttp(tcp('80'), GET_ROOT))),
  ing({ fromEndpoints: [BAR2], icmps: [{ fields: [{ type: 8 }] }] }),
  ing({ fromEndpoints: [BAR2], icmps: [{ fields: [{ type: 128, family: 'IPv6' }] }] }),
);
const WILDCARD_L4_INGRESS = ofA(
  ing(from([BAR1], tcp('9092'))),
  ing(from([BAR2], kafkaPort('9092', { apiKey: 'produce' }))),
  ing(from([BAR1], tcp('80'))),
  ing(from([BAR2], withHttp(tcp('80'), GET_ROOT))),
);
const dnsPort = (name: string): Rule => ({ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchName: name }] } });
const WILDCARD_L3_EGRESS = ofA(
  { egress: [{ toEndpoints: [BAR1] }] },
  { egress: [{ toEndpoints: [BAR2], toPorts: [dnsPort('empire.gov')] }] },
  { egress: [{ toEndpoints: [BAR2], toPorts: [withHttp(tcp('80'), GET_ROOT)] }] },
  { egress: [{ toEndpoints: [BAR2], icmps: [{ fields: [{ type: 8 }] }] }] },
);
const WILDCARD_L4_EGRESS = ofA(
  { egress: [{ toEndpoints: [BAR1], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] },
  { egress: [{ toEndpoints: [BAR2], toPorts: [dnsPort('empire.gov')] }] },
  { egress: [{ toEndpoints: [BAR1], toPorts: [tcp('80')] }] },
  { egress: [{ toEndpoints: [BAR2], toPorts: [withHttp(tcp('80'), GET_ROOT)] }] },
);
const WILDCARD_CIDR_EGRESS = ofA(
  { egress: [{ toCIDR: ['192.0.0.0/3'], toPorts: [withHttp(tcp('80'), { headers: ['X-My-Header: true'], method: 'GET', path: '/' })] }] },
  { egress: [{ toCIDR: ['192.0.0.0/3'] }] },
);
const MINIKUBE = [
  ...ofA(ing(from([B], tcp('80')))),
  { endpointSelector: sel({ id: 'app1' }), ingress: [from([B], withHttp(tcp('80'), GET_ROOT))] },
  ...ofA(ing(from([B], withHttp(tcp('80'), GET_ROOT)))),
];
const FROM_WORLD_L3 = ofA(
  ing({ fromEntities: ['world'] }),
  ing(from([BAR2], kafkaPort('9092', { apiKey: 'produce' }))),
  ing(from([BAR2], withHttp(tcp('80'), GET_ROOT))),
);
const TO_WORLD_L3 = ofA(
  { egress: [{ toEntities: ['world'] }] },
  { egress: [{ toEndpoints: [BAR2], toPorts: [dnsPort('empire.gov')] }] },
  { egress: [{ toEndpoints: [BAR2], toPorts: [withHttp(tcp('80'), GET_ROOT)] }] },
);
// TestDefaultAllow: allow foo from/to foo, with and without enableDefaultDeny.
const fooRule = (dir: 'ingress' | 'egress', defaultDeny: boolean): Rule => ({
  endpointSelector: FOO, enableDefaultDeny: { [dir]: defaultDeny }, [dir]: [dir === 'ingress' ? { fromEndpoints: [FOO] } : { toEndpoints: [FOO] }],
});
const FOO_DENY_IN: Rule = { endpointSelector: FOO, ingressDeny: [{ fromEndpoints: [FOO] }] };
const FOO_DENY_EG: Rule = { endpointSelector: FOO, egressDeny: [{ toEndpoints: [FOO] }] };
const ICMP_RULE1 = ofA({ ingress: [{ icmps: [{ fields: [{ type: 8 }] }] }], egress: [{ icmps: [{ fields: [{ type: 9 }] }] }] });
const ICMP_RULE2 = ofA({ ingress: [{ toPorts: [tcp('80')] }, { icmps: [{ fields: [{ type: 8 }] }] }] });
const ICMP_RULE3 = ofA({ ingress: [{ icmps: [{ fields: [{ family: 'IPv6', type: 128 }] }] }] });
const L4POLICY_RULE1 = ofA({
  ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }, { port: '8080', protocol: 'TCP' }], rules: { http: [GET_ROOT] } }] }],
  egress: [{ toPorts: [{ ports: [{ port: '3000', protocol: 'ANY' }] }] }],
});
const L4POLICY_RULE2 = ofA(ing({ toPorts: [tcp('80')] }, { toPorts: [withHttp(tcp('80'), GET_ROOT)] }));
const L7_INGRESS_RULE1 = ofA(ing({ toPorts: [tcp('80')] }, { toPorts: [withHttp(tcp('80'), GET_ROOT)] }, from([B], withHttp(tcp('80'), GET_ROOT))));
const L7_INGRESS_RULE3 = ofA(ing(from([B], kafkaPort('80', { topic: 'foo' })), from([ALL], kafkaPort('80', { topic: 'bar' }))));
const L7_EGRESS_RULE1 = ofA({
  egress: [
    { toPorts: [tcp('80')] }, { toPorts: [withHttp(tcp('80'), { method: 'GET', path: '/public' })] },
    { toEndpoints: [B], toPorts: [withHttp(tcp('80'), { method: 'GET', path: '/private' })] },
  ],
});
const MERGE_L4_INGRESS = ofA(ing(from([sel({ foo: '' })], tcp('80')), from([sel({ baz: '' })], tcp('80'))));
const DEFAULT_ALLOW_IN = { enableDefaultDeny: { ingress: false } };
const DEFAULT_ALLOW_EG = { enableDefaultDeny: { egress: false } };

const D = 'distillery_test.go#';
const RDENY = 'repository_deny_test.go#';
const L4F = 'l4_filter_test.go#';
const REPO = 'repository_test.go#';
const RULE = 'rule_test.go#';

const CHECKS: Check[] = [
  // ---------------------------------------------------------------- distillery_test.go Test_MergeL3 (no-auth queries)
  { id: 'mergel3-1-bar', source: `${D}Test_MergeL3 1`, rules: distilled(L3_ALLOW, L3L4_ALLOW), from: BAR_EP, to: FOO_EP, port: '80/TCP', expect: 'denied', scope: 'ingress' },
  { id: 'mergel3-8-bar', source: `${D}Test_MergeL3 8`, rules: distilled(ALLOW_ALL, L3_ALLOW_BAR, L4_ALLOW), from: BAR_EP, to: FOO_EP, port: '8080/TCP', expect: 'allowed', scope: 'ingress' },
  { id: 'mergel3-8-baz', source: `${D}Test_MergeL3 8`, rules: distilled(ALLOW_ALL, L3_ALLOW_BAR, L4_ALLOW), from: BAZ_EP, to: FOO_EP, port: '80/TCP', expect: 'allowed', scope: 'ingress' },
  { id: 'mergel3-0-foo', source: `${D}Test_MergeL3 0`, rules: distilled(L3_ALLOW, L3_ALLOW_BAR), from: FOO_EP, to: FOO_EP, port: '9/UDP', expect: 'allowed', scope: 'ingress' },

  // ---------------------------------------------------------------- distillery_test.go Test_MergeRules
  { id: 'mr-1-foo', source: `${D}Test_MergeRules permutation_1`, rules: mergeRules(1), from: FOO_EP, to: FOO_EP, port: '8080/TCP', expect: 'allowed', scope: 'ingress' },
  { id: 'mr-1-bar', source: `${D}Test_MergeRules permutation_1`, rules: mergeRules(1), from: BAR_EP, to: FOO_EP, port: '80/TCP', expect: 'denied', scope: 'ingress' },
  { id: 'mr-2-bar80', source: `${D}Test_MergeRules permutation_2`, rules: mergeRules(2), from: BAR_EP, to: FOO_EP, port: '80/TCP', expect: 'allowed', scope: 'ingress' },
  { id: 'mr-2-bar8080', source: `${D}Test_MergeRules permutation_2`, rules: mergeRules(2), from: BAR_EP, to: FOO_EP, port: '8080/TCP', expect: 'denied', scope: 'ingress' },
  {
    id: 'mr-8-get', source: `${D}Test_MergeRules permutation_8`, rules: mergeRules(8), from: BAR_EP, to: FOO_EP, port: '80/TCP', http: 'GET /',
    expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'mr-8-post', source: `${D}Test_MergeRules permutation_8`, rules: mergeRules(8), from: BAR_EP, to: FOO_EP, port: '80/TCP', http: 'POST /x',
    expect: 'l7-denied', scope: 'ingress', note: '*/80 redirects to the proxy with GET / only',
  },
  { id: 'mr-8-foo8080', source: `${D}Test_MergeRules permutation_8`, rules: mergeRules(8), from: FOO_EP, to: FOO_EP, port: '8080/TCP', expect: 'denied', scope: 'ingress' },
  {
    id: 'mr-9-foo-post', source: `${D}Test_MergeRules permutation_9`, rules: mergeRules(9), from: FOO_EP, to: FOO_EP, port: '80/TCP', http: 'POST /x',
    expect: 'allowed', scope: 'ingress',
    note: 'Map: */80 proxy (GET /) + foo/ANY allow. foo:80 is redirected, and the L3-only allow of foo (the proxy\'s wildcard-port rule) lets '
      + 'any request through (repository_test.go TestWildcardCIDRRulesEgress: "the 0 port policy will allow the traffic")',
  },
  {
    id: 'mr-9-bar-post', source: `${D}Test_MergeRules permutation_9`, rules: mergeRules(9), from: BAR_EP, to: FOO_EP, port: '80/TCP', http: 'POST /x',
    expect: 'l7-denied', scope: 'ingress',
  },
  { id: 'mr-9-foo8080', source: `${D}Test_MergeRules permutation_9`, rules: mergeRules(9), from: FOO_EP, to: FOO_EP, port: '8080/TCP', expect: 'allowed', scope: 'ingress' },
  {
    id: 'mr-10-bar-post', source: `${D}Test_MergeRules permutation_10`, rules: mergeRules(10), from: BAR_EP, to: FOO_EP, port: '80/TCP', http: 'POST /x',
    expect: 'allowed', scope: 'ingress', note: 'L4L7 and L4 on the same wildcard selector: the L4 rule adds an allow-all HTTP rule',
  },
  { id: 'mr-16-bar', source: `${D}Test_MergeRules permutation_16`, rules: mergeRules(16), from: BAR_EP, to: FOO_EP, port: '80/TCP', expect: 'denied', scope: 'ingress' },
  {
    id: 'mr-17-foo-post', source: `${D}Test_MergeRules permutation_17`, rules: mergeRules(17), from: FOO_EP, to: FOO_EP, port: '80/TCP', http: 'POST /x',
    expect: 'allowed', scope: 'ingress', note: 'Map: foo/80 proxy (GET /) + foo/ANY allow: the L3-only allow of foo shadows the L7 rule',
  },
  {
    id: 'mr-20-foo-post', source: `${D}Test_MergeRules permutation_20`, rules: mergeRules(20), from: FOO_EP, to: FOO_EP, port: '80/TCP', http: 'POST /x',
    expect: 'allowed', scope: 'ingress', note: 'L3L4L7 and L3L4 on the same selector foo: the L3L4 rule adds an allow-all HTTP rule',
  },
  {
    id: 'mr-24-foo-post', source: `${D}Test_MergeRules permutation_24`, rules: mergeRules(24), from: FOO_EP, to: FOO_EP, port: '80/TCP', http: 'POST /x',
    expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'mr-24-bar-get', source: `${D}Test_MergeRules permutation_24`, rules: mergeRules(24), from: BAR_EP, to: FOO_EP, port: '80/TCP', http: 'GET /',
    expect: 'allowed', scope: 'ingress',
  },
  { id: 'mr-33-foo', source: `${D}Test_MergeRules permutation_33`, rules: mergeRules(33), from: FOO_EP, to: FOO_EP, port: '8080/TCP', expect: 'denied', scope: 'ingress' },
  { id: 'mr-66-bar', source: `${D}Test_MergeRules permutation_66`, rules: mergeRules(66), from: BAR_EP, to: FOO_EP, port: '80/TCP', expect: 'denied', scope: 'ingress' },
  { id: 'mr-67-foo80', source: `${D}Test_MergeRules permutation_67`, rules: mergeRules(67), from: FOO_EP, to: FOO_EP, port: '80/TCP', expect: 'denied', scope: 'ingress' },
  { id: 'mr-67-foo8080', source: `${D}Test_MergeRules permutation_67`, rules: mergeRules(67), from: FOO_EP, to: FOO_EP, port: '8080/TCP', expect: 'allowed', scope: 'ingress' },
  {
    id: 'mr-72-bar-get', source: `${D}Test_MergeRules permutation_72`, rules: mergeRules(72), from: BAR_EP, to: FOO_EP, port: '80/TCP', http: 'GET /',
    expect: 'denied', scope: 'ingress',
  },
  { id: 'mr-97-foo', source: `${D}Test_MergeRules permutation_97`, rules: mergeRules(97), from: FOO_EP, to: FOO_EP, port: '8080/TCP', expect: 'denied', scope: 'ingress' },
  { id: 'mr-130-foo', source: `${D}Test_MergeRules permutation_130`, rules: mergeRules(130), from: FOO_EP, to: FOO_EP, port: '80/TCP', expect: 'denied', scope: 'ingress' },
  {
    id: 'mr-136-bar-get', source: `${D}Test_MergeRules permutation_136`, rules: mergeRules(136), from: BAR_EP, to: FOO_EP, port: '80/TCP', http: 'GET /',
    expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'mr-136-bar-post', source: `${D}Test_MergeRules permutation_136`, rules: mergeRules(136), from: BAR_EP, to: FOO_EP, port: '80/TCP', http: 'POST /x',
    expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'mr-144-foo-get', source: `${D}Test_MergeRules permutation_144`, rules: mergeRules(144), from: FOO_EP, to: FOO_EP, port: '80/TCP', http: 'GET /',
    expect: 'denied', scope: 'ingress',
  },
  { id: 'mr-224-bar', source: `${D}Test_MergeRules permutation_224`, rules: mergeRules(224), from: BAR_EP, to: FOO_EP, port: '80/TCP', expect: 'denied', scope: 'ingress' },

  // ---------------------------------------------------------------- distillery_test.go Test_MergeRulesWithNamedPorts
  { id: 'mrnp-2-bar80', source: `${D}Test_MergeRulesWithNamedPorts permutation_2`, rules: mergeRulesNamed(2), from: BAR_EP, to: FOO_NP, port: '80/TCP', expect: 'allowed', scope: 'ingress' },
  {
    id: 'mrnp-2-bar8080', source: `${D}Test_MergeRulesWithNamedPorts permutation_2`, rules: mergeRulesNamed(2), from: BAR_EP, to: FOO_NP, port: '8080/TCP',
    expect: 'denied', scope: 'ingress',
  },
  {
    id: 'mrnp-8-post', source: `${D}Test_MergeRulesWithNamedPorts permutation_8`, rules: mergeRulesNamed(8), from: BAR_EP, to: FOO_NP, port: '80/TCP', http: 'POST /x',
    expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'mrnp-16-get', source: `${D}Test_MergeRulesWithNamedPorts permutation_16`, rules: mergeRulesNamed(16), from: FOO_EP, to: FOO_NP, port: '80/TCP', http: 'GET /',
    expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'mrnp-17-post', source: `${D}Test_MergeRulesWithNamedPorts permutation_17`, rules: mergeRulesNamed(17), from: FOO_EP, to: FOO_NP, port: '80/TCP', http: 'POST /x',
    expect: 'allowed', scope: 'ingress', note: 'foo/80 proxy + foo/ANY allow, as permutation_17 of Test_MergeRules',
  },

  // ---------------------------------------------------------------- distillery_test.go Test_AllowAll
  {
    id: 'allowall-0', source: `${D}Test_AllowAll 0`, rules: [{ endpointSelector: sel({ 'reserved:none': '' }), ...ALLOW_ALL }], from: BAR_EP, to: FOO_EP,
    port: '8080/TCP', expect: 'allowed', scope: 'ingress', note: 'EndpointSelectorNone selects no endpoint: foo has no policy (allow-any-ingress)',
  },
  {
    id: 'allowall-1', source: `${D}Test_AllowAll 1`, rules: [{ endpointSelector: ALL, ...ALLOW_ALL }], from: BAR_EP, to: FOO_EP, port: '8080/TCP',
    expect: 'allowed', scope: 'ingress',
  },

  // ---------------------------------------------------------------- distillery_test.go Test_EnsureDeniesPrecedeAllows
  {
    id: 'edpa-deny-world-ingress', source: `${D}Test_EnsureDeniesPrecedeAllows deny_world_no_labels`, rules: [DENY_WORLD, ALLOW_WORLD_IP],
    from: 'cidr:192.0.2.3', to: FOO_EP, port: '80/TCP', expect: 'denied', scope: 'ingress',
  },
  {
    id: 'edpa-deny-subnet-ingress', source: `${D}Test_EnsureDeniesPrecedeAllows deny_one_ip_with_a_larger_subnet`, rules: [DENY_SUBNET, ALLOW_WORLD_IP],
    from: 'cidr:192.0.2.3', to: FOO_EP, port: '80/TCP', expect: 'denied', scope: 'ingress',
  },
  {
    id: 'edpa-deny-subnet-egress', source: `${D}Test_EnsureDeniesPrecedeAllows deny_one_ip_with_a_larger_subnet`, rules: [DENY_SUBNET, ALLOW_WORLD_IP],
    from: FOO_EP, to: 'cidr:192.0.2.3', port: '443/TCP', expect: 'denied', scope: 'egress',
  },
  {
    id: 'edpa-broad-deny-8080', source: `${D}Test_EnsureDeniesPrecedeAllows broad_cidr_deny_is_a_portproto_subset_of_a_specific_cidr_allow`,
    rules: [DENY_WORLD_8080, ALLOW_WORLD_IP], from: 'cidr:192.0.2.3', to: FOO_EP, port: '8080/TCP', expect: 'denied', scope: 'ingress',
  },
  {
    id: 'edpa-broad-deny-80', source: `${D}Test_EnsureDeniesPrecedeAllows broad_cidr_deny_is_a_portproto_subset_of_a_specific_cidr_allow`,
    rules: [DENY_WORLD_8080, ALLOW_WORLD_IP], from: 'cidr:192.0.2.3', to: FOO_EP, port: '80/TCP', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'edpa-broad-deny-egress-udp', source: `${D}Test_EnsureDeniesPrecedeAllows broad_cidr_deny_is_a_portproto_subset_of_a_specific_cidr_allow`,
    rules: [DENY_WORLD_8080, ALLOW_WORLD_IP], from: FOO_EP, to: 'cidr:192.0.2.3', port: '8080/UDP', expect: 'denied', scope: 'egress',
  },
  {
    id: 'edpa-broad-deny-egress-443', source: `${D}Test_EnsureDeniesPrecedeAllows broad_cidr_deny_is_a_portproto_subset_of_a_specific_cidr_allow`,
    rules: [DENY_WORLD_8080, ALLOW_WORLD_IP], from: FOO_EP, to: 'cidr:192.0.2.3', port: '443/TCP', expect: 'allowed', scope: 'egress',
  },
  {
    id: 'edpa-broad-allow-ip', source: `${D}Test_EnsureDeniesPrecedeAllows broad_cidr_allow_is_a_portproto_subset_of_a_specific_cidr_deny`,
    rules: [ALLOW_SUBNET_8080, DENY_WORLD_IP], from: 'cidr:192.0.2.3', to: FOO_EP, port: '8080/TCP', expect: 'denied', scope: 'ingress',
  },
  {
    id: 'edpa-broad-allow-other', source: `${D}Test_EnsureDeniesPrecedeAllows broad_cidr_allow_is_a_portproto_subset_of_a_specific_cidr_deny`,
    rules: [ALLOW_SUBNET_8080, DENY_WORLD_IP], from: 'cidr:192.0.2.4', to: FOO_EP, port: '8080/TCP', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'edpa-broad-allow-sctp', source: `${D}Test_EnsureDeniesPrecedeAllows broad_cidr_allow_is_a_portproto_subset_of_a_specific_cidr_deny`,
    rules: [ALLOW_SUBNET_8080, DENY_WORLD_IP], from: FOO_EP, to: 'cidr:192.0.2.4', port: '8080/SCTP', expect: 'allowed', scope: 'egress',
  },
  {
    id: 'edpa-broad-allow-80', source: `${D}Test_EnsureDeniesPrecedeAllows broad_cidr_allow_is_a_portproto_subset_of_a_specific_cidr_deny`,
    rules: [ALLOW_SUBNET_8080, DENY_WORLD_IP], from: 'cidr:192.0.2.4', to: FOO_EP, port: '80/TCP', expect: 'denied', scope: 'ingress',
  },
  ...([['5', 'allowed'], ['10', 'allowed'], ['64', 'allowed'], ['127', 'allowed'], ['4', 'denied'], ['63', 'denied'], ['128', 'denied']] as const).map(
    ([port, expect]): Check => ({
      id: `edpa-range-${port}`, source: `${D}Test_EnsureDeniesPrecedeAllows port_range_world_subnet`, rules: [ALLOW_SUBNET_RANGES],
      from: 'cidr:192.0.2.3', to: FOO_EP, port: `${port}/TCP`, expect, scope: 'ingress', note: 'keys 64/0xffc0, 5, 6/0xfffe, 8/0xfffe, 10',
    }),
  ),

  // ---------------------------------------------------------------- l4_filter_test.go
  {
    id: 'l4f-1b', source: `${L4F}TestMergeAllowAllL3AndAllowAllL7 (1B)`, rules: ofA(ing({ fromEndpoints: [], toPorts: [tcp('80')] }, { fromEndpoints: [], toPorts: [tcp('80')] })),
    from: pod('b'), to: pod('a'), port: '80/TCP', expect: 'denied', scope: 'ingress', note: 'an empty non-nil FromEndpoints selects nothing',
  },
  {
    id: 'l4f-3-post', source: `${L4F}TestMergeIdenticalAllowAllL3AndRestrictedL7HTTP (3)`,
    rules: ofA(ing(from([ALL], withHttp(tcp('80'), GET_ROOT)), from([ALL], withHttp(tcp('80'), GET_ROOT)))),
    from: pod('b'), to: pod('a'), port: '80/TCP', http: 'POST /x', expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'l4f-4-topic', source: `${L4F}TestMergeIdenticalAllowAllL3AndRestrictedL7Kafka (4)`,
    rules: ofA(ing(from([ALL], kafkaPort('9092', { topic: 'foo' })), from([ALL], kafkaPort('9092', { topic: 'foo' })))),
    from: pod('b'), to: pod('a'), port: '9092/TCP', kafka: 'produce foo', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'l4f-4-other', source: `${L4F}TestMergeIdenticalAllowAllL3AndRestrictedL7Kafka (4)`,
    rules: ofA(ing(from([ALL], kafkaPort('9092', { topic: 'foo' })), from([ALL], kafkaPort('9092', { topic: 'foo' })))),
    from: pod('b'), to: pod('a'), port: '9092/TCP', kafka: 'produce bar', expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'l4f-6b-b', source: `${L4F}TestL3RuleShadowedByL3AllowAll (6B)`, rules: ofA(ing(from([ALL], tcp('80')), from([B], tcp('80')))),
    from: pod('b'), to: pod('a'), port: '80/TCP', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'l4f-6b-81', source: `${L4F}TestL3RuleShadowedByL3AllowAll (6B)`, rules: ofA(ing(from([ALL], tcp('80')), from([B], tcp('80')))),
    from: pod('c'), to: pod('a'), port: '81/TCP', expect: 'denied', scope: 'ingress',
  },
  {
    id: 'l4f-7a-a', source: `${L4F}TestL3RuleWithL7RulePartiallyShadowedByL3AllowAll (7A)`, rules: CASE7A, from: pod('a'), to: pod('a'), port: '80/TCP',
    http: 'POST /x', expect: 'allowed', scope: 'ingress', note: '"All traffic is allowed; traffic to A goes via proxy": the wildcard selector has no L7 rules',
  },
  {
    id: 'l4f-7a-b', source: `${L4F}TestL3RuleWithL7RulePartiallyShadowedByL3AllowAll (7A)`, rules: CASE7A, from: pod('b'), to: pod('a'), port: '80/TCP',
    http: 'POST /x', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'l4f-7b-a', source: `${L4F}TestL3RuleWithL7RulePartiallyShadowedByL3AllowAll (7B)`, rules: CASE7B, from: pod('a'), to: pod('a'), port: '80/TCP',
    http: 'DELETE /y', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'l4f-8a-b', source: `${L4F}TestL3RuleWithL7RuleShadowedByL3AllowAll (8A)`, rules: CASE8A, from: pod('b'), to: pod('a'), port: '80/TCP',
    http: 'POST /x', expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'l4f-8a-a-get', source: `${L4F}TestL3RuleWithL7RuleShadowedByL3AllowAll (8A)`, rules: CASE8A, from: pod('a'), to: pod('a'), port: '80/TCP',
    http: 'GET /', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'l4f-8a-a-post', source: `${L4F}TestL3RuleWithL7RuleShadowedByL3AllowAll (8A)`, rules: CASE8A, from: pod('a'), to: pod('a'), port: '80/TCP',
    http: 'POST /x', expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'l4f-9b-c-get', source: `${L4F}TestL3SelectingEndpointAndL3AllowAllMergeDifferentL7 (9A)`,
    rules: ofA(ing(from([B], kafkaPort('80', { topic: 'foo' })), from([ALL], withHttp(tcp('80'), GET_ROOT)))),
    from: pod('c'), to: pod('a'), port: '80/TCP', http: 'GET /', expect: 'allowed', scope: 'ingress', note: 'different parsers on different selectors: valid',
  },
  {
    id: 'l4f-9b-c-post', source: `${L4F}TestL3SelectingEndpointAndL3AllowAllMergeDifferentL7 (9A)`,
    rules: ofA(ing(from([B], kafkaPort('80', { topic: 'foo' })), from([ALL], withHttp(tcp('80'), GET_ROOT)))),
    from: pod('c'), to: pod('a'), port: '80/TCP', http: 'POST /x', expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'l4f-10-b', source: `${L4F}TestMergingWithDifferentEndpointsSelectedAllowSameL7 (10)`,
    rules: ofA(ing(from([A], withHttp(tcp('80'), GET_ROOT)), from([C], withHttp(tcp('80'), GET_ROOT)))),
    from: pod('b'), to: pod('a'), port: '80/TCP', http: 'GET /', expect: 'denied', scope: 'ingress',
  },
  {
    id: 'l4f-10-c-post', source: `${L4F}TestMergingWithDifferentEndpointsSelectedAllowSameL7 (10)`,
    rules: ofA(ing(from([A], withHttp(tcp('80'), GET_ROOT)), from([C], withHttp(tcp('80'), GET_ROOT)))),
    from: pod('c'), to: pod('a'), port: '80/TCP', http: 'POST /x', expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'l4f-11-a', source: `${L4F}TestMergingWithDifferentEndpointSelectedAllowAllL7 (11)`, rules: ofA(ing(from([A], tcp('80')), from([C], tcp('80')))),
    from: pod('a'), to: pod('a'), port: '80/TCP', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'l4f-14-dns', source: `${L4F}TestDNSWildcardInDefaultAllow (14)`,
    rules: ofA({ ...DEFAULT_ALLOW_EG, egress: [{ toEndpoints: [ALL], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: 'example.com' }] } }] }] }),
    from: pod('a'), to: pod('b'), port: '53/UDP', dns: 'cilium.io', expect: 'allowed', scope: 'egress', note: 'default-allow adds matchPattern "*"',
  },
  {
    id: 'l4f-14-other-port', source: `${L4F}TestDNSWildcardInDefaultAllow (14)`,
    rules: ofA({ ...DEFAULT_ALLOW_EG, egress: [{ toEndpoints: [ALL], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: 'example.com' }] } }] }] }),
    from: pod('a'), to: pod('b'), port: '8080/TCP', expect: 'allowed', scope: 'egress', note: 'the L3 wildcard 0/ANY is added',
  },
  {
    id: 'l4f-15-http', source: `${L4F}TestHTTPWildcardInDefaultAllow (15)`,
    rules: ofA({ ...DEFAULT_ALLOW_IN, ingress: [from([ALL], withHttp(tcp('80'), { path: '/api', method: 'GET' }))] }),
    from: pod('b'), to: pod('a'), port: '80/TCP', http: 'POST /other', expect: 'allowed', scope: 'ingress', note: 'default-allow adds an empty HTTP rule',
  },
  {
    id: 'l4f-16-kafka', source: `${L4F}TestKafkaWildcardInDefaultAllow (16)`,
    rules: ofA({ ...DEFAULT_ALLOW_IN, ingress: [from([ALL], kafkaPort('9092', { topic: 'important-topic' }))] }),
    from: pod('b'), to: pod('a'), port: '9092/TCP', kafka: 'produce other-topic', expect: 'allowed', scope: 'ingress', note: 'default-allow adds an empty topic rule',
  },
  {
    id: 'l4f-17-b', source: `${L4F}TestDNSWildcardWithL3FilterInDefaultAllow (17)`,
    rules: ofA({ ...DEFAULT_ALLOW_EG, egress: [{ toEndpoints: [B], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: 'example.com' }] } }] }] }),
    from: pod('a'), to: pod('b'), port: '53/UDP', dns: 'cilium.io', expect: 'allowed', scope: 'egress',
  },

  // ---------------------------------------------------------------- repository_test.go
  { id: 'repo-wl3i-bar1', source: `${REPO}TestWildcardL3RulesIngress`, rules: WILDCARD_L3_INGRESS, from: pod('bar1'), to: pod('a'), port: '8080/TCP', expect: 'allowed', scope: 'ingress' },
  {
    id: 'repo-wl3i-bar1-http', source: `${REPO}TestWildcardL3RulesIngress`, rules: WILDCARD_L3_INGRESS, from: pod('bar1'), to: pod('a'), port: '80/TCP',
    http: 'POST /x', expect: 'allowed', scope: 'ingress', note: 'bar1 is not in the 80/TCP filter: not redirected',
  },
  {
    id: 'repo-wl3i-bar2-get', source: `${REPO}TestWildcardL3RulesIngress`, rules: WILDCARD_L3_INGRESS, from: pod('bar2'), to: pod('a'), port: '80/TCP',
    http: 'GET /', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'repo-wl3i-bar2-post', source: `${REPO}TestWildcardL3RulesIngress`, rules: WILDCARD_L3_INGRESS, from: pod('bar2'), to: pod('a'), port: '80/TCP',
    http: 'POST /x', expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'repo-wl3i-bar2-produce', source: `${REPO}TestWildcardL3RulesIngress`, rules: WILDCARD_L3_INGRESS, from: pod('bar2'), to: pod('a'), port: '9092/TCP',
    kafka: 'produce t', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'repo-wl3i-bar2-fetch', source: `${REPO}TestWildcardL3RulesIngress`, rules: WILDCARD_L3_INGRESS, from: pod('bar2'), to: pod('a'), port: '9092/TCP',
    kafka: 'fetch t', expect: 'l7-denied', scope: 'ingress',
  },
  { id: 'repo-wl3i-bar2-icmp', source: `${REPO}TestWildcardL3RulesIngress`, rules: WILDCARD_L3_INGRESS, from: pod('bar2'), to: pod('a'), port: 'icmp/8', expect: 'allowed', scope: 'ingress' },
  {
    id: 'repo-wl3i-bar2-icmpv6', source: `${REPO}TestWildcardL3RulesIngress`, rules: WILDCARD_L3_INGRESS, from: pod('bar2'), to: pod('a'), port: 'icmpv6/128',
    expect: 'allowed', scope: 'ingress',
  },
  { id: 'repo-wl3i-bar2-8080', source: `${REPO}TestWildcardL3RulesIngress`, rules: WILDCARD_L3_INGRESS, from: pod('bar2'), to: pod('a'), port: '8080/TCP', expect: 'denied', scope: 'ingress' },
  {
    id: 'repo-wl4i-bar1-http', source: `${REPO}TestWildcardL4RulesIngress`, rules: WILDCARD_L4_INGRESS, from: pod('bar1'), to: pod('a'), port: '80/TCP',
    http: 'POST /x', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'repo-wl4i-bar2-http', source: `${REPO}TestWildcardL4RulesIngress`, rules: WILDCARD_L4_INGRESS, from: pod('bar2'), to: pod('a'), port: '80/TCP',
    http: 'POST /x', expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'repo-wl4i-bar1-kafka', source: `${REPO}TestWildcardL4RulesIngress`, rules: WILDCARD_L4_INGRESS, from: pod('bar1'), to: pod('a'), port: '9092/TCP',
    kafka: 'fetch t', expect: 'allowed', scope: 'ingress',
  },
  { id: 'repo-wl4i-bar1-8080', source: `${REPO}TestWildcardL4RulesIngress`, rules: WILDCARD_L4_INGRESS, from: pod('bar1'), to: pod('a'), port: '8080/TCP', expect: 'denied', scope: 'ingress' },
  {
    id: 'repo-wl3e-bar1-http', source: `${REPO}TestWildcardL3RulesEgress`, rules: WILDCARD_L3_EGRESS, from: pod('a'), to: pod('bar1'), port: '80/TCP',
    http: 'POST /x', expect: 'allowed', scope: 'egress', note: 'traffic to bar1 is not forwarded to the proxy',
  },
  {
    id: 'repo-wl3e-bar2-dns', source: `${REPO}TestWildcardL3RulesEgress`, rules: WILDCARD_L3_EGRESS, from: pod('a'), to: pod('bar2'), port: '53/UDP',
    dns: 'empire.gov', expect: 'allowed', scope: 'egress',
  },
  {
    id: 'repo-wl3e-bar2-dns-other', source: `${REPO}TestWildcardL3RulesEgress`, rules: WILDCARD_L3_EGRESS, from: pod('a'), to: pod('bar2'), port: '53/UDP',
    dns: 'rebels.org', expect: 'l7-denied', scope: 'egress',
  },
  {
    id: 'repo-wl3e-bar2-post', source: `${REPO}TestWildcardL3RulesEgress`, rules: WILDCARD_L3_EGRESS, from: pod('a'), to: pod('bar2'), port: '80/TCP',
    http: 'POST /x', expect: 'l7-denied', scope: 'egress',
  },
  { id: 'repo-wl3e-bar2-icmp', source: `${REPO}TestWildcardL3RulesEgress`, rules: WILDCARD_L3_EGRESS, from: pod('a'), to: pod('bar2'), port: 'icmp/8', expect: 'allowed', scope: 'egress' },
  { id: 'repo-wl3e-bar2-8080', source: `${REPO}TestWildcardL3RulesEgress`, rules: WILDCARD_L3_EGRESS, from: pod('a'), to: pod('bar2'), port: '8080/TCP', expect: 'denied', scope: 'egress' },
  {
    id: 'repo-wl4e-bar1-dns', source: `${REPO}TestWildcardL4RulesEgress`, rules: WILDCARD_L4_EGRESS, from: pod('a'), to: pod('bar1'), port: '53/UDP',
    dns: 'rebels.org', expect: 'allowed', scope: 'egress',
  },
  {
    id: 'repo-wl4e-bar2-dns', source: `${REPO}TestWildcardL4RulesEgress`, rules: WILDCARD_L4_EGRESS, from: pod('a'), to: pod('bar2'), port: '53/UDP',
    dns: 'rebels.org', expect: 'l7-denied', scope: 'egress',
  },
  {
    id: 'repo-wl4e-bar1-http', source: `${REPO}TestWildcardL4RulesEgress`, rules: WILDCARD_L4_EGRESS, from: pod('a'), to: pod('bar1'), port: '80/TCP',
    http: 'DELETE /x', expect: 'allowed', scope: 'egress',
  },
  {
    id: 'repo-wcidr-get-no-header', source: `${REPO}TestWildcardCIDRRulesEgress`, rules: WILDCARD_CIDR_EGRESS, from: pod('a'), to: 'cidr:192.0.2.1', port: '80/TCP',
    http: 'POST /other', expect: 'allowed', scope: 'egress', note: '"Port 80 policy does not need the wildcard, as the 0 port policy will allow the traffic"',
  },
  {
    id: 'repo-wcidr-outside', source: `${REPO}TestWildcardCIDRRulesEgress`, rules: WILDCARD_CIDR_EGRESS, from: pod('a'), to: 'cidr:10.0.0.1', port: '80/TCP',
    expect: 'denied', scope: 'egress',
  },

  {
    id: 'repo-minikube-b-post', source: `${REPO}TestMinikubeGettingStarted`, rules: MINIKUBE, from: pod('b'), to: pod('a'), port: '80/TCP', http: 'POST /x',
    expect: 'allowed', scope: 'ingress', note: 'selector B: HTTP [GET /, {}] (the L4-only rule of the same selector adds the empty rule)',
  },
  { id: 'repo-minikube-c', source: `${REPO}TestMinikubeGettingStarted`, rules: MINIKUBE, from: pod('c'), to: pod('a'), port: '80/TCP', expect: 'denied', scope: 'ingress' },
  {
    id: 'repo-minikube-app1', source: `${REPO}TestMinikubeGettingStarted`, rules: MINIKUBE, from: pod('b'), to: pod('app1'), port: '80/TCP', http: 'POST /x',
    expect: 'l7-denied', scope: 'ingress', note: 'rule2 selects id=app1 only: GET / alone',
  },
  {
    id: 'repo-fromworld-world-post', source: `${REPO}TestWildcardL3RulesIngressFromEntities`, rules: FROM_WORLD_L3, from: 'cidr:203.0.113.9', to: pod('a'),
    port: '80/TCP', http: 'POST /x', expect: 'allowed', scope: 'ingress', note: 'world is in the 0/ANY filter only: not redirected',
  },
  {
    id: 'repo-fromworld-bar2-post', source: `${REPO}TestWildcardL3RulesIngressFromEntities`, rules: FROM_WORLD_L3, from: pod('bar2'), to: pod('a'),
    port: '80/TCP', http: 'POST /x', expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'repo-fromworld-bar1', source: `${REPO}TestWildcardL3RulesIngressFromEntities`, rules: FROM_WORLD_L3, from: pod('bar1'), to: pod('a'),
    port: '80/TCP', expect: 'denied', scope: 'ingress',
  },
  {
    id: 'repo-toworld-dns', source: `${REPO}TestWildcardL3RulesEgressToEntities`, rules: TO_WORLD_L3, from: pod('a'), to: 'cidr:8.8.8.8', port: '53/UDP',
    dns: 'rebels.org', expect: 'allowed', scope: 'egress', note: 'world is in the 0/ANY filter only: the DNS proxy is not in the way',
  },
  {
    id: 'repo-toworld-bar2-dns', source: `${REPO}TestWildcardL3RulesEgressToEntities`, rules: TO_WORLD_L3, from: pod('a'), to: pod('bar2'), port: '53/UDP',
    dns: 'rebels.org', expect: 'l7-denied', scope: 'egress',
  },
  {
    id: 'repo-defallow-in-deny', source: `${REPO}TestDefaultAllow ingress case 1`, rules: [fooRule('ingress', true)], from: BAR_EP, to: FOO_EP, port: '80/TCP',
    expect: 'denied', scope: 'ingress',
  },
  {
    id: 'repo-defallow-in-allow', source: `${REPO}TestDefaultAllow ingress case 2`, rules: [fooRule('ingress', false)], from: BAR_EP, to: FOO_EP, port: '80/TCP',
    expect: 'allowed', scope: 'ingress', note: 'a default-allow rule alone: the wildcard is added',
  },
  {
    id: 'repo-defallow-in-both', source: `${REPO}TestDefaultAllow ingress case 3`, rules: [fooRule('ingress', true), fooRule('ingress', false)], from: BAR_EP,
    to: FOO_EP, port: '80/TCP', expect: 'denied', scope: 'ingress', note: 'default-deny takes precedence, no wildcard',
  },
  {
    id: 'repo-defallow-eg-allow', source: `${REPO}TestDefaultAllow egress case 2`, rules: [fooRule('egress', false)], from: FOO_EP, to: BAR_EP, port: '80/TCP',
    expect: 'allowed', scope: 'egress',
  },
  {
    id: 'repo-defallow-eg-both', source: `${REPO}TestDefaultAllow egress case 3`, rules: [fooRule('egress', false), fooRule('egress', true)], from: FOO_EP,
    to: BAR_EP, port: '80/TCP', expect: 'denied', scope: 'egress',
  },
  {
    id: 'repo-defallow-cross', source: `${REPO}TestDefaultAllow ingress 1 + egress 2`, rules: [fooRule('egress', false), fooRule('ingress', true)], from: FOO_EP,
    to: BAR_EP, port: '80/TCP', expect: 'allowed', scope: 'egress', note: 'an ingress default-deny rule does not enforce egress',
  },

  // ---------------------------------------------------------------- repository_deny_test.go
  {
    id: 'rdeny-enforce-in', source: `${RDENY}TestComputePolicyDenyEnforcementAndRules fooIngressDenyRule1`, rules: [FOO_DENY_IN], from: BAR_EP, to: FOO_EP,
    port: '80/TCP', expect: 'denied', scope: 'ingress', note: 'a deny rule enforces policy in its direction: what no rule allows is dropped',
  },
  {
    id: 'rdeny-enforce-in-egress-free', source: `${RDENY}TestComputePolicyDenyEnforcementAndRules fooIngressDenyRule1`, rules: [FOO_DENY_IN], from: FOO_EP,
    to: BAR_EP, port: '80/TCP', expect: 'allowed', scope: 'egress',
  },
  {
    id: 'rdeny-enforce-eg', source: `${RDENY}TestComputePolicyDenyEnforcementAndRules fooEgressDenyRule1`, rules: [FOO_DENY_EG], from: FOO_EP, to: BAR_EP,
    port: '80/TCP', expect: 'denied', scope: 'egress',
  },
  {
    id: 'rdeny-l4-b-9092', source: `${RDENY}TestWildcardL4RulesIngressDeny`,
    rules: ofA({ ingressDeny: [{ fromEndpoints: [B], toPorts: [tcp('9092')] }] }, { ingressDeny: [{ fromEndpoints: [B], toPorts: [tcp('80')] }] }, ing(from([ALL]))),
    from: pod('b'), to: pod('a'), port: '9092/TCP', expect: 'denied', scope: 'ingress', note: 'with an allow-all added so that only the deny entries decide',
  },
  {
    id: 'rdeny-l4-b-8080', source: `${RDENY}TestWildcardL4RulesIngressDeny`,
    rules: ofA({ ingressDeny: [{ fromEndpoints: [B], toPorts: [tcp('9092')] }] }, { ingressDeny: [{ fromEndpoints: [B], toPorts: [tcp('80')] }] }, ing(from([ALL]))),
    from: pod('b'), to: pod('a'), port: '8080/TCP', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'rdeny-l4-c-80', source: `${RDENY}TestWildcardL4RulesIngressDeny`,
    rules: ofA({ ingressDeny: [{ fromEndpoints: [B], toPorts: [tcp('9092')] }] }, { ingressDeny: [{ fromEndpoints: [B], toPorts: [tcp('80')] }] }, ing(from([ALL]))),
    from: pod('c'), to: pod('a'), port: '80/TCP', expect: 'allowed', scope: 'ingress',
  },

  // ---------------------------------------------------------------- rule_test.go L4 / L7 merges
  {
    id: 'rule-l4-8080-post', source: `${RULE}TestL4Policy rule1`, rules: L4POLICY_RULE1, from: pod('b'), to: pod('a'), port: '8080/TCP', http: 'POST /x',
    expect: 'l7-denied', scope: 'ingress',
  },
  { id: 'rule-l4-3000-udp', source: `${RULE}TestL4Policy rule1`, rules: L4POLICY_RULE1, from: pod('a'), to: pod('b'), port: '3000/UDP', expect: 'allowed', scope: 'egress' },
  { id: 'rule-l4-3000-sctp', source: `${RULE}TestL4Policy rule1`, rules: L4POLICY_RULE1, from: pod('a'), to: pod('b'), port: '3000/SCTP', expect: 'allowed', scope: 'egress' },
  { id: 'rule-l4-3001', source: `${RULE}TestL4Policy rule1`, rules: L4POLICY_RULE1, from: pod('a'), to: pod('b'), port: '3001/TCP', expect: 'denied', scope: 'egress' },
  {
    id: 'rule-l4-2-post', source: `${RULE}TestL4Policy rule2`, rules: L4POLICY_RULE2, from: pod('b'), to: pod('a'), port: '80/TCP', http: 'POST /x',
    expect: 'allowed', scope: 'ingress', note: 'wildcard selector: HTTP [GET /, {}]',
  },
  { id: 'rule-mergel4-foo', source: `${RULE}TestMergeL4PolicyIngress`, rules: MERGE_L4_INGRESS, from: 'pod:default:baz=', to: pod('a'), port: '80/TCP', expect: 'allowed', scope: 'ingress' },
  { id: 'rule-mergel4-other', source: `${RULE}TestMergeL4PolicyIngress`, rules: MERGE_L4_INGRESS, from: pod('c'), to: pod('a'), port: '80/TCP', expect: 'denied', scope: 'ingress' },
  {
    id: 'rule-l7in-1-b-post', source: `${RULE}TestMergeL7PolicyIngress rule1`, rules: L7_INGRESS_RULE1, from: pod('b'), to: pod('a'), port: '80/TCP',
    http: 'POST /x', expect: 'allowed', scope: 'ingress', note: 'b matches the wildcard selector too, whose rules [GET /, {}] allow all',
  },
  {
    id: 'rule-l7in-3-b-bar', source: `${RULE}TestMergeL7PolicyIngress rule3`, rules: L7_INGRESS_RULE3, from: pod('b'), to: pod('a'), port: '80/TCP',
    kafka: 'produce bar', expect: 'allowed', scope: 'ingress', note: 'B: topic foo; wildcard: topic bar (not merged); b matches both',
  },
  {
    id: 'rule-l7in-3-b-foo', source: `${RULE}TestMergeL7PolicyIngress rule3`, rules: L7_INGRESS_RULE3, from: pod('b'), to: pod('a'), port: '80/TCP',
    kafka: 'produce foo', expect: 'allowed', scope: 'ingress',
  },
  {
    id: 'rule-l7in-3-c-foo', source: `${RULE}TestMergeL7PolicyIngress rule3`, rules: L7_INGRESS_RULE3, from: pod('c'), to: pod('a'), port: '80/TCP',
    kafka: 'produce foo', expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'rule-l7in-3-b-baz', source: `${RULE}TestMergeL7PolicyIngress rule3`, rules: L7_INGRESS_RULE3, from: pod('b'), to: pod('a'), port: '80/TCP',
    kafka: 'produce baz', expect: 'l7-denied', scope: 'ingress',
  },
  {
    id: 'rule-l7eg-1-b', source: `${RULE}TestMergeL7PolicyEgress rule1`, rules: L7_EGRESS_RULE1, from: pod('a'), to: pod('b'), port: '80/TCP',
    http: 'GET /private', expect: 'allowed', scope: 'egress',
  },
  {
    id: 'rule-l7eg-1-c', source: `${RULE}TestMergeL7PolicyEgress rule1`, rules: L7_EGRESS_RULE1, from: pod('a'), to: pod('c'), port: '80/TCP',
    http: 'POST /x', expect: 'allowed', scope: 'egress', note: 'wildcard selector: HTTP [GET /public, {}]',
  },

  // ---------------------------------------------------------------- rule_test.go TestICMPPolicy
  { id: 'icmp-1-in-8', source: `${RULE}TestICMPPolicy rule1`, rules: ICMP_RULE1, from: pod('b'), to: pod('a'), port: 'icmp/8', expect: 'allowed', scope: 'ingress' },
  { id: 'icmp-1-in-0', source: `${RULE}TestICMPPolicy rule1`, rules: ICMP_RULE1, from: pod('b'), to: pod('a'), port: 'icmp/0', expect: 'denied', scope: 'ingress' },
  { id: 'icmp-1-eg-9', source: `${RULE}TestICMPPolicy rule1`, rules: ICMP_RULE1, from: pod('a'), to: pod('b'), port: 'icmp/9', expect: 'allowed', scope: 'egress' },
  { id: 'icmp-1-eg-80', source: `${RULE}TestICMPPolicy rule1`, rules: ICMP_RULE1, from: pod('a'), to: pod('b'), port: '80/TCP', expect: 'denied', scope: 'egress' },
  { id: 'icmp-2-80', source: `${RULE}TestICMPPolicy rule2`, rules: ICMP_RULE2, from: pod('b'), to: pod('a'), port: '80/TCP', expect: 'allowed', scope: 'ingress' },
  { id: 'icmp-2-81', source: `${RULE}TestICMPPolicy rule2`, rules: ICMP_RULE2, from: pod('b'), to: pod('a'), port: '81/TCP', expect: 'denied', scope: 'ingress' },
  { id: 'icmp-3-v6', source: `${RULE}TestICMPPolicy rule3`, rules: ICMP_RULE3, from: pod('b'), to: pod('a'), port: 'icmpv6/128', expect: 'allowed', scope: 'ingress' },
  { id: 'icmp-3-v4', source: `${RULE}TestICMPPolicy rule3`, rules: ICMP_RULE3, from: pod('b'), to: pod('a'), port: 'icmp/8', expect: 'denied', scope: 'ingress' },
];

function asCase(c: Check): VerdictCase {
  return {
    id: c.id, source: `cilium/cilium:pkg/policy/${c.source}`, policies: [c.rules], from: c.from, to: c.to, port: c.port,
    ...(c.http !== undefined ? { http: c.http } : {}), ...(c.dns !== undefined ? { dns: c.dns } : {}),
    ...(c.kafka !== undefined ? { kafka: c.kafka } : {}),
    verdict: c.expect === 'allowed' ? 'allow' : 'deny', scope: c.scope,
  };
}

describe('more Cilium-authored verdicts (pkg/policy Go tests, raw api.Rule lists)', () => {
  test('the table holds at least 40 checks, each citing its Go test, allowed and denied both present', () => {
    expect(CHECKS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CHECKS.map((c) => c.id)).size).toBe(CHECKS.length);
    expect(new Set(CHECKS.map((c) => c.expect))).toEqual(new Set(['allowed', 'denied', 'l7-denied']));
    for (const c of CHECKS) expect(Object.keys(SOURCES).some((f) => c.source.startsWith(`${f}#`)), c.id).toBe(true);
  });

  const title = (c: Check): string => `${c.id}: ${c.expect} ${c.from} → ${c.to} ${c.port}${c.http ? ` ${c.http}` : ''}`;
  test.each(CHECKS.map((c) => [title(c), c] as const))('%s', (_name, c) => {
    // ICMPv6 between pods is a packet of a dual-stack cluster only (an IPv4-only one refuses it: engine-query).
    const { got, verdict } = outcome(asCase(c), String(c.port).startsWith('icmpv6') ? { ipFamilies: IpFamilies.DUAL } : {});
    expect(got, `${c.source}\n${c.note ?? ''}\n${formatVerdict(verdict)}`).toBe(c.expect);
  });
});

// Rules whose L7 parsers Cilium cannot merge: `resolvePolicyLocked` fails ("cannot merge conflicting L7 parsers"), the
// endpoint keeps the policy it had, and the engine says so in a note on the verdict (no verdict is asserted).
interface Refusal {
  readonly id: string;
  readonly source: string;
  readonly rules: readonly Rule[];
  readonly refused: boolean;
  readonly note?: string;
}
const HTTP80 = withHttp(tcp('80'), GET_ROOT);
const KAFKA80 = kafkaPort('80', { topic: 'foo' });
const REFUSALS: Refusal[] = [
  { id: '5a', source: `${L4F}TestMergeIdenticalAllowAllL3AndMismatchingParsers (5A)`, rules: ofA(ing(from([ALL], KAFKA80), from([ALL], HTTP80))), refused: true },
  { id: '5b', source: `${L4F}TestMergeIdenticalAllowAllL3AndMismatchingParsers (5B)`, rules: ofA(ing(from([ALL], HTTP80), from([ALL], KAFKA80))), refused: true },
  {
    id: '5b++', source: `${L4F}TestMergeIdenticalAllowAllL3AndMismatchingParsers (5B++)`,
    rules: ofA({ egress: [{ toEndpoints: [C], toPorts: [{ ...tcp('80'), rules: { l7proto: 'testing' } }] }, { toEndpoints: [C], toPorts: [HTTP80] }] }), refused: true,
  },
  { id: '9a', source: `${L4F}TestL3SelectingEndpointAndL3AllowAllMergeConflictingL7 (9A)`, rules: ofA(ing(from([B], KAFKA80), from([B], HTTP80))), refused: true },
  { id: '9b-valid', source: `${L4F}TestL3SelectingEndpointAndL3AllowAllMergeDifferentL7 (9A)`, rules: ofA(ing(from([B], KAFKA80), from([ALL], HTTP80))), refused: false },
  {
    id: 'l7ingress-rule1+2', source: `${RULE}TestMergeL7PolicyIngress rule1 + rule2`,
    rules: ofA(ing({ toPorts: [tcp('80')] }, { toPorts: [HTTP80] }, from([B], HTTP80)), ing({ toPorts: [KAFKA80] }, from([B], KAFKA80))), refused: true,
  },
  {
    id: 'wildcard-written-and-implied', source: `${L4F}TestMergeIdenticalAllowAllL3AndMismatchingParsers (5A) with one item L4-only`,
    rules: ofA(ing({ toPorts: [KAFKA80] }, from([ALL], HTTP80))), refused: true,
    note: 'an L4-only item gets api.WildcardEndpointSelector, the same cached selector as a written `{}` (TestL4Policy rule2 vs 1A)',
  },
  {
    id: 'wildcard-entity-all', source: `${L4F}TestMergeIdenticalAllowAllL3AndMismatchingParsers (5A) with fromEntities all`,
    rules: ofA(ing({ fromEntities: ['all'], toPorts: [KAFKA80] }, from([ALL], HTTP80))), refused: true, note: 'EntitySelectorMapping[all] is the wildcard selector',
  },
];

describe('L7 parser merges Cilium refuses (l4_filter_test.go, rule_test.go policyInvalid / policyValid)', () => {
  test.each(REFUSALS.map((r) => [`${r.id}: ${r.refused ? 'refused' : 'accepted'}`, r] as const))('%s', (_name, r) => {
    const c: VerdictCase = { id: r.id, source: r.source, policies: [r.rules], from: pod('b'), to: pod('a'), port: '80/TCP', verdict: 'allow', scope: 'ingress' };
    const { set, query } = caseQuery(c);
    // The refused verdict, with its note; the public verdicts refuse the connection (session 54).
    const verdict = set._verdict(query);
    if (r.refused) expect(thrown(() => set.verdict(query)).id).toBe('engine-policy-refused');
    const notes = [...verdict.ingress.notes, ...verdict.egress.notes].filter((n) => n.includes('cannot merge conflicting L7 parsers'));
    expect(notes.length > 0, `${r.source}\n${r.note ?? ''}\n${formatVerdict(verdict)}`).toBe(r.refused);
  });
});
