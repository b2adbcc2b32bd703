/**
 * The policy of one subject identity in one direction, as the agent computes it (pkg/policy/repository.go): the rules
 * that select it, whether it is in default deny, its allow and deny items, the `fromRequires`/`toRequires` that apply
 * (before 1.19). `PortIndex` splits a rule section's items by protocol and port so that a lookup only looks at the items
 * that can cover the port; a direction policy's index is made of the indexes of its rules (built once per rule, shared by
 * every subject the rule selects).
 */
import { reservedIdentity } from './authentication';
import { CompiledItem, CompiledRule, PolicyRef } from './compile';
import { SectionName } from '../model/policy-model';
import { icmpTypeIsWildcard } from '../model/icmp-types';
import { NAMESPACE_KEY } from '../model/selectors';
import { SubjectKind } from './identity';
import { IdentityLabel, LabelSet, Selector, SelectorRequirement, formatLabel } from '../model/labels';
import { L4Query } from './ports';
import { pushAll } from '../model/push-all';
import { PolicyEnforcement } from './policy-set-options';

/** The policy of one subject identity in one direction. */
export interface DirectionPolicy {
  /** Direction. */
  readonly direction: 'ingress' | 'egress';
  /** Subject kind. */
  readonly subjectKind: SubjectKind;
  /** Imported rules that select the subject (any direction). */
  readonly selecting: readonly CompiledRule[];
  /** The policies of `selecting`, without duplicates, in order. */
  readonly policies: readonly PolicyRef[];
  /** Rules that select the subject but are not imported by the agent. */
  readonly skipped: readonly CompiledRule[];
  /** Whether some selecting rule has a non-empty section in this direction. */
  readonly hasRules: boolean;
  /** Whether the subject is in default deny in this direction. */
  readonly defaultDeny: boolean;
  /** Whether the subject is a `reserved:init` endpoint, or has another label named `init` (always default deny). */
  readonly init: boolean;
  /** The label named `init` that is not `reserved:init` and makes the subject always default deny (`RuleSelection.initLabel`). */
  readonly initLabel?: string;
  /** Whether the subject has a reserved identity (a node, `reserved:health`, …), which mutual authentication never covers. */
  readonly reserved: boolean;
  /** The agent's policy enforcement mode the policy was computed under (`RuleSelection.enforcement`). */
  readonly enforcement: PolicyEnforcement;
  /** Allow items in order. */
  readonly allow: readonly CompiledItem[];
  /** Deny items in order. */
  readonly deny: readonly CompiledItem[];
  /** `fromRequires`/`toRequires` AND'ed onto the endpoint selectors of the allow items. */
  readonly requirements: readonly SelectorRequirement[];
  /** The same for the deny items. */
  readonly requirementsDeny: readonly SelectorRequirement[];
  /** Whether selecting rules have `fromRequires`/`toRequires` the target version ignores. */
  readonly requiresIgnored: boolean;
  /** Port index of the allow items (compiled mode). */
  readonly allowIndex?: CandidateIndex;
  /** Port index of the deny items (compiled mode). */
  readonly denyIndex?: CandidateIndex;
}

/** The rules that select one subject identity (both directions share it). */
export interface RuleSelection {
  /** Subject kind. */
  readonly subjectKind: SubjectKind;
  /** Imported rules that select the subject, in input order. */
  readonly selecting: readonly CompiledRule[];
  /** Rules that select the subject but are not imported by the agent. */
  readonly skipped: readonly CompiledRule[];
  /**
   * Whether the subject is always default deny: a `reserved:init` endpoint, or one with any label named `init`, which
   * Cilium takes for it (repository.go `computePolicyEnforcementAndRules`: `LabelArray.Has("init")` reads a key without
   * a source as a key of any source).
   */
  readonly init: boolean;
  /** The label named `init` of another source (`k8s:init=true`) that makes it so, when it has no `reserved:init`. */
  readonly initLabel?: string;
  /** Whether the subject has a reserved identity (`reservedIdentity`). */
  readonly reserved: boolean;
  /**
   * The agent's policy enforcement mode (repository.go `computePolicyEnforcementAndRules`): under `never` no rule is
   * selected and `init` is off (the mode is read before the init label); under `always` both directions are default deny.
   */
  readonly enforcement: PolicyEnforcement;
}

