/**
 * The pairs of endpoint classes whose connectivity may change between two policy sets, found per subject class and
 * direction rather than by judging every pair: what lets a change whose selectors touch every class (a clusterwide deny,
 * a cluster default deny) be diffed on thousands of classes.
 *
 * - A selector cache (`PeerMatches`): each distinct peer of a rule item (its selectors, entities, CIDRs…) is matched
 *   against the classes once, by the engine's own decision (`itemSelectsPeer`), into the set of classes it selects
 *   (classes of other namespaces skipped when every selector names its namespace).
 * - One port segmentation for the whole diff: cut at every boundary any item of either side names and at every named
 *   container port, so that every side's decision is the same on all ports of a segment.
 * - A side context (`SideContext`): one per direction and pair of direction policies (base, head), shared by the classes
 *   the same rules select (on ingress, with the same container ports). Its peers are grouped by the items of either side
 *   that select them (and what else a side's decision reads of a peer: local host, node, a reserved identity (mutual
 *   authentication), DNS name, and on egress its named ports): peers of one group get the same decision on every port. A group is judged per segment once, on a
 *   representative, with the engine's decision (`sideOutcome`, what `decide()` runs).
 * - Where a side can change: when the policy's flags (rules in this direction, default deny, `reserved:init`,
 *   `fromRequires`) are equal on both sides, only on the segments an item present on one side only (by content) covers,
 *   for the peers it selects; else everywhere.
 * - A pair is a candidate when its egress side or its ingress side changes for it, and is kept when the verdict (both
 *   sides allowed) or the L7 rules in force differ on such a segment. A kept pair's verdicts are those of its sides'
 *   decisions (deny if either side denies), its reasons those of the sides explained as `verdict()` explains them
 *   (`decideSide`, once per group and segment), so the document is the one judging every pair with `verdict()` gives
 *   (the `_judgeEveryPair` reference the tests compare it with).
 * - Pairs alike: two pairs whose ends fall in the same groups of the same contexts (the whole groupings) have the same
 *   decisions and explanations on every segment; the changes of one are worked out once and the diff judges them once,
 *   with placeholder names. A broad change (a cluster default deny) makes ~5× fewer judgements so.
 */
import { Interner } from '../model/interner';
import { reservedIdentity } from '../engine/authentication';
import type { CompiledItem, EngineConfig } from '../engine/compile';
import type { DirectionPolicy } from '../engine/direction-policy';
import { Endpoint, EndpointKind, NamedPort } from '../engine/endpoint';
import { SideOutcome, decideSide, notEvaluated, sideOutcome } from '../engine/evaluate';
import { PeerView, ResolvedEndpoint, peerView, resolveEndpoint } from '../engine/identity';
import { itemSelectsPeer } from '../engine/peer-selection';
import type { PolicySet } from '../engine/policy-set';
import { L4Query, matchL4 } from '../engine/ports';
import type { SideVerdict } from '../engine/verdict';
import type { SelectorRequirement } from '../model/labels';
import { NAMESPACE_KEY } from '../model/selectors';
import type { ClassifiedEndpoint } from './endpoint-classes';
import { NamedPortCuts, egressNamesPort, namesPort } from './named-port-cuts';
import { PortBoundaries, PortSegment } from './port-segments';
import { itemContent, stable } from './rule-content';
import { pushAll } from '../model/push-all';

/** The direction policies of a class in base and head (`undefined` where policy does not apply). */
export type PolicyPair = readonly [DirectionPolicy | undefined, DirectionPolicy | undefined];

/** The direction policies of a class on both sides, and whether their rules differ (by content). */
export interface ClassPolicies {
  /** Egress, base and head. */
  readonly egress: PolicyPair;
  /** Ingress, base and head. */
  readonly ingress: PolicyPair;
  /** Whether the egress rules differ. */
  readonly egressChanged: boolean;
  /** Whether the ingress rules differ. */
  readonly ingressChanged: boolean;
}

/** One side of a diff (base or head): its classes as the engine resolves them and sees them as peers. */
interface SideView {
  readonly resolved: readonly ResolvedEndpoint[];
  readonly views: readonly PeerView[];
  readonly config: EngineConfig;
}

/** A side's view of the classes, from their endpoints as its inventory completes them (`NamedPortCuts.endpoints`). */
function sideView(set: PolicySet, endpoints: readonly Endpoint[]): SideView {
  const config = set._engineConfig;
  const resolved = endpoints.map((e) => resolveEndpoint(e, config));
  // The other end matters only to a node's view (local host or not): `SideTables` takes no node classes.
  return { resolved, views: resolved.map((r) => peerView(r, r, config)), config };
}

/** Everything of a peer view a side's decision reads (its text is for explanations only). */
function viewKey(v: PeerView): string {
  const ip = v.ip ? `${v.ip.family}:${v.ip.value.toString(16)}` : '';
  return JSON.stringify([v.labels.id, ip, v.fqdn ?? '', v.worldFamily, v.localHost, v.node, v.ports]);
}

/** The selector cache of one side: the classes each distinct peer (with the policy's requirements) selects, 1 at their index. */
export class PeerMatches {
  /**
   * The selector cache of a policy set's classes as its engine resolves and sees them as peers (a node seen from itself:
   * its view from a pod on it, the local host, is not this one).
   */
  public static of(set: PolicySet, classes: readonly ClassifiedEndpoint[]): PeerMatches {
    return new PeerMatches(sideView(set, new NamedPortCuts([set], classes).endpoints[0]));
  }

