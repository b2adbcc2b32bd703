/**
 * A set of policies compiled once for verdicts: the facade over loading (`policy-inputs.ts`), compiling (`compile.ts`),
 * the caches verdicts read (`direction-policy-cache.ts`, `endpoint-records.ts`, `decision-table.ts`, `l7-refinements.ts`) and the verdict
 * text (`verdict-summary.ts`). Rules are translated at load time; the policy of each subject identity (per direction) is
 * computed on first use and cached, with its items indexed by protocol and port, so that a verdict only looks at the
 * items that can cover the port. `evaluateNaive` answers the same question by walking every rule.
 */
import { IConstruct } from 'constructs';
import { DNS_DEFAULT_ALLOW_PATCH_SPLIT, dnsDefaultAllowPatchFix } from '../core/default-allow-l7';
import { NP_IP_BLOCK_FIXED, NP_IP_BLOCK_LAST_WIDENED, ipBlockPeerSelectsNamespace, ipBlockPeerSplitText } from '../model/np-ip-block-peer';
import { CiliumVersion } from '../core/cilium-version';
import { CiliumPolicyError } from '../core/errors';
import { DEFAULT_MAX_FILE_BYTES } from '../model/inputs';
import { checkMaxYamlValues, inYamlValueBudget } from '../model/yaml-value-budget';
import { checkOptionKeys } from '../model/known-keys';
import { checkDocumentsShape } from '../model/model-shape';
import { SourceDiagnostic } from '../model/parse-result';
import { PolicyDocumentModel } from '../model/policy-model';
import { objectKey, resourceKey } from '../model/resource-key';
import { judgedVersion } from '../model/version-annotation';
import { checkVersionOption } from '../validate/validate-policy';
import { Admission, admission, networkPolicyAgentRejection } from './admission';
import { CompiledItem, CompiledRule, EngineConfig, compileRules, selectorKeysOf } from './compile';
import { DirectionPolicy, buildDirectionPolicy, selectRules } from './direction-policy';
import { DirectionPolicyCache } from './direction-policy-cache';
import { Endpoint, EndpointKind, formatEndpoint, parseEndpoint } from './endpoint';
import { EndpointRecords } from './endpoint-records';
import { DecisionCounts, DecisionSlot, DecisionTables, EndpointRecord, decisionKey, l4Code, l4OfCode } from './decision-table';
import {
  ALLOWED_L7_NOT_EVALUATED, DnsLearning, SideInput, SideOutcome, SideQuery, decideSide, defaultAllowL7,
  describeItem, directionCanDrop, dnsLearnable, dnsLearning, notEvaluated, sideOutcome,
  sideOutcomeOfLists,
} from './evaluate';
import { PeerView, ResolvedEndpoint } from './identity';
import {
  MAX_SERVICE_ACCOUNT_CASES, ruleReadsServiceAccount, serviceAccountCandidates, serviceAccountFix, serviceAccountUnknown, serviceAccountUnknownText,
} from './service-account-candidates';
import { AgentRefusal, RedirectNamedPorts, agentRefusalFix, agentRefusals, learningRefusalText, refusalsText } from './parser-conflicts';
import { egressNamedPorts } from './named-ports';
import { EndpointInventory } from './inventory';
import { checkQueryFields, fastL4Code, l4Query, sideQueryOf } from './l4-query';
import { PolicyInputs, PolicyText, addConstruct, addYaml, emptyInputs, mergeInventory, rawRulesDiagnostics, readPolicyFiles, unservedCidrGroups } from './policy-inputs';
import {
  CONNECTIVITY_SOURCES_DEFAULTS, ConnectivitySources, DEFAULT_DNS_SERVER, HostFirewallMode, IpFamilies, PolicySetOptions,
  YamlPolicySetOptions, nonDefaultDenyPoliciesOption, policyDefaultLocalClusterOption, policyEnforcementOption,
} from './policy-set-options';
import { POLICY_SET_OPTION_DEFAULTS, YAML_POLICY_SET_OPTION_DEFAULTS } from './agent-settings-table';
import type { ConnectivityDiffDocument, ConnectivityReportDocument } from '../model/connectivity-document';
import { L4Query } from './ports';
import { L7Refinements } from './l7-refinements';
import { withRemoteNodeNote } from './remote-node-note';
import { decidesAlikeOnEveryNode, decisionSignature } from './node-label-combinations';
import { AbsentNodeLabels, nodeSelectorReadsNodeLabels } from '../model/node-label-reads';
import { givenWithoutNodeLabels, nodeLabelRules, nodeLabelsFix, nodeLabelsUnknownText, peerNodeLabelItems, peerNodeLabelsUnknownText } from './host-node-labels';
import { LabelSet, clusterNameError, formatLabel } from '../model/labels';
import { DEFAULT_CLUSTER_NAME, DEFAULT_SERVICE_ACCOUNT, NAMESPACE_KEY } from '../model/selectors';
import { formatIp, parseIp, unmappedText } from '../model/cidr';
import { cidrSetUnmaps } from '../model/cidr-set-mapped';
import { requireOptionsObject } from './query';
import { SkippedRule, skippedPolicyWarnings, skippedRulesOf } from './skipped-rules';
import { EndsAbsentNodeLabels, UnknownEnd, isNodeEnd, nodeOfAddressEnd, podAddressOfEnd, serviceOfServerEnd, unjudgedConnectionError } from './unjudged-connection';
import { L7Protocol, SideDecision, SideVerdict, Verdict, VerdictKind, VerdictPolicyRef, VerdictQuery } from './verdict';
import { connectionText, requestText, verdictSummary } from './verdict-summary';

/** How `verdict()`, `decide()` and `evaluateNaive()` name the ends of a connection they refuse (`unjudgedConnectionError`). */
const REQUEST_ENDS = { from: 'the client', to: 'the server' } as const;

/** `decide`'s mark of a request allowed at L4 onto L7 rules that did not judge it (see `decideOrUnjudged`). */
const UNJUDGED_REQUEST = 'unjudged-request';

/**
 * `decide`'s mark of a query the gate (`unjudgedConnectionError`) may refuse for its ends or its DNS request, asked before
 * the decision (`decideOrUnjudged` with `checkEnds`; `endMayLeaveUnjudged`).
 */
const ENDS_TO_CHECK = 'ends-to-check';

/**
 * The request of a query as `gatePassed` keys it: `''` for none, a DNS lookup by its name, an HTTP request without headers
 * or scheme by method, host and path (as `L7Refinements` keeps them); `undefined` for any other request (not kept).
 */
function gateRequestKey(query: VerdictQuery): string | undefined {
  const { http, dns, kafka } = query;
  if (kafka !== undefined) return undefined;
  if (http === undefined) return dns === undefined ? '' : ` dns ${dns}`;
  if (dns !== undefined || typeof http !== 'object' || http === null || http.headers !== undefined || http.scheme !== undefined) return undefined;
  return ` http ${JSON.stringify([http.method, http.host, http.path])}`;
}

/** What `decide()` has built so far (`PolicySet._decideCounts`). */
export interface DecideCounts extends DecisionCounts {
  /** Endpoint objects recorded (each distinct object once). */
  readonly endpointObjects: number;
  /** Ends resolved among them (objects equal to one resolved before share its record). */
  readonly endsResolved: number;
  /** Identities among those ends: distinct label sets interned (ends with equal labels share one). */
  readonly identities: number;
  /** Direction policies built (one per direction and distinct rule selection). */
  readonly directionPolicies: number;
}

/** Bound on the queries kept per pair of ends as let through by the gate in `decide` (`gatePassed`; starts over when full). */
const MAX_GATE_PASSES = 4096;

/**
 * A compiled set of Cilium policies that answers "is this connection allowed, and why?".
 *
 * Every factory refuses an option `PolicySetOptions` does not declare, and `verdict()`/`decide()` a query field
 * `VerdictQuery` does not declare (`option-unknown`, a `CiliumPolicyError` naming the option meant): dropped, it left
 * the default in place, and the verdicts were judged for another cluster than asked.
 */
export class PolicySet {
  /** Policies from model documents. */
  public static fromDocuments(docs: PolicyDocumentModel[], options: PolicySetOptions = {}): PolicySet {
    checkOptionKeys(options, POLICY_SET_OPTION_DEFAULTS, { call: 'PolicySet.fromDocuments()', risk: JUDGED_OTHERWISE });
    // No YAML is read: the option is unused, but checked as every factory checks it.
    checkMaxYamlValues('PolicySet.fromDocuments()', options.maxYamlValues);
    // Read past, a key the model does not have (`fromEndpoints` for `endpoints`) left an item without peers: every peer.
    checkDocumentsShape(docs, 'PolicySet.fromDocuments()');
    return new PolicySet({ ...emptyInputs(), docs: docs.map((model) => ({ model })) }, options);
  }

  /**
   * Policies from a YAML or JSON stream. Namespaces, workloads, Services and CiliumCIDRGroups in the same stream feed the
   * endpoint inventory; other kinds are ignored.
   * @param options the engine options, and `file`: the file name, for explanations and diagnostics
   */
  public static fromYaml(text: string, options: YamlPolicySetOptions = {}): PolicySet {
    requireOptionsObject('PolicySet.fromYaml', options, "PolicySet.fromYaml(text, { file: 'policies.yaml', ciliumVersion: CiliumVersion.V1_17 })");
    checkOptionKeys(options, YAML_POLICY_SET_OPTION_DEFAULTS, { call: 'PolicySet.fromYaml()', risk: JUDGED_OTHERWISE });
    const { file, ...setOptions } = options;
    const inputs = emptyInputs();
    inYamlValueBudget('PolicySet.fromYaml()', options.maxYamlValues, () => addYaml(inputs, text, file));
    return new PolicySet(inputs, setOptions);
  }

  /**
   * Policies from texts already read elsewhere (files at a git ref, an upload), each with its file name for explanations
   * and diagnostics; the same as `fromYaml` over each, gathered in one set.
   */
  public static fromTexts(files: PolicyText[], options: PolicySetOptions = {}): PolicySet {
    checkOptionKeys(options, POLICY_SET_OPTION_DEFAULTS, { call: 'PolicySet.fromTexts()', risk: JUDGED_OTHERWISE });
    const inputs = emptyInputs();
    inYamlValueBudget('PolicySet.fromTexts()', options.maxYamlValues, () => {
      for (const f of files) addYaml(inputs, f.text, f.file);
    });
    return new PolicySet(inputs, options);
  }

