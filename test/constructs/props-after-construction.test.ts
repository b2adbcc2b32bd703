// What a construct or a call was given is what it writes: lists and maps of props and options changed by the caller
// after the construct was built (or the call made) reach neither the checks nor the policy. Each case once opened more
// than the props said at construction (judged by the engine's verdicts).
import * as kplus from 'cdk8s-plus-34';
import { describe, expect, test } from 'vitest';
import {
  Builtins, CiliumPolicy, ClusterDefaultDeny, ClusterwidePolicy, DefaultDenyNamespace, DnsRule, EndpointSelector, Entity, FqdnEgress, HostFirewall,
  HostFirewallProps, HttpRule, IPeer, KafkaRole, KafkaRule, L7, MetadataEndpointBlock, MonitoringScrape, NodeSelector, Peer, Port, TieredApp,
  EndpointsPeerOptions, LabelSelectorOptions, LockoutExemption, LockoutPath, PortOptions, Protocol, ServiceSelectorPeerOptions,
} from '../../src';
import { decidedBy, judge, verdictOf } from '../support/construct-verdicts';
import { Chart, Testing } from 'cdk8s';
import { chart, refusal, synthFailure } from '../support/synth';

const CP = 'node:node-role.kubernetes.io/control-plane=';
const ON = { hostFirewall: true };

describe('HostFirewall reads its props at construction, not at the first egress rule', () => {
  /** A firewall on the control-plane nodes, its props kept by the caller. */
  function firewall(extra: Partial<HostFirewallProps>) {
    const c = chart();
    const props = {
      nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }),
      managementCidrs: ['10.50.0.0/24'],
      nodeDnsServers: ['169.254.169.253/32'],
      ...extra,
    };
    return { c, props, fw: new HostFirewall(c, 'cp', props) };
  }

  test('nodeDnsServers changed to 0.0.0.0/0 after construction: node DNS still goes to the resolver only', () => {
    const { c, props, fw } = firewall({});
    props.nodeDnsServers[0] = '0.0.0.0/0';
    fw.allowEgress(Peer.cidr('10.9.0.0/16'), { ports: [Port.tcp(443)] });
    expect(verdictOf(c, CP, 'cidr:169.254.169.253', '53/UDP', ON)).toBe('allowed');
    expect(verdictOf(c, CP, 'cidr:8.8.8.8', '53/UDP', ON)).toBe('denied');
  });

  test('a BGP peer pushed after construction is not opened (in or out)', () => {
    const bgpPeers = ['10.1.0.1/32'];
    const { c, fw } = firewall({ bgpPeers });
    bgpPeers.push('0.0.0.0/0');
    fw.denyEgress(Peer.cidr('192.0.2.0/24'), { ports: [Port.tcp(25)] });
    expect(verdictOf(c, CP, 'cidr:10.1.0.1', '179/TCP', ON)).toBe('allowed');
    expect(verdictOf(c, CP, 'cidr:8.8.8.8', '179/TCP', ON)).toBe('denied');
    expect(verdictOf(c, 'cidr:8.8.8.8', CP, '179/TCP', ON)).toBe('denied');
  });

  test('managementCidrs replaced by 0.0.0.0/0 after construction: the break-glass path stays as given', () => {
    const { c, props } = firewall({});
    props.managementCidrs.splice(0, 1, '0.0.0.0/0');
    expect(verdictOf(c, 'cidr:10.50.0.7', CP, '22/TCP', ON)).toBe('allowed');
    expect(verdictOf(c, 'cidr:203.0.113.5', CP, '22/TCP', ON)).toBe('denied');
  });
});

