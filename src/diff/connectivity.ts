/**
 * The connectivity model: which connections between endpoint classes a policy set allows (`connectivityReport`), and
 * which change between two sets (`diffPolicySets`); `Connectivity` is their public face.
 *
 * For each pair of classes (client, server) the port space is split at every boundary the items of either side name
 * (`port-segments.ts`), each segment is judged with the engine's `decide` (a map lookup once warm), and `verdict` is
 * asked only for the deciding reason of what is reported (a diff on the side tables takes both from their per-side
 * decisions and explanations instead, `side-tables.ts`). Adjacent segments, then all segments of a pair, with the same
 * before/after/reason/L7 are merged into one entry.
 *
 * A diff only judges pairs that can change: per class and direction, the rules of each side that select it are
 * fingerprinted by content (not by name: a rename or a reformat changes nothing); a pair whose client-egress and
 * server-ingress fingerprints are equal on both sides (and the engine settings equal) cannot change and is skipped.
 */
import { Interner } from '../model/interner';
import { pushAll } from '../model/push-all';
import { AgentSettings } from '../model/agent-settings';
import { agentSettingsOf, settingsKey } from '../engine/agent-settings-table';
import { comparisonLimits, reportLimits } from './comparison-limits';
import { otherFamilyWorld } from './other-family-world';
import { RestrictionPair, RestrictionPolicies, restrictedSegments, restrictionCandidates, restrictionChanges, restrictsSomePort } from './restriction-changes';
import {
  AllowedConnection, ChangeReasons, ConnectionVerdict, ConnectivityChange, ConnectivityDiffDocument, ConnectivityReportDocument, DIFF_SCHEMA,
  DecidingReason, EndpointClass, EndpointClassKind, NotCompared, REPORT_SCHEMA,
} from '../model/connectivity-document';
import { ClassifiedEndpoint, classLimits, endpointClasses } from './endpoint-classes';
import { ExpectedConnectivityChange, UnexpectedChanges, unexpectedChanges } from './expected-changes';
import { NamedPortCuts, egressNamesPort } from './named-port-cuts';
import { PortBoundaries, PortSegment, carriedSegments, formatPorts } from './port-segments';
import { FingerprintContext, directionFingerprint, wholeRuleContent } from './rule-content';
import { PairCount, PairOutcome, PeerMatches, SideTables } from './side-tables';
import { FqdnGroups } from './fqdn-groups';
import {
  UnjudgedConnection, judgedDecision, pairRefused, refusedClasses, refusedNotCompared, refusedNotJudged, unjudgedNotCompared, unjudgedNotJudged,
} from './refused-classes';
import type { DirectionPolicy } from '../engine/direction-policy';
import { PolicySet, provideConnectivity } from '../engine/policy-set';
import { endPacketFamily } from '../engine/l4-query';
import { CONNECTIVITY_SOURCES_DEFAULTS, IpFamilies, PolicyEnforcement, type ConnectivitySources } from '../engine/policy-set-options';
import { OptionDefaults, checkOptionKeys, refuseOptionValue } from '../model/known-keys';
import { CiliumPolicyError } from '../core/errors';
import { EndpointKind } from '../engine/endpoint';
import { isNodeEnd } from '../engine/unjudged-connection';
import { SideVerdict, Verdict, VerdictQuery } from '../engine/verdict';
import { compareCodeUnits as compare } from '../model/code-unit-order';

/** Options of `Connectivity.diff` and `Connectivity.report`. */
export interface ConnectivityOptions extends ConnectivitySources {
  /**
   * The endpoint classes to judge.
   * @default - derived from the sets and their inventory (`Connectivity.endpointClasses`)
   */
  readonly classes?: ClassifiedEndpoint[];
  /**
   * @internal Judge every pair of classes, skipping none, each segment with `verdict()` (the reference the side tables
   * and the fingerprint skipping are tested against).
   */
  readonly _judgeEveryPair?: boolean;
}

/**
 * The options of `ConnectivityOptions` with their defaults (`option-unknown`; kept equal to the interface by
 * test/engine/option-keys-interfaces.test.ts).
 */
export const CONNECTIVITY_OPTION_DEFAULTS: OptionDefaults = {
  ...CONNECTIVITY_SOURCES_DEFAULTS,
  classes: 'derived from the sets and their inventory',
  _judgeEveryPair: 'false',
};

/** Options of `Connectivity.report`. */
export interface ReportOptions extends ConnectivityOptions {
  /**
   * The most pairs of endpoint classes (client, server) the report judges. A report lists every allowed pair, so its
   * time and size grow with the square of the classes (2,500 classes: 2.3 million pairs, 30 s of CPU, 80 MB of JSON);
   * over the limit it is refused before any pair is judged (`report-too-large`), never cut short. A whole number of 1
   * or more (`cdk8s-cilium report --max-pairs`, default 250,000: `Connectivity.DEFAULT_MAX_REPORT_PAIRS`).
   * @default - no limit
   */
  readonly maxPairs?: number;
}

/**
 * A pass of the diff that judges only the pairs with an end among some classes (the outside addresses judged dual-stack,
 * `other-family-world.ts`), within the caller's limits: its document holds those changes alone, no notes. Not part of the
 * public API (not exported from the package's index), but named by `diffPolicySets`' signature in the shipped `.d.ts`, so
 * not stripped from it as internal declarations are (that signature would name a missing type).
 */
export interface DiffPass {
  /** The ids of the classes one end of each pair judged is among. */
  readonly ends: ReadonlySet<string>;
  /** Whether the caller of the diff chose the classes (a refusal's fix then names a smaller list, not an inventory). */
  readonly given: boolean;
}

/** Options of `Connectivity.diff`. */
export interface DiffOptions extends ConnectivityOptions {
  /**
   * The most changes (entries) the diff holds. A change whose selectors touch every class (a cluster-wide default deny)
   * changes every pair, so a diff can grow with the square of the classes (400 generated policies and such a CCNP: 325,000
   * changes, 315 MB of JSON, 2 GB of memory); past the limit it is refused as soon as it is passed (`diff-too-large`),
   * never cut short. A whole number of 1 or more (`cdk8s-cilium diff --max-changes`, default 100,000).
   * @default - no limit
   */
  readonly maxChanges?: number;
  /**
   * The most pairs of endpoint classes (client, server) the diff judges. A diff judges only the pairs whose client's
   * egress or server's ingress decides differently for the other end on some port (found per class and side, before any
   * pair is judged), but a change to every class that reaches every peer (one new egress rule per class) makes it judge
   * every pair, whose time and memory grow with the square of the classes (1,000 classes each given an egress rule on 40
   * ports of their own: a million pairs, a minute of CPU); over the limit it is refused before any pair is judged
   * (`diff-too-large`), never cut short. A whole number of 1 or more (`cdk8s-cilium diff --max-pairs`, default 1,000,000:
   * `Connectivity.DEFAULT_MAX_DIFF_PAIRS`). A change to a policy that selects every class counts only the pairs it
   * decides differently (a cluster-wide DNS rule: each class to the DNS server).
   * @default - no limit
   */
  readonly maxPairs?: number;
}

/** The most changes `cdk8s-cilium diff` holds unless told otherwise (`--max-changes`; `DiffOptions.maxChanges` from code). */
export const DEFAULT_MAX_DIFF_CHANGES = 100_000;

/**
 * The options of `DiffOptions` with their defaults (`option-unknown`; kept equal to the interface by
 * test/engine/option-keys-interfaces.test.ts).
 */
export const DIFF_OPTION_DEFAULTS: OptionDefaults = {
  ...CONNECTIVITY_OPTION_DEFAULTS,
  maxChanges: 'no limit',
  maxPairs: 'no limit',
};

/** The most pairs of endpoint classes `cdk8s-cilium diff` judges unless told otherwise (`--max-pairs`; `DiffOptions.maxPairs` from code). */
export const DEFAULT_MAX_DIFF_PAIRS = 1_000_000;

/** The most pairs of endpoint classes `cdk8s-cilium report` judges unless told otherwise (`--max-pairs`; `ReportOptions.maxPairs` from code). */
export const DEFAULT_MAX_REPORT_PAIRS = 250_000;

/**
 * The options of `ReportOptions` with their defaults (`option-unknown`; kept equal to the interface by
 * test/engine/option-keys-interfaces.test.ts).
 */
export const REPORT_OPTION_DEFAULTS: OptionDefaults = {
  ...CONNECTIVITY_OPTION_DEFAULTS,
  maxPairs: 'no limit',
};

/** What a diff option left at its default in place of the one meant does (`option-unknown`). */
const DIFF_RISK = 'so the document would compare other classes, or name other sources, than asked';

/**
 * The connectivity diff and report, what `cdk8s-cilium diff` and `cdk8s-cilium report` print: which connections between
 * the endpoint classes of a platform a policy set allows, and which of them change between two sets. Semantics are
 * compared, not names: a reformat or a rename is an empty diff. `ConnectivityFormat` renders the documents.
 *
 * ```ts
 * const doc = Connectivity.diff(PolicySet.fromFiles(['base/']), PolicySet.fromFiles(['dist/']));
 * process.stdout.write(ConnectivityFormat.diffText(doc));
 * ```
 */
export class Connectivity {
  /** The `schema` of a diff document: `cdk8s-cilium/diff/v1`. */
  public static readonly DIFF_SCHEMA: typeof DIFF_SCHEMA = DIFF_SCHEMA;
  /** The `schema` of a report document: `cdk8s-cilium/report/v1`. */
  public static readonly REPORT_SCHEMA: typeof REPORT_SCHEMA = REPORT_SCHEMA;
  /** The most pairs of endpoint classes `cdk8s-cilium report` judges unless told otherwise (`--max-pairs`, `ReportOptions.maxPairs`): 250,000. */
  public static readonly DEFAULT_MAX_REPORT_PAIRS: number = DEFAULT_MAX_REPORT_PAIRS;
  /** The most changes `cdk8s-cilium diff` holds unless told otherwise (`--max-changes`, `DiffOptions.maxChanges`): 100,000. */
  public static readonly DEFAULT_MAX_DIFF_CHANGES: number = DEFAULT_MAX_DIFF_CHANGES;
  /** The most pairs of endpoint classes `cdk8s-cilium diff` judges unless told otherwise (`--max-pairs`, `DiffOptions.maxPairs`): 1,000,000. */
  public static readonly DEFAULT_MAX_DIFF_PAIRS: number = DEFAULT_MAX_DIFF_PAIRS;