  private readonly selected = new Map<string, Uint8Array>();
  private readonly peerKeys = new WeakMap<CompiledItem, string>();
  /** The classes per namespace (as peers), for selectors that name theirs. */
  private readonly byNamespace = new Map<string, number[]>();

  public constructor(private readonly side: SideView) {
    side.views.forEach((v, i) => {
      for (const l of v.labels.lookup('any', NAMESPACE_KEY)) {
        const list = this.byNamespace.get(l.value);
        if (list) list.push(i);
        else this.byNamespace.set(l.value, [i]);
      }
    });
  }

  /** The classes an item selects, in a direction policy with these requirements (`fromRequires`/`toRequires`). */
  public selects(item: CompiledItem, requirements: readonly SelectorRequirement[]): Uint8Array {
    let key = this.peerKeys.get(item);
    if (key === undefined) {
      key = stable(item.peer);
      this.peerKeys.set(item, key);
    }
    if (requirements.length > 0) key = `${key}|${stable(requirements)}`;
    let bits = this.selected.get(key);
    if (!bits) {
      const { views, config } = this.side;
      bits = new Uint8Array(views.length);
      const candidates = this.candidates(item);
      if (candidates) {
        for (const i of candidates) if (itemSelectsPeer(item, views[i], requirements, config)) bits[i] = 1;
      } else {
        for (let i = 0; i < views.length; i++) if (itemSelectsPeer(item, views[i], requirements, config)) bits[i] = 1;
      }
      this.selected.set(key, bits);
    }
    return bits;
  }

  /** The only classes an endpoint peer can select when each of its selectors requires a namespace (`undefined`: any class). */
  private candidates(item: CompiledItem): number[] | undefined {
    if (item.peer.kind !== 'endpoints') return undefined;
    const out: number[] = [];
    for (const sel of item.peer.selectors) {
      const pin = sel.requirements.find((r) => (r.source === 'k8s' || r.source === 'any') && r.key === NAMESPACE_KEY && r.operator === 'In');
      if (!pin) return undefined;
      for (const ns of pin.values) pushAll(out, (this.byNamespace.get(ns) ?? []));
    }
    return out;
  }
}

/** A side's decision on a segment as the diff compares it: `D` (denied), `A` (allowed), or `A` with its L7 rules. */
type OutcomeKey = string;

/** The decision of a direction policy (or of its absence: not evaluated, everything allowed) on a peer and port. */
function outcomeKey(config: EngineConfig, dp: DirectionPolicy | undefined, subject: ResolvedEndpoint, peer: PeerView,
  destinationPorts: readonly NamedPort[], l4: L4Query): OutcomeKey {
  if (!dp) return 'A';
  const input = { subject: subject.text, peer, destinationPorts, query: { l4 }, config };
  const o: SideOutcome = !dp.allowIndex || !dp.denyIndex ? sideOutcome(dp, dp.allow, dp.deny, input)
    : sideOutcome(dp, dp.allowIndex.candidates(l4), dp.denyIndex.candidates(l4), input);
  if (!o.allowed) return 'D';
  if (!o.l7Rules) return 'A';
  return `A${o.l7Rules.map((e) => stable(e.pr?.rules ?? null)).join(';')}`;
}

/** What a side's decision reads of the policy besides its items. */
function flagsKey(dp: DirectionPolicy | undefined): string {
  if (!dp) return 'not-evaluated';
  return stable({
    subjectKind: dp.subjectKind, init: dp.init, reserved: dp.reserved, hasRules: dp.hasRules, defaultDeny: dp.defaultDeny,
    requirements: dp.requirements, requirementsDeny: dp.requirementsDeny,
  });
}

/** A layer-4 query at the first port (or the ICMP type) of a segment. */
function segmentQuery(seg: PortSegment): L4Query {
  return seg.protocol === 'ICMP' ? { protocol: 'ICMP', icmpType: seg.lo, icmpFamily: seg.icmpFamily }
    : { protocol: seg.protocol, port: seg.lo, icmpFamily: 'IPv4' };
}

/** An item that one side has and the other has not, with the classes it selects and the segments it may cover. */
interface ChangedItem {
  readonly bits: Uint8Array;
  readonly segments: readonly number[];
}

/**
 * Groups of peers with the same decision (the same signature, selected by the same matchers), their decisions and
 * representatives (each group's first class).
 */
class Grouping {
  /** Per class, its group. */
  private readonly groupOf: Int32Array;
  public readonly reps: readonly number[];
  /**
   * Per group, the base and head decisions (an index in `SideTables.decided`, -1: not decided yet) per slot: per
   * segment in a whole grouping, one slot in a grouping of one segment. Made when the group is first decided.
   */
  private readonly decided: (Int32Array | undefined)[] = [];
  /** The explained decisions (side verdicts) of base and head, per group and slot (`group * slots + slot`). */
  public readonly explained = new Map<number, [SideVerdict?, SideVerdict?]>();

