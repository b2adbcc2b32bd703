/**
 * Replay: the connections of a Hubble capture judged by the verdict engine against a policy set, compared with what the
 * cluster did. The engine runs once per connection (not per record); endpoints are built once per peer and reused, so the
 * engine's per-endpoint caches hit. World addresses are judged under the DNS names the capture gives them
 * (`destination_names`, and DNS answers seen in the same log): a `toFQDNs` rule allows the address if it allows one of
 * its names; without names the address is judged as a CIDR peer.
 *
 * Three more readings of the capture:
 * - ends that name a pod whose identity labels the capture does not give are "identity unknown": listed apart, never
 *   judged (judging them as world, or as any guessed label set, would be a claim the capture does not support);
 * - what the cluster itself decided (policy verdicts, policy drops, audit verdicts, L7 refusals, and the policies Hubble's
 *   correlation names) is compared side by side with the engine: when the policies replayed are those that were in
 *   force, every difference is a finding ("the engine disagrees with the cluster");
 * - a rollout summary per namespace: connections observed, would be dropped, identity unknown, and whether the namespace
 *   is ready to enforce over the capture's window.
 */
import { Endpoint, EndpointKind, formatEndpoint } from '../engine/endpoint';
import { PolicySet } from '../engine/policy-set';
import { CiliumPolicyError, errorWhat } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { DNS_DEFAULT_ALLOW_PATCH_SPLIT, dnsDefaultAllowPatchFix } from '../core/default-allow-l7';
import { VERSION_DEFAULT } from '../model/version-annotation';
import { oneSidedVerdict } from '../engine/one-sided-verdict';
import { withoutRemoteNodeNote } from '../engine/remote-node-note';
import { ConnectionEndNames, l7RulesText, unjudgedConnectionError } from '../engine/unjudged-connection';
import { IpFamilies } from '../engine/policy-set-options';
import { SideDecision, SideVerdict, TrafficDirection, Verdict, VerdictKind, VerdictQuery, VerdictRuleRef } from '../engine/verdict';
import { parseIp } from '../model/cidr';
import { objectName } from '../model/object-names';
import { captureFamiliesWarning, captureIpFamilies, captureVersionWarning, familiesSetting } from './capture-families';
import { JudgedIpFamilies } from '../model/judged-ip-families';
import { OptionDefaults, checkOptionKeys, refuseOptionValue } from '../model/known-keys';
import { isLookupName } from '../model/fqdn-pattern';
import {
  COLLECT_OPTION_DEFAULTS, ClusterDecisions, ClusterPolicyRef, ClusterSide, CollectOptions, FlowCapture, IdentityResolution, ObservedConnection,
  ObservedVerdict, TimeWindow,
  TimeWindowSeconds,
  clusterPolicyText,
  MAX_UNKNOWN_DROP_REASONS, UnknownDropReason, UnknownDropReasonsOverflow,
  collectConnections, observedFlowing, observedVerdict, replyLookupsOnly, unreadInput, windowSeconds,
} from './connections';
import { FlowReadStats, FlowSource } from './flow-reader';
import { FlowPeer, FlowPeerKind, FlowSkipReason, SCTP_DISABLED_DROP, apiServerOnNode } from './flow';
import { compareCodeUnits as compare } from '../model/code-unit-order';
import { pushAll } from '../model/push-all';

/** The `schema` value of a replay report. */
export const REPLAY_REPORT_SCHEMA = 'cdk8s-cilium/replay/v1';

/** Options of a replay. */
export interface ReplayOptions extends CollectOptions {
  /**
   * The local cluster name. Pods labelled with another cluster keep that label (ClusterMesh peers). Build the policy set
   * with the same `clusterName`.
   * @default - the capture's cluster (`FlowCapture.clusterName`: its observing nodes'), else 'default'
   */
  readonly clusterName?: string;
  /**
   * How many DNS names of a world address are tried against `toFQDNs` rules.
   * @default 4
   */
  readonly maxNamesPerAddress?: number;
  /**
   * How many sources of drops the summary lists.
   * @default 10
   */
  readonly topDropSources?: number;
}

/**
 * The options of `ReplayOptions` with their defaults (`option-unknown`; kept equal to the interface by
 * test/engine/option-keys-interfaces.test.ts).
 */
export const REPLAY_OPTION_DEFAULTS: OptionDefaults = {
  ...COLLECT_OPTION_DEFAULTS,
  clusterName: "the cluster of the capture's observing nodes, else 'default'",
  maxNamesPerAddress: '4',
  topDropSources: '10',
};

/**
 * The options of `CollectOptions` that decide which records are judged (`allowIcmpFragNeeded`: whether fragmentation needed
 * is skipped): applied while the flows are read, never to a capture collected already.
 */
const COLLECTED_SEMANTICS: readonly (keyof CollectOptions)[] = ['allowIcmpFragNeeded'];

/**
 * Refuses an option of the collection that decides what is judged, given to a call that takes a capture collected already
 * (`Replay.capture()`): it would be ignored, and the capture judged as collected (`option-value`, as `refuseOptionValue` words it).
 */
function refuseCollectedOptions(options: ReplayOptions, call: string): void {
  if (options === null || typeof options !== 'object') return;
  for (const key of COLLECTED_SEMANTICS) {
    const value = options[key];
    if (value === undefined) continue;
    refuseOptionValue(call, key, value, `left out: an option of Connections.collect(), applied while the flows are read, so ${call} of a `
      + `capture collected already would ignore it and judge the capture as it was collected (by default ${COLLECT_OPTION_DEFAULTS[key]})`,
    `collect with it (Connections.collect(source, { ${key}: ${String(value)} })), or read and replay in one call (Replay.flows(source, policies, `
      + `{ ${key}: ${String(value)} })); then leave it out of ${call}`);
  }
}

/** What a replay option left at its default in place of the one meant does (`option-unknown`). */
const REPLAY_RISK = 'so the flows would be replayed for other settings than asked (pods of the local cluster judged as remote ones)';

/** How a connection's fate changes under the policies. */
export enum ConnectionChange {
  /** The cluster let it through; the policies would drop it (or refuse it at L7). */
  NEWLY_DROPPED = 'newly-dropped',
  /** The cluster dropped it; the policies would allow it. */
  NEWLY_ALLOWED = 'newly-allowed',
  /** Its fate does not change. */
  UNCHANGED = 'unchanged',
}

/** Records of a connection per observing side. */
export interface ObservedSides {
  /** Records observed at the source (egress). */
  readonly egress: number;
  /** Records observed at the destination (ingress). */
  readonly ingress: number;
}

/** What the cluster did with a connection. */
export interface ReplayObserved {
  /** `forwarded`, `dropped` (by policy), `audit` (forwarded in audit mode, would have been dropped), `l7-denied`, `mixed`. */
  readonly verdict: ObservedVerdict;
  /** Records. */
  readonly flows: number;
  /** Forwarded records. */
  readonly forwarded: number;
  /** Records proving delivery to the destination. */
  readonly delivered: number;
  /** Policy drops. */
  readonly dropped: number;
  /** Audit verdicts. */
  readonly audit: number;
  /** L7 refusals. */
  readonly l7Denied: number;
  /** Records per observing side. */
  readonly sides: ObservedSides;
  /** Whether every record came from one transport connection. */
  readonly seenOnce: boolean;
  /** Line of the first record. */
  readonly firstLine: number;
  /**
   * Time of the first record.
   * @default - none
   */
  readonly firstTime?: string;
  /** Observing nodes (at most 8). */
  readonly nodes: string[];
  /** Policy drop reasons. */
  readonly dropReasons: string[];
  /** Policies the records name. */
  readonly policies: string[];
  /**
   * What the cluster decided at each side (policy verdicts, policy drops, audit verdicts, L7 refusals), when a record
   * carries a decision.
   * @default - no record carries a decision
   */
  readonly cluster?: ClusterDecisions;
  /**
   * The earliest and latest record times.
   * @default - no times
   */
  readonly window?: TimeWindow;
}

/** What the engine predicts for a connection. */
export interface ReplayPredicted {
  /** `allowed`, `denied` (dropped) or `l7-denied` (refused by the proxy: HTTP 403, DNS REFUSED). */
  readonly verdict: VerdictKind;
  /** `ALLOWED pod:… → pod:… 8080/TCP`. */
  readonly summary: string;
  /** One line: the side that decided and why. */
  readonly reason: string;
  /**
   * The DNS name the destination was judged under (world addresses with known names).
   * @default - none
   */
  readonly resolvedName?: string;
  /** Egress at the source. */
  readonly egress: SideVerdict;
  /** Ingress at the destination. */
  readonly ingress: SideVerdict;
}

