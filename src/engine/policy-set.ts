/**
 * A set of policies compiled once for verdicts. Rules are translated at load time; the policy of each subject identity
 * (per direction) is computed on first use and cached, with its items indexed by protocol and port, so that a verdict
 * only looks at the items that can cover the port. `evaluateNaive` answers the same question by walking every rule.
 */
import { isAbsolute, relative } from 'node:path';
import type { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CiliumPolicyError, Severity } from '../core/errors';
import { cdk8s } from '../model/lazy-cdk8s';
import { inSynthSession } from '../model/synth-session';
import { CiliumVersion } from '../core/cilium-version';
import { DEFAULT_MAX_FILE_BYTES, InputProblem, expandPaths, readInputFile } from '../model/inputs';
import { translateNetworkPolicy } from '../model/network-policy';
import { fromObject, fromYaml } from '../model/parse';
import { ParseResult, SourceDiagnostic, SourcePosition } from '../model/parse-result';
import { PolicyDocumentModel } from '../model/policy-model';
import { CILIUM_VERSION_ANNOTATION, synthesizedVersion } from '../model/version-annotation';
import { diagnosticsOf, networkPolicyRejection, rejection } from './admission';
import { CompiledRule, EngineConfig, PolicyRef, SourcedDocument, SourcedNetworkPolicy, SourcedRawRules, compileRules } from './compile';
import { DirectionPolicy, RuleIndex, RuleSelection, buildDirectionPolicy, directionPolicyOf, selectRules } from './direction-policy';
import { Endpoint, parseEndpoint } from './endpoint';
import { DecisionSlot, DecisionTables, EndpointRecord, decisionKey, endpointRecord, l4Code, l4OfCode } from './decision-table';
import {
  DnsLearning, SideInput, SideOutcome, SideQuery, decideSide, describePolicy, dnsLearning, notEvaluated, refineOutcome, sideOutcome,
} from './evaluate';
import { rawRulesImportProblem } from './importable';
import { IdentityOptions, PeerView, ResolvedEndpoint, peerView, resolveEndpoint } from './identity';
import { CidrGroupSpec, EndpointInventory } from './inventory';
import { icmpTypeNumber, L4Query } from './ports';
import { SideVerdict, Verdict, VerdictKind, VerdictQuery } from './verdict';
import { ConnectivityDiffDocument, ConnectivityReportDocument } from '../diff/connectivity-document';
import { ConnectivityOptions, connectivityReport, diffPolicySets } from '../diff/connectivity';

/** Options of a `PolicySet`. */
export interface PolicySetOptions {
  /**
   * The Cilium version the cluster runs: it decides which fields exist (older CRDs prune newer fields), whether `**.` is a
   * multi-label wildcard (1.19), whether `fromRequires` applies (before 1.19), and the default of `policyDefaultLocalCluster`.
   * @default - the version the policies were synthesized for (their `cdk8s-cilium.io/cilium-version` annotation; an error
   * when they name different versions), else CiliumVersion.DEFAULT (1.19); the version set on the construct for `fromConstruct`
   */
  readonly ciliumVersion?: CiliumVersion;
  /**
   * Whether the host firewall is on (`hostFirewall.enabled`): host policies (`nodeSelector`) then govern nodes. Unset
   * means auto: on when the set holds host policies (why write them for a cluster that ignores them), off otherwise;
   * `hostFirewallMode` tells which it was.
   * @default - auto: on when the set holds a host policy
   */
  readonly hostFirewall?: boolean;
  /**
   * Whether traffic from the local host (`reserved:host`: kubelet probes) to its endpoints is always allowed on ingress,
   * as the agent's `allow-localhost: auto` resolves to in Kubernetes (`always`). `false` is `--allow-localhost=policy`: the
   * host is then a peer like any other, allowed only by a rule (the `host` entity), which is how to test that a policy
   * itself keeps probes working.
   * @default true
   */
  readonly allowLocalhost?: boolean;
  /**
   * The local cluster name (`cluster.name`), carried by pods as `io.cilium.k8s.policy.cluster`.
   * @default 'default'
   */
  readonly clusterName?: string;
  /**
   * Whether from/toEndpoints and from/toNodes without a cluster key select the local cluster only (agent flag
   * `policy-default-local-cluster`).
   * @default - true from Cilium 1.19, false before
   */
  readonly policyDefaultLocalCluster?: boolean;
  /**
   * Whether CIDR rules can select node IPs (`policy-cidr-match-mode: nodes`).
   * @default false
   */
  readonly cidrMatchNodes?: boolean;
  /**
   * Whether the agent runs with `enable-node-selector-labels` (needed by `fromNodes`/`toNodes`): remote nodes then carry
   * the cluster label, so cluster-filtered node selectors (`policy-default-local-cluster`) can match them.
   * @default false
   */
  readonly nodeSelectorLabels?: boolean;
  /**
   * The DNS server the pods use (an endpoint in text form): a `toFQDNs` name is only selected when the pod's lookup of it
   * reaches this server through the DNS proxy (see `dnsLearning`).
   * @default 'pod:kube-system:k8s-app=kube-dns'
   */
  readonly dnsServer?: string;
  /**
   * CiliumCIDRGroups by name, for `cidrGroupRef` and `cidrGroupSelector` (added to those found in the inputs).
   * @default - only those found in the inputs
   */
  readonly cidrGroups?: Readonly<Record<string, CidrGroupSpec>>;
  /**
   * Namespaces, workloads and Services to resolve endpoints and `toServices` against (added to those found in the inputs).
   * @default - only what the inputs hold
   */
  readonly inventory?: EndpointInventory;
  /**
   * `fromFiles`: files larger than this many bytes are not read (an `input-too-large` diagnostic).
   * @default 10485760 (10 MiB)
   */
  readonly maxFileBytes?: number;
}

