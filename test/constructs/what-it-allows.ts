/**
 * What each high-level construct allows AND denies, as data: the truth-table test runs every row through the verdict
 * engine, and `scripts/readme-allows.ts` writes the same rows into the README ("what it allows" tables), which a test
 * keeps equal to this file. One source, so the README cannot drift from what the engine proves.
 */
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ClusterDefaultDeny, DefaultDenyNamespace, EndpointSelector, FqdnEgress, HostFirewall, MetadataEndpointBlock, MonitoringScrape, NodeSelector,
  Peer, Port, TieredApp,
} from '../../src';

/** One connection and the verdict the construct must give it. */
export interface AllowsRow {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly verdict: 'allowed' | 'denied';
  /** Why, in the words a reviewer needs. */
  readonly why: string;
  /** An L7 detail of the connection (`dns` name looked up). */
  readonly dns?: string;
}

/** A construct, the example it is built from, and its rows. */
export interface AllowsTable {
  /** The construct's class name, also the README marker. */
  readonly construct: string;
  /** The example, as shown in the README above the table. */
  readonly example: string;
  /** Builds the example into a fresh chart. */
  readonly build: (chart: Construct) => void;
  /** The chart's namespace. */
  readonly namespace?: string;
  /** Host policies: evaluate with the host firewall on. */
  readonly hostFirewall?: boolean;
  readonly rows: readonly AllowsRow[];
}

const prometheus = Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } });
const traefik = Peer.endpoints({ namespace: 'traefik', labels: { app: 'traefik' } });
const node = 'node:node-role.kubernetes.io/control-plane=';