/** One connection of the report. */
export interface ReplayConnection {
  /** `newly-dropped` (the cluster let it through, the policies would not), `newly-allowed`, `unchanged`. */
  readonly change: ConnectionChange;
  /** The client, as an endpoint (`pod:shop:app=web`, `entity:host`, `cidr:203.0.113.7`). */
  readonly source: string;
  /** The server. */
  readonly destination: string;
  /** `8080/TCP`, `53/UDP`, `icmp/8`. */
  readonly connection: string;
  /**
   * The L7 request: `GET /path`, `dns example.com.`, `kafka produce topic`.
   * @default - none
   */
  readonly request?: string;
  /** DNS names of the destination address from the capture. */
  readonly destinationNames: string[];
  /** What the cluster did. */
  readonly observed: ReplayObserved;
  /** What the policies would do. */
  readonly predicted: ReplayPredicted;
}

/** A connection with an end whose identity the capture does not give: not judged. */
export interface ReplayUnknownConnection {
  /** The client: an endpoint, or `pod-name:<namespace>/<pod>` / `identity:<n>` when its identity is unknown. */
  readonly source: string;
  /** The server, in the same form. */
  readonly destination: string;
  /** `8080/TCP`, `icmp/8`. */
  readonly connection: string;
  /**
   * The L7 request.
   * @default - none
   */
  readonly request?: string;
  /** Which end is unknown: `source`, `destination` or `both`. */
  readonly unknown: UnknownEnd;
  /** Why it is not judged. */
  readonly reason: string;
  /** What the cluster did. */
  readonly observed: ReplayObserved;
}

/** Which end of a connection has an unknown identity. */
export enum UnknownEnd {
  /** The client. */
  SOURCE = 'source',
  /** The server. */
  DESTINATION = 'destination',
  /** Both. */
  BOTH = 'both',
}

/** A verdict of the cluster at one side. */
export enum ClusterVerdict {
  /** Allowed by policy. */
  ALLOWED = 'allowed',
  /** Dropped by policy. */
  DENIED = 'denied',
  /** Audit mode: the policies in force would drop it. */
  AUDIT = 'audit',
  /** Refused by the L7 proxy. */
  L7_DENIED = 'l7-denied',
}

/** What the cluster decided at one side of a disagreement. */
export interface ClusterSideDecision {
  /** `allowed`, `denied`, `audit` (the policies in force would drop it) or `l7-denied`. */
  readonly verdict: ClusterVerdict;
  /** Records carrying that decision. */
  readonly records: number;
  /** The policies it names (`Kind namespace/name`). */
  readonly policies: string[];
  /** Drop reasons (`POLICY_DENIED`, `POLICY_DENY`). */
  readonly reasons: string[];
}

/** What the engine decides at one side of a disagreement. */
export interface EngineSideDecision {
  /** The side's decision. */
  readonly decision: SideDecision;
  /**
   * The deciding policy (`Kind namespace/name`) and rule path.
   * @default - none named
   */
  readonly policy?: string;
  /** Why. */
  readonly reason: string;
}

/**
 * A connection where the engine and the cluster differ at one side: the cluster allowed what the engine denies, dropped
 * (or, in audit mode, would have dropped) what the engine allows, or named another deciding policy.
 */
export interface ClusterDisagreement {
  /** The client. */
  readonly source: string;
  /** The server. */
  readonly destination: string;
  /** `8080/TCP`. */
  readonly connection: string;
  /**
   * The L7 request.
   * @default - none
   */
  readonly request?: string;
  /** The side: `egress` at the source, `ingress` at the destination. */
  readonly side: TrafficDirection;
  /** The endpoint whose policy it is. */
  readonly endpoint: string;
  /** What the cluster decided there. */
  readonly cluster: ClusterSideDecision;
  /** What the engine decides there. */
  readonly engine: EngineSideDecision;
  /** One line: what differs. */
  readonly message: string;
  /** Line of the connection's first record. */
  readonly firstLine: number;
}

/** The rollout state of one namespace over the capture. */
export interface NamespaceRollout {
  /** The namespace. */
  readonly namespace: string;
  /** Connections with a pod of this namespace at one end (identity-unknown ones included). */
  readonly connections: number;
  /** Their records. */
  readonly flows: number;
  /** Of those, connections the cluster let through (forwarded, audited, or partly). */
  readonly flowing: number;
  /** Connections the cluster let through that the policies would drop at this namespace's side. */
  readonly wouldBeDropped: number;
  /** Connections with audit verdicts at this namespace's side: the policies in force would drop them. */
  readonly audited: number;
  /** Connections with an end of unknown identity. */
  readonly identityUnknown: number;
  /** Connections where the engine disagrees with the cluster at this namespace's side. */
  readonly disagreements: number;
  /**
   * Nothing observed flowing would be dropped, every connection could be judged, the policies enforce a direction on a pod
   * of the namespace seen (else nothing would be enforced: `reason` says so), and every direction they enforce on such a pod
   * is one a judged connection shows it in (else what they drop there is not known: `reason` names it).
   */
  readonly readyToEnforce: boolean;
  /** Why (not) ready, in one sentence. */
  readonly reason: string;
  /**
   * The first and last record of the namespace's connections, and the seconds between them.
   * @default - no times
   */
  readonly window?: TimeWindowSeconds;
}

/** A source of predicted drops. */
export interface DropSource {
  /** The source endpoint. */
  readonly source: string;
  /** Its connections that would be dropped. */
  readonly connections: number;
  /** Their records. */
  readonly flows: number;
}

/** The figures of a replay. */
export interface ReplaySummary {
  /** Connections judged. */
  readonly connections: number;
  /** Records in them. */
  readonly flows: number;
  /** Connections the cluster let through that the policies would drop (or refuse at L7). */
  readonly newlyDropped: number;
  /** Records of those connections. */
  readonly newlyDroppedFlows: number;
  /** Connections the cluster dropped that the policies would allow. */
  readonly newlyAllowed: number;
  /** Connections whose fate does not change. */
  readonly unchanged: number;
  /** Connections that could not be judged (see `errors`). */
  readonly notEvaluated: number;
  /** Connections with an end of unknown identity (see `identityUnknown`): not judged. */
  readonly identityUnknown: number;
  /** Records of those connections. */
  readonly identityUnknownFlows: number;
  /** Findings where the engine disagrees with the cluster (see `disagreements`). */
  readonly disagreements: number;
  /**
   * The capture's window: first and last record, seconds between.
   * @default - no times
   */
  readonly window?: TimeWindowSeconds;
  /** The sources with the most predicted drops. */
  readonly topDropSources: DropSource[];
  /**
   * What of the input was not judged (`unreadInput`): records beyond the connection limit, malformed lines, a read that
   * ended early. When set, "none would be dropped" cannot be said of the capture: no namespace is ready to enforce, and
   * `replay --fail-on drop` fails.
   * @default - every record was read and judged
   */
  readonly notJudgedInput?: string;
}

/** A connection the engine could not judge. */
export interface ReplayError {
  /** `source → destination connection`. */
  readonly connection: string;
  /** Why. */
  readonly message: string;
}

/** Records skipped because policy does not decide them. */
export interface SkippedRecords {
  /** How many records were skipped. */
  readonly total: number;
  /** How many per reason (a `FlowSkipReason` value; only reasons that occurred). */
  readonly byReason: { readonly [reason: string]: number };
  /**
   * The values of the `unknown-drop-reason` records, as written, each with its records and first line
   * (`FlowCapture.unknownDropReasons`: at most 100).
   * @default - none
   */
  readonly unknownDropReasons?: UnknownDropReason[];
  /**
   * The unknown drop reasons beyond the 100 `unknownDropReasons` names (`FlowCapture.unknownDropReasonsOverflow`).
   * @default - none left out
   */
  readonly unknownDropReasonsOverflow?: UnknownDropReasonsOverflow;
}

/** The IP families a replay judged for (`JudgedIpFamilies`: how they were chosen, from what), and what the capture says about them. */
export interface ReplayIpFamilies extends JudgedIpFamilies {
  /**
   * The first sign in the capture of a dual-stack cluster (`FlowCapture.dualStackEvidence`): world identities 9/10 or
   * the labels reserved:world-ipv4/-ipv6, which the agent gives only when it runs both families.
   * @default - no sign of a dual-stack cluster
   */
  readonly dualStackEvidence?: string;
}

