// What a construct or a call was given is what it writes: lists and maps of props and options changed by the caller
// after the construct was built (or the call made) reach neither the checks nor the policy. Each case once opened more
// than the props said at construction (judged by the engine's verdicts).
import { describe, expect, test } from 'vitest';
import { HostFirewall, HostFirewallProps, NodeSelector, Peer, Port } from '../../src';
import { verdictOf } from '../support/construct-verdicts';
import { chart } from '../support/synth';

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
