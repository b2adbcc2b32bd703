// A HostFirewall prop that configures a guarded path, given beside that path's exemption, is refused
// (`host-firewall-exempted-path-configured`): the guard keeps no exempted path, so the prop opened nothing while the props
// read as if it did. Without the exemption the prop opens its path; with the exemption alone the path stays closed.
import { describe, expect, test } from 'vitest';
import { HostFirewall, HostFirewallProps, LockoutPath, Peer, Port } from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart, refusal } from '../support/synth';

const CP = 'node:node-role.kubernetes.io/control-plane=';
const ON = { hostFirewall: true };
const RELAY = Peer.endpoints({ namespace: 'obs', labels: { app: 'relay' } });

function firewall(props: Partial<HostFirewallProps>): ReturnType<typeof chart> {
  const c = chart('shop');
  new HostFirewall(c, 'h', { managementCidrs: ['10.50.0.0/24'], ...props });
  return c;
}

describe('a path\'s prop beside the path\'s exemption is refused', () => {
  test.each([
    ['breakGlassPorts', LockoutPath.BREAK_GLASS, { breakGlassPorts: [Port.tcp(2222)] } as Partial<HostFirewallProps>],
    ['hubbleRelay', LockoutPath.HUBBLE, { hubbleRelay: RELAY }],
    ['kubeletClients', LockoutPath.KUBELET, { kubeletClients: [Peer.cidr('10.9.0.0/16')] }],
    ['apiServerClients', LockoutPath.KUBE_APISERVER, { apiServerClients: [Peer.namespace('ops')] }],
    ['bgpPeers', LockoutPath.BGP, { bgpPeers: ['10.1.1.1/32'] }],
    ['wireGuard', LockoutPath.WIREGUARD, { wireGuard: true }],
    ['nodeDnsServers', LockoutPath.NODE_DNS, { nodeDnsServers: ['10.1.1.53/32'] }],
  ] as [string, LockoutPath, Partial<HostFirewallProps>][])('%s', (prop, path, props) => {
    const r = refusal(() => firewall({ ...props, exemptions: [{ path, reason: 'handled elsewhere' }] }));
    expect(r.id).toBe('host-firewall-exempted-path-configured');
    expect(r.message).toContain(`HostFirewall ${prop} is set, but the ${path} path is exempted (reason "handled elsewhere")`);
    expect(r.message).toContain(`fix: drop ${prop} where the path is meant closed, or drop the exemption of ${path}`);
  });

  test('wireGuard: false beside the exemption says nothing open: accepted', () => {
    expect(() => firewall({ wireGuard: false, exemptions: [{ path: LockoutPath.WIREGUARD, reason: 'no encryption' }] })).not.toThrow();
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
});
