// The constructs' and helpers' list props refuse an entry listed twice (`list-duplicate`, `checkEntriesUnique`, the one check
// `ports-duplicate` shares): the policy writes it once, so the list says one entry fewer than it reads, and the copy is most
// likely a slip for another entry (another namespace, name, CIDR), never written. Entries one to Cilium only after its
// normalisation (DNS names: case, trailing dot, white space; CIDRs: the text of the network) are refused alike, naming both
// texts. Without the copy, the entries given are allowed and their neighbours denied.
import { describe, expect, test } from 'vitest';
import { Construct } from 'constructs';
import {
  ClusterDefaultDeny, CiliumPolicy, DefaultDenyNamespace, DnsRule, EndpointSelector, FqdnEgress, HostFirewall, HttpRule, KafkaRule, L7,
  LabelExpression, MetadataEndpointBlock, MonitoringScrape, Peer, Port, TieredApp,
} from '../../src';
import { decidedBy, verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const SCRAPER = Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } });
const MGMT = ['10.50.0.0/24'];
const CP = 'node:node-role.kubernetes.io/control-plane=';
const ON = { hostFirewall: true };

/** Each list prop, built with `list` there. */
interface Builder { readonly prop: string; readonly list: readonly [string, string]; readonly build: (c: Construct, list: string[]) => unknown }
const BUILDERS: readonly Builder[] = [
  { prop: 'FqdnEgress fqdns', list: ['api.example.com', 'api.example.org'], build: (c, l) => new FqdnEgress(c, 'f', { fqdns: l }) },
  { prop: 'MonitoringScrape namespaces', list: ['shop', 'blog'], build: (c, l) => new MonitoringScrape(c, 'm', { scraper: SCRAPER, namespaces: l, ports: [Port.tcp(9090)] }) },
  { prop: 'ClusterDefaultDeny excludedNamespaces', list: ['kube-system', 'monitoring'], build: (c, l) => new ClusterDefaultDeny(c, 'c', { excludedNamespaces: l }) },
  { prop: 'MetadataEndpointBlock namespaces', list: ['shop', 'blog'], build: (c, l) => new MetadataEndpointBlock(c, 'm', { namespaces: l }) },
  { prop: 'MetadataEndpointBlock extraCidrs', list: ['100.100.100.200/32', '10.0.0.0/8'], build: (c, l) => new MetadataEndpointBlock(c, 'm', { extraCidrs: l }) },
  { prop: 'HostFirewall managementCidrs', list: ['10.50.0.0/24', '10.60.0.0/24'], build: (c, l) => new HostFirewall(c, 'h', { managementCidrs: l }) },
  { prop: 'HostFirewall bgpPeers', list: ['10.1.1.1/32', '10.1.1.2/32'], build: (c, l) => new HostFirewall(c, 'h', { managementCidrs: MGMT, bgpPeers: l }) },
  { prop: 'HostFirewall nodeDnsServers', list: ['10.1.1.1/32', '10.1.1.2/32'], build: (c, l) => new HostFirewall(c, 'h', { managementCidrs: MGMT, nodeDnsServers: l }) },
  { prop: 'HostFirewall controlPlaneCidrs', list: ['10.1.1.1/32', '10.1.1.2/32'],
    build: (c, l) => new HostFirewall(c, 'h', { managementCidrs: MGMT, cidrMatchNodes: true, controlPlaneCidrs: l }) },
  { prop: 'HostFirewall kubeletClients', list: ['10.9.0.0/16', '10.8.0.0/16'],
    build: (c, l) => new HostFirewall(c, 'h', { managementCidrs: MGMT, kubeletClients: l.map((x) => Peer.cidr(x)) }) },
  { prop: 'HostFirewall apiServerClients', list: ['a', 'b'], build: (c, l) => new HostFirewall(c, 'h', { managementCidrs: MGMT, apiServerClients: l.map((x) => Peer.namespace(x)) }) },
  { prop: 'TieredApp entry', list: ['traefik', 'nginx'], build: (c, l) => new TieredApp(c, 't', { entry: l.map((x) => Peer.namespace(x)),
    tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)] }] }) },
  { prop: 'dnsRules', list: ['a.example.com', 'b.example.com'], build: (c, l) => new DefaultDenyNamespace(c, 'd', { dnsRules: l.map((x) => DnsRule.exact(x)) }) },
  { prop: "LabelExpression.in('app') values", list: ['web', 'api'], build: (_c, l) => LabelExpression.in('app', l) },
  { prop: "LabelExpression.notIn('app') values", list: ['web', 'api'], build: (_c, l) => LabelExpression.notIn('app', l) },
  { prop: 'Peer.cidr("10.0.0.0/8") except', list: ['10.1.0.0/16', '10.2.0.0/16'], build: (_c, l) => Peer.cidr('10.0.0.0/8', { except: l }) },
  { prop: 'L7.dns() rules', list: ['a.example.com', 'b.example.com'], build: (_c, l) => L7.dns(...l.map((x) => DnsRule.exact(x))) },
  { prop: 'L7.http() rules', list: ['/a', '/b'], build: (_c, l) => L7.http(...l.map((path) => HttpRule.of({ path }))) },
  { prop: 'HttpRule.of() headers', list: ['X-A: 1', 'X-B: 1'], build: (_c, l) => HttpRule.of({ path: '/a', headers: l }) },
];

