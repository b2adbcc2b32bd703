// Calls written for 0.x, or from plain JavaScript, are refused with a coded error that shows the 1.0 form — never
// silently ignored (a dropped file name or host) and never a TypeError.
import * as kplus from 'cdk8s-plus-34';
import { describe, expect, test } from 'vitest';
import {
  CiliumPolicy, ClusterDefaultDeny, ClusterwidePolicy, DefaultDenyNamespace, DnsRule, EndpointSelector, FqdnEgress, Grpc, HostFirewall, HttpRule,
  IPortSpec, KafkaRule, L7, MetadataEndpointBlock, MonitoringScrape, NodeSelector, Peer, PolicySet, Port, Queries, TieredApp, VerdictKind,
} from '../../src';
import { verdictOf } from '../support/construct-verdicts';
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

// A flag read from a config file or the environment arrives as the string 'false', which JavaScript reads as true: the
// constructs did the opposite of what was written.
describe('a flag that is not true or false is refused (flag-not-boolean)', () => {
  const WEB = 'pod:shop:app=web';
  const KUBE_DNS = 'pod:kube-system:k8s-app=kube-dns';

  test('FqdnEgress allowAllDnsLookups: "false" (every name could be looked up)', () => {
    const r = refusal(() => new FqdnEgress(chart('shop'), 'f', { fqdns: ['api.example.com'], allowAllDnsLookups: 'false' as never }));
    expect(r.id).toBe('flag-not-boolean');
    expect(r.message).toMatch(/^\[test\/f\] FqdnEgress allowAllDnsLookups is a string \("false"\), not true or false: JavaScript would read it as true/);
    expect(r.message).toContain('fix: pass allowAllDnsLookups: true or allowAllDnsLookups: false (a value read from a file or the environment: compare it');
    const c = chart('shop');
    new FqdnEgress(c, 'f', { fqdns: ['api.example.com'], allowAllDnsLookups: false });
    expect(verdictOf(c, WEB, KUBE_DNS, '53/UDP', { dns: 'api.example.com' })).toBe('allowed');
    expect(verdictOf(c, WEB, KUBE_DNS, '53/UDP', { dns: 'evil.example.com' })).toBe('l7-denied');
  });

  test('DefaultDenyNamespace stagedRollout: "false" (the default deny was written unenforced), and every other flag', () => {
    expect(refusal(() => new DefaultDenyNamespace(chart('shop'), 'd', { stagedRollout: 'false' as never })).id).toBe('flag-not-boolean');
    for (const flag of ['ingress', 'egress', 'allowWithinNamespace', 'allowKubeApiServer', 'allowHostProbes', 'blockMetadataEndpoint']) {
      const r = refusal(() => new DefaultDenyNamespace(chart('shop'), 'd', { [flag]: 'false' }));
      expect([r.id, r.message]).toEqual(['flag-not-boolean', expect.stringContaining(`DefaultDenyNamespace ${flag} is a string ("false")`)]);
    }
    const c = chart('shop');
    new DefaultDenyNamespace(c, 'd', { stagedRollout: false });
    expect(verdictOf(c, 'pod:other:app=x', WEB, '8080/TCP')).toBe('denied');
    expect(verdictOf(c, 'entity:host', WEB, '8080/TCP')).toBe('allowed');
  });

  test('Peer.endpoints allNamespaces: "false" (the pods of every namespace were selected)', () => {
    const r = refusal(() => Peer.endpoints({ labels: { app: 'web' }, allNamespaces: 'false' as never }));
    expect([r.id, r.message]).toEqual(['flag-not-boolean', expect.stringContaining('Peer.endpoints() allNamespaces is a string ("false")')]);
    const c = chart('shop');
    new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) })
      .allowIngress(Peer.endpoints({ labels: { app: 'web' }, allNamespaces: false }), { ports: [Port.tcp(80)] });
    expect(verdictOf(c, WEB, 'pod:shop:app=api', '80/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:other:app=web', 'pod:shop:app=api', '80/TCP')).toBe('denied');
  });

  test.each([
    ['ClusterDefaultDeny', (v: never) => new ClusterDefaultDeny(chart(), 'c', { dnsVisibility: v }), 'dnsVisibility'],
    ['ClusterDefaultDeny', (v: never) => new ClusterDefaultDeny(chart(), 'c', { egress: v }), 'egress'],
    ['MonitoringScrape', (v: never) => new MonitoringScrape(chart(), 'm', {
      scraper: Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } }), namespaces: ['shop'], ports: [Port.tcp(9090)], allowScraperEgress: v,
    }), 'allowScraperEgress'],
    ['TieredApp', (v: never) => new TieredApp(chart('shop'), 't', { egressLockdown: v, tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)] }] }),
      'egressLockdown'],
    ['HostFirewall', (v: never) => new HostFirewall(chart(), 'h', { managementCidrs: ['10.50.0.0/24'], wireGuard: v }), 'wireGuard'],
    ['HostFirewall', (v: never) => new HostFirewall(chart(), 'h', { managementCidrs: ['10.50.0.0/24'], nodeSelectorLabels: v }), 'nodeSelectorLabels'],
    ['enableDefaultDeny', (v: never) => new CiliumPolicy(chart('shop'), 'p', { enableDefaultDeny: { ingress: v } }), 'ingress'],
  ])('%s %s', (what, build, flag) => {
    for (const value of ['false', 1, 0, null]) {
      const r = refusal(() => build(value as never));
      expect([r.id, r.message]).toEqual(['flag-not-boolean', expect.stringContaining(`${what} ${flag} is `)]);
    }
  });
});

