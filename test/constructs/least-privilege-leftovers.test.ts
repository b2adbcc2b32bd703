// Least privilege leftovers (session 58): a list of DNS rules too long to spread into arguments, CIDR host bits named
// where they were written, peers in list props that cannot be read, one test of "is this a peer".
import { describe, expect, test } from 'vitest';
import {
  Builtins, CiliumPolicy, DnsRule, EndpointSelector, HostFirewall, HttpRule, L7, LabelExpression, MetadataEndpointBlock, Peer, Port, Tier, TieredApp,
  TierEgress,
} from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const CP = 'node:node-role.kubernetes.io/control-plane=';
const ON = { hostFirewall: true };
const DNS = 'pod:kube-system:k8s-app=kube-dns';

describe('a list of DNS rules is never spread into arguments', () => {
  test('Builtins.allowDns with 150,000 rules: each written once, in order, no stack overflow (a RangeError before)', () => {
    const c = chart('shop');
    const rules = Array.from({ length: 150_000 }, (_, i) => DnsRule.exact(`n${i}.example.com`));
    const policy = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) });
    Builtins.allowDns(policy.rule, { dnsRules: rules });
    // The written rules, not verdicts: the engine's lookup scans the 150,000 rules for seconds per name.
    const dns = (policy.apiObject.toJson() as { spec: { egress: { toPorts: { rules: { dns: { matchName: string }[] } }[] }[] } })
      .spec.egress[0].toPorts[0].rules.dns;
    expect([dns.length, dns[0].matchName, dns[149_999].matchName]).toEqual([150_000, 'n0.example.com', 'n149999.example.com']);
  });

  test('the same list short: its names looked up, another refused by the DNS proxy', () => {
    const c = chart('shop');
    Builtins.allowDns(new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).rule,
      { dnsRules: ['n0.example.com', 'n1.example.com'].map((n) => DnsRule.exact(n)) });
    expect(['n0.example.com', 'n1.example.com', 'n2.example.com']
      .map((dns) => verdictOf(c, 'pod:shop:app=web', DNS, '53/UDP', { dns }))).toEqual(['allowed', 'allowed', 'l7-denied']);
  });
});

describe('a CIDR with host bits in a construct\'s list is named by the prop and the construct path', () => {
  const builds: readonly [string, (cidr: string) => unknown][] = [
    ['HostFirewall managementCidrs[1]', (x) => new HostFirewall(chart('shop'), 'h', { managementCidrs: ['10.60.0.0/24', x] })],
    ['HostFirewall bgpPeers[0]', (x) => new HostFirewall(chart('shop'), 'h', { managementCidrs: ['10.60.0.0/24'], bgpPeers: [x] })],
    ['HostFirewall nodeDnsServers[0]', (x) => new HostFirewall(chart('shop'), 'h', { managementCidrs: ['10.60.0.0/24'], nodeDnsServers: [x] })],
    ['HostFirewall controlPlaneCidrs[0]',
      (x) => new HostFirewall(chart('shop'), 'h', { managementCidrs: ['10.60.0.0/24'], cidrMatchNodes: true, controlPlaneCidrs: [x] })],
    ['MetadataEndpointBlock extraCidrs[0]', (x) => new MetadataEndpointBlock(chart('shop'), 'h', { extraCidrs: [x] })],
  ];
  test.each(builds)('%s', (what, build) => {
    const r = refusal(() => build('10.50.0.1/24'));
    expect(r.id).toBe('peer-cidr-host-bits');
    expect(r.message).toContain(`[test/h] ${what} 10.50.0.1/24 has host bits set: Cilium masks it to 10.50.0.0/24`);
    expect(r.message).not.toContain('Peer.cidr()');
    expect(r.message).not.toContain('least-privilege-leftovers.test.ts');
    expect(() => build('10.50.0.0/24'), 'the network').not.toThrow();
  });

  test('Peer.cidr() itself keeps its name and the caller\'s line', () => {
    const r = refusal(() => Peer.cidr('10.50.0.1/24'));
    expect(r.message).toMatch(/^\[test\/constructs\/least-privilege-leftovers\.test\.ts:\d+\] Peer\.cidr\(\) 10\.50\.0\.1\/24 has host bits set/);
  });

  test('the network written: SSH from it allowed, from the next network denied', () => {
    const c = chart('shop');
    new HostFirewall(c, 'h', { managementCidrs: ['10.50.0.0/24'] });
    expect(['10.50.0.1', '10.50.0.254', '10.50.1.1'].map((ip) => verdictOf(c, `cidr:${ip}`, CP, '22/TCP', ON))).toEqual(['allowed', 'allowed', 'denied']);
  });
});