/** One input text and the file it came from (`PolicySet.fromTexts`). */
export interface PolicyText {
  /** The file name, as explanations and diagnostics show it. */
  readonly file: string;
  /** Its YAML or JSON text. */
  readonly text: string;
}

/** A document read from the inputs, with what the reader found wrong in it. */
interface InputDocument extends SourcedDocument {
  readonly readerDiagnostics?: readonly SourceDiagnostic[];
}

/** A rule the agent would not import. */
export interface SkippedRule {
  /** Its policy. */
  readonly policy: PolicyRef;
  /** The rule: `spec` or `specs[i]`. */
  readonly rule: string;
  /** Why the agent skips it. */
  readonly reason: string;
}

/** Inputs gathered before compiling. */
interface Inputs {
  readonly docs: InputDocument[];
  readonly raw: SourcedRawRules[];
  readonly networkPolicies: SourcedNetworkPolicy[];
  readonly diagnostics: SourceDiagnostic[];
  readonly inventory: EndpointInventory;
}

/** A compiled set of Cilium policies that answers "is this connection allowed, and why?". */
export class PolicySet {
  /** Policies from model documents. */
  public static fromDocuments(docs: readonly PolicyDocumentModel[], options: PolicySetOptions = {}): PolicySet {
    return new PolicySet({ ...emptyInputs(), docs: docs.map((model) => ({ model })) }, options);
  }

  /**
   * Policies from a YAML or JSON stream. Namespaces, workloads, Services and CiliumCIDRGroups in the same stream feed the
   * endpoint inventory; other kinds are ignored.
   * @param file the file name, for explanations and diagnostics
   */
  public static fromYaml(text: string, file?: string, options: PolicySetOptions = {}): PolicySet {
    const inputs = emptyInputs();
    addYaml(inputs, text, file);
    return new PolicySet(inputs, options);
  }

  /**
   * Policies from texts already read elsewhere (files at a git ref, an upload), each with its file name for explanations
   * and diagnostics; the same as `fromYaml` over each, gathered in one set.
   */
  public static fromTexts(files: readonly PolicyText[], options: PolicySetOptions = {}): PolicySet {
    const inputs = emptyInputs();
    for (const f of files) addYaml(inputs, f.text, f.file);
    return new PolicySet(inputs, options);
  }

  /**
   * Policies from files, directories (read recursively: `.yaml`, `.yml`, `.json`, in name order; hidden entries and
   * `node_modules` skipped) and globs, read by the one input reader (`model/inputs.ts`): an input that cannot be used
   * (not a regular file, too large, binary or invalid UTF-8, unreadable, a directory that cannot be listed, a loop of
   * symbolic links) is an `input-…` diagnostic of severity error and is not read; an empty file is a warning.
   * @throws CiliumPolicyError when a path does not exist, or when no `ciliumVersion` is given and the policies were synthesized
   * for different Cilium versions (`version-annotation-conflict`)
   */
  public static fromFiles(paths: readonly string[], options: PolicySetOptions = {}): PolicySet {
    const inputs = emptyInputs();
    const cwd = process.cwd();
    const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    const problem = (file: string, p: InputProblem): void => {
      inputs.diagnostics.push({ id: p.id, severity: p.id === 'input-empty' ? Severity.WARNING : Severity.ERROR, message: p.message, fix: p.fix, file });
    };
    for (const entry of expandPaths(paths, cwd)) {
      if (entry.missing !== undefined || entry.stdin) {
        const p = entry.missing ?? '-';
        throw new CiliumPolicyError({ id: 'engine-file-not-found', message: `${p} does not exist`, fix: 'give existing policy files or directories' });
      }
      if (entry.unreadable) {
        problem(entry.unreadable.name, entry.unreadable.problem);
        continue;
      }
      if (!entry.file) continue;
      const rel = relative(cwd, entry.file.path);
      const name = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? entry.file.path : rel;
      const read = readInputFile(entry.file.path, maxBytes);
      if (read.problem) problem(name, read.problem);
      else addYaml(inputs, read.text ?? '', name);
    }
    return new PolicySet(inputs, options);
  }

