import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, test } from 'vitest';
import {
  CiliumPolicy, CiliumVersion, ClusterDefaultDeny, DefaultDenyNamespace, EndpointKind, EndpointSelector, Entity, FqdnEgress, HostFirewall, HttpRule,
  IpFamilies, L7, MetadataEndpointBlock, MonitoringScrape, NodeSelector, Peer, Port, TieredApp, Verdicts,
} from '../../src';
import { buildPlatform } from '../../main';

/**
 * Truth tables: what each construct must allow AND what it must deny, including the pitfall it exists for.
 * Every chart is also checked against the CRD.
 */
function chart(namespace?: string): Chart {
  return new Chart(Testing.app(), 'test', namespace ? { namespace } : {});
}

/** `--allow-localhost=policy`: host → pod traffic needs a rule, so the probe tables test the constructs, not the agent default. */
const POLICY_ONLY = { allowLocalhost: false };

const traefik = Peer.endpoints({ namespace: 'traefik', labels: { 'app.kubernetes.io/instance': 'traefik-traefik' } });

describe('DefaultDenyNamespace', () => {
  const c = chart('payments');
  new DefaultDenyNamespace(c, 'deny');

  test('is CRD-valid', () => expect(c).toBeValidCilium());
  test('denies ingress from other namespaces and egress to the world', () => {
    expect(c).toDeny('pod:shop:app=web', 'pod:payments:app=api', '8080/TCP');
    expect(c).toDeny('pod:payments:app=api', 'cidr:203.0.113.10', '443/TCP');
    expect(c).toDeny('pod:payments:app=api', 'pod:payments:app=db', '5432/TCP');
  });
  test('keeps DNS to kube-dns on UDP and TCP (pitfall: a default deny that cuts DNS)', () => {
    expect(c).toAllow('pod:payments:app=api', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'api.stripe.com' });
    expect(c).toAllow('pod:payments:app=api', 'pod:kube-system:k8s-app=kube-dns', '53/TCP', { dns: 'api.stripe.com' });
    expect(c).toDeny('pod:payments:app=api', 'pod:kube-system:k8s-app=kube-dns', '5353/UDP');
  });
  test('keeps kubelet probes from the host (pitfall: forgetting the host entity)', () => {
    // allowLocalhost: false: the construct's host rule allows the probe, not the agent's allow-localhost default.
    expect(c).toAllow('entity:host', 'pod:payments:app=api', '8080/TCP', POLICY_ONLY);
    expect(c).toAllow('entity:host', 'pod:payments:app=api', '8080/TCP');
    expect(c).toDeny('entity:remote-node', 'pod:payments:app=api', '8080/TCP', POLICY_ONLY);
  });
  test('negative control: a bare default deny drops the probe once allow-localhost is off', () => {
    const bare = chart('payments');
    new CiliumPolicy(bare, 'bare').isolateIngress();
    expect(bare).toDeny('entity:host', 'pod:payments:app=api', '8080/TCP', POLICY_ONLY);
    expect(bare).toAllow('entity:host', 'pod:payments:app=api', '8080/TCP');
  });
  test('staged rollout observes without enforcing', () => {
    const staged = chart('payments');
    new DefaultDenyNamespace(staged, 'deny', { stagedRollout: true });
    expect(staged).toAllow('pod:shop:app=web', 'pod:payments:app=api', '8080/TCP');
    expect(staged).toAllow('pod:payments:app=api', 'cidr:203.0.113.10', '443/TCP');
  });
});

