// The `unmanaged` and `init` entities named for a narrow role (a metrics scraper, the kubelet's, Hubble's or the metrics'
// clients of a host firewall): they were accepted, and the scrape ports, the kubelet, Hubble or Cilium's metrics opened to
// pods of any namespace. Cilium gives `reserved:unmanaged` to every pod address its pod watcher learns until the pod's own
// identity replaces it, and keeps it for a pod it does not manage (pkg/k8s/watchers/pod.go `updatePodHostData`);
// `reserved:init` is an endpoint whose labels are not yet resolved. Refused as the `cluster` entity is (`scraper-broad`,
// `host-firewall-peer-broad`); a port meant to be open to them is a rule of its own.
import { Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  Builtins, CiliumPolicy, CiliumVersion, ClusterwidePolicy, DefaultDenyNamespace, EndpointSelector, Entity, HostFirewall, HostFirewallProps, IPeer,
  NodeSelector, Peer, PeerField, Port, TieredApp,
} from '../../src';
import { decidedBy, verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const API = 'pod:shop:app=api';
const CP = 'node:node-role.kubernetes.io/control-plane=';
const HOST_FIREWALL = { hostFirewall: true };
const PROMETHEUS = Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } });
const UNRESOLVED: [string, Entity][] = [['unmanaged', Entity.UNMANAGED], ['init', Entity.INIT]];

function firewall(props: Partial<HostFirewallProps>, version?: CiliumVersion): Chart {
  const c = chart();
  if (version !== undefined) CiliumVersion.use(c, version);
  new HostFirewall(c, 'cp', {
    nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }), managementCidrs: ['10.50.0.0/24'], ...props,
  });
  return c;
}

describe('a metrics scraper of the unmanaged or init entity is refused (scraper-broad)', () => {
  const builds: [string, (c: Chart, scraper: Peer) => unknown][] = [
    ['DefaultDenyNamespace scrapeFrom', (c, scraper) => new DefaultDenyNamespace(c, 'deny', { scrapeFrom: scraper, scrapePorts: [Port.tcp(9090)] })],
    ['TieredApp metricsFrom', (c, scraper) => new TieredApp(c, 'app', { metricsFrom: scraper,
      tiers: [{ name: 'api', labels: { app: 'api' }, ports: [Port.tcp(8080)], metricsPorts: [Port.tcp(9090)] }] })],
  ];

  describe.each(builds)('%s', (what, build) => {
    test.each(UNRESOLVED)('the %s entity', (name, entity) => {
      const r = refusal(() => build(chart('shop'), Peer.entity(entity)));
      expect(r.id).toBe('scraper-broad');
      expect(r.message).toContain(`${what} selects the entity ${name} (every `);
      expect(r.message).toContain('of any namespace');
      expect(r.message).toContain('far more than a scraper');
    });

    test('a scraper named by namespace and labels: it reaches the metrics port, unresolved pods and other pods do not', () => {
      const c = chart('shop');
      build(c, PROMETHEUS);
      expect(verdictOf(c, 'pod:monitoring:app=prometheus', API, '9090/TCP')).toBe('allowed');
      expect(verdictOf(c, 'pod:monitoring:app=prometheus', API, '9091/TCP')).toBe('denied');
      expect(verdictOf(c, 'entity:unmanaged', API, '9090/TCP')).toBe('denied');
      expect(decidedBy(c, 'entity:init', API, '9090/TCP', 'ingress')).toBe('default-deny');
      expect(verdictOf(c, 'pod:shop:app=prometheus', API, '9090/TCP')).toBe('denied');
    });
  });

  test('what it was: the same allowance written by hand lets an unmanaged pod of any namespace scrape (the explicit opt-in, kept)', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'api' }) })
      .allowIngress(Peer.entity(Entity.UNMANAGED), { ports: [Port.tcp(9090)] });
    expect(verdictOf(c, 'entity:unmanaged', API, '9090/TCP')).toBe('allowed');
    expect(decidedBy(c, 'entity:init', API, '9090/TCP', 'ingress')).toBe('default-deny');
    expect(verdictOf(c, 'entity:unmanaged', API, '22/TCP')).toBe('denied');
  });
});

