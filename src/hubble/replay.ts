/**
 * Replay: the connections of a Hubble capture judged by the verdict engine against a policy set, compared with what the
 * cluster did. The engine runs once per connection (not per record); endpoints are built once per peer and reused, so the
 * engine's per-endpoint caches hit. World addresses are judged under the DNS names the capture gives them
 * (`destination_names`, and DNS answers seen in the same log): a `toFQDNs` rule allows the address if it allows one of
 * its names; without names the address is judged as a CIDR peer.
 */
import { Endpoint, formatEndpoint } from '../engine/endpoint';
import { PolicySet } from '../engine/policy-set';
import { SideVerdict, Verdict, VerdictKind, VerdictQuery } from '../engine/verdict';
import { parseIp } from '../model/cidr';
import { CollectOptions, FlowCapture, ObservedConnection, ObservedVerdict, collectConnections, observedFlowing, observedVerdict } from './connections';
import { FlowReadStats, FlowSource } from './flow-reader';
import { FlowPeer, FlowSkipReason } from './flow';

/** The `schema` value of a replay report. */
export const REPLAY_REPORT_SCHEMA = 'cdk8s-cilium/replay/v1';

/** Options of a replay. */
export interface ReplayOptions extends CollectOptions {
  /**
   * The local cluster name. Pods labelled with another cluster keep that label (ClusterMesh peers). Build the policy set
   * with the same `clusterName`.
   * @default - the cluster the capture's pods name (`FlowCapture.clusterName`), else 'default'
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

/** How a connection's fate changes under the policies. */
export type ConnectionChange = 'newly-dropped' | 'newly-allowed' | 'unchanged';

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
  readonly sides: {
    /** Records observed at the source (egress). */
    readonly egress: number;
    /** Records observed at the destination (ingress). */
    readonly ingress: number;
  };
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
  readonly nodes: readonly string[];
  /** Policy drop reasons. */
  readonly dropReasons: readonly string[];
  /** Policies the records name. */
  readonly policies: readonly string[];
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
  readonly destinationNames: readonly string[];
  /** What the cluster did. */
  readonly observed: ReplayObserved;
  /** What the policies would do. */
  readonly predicted: ReplayPredicted;
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
  /** The sources with the most predicted drops. */
  readonly topDropSources: readonly DropSource[];
}

/** A connection the engine could not judge. */
export interface ReplayError {
  /** `source → destination connection`. */
  readonly connection: string;
  /** Why. */
  readonly message: string;
}

