/**
 * Grouping of flow records into connections: (source identity labels, destination, port/protocol, L7 request). A
 * million records of a real capture typically collapse to a few thousand connections; the table is bounded anyway
 * (`maxConnections`): records of connections beyond the limit are counted, not kept. Peers are shared between the
 * connections that name them. DNS answers seen in the same log (L7 DNS responses: query → IPs) are kept, bounded, to
 * resolve world addresses to names later; `destination_names` on the records are kept per connection.
 *
 * Ends that name a pod without its identity labels (L7 proxy records with `identity: 2`, field-masked exports) are
 * resolved when the capture is finished, from the other records of the same capture: the same pod name, else the same
 * address seen with labels and a pod name, else (a cluster identity without labels) the same identity number. Each
 * source must point at one label set: an ambiguous one resolves nothing. What cannot be resolved stays `unknown`.
 *
 * What the cluster decided at each side is kept apart from what the records show passing: policy-verdict events
 * (allowed, redirected, audited, dropped) and policy drops with their direction, L7 refusals, and the policies Hubble's
 * correlation names for them (`*_allowed_by`, `*_denied_by`), so that replay can cross-check the engine with the cluster.
 */
import { CiliumPolicyError } from '../core/errors';
import { HttpRequest, KafkaRequest } from '../engine/l7';
import { OptionDefaults, checkOptionKeys } from '../model/known-keys';
import { timeKey } from './flow-time';
import { CLUSTER_KEY } from '../model/selectors';
import { addressPacketFamily, unmappedText } from '../model/cidr';
import { capturedDnsName } from '../model/fqdn-pattern';
import { FLOW_READ_OPTION_DEFAULTS, FlowHandler, FlowReadOptions, FlowReadStats, FlowSource, readFlows } from './flow-reader';
import {
  FlowPeer, FlowScratch, FlowSkipReason, HubbleFlow, HubblePolicy, SCTP_DISABLED_DROP, classifyFlow, connectionKey, flowPeer, flowPeerProblem,
  l7Request, unknownDropReason,
} from './flow';

/**
 * The default bound on connections kept (and judged by replay). Memory grows with the connections kept, about 16 KB each
 * once judged with their explanations (a replay of 200,000 distinct connections peaked at 1.8 GB with a bound of 100,000,
 * and at 310 MB with this one; 1,000,000 distinct connections at 320 MB); records of further connections are counted and
 * reported, not judged.
 */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/** A drop reason flow.proto does not hold, as a capture wrote it (`FlowCapture.unknownDropReasons`). */
export interface UnknownDropReason {
  /** The value: `"POLICY_DENIED_V2"` (a `drop_reason_desc`, quoted) or `drop_reason 250`. */
  readonly value: string;
  /** Records of it. */
  readonly records: number;
  /** The line of the first. */
  readonly firstLine: number;
}

/** The most distinct unknown drop reasons named (`FlowCapture.unknownDropReasons`). */
export const MAX_UNKNOWN_DROP_REASONS = 100;
/** The most distinct unknown drop reasons beyond those named that are counted (`UnknownDropReasonsOverflow.values`). */
const MAX_UNKNOWN_DROP_REASONS_COUNTED = 10_000;

/** The unknown drop reasons of a capture beyond the 100 named (`FlowCapture.unknownDropReasonsOverflow`). */
export interface UnknownDropReasonsOverflow {
  /** Distinct values not named (counted up to 10,000: 10000 means at least that many). */
  readonly values: number;
  /** Records of them. */
  readonly records: number;
}

/** Options of `Connections.collect`. */
export interface CollectOptions extends FlowReadOptions {
  /**
   * The most connections kept; records of further connections are counted as overflow.
   * @default 10000
   */
  readonly maxConnections?: number;
  /**
   * The most addresses remembered from DNS answers.
   * @default 100000
   */
  readonly maxDnsAddresses?: number;
  /**
   * Whether the agent runs with `allow-icmp-frag-needed` (Cilium's default): ICMPv4 fragmentation needed (type 3 code 4)
   * passes before the policy lookup, so its records are skipped (`icmp-frag-needed`) unless dropped or audited by policy,
   * which shows the option off. `false` judges them by policy like any ICMP type.
   * @default true
   */
  readonly allowIcmpFragNeeded?: boolean;
}

/**
 * The options of `CollectOptions` with their defaults (`option-unknown`; kept equal to the interface by
 * test/engine/option-keys-interfaces.test.ts).
 */
export const COLLECT_OPTION_DEFAULTS: OptionDefaults = {
  ...FLOW_READ_OPTION_DEFAULTS,
  maxConnections: '10000',
  maxDnsAddresses: '100000',
  allowIcmpFragNeeded: 'true',
};

/** What a limit of the read left at its default in place of the one meant does (`option-unknown`). */
export const READ_RISK = 'so the flow log would be read with other limits than asked';

/** What the cluster did with a connection, over all its records. */
export enum ObservedVerdict {
  /** Every record forwarded. */
  FORWARDED = 'forwarded',
  /** Dropped by policy: nothing proves delivery. */
  DROPPED = 'dropped',
  /** Forwarded in audit mode: the policies in force would have dropped it. */
  AUDIT = 'audit',
  /** Every request refused by an L7 proxy. */
  L7_DENIED = 'l7-denied',
  /** Some records passed, others were dropped or refused. */
  MIXED = 'mixed',
}

/** How a pod end without its identity was resolved from the rest of the capture. */
export enum IdentityResolutionMethod {
  /** The same pod name. */
  POD_NAME = 'pod-name',
  /** The same address, seen with labels and a pod name. */
  ADDRESS = 'address',
  /** The same identity number. */
  IDENTITY = 'identity',
}

/** A policy Hubble names for a decision (`*_allowed_by`, `*_denied_by`). */
export interface ClusterPolicyRef {
  /** Name. */
  readonly name: string;
  /**
   * Namespace.
   * @default - none (clusterwide)
   */
  readonly namespace?: string;
  /**
   * `CiliumNetworkPolicy`, `CiliumClusterwideNetworkPolicy` or `NetworkPolicy`.
   * @default - not given by the record
   */
  readonly kind?: string;
}

/**
 * What the cluster decided at one side of a connection (egress at the source, ingress at the destination), from the
 * records that carry a decision: policy-verdict events (type 5), policy drops with their direction, L7 refusals.
 */
export interface ClusterSide {
  /** Allowed by policy (policy verdicts FORWARDED or REDIRECTED). */
  readonly allowed: number;
  /** Dropped by policy (policy verdicts and drop events with a policy drop reason). */
  readonly denied: number;
  /** Audit-mode verdicts: the policies in force would have dropped them. */
  readonly audit: number;
  /** Requests refused by the L7 proxy of this side. */
  readonly l7Denied: number;
  /** Policy drop reasons seen at this side (`POLICY_DENIED`: nothing allowed it; `POLICY_DENY`: a deny rule). */
  readonly denyReasons: string[];
  /** The policies the cluster says allowed it (`*_allowed_by`; at most 8). */
  readonly allowedBy: ClusterPolicyRef[];
  /** The policies the cluster says denied it (`*_denied_by`, explicit deny rules only; at most 8). */
  readonly deniedBy: ClusterPolicyRef[];
  /** `policy_match_type` values of the allowed verdicts (1 L3, 2 L3-L4, 3 L4, 4 all, 5 L3-proto, 6 proto). */
  readonly matchTypes: number[];
}