describe('an entry listed twice is refused, naming the prop, the entry, both positions and the fix', () => {
  test.each(BUILDERS.map((b) => [b.prop, b] as const))('%s', (prop, b) => {
    const [x, y] = b.list;
    expect(() => b.build(chart('shop'), [x, y]), 'the list without the copy').not.toThrow();
    const r = refusal(() => b.build(chart('shop'), [x, y, x]));
    expect(r.id).toBe('list-duplicate');
    expect(r.message).toContain(`${prop} lists `);
    expect(r.message).toContain(' twice (at [0] and [2]): the policy ');
    expect(r.message).toContain('fewer than it reads');
    expect(r.message).toMatch(/fix: list each [a-zA-Z ]+ once; if another [a-zA-Z ]+ was meant at \[2\], give it/);
  });

  test('the location is the construct path, or the caller\'s file:line for a helper', () => {
    expect(refusal(() => BUILDERS[0].build(chart('shop'), ['a.example.com', 'a.example.com'])).message).toContain('[test/f]');
    expect(refusal(() => LabelExpression.in('app', ['web', 'web'])).message).toContain('list-duplicates.test.ts:');
  });
});

describe('entries one to Cilium after its normalisation are one entry: both texts named, and why', () => {
  test('FQDNs: case, trailing dot, white space (pkg/fqdn/matchpattern Sanitize, ToAnchoredRegexp)', () => {
    for (const other of ['API.example.com', 'api.example.com.', ' api.example.com']) {
      const r = refusal(() => new FqdnEgress(chart('shop'), 'f', { fqdns: ['api.example.com', other] }));
      expect(r.message).toContain(`FqdnEgress fqdns lists "api.example.com" at [0] and ${JSON.stringify(other)} at [1], one DNS name to Cilium`);
      expect(r.message).toContain('without regard to case, with a trailing dot');
    }
    expect(refusal(() => new FqdnEgress(chart('shop'), 'f', { fqdns: ['*.example.com', '*.EXAMPLE.com.'] })).id).toBe('list-duplicate');
    expect(refusal(() => L7.dns(DnsRule.exact('a.example.com'), DnsRule.exact('A.example.com'))).message)
      .toContain('lists matchName "a.example.com" at [0] and matchName "A.example.com" at [1], one DNS rule to Cilium');
    // A name and a pattern over it are two entries: the pattern matches other names too.
    expect(() => new FqdnEgress(chart('shop'), 'f', { fqdns: ['api.example.com', '*.example.com'] })).not.toThrow();
  });

  test('CIDRs: two texts of one network; host bits keep their own refusal', () => {
    expect(refusal(() => new HostFirewall(chart('shop'), 'h', { managementCidrs: ['fd00::/64', 'fd00:0:0::/64'] })).message)
      .toContain('HostFirewall managementCidrs lists "fd00::/64" at [0] and "fd00:0:0::/64" at [1], one CIDR to Cilium (the same network');
    expect(refusal(() => new HostFirewall(chart('shop'), 'h', { managementCidrs: ['10.50.0.0/24', '10.50.0.1/24'] })).id).toBe('peer-cidr-host-bits');
    // Nested ranges are two entries (what each says is written).
    expect(() => new HostFirewall(chart('shop'), 'h', { managementCidrs: ['10.50.0.0/16', '10.50.0.0/24'] })).not.toThrow();
  });

  test('peers: two factories of one peer are one; peers of one\'s own are not compared', () => {
    expect(refusal(() => BUILDERS[10].build(chart('shop'), ['a', 'a'])).message)
      .toContain('HostFirewall apiServerClients lists endpoints {k8s:io.kubernetes.pod.namespace=a} twice (at [0] and [1])');
    const own = { toPeerConfig: () => Peer.namespace('a').toPeerConfig() };
    expect(() => new TieredApp(chart('shop'), 't', { entry: [own, own], tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)] }] }))
      .not.toThrow();
  });
});