  /**
   * Policies from files, directories (read recursively: `.yaml`, `.yml`, `.json`, in name order; hidden entries and
   * `node_modules` skipped) and globs, read by the one input reader (`model/inputs.ts`): an input that cannot be used
   * (not a regular file, too large, binary or invalid UTF-8, unreadable, a directory that cannot be listed, a loop of
   * symbolic links) is an `input-…` diagnostic of severity error and is not read; an empty file is a warning. The files of
   * one call hold at most `maxYamlValues` YAML values together.
   * @throws CiliumPolicyError when a path does not exist, when the files hold more YAML values than `maxYamlValues`
   * (`input-values-budget`), or when no `ciliumVersion` is given and the policies were synthesized
   * for different Cilium versions (`version-annotation-conflict`)
   */
  public static fromFiles(paths: string[], options: PolicySetOptions = {}): PolicySet {
    checkOptionKeys(options, POLICY_SET_OPTION_DEFAULTS, { call: 'PolicySet.fromFiles()', risk: JUDGED_OTHERWISE });
    return new PolicySet(inYamlValueBudget('PolicySet.fromFiles()', options.maxYamlValues, () => readPolicyFiles(paths, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES)), options);
  }

  /**
   * @internal The set of policy files already read (`readPolicyFiles`), as `fromFiles` builds it: for the commands that
   * read what the files say (their Cilium version) before the set is built, without reading and parsing them again.
   * The inputs are the set's own after this call.
   */
  public static _fromInputs(inputs: PolicyInputs, options: PolicySetOptions = {}): PolicySet {
    checkOptionKeys(options, POLICY_SET_OPTION_DEFAULTS, { call: 'PolicySet.fromFiles()', risk: JUDGED_OTHERWISE });
    return new PolicySet(inputs, options);
  }

  /**
   * The policies of a cdk8s app or chart (every chart's `toJson()`), with its workloads, Services and Namespaces as the
   * inventory. The Cilium version defaults to the one set on it with `CiliumVersion.use`.
   */
  public static fromConstruct(scope: IConstruct, options: PolicySetOptions = {}): PolicySet {
    checkOptionKeys(options, POLICY_SET_OPTION_DEFAULTS, { call: 'PolicySet.fromConstruct()', risk: JUDGED_OTHERWISE });
    checkMaxYamlValues('PolicySet.fromConstruct()', options.maxYamlValues);
    const inputs = emptyInputs();
    const versioned = addConstruct(inputs, scope);
    const version = options.ciliumVersion ?? CiliumVersion.of(versioned);
    return new PolicySet(inputs, { ...options, ciliumVersion: version });
  }

  /** The engine configuration in effect. */
  private readonly config: EngineConfig;
  /** The DNS server the pods use. */
  private readonly dnsServer: Endpoint;
  /** DNS learnability per client identity and name (compiled mode), with why not. */
  private readonly learned = new Map<string, DnsLearning>();
  /**
   * The same without why not (`decide`), per client identity (its label set object, then subject kind and node): the two
   * sides' decisions on its lookups (they do not depend on the name), and what it learns per name.
   */
  private readonly learnedFast = new Map<LabelSet, Map<string, DnsLookupSides>>();
  /** The same per resolved client (`lookupSides`). */
  private readonly lookupSidesOf = new WeakMap<ResolvedEndpoint, DnsLookupSides>();
  /**
   * `nodeLabelsSide` per resolved subject, resolved other end, direction and side query (compiled mode): `_nodeLabelsUnknown`,
   * the verdict's note and replay's names share one decision of the combinations.
   */
  private readonly nodeLabelSides = new WeakMap<ResolvedEndpoint, WeakMap<ResolvedEndpoint, Map<string, NodeLabelsSide | undefined>>>();
  /** `serviceAccountSide` per resolved subject, resolved other end, direction and side query (compiled mode). */
  private readonly serviceAccountSides = new WeakMap<ResolvedEndpoint, WeakMap<ResolvedEndpoint, Map<string, ServiceAccountSide | undefined>>>();
  /** `_agentRefusals` per resolved endpoint (they read its selecting rules, namespace and named ports). */
  private readonly refusals = new WeakMap<ResolvedEndpoint, readonly AgentRefusal[]>();
  /** The queries `decide` found the gate let through, per client and server record (`gatePassed`). */
  private gatePasses = new WeakMap<EndpointRecord, WeakMap<EndpointRecord, Set<number | string>>>();
  /** The accounts a pod given without one may run as (`serviceAccountCandidates`), on first use. */
  private accountCandidates: string[] | undefined;
  /**
   * Whether some rule may read the labels of a node given without them (`_nodeLabelsUnknown`): a host rule whose node
   * selector reads them (`nodeLabelRules`, its direction aside), or per-node labels on (`peerNodeLabelItems`); on first use.
   */
  private nodeLabelsRead: boolean | undefined;
  /** Namespaces, workloads, Services and CIDR groups known to the set. Treat it as read-only: verdicts cache what they derive from it. */
  public readonly inventory: EndpointInventory;
  /** What could not be read faithfully from the inputs. */
  public readonly diagnostics: SourceDiagnostic[];
  /**
   * @internal The reader's errors (in `diagnostics` too) about manifests of the inputs that the API server refuses for a
   * label value that is no string (`country: NO`, read as false): left out of `inventory`; the CLI refuses the inputs.
   */
  public readonly _refusedManifests: readonly SourceDiagnostic[];
  /** Every rule, translated, in input order (including rules the agent would not import). */
  private readonly rules: readonly CompiledRule[];
  /** The label keys the selectors of the rules name (`selectorKeysOf`), worked out on first use. */
  private namedKeys?: ReadonlySet<string>;
  /** Whether a selector of the rules names a label key (for the notes on labels outside identities). */
  private readonly selectorKeys = (key: string): boolean => (this.namedKeys ??= selectorKeysOf(this.rules)).has(key);
  /** The direction policies of the subject identities, computed on first use. */
  private readonly directionPolicies: DirectionPolicyCache;
  /** Endpoints resolved (inventory + identity) and their peer views. */
  private readonly endpoints: EndpointRecords;
  /** `decide`'s decisions per subject identity, direction, peer identity and port. */
  private readonly decisions = new DecisionTables();
  /** `decide`'s L7 decisions per set of L7 rules and request. */
  private readonly l7: L7Refinements;

  /**
   * @param admittedBefore what the cluster made of each document, from the set this one judges for other IP families
   * (`_withIpFamilies`): the admission reads the documents, the version and the agent's flags, none of which the IP
   * families change (`admission`), so the documents are not validated again @default - each document admitted here
   */
  private constructor(inputs: PolicyInputs, options: PolicySetOptions, admittedBefore?: readonly Admission[]) {
    const badCluster = options.clusterName !== undefined ? clusterNameError(options.clusterName) : undefined;
    if (badCluster) throw badCluster;
    // From JavaScript, `ciliumVersion: '1.18'` was a TypeError far from the call.
    if (options.ciliumVersion !== undefined) checkVersionOption(options.ciliumVersion, 'PolicySet', 'ciliumVersion');
    const judged = judgedVersion(inputs.docs, options.ciliumVersion);
    const version = judged.version;
    this.ciliumVersionSource = judged.source;
    const inventory = inputs.inventory;
    if (options.inventory) mergeInventory(inventory, options.inventory);
    for (const [name, g] of Object.entries(options.cidrGroups ?? {})) inventory.addCidrGroup(name, g);
    // A group of an apiVersion the release does not serve is not in the cluster: left out, and refused as a manifest is.
    const unserved = unservedCidrGroups(inventory, version, judged.source);
    this.inventory = inventory;
    this._refusedManifests = [...inputs.refusedManifests, ...unserved];
    const config: EngineConfig = {
      version,
      hostFirewall: options.hostFirewall ?? false,
      allowLocalhost: options.allowLocalhost ?? true,
      policyEnforcement: policyEnforcementOption(options.policyEnforcement),
      nonDefaultDenyPolicies: nonDefaultDenyPoliciesOption(options.nonDefaultDenyPolicies, version, judged.source),
      mutualAuth: options.mutualAuth ?? false,
      sctp: options.sctp ?? false,
      clusterName: options.clusterName ?? DEFAULT_CLUSTER_NAME,
      policyDefaultLocalCluster: policyDefaultLocalClusterOption(options.policyDefaultLocalCluster, version, judged.source),
      cidrMatchNodes: options.cidrMatchNodes ?? false,
      ipFamilies: options.ipFamilies ?? IpFamilies.IPV4,
      ...(options.ipFamilies === undefined ? { ipFamiliesDefaulted: true } : {}),
      nodeSelectorLabels: options.nodeSelectorLabels ?? false,
      cidrGroups: inventory._cidrGroupMap,
      inventory,
    };
    const admitted = admittedBefore ?? inputs.docs.map((d) => admission(d.model, d.readerDiagnostics ?? [], version, config));
    // One object on the API server: the later stored document replaces the earlier (kubectl apply keeps the last).
    const replacedBy = laterSameObject(inputs.docs.map((d, i) => (admitted[i].stored ? resourceKey(d.model) : undefined)));
    const docs = inputs.docs.map(({ readerDiagnostics: _, line: __, ...d }, i) => {
      const later = replacedBy[i];
      if (later !== undefined) {
        const { file, line } = inputs.docs[later];
        return { ...d, rejected: replacedReason('document', file !== undefined && line !== undefined ? `${file}:${line}` : file, admitted[later].rejected) };
      }
      const why = admitted[i].rejected;
      return why === undefined ? d : { ...d, rejected: `the API server or the agent rejects it: ${why}` };
    });
    const npReplacedBy = laterSameObject(inputs.networkPolicies.map((np) => (np.rejected === undefined
      ? objectKey('NetworkPolicy', true, np.model.metadata.namespace, np.model.metadata.name) : undefined)));
    const networkPolicies = inputs.networkPolicies.map((np, i) => {
      const later = npReplacedBy[i];
      if (later !== undefined) {
        const by = inputs.networkPolicies[later];
        return { ...np, rejected: replacedReason('NetworkPolicy', by.file, networkPolicyAgentRejection(by.model, version)) };
      }
      // Stored, and still refused by the agent (before 1.19, an ipBlock CIDR it cannot parse): none of its rules is enforced.
      const why = np.rejected === undefined ? networkPolicyAgentRejection(np.model, version) : undefined;
      return why === undefined ? np : { ...np, rejected: `the agent rejects it: ${why}` };
    });
    this.rules = compileRules(docs, inputs.raw, config, networkPolicies);
    // On 1.19 without a patch level, the NetworkPolicies whose ipBlock-only ingress peers the patch decides (`_ipBlockPatchSplit`).
    this.ipBlockSplitNamespaces = ipBlockPeerSelectsNamespace(version, config.policyDefaultLocalCluster) !== undefined ? []
      : [...new Set(networkPolicies.filter((np) => np.rejected === undefined && np.model.sources.ingress.some((src) => src.ipBlockOnly === true))
        .map((np) => np.model.metadata.namespace ?? 'default'))];
    const hostPolicies = this.rules.some((r) => r.subjectKind === 'node' && r.imported);
    this.hostFirewallMode = options.hostFirewall !== undefined ? (options.hostFirewall ? HostFirewallMode.ON : HostFirewallMode.OFF)
      : hostPolicies ? HostFirewallMode.AUTO_ON : HostFirewallMode.AUTO_OFF;
    this.config = { ...config, hostFirewall: options.hostFirewall ?? hostPolicies };
    this.dnsServer = parseEndpoint(options.dnsServer ?? DEFAULT_DNS_SERVER);
    this.diagnostics = [
      ...inputs.diagnostics, ...unserved, ...rawRulesDiagnostics(inputs.raw, version, config), ...skippedPolicyWarnings(this.rules),
    ];
    this.directionPolicies = new DirectionPolicyCache(this.rules, this.config.policyEnforcement);
    this.endpoints = new EndpointRecords(this.inventory, this.config);
    this.l7 = new L7Refinements(this.config);
    // The same inputs (the inventory as merged: the options' own are in it already) judged for other IP families.
    // The admission reads the version: kept only when the version stays.
    this.rebuild = (changes) => new PolicySet({
      ...inputs, inventory, diagnostics: [...inputs.diagnostics, ...unserved], refusedManifests: [...inputs.refusedManifests, ...unserved],
    }, { ...options, inventory: undefined, cidrGroups: undefined, ...changes },
    changes.ciliumVersion === undefined ? admitted : undefined);
  }