  /**
   * What connectivity changes from `base` to `head`: every connection between the endpoint classes whose verdict (or L7
   * restriction on an allowed port) differs, grouped into entries; newly allowed first, then L7 changes, then newly
   * denied, each group sorted by from, to.
   * @param base the policies before the change
   * @param head the policies after the change
   * @param options the classes to judge, the most changes and pairs, and the sources to name @default - the classes of both sets
   * @throws CiliumPolicyError `diff-too-large` when there are more changes than `maxChanges`, or (before any pair is
   * judged) more pairs whose client's egress or server's ingress may decide differently than `maxPairs`; `option-value`
   * for a `maxChanges` or `maxPairs` that is not a whole number of 1 or more
   */
  public static diff(base: PolicySet, head: PolicySet, options: DiffOptions = {}): ConnectivityDiffDocument {
    checkOptionKeys(options, DIFF_OPTION_DEFAULTS, { call: 'Connectivity.diff()', risk: DIFF_RISK });
    checkLimit('Connectivity.diff()', 'maxChanges', options.maxChanges, 'changes to hold', DEFAULT_MAX_DIFF_CHANGES, 'no limit');
    checkLimit('Connectivity.diff()', 'maxPairs', options.maxPairs, 'pairs of endpoint classes to judge', DEFAULT_MAX_DIFF_PAIRS, 'no limit');
    return diffPolicySets(base, head, options);
  }

  /**
   * The complete set of allowed traffic between the endpoint classes of a policy set, grouped per pair and reason (a
   * pair not listed is denied). Every pair of classes is judged: more pairs than `maxPairs` (no limit unless given)
   * are refused (`report-too-large`) before any is judged.
   * @param policies the policies
   * @param options the classes to judge, the most pairs, and the source to name (`baseSource`) @default - the classes of the set
   * @throws CiliumPolicyError `report-too-large` when the classes make more pairs than `maxPairs`; `option-value` for a
   * `maxPairs` that is not a whole number of 1 or more
   */
  public static report(policies: PolicySet, options: ReportOptions = {}): ConnectivityReportDocument {
    checkOptionKeys(options, REPORT_OPTION_DEFAULTS, { call: 'Connectivity.report()', risk: DIFF_RISK });
    checkLimit('Connectivity.report()', 'maxPairs', options.maxPairs, 'pairs of endpoint classes to judge', DEFAULT_MAX_REPORT_PAIRS, 'no limit');
    return connectivityReport(policies, options);
  }

  /**
   * The endpoint classes of one or more policy sets (a diff passes base and head: a class must not merge endpoints that
   * either side treats differently), sorted: pods by namespace, other namespaces, world and CIDRs, host, entities. Pass
   * a subset as `ConnectivityOptions.classes` to judge fewer pairs.
   */
  public static endpointClasses(sets: PolicySet[]): ClassifiedEndpoint[] {
    return endpointClasses(sets);
  }

  /**
   * How a diff departs from the changes a test expects: the changes no expected entry covers, and the expected entries
   * no change matches (both empty: the diff is exactly as expected). The `toChangeOnly` matcher is built on it.
   */
  public static unexpectedChanges(doc: ConnectivityDiffDocument, expected: ExpectedConnectivityChange[]): UnexpectedChanges {
    return unexpectedChanges(doc, expected);
  }

  private constructor() {}
}

/**
 * Refuses a limit option that is not a whole number of 1 or more (`option-value`: `NaN` or `1.5` would pass any count).
 * @param what what the limit counts (`pairs of endpoint classes to judge`)
 * @param otherwise what leaving it out gives (`no limit`)
 */
function checkLimit(call: string, option: string, value: unknown, what: string, example: number, otherwise: string): void {
  if (value === undefined || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1)) return;
  refuseOptionValue(call, option, value, 'a whole number of 1 or more', `give the most ${what}, e.g. ${option}: ${example} (leave it out for ${otherwise})`);
}

/** What a pair's segments were judged to be on one side. */
interface Judged {
  readonly verdict: ConnectionVerdict;
  /** The L7 rules on an allowed segment, as text. */
  readonly l7?: string;
  /** With `l7`: the L7 rules each side enforces (egress, ingress), each as `HTTP <rule text>`; empty where a side has none. */
  readonly l7Sides?: readonly [readonly string[], readonly string[]];
}

/** Per class and direction, what a side's rules say about it. */
interface ClassSide {
  readonly dp: DirectionPolicy | undefined;
  readonly fingerprint: string;
}

/**
 * What connectivity changes from `base` to `head`: every connection between the endpoint classes whose verdict (or L7
 * restriction on an allowed port) differs, grouped into entries; newly allowed first, then L7 changes, then newly
 * denied, each group sorted by from, to.
 */