describe('a policy rule keeps its options and each call its lists as given', () => {
  const API = 'pod:shop:app=api';

  test('serverNames emptied after allowEgress(): the SNI restriction stays (it was dropped: any server name)', () => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    const serverNames = ['api.example.com'];
    p.allowEgress(Peer.cidr('192.0.2.0/24'), { ports: [Port.tcp(443)], serverNames });
    serverNames.length = 0;
    const egress = judge(c, API, 'cidr:192.0.2.1', 443).egress;
    expect(egress.decision).toBe('allowed');
    expect(egress.notes.join('\n')).toMatch(/restricts the TLS SNI to api\.example\.com/);
  });

  test('enableDefaultDeny turned off after construction: the pods stay in ingress default deny', () => {
    const c = chart('shop');
    const enableDefaultDeny = { ingress: true };
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }), enableDefaultDeny });
    p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(8080)] });
    enableDefaultDeny.ingress = false;
    expect(decidedBy(c, 'pod:shop:app=web', API, '8080/TCP', 'ingress')).toBe('allowed api spec.ingress[0]');
    expect(decidedBy(c, 'pod:shop:app=other', API, '8080/TCP', 'ingress')).toBe('default-deny');
  });

  test('addRule() options are copied too', () => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    p.isolateIngress();
    const enableDefaultDeny = { ingress: true };
    p.addRule({ endpointSelector: EndpointSelector.labels({ app: 'db' }), enableDefaultDeny })
      .allowIngress(Peer.endpoints({ labels: { app: 'api' } }), { ports: [Port.tcp(5432)] });
    enableDefaultDeny.ingress = false;
    expect(decidedBy(c, 'pod:shop:app=web', 'pod:shop:app=db', '5432/TCP', 'ingress')).toBe('default-deny');
  });
});