/** The result of a replay: stable, JSON-serializable, deterministic for the same inputs. */
export interface ReplayReport {
  /** `cdk8s-cilium/replay/v1`. */
  readonly schema: string;
  /** The Cilium version the policies were judged for (`1.17`, or `1.17.5` when a patch level was given). */
  readonly ciliumVersion: string;
  /** The local cluster name used for pods. */
  readonly clusterName: string;
  /** The IP families judged for, how they were chosen, and whether the capture shows a dual-stack cluster. */
  readonly ipFamilies: ReplayIpFamilies;
  /** What was read. */
  readonly input: FlowReadStats;
  /** Records skipped because policy does not decide them. */
  readonly skipped: SkippedRecords;
  /** The figures. */
  readonly summary: ReplaySummary;
  /** Every connection: those that would be dropped first, then newly allowed, then unchanged; most records first. */
  readonly connections: ReplayConnection[];
  /** Connections with an end of unknown identity: reported, not judged. */
  readonly identityUnknown: ReplayUnknownConnection[];
  /** Where the engine disagrees with the cluster's own decisions (meaningful when the policies are those in force). */
  readonly disagreements: ClusterDisagreement[];
  /** The rollout state per namespace, sorted by name. */
  readonly namespaces: NamespaceRollout[];
  /** Pod ends resolved from the rest of the capture (the same pod name, address or identity). */
  readonly resolved: IdentityResolution[];
  /** Connections that could not be judged. */
  readonly errors: ReplayError[];
  /** Things that limit what the report can say (overflow, truncated input, lost events). */
  readonly warnings: string[];
}

/**
 * Replay (audit) of observed traffic: the connections of a Hubble capture judged by the verdict engine against a policy
 * set, compared with what the cluster did (`cdk8s-cilium replay`). Format the report with `ReplayFormat`.
 */
export class Replay {
  /** The `schema` value of a replay report: `cdk8s-cilium/replay/v1`. */
  public static readonly REPORT_SCHEMA: string = REPLAY_REPORT_SCHEMA;

  /**
   * Reads a flow log and replays it against `policies`.
   * @param source the flow log
   * @param policies the policies to judge by, built with the cluster name of the capture (see `ReplayOptions.clusterName`)
   * @param options limits of the read and the replay
   * @throws CiliumPolicyError (`hubble-input-incomplete`) when the log is no UTF-8 text (UTF-16, as PowerShell 5's `>`
   * writes it): nothing of it can be judged; the fix names the command that converts it
   */
  public static async flows(source: FlowSource, policies: PolicySet, options: ReplayOptions = {}): Promise<ReplayReport> {
    checkOptionKeys(options, REPLAY_OPTION_DEFAULTS, { call: 'Replay.flows()', risk: REPLAY_RISK });
    return replayFlows(source, policies, options);
  }

  /**
   * Replays the connections of a capture (`Connections.collect`) against `policies`.
   * @param capture the connections
   * @param policies the policies to judge by
   * @param options the cluster name and report limits
   * @throws CiliumPolicyError (`option-value`) for `allowIcmpFragNeeded`, which decides what is collected: the capture was
   * collected already, so give it to `Connections.collect` (or use `Replay.flows`)
   */
  public static capture(capture: FlowCapture, policies: PolicySet, options: ReplayOptions = {}): ReplayReport {
    checkOptionKeys(options, REPLAY_OPTION_DEFAULTS, { call: 'Replay.capture()', risk: REPLAY_RISK });
    refuseCollectedOptions(options, 'Replay.capture()');
    return replayCapture(capture, policies, options);
  }

  /**
   * The IP families a capture shows its cluster runs, judged for `version`: `IpFamilies.DUAL` when an end
   * carries the world identity 9 or 10 (or the label reserved:world-ipv4/-ipv6), which the agent gives only in a
   * dual-stack cluster, or when its packets policy decided at an endpoint are of both families; one family when a world
   * end carries the identity 2, which from 1.15 the agent gives only in a single-stack cluster, and the packets are of
   * that family. `undefined` when the capture cannot tell (packets of one family without a world identity prove that
   * family on, never the other off; or its evidence contradicts itself): keep the default or what you know. IPv6
   * link-local and multicast addresses and the host's traces do not count. Build the policy set with it (`ipFamilies`)
   * before replaying: the policy set decides the world identities the verdicts are judged under. What it was told from:
   * `Replay.ipFamiliesBasis`.
   * @param capture the capture
   * @param version the Cilium version the policies are judged for (`PolicySet.ciliumVersion`): before 1.15 the agent gives
   *   every world address the identity 2 whatever the IP families, so 2 tells single stack only from 1.15 on
   * @default - version: `CiliumVersion.DEFAULT`
   */
  public static inferIpFamilies(capture: FlowCapture, version?: CiliumVersion): IpFamilies | undefined {
    return captureIpFamilies(capture, version ?? CiliumVersion.DEFAULT, version === undefined).ipFamilies;
  }

  /**
   * What `Replay.inferIpFamilies` reads its answer from (`IPv4 and IPv6 packets: 10.0.1.5 at line 1, fd00::5 at line 2`),
   * or why the capture cannot tell the families.
   * @param capture the capture
   * @param version the Cilium version judged, as for `Replay.inferIpFamilies`
   * @default - version: `CiliumVersion.DEFAULT`
   */
  public static ipFamiliesBasis(capture: FlowCapture, version?: CiliumVersion): string {
    return captureIpFamilies(capture, version ?? CiliumVersion.DEFAULT, version === undefined).basis;
  }

  private constructor() {}
}

/**
 * Reads a flow log and replays it against `policies`.
 * @param policies the policies to judge by, built with the cluster name of the capture (see `ReplayOptions.clusterName`)
 */
export async function replayFlows(source: FlowSource, policies: PolicySet, options: ReplayOptions = {}): Promise<ReplayReport> {
  return replayCapture(await collectConnections(source, options), policies, options);
}