export function diffPolicySets(base: PolicySet, head: PolicySet, options: DiffOptions = {}, pass?: DiffPass): ConnectivityDiffDocument {
  refuseOtherIpFamilies(base, head);
  const classes = options.classes ?? endpointClasses([base, head]);
  // A pass judging only the pairs with an end among `pass.ends` (the other family's world): the others are neither
  // counted against `maxPairs` nor judged.
  const atEnd = pass ? classes.map((c) => pass.ends.has(c.cls.id)) : undefined;
  const withEnd = (a: number, b: number): boolean => !atEnd || atEnd[a] || atEnd[b];
  const given = pass ? pass.given : options.classes !== undefined;
  // The reference judges every pair, and every segment with `verdict()` (not the decision tables of `decide()`).
  const byVerdict = options._judgeEveryPair === true;
  const sameSettings = !options._judgeEveryPair && settingsKey(base) === settingsKey(head);
  const ctx: FingerprintContext = { contentIds: new Map(), fingerprints: new Map() };
  const sides = { base: classSides(base, classes, ctx), head: classSides(head, classes, ctx) };
  const cuts = new NamedPortCuts([base, head], classes);
  const egressChanged = classes.map((_, i) => !sameSettings || sides.base.egress[i].fingerprint !== sides.head.egress[i].fingerprint);
  const ingressChanged = classes.map((_, i) => !sameSettings || sides.base.ingress[i].fingerprint !== sides.head.ingress[i].fingerprint);
  // The classes whose policy the agent refuses on either side keep the one they had, which the inputs do not hold: their
  // connections are not compared (`refused-classes.ts`), never shown as a change the cluster will not see.
  const refusedOn = { base: refusedClasses(base, classes), head: refusedClasses(head, classes) };
  const refused = classes.map((_, i) => refusedOn.base.refused[i] || refusedOn.head.refused[i]);
  const learningRefused = refusedOn.base.learning !== undefined || refusedOn.head.learning !== undefined;
  const changes: ConnectivityChange[] = [];
  const maxChanges = options.maxChanges ?? Number.POSITIVE_INFINITY;
  const boundaries = new WeakMap<DirectionPolicy, { bounds: PortBoundaries; key: string }>();
  const segmentCache = new Map<string, PairSegments>();
  const reasonIds = new ReasonIds();
  const families = endFamilies(classes, base); // the head's are the same (refuseOtherIpFamilies)
  // SCTP is a packet to compare when either side's agent carries it (the other side then drops it: a change).
  const sctp = base._engineConfig.sctp || head._engineConfig.sctp;
  /**
   * Judges a pair on each segment (or only where `tables` says base and head may differ): its changed segments grouped
   * by verdicts and deciding reasons (from `verdict()`, or the same sides explained once per group of peers by `tables`),
   * the reasons naming the classes (or, with `placeholders`, `FROM`/`TO` for the names: the result then stands for every
   * pair judged alike, `emit` puts their names in). `undefined` when nothing changes.
   */
  const judgePair = (a: number, b: number, tables?: PairJudging, placeholders = false): PairChanges | undefined => {
    if (notAPair(classes[a], classes[b])) return undefined;
    const dps = [sides.base.egress[a].dp, sides.head.egress[a].dp, sides.base.ingress[b].dp, sides.head.ingress[b].dp];
    const pair = pairSegments(dps, cuts, b, boundaries, segmentCache);
    const { bounds } = pair;
    // Only what is a packet between the two (no ICMPv6 to an IPv4 address: `carriedSegments`).
    const segments = carriedSegments(pair.segments, families[a], families[b], sctp);
    const [from, to] = placeholders ? [FROM, TO] : [classes[a], classes[b]];
    // Changed segments with the same verdicts and reasons form a group; a reason is keyed by a number per distinct text.
    const groups = new Map<string, ChangeGroup>();
    const reasonTexts = new Map<string, number>();
    const add = (seg: PortSegment, before: Judged, after: Judged, reason: ChangeReasons, reasonKey: number): ChangeGroup => {
      const key = `${judgedKey(before)}\u0000${judgedKey(after)}\u0000${reasonKey}`;
      let g = groups.get(key);
      if (g) g.segs.push(seg);
      else {
        g = { segs: [seg], before, after, reason };
        groups.set(key, g);
      }
      return g;
    };
    const reasonKeyOf = (reason: ChangeReasons): number => {
      const text = JSON.stringify(reason);
      let id = reasonTexts.get(text);
      if (id === undefined) {
        id = reasonTexts.size;
        reasonTexts.set(text, id);
      }
      return id;
    };
    if (tables) {
      // The side tables share their explained sides among the segments and peers judged alike: a pair's reasons are put
      // into words once per distinct combination of explained sides (by what `reasonOf` reads of them), not per segment.
      const worded = new Map<string, { reason: ChangeReasons; key: number }>();
      // Consecutive segments mostly share their verdicts and reasons: the last group is reused without a key.
      const last = { ids: [-1, -1, -1, -1], before: DENIED, after: DENIED, group: undefined as ChangeGroup | undefined };
      const ids = [0, 0, 0, 0];
      for (const seg of segments) {
        const at = tables.changingAt(seg);
        if (at < 0) continue;
        const before = tables.judged(at, 0);
        const after = tables.judged(at, 1);
        if (before.verdict === after.verdict && before.l7 === after.l7) continue;
        ids[0] = reasonIds.of(tables.side(at, 0, 'egress'));
        ids[1] = reasonIds.of(tables.side(at, 0, 'ingress'));
        ids[2] = reasonIds.of(tables.side(at, 1, 'egress'));
        ids[3] = reasonIds.of(tables.side(at, 1, 'ingress'));
        if (last.group && before === last.before && after === last.after && ids.every((id, i) => id === last.ids[i])) {
          last.group.segs.push(seg);
          continue;
        }
        const sidesKey = ids.join(',');
        let w = worded.get(sidesKey);
        if (!w) {
          const sb = { egress: tables.side(at, 0, 'egress'), ingress: tables.side(at, 0, 'ingress') };
          const sa = { egress: tables.side(at, 1, 'egress'), ingress: tables.side(at, 1, 'ingress') };
          const reason = { before: reasonOf(sb, from, to), after: reasonOf(sa, from, to) };
          w = { reason, key: reasonKeyOf(reason) };
          worded.set(sidesKey, w);
        }
        last.group = add(seg, before, after, w.reason, w.key);
        last.before = before;
        last.after = after;
        last.ids = [...ids];
      }
    } else if (byVerdict) {
      // The reference: each set's `_verdict()` once per segment, for its verdict, L7 rules and reason.
      for (const seg of segments) {
        const q = query(classes[a], classes[b], seg);
        const l7 = bounds.l7At(seg);
        const vb = base._verdict(q);
        const va = head._verdict(q);
        const before = judgedVerdict(vb, l7);
        const after = judgedVerdict(va, l7);
        if (before.verdict === after.verdict && before.l7 === after.l7) continue;
        const reason = { before: reasonOf(vb, from, to), after: reasonOf(va, from, to) };
        add(seg, before, after, reason, reasonKeyOf(reason));
      }
    } else {
      for (const seg of segments) {
        const q = query(classes[a], classes[b], seg);
        const l7 = bounds.l7At(seg);
        // The diff builds its queries itself (`query` below): no field to check (`option-unknown`). An allowed segment
        // with L7 rules takes them from `verdict()`, which then gives its reason too.
        const deniedBefore = base._decide(q) === 'denied';
        const deniedAfter = head._decide(q) === 'denied';
        const vb = l7 && !deniedBefore ? base._verdict(q) : undefined;
        const va = l7 && !deniedAfter ? head._verdict(q) : undefined;
        const before = deniedBefore ? DENIED : vb ? allowedWith(vb) : ALLOWED;
        const after = deniedAfter ? DENIED : va ? allowedWith(va) : ALLOWED;
        if (before.verdict === after.verdict && before.l7 === after.l7) continue;
        const reason = { before: reasonOf(vb ?? base._verdict(q), from, to), after: reasonOf(va ?? head._verdict(q), from, to) };
        add(seg, before, after, reason, reasonKeyOf(reason));
      }
    }
    if (groups.size === 0) return undefined;
    return { segments, groups: [...groups.values()], placeholders };
  };
  /** Adds the changes of a pair (judged as itself, or as a pair judged alike with placeholder names). */
  const emit = (a: number, b: number, judged: PairChanges | undefined): void => {
    if (!judged || notAPair(classes[a], classes[b]) || refused[a] || refused[b] || !withEnd(a, b)) return;
    if (learningRefused && (pairRefused(refusedOn.base, a, b) || pairRefused(refusedOn.head, a, b))) return;
    const named = judged.placeholders ? namer(classes[a], classes[b]) : undefined;
    // The segments the gate refuses on a side are not compared (`unjudged`): never a change between allowed and denied.
    const notJudgedSegs = unjudgedSegments.get(a * classes.length + b);
    for (const g of judged.groups) {
      const segs = notJudgedSegs === undefined ? g.segs : g.segs.filter((seg) => !notJudgedSegs.has(segmentKey(seg)));
      if (segs.length === 0) continue;
      // The restriction in force after the change; for a connection newly denied, the one it had before.
      const l7 = g.after.verdict === 'allowed' ? g.after.l7 : g.before.l7;
      if (changes.length === maxChanges) throw diffTooLarge(maxChanges, given, pass);
      changes.push({
        from: classes[a].cls.id,
        to: classes[b].cls.id,
        ports: formatPorts(segs, judged.segments),
        ...(l7 !== undefined ? { l7 } : {}),
        ...(g.before.l7 !== g.after.l7 && g.before.l7 !== undefined ? { l7Before: g.before.l7 } : {}),
        ...(g.before.verdict === 'allowed' && g.after.verdict === 'allowed' ? l7Effect(g.before, g.after) : {}),
        before: g.before.verdict,
        after: g.after.verdict,
        reason: named ? { before: named(g.reason.before), after: named(g.reason.after) } : g.reason,
      });
    }
  };
  // FQDN classes are judged apart: whether `toFQDNs` selects one depends on the client's DNS learning (its lookup at the
  // DNS server), not on the peer alone. A pair to one can change when the client's egress rules do (they hold its DNS
  // rules), when the DNS server's ingress does, or when the client or the DNS server resolve differently.
  const fqdn = classes.map((c) => c.cls.kind === EndpointClassKind.FQDN);
  const learningChanged = !sameSettings || dnsServerKey(base, ctx) !== dnsServerKey(head, ctx);
  const toFqdnChanged = (a: number): boolean => egressChanged[a] || learningChanged
    || endpointKey(base, classes[a]) !== endpointKey(head, classes[a]);
  const inner = classes.flatMap((_, i) => (fqdn[i] ? [] : [i]));
  // The connections the gate refuses on base, head or both (`PolicySet._judgedDecision`: a node class given without labels
  // where a host rule reads them, a pod class without its service account where the accounts decide differently, a DNS
  // name whose learning lookup is not judged) among the pairs that may change: not compared, with the refusal
  // (`unjudgedNotCompared`), never shown as a change between allowed and denied nor hidden as none. Asked only between
  // ends that may leave a connection so (`PolicySet._mayLeaveUnjudged`), and of every pair to a DNS name: whether its
  // learning lookup is judged depends on the client (`_learnsNames`), which a class asked alone does not say.
  const unjudged: UnjudgedConnection[] = [];
  const unjudgedSegments = new Map<number, Set<string>>();
  const mayLeave = classes.map((c, i) => fqdn[i] || base._mayLeaveUnjudged(c.endpoint, c.endpoint) || head._mayLeaveUnjudged(c.endpoint, c.endpoint));
  // A node port or hostPort added or removed (the inputs' Services and workloads, not the policies) changes whether a pair
  // to a node is judged on it (`engine-node-port`): such pairs are asked too, whatever their policies.
  const nodePortsChanged = nodePortsKey(base) !== nodePortsKey(head);
  const nodeServer = classes.map((c) => nodePortsChanged && isNodeEnd(c.endpoint));
  if (mayLeave.some(Boolean)) {
    const serversOf = pairableServers(classes);
    for (let a = 0; a < classes.length; a++) {
      for (const b of serversOf(a)) {
        if (!mayLeave[a] && !mayLeave[b]) continue;
        if (!(fqdn[b] ? toFqdnChanged(a) && classes[a].serverOnly !== true : egressChanged[a] || ingressChanged[b] || nodeServer[b])) continue;
        if (!withEnd(a, b) || notAPair(classes[a], classes[b]) || refused[a] || refused[b]) continue;
        if (learningRefused && (pairRefused(refusedOn.base, a, b) || pairRefused(refusedOn.head, a, b))) continue;
        const dps = [sides.base.egress[a].dp, sides.head.egress[a].dp, sides.base.ingress[b].dp, sides.head.ingress[b].dp];
        const pair = pairSegments(dps, cuts, b, boundaries, segmentCache);
        const segments = carriedSegments(pair.segments, families[a], families[b], sctp);
        const groups = new Map<string, { segs: PortSegment[]; before: string; after: string; refusal: CiliumPolicyError }>();
        for (const seg of segments) {
          const q = query(classes[a], classes[b], seg);
          const before = judgedDecision(base, classes[a], classes[b], q);
          const after = judgedDecision(head, classes[a], classes[b], q);
          const refusal = after instanceof CiliumPolicyError ? after : before instanceof CiliumPolicyError ? before : undefined;
          if (refusal === undefined) continue;
          const outcomes = [judgedOrNot(before), judgedOrNot(after)] as const;
          const key = `${outcomes.join('>')}\u0000${refusal.id}`;
          const g = groups.get(key);
          if (g) g.segs.push(seg);
          else groups.set(key, { segs: [seg], before: outcomes[0], after: outcomes[1], refusal });
          const set = unjudgedSegments.get(a * classes.length + b) ?? new Set<string>();
          set.add(segmentKey(seg));
          unjudgedSegments.set(a * classes.length + b, set);
        }
        for (const g of groups.values()) {
          unjudged.push({
            from: classes[a].cls.name, to: classes[b].cls.name, ports: formatPorts(g.segs, segments),
            refusal: g.refusal, before: g.before, after: g.after,
          });
        }
      }
    }
  }
  // Only the pairs whose egress or ingress decision changes for each other, found per class and direction.
  const tables = sameSettings && SideTables.applies(classes) ? new SideTables(base, head, inner.map((i) => classes[i]), inner.map((i) => ({
    egress: [sides.base.egress[i].dp, sides.head.egress[i].dp] as const,
    ingress: [sides.base.ingress[i].dp, sides.head.ingress[i].dp] as const,
    egressChanged: egressChanged[i],
    ingressChanged: ingressChanged[i],
  })), (from, to) => !notAPair(classes[inner[from]], classes[inner[to]]) && withEnd(inner[from], inner[to])) : undefined;
  // Before any pair is judged: the pairs the diff judges, counted per class and side (`diff-too-large`).
  if (options.maxPairs !== undefined) {
    // Counted exactly up to twice the limit (a refusal names the limit that lets the diff through), past it a lower bound.
    const pairs = diffPairCount(classes, fqdn, egressChanged, ingressChanged, toFqdnChanged, tables, 2 * options.maxPairs, atEnd);
    checkPairs(pairs, classes.length, options.maxPairs, given, pass ? OTHER_WORLD_PAIRS : DIFF_PAIRS);
  }
  if (tables) {
    // Per segment of the tables, its index among the changing segments of the pair being judged (-1: none).
    const position = new Int32Array(tables.segments.length).fill(-1);
    // The pairs judged alike are judged once, with placeholder names (`emit` puts theirs in).
    // Keyed by the ends' packet families too: the segments a pair judges depend on them (`carriedSegments`: no ICMPv6 to
    // an IPv4 address), so a pod pair judged alike with a pair to `10.1.2.3` does not lend it its ICMPv6 segments.
    const judgedAlike = new Map<string, PairChanges | undefined>();
    tables.changingPairs((from, to, segs, outcomes, alike) => {
      const [a, b] = [inner[from], inner[to]];
      const alikeKey = `${alike}/${families[a] ?? ''}/${families[b] ?? ''}`;
      if (alike >= 0 && judgedAlike.has(alikeKey)) {
        emit(a, b, judgedAlike.get(alikeKey));
        return;
      }
      segs.forEach((seg, i) => { position[seg] = i; });
      const side = (at: number, s: 0 | 1, direction: 'egress' | 'ingress'): SideVerdict => tables.explainSide(from, to, segs[at], s, direction);
      const judged = judgePair(a, b, {
        changingAt: (seg) => position[tables.segmentAt(seg)],
        judged: (at, s) => judgedOutcome(outcomes[2 * at + s], () => ({ egress: side(at, s, 'egress'), ingress: side(at, s, 'ingress') })),
        side,
      }, alike >= 0);
      for (const seg of segs) position[seg] = -1;
      if (alike >= 0) judgedAlike.set(alikeKey, judged);
      emit(a, b, judged);
    });
  } else {
    const serversOf = pairableServers(classes);
    for (let a = 0; a < classes.length; a++) {
      for (const b of serversOf(a)) {
        if (!fqdn[b] && (egressChanged[a] || ingressChanged[b]) && withEnd(a, b)) emit(a, b, judgePair(a, b));
      }
    }
  }
  // Pairs to FQDN classes (`fqdn-groups.ts`): one client per group of clients with the same egress direction policies and
  // lookups at the DNS server, and for it one FQDN class per group of classes its items select and it learns alike, is
  // judged; the other pairs of the groups take its changes, with their names.
  const fqdnClasses = classes.flatMap((_, i) => (fqdn[i] ? [i] : []));
  // A pass of some ends judges its pairs to FQDN classes only where one is such an end, or the client (`emit` keeps those).
  if (fqdnClasses.length > 0) {
    const grouping = new FqdnGroups([base, head], classes, fqdnClasses);
    const judgedClients = new Map<string, Map<number, PairChanges | undefined>>();
    const anyFqdnEnd = atEnd !== undefined && fqdnClasses.some((f) => atEnd[f]);
    for (const a of inner) {
      // A class that stands for its pods as servers only is no client: it must not judge for the clients of its group.
      if (atEnd && !atEnd[a] && !anyFqdnEnd) continue;
      if (!toFqdnChanged(a) || classes[a].serverOnly === true || outsideTheCluster(classes[a], classes[fqdnClasses[0]])) continue;
      if (byVerdict) {
        for (const f of fqdnClasses) emit(a, f, judgePair(a, f));
        continue;
      }
      const egress = [sides.base.egress[a].dp, sides.head.egress[a].dp] as const;
      const key = grouping.clientKey(a, egress);
      let judged = key === undefined ? undefined : judgedClients.get(key);
      if (!judged) {
        const results = new Map<number, PairChanges | undefined>();
        for (const { explained } of grouping.peerGroups(a, egress)) {
          // The decisions first, on one class of the group; the explanations, on one class per part, only when they change.
          const first = judgePair(a, explained[0][0], undefined, true);
          explained.forEach((part, i) => {
            const r = first && i > 0 ? judgePair(a, part[0], undefined, true) : first;
            for (const f of part) results.set(f, r);
          });
        }
        judged = results;
        if (key !== undefined) judgedClients.set(key, judged);
      }
      for (const f of fqdnClasses) emit(a, f, judged.get(f));
    }
  }
  const rank = (c: ConnectivityChange): number => (c.after === 'allowed' && c.before === 'denied' ? 0 : c.before === c.after ? 1 : 2);
  const order = classOrder(classes);
  changes.sort((x, y) => rank(x) - rank(y) || order(x.from) - order(y.from) || order(x.to) - order(y.to) || compare(x.ports.join(), y.ports.join()));
  const l7Changed = changes.filter((c) => rank(c) === 1).length;
  // The classes' bounds are noted when a class's decisions changed, or when any rule differs at all: the change may be
  // one that only the classes left out would see (then no class's decisions change).
  function limitsOfClasses(): NotCompared[] {
    const limits = classLimits(classes);
    if (limits.length === 0) return [];
    return egressChanged.some(Boolean) || ingressChanged.some(Boolean) || rulesDiffer(base, head) ? limits : [];
  }
  // Refused classes are noted when anything differs between the sides (identical sides change nothing, whatever the
  // agent enforces).
  const anyDifference = (): boolean => settingsKey(base) !== settingsKey(head) || rulesDiffer(base, head) || classes.some((_, i) =>
    sides.base.egress[i].fingerprint !== sides.head.egress[i].fingerprint || sides.base.ingress[i].fingerprint !== sides.head.ingress[i].fingerprint);
  // Allowed connections whose unevaluated restriction (SNI list, TLS interception, listener) changed: the pairs whose egress
  // or ingress changed and where a side has a port rule with one, on the segments such a rule may cover. Only the pairs
  // a restricted item of a side selects (`restrictionCandidates`, per class and direction) can carry one; the reference
  // (`_judgeEveryPair`) judges every pair on every segment.
  function* restrictionPairs(): Generator<RestrictionPair> {
    const n = classes.length;
    const pairOf = (a: number, b: number): RestrictionPair | undefined => {
      if (!(fqdn[b] ? toFqdnChanged(a) : egressChanged[a] || ingressChanged[b])) return undefined;
      if (notAPair(classes[a], classes[b]) || refused[a] || refused[b]) return undefined;
      if (learningRefused && (pairRefused(refusedOn.base, a, b) || pairRefused(refusedOn.head, a, b))) return undefined;
      const dps = [sides.base.egress[a].dp, sides.head.egress[a].dp, sides.base.ingress[b].dp, sides.head.ingress[b].dp];
      if (!byVerdict && !dps.some(restrictsSomePort)) return undefined;
      const pair = pairSegments(dps, cuts, b, boundaries, segmentCache);
      const carried = carriedSegments(pair.segments, families[a], families[b], sctp);
      // The segments the gate refuses on a side are not compared (`unjudged`, noted): no restriction change is claimed of them.
      const notJudgedSegs = unjudgedSegments.get(a * n + b);
      const segments = (byVerdict ? carried : restrictedSegments(carried, dps))
        .filter((seg) => notJudgedSegs === undefined || !notJudgedSegs.has(segmentKey(seg)));
      return segments.length > 0 ? { from: classes[a], to: classes[b], segments } : undefined;
    };
    if (byVerdict) {
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          const pair = pairOf(a, b);
          if (pair) yield pair;
        }
      }
      return;
    }
    const matches = [PeerMatches.of(base, classes), PeerMatches.of(head, classes)] as const;
    const open = Uint8Array.from(classes, (c, i) => (fqdn[i] || c.endpoint.kind === EndpointKind.NODE ? 1 : 0));
    const policies: RestrictionPolicies = {
      egress: [sides.base.egress.map((e) => e.dp), sides.head.egress.map((e) => e.dp)],
      ingress: [sides.base.ingress.map((e) => e.dp), sides.head.ingress.map((e) => e.dp)],
    };
    // A side decides alike on both sides when its rules (by content, for the same settings) and what it reads of its ends
    // (the classes as each inventory completes them, and a name's learning) are the same: what the side tables assume.
    const differs = classes.map((c) => endpointKey(base, c) !== endpointKey(head, c));
    const mayDiffer = (direction: 'egress' | 'ingress', a: number, b: number): boolean => differs[a] || differs[b]
      || (direction === 'egress' ? egressChanged[a] || (fqdn[b] && learningChanged) : ingressChanged[b]);
    for (const code of restrictionCandidates(policies, open, (side, item, dp) => matches[side].selects(item, dp.requirements), mayDiffer)) {
      const pair = pairOf(Math.floor(code / n), code % n);
      if (pair) yield pair;
    }
  }
  // No allow entry of either side with such a restriction (the classes' direction policies, each scanned once): no pair to
  // compare, and the classes' pairs are not walked.
  const restricting = [sides.base, sides.head].some((s) => [s.egress, s.ingress].some((dir) => dir.some((e) => restrictsSomePort(e.dp))));
  // A pass of some ends holds their changes alone: its caller reads nothing else (no notes, no restriction pass).
  const restrictions = restricting && !pass ? restrictionChanges(base, head, restrictionPairs(), query) : undefined;
  // The other family's world, which a defaulted judging beside a /0 carries no class of, judged apart when anything
  // differs: only the pairs to or from its classes, within the same limits (`maxPairs`, `maxChanges`).
  const limits = { maxPairs: options.maxPairs, maxChanges: options.maxChanges };
  // The connections the gate refuses in that pass (`unjudged` there): its changes leave them out, so its notes are kept.
  const otherWorldNotes: NotCompared[] = [];
  const otherWorld = !pass && anyDifference() ? otherFamilyWorld(base, head, classes, changes, (b, h, judged, ends) => {
    const doc = diffPolicySets(b, h, { classes: [...judged], ...limits, ...(byVerdict ? { _judgeEveryPair: true } : {}) },
      { ends, given: options.classes !== undefined });
    pushAll(otherWorldNotes, doc.notCompared ?? []);
    return doc;
  }) : [];
  const ownUnjudged = unjudgedNotCompared(unjudged);
  const ownTexts = new Set(ownUnjudged.map((n) => n.text));
  const notCompared = pass ? ownUnjudged : [...comparisonLimits(base, head, classes.map((c) => c.cls), restrictions, otherWorld),
    ...((refused.some(Boolean) || learningRefused) && anyDifference() ? refusedNotCompared(refusedOn.base, refusedOn.head) : []),
    ...ownUnjudged, ...otherWorldNotes.filter((n) => !ownTexts.has(n.text)),
    ...takenOver(base, head, classes), ...limitsOfClasses()];
  return {
    schema: DIFF_SCHEMA,
    base: { source: options.baseSource ?? 'base', policies: base.policies.length },
    head: { source: options.headSource ?? 'head', policies: head.policies.length },
    ipFamilies: { judged: base._engineConfig.ipFamilies, source: 'policy-set' },
    sctp: base._engineConfig.sctp || head._engineConfig.sctp,
    ...settingsOfSides(base, head),
    summary: {
      newlyAllowed: changes.filter((c) => rank(c) === 0).length,
      newlyDenied: changes.filter((c) => rank(c) === 2).length,
      ...(l7Changed > 0 ? { l7Changed } : {}),
    },
    endpoints: classes.map((c) => c.cls),
    changes,
    ...(notCompared.length > 0 ? { notCompared } : {}),
  };
}

