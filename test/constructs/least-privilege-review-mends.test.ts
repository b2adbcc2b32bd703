// Review mends of the session-54 least-privilege work: each a fail-open the reviewer reproduced, judged by the engine
// (allowed AND denied) or refused by error id.
import { Chart } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  Builtins, CiliumPolicy, DefaultDenyNamespace, DnsRule, EndpointSelector, HostFirewall, HostFirewallProps, IPeer, L7, NodeSelector, Peer, PeerField,
  Port,
} from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';
import { check, findings } from '../validate-cli/helpers';

const own = (selector: Record<string, unknown>): IPeer => ({
  toPeerConfig: () => ({ field: PeerField.ENDPOINTS, item: { endpoints: [selector] }, description: `own ${JSON.stringify(selector)}` }),
});

describe('dnsServer: a selector of a reserved label is refused as its entity is (dns-server-not-resolver)', () => {
  const notResolvers = ['ingress', 'unmanaged', 'remote-node', 'init', 'health', 'kube-apiserver'];
  const spellings: [string, (name: string) => Record<string, unknown>][] = [
    ['matchLabels', (name) => ({ matchLabels: { [`reserved:${name}`]: '' } })],
    ['Exists', (name) => ({ matchExpressions: [{ key: `reserved:${name}`, operator: 'Exists' }] })],
  ];
  const builds: [string, (c: Chart, dnsServer: IPeer) => unknown][] = [
    ['DefaultDenyNamespace', (c, dnsServer) => new DefaultDenyNamespace(c, 'd', { dnsServer })],
    ['Builtins.allowDns', (c, dnsServer) => Builtins.allowDns(new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) }).rule, { dnsServer })],
  ];
  for (const [what, build] of builds) {
    for (const [form, sel] of spellings) {
      test.each(notResolvers)(`${what}, ${form}: reserved:%s refused`, (name) => {
        const r = refusal(() => build(chart('shop'), own(sel(name))));
        expect(r.id).toBe('dns-server-not-resolver');
        expect(r.message).toContain(`dnsServer is the entity ${name}`);
      });
    }
  }

  test('what it was: DNS to the unmanaged entity; reserved:host (a node-local resolver) stays a resolver', () => {
    const c = chart('shop');
    new DefaultDenyNamespace(c, 'd', { dnsServer: own({ matchLabels: { 'reserved:host': '' } }) });
    expect(verdictOf(c, 'pod:shop:app=a', 'entity:host', '53/UDP')).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=a', 'entity:unmanaged', '53/UDP')).toBe('denied');
  });
});

describe('validate: a DNS rule to the unmanaged, init or ingress entity beside toFQDNs is reported (one DNS_SERVER_ROLE)', () => {
  const ID = 'pitfall-fqdn-dns-server-broad';
  const cnp = (spec: Record<string, unknown>, name: string): Record<string, unknown> => ({
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'shop' }, spec,
  });
  const WEB = { matchLabels: { app: 'web' } };
  const fqdn = cnp({ endpointSelector: WEB, egress: [{ toFQDNs: [{ matchName: 'api.github.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] }, 'f');
  const dnsTo = (peer: Record<string, unknown>): Record<string, unknown> => cnp({
    endpointSelector: WEB, egress: [{ ...peer, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }],
  }, 'd');
  test.each([
    [{ toEntities: ['unmanaged'] }], [{ toEntities: ['init'] }], [{ toEntities: ['ingress'] }],
    [{ toEndpoints: [{ matchLabels: { 'reserved:unmanaged': '' } }] }],
  ])('%j reported; kube-dns not', (peer) => {
    const run = (p: Record<string, unknown>): number => findings(check({ 'f.yaml': JSON.stringify(fqdn), 'd.yaml': JSON.stringify(dnsTo(p)) }), ID).length;
    expect(run(peer)).toBe(1);
    expect(run({ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }] })).toBe(0);
  });
});

describe('a selector that only excludes a reserved label, without a namespace key, is pods of every namespace (host-firewall-peer-broad, scraper-broad)', () => {
  // Cilium adds no namespace to a selector with a reserved key: { app: x } then selects app=x pods of every namespace.
  const SEL = { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'reserved:health', operator: 'DoesNotExist' }] };
  const CP = 'node:node-role.kubernetes.io/control-plane=';
  const HF = { hostFirewall: true };
  const firewall = (props: Partial<HostFirewallProps>): Chart => {
    const c = chart();
    new HostFirewall(c, 'cp', {
      nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }), managementCidrs: ['10.50.0.0/24'], ...props,
    });
    return c;
  };

  test.each([
    ['kubeletClients', (p: IPeer) => firewall({ kubeletClients: [p] })],
    ['hubbleRelay', (p: IPeer) => firewall({ hubbleRelay: p })],
    ['metricsScraper', (p: IPeer) => firewall({ metricsScraper: p })],
  ] as const)('HostFirewall %s refused', (_, build) => {
    expect(refusal(() => build(own(SEL))).id).toBe('host-firewall-peer-broad');
  });

  test('DefaultDenyNamespace scrapeFrom refused', () => {
    const r = refusal(() => new DefaultDenyNamespace(chart('shop'), 'd', { scrapeFrom: own(SEL), scrapePorts: [Port.tcp(9090)] }));
    expect(r.id).toBe('scraper-broad');
  });

  test('with its namespace fixed it stays accepted: the pods of that namespace reach the kubelet, those of another do not', () => {
    const c = firewall({ kubeletClients: [own({ ...SEL, matchLabels: { app: 'x', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } })] });
    expect(verdictOf(c, 'pod:monitoring:app=x', CP, '10250/TCP', HF)).toBe('allowed');
    expect(verdictOf(c, 'pod:evil:app=x', CP, '10250/TCP', HF)).toBe('denied');
  });
});