/** A connection: every record with the same source identity, destination, port/protocol and L7 request. */
export interface ObservedConnection {
  /** The grouping key. */
  readonly key: string;
  /** The client. */
  readonly source: FlowPeer;
  /** The server. */
  readonly destination: FlowPeer;
  /** `TCP`, `UDP`, `SCTP` or `ICMP`. */
  readonly protocol: string;
  /**
   * Destination port (0 for ICMP).
   * @default 0
   */
  readonly port: number;
  /**
   * ICMP type.
   * @default - none
   */
  readonly icmpType?: number;
  /**
   * ICMP family.
   * @default - none
   */
  readonly icmpFamily?: string;
  /**
   * HTTP request (L7 records).
   * @default - none
   */
  readonly http?: HttpRequest;
  /**
   * DNS query name (L7 records).
   * @default - none
   */
  readonly dns?: string;
  /**
   * Kafka request (L7 records).
   * @default - none
   */
  readonly kafka?: KafkaRequest;
  /** Records. */
  readonly flows: number;
  /** Records of forwarded (or redirected) traffic. */
  readonly forwarded: number;
  /** Records that prove delivery to the destination (`TO_ENDPOINT`, allowed at ingress). */
  readonly delivered: number;
  /** Policy drops (all sides). */
  readonly dropped: number;
  /** Policy drops at the source (egress). */
  readonly droppedEgress: number;
  /** Policy drops at the destination (ingress). */
  readonly droppedIngress: number;
  /**
   * Policy lookups of a reply-type packet (a SYN-ACK, an ICMP echo reply or error) with no `is_reply`: policy drops and
   * policy-verdict events (audited, forwarded). Only the side that looked it up consulted policy (the other end's conntrack
   * found it a reply or related).
   */
  readonly replyLookups: number;
  /** Audit-mode verdicts (would have been dropped; forwarded). */
  readonly audit: number;
  /** Requests refused by an L7 proxy. */
  readonly l7Denied: number;
  /** Records observed at the source's egress. */
  readonly atEgress: number;
  /** Records observed at the destination's ingress. */
  readonly atIngress: number;
  /** Whether all records came from one transport connection (one source address and port). */
  readonly seenOnce: boolean;
  /** The source address and port of the first record (`10.0.0.1:43512`; the address alone for ICMP). */
  readonly firstSource: string;
  /** Line of the first record. */
  readonly firstLine: number;
  /**
   * Time of the first record (in file order).
   * @default - none
   */
  readonly firstTime?: string;
  /** Observing nodes (at most 8). */
  readonly nodes: string[];
  /** Policy drop reasons seen. */
  readonly dropReasons: string[];
  /** DNS names of the destination from `destination_names` (at most 16). */
  readonly destinationNames: string[];
  /** Policies the records name (`*_allowed_by`, `*_denied_by`), as `Kind namespace/name` (at most 8). */
  readonly policies: string[];
  /**
   * The earliest and latest record times (RFC 3339, normalised to nanoseconds: compare them as strings).
   * @default - no record had a time
   */
  readonly window?: TimeWindow;
  /** What the cluster decided at each side. */
  readonly cluster: ClusterDecisions;
}

/** What the cluster decided at each side of a connection. */
export interface ClusterDecisions {
  /** At the client (egress). */
  readonly egress: ClusterSide;
  /** At the server (ingress). */
  readonly ingress: ClusterSide;
}

/** A time window: first and last record times, RFC 3339 UTC with nine fractional digits. */
export interface TimeWindow {
  /** The earliest time. */
  readonly first: string;
  /** The latest time. */
  readonly last: string;
}

/** A time window with its length. */
export interface TimeWindowSeconds extends TimeWindow {
  /** Seconds from the first to the last record. */
  readonly seconds: number;
}

/** A pod end resolved from the rest of the capture. */
export interface IdentityResolution {
  /** The end as the records gave it: `<namespace>/<pod>` or `#<identity>`. */
  readonly end: string;
  /** How: the same pod name, the same address (with labels and a pod name), or the same identity number. */
  readonly by: IdentityResolutionMethod;
  /** The pod's labels it resolved to (`k8s:` source stripped), in the namespace. */
  readonly namespace: string;
  /** Its labels. */
  readonly labels: { readonly [key: string]: string };
}

/** The connections of a capture, with what was read and skipped. */
export interface FlowCapture {
  /** What the reader saw. */
  readonly input: FlowReadStats;
  /** Skipped records by reason (only reasons that occurred, sorted). */
  readonly skipped: { readonly [reason: string]: number };
  /** Records grouped into connections. */
  readonly grouped: number;
  /** The connections, in order of first appearance. */
  readonly connections: ObservedConnection[];
  /** Records not grouped because `maxConnections` was reached. */
  readonly overflowFlows: number;
  /** The connection limit in force. */
  readonly maxConnections: number;
  /**
   * The local cluster name: the cluster of the nodes that observed most records (`node_name` `<cluster>/<node>`, as Hubble
   * writes it in a named cluster, else the `io.cilium.k8s.policy.cluster` label of the end a policy record was taken at:
   * the destination of an ingress one, the source of an egress one); when no record tells, the most common cluster
   * label of the capture's pods.
   * @default - none found
   */
  readonly clusterName?: string;
  /**
   * Every cluster a record of the capture names, with where it is first named: the prefix of an observing node's `node_name`
   * (`<cluster>/<node>`: pkg/node/types `GetAbsoluteNodeName` writes it when the agent's cluster is not `default`), an end's
   * `cluster_name`, a pod's `io.cilium.k8s.policy.cluster` label (`{ east: 'node east/node-1 at line 3' }`). A bare node
   * name names none (agents of older releases write one in a named cluster).
   * @default - no record names a cluster
   */
  readonly clustersNamed?: { readonly [cluster: string]: string };
  /**
   * The drop reasons of the records skipped as `unknown-drop-reason`, each with its records and first line (at most 100
   * values; the skip count holds every record).
   * @default - none
   */
  readonly unknownDropReasons?: UnknownDropReason[];
  /**
   * The unknown drop reasons beyond the 100 `unknownDropReasons` names: how many values, and their records.
   * @default - none left out
   */
  readonly unknownDropReasonsOverflow?: UnknownDropReasonsOverflow;
  /** DNS answers seen: address → names (lower case, no trailing dot). */
  readonly dnsAnswers: { readonly [address: string]: string[] };
  /** Addresses not remembered because `maxDnsAddresses` was reached. */
  readonly dnsOverflow: number;
  /**
   * The earliest and latest record times of the whole capture.
   * @default - no record had a time
   */
  readonly window?: TimeWindow;
  /** Pod ends resolved from the rest of the capture (at most 100 listed). */
  readonly resolved: IdentityResolution[];
  /** Addresses the capture shows as pod addresses (records with pod labels and a pod name). */
  readonly podAddresses: string[];
  /**
   * The first sign that the capture comes from a dual-stack cluster: an end with the identity 9 or 10, or the label
   * `reserved:world-ipv4`/`reserved:world-ipv6` (`identity 9 (reserved:world-ipv4) at line 12`). The agent gives world
   * addresses these identities only when it runs both IPv4 and IPv6 (daemon/cmd `syncHostIPs.sync`: `0.0.0.0/0` gets
   * `ReservedIdentityWorldIPv4` and `::/0` `ReservedIdentityWorldIPv6` when `EnableIPv4 && EnableIPv6`, both
   * `ReservedIdentityWorld` otherwise; pkg/labels `getWorldLabel`: the qualified labels of CIDR identities likewise).
   * @default - no sign of a dual-stack cluster
   */
  readonly dualStackEvidence?: string;
  /**
   * The first world end with the identity 2 (`reserved:world`) or, for a CIDR or FQDN identity, the label
   * `reserved:world` (`identity 2 (reserved:world) at line 3`). From Cilium 1.15 the agent gives the world this identity
   * only when it runs one IP family (daemon/cmd/hostips-sync.go `syncHostIPs.sync`: `0.0.0.0/0` or `::/0` gets
   * `ReservedIdentityWorld` when the other family is off, `ReservedIdentityWorldIPv4`/`IPv6` when both are on); before
   * 1.15 every world address has it, whatever the families.
   * @default - no world end with identity 2
   */
  readonly singleStackEvidence?: string;
  /**
   * The first record policy decides (not skipped) at an endpoint whose packet is IPv4, with its IPv4 address
   * (`10.0.1.5 at line 3`; an IPv4-mapped address is IPv4, as the engine judges it: Hubble never writes one, as
   * pkg/hubble/parser/threefour `decodeIPv6` writes `net.IP.String()`, which gives a mapped address in an IPv6 header the
   * dotted form `10.0.1.5`, so `::ffff:` text is hand-made and its header unknown). An agent without IPv4 drops such packets before policy (bpf_lxc.c, DROP_UNKNOWN_L3),
   * which the reader skips as a non-policy drop: a decided IPv4 record shows the cluster runs IPv4.
   * @default - no such record
   */
  readonly firstIpv4Packet?: string;
  /**
   * As `firstIpv4Packet`, for IPv6: the first decided record with an IPv6 address that is not link-scoped
   * (`firstLinkScopedIpv6Packet`).
   * @default - no such record
   */
  readonly firstIpv6Packet?: string;
  /**
   * The first decided record whose IPv6 addresses are all link-local (fe80::/10), multicast (ff00::/8) or unspecified,
   * when no record shows IPv6 otherwise: every pod's kernel uses such addresses for neighbour discovery and MLD whatever
   * the cluster's IP families, so they tell none.
   * @default - no such record
   */
  readonly firstLinkScopedIpv6Packet?: string;
}