/**
 * The classes of pods that selectors tell apart (no workload of their own) which a workload of one side's inventory takes
 * over: the inventory completes such a class's pod from the one workload its labels select (labels, ports, service
 * account), so a workload added or removed makes the class a different pod on each side, and the diff, which compares
 * what the policies say of the same pods, does not compare the connections it decides: noted, never silent.
 */
function takenOver(base: PolicySet, head: PolicySet, classes: readonly ClassifiedEndpoint[]): NotCompared[] {
  const apart = classes.filter((c) => (c.cls.kind === EndpointClassKind.POD || c.cls.kind === EndpointClassKind.OTHER_POD)
    && (c.cls.workloads ?? []).length === 0 && endpointKey(base, c) !== endpointKey(head, c));
  if (apart.length === 0) return [];
  const names = apart.slice(0, 5).map((c) => c.cls.name).join(', ') + (apart.length > 5 ? `, and ${apart.length - 5} more` : '');
  return [{
    text: `a workload added or removed takes over ${apart.length === 1 ? 'a class' : `${apart.length} classes`} of pods that the `
      + `selectors tell apart (${names}): the inventory completes ${apart.length === 1 ? 'it' : 'them'} from that workload on one `
      + 'side only, so the connections they decide are not compared; trace the workload on both sides',
    mayAllow: true,
    mayDeny: true,
  }];
}