describe('a peer named for a role is written as it was judged, not as it answers at synthesis', () => {
  /** A peer of one's own that answers what `state.peer` answers when read: a resolver or a scraper kept in the caller's config. */
  function live(initial: Peer): { state: { peer: Peer }; peer: IPeer } {
    const state = { peer: initial };
    return { state, peer: { toPeerConfig: () => state.peer.toPeerConfig() } };
  }
  const WORLD = Peer.entity(Entity.WORLD);
  const prometheus = () => live(Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } }));

  // Each turned to the world after the construct checked it (dns-server-world, scraper-world, host-firewall-peer-world), and
  // the policy opened the path to the internet.
  test('a DNS server (Builtins.allowDns: DefaultDenyNamespace, FqdnEgress, ClusterDefaultDeny): DNS goes to the resolver only', () => {
    const builds: [string, (c: ReturnType<typeof chart>, dnsServer: IPeer) => void][] = [
      ['DefaultDenyNamespace', (c, dnsServer) => new DefaultDenyNamespace(c, 'd', { dnsServer })],
      ['FqdnEgress', (c, dnsServer) => new FqdnEgress(c, 'f', { fqdns: ['api.example.com'], dnsServer })],
      ['ClusterDefaultDeny', (c, dnsServer) => new ClusterDefaultDeny(c, 'd', { egress: true, dnsServer })],
    ];
    for (const [name, build] of builds) {
      const c = chart('shop');
      const resolver = live(Peer.cidr('10.96.0.10/32'));
      build(c, resolver.peer);
      resolver.state.peer = WORLD;
      expect(verdictOf(c, 'pod:shop:app=x', 'cidr:8.8.8.8', '53/UDP', { dns: 'api.example.com' }), name).toBe('denied');
      expect(verdictOf(c, 'pod:shop:app=x', 'cidr:10.96.0.10', '53/UDP', { dns: 'api.example.com' }), name).toBe('allowed');
    }
  });

  test('a scraper (DefaultDenyNamespace scrapeFrom, TieredApp metricsFrom, MonitoringScrape scraper): the metrics port stays the scraper\'s', () => {
    const ddn = chart('shop');
    const a = prometheus();
    new DefaultDenyNamespace(ddn, 'd', { scrapeFrom: a.peer, scrapePorts: [Port.tcp(9090)] });
    a.state.peer = WORLD;
    const app = chart('shop');
    const b = prometheus();
    new TieredApp(app, 't', { metricsFrom: b.peer, tiers: [{ name: 'x', labels: { app: 'x' }, ports: [Port.tcp(80)], metricsPorts: [Port.tcp(9090)] }] });
    b.state.peer = WORLD;
    const scrape = chart();
    const m = prometheus();
    new DefaultDenyNamespace(scrape, 'd', { namespace: 'shop', egress: false });
    new MonitoringScrape(scrape, 'm', { scraper: m.peer, namespaces: ['shop'], ports: [Port.tcp(9090)] });
    m.state.peer = Peer.allNamespaces();
    for (const c of [ddn, app, scrape]) {
      expect(verdictOf(c, 'cidr:8.8.8.8', 'pod:shop:app=x', '9090/TCP')).toBe('denied');
      expect(verdictOf(c, 'pod:tenant:app=prometheus', 'pod:shop:app=x', '9090/TCP')).toBe('denied');
      expect(verdictOf(c, 'pod:monitoring:app=prometheus', 'pod:shop:app=x', '9090/TCP')).toBe('allowed');
    }
  });

  test('a workload (Peer.workload()) is still read at synthesis: pod labels added after the construct select the DNS server', () => {
    const c = chart('shop');
    const dns = new kplus.Deployment(c, 'resolver', {
      metadata: { namespace: 'kube-system' }, podMetadata: { labels: { app: 'resolver' } }, containers: [{ image: 'coredns', portNumber: 53 }],
    });
    new DefaultDenyNamespace(c, 'd', { dnsServer: Peer.workload(dns) });
    dns.podMetadata.addLabel('tier', 'dns');
    expect(verdictOf(c, 'pod:shop:app=x', 'pod:kube-system:app=resolver,tier=dns', '53/UDP', { dns: 'api.example.com' })).toBe('allowed');
    // Read at construction, the DNS rule would select every pod labelled app=resolver, this one too (not one of the workload's).
    expect(verdictOf(c, 'pod:shop:app=x', 'pod:kube-system:app=resolver,v=2', '53/UDP', { dns: 'api.example.com' })).toBe('denied');
  });

  test('a function with a toPeerConfig (a class given for its static method) is no peer: refused as anywhere else, not wrapped into one', () => {
    class Resolver {
      public static toPeerConfig() {
        return Peer.cidr('10.96.0.10/32').toPeerConfig();
      }
    }
    expect(() => new DefaultDenyNamespace(chart('shop'), 'd', { dnsServer: Resolver as unknown as IPeer })).toThrow(/peer-unknown/);
  });

  test('a workload construct given itself as the DNS server (plain JavaScript) is refused as no peer, with Peer.workload() as the fix', () => {
    const c = chart('shop');
    const dns = new kplus.Deployment(c, 'resolver', { podMetadata: { labels: { app: 'resolver' } }, containers: [{ image: 'coredns', portNumber: 53 }] });
    const refused = refusal(() => new DefaultDenyNamespace(c, 'd', { dnsServer: dns as unknown as IPeer }));
    expect(refused.id).toBe('peer-unknown');
    expect(refused.message).toContain('fix: wrap a workload or Service in Peer.workload()');
  });

  test('HostFirewall kubeletClients and metricsScraper: the kubelet and the metrics stay closed to the world', () => {
    const c = chart();
    const kubelet = live(Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } }));
    const scraper = prometheus();
    new HostFirewall(c, 'h', { managementCidrs: ['10.50.0.0/24'], kubeletClients: [kubelet.peer], metricsScraper: scraper.peer });
    kubelet.state.peer = WORLD;
    scraper.state.peer = WORLD;
    expect(verdictOf(c, 'cidr:8.8.8.8', 'entity:host', '10250/TCP', ON)).toBe('denied');
    expect(verdictOf(c, 'cidr:8.8.8.8', 'entity:host', '9962/TCP', ON)).toBe('denied');
    expect(verdictOf(c, 'pod:kube-system:k8s-app=metrics-server', 'entity:host', '10250/TCP', ON)).toBe('allowed');
  });
});

