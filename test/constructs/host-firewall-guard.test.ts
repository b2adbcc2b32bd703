// The HostFirewall lockout guard as the engine sees it: for every guarded path, each peer on each port is allowed in its
// direction and the neighbouring ports are not (egress included: the first egress rule puts the nodes into egress default
// deny, and the guard must keep every path of the node's own traffic). Then the lockout check: a deny that cuts any
// guarded port is refused at synthesis, one that misses it by one port is not.
import { Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import { Endpoint, EndpointKind, Entity, HostFirewall, HostFirewallProps, IpFamilies, LockoutPath, NodeSelector, Peer, Port, RoutingMode } from '../../src';

const NODE = 'node:node-role.kubernetes.io/control-plane=';
// The peers of the egress guard as nodes with their labels (a node's host endpoint carries its node's labels, and whether
// the firewall's nodeSelector selects it depends on them: `entity:remote-node` alone is refused, engine-node-labels-unknown).
// Worker nodes: the firewall does not select them, so their ingress is open and the verdict is the egress guard's.
const REMOTE = 'node:kubernetes.io/hostname=w1';
const API_SERVER: Endpoint = { kind: EndpointKind.NODE, name: 'w2', labels: { 'kubernetes.io/hostname': 'w2' }, entity: 'kube-apiserver' };
const ON = { hostFirewall: true, ipFamilies: IpFamilies.DUAL }; // dual-stack: the guard's ICMPv6 and IPv6 addresses are packets there only

function firewall(props: Partial<HostFirewallProps> = {}, egress = true): Chart {
  const c = new Chart(Testing.app(), 'test');
  const fw = new HostFirewall(c, 'cp', {
    nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }),
    managementCidrs: ['10.50.0.0/24'],
    routingMode: RoutingMode.VXLAN,
    nodeDnsServers: ['169.254.169.253/32'],
    ...props,
  });
  if (egress) fw.allowEgress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(443)] });
  return c;
}