describe('a string or a boolean where an object goes is refused, never read character by character', () => {
  test('enableDefaultDeny: true (it was written as {}, both directions default deny) and labels: "x" (the label "0": "x")', () => {
    const edd = refusal(() => new CiliumPolicy(chart('shop'), 'p', { enableDefaultDeny: true as never }));
    expect([edd.id, edd.message]).toEqual(['props-not-object', expect.stringContaining('enableDefaultDeny got a boolean (true)')]);
    expect(refusal(() => new CiliumPolicy(chart('shop'), 'p', { labels: 'x' as never })).id).toBe('props-not-object');
  });

  test('HostFirewall controlPlaneNodeLabels: "cp" (fromNodes with the labels "0": "c", "1": "p") and an unknown routing mode (no tunnel port)', () => {
    const labels = refusal(() => new HostFirewall(chart(), 'h', { managementCidrs: ['10.50.0.0/24'], controlPlaneNodeLabels: 'cp' as never, nodeSelectorLabels: true }));
    expect([labels.id, labels.message]).toEqual(['props-not-object', expect.stringContaining('HostFirewall controlPlaneNodeLabels got a string ("cp")')]);
    const mode = refusal(() => new HostFirewall(chart(), 'h', { managementCidrs: ['10.50.0.0/24'], routingMode: 'vxlan2' as never }));
    expect([mode.id, mode.message]).toEqual(['host-firewall-routing-mode', expect.stringContaining('routingMode "vxlan2" is not a routing mode')]);
    const c = chart();
    new HostFirewall(c, 'h', { managementCidrs: ['10.50.0.0/24'], routingMode: 'geneve' as never });
    expect(verdictOf(c, 'entity:remote-node', 'node:kubernetes.io/hostname=n1', '6081/UDP', { hostFirewall: true })).toBe('allowed');
    expect(verdictOf(c, 'entity:remote-node', 'node:kubernetes.io/hostname=n1', '8472/UDP', { hostFirewall: true })).toBe('denied');
  });

  test('a string as MonitoringScrape scraper, or as a selector beside MetadataEndpointBlock namespaces: refused (a TypeError before)', () => {
    const scraper = refusal(() => new MonitoringScrape(chart(), 'm', { scraper: 'prometheus' as never, namespaces: ['shop'], ports: [Port.tcp(9090)] }));
    expect([scraper.id, scraper.message]).toEqual(['peer-unknown', expect.stringContaining('prometheus is not a peer')]);
    const selector = refusal(() => new MetadataEndpointBlock(chart(), 'm', { namespaces: ['shop'], endpointSelector: { app: 'web' } as never }));
    expect([selector.id, selector.message]).toEqual(['selector-unknown', expect.stringContaining('endpointSelector')]);
    expect(refusal(() => new ClusterDefaultDeny(chart(), 'c', { egress: true, dnsServer: 'kube-dns' as never })).id).toBe('peer-unknown');
  });
});