  /** The same inputs and options, judged for other IP families (`_withIpFamilies`) or another patch release (`_ipBlockPatchSplit`). */
  private readonly rebuild: (changes: Pick<PolicySetOptions, 'ipFamilies' | 'ciliumVersion'>) => PolicySet;

  /** The namespaces of the NetworkPolicies with an ipBlock-only ingress peer, where the target's 1.19 patch decides what it selects. */
  private readonly ipBlockSplitNamespaces: readonly string[];

  /** The same set judged for the last 1.19 patch whose ipBlock-only peers select the namespace's pods, built on first use. */
  private ipBlockWidened?: PolicySet;

  /**
   * @internal The same policies, inventory and options judged for `ipFamilies` (given, not defaulted): for the diff, which
   * judges the outside addresses of the family a defaulted judging leaves out (`diff/other-family-world.ts`).
   */
  public _withIpFamilies(ipFamilies: IpFamilies): PolicySet {
    return this.rebuild({ ipFamilies });
  }

  /**
   * How the host firewall was decided: `on`/`off` as given, or `auto-on`/`auto-off` (on because the set holds host
   * policies, off because it holds none).
   */
  public readonly hostFirewallMode: HostFirewallMode;

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
  public get policies(): VerdictPolicyRef[] {
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
   * @internal The check `verdict()` makes of an endpoint object before judging it: its fields (`option-unknown`) and
   * values (`engine-endpoint-syntax`), for callers that look at the endpoints first (the test matchers).
   * @throws CiliumPolicyError for a field `Endpoint` does not declare or a bad value
   */
  public _checkEndpoint(endpoint: Endpoint): void {
    this.endpoints.record(endpoint);
  }

  /**
   * What connectivity changes from this set (the base) to `head`: every connection between the endpoint classes of both
   * sets whose verdict or L7 restriction differs, grouped, with the deciding rule on each side — the document
   * `cdk8s-cilium diff --output json` prints (`Connectivity.diff(this, head)`, which also takes the classes to judge).
   * @param head the policies after the change
   * @param options the sources the document names @default - 'base' and 'head'
   */
  public diff(head: PolicySet, options: ConnectivitySources = {}): ConnectivityDiffDocument {
    checkOptionKeys(options, CONNECTIVITY_SOURCES_DEFAULTS, { call: 'PolicySet.diff()', risk: NAMED_OTHERWISE });
    return connectivity().diff(this, head, options);
  }

  /**
   * The complete set of allowed traffic between the endpoint classes of this set, grouped per pair and reason — the
   * document `cdk8s-cilium report --output json` prints (`Connectivity.report(this)`).
   * @param options the source the document names (`baseSource`) @default - 'policies'
   */
  public report(options: ConnectivitySources = {}): ConnectivityReportDocument {
    checkOptionKeys(options, CONNECTIVITY_SOURCES_DEFAULTS, { call: 'PolicySet.report()', risk: NAMED_OTHERWISE });
    return connectivity().report(this, options);
  }

  /**
   * The verdict on a connection, with the rules that decided it. A connection of which neither end is in the cluster
   * (two `cidr:`/`fqdn:` endpoints, the world, a managed API server, `unmanaged`: `replay` asks about such an observed flow)
   * is answered `allowed` with both sides not evaluated: nothing is checked, since Cilium enforces no policy at either end
   * (`trace` and the test matchers refuse it, `engine-no-cluster-end`).
   * A request (`http`, `dns`, `kafka`) that the connection would carry through L4 onto L7 rules the engine does not judge it
   * by — generic `l7proto` rules, or rules of another protocol than the request's, which the proxy's parser enforces on what
   * it reads of its own protocol — has no verdict: refused (`engine-l7-not-evaluated`), as `trace` and the test matchers
   * refuse it; ask without the request for the connection's verdict at L4 (`allowed`, with `l7.result` `not-evaluated` and
   * the rules the proxy enforces). A denial stays judged: a side that drops it decides it whatever the request.
   * Likewise every connection `trace` refuses (exit 2) as no claim about Cilium, through the same gate and with the same
   * error (`unjudgedConnectionError`): an end whose policy the agent refuses or does not decide (`engine-policy-refused`,
   * e.g. `toServices` naming a Service not in the inputs), a node given without its labels where a rule reads them and they
   * change the verdict (`engine-node-labels-unknown`), a pod given without its service account where the account changes
   * it (`engine-service-account-unknown`), a DNS lookup the 1.16/1.17 patch release decides (`engine-dns-patch-split`), a
   * connection from a pod whose NetworkPolicy ipBlock-only ingress peer the 1.19 patch release decides (`engine-ip-block-patch-split`), and
   * a DNS name (`fqdn:`) reached through `toFQDNs` whose learning lookup is any of these. Catch the error, or give what is
   * missing (the node's labels, the service account, the patch release, the Service's Endpoints).
   * @throws CiliumPolicyError for a malformed query, one with a field `VerdictQuery` does not declare (`option-unknown`), a
   * packet the cluster's IP families cannot carry (`engine-query`: ICMPv6 or an IPv6 address where `ipFamilies` is IPv4
   * only, the default; ICMP or an IPv4 address where it is IPv6 only), or a connection no verdict on which is Cilium's
   * (`engine-l7-not-evaluated`, `engine-policy-refused`, `engine-node-labels-unknown`, `engine-service-account-unknown`,
   * `engine-dns-patch-split`, `engine-ip-block-patch-split`)
   */
  public verdict(query: VerdictQuery): Verdict {
    const verdict = this._verdict(query);
    const unjudged = unjudgedConnectionError(this, query, REQUEST_ENDS, `PolicySet.verdict() ${verdict.from} → ${verdict.to}: `, { verdict });
    if (unjudged) throw unjudged;
    return verdict;
  }

  /**
   * @internal `verdict()` without its refusal of a connection no verdict on which is Cilium's (`unjudgedConnectionError`):
   * for `trace`, the test matchers and `replay`, which ask the gate after the verdict in their own words, and for the notes
   * the refused verdict carries.
   */
  public _verdict(query: VerdictQuery): Verdict {
    checkQueryFields(query, 'PolicySet.verdict()');
    return this.evaluate(query, false);
  }

  /**
   * The verdict alone: always `verdict(query).verdict`, without the explanation, at the speed of a map lookup once warm.
   * The decision of each side is kept per subject identity and direction, keyed by the peer's identity, protocol and
   * port, as the agent's policy map is; an HTTP, DNS or Kafka request is then judged against the L7 rules kept with an
   * L4 allow. The decisions come from the same code `verdict()` runs, without building the explanation. Use `verdict()`
   * for why. A connection of which neither end is in the cluster is `ALLOWED` with nothing checked, as in `verdict()`.
   * A connection no verdict on which is Cilium's is refused as `verdict()` refuses it; the gate is asked only for a query
   * with a DNS request or an end that may leave it not judged (kept per endpoint), so an ordinary query costs a field read.
   * @throws CiliumPolicyError for a malformed query or a packet the cluster's IP families cannot carry (as `verdict` does),
   * one with a field `VerdictQuery` does not declare (`option-unknown`), or a connection no verdict on which is Cilium's
   * (as `verdict()` throws it, the message naming `PolicySet.decide()`)
   */
  public decide(query: VerdictQuery): VerdictKind {
    checkQueryFields(query, 'PolicySet.decide()');
    const judged = this._judgedDecision(query, 'PolicySet.decide()');
    if (judged instanceof CiliumPolicyError) throw judged;
    return judged;
  }

  /**
   * @internal `decide()` without the check of the query's fields, its refusal (`unjudgedConnectionError`) returned rather
   * than thrown: for the connectivity diff and report, which build their queries themselves and show a connection the gate
   * refuses as not judged, never as allowed or denied (the same gate, the same words as `decide()`).
   * @param call what the refusal's message names before the connection (`PolicySet.decide()`), or nothing
   * @param absent the labels the ends, where they are nodes given without theirs, are known not to carry (the class of the
   * other nodes: `ClassifiedEndpoint.nodeLabelsAbsent`); none when omitted
   */
  public _judgedDecision(query: VerdictQuery, call = '', absent?: EndsAbsentNodeLabels): VerdictKind | CiliumPolicyError {
    const kind = this.decideOrUnjudged(query, true);
    return kind !== UNJUDGED_REQUEST && kind !== ENDS_TO_CHECK ? kind : this.decideGated(query, kind, call, absent);
  }

  /**
   * `decide` where the gate is asked (`ENDS_TO_CHECK`) or the request is not judged (`UNJUDGED_REQUEST`): the rare path.
   * A query the gate let through before between the same ends (`gatePassed`) is let through again: its answer depends on
   * the ends, the L4 part and the request alone. Not with `absent`: a pass that reads what is known of a node's labels
   * holds for no query that does not know it (the records of equal ends are shared).
   */
  private decideGated(query: VerdictQuery, kind: typeof UNJUDGED_REQUEST | typeof ENDS_TO_CHECK, call: string,
    absent: EndsAbsentNodeLabels | undefined): VerdictKind | CiliumPolicyError {
    // An end or the request the gate may refuse, or a request onto L7 rules not evaluated (whose refusal names the side,
    // its rule item and the rules, from the explained verdict).
    const decided = kind === ENDS_TO_CHECK ? this.decideOrUnjudged(query) : kind;
    const passed = decided === UNJUDGED_REQUEST || absent !== undefined ? undefined : this.gatePassed(query);
    if (passed !== undefined && passed.keys.has(passed.key)) return decided as VerdictKind;
    const verdict = decided === UNJUDGED_REQUEST ? this.evaluate(query, false) : undefined;
    const lead = call === '' ? '' : `${call} ${this.endpoints.resolve(query.from).text} → ${this.endpoints.resolve(query.to).text}: `;
    const unjudged = unjudgedConnectionError(this, query, REQUEST_ENDS, lead, verdict && { verdict }, absent);
    if (unjudged) return unjudged;
    if (passed !== undefined) {
      if (passed.keys.size >= MAX_GATE_PASSES) passed.keys.clear();
      passed.keys.add(passed.key);
    }
    return decided === UNJUDGED_REQUEST ? (verdict as Verdict).verdict : decided;
  }

  /**
   * @internal Whether `_judgedDecision` may refuse a query without a request between these ends (`endMayLeaveUnjudged`
   * of either, kept on the end's record): the connectivity diff asks the gate only of the pairs it names.
   */
  public _mayLeaveUnjudged(from: Endpoint, to: Endpoint): boolean {
    return this.endsMayLeaveUnjudged(this.endpoints.record(from), this.endpoints.record(to), { from, to });
  }

  /**
   * `endMayLeaveUnjudged` of either end of a query, or a DNS name (`fqdn:`) as the server of a client that learns names
   * (`_learnsNames`: its learning lookup may be refused), kept on the ends' records, or a client whose connections the
   * unpatched 1.19 may not judge (`ipBlockMaySplit`): the connectivity diff and report ask it of their pairs too.
   */
  private endsMayLeaveUnjudged(from: EndpointRecord, to: EndpointRecord, ends: { readonly from: Endpoint; readonly to: Endpoint }): boolean {
    return (from.mayLeaveUnjudged ??= this.endMayLeaveUnjudged(ends.from)) || (to.mayLeaveUnjudged ??= this.endMayLeaveUnjudged(ends.to))
      || (to.resolved.endpoint.kind === EndpointKind.FQDN && (from.learnsNames ??= this._learnsNames(ends.from))) || this.ipBlockMaySplit(ends.from);
  }

  /**
   * The queries between the ends of `query` the gate (`unjudgedConnectionError`) let through in `decide`, kept per client
   * and server record, and the key of `query` among them: its L4 code (the decision tables' key of its protocol, port and
   * ICMP type), with its request as the L7 memo tells requests apart (`gateRequestKey`); `undefined` for a request that memo
   * does not keep either (headers, a scheme, Kafka, several kinds), which the gate is asked every time.
   */
  private gatePassed(query: VerdictQuery): { readonly keys: Set<number | string>; readonly key: number | string } | undefined {
    const request = gateRequestKey(query);
    if (request === undefined) return undefined;
    let code = fastL4Code(query, this.config.ipFamilies);
    if (code < 0) code = l4Code(l4Query(query, this.config.ipFamilies));
    const byServer = memoOf(this.gatePasses, this.endpoints.record(query.from), () => new WeakMap<EndpointRecord, Set<number | string>>());
    const keys = memoOf(byServer, this.endpoints.record(query.to), () => new Set<number | string>());
    return { keys, key: request === '' ? code : `${code}${request}` };
  }

  /**
   * @internal What `decide()` has built so far (for the engine benchmark: the work of a first pass is per endpoint object,
   * per end resolved, per direction policy and per decision): endpoint objects recorded and ends resolved among them
   * (`EndpointRecords.counts`), the identities among them (`EndpointRecords.identities`), direction policies built (`DirectionPolicyCache.built`), peer identities, tables and
   * decisions kept (`DecisionTables.counts`).
   */
  public get _decideCounts(): DecideCounts {
    const { objects, resolved } = this.endpoints.counts;
    return {
      endpointObjects: objects, endsResolved: resolved, identities: this.endpoints.identities, directionPolicies: this.directionPolicies.built,
      ...this.decisions.counts,
    };
  }

  /**
   * @internal Forgets every decision `decide()` kept (its decision tables, L7 decisions and the queries the gate let
   * through), keeping everything else it built (ends, rule selections, direction policies and their port indexes, DNS
   * learning, agent refusals): the engine benchmark times a pass after it to tell a first pass's decisions from the rest
   * of its work. Decisions stay the same (the tests hold it).
   */
  public _forgetDecisions(): void {
    this.decisions.clearTables();
    this.l7.clear();
    this.gatePasses = new WeakMap();
  }

  /**
   * @internal `decide` without the check of the query's fields (`option-unknown`), for the connectivity diff, which
   * builds its queries itself and judges millions of them: the walk over the keys costs about 20 ns of a warm decision's
   * 70 (tsx, 2 cores). Its queries carry no request; one onto L7 rules not evaluated is `ALLOWED` here, at L4.
   */
  public _decide(query: VerdictQuery): VerdictKind {
    const kind = this.decideOrUnjudged(query);
    return kind === UNJUDGED_REQUEST ? VerdictKind.ALLOWED : kind;
  }

  /**
   * @internal Whether the query's request is allowed at L4 onto L7 rules that did not judge it, decided as `decide`
   * decides it (no explanation): `unjudgedConnectionError` builds the verdict of a DNS name's learning lookup only then.
   */
  public _requestUnjudged(query: VerdictQuery): boolean {
    return this.decideOrUnjudged(query) === UNJUDGED_REQUEST;
  }

  /**
   * The decision of `decide`, or `UNJUDGED_REQUEST` where the query's request is allowed at L4 onto L7 rules that did not
   * judge it (`ALLOWED_L7_NOT_EVALUATED` on a side, and no side refuses it). With `checkEnds`, first `ENDS_TO_CHECK` where
   * the gate may refuse the query whatever its decision: a DNS request (`_dnsPatchSplit`, a denial included) or an end
   * that may leave it not judged (`endMayLeaveUnjudged`, kept on the end's record: a look-up once warm).
   */
  private decideOrUnjudged(query: VerdictQuery): VerdictKind | typeof UNJUDGED_REQUEST;
  private decideOrUnjudged(query: VerdictQuery, checkEnds: true): VerdictKind | typeof UNJUDGED_REQUEST | typeof ENDS_TO_CHECK;
  private decideOrUnjudged(query: VerdictQuery, checkEnds = false): VerdictKind | typeof UNJUDGED_REQUEST | typeof ENDS_TO_CHECK {
    let code = fastL4Code(query, this.config.ipFamilies);
    let l4: L4Query | undefined;
    if (code < 0) {
      l4 = l4Query(query, this.config.ipFamilies);
      code = l4Code(l4);
    }
    const l4Index = this.decisions.l4(code);
    const from = this.endpoints.record(query.from);
    const to = this.endpoints.record(query.to);
    if (checkEnds && (this.endsMayLeaveUnjudged(from, to, query)
      || (query.dns !== undefined && (from.dnsMaySplit ??= this.dnsMaySplit(query.from))))) return ENDS_TO_CHECK;
    const l7 = query.http !== undefined || query.dns !== undefined || query.kafka !== undefined;
    const egress = this.sideDecision('egress', from, to, code, l4Index, l4);
    if (!egress.allowed) return VerdictKind.DENIED;
    const ingress = this.sideDecision('ingress', to, from, code, l4Index, l4);
    if (!ingress.allowed) return VerdictKind.DENIED;
    if (l7 && (egress.l7Rules !== undefined || ingress.l7Rules !== undefined)) {
      const e = this.l7.refine(egress, query, l4, code);
      const i = this.l7.refine(ingress, query, l4, code);
      if (e.decision === 'l7-denied' || i.decision === 'l7-denied') return VerdictKind.L7_DENIED;
      return e === ALLOWED_L7_NOT_EVALUATED || i === ALLOWED_L7_NOT_EVALUATED ? UNJUDGED_REQUEST : VerdictKind.ALLOWED;
    }
    return egress.decision === 'l7-denied' || ingress.decision === 'l7-denied' ? VerdictKind.L7_DENIED : VerdictKind.ALLOWED;
  }

  /**
   * Whether the gate (`unjudgedConnectionError`) may refuse a connection of which `end` is either end for a reason of the
   * end itself: a node given without its labels where some rule may read them (`givenWithoutNodeLabels`, `nodeLabelsRead`,
   * `_nodeLabelsUnknown`), a pod given without its service account where some rule reads the key (`serviceAccountUnknown`,
   * `_serviceAccountUnknown`), an endpoint whose policy the agent refuses (`_agentRefusals`), or a `cidr:`/`fqdn:` end that is a
   * Service's own address or names its cluster DNS name, or a node end given with such an address (`serviceOfServerEnd`, refused
   * as a server, a node on that Service's ports: map look-ups), or a
   * node where a Service's node port or a workload's `hostPort` exists (`isNodeEnd`, `nodePortOwner`: refused as a server on
   * such a port), or a pod's cluster DNS name (`podAddressOfEnd`), or a Node's address (`nodeOfAddressEnd`). Each check is the first of
   * the gate's own. The reasons of a pair of ends and a request are `decideOrUnjudged`'s to ask: a DNS name (`fqdn:`) reached
   * by a client that learns names (`_learnsNames`: its learning lookup is judged with it, `_learningRefusals`,
   * `_learningLookup`), and a DNS request of a client whose lookups may split on the target's patches (`dnsMaySplit`).
   * Without any of them, the gate refuses only a request onto L7 rules not evaluated, which `decide` finds on its way.
   */
  private endMayLeaveUnjudged(end: Endpoint): boolean {
    const resolved = this.endpoints.resolve(end).endpoint;
    return (givenWithoutNodeLabels(resolved) && (this.nodeLabelsRead ??= this.readsNodeLabels()))
      || (this.serviceAccountCandidates().length > 0 && serviceAccountUnknown(resolved)) || this._agentRefusals(end).length > 0
      || serviceOfServerEnd(this.inventory, end) !== undefined || (this.inventory.hasNodePorts && isNodeEnd(end))
      || podAddressOfEnd(end) !== undefined || nodeOfAddressEnd(this.inventory, end) !== undefined;
  }

  /** `nodeLabelsRead`, worked out: the first test of `nodeLabelRules` and of `peerNodeLabelItems` that does not read the ends. */
  private readsNodeLabels(): boolean {
    return this.config.nodeSelectorLabels
      || this.rules.some((r) => r.subjectKind === 'node' && r.imported && nodeSelectorReadsNodeLabels(r.subject, this.config.version));
  }

  /** Whether a DNS lookup of `client` may split on the target's patches: the first test of `_dnsPatchSplit` that does not read the request. */
  private dnsMaySplit(client: Endpoint): boolean {
    const dp = this._directionPolicyOf(client, 'egress');
    return dp !== undefined && defaultAllowL7(dp, this.config.version).dnsPatchUnknown;
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
      view = this.endpoints.peerOf(other.resolved, subject.resolved);
      peer = this.decisions.peerId(view);
      if (other.resolved.endpoint.kind !== 'node') {
        other.peerId = peer;
        other.peerGeneration = this.decisions.generation;
      }
    }
    const table = this.decisions.tableFor(slot, peer);
    const key = decisionKey(peer, l4Index);
    let outcome = this.decisions.get(table, key);
    if (outcome === undefined) {
      const peerView = view ?? this.endpoints.peerOf(other.resolved, subject.resolved);
      outcome = this.outcome(slot.dp, direction, subject.resolved, peerView, l4 ?? l4OfCode(code));
      this.decisions.keep(table, key, outcome);
    }
    return outcome;
  }