  /**
   * The peers grouped by `partitionOf` (made once per signatures and distinct matchers, shared by the groupings of the
   * segments that the same items cover), with decisions of its own.
   * @param matchers the classes each item that may decide selects (1 at their index)
   * @param signatures per class, what else the decision reads of it (the same number for the same; small numbers)
   * @param slots the decisions kept per group
   */
  public constructor(matchers: readonly Uint8Array[], signatures: Int32Array, public readonly slots: number) {
    const distinct = [...new Set(matchers)];
    // The partition depends only on the matchers and signatures: segments covered by the same items share it.
    let known = partitions.get(signatures);
    if (!known) partitions.set(signatures, known = new Map());
    const key = distinct.map(matcherId).join(',');
    let partition = known.get(key);
    if (!partition) {
      partition = partitionOf(distinct, signatures);
      known.set(key, partition);
    }
    this.groupOf = partition.groupOf;
    this.reps = partition.reps;
  }

  /** A class's group. */
  public group(peer: number): number {
    return this.groupOf[peer];
  }

  /** A group's decisions per slot. */
  public decisions(group: number): Int32Array {
    let row = this.decided[group];
    if (!row) {
      row = new Int32Array(this.slots).fill(-1);
      this.decided[group] = row;
    }
    return row;
  }
}

/** The peers grouped: per class its group, and per group its first class (never modified: groupings share them). */
interface Partition {
  readonly groupOf: Int32Array;
  readonly reps: readonly number[];
}

/** Partitions made, per signatures and list of distinct matchers (by their ids). */
const partitions = new WeakMap<Int32Array, Map<string, Partition>>();
const matcherIds = new WeakMap<Uint8Array, number>();
let nextMatcherId = 0;

function matcherId(bits: Uint8Array): number {
  let id = matcherIds.get(bits);
  if (id === undefined) {
    id = nextMatcherId++;
    matcherIds.set(bits, id);
  }
  return id;
}

/**
 * Partitions the peers by signature, then splits each group by each matcher (its hits move to a group of their own):
 * peers end in one group when they have the same signature and the same matchers select them. The cost is the peers
 * plus the matchers' hits, with no text per peer.
 */
function partitionOf(distinct: readonly Uint8Array[], signatures: Int32Array): Partition {
  const n = signatures.length;
  // The signatures are small numbers, a group each to begin with (some empty: the numbering below drops them).
  // A copy (`slice`, not `Int32Array.from`, which reads it through the iterator).
  const groupOf = signatures.slice();
  let count = 0;
  for (let p = 0; p < n; p++) count = Math.max(count, groupOf[p] + 1);
  // A matcher moves its hits of each group to one new group (made at the first hit of that group for this matcher).
  let groups = count;
  for (const bits of distinct) groups += hitsOf(bits).length;
  const splitBy = new Int32Array(groups).fill(-1);
  const splitTo = new Int32Array(groups);
  let m = 0;
  for (const bits of distinct) {
    const hits = hitsOf(bits);
    if (hits.length === 0 || hits.length === n) continue;
    for (let k = 0; k < hits.length; k++) {
      const p = hits[k];
      const g = groupOf[p];
      if (splitBy[g] !== m) {
        splitBy[g] = m;
        splitTo[g] = count++;
      }
      groupOf[p] = splitTo[g];
    }
    m++;
  }
  // Dense numbers, in the order of the groups' first classes.
  const reps: number[] = [];
  const dense = new Int32Array(count).fill(-1);
  for (let p = 0; p < n; p++) {
    const g = groupOf[p];
    if (dense[g] < 0) {
      dense[g] = reps.length;
      reps.push(p);
    }
    groupOf[p] = dense[g];
  }
  return { groupOf, reps };
}

const hitLists = new WeakMap<Uint8Array, Int32Array>();

/** The indexes of the classes a matcher selects, ascending (computed once per matcher). */
function hitsOf(bits: Uint8Array): Int32Array {
  let hits = hitLists.get(bits);
  if (!hits) {
    let n = 0;
    for (let i = 0; i < bits.length; i++) n += bits[i];
    hits = new Int32Array(n);
    for (let i = 0, k = 0; i < bits.length; i++) if (bits[i] === 1) hits[k++] = i;
    hitLists.set(bits, hits);
  }
  return hits;
}

/**
 * The decisions of one direction and pair of direction policies (base, head), on the peers grouped by what decides.
 * When only items changed (the flags are equal), per segment a changed item covers, with the peers grouped by the items
 * that cover that segment; otherwise per segment and group of the peers by every item.
 */
class SideContext {
  /** The items one side has and the other has not; `undefined` when any peer may change anywhere (or nothing changed). */
  private readonly changedItems?: readonly ChangedItem[];
  /** Every peer and segment may change (the flags differ, or a side has no policy). */
  private readonly everywhere: boolean;
  /**
   * Whether decisions are taken per segment, on the peers grouped by the items that cover it (few items cover a segment),
   * when changed items cover few segments; else one grouping by every item serves every segment.
   */
  private readonly perSegment: boolean;
  /** Per segment, the grouping by the items that may cover it (only items changed). */
  private readonly bySegment = new Map<number, Grouping>();
  /** The grouping by every item (everywhere). */
  private whole?: Grouping;
  /** Per whole group, the segments where its decision differs. */
  private readonly wholeChanges = new Map<number, readonly number[]>();
  private changedPeers?: readonly number[];