/**
 * `identity 9 (reserved:world-ipv4) at line 12` when an end carries a world identity of a dual-stack cluster
 * (pkg/identity/numericidentity.go `ReservedIdentityWorldIPv4` = 9, `ReservedIdentityWorldIPv6` = 10), or the label of one
 * (a CIDR or FQDN identity of a dual-stack cluster carries `reserved:world-ipv4`/`-ipv6` in place of `reserved:world`).
 */
function dualStackSign(ep: HubbleFlow['source'], line: number): string | undefined {
  if (ep === undefined || ep === null) return undefined;
  const id = ep.identity;
  if (id === 9 || id === 10) return `identity ${id} (reserved:world-ipv${id === 9 ? 4 : 6}) at line ${line}`;
  const labels = ep.labels;
  if (!Array.isArray(labels)) return undefined;
  for (const l of labels) {
    if (l === 'reserved:world-ipv4' || l === 'reserved:world-ipv6') return `the label ${l}${typeof id === 'number' ? ` (identity ${id})` : ''} at line ${line}`;
  }
  return undefined;
}

/** `identity 2 (reserved:world) at line 3` when an end carries the world identity of a single-stack cluster (from 1.15). */
function singleStackSign(ep: HubbleFlow['source'], line: number): string | undefined {
  if (ep === undefined || ep === null) return undefined;
  const id = ep.identity;
  if (id === 2) return `identity 2 (reserved:world) at line ${line}`;
  const labels = ep.labels;
  if (!Array.isArray(labels) || !labels.includes('reserved:world')) return undefined;
  return `the label reserved:world${typeof id === 'number' ? ` (identity ${id})` : ''} at line ${line}`;
}

/**
 * Trace observation points only the endpoint's own program (bpf_lxc.c) or its proxy reports: a record at one passed the
 * endpoint's policy. The host's programs (bpf_host.c `cil_to_netdev` TRACE_TO_NETWORK, `cil_to_host` TRACE_TO_STACK, …)
 * trace a node's own packets of any family, whatever the families the agent runs for its endpoints.
 */
const ENDPOINT_TRACE_POINTS = new Set(['TO_ENDPOINT', 'FROM_ENDPOINT', 'TO_PROXY', 'FROM_PROXY']);

/**
 * Whether a decided record shows a packet the agent ran an endpoint's policy on, and so a family it runs
 * (`FlowCapture.firstIpv4Packet`): a policy verdict, a policy drop or an L7 record, or a trace at an endpoint's observation
 * point (`ENDPOINT_TRACE_POINTS`) or with a pod end. A host trace without a pod end tells no family: a node's IPv6 traffic
 * is traced at its devices in an IPv4-only cluster too.
 */
function passedEndpoint(flow: HubbleFlow, s: FlowScratch): boolean {
  if (flow.event_type?.type !== 4) return true;
  const point = flow.trace_observation_point;
  return (typeof point === 'string' && ENDPOINT_TRACE_POINTS.has(point)) || s.srcKey.charCodeAt(0) === 112 /* p */ || s.dstKey.charCodeAt(0) === 112;
}

/**
 * Refuses a record whose ends are of two IP families (`10.0.0.1` → `2001:db8::1`): one packet has one IP header, so no
 * packet is such a record (readFlows reports the line as malformed, never judged). An IPv4-mapped address is IPv4
 * (`addressPacketFamily`), link-scoped IPv6 is IPv6.
 */
function checkOneFamily(src: string | undefined, dst: string | undefined): void {
  if (typeof src !== 'string' || typeof dst !== 'string' || (!src.includes(':') && !dst.includes(':'))) return;
  const [a, b] = [addressPacketFamily(src), addressPacketFamily(dst)];
  if (a === undefined || b === undefined || (a === 4) === (b === 4)) return;
  throw new Error(`IP: the source ${src} is IPv${a === 4 ? 4 : 6} and the destination ${dst} IPv${b === 4 ? 4 : 6}: `
    + 'no packet carries addresses of two IP families (the record is corrupt or hand-edited)');
}

/** The verdict of a connection from its counters. */
export function observedVerdict(c: ObservedConnection): ObservedVerdict {
  const flowed = c.forwarded + c.audit;
  if (c.dropped > 0) {
    // Left the source but dropped at the destination: nothing proves delivery, so the connection was dropped. SCTP dropped
    // at conntrack (the agent runs without enable-sctp) with no record past it: its forwarded records are traces sent
    // before conntrack (`cil_from_container` TRACE_FROM_LXC), so it was dropped too.
    if (flowed === 0 || (c.droppedEgress === 0 && c.delivered === 0)) return ObservedVerdict.DROPPED;
    if (c.dropReasons.includes(SCTP_DISABLED_DROP) && c.delivered === 0 && c.cluster.egress.allowed + c.cluster.ingress.allowed + c.audit === 0) {
      return ObservedVerdict.DROPPED;
    }
    return ObservedVerdict.MIXED;
  }
  if (c.l7Denied > 0) return flowed > 0 ? ObservedVerdict.MIXED : ObservedVerdict.L7_DENIED;
  return c.audit > 0 ? ObservedVerdict.AUDIT : ObservedVerdict.FORWARDED;
}