  /**
   * The policies of a cdk8s app or chart (every chart's `toJson()`), with its workloads, Services and Namespaces as the
   * inventory. The Cilium version defaults to the one set on it with `CiliumVersion.use`.
   */
  public static fromConstruct(scope: IConstruct, options: PolicySetOptions = {}): PolicySet {
    const { App, Chart } = cdk8s();
    const charts = scope instanceof App ? scope.charts : Chart.isChart(scope) ? [scope] : scope.node.findAll().filter(Chart.isChart);
    const inputs = emptyInputs();
    // One synthesis session for all charts: each policy is rendered and validated once (cdk8s validates the whole app per chart).
    const manifests: unknown[] = inSynthSession(scope, () => (charts.length > 0
      ? charts.flatMap((c) => c.toJson())
      : [...apiObjectsUnder(scope)].map((o) => o.toJson())));
    for (const m of manifests) {
      addParsed(inputs, fromObject(m), undefined);
      addManifest(inputs, m, undefined);
    }
    const version = options.ciliumVersion ?? CiliumVersion.of(charts[0] ?? scope);
    return new PolicySet(inputs, { ...options, ciliumVersion: version });
  }

  /** The engine configuration in effect. */
  private readonly config: EngineConfig;
  /** The DNS server the pods use. */
  private readonly dnsServer: Endpoint;
  /** DNS learnability per client identity and name (compiled mode). */
  private readonly learned = new Map<string, DnsLearning>();
  /** Namespaces, workloads, Services and CIDR groups known to the set. Treat it as read-only: verdicts cache what they derive from it. */
  public readonly inventory: EndpointInventory;
  /** What could not be read faithfully from the inputs. */
  public readonly diagnostics: readonly SourceDiagnostic[];
  /** Every rule, translated, in input order (including rules the agent would not import). */
  private readonly rules: readonly CompiledRule[];
  /** Direction policies by direction and rule selection (`RuleSelection.key`): shared by the identities the same rules select. */
  private readonly cache = new Map<string, DirectionPolicy>();
  /** The rule selection of each subject identity (kind and labels). */
  private readonly selections = new Map<string, RuleSelection>();
  /** The rules by the namespace their subject pins (compiled mode: a pod only scans its namespace's rules and the others). */
  private ruleIndex?: RuleIndex;
  /** The direction policies of a resolved endpoint (the `cache` entries for its identity), so a verdict builds no cache key. */
  private readonly cacheByEndpoint = new WeakMap<ResolvedEndpoint, { ingress?: DirectionPolicy; egress?: DirectionPolicy }>();
  /** Endpoints resolved (inventory + identity) per query object, with what `decide` keeps of them: endpoints are immutable values, often reused. */
  private readonly records = new WeakMap<Endpoint, EndpointRecord>();
  /** Peer views of resolved endpoints other than nodes (they do not depend on the other end). */
  private readonly peerViews = new WeakMap<ResolvedEndpoint, PeerView>();
  /** The same per canonical text of the endpoint object (fresh but equal objects per query: CLI, replay). */
  private readonly resolvedByKey = new Map<string, EndpointRecord>();
  /** `decide`'s decisions per subject identity, direction, peer identity and port. */
  private readonly decisions = new DecisionTables();

  private constructor(inputs: Inputs, options: PolicySetOptions) {
    const annotated = options.ciliumVersion === undefined ? synthesizedVersion(inputs.docs) : undefined;
    const version = options.ciliumVersion ?? annotated?.version ?? CiliumVersion.DEFAULT;
    this.ciliumVersionSource = options.ciliumVersion !== undefined ? 'given'
      : annotated ? `the annotation ${CILIUM_VERSION_ANNOTATION} of ${annotated.source}` : 'the default';
    const inventory = inputs.inventory;
    if (options.inventory) mergeInventory(inventory, options.inventory);
    for (const [name, g] of Object.entries(options.cidrGroups ?? {})) inventory.addCidrGroup(name, g);
    this.inventory = inventory;
    const config: EngineConfig = {
      version,
      hostFirewall: options.hostFirewall ?? false,
      allowLocalhost: options.allowLocalhost ?? true,
      clusterName: options.clusterName ?? 'default',
      policyDefaultLocalCluster: options.policyDefaultLocalCluster ?? version.atLeast(CiliumVersion.V1_19),
      cidrMatchNodes: options.cidrMatchNodes ?? false,
      nodeSelectorLabels: options.nodeSelectorLabels ?? false,
      cidrGroups: inventory.cidrGroups,
      inventory,
    };
    const docs = inputs.docs.map(({ readerDiagnostics, ...d }) => {
      const why = rejection(d.model, readerDiagnostics ?? [], version);
      return why === undefined ? d : { ...d, rejected: `the API server or the agent rejects it: ${why}` };
    });
    this.rules = compileRules(docs, inputs.raw, config, inputs.networkPolicies);
    const hostPolicies = this.rules.some((r) => r.subjectKind === 'node' && r.imported);
    this.hostFirewallMode = options.hostFirewall !== undefined ? (options.hostFirewall ? 'on' : 'off') : hostPolicies ? 'auto-on' : 'auto-off';
    this.config = { ...config, hostFirewall: options.hostFirewall ?? hostPolicies };
    this.dnsServer = parseEndpoint(options.dnsServer ?? DEFAULT_DNS_SERVER);
    this.diagnostics = [...inputs.diagnostics, ...skippedPolicyWarnings(this.rules)];
  }