  /** A side's decision without its explanation (the decision tables keep it). */
  private outcome(dp: DirectionPolicy, direction: 'ingress' | 'egress', subject: ResolvedEndpoint, peer: PeerView, l4: L4Query): SideOutcome {
    const input = this.sideInput(direction, subject, peer, { l4 }, LearnMode.FAST);
    return !dp.allowIndex || !dp.denyIndex ? sideOutcome(dp, dp.allow, dp.deny, input)
      : sideOutcomeOfLists(dp, dp.allowIndex.candidateLists(l4), dp.denyIndex.candidateLists(l4), input);
  }

  /** Attaches the decision slot of a subject in one direction (`null` when policy does not apply to it). */
  private attach(subject: EndpointRecord, direction: 'ingress' | 'egress'): DecisionSlot | null {
    const dp = subject.resolved.subject === undefined ? undefined : this.directionPolicies.get(subject.resolved, direction);
    const slot = dp ? this.decisions.slot(subject.resolved, dp) : null;
    if (direction === 'egress') subject.egress = slot;
    else subject.ingress = slot;
    return slot;
  }

  /** @internal Every compiled rule, in input order (the connectivity diff reads their selectors and ports). */
  public get _compiledRules(): readonly CompiledRule[] {
    return this.rules;
  }

