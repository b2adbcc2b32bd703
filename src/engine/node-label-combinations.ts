/**
 * Whether one side's decision on a connection holds on every node, when an end is a node given without its labels and rules
 * read them (`nodeLabelRules`: host rules whose `nodeSelector` reads node labels; `peerNodeLabelItems`: `fromNodes`/`toNodes`
 * items that do, with per-node labels on). Which of those rules select the node is what its labels decide, and they are not
 * given: the side is decided under every combination, each such host rule selecting the subject or not and each such item
 * selecting the peer or not (by its selectors that read node labels; its others read as given), and it holds on every node
 * only when every combination decides alike: the same decision, deciding rule and L7 outcome. Deny precedence, default deny
 * (a host rule selecting the node puts it into default deny) and L7 merging make the decision no monotone function of
 * which rules select, so no pair of extremes bounds it: every combination is decided, up to `MAX_NODE_LABEL_COMBINATIONS`
 * (past it, none holds: refused, never guessed), within a work budget (`MAX_NODE_LABEL_WORK`). Combinations no node can
 * have (two rules of the same selector, one in and one out) only make the answer more cautious. A decision that reads the
 * subject's DNS learning (`SideInput.learn`: a `toFQDNs` item that matches the query's name) never holds on every node:
 * the learning is of the node as given, and whether a node's proxy learns a name depends on which host rules select it
 * (its own lookup, pkg/fqdn/namemanager), so it is refused, as before the combinations. The one test `trace`, the test
 * matchers and `replay` refuse by, and `verdict()` notes (`PolicySet._nodeLabelsUnknown`).
 */
import { CompiledItem, CompiledRule } from './compile';
import { DirectionPolicy, RuleSelection, directionPolicyOf } from './direction-policy';
import { SideInput, decideSide } from './evaluate';
import { itemSelectorReadsNodeLabels, peerNodeLabelItems } from './host-node-labels';
import { ResolvedEndpoint } from './identity';
import { AbsentNodeLabels } from '../model/node-label-reads';
import { SideVerdict } from './verdict';

/** The most combinations decided for one side (2^8): past it, the side is taken not to hold on every node. */
const MAX_NODE_LABEL_COMBINATIONS = 256;

/**
 * The most work spent on one side: its combinations times (the items and the rules of its direction policy with every
 * toggled host rule in), a few milliseconds of decisions. Past it, the side is taken not to hold on every node (refused, as before
 * the combinations), before any combination is decided.
 */
const MAX_NODE_LABEL_WORK = 512;

/** One side whose decision may depend on a node's labels: what `decidesAlikeOnEveryNode` reads. */
export interface NodeLabelSide {
  /** Every compiled rule, in input order. */
  readonly rules: readonly CompiledRule[];
  /** The subject's policy in the direction, as the node given without its labels gets it. */
  readonly dp: DirectionPolicy;
  /**
   * The rules that select the subject as given (`selectRules`): the host rules of `hostRules` are put in or out of it.
   * @default - none: with `hostRules` not empty, the side is taken not to hold on every node
   */
  readonly selection?: RuleSelection;
  /** The host rules whose `nodeSelector` reads the subject's node labels (`nodeLabelRules`); empty when the subject is not such a node. */
  readonly hostRules: readonly CompiledRule[];
  /** The other end (a node given without its labels is one whose `fromNodes`/`toNodes` items read them). */
  readonly other: ResolvedEndpoint;
  /** Whether nodes carry their labels in their identity (`enable-node-selector-labels`). */
  readonly nodeSelectorLabels: boolean;
  /** The side's input, as the verdict reads it (its query, its peer). */
  readonly input: SideInput;
  /**
   * The keys of the labels the other end, a node, is known not to carry (`AbsentNodeLabels`): items that read only those
   * are decided as on such a node, not toggled.
   * @default - none known
   */
  readonly absent?: AbsentNodeLabels;
}

/**
 * The number of combinations decided when every one decides the side alike, so that its decision holds on every node; `undefined`
 * when two decide otherwise, or when there are more than `MAX_NODE_LABEL_COMBINATIONS`.
 */
