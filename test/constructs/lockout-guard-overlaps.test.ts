// The HostFirewall lockout check where the earlier tests did not reach (found by mutation testing, docs/testing.md):
// entities that stand for each other, CIDRs with holes on either side, CIDR groups among the guarded peers, Services as
// deny peers (refused: the agent never resolves them in egressDeny), deny items that list several ports or ICMP types, and ICMP families. Each refused case names the path and
// the check id; each accepted case is the refused one with the peer, port or family that makes the difference changed.
import { describe, expect, test } from 'vitest';
import { Deny, LABELS, cut, lockout } from '../support/lockout-guard';
import { Entity, HostFirewallProps, Icmp, IcmpFamily, Peer, Port } from '../../src';
import { GuardPath, guardViolations } from '../../src/constructs/lockout-guard';
import { RuleItemModel, SectionName } from '../../src/model/policy-model';

const WEB = Peer.endpoints({ namespace: 'shop', labels: { app: 'web' } });

describe('refused: the deny cuts a guarded path', () => {
  test.each<[string, Deny, Partial<HostFirewallProps>, string[]]>([
    ['remote-node stands for the API server nodes', (fw) => fw.denyEgress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.tcp(6443)] }), {},
      ['egressDeny[0] kube-apiserver']],
    ['kube-apiserver stands for the nodes it runs on (their kubelets)', (fw) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(10250)] }), {},
      ['egressDeny[0] kubelet']],
    ['world holds a managed API server (its kubelet calls)', (fw) => fw.denyIngress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(10250)] }), {},
      ['ingressDeny[0] kubelet']],
    ['world holds a managed API server (node egress to it)', (fw) => fw.denyEgress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(6443)] }), {},
      ['egressDeny[0] kube-apiserver']],
    ['world holds the management CIDRs', (fw) => fw.denyIngress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(22)] }), {}, ['ingressDeny[0] break-glass']],
    ['a deny CIDR with holes still covers the management CIDRs', (fw) => fw.denyIngress(Peer.cidr('10.50.0.0/16', { except: ['10.50.1.0/24'] }), { ports: [Port.tcp(22)] }),
      {}, ['ingressDeny[0] break-glass']],
    ['a guarded CIDR with holes', (fw) => fw.denyIngress(Peer.cidr('10.60.0.0/28'), { ports: [Port.tcp(10250)] }),
      { kubeletClients: [Peer.cidr('10.60.0.0/24', { except: ['10.60.0.128/25'] })] }, ['ingressDeny[0] kubelet']],
    // A cluster-wide metrics scraper (the cluster entity) is refused by HostFirewall (host-firewall-peer-broad): no case here.
    ['pods cut a scraper of that namespace', (fw) => fw.denyIngress(Peer.endpoints({ namespace: 'monitoring', labels: { app: 'web' } }),
      { ports: [Port.tcp(9962)] }), { metricsScraper: Peer.namespace('monitoring') }, ['ingressDeny[0] metrics']],
    ['nodes cut ICMP errors from every peer', (fw) => fw.denyIngress(Peer.nodes({ zone: 'a' }), { ports: [Icmp.destinationUnreachable()] }), {},
      ['ingressDeny[0] icmp']],
    ['one guarded ICMP type among several', (fw) => fw.denyIngress(Peer.entity(Entity.WORLD), { ports: [Icmp.echoRequest(), Icmp.timeExceeded()] }), {},
      ['ingressDeny[0] icmp']],
    ['one guarded port among several', (fw) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(80), Port.tcp(2379)] }), {},
      ['egressDeny[0] etcd']],
    ['a CIDR group selector may hold the node DNS servers', (fw) => fw.denyEgress(Peer.cidrGroupSelector({ team: 'dns' }), { ports: [Port.udp(53)] }), {},
      ['egressDeny[0] node-dns']],
  ])('%s', (_what, deny, props, expected) => {
    const message = lockout(deny, props);
    expect(cut(message)).toEqual(expected);
    expect(message).toContain('(host-firewall-lockout)');
  });

  test('a Service is no deny peer: the agent never resolves toServices in egressDeny (its ports would be denied to every peer)', () => {
    for (const ports of [[Port.udp(53)], [Icmp.destinationUnreachable()], [Icmp.echoRequest()]]) {
      expect(() => lockout((fw) => fw.denyEgress(Peer.service('resolvers', 'kube-system'), { ports }))).toThrow(/\(peer-service-deny\)|denyEgress\(service kube-system\/resolvers\): Cilium never resolves toServices in egressDeny/);
    }
  });
});

