/**
 * Grouping of flow records into connections: (source identity labels, destination, port/protocol, L7 request). A
 * million records of a real capture typically collapse to a few thousand connections; the table is bounded anyway
 * (`maxConnections`): records of connections beyond the limit are counted, not kept. Peers are shared between the
 * connections that name them. DNS answers seen in the same log (L7 DNS responses: query → IPs) are kept, bounded, to
 * resolve world addresses to names later; `destination_names` on the records are kept per connection.
 */
import { HttpRequest, KafkaRequest } from '../engine/l7';
import { FlowHandler, FlowReadOptions, FlowReadStats, FlowSource, readFlows } from './flow-reader';
import {
  FlowPeer, FlowScratch, FlowSkipReason, HubbleFlow, HubblePolicy, classifyFlow, connectionKey, flowPeer, l7Request,
} from './flow';

/**
 * The default bound on connections kept (and judged by replay). Memory grows with the connections kept, about 16 KB each
 * once judged with their explanations (a replay of 200,000 distinct connections peaked at 1.8 GB with a bound of 100,000,
 * and at 310 MB with this one; 1,000,000 distinct connections at 320 MB); records of further connections are counted and
 * reported, not judged.
 */
export const DEFAULT_MAX_CONNECTIONS = 10_000;

/** Options of `collectConnections`. */
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
}

/** What the cluster did with a connection, over all its records. */
export type ObservedVerdict = 'forwarded' | 'dropped' | 'audit' | 'l7-denied' | 'mixed';

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
  readonly nodes: readonly string[];
  /** Policy drop reasons seen. */
  readonly dropReasons: readonly string[];
  /** DNS names of the destination from `destination_names` (at most 16). */
  readonly destinationNames: readonly string[];
  /** Policies the records name (`*_allowed_by`, `*_denied_by`), as `Kind namespace/name` (at most 8). */
  readonly policies: readonly string[];
}

/** The connections of a capture, with what was read and skipped. */
export interface FlowCapture {
  /** What the reader saw. */
  readonly input: FlowReadStats;
  /** Skipped records by reason (only reasons that occurred, sorted). */
  readonly skipped: Readonly<Partial<Record<FlowSkipReason, number>>>;
  /** Records grouped into connections. */
  readonly grouped: number;
  /** The connections, in order of first appearance. */
  readonly connections: readonly ObservedConnection[];
  /** Records not grouped because `maxConnections` was reached. */
  readonly overflowFlows: number;
  /** The connection limit in force. */
  readonly maxConnections: number;
  /**
   * The local cluster name, from the pods' `io.cilium.k8s.policy.cluster` label (the most common one).
   * @default - none found
   */
  readonly clusterName?: string;
  /** DNS answers seen: address → names (lower case, no trailing dot). */
  readonly dnsAnswers: ReadonlyMap<string, readonly string[]>;
  /** Addresses not remembered because `maxDnsAddresses` was reached. */
  readonly dnsOverflow: number;
}

/** The verdict of a connection from its counters. */
export function observedVerdict(c: ObservedConnection): ObservedVerdict {
  const flowed = c.forwarded + c.audit;
  if (c.dropped > 0) {
    // Left the source but dropped at the destination: nothing proves delivery, so the connection was dropped.
    if (flowed === 0 || (c.droppedEgress === 0 && c.delivered === 0)) return 'dropped';
    return 'mixed';
  }
  if (c.l7Denied > 0) return flowed > 0 ? 'mixed' : 'l7-denied';
  return c.audit > 0 ? 'audit' : 'forwarded';
}

/** Whether the cluster let (some of) the connection through. */
export function observedFlowing(c: ObservedConnection): boolean {
  const v = observedVerdict(c);
  return v === 'forwarded' || v === 'audit' || v === 'mixed';
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
}