  /** @internal The engine configuration in effect. */
  public get _engineConfig(): EngineConfig {
    return this.config;
  }

  /** @internal The DNS server the pods look names up at (`PolicySetOptions.dnsServer`): whose ingress `toFQDNs` learning reads. */
  public get _dnsServer(): Endpoint {
    return this.dnsServer;
  }

  /** @internal The (cached) policy of an endpoint in one direction; `undefined` where policy does not apply. */
  public _directionPolicyOf(endpoint: Endpoint, direction: 'ingress' | 'egress'): DirectionPolicy | undefined {
    return this.directionPolicies.get(this.endpoints.resolve(endpoint), direction);
  }

  /**
   * @internal Whether the policies can drop some traffic of an endpoint in one direction (`directionCanDrop`: default deny,
   * a deny rule, authentication, restricting L7 rules); `false` where policy does not apply. With `earlyPatches` false, DNS
   * rules of a direction without default deny on 1.16/1.17 do not count when the target names no patch: they restrict
   * before #38841's backports only (`DNS_DEFAULT_ALLOW_PATCH_SPLIT`); with a patch level they count where they restrict.
   */
  public _canDrop(endpoint: Endpoint, direction: 'ingress' | 'egress', earlyPatches = true): boolean {
    const dp = this._directionPolicyOf(endpoint, direction);
    return dp !== undefined && directionCanDrop(dp, this.config, earlyPatches);
  }

  /**
   * @internal The merge errors for which the agent refuses to compute the endpoint's policy (`agentRefusals`: two L7
   * parsers or two authentication modes on one filter), and the HTTP regexes for which cilium-envoy refuses its L7 policy
   * (certainly too large); empty when it computes it, or where policy does not apply.
   */
  public _agentRefusals(endpoint: Endpoint): readonly AgentRefusal[] {
    const subject = this.endpoints.resolve(endpoint);
    let refusals = this.refusals.get(subject);
    if (refusals === undefined) {
      // The selecting rules of its direction policies, without building one (the gate asks this of every end).
      const selecting = this.directionPolicies.selecting(subject);
      refusals = selecting === undefined ? []
        : agentRefusals(selecting, this.config.version, this._redirectNamedPorts(subject), subject.labels.get('k8s', NAMESPACE_KEY) ?? '');
      this.refusals.set(subject, refusals);
    }
    return refusals;
  }

  /**
   * @internal Why no verdict on the connection of `query` holds for every node, at the side of `direction` (its subject is
   * `query.from` on egress, `query.to` on ingress), with the fix: when the subject is a host endpoint given without its node's
   * labels (`entity:host`, `entity:remote-node`, `entity:kube-apiserver` on a node, `node:@ip`) and a host rule of that
   * direction selects nodes by their labels (`nodeLabelRules`), or the other end is a node given without its labels and an item
   * of the subject's policy in `direction` selects nodes by them (`peerNodeLabelItems`: `fromNodes`/`toNodes` with per-node
   * labels on); and the side's decision on this query is not the same whichever of them select the node
   * (`decidesAlikeOnEveryNode`). `undefined` otherwise. `end` says which end is the node. `trace`, the test matchers and the
   * public verdicts refuse such a connection and `replay` leaves it not judged; the refused verdict notes it on the side.
   * With `absent`, a rule that reads only labels an end is known not to carry is judged as on such a node.
   * @throws CiliumPolicyError for a malformed query, as `verdict()` does
   */
  public _nodeLabelsUnknown(query: VerdictQuery, direction: 'ingress' | 'egress', absent?: EndsAbsentNodeLabels): UnknownEnd | undefined {
    const [endpoint, peer] = direction === 'egress' ? [query.from, query.to] : [query.to, query.from];
    const known = { subject: direction === 'egress' ? absent?.from : absent?.to, other: direction === 'egress' ? absent?.to : absent?.from };
    // The ends as read once and resolved (a getter's second answer is not judged, `EndpointRecords.record`).
    const subject = this.endpoints.resolve(endpoint);
    const other = this.endpoints.resolve(peer);
    // Neither end a node given without its labels: no rule reads what the query does not say (`nodeLabelsSide`).
    if (subject.subject === undefined || (!givenWithoutNodeLabels(subject.endpoint) && !givenWithoutNodeLabels(other.endpoint))) return undefined;
    const l4 = l4Query(query, this.config.ipFamilies);
    const dp = this.directionPolicies.get(subject, direction);
    const view = this.endpoints.peerOf(other, subject);
    const side = dp === undefined ? undefined : this.nodeLabelsSide(dp, direction, subject, other,
      this.sideInput(direction, subject, view, sideQueryOf(query, l4), LearnMode.EXPLAINED), false, known);
    if (side === undefined || side.alike !== undefined) return undefined;
    return side.rules.length > 0
      ? { message: nodeLabelsUnknownText(side.rules, subject, direction, false), fix: nodeLabelsFix(subject.endpoint.entity), end: 'subject' }
      : { message: peerNodeLabelsUnknownText(side.items, subject, other, direction, false), fix: nodeLabelsFix(other.endpoint.entity), end: 'peer' };
  }

  /**
   * The rules that read the labels of a node given without them at one side (`nodeLabelRules` where the subject is such a
   * node, else `peerNodeLabelItems` where the other end is), and whether the side decides alike on every node
   * (`decidesAlikeOnEveryNode`: `alike` is the number of combinations decided, `undefined` when they differ); `undefined`
   * when no rule reads them. The one source of `_nodeLabelsUnknown` and of the verdict's note. `known`: the labels the
   * subject and the other end are known not to carry (`AbsentNodeLabels`).
   */
  private nodeLabelsSide(dp: DirectionPolicy, direction: 'ingress' | 'egress', subject: ResolvedEndpoint, other: ResolvedEndpoint, input: SideInput,
    naive: boolean, known: KnownSideNodeLabels = {}): NodeLabelsSide | undefined {
    // Neither end a node given without its labels: no rule reads what the query does not say (`nodeLabelRules` and
    // `peerNodeLabelItems` are empty), so no side of an ordinary query is keyed and kept.
    if (!givenWithoutNodeLabels(subject.endpoint) && !givenWithoutNodeLabels(other.endpoint)) return undefined;
    if (naive) return this.decideNodeLabelsSide(dp, direction, subject, other, input, known);
    let byOther = this.nodeLabelSides.get(subject);
    if (byOther === undefined) {
      byOther = new WeakMap();
      this.nodeLabelSides.set(subject, byOther);
    }
    let byQuery = byOther.get(other);
    if (byQuery === undefined) {
      byQuery = new Map();
      byOther.set(other, byQuery);
    }
    const knownKey = known.subject === undefined && known.other === undefined ? ''
      : ` ${JSON.stringify([[...known.subject ?? []].sort(), [...known.other ?? []].sort()])}`;
    const key = `${direction} ${JSON.stringify(input.query)}${knownKey}`;
    if (byQuery.has(key)) return byQuery.get(key);
    const side = this.decideNodeLabelsSide(dp, direction, subject, other, input, known);
    byQuery.set(key, side);
    return side;
  }

  /** `nodeLabelsSide`, decided. */
  private decideNodeLabelsSide(dp: DirectionPolicy, direction: 'ingress' | 'egress', subject: ResolvedEndpoint, other: ResolvedEndpoint,
    input: SideInput, known: KnownSideNodeLabels): NodeLabelsSide | undefined {
    const rules = nodeLabelRules(this.rules, subject, direction, this.config.version, this.config.policyEnforcement, known.subject);
    const items = rules.length === 0 ? peerNodeLabelItems(dp, other, input.peer, this.config.nodeSelectorLabels, known.other) : [];
    if (rules.length === 0 && items.length === 0) return undefined;
    const selection = rules.length > 0 ? selectRules(this.rules, dp.subjectKind, subject.labels, this.config.policyEnforcement) : undefined;
    const alike = decidesAlikeOnEveryNode({
      rules: this.rules, dp, selection, hostRules: rules, other, nodeSelectorLabels: this.config.nodeSelectorLabels, input,
      ...(known.other !== undefined ? { absent: known.other } : {}),
    });
    return { rules, items, alike };
  }