// A getter (or a Proxy) among the props was read by each check and again when written: the checks saw one value and the
// policy got another. The props are read once (`readPropsOnce`), so what is written is what was checked.
describe('props are read once: a getter answers the checks and the policy alike', () => {
  test('FqdnEgress fqdns answering api.example.com to the checks and * after: only api.example.com may be looked up (it was every name)', () => {
    const c = chart('shop');
    let reads = 0;
    const props = {
      endpointSelector: EndpointSelector.labels({ app: 'a' }),
      get fqdns(): string[] { reads += 1; return reads === 1 ? ['api.example.com'] : ['*']; },
    };
    new FqdnEgress(c, 'f', props);
    const dns = (name: string): string => verdictOf(c, 'pod:shop:app=a', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: name });
    expect(dns('api.example.com')).toBe('allowed');
    expect(dns('evil.example.org')).toBe('l7-denied');
    expect(reads).toBe(1);
  });
});

describe('props given as a class instance or over a prototype are read as a plain object is (a spread left their keys out)', () => {
  /** The same props as a class whose getters live on its prototype. */
  function asClass<T extends object>(props: T): T {
    class Given {
      public readonly given = true;
    }
    for (const [key, value] of Object.entries(props)) Object.defineProperty(Given.prototype, key, { get: () => value });
    return new Given() as T;
  }
  /** The same props as the prototype of an empty object (`Object.create`). */
  const overPrototype = <T extends object>(props: T): T => Object.create(props) as T;
  type Query = [from: string, to: string, port: string, options: Record<string, unknown>, expected: string];
  const CP_SEL = NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' });
  const cases: [string, string | undefined, (c: ReturnType<typeof chart>, wrap: <T extends object>(p: T) => T) => void, Query[]][] = [
    ['DefaultDenyNamespace dnsRules', 'shop', (c, w) => new DefaultDenyNamespace(c, 'd', w({ namespace: 'shop', dnsRules: [DnsRule.exact('api.example.com')] })), [
      ['pod:shop:app=x', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'api.example.com' }, 'allowed'],
      ['pod:shop:app=x', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'evil.example.org' }, 'l7-denied'],
    ]],
    ['ClusterDefaultDeny excludedNamespaces', undefined, (c, w) => new ClusterDefaultDeny(c, 'd', w({ excludedNamespaces: ['kube-system', 'monitoring'] })), [
      ['pod:shop:app=x', 'pod:monitoring:app=prometheus', '9090/TCP', {}, 'allowed'],
      ['pod:monitoring:app=prometheus', 'pod:shop:app=x', '9090/TCP', {}, 'denied'],
    ]],
    ['FqdnEgress fqdns, endpointSelector', 'shop', (c, w) => new FqdnEgress(c, 'f', w({ endpointSelector: EndpointSelector.labels({ app: 'a' }), fqdns: ['api.example.com'] })), [
      ['pod:shop:app=a', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'api.example.com' }, 'allowed'],
      ['pod:shop:app=a', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'evil.example.org' }, 'l7-denied'],
    ]],
    ['CiliumPolicy endpointSelector', 'shop', (c, w) => new CiliumPolicy(c, 'p', w({ endpointSelector: EndpointSelector.labels({ app: 'a' }) }))
      .allowIngress(Peer.endpoints({ labels: { app: 'b' } }), { ports: [Port.tcp(80)] }), [
      ['pod:shop:app=b', 'pod:shop:app=a', '80/TCP', {}, 'allowed'],
      ['pod:shop:app=b', 'pod:shop:app=a', '81/TCP', {}, 'denied'],
      ['pod:shop:app=z', 'pod:shop:app=c', '81/TCP', {}, 'allowed'],
    ]],
    ['ClusterwidePolicy nodeSelector', undefined, (c, w) => new ClusterwidePolicy(c, 'p', w({ nodeSelector: CP_SEL }))
      .allowIngress(Peer.cidr('10.50.0.0/24'), { ports: [Port.tcp(22)] }), [
      ['cidr:10.50.0.7', CP, '22/TCP', ON, 'allowed'],
      ['cidr:203.0.113.5', CP, '22/TCP', ON, 'denied'],
      ['cidr:203.0.113.5', 'node:role=worker', '22/TCP', ON, 'allowed'],
    ]],
    ['HostFirewall managementCidrs, nodeSelector', undefined, (c, w) => new HostFirewall(c, 'cp', w({ nodeSelector: CP_SEL, managementCidrs: ['10.50.0.0/24'] })), [
      ['cidr:10.50.0.7', CP, '22/TCP', ON, 'allowed'],
      ['cidr:203.0.113.5', CP, '22/TCP', ON, 'denied'],
    ]],
    ['TieredApp tiers (each tier too)', 'shop', (c, w) => new TieredApp(c, 't', w({
      tiers: [w({ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(8080)] }), w({ name: 'db', labels: { app: 'db' }, ports: [Port.tcp(5432)] })],
    })), [
      ['pod:shop:app=web', 'pod:shop:app=db', '5432/TCP', {}, 'allowed'],
      ['pod:shop:app=x', 'pod:shop:app=db', '5432/TCP', {}, 'denied'],
      ['pod:shop:app=web', 'pod:shop:app=db', '8080/TCP', {}, 'denied'],
    ]],
    ['MonitoringScrape namespaces, ports', undefined, (c, w) => {
      new DefaultDenyNamespace(c, 'd', { namespace: 'shop', egress: false });
      new MonitoringScrape(c, 'm', w({ scraper: Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } }), namespaces: ['shop'], ports: [Port.tcp(9090)] }));
    }, [
      ['pod:monitoring:app=prometheus', 'pod:shop:app=x', '9090/TCP', {}, 'allowed'],
      ['pod:tenant:app=prometheus', 'pod:shop:app=x', '9090/TCP', {}, 'denied'],
    ]],
    ['MetadataEndpointBlock namespace', undefined, (c, w) => new MetadataEndpointBlock(c, 'm', w({ namespace: 'shop' })), [
      ['pod:shop:app=x', 'cidr:169.254.169.254', '80/TCP', {}, 'denied'],
      ['pod:other:app=x', 'cidr:169.254.169.254', '80/TCP', {}, 'allowed'],
    ]],
    ['HttpRule.of path, headerMatches', 'shop', (c, w) => new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) })
      .allowIngress(Peer.endpoints({ labels: { app: 'b' } }), { ports: [Port.tcp(80)], l7: L7.http(HttpRule.of(w({ path: '/api/.*', headerMatches: [w({ name: 'X-Tenant', value: 'a' })] }))) }), [
      ['pod:shop:app=b', 'pod:shop:app=a', '80/TCP', { http: { method: 'GET', path: '/api/x', headers: { 'X-Tenant': 'a' } } }, 'allowed'],
      ['pod:shop:app=b', 'pod:shop:app=a', '80/TCP', { http: { method: 'GET', path: '/admin', headers: { 'X-Tenant': 'a' } } }, 'l7-denied'],
      ['pod:shop:app=b', 'pod:shop:app=a', '80/TCP', { http: { method: 'GET', path: '/api/x', headers: { 'X-Tenant': 'b' } } }, 'l7-denied'],
    ]],
    ['KafkaRule.of topic', 'shop', (c, w) => new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) })
      .allowIngress(Peer.endpoints({ labels: { app: 'b' } }), { ports: [Port.tcp(9092)], l7: L7.kafka(KafkaRule.of(w({ role: KafkaRole.PRODUCE, topic: 'orders' }))) }), [
      ['pod:shop:app=b', 'pod:shop:app=a', '9092/TCP', { kafka: { apiKey: 'produce', topic: 'orders' } }, 'allowed'],
      ['pod:shop:app=b', 'pod:shop:app=a', '9092/TCP', { kafka: { apiKey: 'produce', topic: 'payments' } }, 'l7-denied'],
    ]],
  ];
  for (const [name, namespace, build, queries] of cases) {
    for (const [form, wrap] of [['a plain object', <T extends object>(p: T): T => p], ['a class instance', asClass], ['Object.create', overPrototype]] as const) {
      test(`${name}, given as ${form}`, () => {
        const c = chart(namespace);
        build(c, wrap);
        for (const [from, to, port, options, expected] of queries) expect(verdictOf(c, from, to, port, options), `${from} -> ${to} ${port}`).toBe(expected);
      });
    }
  }
});