/**
 * The complete set of allowed traffic between the endpoint classes of a policy set, grouped per pair and reason.
 * @throws CiliumPolicyError `report-too-large` when the classes make more pairs than `options.maxPairs` (no limit
 * unless given), before any pair is judged
 */
export function connectivityReport(set: PolicySet, options: ReportOptions = {}): ConnectivityReportDocument {
  const classes = options.classes ?? endpointClasses([set]);
  if (options.maxPairs !== undefined) {
    checkPairs({ pairs: reportPairCount(classes), exact: true }, classes.length, options.maxPairs, options.classes !== undefined, REPORT_PAIRS);
  }
  const sides = classSides(set, classes);
  const refused = refusedClasses(set, classes);
  const boundaries = new WeakMap<DirectionPolicy, { bounds: PortBoundaries; key: string }>();
  const segmentCache = new Map<string, PairSegments>();
  const connections: AllowedConnection[] = [];
  // A pair's segments depend on what its client's egress and its server's ingress name (their boundaries, the server's
  // named ports): each end is numbered once by that content, and a pair finds its segments by the two numbers, not by a
  // key text built per pair (the pairs grow with the square of the classes, the ends do not).
  const ends = new Interner();
  const boundsKey = (dp: DirectionPolicy | undefined): string => (dp ? policyBounds(dp, boundaries).key : '');
  // A client whose egress names a port is cut at the cluster's named ports too (`NamedPortCuts.at`).
  const clientIds = classes.map((_, a) => ends.id(`egress\n${boundsKey(sides.egress[a].dp)}\n${egressNamesPort(sides.egress[a].dp) ? 1 : 0}`));
  const cuts = new NamedPortCuts([set], classes);
  const serverIds = classes.map((_, b) => ends.id(`ingress\n${boundsKey(sides.ingress[b].dp)}\n${cuts.at(b, false).key}`));
  const pairCache = new Map<number, PairSegments>();
  const families = endFamilies(classes, set);
  const serversOf = pairableServers(classes);
  // The connections the gate refuses (`PolicySet._judgedDecision`), not judged: asked only between ends that may leave one so.
  const unjudged: UnjudgedConnection[] = [];
  for (let a = 0; a < classes.length; a++) {
    const egress = sides.egress[a].dp;
    const row = clientIds[a] * ends.size;
    for (const b of serversOf(a)) {
      if (notAPair(classes[a], classes[b]) || pairRefused(refused, a, b)) continue;
      const ingress = sides.ingress[b].dp;
      const gated = set._mayLeaveUnjudged(classes[a].endpoint, classes[b].endpoint);
      if (!gated && open(egress) && open(ingress)) {
        // Neither side has a rule in its direction: every port is allowed, for the same reason.
        const q = query(classes[a], classes[b], { protocol: 'TCP', lo: 1, hi: 1, icmpFamily: 'IPv4', otherTypes: false, order: 0 });
        connections.push({ from: classes[a].cls.id, to: classes[b].cls.id, ports: ['any'], reason: reasonOf(set._verdict(q), classes[a], classes[b]) });
        continue;
      }
      let pair = pairCache.get(row + serverIds[b]);
      if (!pair) {
        pair = pairSegments([egress, ingress], cuts, b, boundaries, segmentCache);
        pairCache.set(row + serverIds[b], pair);
      }
      const { bounds } = pair;
      // Only what is a packet between the two (no ICMPv6 to an IPv4 address: `carriedSegments`).
      const segments = carriedSegments(pair.segments, families[a], families[b], set._engineConfig.sctp);
      const groups = new Map<string, { segs: PortSegment[]; l7?: string; reason: DecidingReason }>();
      const refusals = new Map<string, { segs: PortSegment[]; refusal: CiliumPolicyError }>();
      // Segments with the same verdict and L7 share their reason unless a rule boundary separates them: judge the reason
      // once per distinct (egress, ingress) outcome of `decide` is not possible, so ask `verdict` per allowed segment.
      for (const seg of segments) {
        const q = query(classes[a], classes[b], seg);
        const decided = gated ? judgedDecision(set, classes[a], classes[b], q) : set._decide(q);
        if (decided instanceof CiliumPolicyError) {
          const key = `${decided.id}\u0000${decided.fix ?? ''}`;
          const r = refusals.get(key);
          if (r) r.segs.push(seg);
          else refusals.set(key, { segs: [seg], refusal: decided });
          continue;
        }
        if (decided === 'denied') continue;
        // The verdict of an allowed segment: its reason, and its L7 rules when some item of the pair has any.
        const v = set._verdict(q);
        const j = bounds.l7At(seg) ? allowedWith(v) : ALLOWED;
        const reason = reasonOf(v, classes[a], classes[b]);
        const key = JSON.stringify([j.l7 ?? null, reason]);
        const g = groups.get(key);
        if (g) g.segs.push(seg);
        else groups.set(key, { segs: [seg], ...(j.l7 !== undefined ? { l7: j.l7 } : {}), reason });
      }
      for (const g of groups.values()) {
        connections.push({
          from: classes[a].cls.id, to: classes[b].cls.id, ports: formatPorts(g.segs, segments),
          ...(g.l7 !== undefined ? { l7: g.l7 } : {}), reason: g.reason,
        });
      }
      for (const r of refusals.values()) {
        unjudged.push({ from: classes[a].cls.name, to: classes[b].cls.name, ports: formatPorts(r.segs, segments), refusal: r.refusal });
      }
    }
  }
  const order = classOrder(classes);
  connections.sort((x, y) => order(x.from) - order(y.from) || order(x.to) - order(y.to) || compare(x.ports.join(), y.ports.join()));
  const notJudged = [...refusedNotJudged(refused), ...unjudgedNotJudged(unjudged), ...reportLimits(set)];
  return {
    schema: REPORT_SCHEMA,
    policies: { source: options.baseSource ?? 'policies', policies: set.policies.length },
    ipFamilies: { judged: set._engineConfig.ipFamilies, source: 'policy-set' },
    sctp: set._engineConfig.sctp,
    settings: agentSettingsOf(set),
    endpoints: classes.map((c) => c.cls),
    connections,
    ...(notJudged.length > 0 ? { notJudged } : {}),
  };
}