describe('a DnsRule-shaped value is held to the checks of DnsRule.exact and DnsRule.pattern', () => {
  const forged = (model: Record<string, unknown>): DnsRule => ({ _toModel: () => model }) as unknown as DnsRule;
  const policy = (): CiliumPolicy => new CiliumPolicy(chart('shop'), 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) });
  const cases: [Record<string, unknown>, string][] = [
    [{ matchPattern: '**.com' }, 'fqdn-pattern-registrable'], [{ matchPattern: '*.*.com' }, 'fqdn-pattern-registrable'],
    [{ matchPattern: '**' }, 'fqdn-pattern-version-dependent'], [{ matchName: 'http://x.example.com' }, 'fqdn-syntax'],
    [{ matchPattern: 'a b.example.com' }, 'fqdn-syntax'],
  ];
  test.each(cases)('L7.dns(%j) refused (%s), as the factory refuses it', (model, id) => {
    expect(refusal(() => policy().allowEgress(Peer.kubeDns(), { ports: [Port.udp(53)], l7: L7.dns(forged(model)) })).id).toBe(id);
    expect(refusal(() => Builtins.allowDns(policy().rule, { dnsRules: [forged(model)] })).id).toBe(id);
    expect(refusal(() => new DefaultDenyNamespace(chart('shop'), 'd', { dnsRules: [forged(model)] })).id).toBe(id);
  });

  test('a forged model the factory would give stays accepted: the lookups it names pass, others do not', () => {
    const c = chart('shop');
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) })
      .allowEgress(Peer.kubeDns(), { ports: [Port.udp(53)], l7: L7.dns(forged({ matchPattern: '*.example.com' })) });
    const DNS = 'pod:kube-system:k8s-app=kube-dns';
    expect(verdictOf(c, 'pod:shop:app=a', DNS, '53/UDP', { dns: 'api.example.com' })).toBe('allowed');
    expect(verdictOf(c, 'pod:shop:app=a', DNS, '53/UDP', { dns: 'data.attacker.com' })).toBe('l7-denied');
  });
});

describe('fqdn-pattern-registrable shows a hostile pattern bounded (session 55 review)', () => {
  test.each([
    ['Peer.fqdnPattern', (p: string) => Peer.fqdnPattern(p)],
    ['DnsRule.pattern', (p: string) => DnsRule.pattern(p)],
  ])('%s of a 5,000-character registrable pattern: one short message, the id and the fix kept', (_name, make) => {
    const r = refusal(() => make(`*${'a'.repeat(5000)}.com`));
    expect(r.id).toBe('fqdn-pattern-registrable');
    expect(r.message.length).toBeLessThan(1500);
    expect(r.message).toContain('...');
  });
});