/**
 * @internal Whether every record of a connection is a reply-type packet one side looked up in policy (`replyLookups`): a
 * reply or error the other end's conntrack matches, so only that side's policy decides it.
 */
export function replyLookupsOnly(c: ObservedConnection): boolean {
  return c.replyLookups > 0 && c.replyLookups === c.flows;
}

/** Whether the cluster let (some of) the connection through. */
export function observedFlowing(c: ObservedConnection): boolean {
  const v = observedVerdict(c);
  return v === ObservedVerdict.FORWARDED || v === ObservedVerdict.AUDIT || v === ObservedVerdict.MIXED;
}

interface MutableConnection {
  key: string;
  source: FlowPeer;
  destination: FlowPeer;
  protocol: string;
  port: number;
  icmpType?: number;
  icmpFamily?: string;
  http?: HttpRequest;
  dns?: string;
  kafka?: KafkaRequest;
  flows: number;
  forwarded: number;
  delivered: number;
  dropped: number;
  droppedEgress: number;
  droppedIngress: number;
  replyLookups: number;
  audit: number;
  l7Denied: number;
  atEgress: number;
  atIngress: number;
  seenOnce: boolean;
  firstLine: number;
  firstTime?: string;
  nodes: string[];
  dropReasons: string[];
  destinationNames: string[];
  policies: string[];
  firstSrcIp: string | undefined;
  firstSrcPort: number;
  /** The pod names of the last record (the bookkeeping below runs only when they change). */
  lastSrcPod: string | undefined | null;
  lastDstPod: string | undefined | null;
  /** What follows the two end keys in `key` (`\n<port/protocol>\n<L7 request>`), to re-key a resolved connection. */
  tail: string;
  first: string | undefined;
  last: string | undefined;
  egress: MutableSide;
  ingress: MutableSide;
}

interface MutableSide {
  allowed: number;
  denied: number;
  audit: number;
  l7Denied: number;
  denyReasons: string[];
  allowedBy: ClusterPolicyRef[];
  deniedBy: ClusterPolicyRef[];
  matchTypes: number[];
}

/** The most pod names, addresses and identities remembered to resolve pod ends (each). */
const MAX_POD_REFERENCES = 100_000;
const MAX_RESOLUTIONS_LISTED = 100;
/** Local-scope identities (CIDR, FQDN) start here. */
const LOCAL_SCOPE = 1 << 24;

const MAX_NODES = 8;
const MAX_NAMES = 16;
const MAX_POLICIES = 8;
const MAX_POD_NAMES = 8;
const MAX_NAMES_PER_ADDRESS = 8;

/**
 * Groups records into connections, one record at a time (`add`), then `finish`. `Connections.collect` reads a source with
 * it.
 */
export class ConnectionCollector {
  private readonly maxConnections: number;
  private readonly maxDns: number;
  /** Connections by compact key: `<source id> <destination id> <port/protocol>[\n<L7 request>]`. */
  private readonly table = new Map<string, MutableConnection>();
  /** Small numbers for peer keys, to keep the connection keys short (hashing long keys per record is what costs). */
  private readonly ids = new Map<string, number>();
  private readonly peers = new Map<string, FlowPeer>();
  private readonly dns = new Map<string, string[]>();
  private readonly clusters = new Map<string, number>();
  /** Records per cluster of the node that observed them (`observerCluster`). */
  private readonly observers = new Map<string, number>();
  /** Cluster → where a record first names it (`clustersNamed`); the last node name read, so each is split once per run. */
  private readonly named = new Map<string, string>();
  private readonly unknownDrops = new Map<string, { records: number; firstLine: number }>();
  /** Unknown drop reasons beyond those named (`unknownDropReasonsOverflow`), at most `MAX_UNKNOWN_DROP_REASONS_COUNTED`. */
  private readonly unknownDropsLeftOut = new Set<string>();
  private unknownDropRecordsLeftOut = 0;
  private lastNode: unknown = undefined;
  private dualStack: string | undefined;
  private singleStack: string | undefined;
  /** The first decided record per packet family (`FlowCapture.firstIpv4Packet`, …). */
  private readonly familySeen = new Map<4 | 6 | 'link-scoped', string>();
  private readonly skips = new Map<FlowSkipReason, number>();
  private readonly scratch = new FlowScratch();
  /** `<namespace>/<pod>` → pod key (null: seen with two label sets). */
  private readonly podRefs = new Map<string, string | null>();
  /** Pod address (from records with labels and a pod name) → pod key (null: ambiguous). */
  private readonly podIps = new Map<string, string | null>();
  /** Cluster identity number → pod key (null: ambiguous). */
  private readonly podIds = new Map<number, string | null>();
  private first: string | undefined;
  private last: string | undefined;
  private records = 0;
  private grouped = 0;
  private overflow = 0;
  private dnsOverflow = 0;

  /**
   * A collector to feed records to (`add`) and then `finish`.
   * @param options the connection and DNS-address limits
   */
  constructor(options: CollectOptions = {}) {
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.maxDns = options.maxDnsAddresses ?? 100_000;
    this.scratch.allowFragNeeded = options.allowIcmpFragNeeded ?? true;
  }

