/**
 * Import of policies into the engine's form, as the agent imports them (pkg/k8s/apis/cilium.io/utils/utils.go
 * `ParseToCiliumRule`, pkg/policy/utils/parserules.go, pkg/policy/api/rule_validation.go `Sanitize`):
 * - the subject: a CNP `endpointSelector` gets `k8s:io.kubernetes.pod.namespace=<policy namespace>` (on 1.14 not when it
 *   selects `reserved:init`); a CCNP's is taken as written; `nodeSelector` makes a host policy;
 * - `from/toEndpoints` without a namespace key get the policy namespace (CNP, unless a namespace-labels key is there from
 *   1.16, or on 1.14 the subject selects `reserved:init`) or `k8s:io.kubernetes.pod.namespace Exists` (CCNP, unless the
 *   subject selects `reserved:init`); selectors with a `reserved:` key are left alone; the version options are
 *   `versionImportOptions` (`selector-import.ts`), which `validate` uses too;
 * - the cluster filter (`policy-default-local-cluster`, on by default from 1.19): from/toEndpoints and from/toNodes
 *   without a cluster key get `k8s:io.cilium.k8s.policy.cluster=<local cluster>`; from/toNodes also get
 *   `reserved:remote-node Exists`;
 * - rules the agent would not import (Sanitize errors) are kept with the reason, and ignored. The refusals are
 *   `validate`'s sanitize rules (one implementation; `admission.ts` for documents, `importable.ts` for raw rules, where
 *   the sanitize rules also make the agent's checks that the CRD schema makes first for a document).
 * The selector translation is `selector-import.ts`, which the pitfall layer of `validate` shares.
 * Version differences follow the CRD of the target version: fields it does not have are pruned.
 */
import { CLUSTER_RESERVED_ENTITIES, GO_ONLY_ENTITIES } from '../model/entities';
import { formatIp, isIpv4MappedCidr, parseCidr, ParsedCidr, unmapCidr } from '../model/cidr';
import { cidrSetAsSelected } from '../model/cidr-set-mapped';
import { CiliumVersion } from '../core/cilium-version';
import { NETWORK_POLICY_KIND, NetworkPolicyItemSource, NetworkPolicyModel } from '../model/network-policy';
import { ipBlockPeerSelectsNamespace } from '../model/np-ip-block-peer';
import {
  CidrRuleModel,
  EMPTY_LIST_CHECKED_PEER_FIELDS,
  LabelSelectorModel,
  PEER_FIELDS,
  PeerField,
  PolicyDocumentModel,
  RuleItemModel,
  RuleModel,
  SECTIONS,
  SectionName,
  isDenySection,
  sectionDirection,
} from '../model/policy-model';
import { compileFqdnSelector, FqdnMatcher } from '../model/fqdn-pattern';
import { onNonIdentityKey } from '../model/identity-labels';
import { CLUSTER_KEY, NAMESPACE_KEY } from '../model/selectors';
import { DerivativeIndex, derivativeNamePrefix, policyGroupsUses } from '../model/groups-derivative';
import { SubjectKind, familiesOf } from './identity';
import { IpFamilies, PolicyEnforcement } from './policy-set-options';
import { CidrGroupSpec, EndpointInventory, InventoryService } from './inventory';
import { DroppedGroupRefs, cidrSetEntrySelectsUngrouped, droppedGroupRefs, groupSelectorIsWildcard, groupSelectorsSelectUngrouped, selectedCidrGroups } from '../model/cidr-groups';
import { LabelSet, Selector, SelectorRequirement } from '../model/labels';
import { ruleImportProblem } from './importable';
import { compileL4, L4Spec } from './ports';
import {
  clusterFilter, importEndpointSelector, importNodeSelector, importSubjectSelector, SelectorImportScope, versionImportOptions,
} from '../model/selector-import';
import { serviceEntryUses } from '../validate/syntax';
import { pushAll } from '../model/push-all';
import { readServiceEntry, serviceEntryTarget, ServiceEntryReading, unresolvedServices } from '../model/services-unresolved';
import { objectNamespace } from '../model/resource-key';

/** A policy resource, as explanations name it. */
export interface PolicyRef {
  /** `CiliumNetworkPolicy`, `CiliumClusterwideNetworkPolicy`, `NetworkPolicy` (Kubernetes), or `Rule` for a raw `api.Rule` list. */
  readonly kind: string;
  /** Name (`metadata.name`; for raw rules the file and index). */
  readonly name: string;
  /** Namespace (CNP only). */
  readonly namespace?: string;
  /** The file it was read from. */
  readonly file?: string;
  /**
   * The name Cilium gives the policy's rules (label `io.cilium.k8s.policy.name`, what Hubble reports), when it is not
   * `name`: a NetworkPolicy named by its `policy.cilium.io/name` annotation.
   */
  readonly ciliumName?: string;
}

/** What the engine is configured with. */
export interface EngineConfig {
  /** Target Cilium version. */
  readonly version: CiliumVersion;
  /** Whether host policies are enforced. */
  readonly hostFirewall: boolean;
  /** Whether traffic from the local host to its endpoints is always allowed on ingress (`allow-localhost: always`). */
  readonly allowLocalhost: boolean;
  /** The agent's policy enforcement mode (agent option `enable-policy`). */
  readonly policyEnforcement: PolicyEnforcement;
  /**
   * Whether the agent reads `enableDefaultDeny: false` (flag `enable-non-default-deny-policies`, 1.17+): off, every rule
   * puts its subjects into default deny in each direction it has rules of.
   */
  readonly nonDefaultDenyPolicies: boolean;
  /** Whether the cluster runs mutual authentication with SPIRE: `authentication.mode: required` then passes. */
  readonly mutualAuth: boolean;
  /** Whether the agent runs with `enable-sctp`: without it the datapath drops SCTP before any policy. */
  readonly sctp: boolean;
  /** Local cluster name. */
  readonly clusterName: string;
  /** Whether from/toEndpoints and from/toNodes select the local cluster only by default. */
  readonly policyDefaultLocalCluster: boolean;
  /** Whether CIDR rules can select node IPs. */
  readonly cidrMatchNodes: boolean;
  /** The IP families the cluster runs (the world identities and what a `/0` selects). */
  readonly ipFamilies: IpFamilies;
  /**
   * Whether `ipFamilies` is the default, neither given nor inferred (`PolicySetOptions.ipFamilies` absent): only then is a
   * family left out unknown rather than off (`diff`'s NOT COMPARED of the other family).
   * @default false
   */
  readonly ipFamiliesDefaulted?: boolean;
  /** Whether node identities carry node labels and the cluster label (`enable-node-selector-labels`). */
  readonly nodeSelectorLabels: boolean;
  /** CIDR groups by name. */
  readonly cidrGroups: ReadonlyMap<string, CidrGroupSpec>;
  /** Namespaces, workloads, Services. */
  readonly inventory: EndpointInventory;
}

/** A CIDR block of a rule, with its holes. */
export interface CidrBlock {
  /** The CIDR. */
  readonly cidr: ParsedCidr;
  /** `except` holes. */
  readonly except: readonly ParsedCidr[];
  /** As written. */
  readonly text: string;
  /**
   * A `/0` that selects reserved:world (every outside address of the cluster) less the `except` holes: of the family a
   * single-stack cluster does not run, in a `from/toCIDRSet` of Cilium 1.17-1.18 (CIDRRuleSlice.GetAsEndpointSelectors
   * maps both `0.0.0.0/0` and `::/0` to the non-dual-stack world label there); of either family, without `except`,
   * before 1.15 (CIDRSlice.GetAsEndpointSelectors, `CIDRMatchAll`).
   */
  readonly anyFamilyWorld?: boolean;
}

/**
 * A `cidrGroupSelector` entry that selects the identities of no CiliumCIDRGroup too (`groupSelectorSelectsUngrouped`,
 * Cilium 1.17+: `{}`, or only `NotIn`/`DoesNotExist`): every peer but an outside address one of the known groups holds
 * (whose identity carries that group's labels; the groups the selector matches are the entry's blocks) and an address in
 * the entry's `except` holes.
 */
export interface UngroupedSelection {
  /** The entry as written, for explanations: `cidrGroupSelector {}`. */
  readonly text: string;
  /** The entry's `except` holes. */
  readonly except: readonly ParsedCidr[];
  /** The CIDRs of every known CiliumCIDRGroup: an address they hold carries group labels. */
  readonly groupCidrs: readonly ParsedCidr[];
  /**
   * Whether the agent caches the entry as the wildcard selector, the one of an item without peers (`peerKeys` `*`):
   * `groupSelectorIsWildcard` (1.17-1.18, a selector that requires nothing, without `except`).
   * @default false
   */
  readonly wildcard?: boolean;
}

/**
 * A `toServices` backend: the pods of a Service with a selector (1.17+), or the endpoint addresses of a selector-less
 * one.
 */