describe('HostFirewall egress guard (nodes in egress default deny)', () => {
  // Built inside each test, not while the file is collected (the mutation run would count the construct's code as
  // covered by no test, and run every test against each of its mutants).
  const c = (): Chart => firewall();

  test.each([
    ['kube-apiserver', API_SERVER, '6443/TCP'],
    ['kubelets of other nodes', REMOTE, '10250/TCP'],
    ['etcd client', API_SERVER, '2379/TCP'],
    ['etcd peer', API_SERVER, '2380/TCP'],
    ['health of other nodes', REMOTE, '4240/TCP'],
    ['health endpoint', 'entity:health', '4240/TCP'],
    ['ping of other nodes', REMOTE, 'icmp/8'],
    ['ping of health (IPv6)', 'entity:health', 'icmpv6/128'],
    ['VXLAN tunnel', REMOTE, '8472/UDP'],
    ['path MTU (IPv4)', 'cidr:203.0.113.9', 'icmp/3'],
    ['time exceeded', 'cidr:203.0.113.9', 'icmp/11'],
    ['packet too big (IPv6)', 'cidr:2001:db8::9', 'icmpv6/2'],
    ['neighbour solicitation', REMOTE, 'icmpv6/135'],
    ['neighbour advertisement', REMOTE, 'icmpv6/136'],
    ['pods (probes, webhooks)', 'pod:shop:app=web', '8080/TCP'],
    ['pods on UDP', 'pod:kube-system:k8s-app=kube-dns', '53/UDP'],
    ['node DNS over UDP', 'cidr:169.254.169.253', '53/UDP'],
    ['node DNS over TCP', 'cidr:169.254.169.253', '53/TCP'],
    ['the declared egress', 'cidr:203.0.113.9', '443/TCP'],
  ])('allows %s (%s %s)', (_what, to, port) => {
    expect(c()).toAllow(NODE, to, port, ON);
  });

  test.each([
    ['API server on another port', API_SERVER, '6444/TCP'],
    ['etcd neighbour port', API_SERVER, '2381/TCP'],
    ['below etcd', API_SERVER, '2378/TCP'],
    ['etcd on UDP', API_SERVER, '2380/UDP'],
    ['kubelet neighbour port', REMOTE, '10251/TCP'],
    ['ssh to other nodes', REMOTE, '22/TCP'],
    ['health on UDP', REMOTE, '4240/UDP'],
    ['VXLAN on TCP', REMOTE, '8472/TCP'],
    ['Geneve (not the routing mode)', REMOTE, '6081/UDP'],
    ['WireGuard (not declared)', REMOTE, '51871/UDP'],
    ['ping to the world', 'cidr:203.0.113.9', 'icmp/8'],
    ['world on 80', 'cidr:203.0.113.9', '80/TCP'],
    ['another resolver', 'cidr:8.8.8.8', '53/UDP'],
    ['node DNS on another port', 'cidr:169.254.169.253', '5353/UDP'],
  ])('denies %s (%s %s)', (_what, to, port) => {
    expect(c()).toDeny(NODE, to, port, ON);
  });

  test('etcd peers by CIDR: both etcd ports to exactly those addresses', () => {
    const cidrs = firewall({ controlPlaneCidrs: ['10.0.0.10/32', '10.0.0.11/32'], cidrMatchNodes: true });
    for (const ip of ['10.0.0.10', '10.0.0.11']) {
      expect(cidrs).toAllow(NODE, `cidr:${ip}`, '2379/TCP', ON);
      expect(cidrs).toAllow(NODE, `cidr:${ip}`, '2380/TCP', ON);
      expect(cidrs).toDeny(NODE, `cidr:${ip}`, '2381/TCP', ON);
    }
    expect(cidrs).toDeny(NODE, 'cidr:10.0.0.12', '2380/TCP', ON);
    // The API server nodes are no longer the etcd peers.
    expect(cidrs).toDeny(NODE, API_SERVER, '2380/TCP', ON);
  });

  test('declared extras: WireGuard, BGP, another API server port', () => {
    const extra = firewall({ wireGuard: true, bgpPeers: ['192.0.2.1/32'], apiServerPort: 8443 });
    expect(extra).toAllow(NODE, REMOTE, '51871/UDP', ON);
    expect(extra).toAllow(NODE, 'cidr:192.0.2.1', '179/TCP', ON);
    expect(extra).toDeny(NODE, 'cidr:192.0.2.2', '179/TCP', ON);
    expect(extra).toAllow(NODE, API_SERVER, '8443/TCP', ON);
    expect(extra).toDeny(NODE, API_SERVER, '6443/TCP', ON);
  });

  test('an exempted path is not kept', () => {
    const ex = firewall({ exemptions: [{ path: LockoutPath.ETCD, reason: 'etcd runs outside the cluster' }] });
    expect(ex).toDeny(NODE, API_SERVER, '2380/TCP', ON);
    expect(ex).toDeny(NODE, API_SERVER, '2379/TCP', ON);
    expect(ex).toAllow(NODE, API_SERVER, '6443/TCP', ON);
  });

  test('without an egress rule the nodes keep egress default allow (no guard, no default deny)', () => {
    const ingressOnly = firewall({}, false);
    expect(ingressOnly).toAllow(NODE, 'cidr:203.0.113.9', '80/TCP', ON);
  });
});