  public constructor(
    private readonly tables: SideTables,
    /** The context's number among the diff's contexts. */
    public readonly id: number,
    public readonly direction: 'ingress' | 'egress',
    public readonly dps: PolicyPair,
    /** A class with this context (on ingress, the destination, whose named ports the decision reads). */
    private readonly subject: number,
    /** Whether the rules differ between base and head. */
    public readonly changed: boolean,
    /** Whether anything else the decision reads of the subject differs (its named ports on ingress). */
    subjectDiffers: boolean,
  ) {
    const items = changed && !subjectDiffers ? this.findChangedItems() : undefined;
    this.everywhere = changed && items === undefined;
    if (items) this.changedItems = items;
    this.perSegment = items !== undefined && new Set(items.flatMap((c) => c.segments)).size <= PER_SEGMENT_LIMIT;
  }

  /** The segments where the decision on a peer may differ between base and head. */
  public changingSegments(peer: number): readonly number[] {
    if (!this.changed) return NONE;
    if (this.everywhere) return this.wholeChanging(this.wholeGrouping().group(peer));
    if (this.tables.viewsDiffer[peer] === 1) return this.tables.allSegments;
    // Most peers are selected by one changed item or none: no list is made for them.
    let first: readonly number[] | undefined;
    let union: Set<number> | undefined;
    for (const c of this.changedItems ?? []) {
      if (c.bits[peer] !== 1) continue;
      if (first === undefined) first = c.segments;
      else {
        union ??= new Set(first);
        for (const seg of c.segments) union.add(seg);
      }
    }
    if (union) return [...union].sort((x, y) => x - y);
    return first ?? NONE;
  }

  /**
   * A number that two peers share when this side decides them alike on every segment, with the same explanations, and
   * may change on the same segments (their group in the whole grouping, and whether base and head see them differently);
   * -1 when the decisions are grouped per segment.
   */
  public alikeKey(peer: number): number {
    return this.perSegment ? -1 : this.wholeGrouping().group(peer) * 2 + this.tables.viewsDiffer[peer];
  }

  /** The grouping that decides the peers at a segment. */
  private groupingAt(seg: number): Grouping {
    if (!this.perSegment) return this.wholeGrouping();
    let grouping = this.bySegment.get(seg);
    if (!grouping) {
      grouping = new Grouping(this.matchers((item) => this.tables.covers(item, seg)), this.signatures(), 1);
      this.bySegment.set(seg, grouping);
    }
    return grouping;
  }

  /** The slot of a segment in `groupingAt(seg)` (the whole grouping has one per segment). */
  private slotOf(seg: number): number {
    return this.perSegment ? 0 : seg;
  }

  /** The base and head decisions on a peer at a segment (by its index in `SideTables.segments`). */
  public decision(peer: number, seg: number): readonly [OutcomeKey, OutcomeKey] {
    // Called for every candidate pair and segment: typed-array reads, no allocation, once the group's decision is known.
    const grouping = this.groupingAt(seg);
    const g = grouping.group(peer);
    const row = grouping.decisions(g);
    const slot = this.slotOf(seg);
    let d = row[slot];
    if (d < 0) {
      const rep = grouping.reps[g];
      const dest = this.direction === 'egress' ? rep : this.subject;
      const l4 = this.tables.queries[seg];
      const [base, head] = ([0, 1] as const).map((side) => {
        const view = this.tables.views[side];
        return outcomeKey(view.config, this.dps[side], view.resolved[this.subject], view.views[rep], view.resolved[dest].ports, l4);
      });
      d = this.tables.decidedId(base, head);
      row[slot] = d;
    }
    return this.tables.decided[d];
  }

  /**
   * The explained decision of one side (0: base, 1: head) on a peer at a segment, as `verdict()` explains it for a
   * connection without a request (what decided: the rule, the policies; the texts name the group's representative).
   */
  public explain(peer: number, seg: number, side: 0 | 1): SideVerdict {
    const grouping = this.groupingAt(seg);
    const g = grouping.group(peer);
    const key = g * grouping.slots + this.slotOf(seg);
    const rep = grouping.reps[g];
    let pair = grouping.explained.get(key);
    if (!pair) {
      pair = [undefined, undefined];
      grouping.explained.set(key, pair);
    }
    let v = pair[side];
    if (!v) {
      const view = this.tables.views[side];
      const dp = this.dps[side];
      const subject = view.resolved[this.subject];
      const dest = this.direction === 'egress' ? rep : this.subject;
      const l4 = this.tables.queries[seg];
      v = !dp ? notEvaluated(this.direction, subject.text, subject.unmanagedReason ?? 'not a Cilium endpoint')
        : decideSide(dp, dp.allowIndex ? dp.allowIndex.candidates(l4) : dp.allow, dp.denyIndex ? dp.denyIndex.candidates(l4) : dp.deny, {
          subject: subject.text, peer: view.views[rep], destinationPorts: view.resolved[dest].ports, query: { l4 }, config: view.config,
        });
      pair[side] = v;
    }
    return v;
  }

  /** Whether the decision on a peer differs between base and head at a segment. */
  public differs(peer: number, seg: number): boolean {
    const [b, h] = this.decision(peer, seg);
    return b !== h;
  }