export interface ServiceBackend {
  /** `Service default/myservice`. */
  readonly text: string;
  /** The pods it selects (1.17+: the Service's selector as a generated endpoint selector). */
  readonly selector?: Selector;
  /** Endpoint addresses of a selector-less Service. */
  readonly cidrs?: readonly ParsedCidr[];
}

/** The L3 part of a rule item. */
export type PeerSpec =
  | { readonly kind: 'any' }
  | { readonly kind: 'none'; readonly why: string }
  | { readonly kind: 'endpoints'; readonly selectors: readonly Selector[] }
  | { readonly kind: 'nodes'; readonly selectors: readonly Selector[] }
  | { readonly kind: 'entities'; readonly entities: readonly string[] }
  | {
    readonly kind: 'cidr'; readonly blocks: readonly CidrBlock[];
    /** `cidrGroupSelector` entries that select the identities of no CIDR group too (1.17+). @default - none */
    readonly ungrouped?: readonly UngroupedSelection[];
  }
  | { readonly kind: 'services'; readonly backends: readonly ServiceBackend[] }
  | { readonly kind: 'fqdns'; readonly matchers: readonly FqdnMatcher[] }
  | { readonly kind: 'groups' };

/** One rule item, translated. */
export interface CompiledItem {
  /** Global order (documents, rules, sections, items). */
  readonly ordinal: number;
  /** The rule holding it. */
  readonly rule: CompiledRule;
  /** Its section. */
  readonly section: SectionName;
  /** Its direction. */
  readonly direction: 'ingress' | 'egress';
  /** Whether it is a deny item. */
  readonly deny: boolean;
  /** Index in the section. */
  readonly index: number;
  /** JSON path in wire form: `spec.ingress[1]`. */
  readonly path: string;
  /** The peers it selects. */
  readonly peer: PeerSpec;
  /** The wire name of the peer field (`fromEndpoints`), if any. */
  readonly peerField?: string;
  /** Ports and ICMP. */
  readonly l4: L4Spec;
  /** `authentication.mode`, if set. */
  readonly authentication?: string;
  /** Things the import changed or could not resolve. */
  readonly notes: readonly string[];
  /**
   * Cilium 1.14/1.15: the CiliumCIDRGroups not in the inputs that this ingress allow item's `fromCIDRSet` names, when the
   * agent drops the list unless one of them holds a CIDR (`droppedGroupRefs`; the rule's `undecided`).
   * @default - none
   */
  readonly cidrGroupsMissing?: readonly string[];
  /**
   * What the inputs lack to judge this egress allow item's `toServices`, when no entry of it adds a peer selector here
   * and it has ports or ICMP types (`unresolvedServices`, `not-known`; the rule's `undecided`): the Services not in the
   * inputs it names (`services`), and its selector-less Services given without any Endpoints or EndpointSlice
   * (`endpoints`). Every peer on them unless those Services exist (with an address) in the cluster.
   * @default - none
   */
  readonly servicesMissing?: ServicesMissing;
}

/** What the inputs lack to judge a `toServices` item (`CompiledItem.servicesMissing`). */
export interface ServicesMissing {
  /** The Services not in the inputs it names (`Service data/db`, `Services matching {…}`). */
  readonly services: string[];
  /** Its selector-less Services of the inputs without any Endpoints or EndpointSlice there. */
  readonly endpoints: string[];
}

/** One rule (`spec`, `specs[i]`, or an element of a raw rule list), translated. */
export interface CompiledRule {
  /** Global order. */
  readonly ordinal: number;
  /** The policy holding it. */
  readonly policy: PolicyRef;
  /** `spec`, `specs[1]`, or `[0]` for a raw rule. */
  readonly rulePath: string;
  /** Whether it selects endpoints or nodes (host policy). */
  readonly subjectKind: SubjectKind;
  /** Its subject, translated. */
  readonly subject: Selector;
  /** Whether the agent imports it. */
  readonly imported: boolean;
  /** Why not. */
  readonly skipReason?: string;
  /** Per direction: whether it has a non-empty ingress/ingressDeny (egress/egressDeny) section. */
  readonly present: { readonly ingress: boolean; readonly egress: boolean };
  /** Per direction: whether it puts its subjects into default deny (`enableDefaultDeny`, unset = true when present). */
  readonly defaultDeny: { readonly ingress: boolean; readonly egress: boolean };
  /**
   * Per direction: whether it has rules of it and says `enableDefaultDeny: false` there, which the agent ignores with
   * `enable-non-default-deny-policies` off (`EngineConfig.nonDefaultDenyPolicies`): the reason of its default deny says so.
   */
  readonly defaultDenyIgnored: { readonly ingress: boolean; readonly egress: boolean };
  /** Its items per section. */
  readonly items: Readonly<Record<SectionName, readonly CompiledItem[]>>;
  /** `fromRequires`/`toRequires` requirements per section (before 1.19), as selector requirements. */
  readonly requires: Readonly<Record<SectionName, readonly SelectorRequirement[]>>;
  /** Whether it has `fromRequires`/`toRequires` that the target version ignores. */
  readonly requiresIgnored: boolean;
  /**
   * When its policy has cloud provider groups and the operator's derivative is not in the input: the first item with
   * them, the field, and the derivative's name prefix (`groups-derivative.ts`). The agent enforces that derivative, so
   * the endpoints the rule selects are not judged.
   * @default - none
   */
  readonly derivative?: { readonly item: CompiledItem; readonly field: string; readonly prefix: string };
  /**
   * What the rule does depends on something the inputs do not say, so the endpoints it selects are not judged
   * (`parser-conflicts.ts`): the first such item, where the cause is below it, why, and the fix.
   * - `service-selector`: from Cilium 1.19, an egress allow item has a `toServices` `k8sServiceSelector` whose
   *   requirements do not build (`plainSelectorProblem`); which Services it matches depends on the 1.19 patch release.
   * - `cidr-group`: on 1.14/1.15, an ingress allow item with toPorts or icmps has a `fromCIDRSet` of references only,
   *   none to a group with CIDRs, and some to a group the inputs do not hold (`droppedGroupRefs`): if those groups are
   *   missing or empty in the cluster too, the list is dropped and the ports are open to every peer; if one has CIDRs,
   *   those only.
   * - `service-missing`: an egress allow item with toPorts or icmps whose `toServices` entries add no peer selector here,
   *   some naming Services the inputs do not hold (`CompiledItem.servicesMissing`): if those do not exist in the cluster,
   *   the ports are open to every peer; if they do, to their backends.
   * @default - none
   */
  readonly undecided?: {
    readonly kind: 'service-selector' | 'cidr-group' | 'service-missing'; readonly item: CompiledItem; readonly at: string; readonly why: string; readonly fix: string;
  };
}

/** A document to import, with where it came from. */
export interface SourcedDocument {
  /** The policy. */
  readonly model: PolicyDocumentModel;
  /** Its file. */
  readonly file?: string;
  /**
   * Why the API server or the agent rejects it (`admission.ts`): then none of its rules is imported.
   * @default - accepted
   */
  readonly rejected?: string;
}

/** A Kubernetes NetworkPolicy, translated into a Cilium rule (`model/network-policy.ts`). */
export interface SourcedNetworkPolicy {
  /** The translation. */
  readonly model: NetworkPolicyModel;
  /** Its file. */
  readonly file?: string;
  /**
   * Why the cluster does not have it (the API server rejects it): none of it is enforced.
   * @default - the cluster has it
   */
  readonly rejected?: string;
}

/** A raw `api.Rule` list (local API format; no namespace or cluster translation). */
export interface SourcedRawRules {
  /** The rules. */
  readonly rules: readonly RuleModel[];
  /** Its file. */
  readonly file?: string;
  /** Index of the document in the file. */
  readonly index: number;
}

/** Whether an entity selects an identity. */
export function entityMatches(entity: string, labels: LabelSet, clusterName: string): boolean {
  switch (entity) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'cluster':
      for (let i = 0; i < CLUSTER_RESERVED_ENTITIES.length; i++) if (labels.has('reserved', CLUSTER_RESERVED_ENTITIES[i])) return true;
      return labels.get('k8s', CLUSTER_KEY) === clusterName;
    case 'world':
      // EntitySelectorMapping (1.15+): world selects reserved:world, reserved:world-ipv4 and reserved:world-ipv6.
      return labels.has('reserved', 'world') || labels.has('reserved', 'world-ipv4') || labels.has('reserved', 'world-ipv6');
    default:
      return labels.has('reserved', entity);
  }
}

