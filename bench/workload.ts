/**
 * A deterministic, realistic workload for the verdict engine benchmark: a cluster of namespaces with apps and pods, the
 * policies a platform team would write for it (CNPs per namespace and app, some CCNPs), outside endpoints (IPs, DNS names,
 * reserved entities), and a mix of connections to judge. Everything comes from a seeded PRNG: the same parameters give
 * the same workload, byte for byte.
 */
import { Endpoint, Endpoints, HttpRequest, NamedPort, VerdictQuery } from '../src/engine';
import { HttpRuleModel, LabelSelectorModel, PolicyDocumentModel, PortRuleModel, RuleItemModel, RuleModel, PolicyKind } from '../src/model/policy-model';

/** Sizes of the workload. */
export interface WorkloadParams {
  /** Seed of the PRNG. */
  readonly seed: number;
  /** Policy documents (CNPs and CCNPs). */
  readonly policies: number;
  /** Endpoints (pods, outside IPs, DNS names, entities). */
  readonly endpoints: number;
  /** Queries in the mix. */
  readonly queries: number;
}

/** Query categories, in report order. */
export const CATEGORIES = [
  'pod→pod same ns', 'pod→pod cross ns', 'pod→world (CIDR)', 'pod→fqdn', 'pod→kube-dns (DNS)', 'entity→pod', 'pod→entity', 'pod→world (ICMP)',
] as const;

/** A query category. */
export type Category = (typeof CATEGORIES)[number];

/** One query of the mix with its category. */
export interface WorkloadQuery {
  /** What kind of connection it is. */
  readonly category: Category;
  /** The query. */
  readonly query: VerdictQuery;
}

/** The generated workload. */
export interface Workload {
  /** The policies. */
  readonly docs: PolicyDocumentModel[];
  /** Every endpoint (queries use these objects). */
  readonly endpoints: Endpoint[];
  /** The query mix. */
  readonly queries: WorkloadQuery[];
  /** Counts, for the report. */
  readonly stats: {
    readonly namespaces: number;
    readonly cnps: number;
    readonly ccnps: number;
    readonly rules: number;
    readonly items: number;
    readonly pods: number;
    readonly podIdentities: number;
    readonly ips: number;
    readonly fqdns: number;
    readonly entities: number;
    readonly httpQueries: number;
    readonly dnsQueries: number;
  };
}

/** mulberry32: a small, fast, seeded PRNG (no Math.random anywhere in the benchmark). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  public next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  public int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  public between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  public chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element. */
  public pick<T>(list: readonly T[]): T {
    if (list.length === 0) throw new Error('pick from an empty list');
    return list[this.int(list.length)];
  }

  /** One element, by weight. */
  public weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * total;
    for (const [v, w] of entries) {
      x -= w;
      if (x < 0) return v;
    }
    return entries[entries.length - 1][0];
  }

  /** k distinct elements (fewer if the list is shorter), in list order. */
  public sample<T>(list: readonly T[], k: number): T[] {
    const idx = list.map((_, i) => i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    return idx.slice(0, Math.min(k, list.length)).sort((a, b) => a - b).map((i) => list[i]);
  }
}

interface AppKind {
  readonly name: string;
  readonly tier: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly portName: string;
  readonly http: boolean;
}

const APP_KINDS: readonly AppKind[] = [
  { name: 'frontend', tier: 'web', port: 8080, protocol: 'TCP', portName: 'http', http: true },
  { name: 'admin', tier: 'web', port: 8080, protocol: 'TCP', portName: 'http', http: true },
  { name: 'api', tier: 'backend', port: 8080, protocol: 'TCP', portName: 'http', http: true },
  { name: 'orders', tier: 'backend', port: 8080, protocol: 'TCP', portName: 'http', http: true },
  { name: 'auth', tier: 'backend', port: 9000, protocol: 'TCP', portName: 'http', http: true },
  { name: 'payments', tier: 'backend', port: 8443, protocol: 'TCP', portName: 'https', http: false },
  { name: 'search', tier: 'backend', port: 9200, protocol: 'TCP', portName: 'http', http: true },
  { name: 'grpc-gateway', tier: 'backend', port: 50051, protocol: 'TCP', portName: 'grpc', http: false },
  { name: 'worker', tier: 'batch', port: 8080, protocol: 'TCP', portName: 'http', http: false },
  { name: 'reports', tier: 'batch', port: 8000, protocol: 'TCP', portName: 'http', http: true },
  { name: 'postgres', tier: 'db', port: 5432, protocol: 'TCP', portName: 'postgres', http: false },
  { name: 'redis', tier: 'cache', port: 6379, protocol: 'TCP', portName: 'redis', http: false },
  { name: 'kafka', tier: 'queue', port: 9092, protocol: 'TCP', portName: 'kafka', http: false },
  { name: 'statsd', tier: 'metrics', port: 8125, protocol: 'UDP', portName: 'statsd', http: false },
];