/** Replays the connections of a capture against `policies`. */
export function replayCapture(capture: FlowCapture, policies: PolicySet, options: ReplayOptions = {}): ReplayReport {
  const clusterName = options.clusterName ?? capture.clusterName ?? 'default';
  const maxNames = options.maxNamesPerAddress ?? 4;
  const endpoints = new Map<FlowPeer, Endpoint | undefined>();
  const endpointOf = (peer: FlowPeer): Endpoint | undefined => {
    if (endpoints.has(peer)) return endpoints.get(peer);
    const e = toEndpoint(peer, clusterName);
    endpoints.set(peer, e);
    return e;
  };
  const fqdnEndpoints = new Map<string, Endpoint>();
  const fqdnEndpoint = (name: string, ip: string): Endpoint => {
    const key = `${name}@${ip}`;
    let e = fqdnEndpoints.get(key);
    if (e === undefined) {
      e = { kind: EndpointKind.FQDN, name, ip };
      fqdnEndpoints.set(key, e);
    }
    return e;
  };
  const out: ReplayConnection[] = [];
  const errors: ReplayError[] = [];
  const unknown: ReplayUnknownConnection[] = [];
  const disagreements: ClusterDisagreement[] = [];
  const notJudgedInput = unreadInput(capture);
  const rollout = new RolloutTally(notJudgedInput, policies);
  // The pairs and ports whose L7 requests the capture shows (HTTP, Kafka or DNS records): their requests are judged one by one.
  const withRequests = new Set<string>();
  for (const c of capture.connections) if (c.http || c.kafka || c.dns !== undefined) withRequests.add(l4Key(c));
  for (const c of capture.connections) {
    if (c.source.kind === 'unknown' || c.destination.kind === 'unknown') {
      unknown.push(unknownConnection(c, endpointOf));
      rollout.note(c, { unknown: true });
      continue;
    }
    const names = c.destination.kind === 'world' ? destinationNames(c, capture) : [];
    const from = endpointOf(c.source);
    const to = endpointOf(c.destination);
    const text = `${describePeer(c.source, from)} → ${describePeer(c.destination, to)} ${connectionText(c)}`;
    if (from === undefined || to === undefined) {
      errors.push({ connection: text, message: `${from === undefined ? describePeer(c.source, from) : describePeer(c.destination, to)} is not a valid endpoint` });
      rollout.note(c, { notEvaluated: true });
      continue;
    }
    let verdict: Verdict;
    let resolvedName: string | undefined;
    let unjudged: CiliumPolicyError | undefined;
    try {
      const base = query(c, from, to);
      const tried = c.destination.kind === 'world' && c.destination.ip !== undefined ? names.filter(isLookupName).slice(0, maxNames) : [];
      if (tried.length === 0) {
        verdict = policies._verdict(base);
      } else {
        let first: { v: Verdict; name: string } | undefined;
        let allowed: { v: Verdict; name: string } | undefined;
        for (const name of tried) {
          const v = policies._verdict({ ...base, to: fqdnEndpoint(name, c.destination.ip as string) });
          if (first === undefined) first = { v, name };
          if (v.allowed) {
            allowed = { v, name };
            break;
          }
        }
        const pick = (allowed ?? first) as { v: Verdict; name: string };
        verdict = pick.v;
        resolvedName = pick.name;
      }
      // A node of the capture is a remote node by its identity: the note on how to name the pod's own node is trace advice.
      if (from.kind === EndpointKind.NODE || to.kind === EndpointKind.NODE) verdict = withoutRemoteNodeNote(verdict);
      const judged = replyLookupSide(c);
      if (judged !== undefined) verdict = oneSidedVerdict(verdict, judged, REPLY_SIDE_REASON);
      // An end whose policy the agent refuses keeps the one it had (a DNS name is learned at a DNS server whose policy it
      // may refuse), an end may be a node without its labels under rules that select nodes by them, a request of the capture
      // may be allowed onto L7 rules the engine did not judge it by: the verdict is then not what the cluster will do, and
      // the connection is not judged, as trace and the matchers refuse it (`unjudgedConnectionError`).
      // Every DNS name tried is asked (its destination's verdict may depend on the node, or on a refused DNS server, even
      // where the name judged does not); the request is checked on the query judged.
      const judgedTo = resolvedName !== undefined ? fqdnEndpoint(resolvedName, c.destination.ip as string) : to;
      unjudged = unjudgedConnectionError(policies, { ...base, to: judgedTo }, REPLAY_END_NAMES, '', { verdict });
      for (const name of tried) {
        if (unjudged !== undefined) break;
        // The name judged was asked just above, with its verdict.
        if (name === resolvedName) continue;
        unjudged = unjudgedConnectionError(policies, { ...base, to: fqdnEndpoint(name, c.destination.ip as string) }, REPLAY_END_NAMES);
      }
    } catch (e) {
      errors.push({ connection: text, message: e instanceof Error ? e.message.replace(/\n\s*fix: /, '; fix: ') : String(e) });
      rollout.note(c, { notEvaluated: true });
      continue;
    }
    if (unjudged !== undefined) {
      errors.push({ connection: text, message: notJudgedText(unjudged) });
      rollout.note(c, { notEvaluated: true });
      continue;
    }
    // Allowed at L4 with L7 rules the proxy enforces, on a port whose requests the capture does not show (L3/L4 records
    // only, no L7 visibility): whether its requests pass is not known, and "allowed" would call a rollout safe that may
    // refuse them (HTTP 403, DNS REFUSED).
    const unseen = verdict.verdict !== 'allowed' ? undefined
      : (!withRequests.has(l4Key(c)) ? unseenRequests(verdict) : undefined) ?? unevaluatedRestriction(verdict);
    if (unseen !== undefined) {
      errors.push({ connection: text, message: unseen });
      rollout.note(c, { notEvaluated: true });
      continue;
    }
    const flowed = observedFlowing(c);
    const observed = observedVerdict(c);
    const wouldFlow = verdict.verdict === 'allowed';
    const change: ConnectionChange = flowed && !wouldFlow ? ConnectionChange.NEWLY_DROPPED
      : wouldFlow && (!flowed || observed === ObservedVerdict.MIXED) ? ConnectionChange.NEWLY_ALLOWED : ConnectionChange.UNCHANGED;
    const findings = crossCheck(c, verdict);
    pushAll(disagreements, findings);
    rollout.note(c, { verdict, ends: [from, to], findings });
    out.push({
      change,
      source: verdict.from,
      destination: verdict.to,
      connection: verdict.connection,
      ...(verdict.request !== undefined ? { request: verdict.request } : {}),
      destinationNames: names,
      observed: observedOf(c),
      predicted: {
        verdict: verdict.verdict,
        summary: verdict.summary,
        reason: decidingReason(verdict),
        ...(resolvedName !== undefined ? { resolvedName } : {}),
        egress: verdict.egress,
        ingress: verdict.ingress,
      },
    });
  }
  const rank: Record<ConnectionChange, number> = { 'newly-dropped': 0, 'newly-allowed': 1, unchanged: 2 };
  out.sort((a, b) => rank[a.change] - rank[b.change] || b.observed.flows - a.observed.flows || compare(a.source, b.source)
    || compare(a.destination, b.destination) || compare(a.connection, b.connection) || compare(a.request ?? '', b.request ?? ''));
  type Described = { source: string; destination: string; connection: string; request?: string };
  const byConnection = (a: Described, b: Described): number => compare(a.source, b.source) || compare(a.destination, b.destination)
    || compare(a.connection, b.connection) || compare(a.request ?? '', b.request ?? '');
  unknown.sort((a, b) => b.observed.flows - a.observed.flows || byConnection(a, b));
  disagreements.sort((a, b) => byConnection(a, b) || compare(a.side, b.side) || compare(a.cluster.verdict, b.cluster.verdict));
  const dropped = out.filter((c) => c.change === 'newly-dropped');
  const sources = new Map<string, { connections: number; flows: number }>();
  for (const c of dropped) {
    const s = sources.get(c.source) ?? { connections: 0, flows: 0 };
    s.connections++;
    s.flows += c.observed.flows;
    sources.set(c.source, s);
  }
  const topDropSources = [...sources].map(([source, s]) => ({ source, ...s }))
    .sort((a, b) => b.flows - a.flows || b.connections - a.connections || compare(a.source, b.source))
    .slice(0, options.topDropSources ?? 10);
  const skippedTotal = Object.values(capture.skipped).reduce((a, b) => a + (b ?? 0), 0);
  const warnings = captureWarnings(capture);
  const unknownDrops = capture.skipped[FlowSkipReason.UNKNOWN_DROP_REASON] ?? 0;
  if (unknownDrops > 0) {
    const named = capture.unknownDropReasons ?? [];
    const shown = named.slice(0, 5).map((u) => `${u.value} (${u.records} at line ${u.firstLine}${u.records > 1 ? ' first' : ''})`);
    const over = capture.unknownDropReasonsOverflow;
    const leftOut = over === undefined ? ''
      : ` (${over.values}${over.values >= 10_000 ? ' or more' : ''} more value${over.values === 1 ? '' : 's'} of ${over.records} record${over.records === 1 ? '' : 's'} `
        + `beyond the ${MAX_UNKNOWN_DROP_REASONS} the JSON report names)`;
    warnings.push(`${unknownDrops} dropped record${unknownDrops === 1 ? '' : 's'} of a drop reason flow.proto's DropReason does not hold, not judged: `
      + `${shown.join(', ')}${named.length > 5 || over !== undefined ? ', …' : ''}${leftOut}; if the cluster's Cilium is newer than this tool, a policy drop `
      + 'of a new reason is among them');
  }
  const judged = policies._engineConfig.ipFamilies;
  const families = captureFamiliesWarning(capture, judged, 'replay', policies.ciliumVersion,
    policies.ciliumVersionSource === VERSION_DEFAULT);
  if (families !== undefined) warnings.push(families);
  const version = captureVersionWarning(capture, policies.ciliumVersion, 'replay');
  if (version !== undefined) warnings.push(version);
  const nodeByAddress = cidrLabelledNode(capture);
  if (nodeByAddress !== undefined && !policies._engineConfig.cidrMatchNodes) {
    warnings.push(`the capture shows a remote node with CIDR labels (${nodeByAddress}), so the cluster runs policy-cidr-match-mode: nodes, `
      + 'where CIDR rules select node addresses; the policies were judged without it (PolicySetOptions.cidrMatchNodes false): '
      + 'the verdicts of connections with a node whose address a CIDR rule names are not what the cluster enforces; judge with cidrMatchNodes');
  }
  if (unknown.length > 0) {
    warnings.push(`${unknown.length} connection${unknown.length === 1 ? '' : 's'} name${unknown.length === 1 ? 's' : ''} a pod whose identity the capture does not give: `
      + 'not judged (see identity unknown); a capture with the pods\' own records (policy verdicts, traces) resolves them');
  }
  return {
    schema: REPLAY_REPORT_SCHEMA,
    ciliumVersion: policies.ciliumVersion.release,
    clusterName,
    ipFamilies: {
      judged: familiesSetting(judged),
      source: 'policy-set',
      ...(capture.dualStackEvidence !== undefined ? { dualStackEvidence: capture.dualStackEvidence } : {}),
    },
    input: capture.input,
    skipped: {
      total: skippedTotal, byReason: capture.skipped,
      ...(capture.unknownDropReasons !== undefined ? { unknownDropReasons: capture.unknownDropReasons } : {}),
      ...(capture.unknownDropReasonsOverflow !== undefined ? { unknownDropReasonsOverflow: capture.unknownDropReasonsOverflow } : {}),
    },
    summary: {
      connections: out.length,
      flows: out.reduce((a, c) => a + c.observed.flows, 0),
      newlyDropped: dropped.length,
      newlyDroppedFlows: dropped.reduce((a, c) => a + c.observed.flows, 0),
      newlyAllowed: out.filter((c) => c.change === 'newly-allowed').length,
      unchanged: out.filter((c) => c.change === 'unchanged').length,
      notEvaluated: errors.length,
      identityUnknown: unknown.length,
      identityUnknownFlows: unknown.reduce((a, c) => a + c.observed.flows, 0),
      disagreements: disagreements.length,
      ...(capture.window !== undefined ? { window: { ...capture.window, seconds: windowSeconds(capture.window) } } : {}),
      topDropSources,
      ...(notJudgedInput !== undefined ? { notJudgedInput } : {}),
    },
    connections: out,
    identityUnknown: unknown,
    disagreements,
    namespaces: rollout.finish(),
    resolved: capture.resolved,
    errors,
    warnings,
  };
}