/**
 * The rules of `rules` (in order) that select a subject identity with `labels`: one match per rule, O(rules); none under
 * `PolicyEnforcement.NEVER` (computePolicyEnforcementAndRules returns before matching any rule).
 */
export function selectRules(rules: readonly CompiledRule[], subjectKind: SubjectKind, labels: LabelSet,
  enforcement: PolicyEnforcement): RuleSelection {
  const reserved = reservedIdentity(labels);
  if (enforcement === PolicyEnforcement.NEVER) return { subjectKind, selecting: NO_RULES, skipped: NO_RULES, init: false, reserved, enforcement };
  const selecting: CompiledRule[] = [];
  let skipped: CompiledRule[] | undefined;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.subjectKind !== subjectKind || !r.subject.matches(labels)) continue;
    if (r.imported) selecting.push(r);
    else (skipped ??= []).push(r);
  }
  const inits = labels.lookup('any', 'init');
  const reservedInit = inits.some((l) => l.source === 'reserved');
  const selection = { subjectKind, selecting, skipped: skipped ?? NO_RULES, init: inits.length > 0, reserved, enforcement };
  return inits.length > 0 && !reservedInit ? { ...selection, initLabel: formatLabel(inits[0]) } : selection;
}

const NO_RULES: readonly CompiledRule[] = Object.freeze([]);

/** Computes the policy of a subject from the rules, walking every rule (the naive evaluator: no port index). */
export function buildDirectionPolicy(rules: readonly CompiledRule[], subjectKind: SubjectKind, labels: LabelSet, direction: 'ingress' | 'egress',
  enforcement: PolicyEnforcement): DirectionPolicy {
  return directionPolicyOf(selectRules(rules, subjectKind, labels, enforcement), direction);
}

/**
 * The policy in one direction of the subjects with this rule selection.
 * @param sectionIndex the port index of a rule's section (the compiled engine: the direction policy's index is made of
 * its rules' indexes); without it, no index (the naive evaluator)
 */
export function directionPolicyOf(selection: RuleSelection, direction: 'ingress' | 'egress',
  sectionIndex?: (rule: CompiledRule, section: SectionName) => PortIndex): DirectionPolicy {
  return new SelectedDirectionPolicy(selection, direction, sectionIndex);
}

/**
 * A direction policy (see `directionPolicyOf`). What a decision reads (flags, requirements, port indexes) is worked out
 * when it is made; the item lists and the policy list, which only explanations, near misses and the naive evaluator read,
 * on first use: most direction policies of a first pass are only decided on through their port indexes.
 */
class SelectedDirectionPolicy implements DirectionPolicy {
  public readonly subjectKind: SubjectKind;
  public readonly selecting: readonly CompiledRule[];
  public readonly skipped: readonly CompiledRule[];
  public readonly hasRules: boolean;
  public readonly defaultDeny: boolean;
  public readonly init: boolean;
  public readonly initLabel?: string;
  public readonly reserved: boolean;
  public readonly enforcement: PolicyEnforcement;
  public readonly requirements: readonly SelectorRequirement[];
  public readonly requirementsDeny: readonly SelectorRequirement[];
  public readonly requiresIgnored: boolean;
  public readonly allowIndex?: CandidateIndex;
  public readonly denyIndex?: CandidateIndex;
  private readonly allowSection: SectionName;
  private readonly denySection: SectionName;
  private allowItems?: readonly CompiledItem[];
  private denyItems?: readonly CompiledItem[];
  private policyRefs?: readonly PolicyRef[];