  /** The peers whose decision on this side differs between base and head on some segment. */
  public peersThatChange(): readonly number[] {
    if (this.changedPeers) return this.changedPeers;
    const out: number[] = [];
    const n = this.tables.classCount;
    if (this.everywhere) {
      for (let p = 0; p < n; p++) if (this.changingSegments(p).length > 0) out.push(p);
    } else if (this.changedItems) {
      // The peers a changed item selects or that base and head see differently, from the matchers' lists of hits (a diff
      // past the class budget has thousands of classes, and most changed items select few of them), ascending.
      const lists = [...this.changedItems.map((c) => hitsOf(c.bits)), hitsOf(this.tables.viewsDiffer)];
      let hits = 0;
      for (const l of lists) hits += l.length;
      let candidates: number[];
      if (hits * 8 < n) {
        const some = new Set<number>();
        for (const l of lists) for (let k = 0; k < l.length; k++) some.add(l[k]);
        candidates = [...some].sort((x, y) => x - y);
      } else {
        const universe = new Uint8Array(n);
        for (const l of lists) for (let k = 0; k < l.length; k++) universe[l[k]] = 1;
        const all: number[] = [];
        for (let p = 0; p < n; p++) if (universe[p] === 1) all.push(p);
        candidates = all;
      }
      for (const p of candidates) if (this.changingSegments(p).some((seg) => this.differs(p, seg))) out.push(p);
    }
    this.changedPeers = out;
    return out;
  }

  /** Per class, what a side's decision reads of it as a peer besides the items that select it (as numbers). */
  private signatures(): Int32Array {
    return this.tables.signatureIds[this.direction === 'egress' ? 1 : 0];
  }

  private wholeGrouping(): Grouping {
    this.whole ??= new Grouping(this.matchers(() => true), this.signatures(), this.tables.segments.length);
    return this.whole;
  }

  /** The segments where a whole group's decision differs. */
  private wholeChanging(group: number): readonly number[] {
    let segs = this.wholeChanges.get(group);
    if (!segs) {
      const rep = this.wholeGrouping().reps[group];
      segs = this.tables.allSegments.filter((seg) => this.differs(rep, seg));
      this.wholeChanges.set(group, segs);
    }
    return segs;
  }

  /** The classes each item of either side (that `keep` keeps) selects. */
  private matchers(keep: (item: CompiledItem) => boolean): Uint8Array[] {
    return this.dps.flatMap((dp, side) => (dp ? [
      ...dp.allow.filter(keep).map((item) => this.tables.matches[side].selects(item, dp.requirements)),
      ...dp.deny.filter(keep).map((item) => this.tables.matches[side].selects(item, dp.requirementsDeny)),
    ] : []));
  }

  /**
   * The items one side has and the other has not (by content, as many times as they appear); `undefined` when any peer
   * may change anywhere: a policy on one side only, or flags that differ.
   */
  private findChangedItems(): ChangedItem[] | undefined {
    const [base, head] = this.dps;
    if (!base || !head || flagsKey(base) !== flagsKey(head)) return undefined;
    const key = contentKey;
    const left = new Map<string, number>();
    for (const item of [...head.allow, ...head.deny]) left.set(key(item), (left.get(key(item)) ?? 0) + 1);
    const onlyBase: CompiledItem[] = [];
    for (const item of [...base.allow, ...base.deny]) {
      const n = left.get(key(item)) ?? 0;
      if (n > 0) left.set(key(item), n - 1);
      else onlyBase.push(item);
    }
    const onlyHead = [...head.allow, ...head.deny].filter((item) => {
      const n = left.get(key(item)) ?? 0;
      if (n === 0) return false;
      left.set(key(item), n - 1);
      return true;
    });
    const changed = (side: 0 | 1, dp: DirectionPolicy, item: CompiledItem): ChangedItem => ({
      bits: this.tables.matches[side].selects(item, item.deny ? dp.requirementsDeny : dp.requirements),
      segments: this.tables.allSegments.filter((seg) => this.tables.covers(item, seg)),
    });
    return [...onlyBase.map((i) => changed(0, base, i)), ...onlyHead.map((i) => changed(1, head, i))];
  }
}

const NONE: readonly number[] = Object.freeze([]);

/** A pair (and the pairs alike) whose verdicts do not change. */
const NO_CHANGE = -1;

/** Up to how many segments changed items may cover for decisions to be grouped per segment. */
const PER_SEGMENT_LIMIT = 8;

const contentKeys = new WeakMap<CompiledItem, string>();

/** An item's content with its kind (allow or deny), computed once per item. */
function contentKey(item: CompiledItem): string {
  let key = contentKeys.get(item);
  if (key === undefined) {
    key = `${item.deny ? 'deny' : 'allow'}|${itemContent(item)}`;
    contentKeys.set(item, key);
  }
  return key;
}

/** The side contexts of a diff, and the pairs whose connectivity changes. */
export class SideTables {
  /** Whether the classes can be compared this way (no node classes: a node's view depends on the other end). */
  public static applies(classes: readonly ClassifiedEndpoint[]): boolean {
    return classes.every((c) => c.endpoint.kind !== EndpointKind.NODE);
  }