  /**
   * @internal Why no verdict on the connection of `query` holds for every service account a pod end given without one may
   * run as, at the side of `direction` (its subject is `query.from` on egress, `query.to` on ingress), with the fix
   * (`serviceAccountSide`); `undefined` when the side decides alike under each (or no end is such a pod, or no rule reads
   * the key). `end` says which end is named first. `trace`, the test matchers and the public verdicts refuse such a
   * connection and `replay` leaves it not judged (`engine-service-account-unknown`); the refused verdict notes it on the side.
   * @throws CiliumPolicyError for a malformed query, as `verdict()` does
   */
  public _serviceAccountUnknown(query: VerdictQuery, direction: 'ingress' | 'egress'): UnknownEnd | undefined {
    const [endpoint, peer] = direction === 'egress' ? [query.from, query.to] : [query.to, query.from];
    const subject = this.endpoints.resolve(endpoint);
    const other = this.endpoints.resolve(peer);
    // No rule reads the key (the cheap check, before the ends' labels): no end's account matters.
    if (this.serviceAccountCandidates().length === 0) return undefined;
    if (!serviceAccountUnknown(subject.endpoint) && !serviceAccountUnknown(other.endpoint)) return undefined;
    const side = this.serviceAccountSide(direction, subject, other, sideQueryOf(query, l4Query(query, this.config.ipFamilies)), false);
    if (side === undefined || side.alike) return undefined;
    const ends = side.ends.map((e) => e.end.text);
    return {
      message: serviceAccountUnknownText(ends, subject.text, direction, side.rules, side.cases),
      fix: serviceAccountFix(ends[0]),
      end: side.ends[0].role,
    };
  }

  /**
   * Whether one side decides alike for every service account a pod end given without one (`serviceAccountUnknown`) may
   * run as (`serviceAccountCandidates`): each such end resolved under each candidate (both ends: each pair), the side
   * decided as the verdict decides it, and the decisions compared (`decisionSignature`); `undefined` when no end is such a
   * pod or no rule reads the key. The one source of `_serviceAccountUnknown` and of the verdict's note; kept per subject,
   * other end, direction and side query (compiled mode).
   */
  private serviceAccountSide(direction: 'ingress' | 'egress', subject: ResolvedEndpoint, other: ResolvedEndpoint, query: SideQuery,
    naive: boolean): ServiceAccountSide | undefined {
    // The cheap check first: the candidates are worked out once per set, the ends' labels read per query.
    const candidates = this.serviceAccountCandidates();
    if (candidates.length === 0) return undefined;
    const subjectUnknown = serviceAccountUnknown(subject.endpoint);
    const otherUnknown = serviceAccountUnknown(other.endpoint);
    if (!subjectUnknown && !otherUnknown) return undefined;
    const key = `${direction} ${JSON.stringify(query)}`;
    const byQuery = naive ? undefined : memoOf(memoOf(this.serviceAccountSides, subject, () => new WeakMap()), other, () => new Map());
    if (byQuery?.has(key)) return byQuery.get(key);
    const ends: readonly SideEnd[] = [...(subjectUnknown ? [{ end: subject, role: 'subject' as const }] : []),
      ...(otherUnknown ? [{ end: other, role: 'peer' as const }] : [])];
    const cases = candidates.length ** ends.length;
    const side = cases > MAX_SERVICE_ACCOUNT_CASES ? { ends, rules: this.rules.filter(ruleReadsServiceAccount), cases, alike: false }
      : this.decideServiceAccountSide(direction, subject, other, query, naive,
        { subject: subjectUnknown ? candidates : [undefined], other: otherUnknown ? candidates : [undefined] }, ends);
    byQuery?.set(key, side);
    return side;
  }

  /** The accounts a pod given without one may run as (`serviceAccountCandidates`), worked out once per set. */
  private serviceAccountCandidates(): readonly string[] {
    return this.accountCandidates ??= serviceAccountCandidates(this.rules);
  }

  /** `serviceAccountSide`, decided: each account of the subject's list with each of the other end's (`undefined`: as given). */
  private decideServiceAccountSide(direction: 'ingress' | 'egress', subject: ResolvedEndpoint, other: ResolvedEndpoint, query: SideQuery,
    naive: boolean, accounts: { readonly subject: readonly (string | undefined)[]; readonly other: readonly (string | undefined)[] },
    ends: readonly SideEnd[]): ServiceAccountSide {
    const { subject: subjectAccounts, other: otherAccounts } = accounts;
    const as = (end: ResolvedEndpoint, account: string | undefined): ResolvedEndpoint => (account === undefined ? end
      : this.endpoints.resolve({ ...end.endpoint, serviceAccount: account }));
    const rules = new Set<CompiledRule>();
    // The decisions, a row per account of the subject, a column per account of the other end.
    const grid: string[][] = [];
    // The other end under each of its accounts, resolved once for every row.
    const others = otherAccounts.map((oa) => as(other, oa));
    for (const sa of subjectAccounts) {
      const row: string[] = [];
      grid.push(row);
      const s = as(subject, sa);
      const dp = s.subject === undefined ? undefined
        : naive ? buildDirectionPolicy(this.rules, s.subject, s.labels, direction, this.config.policyEnforcement)
          : this.directionPolicies.get(s, direction);
      dp?.selecting.filter(ruleReadsServiceAccount).forEach((r) => rules.add(r));
      for (const o of others) {
        const mode = naive ? LearnMode.NAIVE : LearnMode.EXPLAINED;
        const input = dp === undefined ? undefined : this.sideInput(direction, s, this.endpoints.peerOf(o, s), query, mode);
        const signature = dp === undefined || input === undefined ? 'not evaluated' : decisionSignature(decideSide(dp, dp.allow, dp.deny, input));
        row.push(signature);
      }
    }
    // An end is named when its account changes the decision with the other's fixed: a column (subject) or a row (other end) that differs.
    const subjectMatters = otherAccounts.some((_, j) => grid.some((row) => row[j] !== grid[0][j]));
    const otherMatters = grid.some((row) => row.some((s) => s !== row[0]));
    const alike = !subjectMatters && !otherMatters;
    // By role, not by identity: a pod's connection to itself has the one resolved endpoint at both ends.
    const named = alike ? ends : ends.filter((e) => (e.role === 'subject' ? subjectMatters : otherMatters));
    return { ends: named, rules: [...rules], cases: subjectAccounts.length * otherAccounts.length, alike };
  }

  /** @internal The named ports the redirects of `subject` resolve on: its own on ingress, the cluster's on egress (`egressNamedPorts`). */
  public _redirectNamedPorts(subject: ResolvedEndpoint): RedirectNamedPorts {
    return { ingress: subject.ports, egress: egressNamedPorts(this.config.inventory, []).ports };
  }

  /**
   * @internal The merge errors for which the agent refuses the policy of the DNS server (`_dnsServer`), for a connection
   * from `client` to a DNS name (`fqdn:`) when the client's egress has `toFQDNs` items (`_learnsNames`); empty otherwise.
   * `toFQDNs` selects a name only once the client's DNS proxy has learned it from the server's answer, and the proxy
   * forwards the lookup as the client, so the server's ingress decides (`learningRefusalText`): no verdict on the
   * connection is what the agent enforces.
   */
  public _learningRefusals(client: Endpoint, name: Endpoint): readonly AgentRefusal[] {
    return name.kind === EndpointKind.FQDN && this._learnsNames(client) ? this._agentRefusals(this.dnsServer) : [];
  }

  /**
   * @internal Why no verdict on the DNS lookup `query` (its `dns` name) is what Cilium enforces on every patch of the target
   * version, as words that follow the client's name, with the fix (`DNS_DEFAULT_ALLOW_PATCH_SPLIT`): the target is 1.16 or
   * 1.17 without a patch level, no selecting policy puts the client's egress into default deny (`DefaultAllowL7.dnsPatchUnknown`),
   * and its DNS rules do not list the name, which the DNS proxy refuses before #38841's backports and allows from them;
   * `undefined` otherwise (with a patch level the engine judges it). `trace` and the test matchers refuse such a lookup
   * (`unjudgedConnectionError`), `replay` leaves it not judged.
   */
  public _dnsPatchSplit(query: VerdictQuery): { readonly message: string; readonly fix: string } | undefined {
    if (query.dns === undefined) return undefined;
    const dp = this._directionPolicyOf(query.from, 'egress');
    if (dp === undefined || !defaultAllowL7(dp, this.config.version).dnsPatchUnknown) return undefined;
    const { egress, ingress } = this._verdict(query);
    if (egress.decision !== SideDecision.L7_DENIED || egress.l7?.protocol !== L7Protocol.DNS) return undefined;
    // The server's ingress drops the lookup on every patch: the patches do not differ on it.
    if (!ingress.allowed) return undefined;
    return {
      message: `looks up ${query.dns}: no policy selecting it enables default deny on egress, and `
        + `${DNS_DEFAULT_ALLOW_PATCH_SPLIT}; the target version ${this.config.version} names no patch, so this lookup is not judged`,
      fix: dnsDefaultAllowPatchFix(this.config.version),
    };
  }

  /**
   * @internal Why no verdict on `query` is what Cilium enforces on every 1.19 patch, as words that follow the client's name,
   * with the fix: the target is 1.19 without a patch level, the cluster filter is on, the client is a pod of the namespace of
   * a NetworkPolicy with an ingress peer of only an ipBlock (`ipBlockPeerSelectsNamespace`), and the verdict for
   * 1.19.0-1.19.4, where that peer also selects the namespace's pods, differs from the one for 1.19.5 and later;
   * `undefined` otherwise (with a patch level the engine judges it). `trace` and the test matchers refuse such a connection
   * (`unjudgedConnectionError`), `replay` leaves it not judged.
   */
  public _ipBlockPatchSplit(query: VerdictQuery): { readonly message: string; readonly fix: string } | undefined {
    if (!this.ipBlockMaySplit(query.from)) return undefined;
    const namespace = query.from.namespace ?? 'default';
    this.ipBlockWidened ??= this.rebuild({ ciliumVersion: NP_IP_BLOCK_LAST_WIDENED });
    const widened = this.ipBlockWidened._verdict(query).verdict;
    const fixed = this._verdict(query).verdict;
    if (widened === fixed) return undefined;
    return {
      message: `is a pod of namespace ${namespace}, where a NetworkPolicy has an ingress peer of only an ipBlock: ${ipBlockPeerSplitText(namespace)}; `
        + `the verdict is ${widened.toUpperCase()} on 1.19.0-${NP_IP_BLOCK_LAST_WIDENED.release} and ${fixed.toUpperCase()} from ${NP_IP_BLOCK_FIXED.release}, `
        + `and the target version ${this.config.version} names no patch, so this connection is not judged`,
      fix: `give the patch release the cluster runs (e.g. --cilium-version ${NP_IP_BLOCK_FIXED.release} or CiliumVersion.parse('${NP_IP_BLOCK_FIXED.release}')) `
        + 'to judge for that patch, or --policy-default-local-cluster false (policyDefaultLocalCluster: false) if the agents run without the cluster '
        + 'filter; or make every patch alike: allow the pods of the namespace in a peer of their own (podSelector), or run 1.19.5 or later',
    };
  }

  /** Whether `client` is a pod of a namespace `_ipBlockPatchSplit` reads: the first test of it that does not judge the query. */
  private ipBlockMaySplit(client: Endpoint): boolean {
    return this.ipBlockSplitNamespaces.length > 0 && client.kind === EndpointKind.POD
      && this.ipBlockSplitNamespaces.includes(client.namespace ?? 'default');
  }