describe('HostFirewall: the unmanaged or init entity as a client of the kubelet, Hubble or the metrics is refused (host-firewall-peer-broad)', () => {
  const few: [keyof HostFirewallProps, string, string][] = [
    ['kubeletClients', '10250/TCP', 'the kubelet API (10250/TCP)'], ['hubbleRelay', '4244/TCP', 'the Hubble server (4244/TCP)'],
    ['metricsScraper', '9962/TCP', 'Cilium\'s metrics (9962-9965/TCP)'],
  ];
  const given = (prop: keyof HostFirewallProps, peer: Peer): Partial<HostFirewallProps> => ({ [prop]: prop === 'kubeletClients' ? [peer] : peer });

  describe.each(few)('%s', (prop, port, opened) => {
    test.each(UNRESOLVED)('the %s entity', (name, entity) => {
      const r = refusal(() => firewall(given(prop, Peer.entity(entity))));
      expect(r.id).toBe('host-firewall-peer-broad');
      expect(r.message).toContain(`HostFirewall ${prop} selects the entity ${name} (every `);
      expect(r.message).toContain(`${opened} would be open to far more than its clients`);
    });

    test('named pods are kept: they reach the port, unresolved pods and other pods do not', () => {
      const c = firewall(given(prop, Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s-app': 'client' } })));
      expect(verdictOf(c, 'pod:kube-system:k8s-app=client', CP, port, HOST_FIREWALL)).toBe('allowed');
      expect(verdictOf(c, 'entity:unmanaged', CP, port, HOST_FIREWALL)).toBe('denied');
      expect(decidedBy(c, 'entity:init', CP, port, 'ingress', HOST_FIREWALL)).toBe('default-deny');
      expect(verdictOf(c, 'pod:shop:k8s-app=client', CP, port, HOST_FIREWALL)).toBe('denied');
    });
  });

  test('apiServerClients, every pod by default, still takes them (the API server path is meant for every pod)', () => {
    const c = firewall({ apiServerClients: [Peer.entity(Entity.UNMANAGED)] });
    expect(verdictOf(c, 'entity:unmanaged', CP, '6443/TCP', HOST_FIREWALL)).toBe('allowed');
    expect(verdictOf(c, 'entity:unmanaged', CP, '10250/TCP', HOST_FIREWALL)).toBe('denied');
  });

  test('the explicit opt-in: a rule of its own, on the port meant', () => {
    const c = chart();
    const fw = new HostFirewall(c, 'cp', { nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }), managementCidrs: ['10.50.0.0/24'] });
    fw.allowIngress(Peer.entity(Entity.UNMANAGED), { ports: [Port.tcp(9962)] });
    expect(verdictOf(c, 'entity:unmanaged', CP, '9962/TCP', HOST_FIREWALL)).toBe('allowed');
    expect(verdictOf(c, 'entity:unmanaged', CP, '10250/TCP', HOST_FIREWALL)).toBe('denied');
  });
});