const TEAMS = 20;
const ENVS: readonly (readonly [string, number])[] = [['prod', 5], ['staging', 3], ['dev', 2]];
const NS_KEY = 'k8s:io.kubernetes.pod.namespace';
const NS_LABEL = (k: string): string => `k8s:io.cilium.k8s.namespace.labels.${k}`;
const KUBE_DNS: LabelSelectorModel = { matchLabels: { [NS_KEY]: 'kube-system', 'k8s:k8s-app': 'kube-dns' } };

/** Outside DNS names; `rule` is how policies select them. */
const FQDN_GROUPS: readonly { readonly names: (i: number) => string; readonly rule: { matchName?: string; matchPattern?: string } }[] = [
  { names: () => 'api.stripe.com', rule: { matchName: 'api.stripe.com' } },
  { names: () => 'hooks.slack.com', rule: { matchName: 'hooks.slack.com' } },
  { names: (i) => (i % 2 === 0 ? 'api.github.com' : 'codeload.github.com'), rule: { matchPattern: '*.github.com' } },
  { names: (i) => `bucket-${i % 37}.s3.amazonaws.com`, rule: { matchPattern: '*.s3.amazonaws.com' } },
  { names: (i) => `${['storage', 'pubsub', 'eu.bigquery'][i % 3]}.googleapis.com`, rule: { matchPattern: '**.googleapis.com' } },
  { names: () => 'registry.npmjs.org', rule: { matchName: 'registry.npmjs.org' } },
  { names: (i) => `o${100 + (i % 13)}.ingest.sentry.io`, rule: { matchPattern: '*.ingest.sentry.io' } },
  { names: (i) => `svc${i % 11}.partner${i % 5}.example.com`, rule: { matchPattern: '*.partner*.example.com' } },
  { names: () => 'login.microsoftonline.com', rule: { matchName: 'login.microsoftonline.com' } },
  { names: (i) => `tracker${i % 7}.ads.example.net`, rule: { matchPattern: '*.ads.example.net' } },
];

/** The address pools the IP endpoints come from, by weight. */
const WORLD_POOLS: readonly (readonly [string, number])[] = [
  ['partner', 3], // 203.0.113.0/24
  ['doc', 2], // 198.51.100.0/24
  ['corporate', 3], // 10.20.0.0/16, inside 10.0.0.0/8
  ['cloud', 3], // 52.0.0.0/8
  ['metadata', 1], // 169.254.169.254
];

const HTTP_REQUESTS: readonly HttpRequest[] = [
  { method: 'GET', path: '/api/v1/items' },
  { method: 'GET', path: '/api/v1/items?page=2' },
  { method: 'POST', path: '/api/v1/orders' },
  { method: 'DELETE', path: '/api/v1/orders/42' },
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/admin/users' },
  { method: 'PUT', path: '/api/v2/profile' },
];

/** HTTP rule sets (`rules.http`) put on the ports of HTTP apps. */
const HTTP_RULE_SETS: readonly (readonly HttpRuleModel[])[] = [
  [{ method: 'GET', path: '/api/v1/.*' }, { method: 'GET', path: '/healthz' }],
  [{ method: 'GET|HEAD', path: '/api/.*' }, { method: 'POST', path: '/api/v1/orders' }],
  [{ method: 'GET' }],
  [{ path: '/api/v[12]/.*' }, { method: 'GET', path: '/healthz' }],
];

const RANDOM_PORTS: readonly (readonly [number, 'TCP' | 'UDP'])[] = [
  [80, 'TCP'], [443, 'TCP'], [8080, 'TCP'], [8443, 'TCP'], [5432, 'TCP'], [6379, 'TCP'], [9090, 'TCP'], [9092, 'TCP'], [9200, 'TCP'],
  [50051, 'TCP'], [8125, 'UDP'], [53, 'UDP'], [3000, 'TCP'], [22, 'TCP'], [30080, 'TCP'], [9000, 'TCP'], [8000, 'TCP'],
];

interface App {
  readonly ns: Namespace;
  readonly kind: AppKind;
  readonly name: string;
  /** Apps it calls (on their port). */
  readonly calls: App[];
  /** Apps calling it. */
  readonly callers: App[];
  /** FQDN groups it reaches (indexes into FQDN_GROUPS). */
  fqdnGroups: number[];
  /** Whether it reaches outside CIDRs. */
  world: boolean;
  /** Whether it talks to the API server. */
  apiserver: boolean;
  pods: Endpoint[];
}

