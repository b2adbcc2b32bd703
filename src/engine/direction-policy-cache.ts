/**
 * The direction policies of a `PolicySet`, computed on first use: each subject identity's matching subject selectors (the
 * selector cache, `selector-cache.ts`), and one direction policy per direction and set of selectors, shared by the
 * identities the same selectors select.
 */
import { CompiledRule } from './compile';
import { DirectionPolicy, PortIndex, RuleSelection, directionPolicyOf } from './direction-policy';
import { SectionName } from '../model/policy-model';
import { LabelSet } from '../model/labels';
import { ResolvedEndpoint, SubjectKind } from './identity';
import { SubjectSelectorCache } from './selector-cache';

/** The most rule selections kept per subject kind (one per identity): a process that sees more identities stays bounded. */
const MAX_SELECTIONS = 100_000;

/** Direction policies by identity, cached. */
export class DirectionPolicyCache {
  /**
   * The distinct selections, interned in a trie: one root per subject kind and `init` flag, then one step per matching
   * subject selector id (ascending). Identities selected by the same selectors reach the same node, which holds their
   * direction policies: they share them (and their decisions) without a key built per identity.
   */
  private readonly roots = new Map<string, SelectionNode>();
  /** The trie node of each subject identity once looked up, per subject kind and label set object (one per identity: `EndpointRecords`). */
  private readonly selections = { endpoint: new Map<LabelSet, SelectionNode>(), node: new Map<LabelSet, SelectionNode>() };
  /** The subject selectors, interned when the set is built. */
  private readonly selectorCache: SubjectSelectorCache;

  /** The port index of each rule section, built with the cache (as the agent indexes a rule when it imports it). */
  private readonly sectionIndexes = new Map<CompiledRule, Record<SectionName, PortIndex>>();
  private readonly sectionIndex = (rule: CompiledRule, section: SectionName): PortIndex =>
    (this.sectionIndexes.get(rule) as Record<SectionName, PortIndex>)[section];

  public constructor(rules: readonly CompiledRule[]) {
    this.selectorCache = new SubjectSelectorCache(rules);
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
    const kind = subject.subject;
    if (kind === undefined) return undefined;
    const byLabels = this.selections[kind];
    let node = byLabels.get(subject.labels);
    if (node === undefined) {
      // Equal label sets of different objects (not interned) look their selectors up again: same node. Bounded like the
      // endpoint records: past MAX_SELECTIONS identities they start over (looked up again on use).
      node = this.intern(kind, subject.labels.has('reserved', 'init'), this.selectorCache.matching(subject.labels, kind));
      if (byLabels.size >= MAX_SELECTIONS) byLabels.clear();
      byLabels.set(subject.labels, node);
    }
    let dp = node[direction];
    if (dp === undefined) {
      const selection = node.selection ??= this.selectorCache.selection(node.kind, node.init, node.ids);
      dp = directionPolicyOf(selection, direction, this.sectionIndex);
      node[direction] = dp;
    }
    return dp;
  }

  /** The trie node of a set of subject selectors (see `roots`). */
  private intern(kind: SubjectKind, init: boolean, ids: readonly number[]): SelectionNode {
    const rootKey = `${kind}|${init ? 1 : 0}`;
    let node = this.roots.get(rootKey);
    if (node === undefined) {
      node = { kind, init, ids: NO_IDS };
      this.roots.set(rootKey, node);
    }
    for (let i = 0; i < ids.length; i++) node = step(node, ids, i);
    return node;
  }
}

const NO_IDS: readonly number[] = Object.freeze([]);

/**
 * A node of the selection trie: the subject selectors of the path that ends here, the rule selection and direction
 * policies of the identities they select (made on first use), and the longer paths.
 */
interface SelectionNode {
  readonly kind: SubjectKind;
  readonly init: boolean;
  /** The selector ids of the path (ascending). */
  readonly ids: readonly number[];
  next?: Map<number, SelectionNode>;
  selection?: RuleSelection;
  ingress?: DirectionPolicy;
  egress?: DirectionPolicy;
}

/** The child of `node` on `ids[i]` (created on first use; it keeps `ids` up to `i`). */
function step(node: SelectionNode, ids: readonly number[], i: number): SelectionNode {
  const next = node.next ??= new Map();
  let child = next.get(ids[i]);
  if (child === undefined) {
    child = { kind: node.kind, init: node.init, ids: ids.slice(0, i + 1) };
    next.set(ids[i], child);
  }
  return child;
}