/** The label keys (without source) the selectors of the rules name: subjects, endpoint and node peers, Service backends, requirements. */
export function selectorKeysOf(rules: readonly CompiledRule[]): Set<string> {
  const keys = new Set<string>();
  const add = (sel: Selector | undefined): void => {
    for (const r of sel?.requirements ?? []) keys.add(r.key);
  };
  for (const rule of rules) {
    add(rule.subject);
    for (const section of SECTIONS) {
      for (const r of rule.requires[section]) keys.add(r.key);
      for (const item of rule.items[section]) {
        const peer = item.peer;
        if (peer.kind === 'endpoints' || peer.kind === 'nodes') peer.selectors.forEach(add);
        if (peer.kind === 'services') peer.backends.forEach((b) => add(b.selector));
      }
    }
  }
  return keys;
}

/** Translates documents and raw rule lists into compiled rules, in order. */
export function compileRules(docs: readonly SourcedDocument[], raw: readonly SourcedRawRules[], config: EngineConfig,
  networkPolicies: readonly SourcedNetworkPolicy[] = []): CompiledRule[] {
  const out: CompiledRule[] = [];
  const counter = { rule: 0, item: 0 };
  const derivatives = new DerivativeIndex(docs.map((d) => d.model));
  for (const d of docs) {
    const doc = d.model;
    const cnp = doc.kind === 'CiliumNetworkPolicy';
    const namespace = cnp ? objectNamespace(doc.metadata.namespace) : undefined;
    const policy: PolicyRef = compact({ kind: doc.kind, name: doc.metadata.name, namespace, file: d.file });
    const rules: { rule: RuleModel; path: string }[] = [];
    if (doc.spec) rules.push({ rule: doc.spec, path: 'spec' });
    (doc.specs ?? []).forEach((rule, i) => rules.push({ rule, path: `specs[${i}]` }));
    if (rules.length === 0) continue;
    const compiled = rules.map(({ rule, path }) => compileRule(rule, path, policy, cnp ? 'cnp' : 'ccnp', namespace, config, counter));
    // The agent parses a policy as a whole ((*CiliumNetworkPolicy).Parse): one rule it refuses and it imports none.
    const refused = compiled.find((r) => !r.imported);
    // A policy with cloud provider groups is never imported: the operator's derivative replaces it (`groups-derivative.ts`).
    const groups = d.rejected === undefined && !refused ? policyGroupsUses(doc, config.version) : [];
    const derivative = groups.length > 0 ? derivatives.derivativeOf(doc) : undefined;
    const reason = d.rejected ?? (refused ? `${refused.rulePath} is not importable (${refused.skipReason ?? ''}), so no rule of the policy is imported`
      : derivative ? `it has ${groups[0].field} (${groups[0].path}), so the agent does not import it (RequiresDerivative): it enforces the operator's `
        + `derivative policy ${derivative} instead` : undefined);
    if (reason === undefined && groups.length > 0) {
      // Not in the input: the endpoints it selects are not judged (`parser-conflicts.ts`, a derivative refusal).
      const at = groups[0];
      const item = compiled[rules.findIndex((r) => r.path === at.rulePath)].items[at.section][at.index];
      for (const r of compiled) Object.assign(r, { derivative: { item, field: at.field, prefix: derivativeNamePrefix(doc) } });
    }
    if (reason === undefined) {
      rules.forEach((_, k) => {
        const undecided = (config.version.atLeast(CiliumVersion.V1_19) ? undecidedServiceSelector(rules[k].rule, compiled[k], config.version)
          : undecidedCidrGroup(compiled[k], config.version)) ?? undecidedServiceMissing(compiled[k], config.version);
        if (undecided !== undefined) Object.assign(compiled[k], { undecided });
      });
    }
    if (reason !== undefined) {
      // In place: the items refer to their rule.
      // The validator's reason (`d.rejected`, ending with the rule's id) wins over the engine's own checks.
      for (const r of compiled) Object.assign(r, { imported: false, skipReason: r.imported || d.rejected !== undefined ? reason : r.skipReason });
    }
    pushAll(out, compiled);
  }
  for (const np of networkPolicies) {
    const { name, namespace } = np.model.metadata;
    const ciliumName = np.model.ciliumName !== name ? np.model.ciliumName : undefined;
    const policy: PolicyRef = compact({ kind: NETWORK_POLICY_KIND, name, namespace, file: np.file, ciliumName });
    const widened = ipBlockPeerSelectsNamespace(config.version, config.policyDefaultLocalCluster) === true ? withIpBlockPeerPods(np.model) : np.model;
    out.push(compileRule(widened.rule, 'spec', policy, 'k8s', namespace, config, counter, np.rejected, widened.sources));
  }
  for (const r of raw) {
    // The validator's sanitize rules decide (`importable.ts`): the refused rule gives its own reason, the rest of the
    // list the whole-policy one.
    const own = r.rules.map((rule, i) => ruleImportProblem(rule, `[${i}]`, config.version, config));
    const skip = own.find((p) => p !== undefined);
    r.rules.forEach((rule, i) => {
      const policy: PolicyRef = compact({ kind: 'Rule', name: `${r.file ?? 'rules'}#${r.index}`, file: r.file });
      out.push(compileRule(rule, `[${i}]`, policy, 'raw', undefined, config, counter, own[i] === undefined ? skip : undefined, undefined, own[i]));
    });
  }
  return out;
}

type Mode = SelectorImportScope['mode'];

/**
 * A NetworkPolicy as Cilium 1.19.0-1.19.4 translates it with the cluster filter on (`ipBlockPeerSelectsNamespace`): each
 * ingress peer of only an `ipBlock` also selects the pods of the policy namespace (pkg/k8s/network_policy.go
 * `parseNetworkPolicyPeer` gives the selector-less peer the cluster and then `parsePodSelector` the namespace;
 * cilium/cilium#46305), an item of its own beside the CIDR one, with the same ports and the same NetworkPolicy path. The
 * cluster filter is added to its selector as to every NetworkPolicy selector (`importEndpointSelector`).
 */
function withIpBlockPeerPods(model: NetworkPolicyModel): Pick<NetworkPolicyModel, 'rule' | 'sources'> {
  const items = model.rule.ingress ?? [];
  if (!model.sources.ingress.some((s) => s.ipBlockOnly === true)) return model;
  const ingress: RuleItemModel[] = [];
  const sources: NetworkPolicyItemSource[] = [];
  items.forEach((item, i) => {
    const source = model.sources.ingress[i];
    ingress.push(item);
    sources.push(source);
    if (source.ipBlockOnly !== true) return;
    const { ipBlockOnly: _, ...path } = source;
    ingress.push({ endpoints: [{ matchLabels: { [`k8s:${NAMESPACE_KEY}`]: model.metadata.namespace ?? 'default' } }], ...(item.toPorts ? { toPorts: item.toPorts } : {}) });
    sources.push(path);
  });
  return { rule: { ...model.rule, ingress }, sources: { ...model.sources, ingress: sources } };
}

function compileRule(rule: RuleModel, rulePath: string, policy: PolicyRef, mode: Mode, namespace: string | undefined, config: EngineConfig,
  counter: { rule: number; item: number }, skipReason?: string, sources?: NetworkPolicyModel['sources'], refusal?: string): CompiledRule {
  const v = config.version;
  const since16 = v.atLeast(CiliumVersion.V1_16);
  const problems: string[] = skipReason !== undefined ? [`the whole policy is not imported: ${skipReason}`] : [];
  let subjectKind: SubjectKind = 'endpoint';
  let subject = Selector.all();
  // Whether the API server and the agent accept the rule (one subject selector, a section, known entities, CIDRs that
  // parse) is the validator's judgement (`admission.ts`, `importable.ts`), given as `skipReason`/`refusal`.
  if (rule.nodeSelector && !rule.endpointSelector) {
    subjectKind = 'node';
    subject = Selector.from(rule.nodeSelector);
    // A CNP with nodeSelector is refused by `validate`'s `sanitize-cnp-node-selector` (admission.ts), as a whole.
  } else if (rule.endpointSelector) {
    subject = importSubjectSelector(rule.endpointSelector, { mode, namespace, ...versionImportOptions(v) });
  }
  const matchesInit = rule.endpointSelector !== undefined && Selector.from(rule.endpointSelector).hasKey('reserved', 'init');
  const localCluster = config.policyDefaultLocalCluster ? config.clusterName : undefined;
  const ctx: TranslateContext = { mode, namespace, matchesInit, localCluster, ...versionImportOptions(v), config };
  const requiresOn = !v.atLeast(CiliumVersion.V1_19);
  let requiresIgnored = false;
  const ruleObj = {
    ordinal: counter.rule++,
    policy,
    rulePath,
    subjectKind,
    subject,
    items: {} as Record<SectionName, CompiledItem[]>,
    requires: {} as Record<SectionName, SelectorRequirement[]>,
  };
  for (const section of SECTIONS) {
    const list = rule[section] ?? [];
    ruleObj.items[section] = [];
    ruleObj.requires[section] = [];
    list.forEach((item, index) => {
      const source: NetworkPolicyItemSource | undefined = section === 'ingress' || section === 'egress' ? sources?.[section][index] : undefined;
      const compiled = compileItem(item, section, source ? source.rule : index, source ? source.path : `${rulePath}.${section}[${index}]`,
        ruleObj as unknown as CompiledRule, ctx, counter);
      ruleObj.items[section].push(compiled);
      if (item.requires !== undefined && item.requires.length > 0) {
        if (requiresOn) {
          for (const sel of item.requires) pushAll(ruleObj.requires[section], importEndpointSelector(Selector.from(sel), ctx, false).requirements);
        } else {
          requiresIgnored = true;
        }
      }
    });
  }
  const present = {
    ingress: (rule.ingress ?? []).length > 0 || (rule.ingressDeny ?? []).length > 0,
    egress: (rule.egress ?? []).length > 0 || (rule.egressDeny ?? []).length > 0,
  };
  if (refusal !== undefined) problems.push(refusal);
  // The flag off, the agent fills in `true` for both directions (rule_validation.go `Rule.Sanitize` on 1.17/1.18;
  // utils.go `evaluateDefaultDenyForRule` from 1.19): a rule with rules of a direction is default deny there.
  const ignoresEdd = since16 && !config.nonDefaultDenyPolicies;
  const edd = since16 && !ignoresEdd ? rule.enableDefaultDeny : undefined;
  const compiled = Object.assign(ruleObj, {
    imported: problems.length === 0,
    ...(problems.length > 0 ? { skipReason: problems[0] } : {}),
    present,
    defaultDeny: { ingress: present.ingress && edd?.ingress !== false, egress: present.egress && edd?.egress !== false },
    defaultDenyIgnored: {
      ingress: present.ingress && ignoresEdd && rule.enableDefaultDeny?.ingress === false,
      egress: present.egress && ignoresEdd && rule.enableDefaultDeny?.egress === false,
    },
    requiresIgnored,
  });
  return compiled as CompiledRule;
}