  constructor(selection: RuleSelection, public readonly direction: 'ingress' | 'egress',
    sectionIndex: ((rule: CompiledRule, section: SectionName) => PortIndex) | undefined) {
    const { subjectKind, selecting, skipped, init, initLabel, reserved, enforcement } = selection;
    this.subjectKind = subjectKind;
    this.selecting = selecting;
    this.skipped = skipped;
    this.init = init;
    if (initLabel !== undefined) this.initLabel = initLabel;
    this.reserved = reserved;
    this.enforcement = enforcement;
    const allowSection = direction === 'ingress' ? SectionName.INGRESS : SectionName.EGRESS;
    const denySection = direction === 'ingress' ? SectionName.INGRESS_DENY : SectionName.EGRESS_DENY;
    this.allowSection = allowSection;
    this.denySection = denySection;
    // Under `always` every endpoint is default deny in both directions, with or without rules, and no rule's
    // `enableDefaultDeny: false` adds the allow-all (computePolicyEnforcementAndRules returns before the three cases).
    const always = enforcement === PolicyEnforcement.ALWAYS;
    let hasRules = always;
    let defaultDeny = always;
    let requiresIgnored = false;
    let requirements: SelectorRequirement[] | undefined;
    let requirementsDeny: SelectorRequirement[] | undefined;
    for (let i = 0; i < selecting.length; i++) {
      const r = selecting[i];
      hasRules ||= r.present[direction];
      defaultDeny ||= r.defaultDeny[direction];
      requiresIgnored ||= r.requiresIgnored;
      const req = r.requires[allowSection];
      if (req.length > 0) pushAll(requirements ??= [], req);
      const reqDeny = r.requires[denySection];
      if (reqDeny.length > 0) pushAll(requirementsDeny ??= [], reqDeny);
    }
    this.hasRules = hasRules;
    this.defaultDeny = defaultDeny;
    this.requiresIgnored = requiresIgnored;
    this.requirements = requirements ?? NO_REQUIREMENTS;
    this.requirementsDeny = requirementsDeny ?? NO_REQUIREMENTS;
    if (sectionIndex) {
      this.allowIndex = mergedIndex(selecting, (r) => sectionIndex(r, allowSection));
      this.denyIndex = mergedIndex(selecting, (r) => sectionIndex(r, denySection));
    }
  }

  /** Allow items in order. */
  public get allow(): readonly CompiledItem[] {
    return (this.allowItems ??= this.selecting.flatMap((r) => r.items[this.allowSection]));
  }

  /** Deny items in order. */
  public get deny(): readonly CompiledItem[] {
    return (this.denyItems ??= this.selecting.flatMap((r) => r.items[this.denySection]));
  }

  /** The policies of `selecting`, without duplicates, in order. */
  public get policies(): readonly PolicyRef[] {
    if (this.policyRefs === undefined) {
      const seen = new Set<string>();
      const policies: PolicyRef[] = [];
      for (const r of this.selecting) {
        const key = `${r.policy.kind}/${r.policy.namespace ?? ''}/${r.policy.name}/${r.policy.file ?? ''}`;
        if (!seen.has(key)) {
          seen.add(key);
          policies.push(r.policy);
        }
      }
      this.policyRefs = policies;
    }
    return this.policyRefs;
  }
}

const NO_REQUIREMENTS: readonly SelectorRequirement[] = Object.freeze([]);

/**
 * Items (rules, selectors) indexed by the labels their selector requires, as the agent's selector cache prunes the
 * selectors a new identity is tested against: each item is filed under the values of one `In` requirement of its
 * selector (one on a key other than the namespace when it has one, as it is the more selective), within the one namespace
 * it pins if it pins one; the items that require no label are kept apart. `positionsFor` keeps, in input order, the
 * items filed under the labels of an identity and the others; `matching` checks each of them fully.
 */
export class LabelIndex<T> {
  /** Positions of the items whose selector has no `In` requirement. */
  private readonly general: number[] = [];
  /**
   * Positions of the items per pinned namespace (`''` without one, or when filed under the namespace key itself), required
   * key and value, whatever the source (the full match checks it). Nested maps: a lookup builds no key.
   */
  private readonly byLabel = new Map<string, Map<string, Map<string, number[]>>>();

  constructor(protected readonly items: readonly T[], private readonly selectorOf: (item: T) => Selector) {
    items.forEach((item, pos) => {
      const selector = selectorOf(item);
      const ns = pinnedNamespace(selector);
      const req = indexRequirement(selector);
      if (req === undefined) {
        this.general.push(pos);
        return;
      }
      const nsKey = req.key === NAMESPACE_KEY ? '' : (ns ?? '');
      let byKey = this.byLabel.get(nsKey);
      if (!byKey) {
        byKey = new Map();
        this.byLabel.set(nsKey, byKey);
      }
      let byValue = byKey.get(req.key);
      if (!byValue) {
        byValue = new Map();
        byKey.set(req.key, byValue);
      }
      for (const value of new Set(req.values)) {
        const list = byValue.get(value);
        if (list) list.push(pos);
        else byValue.set(value, [pos]);
      }
    });
  }