export const ALLOWS_TABLES: readonly AllowsTable[] = [
  {
    construct: 'DefaultDenyNamespace',
    example: "new DefaultDenyNamespace(chart, 'deny')  // chart namespace: payments",
    namespace: 'payments',
    build: (c) => new DefaultDenyNamespace(c, 'deny'),
    rows: [
      { from: 'pod:shop:app=web', to: 'pod:payments:app=api', port: '8080/TCP', verdict: 'denied', why: 'ingress from other namespaces' },
      { from: 'pod:payments:app=web', to: 'pod:payments:app=api', port: '8080/TCP', verdict: 'denied', why: 'traffic inside the namespace (`allowWithinNamespace` opens it)' },
      { from: 'pod:monitoring:app=prometheus', to: 'pod:payments:app=api', port: '9090/TCP', verdict: 'denied', why: 'scraping (`scrapeFrom` + `scrapePorts` open it)' },
      { from: 'entity:host', to: 'pod:payments:app=api', port: '8080/TCP', verdict: 'allowed', why: 'kubelet probes from the local node (built in)' },
      { from: 'entity:health', to: 'pod:payments:app=api', port: '4240/TCP', verdict: 'denied', why: 'Cilium health endpoints (their checks probe nodes, never pods)' },
      { from: 'pod:payments:app=api', to: 'pod:kube-system:k8s-app=kube-dns', port: '53/UDP', dns: 'api.stripe.com', verdict: 'allowed', why: 'DNS to kube-dns, through the DNS proxy (built in)' },
      { from: 'pod:payments:app=api', to: 'pod:kube-system:k8s-app=kube-dns', port: '9153/TCP', verdict: 'denied', why: 'kube-dns on any other port' },
      { from: 'pod:payments:app=api', to: 'cidr:203.0.113.10', port: '443/TCP', verdict: 'denied', why: 'egress to the world' },
      { from: 'pod:payments:app=api', to: 'entity:kube-apiserver', port: '6443/TCP', verdict: 'denied', why: 'the API server (`allowKubeApiServer` opens it)' },
    ],
  },
  {
    construct: 'FqdnEgress',
    example: "new FqdnEgress(chart, 'pg', { endpointSelector: EndpointSelector.labels({ app: 'pg' }), fqdns: ['api.stripe.com', '*.toss.com'] })",
    namespace: 'payments',
    build: (c) => new FqdnEgress(c, 'pg', { endpointSelector: EndpointSelector.labels({ app: 'pg' }), fqdns: ['api.stripe.com', '*.toss.com'] }),
    rows: [
      { from: 'pod:payments:app=pg', to: 'fqdn:api.stripe.com@198.51.100.7', port: '443/TCP', verdict: 'allowed', why: 'a listed name on the default port 443/TCP' },
      { from: 'pod:payments:app=pg', to: 'fqdn:pay.toss.com@198.51.100.8', port: '443/TCP', verdict: 'allowed', why: 'a name matching a listed pattern' },
      { from: 'pod:payments:app=pg', to: 'fqdn:a.b.toss.com@198.51.100.9', port: '443/TCP', verdict: 'denied', why: '`*` matches one DNS label only' },
      { from: 'pod:payments:app=pg', to: 'fqdn:api.stripe.com@198.51.100.7', port: '80/TCP', verdict: 'denied', why: 'a listed name on another port' },
      { from: 'pod:payments:app=pg', to: 'cidr:198.51.100.7', port: '443/TCP', verdict: 'denied', why: 'the same address, not learned through DNS' },
      { from: 'pod:payments:app=pg', to: 'pod:kube-system:k8s-app=kube-dns', port: '53/UDP', dns: 'api.stripe.com', verdict: 'allowed', why: 'looking up a listed name (DNS companion)' },
      { from: 'pod:payments:app=pg', to: 'pod:kube-system:k8s-app=kube-dns', port: '53/UDP', dns: 'evil.example.com', verdict: 'denied', why: 'looking up any other name' },
      { from: 'pod:payments:app=pg', to: 'pod:payments:app=db', port: '5432/TCP', verdict: 'denied', why: 'everything else: the pods are in egress default deny' },
    ],
  },
  {
    construct: 'TieredApp',
    example: "new TieredApp(chart, 'webapp', { entry: [traefik], metricsFrom: prometheus, tiers: [\n"
      + "  { name: 'web', labels: { app: 'web' }, ports: [Port.tcp(3000)], metricsPorts: [Port.tcp(9090)] },\n"
      + "  { name: 'db', labels: { app: 'db' }, ports: [Port.tcp(5432)] }] })",
    namespace: 'webapp',
    build: (c) => new TieredApp(c, 'webapp', {
      entry: [traefik],
      metricsFrom: prometheus,
      tiers: [
        { name: 'web', labels: { app: 'web' }, ports: [Port.tcp(3000)], metricsPorts: [Port.tcp(9090)] },
        { name: 'db', labels: { app: 'db' }, ports: [Port.tcp(5432)] },
      ],
    }),
    rows: [
      { from: 'pod:traefik:app=traefik', to: 'pod:webapp:app=web', port: '3000/TCP', verdict: 'allowed', why: 'the entry peers to the first tier, on its ports' },
      { from: 'pod:traefik:app=traefik', to: 'pod:webapp:app=web', port: '9090/TCP', verdict: 'denied', why: 'the entry peers to any other port of the tier' },
      { from: 'pod:traefik:app=traefik', to: 'pod:webapp:app=db', port: '5432/TCP', verdict: 'denied', why: 'the entry peers to a later tier' },
      { from: 'pod:webapp:app=web', to: 'pod:webapp:app=db', port: '5432/TCP', verdict: 'allowed', why: 'each tier to the next, on its ports' },
      { from: 'pod:webapp:app=web', to: 'pod:webapp:app=db', port: '5433/TCP', verdict: 'denied', why: 'a tier to the next on another port' },
      { from: 'pod:other:app=web', to: 'pod:webapp:app=db', port: '5432/TCP', verdict: 'denied', why: 'the same labels in another namespace' },
      { from: 'pod:monitoring:app=prometheus', to: 'pod:webapp:app=web', port: '9090/TCP', verdict: 'allowed', why: "the scraper, on the tier's own metricsPorts" },
      { from: 'pod:monitoring:app=prometheus', to: 'pod:webapp:app=db', port: '9090/TCP', verdict: 'denied', why: 'the scraper on a tier that declares no metricsPorts' },
      { from: 'entity:host', to: 'pod:webapp:app=db', port: '5432/TCP', verdict: 'allowed', why: 'kubelet probes (built in)' },
    ],
  },
  {
    construct: 'ClusterDefaultDeny',
    example: "new ClusterDefaultDeny(chart, 'baseline', { excludedNamespaces: ['kube-system', 'monitoring'] })",
    build: (c) => new ClusterDefaultDeny(c, 'baseline', { excludedNamespaces: ['kube-system', 'monitoring'] }),
    rows: [
      { from: 'pod:team-a:app=x', to: 'pod:team-b:app=y', port: '8080/TCP', verdict: 'denied', why: 'ingress to any pod outside the excluded namespaces' },
      { from: 'pod:team-a:app=x', to: 'pod:team-a:app=y', port: '8080/TCP', verdict: 'denied', why: 'inside a namespace too' },
      { from: 'pod:team-a:app=x', to: 'pod:monitoring:app=prometheus', port: '9090/TCP', verdict: 'allowed', why: 'ingress to an excluded namespace (untouched)' },
      { from: 'pod:team-a:app=x', to: 'cidr:203.0.113.10', port: '443/TCP', verdict: 'allowed', why: 'egress (untouched unless `egress: true`)' },
      { from: 'pod:team-a:app=x', to: 'pod:kube-system:k8s-app=kube-dns', port: '53/UDP', dns: 'example.com', verdict: 'allowed', why: 'DNS (kept answering, built in)' },
      { from: 'entity:host', to: 'pod:team-a:app=x', port: '8080/TCP', verdict: 'allowed', why: 'kubelet probes (built in)' },
    ],
  },
  {
    construct: 'HostFirewall',
    example: "new HostFirewall(chart, 'cp', { nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }), managementCidrs: ['10.50.0.0/24'] })",
    hostFirewall: true,
    build: (c) => new HostFirewall(c, 'cp', { nodeSelector: NodeSelector.labels({ 'node-role.kubernetes.io/control-plane': '' }), managementCidrs: ['10.50.0.0/24'] }),
    rows: [
      { from: 'cidr:10.50.0.7', to: node, port: '22/TCP', verdict: 'allowed', why: 'break-glass SSH from the management network' },
      { from: 'cidr:10.50.0.7', to: node, port: '6443/TCP', verdict: 'allowed', why: 'the API server from the management network' },
      { from: 'cidr:203.0.113.5', to: node, port: '22/TCP', verdict: 'denied', why: 'SSH from anywhere else' },
      { from: 'cidr:203.0.113.5', to: node, port: 'icmp/8', verdict: 'denied', why: 'ping from the world (only essential ICMP errors are open)' },
      { from: 'cidr:203.0.113.5', to: node, port: 'icmp/3', verdict: 'allowed', why: 'ICMP destination unreachable (path MTU discovery)' },
      { from: 'pod:shop:app=web', to: node, port: '6443/TCP', verdict: 'allowed', why: 'the API server from pods (`apiServerClients`)' },
      { from: 'pod:shop:app=web', to: node, port: '10250/TCP', verdict: 'denied', why: 'the kubelet from pods (`kubeletClients` opens it)' },
      { from: 'entity:kube-apiserver', to: node, port: '10250/TCP', verdict: 'allowed', why: 'the kubelet from the API server' },
      { from: 'entity:kube-apiserver', to: node, port: '2379/TCP', verdict: 'allowed', why: 'etcd from the API server nodes (or `controlPlaneNodeLabels`/`controlPlaneCidrs`)' },
      { from: 'entity:remote-node', to: node, port: '2379/TCP', verdict: 'denied', why: 'etcd from worker nodes' },
      { from: 'entity:remote-node', to: node, port: '8472/UDP', verdict: 'allowed', why: 'the VXLAN tunnel from other nodes' },
      { from: 'entity:remote-node', to: node, port: '4240/TCP', verdict: 'allowed', why: 'Cilium health checks' },
      { from: 'pod:kube-system:k8s-app=hubble-relay', to: node, port: '4244/TCP', verdict: 'allowed', why: 'Hubble from hubble-relay' },
      { from: 'pod:shop:app=web', to: node, port: '4244/TCP', verdict: 'denied', why: 'Hubble from any other pod' },
      { from: 'cidr:10.50.0.7', to: node, port: '9962/TCP', verdict: 'denied', why: 'Cilium metrics (`metricsScraper` opens them)' },
    ],
  },
  {
    construct: 'MetadataEndpointBlock',
    example: "new MetadataEndpointBlock(chart, 'imds')  // chart namespace: shop",
    namespace: 'shop',
    build: (c) => new MetadataEndpointBlock(c, 'imds'),
    rows: [
      { from: 'pod:shop:app=web', to: 'cidr:169.254.169.254', port: '80/TCP', verdict: 'denied', why: 'the cloud metadata endpoint (IPv4)' },
      { from: 'pod:shop:app=web', to: 'cidr:fd00:ec2::254', port: '80/TCP', verdict: 'denied', why: 'the cloud metadata endpoint (AWS IPv6)' },
      { from: 'pod:shop:app=web', to: 'cidr:fd20:ce::254', port: '80/TCP', verdict: 'denied', why: 'the cloud metadata endpoint (GCP IPv6)' },
      { from: 'pod:shop:app=web', to: 'cidr:203.0.113.10', port: '443/TCP', verdict: 'allowed', why: 'all other egress (no default deny)' },
    ],
  },
  {
    construct: 'MonitoringScrape',
    example: "new MonitoringScrape(chart, 'scrape', { scraper: prometheus, namespaces: ['shop'], ports: [Port.tcp(8080)] })",
    build: (c) => {
      new ClusterDefaultDeny(c, 'baseline', { excludedNamespaces: ['kube-system', 'monitoring'] });
      new MonitoringScrape(c, 'scrape', { scraper: prometheus, namespaces: ['shop'], ports: [Port.tcp(8080)] });
    },
    rows: [
      { from: 'pod:monitoring:app=prometheus', to: 'pod:shop:app=web', port: '8080/TCP', verdict: 'allowed', why: 'the scraper, on the listed ports (here under a cluster default deny)' },
      { from: 'pod:monitoring:app=prometheus', to: 'pod:shop:app=web', port: '9999/TCP', verdict: 'denied', why: 'the scraper on any other port' },
      { from: 'pod:monitoring:app=grafana', to: 'pod:shop:app=web', port: '8080/TCP', verdict: 'denied', why: 'any other pod of the scraper\'s namespace' },
      { from: 'pod:monitoring:app=prometheus', to: 'pod:blog:app=web', port: '8080/TCP', verdict: 'denied', why: 'namespaces not listed' },
    ],
  },
];

