/**
 * Layer 4: pitfalls. Policies that the API server and the agent both accept, but that do not do what they seem to —
 * judged over a whole set of manifests, because most of them depend on the other policies (is there a DNS rule for
 * these pods anywhere?) and on the workloads, Services, Namespaces and NetworkPolicies beside them.
 *
 * "The same pods": when the input has workloads in the namespaces a selector can select, selectors are matched against
 * their pod labels (with Cilium's namespace, service-account and namespace labels). Otherwise the question is answered from
 * the selectors alone — every pod one selects is selected by the other (implication), or some pod may be selected by both
 * (overlap) — and the message says so. Raw `api.Rule` lists are not judged here.
 *
 * The catalogue ("fires on" as in `index.ts`; `1.20-dev` is the target `1.20`, Cilium's main branch):
 *
 * | id | layer | severity | fires on | what |
 * |---|---|---|---|---|
 * | `pitfall-fqdn-without-dns` | pitfall | warning | all | toFQDNs for pods that no policy in the input gives an L7 DNS rule, so no address is ever learned |
 * | `pitfall-fqdn-not-in-dns-rules` | pitfall | warning | all | a toFQDNs name that the DNS rules of the same pods do not allow looking up |
 * | `pitfall-default-deny-without-dns` | pitfall | error | all | egress default deny for pods that no policy in the input allows DNS (53/UDP and 53/TCP) |
 * | `pitfall-deny-only-default-deny` | pitfall | warning | all | a direction with only deny rules: it puts its endpoints into default deny and drops everything else |
 * | `pitfall-ccnp-peer-namespace` | pitfall | warning | all | a clusterwide fromEndpoints/toEndpoints selector without a namespace: it matches in every namespace |
 * | `pitfall-service-port` | pitfall | error | all | a Service port where Cilium matches the container (target) port |
 * | `pitfall-services-with-ports` | pitfall | warning | 1.17+ | toServices with toPorts for a Service not in the input: the ports must be its target ports |
 * | `pitfall-kube-apiserver-service` | pitfall | error | all | toServices to default/kubernetes instead of the kube-apiserver entity |
 * | `pitfall-selector-matches-nothing` | pitfall | warning | all | an endpoint selector that matches none of the workloads in the input |
 * | `pitfall-host-network-pods` | pitfall | warning | all | pods on the host network (`hostNetwork: true`) selected by pod labels: Cilium does not manage them, their traffic is the node's |
 * | `pitfall-network-policy-overlap` | pitfall | warning | all | a Kubernetes NetworkPolicy and a Cilium policy select the same pods (their allows add up) |
 * | `pitfall-host-lockout` | pitfall | warning | all | a host policy in default deny without the paths nodes need (kubelet, health, tunnel, API server) |
 * | `pitfall-kafka-removed` | pitfall | error | 1.20-dev | kafka or l7proto rules (removed in Cilium 1.20) |
 * | `pitfall-broad-peer` | pitfall | warning | all | an allow rule open to every address (`0.0.0.0/0`, `::/0`) or every name (toFQDNs `*`) |
 * | `pitfall-cidr-host-bits` | pitfall | warning | all | a CIDR with host bits set (`10.1.2.3/8`): Cilium masks it to the whole network |
 * | `pitfall-ccnp-select-all-default-deny` | pitfall | warning | all | a clusterwide rule with `endpointSelector: {}` in default deny: every endpoint of the cluster, kube-system included |
 * | `pitfall-dns-rules-widened` | pitfall | error | all | a DNS rule restricting lookups, cancelled by another policy's DNS `*` for the same pods, server and port (Cilium ORs them) |
 *
 * Pitfalls of the issue list that a per-policy layer already reports, with that layer's id: an empty list meant as default
 * deny (`sanitize-empty-section`), a namespace in a CNP `endpointSelector` (`sanitize-cnp-subject-namespace`), L7 rules on
 * non-TCP ports or port 0 (`sanitize-l7-protocol`, `sanitize-l7-port-zero`), removed and deprecated fields
 * (`version-requires-removed`, `version-requires-deprecated`, `version-kafka-deprecated`; `world-ipv4`/`world-ipv6`:
 * `crd-entity`), fields newer than the target (`version-…`), leading-zero ports (`sanitize-port-octal`,
 * `parse-yaml11-ambiguous`), `toServices` with `toPorts` on 1.14-1.16 (`sanitize-services-with-ports`).
 *
 * @module
 */
import { Diagnostic } from '../core/errors';
import { compileFqdnSelector } from '../model/fqdn-pattern';
import { Selector } from '../model/labels';
import { CiliumVersion } from '../core/cilium-version';
import { parseCidr, parseIp } from '../model/cidr';
import { namedTargetPorts, serviceBackends } from '../model/manifests';
import {
  FqdnSelectorModel,
  LabelSelectorModel,
  PEER_FIELDS,
  PolicyDocumentModel,
  PolicyKind,
  PortProtocolModel,
  PortRuleModel,
  RuleItemModel,
  RuleModel,
  SECTIONS,
  SectionName,
  documentRules,
  sectionDirection,
} from '../model/policy-model';
import { checkInfo } from './catalogue';
import { InventoryNetworkPolicy, InventoryPodTemplate, InventoryServiceInfo, InventorySource, ManifestInventory } from './inventory';
import {
  constrainsNamespace,
  describeSelector,
  fromModel,
  implies,
  mayOverlap,
  NAMESPACE_KEY,
  namespacesOf,
  networkPolicySelector,
  peerSelector,
  selectsLabels,
  selectsReserved,
  selectsWorkload,
  subjectSelector,
} from './pod-selectors';
import { readPort } from './syntax';
import { AGENT_SINCE } from './tables';

/** One policy of the set. */
export interface PitfallDocument {
  /** The policy. */
  readonly model: PolicyDocumentModel;
  /** The Cilium version it is written for. */
  readonly version: CiliumVersion;
  /**
   * Where it is, for messages about it in findings on other policies (`dns.yaml:3`, a construct path).
   * @default - none
   */
  readonly where?: string;
}

/** Options of `checkPitfalls`. */
export interface PitfallOptions {
  /**
   * The target is Cilium 1.20 (`main`), where kafka and l7proto rules were removed.
   * @default false
   */
  readonly kafkaRemoved?: boolean;
}

/** A pitfall finding: a diagnostic on one document of the set, or on a Kubernetes NetworkPolicy of the inventory. */
export interface PitfallFinding extends Diagnostic {
  /** Index of the document (in the list given to `checkPitfalls`) that `path` belongs to; -1 for a NetworkPolicy finding. */
  readonly document: number;
  /**
   * The NetworkPolicy of the inventory the finding is about (`path` is then a path in it, such as `spec.policyTypes`).
   * @default - the finding is about `document`
   */
  readonly networkPolicy?: InventoryNetworkPolicy;
}

/**
 * Checks a set of policies, together with the workloads, Services, Namespaces and NetworkPolicies beside them, for the
 * pitfalls of the catalogue above. Findings are in document order, then rule order.
 */
export function checkPitfalls(documents: readonly PitfallDocument[], inventory: ManifestInventory, options: PitfallOptions = {}): PitfallFinding[] {
  return new Pitfalls(documents, inventory, options).run();
}

/** One rule (`spec` or `specs[i]`) of a document, with its subject worked out. */
interface RuleView {
  readonly doc: number;
  readonly kind: PolicyKind;
  /** The namespace of a CNP (`default` when unset); `''` for a CCNP. */
  readonly namespace: string;
  readonly rule: RuleModel;
  readonly path: string;
  readonly version: CiliumVersion;
  readonly host: boolean;
  readonly subject: Selector | undefined;
  /** The workloads of the input whose pods the subject selects, when the input can tell. */
  readonly pods: readonly InventoryPodTemplate[] | undefined;
  /** `CiliumNetworkPolicy shop/web` (+ ` specs[1]`) (+ ` (file:line)`). */
  readonly name: string;
  /** For the rule Cilium makes of a Kubernetes NetworkPolicy: that NetworkPolicy. */
  readonly np?: InventoryNetworkPolicy;
}

/** Positions in a list of rules: those whose subject requires no pod namespace, and those that do, by namespace. */
interface ProviderIndex {
  readonly anyNamespace: number[];
  readonly byNamespace: Map<string, number[]>;
}

/** A requirement `k8s:io.kubernetes.pod.namespace In (values)`. */
function isNamespaceIn(q: { readonly source: string; readonly key: string; readonly operator: string }): boolean {
  return q.source === 'k8s' && q.key === NAMESPACE_KEY && q.operator === 'In';
}