describe('a peer in a list prop that cannot be read is refused by its index, not thrown as a TypeError', () => {
  const unreadable: readonly [string, () => unknown][] = [
    ['a revoked proxy', () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; }],
    ['a mapping', () => ({ get toPeerConfig(): never { throw new Error('boom'); } })],
  ];
  const tiers = [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)] }];
  test.each(unreadable)('%s', (shown, make) => {
    for (const [what, build] of [
      ['HostFirewall apiServerClients[0]', () => new HostFirewall(chart('shop'), 'h', { managementCidrs: ['10.50.0.0/24'], apiServerClients: [make() as Peer] })],
      ['HostFirewall kubeletClients[0]', () => new HostFirewall(chart('shop'), 'h', { managementCidrs: ['10.50.0.0/24'], kubeletClients: [make() as Peer] })],
      ['TieredApp entry[0]', () => new TieredApp(chart('shop'), 'h', { entry: [make() as Peer], tiers })],
    ] as const) {
      const r = refusal(build);
      expect(r.id).toBe('peer-unknown');
      expect(r.message).toContain(`[test/h] ${what}: ${shown} whose toPeerConfig or _workload cannot be read is not a peer`);
    }
  });

  test('the same peers readable: written, the entry admitted and another pod denied', () => {
    const c = chart('shop');
    new TieredApp(c, 't', { entry: [Peer.namespace('ingress')], tiers });
    expect(['pod:ingress:app=traefik', 'pod:other:app=traefik'].map((from) => verdictOf(c, from, 'pod:shop:app=web', '80/TCP')))
      .toEqual(['allowed', 'denied']);
  });
});