// A peer of one's own whose endpoint selector names a reserved label selects that identity: Cilium leaves a selector with a
// `reserved:` key as written (pkg/k8s/apis/cilium.io/utils/utils.go `getEndpointSelector`), so `{ 'reserved:unmanaged': '' }`
// is the `unmanaged` entity. It passed every narrow-role check (no namespace, no `cluster`), and the engine allowed it.
describe('a peer of one\'s own selecting a reserved label is the entity it names (reservedAsEntities)', () => {
  const own = (key: string): IPeer => ({
    toPeerConfig: () => ({ field: PeerField.ENDPOINTS, item: { endpoints: [{ matchLabels: { [key]: '' } }] }, description: `own ${key}` }),
  });
  const cases: [string, string, string][] = [
    ['reserved:unmanaged', 'broad', 'the entity unmanaged'], ['reserved.unmanaged', 'broad', 'the entity unmanaged'],
    ['reserved:init', 'broad', 'the entity init'], ['reserved:world', 'world', 'the entity world'],
  ];

  test.each(cases)('%s: refused as DefaultDenyNamespace scrapeFrom and as HostFirewall kubeletClients', (key, kind, selects) => {
    const scraper = refusal(() => new DefaultDenyNamespace(chart('shop'), 'deny', { scrapeFrom: own(key), scrapePorts: [Port.tcp(9090)] }));
    expect(scraper.id).toBe(`scraper-${kind}`);
    expect(scraper.message).toContain(`DefaultDenyNamespace scrapeFrom selects ${selects}`);
    const client = refusal(() => firewall({ kubeletClients: [own(key)] }));
    expect(client.id).toBe(`host-firewall-peer-${kind}`);
    expect(client.message).toContain(`HostFirewall kubeletClients selects ${selects}`);
  });

  test('a host policy\'s port-less ingress from it: refused (host-firewall-ingress-every-port)', () => {
    const c = chart();
    const host = new ClusterwidePolicy(c, 'h', { nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }) });
    expect(refusal(() => host.allowIngress(own('reserved:unmanaged'))).id).toBe('host-firewall-ingress-every-port');
  });

  test('what it was: the hand-written selector lets an unmanaged pod of any namespace in, as the entity does', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'api' }) }).allowIngress(own('reserved:unmanaged'), { ports: [Port.tcp(9090)] });
    expect(verdictOf(c, 'entity:unmanaged', API, '9090/TCP')).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=prometheus', API, '9090/TCP')).toBe('denied');
  });
});

// The same selector written otherwise: `reserved:world Exists` (or `In` [""]), or the reserved label beside other labels or
// expressions, which only narrow it. Only a single-key `matchLabels` was read as the entity: the others were pods, so
// `kubeletClients` of `reserved:world Exists` opened the kubelet to the world (the engine allowed 203.0.113.5 → 10250/TCP).
describe('a selector that requires a reserved label otherwise is the entity it names too (reservedAsEntities)', () => {
  const own = (selector: Record<string, unknown>): IPeer => ({
    toPeerConfig: () => ({ field: PeerField.ENDPOINTS, item: { endpoints: [selector] }, description: `own ${JSON.stringify(selector)}` }),
  });
  const WORLD_EXISTS = { matchExpressions: [{ key: 'reserved:world', operator: 'Exists' }] };
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['reserved:world Exists', WORLD_EXISTS, 'world', 'the entity world'],
    ['reserved:world In [""]', { matchExpressions: [{ key: 'reserved:world', operator: 'In', values: ['', 'x'] }] }, 'world', 'the entity world'],
    ['reserved:world beside another label', { matchLabels: { 'reserved:world': '', 'cidr:0.0.0.0/0': '' } }, 'world', 'the entity world'],
    ['reserved:unmanaged beside an expression', { matchLabels: { 'reserved:unmanaged': '' }, matchExpressions: [{ key: 'app', operator: 'Exists' }] },
      'broad', 'the entity unmanaged'],
    ['reserved:ingress Exists', { matchExpressions: [{ key: 'reserved:ingress', operator: 'Exists' }] }, 'broad', 'the entity ingress'],
  ];

  test.each(cases)('%s: refused as HostFirewall kubeletClients and hubbleRelay, and as DefaultDenyNamespace scrapeFrom', (_what, selector, kind, selects) => {
    for (const props of [{ kubeletClients: [own(selector)] }, { hubbleRelay: own(selector) }]) {
      const r = refusal(() => firewall(props));
      expect(r.id).toBe(`host-firewall-peer-${kind}`);
      expect(r.message).toContain(`selects ${selects}`);
    }
    const scraper = refusal(() => new DefaultDenyNamespace(chart('shop'), 'deny', { scrapeFrom: own(selector), scrapePorts: [Port.tcp(9090)] }));
    expect(scraper.id).toBe(`scraper-${kind}`);
  });

  test('what it was: the world reached the kubelet through it; pods and the world are denied with the narrow clients', () => {
    const c = chart();
    const fw = new HostFirewall(c, 'cp', { nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }), managementCidrs: ['10.50.0.0/24'] });
    fw.allowIngress(own(WORLD_EXISTS), { ports: [Port.tcp(10250)] });
    expect(verdictOf(c, 'cidr:203.0.113.5', CP, '10250/TCP', HOST_FIREWALL)).toBe('allowed');
    const narrow = firewall({ kubeletClients: [Peer.cidr('10.60.0.0/24')] });
    expect(verdictOf(narrow, 'cidr:10.60.0.7', CP, '10250/TCP', HOST_FIREWALL)).toBe('allowed');
    expect(verdictOf(narrow, 'cidr:203.0.113.5', CP, '10250/TCP', HOST_FIREWALL)).toBe('denied');
  });

  test.each<[string, Record<string, unknown>]>([
    ['reserved:world DoesNotExist beside a pod label', { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', app: 'x' },
      matchExpressions: [{ key: 'reserved:world', operator: 'DoesNotExist' }] }],
    ['two reserved labels (the API server nodes)', { matchLabels: { 'reserved:remote-node': '', 'reserved:kube-apiserver': '' } }],
  ])('%s: no entity of its own, accepted as kubeletClients', (_what, selector) => {
    expect(() => firewall({ kubeletClients: [own(selector)] })).not.toThrow();
  });

  // Session 55 (a mutant of reservedAsEntities that dropped every selector of an item once one named a reserved label): the
  // item's other selectors stay pods, judged as such.
  test('beside a selector of the host, a selector of pods of any namespace in the same item is still pods: refused as kubeletClients', () => {
    const anyNamespace = { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] };
    const both: IPeer = {
      toPeerConfig: () => ({ field: PeerField.ENDPOINTS, item: { endpoints: [{ matchLabels: { 'reserved:host': '' } }, anyNamespace] }, description: 'own' }),
    };
    const r = refusal(() => firewall({ kubeletClients: [both] }));
    expect(r.id).toBe('host-firewall-peer-broad');
    expect(r.message).toContain('selects pods of namespaces not fixed by name or namespace labels');
    expect(() => firewall({ kubeletClients: [own({ matchLabels: { 'reserved:host': '' } })] })).not.toThrow();
  });
});