describe('factories read each option once: a getter answers the checks and the policy alike', () => {
  /** A getter that answers `first` on its first read and `after` on every later one. */
  function twoFaced<T>(first: T, after: T): { get: () => T } {
    let reads = 0;
    return { get: () => (reads++ === 0 ? first : after) };
  }

  test('Port.of protocol answering TCP then null: TCP only (it was written ANY: UDP allowed)', () => {
    const c = chart('shop');
    const protocol = twoFaced<Protocol | null>(Protocol.TCP, null);
    const port = Port.of(Object.defineProperty({ port: 80 }, 'protocol', { get: protocol.get, enumerable: true }) as PortOptions);
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) }).allowIngress(Peer.endpoints({ labels: { app: 'b' } }), { ports: [port] });
    expect(verdictOf(c, 'pod:shop:app=b', 'pod:shop:app=a', '80/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=b', 'pod:shop:app=a', '80/UDP')).toBe('denied');
  });

  test('Peer.endpoints labels answering app=db then {}: db only (it was every pod of the namespace)', () => {
    const c = chart('shop');
    const labels = twoFaced<Record<string, string>>({ app: 'db' }, {});
    const peer = Peer.endpoints(Object.defineProperty({ namespace: 'o' }, 'labels', { get: labels.get, enumerable: true }) as EndpointsPeerOptions);
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) }).allowEgress(peer, { ports: [Port.tcp(5432)] });
    expect(verdictOf(c, 'pod:shop:app=a', 'pod:o:app=db', '5432/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=a', 'pod:o:app=web', '5432/TCP')).toBe('denied');
  });

  test('EndpointSelector.of labels answering app=a then {}: the policy selects app=a only (it was every pod)', () => {
    const c = chart('shop');
    const labels = twoFaced<Record<string, string>>({ app: 'a' }, {});
    const selector = EndpointSelector.of(Object.defineProperty({}, 'labels', { get: labels.get, enumerable: true }) as LabelSelectorOptions);
    new CiliumPolicy(c, 'p', { endpointSelector: selector }).allowIngress(Peer.endpoints({ labels: { app: 'b' } }), { ports: [Port.tcp(80)] });
    expect(verdictOf(c, 'pod:shop:app=b', 'pod:shop:app=a', '81/TCP')).toBe('denied');
    expect(verdictOf(c, 'pod:shop:app=b', 'pod:shop:app=c', '81/TCP')).toBe('allowed');
  });
});