interface Namespace {
  readonly name: string;
  readonly team: string;
  readonly env: string;
  readonly apps: App[];
  readonly defaultDeny: boolean;
}

/** Generates the workload. */
export function generateWorkload(params: WorkloadParams): Workload {
  const rng = new Rng(params.seed);
  const nsCount = Math.max(5, Math.round(params.policies / 10));
  const namespaces = planNamespaces(rng, nsCount);
  const allApps = namespaces.flatMap((n) => n.apps);
  planEdges(rng, namespaces, allApps);

  // Endpoints: 90% pods, the rest outside IPs, DNS names and one of each entity.
  const entities = ['world', 'host', 'remote-node', 'health', 'kube-apiserver', 'ingress', 'unmanaged', 'init'].map((e) => Endpoints.entity(e));
  const podCount = Math.round(params.endpoints * 0.9);
  const outside = params.endpoints - podCount - entities.length;
  const ipCount = Math.round(outside * 0.6);
  const fqdnCount = outside - ipCount;
  const system = systemPods(rng, Math.max(6, Math.round(podCount * 0.01)));
  const pods: Endpoint[] = [...system.all];
  const identities = new Set<string>();
  for (const p of system.all) identities.add(JSON.stringify([p.namespace, p.labels]));
  while (pods.length < podCount) {
    const app = rng.pick(allApps);
    const labels = { app: app.name, tier: app.kind.tier, version: rng.chance(0.2) ? 'v2' : 'v1' };
    const ports: NamedPort[] = [{ name: app.kind.portName, port: app.kind.port, protocol: app.kind.protocol }, { name: 'metrics', port: 9090, protocol: 'TCP' }];
    const pod = Endpoints.pod(app.ns.name, labels, { ports, namespaceLabels: { team: app.ns.team, env: app.ns.env } });
    app.pods.push(pod);
    pods.push(pod);
    identities.add(JSON.stringify([app.ns.name, labels]));
  }
  const ips: Endpoint[] = [];
  for (let i = 0; i < ipCount; i++) ips.push(Endpoints.cidr(worldIp(rng)));
  const fqdns: Endpoint[] = [];
  for (let i = 0; i < fqdnCount; i++) {
    const g = rng.int(FQDN_GROUPS.length);
    fqdns.push(Endpoints.fqdn(FQDN_GROUPS[g].names(i), `52.${rng.between(1, 254)}.${rng.between(0, 255)}.${rng.between(1, 254)}`));
  }

  const docs = generatePolicies(rng, params.policies, namespaces);
  const queries = generateQueries(rng, params.queries, { namespaces, allApps, system, ips, fqdns, entities });
  const rules = docs.flatMap((d) => [...(d.spec ? [d.spec] : []), ...(d.specs ?? [])]);
  const items = rules.reduce((sum, r) => sum + [r.ingress, r.ingressDeny, r.egress, r.egressDeny].reduce((n, s) => n + (s ?? []).length, 0), 0);
  return {
    docs,
    endpoints: [...pods, ...ips, ...fqdns, ...entities],
    queries,
    stats: {
      namespaces: namespaces.length + 3,
      cnps: docs.filter((d) => d.kind === 'CiliumNetworkPolicy').length,
      ccnps: docs.filter((d) => d.kind === 'CiliumClusterwideNetworkPolicy').length,
      rules: rules.length,
      items,
      pods: pods.length,
      podIdentities: identities.size,
      ips: ips.length,
      fqdns: fqdns.length,
      entities: entities.length,
      httpQueries: queries.filter((q) => q.query.http !== undefined).length,
      dnsQueries: queries.filter((q) => q.query.dns !== undefined).length,
    },
  };
}

function planNamespaces(rng: Rng, count: number): Namespace[] {
  const out: Namespace[] = [];
  for (let i = 0; i < count; i++) {
    const ns: Namespace = {
      name: `ns-${String(i).padStart(3, '0')}`,
      team: `team-${i % TEAMS}`,
      env: rng.weighted(ENVS),
      apps: [],
      defaultDeny: rng.chance(0.75),
    };
    for (const kind of rng.sample(APP_KINDS, rng.between(6, 10))) {
      ns.apps.push({ ns, kind, name: kind.name, calls: [], callers: [], fqdnGroups: [], world: false, apiserver: false, pods: [] });
    }
    out.push(ns);
  }
  return out;
}

