/**
 * The reference platform: nine charts, each a piece of real-world Cilium guidance written with the SDK's
 * constructs. `npx cdk8s synth` writes one file per chart into dist/ (dist/<chart>.k8s.yaml).
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import {
  Builtins,
  CiliumPolicy,
  ClusterDefaultDeny,
  DefaultDenyNamespace,
  DnsRule,
  EndpointSelector,
  FqdnEgress,
  HostFirewall,
  HttpRule,
  L7,
  MetadataEndpointBlock,
  MonitoringScrape,
  NodeSelector,
  Peer,
  Port,
  Synth,
  TieredApp,
} from './src';

/** The Traefik ingress controller pods. */
const traefik = Peer.endpoints({ namespace: 'traefik', labels: { 'app.kubernetes.io/instance': 'traefik-traefik' } });
/** Prometheus. */
const prometheus = Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } });

/** blog: one tier behind a Service 8080 -> 80; only Traefik gets in, on the container port. */
export class BlogChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'blog' });
    const service = new kplus.Service(this, 'service', { metadata: { name: 'blog' }, ports: [{ port: 8080, targetPort: 80 }] });
    service.selectLabel('app.kubernetes.io/name', 'blog');
    // The tier takes the Service's selector and its targetPort (80), never the service port (8080).
    new TieredApp(this, 'blog', { tiers: [{ name: 'web', workload: service }], entry: [traefik] });
  }
}

/** webapp: web (3000) reachable only from Traefik, postgres (5432) only from web. */
export class WebappChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'webapp' });
    new TieredApp(this, 'webapp', {
      entry: [traefik],
      tiers: [
        { name: 'web', labels: { app: 'webapp' }, ports: [Port.tcp(3000)] },
        { name: 'db', labels: { app: 'postgres' }, ports: [Port.tcp(5432)] },
      ],
    });
  }
}

/** argocd: egress only to GitHub, the API server, each other and DNS; ingress from each other. */
export class ArgocdChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'argocd' });
    const argocd = EndpointSelector.labels({ 'app.kubernetes.io/part-of': 'argocd' });
    // Argo CD also resolves in-cluster names (argocd-repo-server…), so every lookup goes through the DNS proxy.
    // githubusercontent.com is a public suffix (Public Suffix List, private section): its names are listed, not `*.`-matched.
    new FqdnEgress(this, 'argocd-github', {
      endpointSelector: argocd,
      fqdns: ['*.github.com', 'raw.githubusercontent.com', 'objects.githubusercontent.com'],
      ports: [Port.tcp(443)],
      allowAllDnsLookups: true,
    });
    const egress = new CiliumPolicy(this, 'argocd-egress', {
      endpointSelector: argocd,
      description: 'Argo CD components reach each other and the Kubernetes API server',
    });
    egress.allowEgress(Peer.kubeApiServer(), { ports: [Port.tcp(6443), Port.tcp(443)] });
    egress.allowEgress(Peer.namespace('argocd'));
    const ingress = new CiliumPolicy(this, 'argocd-ingress', { description: 'pods in argocd accept traffic from each other' });
    ingress.allowIngress(Peer.namespace('argocd'));
    Builtins.allowHostProbes(ingress.rule);
  }
}

/** payments: default deny both ways with DNS; pg-gateway may reach its two payment providers. */
export class PaymentsChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'payments' });
    new DefaultDenyNamespace(this, 'default-deny');
    // The namespace's default deny lets every pod look up any name (DNS `*`), and Cilium ORs DNS rules: a lookup
    // restriction here could not hold, so the SDK refuses one (pitfall-dns-rules-widened). Say what is true instead.
    new FqdnEgress(this, 'pg-gateway-egress', {
      endpointSelector: EndpointSelector.labels({ app: 'pg-gateway' }),
      fqdns: ['api.stripe.com', '*.tosspayments.com'],
      ports: [Port.tcp(443)],
      allowAllDnsLookups: true,
    });
  }
}

