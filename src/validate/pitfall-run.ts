// The shared part of the pitfall layer (see `pitfall-rules.ts`): the input and output types, the rules of the set as
// the checks see them, and the run the checks report into.
import { CiliumVersion } from '../core/cilium-version';
import { Diagnostic } from '../core/errors';
import { OptionDefaults } from '../model/known-keys';
import { clusterNameError, LabelSet, Selector } from '../model/labels';
import { CLUSTER_KEY, DEFAULT_CLUSTER_NAME } from '../model/selectors';
import { matchesEveryDnsName } from '../model/fqdn-pattern';
import { NamedPortNumber } from '../model/named-port-numbers';
import { CompiledPort, compilePortEntry } from '../model/port-entries';
import { documentRules, PolicyDocumentModel, PolicyKind, PolicyMetadataModel, PortProtocolModel, RuleItemModel, RuleModel, SectionName } from '../model/policy-model';
import { ReadExemptions, readLockoutExemptions } from './lockout-guard';
import { checkInfo } from './catalogue';
import { InventoryNetworkPolicy, InventoryPodTemplate, InventoryServiceInfo, InventorySource, ManifestInventory } from './inventory';
import { serviceBackends } from '../model/manifests';
import { listObjects } from '../model/object-names';
import { objectNamespace } from '../model/resource-key';
import { networkPolicyRefusals } from './network-policy-refusals';
import {
  describeSelector, implies, mayOverlap, NAMESPACE_KEY, namespacesOf, networkPolicySelector, podLabelSet, readsNamespaceLabels, selectsReserved,
  selectsWorkload, subjectSelector,
} from './pod-selectors';
import { AGENT_SINCE } from './tables';
import { arr, isObject } from './walk';

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
  /**
   * @internal Where a field of it is (`dns.yaml:9` for `spec.ingressDeny[0]`), for messages naming one of its items in
   * findings on other policies (`where`, the document's start, without it).
   */
  readonly _locate?: (path: string) => string | undefined;
  /**
   * @internal Whether the API server or the agent refuses it (an error `refusesPolicy` counts among its findings): the
   * cluster never has its rules, so the checks of what the agent merges (`pitfall-l7-parser-conflict`,
   * `pitfall-auth-mode-conflict`) leave it out, as the engine does.
   */
  readonly _refused?: boolean;
}

/** The options of `PitfallOptions` with their defaults (`option-unknown`; kept equal to the interface by test/engine/option-keys-interfaces.test.ts). */
export const PITFALL_OPTION_DEFAULTS: OptionDefaults = {
  kafkaRemoved: 'false',
  ciliumVersion: 'the version of the first document, else CiliumVersion.DEFAULT',
  clusterName: "'default'",
};