/** How a rule's selectors are translated (see `selector-import.ts`), and the engine configuration. */
interface TranslateContext extends SelectorImportScope {
  readonly config: EngineConfig;
  /** The Services of the inventory as a `toServices` entry reads them (`inventoryServiceFacts`), worked out on first use. */
  serviceFacts?: InventoryServiceFacts[];
}

/** A Service of the inventory as a `toServices` entry reads it (`ServiceFacts`). */
type InventoryServiceFacts = InventoryService & { readonly hasSelector: boolean; readonly addresses: number | undefined };

/** The Services of the inventory as an entry reads them: `addresses` undefined when no Endpoints or EndpointSlice was given. */
function inventoryServiceFacts(inventory: EndpointInventory): InventoryServiceFacts[] {
  return inventory.services.map((svc) => ({
    ...svc, hasSelector: svc.selector !== undefined,
    addresses: svc.endpointCidrs === undefined ? undefined : svc.endpointCidrs.filter((c) => parseCidr(c) !== undefined).length,
  }));
}

function compileItem(item: RuleItemModel, section: SectionName, index: number, path: string, rule: CompiledRule, ctx: TranslateContext,
  counter: { item: number }): CompiledItem {
  const direction = sectionDirection(section);
  const deny = isDenySection(section);
  const v = ctx.config.version;
  const notes: string[] = [];
  const fields = (Object.keys(PEER_FIELDS) as PeerField[]).filter((f) => f !== 'requires' && item[f] !== undefined && PEER_FIELDS[f][direction] !== undefined)
    .filter((f) => {
      if (f === 'nodes' && !v.atLeast(CiliumVersion.V1_16)) {
        notes.push(`${PEER_FIELDS[f][direction]} is not in the Cilium ${v} CRD: the API server prunes it`);
        return false;
      }
      if (f === 'fqdns' && deny) {
        notes.push('toFQDNs is not allowed in egressDeny: the API server prunes it');
        return false;
      }
      return true;
    });
  // The agent's refusals of an item (two peer kinds, from/toNodes without the flag, ICMPs beside toPorts, the L7
  // rules) are the validator's sanitize rules, applied to documents by `admission.ts` and to raw rules by `importable.ts`.
  const nonEmpty = fields.filter((f) => ((item[f] as readonly unknown[] | undefined) ?? []).length > 0);
  const field = nonEmpty[0] ?? fields.find((f) => EMPTY_LIST_CHECKED_PEER_FIELDS.includes(f)) ?? fields[0];
  // An empty peer list next to a non-empty one: the item's selectors are merged, and an empty list selects nothing, so
  // the item selects nothing as a whole (parserules.go `mergeEndpointSelectors`, 1.16+). Only the lists the agent checks
  // for emptiness do so: toFQDNs, toServices and from/toGroups are not checked (`EMPTY_LIST_CHECKED_PEER_FIELDS`).
  const emptyField = v.atLeast(CiliumVersion.V1_16) && nonEmpty.length > 0
    ? fields.find((f) => !nonEmpty.includes(f) && EMPTY_LIST_CHECKED_PEER_FIELDS.includes(f)) : undefined;
  // A fromCIDRSet that Cilium 1.14/1.15 drop (`droppedGroupRefs`), read once: the peer has no selector then (compilePeer).
  const dropped = field === PeerField.CIDR_SET ? droppedGroupRefs(item, direction, deny, v, ctx.config.cidrGroups) : undefined;
  // The Services not in the inputs of a toServices item left without a selector here (compilePeer), read once.
  const servicesMissing: ServicesMissing = { services: [], endpoints: [] };
  const written: PeerSpec = field === undefined ? { kind: 'any' } : compilePeer(item, field, direction, ctx, notes, path, deny, dropped, servicesMissing);
  const peer: PeerSpec = emptyField !== undefined ? { kind: 'none', why: `${wire(emptyField, direction)}: [] selects nothing, and with it the whole item` } : written;
  const l4 = compileL4(item.toPorts, item.icmps, field !== undefined, { endPort: v.atLeast(CiliumVersion.V1_16), deny, version: v });
  if (ctx.mode === 'k8s' && !v.atLeast(CiliumVersion.V1_15)) {
    // A NetworkPolicy is no CRD: its endPort is kept by the API server, and the 1.14 parsePorts has no EndPort (1.15
    // refuses the whole NetworkPolicy, `networkPolicyRefusals`; 1.16 translates the range).
    for (const pr of item.toPorts ?? []) {
      for (const p of pr.ports ?? []) {
        if (p.endPort !== undefined && p.endPort > Number(p.port)) {
          notes.push(`endPort ${p.endPort} at ${path}: Cilium ${v} translates no NetworkPolicy endPort (1.16+; 1.15 refuses it), so the rule allows port ${p.port} only`);
        }
      }
    }
  }
  return {
    ordinal: counter.item++,
    rule,
    section,
    direction,
    deny,
    index,
    path,
    peer,
    ...(field !== undefined ? { peerField: wire(field, direction) } : {}),
    l4,
    ...(!deny && item.authentication?.mode ? { authentication: item.authentication.mode } : {}),
    // A dropped fromCIDRSet naming groups the inputs do not hold: the rule is not judged (`undecidedCidrGroup`).
    ...(dropped !== undefined && peer.kind === 'any' && dropped.missing.length > 0 ? { cidrGroupsMissing: dropped.missing } : {}),
    // Toservices naming Services the inputs do not hold, none adding a selector: the rule is not judged (`undecidedServiceMissing`).
    ...(peer.kind === 'any' && servicesMissing.services.length + servicesMissing.endpoints.length > 0 ? { servicesMissing } : {}),
    notes,
  };
}

/**
 * An item whose peer field adds no selector (an unchecked empty list, or egressDeny toServices, which the agent never
 * resolves): with no selector left, its ports or ICMP types are allowed (or denied) for every peer (`createL4Filter`: an
 * empty L3 is the wildcard selector), and without them it allows nothing (an L3-only entry needs a selector).
 */
function noSelectorPeer(item: RuleItemModel, name: string, why: string, notes: string[]): PeerSpec {
  if ((item.toPorts ?? []).length === 0 && (item.icmps ?? []).length === 0) return { kind: 'none', why: `${why}, and the item has no toPorts or icmps: it selects nothing` };
  notes.push(`${why}: the item has no L3 selector, so its ${(item.toPorts ?? []).length > 0 ? 'ports' : 'ICMP types'} apply to every peer (as if ${name} were absent)`);
  return { kind: 'any' };
}

/**
 * The peer an item's field selects.
 * @param dropped the references of its fromCIDRSet that the agent drops (`droppedGroupRefs`, read once by `compileItem`)
 * @param servicesMissing filled with what the inputs lack to judge a toServices item that no entry gives a selector here
 */