const MAX_NODES = 8;
const MAX_NAMES = 16;
const MAX_POLICIES = 8;
const MAX_POD_NAMES = 8;
const MAX_NAMES_PER_ADDRESS = 8;

/**
 * Groups records into connections, one record at a time (`add`), then `finish`. Use `collectConnections` to read a
 * source; use this class to feed records from elsewhere.
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
  private readonly skips = new Map<FlowSkipReason, number>();
  private readonly scratch = new FlowScratch();
  private records = 0;
  private grouped = 0;
  private overflow = 0;
  private dnsOverflow = 0;

  constructor(options: CollectOptions = {}) {
    this.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
    this.maxDns = options.maxDnsAddresses ?? 100_000;
  }

  /** Adds one record (its line number is kept for the report). */
  public add(flow: HubbleFlow, line: number): void {
    const s = this.scratch;
    this.records++;
    const l7 = flow.l7;
    if (l7 !== undefined && l7 !== null && l7.type === 'RESPONSE' && l7.dns !== undefined && l7.dns !== null) this.learnDns(l7.dns.query, l7.dns.ips);
    if (!classifyFlow(flow, s)) {
      const reason = s.skip as FlowSkipReason;
      this.skips.set(reason, (this.skips.get(reason) ?? 0) + 1);
      return;
    }
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
    if (s.delivered) c.delivered++;
    if (s.direction === 1) c.atEgress++;
    else if (s.direction === 2) c.atIngress++;
    const node = flow.node_name;
    if (typeof node === 'string' && c.nodes.length < MAX_NODES && !c.nodes.includes(node)) c.nodes.push(node);
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
    this.notePodName(c.source, flow.source?.pod_name);
    this.notePodName(c.destination, flow.destination?.pod_name);
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
    let clusterName: string | undefined;
    let best = 0;
    for (const [name, n] of [...this.clusters].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (n > best) {
        best = n;
        clusterName = name;
      }
    }
    const skipped = Object.fromEntries([...this.skips].sort(([a], [b]) => (a < b ? -1 : 1))) as Partial<Record<FlowSkipReason, number>>;
    const connections: ObservedConnection[] = [];
    for (const c of this.table.values()) {
      const { firstSrcIp: ip, firstSrcPort: port, ...rest } = c;
      connections.push({ ...rest, firstSource: c.protocol === 'ICMP' ? `${ip ?? ''}` : `${ip ?? ''}:${port}` });
    }
    return {
      input,
      skipped,
      grouped: this.grouped,
      connections,
      overflowFlows: this.overflow,
      maxConnections: this.maxConnections,
      ...(clusterName !== undefined ? { clusterName } : {}),
      dnsAnswers: this.dns,
      dnsOverflow: this.dnsOverflow,
    };
  }

  private create(key: string, flow: HubbleFlow, line: number): MutableConnection {
    const s = this.scratch;
    const source = this.peer(s.srcKey, flow.source, s.srcIp);
    const destination = this.peer(s.dstKey, flow.destination, s.dstIp);
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

  private peer(key: string, ep: HubbleFlow['source'], ip: string | undefined): FlowPeer {
    let p = this.peers.get(key);
    if (p === undefined) {
      p = flowPeer(key, ep, ip);
      this.peers.set(key, p);
      if (p.cluster !== undefined) this.clusters.set(p.cluster, (this.clusters.get(p.cluster) ?? 0) + 1);
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
    const name = query.toLowerCase().replace(/\.$/, '');
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
    const name = n.toLowerCase().replace(/\.$/, '');
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

/**
 * Reads a flow log and groups its records into connections (streaming: memory is bounded by the connection limit, not
 * by the input size).
 */
export async function collectConnections(source: FlowSource, options: CollectOptions = {}): Promise<FlowCapture> {
  const collector = new ConnectionCollector(options);
  const onFlow: FlowHandler = (flow, line) => collector.add(flow, line);
  const input = await readFlows(source, onFlow, options);
  return collector.finish(input);
}