function observedOf(c: ObservedConnection): ReplayObserved {
  const decided = (s: ClusterSide): boolean => s.allowed + s.denied + s.audit + s.l7Denied > 0;
  return {
    verdict: observedVerdict(c),
    flows: c.flows,
    forwarded: c.forwarded,
    delivered: c.delivered,
    dropped: c.dropped,
    audit: c.audit,
    l7Denied: c.l7Denied,
    sides: { egress: c.atEgress, ingress: c.atIngress },
    seenOnce: c.seenOnce,
    firstLine: c.firstLine,
    ...(c.firstTime !== undefined ? { firstTime: c.firstTime } : {}),
    nodes: [...c.nodes].sort(),
    dropReasons: [...c.dropReasons].sort(),
    policies: [...c.policies].sort(),
    ...(decided(c.cluster.egress) || decided(c.cluster.ingress) ? { cluster: c.cluster } : {}),
    ...(c.window !== undefined ? { window: c.window } : {}),
  };
}

/** The report entry of a connection with an end of unknown identity. */
function unknownConnection(c: ObservedConnection, endpointOf: (p: FlowPeer) => Endpoint | undefined): ReplayUnknownConnection {
  const s = c.source.kind === 'unknown';
  const d = c.destination.kind === 'unknown';
  const why = (p: FlowPeer): string => {
    const id = p.identity;
    const carried = id === undefined ? 'no identity'
      : id > 0 && id < 256 ? `the reserved identity ${id}${RESERVED_NAMES[id] !== undefined ? ` (reserved:${RESERVED_NAMES[id]})` : ''}`
        : `identity ${id} without labels`;
    return `${describePeer(p, endpointOf(p))}: its records carry ${carried}, and no other record of the capture gives its labels`
      + `${p.key.startsWith('u:#') ? ' (same identity or address)' : ' (same pod name, or its address with a pod name and labels)'}`;
  };
  const reasons = [...(s ? [why(c.source)] : []), ...(d && c.destination !== c.source ? [why(c.destination)] : [])];
  const request = requestText(c);
  return {
    source: describePeer(c.source, endpointOf(c.source)),
    destination: describePeer(c.destination, endpointOf(c.destination)),
    connection: connectionText(c),
    ...(request !== undefined ? { request } : {}),
    unknown: s && d ? UnknownEnd.BOTH : s ? UnknownEnd.SOURCE : UnknownEnd.DESTINATION,
    reason: `not judged: ${reasons.join('; ')}`,
    observed: observedOf(c),
  };
}

const RESERVED_NAMES: readonly (string | undefined)[] = [
  undefined, 'host', 'world', 'unmanaged', 'health', 'init', 'remote-node', 'kube-apiserver', 'ingress', 'world-ipv4', 'world-ipv6',
];

function requestText(c: ObservedConnection): string | undefined {
  if (c.http !== undefined) return `${c.http.method} ${c.http.path}`;
  if (c.dns !== undefined) return `dns ${c.dns}`;
  if (c.kafka !== undefined) return `kafka ${c.kafka.apiKey}${c.kafka.topic !== undefined ? ` ${c.kafka.topic}` : ''}`;
  return undefined;
}

/**
 * Whether Hubble's policy is the engine's deciding one. A namespace Hubble does not give (a `Policy` carrying only some
 * labels) is not compared, except for a clusterwide policy, which has none.
 */
function sameRef(r: ClusterPolicyRef, rule: VerdictRuleRef): boolean {
  const namespaceKnown = r.namespace !== undefined || r.kind === 'CiliumClusterwideNetworkPolicy';
  // Hubble names a rule by its label io.cilium.k8s.policy.name: for an annotated NetworkPolicy, not its metadata.name.
  return r.name === (rule.ciliumName ?? rule.name) && (!namespaceKnown || (r.namespace ?? '') === (rule.namespace ?? '')) && (r.kind === undefined || r.kind === rule.kind);
}

function ruleText(rule: VerdictRuleRef): string {
  return objectName(rule);
}

/**
 * The sides where the engine and the cluster differ: the cluster's policy verdicts allowed what the engine drops, its
 * policy drops or audit verdicts hit what the engine allows, its L7 proxy refused what the engine lets through, a drop
 * by deny rule where the engine sees a default deny (or the reverse), or Hubble names deciding policies the engine does
 * not.
 */