/** Whether a set of rules covers the pods of a rule, and how that was judged. */
interface Coverage {
  readonly covered: boolean;
  /** The workloads not covered (judged on workloads). */
  readonly missing: readonly InventoryPodTemplate[];
  /** Judged from the selectors alone. */
  readonly assumed: boolean;
  /** A rule that may cover some of the pods but not provably all (judged from selectors). */
  readonly partial?: RuleView;
}

/** The cluster DNS pods, for "could this peer be the DNS server". */
const KUBE_DNS = fromModel({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } });

/** Entities that can hold a DNS server (cluster DNS, node-local DNS, an upstream resolver). */
const DNS_ENTITIES = ['all', 'cluster', 'world', 'host', 'remote-node'];

/** Container port names of DNS servers. */
const DNS_PORT_NAMES = ['dns', 'domain', 'dns-udp'];

/** What kind of peer a rule item names, for the host lockout paths. */
type PeerClass = 'any' | 'pods' | 'node' | 'apiserver' | 'health' | 'world';

/** A path the nodes of a host policy need. */
interface GuardPath {
  readonly what: string;
  readonly direction: 'ingress' | 'egress';
  /** Alternatives: any one of these ports will do. */
  readonly ports: readonly { readonly port: number; readonly protocol: string }[];
  readonly peers: readonly PeerClass[];
  /** Only for nodes that may be control-plane nodes. */
  readonly controlPlane?: boolean;
}

const GUARD_PATHS: readonly GuardPath[] = [
  { what: 'kubelet (10250/TCP from the API server)', direction: 'ingress', ports: [{ port: 10250, protocol: 'TCP' }], peers: ['any', 'apiserver', 'node'] },
  { what: 'Cilium health (4240/TCP from other nodes)', direction: 'ingress', ports: [{ port: 4240, protocol: 'TCP' }], peers: ['any', 'node', 'health'] },
  {
    what: 'the tunnel (VXLAN 8472/UDP or Geneve 6081/UDP from other nodes; not needed with native routing)', direction: 'ingress',
    ports: [{ port: 8472, protocol: 'UDP' }, { port: 6081, protocol: 'UDP' }], peers: ['any', 'node'],
  },
  {
    what: 'kube-apiserver (6443/TCP) on control-plane nodes', direction: 'ingress', ports: [{ port: 6443, protocol: 'TCP' }],
    peers: ['any', 'pods', 'node', 'apiserver', 'health', 'world'], controlPlane: true,
  },
  {
    what: 'the API server (6443/TCP or 443/TCP, for the kubelet)', direction: 'egress', ports: [{ port: 6443, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }],
    peers: ['any', 'apiserver', 'node', 'world'],
  },
  { what: 'Cilium health (4240/TCP to other nodes)', direction: 'egress', ports: [{ port: 4240, protocol: 'TCP' }], peers: ['any', 'node', 'health'] },
  {
    what: 'the tunnel (VXLAN 8472/UDP or Geneve 6081/UDP to other nodes; not needed with native routing)', direction: 'egress',
    ports: [{ port: 8472, protocol: 'UDP' }, { port: 6081, protocol: 'UDP' }], peers: ['any', 'node'],
  },
];

class Pitfalls {
  private readonly out: PitfallFinding[] = [];
  private readonly rules: RuleView[] = [];
  /** Rules already reported for toFQDNs without DNS (the default-deny DNS finding would repeat it). */
  private readonly fqdnFlagged = new Set<RuleView>();
  private cachedDnsRules?: readonly RuleView[];
  private readonly cachedDns = new Map<'UDP' | 'TCP', readonly RuleView[]>();
  private cachedNpViews?: RuleView[];
  /** Positions in a list of providers (see `implicationCandidates`), by the pod namespace their subjects require. */
  private readonly providerIndexes = new WeakMap<readonly RuleView[], ProviderIndex>();
  /** Keys of `seen`. */
  private readonly seenKeys = new Set<string>();
  /** `where` of each document. */
  private readonly where: (string | undefined)[];

  constructor(
    documents: readonly PitfallDocument[],
    private readonly inventory: ManifestInventory,
    private readonly options: PitfallOptions,
  ) {
    this.where = documents.map((d) => d.where);
    documents.forEach((d, doc) => {
      const model = d.model;
      if (model.kind !== 'CiliumNetworkPolicy' && model.kind !== 'CiliumClusterwideNetworkPolicy') return;
      const cnp = model.kind === 'CiliumNetworkPolicy';
      const namespace = cnp ? (typeof model.metadata?.namespace === 'string' && model.metadata.namespace !== '' ? model.metadata.namespace : 'default') : '';
      const policyName = `${model.kind} ${cnp ? `${namespace}/` : ''}${model.metadata?.name ?? ''}`;
      const rules = documentRules(model);
      for (const { rule, path } of rules) {
        if (!isObject(rule)) continue;
        const host = !isObject(rule.endpointSelector) && isObject(rule.nodeSelector);
        const subject = subjectSelector(model.kind, namespace, rule);
        const pods = !host && subject ? this.podsOf(subject) : undefined;
        const name = `${policyName}${rules.length > 1 || path !== 'spec' ? ` ${path}` : ''}${d.where ? ` (${d.where})` : ''}`;
        this.rules.push({ doc, kind: model.kind, namespace, rule, path, version: d.version, host, subject, pods, name });
      }
    });
  }

  /**
   * The Kubernetes NetworkPolicies of the input as Cilium rules (as the agent translates them): they count as DNS
   * providers (an NP that allows DNS keeps pods' lookups working), and an NP that is itself an egress default deny is
   * checked for DNS like a Cilium rule.
   */
  private networkPolicyViews(): RuleView[] {
    this.cachedNpViews ??= this.inventory.networkPolicies.flatMap((np) => {
      if (!np.rule) return [];
      const subject = subjectSelector('CiliumNetworkPolicy', np.namespace, np.rule);
      return [{
        doc: -1, kind: 'CiliumNetworkPolicy' as const, namespace: np.namespace, rule: np.rule, path: 'spec', version: CiliumVersion.DEFAULT, host: false,
        subject, pods: subject ? this.podsOf(subject) : undefined, name: `NetworkPolicy ${np.namespace}/${np.name}${where(np.source)}`, np,
      }];
    });
    return this.cachedNpViews;
  }