  /** Base and head, as the classes are resolved and seen there. */
  public readonly views: readonly [SideView, SideView];
  /** The selector caches of base and head (one shared when the classes look alike on both). */
  public readonly matches: readonly [PeerMatches, PeerMatches];
  /** 1 for a class that base and head see differently as a peer (inventory): every decision on it may change. */
  public readonly viewsDiffer: Uint8Array;
  public readonly classCount: number;
  /** The segments of the port space, a query at each, and their indexes. */
  public readonly segments: readonly PortSegment[];
  public readonly queries: readonly L4Query[];
  public readonly allSegments: readonly number[];
  private readonly egress: SideContext[];
  private readonly ingress: SideContext[];
  private readonly signatures: (readonly [string, string])[];
  /**
   * Per class, its signature as a number (the same number for the same signature), without and with its named ports: a
   * grouping starts from them.
   */
  public readonly signatureIds: readonly [Int32Array, Int32Array];
  /** The distinct pairs of base and head decisions, each once (`decidedId`). */
  public readonly decided: (readonly [OutcomeKey, OutcomeKey])[] = [];
  private readonly decidedIds = new Map<string, number>();
  /** Per item, 1 for the segments it may cover (a named port: every port of its protocols). */
  private readonly coverage = new WeakMap<CompiledItem, Uint8Array>();
  /** Per protocol (ICMP: per family), the first port (type) of each segment and its index, ascending. */
  private readonly starts = new Map<string, { lo: number[]; index: number[]; other?: number }>();

  /** The clients whose pair to each server its ingress side may change, by client (`peersFrom`), made once. */
  private ingressByClient?: { readonly start: Int32Array; readonly servers: Int32Array };

  /**
   * @param isPair whether (from, to) is a pair to judge: the others are neither counted (`changingPairCount`) nor visited
   * (`changingPairs`) @default - every pair
   */
  public constructor(base: PolicySet, head: PolicySet, classes: readonly ClassifiedEndpoint[], policies: readonly ClassPolicies[],
    private readonly isPair: (from: number, to: number) => boolean = () => true) {
    this.classCount = classes.length;
    // The classes as each side completes them, and the named ports the segments are cut at (`named-port-cuts.ts`).
    const cuts = new NamedPortCuts([base, head], classes);
    this.views = [sideView(base, cuts.endpoints[0]), sideView(head, cuts.endpoints[1])];
    const keys = this.views.map((v) => v.views.map(viewKey));
    this.viewsDiffer = Uint8Array.from(classes, (_, i) => (keys[0][i] === keys[1][i] ? 0 : 1));
    const shared = new PeerMatches(this.views[0]);
    this.matches = this.viewsDiffer.every((d) => d === 0) ? [shared, shared] : [shared, new PeerMatches(this.views[1])];
    this.signatures = classes.map((c, i) => {
      const flags = this.views.map((v) => {
        const p = v.views[i];
        return `${p.localHost ? 1 : 0}${p.node ? 1 : 0}${reservedIdentity(p.labels) ? 1 : 0}${p.fqdn ?? ''}`;
      }).join('/');
      return [flags, `${flags}|${JSON.stringify([c.endpoint.ports ?? [], this.views[0].resolved[i].ports, this.views[1].resolved[i].ports])}`];
    });
    const signatures = new Interner();
    const intern = (sig: string): number => signatures.id(sig);
    this.signatureIds = [
      Int32Array.from(this.signatures, ([flags]) => intern(flags)),
      Int32Array.from(this.signatures, ([, withPorts]) => intern(withPorts)),
    ];
    const bounds = new PortBoundaries();
    for (const p of policies) for (const dp of [...p.egress, ...p.ingress]) bounds.addPolicy(dp);
    classes.forEach((_, i) => bounds.addNamedPorts(cuts.at(i, false).ports));
    // An egress named port resolves on every pod of the cluster, so it allows a number to peers without ports too.
    if (policies.some((p) => p.egress.some(egressNamesPort))) bounds.addNamedPorts(cuts.clusterPorts());
    this.segments = bounds.segments();
    this.queries = this.segments.map(segmentQuery);
    this.allSegments = this.segments.map((_, i) => i);
    this.segments.forEach((seg, i) => {
      const k = seg.protocol === 'ICMP' ? seg.icmpFamily : seg.protocol;
      let s = this.starts.get(k);
      if (!s) {
        s = { lo: [], index: [] };
        this.starts.set(k, s);
      }
      if (seg.otherTypes) s.other = i;
      else {
        s.lo.push(seg.lo);
        s.index.push(i);
      }
    });

    const contexts = new Map<string, SideContext>();
    const dpIds = new Map<DirectionPolicy, number>();
    const dpId = (dp: DirectionPolicy | undefined): number => {
      if (!dp) return -1;
      let id = dpIds.get(dp);
      if (id === undefined) {
        id = dpIds.size;
        dpIds.set(dp, id);
      }
      return id;
    };
    const context = (direction: 'ingress' | 'egress', dps: PolicyPair, subject: number, changed: boolean): SideContext => {
      const ports = direction === 'ingress' ? this.signatures[subject][1] : '';
      const key = `${direction}|${dpId(dps[0])}|${dpId(dps[1])}|${changed ? 1 : 0}|${ports}`;
      let ctx = contexts.get(key);
      if (!ctx) {
        const subjectDiffers = direction === 'ingress'
          && JSON.stringify(this.views[0].resolved[subject].ports) !== JSON.stringify(this.views[1].resolved[subject].ports);
        ctx = new SideContext(this, contexts.size, direction, dps, subject, changed, subjectDiffers);
        contexts.set(key, ctx);
      }
      return ctx;
    };
    this.egress = policies.map((p, i) => context('egress', p.egress, i, p.egressChanged));
    this.ingress = policies.map((p, i) => context('ingress', p.ingress, i, p.ingressChanged));
  }