// The ingress entity (reserved:ingress) is the source of whatever Cilium's Ingress and Gateway API Envoy relays to a backend:
// any client its routes accept, the world included. Accepted as a scraper, it opened the scrape ports to them.
describe('a metrics scraper of the ingress entity is refused (scraper-broad)', () => {
  test('DefaultDenyNamespace scrapeFrom and TieredApp metricsFrom', () => {
    const ddn = refusal(() => new DefaultDenyNamespace(chart('shop'), 'deny', { scrapeFrom: Peer.entity(Entity.INGRESS), scrapePorts: [Port.tcp(9090)] }));
    expect(ddn.id).toBe('scraper-broad');
    expect(ddn.message).toContain('DefaultDenyNamespace scrapeFrom selects the entity ingress (the source of every request Cilium\'s Ingress and Gateway API Envoy relays');
    const tiered = refusal(() => new TieredApp(chart('shop'), 'app', {
      tiers: [{ name: 'api', selector: EndpointSelector.labels({ app: 'api' }), ports: [Port.tcp(8080)], metricsPorts: [Port.tcp(9090)] }], metricsFrom: Peer.entity(Entity.INGRESS),
    }));
    expect(tiered.id).toBe('scraper-broad');
  });

  test('what it opened: the scrape port to the ingress entity; a named scraper reaches it, the ingress entity does not', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'api' }) }).allowIngress(Peer.entity(Entity.INGRESS), { ports: [Port.tcp(9090)] });
    expect(verdictOf(c, 'entity:ingress', API, '9090/TCP')).toBe('allowed');
    const named = chart('shop');
    new DefaultDenyNamespace(named, 'deny', { scrapeFrom: PROMETHEUS, scrapePorts: [Port.tcp(9090)] });
    expect(verdictOf(named, 'pod:monitoring:app=prometheus', API, '9090/TCP')).toBe('allowed');
    expect(verdictOf(named, 'entity:ingress', API, '9090/TCP')).toBe('denied');
  });

  test('a host policy\'s port-less ingress from it: refused (host-firewall-ingress-every-port)', () => {
    const host = new ClusterwidePolicy(chart(), 'h', { nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }) });
    expect(refusal(() => host.allowIngress(Peer.entity(Entity.INGRESS))).id).toBe('host-firewall-ingress-every-port');
  });
});