/** Whether a side lets everything through: policy does not apply there, or no rule has this direction (not `reserved:init`). */
function open(dp: DirectionPolicy | undefined): boolean {
  return dp === undefined || (!dp.hasRules && !dp.init && dp.allow.length === 0 && dp.deny.length === 0);
}

/**
 * The packet family of each class's end (`carriedSegments`): its address's or its world's (`endPacketFamily`), else the one family the
 * single-stack cluster runs: an end without an address (pods, nodes, entities) of an IPv4-only cluster
 * has IPv4 addresses only, and the agent built without ENABLE_IPV6 drops every IPv6 packet whatever the policy
 * (bpf_lxc.c: no ETH_P_IPV6 case, DROP_UNKNOWN_L3), so no ICMPv6 segment is a packet between pods there; `undefined` in a
 * dual-stack cluster.
 */
function endFamilies(classes: readonly ClassifiedEndpoint[], set: PolicySet): (4 | 6 | undefined)[] {
  const mode = set._engineConfig.ipFamilies;
  const only = mode === IpFamilies.DUAL ? undefined : mode === IpFamilies.IPV6 ? 6 : 4;
  return classes.map((c) => endPacketFamily(c.endpoint) ?? only);
}

/**
 * Refuses sets judged for different IP families (`ipFamilies`): a packet one side's cluster carries may be no packet in
 * the other's (an agent without IPv6 drops IPv6 before policy), so the engine refuses it on that side and no pair of
 * the two can be compared.
 */
function refuseOtherIpFamilies(base: PolicySet, head: PolicySet): void {
  const [b, h] = [base._engineConfig.ipFamilies, head._engineConfig.ipFamilies];
  if (b === h) return;
  throw new CiliumPolicyError({
    id: 'diff-ip-families',
    message: `the base is judged for the IP families ${b} and the head for ${h}: a packet of a family one cluster does not run is no `
      + 'packet there, so the two sides cannot be compared pair by pair',
    fix: 'build both policy sets with the same ipFamilies (the CLI gives both sides its one --ip-families); judge a change of the '
      + 'cluster\'s IP families with report or trace under each setting',
  });
}

/** A diff's `settings`: the base's, and the head's when they differ. */
function settingsOfSides(base: PolicySet, head: PolicySet): { settings: AgentSettings; headSettings?: AgentSettings } {
  const settings = agentSettingsOf(base);
  const headSettings = agentSettingsOf(head);
  return JSON.stringify(settings) === JSON.stringify(headSettings) ? { settings } : { settings, headSettings };
}

/** An endpoint as a set's inventory completes it (labels, ports, service account, namespace labels). */
/** The node ports and `hostPort`s of a side's inputs (`EndpointInventory._nodePortCuts`), as one text. */
function nodePortsKey(set: PolicySet): string {
  return set.inventory._nodePortCuts().map((p) => `${p.protocol ?? 'TCP'}/${p.port}`).sort().join(',');
}

function endpointKey(set: PolicySet, c: ClassifiedEndpoint): string {
  return JSON.stringify(set.inventory.enrich(c.endpoint));
}

/** What DNS learning reads of the DNS server besides the clients' rules: the server as resolved, and its ingress rules (by content). */
function dnsServerKey(set: PolicySet, ctx: FingerprintContext): string {
  const server = set.inventory.enrich(set._dnsServer);
  const dp = set._directionPolicyOf(server, 'ingress');
  const fingerprint = dp ? directionFingerprint(dp, ctx) : 'not-evaluated';
  return JSON.stringify([server, fingerprint]);
}

function classSides(set: PolicySet, classes: readonly ClassifiedEndpoint[], ctx?: FingerprintContext): { egress: ClassSide[]; ingress: ClassSide[] } {
  const side = (direction: 'ingress' | 'egress'): ClassSide[] => classes.map((c) => {
    const dp = set._directionPolicyOf(c.endpoint, direction);
    return { dp, fingerprint: dp && ctx ? directionFingerprint(dp, ctx) : dp ? '' : 'not-evaluated' };
  });
  return { egress: side('egress'), ingress: side('ingress') };
}

/**
 * Whether a pair of classes is left out of reports and diffs: both ends outside the cluster, or a class that stands for
 * its pods on the other side of a connection only (`clientOnly`, `serverOnly`: that side is another class's).
 */
export function notAPair(a: ClassifiedEndpoint, b: ClassifiedEndpoint): boolean {
  return a.serverOnly === true || b.clientOnly === true || outsideTheCluster(a, b);
}

/**
 * Whether both ends are outside the cluster (world, or a CIDR the rules name): such traffic never reaches a Cilium
 * endpoint, so no policy decides it and it is neither reported nor diffed (one policy naming 1,000 addresses would
 * otherwise report a million world-to-world pairs).
 */
function outsideTheCluster(a: ClassifiedEndpoint, b: ClassifiedEndpoint): boolean {
  // An FQDN class is a destination only (`toFQDNs` is egress): as a client it is a world address like any other.
  return a.cls.kind === EndpointClassKind.FQDN || (a.cls.kind === EndpointClassKind.WORLD && outsideEnd(b));
}

/**
 * The servers a client may pair with, in order: every class for a client inside the cluster, the classes inside it for a
 * client outside (`outsideTheCluster`). A walk of the pairs over these, not every class, costs a rule of n CIDRs (n world
 * classes) n rows of the classes inside the cluster, not n² pairs to skip.
 */
function pairableServers(classes: readonly ClassifiedEndpoint[]): (client: number) => readonly number[] {
  const every = classes.map((_, b) => b);
  const inside = every.filter((b) => !outsideEnd(classes[b]));
  return (client) => (outsideEnd(classes[client]) ? inside : every);
}

/** Whether a class is an end outside the cluster (world, a CIDR the rules name, an FQDN): two such ends are no pair (`outsideTheCluster`). */
function outsideEnd(c: ClassifiedEndpoint): boolean {
  return c.cls.kind === EndpointClassKind.WORLD || c.cls.kind === EndpointClassKind.FQDN;
}

/**
 * How many pairs of classes a report judges: every (client, server) that is a pair (`notAPair`), counted per kind of
 * class in one pass (never by going through the pairs: the count must stay cheap where the pairs are not).
 */
export function reportPairCount(classes: readonly ClassifiedEndpoint[]): number {
  return pairCount(classes, classes);
}

/**
 * How many pairs (client, server) of `clients` and `servers` are pairs (`notAPair`), counted per kind of class (never by
 * going through the pairs).
 */
function pairCount(clients: readonly ClassifiedEndpoint[], servers: readonly ClassifiedEndpoint[]): number {
  let serverCount = 0;
  let outsideServers = 0;
  for (const c of servers) {
    if (c.clientOnly === true) continue;
    serverCount++;
    if (outsideEnd(c)) outsideServers++;
  }
  let insideClients = 0;
  let worldClients = 0;
  for (const c of clients) {
    if (c.serverOnly === true || c.cls.kind === EndpointClassKind.FQDN) continue;
    if (c.cls.kind === EndpointClassKind.WORLD) worldClients++;
    else insideClients++;
  }
  // A world (or CIDR) client has no pair with a world, CIDR or FQDN server (`outsideTheCluster`).
  return insideClients * serverCount + worldClients * (serverCount - outsideServers);
}

/**
 * @internal How many pairs of classes a diff judges at most: the pairs to an FQDN class whose client's DNS learning may
 * change (`toFqdn`), and the pairs to a class that is no FQDN that the side tables judge (`SideTables.changingPairCount`:
 * a side of which decides differently for the other end), or without them (node classes, other engine settings) whose
 * client's egress or server's ingress rules change; counted per kind of class or per side, never by judging a pair.
 * The side tables' count stops once past `limit` (a lower bound then, `exact` false: `SideTables.changingPairCount`).
 * @param limit the count past which the side tables stop counting @default - no limit
 */
export function diffPairCount(classes: readonly ClassifiedEndpoint[], fqdn: readonly boolean[], egressChanged: readonly boolean[],
  ingressChanged: readonly boolean[], toFqdn: (a: number) => boolean, tables?: SideTables, limit = Number.POSITIVE_INFINITY,
  atEnd?: readonly boolean[]): PairCount {
  // The pairs with an end among `atEnd` (a pass of some ends, `DiffPass`): those of every class less those of the others.
  // The side tables count only the pairs they judge (their `isPair` holds the ends).
  const among = (keep: (i: number) => boolean): { toFqdn: number; judged: number } => {
    const fqdnServers = classes.filter((_, b) => fqdn[b] && keep(b));
    const fqdnClients = fqdnServers.length === 0 ? [] : classes.filter((_, a) => toFqdn(a) && keep(a));
    const servers = classes.filter((_, b) => !fqdn[b] && keep(b));
    const unchangedClients = classes.filter((_, a) => !egressChanged[a] && keep(a));
    const unchangedServers = classes.filter((_, b) => !fqdn[b] && !ingressChanged[b] && keep(b));
    const judged = tables ? 0 : pairCount(classes.filter((_, a) => keep(a)), servers) - pairCount(unchangedClients, unchangedServers);
    return { toFqdn: pairCount(fqdnClients, fqdnServers), judged };
  };
  const all = among(() => true);
  const others = atEnd ? among((i) => !atEnd[i]) : { toFqdn: 0, judged: 0 };
  const toFqdnPairs = all.toFqdn - others.toFqdn;
  if (tables) {
    const judged = toFqdnPairs > limit ? { pairs: 0, exact: false } : tables.changingPairCount(limit - toFqdnPairs);
    return { pairs: judged.pairs + toFqdnPairs, exact: judged.exact };
  }
  return { pairs: all.judged - others.judged + toFqdnPairs, exact: true };
}