function compilePeer(item: RuleItemModel, field: PeerField, direction: 'ingress' | 'egress', ctx: TranslateContext, notes: string[],
  path: string, deny: boolean, dropped: DroppedGroupRefs | undefined, servicesMissing: ServicesMissing): PeerSpec {
  const list = (item[field] as readonly unknown[] | undefined) ?? [];
  const name = wire(field, direction);
  if (field === PeerField.SERVICES && deny) {
    // pkg/policy/k8s/service.go processRule (and RuleTranslator before 1.17) translates the toServices of egress rules
    // only: in egressDeny they are never resolved.
    return noSelectorPeer(item, name, `${name} in egressDeny is never resolved by the agent (it translates the toServices of egress rules only)`, notes);
  }
  if (list.length === 0 && !EMPTY_LIST_CHECKED_PEER_FIELDS.includes(field)) {
    return noSelectorPeer(item, name, `${name}: [] adds no selector (the agent does not check this list for emptiness)`, notes);
  }
  if (list.length === 0) {
    if (ctx.config.version.atLeast(CiliumVersion.V1_16)) return { kind: 'none', why: `${name}: [] is an empty list, which selects nothing (Cilium 1.16+)` };
    // Before 1.16 (pkg/policy/rule.go mergeIngress/mergeEgress, allow and deny alike): the item's selectors are the
    // concatenation of its peer lists (GetSourceEndpointSelectorsWithRequirements), an L3-only item is merged only when
    // that slice is non-empty, and for toPorts or icmps an empty slice is replaced by the wildcard selector (PR #7520).
    // So an empty list alone selects nothing, and every peer on the item's ports or ICMP types.
    if ((item.toPorts ?? []).length === 0 && (item.icmps ?? []).length === 0) {
      return { kind: 'none', why: `${name}: [] is an empty list, which selects nothing in an item without toPorts or icmps` };
    }
    notes.push(`${name}: [] is an empty list, which selects every peer on the item's ${(item.toPorts ?? []).length > 0 ? 'ports' : 'ICMP types'} before Cilium 1.16 (nothing from 1.16)`);
    return { kind: 'any' };
  }
  switch (field) {
    case 'endpoints': {
      const selectors = (item.endpoints ?? []).map((s) => importEndpointSelector(Selector.from(s), ctx));
      for (const sel of selectors) {
        const keys = nonIdentityKeys(sel, ctx.config.version);
        if (keys.length === 0) continue;
        notes.push(`${name} ${sel.toString()} selects no endpoint: ${keys.join(', ')} ${keys.length === 1 ? 'is' : 'are'} not in any identity `
          + `(Cilium ${ctx.config.version}'s default identity-relevant labels leave ${keys.length === 1 ? 'it' : 'them'} out)`);
      }
      return { kind: 'endpoints', selectors };
    }
    case 'nodes':
      return { kind: 'nodes', selectors: (item.nodes ?? []).map((s) => importNodeSelector(Selector.from(s), ctx)) };
    case 'entities':
      for (const e of item.entities ?? []) {
        // EntitySelectorMapping: world-ipv4/world-ipv6 select reserved:world-ipv4/-ipv6 only, the world identities of a
        // dual-stack cluster (identities 9 and 10); in a single-stack cluster every outside address is reserved:world (2).
        if (GO_ONLY_ENTITIES.includes(e) && ctx.config.ipFamilies !== IpFamilies.DUAL) {
          notes.push(`${name}: ${e} selects reserved:${e}, the ${e === 'world-ipv4' ? 'IPv4' : 'IPv6'} world of a dual-stack cluster; in `
            + `${ctx.config.ipFamilies === IpFamilies.IPV6 ? 'an IPv6' : 'an IPv4'}-only cluster outside addresses are reserved:world, which it does not select`);
        }
      }
      return { kind: 'entities', entities: item.entities ?? [] };
    case 'cidr': {
      const blocks = (item.cidr ?? []).flatMap((c) => cidrBlocks({ cidr: c }, ctx, notes, path, true, false));
      return { kind: 'cidr', blocks: ctx.config.version.atLeast(CiliumVersion.V1_15) ? otherFamilyNotes(blocks, name, ctx, notes) : wholeWorlds(blocks, name, ctx, notes) };
    }
    case 'cidrSet': {
      const v = ctx.config.version;
      // 1.16 still rewrites references in the watcher (pkg/policy/k8s `translateSpec`, egress and deny lists too), but a
      // list left with no entry is empty, which selects nothing (cilium/cilium#33396; upgrade note #33445: "allow-all
      // prior to 1.16"); references select the group's `cidrgroup:` identities from 1.17 (#33441).
      if (dropped !== undefined) {
        const refs = [...dropped.missing, ...dropped.empty];
        return noSelectorPeer(item, name, `${name}: Cilium ${v} replaces each cidrGroupRef entry with its CiliumCIDRGroup's CIDRs before import, `
          + `and ${dropped.empty.length > 0 ? `${dropped.empty.join(', ')} ${dropped.empty.length === 1 ? 'has' : 'have'} no externalCIDRs` : ''}`
          + `${dropped.empty.length > 0 && dropped.missing.length > 0 ? ' and ' : ''}`
          + `${dropped.missing.length > 0 ? `${dropped.missing.join(', ')} ${dropped.missing.length === 1 ? 'is' : 'are'} not in the inputs (taken as missing)` : ''}`
          + `, so the list of ${refs.length === 1 ? 'the reference' : `${refs.length} references`} is dropped (translateSpec)`, notes);
      }
      // Before 1.16 the watcher resolves references only in the fromCIDRSet of ingress allow rules (egress #30624 and deny
      // #30933 came with 1.16): in a deny rule a reference selects nothing, as validate's version-egress-cidr-group-ref says
      // (an egress allow reference makes the agent refuse the policy, sanitize-egress-cidr-group-ref: never compiled).
      const refsResolved = v.atLeast(CiliumVersion.V1_16) || (direction === 'ingress' && !deny);
      const blocks = (item.cidrSet ?? []).flatMap((c) => cidrBlocks(c, ctx, notes, path, refsResolved));
      if (!v.atLeast(CiliumVersion.V1_15)) return { kind: 'cidr', blocks: wholeWorlds(blocks, name, ctx, notes) };
      if (!groupSelectorsSelectUngrouped(v)) return { kind: 'cidr', blocks: otherFamilyNotes(blocks, name, ctx, notes) };
      const ungrouped = ungroupedSelections(item.cidrSet ?? [], name, ctx, notes);
      return {
        kind: 'cidr', blocks: !v.atLeast(CiliumVersion.V1_19) ? anyFamilyWorlds(blocks, name, ctx, notes) : otherFamilyNotes(blocks, name, ctx, notes),
        ...(ungrouped.length > 0 ? { ungrouped } : {}),
      };
    }
    case 'services': {
      // An entry that matches no Service whatever the cluster holds (`serviceEntryTarget` `nothing`: a k8sServiceSelector
      // that does not build or is empty up to 1.18, a k8sService without a name, neither field): the agent does not check
      // it, so when no entry can resolve, the item has no selector. (From 1.19 the endpoints a rule with a selector that
      // does not build selects are not judged: `undecidedServiceSelector`.)
      const entries = item.services ?? [];
      const targets = entries.map((s) => serviceEntryTarget(s, ctx.config.version));
      if (entries.length > 0 && targets.every((t) => t.kind === 'nothing')) {
        const peer = noSelectorPeer(item, name, `${name}: ${targets.map((t) => (t.kind === 'nothing' ? t.why : '')).join('; ')}, so it adds no selector`, notes);
        if (peer.kind === 'none') notes.push(peer.why);
        return peer;
      }
      const { backends, readings, missing, endpointsMissing, none, noAddress } = serviceBackends(item, ctx, notes, path);
      // No entry adds a selector (pkg/policy/k8s/service.go processRule, before 1.17 pkg/k8s RuleTranslator): with ports or
      // ICMP types the item is open to every peer, and when some Service is not in the inputs the rule is not judged.
      const onPorts = (item.toPorts ?? []).length > 0 || (item.icmps ?? []).length > 0;
      const unresolved = unresolvedServices(readings, onPorts);
      if (unresolved === 'not-known') {
        pushAll(servicesMissing.services, missing);
        pushAll(servicesMissing.endpoints, endpointsMissing);
        return { kind: 'any' };
      }
      if (unresolved === 'every-peer') {
        return noSelectorPeer(item, name, `${name}: no entry adds a peer selector (${none.join('; ')})`, notes);
      }
      for (const text of noAddress) notes.push(`${name}: ${text} has no selector and no endpoint address in the inputs, so it adds no peer selector`);
      return { kind: 'services', backends };
    }
    case 'fqdns': {
      const subdomain = ctx.config.version.atLeast(CiliumVersion.V1_19);
      if (!subdomain && (item.fqdns ?? []).some((f) => /^\*{2,}\./.test(f.matchPattern ?? ''))) {
        notes.push(`before Cilium 1.19 a leading "**." in matchPattern is the same as "*." (a single label)`);
      }
      return { kind: 'fqdns', matchers: (item.fqdns ?? []).map((f) => compileFqdnSelector(f, subdomain)) };
    }
    case 'groups':
      notes.push(`${name} (AWS) is resolved by the operator into CIDRs from the cloud API; the engine cannot resolve it, so it selects nothing here`);
      return { kind: 'groups' };
    default:
      return { kind: 'any' };
  }
}