  /** The index of a pair of base and head decisions in `decided` (the same strings for the same decisions). */
  public decidedId(base: OutcomeKey, head: OutcomeKey): number {
    const key = `${base}\u0000${head}`;
    let id = this.decidedIds.get(key);
    if (id === undefined) {
      id = this.decided.length;
      this.decidedIds.set(key, id);
      this.decided.push(base === head ? [base, base] : [base, head]);
    }
    return id;
  }

  /** Whether an item may cover a segment (named ports: every port of their protocols, whatever the destination). */
  public covers(item: CompiledItem, seg: number): boolean {
    let c = this.coverage.get(item);
    if (!c) {
      const l4 = item.l4;
      const named = namesPort(item);
      const namedProtocols = new Set(l4.kind === 'ports' ? l4.portRules.flatMap((pr) => pr.ports.filter((p) => p.kind === 'named').flatMap((p) => p.protocols)) : []);
      c = Uint8Array.from(this.queries, (q) => (matchL4(l4, q, []) !== undefined || (named && namedProtocols.has(q.protocol)) ? 1 : 0));
      this.coverage.set(item, c);
    }
    return c[seg] === 1;
  }

  /**
   * Visits the pairs (from, to) whose verdict or L7 rules differ between base and head on some segment, by `from` then
   * `to`: those whose egress decision changes for the other end, or whose ingress decision does, and whose verdict
   * changes. Each comes with the segments where it may differ (ascending) and, per such segment, its verdict on base and
   * on head (`PairOutcome`, at `2 * i` and `2 * i + 1`): what `decide()` says of it, from the sides' decisions; and the
   * number of the pairs judged alike (the same decisions and explanations on every segment: the same contexts, and each
   * end in the same group of the other's context), or -1 when the pair is judged on its own.
   * The arrays are not to be kept: they are reused from one pair to the next, or shared by the pairs judged alike.
   */
  public changingPairs(visit: (from: number, to: number, segments: readonly number[], outcomes: Uint8Array, alike: number) => void): void {
    const n = this.classCount;
    const peers: number[] = [];
    const segments: number[] = [];
    const outcomes = new Uint8Array(2 * this.segments.length);
    // Pairs alike by (egress context, group of `to` there) then (ingress context, group of `from` there): the index of
    // their changes in `alike`, or NO_CHANGE.
    const memo = new Map<number, Map<number, number>>();
    const alike: { segments: readonly number[]; outcomes: Uint8Array }[] = [];
    const span = 2 * n;
    for (let a = 0; a < n; a++) {
      for (const b of this.peersFrom(a, peers)) {
        const e = this.egress[a];
        const i = this.ingress[b];
        const ke = e.alikeKey(b);
        const ki = ke < 0 ? -1 : i.alikeKey(a);
        if (ki < 0) {
          if (this.pairChanges(a, b, segments, outcomes)) visit(a, b, segments, outcomes, -1);
          continue;
        }
        let inner = memo.get(e.id * span + ke);
        if (!inner) {
          inner = new Map();
          memo.set(e.id * span + ke, inner);
        }
        let found = inner.get(i.id * span + ki);
        if (found === undefined) {
          found = NO_CHANGE;
          if (this.pairChanges(a, b, segments, outcomes)) {
            found = alike.length;
            alike.push({ segments: [...segments], outcomes: outcomes.slice(0, 2 * segments.length) });
          }
          inner.set(i.id * span + ki, found);
        }
        if (found !== NO_CHANGE) visit(a, b, alike[found].segments, alike[found].outcomes, found);
      }
    }
  }

  /**
   * How many pairs `changingPairs` judges: the pairs (that are pairs, `isPair`) whose egress side changes for the server
   * or whose ingress side changes for the client. Each side's changed peers are found per context (once per distinct
   * pair of direction policies, on the peers grouped alike), never by judging a pair; what a pair then costs is the
   * walk of its changed segments (`pairChanges`), unless a pair judged alike was judged before.
   * The count stops as soon as it passes `limit` (a hostile change must not cost the work or memory the limit saves): each
   * side's pairs alone are counted first, so past the limit the union (and its table of servers per client, as large as
   * the pairs) is never built; a count stopped early is a lower bound (`exact` false).
   * @param limit the count past which to stop @default - no limit: the whole count
   */
  public changingPairCount(limit = Number.POSITIVE_INFINITY): PairCount {
    const n = this.classCount;
    const oneSide = (contexts: readonly SideContext[], isPair: (subject: number, peer: number) => boolean): number => {
      let count = 0;
      for (let s = 0; s < n && count <= limit; s++) for (const p of contexts[s].peersThatChange()) if (isPair(s, p)) count++;
      return count;
    };
    const ingress = oneSide(this.ingress, (b, a) => this.isPair(a, b));
    if (ingress > limit) return { pairs: ingress, exact: false };
    const egress = oneSide(this.egress, (a, b) => this.isPair(a, b));
    if (egress > limit) return { pairs: egress, exact: false };
    const peers: number[] = [];
    let count = 0;
    for (let a = 0; a < n; a++) {
      count += this.peersFrom(a, peers).length;
      if (count > limit && a < n - 1) return { pairs: count, exact: false };
    }
    return { pairs: count, exact: true };
  }