describe('without the copy: each entry given is written, its neighbour is not', () => {
  test('FqdnEgress fqdns: both names reached and looked up, a third name not', () => {
    const c = chart('shop');
    BUILDERS[0].build(c, ['api.example.com', 'api.example.org']);
    const pod = 'pod:shop:app=web';
    expect(['api.example.com', 'api.example.org', 'api.example.net'].map((n) => verdictOf(c, pod, `fqdn:${n}@198.51.100.7`, '443/TCP')))
      .toEqual(['allowed', 'allowed', 'denied']);
    expect(['api.example.com', 'api.example.org', 'api.example.net']
      .map((dns) => verdictOf(c, pod, 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns }))).toEqual(['allowed', 'allowed', 'l7-denied']);
  });

  test('MonitoringScrape namespaces: both namespaces scraped by the scrape\'s rule, a third left to its own policies', () => {
    const c = chart('shop');
    BUILDERS[1].build(c, ['shop', 'blog']);
    const prom = 'pod:monitoring:app=prometheus';
    expect(['shop', 'blog', 'other'].map((ns) => decidedBy(c, prom, `pod:${ns}:app=web`, '9090/TCP', 'ingress')))
      .toEqual(['allowed m specs[0].ingress[0]', 'allowed m specs[0].ingress[0]', 'no-policy-default-allow']);
  });

  test('HostFirewall managementCidrs: both ranges reach SSH on the node, a third range does not', () => {
    const c = chart('shop');
    BUILDERS[5].build(c, ['10.50.0.0/24', '10.60.0.0/24']);
    expect(['10.50.0.7', '10.60.0.7', '10.70.0.7'].map((ip) => verdictOf(c, `cidr:${ip}`, CP, '22/TCP', ON))).toEqual(['allowed', 'allowed', 'denied']);
  });

  test('DefaultDenyNamespace dnsRules: both names looked up, a third refused by the DNS proxy', () => {
    const c = chart('shop');
    BUILDERS[12].build(c, ['a.example.com', 'b.example.com']);
    expect(['a.example.com', 'b.example.com', 'c.example.com']
      .map((dns) => verdictOf(c, 'pod:shop:app=web', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns }))).toEqual(['allowed', 'allowed', 'l7-denied']);
  });

  test('Peer.cidr except: both holes denied, the rest of the range allowed', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) })
      .allowEgress(Peer.cidr('10.0.0.0/8', { except: ['10.1.0.0/16', '10.2.0.0/16'] }), { ports: [Port.tcp(443)] });
    expect(['10.1.0.5', '10.2.0.5', '10.3.0.5'].map((ip) => verdictOf(c, 'pod:shop:app=web', `cidr:${ip}`, '443/TCP'))).toEqual(['denied', 'denied', 'allowed']);
  });

  test('LabelExpression.in values: both values admitted, a third not', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'db' }) })
      .allowIngress(Peer.endpoints({ expressions: [LabelExpression.in('app', ['web', 'api'])] }), { ports: [Port.tcp(5432)] });
    expect(['web', 'api', 'batch'].map((app) => verdictOf(c, `pod:shop:app=${app}`, 'pod:shop:app=db', '5432/TCP'))).toEqual(['allowed', 'allowed', 'denied']);
  });
});