  /** The positions of the items that may select an identity with `labels`, in input order, once each. */
  public positionsFor(labels: LabelSet): number[] {
    const found: number[] = this.general.slice();
    const all = labels.labels;
    const namespaces = labels._withKey(NAMESPACE_KEY);
    this.collect(found, '', all);
    for (let n = 0; n < namespaces.length; n++) this.collect(found, namespaces[n].value, all);
    found.sort((a, b) => a - b);
    const out: number[] = [];
    let last = -1;
    for (let i = 0; i < found.length; i++) {
      if (found[i] !== last) out.push(found[i]);
      last = found[i];
    }
    return out;
  }

  /** The positions of the items whose selector selects `labels`, in input order. */
  public matching(labels: LabelSet): number[] {
    return this.positionsFor(labels).filter((pos) => this.selectorOf(this.items[pos]).matches(labels));
  }

  /** Adds the positions filed under the pinned namespace `ns` and one of the labels. */
  private collect(found: number[], ns: string, all: readonly IdentityLabel[]): void {
    const byKey = this.byLabel.get(ns);
    if (byKey === undefined) return;
    for (let i = 0; i < all.length; i++) {
      const list = byKey.get(all[i].key)?.get(all[i].value);
      if (list !== undefined) for (let j = 0; j < list.length; j++) found.push(list[j]);
    }
  }
}

/** The rules indexed by the labels their subject requires (`LabelIndex`); `selectRules` still checks each subject fully. */
export class RuleIndex extends LabelIndex<CompiledRule> {
  constructor(rules: readonly CompiledRule[]) {
    super(rules, (rule) => rule.subject);
  }

  /** The rules that may select an identity with `labels`, in input order. */
  public rulesFor(labels: LabelSet): readonly CompiledRule[] {
    return this.positionsFor(labels).map((pos) => this.items[pos]);
  }
}

/**
 * The `In` requirement of a selector to file it under (see `LabelIndex`): one on a key other than the namespace when
 * there is one (the fewest values first), else the namespace's; `undefined` when it has none.
 */
function indexRequirement(selector: Selector): SelectorRequirement | undefined {
  let best: SelectorRequirement | undefined;
  let bestScore = Infinity;
  for (const r of selector.requirements) {
    if (r.operator !== 'In' || r.values.length === 0) continue;
    const score = r.values.length + (r.key === NAMESPACE_KEY ? 1_000 : 0);
    if (score < bestScore) {
      best = r;
      bestScore = score;
    }
  }
  return best;
}

/** The namespace a selector requires (`k8s:io.kubernetes.pod.namespace In (<one value>)`), if any. */
function pinnedNamespace(selector: Selector): string | undefined {
  for (const r of selector.requirements) {
    if (r.source === 'k8s' && r.key === NAMESPACE_KEY && r.operator === 'In' && r.values.length === 1 && typeof r.values[0] === 'string') return r.values[0];
  }
  return undefined;
}

/** The items of a direction policy that may cover a query (see `PortIndex`). */
export interface CandidateIndex {
  /** The items that may cover the query, in rule order, without duplicates. Shared between calls: do not modify. */
  candidates(query: L4Query): readonly CompiledItem[];
  /**
   * The same items as lists whose concatenation, in order, is `candidates(query)`: the rules' own lists, without building
   * (and keeping) the direction policy's list, which `decide()`'s first decision on a port does not need. Do not modify.
   */
  candidateLists(query: L4Query): readonly (readonly CompiledItem[])[];
}

/** The index of a direction policy made of its rules' section indexes (in rule order). */
function mergedIndex(rules: readonly CompiledRule[], indexOf: (rule: CompiledRule) => PortIndex): CandidateIndex {
  let first: PortIndex | undefined;
  let nonEmpty: PortIndex[] | undefined;
  for (let i = 0; i < rules.length; i++) {
    const p = indexOf(rules[i]);
    if (p.empty) continue;
    if (first === undefined) first = p;
    else (nonEmpty ??= [first]).push(p);
  }
  if (nonEmpty !== undefined) return new MergedIndex(nonEmpty);
  return first ?? EMPTY_INDEX;
}

