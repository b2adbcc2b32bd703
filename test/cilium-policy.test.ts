import { App, Chart, Testing, Yaml } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  AuthenticationMode,
  CiliumPolicy,
  CiliumVersion,
  ClusterwidePolicy,
  DnsRule,
  EndpointSelector,
  Entity,
  Grpc,
  HttpRule,
  Icmp,
  IcmpFamily,
  L7,
  LabelExpression,
  NodeSelector,
  Peer,
  Port,
  Validator,
} from '../src';

function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', namespace ? { namespace } : {});
}

function synth(c: Chart): any[] {
  const manifests = Testing.synth(c);
  expect(manifests).toBeValidCilium();
  return manifests;
}

describe('CiliumPolicy', () => {
  test('writes a readable name, the chart namespace and explicit peer namespaces', () => {
    const c = chart('shop');
    const policy = new CiliumPolicy(c, 'FrontendIngress', { endpointSelector: EndpointSelector.labels({ app: 'frontend' }) });
    policy.allowIngress(Peer.endpoints({ labels: { app: 'gateway' } }), { ports: [Port.tcp(8080)] });
    policy.allowIngress(Peer.endpoints({ namespace: 'traefik', labels: { 'app.kubernetes.io/name': 'traefik' } }), { ports: [Port.tcp(8080)] });
    const [cnp] = synth(c);
    expect(cnp.metadata).toEqual({ name: 'frontend-ingress', namespace: 'shop', annotations: { 'cdk8s-cilium.io/cilium-version': '1.19' } });
    expect(cnp.spec).toEqual({
      endpointSelector: { matchLabels: { app: 'frontend' } },
      ingress: [{
        fromEndpoints: [
          { matchLabels: { 'app': 'gateway', 'k8s:io.kubernetes.pod.namespace': 'shop' } },
          { matchLabels: { 'app.kubernetes.io/name': 'traefik', 'k8s:io.kubernetes.pod.namespace': 'traefik' } },
        ],
        toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
      }],
    });
    // The YAML starts with apiVersion, kind and metadata (what the toEqual above cannot see: key order).
    expect(Yaml.stringify(cnp).split('\n').slice(0, 4)).toEqual(['apiVersion: cilium.io/v2', 'kind: CiliumNetworkPolicy', 'metadata:', '  name: frontend-ingress']);
  });

  test('splits a rule with several peer kinds and ICMP into one item per kind', () => {
    const c = chart('ns');
    const policy = new CiliumPolicy(c, 'p');
    policy.allowEgress(Peer.cidr('10.0.0.0/8'), { ports: [Port.tcp(443), Icmp.echoRequest(), Icmp.echoRequest(IcmpFamily.IPV6)] });
    policy.allowEgress(Peer.entity(Entity.KUBE_APISERVER), { ports: [Port.tcp(443)] });
    policy.allowEgress(Peer.cidr('192.168.0.0/16', { except: ['192.168.1.0/24'] }), { ports: [Port.tcp(443)] });
    policy.allowEgress(Peer.cidr('172.16.0.0/12'), { ports: [Port.tcp(443)] });
    const [cnp] = synth(c);
    expect(cnp.spec.egress).toEqual([
      { toCIDR: ['10.0.0.0/8', '172.16.0.0/12'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      { toCIDR: ['10.0.0.0/8'], icmps: [{ fields: [{ family: 'IPv4', type: 8 }, { family: 'IPv6', type: 128 }] }] },
      { toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      { toCIDRSet: [{ cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ]);
  });

  test('merges the ports of the same peer into one item', () => {
    const c = chart('ns');
    const policy = new CiliumPolicy(c, 'p');
    policy.allowIngress(Peer.namespace('a'), { ports: [Port.tcp(80)] });
    policy.allowIngress(Peer.namespace('b'), { ports: [Port.tcp(443)] });
    policy.allowIngress(Peer.namespace('a'), { ports: [Port.tcp(443), Port.udp(53)] });
    policy.allowIngress(Peer.namespace('a'), { ports: [Port.tcp(8080)], l7: L7.http(HttpRule.get('/')) });
    const [cnp] = synth(c);
    const ns = (n: string): unknown => ({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': n } });
    expect(cnp.spec.ingress).toEqual([
      { fromEndpoints: [ns('a')], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }, { port: '443', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }] }] },
      { fromEndpoints: [ns('b')], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      { fromEndpoints: [ns('a')], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/' }] } }] },
    ]);
  });

  test('sorts, deduplicates and groups ports by 40', () => {
    const c = chart('ns');
    const policy = new CiliumPolicy(c, 'p');
    const ports = Array.from({ length: 45 }, (_, i) => Port.tcp(9000 - i));
    policy.allowIngress(Peer.namespace('other'), { ports: [Port.udp(53), ...ports, Port.tcp(9000), Port.tcpRange(100, 200)] });
    const [cnp] = synth(c);
    const toPorts = cnp.spec.ingress[0].toPorts;
    expect(toPorts).toHaveLength(2);
    expect(toPorts[0].ports).toHaveLength(40);
    expect(toPorts[0].ports[0]).toEqual({ port: '100', endPort: 200, protocol: 'TCP' });
    expect(toPorts[0].ports[1]).toEqual({ port: '8956', protocol: 'TCP' });
    expect(toPorts[1].ports.at(-1)).toEqual({ port: '53', protocol: 'UDP' });
    expect(toPorts.flatMap((p: any) => p.ports)).toHaveLength(47);
  });

  test('allowing any peer on any port is written as the all entity, not the allow-nothing {} idiom', () => {
    const c = chart('ns');
    const policy = new CiliumPolicy(c, 'p');
    policy.allowIngress(Peer.any());
    policy.allowEgress(Peer.any(), { ports: [Port.any(53)] });
    const [cnp] = synth(c);
    expect(cnp.spec.ingress).toEqual([{ fromEntities: ['all'] }]);
    expect(cnp.spec.egress).toEqual([{ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }]);
  });

  test('isolate writes the default-deny idiom with a single empty item', () => {
    const c = chart('ns');
    const policy = new CiliumPolicy(c, 'deny-all');
    policy.isolateIngress();
    policy.isolateEgress();
    policy.isolateEgress();
    const [cnp] = synth(c);
    expect(cnp.spec).toEqual({ endpointSelector: {}, ingress: [{}], egress: [{}] });
  });

  test('L7 rules: HTTP, gRPC and DNS', () => {
    const c = chart('shop');
    const policy = new CiliumPolicy(c, 'order-api', { endpointSelector: EndpointSelector.labels({ app: 'order-api' }) });
    policy.allowIngress(Peer.endpoints({ labels: { app: 'frontend' } }), {
      ports: [Port.tcp(8080)],
      l7: L7.http(HttpRule.get('/api/v1/orders.*'), HttpRule.of({ method: 'POST', path: '/api/v1/orders', headers: ['X-Tenant'] }),
        Grpc.method('inventory.InventoryService', 'CheckStock')),
    });
    policy.allowEgress(Peer.kubeDns(), { ports: [Port.udp(53), Port.tcp(53)], l7: L7.dns(DnsRule.pattern('*.example.com'), DnsRule.exact('api.example.com')) });
    const [cnp] = synth(c);
    expect(cnp.spec.ingress[0].toPorts[0].rules.http).toEqual([
      { method: 'GET', path: '/api/v1/orders.*' },
      { method: 'POST', path: '/api/v1/orders', headers: ['X-Tenant'] },
      { method: 'POST', path: '/inventory\\.InventoryService/CheckStock' },
    ]);
    expect(cnp.spec.egress[0]).toEqual({
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
      toPorts: [{
        ports: [{ port: '53', protocol: 'TCP' }, { port: '53', protocol: 'UDP' }],
        rules: { dns: [{ matchPattern: '*.example.com' }, { matchName: 'api.example.com' }] },
      }],
    });
  });

  test('deny rules, authentication and server names', () => {
    const c = chart('ns');
    const policy = new CiliumPolicy(c, 'p', { enableDefaultDeny: { egress: false }, description: 'no metadata endpoint' });
    policy.denyEgress(Peer.cidr('169.254.169.254/32'));
    policy.denyEgress(Peer.cidr('fd00:ec2::254/128'));
    policy.allowIngress(Peer.endpoints({ labels: { app: 'a' } }), { ports: [Port.tcp(443)], authentication: AuthenticationMode.REQUIRED });
    policy.allowEgress(Peer.any(), { ports: [Port.tcp(443)], serverNames: ['api.example.com'] });
    const [cnp] = synth(c);
    expect(cnp.spec.egressDeny).toEqual([{ toCIDR: ['169.254.169.254/32', 'fd00:ec2::254/128'] }]);
    expect(cnp.spec.enableDefaultDeny).toEqual({ egress: false });
    expect(cnp.spec.ingress[0].authentication).toEqual({ mode: 'required' });
    expect(cnp.spec.egress[0].toPorts[0].serverNames).toEqual(['api.example.com']);
  });

  test('several rules are written as specs', () => {
    const c = chart('ns');
    const policy = new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) });
    policy.allowIngress(Peer.entity(Entity.HOST));
    const second = policy.addRule({ endpointSelector: EndpointSelector.of({ expressions: [LabelExpression.in('tier', ['db', 'cache'])] }) });
    second.allowIngress(Peer.endpoints({ labels: { app: 'a' } }), { ports: [Port.tcp(5432)] });
    const [cnp] = synth(c);
    expect(cnp.spec).toBeUndefined();
    expect(cnp.specs).toHaveLength(2);
    expect(cnp.specs[1].endpointSelector).toEqual({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['db', 'cache'] }] });
  });

  test('fails when an FQDN or a service is used for ingress', () => {
    const policy = new CiliumPolicy(chart('ns'), 'p');
    expect(() => policy.allowIngress(Peer.fqdn('api.example.com'))).toThrow(/\[test\/p\] allowIngress\(fqdn api.example.com\): FQDN peers exist only for egress/);
    expect(() => policy.allowIngress(Peer.service('db'))).toThrow(/service peers exist only for egress/);
  });

  test('fails when an FQDN is denied', () => {
    const policy = new CiliumPolicy(chart('ns'), 'p');
    expect(() => policy.denyEgress(Peer.fqdnPattern('*.example.com'))).toThrow(/Cilium cannot deny by FQDN/);
  });

  test('fails when server names come without TCP ports (they would be dropped)', () => {
    const policy = new CiliumPolicy(chart('ns'), 'p');
    expect(() => policy.allowEgress(Peer.entity(Entity.WORLD), { serverNames: ['api.example.com'] })).toThrow(/serverNames need the TCP ports/);
    expect(() => policy.allowEgress(Peer.entity(Entity.WORLD), { ports: [Icmp.echoRequest()], serverNames: ['a.example.com'] })).toThrow(/serverNames need/);
  });

  test('fails when L7 rules come without ports', () => {
    const policy = new CiliumPolicy(chart('ns'), 'p');
    expect(() => policy.allowIngress(Peer.any(), { l7: L7.http(HttpRule.get('/')) })).toThrow(/L7 http rules need ports/);
    expect(() => policy.allowIngress(Peer.any(), { ports: [], l7: L7.http(HttpRule.get('/')) })).toThrow(/allowIngress\(any peer, \{ ports: \[\] \}\): an empty port list .* means every port \(ports-empty\)/);
  });

  test('fails at synthesis when two policies share a name', () => {
    const c = chart('ns');
    new CiliumPolicy(c, 'a', { name: 'same' }).isolateIngress();
    new CiliumPolicy(c, 'b', { name: 'same' }).isolateIngress();
    expect(() => Testing.synth(c)).toThrow(/CiliumNetworkPolicy "same" is also defined by test\/b/);
  });

  test('fails at synthesis when a policy has no rules', () => {
    const c = chart('ns');
    new CiliumPolicy(c, 'empty');
    expect(() => Testing.synth(c)).toThrow(/\[test\/empty\]/);
  });
});

describe('ClusterwidePolicy', () => {
  test('never writes a namespace, even in a namespaced chart', () => {
    const c = chart('shop');
    const policy = new ClusterwidePolicy(c, 'dns', { enableDefaultDeny: { egress: false } });
    policy.allowEgress(Peer.kubeDns(), { ports: [Port.any(53)] });
    const [ccnp] = synth(c);
    expect(ccnp.kind).toBe('CiliumClusterwideNetworkPolicy');
    expect(ccnp.metadata).toEqual({ name: 'dns', annotations: { 'cdk8s-cilium.io/cilium-version': '1.19' } });
  });

  test('warns when every endpoint of the cluster goes into default deny (endpointSelector {} with an allow rule)', () => {
    const c = chart();
    new ClusterwidePolicy(c, 'dns').allowEgress(Peer.kubeDns(), { ports: [Port.any(53)] });
    const found = Validator.validateApp(c).filter((d) => d.id === 'pitfall-ccnp-select-all-default-deny');
    expect(found.map((d) => [d.severity, d.constructPath, d.path])).toEqual([['warning', 'test/dns/Resource', 'spec.endpointSelector']]);
    expect(found[0].message).toMatch(/selects every endpoint of the cluster, kube-system.* into egress default deny/);
  });

  test('fails when an endpoint peer has no namespace', () => {
    const c = chart();
    const policy = new ClusterwidePolicy(c, 'p');
    policy.allowIngress(Peer.endpoints({ labels: { app: 'x' } }));
    expect(() => Testing.synth(c)).toThrow(/in a clusterwide policy it would match pods of every namespace/);
  });

  test('fails when a service peer has no namespace', () => {
    const c = chart();
    new ClusterwidePolicy(c, 'p').allowEgress(Peer.service('db'), { ports: [Port.tcp(5432)] });
    expect(() => Testing.synth(c)).toThrow(/service db has no namespace: in a clusterwide policy it would match Services of that name in every namespace/);
  });

  test('host policies select nodes', () => {
    const c = chart();
    const policy = new ClusterwidePolicy(c, 'host', { nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }) });
    policy.allowIngress(Peer.entity(Entity.CLUSTER), { ports: [Port.tcp(10250)] });
    policy.allowIngress(Peer.cidr('10.50.0.0/24'), { ports: [Port.tcp(22), Port.tcp(6443)] });
    const [ccnp] = synth(c);
    expect(ccnp.spec.nodeSelector).toEqual({ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } });
    expect(ccnp.spec.endpointSelector).toBeUndefined();
  });
});

describe('target Cilium version', () => {
  test('fails when a field is newer than the target version', () => {
    const app = new App();
    CiliumVersion.use(app, CiliumVersion.V1_15);
    const c = new Chart(app, 'test', { namespace: 'ns' });
    new CiliumPolicy(c, 'p').allowIngress(Peer.any(), { ports: [Port.tcpRange(8000, 8100)] });
    expect(() => Testing.synth(c)).toThrow(/1\.16/);
  });

  test('the same policy passes on the version that has the field', () => {
    const app = new App();
    CiliumVersion.use(app, CiliumVersion.V1_16);
    const c = new Chart(app, 'test', { namespace: 'ns' });
    new CiliumPolicy(c, 'p').allowIngress(Peer.any(), { ports: [Port.tcpRange(8000, 8100)] });
    expect(synth(c)).toHaveLength(1);
  });
});