  /**
   * The classes `to` of the pairs from `a` that may change (that are pairs), ascending, each once, into `out`: the peers
   * its egress side changes for, and the servers whose ingress side changes for it (both lists ascending: merged).
   */
  private peersFrom(a: number, out: number[]): number[] {
    out.length = 0;
    const e = this.egress[a].peersThatChange();
    const { start, servers } = this.clientsOfIngress();
    forEachOfUnion(e, servers.subarray(start[a], start[a + 1]), (b) => {
      if (this.isPair(a, b)) out.push(b);
    });
    return out;
  }

  /** Per client, the servers whose ingress side changes for it, ascending (the ingress sides' changed peers, turned by client). */
  private clientsOfIngress(): { readonly start: Int32Array; readonly servers: Int32Array } {
    if (this.ingressByClient) return this.ingressByClient;
    const n = this.classCount;
    const start = new Int32Array(n + 1);
    for (let b = 0; b < n; b++) for (const a of this.ingress[b].peersThatChange()) start[a + 1]++;
    for (let a = 0; a < n; a++) start[a + 1] += start[a];
    const servers = new Int32Array(start[n]);
    const next = start.slice(0, n);
    // Servers in ascending order: each client's list comes out ascending.
    for (let b = 0; b < n; b++) for (const a of this.ingress[b].peersThatChange()) servers[next[a]++] = b;
    this.ingressByClient = { start, servers };
    return this.ingressByClient;
  }

  /** The index of the segment holding a port (ICMP: a type) of a protocol (ICMP: of a family). */
  public segmentAt(seg: PortSegment): number {
    const s = this.starts.get(seg.protocol === 'ICMP' ? seg.icmpFamily : seg.protocol);
    if (!s) throw new Error(`no segment for ${seg.protocol}`);
    if (seg.protocol === 'ICMP') {
      const i = s.lo.indexOf(seg.lo);
      if (i >= 0) return s.index[i];
      if (s.other === undefined) throw new Error('no segment for the other ICMP types');
      return s.other;
    }
    let lo = 0;
    let hi = s.lo.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s.lo[mid] <= seg.lo) lo = mid;
      else hi = mid - 1;
    }
    return s.index[lo];
  }

  /**
   * One explained side of a pair's connection at a segment, on base (0) or head (1): what `verdict()` says of its
   * egress (from `a`) or ingress (to `b`).
   */
  public explainSide(a: number, b: number, seg: number, side: 0 | 1, direction: 'egress' | 'ingress'): SideVerdict {
    return direction === 'egress' ? this.egress[a].explain(b, seg, side) : this.ingress[b].explain(a, seg, side);
  }

  /**
   * The segments where the verdict of a pair, or the L7 rules in force, differ between base and head (into `out`, with
   * the outcomes on each side into `outcomes`); whether there is one.
   */
  private pairChanges(a: number, b: number, out: number[], outcomes: Uint8Array): boolean {
    const e = this.egress[a];
    const i = this.ingress[b];
    const x = e.changingSegments(b);
    const y = i.changingSegments(a);
    out.length = 0;
    // Both lists are ascending: walk them as one, each segment once.
    forEachOfUnion(x, y, (seg) => {
      const [eb, eh] = e.decision(b, seg);
      const [ib, ih] = i.decision(a, seg);
      // The verdict differs when one side is denied and the other not, or, neither denied, when a side's outcome differs.
      const before = pairOutcome(eb, ib);
      const after = pairOutcome(eh, ih);
      if (before !== after || (before !== PairOutcome.DENIED && (eb !== eh || ib !== ih))) {
        outcomes[2 * out.length] = before;
        outcomes[2 * out.length + 1] = after;
        out.push(seg);
      }
    });
    return out.length > 0;
  }
}

/** A count of pairs, which may have stopped once past a limit (`SideTables.changingPairCount`). */
export interface PairCount {
  /** The pairs counted: all of them, or (`exact` false) a lower bound past the limit. */
  readonly pairs: number;
  /** Whether every pair was counted. */
  readonly exact: boolean;
}

/** Calls `visit` with each value of the union of two ascending lists, ascending, once (a value in both, or repeated, once). */
function forEachOfUnion(x: ArrayLike<number>, y: ArrayLike<number>, visit: (value: number) => void): void {
  for (let p = 0, q = 0; p < x.length || q < y.length;) {
    const value = q >= y.length || (p < x.length && x[p] <= y[q]) ? x[p] : y[q];
    while (p < x.length && x[p] === value) p++;
    while (q < y.length && y[q] === value) q++;
    visit(value);
  }
}

/** A connection's verdict on one side of a diff, from its egress and ingress decisions. */
export enum PairOutcome {
  DENIED = 0,
  /** Allowed, no L7 rule in force. */
  ALLOWED = 1,
  /** Allowed, with L7 rules on a side (the explained sides say which). */
  ALLOWED_L7 = 2,
}

function pairOutcome(egress: OutcomeKey, ingress: OutcomeKey): PairOutcome {
  if (egress === 'D' || ingress === 'D') return PairOutcome.DENIED;
  return egress.length > 1 || ingress.length > 1 ? PairOutcome.ALLOWED_L7 : PairOutcome.ALLOWED;
}
