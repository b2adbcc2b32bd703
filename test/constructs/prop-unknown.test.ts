// Props and options a construct or factory does not declare (src/constructs/prop-keys.ts): from plain JavaScript, `as any`
// or a spread object, a misspelled key was dropped and the default applied, which can allow more than asked
// (`egresLockdown: true` left every tier's egress open). Each construct, each nested struct of its props, and each
// options object of the peers and builders refuses such a key (`prop-unknown`) and names the prop meant; a key set to
// `undefined` is accepted and changes nothing. Every value is built inside a test.
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  Builtins, CidrPeerOptions, CiliumPolicy, CiliumPolicyProps, ClusterDefaultDeny, ClusterDefaultDenyProps, ClusterwidePolicy,
  ClusterwidePolicyProps, DefaultDenyNamespace, DefaultDenyNamespaceProps, DnsCompanionOptions, DnsRule, EndpointSelector, EndpointsPeerOptions,
  Entity, FqdnEgress, FqdnEgressProps, HeaderMatch, HostFirewall, HostFirewallProps, HttpRule, HttpRuleOptions, KafkaRole, KafkaRule,
  KafkaRuleOptions, LabelSelectorOptions, LockoutExemption, LockoutPath, MetadataEndpointBlock, MetadataEndpointBlockProps, MonitoringScrape,
  MonitoringScrapeProps, NodeSelector, Peer, Port, PortOptions, PolicyRuleOptions, Protocol, ServiceSelectorPeerOptions, Tier, TieredApp,
  TieredAppProps, TierEgress,
} from '../../src';
import { chart } from '../support/synth';
import { thrown } from '../support/errors';

/** One props or options object: how to build with `extra` merged into it, a misspelled key, and the prop meant. */
interface Case {
  /** The interface, and where it is given. */
  readonly name: string;
  /** Builds with `extra` merged into the object; returns what it produced (manifests, or the value). */
  readonly build: (extra: object) => unknown;
  /** One misspelled (or unknown) key with a value. */
  readonly typo: Record<string, unknown>;
  /** The prop the fix names (`did you mean …?`); `undefined`: no prop is close. */
  readonly meant: string | undefined;
  /** The construct path the refusal names; `undefined`: a factory, which names the caller's file and line. */
  readonly path: string | undefined;
}

/** A two-tier app with egress lockdown and an extra egress of the second tier; `tier` and `egress` get the extra keys. */
function tieredApp(extra: { app?: object; tier?: object; egress?: object }): unknown {
  const c = chart('shop');
  const web: Tier = { name: 'web', labels: { app: 'web' }, ports: [Port.tcp(8080)], ...extra.tier };
  const egress: TierEgress = { peer: Peer.cidr('10.9.0.0/16'), ports: [Port.tcp(5432)], ...extra.egress };
  const api: Tier = { name: 'api', labels: { app: 'api' }, ports: [Port.tcp(9000)], egress: [egress] };
  new TieredApp(c, 'x', { tiers: [web, api], egressLockdown: true, ...extra.app } as unknown as TieredAppProps);
  return Testing.synth(c);
}

/** A chart with what `add` builds in it, synthesized. */
function synthOf(add: (c: ReturnType<typeof chart>) => void, namespace = 'shop'): unknown {
  const c = chart(namespace);
  add(c);
  return Testing.synth(c);
}

const prometheus = (): Peer => Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } });
const exemption = (extra: object): LockoutExemption => ({ path: LockoutPath.TUNNEL, reason: 'native routing', ...extra }) as unknown as LockoutExemption;

