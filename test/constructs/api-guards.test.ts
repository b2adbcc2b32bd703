// Calls written for 0.x, or from plain JavaScript, are refused with a coded error that shows the 1.0 form — never
// silently ignored (a dropped file name or host) and never a TypeError.
import * as kplus from 'cdk8s-plus-34';
import { describe, expect, test } from 'vitest';
import {
  CiliumPolicy, ClusterDefaultDeny, ClusterwidePolicy, DefaultDenyNamespace, DnsRule, EndpointSelector, FqdnEgress, Grpc, HostFirewall, HttpRule,
  IPortSpec, KafkaRule, L7, MetadataEndpointBlock, MonitoringScrape, NodeSelector, Peer, PolicySet, Port, Queries, TieredApp, VerdictKind,
} from '../../src';
import { chart, refusal } from '../support/synth';

const CNP = `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: web } }
  ingress: [{ toPorts: [{ ports: [{ port: "8080", protocol: TCP }] }] }]
`;

describe('positional arguments where 1.0 takes options', () => {
  test('PolicySet.fromYaml(text, file) of 0.x', () => {
    const r = refusal(() => PolicySet.fromYaml(CNP, 'policies.yaml' as never));
    expect(r.id).toBe('options-positional');
    expect(r.message).toMatch(/PolicySet\.fromYaml\(…, a string \("policies\.yaml"\)\): the second argument is an options object/);
    expect(r.message).toContain("{ file: 'policies.yaml'");
  });

  test('Queries.parseHttpRequest(text, host) of 0.x', () => {
    const r = refusal(() => Queries.parseHttpRequest('GET /', 'shop.example.com' as never));
    expect(r.id).toBe('options-positional');
    expect(Queries.parseHttpRequest('GET /', { host: 'shop.example.com' })).toMatchObject({ method: 'GET', path: '/', host: 'shop.example.com' });
  });

  test('a workload construct where an endpoint selector goes', () => {
    const c = chart('shop');
    const web = new kplus.Deployment(c, 'web', { containers: [{ image: 'nginx', portNumber: 8080 }] });
    const r = refusal(() => new CiliumPolicy(c, 'p', { endpointSelector: web as never }));
    expect(r.id).toBe('selector-unknown');
    expect(r.message).toContain('endpointSelector (the construct test/web) is not an endpoint selector');
    expect(r.message).toContain('EndpointSelector.workload(deployment)');
    // The 1.0 form works.
    expect(() => new CiliumPolicy(c, 'q', { endpointSelector: EndpointSelector.workload(web) })).not.toThrow();
  });

  test('something else where a node selector goes', () => {
    const c = chart();
    const r = refusal(() => new ClusterwidePolicy(c, 'host', { nodeSelector: { role: 'worker' } as never }));
    expect(r.id).toBe('selector-unknown');
    expect(r.message).toContain('nodeSelector (object) is not a node selector');
    expect(r.message).toContain('NodeSelector.labels({ … })');
    expect(() => new ClusterwidePolicy(c, 'host2', { nodeSelector: NodeSelector.labels({ role: 'worker' }) })).not.toThrow();
  });
});

describe('IPortSpec: a port value is whatever gives its layer-4 match', () => {
  test('Port values, and any IPortSpec, name a connection; other objects are refused', () => {
    expect(Queries.toConnection(Port.tcp(8080))).toEqual({ protocol: 'TCP', port: 8080 });
    const custom: IPortSpec = { toPortMatch: () => ({ l4: { port: '53', protocol: 'UDP' } }) };
    expect(Queries.toConnection(custom)).toEqual({ protocol: 'UDP', port: 53 });
    expect(Port.udp(53).toPortMatch()).toEqual({ l4: { port: '53', protocol: 'UDP' } });
    for (const bad of [{}, [1, 2], null]) {
      const r = refusal(() => Queries.toConnection(bad as never));
      expect(r.id).toBe('engine-port-syntax');
      expect(r.message).toMatch(/is not a port: expected a number, a string such as "8080\/TCP", or a Port\/Icmp value/);
    }
    const set = PolicySet.fromYaml(CNP);
    expect(set.verdict({ from: set.endpoint('pod:shop:app=x'), to: set.endpoint('pod:shop:app=web'), ...Queries.toConnection(custom) }).verdict).toBe(VerdictKind.DENIED);
    expect(set.verdict({ from: set.endpoint('pod:shop:app=x'), to: set.endpoint('pod:shop:app=web'), ...Queries.toConnection(Port.tcp(8080)) }).verdict).toBe(VerdictKind.ALLOWED);
  });
});