  /** Adds one record (its line number is kept for the report). */
  public add(flow: HubbleFlow, line: number): void {
    const s = this.scratch;
    const decided = classifyFlow(flow, s);
    if (decided) {
      // Before anything is counted: an end that cannot be a Kubernetes pod makes the line malformed (readFlows reports the error).
      this.checkPeer(s.srcKey, flow.source, s.srcIp, 'source');
      this.checkPeer(s.dstKey, flow.destination, s.dstIp, 'destination');
      checkOneFamily(s.srcIp, s.dstIp);
    }
    this.records++;
    this.noteClusters(flow, line);
    if (this.dualStack === undefined) this.dualStack = dualStackSign(flow.source, line) ?? dualStackSign(flow.destination, line);
    if (this.singleStack === undefined) this.singleStack = singleStackSign(flow.source, line) ?? singleStackSign(flow.destination, line);
    const l7 = flow.l7;
    if (l7 !== undefined && l7 !== null && l7.type === 'RESPONSE' && l7.dns !== undefined && l7.dns !== null) this.learnDns(l7.dns.query, l7.dns.ips);
    if (!decided) {
      const reason = s.skip as FlowSkipReason;
      this.skips.set(reason, (this.skips.get(reason) ?? 0) + 1);
      if (reason === FlowSkipReason.UNKNOWN_DROP_REASON) this.noteUnknownDrop(flow, line);
      return;
    }
    if ((!this.familySeen.has(4) || !this.familySeen.has(6)) && passedEndpoint(flow, s)) this.noteFamily(line);
    const srcId = this.ids.get(s.srcKey);
    const dstId = this.ids.get(s.dstKey);
    let c = srcId !== undefined && dstId !== undefined ? this.table.get(compactKey(srcId, dstId, s)) : undefined;
    if (c === undefined) {
      if (this.table.size >= this.maxConnections) {
        this.overflow++;
        return;
      }
      c = this.create(connectionKey(s), flow, line);
      this.table.set(compactKey(srcId ?? this.idOf(s.srcKey), dstId ?? this.idOf(s.dstKey), s), c);
    } else if (c.seenOnce && (c.firstSrcIp !== s.srcIp || c.firstSrcPort !== s.srcPort || s.protocol === 'ICMP')) {
      c.seenOnce = false;
    }
    this.grouped++;
    c.flows++;
    const time = flow.time;
    // Nine fractional digits (what current agents write) sort as they are: checked for shape here, for digits at the end.
    const t = typeof time === 'string' && time.length === 30 && time.charCodeAt(29) === 90 && time.charCodeAt(19) === 46 ? time : timeKey(time);
    if (t !== undefined) {
      // The capture's window holds every connection's: it can only move when a connection's does.
      if (c.first === undefined || t < c.first) {
        c.first = t;
        if (this.first === undefined || t < this.first) this.first = t;
      }
      if (c.last === undefined || t > c.last) {
        c.last = t;
        if (this.last === undefined || t > this.last) this.last = t;
      }
    }
    // Forwarded records carry a decision only as policy verdicts (type 5); drops, audits and L7 refusals always do.
    if (s.direction !== 0 && (s.observed !== 0 || flow.event_type?.type === 5)) noteDecision(s.direction === 1 ? c.egress : c.ingress, flow, s);
    const srcPod = flow.source?.pod_name;
    if (srcPod !== c.lastSrcPod) {
      c.lastSrcPod = srcPod;
      if (s.srcKey.charCodeAt(0) === 112 /* p */) this.notePod(s.srcKey, flow.source, s.srcIp);
      this.notePodName(c.source, srcPod);
    }
    const dstPod = flow.destination?.pod_name;
    if (dstPod !== c.lastDstPod) {
      c.lastDstPod = dstPod;
      if (s.dstKey.charCodeAt(0) === 112) this.notePod(s.dstKey, flow.destination, s.dstIp);
      this.notePodName(c.destination, dstPod);
    }
    switch (s.observed) {
      case 0:
        c.forwarded++;
        break;
      case 1:
        c.dropped++;
        if (s.direction === 1) c.droppedEgress++;
        else if (s.direction === 2) c.droppedIngress++;
        if (s.dropReason !== undefined && !c.dropReasons.includes(s.dropReason)) c.dropReasons.push(s.dropReason);
        break;
      case 2:
        c.audit++;
        break;
      default:
        c.l7Denied++;
    }
    if (s.replyLookup) c.replyLookups++;
    if (s.delivered) c.delivered++;
    if (s.direction === 1) c.atEgress++;
    else if (s.direction === 2) c.atIngress++;
    const node = flow.node_name;
    if (typeof node === 'string' && c.nodes.length < MAX_NODES && !c.nodes.includes(node)) c.nodes.push(node);
    const observer = observerCluster(node, s.direction === 1 ? c.source : s.direction === 2 ? c.destination : undefined);
    if (observer !== undefined) this.observers.set(observer, (this.observers.get(observer) ?? 0) + 1);
    const names = flow.destination_names;
    if (names !== undefined && names !== null && names.length > 0 && c.destinationNames.length < MAX_NAMES) {
      addNames(c.destinationNames, names, MAX_NAMES);
    }
    if (c.policies.length < MAX_POLICIES) {
      addPolicies(c.policies, flow.egress_allowed_by);
      addPolicies(c.policies, flow.ingress_allowed_by);
      addPolicies(c.policies, flow.egress_denied_by);
      addPolicies(c.policies, flow.ingress_denied_by);
    }
  }