describe('accepted: the deny misses every guarded path', () => {
  test.each<[string, Deny, Partial<HostFirewallProps>]>([
    ['remote-node against a metrics scraper on the host', (fw) => fw.denyIngress(Peer.entity(Entity.REMOTE_NODE), { ports: [Port.tcp(9962)] }),
      { metricsScraper: Peer.entity(Entity.HOST) }],
    ['kube-apiserver against a metrics scraper on the host', (fw) => fw.denyIngress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(9962)] }),
      { metricsScraper: Peer.entity(Entity.HOST) }],
    ['pods against the kubelet (only the API server is its client)', (fw) => fw.denyIngress(WEB, { ports: [Port.tcp(10250)] }), {}],
    ['world against etcd (etcd on the nodes serves an API server on the nodes, not a managed one)',
      (fw) => fw.denyIngress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(2379)] }), {}],
    ['some CIDRs against the kubelet (a managed API server\'s address is not known to be among them)',
      (fw) => fw.denyIngress(Peer.cidr('198.51.100.0/24'), { ports: [Port.tcp(10250)] }), {}],
    ['world against etcd peers given by node labels', (fw) => fw.denyEgress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(2379)] }), LABELS],
    ['a CIDR with holes outside the node DNS servers', (fw) => fw.denyEgress(Peer.cidr('203.0.113.0/24', { except: ['203.0.113.0/28'] }), { ports: [Port.udp(53)] }), {}],
    ['a CIDR against ping (not an ICMP error; the health endpoints are not in it)',
      (fw) => fw.denyEgress(Peer.cidr('198.51.100.0/24'), { ports: [Icmp.echoRequest()] }), {}],
    ['an ICMPv6 type whose number is guarded for IPv4 only', (fw) => fw.denyIngress(Peer.entity(Entity.WORLD), { ports: [Icmp.type(11, IcmpFamily.IPV6)] }), {}],
    ['an IPv4 ICMP type whose number is guarded for ICMPv6 only', (fw) => fw.denyIngress(Peer.entity(Entity.WORLD), { ports: [Icmp.type(2)] }), {}],
  ])('%s', (_what, deny, props) => {
    expect(lockout(deny, props)).toBeUndefined();
  });
});