  public run(): PitfallFinding[] {
    for (const r of this.rules) {
      this.fqdnWithoutDns(r);
      this.ccnpPeerNamespace(r);
      this.servicePorts(r);
      this.selectorsMatchingNothing(r);
      this.hostNetworkPods(r);
      this.itemChecks(r);
      this.broadPeers(r);
      this.clusterwideSelectAll(r);
    }
    for (const r of this.rules) {
      this.dnsRulesWidened(r);
      this.defaultDenyWithoutDns(r);
      this.denyOnly(r);
      this.hostLockout(r);
      this.networkPolicyOverlap(r);
    }
    for (const r of this.networkPolicyViews()) this.defaultDenyWithoutDns(r);
    const order = new Map(this.rules.map((r, i) => [`${r.doc}/${r.path}`, i]));
    const rank = (f: PitfallFinding): number => order.get(`${f.document}/${(f.path ?? '').split('.')[0]}`) ?? 0;
    return this.out.map((f, i) => ({ f, i })).sort((a, b) => a.f.document - b.f.document || rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
  }

  // ----------------------------------------------------------------------------------------------------------------
  // The checks

  /** `toFQDNs` needs an L7 DNS rule for the same pods, and that rule must allow looking the names up. */
  private fqdnWithoutDns(r: RuleView): void {
    if (r.host) return;
    const fqdnItems = items(r.rule, 'egress').filter(({ item }) => arr(item.fqdns).length > 0);
    if (fqdnItems.length === 0) return;
    const providers = this.dnsRuleProviders();
    const cov = this.coverage(r, providers);
    if (!cov.covered) {
      this.fqdnFlagged.add(r);
      if (this.seen('pitfall-fqdn-without-dns', r)) return;
      const first = fqdnItems[0];
      this.report('pitfall-fqdn-without-dns', r, `${r.path}.egress[${first.index}].toFQDNs`,
        `no policy in the input gives ${this.who(r, cov)} an L7 DNS rule (toPorts rules.dns), so Cilium's DNS proxy never sees their lookups and ` +
        `toFQDNs learns no address: it allows nothing${this.assumption(cov)}`,
        'allow egress for the same pods to kube-dns (k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns) on 53/UDP and 53/TCP with ' +
        'rules: {dns: [{matchPattern: "*"}]} (or the names used here); if a policy outside the input does this, ignore this warning');
      return;
    }
    const covering = providers.filter((c) => this.covers(c, r));
    const dns = covering.flatMap((c) => dnsSelectors(c.rule));
    if (dns.length === 0) return;
    const subdomainWildcard = r.version.atLeast(AGENT_SINCE.fqdnDoubleStar);
    const matchers = dns.map((s) => dnsMatcher(s, subdomainWildcard));
    const same = (a: FqdnSelectorModel, b: FqdnSelectorModel): boolean =>
      (typeof a.matchName === 'string' && a.matchName.toLowerCase() === b.matchName?.toLowerCase())
      || (typeof a.matchPattern === 'string' && a.matchPattern.toLowerCase() === b.matchPattern?.toLowerCase());
    for (const { item, index } of fqdnItems) {
      arr<FqdnSelectorModel>(item.fqdns).forEach((sel, j) => {
        if (!isObject(sel) || dns.some((d) => same(sel, d))) return;
        const sample = sampleName(sel, subdomainWildcard);
        if (sample === undefined || matchers.some((m) => m(sample))) return;
        const field = typeof sel.matchName === 'string' ? 'matchName' : 'matchPattern';
        const value = String(sel[field]);
        this.report('pitfall-fqdn-not-in-dns-rules', r, `${r.path}.egress[${index}].toFQDNs[${j}].${field}`,
          `the DNS rules of these pods (${covering.map((c) => c.name).join(', ')}) do not allow looking up ${JSON.stringify(value)}: the DNS proxy refuses ` +
          `the lookup, so toFQDNs ${field} ${JSON.stringify(value)} never learns an address`,
          `add {${field}: ${JSON.stringify(value)}} (or a pattern covering it) to the rules.dns list of the DNS rule`);
      });
    }
  }

  /** Egress default deny without any DNS for the same pods. */
  private defaultDenyWithoutDns(r: RuleView): void {
    if (r.host || this.fqdnFlagged.has(r) || !this.defaultDeny(r, 'egress') || arr(r.rule.egress).length === 0) return;
    if (r.subject && selectsReserved(r.subject)) return; // Cilium's own endpoints (health, ingress, init) do not resolve names
    const udp = this.coverage(r, this.dnsProviders('UDP'));
    const tcp = this.coverage(r, this.dnsProviders('TCP'));
    if ((udp.covered && tcp.covered) || this.seen('pitfall-default-deny-without-dns', r)) return;
    const cov = udp.covered ? tcp : udp;
    const missing = !udp.covered && !tcp.covered ? '53/UDP and 53/TCP' : udp.covered ? '53/TCP' : '53/UDP';
    const effect = !udp.covered ? 'every name lookup of these pods fails' : 'lookups whose answers do not fit in UDP (truncated, retried over TCP) fail';
    const problem = `puts ${this.who(r, cov)} into egress default deny, and no policy in the input allows them DNS on ${missing} (to kube-dns or another ` +
      `resolver): ${effect}${this.assumption(cov)}`;
    if (r.np) {
      // Cilium's translation of an Egress policyType without egress rules is the `egress: [{}]` deny-all.
      const denyAll = arr(r.rule.egress).length === 1 && Object.keys(arr<RuleItemModel>(r.rule.egress)[0] ?? {}).length === 0;
      this.report('pitfall-default-deny-without-dns', r, denyAll ? 'spec.policyTypes' : 'spec.egress',
        `this NetworkPolicy (policyTypes: Egress) ${problem}`,
        'add an egress rule to kube-dns: {to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: ' +
        '{matchLabels: {k8s-app: kube-dns}}}], ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}, in this or another policy for the same pods');
      return;
    }
    this.report('pitfall-default-deny-without-dns', r, `${r.path}.egress`, `this rule ${problem}`,
      'allow egress for the same pods to kube-dns (k8s:io.kubernetes.pod.namespace: kube-system, k8s:k8s-app: kube-dns) on 53/UDP and 53/TCP, ' +
      'ideally with rules: {dns: [{matchPattern: "*"}]}; or, if egress is not meant to be restricted, set enableDefaultDeny: {egress: false} (1.16+)');
  }

  /** A direction with only deny rules still puts the endpoints into default deny for it. */
  private denyOnly(r: RuleView): void {
    for (const direction of ['ingress', 'egress'] as const) {
      const deny: SectionName = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
      if (arr(r.rule[deny]).length === 0 || arr(r.rule[direction]).length > 0 || !this.defaultDeny(r, direction)) continue;
      const providers = this.rules.filter((c) => c !== r && c.host === r.host && arr(c.rule[direction]).length > 0 && this.defaultDeny(c, direction));
      const cov = this.coverage(r, providers);
      if (cov.covered) continue;
      const all = direction === 'ingress' ? 'fromEntities' : 'toEntities';
      this.report('pitfall-deny-only-default-deny', r, `${r.path}.${deny}`,
        `this rule has only ${deny} rules for ${direction}, yet it puts ${r.host ? 'the nodes it selects' : this.who(r, cov)} into ${direction} default deny: ` +
        `all ${direction} traffic that no other policy allows is dropped, not only what is denied${this.assumption(cov)}`,
        r.version.atLeast(CiliumVersion.V1_16)
          ? `add enableDefaultDeny: {${direction}: false} to the rule so that only the denied traffic is dropped`
          : `add an ${direction} rule allowing everything else (${all}: [all]); deny rules still win over it`);
    }
  }

  /** A CCNP peer selector without a namespace matches those labels in every namespace. */
  private ccnpPeerNamespace(r: RuleView): void {
    if (r.kind !== 'CiliumClusterwideNetworkPolicy') return;
    for (const section of SECTIONS) {
      for (const { item, index } of items(r.rule, section)) {
        const wire = PEER_FIELDS.endpoints[sectionDirection(section)] ?? 'fromEndpoints';
        arr<LabelSelectorModel>(item.endpoints).forEach((model, j) => {
          if (!isObject(model)) return;
          const sel = fromModel(model);
          if (sel.requirements.length === 0 || selectsReserved(sel) || constrainsNamespace(sel)) return;
          this.report('pitfall-ccnp-peer-namespace', r, `${r.path}.${section}[${index}].${wire}[${j}]`,
            `${wire} ${describeSelector(model)} in a clusterwide policy names no namespace, so it matches pods with these labels in every namespace`,
            'add k8s:io.kubernetes.pod.namespace: <namespace> to the selector; if every namespace is meant, say so with ' +
            'matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: Exists}]');
        });
      }
    }
  }

  /** A Service port where Cilium matches the port the pod receives (the target port). */
  private servicePorts(r: RuleView): void {
    if (r.host || this.inventory.services.length === 0) return;
    for (const section of SECTIONS) {
      const direction = sectionDirection(section);
      for (const { item, index } of items(r.rule, section)) {
        if (arr(item.toPorts).length === 0) continue;
        const backends: { svc: InventoryServiceInfo; pods?: readonly InventoryPodTemplate[] }[] = [];
        if (direction === 'ingress') {
          if (r.subject) backends.push(...this.servicesSelectedBy(r.subject));
        } else {
          for (const model of arr<LabelSelectorModel>(item.endpoints)) {
            if (isObject(model)) backends.push(...this.servicesSelectedBy(peerSelector(r.kind, r.namespace, r.subject, model)));
          }
          for (const ref of arr<unknown>(item.services)) backends.push(...this.servicesReferenced(ref, r));
        }
        if (backends.length === 0) continue;
        arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
          arr<PortProtocolModel>(isObject(pr) ? pr.ports : undefined).forEach((p, j) => {
            if (!isObject(p) || typeof p.port !== 'string') return;
            const protocol = typeof p.protocol === 'string' ? p.protocol : undefined;
            const reading = readPort(p.port);
            if (reading.kind !== 'number' || reading.base !== 10 || reading.value === 0) return;
            const finding = this.servicePortFinding(reading.value, protocol, backends);
            if (!finding) return;
            this.report('pitfall-service-port', r, `${r.path}.${section}[${index}].toPorts[${k}].ports[${j}].port`, finding.message, finding.fix);
          });
        });
      }
    }
  }

  private servicePortFinding(
    port: number, protocol: string | undefined, backends: readonly { svc: InventoryServiceInfo; pods?: readonly InventoryPodTemplate[] }[],
  ): { message: string; fix: string } | undefined {
    for (const { svc, pods } of backends) {
      const targets = svc.ports.map((sp) => ({ sp, target: resolveTarget(sp.targetPort, pods) }));
      if (targets.some(({ target }) => target === port)) continue;
      if (pods?.some((w) => w.ports.some((cp) => cp.port === port))) continue;
      const hit = targets.find(({ sp }) => sp.port === port && protocolsMeet(sp.protocol, protocol));
      if (!hit) continue;
      const target = typeof hit.target === 'number' ? `target port ${hit.target}` : `the container port named ${JSON.stringify(hit.target)}`;
      return {
        message: `port ${port} is the port of Service ${svc.namespace}/${svc.name}${where(svc.source)}, which sends to ${target}: Cilium enforces after the ` +
          `Service is translated, so traffic through the Service arrives on the target port and this rule never matches it`,
        fix: typeof hit.target === 'number'
          ? `write the target (container) port: port: "${hit.target}"`
          : `write the container port the Service targets: port: "${hit.target}" (a named port) or its number`,
      };
    }
    return undefined;
  }

  /**
   * Deliberately broad peers, worth a second look in review: every IPv4/IPv6 address (`0.0.0.0/0`, `::/0`) or every
   * name (`matchPattern: "*"`) in an allow rule, and CIDRs with host bits set (Cilium masks them, so `10.1.2.3/8` is
   * all of `10.0.0.0/8`: the author meant one or the other).
   */
  private broadPeers(r: RuleView): void {
    for (const section of SECTIONS) {
      const direction = sectionDirection(section);
      const allow = section === 'ingress' || section === 'egress';
      for (const { item, index } of items(r.rule, section)) {
        const cidrs: { text: string; path: string }[] = [];
        const cidrField = PEER_FIELDS.cidr[direction] ?? 'toCIDR';
        const setField = PEER_FIELDS.cidrSet[direction] ?? 'toCIDRSet';
        arr<unknown>(item.cidr).forEach((c, j) => { if (typeof c === 'string') cidrs.push({ text: c, path: `${r.path}.${section}[${index}].${cidrField}[${j}]` }); });
        arr<unknown>(item.cidrSet).forEach((c, j) => {
          if (!isObject(c)) return;
          if (typeof c.cidr === 'string') cidrs.push({ text: c.cidr, path: `${r.path}.${section}[${index}].${setField}[${j}].cidr` });
          arr<unknown>(c.except).forEach((e, k) => { if (typeof e === 'string') cidrs.push({ text: e, path: `${r.path}.${section}[${index}].${setField}[${j}].except[${k}]` }); });
        });
        for (const { text, path } of cidrs) {
          const parsed = parseCidr(text);
          if (!parsed) continue;
          const slash = text.indexOf('/');
          const address = parseIp(slash < 0 ? text : text.slice(0, slash));
          if (address && address.value !== parsed.network) {
            const host = `${text.slice(0, slash)}/${parsed.family === 4 ? 32 : 128}`;
            this.report('pitfall-cidr-host-bits', r, path,
              `${text} has host bits set: Cilium masks it to ${formatNetwork(parsed)}, the whole /${parsed.prefix}, not the one address ${text.slice(0, slash)}`,
              `write ${host} for the one address, or ${formatNetwork(parsed)} for the network`);
          }
          if (allow && parsed.prefix === 0 && !path.includes('.except[')) {
            const holes = /\.cidr$/.test(path) ? arr<unknown>(arr<Record<string, unknown>>(item.cidrSet).find((c) => isObject(c) && c.cidr === text)?.except).length : 0;
            this.report('pitfall-broad-peer', r, path,
              `${text} is every ${parsed.family === 4 ? 'IPv4' : 'IPv6'} address outside the cluster (the world)`
              + `${holes ? `, less the ${holes} except range${holes === 1 ? '' : 's'}` : ''}: this ${direction} rule is open to the whole internet`,
              holes
                ? 'narrow it to the ranges meant (keep the except ranges: a world entity would drop them)'
                : `narrow it to the ranges meant; if the world is meant, say so with ${direction === 'ingress' ? 'fromEntities' : 'toEntities'}: [world] so reviewers see it`);
          }
        }
        if (section !== 'egress') continue;
        arr<FqdnSelectorModel>(item.fqdns).forEach((f, j) => {
          if (!isObject(f) || typeof f.matchPattern !== 'string' || !matchesEveryName(f.matchPattern)) return;
          this.report('pitfall-broad-peer', r, `${r.path}.egress[${index}].toFQDNs[${j}].matchPattern`,
            `toFQDNs matchPattern ${JSON.stringify(f.matchPattern)} matches every DNS name: these pods may reach any address they can resolve, which `
            + 'is egress to the whole internet on these ports',
            'list the names or patterns meant (e.g. "*.github.com"); if any destination is meant, say so with toEntities: [world]');
        });
      }
    }
  }

  /** Whether two DNS items of two rules may name the same DNS server: either any peer, overlapping pod selectors or entities. */
  private sameDnsPeer(r: RuleView, a: RuleItemModel, c: RuleView, b: RuleItemModel): boolean {
    const l3 = (i: RuleItemModel): boolean => (['endpoints', 'cidr', 'cidrSet', 'entities', 'nodes', 'services', 'fqdns', 'groups'] as const).some((f) => i[f] !== undefined);
    if (!l3(a) || !l3(b)) return true;
    const wide = (i: RuleItemModel): boolean => arr<string>(i.entities).some((e) => e === 'all' || e === 'cluster');
    const pods = (i: RuleItemModel): boolean => arr(i.endpoints).length > 0;
    if ((wide(a) && (pods(b) || wide(b))) || (wide(b) && pods(a))) return true;
    if (arr<string>(a.entities).some((e) => arr<string>(b.entities).includes(e))) return true;
    if (pods(a) && pods(b)) {
      const sa = arr<LabelSelectorModel>(a.endpoints).filter(isObject).map((m) => peerSelector(r.kind, r.namespace, r.subject, m));
      const sb = arr<LabelSelectorModel>(b.endpoints).filter(isObject).map((m) => peerSelector(c.kind, c.namespace, c.subject, m));
      return sa.some((x) => sb.some((y) => mayOverlap(x, y)));
    }
    const other = (i: RuleItemModel): string => JSON.stringify((['cidr', 'cidrSet', 'nodes', 'services'] as const).map((f) => i[f] ?? null));
    return other(a) === other(b);
  }

  /** A clusterwide rule with an empty endpoint selector in default deny: every endpoint of the cluster, kube-system and Cilium's own included. */
  private clusterwideSelectAll(r: RuleView): void {
    if (r.kind !== 'CiliumClusterwideNetworkPolicy' || r.host || !isObject(r.rule.endpointSelector)) return;
    const subject = r.subject;
    if (subject === undefined) return;
    const all = subject.requirements.length === 0;
    // Only namespace constraints (Exists, NotIn a list without kube-system): every pod of kube-system is selected too.
    const kubeSystem = !all && subject.requirements.every((q) => q.key === NAMESPACE_KEY) && selectsLabels(subject, 'kube-system', {});
    if (!all && !kubeSystem) return;
    const directions = (['ingress', 'egress'] as const).filter((d) => this.defaultDeny(r, d));
    if (directions.length === 0) return;
    this.report('pitfall-ccnp-select-all-default-deny', r, `${r.path}.endpointSelector`,
      `${all ? 'endpointSelector {} in a clusterwide policy selects every endpoint of the cluster, kube-system, DNS and Cilium\'s own endpoints included'
        : `endpointSelector ${describeSelector(r.rule.endpointSelector)} in a clusterwide policy selects every pod of kube-system (DNS included) and of every other namespace it does not exclude`}, and `
      + `this rule puts all of them into ${directions.join(' and ')} default deny: everything no other rule allows is dropped cluster-wide`,
      `select the namespaces meant (matchExpressions: [{key: k8s:io.kubernetes.pod.namespace, operator: Exists}, {key: k8s:io.kubernetes.pod.namespace, `
      + `operator: NotIn, values: [kube-system, …]}]), or add enableDefaultDeny: {${directions.map((d) => `${d}: false`).join(', ')}} (1.16+) `
      + 'if the rule only adds allows or denies');
  }

  /**
   * Cilium ORs the L7 DNS rules of every allow rule on the same DNS peer and port (`mergePortProto`), across policies: a
   * rule that lets the same pods look up every name (`*`) silently cancels a rule that restricts their lookups.
   */
  private dnsRulesWidened(r: RuleView): void {
    if (r.host) return;
    const mine = dnsItems(r);
    const restricted = mine.filter((d) => !d.all);
    if (restricted.length === 0) return;
    for (const c of this.rules) {
      // Some pods of one are (provably, or per the workloads of the input) pods of the other.
      if (c === r || c.host || !(this.covers(c, r) || this.covers(r, c))) continue;
      for (const theirs of dnsItems(c)) {
        if (!theirs.all) continue;
        const hit = restricted.find((d) => this.sameDnsPeer(r, d.item, c, theirs.item) && portsOverlap53(d.item, theirs.item));
        if (!hit) continue;
        if (this.seen(`pitfall-dns-rules-widened\0${c.doc}/${c.path}`, r)) return;
        this.report('pitfall-dns-rules-widened', r, `${r.path}.egress[${hit.index}].toPorts`,
          `these pods may look up only ${hit.names.join(', ')}, but ${c.name} lets the same pods look up every name (${theirs.names.join(', ')}) on the same `
          + 'DNS server and port: Cilium ORs the DNS rules of all policies there, so the restriction does not hold',
          `restrict the DNS rules of ${c.name} too (or select other pods with it), or drop the restriction here if every name is meant `
          + '(an FqdnEgress: allowAllDnsLookups: true)');
        return;
      }
    }
  }

  /** `toServices` + `toPorts` (1.17+): fine when the ports are target ports; unverifiable when the Service is not in the input. */
  private servicesWithPorts(r: RuleView, item: RuleItemModel, itemPath: string): void {
    if (!r.version.atLeast(AGENT_SINCE.servicesWithPorts) || arr(item.services).length === 0 || arr(item.toPorts).length === 0) return;
    const unknown = arr<unknown>(item.services).filter((ref) => this.servicesReferenced(ref, r).length === 0).map((ref) => serviceRefText(ref, r));
    if (unknown.length === 0) return;
    this.report('pitfall-services-with-ports', r, `${itemPath}.toPorts`,
      `toServices with toPorts: Cilium matches these ports after the Service is translated, against the backend (container) ports, not the Service ` +
      `port; ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the input, so this cannot be checked`,
      'make sure the ports are the targetPorts of the Service (or give its manifest to validate, which then checks them)');
  }

  /** `toServices` to `default/kubernetes`, and the `toServices`+`toPorts` check. */
  private kubeApiServerService(r: RuleView, item: RuleItemModel, itemPath: string): void {
    arr<unknown>(item.services).forEach((ref, j) => {
      if (!isObject(ref)) return;
      let hit = false;
      if (isObject(ref.k8sService)) {
        const ns = typeof ref.k8sService.namespace === 'string' && ref.k8sService.namespace !== '' ? ref.k8sService.namespace : r.namespace || 'default';
        hit = ref.k8sService.serviceName === 'kubernetes' && ns === 'default';
      } else if (isObject(ref.k8sServiceSelector) && isObject(ref.k8sServiceSelector.selector)) {
        const ns = typeof ref.k8sServiceSelector.namespace === 'string' && ref.k8sServiceSelector.namespace !== ''
          ? ref.k8sServiceSelector.namespace : r.namespace || 'default';
        const sel = fromModel(ref.k8sServiceSelector.selector as LabelSelectorModel);
        hit = ns === 'default' && sel.requirements.length > 0 && selectsLabels(sel, 'default', { component: 'apiserver', provider: 'kubernetes' });
      }
      if (!hit) return;
      this.report('pitfall-kube-apiserver-service', r, `${itemPath}.toServices[${j}]`,
        'toServices to the default/kubernetes Service does not reliably reach the API server: the Service has no selector, so Cilium turns it into ' +
        'the addresses of its endpoints, and address-based rules do not select the API server once Cilium gives it the kube-apiserver identity',
        'use toEntities: [kube-apiserver] (with toPorts 443/TCP or 6443/TCP if you restrict ports)');
    });
  }

  /** Selectors that match none of the workloads of the input. */
  private selectorsMatchingNothing(r: RuleView): void {
    if (r.host) return;
    if (r.subject && r.pods !== undefined && r.pods.length === 0) {
      this.report('pitfall-selector-matches-nothing', r, `${r.path}.endpointSelector`, this.nothingMessage('endpointSelector', r.rule.endpointSelector, r.subject),
        'compare the labels with the pod template labels of the workloads (spec.template.metadata.labels): a rule whose subject matches no pod does nothing');
    }
    for (const section of SECTIONS) {
      const wire = PEER_FIELDS.endpoints[sectionDirection(section)] ?? 'fromEndpoints';
      for (const { item, index } of items(r.rule, section)) {
        arr<LabelSelectorModel>(item.endpoints).forEach((model, j) => {
          if (!isObject(model)) return;
          const peer = peerSelector(r.kind, r.namespace, r.subject, model);
          const pods = this.podsOf(peer);
          if (pods === undefined || pods.length > 0) return;
          this.report('pitfall-selector-matches-nothing', r, `${r.path}.${section}[${index}].${wire}[${j}]`, this.nothingMessage(wire, model, peer),
            'compare the labels with the pod template labels of the workloads (spec.template.metadata.labels), and check the namespace: a peer that ' +
            'matches no pod allows (or denies) nothing');
        });
      }
    }
  }

  /**
   * Pod selectors that select pods on the host network: Cilium creates no endpoint for them, so a rule whose subject they
   * are does not apply to them, and a peer selector never matches their traffic, which carries the node's identity
   * (`reserved:host` on the same node, `reserved:remote-node` from others).
   */
  private hostNetworkPods(r: RuleView): void {
    if (r.host) return;
    const listed = (pods: readonly InventoryPodTemplate[]): string => {
      const shown = pods.slice(0, 3).map((w) => `${w.kind} ${w.namespace}/${w.name}`).join(', ');
      return `${shown}${pods.length > 3 ? ` and ${pods.length - 3} more` : ''}`;
    };
    const onHost = (r.pods ?? []).filter((w) => w.hostNetwork);
    if (onHost.length > 0) {
      this.report('pitfall-host-network-pods', r, `${r.path}.endpointSelector`,
        `endpointSelector ${describeSelector(r.rule.endpointSelector)} selects pods on the host network (${listed(onHost)}): Cilium does not manage `
        + 'hostNetwork pods as endpoints, so this rule does not apply to them',
        'restrict them with a host policy (a CiliumClusterwideNetworkPolicy with nodeSelector, with the host firewall on), or run them without hostNetwork');
    }
    for (const section of SECTIONS) {
      const direction = sectionDirection(section);
      const wire = PEER_FIELDS.endpoints[direction] ?? 'fromEndpoints';
      const entities = direction === 'ingress' ? 'fromEntities' : 'toEntities';
      for (const { item, index } of items(r.rule, section)) {
        arr<LabelSelectorModel>(item.endpoints).forEach((model, j) => {
          if (!isObject(model)) return;
          const peers = (this.podsOf(peerSelector(r.kind, r.namespace, r.subject, model)) ?? []).filter((w) => w.hostNetwork);
          if (peers.length === 0) return;
          this.report('pitfall-host-network-pods', r, `${r.path}.${section}[${index}].${wire}[${j}]`,
            `${wire} ${describeSelector(model)} selects pods on the host network (${listed(peers)}): their traffic carries the node's identity `
            + '(host on the same node, remote-node from other nodes), which a pod selector never matches',
            `name them as ${entities}: [host, remote-node] (with toPorts to keep it narrow), or run them without hostNetwork`);
        });
      }
    }
  }

  private nothingMessage(field: string, model: LabelSelectorModel | undefined, sel: Selector): string {
    const scope = namespacesOf(sel);
    const candidates = this.inventory.workloads.filter((w) => !scope || scope.includes(w.namespace));
    const shown = candidates.slice(0, 3).map((w) => `${w.kind} ${w.namespace}/${w.name} ${describeSelector({ matchLabels: w.podLabels })}`);
    const more = candidates.length > 3 ? ` and ${candidates.length - 3} more` : '';
    const which = candidates.length === 1 ? 'does not match the only workload' : `matches none of the ${candidates.length} workloads`;
    return `${field} ${describeSelector(model)}${scope ? ` (namespace ${scope.join(', ')})` : ''} ${which} of the input${scope ? ' there' : ''}: ` +
      `${shown.join('; ')}${more}`;
  }

  /** The checks of single rule items: toServices (with toPorts, to the API server) and Kafka on Cilium 1.20. */
  private itemChecks(r: RuleView): void {
    for (const section of SECTIONS) {
      for (const { item, index } of items(r.rule, section)) {
        if (section === 'egress') {
          this.servicesWithPorts(r, item, `${r.path}.${section}[${index}]`);
          this.kubeApiServerService(r, item, `${r.path}.${section}[${index}]`);
        }
        if (!this.options.kafkaRemoved) continue;
        arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
          if (!isObject(pr) || !isObject(pr.rules)) return;
          for (const field of ['kafka', 'l7proto'] as const) {
            if (pr.rules[field] === undefined) continue;
            this.report('pitfall-kafka-removed', r, `${r.path}.${section}[${index}].toPorts[${k}].rules.${field}`,
              `${field} rules were removed in Cilium 1.20: its CRD no longer has them, so the API server rejects the policy`,
              field === 'kafka' ? 'enforce Kafka at L4 (toPorts without rules), or with a service mesh' : 'replace the proxylib parser before upgrading to 1.20');
          }
        });
      }
    }
  }

  /** Host policies in default deny without the paths nodes need. */
  private hostLockout(r: RuleView): void {
    const nodes = r.subject;
    if (!r.host || !nodes) return;
    const controlPlane = mayBeControlPlane(r.rule.nodeSelector);
    for (const direction of ['ingress', 'egress'] as const) {
      if (!this.defaultDeny(r, direction)) continue;
      const deny: SectionName = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
      const hosts = this.rules.filter((c) => c.host);
      const allowing = hosts.filter((c) => c.subject !== undefined && implies(nodes, c.subject));
      const denying = hosts.filter((c) => c.subject !== undefined && mayOverlap(nodes, c.subject));
      const missing: string[] = [];
      const cut: string[] = [];
      for (const path of GUARD_PATHS.filter((p) => p.direction === direction && (!p.controlPlane || controlPlane))) {
        const allowed = allowing.some((c) => items(c.rule, direction).some(({ item }) => itemCoversPath(item, path)));
        const deniedBy = denying.find((c) => items(c.rule, deny).some(({ item }) => itemCoversPath(item, path)));
        if (!allowed) missing.push(path.what);
        else if (deniedBy) cut.push(`${path.what}, denied by ${deniedBy.name}`);
      }
      if (missing.length === 0 && cut.length === 0) continue;
      const section = arr(r.rule[direction]).length > 0 ? direction : deny;
      const problems = [
        ...(missing.length ? [`no host policy in the input allows ${missing.join('; ')}`] : []),
        ...(cut.length ? [`a deny rule cuts ${cut.join('; ')}`] : []),
      ];
      this.report('pitfall-host-lockout', r, `${r.path}.${section}`,
        `this host policy puts the nodes ${describeSelector(r.rule.nodeSelector)} into ${direction} default deny, but ${problems.join(', and ')}: ` +
        `the nodes can lose their kubelet, health checks, pod network or API server`,
        `allow these paths in a host policy for the same nodes (e.g. ${direction === 'ingress' ? 'fromEntities' : 'toEntities'}: ` +
        '[remote-node, health, kube-apiserver] on those ports), or write the policy with the HostFirewall construct, which keeps them open; ' +
        'roll out with policyAuditMode first');
    }
  }

  /** A Kubernetes NetworkPolicy on the same pods as a Cilium rule. */
  private networkPolicyOverlap(r: RuleView): void {
    if (r.host || !r.subject) return;
    for (const np of this.inventory.networkPolicies) {
      if (!np.rule) continue; // the API server rejects it: the cluster does not have it
      const npSel = networkPolicySelector(np.namespace, np.podSelector);
      const npPods = this.podsOf(npSel);
      let how: string;
      if (r.pods !== undefined && npPods !== undefined && (r.pods.length > 0 || npPods.length > 0)) {
        const shared = r.pods.filter((w) => npPods.includes(w));
        if (shared.length === 0) continue;
        how = `both select the pods of ${listWorkloads(shared)}`;
      } else {
        if (!mayOverlap(r.subject, npSel)) continue;
        how = 'judged from the selectors, they can select the same pods';
      }
      this.report('pitfall-network-policy-overlap', r, `${r.path}.endpointSelector`,
        `this rule and the Kubernetes NetworkPolicy ${np.namespace}/${np.name}${where(np.source)} ${describeSelector(np.podSelector)} apply to the same pods (${how}): ` +
        'Cilium enforces both, a connection allowed by either one is allowed, and neither shows on its own what these pods may do',
        'keep the rules for these pods in one kind of policy (translate the NetworkPolicy into the Cilium policy), or check that the union of both is intended');
    }
  }

  // ----------------------------------------------------------------------------------------------------------------
  // Helpers

  /**
   * Whether `id` was already reported for another rule of the same document with the same subject (a `specs` list
   * often repeats the subject; one finding says it all).
   */
  private seen(id: string, r: RuleView): boolean {
    const key = `${id}\0${r.doc < 0 ? r.name : r.doc}\0${r.host}\0${r.subject?.toString() ?? ''}`;
    if (this.seenKeys.has(key)) return true;
    this.seenKeys.add(key);
    return false;
  }

  private report(id: string, r: RuleView, path: string, message: string, fix: string): void {
    this.out.push({ id, severity: checkInfo(id).severity, message, fix, path, document: r.doc, ...(r.np ? { networkPolicy: r.np } : {}) });
  }

  /** Whether a rule puts its subjects into default deny for a direction (enableDefaultDeny honoured from 1.16). */
  private defaultDeny(r: RuleView, direction: 'ingress' | 'egress'): boolean {
    const deny: SectionName = direction === 'ingress' ? 'ingressDeny' : 'egressDeny';
    if (arr(r.rule[direction]).length === 0 && arr(r.rule[deny]).length === 0) return false;
    const edd = isObject(r.rule.enableDefaultDeny) ? r.rule.enableDefaultDeny[direction] : undefined;
    return !(edd === false && r.version.atLeast(CiliumVersion.V1_16));
  }

  /** The workloads of the input a selector selects, or `undefined` when the input cannot tell. */
  private podsOf(sel: Selector): InventoryPodTemplate[] | undefined {
    if (selectsReserved(sel)) return undefined;
    const scope = namespacesOf(sel);
    const candidates = this.inventory.workloads.filter((w) => !scope || scope.includes(w.namespace));
    if (candidates.length === 0) return undefined;
    const out: InventoryPodTemplate[] = [];
    for (const w of candidates) {
      const m = selectsWorkload(sel, w, this.inventory.namespace(w.namespace));
      if (m === undefined) return undefined;
      if (m) out.push(w);
    }
    return out;
  }

  /** Whether the subjects of `providers` together select every pod `r` selects. */
  private coverage(r: RuleView, providers: readonly RuleView[]): Coverage {
    const subject = r.subject;
    if (!subject) return { covered: true, missing: [], assumed: false };
    if (r.pods && r.pods.length > 0) {
      const missing = r.pods.filter((w) => !providers.some((c) => c.subject && this.mayMatch(c.subject, w)));
      return { covered: missing.length === 0, missing, assumed: false };
    }
    const covered = this.implicationCandidates(subject, providers).some((c) => c.subject !== undefined && implies(subject, c.subject));
    const partial = covered ? undefined : this.nearest(r, providers);
    return { covered, missing: [], assumed: true, ...(partial ? { partial } : {}) };
  }

  /**
   * Of the rules whose subject may overlap `r`'s, the one most likely meant for the same pods: one that constrains a label
   * key `r` also constrains, else one in the same file, else one in the same namespace.
   */
  /**
   * The rules of `providers` whose subject `subject` may imply, in their order: all but those that require a pod namespace
   * `subject` cannot be in. `implies` needs, for a provider's `namespace In (values)`, a requirement of the subject
   * `namespace In (some of those values)`, so a provider is kept if it has no such requirement or if one of the subject's
   * `namespace In` values is among its values. Without it, an app's default-deny rules times its DNS providers (one per
   * namespace, typically) grows with the square of the app.
   */
  private implicationCandidates(subject: Selector, providers: readonly RuleView[]): readonly RuleView[] {
    let index = this.providerIndexes.get(providers);
    if (!index) {
      const built: ProviderIndex = { anyNamespace: [], byNamespace: new Map() };
      providers.forEach((c, i) => {
        const ns = c.subject?.requirements.find(isNamespaceIn);
        if (!ns) built.anyNamespace.push(i);
        else {
          for (const v of new Set(ns.values)) {
            const at = built.byNamespace.get(v);
            if (at) at.push(i);
            else built.byNamespace.set(v, [i]);
          }
        }
      });
      this.providerIndexes.set(providers, built);
      index = built;
    }
    const values = new Set(subject.requirements.filter(isNamespaceIn).flatMap((q) => q.values));
    if (values.size === 0) return index.anyNamespace.map((i) => providers[i]);
    const positions = new Set(index.anyNamespace);
    for (const v of values) for (const i of index.byNamespace.get(v) ?? []) positions.add(i);
    return [...positions].sort((a, b) => a - b).map((i) => providers[i]);
  }

  private nearest(r: RuleView, providers: readonly RuleView[]): RuleView | undefined {
    const subject = r.subject;
    if (!subject) return undefined;
    const keys = new Set(subject.requirements.filter((q) => q.key !== NAMESPACE_KEY).map((q) => `${q.source}:${q.key}`));
    const score = (c: RuleView): number => {
      if (!c.subject || !mayOverlap(subject, c.subject)) return 0;
      if (c.subject.requirements.some((q) => keys.has(`${q.source}:${q.key}`))) return 3;
      if (c.doc === r.doc || (this.where[c.doc] !== undefined && fileOf(this.where[c.doc]) === fileOf(this.where[r.doc]))) return 2;
      return c.kind === r.kind && c.namespace === r.namespace ? 1 : 0;
    };
    let best: RuleView | undefined;
    let bestScore = 0;
    for (const c of providers) {
      const s = score(c);
      if (s > bestScore) {
        best = c;
        bestScore = s;
      }
    }
    return best;
  }

  /** Whether `c`'s subject selects (some of) the pods of `r`, for collecting the rules that apply to them. */
  private covers(c: RuleView, r: RuleView): boolean {
    const subject = c.subject;
    if (!subject || !r.subject) return false;
    if (r.pods && r.pods.length > 0) return r.pods.some((w) => this.mayMatch(subject, w));
    return implies(r.subject, subject);
  }

  /** Whether a selector selects a workload's pods, or may (it depends on labels of a Namespace the input does not have). */
  private mayMatch(selector: Selector, w: InventoryPodTemplate): boolean {
    return selectsWorkload(selector, w, this.inventory.namespace(w.namespace)) !== false;
  }

  /** "the pods of Deployment shop/web" or "pods {app=web} in namespace shop". */
  private who(r: RuleView, cov: Coverage): string {
    if (!cov.assumed && cov.missing.length > 0) return `the pods of ${listWorkloads(cov.missing)}`;
    const scope = r.kind === 'CiliumNetworkPolicy' ? `in namespace ${r.namespace}` : 'in any namespace';
    if (r.np) {
      const sel = describeSelector(r.np.podSelector);
      return sel === '{}' ? `every pod ${scope}` : `pods ${sel} ${scope}`;
    }
    return `pods ${describeSelector(r.rule.endpointSelector)} ${scope}`;
  }

  private assumption(cov: Coverage): string {
    if (!cov.assumed) return '';
    const partial = cov.partial ? `; ${cov.partial.name} may cover some of them, but its selector ${describeSelector(cov.partial.rule.endpointSelector)} is not implied` : '';
    return ` (judged from the selectors, no workload of these pods is in the input${partial})`;
  }

  /** The endpoint rules with an L7 DNS rule (computed once). */
  private dnsRuleProviders(): readonly RuleView[] {
    this.cachedDnsRules ??= this.rules.filter((c) => !c.host && dnsSelectors(c.rule).length > 0);
    return this.cachedDnsRules;
  }

  /** The endpoint rules that allow DNS on 53/`protocol` to something that can be a DNS server (computed once per protocol). */
  private dnsProviders(protocol: 'UDP' | 'TCP'): readonly RuleView[] {
    const cached = this.cachedDns.get(protocol);
    if (cached) return cached;
    const found = [...this.rules, ...this.networkPolicyViews()]
      .filter((c) => !c.host && items(c.rule, 'egress').some(({ item }) => this.allowsDns(item, c, protocol)));
    this.cachedDns.set(protocol, found);
    return found;
  }

  /**
   * Whether an egress allow item lets DNS (53/`protocol`) through to something that can be a DNS server. An item with
   * neither peers nor ports (`egress: [{}]`, the default-deny idiom) allows nothing.
   */
  private allowsDns(item: RuleItemModel, c: RuleView, protocol: 'UDP' | 'TCP'): boolean {
    if (!allowsPort53(item, protocol)) return false;
    if (arr<PortRuleModel>(item.toPorts).some((pr) => isObject(pr) && isObject(pr.rules) && arr(pr.rules.dns).length > 0)) return true;
    const l3 = (['endpoints', 'cidr', 'cidrSet', 'entities', 'nodes', 'services', 'fqdns', 'groups'] as const).filter((f) => item[f] !== undefined);
    if (l3.length === 0) return item.toPorts !== undefined;
    if (arr<string>(item.entities).some((e) => DNS_ENTITIES.includes(e))) return true;
    if ((['cidr', 'cidrSet', 'services', 'nodes', 'groups'] as const).some((f) => arr(item[f]).length > 0)) return true;
    return arr<LabelSelectorModel>(item.endpoints).some((model) => {
      if (!isObject(model)) return false;
      // A NetworkPolicy rule without peers is the wildcard selector: every peer, the DNS server included.
      if (c.doc < 0 && Object.keys(model.matchLabels ?? {}).length === 0 && arr(model.matchExpressions).length === 0) return true;
      const peer = peerSelector(c.kind, c.namespace, c.subject, model);
      if (mayOverlap(peer, KUBE_DNS)) return true;
      return (this.podsOf(peer) ?? []).some((w) => w.ports.some((p) => p.port === 53));
    });
  }

  /**
   * The Services a selector is about: it selects their pods (on their backing workloads when the input has them) and
   * names at least one of the labels the Service selects on. A namespace-wide selector is about no Service in particular.
   */
  private servicesSelectedBy(sel: Selector): { svc: InventoryServiceInfo; pods?: readonly InventoryPodTemplate[] }[] {
    const scope = namespacesOf(sel);
    const out: { svc: InventoryServiceInfo; pods?: readonly InventoryPodTemplate[] }[] = [];
    for (const svc of this.inventory.services) {
      const svcSelector = svc.selector;
      if (!svcSelector || (scope && !scope.includes(svc.namespace))) continue;
      if (!sel.requirements.some((q) => q.source === 'k8s' && Object.prototype.hasOwnProperty.call(svcSelector, q.key))) continue;
      const pods = this.backing(svc);
      const selected = pods.length > 0
        ? pods.some((w) => selectsWorkload(sel, w, this.inventory.namespace(w.namespace)) === true)
        : selectsLabels(sel, svc.namespace, svc.selector);
      if (selected) out.push({ svc, ...(pods.length > 0 ? { pods } : {}) });
    }
    return out;
  }

  /** The Services a `toServices` entry names that the input has. */
  private servicesReferenced(ref: unknown, r: RuleView): { svc: InventoryServiceInfo; pods?: readonly InventoryPodTemplate[] }[] {
    if (!isObject(ref)) return [];
    const withPods = (svc: InventoryServiceInfo): { svc: InventoryServiceInfo; pods?: readonly InventoryPodTemplate[] } => {
      const pods = this.backing(svc);
      return { svc, ...(pods.length > 0 ? { pods } : {}) };
    };
    const named = ref.k8sService;
    if (isObject(named)) {
      const ns = nonEmpty(named.namespace) ?? (r.namespace || undefined);
      return this.inventory.services.filter((s) => s.name === named.serviceName && (ns === undefined || s.namespace === ns)).map(withPods);
    }
    const bySelector = ref.k8sServiceSelector;
    if (isObject(bySelector) && isObject(bySelector.selector)) {
      const ns = nonEmpty(bySelector.namespace) ?? (r.namespace || undefined);
      const sel = fromModel(bySelector.selector as LabelSelectorModel);
      return this.inventory.services
        .filter((s) => (ns === undefined || s.namespace === ns) && selectsLabels(sel, s.namespace, s.labels))
        .map(withPods);
    }
    return [];
  }

  /** The workloads a Service sends to. */
  private backing(svc: InventoryServiceInfo): InventoryPodTemplate[] {
    return serviceBackends(svc, this.inventory.workloads);
  }
}

