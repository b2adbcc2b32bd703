// Property: the compiled engine (per-identity cache, port index) and `evaluateNaive` (walks every rule) give the same
// verdict, explanation included, on random policy sets and random connections. Both share the deciding code (decideSide,
// peer matching, matchL4, port parsing), so this checks the caches and indexes only, not the semantics: the semantics are
// checked against an independent evaluator written from the spec in reference-agreement.test.ts.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Endpoint, Endpoints, IpFamilies, PolicySet, VerdictQuery } from '../../src/engine';
import { CiliumVersion } from '../../src/core/cilium-version';
import { propertyParams } from '../support/property';
import { notJudgedRefusal } from './helpers';

type Json = Record<string, unknown>;

const APPS = ['a', 'b', 'c'];
const NAMESPACES = ['ns1', 'ns2'];

const selector: fc.Arbitrary<Json> = fc.record({
  matchLabels: fc.option(fc.dictionary(fc.constantFrom('app', 'k8s:tier', 'any:app', 'io.cilium.k8s.policy.cluster', 'k8s:io.kubernetes.pod.namespace'),
    fc.constantFrom('a', 'b', 'x', 'ns1', 'default', 'east'), { maxKeys: 2 }), { nil: undefined }),
  matchExpressions: fc.option(fc.array(fc.record({
    key: fc.constantFrom('app', 'tier', 'io.kubernetes.pod.namespace', 'io.cilium.k8s.policy.cluster', 'reserved:host', 'zone'),
    operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
    values: fc.constantFrom(['a'], ['b', 'c'], ['ns2'], ['east']),
  }), { maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: [] }).map(prune);

const portRule = (direction: 'ingress' | 'egress', deny: boolean): fc.Arbitrary<Json> => fc.record({
  ports: fc.array(fc.record({
    port: fc.option(fc.constantFrom('80', '443', '53', '0', 'http', '8000', '010'), { nil: undefined }),
    endPort: fc.option(fc.constantFrom(8100, 444, 79), { nil: undefined }),
    protocol: fc.option(fc.constantFrom('TCP', 'UDP', 'ANY', 'SCTP'), { nil: undefined }),
  }, { requiredKeys: [] }).map(prune), { minLength: 1, maxLength: 2 }),
  rules: deny ? fc.constant(undefined) : fc.option(fc.oneof(
    fc.record({ http: fc.array(fc.record({ method: fc.constantFrom('GET', 'POST|PUT'), path: fc.constantFrom('/a', '/b.*') }, { requiredKeys: [] }).map(prune), { maxLength: 2 }) }),
    ...(direction === 'egress' ? [fc.constant({ dns: [{ matchPattern: '*' }] }), fc.constant({ dns: [{ matchName: 'a.example.com' }] })] : []),
  ), { nil: undefined }),
}, { requiredKeys: ['ports'] }).map(prune);

const item = (direction: 'ingress' | 'egress', deny: boolean): fc.Arbitrary<Json> => {
  const prefix = direction === 'ingress' ? 'from' : 'to';
  const peer: fc.Arbitrary<Json>[] = [
    fc.constant({}),
    fc.array(selector, { maxLength: 2 }).map((s) => ({ [`${prefix}Endpoints`]: s })),
    fc.subarray(['world', 'cluster', 'host', 'remote-node', 'all', 'health', 'kube-apiserver', 'init']).map((e) => ({ [`${prefix}Entities`]: e })),
    fc.subarray(['10.0.0.0/8', '192.0.2.0/24', '0.0.0.0/0']).map((c) => ({ [`${prefix}CIDR`]: c })),
    fc.constant({ [`${prefix}CIDRSet`]: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }),
    fc.constant({ [`${prefix}CIDRSet`]: [{ cidrGroupRef: 'group1' }] }),
    fc.array(fc.record({ matchLabels: fc.constantFrom({ zone: 'a' }, { zone: 'b' }, {}) }), { maxLength: 2 }).map((n) => ({ [`${prefix}Nodes`]: n })),
    fc.array(selector, { minLength: 1, maxLength: 1 }).map((s) => ({ [`${prefix}Requires`]: s, [`${prefix}Endpoints`]: [{}] })),
  ];
  if (direction === 'egress' && !deny) {
    peer.push(fc.subarray([{ matchName: 'a.example.com' }, { matchPattern: '*.example.com' }, { matchPattern: '**.org' }], { minLength: 1 }).map((f) => ({ toFQDNs: f })));
    peer.push(fc.constant({ toServices: [{ k8sService: { serviceName: 'svc', namespace: 'ns1' } }] }));
  }
  return fc.tuple(fc.oneof(...peer), fc.oneof(
    fc.constant({}),
    fc.array(portRule(direction, deny), { minLength: 1, maxLength: 2 }).map((p) => ({ toPorts: p })),
    fc.constant({ icmps: [{ fields: [{ type: 8 }, { family: 'IPv6', type: 'EchoRequest' }] }] }),
    ...(deny ? [] : [fc.constant({ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/a' }] } }] })]),
    ...(deny || direction === 'ingress' ? [] : [fc.constant({ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*.example.com' }] } }] })]),
  )).map(([a, b]) => ({ ...a, ...b }));
};

const section = (direction: 'ingress' | 'egress', deny: boolean): fc.Arbitrary<Json[] | undefined> =>
  fc.option(fc.array(item(direction, deny), { maxLength: 3 }), { nil: undefined, freq: 2 });

const rule: fc.Arbitrary<Json> = fc.record({
  subject: fc.oneof({ weight: 5, arbitrary: selector.map((s) => ({ endpointSelector: s })) }, { weight: 1, arbitrary: fc.constant({ nodeSelector: { matchLabels: { zone: 'a' } } }) }),
  ingress: section('ingress', false),
  ingressDeny: section('ingress', true),
  egress: section('egress', false),
  egressDeny: section('egress', true),
  enableDefaultDeny: fc.option(fc.record({ ingress: fc.boolean(), egress: fc.boolean() }, { requiredKeys: [] }), { nil: undefined }),
}).map(({ subject, ...rest }) => prune({ ...subject, ...rest }));

const doc: fc.Arbitrary<Json> = fc.record({
  kind: fc.constantFrom('CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'),
  namespace: fc.constantFrom(...NAMESPACES),
  rules: fc.array(rule, { minLength: 1, maxLength: 2 }),
}).map(({ kind, namespace, rules }) => ({
  apiVersion: 'cilium.io/v2', kind,
  metadata: kind === 'CiliumNetworkPolicy' ? { name: 'p', namespace } : { name: 'p' },
  ...(rules.length === 1 ? { spec: rules[0] } : { specs: rules }),
}));

const endpoint: fc.Arbitrary<Endpoint> = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    ns: fc.constantFrom(...NAMESPACES),
    app: fc.constantFrom(...APPS),
    tier: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
    cluster: fc.option(fc.constantFrom('east'), { nil: undefined, freq: 4 }),
    named: fc.boolean(),
    node: fc.option(fc.constantFrom('n1', 'n2'), { nil: undefined }),
  }).map((p) => Endpoints.pod(p.ns, prune({ app: p.app, tier: p.tier, 'io.cilium.k8s.policy.cluster': p.cluster }) as Record<string, string>, {
    ...(p.named ? { ports: [{ name: 'http', port: 8050 }, { name: 'dns', port: 53, protocol: 'UDP' }] } : {}),
    ...(p.node ? { nodeName: p.node } : {}),
  })) },
  { weight: 2, arbitrary: fc.constantFrom('host', 'remote-node', 'world', 'health', 'kube-apiserver', 'init', 'ingress').map((e) => Endpoints.entity(e)) },
  { weight: 2, arbitrary: fc.constantFrom('10.1.1.1', '10.2.2.2', '192.0.2.5', '8.8.8.8', '2001:db8::1').map((ip) => Endpoints.cidr(ip)) },
  { weight: 1, arbitrary: fc.constantFrom('a.example.com', 'b.example.com', 'x.y.org').map((n) => Endpoints.fqdn(n, '192.0.2.9')) },
  { weight: 1, arbitrary: fc.constantFrom({ zone: 'a', 'kubernetes.io/hostname': 'n1' }, { zone: 'b', 'kubernetes.io/hostname': 'n2' }).map((l) => Endpoints.node(l, '10.0.0.5')) },
);

const query: fc.Arbitrary<VerdictQuery> = fc.record({
  from: endpoint,
  to: endpoint,
  conn: fc.constantFrom(
    { protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 443 }, { protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 8050 },
    { protocol: 'SCTP', port: 80 }, { protocol: 'TCP', port: 8 }, { protocol: 'ICMP', icmpType: 8 }, { protocol: 'ICMP', icmpType: 128, icmpFamily: 'IPv6' },
  ),
  http: fc.option(fc.constantFrom({ method: 'GET', path: '/a' }, { method: 'PUT', path: '/b/c' }, { method: 'DELETE', path: '/a' }), { nil: undefined }),
  dns: fc.option(fc.constantFrom('a.example.com', 'evil.org'), { nil: undefined }),
}).map(({ from, to, conn, http, dns }) => ({ from, to, ...icmpOfAddresses(conn, [from, to]), ...(http ? { http } : {}), ...(dns ? { dns } : {}) }));

type Connection = Pick<VerdictQuery, 'protocol' | 'port' | 'icmpType' | 'icmpFamily'>;

/**
 * An ICMP connection of the family of the ends' addresses (ICMPv4 to an IPv6 address is no packet: `engine-query`); TCP 80
 * when the ends have addresses of both families.
 */
function icmpOfAddresses(conn: Connection, ends: readonly Endpoint[]): Connection {
  if (conn.protocol !== 'ICMP') return conn;
  const families = new Set(ends.flatMap((e) => (e.ip === undefined ? [] : [e.ip.includes(':') ? 'IPv6' : 'IPv4'])));
  if (families.size === 2) return { protocol: 'TCP', port: 80 };
  const [family] = [...families];
  return family === undefined ? conn : { protocol: 'ICMP', icmpType: family === 'IPv6' ? 128 : 8, icmpFamily: family };
}

/**
 * The query as a cluster of `families` carries it: `engine-query` refuses the other family's packets (ICMPv6, an IPv6
 * address, in an IPv4-only cluster), so there an IPv6 address is an IPv4 one and ICMPv6 is ICMP.
 */
function carried(q: VerdictQuery, families: IpFamilies): VerdictQuery {
  if (families === IpFamilies.DUAL) return q;
  const v4 = (e: Endpoint): Endpoint => (e.ip !== undefined && e.ip.includes(':') ? Endpoints.cidr('192.0.2.66') : e);
  const out = { ...q, from: v4(q.from), to: v4(q.to) };
  return out.protocol === 'ICMP' && out.icmpFamily === 'IPv6' ? { ...out, icmpType: 8, icmpFamily: 'IPv4' } : out;
}

const INVENTORY = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'ns1' }, spec: { selector: { app: 'b' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1', labels: { team: 'blue' } } },
];

function prune<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

describe('compiled engine (caches, indexes) vs the uncached rule walk', () => {
  test('agree on every verdict and explanation', () => {
    fc.assert(fc.property(
      fc.array(doc, { minLength: 0, maxLength: 6 }),
      fc.array(query, { minLength: 1, maxLength: 25 }),
      fc.constantFrom(...CiliumVersion.ALL),
      fc.boolean(),
      fc.constantFrom(IpFamilies.IPV4, IpFamilies.DUAL),
      (docs, queries, version, hostFirewall, ipFamilies) => {
        const yaml = [...INVENTORY, ...docs].map((d) => JSON.stringify(d)).join('\n---\n');
        const set = PolicySet.fromYaml(yaml, { file: 'random.yaml', ciliumVersion: version, hostFirewall, ipFamilies, cidrGroups: { group1: { cidrs: ['192.0.2.0/25'] } } });
        for (const q of queries.map((x) => carried(x, ipFamilies))) {
          // The explained verdicts (also of a connection the public calls refuse as not judged, session 54: they refuse it alike).
          const compiled = set._verdict(q);
          expect(compiled).toEqual(set._evaluateNaive(q));
          expect(set._verdict(q)).toEqual(compiled); // the cached identity policy gives the same answer again
          expect(JSON.parse(JSON.stringify(compiled))).toEqual(compiled);
          expect(notJudgedRefusal(() => set.evaluateNaive(q))?.id).toBe(notJudgedRefusal(() => set.verdict(q))?.id);
        }
      },
    ), propertyParams('NAIVE_AGREEMENT', 100));
  });

  test('the random policies reach every decision', () => {
    const seen = new Set<string>();
    fc.assert(fc.property(fc.array(doc, { minLength: 1, maxLength: 6 }), fc.array(query, { minLength: 1, maxLength: 25 }), (docs, queries) => {
      const set = PolicySet.fromYaml([...INVENTORY, ...docs].map((d) => JSON.stringify(d)).join('\n---\n'), { file: 'random.yaml', hostFirewall: true });
      for (const q of queries.map((x) => carried(x, IpFamilies.IPV4))) {
        const v = set._verdict(q);
        seen.add(v.egress.decision).add(v.ingress.decision).add(v.verdict);
      }
      // A fixed seed known to reach them: a policy with one rule the agent refuses is skipped whole, and default-allow L7 is
      // visibility only, so L7 denials are rare. Seed 16 reaches all nine within 40 runs (seed 1, used before, no longer
      // does since the 1.19 API server refuses a policy with fromRequires entries, maxItems 0; seed 17 needed ~600 runs);
      // another seed (PROPERTY_SEED_NAIVE_DECISIONS) may need PROPERTY_RUNS_NAIVE_DECISIONS=600.
    }), propertyParams('NAIVE_DECISIONS', 40, { fixedSeed: 16 }));
    expect([...seen].sort()).toEqual(expect.arrayContaining([
      'allow-localhost', 'allowed', 'default-deny', 'denied', 'denied-by-deny-rule', 'l7-denied', 'no-policy-default-allow', 'non-default-deny-allow', 'not-evaluated',
    ]));
  });
});