/**
 * Notes on the `/0` blocks of an IP family a single-stack cluster does not run: labels.IPStringToLabel turns the zero-length
 * prefix into that family's world label (getWorldLabel: `::/0` is reserved:world-ipv6 when IPv4 is enabled), which no
 * address has, so the block selects nothing.
 */
function otherFamilyNotes(blocks: CidrBlock[], name: string, ctx: TranslateContext, notes: string[]): CidrBlock[] {
  const mode = ctx.config.ipFamilies;
  if (mode === IpFamilies.DUAL) return blocks;
  const own = mode === IpFamilies.IPV6 ? 6 : 4;
  for (const b of blocks) {
    if (b.cidr.prefix !== 0 || b.cidr.family === own) continue;
    notes.push(`${name} ${b.text}: the IPv${b.cidr.family} world selects reserved:world-ipv${b.cidr.family}, which no address of an IPv${own}-only `
      + `cluster has; the world of this cluster is ${own === 4 ? '0.0.0.0/0' : '::/0'}`);
  }
  return blocks;
}

/**
 * Before Cilium 1.15, `CIDRSlice.GetAsEndpointSelectors` (toCIDR, and toCIDRSet through `ComputeResultantCIDRSet`) turns
 * a CIDR that `MatchesAll` — `0.0.0.0/0` or `::/0` (`CIDRMatchAll`), in a `toCIDRSet` only without `except` (the holes
 * split it into smaller prefixes) — into the selector of reserved:world, the identity of every outside address of either
 * family before the family world identities of 1.15 (cilium/cilium#22625). So `::/0` in an IPv4-only cluster, and
 * `0.0.0.0/0` in a dual-stack one, select the whole world; 1.15 selects by the prefix's own family.
 */
function wholeWorlds(blocks: CidrBlock[], name: string, ctx: TranslateContext, notes: string[]): CidrBlock[] {
  const mode = ctx.config.ipFamilies;
  return blocks.map((b) => {
    if (b.cidr.prefix !== 0 || b.except.length > 0) return b;
    if (mode === IpFamilies.DUAL || familiesOf(mode)[0] !== b.cidr.family) {
      notes.push(`${name} ${b.text}: Cilium ${ctx.config.version} turns 0.0.0.0/0 and ::/0 into reserved:world (CIDRSlice.GetAsEndpointSelectors, `
        + `CIDRMatchAll), the identity of every outside address of either family before 1.15, so it selects the whole world; from 1.15 it selects `
        + `the IPv${b.cidr.family} world only`);
    }
    return { ...b, anyFamilyWorld: true };
  });
}

/**
 * Cilium 1.17-1.18 `CIDRRuleSlice.GetAsEndpointSelectors` (CIDR rules as label selectors, except holes as DoesNotExist):
 * `0.0.0.0/0` is reserved:world-ipv4 and `::/0` reserved:world-ipv6 when dual-stack, both reserved:world otherwise, so in
 * a single-stack cluster a `toCIDRSet`/`fromCIDRSet` `::/0` (`0.0.0.0/0` in an IPv6-only one) selects every outside
 * address. 1.19 maps the zero-length prefix by its own family (labels.IPStringToLabel/getWorldLabel); `toCIDR` never did.
 */
function anyFamilyWorlds(blocks: CidrBlock[], name: string, ctx: TranslateContext, notes: string[]): CidrBlock[] {
  const mode = ctx.config.ipFamilies;
  if (mode === IpFamilies.DUAL) return blocks;
  const own = mode === IpFamilies.IPV6 ? 6 : 4;
  return blocks.map((b) => {
    if (b.cidr.prefix !== 0 || b.cidr.family === own) return b;
    notes.push(`${name} ${b.text}: Cilium ${ctx.config.version} turns a /0 of either family into reserved:world in a single-stack cluster `
      + `(CIDRRuleSlice.GetAsEndpointSelectors), so it selects every outside address of this IPv${own}-only cluster; from 1.19 it selects `
      + `reserved:world-ipv${b.cidr.family}, which no address has (toCIDR ${b.text} never selects the world here)`);
    return { ...b, anyFamilyWorld: true };
  });
}

/**
 * The blocks of a `toCIDR` entry (`set` false) or of a CIDR-set entry, with the CIDRs of the CiliumCIDRGroups it names:
 * each CIDR less the entry's `except` holes; in a CIDR set, as the agent of the target version selects it
 * (`cidrSetAsSelected`: on 1.14-1.16 its IPv4-mapped part is IPv4), with a note when that differs from what is written.
 */
function cidrBlocks(rule: CidrRuleModel, ctx: TranslateContext, notes: string[], path: string, refsResolved = true, set = true): CidrBlock[] {
  const except: ParsedCidr[] = [];
  // A CIDR that does not parse, or an except outside its CIDR, makes the agent refuse the rule (`sanitize-cidr-parse`,
  // `sanitize-except-outside-cidr`): such a rule is not imported, so its blocks are never judged.
  for (const e of rule.except ?? []) {
    const p = parseCidr(e);
    if (p) except.push(p);
    else notes.push(`except ${e} at ${path} is not a CIDR the engine reads: it excludes nothing here`);
  }
  if (rule.cidr !== undefined) {
    const c = parseCidr(rule.cidr);
    if (!c) {
      notes.push(`${rule.cidr} at ${path} is not a CIDR the engine reads: it selects nothing here`);
      return [];
    }
    const text = rule.cidr + (except.length ? ` except ${(rule.except ?? []).join(', ')}` : '');
    return set ? selectedSetBlocks(c, except, text, ctx, notes, path) : [{ cidr: c, except, text }];
  }
  if (rule.cidrGroupSelector !== undefined && rule.cidrGroupRef === undefined && !ctx.config.version.atLeast(CiliumVersion.V1_17)) {
    notes.push(`cidrGroupSelector is not in the Cilium ${ctx.config.version} CRD: the API server prunes it`);
    return [];
  }
  if (rule.cidrGroupRef !== undefined && !refsResolved) {
    notes.push(`cidrGroupRef ${rule.cidrGroupRef} at ${path}: Cilium ${ctx.config.version} resolves CIDR group references only in the fromCIDRSet of `
      + 'ingress allow rules (elsewhere from 1.16), so it selects nothing here');
    return [];
  }
  const groups = selectedCidrGroups(rule, ctx.config.cidrGroups, groupSelectorsSelectUngrouped(ctx.config.version));
  if (rule.cidrGroupRef !== undefined) {
    if (groups.length === 0) notes.push(`cidrGroupRef ${rule.cidrGroupRef}: no such CiliumCIDRGroup is known, so it selects nothing`);
  } else if (rule.cidrGroupSelector !== undefined && groups.length === 0) {
    notes.push(`cidrGroupSelector ${Selector.from(rule.cidrGroupSelector).toString()} matches no known CiliumCIDRGroup, so it selects nothing`);
  }
  // The except holes apply to the group's CIDRs too (`GetAsEndpointSelectors`: a DoesNotExist per except CIDR).
  const exceptText = except.length ? ` except ${(rule.except ?? []).join(', ')}` : '';
  return groups.flatMap(([name, g]) => g.cidrs.flatMap((c) => {
    const p = parseCidr(c);
    return p ? selectedSetBlocks(p, except, `${c} (CiliumCIDRGroup ${name})${exceptText}`, ctx, notes, path) : [];
  }));
}

/**
 * The `cidrGroupSelector` entries of a CIDR set (Cilium 1.17+) that select the identities of no CiliumCIDRGroup too
 * (`groupSelectorSelectsUngrouped`): the agent selects with the selector's requirements alone, so `{}` is every identity
 * of the cluster and the world (less the `except` holes), not the groups' ranges only.
 */
function ungroupedSelections(entries: readonly CidrRuleModel[], name: string, ctx: TranslateContext, notes: string[]): UngroupedSelection[] {
  const out: UngroupedSelection[] = [];
  for (const e of entries) {
    if (!cidrSetEntrySelectsUngrouped(e)) continue;
    const except = (e.except ?? []).flatMap((c) => parseCidr(c) ?? []);
    const groupCidrs = [...ctx.config.cidrGroups.values()].flatMap((g) => g.cidrs.flatMap((c) => parseCidr(c) ?? []));
    const text = `cidrGroupSelector ${Selector.from(e.cidrGroupSelector).toString()}${except.length > 0 ? ` except ${(e.except ?? []).join(', ')}` : ''}`;
    notes.push(`${name} ${text} holds on an identity without any cidrgroup: label, so Cilium ${ctx.config.version} selects with it every identity `
      + 'no CiliumCIDRGroup labels: pods of every namespace, nodes, reserved entities and outside addresses no group holds, not only the '
      + "groups' ranges (the selector's requirements alone: CIDRRuleSlice.GetAsEndpointSelectors, 1.19 newCIDRRuleSelector)");
    const wildcard = groupSelectorIsWildcard(e, ctx.config.version);
    out.push({ text, except, groupCidrs, ...(wildcard ? { wildcard } : {}) });
  }
  return out;
}