  /**
   * @internal The DNS lookup through which `client`'s DNS proxy learns the name of `name` (an `fqdn:` end) for its
   * `toFQDNs` items (`_learnsNames`): the name at the DNS server (`_dnsServer`) on 53/UDP, the query `learn` judges;
   * `undefined` when `name` is no DNS name or the client learns none.
   */
  public _learningLookup(client: Endpoint, name: Endpoint): VerdictQuery | undefined {
    return name.kind === EndpointKind.FQDN && name.name !== undefined && this._learnsNames(client) ? this.lookupQuery(client, name.name) : undefined;
  }

  /** The lookup of `name` (without its trailing dot) by `client` at the DNS server: the one query of DNS learning. */
  private lookupQuery(client: Endpoint, name: string): VerdictQuery {
    return { from: client, to: this.dnsServer, protocol: 'UDP', port: 53, dns: name.replace(/\.$/, '') };
  }

  /** @internal Whether the egress policy of `client` has `toFQDNs` items (its verdicts on DNS names read its DNS learning). */
  public _learnsNames(client: Endpoint): boolean {
    return this._directionPolicyOf(client, 'egress')?.allow.some((item) => item.peer.kind === 'fqdns') === true;
  }

  /**
   * The egress side with a note when the verdict is on a DNS name the client's `toFQDNs` rules learn at a DNS server
   * whose policy the agent refuses (`_learningRefusals`): whether `toFQDNs` selects the name is not known.
   */
  private withLearningNote(egress: SideVerdict, from: ResolvedEndpoint, to: ResolvedEndpoint): SideVerdict {
    if (to.endpoint.kind !== EndpointKind.FQDN) return egress;
    const refusals = this._learningRefusals(from.endpoint, to.endpoint);
    if (refusals.length === 0) return egress;
    const r = refusals[0];
    const reasons = refusalsText(refusals, describeItem);
    const note = `${learningRefusalText(formatEndpoint(this.dnsServer), reasons, r)}: this verdict is not what the agent enforces; ${agentRefusalFix(r)}`;
    return { ...egress, notes: [...egress.notes, note] };
  }

  /**
   * The same verdict, computed by walking every rule of every policy (no per-identity cache, no port index). A connection
   * no verdict on which is Cilium's is refused as `verdict()` refuses it.
   * @throws CiliumPolicyError as `verdict()` does, among them a connection no verdict on which is Cilium's
   * (`engine-l7-not-evaluated`, `engine-policy-refused`, `engine-node-labels-unknown`, `engine-service-account-unknown`,
   * `engine-dns-patch-split`, `engine-ip-block-patch-split`)
   */
  public evaluateNaive(query: VerdictQuery): Verdict {
    const verdict = this._evaluateNaive(query);
    const unjudged = unjudgedConnectionError(this, query, REQUEST_ENDS, `PolicySet.evaluateNaive() ${verdict.from} → ${verdict.to}: `, { verdict });
    if (unjudged) throw unjudged;
    return verdict;
  }

  /** @internal `evaluateNaive` without its refusal (`unjudgedConnectionError`): for the tests, beside `_verdict`. */
  public _evaluateNaive(query: VerdictQuery): Verdict {
    checkQueryFields(query, 'PolicySet.evaluateNaive()');
    return this.evaluate(query, true);
  }

  /** The number of rules (`spec`/`specs[]` entries) in the set, including those the agent would not import. */
  public get ruleCount(): number {
    return this.rules.length;
  }

  /** The rules the agent would not import, with the reason. */
  public get skippedRules(): SkippedRule[] {
    return skippedRulesOf(this.rules);
  }

  /** What a side's decision reads besides the direction policy. */
  private sideInput(direction: 'ingress' | 'egress', subject: ResolvedEndpoint, peer: PeerView, query: SideQuery, mode: LearnMode): SideInput {
    return {
      subject: subject.text,
      peer,
      destinationPorts: direction === 'ingress' ? subject.ports : peer.ports,
      subjectPorts: subject.ports,
      query,
      subjectNamespace: subject.labels.get('k8s', NAMESPACE_KEY) ?? '',
      config: this.config,
      learn: mode === LearnMode.FAST ? (name: string): DnsLearning => this.learnable(subject, name)
        : (name: string): DnsLearning => this.learn(subject, name, mode === LearnMode.NAIVE),
    };
  }

  /**
   * Whether `client`'s DNS proxy learns `name` (for `toFQDNs`): the verdict on its lookup of the name at its DNS server,
   * the same verdict `trace --dns` gives (`dnsLearning`).
   */
  private learn(client: ResolvedEndpoint, name: string, naive: boolean): DnsLearning {
    const bare = name.replace(/\.$/, '');
    const key = learnKey(client, bare);
    const known = naive ? undefined : this.learned.get(key);
    if (known) return known;
    const lookup = this.evaluate(this.lookupQuery(client.endpoint, bare), naive);
    const result = dnsLearning(lookup);
    if (!naive) this.learned.set(key, result);
    return result;
  }

  /**
   * `learn` without the explanation (`decide`): the lookup's two sides decided as `decide` decides them, without the
   * decision tables (a lookup judged in the middle of another decision must not start them over), once per client
   * identity; then the name against their DNS rules, once per name.
   */
  private learnable(client: ResolvedEndpoint, name: string): DnsLearning {
    const bare = name.endsWith('.') ? name.slice(0, -1) : name;
    const sides = this.lookupSidesOf.get(client) ?? this.lookupSides(client);
    const known = sides.names.get(bare);
    if (known) return known;
    const learnable = dnsLearnable(sides.egress, () => this.lookupIngress(sides), { l4: DNS_LOOKUP, dns: bare }, this.config);
    const result = learnable ? LEARNABLE : NOT_LEARNABLE;
    sides.names.set(bare, result);
    return result;
  }

  /**
   * The two sides of a client's lookup at its DNS server, once per client identity (the ingress side on first use), kept
   * per resolved client too (`lookupSidesOf`: a look-up on `learnable`'s way, which every `toFQDNs` candidate asks).
   */
  private lookupSides(client: ResolvedEndpoint): DnsLookupSides {
    const sides = this.identityLookupSides(client);
    this.lookupSidesOf.set(client, sides);
    return sides;
  }

  /** `lookupSides` per client identity (its label set, subject kind and node). */
  private identityLookupSides(client: ResolvedEndpoint): DnsLookupSides {
    let byClient = this.learnedFast.get(client.labels);
    if (byClient === undefined) {
      byClient = new Map();
      this.learnedFast.set(client.labels, byClient);
    }
    const clientKey = `${client.subject ?? ''}|${client.endpoint.nodeName ?? ''}`;
    let sides = byClient.get(clientKey);
    if (sides === undefined) {
      const server = this.endpoints.resolve(this.dnsServer);
      const dp = client.subject === undefined ? undefined : this.directionPolicies.get(client, 'egress');
      const egress = dp ? this.outcome(dp, 'egress', client, this.endpoints.peerOf(server, client), DNS_LOOKUP) : NOT_EVALUATED;
      sides = { client, server, egress, names: new Map() };
      byClient.set(clientKey, sides);
    }
    return sides;
  }

  /**
   * @internal A client's DNS learning as `decide()` reads it: the two sides of its lookup at the DNS server (decided once,
   * without the name), and whether its proxy learns a name (`dnsLearnable` on them). The connectivity diff groups clients
   * by the two sides and asks per name only for a group.
   */
  public _dnsLookup(client: Endpoint): { readonly egress: SideOutcome; readonly ingress: SideOutcome; learns(name: string): boolean } {
    const sides = this.lookupSides(this.endpoints.resolve(client));
    const ingress = this.lookupIngress(sides);
    return {
      egress: sides.egress,
      ingress,
      learns: (name) => this.learnable(sides.client, name) === LEARNABLE,
    };
  }

  /** The DNS server's ingress decision on a client's lookups (computed on first use). */
  private lookupIngress(sides: DnsLookupSides): SideOutcome {
    if (sides.ingress === undefined) {
      const { client, server } = sides;
      const dp = server.subject === undefined ? undefined : this.directionPolicies.get(server, 'ingress');
      sides.ingress = dp ? this.outcome(dp, 'ingress', server, this.endpoints.peerOf(client, server), DNS_LOOKUP) : NOT_EVALUATED;
    }
    return sides.ingress;
  }

  private evaluate(query: VerdictQuery, naive: boolean): Verdict {
    const l4 = l4Query(query, this.config.ipFamilies);
    const from = this.endpoints.resolve(query.from);
    const to = this.endpoints.resolve(query.to);
    const sideQuery = sideQueryOf(query, l4);
    const side = (direction: 'ingress' | 'egress', subject: ResolvedEndpoint, other: ResolvedEndpoint): SideVerdict => {
      if (subject.subject === undefined) return notEvaluated(direction, subject.text, subject.unmanagedReason ?? 'not a Cilium endpoint');
      const dp = naive
        ? buildDirectionPolicy(this.rules, subject.subject, subject.labels, direction, this.config.policyEnforcement)
        : this.directionPolicies.get(subject, direction);
      if (!dp) return notEvaluated(direction, subject.text, 'not a Cilium endpoint');
      const peer = this.endpoints.peerOf(other, subject);
      const input = this.sideInput(direction, subject, peer, sideQuery, naive ? LearnMode.NAIVE : LearnMode.EXPLAINED);
      const decided = naive || !dp.allowIndex || !dp.denyIndex ? decideSide(dp, dp.allow, dp.deny, input)
        : decideSide(dp, dp.allowIndex.candidates(l4), dp.denyIndex.candidates(l4), input);
      const noted = withServiceAccountNote(withRemoteNodeNote(withDroppedLabelNotes(decided, subject, other, peer, this.config, this.selectorKeys),
        subject, other, peer), this.serviceAccountSide(direction, subject, other, sideQuery, naive), subject, direction);
      const unknown = this.nodeLabelsSide(dp, direction, subject, other, input, naive);
      if (unknown === undefined) return noted;
      const alike = unknown.alike !== undefined;
      const why = unknown.rules.length > 0 ? nodeLabelsUnknownText(unknown.rules, subject, direction, alike)
        : peerNodeLabelsUnknownText(unknown.items, subject, other, direction, alike);
      const node = unknown.rules.length > 0 ? subject : other;
      const note = alike ? `${why} (${unknown.alike} combinations decided)` : `${why}: this is the verdict of a node without labels; fix: ${nodeLabelsFix(node.endpoint.entity)}`;
      return { ...noted, notes: [...noted.notes, note] };
    };
    const egress = this.withLearningNote(side('egress', from, to), from, to);
    const ingress = side('ingress', to, from);
    const dropped = !egress.allowed || !ingress.allowed;
    const l7 = egress.decision === 'l7-denied' || ingress.decision === 'l7-denied';
    const verdict: VerdictKind = dropped ? VerdictKind.DENIED : l7 ? VerdictKind.L7_DENIED : VerdictKind.ALLOWED;
    const connection = connectionText(l4);
    const request = requestText(query);
    const allowed = verdict === VerdictKind.ALLOWED;
    const summary = verdictSummary(verdict, from.text, to.text, connection, request, [egress, ingress], query.kafka?.apiKey);
    const ciliumVersion = this.config.version.release;
    // Two literals, not `{ …, ...(request ? { request } : {}), … }`: on Node 20 a spread among an object literal's
    // properties costs microseconds per verdict (the object gets a map of its own). The keys in the same order.
    return request
      ? { verdict, allowed, summary, from: from.text, to: to.text, connection, request, ciliumVersion, egress, ingress }
      : { verdict, allowed, summary, from: from.text, to: to.text, connection, ciliumVersion, egress, ingress };
  }
}

