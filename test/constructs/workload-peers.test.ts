// Workloads as peers and subjects (Peer.workload, EndpointSelector.workload, a TieredApp tier), the options struct of
// allow/deny, and the refusals for what the types rule out but plain JavaScript (or 0.x code) still passes.
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { describe, expect, test } from 'vitest';
import {
  AuthenticationMode, ClusterDefaultDeny, CiliumPolicy, EndpointSelector, HttpRule, IPeer, L7, MetadataEndpointBlock, Peer, Port,
  TieredApp,
} from '../../src';
import { chart, refusal, synth } from '../support/synth';

describe('Peer.workload and EndpointSelector.workload', () => {
  test('a Deployment with its Service: the pods\' own labels with the namespace, egress on the Service\'s target port', () => {
    const c = chart('shop');
    const db = new kplus.Deployment(c, 'db', {
      podMetadata: { labels: { app: 'db' } },
      containers: [{ image: 'postgres', portNumber: 5432, ports: [{ number: 9187, name: 'metrics' }] }],
    });
    db.exposeViaService({ name: 'db', ports: [{ port: 5432 }] });
    const api = new kplus.Deployment(c, 'api', { podMetadata: { labels: { app: 'api' } }, containers: [{ image: 'api', portNumber: 8080 }] });
    const policy = new CiliumPolicy(c, 'api-egress', { endpointSelector: EndpointSelector.workload(api) });
    policy.allowEgress(Peer.workload(db));
    const [cnp] = synth(c).filter((m) => m.kind === 'CiliumNetworkPolicy');
    expect(cnp.spec.endpointSelector).toEqual({ matchLabels: { app: 'api' } });
    expect(cnp.spec.egress).toEqual([{
      toEndpoints: [{ matchLabels: { 'app': 'db', 'k8s:io.kubernetes.pod.namespace': 'shop' } }],
      toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
    }]);
  });

  test('the workload is read at synthesis: labels added after the call count', () => {
    const c = chart('shop');
    const web = new kplus.Deployment(c, 'web', { podMetadata: { labels: { app: 'web' } }, containers: [{ image: 'nginx', portNumber: 80 }] });
    const peer = Peer.workload(web);
    new CiliumPolicy(c, 'in').allowIngress(peer, { ports: [Port.tcp(80)] });
    web.podMetadata.addLabel('tier', 'front');
    const [cnp] = synth(c).filter((m) => m.kind === 'CiliumNetworkPolicy');
    expect(cnp.spec.ingress[0].fromEndpoints).toEqual([{ matchLabels: { 'app': 'web', 'tier': 'front', 'k8s:io.kubernetes.pod.namespace': 'shop' } }]);
    expect(peer.toString()).toBe('test/web');
  });

  test('something that is no construct holding an ApiObject is refused where it is wrapped', () => {
    const c = chart('shop');
    const plain = new Construct(c, 'plain');
    const p = refusal(() => Peer.workload(plain));
    expect(p.id).toBe('peer-unknown');
    expect(p.message).toMatch(/test\/plain is not a peer/);
    expect(p.message).toMatch(/Peer\.workload\(\) a cdk8s-plus workload or Service/);
    const s = refusal(() => EndpointSelector.workload(plain));
    expect(s.id).toBe('selector-unknown');
    expect(s.message).toMatch(/is not an endpoint selector/);
  });

  test('an ApiObject of another kind is refused at synthesis, as before (not-a-workload)', () => {
    const c = chart('shop');
    const config = new ApiObject(c, 'config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    new CiliumPolicy(c, 'in').allowIngress(Peer.workload(config), { ports: [Port.tcp(80)] });
    expect(() => synth(c)).toThrow(/test\/config is neither a workload .* nor a Service \(not-a-workload\)/);
  });

  test('a construct passed where a peer goes (0.x code, plain JavaScript) names Peer.workload', () => {
    const c = chart('shop');
    const web = new kplus.Deployment(c, 'web', { podMetadata: { labels: { app: 'web' } }, containers: [{ image: 'nginx', portNumber: 80 }] });
    const r = refusal(() => new CiliumPolicy(c, 'in').allowIngress(web as unknown as IPeer));
    expect(r.id).toBe('peer-unknown');
    expect(r.message).toMatch(/test\/web is not a peer/);
    expect(r.message).toMatch(/allowIngress\(Peer\.workload\(deployment\)\)/);
  });
});

describe('the options struct of allow and deny', () => {
  test('ports, L7 rules and authentication in one struct render as the positional 0.x call did', () => {
    const c = chart('shop');
    const policy = new CiliumPolicy(c, 'api', { endpointSelector: EndpointSelector.labels({ app: 'api' }) });
    policy.allowIngress(Peer.endpoints({ labels: { app: 'web' } }), {
      ports: [Port.tcp(8080)], l7: L7.http(HttpRule.get('/v1/.*')), authentication: AuthenticationMode.REQUIRED,
    });
    policy.denyEgress(Peer.cidr('169.254.169.254/32'), { ports: [Port.tcp(80)] });
    const [cnp] = synth(c);
    expect(cnp.spec.ingress).toEqual([{
      fromEndpoints: [{ matchLabels: { 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'shop' } }],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/v1/.*' }] } }],
      authentication: { mode: 'required' },
    }]);
    expect(cnp.spec.egressDeny).toEqual([{ toCIDR: ['169.254.169.254/32'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }]);
  });

  test('a port list where the options go (the 0.x positional call) is refused with the new form', () => {
    const policy = new CiliumPolicy(chart('shop'), 'api');
    const r = refusal(() => policy.allowIngress(Peer.namespace('web'), [Port.tcp(80)] as never));
    expect(r.id).toBe('rule-options-positional');
    expect(r.message).toMatch(/allowIngress\(endpoints .*, \[…\]\): the second argument is the options, not a port list/);
    expect(r.message).toMatch(/allowIngress\(peer, \{ ports: \[Port\.tcp\(8080\)\]/);
    expect(refusal(() => policy.denyEgress(Peer.cidr('10.0.0.0/8'), [Port.tcp(80)] as never)).id).toBe('rule-options-positional');
  });
});

describe('TieredApp tiers', () => {
  test('a tier by selector renders like one by labels', () => {
    const byLabels = chart('shop');
    new TieredApp(byLabels, 'app', { tiers: [{ name: 'web', labels: { app: 'web' }, ports: [Port.tcp(80)] }] });
    const bySelector = chart('shop');
    new TieredApp(bySelector, 'app', { tiers: [{ name: 'web', selector: EndpointSelector.labels({ app: 'web' }), ports: [Port.tcp(80)] }] });
    expect(synth(bySelector)).toEqual(synth(byLabels));
  });

  test('a selector next to labels or a workload is refused', () => {
    const r = refusal(() => new TieredApp(chart('shop'), 'app', {
      tiers: [{ name: 'web', labels: { app: 'web' }, selector: EndpointSelector.labels({ app: 'web' }), ports: [Port.tcp(80)] }],
    }));
    expect(r.id).toBe('tiered-app-tier-selector');
    expect(r.message).toMatch(/tier web takes a selector or labels, not both/);
  });
});

describe('statics that were module constants', () => {
  test('the defaults, as copies a caller cannot change the constructs\' defaults through', () => {
    expect(ClusterDefaultDeny.DEFAULT_SYSTEM_NAMESPACES).toEqual(['cilium', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(MetadataEndpointBlock.METADATA_ENDPOINTS).toEqual(['169.254.169.254/32', 'fd00:ec2::254/128', 'fd20:ce::254/128']);
    ClusterDefaultDeny.DEFAULT_SYSTEM_NAMESPACES.push('shop');
    try {
      const deny = new ClusterDefaultDeny(chart(), 'deny');
      expect(deny.excludedNamespaces).toEqual(['cilium', 'kube-node-lease', 'kube-public', 'kube-system']);
    } finally {
      ClusterDefaultDeny.DEFAULT_SYSTEM_NAMESPACES.pop();
    }
  });

});
