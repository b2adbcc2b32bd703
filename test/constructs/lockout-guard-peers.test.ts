// The HostFirewall lockout check, peer by peer: which deny peers overlap which guarded peers (entities that stand for
// each other, CIDR groups, nodes, endpoints, "any peer"), ICMP types given by name, port ranges on the guarded side.
// Each refused case names the path, the deny item and the fix; each accepted case differs from a refused one by the peer
// or the port alone.
import { describe, expect, test } from 'vitest';
import { Deny, LABELS, cut, lockout } from '../support/lockout-guard';
import { Entity, HostFirewallProps, Icmp, IcmpFamily, Peer, Port } from '../../src';

describe('deny peers that overlap a guarded peer are refused', () => {
  test.each<[string, Deny, Partial<HostFirewallProps>, string]>([
    ['the all entity cuts the API server entity', (fw) => fw.denyEgress(Peer.entity(Entity.ALL), { ports: [Port.tcp(2379)] }), {}, 'egressDeny[0] etcd'],
    ['cluster covers remote-node (kubelets of other nodes)', (fw) => fw.denyEgress(Peer.entity(Entity.CLUSTER), { ports: [Port.tcp(10250)] }), {}, 'egressDeny[0] kubelet'],
    ['cluster covers the pods (pod traffic)', (fw) => fw.denyEgress(Peer.entity(Entity.CLUSTER), { ports: [Port.tcp(8080)] }), {}, 'egressDeny[0] pod-traffic'],
    // A cluster-wide kubelet client (the cluster entity) is refused by HostFirewall (host-firewall-peer-broad): no case here.
    ['host is the host kubelet client', (fw) => fw.denyIngress(Peer.entity(Entity.HOST), { ports: [Port.tcp(10250)] }),
      { kubeletClients: [Peer.entity(Entity.HOST)] }, 'ingressDeny[0] kubelet'],
    ['a CIDR group may hold the node DNS servers', (fw) => fw.denyEgress(Peer.cidrGroup('corp-resolvers'), { ports: [Port.udp(53)] }), {}, 'egressDeny[0] node-dns'],
    ['a CIDR cuts ICMP errors from every peer', (fw) => fw.denyIngress(Peer.cidr('203.0.113.0/24'), { ports: [Icmp.destinationUnreachable()] }), {}, 'ingressDeny[0] icmp'],
    ['pods cut ICMP errors from every peer', (fw) => fw.denyEgress(Peer.endpoints({ namespace: 'shop', labels: { app: 'web' } }), { ports: [Icmp.timeExceeded()] }), {},
      'egressDeny[0] icmp'],
    ['nodes cut the kubelets of other nodes', (fw) => fw.denyEgress(Peer.nodes({ zone: 'a' }), { ports: [Port.tcp(10250)] }), {}, 'egressDeny[0] kubelet'],
    ['nodes cut the API server (it runs on nodes)', (fw) => fw.denyEgress(Peer.nodes({ zone: 'a' }), { ports: [Port.tcp(6443)] }), {}, 'egressDeny[0] kube-apiserver'],
    ['nodes cut etcd peers given by node labels', (fw) => fw.denyEgress(Peer.nodes({ zone: 'a' }), { ports: [Port.tcp(2380)] }), LABELS, 'egressDeny[0] etcd'],
    ['nodes cut a kubelet client given by node labels', (fw) => fw.denyIngress(Peer.nodes({ zone: 'a' }), { ports: [Port.tcp(10250)] }),
      { kubeletClients: [Peer.nodes({ 'node-restriction.kubernetes.io/ops': '' })] }, 'ingressDeny[0] kubelet'],
    ['remote-node cuts etcd peers given by node labels', (fw) => fw.denyEgress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.tcp(2379)] }), LABELS, 'egressDeny[0] etcd'],
    ['cluster cuts etcd peers given by node labels', (fw) => fw.denyIngress(Peer.entity(Entity.CLUSTER), { ports: [Port.tcp(2379)] }), LABELS, 'ingressDeny[0] etcd'],
    ['any peer cuts the break-glass port', (fw) => fw.denyIngress(Peer.any(), { ports: [Port.tcp(22)] }), {}, 'ingressDeny[0] break-glass'],
    ['a port inside a guarded range', (fw) => fw.denyIngress(Peer.cidr('10.50.0.7/32'), { ports: [Port.tcp(2210)] }),
      { breakGlassPorts: [Port.tcpRange(2200, 2222)] }, 'ingressDeny[0] break-glass'],
    ['the last port of a guarded range', (fw) => fw.denyIngress(Peer.cidr('10.50.0.7/32'), { ports: [Port.tcp(2222)] }),
      { breakGlassPorts: [Port.tcpRange(2200, 2222)] }, 'ingressDeny[0] break-glass'],
    ['an ICMP type given by name', (fw) => fw.denyIngress(Peer.entity(Entity.WORLD), { ports: [Icmp.named('DestinationUnreachable')] }), {}, 'ingressDeny[0] icmp'],
    ['an IPv6 ICMP type given by name', (fw) => fw.denyIngress(Peer.entity(Entity.WORLD), { ports: [Icmp.named('PacketTooBig', IcmpFamily.IPV6)] }), {},
      'ingressDeny[0] icmp'],
    ['a CIDR with an except elsewhere still holds the management network', (fw) => fw.denyIngress(Peer.cidr('10.0.0.0/8', { except: ['10.60.0.0/16'] }), { ports: [Port.tcp(22)] }), {},
      'ingressDeny[0] break-glass'],
    ['a port without protocol on the guarded TCP port', (fw) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.of({ port: 6443 })] }), {},
      'egressDeny[0] kube-apiserver'],
  ])('%s', (_what, deny, props, expected) => {
    const message = lockout(deny, props);
    expect(cut(message)).toContain(expected);
    const path = expected.split(' ')[1];
    expect(message).toMatch(new RegExp(`fix: narrow the deny rule, or remove the path on purpose with exemptions: \\[\\{ path: LockoutPath\\.[A-Z_]+, reason`));
    expect(message).toContain(`would cut the ${path} path`);
  });
});

