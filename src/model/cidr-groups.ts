// Which CiliumCIDRGroups a `fromCIDRSet`/`toCIDRSet` entry names: one reading for the verdict engine (which resolves the
// groups of its inventory) and the host lockout guard of `validate` (which resolves the groups of its input).
import { CiliumVersion } from '../core/cilium-version';
import { LabelSet, Selector } from './labels';
import { CidrRuleModel, LabelSelectorModel, RuleItemModel } from './policy-model';
import { selectorRequiresNothing } from './selectors';

/** What rule resolution needs of a CiliumCIDRGroup: its CIDRs (`spec.externalCIDRs`) and its labels. */
export interface CidrGroupContents {
  /** The group's CIDRs. */
  readonly cidrs: readonly string[];
  /**
   * The group's labels, which `cidrGroupSelector` matches.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Whether the target version selects CIDR groups by their `cidrgroup:` labels (Cilium 1.17+, cilium/cilium#33441): a
 * `cidrGroupSelector` that holds on no label then selects the identities of no group too (`groupSelectorSelectsUngrouped`),
 * and a `cidrGroupRef: <name>` selects every group labelled `io.cilium.policy.cidrgroupname/<name>` (`selectedCidrGroups`).
 * Before 1.17 the watcher copies the named group's CIDRs into the rule (pkg/k8s/watchers/cilium_cidr_group.go `translateSpec`).
 */
export function groupSelectorsSelectUngrouped(version: CiliumVersion): boolean {
  return version.atLeast(CiliumVersion.V1_17);
}

/**
 * The known groups a CIDR-set entry names, in the order of `groups`: every group whose labels its `cidrGroupSelector`
 * matches (`cidrGroupLabelSet`: the `cidrgroup:` labels Cilium gives its prefixes, its name's among them); for its
 * `cidrGroupRef: <name>`, with `byLabel` (1.17+: `groupSelectorsSelectUngrouped`) every group whose label set has the key
 * `io.cilium.policy.cidrgroupname/<name>` (a group of another name may carry it as its own label, which Cilium keeps),
 * else the group of that name. From 1.17 the agent reads a reference as the requirement `Exists
 * cidrgroup:io.cilium.policy.cidrgroupname/<name>`: v1.17-v1.18 pkg/policy/api/cidr.go `CIDRRuleSlice.GetAsEndpointSelectors`
 * (the `r.CIDRGroupRef != ""` branch: `LabelForCIDRGroupRef`, `LabelSelectorOpExists`), v1.19 pkg/policy/types/selector.go
 * `newCIDRRuleSelector` (`newCIDRSelectorFromLabel`). An entry with a `cidr` names none. A selector that cannot be read
 * matches none (the schema check reports it).
 */
export function selectedCidrGroups<G extends CidrGroupContents>(entry: CidrRuleModel, groups: ReadonlyMap<string, G>,
  byLabel: boolean): [string, G][] {
  if (entry.cidr !== undefined) return [];
  if (entry.cidrGroupRef !== undefined) {
    if (byLabel) {
      const key = `${GROUP_NAME_KEY_PREFIX}/${entry.cidrGroupRef}`;
      return [...groups].filter(([name, g]) => cidrGroupLabelSet(name, g).has('cidrgroup', key));
    }
    const g = groups.get(entry.cidrGroupRef);
    return g ? [[entry.cidrGroupRef, g]] : [];
  }
  if (entry.cidrGroupSelector === undefined) return [];
  let sel: Selector;
  try {
    sel = Selector.from(entry.cidrGroupSelector);
  } catch {
    return [];
  }
  return [...groups].filter(([name, g]) => sel.matches(cidrGroupLabelSet(name, g)));
}

/** The key prefix of the labels Cilium owns, which it strips from a CiliumCIDRGroup's labels (`k8sconst.LabelPrefix`). */
const CILIUM_OWNED_KEY_PREFIX = 'io.cilium.k8s';
/** The key of the label Cilium gives every prefix of a CiliumCIDRGroup, before the group's name (`api.LabelPrefixGroupName`). */
const GROUP_NAME_KEY_PREFIX = 'io.cilium.policy.cidrgroupname';

/**
 * The `cidrgroup:` labels the identity of an address of a CiliumCIDRGroup carries, which a `cidrGroupSelector` matches:
 * the group's own labels less those of a key Cilium owns (`io.cilium.k8s…`), and `io.cilium.policy.cidrgroupname/<name>`
 * (empty value, over any label of that key). pkg/policy/k8s/cilium_cidr_group.go `applyCIDRGroup`:
 * `labels.Map2Labels(utils.RemoveCiliumLabels(cidrGroup.Labels), labels.LabelSourceCIDRGroup)`, then
 * `lbls[lbl.Key] = api.LabelForCIDRGroupRef(name)`; `RemoveCiliumLabels` drops a key with the prefix `k8sconst.LabelPrefix`
 * (pkg/k8s/apis/cilium.io/const.go, `io.cilium.k8s`).
 */
function cidrGroupLabelSet(name: string, g: CidrGroupContents): LabelSet {
  const own = Object.entries(g.labels ?? {}).filter(([key]) => !key.startsWith(CILIUM_OWNED_KEY_PREFIX));
  // `LabelSet.of` keeps the last of one source:key, so the name label wins over a label of the group of that key.
  return LabelSet.of([...own.map(([key, value]) => ({ source: 'cidrgroup', key, value })), { source: 'cidrgroup', key: `${GROUP_NAME_KEY_PREFIX}/${name}`, value: '' }]);
}

/**
 * Whether a `cidrGroupSelector` (Cilium 1.17+) also selects the identities of no CiliumCIDRGroup: pods, nodes, the host,
 * reserved entities and every outside address no group holds. The agent makes the entry a label selector of the
 * selector's own requirements (keys given the `cidrgroup:` source) and of the `except` holes, nothing more: v1.17-v1.18
 * pkg/policy/api/cidr.go `CIDRRuleSlice.GetAsEndpointSelectors` (`NewESFromK8sLabelSelector(LabelSourceCIDRGroupKeyPrefix,
 * r.CIDRGroupSelector)`), v1.19 pkg/policy/types/selector.go `newCIDRRuleSelector` (`LabelSelectorToRequirements`). An
 * identity outside every group carries no `cidrgroup:` label, so a selector that holds on no label at all (`{}`, only
 * `NotIn` or `DoesNotExist`) selects it. A selector that cannot be read selects none (as `selectedCidrGroups`).
 */
export function groupSelectorSelectsUngrouped(selector: LabelSelectorModel | undefined): boolean {
  if (selector === undefined) return false;
  try {
    return Selector.from(selector).matches(LabelSet.of([]));
  } catch {
    return false;
  }
}

/**
 * Whether a CIDR-set entry is a `cidrGroupSelector` (no `cidr`, no `cidrGroupRef`) that holds on no label
 * (`groupSelectorSelectsUngrouped`): on Cilium 1.17+ it selects every identity without a `cidrgroup:` label too.
 */
export function cidrSetEntrySelectsUngrouped(entry: CidrRuleModel): boolean {
  return entry.cidr === undefined && entry.cidrGroupRef === undefined && typeof entry.cidrGroupSelector === 'object'
    && entry.cidrGroupSelector !== null && !Array.isArray(entry.cidrGroupSelector) && groupSelectorSelectsUngrouped(entry.cidrGroupSelector);
}

/**
 * Whether a CIDR-set entry is a `cidrGroupSelector` that requires nothing (`{}`, `matchLabels: {}`), without `except`
 * (`cidrSetEntrySelectsUngrouped` and `selectorRequiresNothing`): on 1.17+ it selects every peer, every address included.
 */
export function groupSelectorSelectsEverything(entry: CidrRuleModel): boolean {
  return cidrSetEntrySelectsUngrouped(entry) && (entry.except ?? []).length === 0
    && selectorRequiresNothing(entry.cidrGroupSelector as LabelSelectorModel);
}

/**
 * Whether the agent caches a CIDR-set entry as the wildcard selector, the one of an item without peers: on 1.17-1.18 a
 * `cidrGroupSelector` that requires nothing (`{}`, `matchLabels: {}`), without `except`, is an empty EndpointSelector
 * (pkg/policy/api/cidr.go `CIDRRuleSlice.GetAsEndpointSelectors`: `NewESFromK8sLabelSelector("", &ls)` of no
 * requirement); from 1.19 it is a CIDRSelector of its own key (pkg/policy/types/selector.go `newCIDRRuleSelector`).
 */
export function groupSelectorIsWildcard(entry: CidrRuleModel, version: CiliumVersion): boolean {
  return groupSelectorsSelectUngrouped(version) && !version.atLeast(CiliumVersion.V1_19) && groupSelectorSelectsEverything(entry);
}

/** The references of a `fromCIDRSet` that Cilium 1.14/1.15 drop (`droppedGroupRefs`), by what the inputs hold of each group. */
export interface DroppedGroupRefs {
  /** The groups the inputs do not hold: if one exists in the cluster with CIDRs, the item selects those instead. */
  readonly missing: readonly string[];
  /** The groups the inputs hold without `externalCIDRs`. */
  readonly empty: readonly string[];
}

/**
 * Whether Cilium 1.14/1.15 drop an ingress allow item's `fromCIDRSet` whole: the watcher replaces each `cidrGroupRef`
 * entry of an `ingress` rule with one entry per CIDR of its CiliumCIDRGroup before the policy is imported, and sets the
 * list to the entries without a reference followed by those (pkg/k8s/watchers/cilium_cidr_group.go `translateSpec`:
 * `append(oldRules, newRules...)`, a missing or empty group adding none). When every entry is a reference to a group
 * missing or empty, the result is a nil list: the item has no L3 selector, as if `fromCIDRSet` were absent. Only
 * `spec.Ingress` is translated: `ingressDeny` and egress references are left as they are, and select nothing there.
 * From 1.16 the list left with no entry is empty, not nil, and selects nothing (cilium/cilium#33396). Undefined when
 * the list is kept; else the referenced groups, split by whether `groups` (the inputs) hold them.
 */
export function droppedGroupRefs(item: RuleItemModel, direction: 'ingress' | 'egress', deny: boolean, version: CiliumVersion,
  groups: ReadonlyMap<string, CidrGroupContents>): DroppedGroupRefs | undefined {
  const entries = item.cidrSet ?? [];
  if (version.atLeast(CiliumVersion.V1_16) || direction !== 'ingress' || deny || entries.length === 0) return undefined;
  const missing: string[] = [];
  const empty: string[] = [];
  for (const e of entries) {
    // An entry that is no object (in an unchecked document: validate) keeps the list.
    if (typeof e !== 'object' || e === null || typeof e.cidrGroupRef !== 'string' || e.cidr !== undefined) return undefined;
    const g = groups.get(e.cidrGroupRef);
    if (g === undefined) missing.push(e.cidrGroupRef);
    else if (g.cidrs.length > 0) return undefined;
    else empty.push(e.cidrGroupRef);
  }
  return { missing, empty };
}