/** What a document refused for its pairs says (`checkPairs`). */
interface PairsRefusal {
  /** The error id (`report-too-large`, `diff-too-large`). */
  readonly id: string;
  /** The document (`report`, `diff`). */
  readonly doc: string;
  /** What the classes counted are, after their number (`endpoint classes`; the pass's own list: `classes judged again …`). */
  readonly classes: string;
  /** What the pairs counted are, after "pairs of N endpoint classes" (`''`, ` (the pairs whose client's egress or server's ingress may decide differently)`). */
  readonly counted: string;
  /** The first way to narrow the input (`fewer policies`, `a smaller change`). */
  readonly narrow: string;
}

/** The refusal of a report (`report-too-large`). */
const REPORT_PAIRS: PairsRefusal = { id: 'report-too-large', doc: 'report', classes: 'endpoint classes', counted: '', narrow: 'fewer policies' };
/** The refusal of a diff (`diff-too-large`). */
const DIFF_PAIRS: PairsRefusal = {
  id: 'diff-too-large',
  doc: 'diff',
  classes: 'endpoint classes',
  counted: ' (the pairs whose client\'s egress or server\'s ingress may decide differently)',
  narrow: 'a smaller change (one that decides differently for fewer pairs of classes)',
};

/** The refusal of the pass over the outside addresses judged dual-stack (`diff-too-large`, `other-family-world.ts`). */
const OTHER_WORLD_PAIRS: PairsRefusal = {
  id: 'diff-too-large',
  doc: 'diff',
  // Its classes are its own list (the cluster's, and the outside classes of both families), not the diff's.
  classes: 'classes judged again dual-stack',
  counted: ' (the pairs to or from the outside addresses of both IP families, as the IP families are defaulted, whose client\'s '
    + 'egress or server\'s ingress may decide differently)',
  narrow: 'the IP families the cluster runs (--ip-families ipv4, or dual: no second pass), a smaller change',
};

/**
 * Refuses a report or diff that would judge more pairs of classes than `maxPairs` (`report-too-large`, `diff-too-large`):
 * its time and output grow with the square of the classes, and a CI job must fail fast, never run for minutes or print
 * part of a document.
 * @param count the pairs it would judge (all of them, or a lower bound past the limit: the count stopped there)
 * @param given whether the caller chose the classes (the fix then names a smaller list, not an inventory)
 */
function checkPairs(count: PairCount, classes: number, maxPairs: number, given: boolean, refusal: PairsRefusal): void {
  const { pairs, exact } = count;
  if (pairs <= maxPairs) return;
  const n = (x: number): string => x.toLocaleString('en-US');
  // A count stopped early names what it counted: the limit to raise to is at least that.
  const judged = exact ? n(pairs) : `at least ${n(pairs)}`;
  const limit = exact ? `${pairs}` : `${pairs} or more`;
  throw new CiliumPolicyError({
    id: refusal.id,
    message: `the ${refusal.doc} would judge ${judged} pairs of ${n(classes)} ${refusal.classes}${refusal.counted}, over the limit of ${n(maxPairs)} pairs `
      + `(its time and size grow with the square of the classes); nothing is reported${exact ? '' : ' (counting stopped past the limit)'}`,
    fix: given ? `raise the limit (maxPairs: ${limit}), or pass fewer classes`
      : `raise the limit (--max-pairs ${limit}, or maxPairs), or narrow the input: ${refusal.narrow}, or an --inventory (or --flows capture) with fewer workloads`,
  });
}

/**
 * A diff of more changes than `maxChanges` (`diff-too-large`), refused as soon as the limit is passed (counting the rest
 * would cost the work the limit saves): a CI job must fail fast, never run for minutes or print part of a diff.
 * @param given whether the caller chose the classes (the fix then names a smaller list, not an inventory)
 */
function diffTooLarge(maxChanges: number, given: boolean, pass?: DiffPass): CiliumPolicyError {
  const where = pass ? ' to or from the outside addresses (judged again dual-stack, as the IP families are defaulted)' : '';
  return new CiliumPolicyError({
    id: 'diff-too-large',
    message: `the diff has more than ${maxChanges.toLocaleString('en-US')} changes${where} (a change whose selectors touch every class changes `
      + 'every pair: a diff can grow with the square of the classes); nothing is reported',
    fix: given ? 'raise the limit (maxChanges), or pass fewer classes'
      : 'raise the limit (--max-changes, or maxChanges), or narrow the input: an --inventory (or --flows capture) with fewer workloads, '
        + `${pass ? 'the IP families the cluster runs (--ip-families ipv4, or dual: no second pass), ' : ''}or a smaller change`,
  });
}

/** The port boundaries of a pair, and its segments (shared by the pairs whose policies name the same boundaries). */
interface PairSegments {
  readonly bounds: PortBoundaries;
  readonly segments: readonly PortSegment[];
}

/** The port boundaries a direction policy names, and their key. */
interface PolicyBounds {
  readonly bounds: PortBoundaries;
  readonly key: string;
}

/** The port boundaries a direction policy names, and their key (once per policy). */
function policyBounds(dp: DirectionPolicy, perPolicy: WeakMap<DirectionPolicy, PolicyBounds>): PolicyBounds {
  let b = perPolicy.get(dp);
  if (!b) {
    const bounds = new PortBoundaries().addPolicy(dp);
    b = { bounds, key: bounds.key() };
    perPolicy.set(dp, b);
  }
  return b;
}

/**
 * The segments of the pair of the client whose egress and the server (class `server`) whose ingress `dps` are (base and
 * head for a diff): cut at the ports their items name and at the named ports they resolve (`NamedPortCuts.at`: the
 * server's own, and the cluster's where an egress item names a port). Kept per distinct boundaries.
 */
function pairSegments(dps: readonly (DirectionPolicy | undefined)[], cuts: NamedPortCuts, server: number,
  perPolicy: WeakMap<DirectionPolicy, { bounds: PortBoundaries; key: string }>, cache: Map<string, PairSegments>): PairSegments {
  const parts = dps.map((dp) => (dp ? policyBounds(dp, perPolicy) : undefined));
  const { ports, key: portsKey } = cuts.at(server, dps.some(egressNamesPort));
  const key = `${parts.map((p) => p?.key ?? '').join('\n')}\n${portsKey}`;
  let found = cache.get(key);
  if (!found) {
    const bounds = new PortBoundaries();
    for (const p of parts) if (p) bounds.addAll(p.bounds);
    bounds.addNamedPorts(ports);
    found = { bounds, segments: bounds.segments() };
    cache.set(key, found);
  }
  return found;
}

function query(from: ClassifiedEndpoint, to: ClassifiedEndpoint, seg: PortSegment): VerdictQuery {
  return seg.protocol === 'ICMP'
    ? { from: from.endpoint, to: to.endpoint, protocol: 'ICMP', icmpType: seg.lo, icmpFamily: seg.icmpFamily }
    : { from: from.endpoint, to: to.endpoint, protocol: seg.protocol, port: seg.lo };
}

/** What a side says of a segment for the notes: `not judged` where the gate refuses it (`PolicySet._judgedDecision`). */
function judgedOrNot(decided: string | CiliumPolicyError): string {
  return decided instanceof CiliumPolicyError ? 'not judged' : decided === 'denied' ? 'denied' : 'allowed';
}

/** A segment's key among a pair's segments (its protocol, ports and ICMP family). */
function segmentKey(seg: PortSegment): string {
  return `${seg.protocol}/${seg.lo}/${seg.hi}/${seg.icmpFamily}/${seg.otherTypes ? 1 : 0}`;
}

/** The verdict of a segment, and its L7 rules when some item of the pair carries L7 rules and the segment is allowed. */
const DENIED: Judged = Object.freeze({ verdict: ConnectionVerdict.DENIED });
const ALLOWED: Judged = Object.freeze({ verdict: ConnectionVerdict.ALLOWED });

/** A segment judged from its verdict (the reference, which judges with `verdict()`). */
function judgedVerdict(v: Verdict, l7: boolean): Judged {
  if (v.verdict === 'denied') return DENIED;
  return l7 ? allowedWith(v) : ALLOWED;
}

/** A verdict the side tables took (`PairOutcome`), with the L7 rules of the sides when they enforce some. */
function judgedOutcome(outcome: PairOutcome, sides: () => Sides): Judged {
  return outcome === PairOutcome.DENIED ? DENIED : outcome === PairOutcome.ALLOWED ? ALLOWED : allowedWith(sides());
}

/**
 * An allowed connection, with the L7 rules its sides enforce (not the visibility-only ones), in code-unit order: any rule
 * of a port lets a request through, so their order is no part of the policy (Cilium sorts the HTTP rules it gives Envoy:
 * pkg/envoy/server.go `GetEnvoyHTTPRules` → `SortHTTPNetworkPolicyRules`), and rules only reordered are no L7 change.
 */
function allowedWith(v: Sides): Judged {
  const rules = (s: SideVerdict): string[] => (s.l7 && s.l7.rules.length > 0 && s.l7.visibilityOnly !== true ? [...s.l7.rules].sort(compare) : []);
  const egress = rules(v.egress);
  const ingress = rules(v.ingress);
  const sides: readonly (readonly [SideVerdict, readonly string[]])[] = [[v.egress, egress], [v.ingress, ingress]];
  const text = sides.flatMap(([s, r]) => (r.length > 0 ? [`${l7Name(s.l7?.protocol ?? '')} ${r.join(' | ')}`] : [])).join('; ');
  if (text === '') return ALLOWED;
  const named = (s: SideVerdict, r: readonly string[]): string[] => r.map((x) => `${l7Name(s.l7?.protocol ?? '')} ${x}`);
  return { verdict: ConnectionVerdict.ALLOWED, l7: text, l7Sides: [named(v.egress, egress), named(v.ingress, ingress)] };
}