/** The blocks a CIDR-set entry's CIDR less its holes selects on the target version (`cidrSetAsSelected`), with a note when rewritten. */
function selectedSetBlocks(cidr: ParsedCidr, except: ParsedCidr[], text: string, ctx: TranslateContext, notes: string[], path: string): CidrBlock[] {
  const selected = cidrSetAsSelected(cidr, except, ctx.config.version);
  if (selected === undefined) return [{ cidr, except, text }];
  const shown = (c: ParsedCidr): string => `${formatIp(c)}/${c.prefix}`;
  const what = selected.map((b) => shown(b.cidr) + (b.except.length > 0 ? ` except ${b.except.map(shown).join(', ')}` : '')).join(' and ');
  notes.push(`${text} at ${path}: Cilium ${ctx.config.version} reads a CIDR-set entry through net.ParseCIDR and IPNet.String() `
    + `(pkg/policy/api ComputeResultantCIDRSet), which write its IPv4-mapped part as IPv4, so it selects ${what}; toCIDR, and from 1.17 a CIDR set too, keep it IPv6`);
  return selected.map((b) => ({ cidr: b.cidr, except: [...b.except], text }));
}

/**
 * The first egress allow item of `rule` with a `toServices` entry whose k8sServiceSelector does not build, for Cilium
 * 1.19+ (`serviceEntryTarget` `undecided`): pkg/policy/k8s/service.go `serviceSelectorMatches` there builds
 * `policytypes.NewLabelSelector`, whose `LabelSelectorToRequirements` (pkg/policy/types/requirements.go) returns nil
 * requirements when the selector does not build, and `MatchesRequirements` of none is true: the entry matches every
 * Service in its scope. cilium/cilium#46946 (1.19, July 2026) changed that reading again (a source prefix is read as a
 * source, which the Service match ignores), so the patch release decides. Up to 1.18 `EndpointSelector.Matches` refuses
 * to match (`nothing`).
 */
function undecidedServiceSelector(rule: RuleModel, compiled: CompiledRule, version: CiliumVersion): CompiledRule['undecided'] {
  const egress = rule.egress ?? [];
  for (let i = 0; i < egress.length; i++) {
    const targets = (egress[i].services ?? []).map((s) => serviceEntryTarget(s, version));
    const j = targets.findIndex((t) => t.kind === 'undecided');
    const target = targets[j];
    const item = (compiled.items[SectionName.EGRESS] ?? []).find((it) => it.index === i);
    if (target?.kind !== 'undecided' || item === undefined) continue;
    return { kind: 'service-selector', item, at: `toServices[${j}].${target.at}`, why: target.why, fix: target.fix };
  }
  return undefined;
}

/**
 * The first ingress allow item of `compiled` (Cilium 1.14/1.15) whose `fromCIDRSet` the agent drops if the groups it
 * names that the inputs do not hold are missing or empty in the cluster too (`CompiledItem.cidrGroupsMissing`, set by
 * `compilePeer`): whether its ports are open to every peer or to those groups' CIDRs is not known.
 */
function undecidedCidrGroup(compiled: CompiledRule, version: CiliumVersion): CompiledRule['undecided'] {
  const item = (compiled.items[SectionName.INGRESS] ?? []).find((it) => it.cidrGroupsMissing !== undefined);
  if (item?.cidrGroupsMissing === undefined) return undefined;
  const missing = item.cidrGroupsMissing;
  const names = missing.map((m) => `"${m}"`).join(', ');
  return {
    kind: 'cidr-group', item, at: 'fromCIDRSet',
    why: `${missing.length === 1 ? 'the CiliumCIDRGroup' : 'the CiliumCIDRGroups'} ${names} ${missing.length === 1 ? 'is' : 'are'} not in the inputs, and `
      + `Cilium ${version} replaces each reference with its group's CIDRs before import: `
      + 'if no group named holds a CIDR the list is dropped and the item\'s ports are open to every peer, else only those CIDRs are',
    fix: `pass the CiliumCIDRGroup ${missing.length === 1 ? 'manifest' : 'manifests'} ${names} with --policies, or target Cilium 1.16+`,
  };
}

/**
 * The first egress allow item of `compiled` with toPorts or icmps whose `toServices` entries add no peer selector here,
 * some naming Services the inputs do not hold or selector-less ones given without their Endpoints or EndpointSlices
 * (`CompiledItem.servicesMissing`, set by `compilePeer`): the agent adds a selector only for a Service that exists, and the
 * endpoint addresses of a selector-less one only when it has some (from 1.17 pkg/policy/k8s/service.go `processRule`;
 * before, pkg/k8s/rule_translate.go `RuleTranslator`, selector-less Services only), so whether the ports are open to every
 * peer or to the backends of those Services is not known.
 */
function undecidedServiceMissing(compiled: CompiledRule, version: CiliumVersion): CompiledRule['undecided'] {
  const item = (compiled.items[SectionName.EGRESS] ?? []).find((it) => it.servicesMissing !== undefined);
  if (item?.servicesMissing === undefined) return undefined;
  const { services, endpoints } = item.servicesMissing;
  const opened = item.l4.kind === 'ports' && item.l4.portRules.length === 0 && item.l4.icmps.length > 0 ? 'ICMP types' : 'ports';
  const modern = version.atLeast(CiliumVersion.V1_17);
  const where = modern ? 'pkg/policy/k8s/service.go processRule' : 'pkg/k8s/rule_translate.go RuleTranslator';
  const plural = (list: readonly string[], one: string, many: string): string => (list.length === 1 ? one : many);
  const lacks = [
    ...(services.length > 0 ? [`${services.join(', ')} ${services.length === 1 && !services[0].startsWith('Services') ? 'is' : 'are'} not in the inputs`] : []),
    ...(endpoints.length > 0 ? [`${endpoints.join(', ')} ${plural(endpoints, 'has', 'have')} no selector and no Endpoints or EndpointSlice in the inputs`] : []),
  ].join(', and ');
  const unless = [
    ...(services.length > 0 ? [`${plural(services, 'it does', 'they do')} not exist in the cluster (a typo, another namespace, not created yet, deleted)`] : []),
    ...(endpoints.length > 0 ? [`${plural(endpoints, 'it has', 'they have')} no endpoint address in the cluster`] : []),
  ].join(' or ');
  const all = [...services, ...endpoints];
  const backends = modern ? 'backends only' : 'endpoint addresses if it has no selector';
  return {
    kind: 'service-missing', item, at: 'toServices',
    why: `${lacks}, and no other entry of the item adds a peer selector: Cilium ${version} adds `
      + `${services.length > 0 ? `one only for a Service that exists${endpoints.length > 0 ? ', and for a selector-less one' : ''}` : 'for a selector-less Service'}`
      + `${endpoints.length > 0 ? ' its endpoint addresses, none when it has none' : ''} (${where}), so if ${unless} the item's ${opened} are open to every `
      + `peer, the world included, else to ${plural(all, 'its', 'their')} ${backends}`,
    fix: [
      ...(services.length > 0 ? [`pass the Service ${plural(services, 'manifest', 'manifests')} (with the Endpoints or EndpointSlices of a selector-less one)`] : []),
      ...(endpoints.length > 0 ? [`pass the Endpoints or EndpointSlices of ${endpoints.join(', ')}`] : []),
    ].join(' and ') + ' with --policies, or select the backends with toEndpoints (their labels and namespace) or toCIDRSet (their addresses)',
  };
}

/**
 * The backends of a `toServices` item's entries, and how each entry reads (`readServiceEntry`): the Services not in the
 * inputs it names (`missing`), its selector-less Services without any Endpoints or EndpointSlice in the inputs
 * (`endpointsMissing`), and why those that add no selector add none (`none`; `noAddress`: the selector-less Services with
 * no endpoint address, noted by `compilePeer` unless the item's own note says it).
 */