describe('FqdnEgress', () => {
  const c = chart('payments');
  new FqdnEgress(c, 'pg', { endpointSelector: EndpointSelector.labels({ app: 'pg-gateway' }), fqdns: ['api.stripe.com', '*.tosspayments.com'] });

  test('is CRD-valid', () => expect(c).toBeValidCilium());
  test('allows the names on 443 and nothing else', () => {
    expect(c).toAllow('pod:payments:app=pg-gateway', 'fqdn:api.stripe.com@198.51.100.7', '443/TCP');
    expect(c).toAllow('pod:payments:app=pg-gateway', 'fqdn:pay.tosspayments.com@198.51.100.8', '443/TCP');
    expect(c).toDeny('pod:payments:app=pg-gateway', 'fqdn:api.stripe.com@198.51.100.7', '80/TCP');
    expect(c).toDeny('pod:payments:app=pg-gateway', 'fqdn:a.b.tosspayments.com@198.51.100.9', '443/TCP');
    expect(c).toDeny('pod:payments:app=pg-gateway', 'fqdn:evil.example.com@203.0.113.66', '443/TCP');
    expect(c).toDeny('pod:payments:app=pg-gateway', 'cidr:198.51.100.7', '443/TCP');
  });
  test('DNS lookups are limited to those names', () => {
    expect(c).toAllow('pod:payments:app=pg-gateway', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'api.stripe.com' });
    expect(c).toDeny('pod:payments:app=pg-gateway', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'evil.example.com' });
  });
  test('pitfall: toFQDNs without the DNS companion allows nothing', () => {
    const bare = chart('payments');
    new CiliumPolicy(bare, 'bare', { endpointSelector: EndpointSelector.labels({ app: 'pg-gateway' }) })
      .allowEgress(Peer.fqdn('api.stripe.com'), { ports: [Port.tcp(443)] });
    expect(bare).toDeny('pod:payments:app=pg-gateway', 'fqdn:api.stripe.com@198.51.100.7', '443/TCP');
  });
});

describe('TieredApp', () => {
  const c = chart('webapp');
  new TieredApp(c, 'webapp', {
    entry: [traefik],
    tiers: [
      { name: 'web', labels: { app: 'webapp' }, ports: [Port.tcp(3000)] },
      { name: 'db', labels: { app: 'postgres' }, ports: [Port.tcp(5432)] },
    ],
  });

  test('is CRD-valid', () => expect(c).toBeValidCilium());
  test('each tier admits only the tier before it, on its container port', () => {
    expect(c).toAllow('pod:traefik:app.kubernetes.io/instance=traefik-traefik', 'pod:webapp:app=webapp', '3000/TCP');
    expect(c).toDeny('pod:traefik:app.kubernetes.io/instance=traefik-traefik', 'pod:webapp:app=webapp', '8080/TCP');
    expect(c).toDeny('pod:traefik:app.kubernetes.io/instance=traefik-traefik', 'pod:webapp:app=postgres', '5432/TCP');
    expect(c).toAllow('pod:webapp:app=webapp', 'pod:webapp:app=postgres', '5432/TCP');
    expect(c).toDeny('pod:webapp:app=webapp', 'pod:webapp:app=postgres', '5433/TCP');
  });
  test('pitfall: the same label in another namespace is not the tier', () => {
    expect(c).toDeny('pod:other:app=webapp', 'pod:webapp:app=postgres', '5432/TCP');
    expect(c).toDeny('pod:other:app.kubernetes.io/instance=traefik-traefik', 'pod:webapp:app=webapp', '3000/TCP');
  });
  test('probes from the host keep working; Cilium health endpoints (which never probe pods) get nothing', () => {
    expect(c).toAllow('entity:host', 'pod:webapp:app=postgres', '5432/TCP', POLICY_ONLY);
    expect(c).toAllow('entity:host', 'pod:webapp:app=webapp', '3000/TCP', POLICY_ONLY);
    expect(c).toDeny('entity:health', 'pod:webapp:app=webapp', '4240/TCP', POLICY_ONLY);
    expect(c).toDeny('entity:health', 'pod:webapp:app=postgres', '5432/TCP', POLICY_ONLY);
    expect(c).toDeny('entity:remote-node', 'pod:webapp:app=postgres', '5432/TCP', POLICY_ONLY);
  });
  test('pitfall: the Service port is not where Cilium matches (blog: Service 8080 -> targetPort 80)', () => {
    const app = Testing.app();
    buildPlatform(app);
    const blog = app.charts.find((ch) => ch.node.id === 'blog')!;
    expect(blog).toAllow('pod:traefik:app.kubernetes.io/instance=traefik-traefik', 'pod:blog:app.kubernetes.io/name=blog', '80/TCP');
    expect(blog).toDeny('pod:traefik:app.kubernetes.io/instance=traefik-traefik', 'pod:blog:app.kubernetes.io/name=blog', '8080/TCP');
  });
  test('L7 rules: allowed requests pass, others get 403', () => {
    const l7 = chart('shop');
    new TieredApp(l7, 'shop', {
      entry: [Peer.endpoints({ labels: { app: 'frontend' } })],
      tiers: [{ name: 'orders', labels: { app: 'order-api' }, ports: [Port.tcp(8080)], l7: L7.http(HttpRule.get('/api/v1/orders.*')) }],
    });
    expect(l7).toAllow('pod:shop:app=frontend', 'pod:shop:app=order-api', '8080/TCP', { http: 'GET /api/v1/orders/42' });
    expect(l7).toDeny('pod:shop:app=frontend', 'pod:shop:app=order-api', '8080/TCP', { http: 'DELETE /api/v1/orders/42' });
  });
});