  /**
   * The capture: connections in order of first appearance, with the read statistics.
   * @param input what the reader saw (default: a source named `<records>` holding the records added, nothing else)
   */
  public finish(input?: FlowReadStats): FlowCapture {
    input ??= {
      source: '<records>', gzip: false, lines: this.records, blankLines: 0, flows: this.records, formats: { jsonpb: this.records, legacy: 0 },
      otherRecords: {}, lostEvents: 0, malformedCount: 0, malformed: [],
    };
    // The local cluster is the one whose nodes observed the records; the pods' cluster labels only when no record tells.
    let clusterName: string | undefined;
    let best = 0;
    for (const [name, n] of [...(this.observers.size > 0 ? this.observers : this.clusters)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (n > best) {
        best = n;
        clusterName = name;
      }
    }
    const skipped = Object.fromEntries([...this.skips].sort(([a], [b]) => (a < b ? -1 : 1))) as Partial<Record<FlowSkipReason, number>>;
    const resolved: IdentityResolution[] = [];
    const merged = this.resolveEnds(resolved);
    const connections: ObservedConnection[] = [];
    for (const c of merged) {
      const { firstSrcIp: ip, firstSrcPort: port, tail: _tail, first, last, egress, ingress, lastSrcPod: _s, lastDstPod: _d, ...rest } = c;
      connections.push({
        ...rest,
        firstSource: c.protocol === 'ICMP' ? `${ip ?? ''}` : `${ip ?? ''}:${port}`,
        ...(validTime(first) && validTime(last) ? { window: { first: first as string, last: last as string } } : {}),
        cluster: { egress, ingress },
      });
    }
    return {
      input,
      skipped,
      grouped: this.grouped,
      connections,
      overflowFlows: this.overflow,
      maxConnections: this.maxConnections,
      ...(clusterName !== undefined ? { clusterName } : {}),
      ...(this.unknownDrops.size > 0 ? { unknownDropReasons: [...this.unknownDrops].map(([value, v]) => ({ value, ...v })) } : {}),
      ...(this.unknownDropRecordsLeftOut > 0
        ? { unknownDropReasonsOverflow: { values: this.unknownDropsLeftOut.size, records: this.unknownDropRecordsLeftOut } } : {}),
      ...(this.named.size > 0 ? { clustersNamed: Object.fromEntries([...this.named].sort(([a], [b]) => (a < b ? -1 : 1))) } : {}),
      dnsAnswers: stringMap(this.dns),
      dnsOverflow: this.dnsOverflow,
      ...(validTime(this.first) && validTime(this.last) ? { window: { first: this.first as string, last: this.last as string } } : {}),
      resolved,
      // An address seen with two pods is still a pod address (never a CIDR to draft), though it resolves nothing.
      podAddresses: [...this.podIps.keys()],
      ...(this.dualStack !== undefined ? { dualStackEvidence: this.dualStack } : {}),
      ...(this.singleStack !== undefined ? { singleStackEvidence: this.singleStack } : {}),
      ...(this.familySeen.has(4) ? { firstIpv4Packet: this.familySeen.get(4) } : {}),
      ...(this.familySeen.has(6) ? { firstIpv6Packet: this.familySeen.get(6) } : {}),
      ...(!this.familySeen.has(6) && this.familySeen.has('link-scoped') ? { firstLinkScopedIpv6Packet: this.familySeen.get('link-scoped') } : {}),
    };
  }

  /** Notes the packet family of the decided record at `line` (its addresses in the scratch), the first of each. */
  private noteFamily(line: number): void {
    for (const ip of [this.scratch.srcIp, this.scratch.dstIp]) {
      // Cheap first: an address without ':' is IPv4, and once one is noted no other needs a parse.
      if (typeof ip !== 'string' || (this.familySeen.has(4) && !ip.includes(':'))) continue;
      const family = addressPacketFamily(ip);
      if (family !== undefined && !this.familySeen.has(family)) this.familySeen.set(family, `${ip} at line ${line}`);
    }
  }

  /** Remembers a pod end's name, address and identity, to resolve the ends that name a pod without its labels. */
  private notePod(key: string, ep: HubbleFlow['source'], ip: string | undefined): void {
    const name = ep?.pod_name;
    const ns = ep?.namespace;
    if (typeof name === 'string' && name !== '' && typeof ns === 'string' && ns !== '') {
      remember(this.podRefs, `${ns}/${name}`, key);
      // An address names a pod only together with a pod name: the proxy's upstream leg carries the pod's labels from the
      // node's address.
      // Keyed by the address packets carry (`unmappedText`): `::ffff:10.0.0.5` names the pod at 10.0.0.5.
      if (typeof ip === 'string' && ip !== '') remember(this.podIps, unmappedText(ip), key);
    }
    const id = ep?.identity;
    if (typeof id === 'number' && id >= 256 && id < LOCAL_SCOPE) remember(this.podIds, id, key);
  }

  /**
   * The connections with their unknown pod ends resolved where the capture allows, connections that become the same
   * merged (in order of first appearance).
   */
  private resolveEnds(resolved: IdentityResolution[]): MutableConnection[] {
    const peers = new Map<FlowPeer, FlowPeer>();
    const resolve = (peer: FlowPeer): FlowPeer => {
      if (peer.kind !== 'unknown') return peer;
      const known = peers.get(peer);
      if (known !== undefined) return known;
      let key: string | null | undefined;
      let by = IdentityResolutionMethod.POD_NAME;
      if (peer.key.startsWith('u:#')) {
        key = this.podIds.get(Number(peer.key.slice(3)));
        by = IdentityResolutionMethod.IDENTITY;
      } else {
        key = this.podRefs.get(peer.key.slice(2));
      }
      if ((key === undefined || key === null) && peer.ip !== undefined) {
        const k = this.podIps.get(unmappedText(peer.ip));
        const p = typeof k === 'string' ? this.peers.get(k) : undefined;
        if (p !== undefined && (peer.namespace === undefined || p.namespace === peer.namespace)) {
          key = k;
          by = IdentityResolutionMethod.ADDRESS;
        }
      }
      const target = typeof key === 'string' ? this.peers.get(key) : undefined;
      const out = target ?? peer;
      if (target !== undefined) {
        for (const n of peer.podNames) this.notePodName(target, n);
        if (resolved.length < MAX_RESOLUTIONS_LISTED) {
          resolved.push({ end: peer.key.slice(2), by, namespace: target.namespace ?? 'default', labels: target.labels ?? {} });
        }
      }
      peers.set(peer, out);
      return out;
    };
    const out = new Map<string, MutableConnection>();
    for (const c of this.table.values()) {
      const source = resolve(c.source);
      const destination = resolve(c.destination);
      // The connections of the result are copies (`detached`): merging into one, or a later `add`, never changes the table,
      // so a second `finish()` counts each record once again, not twice.
      if (source === c.source && destination === c.destination) {
        const existing = out.get(c.key);
        if (existing === undefined) out.set(c.key, detached(c));
        else mergeConnection(existing, c);
        continue;
      }
      const key = `${source.key}\n${destination.key}${c.tail}`;
      const existing = out.get(key);
      if (existing === undefined) out.set(key, { ...detached(c), key, source, destination });
      else mergeConnection(existing, { ...c, source, destination });
    }
    return [...out.values()];
  }

  /** Notes the clusters a record names by its node's name and its ends' `cluster_name` (`clustersNamed`; pod labels: `peer`). */
  private noteClusters(flow: HubbleFlow, line: number): void {
    const node = flow.node_name;
    if (node !== this.lastNode) {
      this.lastNode = node;
      const slash = typeof node === 'string' ? node.indexOf('/') : -1;
      if (slash > 0) this.nameCluster((node as string).slice(0, slash), `node ${node as string} at line ${line}`);
    }
    for (const side of ['source', 'destination'] as const) {
      const name = flow[side]?.cluster_name;
      if (typeof name === 'string' && name !== '' && !this.named.has(name)) this.nameCluster(name, `${side}.cluster_name ${name} at line ${line}`);
    }
  }

  private noteUnknownDrop(flow: HubbleFlow, line: number): void {
    const value = unknownDropReason(flow) as string;
    const seen = this.unknownDrops.get(value);
    if (seen !== undefined) {
      seen.records++;
    } else if (this.unknownDrops.size < MAX_UNKNOWN_DROP_REASONS) {
      this.unknownDrops.set(value, { records: 1, firstLine: line });
    } else {
      this.unknownDropRecordsLeftOut++;
      if (this.unknownDropsLeftOut.size < MAX_UNKNOWN_DROP_REASONS_COUNTED) this.unknownDropsLeftOut.add(value);
    }
  }

  private nameCluster(name: string, where: string): void {
    if (!this.named.has(name)) this.named.set(name, where);
  }

  private create(key: string, flow: HubbleFlow, line: number): MutableConnection {
    const s = this.scratch;
    const source = this.peer(s.srcKey, flow.source, s.srcIp, line);
    const destination = this.peer(s.dstKey, flow.destination, s.dstIp, line);
    const req = s.l7Key !== '' ? l7Request(flow.l7) : {};
    return {
      key,
      source,
      destination,
      protocol: s.protocol,
      port: s.port,
      ...(s.protocol === 'ICMP' ? { icmpType: s.icmpType, icmpFamily: s.icmpFamily } : {}),
      ...req,
      flows: 0,
      forwarded: 0,
      delivered: 0,
      dropped: 0,
      droppedEgress: 0,
      droppedIngress: 0,
      replyLookups: 0,
      audit: 0,
      l7Denied: 0,
      atEgress: 0,
      atIngress: 0,
      seenOnce: true,
      firstLine: line,
      ...(typeof flow.time === 'string' ? { firstTime: flow.time } : {}),
      nodes: [],
      dropReasons: [],
      destinationNames: [],
      policies: [],
      firstSrcIp: s.srcIp,
      firstSrcPort: s.srcPort,
      lastSrcPod: null,
      lastDstPod: null,
      tail: key.slice(s.srcKey.length + s.dstKey.length + 1),
      first: undefined,
      last: undefined,
      egress: newSide(),
      ingress: newSide(),
    };
  }

  private idOf(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return id;
  }

  /** Throws when the pod end of `key` (not yet seen) cannot be a Kubernetes pod: `flowPeerProblem`. */
  private checkPeer(key: string, ep: HubbleFlow['source'], ip: string | undefined, side: 'source' | 'destination'): void {
    if (key.charCodeAt(0) !== 112 /* p */ || this.peers.has(key)) return;
    const problem = flowPeerProblem(flowPeer(key, ep, ip), ep);
    if (problem !== undefined) throw new Error(`${side}: ${problem}`);
  }

  private peer(key: string, ep: HubbleFlow['source'], ip: string | undefined, line: number): FlowPeer {
    let p = this.peers.get(key);
    if (p === undefined) {
      p = flowPeer(key, ep, ip);
      this.peers.set(key, p);
      if (p.cluster !== undefined) {
        this.clusters.set(p.cluster, (this.clusters.get(p.cluster) ?? 0) + 1);
        this.nameCluster(p.cluster, `pod ${p.namespace ?? '?'}/${p.podNames[0] ?? '(no pod name)'} (${CLUSTER_KEY}=${p.cluster}) at line ${line}`);
      }
    }
    return p;
  }

  private notePodName(peer: FlowPeer, name: string | undefined): void {
    if (peer.kind !== 'pod' || typeof name !== 'string' || name === '') return;
    const names = peer.podNames as string[];
    if (names.length < MAX_POD_NAMES && !names.includes(name)) names.push(name);
  }

  private learnDns(query: string | undefined, ips: readonly string[] | undefined): void {
    if (typeof query !== 'string' || query === '' || ips === undefined || ips === null) return;
    const name = capturedDnsName(query);
    for (const ip of ips) {
      if (typeof ip !== 'string') continue;
      let names = this.dns.get(ip);
      if (names === undefined) {
        if (this.dns.size >= this.maxDns) {
          this.dnsOverflow++;
          continue;
        }
        names = [];
        this.dns.set(ip, names);
      }
      if (names.length < MAX_NAMES_PER_ADDRESS && !names.includes(name)) names.push(name);
    }
  }
}

function compactKey(src: number, dst: number, s: FlowScratch): string {
  return s.l7Key === '' ? `${src} ${dst} ${s.l4Key}` : `${src} ${dst} ${s.l4Key}\n${s.l7Key}`;
}

function addNames(into: string[], names: readonly string[], max: number): void {
  for (const n of names) {
    if (typeof n !== 'string' || n === '') continue;
    const name = capturedDnsName(n);
    if (into.length >= max) return;
    if (!into.includes(name)) into.push(name);
  }
}

function addPolicies(into: string[], list: readonly HubblePolicy[] | undefined): void {
  if (list === undefined || list === null) return;
  for (const p of list) {
    if (into.length >= MAX_POLICIES) return;
    const text = `${p?.kind ?? 'policy'} ${p?.namespace ? `${p.namespace}/` : ''}${p?.name ?? '?'}`;
    if (!into.includes(text)) into.push(text);
  }
}

function remember<K>(map: Map<K, string | null>, k: K, key: string): void {
  const known = map.get(k);
  if (known === undefined) {
    if (map.size < MAX_POD_REFERENCES) map.set(k, key);
  } else if (known !== null && known !== key) {
    map.set(k, null);
  }
}

function newSide(): MutableSide {
  return { allowed: 0, denied: 0, audit: 0, l7Denied: 0, denyReasons: [], allowedBy: [], deniedBy: [], matchTypes: [] };
}

/** Notes the decision a record carries at its side: policy verdicts (type 5), policy drops, L7 refusals. */
function noteDecision(side: MutableSide, flow: HubbleFlow, s: FlowScratch): void {
  const et = flow.event_type?.type;
  switch (s.observed) {
    case 0: // forwarded or redirected: a decision only on a policy-verdict event
      if (et !== 5) return;
      side.allowed++;
      if (typeof flow.policy_match_type === 'number' && !side.matchTypes.includes(flow.policy_match_type) && side.matchTypes.length < 8) {
        side.matchTypes.push(flow.policy_match_type);
      }
      break;
    case 1:
      side.denied++;
      if (s.dropReason !== undefined && !side.denyReasons.includes(s.dropReason)) side.denyReasons.push(s.dropReason);
      break;
    case 2:
      if (et !== 5 && et !== undefined) return;
      side.audit++;
      break;
    default:
      side.l7Denied++;
  }
  const egress = s.direction === 1;
  addRefs(side.allowedBy, egress ? flow.egress_allowed_by : flow.ingress_allowed_by);
  addRefs(side.deniedBy, egress ? flow.egress_denied_by : flow.ingress_denied_by);
}

const POLICY_NAME_LABEL = 'k8s:io.cilium.k8s.policy.name=';
const POLICY_NAMESPACE_LABEL = 'k8s:io.cilium.k8s.policy.namespace=';
const POLICY_KIND_LABEL = 'k8s:io.cilium.k8s.policy.derived-from=';

/** The policy a `Policy` message names: its fields, else its labels (as the agent's correlation derives them). */
export function clusterPolicyRef(p: HubblePolicy | undefined): ClusterPolicyRef | undefined {
  if (p === undefined || p === null) return undefined;
  const label = (prefix: string): string | undefined => {
    const l = Array.isArray(p.labels) ? p.labels.find((x) => typeof x === 'string' && x.startsWith(prefix)) : undefined;
    return l?.slice(prefix.length);
  };
  const name = typeof p.name === 'string' && p.name !== '' ? p.name : label(POLICY_NAME_LABEL);
  if (name === undefined || name === '') return undefined;
  const namespace = typeof p.namespace === 'string' && p.namespace !== '' ? p.namespace : label(POLICY_NAMESPACE_LABEL);
  const kind = typeof p.kind === 'string' && p.kind !== '' ? p.kind : label(POLICY_KIND_LABEL);
  return { name, ...(namespace ? { namespace } : {}), ...(kind ? { kind } : {}) };
}

/** `CiliumNetworkPolicy shop/web`, `CiliumClusterwideNetworkPolicy baseline`, `policy shop/web` (kind unknown). */
export function clusterPolicyText(p: ClusterPolicyRef): string {
  return `${p.kind ?? 'policy'} ${p.namespace !== undefined ? `${p.namespace}/` : ''}${p.name}`;
}

function addRefs(into: ClusterPolicyRef[], list: readonly HubblePolicy[] | undefined): void {
  if (list === undefined || list === null) return;
  addRefList(into, list.map(clusterPolicyRef).filter((r): r is ClusterPolicyRef => r !== undefined));
}

function addRefList(into: ClusterPolicyRef[], refs: readonly ClusterPolicyRef[]): void {
  for (const ref of refs) {
    if (into.length >= MAX_POLICIES) return;
    if (!into.some((x) => x.name === ref.name && x.namespace === ref.namespace && x.kind === ref.kind)) into.push(ref);
  }
}

function mergeSide(into: MutableSide, from: MutableSide): void {
  into.allowed += from.allowed;
  into.denied += from.denied;
  into.audit += from.audit;
  into.l7Denied += from.l7Denied;
  for (const r of from.denyReasons) if (!into.denyReasons.includes(r)) into.denyReasons.push(r);
  for (const t of from.matchTypes) if (!into.matchTypes.includes(t) && into.matchTypes.length < 8) into.matchTypes.push(t);
  addRefList(into.allowedBy, from.allowedBy);
  addRefList(into.deniedBy, from.deniedBy);
}

/** A copy of a connection whose lists and sides are its own (what `mergeConnection` adds to). */
function detached(c: MutableConnection): MutableConnection {
  const side = (s: MutableSide): MutableSide => ({
    ...s, denyReasons: [...s.denyReasons], allowedBy: [...s.allowedBy], deniedBy: [...s.deniedBy], matchTypes: [...s.matchTypes],
  });
  return {
    ...c, nodes: [...c.nodes], dropReasons: [...c.dropReasons], destinationNames: [...c.destinationNames], policies: [...c.policies],
    egress: side(c.egress), ingress: side(c.ingress),
  };
}

/** Adds the records of `from` to `into` (the same connection once its ends are resolved). */
function mergeConnection(into: MutableConnection, from: MutableConnection): void {
  into.flows += from.flows;
  into.forwarded += from.forwarded;
  into.delivered += from.delivered;
  into.dropped += from.dropped;
  into.droppedEgress += from.droppedEgress;
  into.droppedIngress += from.droppedIngress;
  into.replyLookups += from.replyLookups;
  into.audit += from.audit;
  into.l7Denied += from.l7Denied;
  into.atEgress += from.atEgress;
  into.atIngress += from.atIngress;
  into.seenOnce = into.seenOnce && from.seenOnce && into.firstSrcIp === from.firstSrcIp && into.firstSrcPort === from.firstSrcPort && into.protocol !== 'ICMP';
  if (from.firstLine < into.firstLine) {
    into.firstLine = from.firstLine;
    if (from.firstTime !== undefined) into.firstTime = from.firstTime;
    else delete into.firstTime;
  }
  if (from.first !== undefined && (into.first === undefined || from.first < into.first)) into.first = from.first;
  if (from.last !== undefined && (into.last === undefined || from.last > into.last)) into.last = from.last;
  for (const n of from.nodes) if (into.nodes.length < MAX_NODES && !into.nodes.includes(n)) into.nodes.push(n);
  for (const r of from.dropReasons) if (!into.dropReasons.includes(r)) into.dropReasons.push(r);
  addNames(into.destinationNames, from.destinationNames, MAX_NAMES);
  for (const p of from.policies) if (into.policies.length < MAX_POLICIES && !into.policies.includes(p)) into.policies.push(p);
  mergeSide(into.egress, from.egress);
  mergeSide(into.ingress, from.ingress);
}

/** Whether a time kept unchecked on the hot path has the normalised shape (digits included). */
function validTime(t: string | undefined): boolean {
  return t !== undefined && t.length === 30 && timeKey(t) === t;
}

/** Seconds from `first` to `last` (two `timeKey` values), to the nanosecond as far as a double allows. */
export function windowSeconds(w: TimeWindow): number {
  const secs = (t: string): number => Date.parse(`${t.slice(0, 19)}Z`) / 1000;
  const frac = (t: string): number => Number(t.slice(20, 29)) / 1e9;
  return (secs(w.last) - secs(w.first)) + (frac(w.last) - frac(w.first));
}

/**
 * The connections of a Hubble flow log: its records grouped by source identity, destination, port/protocol and L7 request,
 * with what the cluster decided. What `Replay` judges and `Draft` drafts from.
 */
export class Connections {
  /**
   * Reads a flow log and groups its records into connections (streaming: memory is bounded by the connection limit, not
   * by the input size).
   * @param source the flow log
   * @param options limits of the read and of the table
   * @throws CiliumPolicyError (`hubble-input-incomplete`) when the log is no UTF-8 text (UTF-16, as PowerShell 5's `>`
   * writes it): nothing of it can be read; the fix names the command that converts it
   */
  public static async collect(source: FlowSource, options: CollectOptions = {}): Promise<FlowCapture> {
    checkOptionKeys(options, COLLECT_OPTION_DEFAULTS, { call: 'Connections.collect()', risk: READ_RISK });
    return collectConnections(source, options);
  }

