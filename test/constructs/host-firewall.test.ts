import { describe, expect, test } from 'vitest';
import { Entity, HostFirewall, LockoutPath, NodeSelector, Peer, Port, RoutingMode } from '../../src';
import { chart, synth, synthError } from '../support/synth';

function ingressPorts(spec: any): string[] {
  return spec.ingress.flatMap((i: any) => [
    ...(i.toPorts ?? []).flatMap((p: any) => p.ports.map((x: any) => `${x.port}/${x.protocol}`)),
    ...(i.icmps ?? []).flatMap((r: any) => r.fields.map((f: any) => `icmp${f.family === 'IPv6' ? '6' : ''}:${f.type}`)),
  ]);
}

describe('HostFirewall', () => {
  test('is a CCNP with a node selector and keeps every guarded path open', () => {
    const c = chart('ignored');
    new HostFirewall(c, 'control-plane', {
      nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }),
      managementCidrs: ['10.50.0.0/24'],
    });
    const [ccnp] = synth(c);
    expect(ccnp.kind).toBe('CiliumClusterwideNetworkPolicy');
    expect(ccnp.metadata).toEqual({ name: 'control-plane', annotations: { 'cdk8s-cilium.io/cilium-version': '1.19' } });
    expect(ccnp.spec.nodeSelector).toEqual({ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } });
    const ports = ingressPorts(ccnp.spec);
    for (const p of ['22/TCP', '6443/TCP', '10250/TCP', '2379/TCP', '2380/TCP', '4240/TCP', '8472/UDP', '4244/TCP', 'icmp:8', 'icmp6:128', 'icmp:3', 'icmp6:2']) {
      expect(ports).toContain(p);
    }
    expect(ccnp.spec.ingress).toContainEqual({
      fromCIDR: ['10.50.0.0/24'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }, { port: '6443', protocol: 'TCP' }] }],
    });
    // Each path from the narrowest peer: kubelet from the API server only, etcd from the API server nodes, echo never from the world.
    expect(ccnp.spec.ingress).toContainEqual({ fromEntities: ['kube-apiserver'], toPorts: [{ ports: ['2379', '2380', '10250'].map((port) => ({ port, protocol: 'TCP' })) }] });
    expect(ccnp.spec.ingress).toContainEqual({
      fromEntities: ['remote-node'],
      toPorts: [{ ports: ['4240', '6443'].map((port) => ({ port, protocol: 'TCP' })).concat([{ port: '8472', protocol: 'UDP' }]) }],
    });
    expect(ccnp.spec.ingress).toContainEqual({
      fromEndpoints: [{ matchLabels: { 'k8s:k8s-app': 'hubble-relay', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }],
      toPorts: [{ ports: [{ port: '4244', protocol: 'TCP' }] }],
    });
    const fromAll = ccnp.spec.ingress.filter((i: any) => i.fromEntities?.includes('all'));
    expect(fromAll.flatMap((i: any) => i.icmps.flatMap((r: any) => r.fields.map((f: any) => `${f.family}:${f.type}`))).sort())
      .toEqual(['IPv4:11', 'IPv4:3', 'IPv6:1', 'IPv6:135', 'IPv6:136', 'IPv6:2', 'IPv6:3']);
    expect(JSON.stringify(ccnp.spec.ingress)).not.toContain('"cluster"');
    expect(ccnp.spec.egress).toBeUndefined();
  });

  test('Geneve keeps 6081/UDP instead, native routing no tunnel port', () => {
    const geneve = chart();
    new HostFirewall(geneve, 'fw', { managementCidrs: ['10.0.0.0/24'], routingMode: RoutingMode.GENEVE });
    expect(ingressPorts(synth(geneve)[0].spec)).toContain('6081/UDP');
    const native = chart();
    new HostFirewall(native, 'fw', { managementCidrs: ['10.0.0.0/24'], routingMode: RoutingMode.NATIVE });
    const ports = ingressPorts(synth(native)[0].spec);
    expect(ports).not.toContain('8472/UDP');
    expect(ports).not.toContain('6081/UDP');
  });

  test('an egress rule brings the egress guard with it, and needs the node DNS resolvers', () => {
    const c = chart();
    const fw = new HostFirewall(c, 'fw', { managementCidrs: ['10.0.0.0/24'], nodeDnsServers: ['169.254.169.253/32'] });
    fw.allowEgress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(443)] });
    const [ccnp] = synth(c);
    // The API server and etcd (on the API server nodes by default), other kubelets, health and the tunnel to other nodes.
    expect(ccnp.spec.egress).toContainEqual({ toEntities: ['kube-apiserver'], toPorts: [{ ports: ['2379', '2380', '6443'].map((port) => ({ port, protocol: 'TCP' })) }] });
    expect(ccnp.spec.egress).toContainEqual({
      toEntities: ['remote-node'], toPorts: [{ ports: [{ port: '4240', protocol: 'TCP' }, { port: '10250', protocol: 'TCP' }, { port: '8472', protocol: 'UDP' }] }],
    });
    expect(ccnp.spec.egress).toContainEqual({ toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
    expect(ccnp.spec.egress).toContainEqual({ toCIDR: ['169.254.169.253/32'], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }] }] });
    expect(ccnp.spec.egress).toContainEqual({
      toEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }],
      toPorts: [{ ports: [{ port: '0', protocol: 'ANY' }] }],
    });
    const bare = new HostFirewall(chart(), 'fw', { managementCidrs: ['10.0.0.0/24'] });
    expect(() => bare.allowEgress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(443)] })).toThrow(/nodeDnsServers.*\(host-firewall-node-dns\)|host-firewall-node-dns/s);
  });

  test('a path removed with a stated reason is left out and the reason recorded', () => {
    const c = chart();
    new HostFirewall(c, 'fw', { managementCidrs: ['10.0.0.0/24'], exemptions: [{ path: LockoutPath.ETCD, reason: 'etcd runs outside the cluster' }] });
    const [ccnp] = synth(c);
    expect(ingressPorts(ccnp.spec)).not.toContain('2379/TCP');
    expect(ccnp.spec.description).toMatch(/etcd exempted: etcd runs outside the cluster/);
  });

  test('fails when a deny rule would cut a guarded path', () => {
    const c = chart();
    const fw = new HostFirewall(c, 'fw', { managementCidrs: ['10.50.0.0/24'] });
    fw.denyIngress(Peer.cidr('10.0.0.0/8'), { ports: [Port.tcp(22)] });
    expect(synthError(c)).toMatch(/spec\.ingressDeny\[0\] would cut the break-glass path \(cidr 10\.50\.0\.0\/24 on 22\/TCP\)/);
  });

  test('fails when a deny of remote nodes would cut the tunnel and health checks', () => {
    const c = chart();
    const fw = new HostFirewall(c, 'fw', { managementCidrs: ['10.50.0.0/24'] });
    fw.denyIngress(Peer.entity(Entity.REMOTE_NODE));
    const message = synthError(c);
    expect(message).toMatch(/would cut the tunnel path/);
    expect(message).toMatch(/would cut the cilium-health path/);
    expect(message).toMatch(/exemptions: \[\{ path: LockoutPath\.TUNNEL/);
  });

  test('a deny that does not touch a guarded path is fine', () => {
    const c = chart();
    const fw = new HostFirewall(c, 'fw', { managementCidrs: ['10.50.0.0/24'] });
    fw.denyIngress(Peer.cidr('192.168.0.0/16'), { ports: [Port.tcp(22)] });
    fw.denyIngress(Peer.entity(Entity.WORLD), { ports: [Port.tcp(8080)] });
    expect(synth(c)[0].spec.ingressDeny).toHaveLength(2);
  });

  test('fails without management CIDRs or with an exemption without reason', () => {
    expect(() => new HostFirewall(chart(), 'fw', { managementCidrs: [] })).toThrow(/management CIDRs/);
    expect(() => new HostFirewall(chart(), 'fw', { managementCidrs: ['10.0.0.0/8'], exemptions: [{ path: LockoutPath.ICMP, reason: ' ' }] }))
      .toThrow(/exemption of the icmp path has no reason/);
  });
});