  /**
   * How the host firewall was decided: `on`/`off` as given, or `auto-on`/`auto-off` (on because the set holds host
   * policies, off because it holds none).
   */
  public readonly hostFirewallMode: 'on' | 'off' | 'auto-on' | 'auto-off';

  /** Whether host policies are enforced on nodes (see `hostFirewallMode`). */
  public get hostFirewall(): boolean {
    return this.config.hostFirewall;
  }

  /**
   * Where the Cilium version came from: `given` (the `ciliumVersion` option), `the annotation cdk8s-cilium.io/cilium-version
   * of <policy>` (the version the policies were synthesized for), or `the default`.
   */
  public readonly ciliumVersionSource: string;

  /** The Cilium version the set judges for. */
  public get ciliumVersion(): CiliumVersion {
    return this.config.version;
  }

  /** The policies in the set, in input order. */
  public get policies(): PolicyRef[] {
    const seen = new Set<string>();
    return this.rules.map((r) => r.policy).filter((p) => {
      const key = JSON.stringify(p);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /**
   * An endpoint from its text form (`pod:<ns>:<k=v,...>`, `entity:<name>`, `cidr:<ip>`, `fqdn:<name>@<ip>`,
   * `node:<k=v,...>`), completed from the inventory (named ports, service account, namespace labels).
   * @throws CiliumPolicyError for bad input
   */
  public endpoint(text: string): Endpoint {
    return this.inventory.enrich(parseEndpoint(text));
  }

  /**
   * The verdict on a connection, with the rules that decided it.
   * @throws CiliumPolicyError for a malformed query
   */
  public verdict(query: VerdictQuery): Verdict {
    return this.evaluate(query, false);
  }

  /**
   * The verdict alone: always `verdict(query).verdict`, without the explanation, at the speed of a map lookup once warm.
   * The decision of each side is kept per subject identity and direction, keyed by the peer's identity, protocol and
   * port, as the agent's policy map is; an HTTP, DNS or Kafka request is then judged against the L7 rules kept with an
   * L4 allow. The decisions come from the same code `verdict()` runs, without building the explanation. Use `verdict()`
   * for why.
   * @throws CiliumPolicyError for a malformed query (as `verdict` does)
   */
  public decide(query: VerdictQuery): VerdictKind {
    let code = fastL4Code(query);
    let l4: L4Query | undefined;
    if (code < 0) {
      l4 = l4Query(query);
      code = l4Code(l4);
    }
    const l4Index = this.decisions.l4(code);
    const from = this.record(query.from);
    const to = this.record(query.to);
    const l7 = query.http !== undefined || query.dns !== undefined || query.kafka !== undefined;
    const egress = this.sideDecision('egress', from, to, code, l4Index, l4);
    if (!egress.allowed) return 'denied';
    const ingress = this.sideDecision('ingress', to, from, code, l4Index, l4);
    if (!ingress.allowed) return 'denied';
    if (l7 && (egress.l7Rules !== undefined || ingress.l7Rules !== undefined)) {
      const sq = sideQueryOf(query, l4 ?? l4OfCode(code));
      const e = refineOutcome(egress, sq, this.config);
      const i = refineOutcome(ingress, sq, this.config);
      return e.decision === 'l7-denied' || i.decision === 'l7-denied' ? 'l7-denied' : 'allowed';
    }
    return egress.decision === 'l7-denied' || ingress.decision === 'l7-denied' ? 'l7-denied' : 'allowed';
  }

  /**
   * One side of `decide`: the decision kept for the peer's identity and port (its L7 rules, if any, are for the caller to
   * judge the request against).
   */
  private sideDecision(direction: 'ingress' | 'egress', subject: EndpointRecord, other: EndpointRecord, code: number, l4Index: number,
    l4: L4Query | undefined): SideOutcome {
    let slot = direction === 'egress' ? subject.egress : subject.ingress;
    if (slot === undefined) slot = this.attach(subject, direction);
    if (slot === null) return NOT_EVALUATED;
    let view: PeerView | undefined;
    let peer: number;
    if (other.peerGeneration === this.decisions.generation) {
      peer = other.peerId;
    } else {
      view = this.peerOf(other.resolved, subject.resolved, this.config);
      peer = this.decisions.peerId(view);
      if (other.resolved.endpoint.kind !== 'node') {
        other.peerId = peer;
        other.peerGeneration = this.decisions.generation;
      }
    }
    const table = this.decisions.tableFor(slot, peer);
    const key = decisionKey(peer, l4Index);
    let outcome = table.get(key);
    if (outcome === undefined) {
      const dp = slot.dp;
      const q = l4 ?? l4OfCode(code);
      const input = this.sideInput(direction, subject.resolved, view ?? this.peerOf(other.resolved, subject.resolved, this.config), { l4: q }, false);
      outcome = !dp.allowIndex || !dp.denyIndex ? sideOutcome(dp, dp.allow, dp.deny, input)
        : sideOutcome(dp, dp.allowIndex.candidates(q), dp.denyIndex.candidates(q), input);
      this.decisions.keep(table, key, outcome);
    }
    return outcome;
  }

  /** Attaches the decision slot of a subject in one direction (`null` when policy does not apply to it). */
  private attach(subject: EndpointRecord, direction: 'ingress' | 'egress'): DecisionSlot | null {
    const dp = subject.resolved.subject === undefined ? undefined : this.directionPolicy(subject.resolved, direction);
    const slot = dp ? this.decisions.slot(subject.resolved, dp) : null;
    if (direction === 'egress') subject.egress = slot;
    else subject.ingress = slot;
    return slot;
  }

  /**
   * What connectivity changes from this set (the base) to `head`: the connections between the endpoint classes whose
   * verdict differs, grouped into readable entries, newly allowed first. Semantics are compared, not names: a reformat or a
   * rename is an empty diff. See `diffPolicySets`.
   */
  public diff(head: PolicySet, options: ConnectivityOptions = {}): ConnectivityDiffDocument {
    return diffPolicySets(this, head, options);
  }

  /** The complete set of allowed traffic between the endpoint classes (see `connectivityReport`). */
  public report(options: ConnectivityOptions = {}): ConnectivityReportDocument {
    return connectivityReport(this, options);
  }

  /** @internal Every compiled rule, in input order (the connectivity diff reads their selectors and ports). */
  public get compiledRules(): readonly CompiledRule[] {
    return this.rules;
  }

  /** @internal The engine configuration in effect. */
  public get engineConfig(): EngineConfig {
    return this.config;
  }

  /** @internal The (cached) policy of an endpoint in one direction; `undefined` where policy does not apply. */
  public directionPolicyOf(endpoint: Endpoint, direction: 'ingress' | 'egress'): DirectionPolicy | undefined {
    return this.directionPolicy(this.resolve(endpoint), direction);
  }

  /** The same verdict, computed by walking every rule of every policy (no per-identity cache, no port index). */
  public evaluateNaive(query: VerdictQuery): Verdict {
    return this.evaluate(query, true);
  }

  /** The number of rules (`spec`/`specs[]` entries) in the set, including those the agent would not import. */
  public get ruleCount(): number {
    return this.rules.length;
  }

  /** The rules the agent would not import, with the reason. */
  public get skippedRules(): SkippedRule[] {
    return this.rules.filter((r) => !r.imported).map((r) => ({ policy: r.policy, rule: r.rulePath, reason: r.skipReason ?? '' }));
  }

  /** The (cached) policy of a subject identity in one direction. */
  private directionPolicy(subject: ResolvedEndpoint, direction: 'ingress' | 'egress'): DirectionPolicy | undefined {
    if (subject.subject === undefined) return undefined;
    let slot = this.cacheByEndpoint.get(subject);
    if (!slot) {
      slot = {};
      this.cacheByEndpoint.set(subject, slot);
    }
    const known = slot[direction];
    if (known) return known;
    const identity = `${subject.subject}|${subject.labels.id}`;
    let selection = this.selections.get(identity);
    if (!selection) {
      this.ruleIndex ??= new RuleIndex(this.rules);
      selection = selectRules(this.ruleIndex.rulesFor(subject.labels), subject.subject, subject.labels);
      this.selections.set(identity, selection);
    }
    const key = `${direction}|${selection.key}`;
    let dp = this.cache.get(key);
    if (!dp) {
      dp = directionPolicyOf(selection, direction, this.config.version.atLeast(CiliumVersion.V1_19), true);
      this.cache.set(key, dp);
    }
    slot[direction] = dp;
    return dp;
  }

  /** What a side's decision reads besides the direction policy. */
  private sideInput(direction: 'ingress' | 'egress', subject: ResolvedEndpoint, peer: PeerView, query: SideQuery, naive: boolean): SideInput {
    return {
      subject: subject.text,
      peer,
      destinationPorts: direction === 'ingress' ? subject.ports : peer.ports,
      query,
      config: this.config,
      learn: (name: string): DnsLearning => this.learn(subject, name, naive),
    };
  }

  /** `peerView`, cached per target when it does not depend on the other end (every kind but nodes). */
  private peerOf(target: ResolvedEndpoint, other: ResolvedEndpoint, options: IdentityOptions): PeerView {
    if (target.endpoint.kind === 'node') return peerView(target, other, options);
    let view = this.peerViews.get(target);
    if (!view) {
      view = peerView(target, other, options);
      this.peerViews.set(target, view);
    }
    return view;
  }

  private resolve(endpoint: Endpoint): ResolvedEndpoint {
    return this.record(endpoint).resolved;
  }

  /** The record of an endpoint object: cached per object, and per its text key for equal objects. */
  private record(endpoint: Endpoint): EndpointRecord {
    if (typeof endpoint !== 'object' || endpoint === null) {
      throw new CiliumPolicyError({ id: 'engine-query', message: `${String(endpoint)} is not an endpoint`, fix: 'pass an Endpoint, e.g. parseEndpoint("pod:default:app=web")' });
    }
    let r = this.records.get(endpoint);
    if (r === undefined) {
      const key = endpointKey(endpoint);
      r = key !== undefined ? this.resolvedByKey.get(key) : undefined;
      if (r === undefined) {
        r = endpointRecord(resolveEndpoint(this.inventory.enrich(endpoint), this.config));
        if (key !== undefined) {
          if (this.resolvedByKey.size >= MAX_RESOLVED_BY_KEY) this.resolvedByKey.clear();
          this.resolvedByKey.set(key, r);
        }
      }
      this.records.set(endpoint, r);
    }
    return r;
  }

  /**
   * Whether `client`'s DNS proxy learns `name` (for `toFQDNs`): the verdict on its lookup of the name at its DNS server,
   * the same verdict `trace --dns` gives (`dnsLearning`).
   */
  private learn(client: ResolvedEndpoint, name: string, naive: boolean): DnsLearning {
    const bare = name.replace(/\.$/, '');
    const key = `${client.subject ?? ''}|${client.labels.id}|${client.endpoint.nodeName ?? ''}|${bare}`;
    const known = naive ? undefined : this.learned.get(key);
    if (known) return known;
    const lookup = this.evaluate({ from: client.endpoint, to: this.dnsServer, protocol: 'UDP', port: 53, dns: bare }, naive);
    const result = dnsLearning(lookup);
    if (!naive) this.learned.set(key, result);
    return result;
  }

  private evaluate(query: VerdictQuery, naive: boolean): Verdict {
    const l4 = l4Query(query);
    const idOptions: IdentityOptions = this.config;
    const from = this.resolve(query.from);
    const to = this.resolve(query.to);
    const sideQuery = sideQueryOf(query, l4);
    const side = (direction: 'ingress' | 'egress', subject: ResolvedEndpoint, other: ResolvedEndpoint): SideVerdict => {
      if (subject.subject === undefined) return notEvaluated(direction, subject.text, subject.unmanagedReason ?? 'not a Cilium endpoint');
      const dp = naive
        ? buildDirectionPolicy(this.rules, subject.subject, subject.labels, direction, this.config.version.atLeast(CiliumVersion.V1_19), false)
        : this.directionPolicy(subject, direction);
      if (!dp) return notEvaluated(direction, subject.text, 'not a Cilium endpoint');
      const peer = this.peerOf(other, subject, idOptions);
      const input = this.sideInput(direction, subject, peer, sideQuery, naive);
      if (naive || !dp.allowIndex || !dp.denyIndex) return decideSide(dp, dp.allow, dp.deny, input);
      return decideSide(dp, dp.allowIndex.candidates(l4), dp.denyIndex.candidates(l4), input);
    };
    const egress = side('egress', from, to);
    const ingress = side('ingress', to, from);
    const dropped = [egress, ingress].some((s) => s.decision === 'denied-by-deny-rule' || s.decision === 'default-deny');
    const l7 = [egress, ingress].some((s) => s.decision === 'l7-denied');
    const verdict: VerdictKind = dropped ? 'denied' : l7 ? 'l7-denied' : 'allowed';
    const connection = connectionText(l4);
    const request = requestText(query);
    const l7Side = [egress, ingress].find((s) => s.decision === 'l7-denied');
    const head = verdict === 'allowed' ? 'ALLOWED' : verdict === 'denied' ? 'DENIED'
      : `DENIED (L7: ${l7Side?.l7?.protocol === 'dns' ? 'DNS REFUSED' : l7Side?.l7?.protocol === 'kafka' ? 'Kafka error' : 'HTTP 403'})`;
    return {
      verdict,
      allowed: verdict === 'allowed',
      summary: `${head} ${from.text} → ${to.text} ${connection}${request ? ` ${request}` : ''}`,
      from: from.text,
      to: to.text,
      connection,
      ...(request ? { request } : {}),
      ciliumVersion: this.config.version.toString(),
      egress,
      ingress,
    };
  }
}

/** A side where policy does not apply (not a Cilium endpoint, or a node without the host firewall): it lets everything through. */
const NOT_EVALUATED: SideOutcome = Object.freeze({ decision: 'not-evaluated', allowed: true });

/** The query as each side sees it. */
function sideQueryOf(query: VerdictQuery, l4: L4Query): SideQuery {
  return {
    l4,
    ...(query.http ? { http: query.http } : {}),
    ...(query.dns !== undefined ? { dns: query.dns } : {}),
    ...(query.kafka ? { kafka: query.kafka } : {}),
  };
}

/** The DNS server pods use unless told otherwise. */
const DEFAULT_DNS_SERVER = 'pod:kube-system:k8s-app=kube-dns';

/** Bound on the endpoints resolved by text key (the cache starts over when full). */
const MAX_RESOLVED_BY_KEY = 100_000;

/**
 * An exact text key of an endpoint object: its own enumerable properties in order, recursively. `undefined` (not cached
 * by key) unless it is plain data: plain objects and arrays of strings, booleans and finite numbers (no `undefined`, no
 * `-0`, no getters or prototypes), so equal keys mean objects that resolve the same.
 */
function endpointKey(endpoint: Endpoint): string | undefined {
  const parts: string[] = [];
  return plainKey(endpoint, parts, 0) ? parts.join('') : undefined;
}

function plainKey(v: unknown, out: string[], depth: number): boolean {
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v));
      return true;
    case 'boolean':
      out.push(v ? 't' : 'f');
      return true;
    case 'number':
      if (!Number.isFinite(v) || Object.is(v, -0)) return false;
      out.push(String(v));
      return true;
    case 'object': {
      if (v === null || depth > 4) return false;
      const proto: unknown = Object.getPrototypeOf(v);
      if (Array.isArray(v)) {
        if (proto !== Array.prototype) return false;
        out.push('[');
        for (let i = 0; i < v.length; i++) {
          if (!(i in v) || !plainKey(v[i], out, depth + 1)) return false;
          out.push(',');
        }
        out.push(']');
        return Object.keys(v).length === v.length;
      }
      if (proto !== Object.prototype && proto !== null) return false;
      if (Object.getOwnPropertySymbols(v).length > 0 || Object.getOwnPropertyNames(v).length !== Object.keys(v).length) return false;
      out.push('{');
      for (const k of Object.keys(v)) {
        const d = Object.getOwnPropertyDescriptor(v, k);
        if (!d || !('value' in d)) return false;
        out.push(JSON.stringify(k), ':');
        if (!plainKey(d.value, out, depth + 1)) return false;
        out.push(',');
      }
      out.push('}');
      return true;
    }
    default:
      return false;
  }
}