/** A fresh chart with the table's example in it. */
export function tableChart(table: AllowsTable): Chart {
  const chart = new Chart(Testing.app(), 'example', table.namespace ? { namespace: table.namespace } : {});
  table.build(chart);
  return chart;
}

/** The README text of one table (between its markers). */
export function renderAllowsTable(table: AllowsTable): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [
    `What it allows and denies (\`${table.example.split('\n').map((l) => l.trim()).join(' ')}\`; checked by the verdict engine in \`test/constructs/what-it-allows.test.ts\`):`,
    '',
    '| from | to | port | verdict | why |',
    '|---|---|---|---|---|',
    ...table.rows.map((r) => `| \`${cell(r.from)}\` | \`${cell(r.to)}\` | ${r.port}${r.dns ? ` (lookup ${r.dns})` : ''} | ${r.verdict === 'allowed' ? '✅ allowed' : '⛔ denied'} | ${cell(r.why)} |`),
  ];
  return lines.join('\n');
}

/** The markers around a table in the README. */
export function allowsMarkers(construct: string): { start: string; end: string } {
  return { start: `<!-- what-it-allows:${construct} -->`, end: `<!-- /what-it-allows:${construct} -->` };
}

/** The README with every table rewritten from the data (the README must already hold the markers). */
export function rewriteReadme(readme: string): string {
  let out = readme;
  for (const table of ALLOWS_TABLES) {
    const { start, end } = allowsMarkers(table.construct);
    const i = out.indexOf(start);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`README has no ${start} … ${end} section`);
    out = `${out.slice(0, i + start.length)}\n${renderAllowsTable(table)}\n${out.slice(j)}`;
  }
  return out;
}
