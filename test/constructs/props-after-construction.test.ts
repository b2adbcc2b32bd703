// What a construct or a call was given is what it writes: lists and maps of props and options changed by the caller
// after the construct was built (or the call made) reach neither the checks nor the policy. Each case once opened more
// than the props said at construction (judged by the engine's verdicts).
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, EndpointSelector, HostFirewall, HostFirewallProps, NodeSelector, Peer, Port } from '../../src';
import { decidedBy, judge, verdictOf } from '../support/construct-verdicts';
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