describe('ClusterDefaultDeny', () => {
  const c = chart();
  new ClusterDefaultDeny(c, 'baseline', { excludedNamespaces: ['kube-system', 'monitoring'] });

  test('is CRD-valid', () => expect(c).toBeValidCilium());
  test('denies ingress to every pod outside the excluded namespaces, but not to them', () => {
    expect(c).toDeny('pod:team-a:app=x', 'pod:team-b:app=y', '8080/TCP');
    expect(c).toDeny('pod:team-a:app=x', 'pod:team-a:app=y', '8080/TCP');
    expect(c).toAllow('pod:team-a:app=x', 'pod:monitoring:app=prometheus', '9090/TCP');
  });
  test('leaves egress alone (pitfall: an added egress rule flipping egress to default deny) and DNS working', () => {
    expect(c).toAllow('pod:team-a:app=x', 'cidr:203.0.113.10', '443/TCP');
    expect(c).toAllow('pod:team-a:app=x', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'example.com' });
  });
  test('DNS stays reachable even when the DNS pods are inside the default deny', () => {
    const strict = chart();
    new ClusterDefaultDeny(strict, 'baseline', { excludedNamespaces: ['monitoring'] });
    expect(strict).toAllow('pod:team-a:app=x', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'example.com' });
    expect(strict).toAllow('pod:team-a:app=x', 'pod:kube-system:k8s-app=kube-dns', '53/TCP', { dns: 'example.com' });
    expect(strict).toDeny('pod:team-a:app=x', 'pod:kube-system:k8s-app=kube-dns', '9153/TCP');
  });
  test('keeps probes', () => {
    expect(c).toAllow('entity:host', 'pod:team-a:app=x', '8080/TCP', POLICY_ONLY);
    expect(c).toDeny('entity:remote-node', 'pod:team-a:app=x', '8080/TCP', POLICY_ONLY);
  });
  test('does not select namespace-less endpoints (pitfall: NotIn also matches health endpoints)', () => {
    expect(c).toAllow('entity:remote-node', 'entity:health', '4240/TCP', { hostFirewall: false });
  });
});

describe('MetadataEndpointBlock', () => {
  const c = chart('shop');
  new MetadataEndpointBlock(c, 'imds');

  test('is CRD-valid', () => expect(c).toBeValidCilium());
  test('denies the metadata endpoint', () => {
    expect(c).toDeny('pod:shop:app=web', 'cidr:169.254.169.254', '80/TCP');
    expect(c).toDeny('pod:shop:app=web', 'cidr:fd00:ec2::254', '80/TCP', { ipFamilies: IpFamilies.DUAL });
    expect(c).toDeny('pod:shop:app=web', 'cidr:fd20:ce::254', '80/TCP', { ipFamilies: IpFamilies.DUAL });
  });
  test('pitfall: the deny-only policy does not flip other egress to default deny', () => {
    expect(c).toAllow('pod:shop:app=web', 'cidr:203.0.113.10', '443/TCP');
    expect(c).toAllow('pod:shop:app=web', 'pod:other:app=api', '8080/TCP');
  });
  test('on its own a deny-only policy would have flipped egress (the pitfall is real)', () => {
    const raw = chart('shop');
    new CiliumPolicy(raw, 'raw').denyEgress(Peer.cidr('169.254.169.254/32'));
    expect(raw).toDeny('pod:shop:app=web', 'cidr:203.0.113.10', '443/TCP');
  });
  test('the deny wins over an allow anywhere', () => {
    const both = chart('shop');
    new MetadataEndpointBlock(both, 'imds');
    new CiliumPolicy(both, 'allow-world').allowEgress(Peer.entity(Entity.WORLD));
    expect(both).toDeny('pod:shop:app=web', 'cidr:169.254.169.254', '80/TCP');
    expect(both).toAllow('pod:shop:app=web', 'cidr:203.0.113.10', '443/TCP');
  });
});