/** The naive evaluator: walks every rule of every policy for each side (the baseline for benchmarks). */
export function evaluateNaive(policySet: PolicySet, query: VerdictQuery): Verdict {
  return policySet.evaluateNaive(query);
}

/**
 * The `l4Code` of a well-formed TCP, UDP or SCTP query with its ends given, without building the layer-4 query; -1 for
 * anything else (ICMP, other spellings, malformed queries: `l4Query` handles them).
 */
function fastL4Code(query: VerdictQuery): number {
  if (!query || !query.from || !query.to) return -1;
  const port = query.port;
  if (typeof port !== 'number' || (port | 0) !== port || port < 1 || port > 65535) return -1;
  switch (query.protocol) {
    case 'TCP':
      return port;
    case 'UDP':
      return 0x10000 + port;
    case 'SCTP':
      return 0x20000 + port;
    default:
      return -1;
  }
}

/** Validates the layer-4 part of a query. */
function l4Query(query: VerdictQuery): L4Query {
  const bad = badQuery;
  if (!query || !query.from || !query.to) throw bad('a query needs from and to endpoints', 'give from and to, e.g. parseEndpoint("pod:default:app=web")');
  let protocol = String(query.protocol ?? '').toUpperCase();
  let family = query.icmpFamily ?? 'IPv4';
  if (protocol === 'ICMPV6') {
    protocol = 'ICMP';
    family = 'IPv6';
  }
  if (!['TCP', 'UDP', 'SCTP', 'ICMP'].includes(protocol)) throw bad(`unknown protocol "${query.protocol}"`, 'use TCP, UDP, SCTP or ICMP');
  if (protocol === 'ICMP') {
    if (family !== 'IPv4' && family !== 'IPv6') throw bad(`unknown ICMP family "${family}"`, 'use IPv4 or IPv6');
    const type = icmpTypeNumber(query.icmpType ?? (family === 'IPv6' ? 128 : 8), family);
    if (type === undefined) throw bad(`"${query.icmpType}" is not an ${family} ICMP type`, 'give a type number (0-255) or a Cilium name such as EchoRequest');
    return { protocol, icmpType: type, icmpFamily: family };
  }
  const port = query.port;
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw bad(`port ${port ?? '(none)'} is not a port number between 1 and 65535`, `give the destination port, e.g. 8080/${protocol}`);
  }
  return { protocol, port, icmpFamily: 'IPv4' };
}

