// Property: the SDK never allows more than the program says. Random programs of CiliumPolicy calls (and the built-ins of
// DefaultDenyNamespace, whose grants are documented) are synthesized, and every connection of a small universe is judged
// by the verdict engine over the emitted YAML; each one the engine allows must be allowed by an independent, obviously
// correct reading of the program's calls ("asked for"). And random empty/zero/blank inputs always raise the SDK's own error.
import { Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { verdictFor } from '../../src/engine/matchers';
import { propertyParams } from '../support/property';
import {
  CiliumPolicy, ClusterDefaultDeny, ClusterwidePolicy, DefaultDenyNamespace, DnsRule, EndpointSelector, Entity, FqdnEgress, HostFirewall, HttpRule,
  L7, LabelExpression, MetadataEndpointBlock, NodeSelector, Peer, Port, PolicySet, Protocol, TieredApp,
} from '../../src';

/** Runs of the least-privilege property (`PROPERTY_RUNS_LEAST_PRIVILEGE`; see propertyParams). */
const RUNS = 40;

// ---- the universe ----------------------------------------------------------------------------------------------

interface Ep { readonly id: string; readonly kind: 'pod' | 'world' | 'remote-node'; readonly ns?: string; readonly app?: string; readonly ip?: string }
const UNIVERSE: readonly Ep[] = [
  { id: 'pod:app:app=a', kind: 'pod', ns: 'app', app: 'a' },
  { id: 'pod:app:app=b', kind: 'pod', ns: 'app', app: 'b' },
  { id: 'pod:other:app=a', kind: 'pod', ns: 'other', app: 'a' },
  { id: 'pod:other:app=c', kind: 'pod', ns: 'other', app: 'c' },
  { id: 'pod:kube-system:k8s-app=kube-dns', kind: 'pod', ns: 'kube-system' },
  { id: 'cidr:203.0.113.5', kind: 'world', ip: '203.0.113.5' },
  { id: 'cidr:198.51.100.1', kind: 'world', ip: '198.51.100.1' },
  { id: 'entity:remote-node', kind: 'remote-node' },
];
const PORTS = ['80/TCP', '443/TCP', '443/UDP', '53/UDP', '53/TCP', '8050/TCP', '9999/UDP'] as const;

// ---- programs ----------------------------------------------------------------------------------------------------

type PeerKey = 'ep-a' | 'ep-other-a' | 'ns-other' | 'all-ns' | 'world' | 'remote-node' | 'cluster' | 'cidr' | 'any';
type PortsKey = 'all' | 'tcp80' | 'tcp80-udp53' | 'range8000' | 'allTcp' | 'any443';
type Verb = 'allowIngress' | 'allowEgress' | 'denyIngress' | 'denyEgress';
interface Grant { readonly verb: Verb; readonly peer: PeerKey; readonly ports: PortsKey }
interface PolicySpec { readonly subject: 'a' | 'b' | 'all'; readonly grants: readonly Grant[] }
interface ProgramSpec { readonly policies: readonly PolicySpec[]; readonly defaultDeny: boolean }

const peerOf: Record<PeerKey, () => Peer> = {
  'ep-a': () => Peer.endpoints({ labels: { app: 'a' } }),
  'ep-other-a': () => Peer.endpoints({ namespace: 'other', labels: { app: 'a' } }),
  'ns-other': () => Peer.namespace('other'),
  'all-ns': () => Peer.allNamespaces(),
  'world': () => Peer.entity(Entity.WORLD),
  'remote-node': () => Peer.entity(Entity.REMOTE_NODE),
  'cluster': () => Peer.entity(Entity.CLUSTER),
  'cidr': () => Peer.cidr('203.0.113.0/24'),
  'any': () => Peer.any(),
};
const portsOf: Record<PortsKey, () => Port[] | undefined> = {
  'all': () => undefined,
  'tcp80': () => [Port.tcp(80)],
  'tcp80-udp53': () => [Port.tcp(80), Port.udp(53)],
  'range8000': () => [Port.tcpRange(8000, 8100)],
  'allTcp': () => [Port.allTcp()],
  'any443': () => [Port.any(443)],
};

const grantArb: fc.Arbitrary<Grant> = fc.record({
  verb: fc.constantFrom<Verb>('allowIngress', 'allowEgress', 'allowIngress', 'allowEgress', 'denyIngress', 'denyEgress'),
  peer: fc.constantFrom<PeerKey>('ep-a', 'ep-other-a', 'ns-other', 'all-ns', 'world', 'remote-node', 'cluster', 'cidr', 'any'),
  ports: fc.constantFrom<PortsKey>('all', 'tcp80', 'tcp80-udp53', 'range8000', 'allTcp', 'any443'),
});
const programArb: fc.Arbitrary<ProgramSpec> = fc.record({
  policies: fc.array(fc.record({ subject: fc.constantFrom<'a' | 'b' | 'all'>('a', 'b', 'all'), grants: fc.array(grantArb, { minLength: 1, maxLength: 4 }) }),
    { minLength: 1, maxLength: 3 }),
  defaultDeny: fc.boolean(),
});

function build(p: ProgramSpec): Chart {
  const chart = new Chart(Testing.app(), 'prop', { namespace: 'app' });
  if (p.defaultDeny) new DefaultDenyNamespace(chart, 'deny');
  p.policies.forEach((spec, i) => {
    const policy = new CiliumPolicy(chart, `p${i}`, {
      endpointSelector: spec.subject === 'all' ? EndpointSelector.all() : EndpointSelector.labels({ app: spec.subject }),
    });
    for (const g of spec.grants) {
      const peer = peerOf[g.peer]();
      const ports = portsOf[g.ports]();
      if (g.verb === 'allowIngress') policy.allowIngress(peer, { ports });
      else if (g.verb === 'allowEgress') policy.allowEgress(peer, { ports });
      else if (g.verb === 'denyIngress') policy.denyIngress(peer, { ports });
      else policy.denyEgress(peer, { ports });
    }
  });
  return chart;
}

// ---- the independent reading: what the program asked for ------------------------------------------------------------

function subjectSelects(subject: PolicySpec['subject'], ep: Ep): boolean {
  return ep.kind === 'pod' && ep.ns === 'app' && (subject === 'all' || ep.app === subject);
}

function peerMatches(peer: PeerKey, ep: Ep): boolean {
  switch (peer) {
    case 'ep-a': return ep.kind === 'pod' && ep.ns === 'app' && ep.app === 'a';
    case 'ep-other-a': return ep.kind === 'pod' && ep.ns === 'other' && ep.app === 'a';
    case 'ns-other': return ep.kind === 'pod' && ep.ns === 'other';
    case 'all-ns': return ep.kind === 'pod';
    case 'world': return ep.kind === 'world';
    case 'remote-node': return ep.kind === 'remote-node';
    case 'cluster': return ep.kind === 'pod' || ep.kind === 'remote-node';
    case 'cidr': return ep.ip === '203.0.113.5';
    case 'any': return true;
  }
}

function portMatches(ports: PortsKey, port: string): boolean {
  const [n, proto] = port.split('/');
  const num = Number(n);
  switch (ports) {
    case 'all': return true;
    case 'tcp80': return port === '80/TCP';
    case 'tcp80-udp53': return port === '80/TCP' || port === '53/UDP';
    case 'range8000': return proto === 'TCP' && num >= 8000 && num <= 8100;
    case 'allTcp': return proto === 'TCP';
    case 'any443': return num === 443;
  }
}

interface Asked { readonly subject: (ep: Ep) => boolean; readonly direction: 'ingress' | 'egress'; readonly deny: boolean; readonly peer: (ep: Ep) => boolean; readonly port: (p: string) => boolean }

/** Every grant of the program, the built-ins of DefaultDenyNamespace included, as plain predicates. */
function asked(p: ProgramSpec): Asked[] {
  const out: Asked[] = [];
  if (p.defaultDeny) {
    const ns = (ep: Ep): boolean => ep.kind === 'pod' && ep.ns === 'app';
    // `ingress: [{}]` / `egress: [{}]` allow nothing; the documented built-ins: host (probes) in, DNS to kube-dns out.
    out.push({ subject: ns, direction: 'ingress', deny: false, peer: () => false, port: () => false });
    out.push({ subject: ns, direction: 'egress', deny: false, peer: (ep) => ep.ns === 'kube-system' && ep.kind === 'pod', port: (x) => x === '53/UDP' || x === '53/TCP' });
  }
  for (const spec of p.policies) {
    for (const g of spec.grants) {
      out.push({
        subject: (ep) => subjectSelects(spec.subject, ep),
        direction: g.verb.endsWith('Ingress') ? 'ingress' : 'egress',
        deny: g.verb.startsWith('deny'),
        peer: (ep) => peerMatches(g.peer, ep),
        port: (x) => portMatches(g.ports, x),
      });
    }
  }
  return out;
}

/** The asked-for verdict of one side: not selected → allowed; selected → some allow matches and no deny matches. */
function sideAllowed(grants: readonly Asked[], direction: 'ingress' | 'egress', self: Ep, peer: Ep, port: string): boolean {
  const mine = grants.filter((g) => g.direction === direction && g.subject(self));
  if (mine.some((g) => g.deny && g.peer(peer) && g.port(port))) return false;
  if (mine.length === 0) return true;
  return mine.some((g) => !g.deny && g.peer(peer) && g.port(port));
}

describe('least privilege: no construct ever allows more than its calls say', () => {
  test('every connection the engine allows was asked for', () => {
    let allowedSeen = 0;
    fc.assert(fc.property(programArb, (p) => {
      const chart = build(p);
      const set = PolicySet.fromConstruct(chart, { hostFirewall: false });
      const grants = asked(p);
      for (const from of UNIVERSE) {
        for (const to of UNIVERSE) {
          if (from === to || (from.kind !== 'pod' && to.kind !== 'pod')) continue;
          for (const port of PORTS) {
            const v = verdictFor(set, from.id, to.id, port);
            if (v.verdict !== 'allowed') continue;
            allowedSeen++;
            const ok = sideAllowed(grants, 'egress', from, to, port) && sideAllowed(grants, 'ingress', to, from, port);
            if (!ok) throw new Error(`${from.id} -> ${to.id} ${port} is allowed, but the program did not ask for it:\n${JSON.stringify(p)}\n${v.summary}`);
          }
        }
      }
    }), propertyParams('LEAST_PRIVILEGE', RUNS));
    expect(allowedSeen).toBeGreaterThan(0);
  });
});

// ---- empty, zero and blank inputs are refused ----------------------------------------------------------------------

const blankString = fc.constantFrom('', ' ', '\t', 'UPPER', 'a_b', '-x', 'x-', 'a'.repeat(64), 'Kube-System', 'ns.with.dots');
const zeroNumber = fc.constantFrom(0, -0, Number(''), Number.NaN, -1, 65536, 1.5, Number.POSITIVE_INFINITY);

/** Each case builds something with one empty/zero/blank input; the SDK must refuse it with its own error. */
const BAD_INPUTS: ReadonlyArray<fc.Arbitrary<{ name: string; run: () => unknown }>> = [
  fc.constant({ name: 'allowIngress(peer, [])', run: () => new CiliumPolicy(chart(), 'p').allowIngress(Peer.namespace('x'), { ports: [] }) }),
  fc.constant({ name: 'allowEgress(Peer.any(), [])', run: () => new CiliumPolicy(chart(), 'p').allowEgress(Peer.any(), { ports: [] }) }),
  fc.constant({ name: 'denyIngress(peer, [])', run: () => new CiliumPolicy(chart(), 'p').denyIngress(Peer.namespace('x'), { ports: [] }) }),
  zeroNumber.map((n) => ({ name: `Port.of({ port: ${n} })`, run: () => Port.of({ port: n }) })),
  zeroNumber.map((n) => ({ name: `Port.tcp(${n})`, run: () => Port.tcp(n) })),
  zeroNumber.map((n) => ({ name: `Port.of({ port: ${n}, protocol: UDP })`, run: () => Port.of({ port: n, protocol: Protocol.UDP }) })),
  fc.constant({ name: 'EndpointSelector.labels({})', run: () => EndpointSelector.labels({}) }),
  fc.constant({ name: 'EndpointSelector.of({})', run: () => EndpointSelector.of({}) }),
  fc.constant({ name: 'NodeSelector.labels({})', run: () => NodeSelector.labels({}) }),
  fc.constant({ name: 'Peer.endpoints({ labels: {} })', run: () => Peer.endpoints({ labels: {} }) }),
  fc.constant({ name: 'Peer.endpoints({})', run: () => Peer.endpoints({}) }),
  fc.constant({ name: 'Peer.endpoints({ namespaceLabels: {} })', run: () => Peer.endpoints({ namespaceLabels: {} }) }),
  fc.constant({ name: 'Peer.nodes({})', run: () => Peer.nodes({}) }),
  fc.constant({ name: 'Peer.cidrGroupSelector({})', run: () => Peer.cidrGroupSelector({}) }),
  fc.constant({ name: 'Peer.serviceSelector({})', run: () => Peer.serviceSelector({}) }),
  fc.constant({ name: 'LabelExpression.in(k, [])', run: () => LabelExpression.in('app', []) }),
  fc.constant({ name: 'LabelExpression.notIn(k, [])', run: () => LabelExpression.notIn('app', []) }),
  blankString.map((s) => ({ name: `Peer.endpoints({ namespace: ${JSON.stringify(s)} })`, run: () => Peer.endpoints({ namespace: s }) })),
  blankString.map((s) => ({ name: `Peer.selectedBy(sel, ${JSON.stringify(s)})`, run: () => Peer.selectedBy(EndpointSelector.all(), s) })),
  blankString.map((s) => ({ name: `Peer.service('x', ${JSON.stringify(s)})`, run: () => Peer.service('x', s) })),
  blankString.map((s) => ({ name: `CiliumPolicy namespace ${JSON.stringify(s)}`, run: () => new CiliumPolicy(chart(), 'p', { namespace: s }) })),
  blankString.map((s) => ({ name: `FqdnEgress in chart namespace ${JSON.stringify(s)}`, run: () => new FqdnEgress(chart(s), 'f', { fqdns: ['a.example.com'] }) })),
  fc.constant({ name: 'CiliumPolicy without a namespace', run: () => new CiliumPolicy(chartWithoutNamespace(), 'p') }),
  fc.constant({ name: 'FqdnEgress without a namespace', run: () => new FqdnEgress(chartWithoutNamespace(), 'f', { fqdns: ['a.example.com'] }) }),
  fc.constant({ name: 'FqdnEgress fqdns: []', run: () => new FqdnEgress(chart(), 'f', { fqdns: [] }) }),
  blankString.filter((s) => s.trim() === '').map((s) => ({ name: `FqdnEgress fqdns: [${JSON.stringify(s)}]`, run: () => new FqdnEgress(chart(), 'f', { fqdns: [s] }) })),
  fc.constant({ name: 'FqdnEgress ports: []', run: () => new FqdnEgress(chart(), 'f', { fqdns: ['a.example.com'], ports: [] }) }),
  fc.constant({ name: 'TieredApp tier labels: {}', run: () => new TieredApp(chart(), 't', { tiers: [{ name: 'web', labels: {}, ports: [Port.tcp(80)] }] }) }),
  fc.constantFrom('k8s:io.kubernetes.pod.namespace', 'io.kubernetes.pod.namespace').map((key) => ({
    name: `TieredApp tier labels: { ${key}: ns }`, run: () => new TieredApp(chart(), 't', { tiers: [{ name: 'web', labels: { [key]: 'ns' }, ports: [Port.tcp(80)] }] }),
  })),
  fc.constant({ name: 'TieredApp tier ports: []', run: () => new TieredApp(chart(), 't', { tiers: [{ name: 'web', labels: { app: 'w' }, ports: [] }] }) }),
  fc.constant({
    name: 'TieredApp metricsPorts: []',
    run: () => new TieredApp(chart(), 't', { metricsFrom: Peer.namespace('m'), tiers: [{ name: 'web', labels: { app: 'w' }, ports: [Port.tcp(80)], metricsPorts: [] }] }),
  }),
  fc.constant({ name: 'DefaultDenyNamespace dnsRules: []', run: () => new DefaultDenyNamespace(chart(), 'd', { dnsRules: [] }) }),
  fc.constant({ name: 'DefaultDenyNamespace dnsServer: Peer.any()', run: () => new DefaultDenyNamespace(chart(), 'd', { dnsServer: Peer.any() }) }),
  fc.constant({ name: 'FqdnEgress dnsServer: world', run: () => new FqdnEgress(chart(), 'f', { fqdns: ['a.example.com'], dnsServer: Peer.entity(Entity.WORLD) }) }),
  fc.constant({
    name: 'DefaultDenyNamespace scrapeFrom: Peer.any()',
    run: () => new DefaultDenyNamespace(chart(), 'd', { scrapeFrom: Peer.any(), scrapePorts: [Port.tcp(9090)] }),
  }),
  fc.constant({
    name: 'TieredApp metricsFrom: world',
    run: () => new TieredApp(chart(), 't', {
      metricsFrom: Peer.entity(Entity.WORLD), tiers: [{ name: 'web', labels: { app: 'w' }, ports: [Port.tcp(80)], metricsPorts: [Port.tcp(9090)] }],
    }),
  }),
  fc.constant({ name: 'DefaultDenyNamespace scrapeFrom without scrapePorts', run: () => new DefaultDenyNamespace(chart(), 'd', { scrapeFrom: Peer.namespace('m') }) }),
  fc.constant({ name: 'DefaultDenyNamespace scrapePorts: []', run: () => new DefaultDenyNamespace(chart(), 'd', { scrapeFrom: Peer.namespace('m'), scrapePorts: [] }) }),
  fc.constantFrom<unknown>('false', 'true', 0, 1, null).map((flag) => ({
    name: `FqdnEgress allowAllDnsLookups: ${JSON.stringify(flag)}`,
    run: () => new FqdnEgress(chart(), 'f', { fqdns: ['a.example.com'], allowAllDnsLookups: flag as boolean }),
  })),
  fc.constantFrom<unknown>('false', 0, null).map((flag) => ({
    name: `DefaultDenyNamespace stagedRollout: ${JSON.stringify(flag)}`, run: () => new DefaultDenyNamespace(chart(), 'd', { stagedRollout: flag as boolean }),
  })),
  fc.constant({
    name: 'ClusterDefaultDeny dnsRules without egress', run: () => new ClusterDefaultDeny(chart(), 'c', { dnsRules: [DnsRule.exact('a.example.com')] }),
  }),
  fc.constant({
    name: 'TieredApp dnsServer without egressLockdown',
    run: () => new TieredApp(chart(), 't', { dnsServer: Peer.kubeDns(), tiers: [{ name: 'web', labels: { app: 'w' }, ports: [Port.tcp(80)] }] }),
  }),
  fc.constant({ name: 'HostFirewall managementCidrs: []', run: () => new HostFirewall(chart(), 'h', { managementCidrs: [] }) }),
  fc.constantFrom('0.0.0.0/0', '::/0').chain((all) => fc.constantFrom('managementCidrs', 'controlPlaneCidrs', 'bgpPeers', 'nodeDnsServers').map((prop) => ({
    name: `HostFirewall ${prop}: ['${all}']`,
    run: () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], [prop]: [all] }),
  }))),
  fc.constantFrom<[string, Peer]>(['Peer.any()', Peer.any()], ['Entity.WORLD', Peer.entity(Entity.WORLD)], ['0.0.0.0/0', Peer.cidr('0.0.0.0/0')])
    .chain(([what, peer]) => fc.constantFrom('apiServerClients', 'kubeletClients', 'hubbleRelay', 'metricsScraper').map((prop) => ({
      name: `HostFirewall ${prop}: ${what}`,
      run: () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], [prop]: prop.endsWith('Clients') ? [peer] : peer }),
    }))),
  fc.constantFrom<[string, Peer]>(['Peer.cidrGroup()', Peer.cidrGroup('monitoring')], ['Peer.cidrGroupSelector()', Peer.cidrGroupSelector({ team: 'm' })])
    .map(([what, peer]) => ({
      name: `HostFirewall metricsScraper: ${what}`, run: () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], metricsScraper: peer }),
    })),
  fc.constant({ name: 'HostFirewall breakGlassPorts: []', run: () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], breakGlassPorts: [] }) }),
  fc.constant({ name: 'MetadataEndpointBlock extraCidrs: []', run: () => new MetadataEndpointBlock(chart(), 'm', { extraCidrs: [] }) }),
  // A port listed twice in a construct's port prop (ports-duplicate): the list reads one port more than the policy opens.
  fc.integer({ min: 1, max: 65535 }).chain((n) => fc.constantFrom<[string, () => unknown]>(
    ['DefaultDenyNamespace scrapePorts', () => new DefaultDenyNamespace(chart(), 'd', { scrapeFrom: Peer.namespace('m'), scrapePorts: [Port.tcp(n), Port.tcp(n)] })],
  ['TieredApp tier ports', () => new TieredApp(chart(), 't', { tiers: [{ name: 'web', labels: { app: 'w' }, ports: [Port.tcp(n), Port.tcp(n)] }] })],
  ['FqdnEgress ports', () => new FqdnEgress(chart(), 'f', { fqdns: ['a.example.com'], ports: [Port.udp(n), Port.udp(n)] })],
  ['HostFirewall breakGlassPorts', () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], breakGlassPorts: [Port.tcp(n), Port.tcp(n)] })],
  ).map(([what, run]) => ({ name: `${what}: [${n}, ${n}]`, run }))),
  // A broad peer without ports: every port of the nodes (etcd, the kubelet, SSH) open to it.
  fc.constantFrom<[string, () => Peer]>(['Entity.CLUSTER', () => Peer.entity(Entity.CLUSTER)], ['Entity.ALL', () => Peer.entity(Entity.ALL)],
    ['Entity.WORLD', () => Peer.entity(Entity.WORLD)], ['Peer.any()', () => Peer.any()], ['Peer.allNamespaces()', () => Peer.allNamespaces()],
    ['Peer.cidrGroup()', () => Peer.cidrGroup('partners')], ['Peer.cidrGroupSelector()', () => Peer.cidrGroupSelector({ team: 'p' })])
    .chain(([what, peer]) => fc.constantFrom<[string, () => void]>(
      [`HostFirewall allowIngress(${what}) without ports`, () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'] }).allowIngress(peer())],
    [`HostFirewall policy.allowIngress(${what}) without ports`,
      () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'] }).policy.allowIngress(peer())],
    [`ClusterwidePolicy nodeSelector allowIngress(${what}) without ports`,
      () => new ClusterwidePolicy(chart(), 'h', { nodeSelector: NodeSelector.all() }).allowIngress(peer())],
    ).map(([name, run]) => ({ name, run }))),
  // Labels any node's kubelet may set on itself: a compromised worker would label itself into etcd.
  fc.constantFrom<Record<string, string>>({ role: 'control-plane' }, { 'example.com/cp': '' }, { 'node.kubernetes.io/cp': '' }, { 'kubernetes.io/os': 'linux' })
    .map((labels) => ({
      name: `HostFirewall controlPlaneNodeLabels: ${JSON.stringify(labels)}`,
      run: () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], nodeSelectorLabels: true, controlPlaneNodeLabels: labels }),
    })),
  // Client nodes by labels a node's kubelet may set on itself, or every node carries: a compromised node labels itself into the path.
  fc.constantFrom<Record<string, string>>({ 'example.com/monitoring': 'true' }, { monitoring: '' }, { 'reserved:remote-node': '' })
    .chain((labels) => fc.constantFrom('kubeletClients', 'hubbleRelay', 'metricsScraper').map((prop) => ({
      name: `HostFirewall ${prop}: Peer.nodes(${JSON.stringify(labels)})`,
      run: () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], [prop]: prop.endsWith('Clients') ? [Peer.nodes(labels)] : Peer.nodes(labels) }),
    }))),
  // Pods of any namespace whose identity Cilium has not resolved (reserved:unmanaged, reserved:init) as a narrow role's peer.
  fc.constantFrom(Entity.UNMANAGED, Entity.INIT).chain((entity) => fc.constantFrom<[string, () => unknown]>(
    ['DefaultDenyNamespace scrapeFrom', () => new DefaultDenyNamespace(chart(), 'd', { scrapeFrom: Peer.entity(entity), scrapePorts: [Port.tcp(9090)] })],
  ['TieredApp metricsFrom', () => new TieredApp(chart(), 't', { metricsFrom: Peer.entity(entity),
    tiers: [{ name: 'web', labels: { app: 'w' }, ports: [Port.tcp(80)], metricsPorts: [Port.tcp(9090)] }] })],
  ...['kubeletClients', 'hubbleRelay', 'metricsScraper'].map((prop): [string, () => unknown] => [`HostFirewall ${prop}`,
    () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], [prop]: prop.endsWith('Clients') ? [Peer.entity(entity)] : Peer.entity(entity) })]),
  ).map(([what, run]) => ({ name: `${what}: Entity.${entity.toUpperCase()}`, run }))),
  fc.constant({
    name: 'DefaultDenyNamespace scrapeFrom: nodes by a label a node may give itself',
    run: () => new DefaultDenyNamespace(chart(), 'd', { scrapeFrom: Peer.nodes({ 'example.com/monitoring': 'true' }), scrapePorts: [Port.tcp(9090)] }),
  }),
  // An allow option handed to a deny (plain JavaScript): Cilium's deny rules carry ports only.
  fc.constantFrom('l7', 'authentication', 'serverNames').map((option) => ({
    name: `denyIngress with ${option}`,
    run: () => new CiliumPolicy(chart(), 'p', {}).denyIngress(Peer.namespace('m'), {
      ports: [Port.tcp(80)], [option]: option === 'l7' ? L7.http(HttpRule.get('/admin')) : option === 'serverNames' ? ['a.example.com'] : 'required',
    } as never),
  })),
  // Peers that select nothing, so a deny of them denies nothing: node keys of a source no node carries, pods by a reserved label.
  fc.constantFrom('k8s:role', 'container:role', 'reserved:role').map((key) => ({
    name: `denyIngress(Peer.nodes({ '${key}': 'x' }))`,
    run: () => new CiliumPolicy(chart(), 'p', {}).denyIngress(Peer.nodes({ [key]: 'x' })),
  })),
  fc.constantFrom('reserved:world', '$host', 'reserved.world').map((key) => ({
    name: `Peer.endpoints({ labels: { '${key}': '' } })`, run: () => Peer.endpoints({ labels: { [key]: '' } }),
  })),
  // The port of another guarded path: the API server path would open it to every pod.
  fc.constantFrom(22, 10250, 2379, 2380, 4240, 4244).map((port) => ({
    name: `HostFirewall apiServerPort: ${port}`, run: () => new HostFirewall(chart(), 'h', { managementCidrs: ['10.0.0.0/24'], apiServerPort: port }),
  })),
  blankString.map((s) => ({ name: `ClusterDefaultDeny excludedNamespaces [${JSON.stringify(s)}]`, run: () => new ClusterDefaultDeny(chart(), 'c', { excludedNamespaces: [s] }) })),
];

function chart(namespace = 'ns'): Chart {
  return new Chart(Testing.app(), 'bad', { namespace });
}

function chartWithoutNamespace(): Chart {
  return new Chart(Testing.app(), 'bad');
}

describe('empty, zero and blank inputs raise the SDK\'s own error, never a wider policy', () => {
  test('each refused with a CiliumPolicyError', () => {
    fc.assert(fc.property(fc.oneof(...BAD_INPUTS), (c) => {
      let error: unknown;
      try {
        c.run();
      } catch (e) {
        error = e;
      }
      if (!(error instanceof Error) || error.name !== 'CiliumPolicyError') throw new Error(`${c.name} was accepted (or failed without the SDK's error: ${String(error)})`);
    }), propertyParams('BAD_INPUTS', BAD_INPUTS.length * 6));
  });
});