describe('MonitoringScrape', () => {
  const c = chart();
  new MonitoringScrape(c, 'scrape', {
    scraper: Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } }), namespaces: ['shop', 'blog'], ports: [Port.tcp(8080)],
  });

  test('is CRD-valid', () => expect(c).toBeValidCilium());
  test('lets Prometheus scrape the listed namespaces', () => {
    expect(c).toAllow('pod:monitoring:app=prometheus', 'pod:shop:app=frontend', '8080/TCP');
    expect(c).toAllow('pod:monitoring:app=prometheus', 'pod:blog:app=blog', '8080/TCP');
  });
  test('pitfall: does not switch the scraped pods to default deny', () => {
    expect(c).toAllow('pod:shop:app=web', 'pod:shop:app=frontend', '3000/TCP');
  });
  test('with a default deny in place, only the metrics port is opened, for Prometheus only', () => {
    const locked = chart();
    new ClusterDefaultDeny(locked, 'baseline', { excludedNamespaces: ['kube-system', 'monitoring'] });
    new MonitoringScrape(locked, 'scrape', {
      scraper: Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } }), namespaces: ['shop'], ports: [Port.tcp(8080)],
    });
    expect(locked).toAllow('pod:monitoring:app=prometheus', 'pod:shop:app=frontend', '8080/TCP');
    expect(locked).toDeny('pod:monitoring:app=prometheus', 'pod:shop:app=frontend', '9999/TCP');
    expect(locked).toDeny('pod:monitoring:app=grafana', 'pod:shop:app=frontend', '8080/TCP');
  });
});

describe('HostFirewall', () => {
  const c = chart();
  const fw = new HostFirewall(c, 'cp', { nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }), managementCidrs: ['10.50.0.0/24'] });
  fw.allowIngress(Peer.entity(Entity.CLUSTER), { ports: [Port.tcp(30443)] });
  const on = { hostFirewall: true };
  const node = 'node:node-role.kubernetes.io/control-plane=';

  test('is CRD-valid', () => expect(c).toBeValidCilium());
  test('the management network keeps SSH and the API server; the world does not get them', () => {
    expect(c).toAllow('cidr:10.50.0.7', node, '22/TCP', on);
    expect(c).toAllow('cidr:10.50.0.7', node, '6443/TCP', on);
    expect(c).toDeny('cidr:203.0.113.5', node, '22/TCP', on);
    expect(c).toDeny('cidr:10.50.0.7', node, '8080/TCP', on);
  });
  test('the cluster keeps its paths (lockout guard)', () => {
    expect(c).toAllow('entity:remote-node', node, '8472/UDP', on);
    expect(c).toAllow('entity:remote-node', node, '4240/TCP', on);
    // etcd from the control plane only (the kube-apiserver identity): the cluster is allowed 30443 alone, not every port.
    expect(c).toAllow('entity:kube-apiserver', node, '2379/TCP', on);
    expect(c).toDeny('entity:remote-node', node, '2379/TCP', on);
    expect(c).toAllow('pod:shop:app=web', node, '30443/TCP', on);
    expect(c).toDeny('pod:shop:app=web', node, '2379/TCP', on);
    // The kubelet from the API server only (kubeletClients names no other client here): metrics-server got 10250 only through a
    // port-less allow of the cluster, which HostFirewall now refuses (host-firewall-ingress-every-port).
    expect(c).toAllow('entity:kube-apiserver', node, '10250/TCP', on);
    expect(c).toDeny('pod:kube-system:k8s-app=metrics-server', node, '10250/TCP', on);
  });
  test('does nothing while the host firewall is off', () => {
    expect(c).toAllow('cidr:203.0.113.5', node, '22/TCP', { hostFirewall: false });
  });
});