const CASES: Case[] = [
  {
    name: 'CiliumPolicyProps',
    build: (extra) => synthOf((c) => new CiliumPolicy(c, 'x', { endpointSelector: EndpointSelector.labels({ app: 'api' }), ...extra } as CiliumPolicyProps)
      .isolateIngress()),
    typo: { endpointSelecter: EndpointSelector.labels({ app: 'web' }) },
    meant: 'endpointSelector',
    path: 'test/x',
  },
  {
    name: 'ClusterwidePolicyProps',
    build: (extra) => synthOf((c) => new ClusterwidePolicy(c, 'x', {
      endpointSelector: EndpointSelector.labels({ app: 'api' }), enableDefaultDeny: { ingress: false }, ...extra,
    } as ClusterwidePolicyProps).denyIngress(Peer.entity(Entity.WORLD))),
    typo: { lockoutExemption: [{ path: LockoutPath.TUNNEL, reason: 'native routing' }] },
    meant: 'lockoutExemptions',
    path: 'test/x',
  },
  {
    name: 'ClusterwidePolicyProps lockoutExemptions entry (LockoutExemption)',
    build: (extra) => synthOf((c) => new ClusterwidePolicy(c, 'x', {
      nodeSelector: NodeSelector.all(), lockoutExemptions: [exemption(extra)],
    }).allowIngress(Peer.cidr('10.50.0.0/24'))),
    typo: { why: 'the path is unused' },
    meant: undefined,
    path: 'test/x',
  },
  {
    name: 'PolicyRuleOptions (addRule)',
    build: (extra) => synthOf((c) => {
      const p = new CiliumPolicy(c, 'x', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
      p.isolateIngress();
      p.addRule({ endpointSelector: EndpointSelector.labels({ app: 'web' }), ...extra } as PolicyRuleOptions).isolateEgress();
    }),
    typo: { endpointselector: EndpointSelector.labels({ app: 'db' }) },
    meant: 'endpointSelector',
    path: 'test/x',
  },
  {
    name: 'DefaultDenyOptions (enableDefaultDeny)',
    build: (extra) => synthOf((c) => new CiliumPolicy(c, 'x', {
      endpointSelector: EndpointSelector.labels({ app: 'api' }), enableDefaultDeny: { egress: false, ...extra },
    }).allowEgress(Peer.kubeApiServer(), { ports: [Port.tcp(6443)] })),
    typo: { ingres: false },
    meant: 'ingress',
    path: 'test/x',
  },
  {
    name: 'TieredAppProps',
    build: (extra) => tieredApp({ app: extra }),
    typo: { egresLockdown: true },
    meant: 'egressLockdown',
    path: 'test/x',
  },
  {
    name: 'TieredAppProps tiers entry (Tier)',
    build: (extra) => tieredApp({ tier: extra }),
    typo: { metricPorts: [Port.tcp(9090)] },
    meant: 'metricsPorts',
    path: 'test/x',
  },
  {
    name: 'TieredAppProps tiers egress entry (TierEgress)',
    build: (extra) => tieredApp({ egress: extra }),
    typo: { port: [Port.tcp(5433)] },
    meant: 'ports',
    path: 'test/x',
  },
  {
    name: 'FqdnEgressProps',
    build: (extra) => synthOf((c) => new FqdnEgress(c, 'x', { fqdns: ['api.example.com'], ...extra } as FqdnEgressProps)),
    typo: { allowAllDnsLookup: false },
    meant: 'allowAllDnsLookups',
    path: 'test/x',
  },
  {
    name: 'DefaultDenyNamespaceProps',
    build: (extra) => synthOf((c) => new DefaultDenyNamespace(c, 'x', { allowKubeApiServer: true, ...extra } as DefaultDenyNamespaceProps)),
    typo: { egres: false },
    meant: 'egress',
    path: 'test/x',
  },
  {
    name: 'ClusterDefaultDenyProps',
    build: (extra) => synthOf((c) => new ClusterDefaultDeny(c, 'x', { egress: true, ...extra } as ClusterDefaultDenyProps)),
    typo: { excludeNamespaces: ['kube-system', 'monitoring'] },
    meant: 'excludedNamespaces',
    path: 'test/x',
  },
  {
    name: 'HostFirewallProps',
    build: (extra) => synthOf((c) => new HostFirewall(c, 'x', { managementCidrs: ['10.50.0.0/24'], wireGuard: true, ...extra } as HostFirewallProps)),
    typo: { nodeDNSServers: ['10.0.0.2/32'] },
    meant: 'nodeDnsServers',
    path: 'test/x',
  },
  {
    name: 'HostFirewallProps exemptions entry (LockoutExemption)',
    build: (extra) => synthOf((c) => new HostFirewall(c, 'x', { managementCidrs: ['10.50.0.0/24'], exemptions: [exemption(extra)] })),
    typo: { resaon: 'native routing' },
    meant: 'reason',
    path: 'test/x',
  },
  {
    name: 'MonitoringScrapeProps',
    build: (extra) => synthOf((c) => new MonitoringScrape(c, 'x', {
      scraper: prometheus(), namespaces: ['shop'], ports: [Port.tcp(9090)], ...extra,
    } as MonitoringScrapeProps)),
    typo: { allowScrapperEgress: false },
    meant: 'allowScraperEgress',
    path: 'test/x',
  },
  {
    name: 'MetadataEndpointBlockProps',
    build: (extra) => synthOf((c) => new MetadataEndpointBlock(c, 'x', { extraCidrs: ['169.254.170.2/32'], ...extra } as MetadataEndpointBlockProps)),
    typo: { extraCidr: ['100.100.100.200/32'] },
    meant: 'extraCidrs',
    path: 'test/x',
  },
  {
    name: 'DnsCompanionOptions (Builtins.allowDns)',
    build: (extra) => synthOf((c) => {
      const p = new CiliumPolicy(c, 'x', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
      Builtins.allowDns(p.rule, { dnsRules: [DnsRule.exact('api.example.com')], ...extra } as DnsCompanionOptions);
    }),
    typo: { dnsRule: [DnsRule.exact('other.example.com')] },
    meant: 'dnsRules',
    path: 'test/x',
  },
  {
    name: 'EndpointsPeerOptions (Peer.endpoints)',
    build: (extra) => Peer.endpoints({ labels: { app: 'web' }, ...extra } as EndpointsPeerOptions).toPeerConfig(),
    typo: { namespce: 'data' },
    meant: 'namespace',
    path: undefined,
  },
  {
    name: 'CidrPeerOptions (Peer.cidr)',
    build: (extra) => Peer.cidr('10.0.0.0/8', { except: ['10.1.0.0/16'], ...extra } as CidrPeerOptions).toPeerConfig(),
    typo: { excpt: ['10.2.0.0/16'] },
    meant: 'except',
    path: undefined,
  },
  {
    name: 'ServiceSelectorPeerOptions (Peer.serviceSelector)',
    build: (extra) => Peer.serviceSelector({ labels: { tier: 'data' }, namespace: 'shop', ...extra } as ServiceSelectorPeerOptions).toPeerConfig(),
    typo: { label: { tier: 'cache' } },
    meant: 'labels',
    path: undefined,
  },
  {
    name: 'PortOptions (Port.of)',
    build: (extra) => Port.of({ port: 8080, protocol: Protocol.TCP, ...extra } as PortOptions)._match,
    typo: { endport: 8090 },
    meant: 'endPort',
    path: undefined,
  },
  {
    name: 'HttpRuleOptions (HttpRule.of)',
    build: (extra) => HttpRule.of({ method: 'GET', ...extra } as HttpRuleOptions),
    typo: { pth: '/api/.*' },
    meant: 'path',
    path: undefined,
  },
  {
    name: 'HttpRuleOptions headerMatches entry (HeaderMatch)',
    build: (extra) => HttpRule.of({ path: '/api/.*', headerMatches: [{ name: 'X-Token', value: 'abc', ...extra } as HeaderMatch] }),
    typo: { valeu: 'def' },
    meant: 'value',
    path: undefined,
  },
  {
    name: 'KafkaRuleOptions (KafkaRule.of)',
    build: (extra) => KafkaRule.of({ role: KafkaRole.PRODUCE, topic: 'orders', ...extra } as KafkaRuleOptions)._toModel(),
    typo: { clientID: 'billing' },
    meant: 'clientId',
    path: undefined,
  },
  {
    name: 'LabelSelectorOptions (EndpointSelector.of)',
    build: (extra) => EndpointSelector.of({ labels: { app: 'web' }, ...extra } as LabelSelectorOptions).toEndpointSelector(),
    typo: { label: { app: 'db' } },
    meant: 'labels',
    path: undefined,
  },
  {
    name: 'LabelSelectorOptions (NodeSelector.of)',
    build: (extra) => NodeSelector.of({ labels: { role: 'edge' }, ...extra } as LabelSelectorOptions).toNodeSelector(),
    typo: { expression: [] },
    meant: 'expressions',
    path: undefined,
  },
];

describe('a key the props or options do not declare', () => {
  test.each(CASES)('$name: a misspelled key is refused, naming the prop meant and where', ({ build, typo, meant, path }) => {
    const [key] = Object.keys(typo);
    const e = thrown(() => build(typo));
    expect(e.id).toBe('prop-unknown');
    expect(e.message).toContain(`: ${key} (`);
    expect(e.message).toContain('would apply its default instead');
    expect(e.fix).toMatch(meant !== undefined ? new RegExp(`^did you mean ${meant}\\? `) : /^remove it, or use the one meant; /);
    expect(e.fix).toMatch(/the (props|options) of \S+ are \w+/);
    if (path !== undefined) expect(e.location).toBe(path);
    else expect(e.location).toMatch(/^test\/constructs\/prop-unknown\.test\.ts:\d+$/);
  });

  test.each(CASES)('$name: the key set to undefined is accepted and changes nothing', ({ build, typo }) => {
    const [key] = Object.keys(typo);
    expect(build({ [key]: undefined })).toEqual(build({}));
  });

  test('the message names the construct, the key and its value; the fix lists the props', () => {
    const e = thrown(() => new FqdnEgress(chart('shop'), 'x', { fqdns: ['api.example.com'], allowAllDnsLookup: true } as unknown as FqdnEgressProps));
    expect(e.message).toBe('[test/x] FqdnEgress: allowAllDnsLookup (true) is not a prop of FqdnEgress; it would be left out and FqdnEgress would '
      + 'apply its default instead, which can allow more than asked (prop-unknown)\n  fix: did you mean allowAllDnsLookups? the props of FqdnEgress are '
      + 'fqdns, endpointSelector, ports, namespace, name, dnsServer, allowAllDnsLookups');
    const nested = thrown(() => tieredApp({ egress: { l7s: [] } }));
    expect(nested.message).toContain('TieredApp tiers[1].egress[0]: l7s (a list) is not a prop of TierEgress;');
    expect(nested.fix).toBe('did you mean l7? the props of TierEgress are peer, ports, l7');
    const option = thrown(() => Peer.cidr('10.0.0.0/8', { except: ['10.1.0.0/16'], exclude: ['10.2.0.0/16'] } as CidrPeerOptions));
    expect(option.message).toContain('Peer.cidr(): exclude (a list) is not an option of Peer.cidr();');
    expect(option.fix).toBe('remove it, or use the one meant; the options of Peer.cidr() are except');
  });

  test('the refusal comes before any other check of the props', () => {
    // Without the key check these would be refused for what the typo left out (no tiers, no fqdns) or left unrefused.
    expect(thrown(() => new TieredApp(chart('shop'), 'x', { tier: [] } as unknown as TieredAppProps)).id).toBe('prop-unknown');
    expect(thrown(() => new FqdnEgress(chart('shop'), 'x', { fqdn: ['a.example.com'] } as unknown as FqdnEgressProps)).id).toBe('prop-unknown');
    expect(thrown(() => new HostFirewall(chart(), 'x', { managementCIDRs: ['10.50.0.0/24'] } as unknown as HostFirewallProps)).id).toBe('prop-unknown');
    // A nested entry without its required field: the typo is named, not an entry without a name or path.
    const tiers = [{ nme: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)] }];
    const tier = thrown(() => new TieredApp(chart('shop'), 'x', { tiers } as unknown as TieredAppProps));
    expect([tier.id, tier.fix?.startsWith('did you mean name?')]).toEqual(['prop-unknown', true]);
    const lockoutExemptions = [{ pth: LockoutPath.TUNNEL, reason: 'native routing' }];
    const exempt = thrown(() => new ClusterwidePolicy(chart(), 'x', { lockoutExemptions } as unknown as ClusterwidePolicyProps));
    expect([exempt.id, exempt.fix?.startsWith('did you mean path?')]).toEqual(['prop-unknown', true]);
  });

  test('what a misspelled TieredApp egressLockdown would have left open: the tiers\' egress', () => {
    const locked = tieredApp({}) as { spec: { egress?: unknown[] } }[];
    expect(locked.every((m) => (m.spec.egress ?? []).length > 0)).toBe(true);
    expect(thrown(() => tieredApp({ app: { egressLockdown: undefined, egresLockdown: true } })).id).toBe('prop-unknown');
  });
});