/** The result of a replay: stable, JSON-serializable, deterministic for the same inputs. */
export interface ReplayReport {
  /** `cdk8s-cilium/replay/v1`. */
  readonly schema: string;
  /** The Cilium version the policies were judged for. */
  readonly ciliumVersion: string;
  /** The local cluster name used for pods. */
  readonly clusterName: string;
  /** What was read. */
  readonly input: FlowReadStats;
  /** Records skipped because policy does not decide them. */
  readonly skipped: {
    /** How many records were skipped. */
    readonly total: number;
    /** How many per reason. */
    readonly byReason: Readonly<Partial<Record<FlowSkipReason, number>>>;
  };
  /** The figures. */
  readonly summary: ReplaySummary;
  /** Every connection: those that would be dropped first, then newly allowed, then unchanged; most records first. */
  readonly connections: readonly ReplayConnection[];
  /** Connections that could not be judged. */
  readonly errors: readonly ReplayError[];
  /** Things that limit what the report can say (overflow, truncated input, lost events). */
  readonly warnings: readonly string[];
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
      e = { kind: 'fqdn', name, ip };
      fqdnEndpoints.set(key, e);
    }
    return e;
  };
  const out: ReplayConnection[] = [];
  const errors: ReplayError[] = [];
  for (const c of capture.connections) {
    const names = c.destination.kind === 'world' ? destinationNames(c, capture) : [];
    const from = endpointOf(c.source);
    const to = endpointOf(c.destination);
    const text = `${describePeer(c.source)} → ${describePeer(c.destination)} ${connectionText(c)}`;
    if (from === undefined || to === undefined) {
      errors.push({ connection: text, message: `${from === undefined ? describePeer(c.source) : describePeer(c.destination)} is not a valid endpoint` });
      continue;
    }
    let verdict: Verdict;
    let resolvedName: string | undefined;
    try {
      const base = query(c, from, to);
      const tried = c.destination.kind === 'world' && c.destination.ip !== undefined ? names.filter(isDnsName).slice(0, maxNames) : [];
      if (tried.length === 0) {
        verdict = policies.verdict(base);
      } else {
        let first: { v: Verdict; name: string } | undefined;
        let allowed: { v: Verdict; name: string } | undefined;
        for (const name of tried) {
          const v = policies.verdict({ ...base, to: fqdnEndpoint(name, c.destination.ip as string) });
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
    } catch (e) {
      errors.push({ connection: text, message: e instanceof Error ? e.message.replace(/\n\s*fix: /, '; fix: ') : String(e) });
      continue;
    }
    const flowed = observedFlowing(c);
    const observed = observedVerdict(c);
    const wouldFlow = verdict.verdict === 'allowed';
    const change: ConnectionChange = flowed && !wouldFlow ? 'newly-dropped'
      : wouldFlow && (!flowed || observed === 'mixed') ? 'newly-allowed' : 'unchanged';
    out.push({
      change,
      source: verdict.from,
      destination: verdict.to,
      connection: verdict.connection,
      ...(verdict.request !== undefined ? { request: verdict.request } : {}),
      destinationNames: names,
      observed: {
        verdict: observed,
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
      },
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
  return {
    schema: REPLAY_REPORT_SCHEMA,
    ciliumVersion: policies.ciliumVersion.toString(),
    clusterName,
    input: capture.input,
    skipped: { total: skippedTotal, byReason: capture.skipped },
    summary: {
      connections: out.length,
      flows: out.reduce((a, c) => a + c.observed.flows, 0),
      newlyDropped: dropped.length,
      newlyDroppedFlows: dropped.reduce((a, c) => a + c.observed.flows, 0),
      newlyAllowed: out.filter((c) => c.change === 'newly-allowed').length,
      unchanged: out.filter((c) => c.change === 'unchanged').length,
      notEvaluated: errors.length,
      topDropSources,
    },
    connections: out,
    errors,
    warnings: captureWarnings(capture),
  };
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
    case 'pod': {
      const labels = peer.cluster !== undefined && peer.cluster !== clusterName
        ? { ...peer.labels, 'io.cilium.k8s.policy.cluster': peer.cluster } : peer.labels ?? {};
      return {
        kind: 'pod',
        namespace: peer.namespace ?? 'default',
        labels,
        ...(peer.namespaceLabels !== undefined ? { namespaceLabels: peer.namespaceLabels } : {}),
        ...(peer.serviceAccount !== undefined ? { serviceAccount: peer.serviceAccount } : {}),
      };
    }
    case 'entity':
      return { kind: 'entity', entity: peer.entity ?? 'world' };
    case 'world':
      return peer.ip !== undefined && parseIp(peer.ip) ? { kind: 'cidr', ip: peer.ip } : undefined;
  }
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
  for (const n of (ip !== undefined ? capture.dnsAnswers.get(ip) : undefined) ?? []) if (!names.includes(n)) names.push(n);
  return names;
}

function isDnsName(name: string): boolean {
  return /^([-a-zA-Z0-9_]+\.?)+$/.test(name);
}

/** The one line that explains a verdict: the sides that dropped or refused it, else what allowed it on each side. */
function decidingReason(v: Verdict): string {
  const sides = [v.egress, v.ingress];
  const deciding = v.verdict === 'denied'
    ? sides.filter((s) => s.decision === 'denied-by-deny-rule' || s.decision === 'default-deny')
    : v.verdict === 'l7-denied' ? sides.filter((s) => s.decision === 'l7-denied') : [];
  if (deciding.length > 0) return deciding.map((s) => `${s.direction} at ${s.endpoint}: ${s.reason}`).join('; ');
  const evaluated = sides.filter((s) => s.evaluated);
  if (evaluated.length === 0) return 'no side enforces policy: neither end is a Cilium endpoint subject to policy';
  return evaluated.map((s) => `${s.direction}: ${s.reason}`).join('; ');
}

function describePeer(p: FlowPeer): string {
  if (p.kind === 'pod') return formatEndpoint({ kind: 'pod', namespace: p.namespace, labels: p.labels });
  if (p.kind === 'entity') return `entity:${p.entity ?? ''}`;
  return `cidr:${p.ip ?? ''}`;
}

function connectionText(c: ObservedConnection): string {
  return c.protocol === 'ICMP' ? `${c.icmpFamily === 'IPv6' ? 'icmpv6' : 'icmp'}/${c.icmpType ?? 0}` : `${c.port}/${c.protocol}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
