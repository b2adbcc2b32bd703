// An optional peer prop given as `null` (a lookup that found nothing, plain JavaScript) was read as left out and took its
// default, which opens a path the props did not name: `HostFirewall` `hubbleRelay: null` opened 4244/TCP to the hubble-relay
// pods, `dnsServer: null` DNS (53/UDP, 53/TCP) to kube-dns. The same constructs refuse `null` for their flags, lists and
// selectors; a peer prop now too (`checkOptionalPeer`, `peer-unknown`), and nothing is written (session 48, fixlp48).
import { Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  Builtins, CiliumPolicy, ClusterDefaultDeny, DefaultDenyNamespace, DnsRule, EndpointSelector, FqdnEgress, HostFirewall, HostFirewallProps, IPeer,
  LockoutPath, NodeSelector, Port, TieredApp,
} from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const CP = 'node:node-role.kubernetes.io/control-plane=';
const RELAY = 'pod:kube-system:k8s-app=hubble-relay';
const KUBE_DNS = 'pod:kube-system:k8s-app=kube-dns';
const none = null as unknown as IPeer;

function firewall(c: ReturnType<typeof chart>, props: Partial<HostFirewallProps> = {}): HostFirewall {
  return new HostFirewall(c, 'cp', { nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }), managementCidrs: ['10.50.0.0/24'],
    ...props });
}

describe('HostFirewall hubbleRelay: null is refused, not the default relay', () => {
  test('refused, nothing written; left out the relay reaches 4244/TCP, exempted it does not', () => {
    const c = chart();
    const r = refusal(() => firewall(c, { hubbleRelay: none }));
    expect(r.id).toBe('peer-unknown');
    expect(r.message).toContain('[test/cp] HostFirewall hubbleRelay is null, not a peer: null is not taken as left out, which would apply the default '
      + '(the hubble-relay pods (kube-system, k8s-app=hubble-relay)) the call did not name');
    expect(r.message).toContain('fix: leave hubbleRelay out for the default (the hubble-relay pods (kube-system, k8s-app=hubble-relay)), exempt the path '
      + '(exemptions: [{ path: LockoutPath.HUBBLE, reason }]), or pass the peer meant');
    expect(Testing.synth(c)).toEqual([]);
    const left = chart();
    firewall(left);
    expect(verdictOf(left, RELAY, CP, '4244/TCP', { hostFirewall: true })).toBe('allowed');
    const exempted = chart();
    firewall(exempted, { exemptions: [{ path: LockoutPath.HUBBLE, reason: 'no Hubble' }] });
    expect(verdictOf(exempted, RELAY, CP, '4244/TCP', { hostFirewall: true })).toBe('denied');
  });

  test('metricsScraper: null is refused too (left out, the metrics ports stay closed)', () => {
    const c = chart();
    expect(refusal(() => firewall(c, { metricsScraper: none })).id).toBe('peer-unknown');
    expect(Testing.synth(c)).toEqual([]);
    const left = chart();
    firewall(left);
    expect(verdictOf(left, 'pod:monitoring:app=prometheus', CP, '9962/TCP', { hostFirewall: true })).toBe('denied');
  });
});

describe('dnsServer: null is refused, not kube-dns', () => {
  const A = EndpointSelector.labels({ app: 'a' });
  test.each([
    ['FqdnEgress', 'shop', (c: ReturnType<typeof chart>) => new FqdnEgress(c, 'x', { endpointSelector: A, fqdns: ['api.example.com'], dnsServer: none })],
    ['DefaultDenyNamespace', 'shop', (c: ReturnType<typeof chart>) => new DefaultDenyNamespace(c, 'x', { dnsServer: none })],
    ['TieredApp', 'shop', (c: ReturnType<typeof chart>) => new TieredApp(c, 'x', { tiers: [{ name: 'a', ports: [Port.tcp(80)] }], egressLockdown: true,
      dnsServer: none })],
    ['ClusterDefaultDeny', undefined, (c: ReturnType<typeof chart>) => new ClusterDefaultDeny(c, 'x', { dnsServer: none })],
  ])('%s: refused, nothing written', (construct, namespace, make) => {
    const c = chart(namespace);
    const r = refusal(() => make(c));
    expect(r.id).toBe('peer-unknown');
    expect(r.message).toContain(`[test/x] ${construct} dnsServer is null, not a peer: null is not taken as left out, which would apply the default `
      + '(Peer.kubeDns(), the kube-dns pods of kube-system)');
    expect(r.message).toContain('fix: leave dnsServer out for the default (Peer.kubeDns(), the kube-dns pods of kube-system), or pass the peer meant');
    expect(Testing.synth(c)).toEqual([]);
  });

  test('FqdnEgress left out: lookups at kube-dns on 53/UDP', () => {
    const c = chart('shop');
    new FqdnEgress(c, 'x', { endpointSelector: A, fqdns: ['api.example.com'] });
    expect(verdictOf(c, 'pod:shop:app=a', KUBE_DNS, '53/UDP', { dns: 'api.example.com' })).toBe('allowed');
  });

  test('Builtins.allowDns: refused, and no DNS rule is added (kube-dns denied)', () => {
    const c = chart('shop');
    const p = new CiliumPolicy(c, 'p', { endpointSelector: A });
    p.isolateEgress();
    const r = refusal(() => Builtins.allowDns(p.rule, { dnsServer: none, dnsRules: [DnsRule.exact('api.example.com')] }));
    expect(r.id).toBe('peer-unknown');
    expect(r.message).toContain('Builtins.allowDns() dnsServer is null, not a peer');
    expect(verdictOf(c, 'pod:shop:app=a', KUBE_DNS, '53/UDP', { dns: 'api.example.com' })).toBe('denied');
  });
});
