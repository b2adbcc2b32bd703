// A HostFirewall prop that configures a guarded path, given beside that path's exemption, is refused
// (`host-firewall-exempted-path-configured`): the guard keeps no exempted path, so the prop opened nothing while the props
// read as if it did. Without the exemption the prop opens its path; with the exemption alone the path stays closed.
import { describe, expect, test } from 'vitest';
import { HostFirewall, HostFirewallProps, LockoutPath, Peer, Port, RoutingMode } from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const CP = 'node:node-role.kubernetes.io/control-plane=';
const ON = { hostFirewall: true };
const RELAY = Peer.endpoints({ namespace: 'obs', labels: { app: 'relay' } });
const REMOTE = 'node:kubernetes.io/hostname=w1';

function firewall(props: Partial<HostFirewallProps>): ReturnType<typeof chart> {
  const c = chart('shop');
  new HostFirewall(c, 'h', { managementCidrs: ['10.50.0.0/24'], ...props });
  return c;
}

describe('a path\'s prop beside the path\'s exemption is refused, naming its value and the reason', () => {
  test.each([
    ['breakGlassPorts', LockoutPath.BREAK_GLASS, { breakGlassPorts: [Port.tcp(2222)] } as Partial<HostFirewallProps>, '["2222/TCP"]'],
    ['hubbleRelay', LockoutPath.HUBBLE, { hubbleRelay: RELAY }, '"endpoints'],
    ['kubeletClients', LockoutPath.KUBELET, { kubeletClients: [Peer.cidr('10.9.0.0/16')] }, '["cidr 10.9.0.0/16"]'],
    ['apiServerClients', LockoutPath.KUBE_APISERVER, { apiServerClients: [Peer.namespace('ops')] }, '["'],
    ['apiServerPort', LockoutPath.KUBE_APISERVER, { apiServerPort: 443 }, '443'],
    ['controlPlaneCidrs', LockoutPath.ETCD, { controlPlaneCidrs: ['10.1.0.0/24'], cidrMatchNodes: true }, '["10.1.0.0/24"]'],
    ['controlPlaneNodeLabels', LockoutPath.ETCD, { controlPlaneNodeLabels: { 'node-role.kubernetes.io/control-plane': '' }, nodeSelectorLabels: true },
      '{"node-role.kubernetes.io/control-plane":""}'],
    ['routingMode', LockoutPath.TUNNEL, { routingMode: RoutingMode.VXLAN }, '"vxlan"'],
    ['routingMode', LockoutPath.TUNNEL, { routingMode: RoutingMode.GENEVE }, '"geneve"'],
    ['metricsScraper', LockoutPath.METRICS, { metricsScraper: RELAY }, '"endpoints'],
    ['bgpPeers', LockoutPath.BGP, { bgpPeers: ['10.1.1.1/32'] }, '["10.1.1.1/32"]'],
    ['wireGuard', LockoutPath.WIREGUARD, { wireGuard: true }, 'true'],
    ['nodeDnsServers', LockoutPath.NODE_DNS, { nodeDnsServers: ['10.1.1.53/32'] }, '["10.1.1.53/32"]'],
  ] as [string, LockoutPath, Partial<HostFirewallProps>, string][])('%s (%s path) %s', (prop, path, props, shown) => {
    const r = refusal(() => firewall({ ...props, exemptions: [{ path, reason: 'handled elsewhere' }] }));
    expect(r.id).toBe('host-firewall-exempted-path-configured');
    expect(r.message).toContain(`HostFirewall ${prop} ${shown}`);
    expect(r.message).toContain(`is set, but the ${path} path is exempted (reason "handled elsewhere")`);
    expect(r.message).toContain(`fix: drop ${prop} where the path is meant closed`);
    expect(r.message).toContain(`or drop the exemption of ${path}`);
  });

  test('wireGuard: false beside the exemption says nothing open: accepted', () => {
    expect(() => firewall({ wireGuard: false, exemptions: [{ path: LockoutPath.WIREGUARD, reason: 'no encryption' }] })).not.toThrow();
  });

  test('routingMode NATIVE beside the tunnel\'s exemption says no tunnel: accepted, and neither tunnel port is open', () => {
    const c = firewall({ routingMode: RoutingMode.NATIVE, exemptions: [{ path: LockoutPath.TUNNEL, reason: 'native routing' }] });
    expect(['8472/UDP', '6081/UDP'].map((p) => verdictOf(c, REMOTE, CP, p, ON))).toEqual(['denied', 'denied']);
  });

  test('the reason is shown quoted and bounded: quotes and new lines escaped, a long one clipped', () => {
    const reason = `say "x"\nnext line ${'y'.repeat(300)}`;
    const r = refusal(() => firewall({ breakGlassPorts: [Port.tcp(2222)], exemptions: [{ path: LockoutPath.BREAK_GLASS, reason }] }));
    expect(r.message).toContain('(reason "say \\"x\\"\\nnext line yyy');
    expect(r.message).not.toContain('y'.repeat(100));
    expect(r.message.split('\n')[0]).toContain('would open nothing');
  });
});

describe('truth tables: the prop alone opens its path, the exemption alone closes it', () => {
  test('breakGlassPorts [2222]: the management CIDRs reach 2222, not 22; others not', () => {
    const c = firewall({ breakGlassPorts: [Port.tcp(2222)] });
    expect([['10.50.0.7', '2222/TCP'], ['10.50.0.7', '22/TCP'], ['10.70.0.7', '2222/TCP']].map(([ip, p]) => verdictOf(c, `cidr:${ip}`, CP, p, ON)))
      .toEqual(['allowed', 'denied', 'denied']);
  });

  test('the break-glass path exempted, no breakGlassPorts: 22 closed to the management CIDRs', () => {
    const c = firewall({ exemptions: [{ path: LockoutPath.BREAK_GLASS, reason: 'console access only' }] });
    expect(verdictOf(c, 'cidr:10.50.0.7', CP, '22/TCP', ON)).toBe('denied');
  });

  test('hubbleRelay: the relay reaches 4244, another pod does not', () => {
    const c = firewall({ hubbleRelay: RELAY });
    expect(['pod:obs:app=relay', 'pod:obs:app=other'].map((from) => verdictOf(c, from, CP, '4244/TCP', ON))).toEqual(['allowed', 'denied']);
  });

  test('apiServerPort 443: the management CIDRs reach 443, not 6443; the API server path exempted alone: 6443 closed', () => {
    const c = firewall({ apiServerPort: 443 });
    expect(['443/TCP', '6443/TCP'].map((p) => verdictOf(c, 'cidr:10.50.0.7', CP, p, ON))).toEqual(['allowed', 'denied']);
    const exempt = firewall({ exemptions: [{ path: LockoutPath.KUBE_APISERVER, reason: 'managed control plane' }] });
    expect(verdictOf(exempt, 'cidr:10.50.0.7', CP, '6443/TCP', ON)).toBe('denied');
  });

  test('routingMode GENEVE: other nodes reach 6081, not 8472; the tunnel exempted alone: 8472 closed', () => {
    const c = firewall({ routingMode: RoutingMode.GENEVE });
    expect(['6081/UDP', '8472/UDP'].map((p) => verdictOf(c, REMOTE, CP, p, ON))).toEqual(['allowed', 'denied']);
    const exempt = firewall({ exemptions: [{ path: LockoutPath.TUNNEL, reason: 'tunnel handled by the cloud firewall' }] });
    expect(verdictOf(exempt, REMOTE, CP, '8472/UDP', ON)).toBe('denied');
  });
});
