// Which CiliumCIDRGroups a `fromCIDRSet`/`toCIDRSet` entry names: one reading for the verdict engine (which resolves the
// groups of its inventory) and the host lockout guard of `validate` (which resolves the groups of its input).
import { LabelSet, Selector } from './labels';
import { CidrRuleModel } from './policy-model';

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
 * The known groups a CIDR-set entry names: the group of its `cidrGroupRef`, or every group whose labels its
 * `cidrGroupSelector` matches (as `cidrgroup:` labels, the source Cilium gives them), in the order of `groups`. An entry
 * with a `cidr` names none. A selector that cannot be read matches none (the schema check reports it).
 */
export function selectedCidrGroups<G extends CidrGroupContents>(entry: CidrRuleModel, groups: ReadonlyMap<string, G>): [string, G][] {
  if (entry.cidr !== undefined) return [];
  if (entry.cidrGroupRef !== undefined) {
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
  return [...groups].filter(([, g]) => sel.matches(LabelSet.of(Object.entries(g.labels ?? {}).map(([key, value]) => ({ source: 'cidrgroup', key, value })))));
}