// ------------------------------------------------------------------------------------------------------------------
// Free helpers

/** The egress allow items of a rule with L7 DNS rules: whether they allow every name, and the names they allow. */
function dnsItems(r: RuleView): { item: RuleItemModel; index: number; all: boolean; names: string[] }[] {
  return items(r.rule, 'egress').flatMap(({ item, index }) => {
    const l3 = (['endpoints', 'cidr', 'cidrSet', 'entities', 'nodes', 'services', 'groups'] as const).some((f) => item[f] !== undefined);
    // `{}` (the default-deny idiom) allows nothing; toFQDNs items are not DNS allowances.
    if ((!l3 && item.toPorts === undefined) || arr(item.fqdns).length > 0) return [];
    if (!portsOverlap53(item, { toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] })) return [];
    const sels = arr<PortRuleModel>(item.toPorts).flatMap((pr) => (isObject(pr) && isObject(pr.rules) ? arr<FqdnSelectorModel>(pr.rules.dns) : []));
    // An allow on the DNS port without DNS rules wildcards the L7 rules of that port (mergePortProto): every name.
    if (sels.length === 0) return [{ item, index, all: true, names: ['an L4 allow with no DNS rules'] }];
    const names = sels.flatMap((s) => (isObject(s) ? [String(s.matchName ?? s.matchPattern ?? '')] : []));
    return [{ item, index, all: names.some((n) => matchesEveryName(n)), names: names.map((n) => JSON.stringify(n)) }];
  });
}