// A key without a source is `any:` (pkg/policy/api/selector.go `EndpointSelector.UnmarshalJSON`), which holds on a label of
// that key of every source, `reserved:` included (pkg/labels `LabelArray.Has`), so `world: ""` holds on the world identity.
// Cilium adds no namespace to a selector with a namespace key or a `reserved:` key (pkg/k8s/apis/cilium.io/utils/utils.go
// `getEndpointSelector`): beside `io.kubernetes.pod.namespace DoesNotExist` it is the world on 1.14–1.18 (1.19's cluster filter
// keeps it out, unless policy-default-local-cluster is off), beside `reserved:health DoesNotExist` on every version.
// apiServerClients (no namespace check: every pod is its default) took it, and the API server was open to the world.
describe('a source-less key naming a reserved label is the entity it names where Cilium adds no namespace (reservedAsEntities)', () => {
  const own = (selector: Record<string, unknown>): IPeer => ({
    toPeerConfig: () => ({ field: PeerField.ENDPOINTS, item: { endpoints: [selector] }, description: `own ${JSON.stringify(selector)}` }),
  });
  const NS_ABSENT = { matchLabels: { world: '' }, matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'DoesNotExist' }] };
  const RESERVED_KEY = { matchLabels: { world: '' }, matchExpressions: [{ key: 'reserved:health', operator: 'DoesNotExist' }] };
  const EXISTS = { matchExpressions: [{ key: 'world', operator: 'Exists' }, { key: 'io.kubernetes.pod.namespace', operator: 'NotIn', values: ['x'] }] };
  const cases: [string, Record<string, unknown>][] = [
    ['world: "" with the namespace DoesNotExist', NS_ABSENT], ['world: "" with reserved:health DoesNotExist', RESERVED_KEY],
    ['world Exists with the namespace NotIn [x]', EXISTS], ['any:world: "" with the namespace DoesNotExist', { ...NS_ABSENT, matchLabels: { 'any:world': '' } }],
  ];

  test.each(cases)('%s: refused as every narrow role (host-firewall-peer-world, scraper-world) on every version', (_what, selector) => {
    for (const version of CiliumVersion.ALL) {
      for (const props of [{ apiServerClients: [own(selector)] }, { kubeletClients: [own(selector)] }, { hubbleRelay: own(selector) }]) {
        const r = refusal(() => firewall(props, version));
        expect(r.id).toBe('host-firewall-peer-world');
        expect(r.message).toContain('selects the entity world');
        // Why a plain key is the world, and the fix for a pod label (session 55 review: the refusal did not say).
        expect(r.message).toContain('a pod label is written "k8s:world"');
      }
      const c = chart('shop');
      CiliumVersion.use(c, version);
      const scraper = refusal(() => new DefaultDenyNamespace(c, 'deny', { scrapeFrom: own(selector), scrapePorts: [Port.tcp(9090)] }));
      expect(scraper.id).toBe('scraper-world');
      expect(scraper.message).toContain('a pod label is written "k8s:world"');
      const dns = chart('shop');
      CiliumVersion.use(dns, version);
      expect(refusal(() => Builtins.allowDns(new CiliumPolicy(dns, 'p').rule, { dnsServer: own(selector) })).id).toBe('dns-server-world');
    }
  });

  // What it was: the world reached the API server (1.14–1.18), and through a reserved: key on 1.19 too. Since session 56 the
  // synthesis check refuses such a hand-written peer where it selects the world (`pitfall-peer-sourceless-reserved-world`;
  // the engine's verdicts of the same YAML per version: test/validate-cli/pitfall-selectors-safety.test.ts).
  test('what it was: the world reached the API server (1.14–1.18, and a reserved: key on 1.19): synthesis now refuses it', () => {
    for (const version of CiliumVersion.ALL) {
      for (const [selector, world] of [[NS_ABSENT, !version.atLeast(CiliumVersion.V1_19)], [RESERVED_KEY, true]] as const) {
        const c = firewall({}, version);
        const fw = c.node.findChild('cp') as HostFirewall;
        fw.allowIngress(own(selector), { ports: [Port.tcp(6443)] });
        const judged = (): string => verdictOf(c, 'cidr:203.0.113.5', CP, '6443/TCP', { ...HOST_FIREWALL, ciliumVersion: version });
        if (world) expect(judged).toThrow(/\(pitfall-peer-sourceless-reserved-world\)/);
        else expect(judged()).toBe('denied');
      }
    }
  });

  test('the default apiServerClients (every pod) and pods labelled world in a fixed namespace: the world is denied', () => {
    const c = firewall({ kubeletClients: [Peer.endpoints({ namespace: 'kube-system', labels: { world: '', app: 'client' } })] }, CiliumVersion.V1_18);
    const options = { ...HOST_FIREWALL, ciliumVersion: CiliumVersion.V1_18 };
    expect(verdictOf(c, 'pod:kube-system:app=client,world=', CP, '10250/TCP', options)).toBe('allowed');
    expect(verdictOf(c, 'cidr:203.0.113.5', CP, '10250/TCP', options)).toBe('denied');
    expect(verdictOf(c, 'cidr:203.0.113.5', CP, '6443/TCP', options)).toBe('denied');
    expect(verdictOf(c, 'pod:shop:app=x', CP, '6443/TCP', options)).toBe('allowed');
  });

  // Session 56 (seed 5602, lockout-guard.ts `sourcelessReservedLabels`): the selector must hold on the reserved identity as
  // far as its source-less reserved requirements go too. `world: x` names the key of Cilium's reserved label, but that label's
  // value is "" (pkg/labels `LabelWorld`), so the world does not carry world=x: these are pods labelled world=x, of any
  // namespace beside a reserved: key (no namespace added). Read as the world, it was refused as the world.
  test('world: x or k8s:world: "" beside reserved:health DoesNotExist is pods, not the world: API server clients take them', () => {
    const WORLD_X = { matchLabels: { world: 'x' }, matchExpressions: [{ key: 'reserved:health', operator: 'DoesNotExist' }] };
    for (const version of [CiliumVersion.V1_18, CiliumVersion.V1_19]) {
      const c = firewall({ apiServerClients: [own(WORLD_X)] }, version);
      const options = { ...HOST_FIREWALL, ciliumVersion: version };
      expect(verdictOf(c, 'pod:shop:world=x', CP, '6443/TCP', options)).toBe('allowed');
      expect(verdictOf(c, 'pod:shop:app=x', CP, '6443/TCP', options)).toBe('denied');
      expect(verdictOf(c, 'cidr:203.0.113.5', CP, '6443/TCP', options)).toBe('denied');
    }
    // A pod label written as the refusal says, k8s:world: "", is pods labelled world= (the k8s: source holds on no reserved
    // label): taken, and the world stays out.
    const K8S_WORLD = { ...WORLD_X, matchLabels: { 'k8s:world': '' } };
    const c = firewall({ apiServerClients: [own(K8S_WORLD)] }, CiliumVersion.V1_18);
    const options = { ...HOST_FIREWALL, ciliumVersion: CiliumVersion.V1_18 };
    expect(verdictOf(c, 'pod:shop:world=', CP, '6443/TCP', options)).toBe('allowed');
    expect(verdictOf(c, 'cidr:203.0.113.5', CP, '6443/TCP', options)).toBe('denied');
    // The same key with the reserved label's own value is the world: refused.
    expect(refusal(() => firewall({ apiServerClients: [own({ ...WORLD_X, matchLabels: { world: '' } })] }, CiliumVersion.V1_19)).id)
      .toBe('host-firewall-peer-world');
  });

  test('the world entity said outright is refused without the note about keys', () => {
    const r = refusal(() => firewall({ kubeletClients: [Peer.entity(Entity.WORLD)] }, CiliumVersion.V1_18));
    expect(r.id).toBe('host-firewall-peer-world');
    expect(r.message).not.toContain('k8s:world');
  });
});