// Session 47: the constructs other than the policies read their props (`readPropsOnce`, every getter) before they checked
// the keys, so an unknown prop's getter ran first: one that throws came out as its own error (`Error: read`), not as the
// unknown prop it is. The one read (`readPropsOnce` with the owner) now checks the keys of the props, and of each struct
// of their lists, before it reads any value.
describe('an unknown prop is refused before any getter of the props is read', () => {
  /** `base` with an unknown prop `key` whose getter throws; the getters of the known props count their reads in `reads`. */
  function withThrowingTypo<T extends object>(base: T, key: string): T {
    const value = { ...base };
    Object.defineProperty(value, key, { enumerable: true, get: () => { throw new Error(`the getter of ${key} was read`); } });
    return value;
  }
  const tier = (): Tier => ({ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(8080)] });
  const cases: [string, string, () => unknown][] = [
    ['FqdnEgress', 'FqdnEgress', () => new FqdnEgress(chart('shop'), 'x', withThrowingTypo({ fqdns: ['api.example.com'] }, 'allowAllDnsLookup'))],
    ['TieredApp', 'TieredApp', () => new TieredApp(chart('shop'), 'x', withThrowingTypo({ tiers: [tier()] }, 'egresLockdown'))],
    ['TieredApp tiers[0]', 'Tier', () => new TieredApp(chart('shop'), 'x', { tiers: [withThrowingTypo(tier(), 'metricPort')] })],
    ['TieredApp tiers[0].egress[0]', 'TierEgress', () => new TieredApp(chart('shop'), 'x', {
      tiers: [{ ...tier(), egress: [withThrowingTypo({ peer: Peer.cidr('10.9.0.0/16'), ports: [Port.tcp(5432)] }, 'l7s')] }],
    })],
    ['DefaultDenyNamespace', 'DefaultDenyNamespace', () => new DefaultDenyNamespace(chart('shop'), 'x', withThrowingTypo({}, 'ingres'))],
    ['ClusterDefaultDeny', 'ClusterDefaultDeny', () => new ClusterDefaultDeny(chart(), 'x', withThrowingTypo({}, 'excludedNamespace'))],
    ['MetadataEndpointBlock', 'MetadataEndpointBlock', () => new MetadataEndpointBlock(chart('shop'), 'x', withThrowingTypo({}, 'extraCidr'))],
    ['MonitoringScrape', 'MonitoringScrape', () => new MonitoringScrape(chart('shop'), 'x',
      withThrowingTypo({ scraper: prometheus(), namespaces: ['shop'], ports: [Port.tcp(9090)] }, 'port'))],
    ['HostFirewall exemptions[0]', 'LockoutExemption', () => new HostFirewall(chart(), 'x', {
      managementCidrs: ['10.50.0.0/24'], exemptions: [withThrowingTypo({ path: LockoutPath.TUNNEL, reason: 'native routing' }, 'pth')],
    })],
    ['ClusterwidePolicy lockoutExemptions[0]', 'LockoutExemption', () => new ClusterwidePolicy(chart(), 'x', {
      lockoutExemptions: [withThrowingTypo({ path: LockoutPath.TUNNEL, reason: 'native routing' }, 'pth')],
    })],
    ['HttpRule.of() headerMatches[0]', 'HeaderMatch', () => HttpRule.of({ headerMatches: [withThrowingTypo({ name: 'X-Tenant', value: 'a' }, 'mismatched')] })],
    ['Peer.serviceSelector()', 'Peer.serviceSelector()', () => Peer.serviceSelector(withThrowingTypo({ labels: { tier: 'data' } }, 'namespce'))],
  ];
  test.each(cases)('%s: the unknown prop is refused as unknown (its getter threw out of the constructor)', (at, owner, build) => {
    const e = thrown(build);
    expect(e.id).toBe('prop-unknown');
    expect(e.message).toContain(`${at}: `);
    expect(e.message).toContain('(a getter that throws) is not ');
    expect(e.message).toContain(` of ${owner};`);
  });
});