// Session 57 review: entries were keyed by their shown text, clipped at 80 characters, so two entries agreeing on their
// first 77 characters were refused as one entry twice. Keyed, and told "twice" or "one to Cilium", by the whole text.
describe('entries longer than a message shows: distinct ones accepted and each written, equal ones refused', () => {
  const BASE = '/api/v1/organizations/[^/]+/projects/[^/]+/repositories/[^/]+/';
  const HEADER = 'X-Client-Cert-Fingerprint: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
  const TOPIC = 'orders.eu-west-1.production.payments.settlement.v2.events.dead-letter.retry.';
  const API = 'pod:shop:app=api';
  const WEB = 'pod:shop:app=web';
  function api(l7: L7): ReturnType<typeof chart> {
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'api' }) }).allowIngress(Peer.namespace('shop'), { ports: [Port.tcp(80)], l7 });
    return c;
  }

  test('L7.http two paths of one 63-character prefix: both allowed, a third path of the prefix denied', () => {
    const c = api(L7.http(HttpRule.of({ method: 'GET', path: `${BASE}commits` }), HttpRule.of({ method: 'GET', path: `${BASE}branches` })));
    expect(['commits', 'branches', 'tags'].map((leaf) => verdictOf(c, WEB, API, '80/TCP', { http: `GET /api/v1/organizations/o/projects/p/repositories/r/${leaf}` })))
      .toEqual(['allowed', 'allowed', 'l7-denied']);
  });

  test('HttpRule.of two headers differing in their last character: both required, either alone denied', () => {
    const c = api(L7.http(HttpRule.of({ path: '/a', headers: [`${HEADER}01`, `${HEADER}02`] })));
    const [name, value] = [HEADER.split(': ')[0], HEADER.split(': ')[1]];
    expect(verdictOf(c, WEB, API, '80/TCP', { http: { method: 'GET', path: '/a', headers: { [name]: `${value}01` } } })).toBe('l7-denied');
    expect(verdictOf(c, WEB, API, '80/TCP', { http: { method: 'GET', path: '/a', headers: { [name]: `${value}02` } } })).toBe('l7-denied');
    expect(HttpRule.of({ path: '/a', headers: [`${HEADER}01`, `${HEADER}02`] })._toModel()).toEqual({ path: '/a', headers: [`${HEADER}01`, `${HEADER}02`] });
  });

  test('L7.kafka two topics differing in their last character: both written', () => {
    expect(JSON.stringify(L7.kafka(KafkaRule.produce(`${TOPIC}a`), KafkaRule.produce(`${TOPIC}b`)))).toContain(`${TOPIC}b`);
  });

  test('the same long entries twice: refused, "twice", the entry clipped in the message', () => {
    for (const call of [
      () => L7.http(HttpRule.of({ method: 'GET', path: `${BASE}commits` }), HttpRule.of({ method: 'GET', path: `${BASE}commits` })),
      () => HttpRule.of({ path: '/a', headers: [`${HEADER}01`, `${HEADER}01`] }),
      () => L7.kafka(KafkaRule.produce(`${TOPIC}a`), KafkaRule.produce(`${TOPIC}a`)),
    ]) {
      const r = refusal(call);
      expect(r.id).toBe('list-duplicate');
      expect(r.message).toMatch(/\.\.\. twice \(at \[0\] and \[1\]\)/);
    }
  });

  test('long DNS names one to Cilium only by a trailing dot: "one DNS name to Cilium", not "twice"', () => {
    const long = `${'a'.repeat(60)}.${'b'.repeat(30)}.example.com`;
    const r = refusal(() => new FqdnEgress(chart('shop'), 'f', { fqdns: [long, `${long}.`] }));
    expect(r.message).toContain('at [0] and ');
    expect(r.message).toContain('one DNS name to Cilium');
    expect(r.message).not.toContain('twice');
  });

  test('LabelExpression.in two distinct long values: not a duplicate', () => {
    const [a, b] = [`${'v'.repeat(90)}1`, `${'v'.repeat(90)}2`];
    expect(() => LabelExpression.in('app', [a, b])).not.toThrow();
    expect(refusal(() => LabelExpression.in('app', [a, a])).id).toBe('list-duplicate');
  });
});

// Session 57 review: a malformed entry given twice was refused as an entry twice, before its own refusal.
describe('a malformed entry given twice is refused as malformed', () => {
  test.each([
    ['ClusterDefaultDeny excludedNamespaces [null, null]', (c: Construct) => new ClusterDefaultDeny(c, 'c', { excludedNamespaces: [null, null] as unknown as string[] }),
      'namespace-name-syntax', 'ClusterDefaultDeny excludedNamespaces entry null is not a namespace name'],
    ['ClusterDefaultDeny excludedNamespaces Bad_NS twice', (c: Construct) => new ClusterDefaultDeny(c, 'c', { excludedNamespaces: ['Bad_NS', 'Bad_NS'] }),
      'namespace-name-syntax', 'ClusterDefaultDeny excludedNamespaces entry "Bad_NS" is not a namespace name'],
    ['MonitoringScrape namespaces Bad_NS twice', (c: Construct) => new MonitoringScrape(c, 'm', { scraper: SCRAPER, namespaces: ['Bad_NS', 'Bad_NS'],
      ports: [Port.tcp(9090)] }), 'namespace-name-syntax', 'MonitoringScrape namespaces entry "Bad_NS" is not a namespace name'],
    ['MetadataEndpointBlock namespaces Bad_NS twice', (c: Construct) => new MetadataEndpointBlock(c, 'm', { namespaces: ['Bad_NS', 'Bad_NS'] }),
      'namespace-name-syntax', 'MetadataEndpointBlock namespaces entry "Bad_NS" is not a namespace name'],
    ['FqdnEgress fqdns 1.2.3.4 twice', (c: Construct) => new FqdnEgress(c, 'f', { fqdns: ['1.2.3.4', '1.2.3.4'] }),
      undefined, 'FqdnEgress fqdns entry'],
    ['HttpRule.of headers "X-A:b" twice', () => HttpRule.of({ path: '/a', headers: ['X-A:b', 'X-A:b'] }),
      'l7-header-never-matches', 'HttpRule header "X-A:b" matches no request'],
  ] as [string, (c: Construct) => unknown, string | undefined, string][])('%s', (_name, build, id, message) => {
    const r = refusal(() => build(chart('shop')));
    expect(r.id).not.toBe('list-duplicate');
    if (id !== undefined) expect(r.id).toBe(id);
    expect(r.message).toContain(message);
  });
});
