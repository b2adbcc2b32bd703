import { describe, expect, test } from 'vitest';
import { App, Chart } from 'cdk8s';
import { thrown } from './support/errors';
import {
  CiliumPolicyError, CiliumVersion, ClusterDefaultDeny, DnsRule, Entity, Grpc, HttpRule, Icmp, IcmpFamily, KafkaRole, KafkaRule, L7,
  LabelExpression, Peer, Port, Protocol,
} from '../src';

describe('Peer', () => {
  test('each factory renders exactly one peer field', () => {
    const cases: [Peer, string][] = [
      [Peer.endpoints({ labels: { app: 'a' } }), 'endpoints'],
      [Peer.namespace('ns'), 'endpoints'],
      [Peer.allNamespaces(), 'endpoints'],
      [Peer.entity(Entity.HOST), 'entities'],
      [Peer.cidr('10.0.0.0/8'), 'cidr'],
      [Peer.cidr('10.0.0.0/8', { except: ['10.1.0.0/16'] }), 'cidrSet'],
      [Peer.cidrGroup('corp'), 'cidrSet'],
      [Peer.cidrGroupSelector({ team: 'a' }), 'cidrSet'],
      [Peer.fqdn('api.example.com'), 'fqdns'],
      [Peer.fqdnPattern('*.example.com'), 'fqdns'],
      [Peer.service('db', 'data'), 'services'],
      [Peer.serviceSelector({ labels: { external: 'yes' } }), 'services'],
      [Peer.nodes({ 'node-role.kubernetes.io/control-plane': '' }), 'nodes'],
      [Peer.kubeDns(), 'endpoints'],
      [Peer.kubeApiServer(), 'entities'],
    ];
    for (const [peer, field] of cases) {
      const config = peer.toPeerConfig();
      expect(config.field).toBe(field);
      expect(Object.keys(config.item)).toEqual([field]);
    }
    expect(Peer.any().toPeerConfig().item).toEqual({});
  });

  test('namespaces are explicit', () => {
    expect(Peer.namespace('shop').toPeerConfig().item.endpoints).toEqual([{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop' } }]);
    expect(Peer.allNamespaces().toPeerConfig().item.endpoints).toEqual([{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }]);
    expect(Peer.endpoints({ namespaceLabels: { team: 'a' }, labels: { app: 'x' } }).toPeerConfig().item.endpoints)
      .toEqual([{ matchLabels: { 'app': 'x', 'k8s:io.cilium.k8s.namespace.labels.team': 'a' } }]);
    expect(Peer.endpoints({ labels: { app: 'x' } }).toPeerConfig().namespaceImplicit).toBe(true);
    expect(Peer.endpoints({ namespace: 'a', labels: { app: 'x' } }).toPeerConfig().namespaceImplicit).toBe(false);
    expect(Peer.endpoints({ expressions: [LabelExpression.in('k8s:io.kubernetes.pod.namespace', ['a', 'b'])] }).toPeerConfig().namespaceImplicit).toBe(false);
  });

  test('fails on a namespace that is not a namespace name, or an except outside its CIDR', () => {
    expect(() => Peer.namespace('Foo_Bar')).toThrow(/"Foo_Bar" is not a namespace name/);
    expect(() => Peer.endpoints({ namespace: 'a'.repeat(64) })).toThrow(/not a namespace name/);
    expect(() => Peer.cidr('10.0.0.0/16', { except: ['10.0.0.0/8'] })).toThrow(/except 10\.0\.0\.0\/8 is not a sub-range of 10\.0\.0\.0\/16/);
    expect(() => Peer.cidr('10.0.0.0/16', { except: ['10.0.0.0/17', '10.0.1.0/24'] })).not.toThrow();
  });

  test('fails when several namespace choices are given', () => {
    expect(() => Peer.endpoints({ namespace: 'a', allNamespaces: true })).toThrow(/only one of namespace, allNamespaces and namespaceLabels/);
  });

  test('value-object errors point at the caller file and line', () => {
    expect(() => Peer.endpoints({ namespace: 'a', allNamespaces: true })).toThrow(/\[test\/value-objects\.test\.ts:\d+\]/);
  });
});

describe('Port and Icmp', () => {
  test('render decimal strings with explicit protocols', () => {
    const model = (p: Port): unknown => p.toPortMatch().l4 ?? p.toPortMatch().icmp;
    expect(model(Port.tcp(80))).toEqual({ port: '80', protocol: 'TCP' });
    expect(model(Port.udp(53))).toEqual({ port: '53', protocol: 'UDP' });
    expect(model(Port.sctp(9))).toEqual({ port: '9', protocol: 'SCTP' });
    expect(model(Port.any(53))).toEqual({ port: '53', protocol: 'ANY' });
    expect(model(Port.tcpRange(80, 90))).toEqual({ port: '80', endPort: 90, protocol: 'TCP' });
    expect(model(Port.tcpRange(80, 80))).toEqual({ port: '80', protocol: 'TCP' });
    expect(model(Port.named('HTTP'))).toEqual({ port: 'http', protocol: 'ANY' });
    expect(model(Port.allTcp())).toEqual({ port: '0', protocol: 'TCP' });
    expect(model(Port.allPorts())).toEqual({ port: '0', protocol: 'ANY' });
    expect(model(Port.protocol(Protocol.VRRP))).toEqual({ protocol: 'VRRP' });
    expect(() => Port.of({ port: 0, protocol: Protocol.UDP })).toThrow(/port 0 is not an integer between 1 and 65535.*Port\.allUdp\(\)/s);
    expect(model(Icmp.echoRequest())).toEqual({ family: 'IPv4', type: 8 });
    expect(model(Icmp.echoRequest(IcmpFamily.IPV6))).toEqual({ family: 'IPv6', type: 128 });
    expect(model(Icmp.named('NeighborSolicitation', IcmpFamily.IPV6))).toEqual({ family: 'IPv6', type: 'NeighborSolicitation' });
    expect(String(Port.tcpRange(1, 2))).toBe('1-2/TCP');
  });

  test('fails on out-of-range, reversed, malformed and contradictory ports', () => {
    expect(() => Port.tcp(70000)).toThrow(/port 70000 is not an integer between 1 and 65535/);
    expect(() => Port.tcp(0)).toThrow(/Port\.allTcp\(\)/);
    expect(() => Port.udp(1.5)).toThrow(/not an integer/);
    expect(() => Port.tcpRange(90, 80)).toThrow(/ends before it starts/);
    expect(() => Port.named('not a name')).toThrow(/not a valid port name/);
    expect(() => Port.named('0x50')).toThrow(/reads like a number in hex, octal or binary[\s\S]*Port\.tcp\(80\)/);
    expect(() => Port.named('1234')).toThrow(/not a valid port name/);
    expect(() => Port.protocol(Protocol.TCP)).toThrow(/protocol TCP needs a port/);
    expect(() => Port.of({ name: 'http', port: 80 })).toThrow(/either a name/);
    expect(() => Icmp.type(256)).toThrow(/ICMP type 256/);
    expect(() => Icmp.named('NeighborSolicitation')).toThrow(/not an ICMP type name/);
  });
});

describe('L7', () => {
  test('gRPC methods become POST with an escaped service path', () => {
    expect(Grpc.method('inventory.InventoryService', 'CheckStock')._toModel()).toEqual({ method: 'POST', path: '/inventory\\.InventoryService/CheckStock' });
    expect(Grpc.service('inventory.InventoryService')._toModel()).toEqual({ method: 'POST', path: '/inventory\\.InventoryService/.*' });
    expect(() => Grpc.method('inventory.InventoryService', 'a.b')).toThrow(/not a valid gRPC method name/);
  });

  test('HTTP, Kafka, DNS and generic rules', () => {
    expect(HttpRule.of({ method: 'GET', headerMatches: [{ name: 'X', value: 'y' }] })._toModel()).toEqual({ method: 'GET', headerMatches: [{ name: 'X', value: 'y' }] });
    expect(L7.kafka(KafkaRule.of({ role: KafkaRole.CONSUME, topic: 't', clientId: 'c' }))._toModel()).toEqual({ kafka: [{ role: 'consume', topic: 't', clientID: 'c' }] });
    expect(L7.dns(DnsRule.all())._toModel()).toEqual({ dns: [{ matchPattern: '*' }] });
    expect(L7.generic('r2d2', [{ cmd: 'READ' }])._toModel()).toEqual({ l7proto: 'r2d2', l7: [{ cmd: 'READ' }] });
    expect(L7.http(HttpRule.any()).kind).toBe('http');
    expect(() => KafkaRule.of({ role: KafkaRole.PRODUCE, apiKey: 'produce' })).toThrow(/role .* or an apiKey/);
    expect(() => L7.http()).toThrow(/L7\.http\(\) without rules[\s\S]*HttpRule\.any\(\)/);
    expect(() => L7.dns()).toThrow(/DnsRule\.all\(\)/);
    expect(() => L7.kafka()).toThrow(/L7\.kafka\(\) without rules/);
  });
});

describe('CiliumVersion', () => {
  test('parses and compares', () => {
    expect(CiliumVersion.parse('v1.17')).toBe(CiliumVersion.V1_17);
    expect(CiliumVersion.parse('v1.17.3').minorRelease).toBe(CiliumVersion.V1_17);
    expect(CiliumVersion.V1_19.atLeast(CiliumVersion.V1_16)).toBe(true);
    expect(CiliumVersion.V1_15.atLeast(CiliumVersion.V1_16)).toBe(false);
    expect(() => CiliumVersion.parse('1.13')).toThrow(/unsupported Cilium version "1\.13"/);
  });

  // Session 53: the patch level is kept (it was dropped: `parse('1.17.3')` was 1.17), one object per patch release; the
  // minor release names the CRD schema and the annotation (toString); a malformed patch level is refused.
  test('a patch release: kept, one object each, its minor release for the schema', () => {
    const v = CiliumVersion.parse('v1.17.3');
    expect(v).toBe(CiliumVersion.parse(' 1.17.3 '));
    expect(v).not.toBe(CiliumVersion.V1_17);
    expect([v.major, v.minor, v.patch, v.release, v.toString()]).toEqual([1, 17, 3, '1.17.3', '1.17']);
    expect(v.minorRelease).toBe(CiliumVersion.V1_17);
    expect(CiliumVersion.V1_17.patch).toBeUndefined();
    expect(CiliumVersion.parse('1.16.0').patch).toBe(0);
    expect(v.atLeast(CiliumVersion.V1_17) && !v.atLeast(CiliumVersion.V1_18)).toBe(true);
    for (const [text, fix] of [['1.17.x', 'write the patch release'], ['1.17.-1', 'write the patch release'], ['1.17.1000', 'write the patch release'],
      ['1.17.007', 'write 1.17.7'], ['1.17.', 'write the patch release']]) {
      const e = thrown(() => CiliumVersion.parse(text));
      expect(e.id).toBe('version-patch-malformed');
      expect(e.fix).toContain(fix);
    }
    expect(thrown(() => CiliumVersion.parse('1.13.3')).id).toBe('version-unsupported');
  });

  // Session 53 review: the refusal named both versions by their minor ("use(the app, 1.17) … built for Cilium 1.17").
  test('version-set-too-late names the patch releases', () => {
    const app = new App();
    CiliumVersion.use(app, CiliumVersion.parse('1.17.4'));
    new ClusterDefaultDeny(new Chart(app, 'c'), 'cdd', {});
    const e = thrown(() => CiliumVersion.use(app, CiliumVersion.parse('1.17.5')));
    expect(e.id).toBe('version-set-too-late');
    expect(e.message).toContain("CiliumVersion.use(the app, 1.17.5) comes after ClusterDefaultDeny 'c/cdd' was created, and it was built for Cilium 1.17.4 ");
  });

  // `String(text)` of an object with no prototype (no toString) threw `Cannot convert object to primitive value`, and so did
  // showValue's fallback for one that JSON cannot write (a loop): a TypeError where the refusal was meant.
  test('an object with no prototype, or one with a loop, is refused as a version (it was a TypeError)', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    const looped = Object.create(null) as Record<string, unknown>;
    looped.self = looped;
    const throwing = Object.assign(Object.create(null) as Record<string, unknown>, { toString: () => { throw new Error('read'); }, self: undefined as unknown });
    throwing.self = throwing;
    for (const [value, shown] of [[bare, '{}'], [looped, '[object Object]'], [throwing, '[object Object]']] as const) {
      let error: unknown;
      try {
        CiliumVersion.parse(value as unknown as string);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CiliumPolicyError);
      expect((error as CiliumPolicyError).id).toBe('version-unsupported');
      expect((error as CiliumPolicyError).message).toContain(`unsupported Cilium version ${shown}`);
    }
    expect(CiliumVersion.parse('1.17')).toBe(CiliumVersion.V1_17);
  });
});