function crossCheck(c: ObservedConnection, v: Verdict): ClusterDisagreement[] {
  const out: ClusterDisagreement[] = [];
  for (const dir of ['egress', 'ingress'] as const) {
    const h = c.cluster[dir];
    const e = v[dir];
    const engineDrops = !e.allowed;
    const engineText = e.rule !== undefined ? ruleText(e.rule) : undefined;
    const push = (verdict: ClusterVerdict, records: number, refs: readonly ClusterPolicyRef[], reasons: readonly string[], message: string): void => {
      const request = requestText(c);
      out.push({
        source: v.from,
        destination: v.to,
        connection: v.connection,
        ...(request !== undefined ? { request: v.request ?? request } : {}),
        side: dir === 'egress' ? TrafficDirection.EGRESS : TrafficDirection.INGRESS,
        endpoint: e.endpoint,
        cluster: { verdict, records, policies: refs.map(clusterPolicyText), reasons: [...reasons].sort() },
        engine: { decision: e.decision, ...(engineText !== undefined ? { policy: `${engineText} ${e.rule?.path ?? ''}`.trim() } : {}), reason: e.reason },
        message: `the engine disagrees with the cluster at ${dir} of ${e.endpoint}: ${message}`,
        firstLine: c.firstLine,
      });
    };
    const named = (refs: readonly ClusterPolicyRef[]): string => (refs.length > 0 ? ` by ${refs.map(clusterPolicyText).join(', ')}` : '');
    const engineSays = engineDrops ? `the engine drops it (${e.decision === 'default-deny' ? 'default deny'
      : e.decision === 'auth-required' ? `authentication required by ${engineText ?? 'a rule'}; with SPIRE in the cluster, give --mutual-auth`
        : e.decision === 'sctp-disabled' ? 'SCTP is not enabled in the agent (enable-sctp=false); if the cluster enables it, give --sctp'
          : `deny rule ${engineText ?? ''}`.trim()})`
      : e.decision === 'l7-denied' ? 'the engine refuses it at L7' : `the engine allows it${engineText !== undefined ? ` (${engineText})` : ` (${e.decision})`}`;
    if (h.allowed > 0) {
      if (engineDrops) {
        push(ClusterVerdict.ALLOWED, h.allowed, h.allowedBy, [], `the cluster allowed it${named(h.allowedBy)} (${plural(h.allowed, 'policy verdict')}); ${engineSays}`);
      } else if (h.allowedBy.length > 0 && !(e.rule !== undefined && h.allowedBy.some((r) => sameRef(r, e.rule as VerdictRuleRef)))) {
        push(ClusterVerdict.ALLOWED, h.allowed, h.allowedBy, [], `the cluster names ${h.allowedBy.map(clusterPolicyText).join(', ')} as allowing it; `
          + `${engineText !== undefined ? `the engine names ${engineText}` : `the engine names no policy (${e.decision})`}`);
      }
    }
    const reasons = h.denyReasons.filter((r) => r !== 'AUTH_REQUIRED');
    if (h.denied > 0 && reasons.length > 0) {
      const explicit = reasons.includes('POLICY_DENY');
      const byDefault = reasons.includes('POLICY_DENIED');
      if (!engineDrops) {
        push(ClusterVerdict.DENIED, h.denied, h.deniedBy, reasons, `the cluster dropped it${named(h.deniedBy)} (${reasons.join(', ')}); ${engineSays}`);
      } else if (explicit && !byDefault && e.decision === 'default-deny') {
        push(ClusterVerdict.DENIED, h.denied, h.deniedBy, reasons, `the cluster dropped it by a deny rule${named(h.deniedBy)} (POLICY_DENY); the engine by default deny`);
      } else if (byDefault && !explicit && e.decision === 'denied-by-deny-rule') {
        push(ClusterVerdict.DENIED, h.denied, h.deniedBy, reasons, `the cluster dropped it by default deny (POLICY_DENIED); the engine by the deny rule ${engineText ?? ''}`.trimEnd());
      } else if (h.deniedBy.length > 0 && !(e.rule !== undefined && h.deniedBy.some((r) => sameRef(r, e.rule as VerdictRuleRef)))) {
        push(ClusterVerdict.DENIED, h.denied, h.deniedBy, reasons, `the cluster names ${h.deniedBy.map(clusterPolicyText).join(', ')} as denying it; `
          + `${engineText !== undefined ? `the engine names ${engineText}` : 'the engine names none'}`);
      }
    }
    if (h.audit > 0 && !engineDrops) {
      push(ClusterVerdict.AUDIT, h.audit, [], [], `the cluster audited it (${plural(h.audit, 'audit verdict')}): the policies in force would drop it; ${engineSays}`);
    }
    if (h.l7Denied > 0 && e.decision !== 'l7-denied') {
      push(ClusterVerdict.L7_DENIED, h.l7Denied, [], [], `the cluster's L7 proxy refused it (${plural(h.l7Denied, 'record')}); ${engineSays}`);
    }
  }
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Per-namespace tallies for the rollout summary. */
interface Tally {
  connections: number;
  flows: number;
  flowing: number;
  wouldBeDropped: number;
  audited: number;
  identityUnknown: number;
  /** Connections the engine could not judge (`errors`). */
  notEvaluated: number;
  disagreements: number;
  /**
   * The directions the policies enforce on each pod of the namespace that a judged connection shows (by endpoint text),
   * and the directions of those pods the judged connections show (egress at a client, ingress at a server).
   */
  enforced: Map<string, ReadonlySet<'ingress' | 'egress'>>;
  seen: Map<string, Set<'ingress' | 'egress'>>;
  first?: string;
  last?: string;
}

class RolloutTally {
  private readonly byNamespace = new Map<string, Tally>();
  private readonly enforcement = new Map<string, ReadonlySet<'ingress' | 'egress'>>();
  /** `<direction> of <pod>` for the enforced directions that drop only on the earlier 1.16/1.17 patches (`enforcedOn`). */
  private readonly earlyPatchesOnly = new Set<string>();

  /**
   * @param notJudgedInput what of the input was not judged: a blocker of every namespace (its records may be any)
   * @param policies the policies replayed: which directions they enforce on a pod
   */
  public constructor(private readonly notJudgedInput: string | undefined, private readonly policies: PolicySet) {}

  public note(
    c: ObservedConnection,
    judged: {
      unknown?: boolean; notEvaluated?: boolean; verdict?: Verdict; ends?: readonly [Endpoint, Endpoint]; findings?: readonly ClusterDisagreement[];
    },
  ): void {
    const src = namespaceOf(c.source);
    const dst = namespaceOf(c.destination);
    const flowing = observedFlowing(c);
    for (const ns of new Set([src, dst])) {
      if (ns === undefined) continue;
      const t = this.tally(ns);
      t.connections++;
      t.flows += c.flows;
      if (flowing) t.flowing++;
      if (judged.unknown) t.identityUnknown++;
      if (judged.notEvaluated) t.notEvaluated++;
      if (c.window !== undefined) {
        if (t.first === undefined || c.window.first < t.first) t.first = c.window.first;
        if (t.last === undefined || c.window.last > t.last) t.last = c.window.last;
      }
    }
    const sideNs = (dir: 'egress' | 'ingress'): string | undefined => (dir === 'egress' ? src : dst);
    const v = judged.verdict;
    // The pod at each end: the directions the policies enforce on it, whichever the connection shows, and the one it shows.
    if (v !== undefined && judged.ends !== undefined) {
      for (const [side, end, text] of [['egress', judged.ends[0], v.from], ['ingress', judged.ends[1], v.to]] as const) {
        const ns = sideNs(side);
        if (ns === undefined || end.kind !== EndpointKind.POD) continue;
        const t = this.tally(ns);
        t.enforced.set(text, this.enforcedOn(end, text));
        let seen = t.seen.get(text);
        if (seen === undefined) t.seen.set(text, seen = new Set());
        seen.add(side);
      }
    }
    if (flowing && v !== undefined && v.verdict !== 'allowed') {
      const at = new Set<string>();
      for (const side of [v.egress, v.ingress]) {
        if (side.allowed && side.decision !== 'l7-denied') continue;
        const ns = sideNs(side.direction);
        if (ns !== undefined) at.add(ns);
      }
      for (const ns of at) this.tally(ns).wouldBeDropped++;
    }
    const audited = new Set<string>();
    if (c.cluster.egress.audit > 0 && src !== undefined) audited.add(src);
    if (c.cluster.ingress.audit > 0 && dst !== undefined) audited.add(dst);
    for (const ns of audited) this.tally(ns).audited++;
    const disagreeing = new Set<string>();
    for (const f of judged.findings ?? []) {
      const ns = sideNs(f.side);
      if (ns !== undefined) disagreeing.add(ns);
    }
    for (const ns of disagreeing) this.tally(ns).disagreements++;
  }

  public finish(): NamespaceRollout[] {
    return [...this.byNamespace].sort(([a], [b]) => compare(a, b)).map(([namespace, t]) => {
      const window = t.first !== undefined && t.last !== undefined
        ? { first: t.first, last: t.last, seconds: windowSeconds({ first: t.first, last: t.last }) } : undefined;
      const span = window !== undefined ? ` over ${formatDuration(window.seconds)} (${window.first} to ${window.last})` : ' (the records carry no times)';
      const blockers = [
        t.wouldBeDropped > 0 ? `${plural(t.wouldBeDropped, 'connection')} the cluster let through would be dropped` : '',
        t.identityUnknown > 0 ? `${plural(t.identityUnknown, 'connection')} with an end of unknown identity cannot be judged` : '',
        t.notEvaluated > 0 ? `${plural(t.notEvaluated, 'connection')} could not be judged (see not judged)` : '',
        this.notJudgedInput !== undefined ? `not all of the capture was judged (${this.notJudgedInput})` : '',
      ].filter((x) => x !== '');
      // Nothing would be dropped because nothing would be enforced: the policies enforce no direction on the pods seen.
      const unselected = t.flowing > 0 && blockers.length === 0 && [...t.enforced.values()].every((d) => d.size === 0);
      // A direction the policies enforce on a pod that no connection judged shows: what they drop there is not known.
      const unseen = [...t.enforced].sort(([a], [b]) => compare(a, b))
        .flatMap(([pod, dirs]) => [...dirs].filter((d) => !(t.seen.get(pod)?.has(d) ?? false)).map((d) => `${d} of ${pod}`));
      if (!unselected && unseen.length > 0) {
        const early = unseen.filter((u) => this.earlyPatchesOnly.has(u));
        blockers.push(`the policies enforce ${unseen.length > 3 ? `${unseen.slice(0, 3).join(', ')} and ${unseen.length - 3} more` : unseen.join(', ')} `
          + '(what they would drop there is not known: capture that traffic too), where no connection was judged'
          + (early.length === 0 ? '' : ` (${early.join(', ')} only on some patches: there no policy enables default deny and only DNS rules can `
            + `drop, and ${DNS_DEFAULT_ALLOW_PATCH_SPLIT}; fix: ${dnsDefaultAllowPatchFix(this.policies.ciliumVersion)})`));
      }
      const ready = t.flowing > 0 && blockers.length === 0 && !unselected;
      const reason = unselected
        ? `nothing to enforce: the policies enforce no direction on the pods of the namespace in the ${plural(t.flowing, 'connection')} observed flowing${span}, `
          + 'so all of its traffic stays allowed; select its pods (a default deny, or a policy per workload) to enforce anything'
        : ready
          ? `ready to enforce: none of the ${plural(t.flowing, 'connection')} observed flowing${span} would be dropped`
          + `${window !== undefined && window.seconds < 86_400 ? '; a capture shorter than a day misses daily jobs and rare paths' : ''}`
          : t.flowing === 0 && blockers.length === 0 ? `not ready: no connection was observed flowing${span}`
            : `not ready: ${blockers.join('; ')}${span}`;
      return {
        namespace,
        connections: t.connections,
        flows: t.flows,
        flowing: t.flowing,
        wouldBeDropped: t.wouldBeDropped,
        audited: t.audited,
        identityUnknown: t.identityUnknown,
        disagreements: t.disagreements,
        readyToEnforce: ready,
        reason,
        ...(window !== undefined ? { window } : {}),
      };
    });
  }

  private tally(ns: string): Tally {
    let t = this.byNamespace.get(ns);
    if (t === undefined) {
      t = {
        connections: 0, flows: 0, flowing: 0, wouldBeDropped: 0, audited: 0, identityUnknown: 0, notEvaluated: 0, disagreements: 0,
        enforced: new Map(), seen: new Map(),
      };
      this.byNamespace.set(ns, t);
    }
    return t;
  }

  /**
   * The directions in which the policies can drop a connection of the pod: the engine's `directionCanDrop` (default deny, a
   * deny rule, an allow rule's authentication or restricting L7 rules, also under `enableDefaultDeny: false`); those that
   * drop only through DNS rules restricting on the earlier 1.16/1.17 patches (the target names no patch) are also kept in `earlyPatchesOnly`.
   */
  private enforcedOn(end: Endpoint, text: string): ReadonlySet<'ingress' | 'egress'> {
    let dirs = this.enforcement.get(text);
    if (dirs === undefined) {
      dirs = new Set((['egress', 'ingress'] as const).filter((d) => this.policies._canDrop(end, d)));
      for (const d of dirs) if (!this.policies._canDrop(end, d, false)) this.earlyPatchesOnly.add(`${d} of ${text}`);
      this.enforcement.set(text, dirs);
    }
    return dirs;
  }
}

function namespaceOf(p: FlowPeer): string | undefined {
  return p.kind === 'pod' || p.kind === 'unknown' ? p.namespace : undefined;
}

/** `27 s`, `4 min 12 s`, `3 h 5 min`, `2 d 4 h`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'an unknown time';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  const s = Math.floor(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** The warnings about what a capture cannot show. */
export function captureWarnings(capture: FlowCapture): string[] {
  const w: string[] = [];
  const input = capture.input;
  if (input.readError !== undefined) w.push(`the input ended early after line ${input.lines} (${input.readError}): only what was read is judged`);
  if (capture.overflowFlows > 0) {
    w.push(`${capture.overflowFlows} records were not judged: more than ${capture.maxConnections} connections (raise the connection limit)`);
  }
  if (capture.dnsOverflow > 0) w.push(`${capture.dnsOverflow} DNS answers were not remembered: more addresses than the limit`);
  if (input.lostEvents > 0) w.push(`Hubble lost ${input.lostEvents} events before they reached the log (lost_events): the capture is incomplete`);
  if (input.malformedCount > 0) w.push(`${input.malformedCount} malformed line${input.malformedCount === 1 ? '' : 's'} skipped`);
  if (capture.connections.length === 0) w.push('no connection to judge: the input holds no flow record that policy decides');
  return w;
}

/** The engine endpoint of a peer, or `undefined` when its address is not valid. */
function toEndpoint(peer: FlowPeer, clusterName: string): Endpoint | undefined {
  switch (peer.kind) {
    case FlowPeerKind.POD: {
      const labels = peer.cluster !== undefined && peer.cluster !== clusterName
        ? { ...peer.labels, 'io.cilium.k8s.policy.cluster': peer.cluster } : peer.labels ?? {};
      return {
        kind: EndpointKind.POD,
        namespace: peer.namespace ?? 'default',
        labels,
        ...(peer.namespaceLabels !== undefined ? { namespaceLabels: peer.namespaceLabels } : {}),
        // The service account: the capture's label wins; a captured identity without it takes the account of its workload in
        // the inputs (`EndpointInventory.enrich`), else it is given without one (`serviceAccountUnknown`): judged only where
        // every account it may run as decides alike, else not judged (`unjudgedConnectionError`).
        ...(peer.serviceAccount !== undefined ? { serviceAccount: peer.serviceAccount } : {}),
      };
    }
    case FlowPeerKind.ENTITY:
      // A managed API server is judged by its address (`Endpoints.managedApiServer`).
      // The API server on a node of CIDR labels: that node, of that address (reserved:kube-apiserver with reserved:remote-node).
      if (apiServerOnNode(peer) && parseIp(peer.ip as string)) return { kind: EndpointKind.NODE, labels: {}, ip: peer.ip, entity: 'kube-apiserver' };
      if (peer.entity === 'kube-apiserver' && peer.ip !== undefined && parseIp(peer.ip)) return { kind: EndpointKind.ENTITY, entity: 'kube-apiserver', ip: peer.ip };
      // A remote node of CIDR labels (`policy-cidr-match-mode: nodes`): a node of that address, which CIDR rules select when
      // the set judges with `cidrMatchNodes` (the engine's node peer; without it, the remote-node entity it was).
      if (peer.entity === 'remote-node' && peer.ip !== undefined && parseIp(peer.ip)) return { kind: EndpointKind.NODE, labels: {}, ip: peer.ip };
      return { kind: EndpointKind.ENTITY, entity: peer.entity ?? 'world' };
    case FlowPeerKind.WORLD:
      return peer.ip !== undefined && parseIp(peer.ip) ? { kind: EndpointKind.CIDR, ip: peer.ip } : undefined;
    case FlowPeerKind.UNKNOWN:
      // Never judged: a guessed identity (world, or some label set) would be a claim the capture does not support.
      return undefined;
  }
}

/** Why the side that did not look a reply-type packet up in policy is not judged. */
const REPLY_SIDE_REASON = 'a reply or related packet at this end, whose conntrack holds the request it answers (CT_REPLY or CT_RELATED): '
  + 'policy is not consulted (bpf/bpf_lxc.c)';

/**
 * The one side that looked up a connection of reply-type packets (SYN-ACKs, ICMP echo replies or errors without
 * `is_reply`) in policy: the side its policy drops and policy-verdict records (audited, forwarded) were at. Undefined when
 * a record is not such a lookup, or the lookups were at both sides or at no known side (both are judged).
 */
function replyLookupSide(c: ObservedConnection): 'egress' | 'ingress' | undefined {
  if (!replyLookupsOnly(c)) return undefined;
  if (c.atIngress > 0 && c.atEgress === 0) return 'ingress';
  if (c.atEgress > 0 && c.atIngress === 0) return 'egress';
  return undefined;
}

function query(c: ObservedConnection, from: Endpoint, to: Endpoint): VerdictQuery {
  return {
    from,
    to,
    protocol: c.protocol,
    ...(c.protocol === 'ICMP' ? { icmpType: c.icmpType, icmpFamily: c.icmpFamily } : { port: c.port }),
    ...(c.http !== undefined ? { http: c.http } : {}),
    ...(c.dns !== undefined ? { dns: c.dns } : {}),
    ...(c.kafka !== undefined ? { kafka: c.kafka } : {}),
  };
}

/** The DNS names of a world destination: `destination_names` first, then DNS answers of the same log. */
function destinationNames(c: ObservedConnection, capture: FlowCapture): string[] {
  const names = [...c.destinationNames];
  const ip = c.destination.ip;
  for (const n of (ip !== undefined ? capture.dnsAnswers[ip] : undefined) ?? []) if (!names.includes(n)) names.push(n);
  return names;
}

/** The one line that explains a verdict: the sides that dropped or refused it, else what allowed it on each side. */
function decidingReason(v: Verdict): string {
  const sides = [v.egress, v.ingress];
  const deciding = v.verdict === 'denied'
    ? sides.filter((s) => !s.allowed)
    : v.verdict === 'l7-denied' ? sides.filter((s) => s.decision === 'l7-denied') : [];
  if (deciding.length > 0) return deciding.map((s) => `${s.direction} at ${s.endpoint}: ${s.reason}`).join('; ');
  const evaluated = sides.filter((s) => s.evaluated);
  if (evaluated.length === 0) return 'no side enforces policy: neither end is a Cilium endpoint subject to policy';
  return evaluated.map((s) => `${s.direction}: ${s.reason}`).join('; ');
}

/**
 * @internal The first remote node of the capture that carries CIDR labels (`node:@10.0.0.7 (a remote node)`), proof that the
 * agent runs `policy-cidr-match-mode: nodes` (pkg/ipcache/metadata.go `resolveLabels`: nodes have CIDR labels then, and only
 * then), or `undefined`. The CLI judges such a capture with `cidrMatchNodes`.
 */
export function cidrLabelledNode(capture: FlowCapture): string | undefined {
  for (const c of capture.connections) {
    for (const p of [c.source, c.destination]) {
      if (p.kind === FlowPeerKind.ENTITY && (p.entity === 'remote-node' || apiServerOnNode(p)) && p.ip !== undefined) {
        return `${describePeer(p, toEndpoint(p, capture.clusterName ?? 'default'))}${apiServerOnNode(p) ? ' (the node that runs the API server)' : ' (a remote node)'}`;
      }
    }
  }
  return undefined;
}

/**
 * @internal The first SCTP connection of the capture that passed the datapath's connection tracking, proof that the agent
 * runs `enable-sctp`, or `undefined`. Without `ENABLE_SCTP` the tuple extraction refuses SCTP before any policy
 * (bpf/lib/conntrack.h `ipv4_extract_tuple`: `DROP_CT_UNKNOWN_PROTO`; bpf/bpf_lxc.c `TAIL_CT_LOOKUP`: `if (ct_buffer.ret < 0)
 * return drop_for_direction`), so a delivery (`TO_ENDPOINT`, forwarded at ingress), a policy verdict (type 5) or a policy
 * drop of SCTP exists only with it. A `FROM_ENDPOINT` trace does not count: `cil_from_container` sends it before conntrack.
 */
export function sctpEnabledEvidence(capture: FlowCapture): string | undefined {
  for (const c of capture.connections) {
    if (c.protocol !== 'SCTP') continue;
    const sides = [c.cluster.egress, c.cluster.ingress];
    const policyDrops = sides.flatMap((s) => s.denyReasons).filter((r) => r !== SCTP_DISABLED_DROP);
    const what = c.delivered > 0 ? 'delivered to the endpoint'
      : sides.some((s) => s.allowed > 0) || c.audit > 0 ? 'a policy verdict'
        : policyDrops.length > 0 ? `a policy drop (${policyDrops.join(', ')})` : undefined;
    if (what !== undefined) return `${sctpConnectionText(capture, c)}, ${what}, first at line ${c.firstLine}`;
  }
  return undefined;
}

/**
 * @internal The first SCTP connection of the capture dropped at conntrack (`CT_UNKNOWN_L4_PROTOCOL`, flow.proto 137), proof
 * that the agent runs without `enable-sctp` (`sctpEnabledEvidence`), or `undefined`.
 */
export function sctpDisabledEvidence(capture: FlowCapture): string | undefined {
  const c = capture.connections.find((x) => x.protocol === 'SCTP' && x.dropReasons.includes(SCTP_DISABLED_DROP));
  return c === undefined ? undefined
    : `${sctpConnectionText(capture, c)}, dropped ${SCTP_DISABLED_DROP}, first at line ${c.firstLine}`;
}

/** A connection of the capture as the SCTP evidence names it: its ends as they are judged, and its port. */
function sctpConnectionText(capture: FlowCapture, c: ObservedConnection): string {
  const cluster = capture.clusterName ?? 'default';
  return `${describePeer(c.source, toEndpoint(c.source, cluster))} → ${describePeer(c.destination, toEndpoint(c.destination, cluster))} ${connectionText(c)}`;
}

/**
 * The text of a capture's end: that of the endpoint it is judged as (`formatEndpoint`, the one formatter, which `trace`
 * parses back to that endpoint), as `connections[]` prints it. Only an end with no endpoint has another: an unknown
 * identity (`identity:<n>`, `pod-name:<name>`), a world address that is not one (`cidr:<text>`).
 */
function describePeer(p: FlowPeer, endpoint: Endpoint | undefined): string {
  if (endpoint !== undefined) return formatEndpoint(endpoint);
  if (p.kind === FlowPeerKind.UNKNOWN) return p.key.startsWith('u:#') ? `identity:${p.key.slice(3)}` : `pod-name:${p.key.slice(2)}`;
  return `cidr:${p.ip ?? ''}`;
}

/** The refusals whose fix a capture can follow (a policy's change): not "name the node by its labels", "ask without the request". */
const FIXES_A_CAPTURE_CAN_FOLLOW: ReadonlySet<string> = new Set(['engine-policy-refused', 'engine-dns-patch-split', 'engine-ip-block-patch-split']);

/**
 * Why a connection is not judged, in the words trace and the matchers refuse it with (`unjudgedConnectionError`), with the
 * fix when a policy's change can follow it (an end whose policy the agent refuses, a DNS lookup the 1.16/1.17 patch
 * decides); the fixes of the others are a query's (give the node by its labels, ask without the request), which a
 * capture's records cannot follow.
 */
function notJudgedText(e: CiliumPolicyError): string {
  return `${errorWhat(e)}; this connection is not judged (${e.id})${FIXES_A_CAPTURE_CAN_FOLLOW.has(e.id) && e.fix !== undefined ? `; fix: ${e.fix}` : ''}`;
}

/** How the messages of connections not judged name their ends (`unjudgedConnectionError`). */
const REPLAY_END_NAMES: ConnectionEndNames = { from: 'the source', to: 'the destination' };

/** The L7 rules (protocol and the engine's description) that every request matches. */
const EVERY_REQUEST = new Set(['dns matchPattern: *', 'http * *', 'kafka (any request)']);
/** A generic L7 rule without key-value pairs (`l7proto: r2d2`: the engine's description of `l7: []` or `l7: [{}]`). */
const EVERY_L7PROTO = /^l7proto: [^\s=]*$/;

/** A connection's ends and port, without its L7 request. */
function l4Key(c: ObservedConnection): string {
  return `${c.source.key}\n${c.destination.key}\n${connectionText(c)}`;
}

/**
 * Why an allowed connection without an L7 request cannot be judged: a side's L7 rules, which the proxy enforces request by
 * request, were not evaluated (`L7Result.NOT_EVALUATED`: no request to check). `undefined` when no side has such rules.
 */
function unseenRequests(v: Verdict): string | undefined {
  for (const side of [v.egress, v.ingress]) {
    const l7 = side.l7;
    if (l7 === undefined || l7.result !== 'not-evaluated') continue;
    // A rule that every request matches (the DNS companion's `matchPattern: *`, an HTTP rule of no field, a Kafka rule of
    // none, an `l7proto` with no key-value rule or an empty one: the engine's descriptions of them) lets every request
    // through: nothing is left to judge. Generic (`l7proto`) rules with pairs are judged by the proxylib parser request by
    // request, which the engine never evaluates: as unknown as HTTP rules without an HTTP record.
    if (l7.rules.some((r) => EVERY_REQUEST.has(`${l7.protocol} ${r}`) || (l7.protocol === 'l7proto' && EVERY_L7PROTO.test(r)))) continue;
    return `the policies allow it at L4 with ${l7.protocol.toUpperCase()} rules at ${side.direction} (${l7RulesText(l7)}) that the proxy enforces request by request, and the capture shows none of its ${l7.protocol.toUpperCase()} `
      + 'requests (L3/L4 records only): whether they pass is not known; capture with L7 visibility on this port (a policy with L7 rules '
      + 'on it in force, or the pod annotation policy.cilium.io/proxy-visibility) to judge them';
  }
  return undefined;
}

/**
 * Why an allowed connection is not judged when the allow that decided it restricts what flows do not show (the engine's
 * `unevaluatedRestriction`: TLS server names, TLS interception, an Envoy listener): Envoy refuses a connection with
 * another SNI, or none (pkg/policy/api/l4.go `PortRule.ServerNames`: "TLS must be present and one of the provided SNIs
 * must be indicated in the TLS handshake"), and Hubble records no SNI.
 */
function unevaluatedRestriction(v: Verdict): string | undefined {
  for (const side of [v.egress, v.ingress]) {
    if (side.unevaluatedRestriction === undefined) continue;
    return `the policies allow it at ${side.direction} only through the proxy: ${side.unevaluatedRestriction}, which the engine does not evaluate and `
      + 'Hubble records do not show (the proxy refuses a connection with another SNI, or without TLS, and what the listener refuses): whether it '
      + 'passes is not known; check the TLS settings by hand';
  }
  return undefined;
}

function connectionText(c: ObservedConnection): string {
  return c.protocol === 'ICMP' ? `${c.icmpFamily === 'IPv6' ? 'icmpv6' : 'icmp'}/${c.icmpType ?? 0}` : `${c.port}/${c.protocol}`;
}
