// The shared part of the pitfall layer (see `pitfall-rules.ts`): the input and output types, the rules of the set as
// the checks see them, and the run the checks report into.
import { CiliumVersion } from '../core/cilium-version';
import { Diagnostic } from '../core/errors';
import { Selector } from '../model/labels';
import { matchesEveryDnsName } from '../model/fqdn-pattern';
import { documentRules, PolicyDocumentModel, PolicyKind, PolicyMetadataModel, PortProtocolModel, RuleItemModel, RuleModel, SectionName } from '../model/policy-model';
import { ReadExemptions, readLockoutExemptions } from './lockout-guard';
import { checkInfo } from './catalogue';
import { InventoryNetworkPolicy, InventoryPodTemplate, InventorySource, ManifestInventory } from './inventory';
import { describeSelector, implies, mayOverlap, NAMESPACE_KEY, namespacesOf, selectsReserved, selectsWorkload, subjectSelector } from './pod-selectors';
import { readPort } from './syntax';
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
}

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

/** Container port names of DNS servers. */
export const DNS_PORT_NAMES = ['dns', 'domain', 'dns-udp'];

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

/** Whether a port entry covers `port` (all ports, the number, a range over it, or one of `names`). */
export function portCovers(p: PortProtocolModel, port: number, names: readonly string[] = []): boolean {
  if (p.port === undefined || p.port === '' || p.port === '0') return true;
  const reading = readPort(String(p.port));
  if (reading.kind === 'named') return names.includes(reading.name);
  if (reading.kind !== 'number') return false;
  const end = typeof p.endPort === 'number' && p.endPort > reading.value ? p.endPort : reading.value;
  return reading.value <= port && port <= end;
}

/** Whether a Service/guard protocol and a policy port protocol (omitted/ANY = TCP, UDP and SCTP) can meet. */
export function protocolsMeet(want: string, protocol: string | undefined): boolean {
  const p = (protocol ?? '').toUpperCase();
  return p === '' || p === 'ANY' || p === want.toUpperCase();
}

export function listWorkloads(list: readonly InventoryPodTemplate[]): string {
  const shown = list.slice(0, 3).map((w) => `${w.kind} ${w.namespace}/${w.name}`);
  return `${shown.join(', ')}${list.length > 3 ? ` and ${list.length - 3} more` : ''}`;
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
  /** The rules that allow DNS, by protocol (see `dnsProviders`). */
  public readonly cachedDns = new Map<'UDP' | 'TCP', readonly RuleView[]>();

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

  constructor(
    /** The policies of the set, as given. */
    public readonly documents: readonly PitfallDocument[],
    public readonly inventory: ManifestInventory,
    public readonly options: PitfallOptions,
  ) {
    this.where = documents.map((d) => d.where);
    this.metadata = documents.map((d) => d.model.metadata);
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
        const label = `${policyName}${rules.length > 1 || path !== 'spec' ? ` ${path}` : ''}`;
        const name = `${label}${d.where ? ` (${d.where})` : ''}`;
        const at = d._locate ? { at: { label, locate: d._locate } } : {};
        this.rules.push({ doc, kind: model.kind, namespace, rule, path, version: d.version, host, subject, pods, name, ...at });
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
   * checked for DNS like a Cilium rule.
   */
  public networkPolicyViews(): RuleView[] {
    this.cachedNpViews ??= this.inventory.networkPolicies.flatMap((np) => {
      if (!np.rule) return [];
      const subject = subjectSelector(PolicyKind.CILIUM_NETWORK_POLICY, np.namespace, np.rule);
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
  public podsOf(sel: Selector): InventoryPodTemplate[] | undefined {
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
  public coverage(r: RuleView, providers: readonly RuleView[]): Coverage {
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

  /**
   * The rules of `providers` that cover `r` (see `covers`), in their order. Judged from the selectors (no workload of
   * `r` in the input), only the implication candidates can (see `implicationCandidates`).
   */
  public coveringRules(r: RuleView, providers: readonly RuleView[]): RuleView[] {
    const candidates = r.subject && !(r.pods && r.pods.length > 0) ? this.implicationCandidates(r.subject, providers) : providers;
    return candidates.filter((c) => this.covers(c, r));
  }

  /** Whether `c`'s subject selects (some of) the pods of `r`, for collecting the rules that apply to them. */
  public covers(c: RuleView, r: RuleView): boolean {
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
  public who(r: RuleView, cov: Coverage): string {
    if (!cov.assumed && cov.missing.length > 0) return `the pods of ${listWorkloads(cov.missing)}`;
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
