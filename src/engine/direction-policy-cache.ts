/**
 * The direction policies of a `PolicySet`, computed on first use: each subject identity's rule selection, and one
 * direction policy per direction and selection, shared by the identities the same rules select.
 */
import { CompiledRule } from './compile';
import { DirectionPolicy, PortIndex, RuleIndex, RuleSelection, directionPolicyOf, selectRules } from './direction-policy';
import { SectionName } from '../model/policy-model';
import { LabelSet } from '../model/labels';
import { ResolvedEndpoint } from './identity';
import { BoundedMemo } from '../model/bounded-memo';
import { PolicyEnforcement } from './policy-set-options';

/** The most rule selections kept per subject kind (one per identity): a process that sees more identities stays bounded. */
const MAX_SELECTIONS = 100_000;

/** Direction policies by identity, cached. */
export class DirectionPolicyCache {
  /**
   * The distinct rule selections, interned in a trie: one root per subject kind, `init` and `reserved` flag, then one step
   * per selected rule's ordinal (a skipped rule's as `-1 - ordinal`). Identities with the same selection reach the same node, which
   * holds their direction policies: they share them (and their decisions) without a key built per identity.
   */
  private readonly roots = new Map<string, SelectionNode>();
  /**
   * The rule selection of each subject identity and its direction policies once looked up, per subject kind and label set
   * object (one per identity: `EndpointRecords`).
   */
  private readonly selections = {
    endpoint: new BoundedMemo<LabelSet, IdentityPolicies>(MAX_SELECTIONS),
    node: new BoundedMemo<LabelSet, IdentityPolicies>(MAX_SELECTIONS),
  };
  /** The rule selection of a new identity of each subject kind (`selections`' compute functions). */
  private readonly selectionOf = {
    endpoint: (labels: LabelSet): IdentityPolicies => ({ selection: selectRules(this.ruleIndex.rulesFor(labels), 'endpoint', labels, this.enforcement) }),
    node: (labels: LabelSet): IdentityPolicies => ({ selection: selectRules(this.ruleIndex.rulesFor(labels), 'node', labels, this.enforcement) }),
  };
  /** Direction policies built so far (one per direction and distinct rule selection), for the engine benchmark. */
  public built = 0;
  /** The rules by a label their subject requires (a new identity is only matched against the rules filed under its labels). */
  private readonly ruleIndex: RuleIndex;

  /** The port index of each rule section, built with the cache (as the agent indexes a rule when it imports it). */
  private readonly sectionIndexes = new Map<CompiledRule, Record<SectionName, PortIndex>>();
  private readonly sectionIndex = (rule: CompiledRule, section: SectionName): PortIndex =>
    (this.sectionIndexes.get(rule) as Record<SectionName, PortIndex>)[section];

  /**
   * @param rules the compiled rules
   * @param enforcement the agent's policy enforcement mode, read by every selection
   */
  public constructor(rules: readonly CompiledRule[], private readonly enforcement: PolicyEnforcement) {
    this.ruleIndex = new RuleIndex(rules);
    for (const rule of rules) {
      if (!rule.imported) continue;
      this.sectionIndexes.set(rule, {
        [SectionName.INGRESS]: new PortIndex(rule.items[SectionName.INGRESS]),
        [SectionName.INGRESS_DENY]: new PortIndex(rule.items[SectionName.INGRESS_DENY]),
        [SectionName.EGRESS]: new PortIndex(rule.items[SectionName.EGRESS]),
        [SectionName.EGRESS_DENY]: new PortIndex(rule.items[SectionName.EGRESS_DENY]),
      });
    }
  }

  /** The (cached) policy of a subject identity in one direction; `undefined` where policy does not apply. */
  public get(subject: ResolvedEndpoint, direction: 'ingress' | 'egress'): DirectionPolicy | undefined {
    if (subject.subject === undefined) return undefined;
    // Equal label sets of different objects (not interned) compute their selection again: same result. Bounded like the
    // endpoint records: past MAX_SELECTIONS identities the selections start over (computed again on use).
    const entry = this.selections[subject.subject].get(subject.labels, this.selectionOf[subject.subject]);
    const known = entry[direction];
    if (known) return known;
    const node = entry.node ??= this.internSelection(entry.selection);
    let dp = node[direction];
    if (!dp) {
      dp = directionPolicyOf(node.selection ??= entry.selection, direction, this.sectionIndex);
      node[direction] = dp;
      this.built++;
    }
    entry[direction] = dp;
    return dp;
  }

  /**
   * The rules that select a subject identity (both directions: `DirectionPolicy.selecting` of either of its direction
   * policies), without building a direction policy; `undefined` where policy does not apply. One array per distinct
   * selection (its trie node's), so what is kept per array (`agentRefusals`) is shared by the identities it selects.
   */
  public selecting(subject: ResolvedEndpoint): readonly CompiledRule[] | undefined {
    if (subject.subject === undefined) return undefined;
    const entry = this.selections[subject.subject].get(subject.labels, this.selectionOf[subject.subject]);
    const node = entry.node ??= this.internSelection(entry.selection);
    return (node.selection ??= entry.selection).selecting;
  }

  /** The trie node of a rule selection (see `roots`). */
  private internSelection(selection: RuleSelection): SelectionNode {
    const rootKey = `${selection.subjectKind}|${selection.init ? 1 : 0}|${selection.reserved ? 1 : 0}|${selection.initLabel ?? ''}`;
    let node = this.roots.get(rootKey);
    if (node === undefined) {
      node = {};
      this.roots.set(rootKey, node);
    }
    // Selected rules first, then skipped ones (negative steps): both lists are in input order, so a selection has one path.
    for (let i = 0; i < selection.selecting.length; i++) node = step(node, selection.selecting[i].ordinal);
    for (let i = 0; i < selection.skipped.length; i++) node = step(node, -1 - selection.skipped[i].ordinal);
    return node;
  }
}

/** A node of the selection trie: the direction policies of the selection that ends here, and the longer selections. */
interface SelectionNode {
  next?: Map<number, SelectionNode>;
  /** The selection of the first identity that reached it: its direction policies' (`selecting`). */
  selection?: RuleSelection;
  ingress?: DirectionPolicy;
  egress?: DirectionPolicy;
}

/** The child of `node` on `ordinal` (created on first use). */
function step(node: SelectionNode, ordinal: number): SelectionNode {
  const next = node.next ??= new Map();
  let child = next.get(ordinal);
  if (child === undefined) {
    child = {};
    next.set(ordinal, child);
  }
  return child;
}

/** A subject identity's rule selection, and its direction policies once looked up. */
interface IdentityPolicies {
  readonly selection: RuleSelection;
  /** Its node in the selection trie, once interned. */
  node?: SelectionNode;
  ingress?: DirectionPolicy;
  egress?: DirectionPolicy;
}