// Session 47: Peer.serviceSelector() read its namespace four times (the check twice, the writer twice): a getter answering
// `shop` to the checks and nothing after was written without it, so the policy's own namespace's Services were selected.
test('Peer.serviceSelector namespace answering shop to the checks and undefined after: the Services of shop (it was the policy\'s namespace)', () => {
  let reads = 0;
  const options = Object.defineProperty({ labels: { tier: 'data' } }, 'namespace', { get: () => (reads++ < 2 ? 'shop' : undefined), enumerable: true });
  const c = chart('web');
  new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) })
    .allowEgress(Peer.serviceSelector(options as ServiceSelectorPeerOptions), { ports: [Port.tcp(5432)] });
  const [policy] = Testing.synth(c) as { spec: { egress: { toServices: { k8sServiceSelector: { namespace?: string } }[] }[] } }[];
  expect(policy.spec.egress[0].toServices[0].k8sServiceSelector.namespace).toBe('shop');
  expect(reads).toBe(1);
});

describe('allow and deny calls and addRule() read each option once (session 46)', () => {
  /** A getter that answers `first` to its first `times` reads and `after` to every later one; `reads()` says how often it was read. */
  function answers<T>(first: T, after: T, times = 1): { get: () => T; reads: () => number } {
    let reads = 0;
    return { get: () => (reads++ < times ? first : after), reads: () => reads };
  }
  const API = 'pod:shop:app=api';

  // The policy's call and its rule's each checked serverNames (two reads each) and the rule kept a spread of the options: a
  // getter answering the list to the policy's checks and undefined after was written without it (any server name).
  test('serverNames answering api.example.com to the checks and undefined after: the SNI restriction is written (it was dropped)', () => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    const serverNames = answers<string[] | undefined>(['api.example.com'], undefined, 2);
    p.allowEgress(Peer.cidr('192.0.2.0/24'), Object.defineProperty({ ports: [Port.tcp(443)] }, 'serverNames', { get: serverNames.get, enumerable: true }));
    const egress = judge(c, API, 'cidr:192.0.2.1', 443).egress;
    expect(egress.decision).toBe('allowed');
    expect(egress.notes.join('\n')).toMatch(/restricts the TLS SNI to api\.example\.com/);
    expect(serverNames.reads()).toBe(1);
  });

  test('l7 answering GET /health to the checks and undefined after: GET /admin is refused by the proxy (it was written without rules: allowed)', () => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    const l7 = answers<L7 | undefined>(L7.http(HttpRule.get('/health')), undefined, 2);
    p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), Object.defineProperty({ ports: [Port.tcp(80)] }, 'l7', { get: l7.get, enumerable: true }));
    expect(verdictOf(c, 'pod:shop:app=web', API, 80, { http: 'GET /health' })).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=web', API, 80, { http: 'GET /admin' })).toBe('l7-denied');
    expect(l7.reads()).toBe(1);
  });

  test('addRule() enableDefaultDeny answering ingress: true then false: the rule\'s pods stay in default deny (they were left open)', () => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    p.isolateIngress();
    const edd = answers({ ingress: true }, { ingress: false });
    p.addRule(Object.defineProperty({ endpointSelector: EndpointSelector.labels({ app: 'db' }) }, 'enableDefaultDeny', { get: edd.get, enumerable: true }))
      .allowIngress(Peer.endpoints({ labels: { app: 'api' } }), { ports: [Port.tcp(5432)] });
    expect(decidedBy(c, API, 'pod:shop:app=db', '5432/TCP', 'ingress')).toMatch(/^allowed /);
    expect(decidedBy(c, 'pod:shop:app=web', 'pod:shop:app=db', '5432/TCP', 'ingress')).toBe('default-deny');
    expect(edd.reads()).toBe(1);
  });

  test('an enableDefaultDeny flag answering true to its check and false after: written true (it was written false, the pods open)', () => {
    const c = chart('shop');
    const ingress = answers(true, false);
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }),
      enableDefaultDeny: Object.defineProperty({}, 'ingress', { get: ingress.get, enumerable: true }) });
    p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(80)] });
    expect(decidedBy(c, 'pod:shop:app=other', API, '80/TCP', 'ingress')).toBe('default-deny');
    expect(ingress.reads()).toBe(1);
  });

  test('Peer.cidr except answering the hole to the checks and [] after: the hole stays out (it was written without except: allowed)', () => {
    const c = chart('shop');
    const except = answers(['10.1.0.0/16'], [] as string[], 2);
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) })
      .allowEgress(Peer.cidr('10.0.0.0/8', Object.defineProperty({}, 'except', { get: except.get, enumerable: true })), { ports: [Port.tcp(443)] });
    expect(verdictOf(c, 'pod:shop:app=a', 'cidr:10.2.0.1', '443/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=a', 'cidr:10.1.0.1', '443/TCP')).toBe('denied');
    expect(except.reads()).toBe(1);
  });

  test('Builtins.allowDns dnsRules answering api.example.com to the checks and undefined after: that name only (it was every name)', () => {
    const c = chart('shop');
    const dnsRules = answers<DnsRule[] | undefined>([DnsRule.exact('api.example.com')], undefined, 5);
    const p = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) });
    Builtins.allowDns(p.rule, Object.defineProperty({}, 'dnsRules', { get: dnsRules.get, enumerable: true }));
    const dns = (name: string): string => verdictOf(c, 'pod:shop:app=a', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: name });
    expect(dns('api.example.com')).toBe('allowed');
    expect(dns('evil.example.org')).toBe('l7-denied');
    expect(dnsRules.reads()).toBe(1);
  });

  // Before session 46 addRule() spread its options: a class instance's prototype getters were left out, and the rule was written
  // `endpointSelector: {}` (every pod of the namespace) with the default deny of its sections; an enableDefaultDeny class whose
  // ingress is a getter was written `{}` (default deny kept). Both are now read as given.
  test('addRule() options as a class with prototype getters: the rule selects the pods meant (it selected every pod)', () => {
    class DbRule {
      get endpointSelector(): EndpointSelector { return EndpointSelector.labels({ app: 'db' }); }
    }
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(80)] });
    p.addRule(new DbRule()).allowIngress(Peer.endpoints({ labels: { app: 'api' } }), { ports: [Port.tcp(5432)] });
    expect(decidedBy(c, API, 'pod:shop:app=db', '5432/TCP', 'ingress')).toMatch(/^allowed api specs\[1\]/);
    expect(decidedBy(c, 'pod:shop:app=web', 'pod:shop:app=db', '5432/TCP', 'ingress')).toBe('default-deny');
    // A pod of no rule stays out of the policy (every pod was in the rule's default deny).
    expect(verdictOf(c, 'pod:shop:app=web', 'pod:shop:app=cache', '6379/TCP')).toBe('allowed');
  });

  test('an enableDefaultDeny class whose ingress is a getter answering false: the pods are not put into default deny (they were)', () => {
    class NoIngressDefaultDeny {
      get ingress(): boolean { return false; }
    }
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    p.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), { ports: [Port.tcp(80)] });
    p.addRule({ endpointSelector: EndpointSelector.labels({ app: 'db' }), enableDefaultDeny: new NoIngressDefaultDeny() })
      .allowIngress(Peer.endpoints({ labels: { app: 'api' } }), { ports: [Port.tcp(5432)] });
    const q = new CiliumPolicy(c, 'cache', { endpointSelector: EndpointSelector.labels({ app: 'cache' }), enableDefaultDeny: new NoIngressDefaultDeny() });
    q.allowIngress(Peer.endpoints({ labels: { app: 'api' } }), { ports: [Port.tcp(6379)] });
    expect(decidedBy(c, API, 'pod:shop:app=db', '5432/TCP', 'ingress')).toMatch(/^allowed api specs\[1\]/);
    expect(decidedBy(c, 'pod:shop:app=web', 'pod:shop:app=db', '5432/TCP', 'ingress')).toBe('non-default-deny-allow');
    expect(decidedBy(c, 'pod:shop:app=web', 'pod:shop:app=cache', '6379/TCP', 'ingress')).toBe('non-default-deny-allow');
    // The policy's own pods keep their default deny.
    expect(decidedBy(c, 'pod:shop:app=other', API, '80/TCP', 'ingress')).toBe('default-deny');
  });

  // The checks read the props given, and the annotation too, after the props were copied: a getter answering a checked list
  // to the copy and another after had the other one written, a path exempted that the caller did not exempt.
  test('ClusterwidePolicy lockoutExemptions answering hubble then tunnel: the tunnel deny is still refused (it was exempted)', () => {
    const c = new Chart(Testing.app(), 'hosts');
    new ClusterwidePolicy(c, 'open', { nodeSelector: NodeSelector.all() }).allowIngress(Peer.entity(Entity.ALL), { ports: [Port.allPorts()] });
    const exemptions = answers<LockoutExemption[]>([{ path: LockoutPath.HUBBLE, reason: 'no Hubble' }], [{ path: LockoutPath.TUNNEL, reason: 'native routing' }]);
    const deny = new ClusterwidePolicy(c, 'deny', Object.defineProperty({ nodeSelector: NodeSelector.all() }, 'lockoutExemptions',
      { get: exemptions.get, enumerable: true }));
    deny.denyIngress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.udp(8472)] });
    expect(synthFailure(c)).toMatch(/cuts the tunnel path .*\(pitfall-host-deny-lockout\)/s);
    expect(exemptions.reads()).toBe(1);
  });
});