const NO_ITEMS: readonly CompiledItem[] = Object.freeze([]);
const NO_LISTS: readonly (readonly CompiledItem[])[] = Object.freeze([]);
const EMPTY_INDEX: CandidateIndex = { candidates: () => NO_ITEMS, candidateLists: () => NO_LISTS };

/**
 * The candidates of several rules' indexes, concatenated in rule order: item ordinals grow with the rule order and within a
 * rule, so the concatenation is in rule order too (`PortIndex.candidates` of the same items would give the same list).
 */
class MergedIndex implements CandidateIndex {
  private readonly memo = new Map<number | string, readonly CompiledItem[]>();
  /**
   * `candidateLists` already worked out, per protocol and port (`memoKey`): once per direction policy and port rather than
   * once per decision (a first pass asks a port of a direction policy for ~2.4 peers on average, each a new decision).
   */
  private readonly listsMemo = new Map<number | string, readonly (readonly CompiledItem[])[]>();

  constructor(private readonly parts: readonly PortIndex[]) {}

  public candidateLists(query: L4Query): readonly (readonly CompiledItem[])[] {
    const key = memoKey(query);
    if (key === undefined) return this.listsOf(query);
    let lists = this.listsMemo.get(key);
    if (lists === undefined) {
      const known = this.memo.get(key);
      lists = known !== undefined ? (known.length === 0 ? NO_LISTS : [known]) : this.listsOf(query);
      this.listsMemo.set(key, lists);
    }
    return lists;
  }

  /** The parts' non-empty candidate lists, in rule order. */
  private listsOf(query: L4Query): readonly (readonly CompiledItem[])[] {
    const lists: (readonly CompiledItem[])[] = [];
    for (let i = 0; i < this.parts.length; i++) {
      const c = this.parts[i].candidates(query);
      if (c.length > 0) lists.push(c);
    }
    return lists.length === 0 ? NO_LISTS : lists;
  }

  public candidates(query: L4Query): readonly CompiledItem[] {
    const key = memoKey(query);
    let list = key === undefined ? undefined : this.memo.get(key);
    if (list === undefined) {
      // The parts' lists are used as they are when at most one has candidates (most rules cover other ports).
      let only: readonly CompiledItem[] = NO_ITEMS;
      let out: CompiledItem[] | undefined;
      for (const p of this.parts) {
        const c = p.candidates(query);
        if (c.length === 0) continue;
        if (only.length === 0) {
          only = c;
          continue;
        }
        if (out === undefined) out = only.slice();
        for (let i = 0; i < c.length; i++) out.push(c[i]);
      }
      list = out ?? only;
      if (key !== undefined) this.memo.set(key, list);
    }
    return list;
  }
}

/** One key per protocol and port (or ICMP family and type): a number for TCP/UDP/SCTP ports, a string for ICMP. */
function memoKey(query: L4Query): number | string | undefined {
  if (query.protocol === 'ICMP') return `${query.icmpFamily}/${query.icmpType}`;
  if (query.port === undefined) return undefined;
  switch (query.protocol) {
    case 'TCP':
      return query.port;
    case 'UDP':
      return 0x10000 + query.port;
    case 'SCTP':
      return 0x20000 + query.port;
    default:
      return `${query.protocol}/${query.port}`;
  }
}

/**
 * Items split by what they can cover: an exact `protocol/port`, every port of a protocol, a port range, a named port
 * (resolved per destination), an ICMP type, or everything (peer-only items). `candidates()` returns, in rule order, the
 * items that may cover a query; the caller still checks each one fully.
 */
export class PortIndex implements CandidateIndex {
  private readonly exact = new Map<string, CompiledItem[]>();
  /** The same lists of TCP, UDP and SCTP ports, by `memoKey`. */
  private readonly exactByCode = new Map<number, CompiledItem[]>();
  private readonly wildcard = new Map<string, CompiledItem[]>();
  private readonly icmp = new Map<string, CompiledItem[]>();
  private readonly ranges: { protocols: readonly string[]; lo: number; hi: number; item: CompiledItem }[] = [];
  private readonly named: CompiledItem[] = [];
  private readonly all: CompiledItem[] = [];