// Rule items HostFirewall never writes (a toGroups peer, ICMP types as numeric strings or unknown names, an endPort
// below its port), as a policy read back from YAML may hold them: the guard reads them as the agent does.
describe('guardViolations on rule items the constructs never write', () => {
  const icmp: GuardPath = { path: 'icmp', direction: 'egress', peers: [Peer.entity(Entity.ALL)], ports: [Icmp.destinationUnreachable(IcmpFamily.IPV6), Icmp.timeExceeded()] };
  const etcd: GuardPath = { path: 'etcd', direction: 'egress', peers: [Peer.entity(Entity.KUBE_APISERVER)], ports: [Port.tcp(2379)] };
  const violations = (path: GuardPath, item: RuleItemModel): string[] =>
    guardViolations([path], [{ section: SectionName.EGRESS_DENY, item, index: 0 }]).map((v) => `${v.path}: ${v.what}`);

  // The host has no named ports: the agent skips a named port on host ingress (pkg/endpoint `GetNamedPort(ingress=true)`),
  // so such a deny read from YAML cuts no guarded path (the constructs refuse it: port-name-host-ingress).
  test('a named-port deny on host ingress cuts nothing, even where a container port of that name is 22', () => {
    const glass: GuardPath = { path: 'break-glass', direction: 'ingress', peers: [Peer.cidr('10.50.0.0/24')], ports: [Port.tcp(22)] };
    const deny = (port: string): string[] => guardViolations([glass], [{ section: SectionName.INGRESS_DENY, index: 0,
      item: { cidr: ['10.50.0.7/32'], toPorts: [{ ports: [{ port, protocol: 'TCP' }] }] } }]).map((v) => `${v.path}: ${v.what}`);
    expect(deny('ssh')).toEqual([]);
    expect(deny('22')).toEqual(['break-glass: cidr 10.50.0.0/24 on 22/TCP']);
  });

  // HostFirewall refuses a CIDR group as a path's clients (host-firewall-peer-broad); the guard still reads one, as a host
  // policy read back from YAML may hold it: the group may hold any address, so a deny of the world or of a CIDR cuts it.
  test('a guarded CIDR group may hold addresses of the world or a denied CIDR, never the host', () => {
    const kubelet: GuardPath = { path: 'kubelet', direction: 'ingress', peers: [Peer.cidrGroup('ops')], ports: [Port.tcp(10250)] };
    const deny = (item: RuleItemModel): string[] => guardViolations([kubelet], [{ section: SectionName.INGRESS_DENY, index: 0,
      item: { ...item, toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] } }]).map((v) => v.path);
    expect(deny({ entities: ['world'] })).toEqual(['kubelet']);
    expect(deny({ cidr: ['192.0.2.0/24'] })).toEqual(['kubelet']);
    expect(deny({ entities: ['host'] })).toEqual([]);
  });

  test('toGroups (cloud security groups) may hold any address', () => {
    expect(violations(icmp, { groups: [{ aws: { securityGroupsIds: ['sg-1'] } }], icmps: [{ fields: [{ family: 'IPv6', type: 1 }] }] }))
      .toEqual(['icmp: entity all on icmp 1/IPv6']);
  });

  test.each<[string, string | number, string[]]>([
    ['a numeric string', '1', ['icmp: entity all on icmp 1/IPv6']],
    ['a number', 1, ['icmp: entity all on icmp 1/IPv6']],
    ['a name', 'DestinationUnreachable', ['icmp: entity all on icmp 1/IPv6']],
    ['an unknown name (matches no type)', 'NoSuchType', []],
  ])('an ICMPv6 type given as %s', (_what, type, expected) => {
    expect(violations(icmp, { entities: ['world'], icmps: [{ fields: [{ family: 'IPv6', type }] }] })).toEqual(expected);
  });

  // Type 0 is the policy map's every-type key (pkg/policy/api/icmp.go `ICMPField.PortProtocol`, portrange.go
  // `PortRangeToMaskedPorts(0, 0)`; cilium/cilium#41304): a deny of IPv4 EchoReply denies every ICMPv4 type.
  test('a deny of ICMP type 0 cuts every type of its family', () => {
    expect(violations(icmp, { entities: ['world'], icmps: [{ fields: [{ type: 'EchoReply' }] }] })).toEqual(['icmp: entity all on icmp 11/IPv4']);
    expect(violations(icmp, { entities: ['world'], icmps: [{ fields: [{ family: 'IPv6', type: 0 }] }] })).toEqual(['icmp: entity all on icmp 1/IPv6']);
    expect(violations(icmp, { entities: ['world'], icmps: [{ fields: [{ family: 'IPv6', type: 'EchoReply' }] }] })).toEqual([]);
  });

  test('an IPv4 type given as a two-digit numeric string', () => {
    expect(violations(icmp, { entities: ['world'], icmps: [{ fields: [{ type: '11' }] }] })).toEqual(['icmp: entity all on icmp 11/IPv4']);
    expect(violations(icmp, { entities: ['world'], icmps: [{ fields: [{ type: '12' }] }] })).toEqual([]);
  });

  test('a deny item with several entities: one in the cluster is enough', () => {
    const cluster: GuardPath = { path: 'kubelet', direction: 'egress', peers: [Peer.entity(Entity.CLUSTER)], ports: [Port.tcp(10250)] };
    expect(violations(cluster, { entities: ['world', 'host'], toPorts: [{ ports: [{ port: '10250', protocol: 'TCP' }] }] })).toHaveLength(1);
    const nodes: GuardPath = { path: 'etcd', direction: 'egress', peers: [Peer.nodes({ zone: 'a' })], ports: [Port.tcp(2379)] };
    expect(violations(nodes, { entities: ['world', 'remote-node'], toPorts: [{ ports: [{ port: '2379', protocol: 'TCP' }] }] })).toHaveLength(1);
    expect(violations(nodes, { entities: ['world', 'host'], toPorts: [{ ports: [{ port: '2379', protocol: 'TCP' }] }] })).toEqual([]);
  });

  // egressDeny toServices is never resolved (pkg/policy/k8s/service.go processRule walks rule.Egress only): with toPorts it
  // denies them to every peer, the host included; without them nothing.
  test('a Service deny with ports cuts every guarded peer on them, and without ports none', () => {
    const cluster: GuardPath = { path: 'metrics', direction: 'egress', peers: [Peer.entity(Entity.CLUSTER)], ports: [Port.tcp(9962)] };
    const api = [{ k8sService: { serviceName: 'api', namespace: 'shop' } }];
    expect(violations(cluster, { services: api, toPorts: [{ ports: [{ port: '9962', protocol: 'TCP' }] }] })).toHaveLength(1);
    const host: GuardPath = { ...cluster, peers: [Peer.entity(Entity.HOST)] };
    expect(violations(host, { services: api, toPorts: [{ ports: [{ port: '9962', protocol: 'TCP' }] }] })).toEqual(['metrics: entity host on 9962/TCP']);
    expect(violations(cluster, { services: api })).toEqual([]);
    expect(violations(cluster, { services: api, toPorts: [{ ports: [{ port: '9963', protocol: 'TCP' }] }] })).toEqual([]);
  });

  test('an endPort below its port is that port alone (deny side)', () => {
    expect(violations(etcd, { entities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '2379', endPort: 2300, protocol: 'TCP' }] }] }))
      .toEqual(['etcd: entity kube-apiserver on 2379/TCP']);
  });

  test('an endPort below its port is that port alone (guarded side)', () => {
    const path: GuardPath = { ...etcd, ports: [Port._fromModel({ port: '2379', endPort: 2300, protocol: 'TCP' })] };
    expect(violations(path, { entities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '2379', protocol: 'TCP' }] }] })).toHaveLength(1);
    expect(violations(path, { entities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '2300', protocol: 'TCP' }] }] })).toEqual([]);
  });
});

describe('control-plane nodes guarded by their labels', () => {
  // An in-cluster API server runs on the control-plane nodes: their identity carries reserved:kube-apiserver, so a deny
  // to kube-apiserver cuts the etcd traffic between them (found by review).
  test('a deny to kube-apiserver on the etcd ports is refused', () => {
    const ingress = lockout((fw) => fw.denyIngress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcpRange(2379, 2380)] }), LABELS);
    expect(ingress).toContain('(host-firewall-lockout)');
    expect(cut(ingress).length).toBeGreaterThan(0);
    const egress = lockout((fw) => fw.denyEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(2380)] }), LABELS);
    expect(cut(egress).length).toBeGreaterThan(0);
  });

  test('the same deny on a port no guarded path uses is accepted', () => {
    expect(lockout((fw) => fw.denyIngress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(9999)] }), LABELS)).toBeUndefined();
  });
});