  private constructor() {}
}

/**
 * Reads a flow log and groups its records into connections (streaming: memory is bounded by the connection limit, not
 * by the input size).
 * @throws CiliumPolicyError (`hubble-input-incomplete`) when the log is no UTF-8 text (`undecodedInput`)
 */
export async function collectConnections(source: FlowSource, options: CollectOptions = {}): Promise<FlowCapture> {
  const collector = new ConnectionCollector(options);
  const onFlow: FlowHandler = (flow, line) => collector.add(flow, line);
  const input = await readFlows(source, onFlow, options);
  const undecoded = undecodedInput(input);
  if (undecoded) throw undecoded;
  return collector.finish(input);
}

/**
 * The error of a flow log the reader refused whole, before its first line, for its encoding (`readErrorFix` set: UTF-16
 * or UTF-32 text): no capture of it is judged or drafted from, by the commands (exit 2) and the library alike; a
 * replay of it would otherwise be a report of no connection with a warning only. `undefined` for any other input.
 */
export function undecodedInput(input: FlowReadStats): CiliumPolicyError | undefined {
  if (input.readError === undefined || input.readErrorFix === undefined) return undefined;
  return new CiliumPolicyError({ id: 'hubble-input-incomplete', message: `${input.source}:1: ${input.readError}; nothing is judged`, fix: input.readErrorFix });
}

/** A map as a plain object without prototype (keys come from the flow log: `constructor` or `__proto__` is data here). */
function stringMap<T>(map: ReadonlyMap<string, T>): { [key: string]: T } {
  const out = Object.create(null) as { [key: string]: T };
  for (const [k, v] of map) out[k] = v;
  return out;
}

/**
 * What of a capture's input was not read or judged, as one phrase (`undefined` when every record was read and judged):
 * records beyond the connection limit, malformed lines skipped, a read that ended early. `replay` fails closed on it and
 * `draft` warns. Events Hubble lost before the log are a warning only: no reading of the log can recover them.
 */
export function unreadInput(capture: FlowCapture): string | undefined {
  const input = capture.input;
  const parts = [
    capture.overflowFlows > 0 ? `${capture.overflowFlows} record${capture.overflowFlows === 1 ? '' : 's'} beyond ${capture.maxConnections} connection${capture.maxConnections === 1 ? '' : 's'}` : '',
    input.malformedCount > 0
      ? `${input.malformedCount} malformed line${input.malformedCount === 1 ? '' : 's'} skipped (first: line ${input.malformed[0]?.line ?? '?'})` : '',
    input.readError !== undefined ? `the input ended early after line ${input.lines}` : '',
  ].filter((p) => p !== '');
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** What to do about the input `unreadInput` names: raise the connection limit, repair the lines the reader refused. */
export function unreadInputFix(capture: FlowCapture): string {
  return [
    capture.overflowFlows > 0 ? 'raise --max-connections' : '',
    capture.input.malformedCount > 0 || capture.input.readError !== undefined ? 'repair or remove the lines named (a truncated last line, other output mixed in)' : '',
  ].filter((p) => p !== '').join('; ');
}

/**
 * The cluster of the node that observed a record: the prefix of its `node_name` (pkg/node/types `GetAbsoluteNodeName`:
 * `<cluster>/<node>` when the agent's cluster is named), else the cluster label of the end the record was taken at (the
 * destination of an ingress record, the source of an egress one: a policy verdict is the local endpoint's).
 */
function observerCluster(node: string | undefined, local: FlowPeer | undefined): string | undefined {
  if (typeof node === 'string') {
    const slash = node.indexOf('/');
    if (slash > 0) return node.slice(0, slash);
  }
  return local?.kind === 'pod' ? local.cluster : undefined;
}