describe('entries given twice are refused (list-duplicate), the list without the copy written', () => {
  const tier = (egress: TierEgress[]): Tier => ({ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)], egress });
  const DB = Peer.cidr('10.9.0.0/16');

  test('EndpointSelector and Peer.endpoints expressions: one requirement twice, or its values in another order', () => {
    const e = (...v: string[]): LabelExpression => LabelExpression.in('tier', v);
    const r = refusal(() => EndpointSelector.of({ labels: { app: 'x' }, expressions: [e('api'), LabelExpression.exists('team'), e('api')] }));
    expect(r.id).toBe('list-duplicate');
    expect(r.message).toContain('EndpointSelector.of() expressions lists tier In ["api"] twice (at [0] and [2])');
    expect(refusal(() => Peer.endpoints({ labels: { app: 'x' }, expressions: [e('a', 'b'), e('b', 'a')] })).message)
      .toContain('Peer.endpoints() expressions lists tier In ["a","b"] at [0] and tier In ["b","a"] at [1], one expression to Cilium (the values of In and NotIn are a set)');
    // Another operator or other values: two requirements.
    expect(() => EndpointSelector.of({ labels: { app: 'x' }, expressions: [e('a'), LabelExpression.notIn('tier', ['a'])] })).toThrow(/selects nothing|contradict/);
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'db' }) })
      .allowIngress(Peer.endpoints({ expressions: [e('web', 'api'), LabelExpression.exists('team')] }), { ports: [Port.tcp(5432)] });
    expect(['pod:shop:app=web,tier=web,team=a', 'pod:shop:app=web,tier=api,team=a', 'pod:shop:app=web,tier=api', 'pod:shop:app=web,tier=batch,team=a']
      .map((from) => verdictOf(c, from, 'pod:shop:app=db', '5432/TCP'))).toEqual(['allowed', 'allowed', 'denied', 'denied']);
  });

  test('TieredApp tier egress: one peer with the same ports (any order) twice; other ports are another entry', () => {
    const build = (egress: TierEgress[]): unknown => new TieredApp(chart('shop'), 't', { egressLockdown: true, tiers: [tier(egress)] });
    const r = refusal(() => build([{ peer: DB, ports: [Port.tcp(5432), Port.tcp(6432)] }, { peer: Peer.cidr('10.9.0.0/16'), ports: [Port.tcp(6432), Port.tcp(5432)] }]));
    expect(r.id).toBe('list-duplicate');
    expect(r.message).toContain('[test/t] tier web egress lists { peer: cidr 10.9.0.0/16, ports: 5432/TCP 6432/TCP } at [0] and '
      + '{ peer: cidr 10.9.0.0/16, ports: 6432/TCP 5432/TCP } at [1], one egress entry to Cilium (the ports of a rule are a set)');
    expect(refusal(() => build([{ peer: DB, ports: [Port.tcp(5432)] }, { peer: DB, ports: [Port.tcp(5432)] }])).message).toContain('twice (at [0] and [1])');
    const c = chart('shop');
    new TieredApp(c, 't', { egressLockdown: true, tiers: [tier([{ peer: DB, ports: [Port.tcp(5432)] }, { peer: DB, ports: [Port.tcp(6432)] }])] });
    expect(['5432/TCP', '6432/TCP', '7432/TCP'].map((port) => verdictOf(c, 'pod:shop:app=web', 'cidr:10.9.0.5', port))).toEqual(['allowed', 'allowed', 'denied']);
  });

  test('DNS rules: a pattern without * beside the name it spells; the DNS companion still looks up the name alone', () => {
    const r = refusal(() => L7.dns(DnsRule.exact('a.example.com'), DnsRule.pattern('A.example.com.')));
    expect(r.id).toBe('list-duplicate');
    expect(r.message).toContain('lists matchName "a.example.com" at [0] and matchPattern "A.example.com." at [1], one DNS rule to Cilium');
    expect(r.message).toContain('a pattern without * matches the one name it spells');
    expect(() => L7.dns(DnsRule.exact('a.example.com'), DnsRule.pattern('*.example.com'))).not.toThrow();
    const c = chart('shop');
    Builtins.allowDns(new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'web' }) }).rule, { dnsRules: [DnsRule.pattern('a.example.com')] });
    expect(['a.example.com', 'b.a.example.com'].map((dns) => verdictOf(c, 'pod:shop:app=web', DNS, '53/UDP', { dns }))).toEqual(['allowed', 'l7-denied']);
  });

  test('HttpRule headerMatches: one match twice; the same header with another value is another match', () => {
    const r = refusal(() => HttpRule.of({ path: '/a', headerMatches: [{ name: 'X-T', value: '1' }, { name: 'X-T', value: '1' }] }));
    expect(r.id).toBe('list-duplicate');
    expect(r.message).toContain('HttpRule.of() headerMatches lists {"name":"X-T","value":"1"} twice (at [0] and [1])');
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'api' }) }).allowIngress(Peer.endpoints({ labels: { app: 'web' } }),
      { ports: [Port.tcp(80)], l7: L7.http(HttpRule.of({ path: '/a', headerMatches: [{ name: 'X-T', value: '1' }] })) });
    expect([{ 'X-T': '1' }, { 'X-T': '2' }].map((headers) => verdictOf(c, 'pod:shop:app=web', 'pod:shop:app=api', '80/TCP', { http: { method: 'GET', path: '/a', headers } })))
      .toEqual(['allowed', 'l7-denied']);
  });
});