/**
 * What an L7 change on a connection allowed before and after may do, side by side (a request passes where it passes both
 * sides; on a side, where some rule matches it). A side's rules, compared as sets of rule texts: the same, nothing; rules
 * only added to rules (head ⊇ base, base not empty) or all removed, it may let requests through, never refuse one that
 * passed; rules only taken from rules (head ⊆ base, head not empty) or added where there were none, it may refuse
 * requests, never let one through that was refused; otherwise both. Two texts that differ may still match alike: then
 * both is said, never less.
 */
function l7Effect(before: Judged, after: Judged): { l7MayAllow: boolean; l7MayDeny: boolean } {
  let mayAllow = false;
  let mayDeny = false;
  for (const i of [0, 1] as const) {
    const b = before.l7Sides?.[i] ?? [];
    const h = after.l7Sides?.[i] ?? [];
    const inHead = new Set(h);
    const inBase = new Set(b);
    const widens = h.length === 0 || (b.length > 0 && b.every((r) => inHead.has(r)));
    const narrows = b.length === 0 || (h.length > 0 && h.every((r) => inBase.has(r)));
    if (!narrows) mayAllow = true;
    if (!widens) mayDeny = true;
  }
  return { l7MayAllow: mayAllow, l7MayDeny: mayDeny };
}

function l7Name(protocol: string): string {
  return protocol === 'l7proto' ? 'L7' : protocol.toUpperCase();
}

/** The two sides of a connection's verdict. */
type Sides = Pick<Verdict, 'egress' | 'ingress'>;

/** Changed segments of a pair with the same verdicts and reasons. */
interface ChangeGroup {
  readonly segs: PortSegment[];
  readonly before: Judged;
  readonly after: Judged;
  readonly reason: ChangeReasons;
}

/** What changes on a pair: its segments, and its changed ones grouped (reasons with placeholder names when `placeholders`). */
interface PairChanges {
  readonly segments: readonly PortSegment[];
  readonly groups: readonly ChangeGroup[];
  readonly placeholders: boolean;
}

/** Names that no class has (private-use characters), put in reasons judged for several pairs alike, then replaced by theirs. */
const FROM_NAME = '\uE000from\uE000';
const TO_NAME = '\uE000to\uE000';
const FROM = { cls: { name: FROM_NAME } } as ClassifiedEndpoint;
const TO = { cls: { name: TO_NAME } } as ClassifiedEndpoint;

/** A reason judged with the placeholder names, with the names of a pair's classes. */
function namer(from: ClassifiedEndpoint, to: ClassifiedEndpoint): (r: DecidingReason) => DecidingReason {
  const put = (text: string): string => (text.includes('\uE000') ? text.split(FROM_NAME).join(from.cls.name).split(TO_NAME).join(to.cls.name) : text);
  return (r) => ({ ...r, text: put(r.text), ...(r.policy !== undefined ? { policy: put(r.policy) } : {}) });
}

/**
 * What the side tables tell the judging of one pair: where base and head may differ (a pair segment's index among the
 * pair's changing segments, -1 where they do not), the verdict on each side there, and the explained egress and ingress.
 */
interface PairJudging {
  readonly changingAt: (seg: PortSegment) => number;
  readonly judged: (at: number, side: 0 | 1) => Judged;
  readonly side: (at: number, side: 0 | 1, direction: 'egress' | 'ingress') => SideVerdict;
}

/** A judged segment as a grouping key: its verdict and L7 rules (never empty when present). */
function judgedKey(j: Judged): string {
  return j.l7 === undefined ? j.verdict : `${j.verdict}\u0001${j.l7}`;
}

/**
 * Ids of explained sides by what `reasonOf` reads of them (direction, decision, deciding rule, selecting policies, the
 * unlearned `toFQDNs` note; not the other notes, such as near misses, which differ from port to port): sides with the
 * same id are put into the same words. Each side object is keyed once.
 */
class ReasonIds {
  private readonly ids = new WeakMap<SideVerdict, number>();
  private readonly byContent = new Map<string, number>();

  public of(s: SideVerdict): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      const r = s.rule;
      const content = JSON.stringify([
        s.direction, s.allowed, s.decision, r ? [policyText(r), r.path, r.file ?? null] : null, s.policies.map(policyText), unlearnedMatch(s) ?? null,
        s.enforcement ?? null,
      ]);
      id = this.byContent.get(content);
      if (id === undefined) {
        id = this.byContent.size;
        this.byContent.set(content, id);
      }
      this.ids.set(s, id);
    }
    return id;
  }
}

/** What decided a connection, as one line naming the deciding rule(s) and their policy. */
export function reasonOf(v: Sides, from: ClassifiedEndpoint, to: ClassifiedEndpoint): DecidingReason {
  const name = (s: SideVerdict): string => (s.direction === 'egress' ? from.cls.name : to.cls.name);
  const denied = [v.egress, v.ingress].find((s) => !s.allowed);
  if (denied) {
    if (denied.decision === 'denied-by-deny-rule' && denied.rule) {
      return withPolicy(`denied by ${ruleText(denied)}`, denied);
    }
    if (denied.decision === 'auth-required' && denied.rule) {
      return withPolicy(`dropped: ${ruleText(denied)} requires authentication, which is never established here (DROP_POLICY_AUTH_REQUIRED)`, denied);
    }
    if (denied.decision === 'sctp-disabled') {
      return { text: `dropped at ${denied.direction} of ${name(denied)}: SCTP is not enabled in the agent (enable-sctp=false), so the datapath drops it before any policy` };
    }
    if (denied.enforcement === PolicyEnforcement.ALWAYS) {
      // The mode put the side into default deny, not a policy selecting it (none has rules of this direction that do).
      return { text: `default deny at ${denied.direction} of ${name(denied)} (enable-policy=always)${unlearned(denied, name(denied))}` };
    }
    const by = denied.policies.map(policyText);
    return {
      text: `default deny at ${denied.direction} of ${name(denied)}${by.length > 0 ? ` (selected by ${by.join(', ')})` : ''}${unlearned(denied, name(denied))}`,
      ...(by.length > 0 ? { policy: by[0] } : {}),
    };
  }
  // The sides that allowed by a rule (or allow-localhost) decided; the default-allow sides only when no rule did.
  const parts: string[] = [];
  for (const s of [v.egress, v.ingress]) {
    if (s.decision === 'allowed' && s.rule) parts.push(ruleText(s));
    else if (s.decision === 'allow-localhost') parts.push('ingress from the local host (allow-localhost)');
  }
  if (parts.length === 0) {
    for (const s of [v.egress, v.ingress]) {
      if (s.decision === 'non-default-deny-allow') parts.push(`${s.direction} of ${name(s)}: no default deny (enableDefaultDeny: false)`);
      else if (s.enforcement === PolicyEnforcement.NEVER) parts.push(`${s.direction} of ${name(s)}: not enforced (enable-policy=never)`);
      else if (s.decision === 'no-policy-default-allow') {
        // Policies may select the endpoint with rules for the other direction only: this direction stays default allow.
        parts.push(`${s.direction} of ${name(s)}: ${s.policies.length > 0 ? `no ${s.direction} rules` : 'no policy'} (default allow)`);
      }
    }
  }
  const decidingSide = [v.ingress, v.egress].find((s) => s.decision === 'allowed' && s.rule);
  const text = parts.length > 0 ? `allowed by ${parts.join('; ')}` : 'allowed: no policy applies';
  return decidingSide ? withPolicy(text, decidingSide) : { text };
}

/**
 * `; toFQDNs matchName: x matches the name, but only via DNS learning: …` when a `toFQDNs` rule would select the peer
 * but the subject's DNS proxy does not learn its name (the engine's note on the side), else ''.
 */
function unlearned(s: SideVerdict, subject: string): string {
  const item = unlearnedMatch(s);
  return item === undefined ? ''
    : `; toFQDNs ${item} matches the name, but reaches it only via DNS learning, and ${subject}'s DNS proxy does not learn it `
      + '(no DNS rule toward its DNS server lets the lookup through the proxy, or the server does not admit it)';
}

/** The `toFQDNs` item of the engine's first note on a side that it would select the peer but does not learn its name. */
function unlearnedMatch(s: SideVerdict): string | undefined {
  for (const note of s.notes) {
    const m = /^toFQDNs (.+?) matches .*, but .* DNS proxy never learns its IPs, so toFQDNs selects nothing/.exec(note);
    if (m) return m[1];
  }
  return undefined;
}

function withPolicy(text: string, s: SideVerdict): DecidingReason {
  const r = s.rule;
  if (!r) return { text };
  return { text, policy: policyText(r), ...(r.file !== undefined ? { location: r.file } : {}) };
}

function ruleText(s: SideVerdict): string {
  const r = s.rule;
  return r ? `${s.direction} ${policyText(r)} ${r.path}` : s.direction;
}

function policyText(p: { readonly kind: string; readonly namespace?: string; readonly name: string }): string {
  return `${p.kind} ${p.namespace !== undefined ? `${p.namespace}/` : ''}${p.name}`;
}

/** The position of a class id in the class list (the documents' order: pods by namespace, other namespaces, world, host, entities). */
function classOrder(classes: readonly ClassifiedEndpoint[]): (id: string) => number {
  const index = new Map(classes.map((c, i) => [c.cls.id, i]));
  return (id) => index.get(id) ?? classes.length;
}

/** The classes of a document by id. */
export function classById(endpoints: readonly EndpointClass[]): Map<string, EndpointClass> {
  return new Map(endpoints.map((e) => [e.id, e]));
}

/** Whether the rules differ between the sets in what they select and say (`wholeRuleContent`: not their names). */
function rulesDiffer(base: PolicySet, head: PolicySet): boolean {
  const texts = (set: PolicySet): string => set._compiledRules.filter((r) => r.imported).map(wholeRuleContent).sort().join('\n');
  return texts(base) !== texts(head);
}

// `PolicySet.diff` and `PolicySet.report` reach the diff through the engine's provider (the engine stands below the diff).
provideConnectivity({ diff: diffPolicySets, report: connectivityReport });