/** Who calls whom (same namespace mostly, some cross-namespace), and who reaches outside. */
function planEdges(rng: Rng, namespaces: readonly Namespace[], allApps: readonly App[]): void {
  const callerTiers = new Set(['web', 'backend', 'batch']);
  for (const ns of namespaces) {
    for (const app of ns.apps) {
      const candidates = ns.apps.filter((a) => a !== app && callerTiers.has(a.kind.tier));
      for (const caller of rng.sample(candidates, rng.between(1, 3))) link(caller, app);
      if (rng.chance(0.3)) {
        const other = rng.pick(allApps);
        if (other.ns !== ns && callerTiers.has(other.kind.tier)) link(other, app);
      }
      if (callerTiers.has(app.kind.tier)) {
        if (rng.chance(0.45)) app.fqdnGroups = rng.sample(FQDN_GROUPS.map((_, i) => i), rng.between(1, 3));
        app.world = rng.chance(0.3);
        app.apiserver = app.kind.tier === 'batch' && rng.chance(0.5);
      }
    }
  }
}

function link(caller: App, callee: App): void {
  if (caller.calls.includes(callee)) return;
  caller.calls.push(callee);
  callee.callers.push(caller);
}

interface SystemPods {
  readonly all: Endpoint[];
  readonly dns: Endpoint[];
  readonly prometheus: Endpoint[];
  readonly ingress: Endpoint[];
}

function systemPods(rng: Rng, count: number): SystemPods {
  const dns: Endpoint[] = [];
  const prometheus: Endpoint[] = [];
  const ingress: Endpoint[] = [];
  const dnsPorts: NamedPort[] = [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }];
  for (let i = 0; i < count; i++) {
    const which = i % 3;
    if (which === 0) dns.push(Endpoints.pod('kube-system', { 'k8s-app': 'kube-dns' }, { ports: dnsPorts, namespaceLabels: { team: 'platform', env: 'prod' } }));
    else if (which === 1) prometheus.push(Endpoints.pod('monitoring', { app: 'prometheus' }, { namespaceLabels: { team: 'platform', env: 'prod' } }));
    else ingress.push(Endpoints.pod('ingress-nginx', { app: 'ingress-nginx', component: rng.chance(0.5) ? 'controller' : 'admission' }, { namespaceLabels: { team: 'platform', env: 'prod' } }));
  }
  return { all: [...dns, ...prometheus, ...ingress], dns, prometheus, ingress };
}