/** The rules that read the labels of a node given without them at one side, and whether it decides alike on every node (`nodeLabelsSide`). */
/** The labels the subject and the other end of one side, nodes given without theirs, are known not to carry. */
interface KnownSideNodeLabels {
  readonly subject?: AbsentNodeLabels;
  readonly other?: AbsentNodeLabels;
}

interface NodeLabelsSide {
  readonly rules: readonly CompiledRule[];
  readonly items: readonly CompiledItem[];
  readonly alike: number | undefined;
}

/** The pod ends of a side given without a service account, the rules reading it, and whether the side decides alike (`serviceAccountSide`). */
/** An end of a side, and whether it is the side's subject or its peer. */
interface SideEnd {
  readonly end: ResolvedEndpoint;
  readonly role: 'subject' | 'peer';
}

interface ServiceAccountSide {
  /** The ends given without one (the subject first). */
  readonly ends: readonly SideEnd[];
  /** The rules that select the subject under some account and read the key. */
  readonly rules: readonly CompiledRule[];
  /** The number of accounts (or pairs of accounts, both ends given without one) to decide. */
  readonly cases: number;
  /** Whether every case decides the side alike (never past `MAX_SERVICE_ACCOUNT_CASES`). */
  readonly alike: boolean;
}

/**
 * The side verdict with a note when a pod end given without its service account is judged as `default` while the side
 * does not decide alike for every account it may run as (`serviceAccountSide`); as it is when they decide alike.
 */
function withServiceAccountNote(side: SideVerdict, sa: ServiceAccountSide | undefined, subject: ResolvedEndpoint, direction: 'ingress' | 'egress'): SideVerdict {
  if (sa === undefined || sa.alike) return side;
  const ends = sa.ends.map((e) => e.end.text);
  const note = `${serviceAccountUnknownText(ends, subject.text, direction, sa.rules, sa.cases)}: this is the verdict of `
    + `${ends.length === 1 ? 'a pod' : 'pods'} running as ${DEFAULT_SERVICE_ACCOUNT}, not a claim about ${ends.length === 1 ? 'it' : 'them'}; fix: ${serviceAccountFix(ends[0])}`;
  return { ...side, notes: [...side.notes, note] };
}

/**
 * The side verdict with a note for each end whose labels Cilium leaves out of its identity (`ResolvedEndpoint.droppedLabels`)
 * when a selector of the policies names their key: no selector sees them; and for a peer given by an IPv4-mapped IPv6
 * address (`ResolvedEndpoint.mappedAddress`), judged as the IPv4 address it stands for.
 * @param named whether a selector of the policy set names a label key
 */
function withDroppedLabelNotes(side: SideVerdict, subject: ResolvedEndpoint, other: ResolvedEndpoint, peer: PeerView,
  config: EngineConfig, named: (key: string) => boolean): SideVerdict {
  const version = config.version;
  // A node is filtered as the host endpoint: as a peer, only where it is the subject's local host (remote nodes keep theirs).
  const ends = other.endpoint.kind !== 'node' || peer.localHost ? [subject, other] : [subject];
  let notes: string[] | undefined;
  for (const end of ends) {
    const dropped = (end.droppedLabels ?? []).filter((l) => named(l.key)).map(formatLabel).sort();
    if (dropped.length === 0) continue;
    const one = dropped.length === 1;
    (notes ??= [...side.notes]).push(`${dropped.join(', ')} ${one ? 'is' : 'are'} not in the identity of ${end.text}: Cilium ${version} leaves `
      + `${one ? 'it' : 'them'} out (its default identity-relevant labels, the agent's labels option), so no selector sees ${one ? 'it' : 'them'}`);
  }
  if (other.mappedAddress !== undefined) (notes ??= [...side.notes]).push(mappedAddressNote(other.mappedAddress, config));
  return notes === undefined ? side : { ...side, notes };
}

/**
 * The note on a peer given by an IPv4-mapped address: judged as the IPv4 address its packets carry, policy being enforced
 * on those IPv4 packets (bpf_lxc.c), so IPv4 rules decide it; `toCIDR` of the mapped /128 never selects it, a CIDR set
 * of it does on 1.14-1.16 (`cidrSetUnmaps`). In an IPv6-only cluster no such packet exists (a pod has no IPv4 address or
 * route; bpf_sock.c translates a mapped connect, `sock6_xlate_v4_in_v6`, only under `ENABLE_IPV4`): the query is refused
 * before any note (`l4Query`, as for `cidr:8.8.8.8`).
 */
function mappedAddressNote(mapped: string, config: EngineConfig): string {
  const ipv4 = unmappedText(mapped);
  // The /128 in hexadecimal, as every CRD takes it (the 1.14/1.15 pattern refuses `::ffff:8.8.8.8/128`).
  const cidr = `${formatIp({ family: 6, network: parseIp(mapped)?.value ?? 0n })}/128`;
  const set = cidrSetUnmaps(config.version) ? `, while a toCIDRSet of it does here (Cilium ${config.version} writes that entry as ${ipv4}/32)`
    : ', nor (from Cilium 1.17) a toCIDRSet of it';
  return `${mapped} is an IPv4-mapped IPv6 address, judged as ${ipv4}: no packet carries a mapped address (a socket that connects or sends to `
    + `it sends IPv4 packets, and Cilium enforces policy on those in bpf_lxc as on any IPv4 packet), so IPv4 rules decide it; toCIDR ${cidr} `
    + `never selects it${set}`;
}

/** How a side's decision finds out whether the subject's DNS proxy learns a name (see `PolicySet.sideInput`). */
enum LearnMode {
  /** From the explained verdict of the lookup, cached. */
  EXPLAINED,
  /** From the naive evaluator's verdict of the lookup, not cached. */
  NAIVE,
  /** From the lookup's decisions without explanation (`decide`), cached. */
  FAST,
}

/** A client identity's DNS lookups (`PolicySet.learnable`): the two sides' decisions, and what it learns per name. */
interface DnsLookupSides {
  /** The first client endpoint of the identity. */
  readonly client: ResolvedEndpoint;
  /** The DNS server. */
  readonly server: ResolvedEndpoint;
  /** The client's egress decision on its lookups. */
  readonly egress: SideOutcome;
  /** The server's ingress decision on them, once computed. */
  ingress?: SideOutcome;
  /** Whether the client learns each name (bare: no trailing dot). */
  readonly names: Map<string, DnsLearning>;
}

/** The layer-4 query of a DNS lookup. */
const DNS_LOOKUP: L4Query = Object.freeze({ protocol: 'UDP', port: 53, icmpFamily: 'IPv4' });
const LEARNABLE: DnsLearning = Object.freeze({ learnable: true });
const NOT_LEARNABLE: DnsLearning = Object.freeze({ learnable: false });

/** The value of `key` in a weak map, made by `make` on first use. */
function memoOf<K extends object, V>(map: WeakMap<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** For each object key (`undefined`: not stored), the position of the last object with the same key when it is not this one. */
function laterSameObject(keys: readonly (string | undefined)[]): (number | undefined)[] {
  const last = new Map<string, number>();
  keys.forEach((key, i) => { if (key !== undefined) last.set(key, i); });
  return keys.map((key, i) => {
    const at = key !== undefined ? last.get(key) : undefined;
    return at !== undefined && at !== i ? at : undefined;
  });
}

/** Why a document replaced by a later one with the same kind, namespace and name is not enforced. */
function replacedReason(what: string, file: string | undefined, laterRejected: string | undefined): string {
  return `a later ${what}${file !== undefined ? ` (${file})` : ''} has the same kind, namespace and name, one object on the API server: `
    + 'the one applied last replaces it (kubectl apply)'
    + (laterRejected !== undefined ? `; the agent refuses that one (${laterRejected}), so neither is enforced (an agent that imported this `
      + 'one before the update keeps its rules until it restarts)' : '');
}

/** The key of a client identity's learning of a name. */
function learnKey(client: ResolvedEndpoint, bareName: string): string {
  return `${client.subject ?? ''}|${client.labels.id}|${client.endpoint.nodeName ?? ''}|${bareName}`;
}

/** What an engine option left at its default in place of the one meant does (`option-unknown`). */
const JUDGED_OTHERWISE = 'so the verdicts would be judged for another cluster than the one asked for (its host firewall, Cilium version, '
  + 'cluster name), and a test that should fail could pass';
/** What a source left at its default does (`option-unknown`). */
const NAMED_OTHERWISE = 'so the document would name another source than the one asked for';

/** A side where policy does not apply (not a Cilium endpoint, or a node without the host firewall): it lets everything through. */
const NOT_EVALUATED: SideOutcome = Object.freeze({ decision: SideDecision.NOT_EVALUATED, allowed: true });

export { HostFirewallMode, PolicySetOptions, PolicyText, SkippedRule, YamlPolicySetOptions };

/**
 * The connectivity diff and report as `PolicySet.diff` and `PolicySet.report` reach them: the diff layer stands above the
 * engine (it reads the engine's decisions) and registers its functions when it loads, so that the engine never imports
 * it. The package entry point loads both.
 */
export interface ConnectivityProvider {
  diff(base: PolicySet, head: PolicySet, options: ConnectivitySources): ConnectivityDiffDocument;
  report(set: PolicySet, options: ConnectivitySources): ConnectivityReportDocument;
}

let connectivityProvider: ConnectivityProvider | undefined;

/** Registers the connectivity diff and report (called once, by the diff layer when it loads). */
export function provideConnectivity(p: ConnectivityProvider): void {
  connectivityProvider = p;
}

function connectivity(): ConnectivityProvider {
  if (!connectivityProvider) {
    throw new CiliumPolicyError({
      id: 'engine-connectivity-not-loaded',
      message: 'PolicySet.diff and PolicySet.report need the connectivity diff, which is not loaded',
      fix: "import PolicySet from the package entry point ('cdk8s-cilium'), which loads it, or use Connectivity.diff/report",
    });
  }
  return connectivityProvider;
}