describe('HostFirewall ingress guard', () => {
  const c = (): Chart => firewall({}, false);

  test.each([
    ['ssh from management', 'cidr:10.50.0.7', '22/TCP'],
    ['API server from management', 'cidr:10.50.0.7', '6443/TCP'],
    ['API server from other nodes', 'entity:remote-node', '6443/TCP'],
    ['API server from pods', 'pod:shop:app=web', '6443/TCP'],
    ['kubelet from the API server', 'entity:kube-apiserver', '10250/TCP'],
    ['etcd client from the API server nodes', 'entity:kube-apiserver', '2379/TCP'],
    ['etcd peer from the API server nodes', 'entity:kube-apiserver', '2380/TCP'],
    ['health from other nodes', 'entity:remote-node', '4240/TCP'],
    ['health endpoint', 'entity:health', '4240/TCP'],
    ['ping from other nodes', 'entity:remote-node', 'icmp/8'],
    ['VXLAN', 'entity:remote-node', '8472/UDP'],
    ['path MTU from the world', 'cidr:203.0.113.9', 'icmp/3'],
    ['packet too big (IPv6)', 'cidr:2001:db8::9', 'icmpv6/2'],
    ['Hubble relay', 'pod:kube-system:k8s-app=hubble-relay', '4244/TCP'],
  ])('allows %s (%s %s)', (_what, from, port) => {
    expect(c()).toAllow(from, NODE, port, ON);
  });

  test.each([
    ['ssh from the world', 'cidr:203.0.113.9', '22/TCP'],
    ['API server from the world', 'cidr:203.0.113.9', '6443/TCP'],
    ['ssh from other nodes', 'entity:remote-node', '22/TCP'],
    ['kubelet from pods', 'pod:shop:app=web', '10250/TCP'],
    ['etcd from pods', 'pod:shop:app=web', '2379/TCP'],
    ['etcd neighbour port', 'entity:kube-apiserver', '2381/TCP'],
    ['ping from the world', 'cidr:203.0.113.9', 'icmp/8'],
    ['Hubble from another pod', 'pod:kube-system:k8s-app=other', '4244/TCP'],
    ['metrics (no scraper declared)', 'pod:monitoring:app=prometheus', '9962/TCP'],
  ])('denies %s (%s %s)', (_what, from, port) => {
    expect(c()).toDeny(from, NODE, port, ON);
  });
});

describe('the lockout check refuses a deny that cuts a guarded port, and only those', () => {
  const synth = (deny: (fw: HostFirewall) => void): (() => unknown) => () => {
    const c = new Chart(Testing.app(), 'test');
    const fw = new HostFirewall(c, 'cp', {
      nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }),
      managementCidrs: ['10.50.0.0/24'],
      nodeDnsServers: ['169.254.169.253/32'],
    });
    fw.allowEgress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(443)] });
    deny(fw);
    return Testing.synth(c);
  };

  test.each([
    ['egress etcd peer port', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(2380)] }), /etcd/],
    ['egress etcd client port', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(2379)] }), /etcd/],
    ['egress API server', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(6443)] }), /kube-apiserver/],
    ['egress kubelet by range', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.tcpRange(10000, 10300)] }), /kubelet/],
    ['egress node DNS', (fw: HostFirewall) => fw.denyEgress(Peer.cidr('169.254.0.0/16'), { ports: [Port.udp(53)] }), /node-dns/],
    ['egress pods', (fw: HostFirewall) => fw.denyEgress(Peer.allNamespaces(), { ports: [Port.tcp(8080)] }), /pod-traffic/],
    ['ingress etcd peer port', (fw: HostFirewall) => fw.denyIngress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(2380)] }), /etcd/],
    ['ingress ssh from management', (fw: HostFirewall) => fw.denyIngress(Peer.cidr('10.50.0.0/28'), { ports: [Port.tcp(22)] }), /break-glass/],
    ['egress etcd by a range around it', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcpRange(2370, 2390)] }), /etcd/],
    ['egress etcd by a range ending on it', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcpRange(2300, 2379)] }), /etcd/],
    ['egress API server on any protocol', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.any(6443)] }), /kube-apiserver/],
    ['egress kubelet by every TCP port', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.allTcp()] }), /kubelet/],
    ['egress to the API server with no port', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER)), /kube-apiserver/],
  ])('refuses %s', (_what, deny, path) => {
    expect(synth(deny)).toThrow(path);
  });

  test.each([
    ['egress etcd neighbour port', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(2381)] })],
    ['egress API server on UDP', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.udp(6443)] })],
    ['egress to a CIDR outside the node DNS servers', (fw: HostFirewall) => fw.denyEgress(Peer.cidr('8.8.8.8/32'), { ports: [Port.udp(53)] })],
    ['ingress ssh from elsewhere', (fw: HostFirewall) => fw.denyIngress(Peer.cidr('10.60.0.0/24'), { ports: [Port.tcp(22)] })],
    ['egress a range just above etcd', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcpRange(2381, 2390)] })],
    ['egress a range just below etcd', (fw: HostFirewall) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcpRange(2300, 2378)] })],
  ])('accepts %s', (_what, deny) => {
    expect(synth(deny)).not.toThrow();
  });
});