function worldIp(rng: Rng): string {
  switch (rng.weighted(WORLD_POOLS)) {
    case 'partner':
      return `203.0.113.${rng.between(1, 254)}`;
    case 'doc':
      return `198.51.100.${rng.between(1, 254)}`;
    case 'corporate':
      return `10.20.${rng.between(0, 255)}.${rng.between(1, 254)}`;
    case 'metadata':
      return '169.254.169.254';
    default:
      return `52.${rng.between(1, 254)}.${rng.between(0, 255)}.${rng.between(1, 254)}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Policies

function cnp(name: string, namespace: string, spec: RuleModel): PolicyDocumentModel {
  return { kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name, namespace }, spec };
}

function ccnp(name: string, spec: RuleModel): PolicyDocumentModel {
  return { kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name }, spec };
}

function ports(...list: readonly (readonly [string, string, number?])[]): PortRuleModel {
  return { ports: list.map(([port, protocol, endPort]) => ({ port, protocol, ...(endPort !== undefined ? { endPort } : {}) })) };
}

/** The port an app is reached on, numeric or by name. */
function appPort(rng: Rng, app: App): PortRuleModel {
  return ports([rng.chance(0.3) ? app.kind.portName : String(app.kind.port), app.kind.protocol]);
}

/** A selector for a peer app as seen from a policy in `from`: same namespace by app label, else with a namespace key. */
function appSelector(rng: Rng, app: App, from: Namespace): LabelSelectorModel {
  if (app.ns === from) return rng.chance(0.8) ? { matchLabels: { app: app.name } } : { matchLabels: { 'k8s:app': app.name, tier: app.kind.tier } };
  return rng.chance(0.7)
    ? { matchLabels: { [NS_KEY]: app.ns.name, app: app.name } }
    : { matchLabels: { [NS_LABEL('team')]: app.ns.team }, matchExpressions: [{ key: 'app', operator: 'In', values: [app.name] }] };
}

function dnsCompanion(patterns: { matchName?: string; matchPattern?: string }[]): RuleItemModel {
  return { endpoints: [KUBE_DNS], toPorts: [{ ...ports(['53', 'ANY']), rules: { dns: patterns } }] };
}

function appPolicy(rng: Rng, app: App): PolicyDocumentModel {
  const ns = app.ns;
  const ingress: RuleItemModel[] = [];
  const same = app.callers.filter((c) => c.ns === ns);
  const cross = app.callers.filter((c) => c.ns !== ns);
  const portRule = appPort(rng, app);
  const withHttp = (pr: PortRuleModel): PortRuleModel => (app.kind.http && rng.chance(0.35)
    ? { ...pr, rules: { http: rng.pick(HTTP_RULE_SETS).map((r) => ({ ...r })) } } : pr);
  if (same.length > 0) ingress.push({ endpoints: same.map((c) => appSelector(rng, c, ns)), toPorts: [withHttp(portRule)] });
  for (const c of cross) ingress.push({ endpoints: [appSelector(rng, c, ns)], toPorts: [withHttp(portRule)] });
  if (app.kind.tier === 'web') {
    ingress.push(rng.chance(0.5)
      ? { entities: ['world'], toPorts: [ports(['8080', 'TCP'], ['443', 'TCP'])] }
      : { endpoints: [{ matchLabels: { [NS_KEY]: 'ingress-nginx', app: 'ingress-nginx' } }], toPorts: [portRule] });
  }
  if (rng.chance(0.15)) ingress.push({ entities: ['host', 'remote-node', 'health'], toPorts: [ports([String(app.kind.port), app.kind.protocol])] });
  if (rng.chance(0.05)) ingress.push({ endpoints: [{}], icmps: [{ fields: [{ type: 8 }, { family: 'IPv6', type: 'EchoRequest' }] }] });

  const ingressDeny: RuleItemModel[] = [];
  if ((app.kind.tier === 'db' || app.kind.tier === 'cache') && rng.chance(0.4)) {
    ingressDeny.push(rng.chance(0.5)
      ? { endpoints: [{ matchLabels: { [NS_LABEL('env')]: 'dev' } }] }
      : { entities: ['world'], toPorts: [ports(['0', 'ANY'])] });
  }

  const egress: RuleItemModel[] = [];
  for (const d of app.calls) egress.push({ endpoints: [appSelector(rng, d, ns)], toPorts: [ports([String(d.kind.port), d.kind.protocol])] });
  if (app.world) {
    egress.push({
      cidrSet: [{ cidr: '203.0.113.0/24' }, { cidr: '10.0.0.0/8', except: ['10.96.0.0/12', '10.20.128.0/17'] }],
      toPorts: [ports(['443', 'TCP'], ['5432', 'TCP', 5439])],
    });
    if (rng.chance(0.4)) egress.push({ cidr: ['52.0.0.0/8', '198.51.100.0/24'], toPorts: [ports(['30000', 'TCP', 32767]), ports(['443', 'TCP'])] });
  }
  if (app.fqdnGroups.length > 0) {
    const selectors = app.fqdnGroups.map((g) => ({ ...FQDN_GROUPS[g].rule }));
    egress.push({ fqdns: selectors, toPorts: [rng.chance(0.2) ? ports(['443', 'TCP'], ['80', 'TCP']) : ports(['443', 'TCP'])] });
    // The DNS companion, so that the proxy learns the names' IPs (omitted now and then: the namespace's allow-dns may cover it).
    if (rng.chance(0.85)) egress.push(dnsCompanion(selectors));
  }
  if (app.apiserver) egress.push({ entities: ['kube-apiserver'], toPorts: [ports(['443', 'TCP'], ['6443', 'TCP'])] });
  const egressDeny: RuleItemModel[] = rng.chance(0.2) ? [{ cidr: ['169.254.169.254/32'] }] : [];

  const selector: LabelSelectorModel = rng.chance(0.85)
    ? { matchLabels: { app: app.name } }
    : { matchLabels: { app: app.name }, matchExpressions: [{ key: 'version', operator: 'In', values: ['v1', 'v2'] }] };
  const spec: RuleModel = {
    endpointSelector: selector,
    ...(ingress.length > 0 ? { ingress } : {}),
    ...(ingressDeny.length > 0 ? { ingressDeny } : {}),
    ...(egress.length > 0 ? { egress } : {}),
    ...(egressDeny.length > 0 ? { egressDeny } : {}),
    ...(!ns.defaultDeny && rng.chance(0.3) ? { enableDefaultDeny: { egress: false } } : {}),
  };
  return cnp(app.name, ns.name, spec);
}

/** The policies of one namespace, most important first. */
function namespacePolicies(rng: Rng, ns: Namespace): PolicyDocumentModel[] {
  const out: PolicyDocumentModel[] = [];
  if (ns.defaultDeny) out.push(cnp('default-deny', ns.name, { endpointSelector: {}, ingress: [{}], egress: [{}] }));
  if (ns.defaultDeny || rng.chance(0.3)) {
    const patterns = rng.chance(0.75) ? [{ matchPattern: '*' }]
      : [{ matchPattern: '*.svc.cluster.local' }, { matchPattern: '*.example.com' }, { matchPattern: '**.amazonaws.com' }, { matchName: 'api.stripe.com' }];
    out.push(cnp('allow-dns', ns.name, { endpointSelector: {}, egress: [dnsCompanion(patterns)] }));
  }
  const apps = ns.apps.map((a) => appPolicy(rng, a));
  out.push(...apps.slice(0, 3));
  out.push(cnp('allow-monitoring', ns.name, {
    endpointSelector: {},
    ingress: [{ endpoints: [{ matchLabels: { [NS_KEY]: 'monitoring', 'k8s:app': 'prometheus' } }], toPorts: [ports(['metrics', 'TCP'])] }],
  }));
  out.push(...apps.slice(3));
  if (rng.chance(0.15)) out.push(cnp('allow-same-namespace', ns.name, { endpointSelector: {}, ingress: [{ endpoints: [{}] }], egress: [{ endpoints: [{}] }] }));
  return out;
}

const NO_DEFAULT_DENY = { ingress: false, egress: false };

function clusterwidePolicies(count: number): PolicyDocumentModel[] {
  const fixed: PolicyDocumentModel[] = [
    ccnp('kube-dns-ingress', {
      endpointSelector: KUBE_DNS,
      ingress: [{ entities: ['cluster'], toPorts: [ports(['53', 'ANY'])] }],
    }),
    ccnp('deny-metadata', { endpointSelector: {}, egressDeny: [{ cidr: ['169.254.169.254/32'] }], enableDefaultDeny: NO_DEFAULT_DENY }),
    ccnp('allow-health', { endpointSelector: {}, ingress: [{ entities: ['health', 'remote-node'] }], enableDefaultDeny: NO_DEFAULT_DENY }),
    ccnp('dev-cannot-reach-prod', {
      endpointSelector: { matchLabels: { [NS_LABEL('env')]: 'dev' } },
      egressDeny: [{ endpoints: [{ matchLabels: { [NS_LABEL('env')]: 'prod' } }] }],
      enableDefaultDeny: NO_DEFAULT_DENY,
    }),
    ccnp('no-world-to-data', {
      endpointSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['db', 'cache', 'queue'] }] },
      ingressDeny: [{ entities: ['world'] }],
      enableDefaultDeny: NO_DEFAULT_DENY,
    }),
    ccnp('icmp-to-world', {
      endpointSelector: {},
      egress: [{ entities: ['world'], icmps: [{ fields: [{ type: 8 }, { family: 'IPv6', type: 'EchoRequest' }] }] }],
      enableDefaultDeny: NO_DEFAULT_DENY,
    }),
    ccnp('prometheus', {
      endpointSelector: { matchLabels: { [NS_KEY]: 'monitoring', app: 'prometheus' } },
      egress: [{ entities: ['cluster'], toPorts: [ports(['9090', 'TCP'], ['9100', 'TCP', 9110])] }, dnsCompanion([{ matchPattern: '*' }])],
    }),
  ];
  const out = fixed.slice(0, count);
  for (let i = 0; out.length < count; i++) {
    const team = `team-${i % TEAMS}`;
    const teamSelector = (extra: LabelSelectorModel = {}): LabelSelectorModel => ({ ...extra, matchLabels: { [NS_LABEL('team')]: team, ...(extra.matchLabels ?? {}) } });
    switch (Math.floor(i / TEAMS) % 4) {
      case 0:
        out.push(ccnp(`${team}-web-from-world`, {
          endpointSelector: teamSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }),
          ingress: [{ entities: ['world'], toPorts: [ports(['443', 'TCP'], ['8080', 'TCP'])] }],
          enableDefaultDeny: NO_DEFAULT_DENY,
        }));
        break;
      case 1:
        out.push(ccnp(`${team}-partner-deny`, {
          endpointSelector: teamSelector(),
          egressDeny: [{ cidrSet: [{ cidr: '198.51.100.0/24', except: ['198.51.100.0/28'] }], toPorts: [ports(['1', 'TCP', 1023])] }],
          enableDefaultDeny: NO_DEFAULT_DENY,
        }));
        break;
      case 2:
        out.push(ccnp(`${team}-github`, {
          endpointSelector: teamSelector({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['batch', 'backend'] }] }),
          egress: [
            { fqdns: [{ matchName: 'github.com' }, { matchPattern: '*.github.com' }], toPorts: [ports(['443', 'TCP'])] },
            dnsCompanion([{ matchName: 'github.com' }, { matchPattern: '*.github.com' }]),
          ],
          enableDefaultDeny: NO_DEFAULT_DENY,
        }));
        break;
      default:
        out.push(ccnp(`${team}-apiserver`, {
          endpointSelector: teamSelector({ matchLabels: { tier: 'batch' } }),
          egress: [{ entities: ['kube-apiserver'], toPorts: [ports(['443', 'TCP'])] }],
          enableDefaultDeny: NO_DEFAULT_DENY,
        }));
    }
  }
  return out;
}

/** `count` policies: 5% CCNPs, the rest CNPs taken round-robin over the namespaces (each namespace's most important first). */
function generatePolicies(rng: Rng, count: number, namespaces: readonly Namespace[]): PolicyDocumentModel[] {
  const ccnpCount = Math.max(1, Math.round(count * 0.05));
  const perNs = namespaces.map((ns) => namespacePolicies(rng, ns));
  const cnps: PolicyDocumentModel[] = [];
  for (let round = 0; cnps.length < count - ccnpCount; round++) {
    let added = false;
    for (const list of perNs) {
      if (round < list.length && cnps.length < count - ccnpCount) {
        cnps.push(list[round]);
        added = true;
      }
    }
    if (!added) break;
  }
  // Interleave the CCNPs so that rule order is not "all CNPs first".
  const ccnps = clusterwidePolicies(count - cnps.length);
  const out: PolicyDocumentModel[] = [];
  const step = Math.max(1, Math.floor(cnps.length / Math.max(1, ccnps.length)));
  cnps.forEach((d, i) => {
    out.push(d);
    if (i % step === step - 1 && ccnps.length > 0) out.push(ccnps.shift() as PolicyDocumentModel);
  });
  out.push(...ccnps);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// Queries

interface QueryPools {
  readonly namespaces: readonly Namespace[];
  readonly allApps: readonly App[];
  readonly system: SystemPods;
  readonly ips: readonly Endpoint[];
  readonly fqdns: readonly Endpoint[];
  readonly entities: readonly Endpoint[];
}

const CATEGORY_WEIGHTS: readonly (readonly [Category, number])[] = [
  ['pod→pod same ns', 32], ['pod→pod cross ns', 18], ['pod→world (CIDR)', 14], ['pod→fqdn', 14], ['pod→kube-dns (DNS)', 6],
  ['entity→pod', 10], ['pod→entity', 4], ['pod→world (ICMP)', 2],
];

function generateQueries(rng: Rng, count: number, pools: QueryPools): WorkloadQuery[] {
  const withPods = pools.allApps.filter((a) => a.pods.length > 0);
  const podOf = (app: App): Endpoint => rng.pick(app.pods);
  const anyPod = (): Endpoint => podOf(rng.pick(withPods));
  const randomPort = (): { protocol: string; port: number } => {
    const [port, protocol] = rng.pick(RANDOM_PORTS);
    return { port, protocol };
  };
  const toApp = (app: App): { protocol: string; port: number } => (rng.chance(0.9)
    ? { port: app.kind.port, protocol: app.kind.protocol } : randomPort());
  const maybeHttp = (app: App): { http?: HttpRequest } => (app.kind.http && app.kind.protocol === 'TCP' && rng.chance(0.5)
    ? { http: { ...rng.pick(HTTP_REQUESTS) } } : {});
  const fqdnNames = pools.fqdns.map((f) => f.name ?? '');
  const crossEdges = withPods.flatMap((callee) => callee.callers
    .filter((c) => c.ns !== callee.ns && c.pods.length > 0).map((c) => [c, callee] as const));
  const out: WorkloadQuery[] = [];
  while (out.length < count) {
    const category = rng.weighted(CATEGORY_WEIGHTS);
    let query: VerdictQuery | undefined;
    switch (category) {
      case 'pod→pod same ns': {
        const callee = rng.pick(withPods);
        const callers = callee.callers.filter((c) => c.ns === callee.ns && c.pods.length > 0);
        if (callers.length > 0 && rng.chance(0.65)) {
          query = { from: podOf(rng.pick(callers)), to: podOf(callee), ...toApp(callee), ...maybeHttp(callee) };
        } else {
          const peers = callee.ns.apps.filter((a) => a.pods.length > 0);
          query = { from: podOf(rng.pick(peers)), to: podOf(callee), ...(rng.chance(0.5) ? toApp(callee) : randomPort()), ...maybeHttp(callee) };
        }
        break;
      }
      case 'pod→pod cross ns': {
        let from: Endpoint;
        let callee: App;
        if (crossEdges.length > 0 && rng.chance(0.55)) {
          const [caller, target] = rng.pick(crossEdges);
          from = podOf(caller);
          callee = target;
        } else {
          callee = rng.pick(withPods);
          from = anyPod();
          if (from.namespace === callee.ns.name) {
            // Same namespace by chance: a platform pod (Prometheus scraping, the ingress controller) instead.
            from = rng.pick(pools.system.prometheus.length > 0 && rng.chance(0.3) ? pools.system.prometheus : pools.system.ingress);
          }
        }
        const port = from.labels?.app === 'prometheus' ? { port: 9090, protocol: 'TCP' } : toApp(callee);
        query = { from, to: podOf(callee), ...port, ...maybeHttp(callee) };
        break;
      }
      case 'pod→world (CIDR)': {
        const worldApps = withPods.filter((a) => a.world);
        const from = worldApps.length > 0 && rng.chance(0.6) ? podOf(rng.pick(worldApps)) : anyPod();
        const port = rng.weighted<readonly [number, string]>([[[443, 'TCP'], 5], [[80, 'TCP'], 2], [[5432, 'TCP'], 1], [[30080, 'TCP'], 1], [[22, 'TCP'], 1], [[123, 'UDP'], 1]]);
        query = { from, to: rng.pick(pools.ips), port: port[0], protocol: port[1] };
        break;
      }
      case 'pod→fqdn': {
        const fqdnApps = withPods.filter((a) => a.fqdnGroups.length > 0);
        let from: Endpoint;
        let to: Endpoint;
        if (fqdnApps.length > 0 && rng.chance(0.6)) {
          const app = rng.pick(fqdnApps);
          from = podOf(app);
          const g = rng.pick(app.fqdnGroups);
          const candidates = pools.fqdns.filter((f) => matchesGroup(g, f.name ?? ''));
          to = candidates.length > 0 ? rng.pick(candidates) : rng.pick(pools.fqdns);
        } else {
          from = anyPod();
          to = rng.pick(pools.fqdns);
        }
        query = { from, to, protocol: 'TCP', port: rng.chance(0.85) ? 443 : 80 };
        break;
      }
      case 'pod→kube-dns (DNS)': {
        const from = anyPod();
        const name = rng.chance(0.6) && fqdnNames.length > 0 ? rng.pick(fqdnNames)
          : rng.chance(0.5) ? `${rng.pick(pools.allApps).name}.${rng.pick(pools.namespaces).name}.svc.cluster.local` : `host${rng.int(50)}.unknown.org`;
        query = { from, to: rng.pick(pools.system.dns), protocol: rng.chance(0.85) ? 'UDP' : 'TCP', port: 53, dns: name };
        break;
      }
      case 'entity→pod': {
        const entity = rng.weighted<string>([['world', 35], ['host', 15], ['remote-node', 15], ['health', 10], ['ingress', 10], ['kube-apiserver', 10], ['unmanaged', 5]]);
        const from = pools.entities.find((e) => e.entity === entity) as Endpoint;
        const web = withPods.filter((a) => a.kind.tier === 'web');
        const callee = entity === 'world' && web.length > 0 && rng.chance(0.6) ? rng.pick(web) : rng.pick(withPods);
        const port = entity === 'world' && rng.chance(0.3) ? { port: 443, protocol: 'TCP' } : entity === 'health' ? { port: 4240, protocol: 'TCP' } : toApp(callee);
        query = { from, to: podOf(callee), ...port, ...(port.port === callee.kind.port ? maybeHttp(callee) : {}) };
        break;
      }
      case 'pod→entity': {
        const entity = rng.weighted<string>([['kube-apiserver', 5], ['world', 2], ['host', 2], ['remote-node', 1]]);
        const batch = withPods.filter((a) => a.apiserver);
        const from = entity === 'kube-apiserver' && batch.length > 0 && rng.chance(0.6) ? podOf(rng.pick(batch)) : anyPod();
        const port = entity === 'kube-apiserver' ? 443 : entity === 'world' ? 443 : 10250;
        query = { from, to: pools.entities.find((e) => e.entity === entity) as Endpoint, protocol: 'TCP', port };
        break;
      }
      case 'pod→world (ICMP)':
        query = { from: anyPod(), to: rng.pick(pools.ips), protocol: 'ICMP', icmpType: 8 };
        break;
    }
    if (query) out.push({ category, query });
  }
  return out;
}

/** The groups' selectors as regular expressions, to pick DNS names a policy selects (`**.` is one or more labels). */
const GROUP_PATTERNS = FQDN_GROUPS.map((g) => {
  const p = g.rule.matchName ?? g.rule.matchPattern ?? '';
  return new RegExp(`^${p.replace(/\./g, '\\.').replace(/^\*\*\\\./, '(?:[^.]+\\.)+').replace(/\*/g, '[^.]*')}$`);
});

function matchesGroup(g: number, name: string): boolean {
  return GROUP_PATTERNS[g].test(name);
}