export function decidesAlikeOnEveryNode(side: NodeLabelSide): number | undefined {
  const { rules, selection, hostRules, input } = side;
  if (2 ** hostRules.length > MAX_NODE_LABEL_COMBINATIONS || (hostRules.length > 0 && selection === undefined)) return undefined;
  const direction = side.dp.direction;
  const selected = new Set(selection?.selecting ?? []);
  const reading = new Set(hostRules);
  // The budget, before any combination: each decides over at most the items of every toggled rule in.
  const widest = hostRules.length === 0 || selection === undefined ? side.dp
    : directionPolicyOf({ ...selection, selecting: rules.filter((r) => reading.has(r) || selected.has(r)) }, direction);
  const peerItems = peerNodeLabelItems(widest, side.other, input.peer, side.nodeSelectorLabels, side.absent).length;
  const combinations = 2 ** (hostRules.length + peerItems);
  const work = combinations * (widest.allow.length + widest.deny.length + widest.selecting.length);
  if (combinations > MAX_NODE_LABEL_COMBINATIONS || work > MAX_NODE_LABEL_WORK) return undefined;
  // The subject's DNS learning is of the node as given, the same in every combination: a decision that reads it is refused.
  let learns = false;
  const learn = input.learn;
  const decideInput: SideInput = learn === undefined ? input : { ...input, learn: (name) => { learns = true; return learn(name); } };
  let first: string | undefined;
  let count = 0;
  for (let mask = 0; mask < 2 ** hostRules.length; mask++) {
    const dp = hostRules.length === 0 || selection === undefined ? side.dp : directionPolicyOf({
      ...selection,
      selecting: rules.filter((r) => (reading.has(r) ? (mask & (1 << hostRules.indexOf(r))) !== 0 : selected.has(r))),
    }, direction);
    const items = peerNodeLabelItems(dp, side.other, input.peer, side.nodeSelectorLabels, side.absent);
    if (count + 2 ** items.length > MAX_NODE_LABEL_COMBINATIONS) return undefined;
    for (let itemMask = 0; itemMask < 2 ** items.length; itemMask++) {
      const forced = new Map(items.map((item, i) => [item,
        (itemMask & (1 << i)) !== 0 ? selectingPeer(item) : notByNodeLabels(dp, item, input, side.absent)]));
      const pick = (item: CompiledItem): CompiledItem => forced.get(item) ?? item;
      const signature = decisionSignature(decideSide(dp, dp.allow.map(pick), dp.deny.map(pick), decideInput));
      if (learns) return undefined;
      count++;
      if (first === undefined) first = signature;
      else if (signature !== first) return undefined;
    }
  }
  return count;
}

/** The item as on a node whose labels one of its selectors selects: it selects the peer. */
function selectingPeer(item: CompiledItem): CompiledItem {
  return { ...item, peer: { kind: 'any' } };
}

/** The item as on a node whose labels none of its selectors that read them selects: its other selectors, read as given. */
function notByNodeLabels(dp: DirectionPolicy, item: CompiledItem, input: SideInput, absent: AbsentNodeLabels | undefined): CompiledItem {
  const p = item.peer;
  if (p.kind !== 'nodes' && p.kind !== 'endpoints') return item;
  return { ...item, peer: { kind: p.kind, selectors: p.selectors.filter((s) => !itemSelectorReadsNodeLabels(dp, item, s, input.peer, absent)) } };
}

/** What a side's decision claims: the decision, whether it lets the connection through, the deciding rule, the L7 outcome. */
export function decisionSignature(v: SideVerdict): string {
  const rule = v.rule === undefined ? undefined : [v.rule.kind, v.rule.namespace, v.rule.name, v.rule.file, v.rule.path];
  const l7 = v.l7 === undefined ? undefined : [v.l7.protocol, v.l7.result, v.l7.rules, v.l7.matched, v.l7.visibilityOnly];
  return JSON.stringify([v.decision, v.allowed, rule, l7, v.unevaluatedRestriction, v.unevaluatedRestrictions]);
}