describe('the reference platform as one cluster', () => {
  const app = new App();
  buildPlatform(app);
  CiliumVersion.use(app, CiliumVersion.V1_19);

  test('baseline default deny next to namespace policies: blog only from Traefik', () => {
    expect(app).toAllow('pod:traefik:app.kubernetes.io/instance=traefik-traefik', 'pod:blog:app.kubernetes.io/name=blog', '80/TCP');
    expect(app).toDeny('pod:shop:app=frontend', 'pod:blog:app.kubernetes.io/name=blog', '80/TCP');
    expect(app).toAllow('pod:monitoring:app=prometheus', 'pod:blog:app.kubernetes.io/name=blog', '8080/TCP');
  });
  test('baseline leaves the excluded namespaces alone', () => {
    expect(app).toAllow('pod:shop:app=frontend', 'pod:traefik:app.kubernetes.io/instance=traefik-traefik', '8443/TCP');
  });
  test('webapp tiers', () => {
    expect(app).toAllow('pod:webapp:app=webapp', 'pod:webapp:app=postgres', '5432/TCP');
    expect(app).toDeny('pod:blog:app.kubernetes.io/name=blog', 'pod:webapp:app=postgres', '5432/TCP');
  });
  test('argocd reaches GitHub, the API server and itself, nothing else', () => {
    const argo = 'pod:argocd:app.kubernetes.io/part-of=argocd,app.kubernetes.io/name=argocd-server';
    expect(app).toAllow(argo, 'fqdn:api.github.com@140.82.112.6', '443/TCP');
    expect(app).toAllow(argo, 'fqdn:objects.githubusercontent.com@185.199.108.133', '443/TCP');
    // The API server on a control-plane node, with its labels: the platform's host firewall selects it (its ingress guard
    // admits the API server port from pods); `entity:kube-apiserver` alone is refused (engine-node-labels-unknown).
    const apiServer = { kind: EndpointKind.NODE, name: 'cp1', labels: { 'kubernetes.io/hostname': 'cp1', 'node-role.kubernetes.io/control-plane': '' },
      entity: 'kube-apiserver' };
    expect(app).toAllow(argo, apiServer, '6443/TCP');
    expect(() => expect(app).toAllow(argo, 'entity:kube-apiserver', '6443/TCP')).toThrow(/\(engine-node-labels-unknown\)/);
    expect(app).toAllow(argo, 'pod:argocd:app.kubernetes.io/part-of=argocd,app.kubernetes.io/name=argocd-repo-server', '8081/TCP');
    expect(app).toDeny(argo, 'fqdn:gitlab.com@172.65.251.78', '443/TCP');
    expect(app).toDeny(argo, 'pod:shop:app=backend', '8080/TCP');
  });
  test('payments: only pg-gateway reaches its providers', () => {
    expect(app).toAllow('pod:payments:app=pg-gateway', 'fqdn:api.stripe.com@198.51.100.7', '443/TCP');
    expect(app).toDeny('pod:payments:app=ledger', 'fqdn:api.stripe.com@198.51.100.7', '443/TCP');
    expect(app).toAllow('pod:payments:app=ledger', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'kubernetes.default.svc.cluster.local' });
  });
  test('shop: L7 on order-api, Prometheus on backend, no metadata endpoint', () => {
    expect(app).toAllow('pod:shop:app=frontend', 'pod:shop:app=order-api', '8080/TCP', { http: 'GET /api/v1/orders/7' });
    expect(app).toAllow('pod:shop:app=frontend', 'pod:shop:app=order-api', '8080/TCP', { http: 'POST /api/v1/orders' });
    expect(app).toAllow('pod:shop:app=frontend', 'pod:shop:app=order-api', '8080/TCP', { http: 'GET /healthz' });
    expect(app).toDeny('pod:shop:app=frontend', 'pod:shop:app=order-api', '8080/TCP', { http: 'DELETE /api/v1/orders/7' });
    expect(app).toAllow('pod:monitoring:app=prometheus', 'pod:shop:app=backend', '9090/TCP');
    expect(app).toDeny('pod:shop:app=order-api', 'pod:shop:app=backend', '8080/TCP');
    expect(app).toDeny('pod:shop:app=backend', 'cidr:169.254.169.254', '80/TCP');
  });
  test('cde: gateway calls only, ledger database only from cde', () => {
    expect(app).toAllow('pod:gateway:app=api-gateway', 'pod:cde-payments:app=card-api', '8443/TCP', { http: 'POST /v1/payments' });
    expect(app).toAllow('pod:gateway:app=api-gateway', 'pod:cde-payments:app=card-api', '8443/TCP', { http: 'GET /v1/payments/3f2a-9c' });
    expect(app).toDeny('pod:gateway:app=api-gateway', 'pod:cde-payments:app=card-api', '8443/TCP', { http: 'GET /v1/refunds' });
    expect(app).toDeny('pod:shop:app=frontend', 'pod:cde-payments:app=card-api', '8443/TCP');
    expect(app).toAllow('pod:cde-payments:app=card-api', 'pod:cde-db:app=ledger-db', '5432/TCP');
    expect(app).toDeny('pod:shop:app=backend', 'pod:cde-db:app=ledger-db', '5432/TCP');
    expect(app).toAllow('pod:cde-payments:app=card-api', 'fqdn:api.pgprovider.com@203.0.113.20', '443/TCP');
    expect(app).toDeny('pod:cde-payments:app=card-api', 'fqdn:api.stripe.com@198.51.100.7', '443/TCP');
    expect(app).toDeny('pod:cde-payments:app=card-api', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'evil.example.com' });
    expect(app).toAllow('pod:cde-payments:app=card-api', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: 'vault.internal.example.com' });
  });
  test('hostfw: management network reaches control planes', () => {
    const node = 'node:node-role.kubernetes.io/control-plane=';
    expect(app).toAllow('cidr:10.50.0.9', node, '22/TCP', { hostFirewall: true });
    expect(app).toDeny('cidr:198.51.100.1', node, '22/TCP', { hostFirewall: true });
  });
  // Before: a port-less `allowIngress(Peer.entity(Entity.CLUSTER))` let every pod and node reach etcd and the kubelet on
  // the control plane (`fromEntities: [cluster]`, every port) where its own egress allowed.
  test('hostfw: etcd and the kubelet on a control-plane node only from the API server; its API port from pods and nodes', () => {
    const cp = { kind: EndpointKind.NODE, labels: { 'kubernetes.io/hostname': 'cp1', 'node-role.kubernetes.io/control-plane': '' } };
    const worker = 'node:kubernetes.io/hostname=w1';
    const argo = 'pod:argocd:app.kubernetes.io/part-of=argocd,app.kubernetes.io/name=argocd-server';
    for (const from of [argo, 'pod:shop:app=backend', worker]) {
      for (const port of ['2379/TCP', '2380/TCP', '10250/TCP']) {
        expect(app).toDeny(from, cp, port, { hostFirewall: true });
        expect(Verdicts.verdictFor(app, from, cp, port, { hostFirewall: true }).ingress.allowed).toBe(false);
      }
      // The control plane's side: its API port is open to pods and nodes (the client's own egress decides the rest).
      expect(Verdicts.verdictFor(app, from, cp, '6443/TCP', { hostFirewall: true }).ingress.allowed).toBe(true);
    }
    const apiServer = { ...cp, labels: { ...cp.labels, 'kubernetes.io/hostname': 'cp2' }, entity: 'kube-apiserver' };
    for (const port of ['2379/TCP', '2380/TCP', '10250/TCP']) expect(app).toAllow(apiServer, cp, port, { hostFirewall: true });
  });
});