/** A DNS pattern that matches every name, as Cilium reads it: `*` or `**` (and `**.*`), with an optional trailing dot. */
function matchesEveryName(pattern: string): boolean {
  return /^(\*+|\*\*\.\*)\.?$/.test(pattern.trim());
}

/** Whether two items both cover DNS on 53 with a common protocol. */
function portsOverlap53(a: RuleItemModel, b: RuleItemModel): boolean {
  const protocols = (i: RuleItemModel): Set<string> => (i.toPorts === undefined ? new Set(i.icmps === undefined ? ['TCP', 'UDP'] : []) : new Set(arr<PortRuleModel>(i.toPorts)
    .flatMap((pr) => (isObject(pr) ? arr<PortProtocolModel>(pr.ports) : []))
    .filter((p) => isObject(p) && portCovers(p, 53, DNS_PORT_NAMES))
    .flatMap((p) => (p.protocol === undefined || p.protocol === 'ANY' ? ['TCP', 'UDP'] : [String(p.protocol)]))));
  const pb = protocols(b);
  return [...protocols(a)].some((p) => pb.has(p));
}

/** `10.0.0.0/8` for a parsed CIDR. */
function formatNetwork(c: { family: 4 | 6; network: bigint; prefix: number }): string {
  if (c.family === 4) return `${[24n, 16n, 8n, 0n].map((sh) => String((c.network >> sh) & 255n)).join('.')}/${c.prefix}`;
  const groups = [...Array(8).keys()].map((i) => ((c.network >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  const text = groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
  return `${text}/${c.prefix}`;
}

/** The items of a section that are objects, with their index. */
function items(rule: RuleModel, section: SectionName): { item: RuleItemModel; index: number }[] {
  return arr<RuleItemModel>(rule[section]).map((item, index) => ({ item, index })).filter(({ item }) => isObject(item));
}

/** The L7 DNS selectors of a rule's egress allow items. */
function dnsSelectors(rule: RuleModel): FqdnSelectorModel[] {
  return items(rule, 'egress').flatMap(({ item }) => arr<PortRuleModel>(item.toPorts))
    .flatMap((pr) => (isObject(pr) && isObject(pr.rules) ? arr<FqdnSelectorModel>(pr.rules.dns) : []))
    .filter(isObject);
}

function dnsMatcher(sel: FqdnSelectorModel, subdomainWildcard: boolean): (name: string) => boolean {
  const matcher = compileFqdnSelector(sel, subdomainWildcard);
  return (name) => matcher.matches(name);
}

/**
 * A name a `toFQDNs` selector selects, to test DNS rules with: `*` → `x`, and a leading `**.` → `x.x.` where it means
 * "one or more labels" (1.19+; before, `**` is `*`).
 */
function sampleName(sel: FqdnSelectorModel, subdomainWildcard: boolean): string | undefined {
  if (typeof sel.matchName === 'string' && sel.matchName !== '') return sel.matchName;
  if (typeof sel.matchPattern !== 'string' || sel.matchPattern === '') return undefined;
  if (/^\*+\.?$/.test(sel.matchPattern.trim())) return 'x.example.';
  const pattern = subdomainWildcard ? sel.matchPattern.replace(/^\*\*\./, 'x.x.') : sel.matchPattern;
  return pattern.replace(/\*+/g, 'x');
}

/** Whether an allow item lets 53/`protocol` through (all ports, port 0, 53, a range over 53, or a DNS port name; that protocol or ANY). */
function allowsPort53(item: RuleItemModel, protocol: 'UDP' | 'TCP'): boolean {
  if (item.toPorts === undefined) return item.icmps === undefined;
  return arr<PortRuleModel>(item.toPorts).some((pr) => {
    if (!isObject(pr)) return false;
    const ports = objects<PortProtocolModel>(pr.ports);
    if (ports.length === 0) return true;
    return ports.some((p) => protocolsMeet(protocol, p.protocol) && portCovers(p, 53, DNS_PORT_NAMES));
  });
}

/** Whether a port entry covers `port` (all ports, the number, a range over it, or one of `names`). */
function portCovers(p: PortProtocolModel, port: number, names: readonly string[] = []): boolean {
  if (p.port === undefined || p.port === '' || p.port === '0') return true;
  const reading = readPort(String(p.port));
  if (reading.kind === 'named') return names.includes(reading.name);
  if (reading.kind !== 'number') return false;
  const end = typeof p.endPort === 'number' && p.endPort > reading.value ? p.endPort : reading.value;
  return reading.value <= port && port <= end;
}

/** Whether a Service/guard protocol and a policy port protocol (omitted/ANY = TCP, UDP and SCTP) can meet. */
function protocolsMeet(want: string, protocol: string | undefined): boolean {
  const p = (protocol ?? '').toUpperCase();
  return p === '' || p === 'ANY' || p === want.toUpperCase();
}

/** The kinds of peer an item names (`any` for none). */
function peerClasses(item: RuleItemModel): Set<PeerClass> {
  const out = new Set<PeerClass>();
  const l3 = (['endpoints', 'cidr', 'cidrSet', 'entities', 'nodes', 'services', 'fqdns', 'groups'] as const).filter((f) => item[f] !== undefined);
  if (l3.length === 0) out.add('any');
  for (const e of arr<string>(item.entities)) {
    if (e === 'all') out.add('any');
    if (e === 'cluster') ['pods', 'node', 'apiserver', 'health'].forEach((c) => out.add(c as PeerClass));
    if (e === 'host' || e === 'remote-node') out.add('node');
    if (e === 'kube-apiserver') out.add('apiserver');
    if (e === 'health') out.add('health');
    if (e === 'world') out.add('world');
  }
  if (arr(item.cidr).length > 0 || arr(item.cidrSet).length > 0 || arr(item.groups).length > 0) out.add('world');
  if (arr(item.nodes).length > 0) out.add('node');
  if (arr(item.endpoints).length > 0 || arr(item.services).length > 0) out.add('pods');
  return out;
}

/** Whether an item (allow or deny) covers a guard path: one of its ports and one of its peers. */
function itemCoversPath(item: RuleItemModel, path: GuardPath): boolean {
  const peers = peerClasses(item);
  if (!path.peers.some((p) => peers.has(p)) && !peers.has('any')) return false;
  if (item.toPorts === undefined) return item.icmps === undefined;
  return arr<PortRuleModel>(item.toPorts).some((pr) => {
    if (!isObject(pr)) return false;
    const ports = objects<PortProtocolModel>(pr.ports);
    if (ports.length === 0) return true;
    return ports.some((p) => path.ports.some((g) => protocolsMeet(g.protocol, p.protocol) && portCovers(p, g.port)));
  });
}

/** Whether a node selector may select control-plane nodes: all nodes, or a control-plane/master role label. */
function mayBeControlPlane(model: LabelSelectorModel | undefined): boolean {
  const sel = fromModel(model);
  if (sel.requirements.length === 0) return true;
  return sel.requirements.some((r) => /(^|\/)(control-plane|master)$/.test(r.key) && (r.operator === 'In' || r.operator === 'Exists'));
}

/** A Service target port as a number when it can be resolved (a named target port on the backing workloads). */
function resolveTarget(target: number | string, pods: readonly InventoryPodTemplate[] | undefined): number | string {
  if (typeof target === 'number') return target;
  const numbers = [...new Set(namedTargetPorts(target, pods ?? []).map((p) => p.port))];
  return numbers.length === 1 ? numbers[0] : target;
}

function serviceRefText(ref: unknown, r: RuleView): string {
  if (!isObject(ref)) return 'a Service';
  if (isObject(ref.k8sService)) {
    const ns = typeof ref.k8sService.namespace === 'string' && ref.k8sService.namespace !== '' ? ref.k8sService.namespace : r.namespace;
    return `Service ${ns ? `${ns}/` : ''}${String(ref.k8sService.serviceName)}`;
  }
  if (isObject(ref.k8sServiceSelector)) return `the Services ${describeSelector(ref.k8sServiceSelector.selector as LabelSelectorModel)}`;
  return 'a Service';
}

function listWorkloads(list: readonly InventoryPodTemplate[]): string {
  const shown = list.slice(0, 3).map((w) => `${w.kind} ${w.namespace}/${w.name}`);
  return `${shown.join(', ')}${list.length > 3 ? ` and ${list.length - 3} more` : ''}`;
}

/** The file part of a `where` (`dns.yaml:3` → `dns.yaml`). */
function fileOf(where: string | undefined): string | undefined {
  return where?.replace(/:\d+$/, '');
}

function where(source: InventorySource): string {
  if (source.file) return ` (${source.file}${source.line !== undefined ? `:${source.line}` : ''})`;
  return source.constructPath ? ` (${source.constructPath})` : '';
}

/** The elements of a list that are objects (a hand-written manifest can hold anything). */
function objects<T>(value: unknown): T[] {
  return arr<T>(value).filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
}

/** A string that is not empty, else `undefined`. */
function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function arr<T>(value: unknown): readonly T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