  constructor(items: readonly CompiledItem[]) {
    for (const item of items) {
      const l4 = item.l4;
      if (l4.kind === 'none') continue;
      if (l4.kind === 'all') {
        this.all.push(item);
        continue;
      }
      // Type 0 covers every type of its family (`icmpTypeCovers`): kept under `<family>/*`.
      for (const i of l4.icmps) if (i.type !== undefined) push(this.icmp, `${i.family}/${icmpTypeIsWildcard(i.type) ? '*' : i.type}`, item);
      for (const pr of l4.portRules) {
        for (const p of pr.ports) {
          if (p.kind === 'all') for (const proto of p.protocols) push(this.wildcard, proto, item);
          else if (p.kind === 'named') this.named.push(item);
          else if (p.kind === 'range' && p.lo === p.hi) {
            for (const proto of p.protocols) {
              push(this.exact, `${proto}/${p.lo}`, item);
              const code = memoKey({ protocol: proto, port: p.lo, icmpFamily: 'IPv4' });
              if (typeof code === 'number') push(this.exactByCode, code, item);
            }
          }
          else if (p.kind === 'range') this.ranges.push({ protocols: p.protocols, lo: p.lo, hi: p.hi, item });
        }
      }
    }
  }

  /** Candidate lists already computed, per protocol and port (or ICMP family/type): see `memoKey`. */
  private readonly memo = new Map<number | string, readonly CompiledItem[]>();

  /**
   * Whether only exact ports can cover a port query (no peer-only item, port wildcard, range or named port): the
   * candidates of a TCP, UDP or SCTP port are then its `exactByCode` list, without going through the memo.
   */
  private exactOnly?: boolean;

  /** Whether the index holds no item (a section without items, or items with no port: `l4.kind` `none`). */
  public get empty(): boolean {
    return this.all.length === 0 && this.onlyAll;
  }

  /** Whether every item it holds covers every port (peer-only items): the candidates are then always `all`. */
  private get onlyAll(): boolean {
    return this.exact.size === 0 && this.wildcard.size === 0 && this.icmp.size === 0 && this.ranges.length === 0 && this.named.length === 0;
  }

  public candidateLists(query: L4Query): readonly (readonly CompiledItem[])[] {
    const c = this.candidates(query);
    return c.length === 0 ? NO_LISTS : [c];
  }

  /** The items that may cover the query, in rule order, without duplicates. Shared between calls: do not modify. */
  public candidates(query: L4Query): readonly CompiledItem[] {
    const key = memoKey(query);
    if (typeof key === 'number' && (this.exactOnly ??= this.all.length === 0 && this.wildcard.size === 0 && this.ranges.length === 0 && this.named.length === 0)) {
      return this.exactByCode.get(key) ?? NO_ITEMS;
    }
    if (key === undefined) return this.compute(query);
    let list = this.memo.get(key);
    if (!list) {
      list = this.compute(query);
      this.memo.set(key, list);
    }
    return list;
  }

  private compute(query: L4Query): readonly CompiledItem[] {
    if (this.onlyAll) return this.all.length === 0 ? NO_ITEMS : this.all;
    if (query.protocol !== 'ICMP' && query.port !== undefined && this.all.length === 0 && this.ranges.length === 0 && this.named.length === 0
      && !this.wildcard.has(query.protocol)) {
      // Only exact ports can cover it: their list is in rule order, without duplicates (see `push`).
      return this.exact.get(`${query.protocol}/${query.port}`) ?? NO_ITEMS;
    }
    const found = new Set<CompiledItem>(this.all);
    if (query.protocol === 'ICMP') {
      for (const i of this.icmp.get(`${query.icmpFamily}/${query.icmpType}`) ?? []) found.add(i);
      for (const i of this.icmp.get(`${query.icmpFamily}/*`) ?? []) found.add(i);
    } else if (query.port !== undefined) {
      for (const i of this.exact.get(`${query.protocol}/${query.port}`) ?? []) found.add(i);
      for (const i of this.wildcard.get(query.protocol) ?? []) found.add(i);
      for (const r of this.ranges) if (query.port >= r.lo && query.port <= r.hi && r.protocols.includes(query.protocol)) found.add(r.item);
      for (const i of this.named) found.add(i);
    }
    return [...found].sort((a, b) => a.ordinal - b.ordinal);
  }
}

function push<K>(map: Map<K, CompiledItem[]>, key: K, item: CompiledItem): void {
  const list = map.get(key);
  if (list) {
    if (list[list.length - 1] !== item) list.push(item);
  } else {
    map.set(key, [item]);
  }
}