/** A malformed query (a module function: `l4Query` runs once per query and makes no closure). */
function badQuery(message: string, fix: string): CiliumPolicyError {
  return new CiliumPolicyError({ id: 'engine-query', message, fix });
}

function connectionText(l4: L4Query): string {
  if (l4.protocol === 'ICMP') return `${l4.icmpFamily === 'IPv6' ? 'icmpv6' : 'icmp'}/${l4.icmpType}`;
  return `${l4.port}/${l4.protocol}`;
}

function requestText(q: VerdictQuery): string | undefined {
  if (q.http) return `${q.http.method} ${q.http.path}`;
  if (q.dns !== undefined) return `dns ${q.dns}`;
  if (q.kafka) return `kafka ${q.kafka.apiKey}${q.kafka.topic ? ` ${q.kafka.topic}` : ''}`;
  return undefined;
}

/**
 * One warning per policy with rules the agent does not import (rejected by the API server or the agent, or holding a rule
 * the agent refuses), naming it and why: verdicts ignore those rules.
 */
function skippedPolicyWarnings(rules: readonly CompiledRule[]): SourceDiagnostic[] {
  const out: SourceDiagnostic[] = [];
  const seen = new Set<string>();
  for (const r of rules) {
    if (r.imported) continue;
    const p = r.policy;
    const key = `${p.kind}/${p.namespace ?? ''}/${p.name}/${p.file ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      id: 'engine-policy-skipped', severity: Severity.WARNING,
      message: `${describePolicy(p)} is skipped (the cluster enforces none of it): ${r.skipReason ?? 'not importable'}`,
      fix: 'run `cdk8s-cilium validate` on it and fix its errors',
      ...(p.file !== undefined ? { file: p.file } : {}),
    });
  }
  return out;
}

function emptyInputs(): Inputs {
  return { docs: [], raw: [], networkPolicies: [], diagnostics: [], inventory: new EndpointInventory() };
}

function addParsed(inputs: Inputs, result: ParseResult, file: string | undefined): void {
  for (const d of result.documents) {
    inputs.docs.push({ model: d.model, ...(file !== undefined ? { file } : {}), readerDiagnostics: diagnosticsOf(d, result.diagnostics) });
  }
  for (const r of result.rawRules) inputs.raw.push({ rules: r.rules, index: r.source.index, ...(file !== undefined ? { file } : {}) });
  inputs.diagnostics.push(...result.diagnostics);
  for (const r of result.rawRules) {
    const problem = rawRulesImportProblem(r.rules);
    if (problem !== undefined) inputs.diagnostics.push(skippedDiagnostic(`the api.Rule list (document ${r.source.index})`, problem, file, r.locate('')));
  }
}

function skippedDiagnostic(what: string, problem: string, file: string | undefined, at: SourcePosition | undefined): SourceDiagnostic {
  return {
    id: 'engine-policy-skipped',
    severity: Severity.WARNING,
    message: `${what} is skipped: the agent does not import it (Sanitize fails: ${problem}), so none of its rules is enforced`,
    fix: 'fix the field (cdk8s-cilium validate shows it), or remove the policy',
    ...(file !== undefined ? { file } : {}),
    ...(at ? { line: at.line, column: at.column } : {}),
  };
}

function addYaml(inputs: Inputs, text: string, file: string | undefined): void {
  const parsed = fromYaml(text, file !== undefined ? { file } : {});
  addParsed(inputs, parsed, file);
  // The other documents (and List items) as the reader read them: workloads, Services, Namespaces, NetworkPolicies.
  for (const skipped of parsed.skipped) addManifest(inputs, skipped.object, file);
}

/**
 * A Kubernetes object besides the Cilium policies: a NetworkPolicy (translated into a Cilium rule), or what the inventory
 * keeps (Namespaces, workloads, Services, CIDR groups); the items of a List each.
 */
function addManifest(inputs: Inputs, obj: unknown, file: string | undefined): void {
  inputs.inventory.addManifest(obj);
  for (const item of listItems(obj)) {
    const np = translateNetworkPolicy(item);
    if (!np) continue;
    const why = networkPolicyRejection(item);
    inputs.networkPolicies.push({
      model: np, ...(file !== undefined ? { file } : {}), ...(why !== undefined ? { rejected: `the API server rejects it: ${why}` } : {}),
    });
  }
}

/** An object, or the items of a List (nested Lists flattened). */
function listItems(obj: unknown, depth = 0): unknown[] {
  if (depth < 4 && typeof obj === 'object' && obj !== null && !Array.isArray(obj)) {
    const o = obj as Record<string, unknown>;
    if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) return o.items.flatMap((i) => listItems(i, depth + 1));
  }
  return [obj];
}

/** The API objects under a construct (a cdk8s-plus construct and its inner ApiObject count once). */
function apiObjectsUnder(scope: IConstruct): Set<ApiObject> {
  const { ApiObject } = cdk8s();
  const out = new Set<ApiObject>();
  for (const c of scope.node.findAll()) {
    try {
      out.add(ApiObject.of(c));
    } catch {
      // not an API object
    }
  }
  return out;
}

function mergeInventory(into: EndpointInventory, from: EndpointInventory): void {
  for (const w of from.workloads) into.addWorkload(w);
  for (const s of from.services) into.addService(s);
  for (const [name, g] of from.cidrGroups) into.addCidrGroup(name, g);
  for (const ns of from.namespaceNames()) into.addNamespace(ns, from.namespaceLabels(ns) ?? {});
}