describe('deny peers that miss every guarded peer are accepted', () => {
  test.each<[string, Deny, Partial<HostFirewallProps>]>([
    ['nodes against the node DNS servers (a CIDR)', (fw) => fw.denyEgress(Peer.nodes({ zone: 'a' }), { ports: [Port.udp(53)] }), {}],
    ['a CIDR against the API server entity (a managed API server address is not known)', (fw) => fw.denyEgress(Peer.cidr('203.0.113.0/24'), { ports: [Port.tcp(6443)] }), {}],
    ['host against remote-node kubelets', (fw) => fw.denyEgress(Peer.entity(Entity.HOST), { ports: [Port.tcp(10250)] }), {}],
    ['a CIDR group against entity-only paths', (fw) => fw.denyEgress(Peer.cidrGroup('corp'), { ports: [Port.tcp(10250)] }), {}],
    ['ICMP echo from the world (never guarded from the world)', (fw) => fw.denyIngress(Peer.entity(Entity.WORLD), { ports: [Icmp.echoRequest()] }), {}],
    ['an ICMP name of another family', (fw) => fw.denyIngress(Peer.entity(Entity.WORLD), { ports: [Icmp.named('EchoRequest', IcmpFamily.IPV6)] }), {}],
    ['a port just past a guarded range', (fw) => fw.denyIngress(Peer.cidr('10.50.0.7/32'), { ports: [Port.tcp(2223)] }), { breakGlassPorts: [Port.tcpRange(2200, 2222)] }],
    ['a CIDR whose except is the management network (Cilium does not deny excepted addresses)',
      (fw) => fw.denyIngress(Peer.cidr('10.0.0.0/8', { except: ['10.50.0.0/16'] }), { ports: [Port.tcp(22)] }), {}],
  ])('%s', (_what, deny, props) => {
    expect(lockout(deny, props)).toBeUndefined();
  });
});