/** shop: L7 rules on order-api, backend from frontend and Prometheus, and no pod reaches the metadata endpoint. */
export class ShopChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'shop' });
    const frontend = Peer.endpoints({ namespace: 'shop', labels: { app: 'frontend' } });
    const orderApi = new CiliumPolicy(this, 'order-api', {
      endpointSelector: EndpointSelector.labels({ app: 'order-api' }),
      description: 'order-api: only the frontend, only these HTTP calls',
    });
    orderApi.allowIngress(frontend, { ports: [Port.tcp(8080)], l7: L7.http(
      HttpRule.get('/api/v1/orders.*'),
      HttpRule.post('/api/v1/orders'),
      HttpRule.get('/healthz'),
    ) });
    Builtins.allowHostProbes(orderApi.rule);
    const backend = new CiliumPolicy(this, 'backend', {
      endpointSelector: EndpointSelector.labels({ app: 'backend' }),
      description: 'backend: the frontend on 8080, Prometheus on 9090',
    });
    backend.allowIngress(frontend, { ports: [Port.tcp(8080)] });
    backend.allowIngress(prometheus, { ports: [Port.tcp(9090)] });
    Builtins.allowHostProbes(backend.rule);
    new MetadataEndpointBlock(this, 'block-metadata-endpoint');
  }
}

/** cde: the card-data environment, locked down both ways, and its ledger database. */
export class CdeChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'cde-payments' });
    new DefaultDenyNamespace(this, 'default-deny', {
      dnsRules: [DnsRule.pattern('*.internal.example.com'), DnsRule.exact('api.pgprovider.com')],
    });
    const gateway = new CiliumPolicy(this, 'from-api-gateway', { description: 'only the API gateway, only the payment calls' });
    gateway.allowIngress(Peer.endpoints({ namespace: 'gateway', labels: { app: 'api-gateway' } }), { ports: [Port.tcp(8443)], l7: L7.http(
      HttpRule.post('/v1/payments'),
      HttpRule.get('/v1/payments/[0-9a-f-]+'),
    ) });
    const ledger = Peer.endpoints({ namespace: 'cde-db', labels: { app: 'ledger-db' } });
    const egress = new CiliumPolicy(this, 'to-ledger-db', { description: 'the ledger database' });
    egress.allowEgress(ledger, { ports: [Port.tcp(5432)] });
    new FqdnEgress(this, 'to-pgprovider', { fqdns: ['api.pgprovider.com'], ports: [Port.tcp(443)] });
    const ledgerIngress = new CiliumPolicy(this, 'ledger-db', {
      namespace: 'cde-db',
      endpointSelector: EndpointSelector.labels({ app: 'ledger-db' }),
      description: 'the ledger database accepts only the card-data environment',
    });
    ledgerIngress.allowIngress(Peer.namespace('cde-payments'), { ports: [Port.tcp(5432)] });
    Builtins.allowHostProbes(ledgerIngress.rule);
  }
}

/** monitoring: Prometheus scrapes 8080 on every pod of shop, webapp and blog, in one resource. */
export class MonitoringChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new MonitoringScrape(this, 'prometheus-scrape', { scraper: prometheus, namespaces: ['shop', 'webapp', 'blog'], ports: [Port.tcp(8080)] });
  }
}

/** baseline: cluster-wide default deny for ingress outside the system namespaces, DNS kept in the same resource. */
export class BaselineChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new ClusterDefaultDeny(this, 'cluster-default-deny', { excludedNamespaces: ['kube-system', 'cilium', 'monitoring', 'traefik', 'gateway'] });
  }
}

/** hostfw: host firewall for control-plane nodes. */
export class HostFirewallChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const firewall = new HostFirewall(this, 'control-plane', {
      nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }),
      managementCidrs: ['10.50.0.0/24'],
      breakGlassPorts: [Port.tcp(22)],
    });
    firewall.allowIngress(Peer.cidr('10.50.0.0/24'), { ports: [Port.tcp(22), Port.tcp(6443)] });
  }
}

/** Builds every chart of the reference platform into `app`. */
export function buildPlatform(app: App): void {
  new BlogChart(app, 'blog');
  new WebappChart(app, 'webapp');
  new ArgocdChart(app, 'argocd');
  new PaymentsChart(app, 'payments');
  new ShopChart(app, 'shop');
  new CdeChart(app, 'cde');
  new MonitoringChart(app, 'monitoring');
  new BaselineChart(app, 'baseline');
  new HostFirewallChart(app, 'hostfw');
}

if (require.main === module) {
  Synth.run({ addCharts: (app) => buildPlatform(app) });
}