describe('null, undefined or a non-list where props, options or a list go: a coded error, never a TypeError', () => {
  const N = null as never;
  const U = undefined as never;

  test('props of the constructs (required ones also when left out)', () => {
    const cases: [string, (c: ReturnType<typeof chart>) => unknown][] = [
      ['new CiliumPolicy()', (c) => new CiliumPolicy(c, 'x', N)], ['new ClusterwidePolicy()', (c) => new ClusterwidePolicy(c, 'x', N)],
      ['new DefaultDenyNamespace()', (c) => new DefaultDenyNamespace(c, 'x', N)], ['new ClusterDefaultDeny()', (c) => new ClusterDefaultDeny(c, 'x', N)],
      ['new MetadataEndpointBlock()', (c) => new MetadataEndpointBlock(c, 'x', N)], ['new FqdnEgress()', (c) => new FqdnEgress(c, 'x', U)],
      ['new TieredApp()', (c) => new TieredApp(c, 'x', U)], ['new HostFirewall()', (c) => new HostFirewall(c, 'x', N)],
      ['new MonitoringScrape()', (c) => new MonitoringScrape(c, 'x', U)],
      ['addRule()', (c) => new CiliumPolicy(c, 'x').addRule(N)],
    ];
    for (const [what, run] of cases) {
      const r = refusal(() => run(chart('shop')));
      expect(r.id, what).toBe('props-not-object');
      expect(r.message, what).toMatch(new RegExp(`^\\[test/x\\] ${what.replace(/[()]/g, '\\$&')} got (null|undefined) where its (props|options) go`));
    }
  });

  test('options of the value factories', () => {
    for (const [what, run] of [['Port.of()', () => Port.of(N)], ['HttpRule.of()', () => HttpRule.of(N)], ['KafkaRule.of()', () => KafkaRule.of(U)],
      ['EndpointSelector.of()', () => EndpointSelector.of(N)], ['NodeSelector.of()', () => NodeSelector.of(U)], ['Peer.endpoints()', () => Peer.endpoints(N)],
      ['Peer.cidr()', () => Peer.cidr('10.0.0.0/8', N)], ['Peer.serviceSelector()', () => Peer.serviceSelector(U)]] as const) {
      const r = refusal(run);
      expect(r.id, what).toBe('props-not-object');
      expect(r.message, what).toContain(`${what} got`);
    }
  });

  test('lists that are not lists, or hold null', () => {
    const c = chart('shop');
    const cases: [() => unknown, RegExp][] = [
      [() => L7.http(N), /L7\.http\(\) rules\[0\] is null, not an HttpRule/], [() => L7.dns(HttpRule.any() as never, U), /L7\.dns\(\) rules\[1\] is undefined, not a DnsRule/],
      [() => L7.kafka(U), /L7\.kafka\(\) rules\[0\] is undefined, not a KafkaRule/], [() => L7.generic('r2d2', N), /L7\.generic\('r2d2'\) rules is null, not a list/],
      [() => Peer.cidr('10.0.0.0/8', { except: '10.1.0.0/16' as never }), /Peer\.cidr\(\) except is a string \("10\.1\.0\.0\/16"\), not a list/],
      [() => new FqdnEgress(c, 'f', { fqdns: 'api.example.com' as never }), /FqdnEgress fqdns is a string \("api\.example\.com"\), not a list/],
      [() => new TieredApp(c, 't', { tiers: [N] }), /TieredApp tiers\[0\] is null, not a tier/],
      [() => new TieredApp(c, 't2', { egressLockdown: true, tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)], egress: [U] }] }),
        /tier web egress\[0\] is undefined, not a TierEgress/],
    ];
    for (const [run, message] of cases) {
      const r = refusal(run);
      expect(r.id).toBe('list-entry-invalid');
      expect(r.message).toMatch(message);
    }
  });

  test('a string where a list of names or CIDRs goes: refused, not read character by character', () => {
    const scraper = Peer.endpoints({ namespace: 'mon', labels: { app: 'prom' } });
    const cases: [string, (c: ReturnType<typeof chart>) => unknown][] = [
      ['MonitoringScrape namespaces', (c) => new MonitoringScrape(c, 'x', { scraper, namespaces: 'shop' as never, ports: [Port.tcp(9090)] })],
      ['ClusterDefaultDeny excludedNamespaces', (c) => new ClusterDefaultDeny(c, 'x', { excludedNamespaces: 'cilium' as never })],
      ['HostFirewall managementCidrs', (c) => new HostFirewall(c, 'x', { managementCidrs: '10.50.0.0/24' as never })],
      ['HostFirewall nodeDnsServers', (c) => new HostFirewall(c, 'x', { managementCidrs: ['10.50.0.0/24'], nodeDnsServers: '10.0.0.10/32' as never })],
      ['ClusterwidePolicy lockoutExemptions', (c) => new ClusterwidePolicy(c, 'x', { lockoutExemptions: 'tunnel' as never })],
    ];
    for (const [what, run] of cases) {
      const r = refusal(() => run(chart()));
      expect(r.id, what).toBe('list-entry-invalid');
      expect(r.message, what).toMatch(new RegExp(`^\\[test/x\\] ${what} is a string \\(".*"\\), not a list`));
    }
  });

  test('one value where a list of them goes (dnsRules, TieredApp entry): refused, not a TypeError', () => {
    const dns = refusal(() => new DefaultDenyNamespace(chart('shop'), 'x', { dnsRules: DnsRule.exact('api.example.com') as never }));
    expect(dns.id).toBe('list-entry-invalid');
    expect(dns.message).toMatch(/dnsRules is a DnsRule, not a list/);
    const entry = refusal(() => new TieredApp(chart('shop'), 'x', { entry: Peer.allNamespaces() as never, tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)] }] }));
    expect(entry.id).toBe('list-entry-invalid');
    expect(entry.message).toMatch(/^\[test\/x\] TieredApp entry is a Peer, not a list/);
  });

  test('a selector, gRPC names, l7 and serverNames of the wrong type', () => {
    expect(refusal(() => Peer.selectedBy(N)).id).toBe('selector-unknown');
    expect(refusal(() => Grpc.service(N)).id).toBe('grpc-name-syntax');
    expect(refusal(() => Grpc.method(N, 'Get')).id).toBe('grpc-name-syntax');
    const p = new CiliumPolicy(chart('shop'), 'p');
    const l7 = refusal(() => p.allowIngress(Peer.any(), { ports: [Port.tcp(80)], l7: { http: [{ path: '/a' }] } as never }));
    expect(l7.id).toBe('l7-not-l7');
    expect(l7.message).toContain('l7 is an object that is not an L7 value');
    // A string was spread into one-character server names.
    const names = refusal(() => p.allowEgress(Peer.any(), { ports: [Port.tcp(443)], serverNames: 'api.example.com' as never }));
    expect(names.id).toBe('server-names-not-list');
    expect(names.message).toContain('serverNames is "api.example.com", not a list (a string would be read character by character)');
  });
});