/** Options of `checkPitfalls`. */
export interface PitfallOptions {
  /**
   * The target is Cilium 1.20 (`main`), where kafka and l7proto rules were removed.
   * @default false
   */
  readonly kafkaRemoved?: boolean;
  /**
   * The target Cilium version, for the Kubernetes NetworkPolicies of the inventory (each document carries its own).
   * @default - the version of the first document, else `CiliumVersion.DEFAULT`
   */
  readonly ciliumVersion?: CiliumVersion;
  /**
   * The local cluster's name (`ValidateInputsOptions.clusterName`): the value of the pods' `io.cilium.k8s.policy.cluster` label.
   * @default 'default'
   */
  readonly clusterName?: string;
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

/** One rule (`spec` or `specs[i]`) of a document, with its subject worked out. */
export interface RuleView {
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
  /** `name` without its location; and where a field of the rule's document is (`PitfallDocument.locate`). */
  readonly at?: { readonly label: string; readonly locate: (path: string) => string | undefined };
  /** For the rule Cilium makes of a Kubernetes NetworkPolicy: that NetworkPolicy. */
  readonly np?: InventoryNetworkPolicy;
  /** Its document is refused by the API server or the agent (`PitfallDocument._refused`). */
  readonly refused?: boolean;
}

/** Positions in a list of rules: those whose subject requires no pod namespace, and those that do, by namespace. */
export interface ProviderIndex {
  readonly anyNamespace: number[];
  readonly byNamespace: Map<string, number[]>;
}

/** A requirement `k8s:io.kubernetes.pod.namespace In (values)`. */
export function isNamespaceIn(q: { readonly source: string; readonly key: string; readonly operator: string }): boolean {
  return q.source === 'k8s' && q.key === NAMESPACE_KEY && q.operator === 'In';
}

/** Whether a set of rules covers the pods of a rule, and how that was judged. */
export interface Coverage {
  readonly covered: boolean;
  /** The workloads not covered (judged on workloads). */
  readonly missing: readonly InventoryPodTemplate[];
  /** Judged from the selectors alone. */
  readonly assumed: boolean;
  /** A rule that may cover some of the pods but not provably all (judged from selectors). */
  readonly partial?: RuleView;
}

/**
 * The container ports the cluster DNS pods are assumed to declare when the input holds none of them (`dnsPortNumbers`):
 * CoreDNS as kubeadm and the cloud add-ons deploy it, kube-dns' dnsmasq and NodeLocal DNSCache (`dns` 53/UDP, `dns-tcp`
 * 53/TCP), and the service name of 53 (`domain`, UDP and TCP) and `dns-udp`, which other resolvers use.
 */
export const CONVENTIONAL_DNS_PORTS: readonly NamedPortNumber[] = [
  { name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' },
  { name: 'domain', port: 53, protocol: 'UDP' }, { name: 'domain', port: 53, protocol: 'TCP' }, { name: 'dns-udp', port: 53, protocol: 'UDP' },
];

/** Container port names of DNS servers (those of `CONVENTIONAL_DNS_PORTS`). */
export const DNS_PORT_NAMES: readonly string[] = [...new Set(CONVENTIONAL_DNS_PORTS.map((p) => p.name ?? ''))];

/**
 * A DNS pattern that matches every name (or nearly: `**.*` every name of two labels or more), as the agent of `version`
 * reads it: `*`; from 1.19 also `**`, `*.`, `**.` and `**.*` (before 1.19 those match one-label names only).
 */
export function matchesEveryName(pattern: string, version: CiliumVersion): boolean {
  const p = pattern.trim();
  return matchesEveryDnsName(p, version.atLeast(AGENT_SINCE.fqdnDoubleStar)) || (version.atLeast(AGENT_SINCE.fqdnDoubleStar) && /^\*\*\.\*\.?$/.test(p));
}

/** The items of a section that are objects, with their index. */
export function items(rule: RuleModel, section: SectionName): { item: RuleItemModel; index: number }[] {
  return arr<RuleItemModel>(rule[section]).map((item, index) => ({ item, index })).filter(({ item }) => isObject(item));
}

/**
 * Whether a port entry covers `port` (all ports, the number, a range over it, or one of `names`). `endPortExists`: the
 * target is Cilium 1.16 or later; before, the API server prunes `endPort` and port 0 is every port whatever it said.
 */
export function portCovers(p: PortProtocolModel, port: number, names: readonly string[] = [], endPortExists = true): boolean {
  // As the engine reads the entry (`compilePortEntry`): port 0 in any spelling (`00`, `0_0`) is every port unless an
  // endPort below 65535 bounds it to 0-endPort (from 1.16).
  const entry = readPortEntry(p, endPortExists);
  if (entry.kind === 'all') return true;
  if (entry.kind === 'named') return entry.name !== undefined && names.includes(entry.name);
  return entry.kind === 'range' && entry.lo <= port && port <= entry.hi;
}

/** A port entry of a rule as the engine reads it (`compilePortEntry`), whatever type its fields have in the input. */
export function readPortEntry(p: PortProtocolModel, endPortExists: boolean): CompiledPort {
  return compilePortEntry({
    port: p.port === undefined ? undefined : String(p.port), ...(typeof p.endPort === 'number' ? { endPort: p.endPort } : {}),
    ...(typeof p.protocol === 'string' ? { protocol: p.protocol } : {}),
  }, endPortExists);
}

/** Whether a Service/guard protocol and a policy port protocol (omitted/ANY = TCP, UDP and SCTP) can meet. */
export function protocolsMeet(want: string, protocol: string | undefined): boolean {
  const p = (protocol ?? '').toUpperCase();
  return p === '' || p === 'ANY' || p === want.toUpperCase();
}

/** A rule's name with the location of one of its items (`… b (b.yaml:9)`), or of its document when that is not known. */
export function itemName(r: RuleView, path: string): string {
  const line = r.at?.locate(path);
  return line !== undefined && r.at ? `${r.at.label} (${line})` : r.name;
}

/** The file part of a `where` (`dns.yaml:3` → `dns.yaml`). */
export function fileOf(where: string | undefined): string | undefined {
  return where?.replace(/:\d+$/, '');
}

export function where(source: InventorySource): string {
  if (source.file) return ` (${source.file}${source.line !== undefined ? `:${source.line}` : ''})`;
  return source.constructPath ? ` (${source.constructPath})` : '';
}

/** The elements of a list that are objects (a hand-written manifest can hold anything). */
export function objects<T>(value: unknown): T[] {
  return arr<T>(value).filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
}

/** How the named ports of an egress rule resolve toward the cluster DNS pods (`dnsPortNumbers` of `pitfall-dns.ts`). */
export interface DnsPortNumbers {
  /** The numbers by `namedPortKey`, as the agent resolves an egress named port (`workloadNamedPortNumbers`). */
  readonly numbers: ReadonlyMap<string, ReadonlySet<number>>;
  /**
   * Whether the DNS pods' ports are assumed (`CONVENTIONAL_DNS_PORTS`, and the named targetPorts of a kube-dns Service's
   * port 53): the input holds no cluster DNS pods whose declared ports would tell.
   */
  readonly assumed: boolean;
  /**
   * For an allow: `numbers`, or while `assumed` each conventional name (and a kube-dns Service's targetPort name) on 53 of
   * either protocol: a missing DNS allow is not claimed on an assumption about the DNS pods' port names.
   */
  readonly forAllows: ReadonlyMap<string, ReadonlySet<number>>;
  /**
   * The numbers as the workloads of the input alone resolve them (no assumed ports): a name resolved here is no assumption,
   * whether the DNS pods are in the input or not (a Deployment of the input declaring `foo` 53/UDP).
   */
  readonly inputNumbers: ReadonlyMap<string, ReadonlySet<number>>;
  /** The named targetPorts a kube-dns Service of the input gives its port 53 (lower case), while `assumed`. */
  readonly serviceNames: readonly string[];
}

/**
 * One pitfall run: the rules of the set with their subjects worked out, the findings so far, and what the checks share
 * (coverage of a rule's pods by other rules, caches, duplicate suppression). The checks of each pitfall family are
 * functions over it (`pitfall-dns.ts`, `pitfall-services.ts`, …); `checkPitfalls` runs them in order.
 */
export class PitfallRun {
  /** The rules of the set's policies, in document order. */
  public readonly rules: RuleView[] = [];
  /** Rules already reported for toFQDNs without DNS (the default-deny DNS finding would repeat it). */
  public readonly fqdnFlagged = new Set<RuleView>();
  /** The rules with L7 DNS rules (see `dnsRuleProviders`). */
  public cachedDnsRules?: readonly RuleView[];
  /** The endpoint rules with toFQDNs egress items (see `fqdnRules`). */
  public cachedFqdnRules?: readonly RuleView[];
  /** The rules with an item that allows looking up every name (see `everyNameRules` of `pitfall-dns-rules-widened`). */
  public cachedEveryNameRules?: readonly RuleView[];
  /** The rules that allow DNS, by protocol (see `dnsProviders`). */
  public readonly cachedDns = new Map<'UDP' | 'TCP', readonly RuleView[]>();
  /** How egress named ports resolve toward the cluster DNS pods (see `dnsPortNumbers` of `pitfall-dns.ts`). */
  public cachedDnsPortNumbers?: DnsPortNumbers;
  /** The local cluster as the DNS pitfalls read it (`localDns` of `pitfall-dns.ts`): its name, pods, DNS pods and an item to them. */
  public cachedLocalDns?: { readonly name: string; readonly pods: Selector; readonly kubeDns: Selector; readonly kubeDnsItem: RuleItemModel };
  /** The Services of the inventory as a `toServices` entry reads them (see `serviceFacts` of `pitfall-services-every-peer`). */
  public cachedServiceFacts?: readonly (InventoryServiceInfo & { readonly hasSelector: boolean; readonly addresses: number | undefined })[];
  /**
   * The cluster label of the local cluster's pods (`io.cilium.k8s.policy.cluster=<clusterName>`: pkg/k8s/utils
   * `SanitizePodLabels`), against which selectors naming the cluster key are read (`localClusterPeers` of `pitfall-dns.ts`).
   */
  public readonly localCluster: LabelSet;

  private readonly out: PitfallFinding[] = [];
  private cachedNpViews?: RuleView[];
  /** Positions in a list of providers (see `implicationCandidates`), by the pod namespace their subjects require. */
  private readonly providerIndexes = new WeakMap<readonly RuleView[], ProviderIndex>();
  /** Keys of `seen`. */
  private readonly seenKeys = new Set<string>();
  /** `where` of each document. */
  private readonly where: (string | undefined)[];
  /** The metadata of each document (for the lockout exemptions of host policies). */
  private readonly metadata: (PolicyMetadataModel | undefined)[];
  /** The lockout exemptions of each document read so far. */
  private readonly exemptions = new Map<number, ReadExemptions>();
  /** The inventory's workloads indexed for `podsOf` (built on first use: the inventory is complete before the run). */
  private podIndex?: PodIndex;
  /** The NetworkPolicies' subjects (see `networkPolicySubjects`). */
  private npSubjects?: { readonly all: readonly NetworkPolicySubject[]; readonly byNamespace: ReadonlyMap<string, readonly NetworkPolicySubject[]> };
  /** The backends of each Service (see `backing`). */
  private readonly backends = new WeakMap<InventoryServiceInfo, readonly InventoryPodTemplate[]>();
  /** The workloads each selector selects (see `podsOf`), by the selector's written form. */
  private readonly podsCache = new Map<string, readonly InventoryPodTemplate[] | undefined>();
  /** What each list of providers provides for (see `providedPods`). */
  private readonly provided = new WeakMap<readonly RuleView[], ProvidedPods>();
  /** The workloads each subject selects (see `selectedSet`). */
  private readonly selectedSets = new WeakMap<Selector, ReadonlySet<InventoryPodTemplate>>();
  /** The workloads of a rule as a set (see `selectsSome`). */
  private readonly podSets = new WeakMap<readonly InventoryPodTemplate[], ReadonlySet<InventoryPodTemplate>>();

  constructor(
    /** The policies of the set, as given. */
    public readonly documents: readonly PitfallDocument[],
    public readonly inventory: ManifestInventory,
    public readonly options: PitfallOptions,
  ) {
    // Every caller (Validator.checkPitfalls, validateApp, validate): as the engine refuses it (`PolicySet`), before a DNS
    // pitfall is judged for a cluster no pod is of (`5` is not read as "5").
    const badCluster = options.clusterName !== undefined ? clusterNameError(options.clusterName) : undefined;
    if (badCluster) throw badCluster;
    this.localCluster = LabelSet.of([{ source: 'k8s', key: CLUSTER_KEY, value: options.clusterName ?? DEFAULT_CLUSTER_NAME }]);
    this.where = documents.map((d) => d.where);
    this.metadata = documents.map((d) => d.model.metadata);
    documents.forEach((d, doc) => {
      const model = d.model;
      if (model.kind !== 'CiliumNetworkPolicy' && model.kind !== 'CiliumClusterwideNetworkPolicy') return;
      const cnp = model.kind === 'CiliumNetworkPolicy';
      const namespace = cnp ? objectNamespace(model.metadata?.namespace) : '';
      const policyName = `${model.kind} ${cnp ? `${namespace}/` : ''}${model.metadata?.name ?? ''}`;
      const rules = documentRules(model);
      for (const { rule, path } of rules) {
        if (!isObject(rule)) continue;
        const host = !isObject(rule.endpointSelector) && isObject(rule.nodeSelector);
        const subject = subjectSelector(model.kind, namespace, rule, d.version);
        const pods = !host && subject ? this.podsOf(subject) : undefined;
        const label = `${policyName}${rules.length > 1 || path !== 'spec' ? ` ${path}` : ''}`;
        const name = `${label}${d.where ? ` (${d.where})` : ''}`;
        const at = d._locate ? { at: { label, locate: d._locate } } : {};
        this.rules.push({
          doc, kind: model.kind, namespace, rule, path, version: d.version, host, subject, pods, name, ...at,
          ...(d._refused ? { refused: true } : {}),
        });
      }
    });
  }

  /** The Cilium version the NetworkPolicies of the inventory are judged for (`PitfallOptions.ciliumVersion`). */
  public get networkPolicyVersion(): CiliumVersion {
    return this.options.ciliumVersion ?? this.documents[0]?.version ?? CiliumVersion.DEFAULT;
  }

  /**
   * The Kubernetes NetworkPolicies of the input as Cilium rules (as the agent translates them): they count as DNS
   * providers (an NP that allows DNS keeps pods' lookups working), and an NP that is itself an egress default deny is
   * checked for DNS like a Cilium rule. A NetworkPolicy the agent refuses whole (`networkPolicyRefusals`, reported by
   * `pitfall-np-agent-refuses`) enforces nothing and provides nothing: it has no view.
   */
  public networkPolicyViews(): RuleView[] {
    this.cachedNpViews ??= this.inventory.networkPolicies.flatMap((np) => {
      if (!np.rule) return [];
      const paths = { ingress: np.ingressPaths, egress: np.egressPaths };
      if (networkPolicyRefusals(np.rule, paths, this.networkPolicyVersion).length > 0) return [];
      const subject = subjectSelector(PolicyKind.CILIUM_NETWORK_POLICY, np.namespace, np.rule, this.networkPolicyVersion);
      return [{
        doc: -1, kind: PolicyKind.CILIUM_NETWORK_POLICY as const, namespace: np.namespace, rule: np.rule, path: 'spec', version: this.networkPolicyVersion, host: false,
        subject, pods: subject ? this.podsOf(subject) : undefined, name: `NetworkPolicy ${np.namespace}/${np.name}${where(np.source)}`, np,
      }];
    });
    return this.cachedNpViews;
  }

  /** The lockout exemptions of a document (its `cdk8s-cilium.io/lockout-exemptions` annotation). */
  public lockoutExemptions(doc: number): ReadExemptions {
    let read = this.exemptions.get(doc);
    if (!read) {
      read = readLockoutExemptions(this.metadata[doc]);
      this.exemptions.set(doc, read);
    }
    return read;
  }

  /** The findings reported so far, in document order, then rule order (then in the order reported). */
  public findings(): PitfallFinding[] {
    const order = new Map(this.rules.map((r, i) => [`${r.doc}/${r.path}`, i]));
    const rank = (f: PitfallFinding): number => order.get(`${f.document}/${(f.path ?? '').split('.')[0]}`) ?? 0;
    return this.out.map((f, i) => ({ f, i })).sort((a, b) => a.f.document - b.f.document || rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
  }

  /**
   * Whether `id` was already reported for another rule of the same document with the same subject (a `specs` list
   * often repeats the subject; one finding says it all).
   */
  public seen(id: string, r: RuleView): boolean {
    const key = `${id}\0${r.doc < 0 ? r.name : r.doc}\0${r.host}\0${r.subject?.toString() ?? ''}`;
    if (this.seenKeys.has(key)) return true;
    this.seenKeys.add(key);
    return false;
  }

  public report(id: string, r: RuleView, path: string, message: string, fix: string): void {
    this.out.push({ id, severity: checkInfo(id).severity, message, fix, path, document: r.doc, ...(r.np ? { networkPolicy: r.np } : {}) });
  }

  /** Reports a finding on a Kubernetes NetworkPolicy of the inventory as a whole. */
  public reportNetworkPolicy(id: string, np: InventoryNetworkPolicy, path: string, message: string, fix: string): void {
    this.out.push({ id, severity: checkInfo(id).severity, message, fix, path, document: -1, networkPolicy: np });
  }

  /** Reports a finding on a whole document (its metadata, say) rather than on one of its rules. */
  public reportDocument(id: string, doc: number, path: string, message: string, fix: string): void {
    this.out.push({ id, severity: checkInfo(id).severity, message, fix, path, document: doc });
  }

  /** Whether a rule puts its subjects into default deny for a direction (enableDefaultDeny honoured from 1.16). */
  public defaultDeny(r: RuleView, direction: 'ingress' | 'egress'): boolean {
    const deny: SectionName = direction === 'ingress' ? SectionName.INGRESS_DENY : SectionName.EGRESS_DENY;
    if (arr(r.rule[direction]).length === 0 && arr(r.rule[deny]).length === 0) return false;
    const edd = isObject(r.rule.enableDefaultDeny) ? r.rule.enableDefaultDeny[direction] : undefined;
    return !(edd === false && r.version.atLeast(CiliumVersion.V1_16));
  }

  /** The workloads of the input a selector selects, or `undefined` when the input cannot tell. */
  public podsOf(sel: Selector): readonly InventoryPodTemplate[] | undefined {
    // Once per selector of the run: a rule's subject is read again as other rules' peer, and each peer by several checks
    // (pods matching nothing, pods on the host network). Keyed by its requirements as data, not by `cacheKey()`: that text
    // mirrors the agent's `LabelSelector.String()` and joins values unquoted, so `app In ["web,api"]` and `app In [web, api]`
    // (values validate reads and refuses, yet checks) would share an entry.
    const key = JSON.stringify(sel.requirements.map((r) => [r.source, r.key, r.operator, r.values]));
    if (this.podsCache.has(key)) return this.podsCache.get(key);
    const pods = this.computePodsOf(sel);
    this.podsCache.set(key, pods);
    return pods;
  }

  private computePodsOf(sel: Selector): readonly InventoryPodTemplate[] | undefined {
    if (selectsReserved(sel)) return undefined;
    const index = this.index();
    // The workloads of the namespaces the selector names (every workload when it names none); none: it cannot be told.
    const scope = namespacesOf(sel);
    const inScope = scope ? index.inNamespaces(scope) : undefined;
    if ((inScope ? inScope.length : index.workloads.length) === 0) return undefined;
    // A namespace-labels selector cannot be told for a workload whose Namespace the input lacks (`selectsWorkload`).
    if (readsNamespaceLabels(sel) && index.lacksNamespace(scope)) return undefined;
    // Only the workloads whose pods carry a label each `In` requirement asks for can match: the shortest such list is
    // matched one by one, in inventory order (a superset of the matches, so the result is that of matching every workload).
    let candidates = inScope;
    for (const r of sel.requirements) {
      if (r.operator !== 'In') continue;
      const lists = index.carrying(r.source, r.key, r.values);
      // The union is built only when it can be shorter than the list at hand (its length is at most the lists' total).
      if (candidates !== undefined && lists.reduce((n, l) => n + l.length, 0) >= candidates.length) continue;
      const carrying = union(lists);
      if (candidates === undefined || carrying.length < candidates.length) candidates = carrying;
    }
    const out: InventoryPodTemplate[] = [];
    const { workloads } = index;
    const count = candidates ? candidates.length : workloads.length;
    for (let i = 0; i < count; i++) {
      const w = workloads[candidates ? candidates[i] : i];
      if (selectsWorkload(sel, w, this.inventory.namespace(w.namespace))) out.push(w);
    }
    return out;
  }

  /** The Services of `namespaces` (every Service when `undefined`), in inventory order. */
  public servicesIn(namespaces: readonly string[] | undefined): readonly InventoryServiceInfo[] {
    const index = this.index();
    return namespaces === undefined ? index.services : index.servicesIn(namespaces).map((i) => index.services[i]);
  }

  /** The workloads a Service sends to (`serviceBackends`), worked out once per Service. */
  public backing(svc: InventoryServiceInfo): readonly InventoryPodTemplate[] {
    let pods = this.backends.get(svc);
    if (pods === undefined) {
      pods = serviceBackends(svc, this.workloadsIn([svc.namespace]));
      this.backends.set(svc, pods);
    }
    return pods;
  }

  /** The workloads of `namespaces` (every workload when `undefined`), in inventory order. */
  public workloadsIn(namespaces: readonly string[] | undefined): readonly InventoryPodTemplate[] {
    const index = this.index();
    return namespaces === undefined ? index.workloads : index.inNamespaces(namespaces).map((i) => index.workloads[i]);
  }

  /**
   * The NetworkPolicies the cluster has (those the API server accepts: with a translated rule) that may select the
   * pods of `r`, in inventory order, each with its subject and pods (`podsOf`), worked out once per run: for a CNP rule
   * those of its namespace (a NetworkPolicy selects pods of its own namespace only), for a CCNP rule all of them.
   */
  public networkPolicySubjects(r: RuleView): readonly NetworkPolicySubject[] {
    if (!this.npSubjects) {
      const all = this.inventory.networkPolicies.filter((np) => np.rule !== undefined).map((np): NetworkPolicySubject => {
        const selector = networkPolicySelector(np.namespace, np.podSelector);
        return { np, selector, pods: this.podsOf(selector) };
      });
      const byNamespace = new Map<string, NetworkPolicySubject[]>();
      for (const s of all) byNamespace.set(s.np.namespace, [...(byNamespace.get(s.np.namespace) ?? []), s]);
      this.npSubjects = { all, byNamespace };
    }
    return r.kind === PolicyKind.CILIUM_NETWORK_POLICY ? this.npSubjects.byNamespace.get(r.namespace) ?? [] : this.npSubjects.all;
  }

  /** Whether the subjects of `providers` together select every pod `r` selects. */
  public coverage(r: RuleView, providers: readonly RuleView[]): Coverage {
    const subject = r.subject;
    if (!subject) return { covered: true, missing: [], assumed: false };
    if (r.pods && r.pods.length > 0) {
      const { covered, perPod } = this.providedPods(providers);
      const missing = r.pods.filter((w) => !covered.has(w) && !perPod.some((c) => this.mayMatch(c, w)));
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

  /**
   * The rules of `providers` that cover `r` (see `covers`), in their order. Judged from the selectors (no workload of
   * `r` in the input), only the implication candidates can (see `implicationCandidates`).
   */
  public coveringRules(r: RuleView, providers: readonly RuleView[]): RuleView[] {
    if (r.subject && r.pods && r.pods.length > 0) {
      // Per the workloads: the providers that select one of them (`providedPods`' index, not every provider matched).
      const { byPod, perPodAt } = this.providedPods(providers);
      const at = new Set<number>();
      for (const w of r.pods) for (const i of byPod.get(w) ?? []) at.add(i);
      for (const i of perPodAt) if (this.covers(providers[i], r)) at.add(i);
      return [...at].sort((a, b) => a - b).map((i) => providers[i]);
    }
    const candidates = r.subject ? this.implicationCandidates(r.subject, providers) : providers;
    return candidates.filter((c) => this.covers(c, r));
  }

  /**
   * Whether `c`'s subject selects (some of) the pods of `r`, for collecting the rules that apply to them: with workloads of
   * `r` in the input, whether one of them is among those `c`'s subject selects (`selectedSet`, the smaller side walked), as
   * matching `c`'s subject against each of them tells; else by selector implication.
   */
  public covers(c: RuleView, r: RuleView): boolean {
    const subject = c.subject;
    if (!subject || !r.subject) return false;
    if (r.pods && r.pods.length > 0) return this.selectsSome(subject, r.pods);
    return implies(r.subject, subject);
  }

  /**
   * Whether `subject` selects (or may select) the pods of one of `pods`. Cost: the smaller of the two sets, not the
   * workloads times the rules: `pitfall-dns-rules-widened` and `pitfall-l7-rules-widened` ask it of pairs of rules, and a
   * CCNP's subject over thousands of workloads made each question walk them all.
   */
  private selectsSome(subject: Selector, pods: readonly InventoryPodTemplate[]): boolean {
    const selected = this.selectedSet(subject);
    if (selected === undefined) return pods.some((w) => this.mayMatch(subject, w));
    if (selected.size >= pods.length) return pods.some((w) => selected.has(w));
    let set = this.podSets.get(pods);
    if (set === undefined) this.podSets.set(pods, set = new Set(pods));
    for (const w of selected) if (set.has(w)) return true;
    return false;
  }

  /**
   * The workloads a subject selects, as a set (`podsOf`, worked out once per selector), or `undefined` when that may depend
   * on labels of a Namespace the input does not have (a namespace-labels selector, some Namespace missing): then only
   * `mayMatch`, pod by pod, can tell. A workload is in the set exactly when `mayMatch` says so: `podsOf` narrows to the
   * selector's namespaces by the workload's namespace, and `mayMatch`'s label set has that namespace too, whatever the pod's
   * own labels say (`podLabelSet` reads them as Cilium does: `podObjectLabels`).
   */
  private selectedSet(subject: Selector): ReadonlySet<InventoryPodTemplate> | undefined {
    if (readsNamespaceLabels(subject) && this.index().lacksNamespace(undefined)) return undefined;
    let set = this.selectedSets.get(subject);
    if (set === undefined) this.selectedSets.set(subject, set = new Set(this.podsOf(subject) ?? []));
    return set;
  }

  /**
   * The workloads whose pods the subject of one of `providers` selects (`podsOf`, once per list), and the subjects that
   * may select pods depending on labels of a Namespace the input does not have (matched pod by pod with `mayMatch`): a
   * pod is provided for when it is in `covered` or one of `perPod` may match it, as when every provider is matched against it.
   */
  private providedPods(providers: readonly RuleView[]): ProvidedPods {
    let provided = this.provided.get(providers);
    if (!provided) {
      const covered = new Set<InventoryPodTemplate>();
      const perPod: Selector[] = [];
      const perPodAt: number[] = [];
      const byPod = new Map<InventoryPodTemplate, number[]>();
      providers.forEach((c, i) => {
        if (!c.subject) return;
        const selected = this.selectedSet(c.subject);
        if (selected === undefined) {
          perPod.push(c.subject);
          perPodAt.push(i);
          return;
        }
        for (const w of selected) {
          covered.add(w);
          const at = byPod.get(w);
          if (at === undefined) byPod.set(w, [i]);
          else at.push(i);
        }
      });
      provided = { covered, perPod, byPod, perPodAt };
      this.provided.set(providers, provided);
    }
    return provided;
  }

  /** The inventory's workloads and Services, indexed (built on first use: the inventory is complete before the run). */
  private index(): PodIndex {
    return this.podIndex ??= new PodIndex(this.inventory);
  }

  /** Whether a selector selects a workload's pods, or may (it depends on labels of a Namespace the input does not have). */
  private mayMatch(selector: Selector, w: InventoryPodTemplate): boolean {
    return selectsWorkload(selector, w, this.inventory.namespace(w.namespace)) !== false;
  }

  /** "the pods of Deployment shop/web" or "pods {app=web} in namespace shop". */
  public who(r: RuleView, cov: Coverage): string {
    if (!cov.assumed && cov.missing.length > 0) return `the pods of ${listObjects(cov.missing)}`;
    const scope = r.kind === 'CiliumNetworkPolicy' ? `in namespace ${r.namespace}` : 'in any namespace';
    if (r.np) {
      const sel = describeSelector(r.np.podSelector);
      return sel === '{}' ? `every pod ${scope}` : `pods ${sel} ${scope}`;
    }
    return `pods ${describeSelector(r.rule.endpointSelector)} ${scope}`;
  }

  public assumption(cov: Coverage): string {
    if (!cov.assumed) return '';
    const partial = cov.partial ? `; ${cov.partial.name} may cover some of them, but its selector ${describeSelector(cov.partial.rule.endpointSelector)} is not implied` : '';
    return ` (judged from the selectors, no workload of these pods is in the input${partial})`;
  }
}

/** A NetworkPolicy of the input with its subject as the agent imports it and the workloads it selects (see `podsOf`). */
export interface NetworkPolicySubject {
  readonly np: InventoryNetworkPolicy;
  readonly selector: Selector;
  readonly pods: readonly InventoryPodTemplate[] | undefined;
}

/** The pods a list of providers provides for (see `PitfallRun.providedPods`). */
interface ProvidedPods {
  readonly covered: ReadonlySet<InventoryPodTemplate>;
  readonly perPod: readonly Selector[];
  /** The positions in the list of the providers that select each workload of `covered` (for `coveringRules`). */
  readonly byPod: ReadonlyMap<InventoryPodTemplate, readonly number[]>;
  /** The positions of the providers of `perPod`. */
  readonly perPodAt: readonly number[];
}

/**
 * The inventory's workloads by position, indexed by namespace and by the labels of their pods (`podLabelSet`: pod
 * labels, namespace, service account, namespace labels), so that `podsOf` matches a selector against the workloads
 * that can match it instead of against every workload: a platform's thousands of policies on thousands of workloads
 * cost about their number, not its square. Its Services by namespace likewise.
 */
class PodIndex {
  public readonly workloads: readonly InventoryPodTemplate[];
  public readonly services: readonly InventoryServiceInfo[];
  private readonly byNamespace = new Map<string, number[]>();
  private readonly servicesByNamespace = new Map<string, number[]>();
  /** Positions by `source\0key\0value` of a pod label (and by `any\0key\0value`, as an `any:` requirement reads it). */
  private readonly byLabel = new Map<string, number[]>();
  /** The namespaces that have workloads but no Namespace in the input. */
  private readonly unknownNamespaces = new Set<string>();

  constructor(inventory: ManifestInventory) {
    this.workloads = inventory.workloads;
    this.services = inventory.services;
    const add = (map: Map<string, number[]>, key: string, i: number): void => {
      const list = map.get(key);
      if (list === undefined) map.set(key, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    };
    this.workloads.forEach((w, i) => {
      const namespace = inventory.namespace(w.namespace);
      if (namespace === undefined) this.unknownNamespaces.add(w.namespace);
      add(this.byNamespace, w.namespace, i);
      for (const l of podLabelSet(w, namespace).labels) {
        add(this.byLabel, `${l.source}\0${l.key}\0${l.value}`, i);
        add(this.byLabel, `any\0${l.key}\0${l.value}`, i);
      }
    });
    this.services.forEach((svc, i) => add(this.servicesByNamespace, svc.namespace, i));
  }

  /** The positions of the Services of `namespaces`, in inventory order. */
  public servicesIn(namespaces: readonly string[]): readonly number[] {
    return union(namespaces.map((ns) => this.servicesByNamespace.get(ns)));
  }

  /** The positions of the workloads in `namespaces`, in inventory order. */
  public inNamespaces(namespaces: readonly string[]): readonly number[] {
    return union(namespaces.map((ns) => this.byNamespace.get(ns)));
  }

  /** The positions of the workloads whose pods carry `key` from `source` with each of `values`, one list per value (in inventory order). */
  public carrying(source: string, key: string, values: readonly string[]): (readonly number[])[] {
    const out: (readonly number[])[] = [];
    for (const v of new Set(values)) {
      const list = this.byLabel.get(`${source}\0${key}\0${v}`);
      if (list !== undefined) out.push(list);
    }
    return out;
  }

  /** Whether a workload of `namespaces` (of any namespace when `undefined`) has no Namespace in the input. */
  public lacksNamespace(namespaces: readonly string[] | undefined): boolean {
    return namespaces === undefined ? this.unknownNamespaces.size > 0 : namespaces.some((ns) => this.unknownNamespaces.has(ns));
  }
}

/** The union of sorted position lists, sorted, without repeats. */
function union(lists: readonly (readonly number[] | undefined)[]): readonly number[] {
  const present = lists.filter((l): l is readonly number[] => l !== undefined && l.length > 0);
  if (present.length === 0) return [];
  if (present.length === 1) return present[0];
  return [...new Set(present.flat())].sort((a, b) => a - b);
}