function serviceBackends(item: RuleItemModel, ctx: TranslateContext, notes: string[], path: string): {
  backends: ServiceBackend[]; readings: ServiceEntryReading[]; missing: string[]; endpointsMissing: string[]; none: string[]; noAddress: string[];
} {
  const v = ctx.config.version;
  const out: ServiceBackend[] = [];
  const readings: ServiceEntryReading[] = [];
  const missing: string[] = [];
  const endpointsMissing: string[] = [];
  const none: string[] = [];
  const noAddress: string[] = [];
  const facts = ctx.serviceFacts ??= inventoryServiceFacts(ctx.config.inventory);
  for (const s of item.services ?? []) {
    const target = serviceEntryTarget(s, v);
    const { reading, found, endpointsMissing: unknown, ignored } = readServiceEntry(s, facts, v);
    readings.push(reading);
    if (target.kind === 'nothing' || target.kind === 'undecided') {
      // From 1.19 the patch release decides what it matches (`undecidedServiceSelector`).
      notes.push(`toServices: ${target.why}${target.kind === 'undecided' ? '; which Services it matches depends on the Cilium 1.19 patch release' : ''}`);
      none.push(target.why);
      continue;
    }
    // The selector first, as Cilium reads an entry with both (`serviceEntryUses`).
    const uses = serviceEntryUses(s);
    const bySelector = uses === 'k8sServiceSelector' ? s.k8sServiceSelector : undefined;
    const byName = uses === 'k8sService' ? s.k8sService : undefined;
    const dottedKeys = selectorKeys(bySelector?.selector).filter((k) => k.includes('.'));
    if (dottedKeys.length > 0 && ctx.config.version.atLeast(CiliumVersion.V1_19)) {
      // cilium/cilium#46732: policytypes requirements read a key with labels.ParseSelectDotLabel, and the Service match
      // (labelsMatcher) looks up the key after the source only.
      notes.push(`toServices: the k8sServiceSelector ${Selector.from(bySelector?.selector).toString()} has keys with a "." `
        + `(${dottedKeys.map((k) => JSON.stringify(k)).join(', ')}): 1.19 agents with cilium/cilium#46732 (reported on 1.19.5 and later; fixed by `
        + '#46946, July 2026) read the text before the first "." as a label source and match the Service labels by the rest of the key only; '
        + 'this verdict matches the keys as written');
    }
    const what = target.kind === 'name' ? `Service ${target.namespace ?? '*'}/${target.name}`
      : `Services matching ${target.selector.toString()}${target.namespace !== undefined ? ` in ${target.namespace}` : ''}`;
    if (reading === 'not-in-inputs') missing.push(what);
    pushAll(endpointsMissing, unknown.map((svc) => `Service ${svc.namespace}/${svc.name}`));
    if (ignored !== undefined) {
      const names = ignored.map((svc) => `${svc.namespace}/${svc.name}`).join(', ');
      const why = `${what} ${ignored.length === 1 ? 'is an ExternalName Service' : `are ExternalName Services (${names})`}, which Cilium ${v} does not `
        + 'hold (pkg/k8s ParseService: "External-name services must be ignored"), so it adds no peer selector';
      notes.push(`toServices: ${why}`);
      none.push(why);
      continue;
    }
    if (found.length === 0) {
      notes.push(`toServices: ${what} ${byName ? 'is' : 'are'} not in the inventory (give the Service manifest), so it selects nothing here`
        + ((item.toPorts ?? []).length > 0 ? '; if no such Service exists in the cluster, the agent adds no selector for it, and an item left '
          + 'without any opens its ports to every peer' : ''));
    }
    for (const svc of found) {
      const text = `Service ${svc.namespace}/${svc.name}`;
      if (svc.selector !== undefined) {
        if (ctx.config.version.atLeast(CiliumVersion.V1_17)) {
          // pkg/policy/k8s/service.go processRule: the Service's selector becomes a generated toEndpoints selector.
          const model: LabelSelectorModel = { matchLabels: { ...svc.selector, [`k8s:${NAMESPACE_KEY}`]: svc.namespace } };
          out.push({ text, selector: clusterFilter(Selector.from(model), ctx.localCluster) });
          // appendSelector copies the Service's keys without a source, and agents without the fix of cilium/cilium#41151
          // read the text before a key's first "." as its source (labels.ParseSelectDotLabel): `app.kubernetes.io/name` is
          // source `app`, no pod's; `k8s.app` is source `k8s`, key `app`, a different key of the pods.
          const dotted = Object.keys(svc.selector).filter((k) => k.includes('.'));
          if (dotted.length > 0) notes.push(dottedSelectorNote(text, dotted));
        } else {
          // Before 1.17 (isSelectableService; the CRD says "only ... K8s services without selectors") a Service backed by
          // pods is no toServices target.
          notes.push(`toServices: ${text} has a selector, and Cilium ${ctx.config.version} selects only Services without one (1.17+ ` +
            `translates the selector), so it selects nothing; select its pods with toEndpoints instead`);
          none.push(`${text} has a selector, which Cilium ${v} does not translate`);
        }
      } else {
        // pkg/policy/k8s/service.go processRule/appendEndpoints: the endpoint addresses become generated toCIDRSet entries
        // (`MinimalEndpoints.Prefixes`, not unmapped), read as any CIDR-set entry: an IPv4-mapped one is IPv4 on 1.14-1.16
        // (`selectedSetBlocks`) and stays IPv6 from 1.17, where no packet carries it.
        const cidrs = (svc.endpointCidrs ?? []).map((c) => parseCidr(c)).filter((c): c is ParsedCidr => c !== undefined).flatMap((c) => {
          if (!isIpv4MappedCidr(c)) return [c];
          const written = `${formatIp(c)}/${c.prefix}`;
          if (ctx.config.version.atLeast(CiliumVersion.V1_17)) {
            notes.push(`toServices: the endpoint address ${written} of ${text} is IPv4-mapped: Cilium ${ctx.config.version} adds it to a generated toCIDRSet `
              + `as written (pkg/policy/k8s/service.go appendEndpoints), which keeps it IPv6, and no packet carries a mapped address, so it selects `
              + `nothing; write the address as IPv4 (${formatIp(unmapCidr(c))})`);
          }
          return selectedSetBlocks(c, [], `toServices: the endpoint address ${written} of ${text} (a generated toCIDRSet entry)`, ctx, notes, path)
            .map((b) => b.cidr);
        });
        if (svc.endpointCidrs === undefined) {
          notes.push(`toServices: ${text} has no selector and no Endpoints or EndpointSlice in the inputs (give them), so its endpoint addresses `
            + 'are not known and it selects nothing here');
        } else if (svc.endpointCidrs.every((c) => parseCidr(c) === undefined)) {
          // Said once: in the item's note when no entry adds a selector (`noSelectorPeer`), else on its own (`compilePeer`).
          none.push(`${text} has no selector and no endpoint address in the inputs`);
          noAddress.push(text);
        } else if (cidrs.length === 0) notes.push(`toServices: ${text} has no selector and no endpoint address that selects, so it adds no peer selector`);
        out.push({ text, cidrs });
      }
    }
  }
  return { backends: out, readings, missing, endpointsMissing, none, noAddress };
}

/** The keys of a label selector model (`matchLabels`, then `matchExpressions`). */
function selectorKeys(selector: LabelSelectorModel | undefined): string[] {
  return [...Object.keys(selector?.matchLabels ?? {}), ...(selector?.matchExpressions ?? []).map((e) => e.key)];
}

/** Sources a pod's labels may be matched under (`k8s`, and those that match any source). */
const POD_SOURCES: ReadonlySet<string> = new Set(['k8s', 'any', 'container', 'unspec']);

/**
 * The note on a toServices Service whose pod selector has keys with a "." (cilium/cilium#41151, fixed by commit 76f23906,
 * backported to 1.19 by #44888, 1.18 by #44949, 1.17 by #44950; which patch releases carry it is not known here).
 */
function dottedSelectorNote(text: string, dotted: readonly string[]): string {
  const reads = dotted.map((k) => {
    const dot = k.indexOf('.');
    const source = k.slice(0, dot);
    return POD_SOURCES.has(source) ? `${JSON.stringify(k)} as ${source}:${k.slice(dot + 1)}, a different key`
      : `${JSON.stringify(k)} as source ${source}, which no pod label has`;
  });
  return `toServices: ${text} selects its pods by ${dotted.map((k) => JSON.stringify(k)).join(', ')}: Cilium builds the selector of its pods `
    + `from these keys as written, and agents without the fix of cilium/cilium#41151 (commit 76f23906; backported to 1.17 by #44950, 1.18 by `
    + `#44949, 1.19 by #44888, in March 2026) read the text before a key's first "." as a label source: ${reads.join('; ')}. This verdict `
    + 'reads the keys as written, as agents with the fix do';
}

/**
 * The keys a selector requires (`In`, `Exists`) that Cilium's default label filter keeps out of every identity
 * (`onNonIdentityKey`): such a selector selects nothing.
 */
function nonIdentityKeys(selector: Selector, version: CiliumVersion): string[] {
  const keys = selector.requirements.filter((r) => (r.operator === 'In' || r.operator === 'Exists') && onNonIdentityKey(r, version))
    .map((r) => `${r.source}:${r.key}`);
  return [...new Set(keys)];
}

function wire(field: PeerField, direction: 'ingress' | 'egress'): string {
  return PEER_FIELDS[field][direction] ?? field;
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
