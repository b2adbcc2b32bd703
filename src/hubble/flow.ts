/**
 * The typed subset of a Hubble `Flow` that replay and draft read (flow.proto as protojson with proto field names: `IP`,
 * `l4`, `TCP`, `source_port`, `traffic_direction`, `is_reply`…; every field may be absent), and its normalisation to a
 * connection attempt the verdict engine can judge:
 * - what policy does not decide is skipped, with a reason (replies, L7 responses, traces without a direction, socket-LB
 *   translations, drops for non-policy reasons, records without IP or L4, ends without an identity);
 * - each end becomes a peer: a pod (namespace, its own labels with the `k8s:` source stripped, namespace labels, service
 *   account, cluster), a reserved entity (`reserved:host` → host, `reserved:remote-node`, `reserved:kube-apiserver`,
 *   `reserved:health`, …; by number when only the identity is known), or a world address (`reserved:world`, CIDR and FQDN
 *   identities) keyed by its IP;
 * - the layer-4 part (TCP/UDP/SCTP destination port, ICMP type and family) and the L7 request (HTTP method, path, host;
 *   DNS query; Kafka API key and topic);
 * - what the cluster did: forwarded, dropped by policy, audited, or refused by an L7 proxy, and at which side.
 * Identity labels, not identity numbers, are what selectors match, so peers are keyed by their labels.
 */
import { HttpRequest, KafkaRequest, headerRecord } from '../engine/l7';
import { isDns1123Label, isIdentityLabelKey, isLabelValue } from '../validate/syntax';
import { k8sObjectLabelKey } from '../model/labels';
import { CLUSTER_KEY, SERVICE_ACCOUNT_KEY } from '../model/selectors';

/** An endpoint of a flow (`source`, `destination`). */
export interface HubbleEndpoint {
  /** Cilium endpoint ID: set when the endpoint is local to the observing node. */
  readonly ID?: number;
  /** Numeric security identity. */
  readonly identity?: number;
  /** Cluster name. */
  readonly cluster_name?: string;
  /** Namespace. */
  readonly namespace?: string;
  /** Identity labels, `source:key=value` (`k8s:app=web`, `reserved:host`). */
  readonly labels?: string[];
  /** Pod name. */
  readonly pod_name?: string;
  /** Owning workloads (local L3/L4 records only). */
  readonly workloads?: HubbleWorkload[];
}

/** An owning workload of a flow endpoint. */
export interface HubbleWorkload {
  /** Workload name. */
  readonly name?: string;
  /** Workload kind (`Deployment`, …). */
  readonly kind?: string;
}

/** Layer 3 of a flow. */
export interface HubbleIp {
  /** Source address. */
  readonly source?: string;
  /** Destination address. */
  readonly destination?: string;
  /** `IPv4` or `IPv6`. */
  readonly ipVersion?: string;
}

/** TCP, UDP or SCTP ports. */
export interface HubblePorts {
  /** Source port. */
  readonly source_port?: number;
  /** Destination port (absent when 0). */
  readonly destination_port?: number;
  /** TCP flags. */
  readonly flags?: { readonly [flag: string]: boolean };
}

/** An ICMP header (`type` is absent when 0: an IPv4 echo reply is `{}`). */
export interface HubbleIcmp {
  /** Type. */
  readonly type?: number;
  /** Code. */
  readonly code?: number;
}

/** Layer 4 of a flow: exactly one key. */
export interface HubbleL4 {
  /** TCP. */
  readonly TCP?: HubblePorts;
  /** UDP. */
  readonly UDP?: HubblePorts;
  /** SCTP. */
  readonly SCTP?: HubblePorts;
  /** ICMP. */
  readonly ICMPv4?: HubbleIcmp;
  /** ICMPv6. */
  readonly ICMPv6?: HubbleIcmp;
}

/** An L7 record (the proxy's access log). */
export interface HubbleL7 {
  /** `REQUEST`, `RESPONSE` or `SAMPLE`. */
  readonly type?: string;
  /** DNS. */
  readonly dns?: HubbleDns;
  /** HTTP. */
  readonly http?: HubbleHttp;
  /** Kafka. */
  readonly kafka?: HubbleKafka;
}

/** A DNS L7 record. */
export interface HubbleDns {
  /** The queried name (with the trailing dot). */
  readonly query?: string;
  /** The addresses in the answer. */
  readonly ips?: string[];
  /** The response code (0 = NOERROR). */
  readonly rcode?: number;
  /** The query types (`A`, `AAAA`). */
  readonly qtypes?: string[];
}

/** An HTTP L7 record. */
export interface HubbleHttp {
  /** The request method. */
  readonly method?: string;
  /** The request URL. */
  readonly url?: string;
  /** `HTTP/1.1`, `HTTP/2`. */
  readonly protocol?: string;
  /** The response status (responses only). */
  readonly code?: number;
  /** The request headers. */
  readonly headers?: HubbleHttpHeader[];
}

/** An HTTP header of an L7 record. */
export interface HubbleHttpHeader {
  /** Header name. */
  readonly key?: string;
  /** Header value. */
  readonly value?: string;
}

/** A Kafka L7 record. */
export interface HubbleKafka {
  /** The API key name (`produce`, `fetch`). */
  readonly api_key?: string;
  /** The API version. */
  readonly api_version?: number;
  /** The topic. */
  readonly topic?: string;
  /** The correlation id. */
  readonly correlation_id?: number;
  /** The error code (responses). */
  readonly error_code?: number;
}

/**
 * A policy named by a flow (`ingress_allowed_by`, `egress_denied_by`, …): flow.proto `Policy`, filled by the agent's
 * policy correlation (pkg/policy/correlation) from the deciding policy-map entry's rule labels.
 */
export interface HubblePolicy {
  /** Name (`io.cilium.k8s.policy.name`). */
  readonly name?: string;
  /** Namespace (`io.cilium.k8s.policy.namespace`; absent for clusterwide policies). */
  readonly namespace?: string;
  /** The rule's labels (`k8s:io.cilium.k8s.policy.name=…`, `…derived-from=…`); informational. */
  readonly labels?: string[];
  /** The agent's policy revision (a 64-bit integer: a string in JSON). */
  readonly revision?: string;
  /** `CiliumNetworkPolicy`, `CiliumClusterwideNetworkPolicy`, `NetworkPolicy` (`io.cilium.k8s.policy.derived-from`). */
  readonly kind?: string;
}

/** The subset of a Hubble `Flow` replay and draft read. Every field may be absent (exporter field masks). */
export interface HubbleFlow {
  /** RFC 3339 time. */
  readonly time?: string;
  /** Unique id. */
  readonly uuid?: string;
  /**
   * `FORWARDED`, `DROPPED`, `AUDIT`, `REDIRECTED`, `ERROR`, `TRACED`, `TRANSLATED`; a number where the writer's schema
   * knows no name for the value (protojson writes an unknown enum value as its number: `flowEnumName`).
   */
  readonly verdict?: string | number;
  /** Numeric drop reason (deprecated). */
  readonly drop_reason?: number;
  /** Drop reason (`POLICY_DENIED`, `POLICY_DENY`, `AUTH_REQUIRED`, …); a number as for `verdict` (`207`). */
  readonly drop_reason_desc?: string | number;
  /** Layer 3. */
  readonly IP?: HubbleIp;
  /** Layer 4. */
  readonly l4?: HubbleL4;
  /** The packet's source. */
  readonly source?: HubbleEndpoint;
  /** The packet's destination. */
  readonly destination?: HubbleEndpoint;
  /** `L3_L4`, `L7`, `SOCK`. */
  readonly Type?: string;
  /** The observing node (`<cluster>/<node>` when the cluster is not `default`). */
  readonly node_name?: string;
  /** DNS names of the source address. */
  readonly source_names?: string[];
  /** DNS names of the destination address, from the observing endpoint's DNS cache. */
  readonly destination_names?: string[];
  /** The L7 record. */
  readonly l7?: HubbleL7;
  /** Reply direction (deprecated form of `is_reply`, printed only when true). */
  readonly reply?: boolean;
  /** Reply direction; absent means unknown, and so does `false` on a policy-verdict event (type 5), where Hubble sets it as a constant. */
  readonly is_reply?: boolean;
  /** Monitor event type: 1 drop, 4 trace, 5 policy verdict, 7 socket trace, 129 L7. */
  readonly event_type?: HubbleEventType;
  /** `INGRESS` or `EGRESS`, seen from the local endpoint; a number as for `verdict`. */
  readonly traffic_direction?: string | number;
  /** How a policy verdict matched. */
  readonly policy_match_type?: number;
  /** Trace observation point (`TO_ENDPOINT`, `TO_STACK`, …). */
  readonly trace_observation_point?: string;
  /** Connection tracking state (`NEW`, `ESTABLISHED`, `REPLY`, …). */
  readonly trace_reason?: string;
  /** Policies that allowed it at egress. */
  readonly egress_allowed_by?: HubblePolicy[];
  /** Policies that allowed it at ingress. */
  readonly ingress_allowed_by?: HubblePolicy[];
  /** Policies that denied it at egress. */
  readonly egress_denied_by?: HubblePolicy[];
  /** Policies that denied it at ingress. */
  readonly ingress_denied_by?: HubblePolicy[];
  /** Human summary. */
  readonly Summary?: string;
}

/** A monitor event type of a flow. */
export interface HubbleEventType {
  /** The monitor event type. */
  readonly type?: number;
  /** Its sub-type (for drops: the drop reason). */
  readonly sub_type?: number;
}

/** Why a flow record is not a connection attempt to judge (see `FLOW_SKIP_REASONS` for what each means). */
export enum FlowSkipReason {
  /** Reply packets: policy checks only new connections. */
  REPLY = 'reply',
  /** L7 responses and samples: policy matched the request. */
  L7_RESPONSE = 'l7-response',
  /** Traces without `traffic_direction`: whether they are replies is unknown. */
  NO_DIRECTION = 'no-direction',
  /** Socket-LB translations. */
  SOCKET_TRANSLATION = 'socket-translation',
  /** Debug, capture and agent events. */
  NOT_A_CONNECTION_EVENT = 'not-a-connection-event',
  /** Drops for reasons other than policy. */
  NON_POLICY_DROP = 'non-policy-drop',
  /** Verdict ERROR (an L7 proxy error, no policy decision) or VERDICT_UNKNOWN, or no verdict. */
  UNKNOWN_VERDICT = 'unknown-verdict',
  /** Records without IP. */
  NO_IP = 'no-ip',
  /** Records without an L4 header, or without a destination port. */
  NO_L4 = 'no-l4',
  /** Protocols the verdict engine does not evaluate (VRRP, IGMP). */
  UNSUPPORTED_PROTOCOL = 'unsupported-protocol',
  /** An end with neither labels, a reserved identity nor a pod name. */
  UNKNOWN_IDENTITY = 'unknown-identity',
  /** ICMPv4 fragmentation needed (type 3 code 4) not dropped or audited: the agent lets it through before the policy lookup. */
  ICMP_FRAG_NEEDED = 'icmp-frag-needed',
  /** Drops of a reason flow.proto's `DropReason` does not hold (a newer agent, an edited capture): named in the report. */
  UNKNOWN_DROP_REASON = 'unknown-drop-reason',
}

/** Every skip reason, with what it means. */
export const FLOW_SKIP_REASONS: Readonly<Record<FlowSkipReason, string>> = {
  'reply': 'reply packets (is_reply, or reply on old captures; TCP SYN-ACKs, ICMP echo replies and ICMP errors when is_reply is absent, '
    + 'unless a policy drop or policy-verdict record shows a policy lookup): '
    + 'policy checks only new connections',
  'l7-response': 'L7 responses and samples: policy matched the request',
  'no-direction': 'traces without traffic_direction (such as TO_OVERLAY): whether they are replies is unknown',
  'socket-translation': 'socket-LB translations (Type SOCK, verdict TRACED or TRANSLATED)',
  'not-a-connection-event': 'debug, capture and agent events',
  'non-policy-drop': 'drops for reasons other than policy (datapath, routing, health; SCTP dropped without enable-sctp is judged), or without a reason',
  'unknown-verdict': 'verdict ERROR (an L7 proxy error, no policy decision: the DNS proxy logs a query it forwards as FORWARDED before an upstream '
    + 'error, and that record is judged) or VERDICT_UNKNOWN, or no verdict, or a number flow.proto\'s Verdict does not hold (a hubble CLI '
    + 'older than the agent)',
  'no-ip': 'records without IP (ARP, L2 only)',
  'no-l4': 'records without an L4 header, or TCP/UDP/SCTP without a destination port',
  'unsupported-protocol': 'protocols the verdict engine does not evaluate (VRRP, IGMP)',
  'unknown-identity': 'an end with neither labels, a reserved identity nor a pod name (identity 0, field-masked exports): no selector can be matched',
  'icmp-frag-needed': 'ICMPv4 fragmentation needed (type 3 code 4) not dropped or audited by policy: the agent lets it through before the '
    + 'policy lookup (allow-icmp-frag-needed, on by default; bpf/lib/policy.h)',
  'unknown-drop-reason': 'drops whose drop_reason_desc (a name, or the number a hubble CLI older than the agent writes; else the drop_reason '
    + 'number) is no DropReason of flow.proto (a newer agent, an edited capture): whether policy dropped them is unknown, so they are not '
    + 'judged; the report names each value',
};

/**
 * The drop reasons of flow.proto's `DropReason` (api/v1/flow/flow.proto, cilium/cilium@04bbfcb5: 130–203; shared with
 * pkg/monitor/api/drop.go and bpf/lib/common.h), and 195, 198–201, 204–206 of later releases. A drop of another value is
 * `unknown-drop-reason`: it may be a policy drop of a release this list predates.
 */
const DROP_REASONS: ReadonlyMap<string, number> = new Map([
  ['INVALID_SOURCE_MAC', 130], ['INVALID_DESTINATION_MAC', 131], ['INVALID_SOURCE_IP', 132], ['POLICY_DENIED', 133], ['INVALID_PACKET_DROPPED', 134],
  ['CT_TRUNCATED_OR_INVALID_HEADER', 135], ['CT_MISSING_TCP_ACK_FLAG', 136], ['CT_UNKNOWN_L4_PROTOCOL', 137],
  ['CT_CANNOT_CREATE_ENTRY_FROM_PACKET', 138], ['UNSUPPORTED_L3_PROTOCOL', 139], ['MISSED_TAIL_CALL', 140], ['ERROR_WRITING_TO_PACKET', 141],
  ['UNKNOWN_L4_PROTOCOL', 142], ['UNKNOWN_ICMPV4_CODE', 143], ['UNKNOWN_ICMPV4_TYPE', 144], ['UNKNOWN_ICMPV6_CODE', 145],
  ['UNKNOWN_ICMPV6_TYPE', 146], ['ERROR_RETRIEVING_TUNNEL_KEY', 147], ['ERROR_RETRIEVING_TUNNEL_OPTIONS', 148], ['INVALID_GENEVE_OPTION', 149],
  ['UNKNOWN_L3_TARGET_ADDRESS', 150], ['STALE_OR_UNROUTABLE_IP', 151], ['NO_MATCHING_LOCAL_CONTAINER_FOUND', 152],
  ['ERROR_WHILE_CORRECTING_L3_CHECKSUM', 153], ['ERROR_WHILE_CORRECTING_L4_CHECKSUM', 154], ['CT_MAP_INSERTION_FAILED', 155],
  ['INVALID_IPV6_EXTENSION_HEADER', 156], ['IP_FRAGMENTATION_NOT_SUPPORTED', 157], ['SERVICE_BACKEND_NOT_FOUND', 158],
  ['NO_TUNNEL_OR_ENCAPSULATION_ENDPOINT', 160], ['FAILED_TO_INSERT_INTO_PROXYMAP', 161], ['REACHED_EDT_RATE_LIMITING_DROP_HORIZON', 162],
  ['UNKNOWN_CONNECTION_TRACKING_STATE', 163], ['LOCAL_HOST_IS_UNREACHABLE', 164], ['NO_CONFIGURATION_AVAILABLE_TO_PERFORM_POLICY_DECISION', 165],
  ['UNSUPPORTED_L2_PROTOCOL', 166], ['NO_MAPPING_FOR_NAT_MASQUERADE', 167], ['UNSUPPORTED_PROTOCOL_FOR_NAT_MASQUERADE', 168],
  ['FIB_LOOKUP_FAILED', 169], ['ENCAPSULATION_TRAFFIC_IS_PROHIBITED', 170], ['INVALID_IDENTITY', 171], ['UNKNOWN_SENDER', 172],
  ['NAT_NOT_NEEDED', 173], ['IS_A_CLUSTERIP', 174], ['FIRST_LOGICAL_DATAGRAM_FRAGMENT_NOT_FOUND', 175], ['FORBIDDEN_ICMPV6_MESSAGE', 176],
  ['DENIED_BY_LB_SRC_RANGE_CHECK', 177], ['SOCKET_LOOKUP_FAILED', 178], ['SOCKET_ASSIGN_FAILED', 179],
  ['PROXY_REDIRECTION_NOT_SUPPORTED_FOR_PROTOCOL', 180], ['POLICY_DENY', 181], ['VLAN_FILTERED', 182], ['INVALID_VNI', 183],
  ['INVALID_TC_BUFFER', 184], ['NO_SID', 185], ['MISSING_SRV6_STATE', 186], ['NAT46', 187], ['NAT64', 188], ['AUTH_REQUIRED', 189],
  ['CT_NO_MAP_FOUND', 190], ['SNAT_NO_MAP_FOUND', 191], ['INVALID_CLUSTER_ID', 192], ['UNSUPPORTED_PROTOCOL_FOR_DSR_ENCAP', 193],
  ['NO_EGRESS_GATEWAY', 194], ['UNENCRYPTED_TRAFFIC', 195], ['TTL_EXCEEDED', 196], ['NO_NODE_ID', 197], ['DROP_RATE_LIMITED', 198],
  ['IGMP_HANDLED', 199], ['IGMP_SUBSCRIBED', 200], ['MULTICAST_HANDLED', 201], ['DROP_HOST_NOT_READY', 202], ['DROP_EP_NOT_READY', 203],
  ['DROP_NO_EGRESS_IP', 204], ['DROP_PUNT_PROXY', 205], ['DROP_NO_DEVICE', 206],
]);
/** flow.proto `DropReason` number → name. */
const DROP_REASON_NAMES: ReadonlyMap<number, string> = new Map([...DROP_REASONS].map(([name, n]) => [n, name]));

/**
 * The value of an enum field as its name (`values`: the names by number): protojson writes an enum value its schema
 * knows as the name and one it does not know as the number (google.golang.org/protobuf encoding/protojson encode.go
 * `marshalSingular`: "Use numeric value if there is no enum value descriptor"), so a hubble CLI older than the agent
 * writes a newer value as a number (`"drop_reason_desc": 207`). The number of a value `values` names reads as the name;
 * another number reads as `undefined` (no value this reader knows: never judged as one it does).
 */
export function flowEnumName(v: string | number | undefined, values: readonly string[]): string | undefined {
  return typeof v === 'number' ? values[v] : v;
}

/**
 * @internal The drop reason a dropped record gives, once for every reader of it (`policyDropReason`, `unknownDropReason`,
 * `sctpDisabledDrop`): `drop_reason_desc` when given (a name, or the number protojson writes for a value its schema lacks),
 * else the deprecated `drop_reason` number, else a drop event's `sub_type`. `""`, `null`, `DROP_REASON_UNKNOWN` and `0`
 * give none (proto3 leaves the zero value out, so none is what they say). `name`: the `DropReason` name when flow.proto
 * holds the value; `unknown`: the value as written when it does not (`"POLICY_DENIED_V2"`, `drop_reason_desc 207`,
 * `drop_reason 250`); both absent when no reason is given.
 */
export function recordDropReason(flow: HubbleFlow): { readonly name?: string; readonly unknown?: string } {
  const desc = flow.drop_reason_desc;
  if (typeof desc === 'string' && desc !== '' && desc !== 'DROP_REASON_UNKNOWN') {
    return DROP_REASONS.has(desc) ? { name: desc } : { unknown: JSON.stringify(desc.length > 64 ? `${desc.slice(0, 64)}…` : desc) };
  }
  const given = typeof desc === 'number' && desc !== 0;
  const n = given ? desc : flow.drop_reason ?? (flow.event_type?.type === 1 ? flow.event_type.sub_type : undefined);
  if (typeof n !== 'number' || n === 0) return {};
  const name = DROP_REASON_NAMES.get(n);
  return name !== undefined ? { name } : { unknown: `${given ? 'drop_reason_desc' : 'drop_reason'} ${n}` };
}

/**
 * @internal The drop reason of a dropped record that flow.proto's `DropReason` does not hold, as written (`"POLICY_DENIED_V2"`,
 * `drop_reason_desc 207`, `drop_reason 250`), else `undefined` (a known reason, or none given): `recordDropReason`.
 */
export function unknownDropReason(flow: HubbleFlow): string | undefined {
  return recordDropReason(flow).unknown;
}

/** What the cluster did with one flow record. */
export enum ObservedFlowVerdict {
  /** Forwarded (or redirected to a proxy). */
  FORWARDED = 'forwarded',
  /** Dropped by policy. */
  DROPPED = 'dropped',
  /** Forwarded in audit mode: the policies in force would have dropped it. */
  AUDIT = 'audit',
  /** Refused by an L7 proxy. */
  L7_DENIED = 'l7-denied',
}

/** What one end of a connection is. */
export enum FlowPeerKind {
  /** A pod, with its identity labels. */
  POD = 'pod',
  /** A reserved identity (`host`, `remote-node`, `kube-apiserver`, …). */
  ENTITY = 'entity',
  /** An address outside the cluster. */
  WORLD = 'world',
  /** A pod whose identity labels the capture does not give. */
  UNKNOWN = 'unknown',
}

/** The owning workload of a flow peer. */
export interface FlowWorkload {
  /** Workload name. */
  readonly name: string;
  /** Workload kind (`Deployment`, …). */
  readonly kind: string;
}

/**
 * One end of a connection as the flows show it.
 *
 * An end that names a pod (`namespace` and `pod_name`) is a pod, whatever its identity says: L7 proxy records of older
 * agents carry `identity: 2` (`reserved:world`) for remote pods, and field-masked exports carry no identity at all. The
 * collector resolves such a pod's labels from the other records of the capture (the same pod name, or the same address
 * with labels and a pod name); when it cannot, the end stays `unknown`: never judged as world, never drafted as a CIDR.
 */
export interface FlowPeer {
  /**
   * `pod`, `entity` (a reserved identity), `world` (an address outside the cluster), or `unknown`: a pod whose identity
   * labels the capture does not give.
   */
  readonly kind: FlowPeerKind;
  /** The grouping key (`p:<labels>`, `e:<entity>`, `w:<ip>`, `u:<namespace>/<pod>`, `u:#<identity>`). */
  readonly key: string;
  /**
   * Pod (and unknown pod): its namespace.
   * @default - none
   */
  readonly namespace?: string;
  /**
   * Pod: its own labels (`k8s:` source stripped, except from a key Cilium would read as of another source:
   * `k8s:reserved.example.com/tier`; other sources kept as `source:key`), without the labels Cilium adds.
   * @default - none
   */
  readonly labels?: { readonly [key: string]: string };
  /**
   * Pod: labels of its namespace (`io.cilium.k8s.namespace.labels.<key>`).
   * @default - none
   */
  readonly namespaceLabels?: { readonly [key: string]: string };
  /**
   * Pod: service account.
   * @default - none
   */
  readonly serviceAccount?: string;
  /**
   * Pod: cluster (`io.cilium.k8s.policy.cluster`).
   * @default - none
   */
  readonly cluster?: string;
  /**
   * Entity: host, remote-node, kube-apiserver, health, ingress, init, unmanaged.
   * @default - none
   */
  readonly entity?: string;
  /**
   * World: the address; unknown pod: the address of its first record; entity `kube-apiserver`: the address of a managed
   * API server outside the cluster (`reserved:kube-apiserver` with `reserved:world`).
   * @default - none
   */
  readonly ip?: string;
  /**
   * Numeric identity of the first record seen (informational: numbers differ between nodes for local identities).
   * @default - unknown
   */
  readonly identity?: number;
  /** Pod names seen (at most 8). */
  readonly podNames: string[];
  /**
   * The owning workload of the first record that named one.
   * @default - unknown
   */
  readonly workload?: FlowWorkload;
}

/** A flow record normalised: a connection attempt, or why it is skipped. */
export interface NormalizedFlow {
  /**
   * Why the record is skipped.
   * @default - not skipped
   */
  readonly skip?: FlowSkipReason;
  /**
   * The grouping key of the connection: source, destination, `port/protocol` and L7 request, one per line.
   * @default - none (skipped)
   */
  readonly key?: string;
  /**
   * The client (the packet's source: replies are skipped).
   * @default - none (skipped)
   */
  readonly source?: FlowPeer;
  /**
   * The server.
   * @default - none (skipped)
   */
  readonly destination?: FlowPeer;
  /**
   * `TCP`, `UDP`, `SCTP` or `ICMP`.
   * @default - none (skipped)
   */
  readonly protocol?: string;
  /**
   * Destination port (not ICMP).
   * @default - none
   */
  readonly port?: number;
  /**
   * ICMP type.
   * @default - none
   */
  readonly icmpType?: number;
  /**
   * ICMP family, `IPv4` or `IPv6`.
   * @default - none
   */
  readonly icmpFamily?: string;
  /**
   * The HTTP request of an L7 record.
   * @default - none
   */
  readonly http?: HttpRequest;
  /**
   * The DNS query name of an L7 record (lower case, trailing dot kept as sent).
   * @default - none
   */
  readonly dns?: string;
  /**
   * The Kafka request of an L7 record.
   * @default - none
   */
  readonly kafka?: KafkaRequest;
  /**
   * What the cluster did.
   * @default - none (skipped)
   */
  readonly observed?: ObservedFlowVerdict;
  /**
   * The side that observed it (`traffic_direction`).
   * @default - unknown
   */
  readonly direction?: 'egress' | 'ingress';
  /**
   * Whether the record proves delivery to the destination (a `TO_ENDPOINT` trace, or an allowed ingress record).
   * @default false
   */
  readonly delivered?: boolean;
  /**
   * The drop reason of a policy drop.
   * @default - none
   */
  readonly dropReason?: string;
}

/** Policy drop reasons (flow.proto `DropReason` 133, 181, 189). */
const POLICY_DROP_REASONS: ReadonlySet<string> = new Set(['POLICY_DENIED', 'POLICY_DENY', 'AUTH_REQUIRED']);
/** @internal flow.proto `Verdict` by number. */
export const VERDICT_NAMES: readonly string[] = ['VERDICT_UNKNOWN', 'FORWARDED', 'DROPPED', 'ERROR', 'AUDIT', 'REDIRECTED', 'TRACED', 'TRANSLATED'];
/** @internal flow.proto `TrafficDirection` by number. */
export const TRAFFIC_DIRECTION_NAMES: readonly string[] = ['TRAFFIC_DIRECTION_UNKNOWN', 'INGRESS', 'EGRESS'];

/**
 * Reserved identity numbers (pkg/identity/numericidentity.go) → entity. 9 and 10 (`ReservedIdentityWorldIPv4`/`-IPv6`, the
 * world of a dual-stack cluster only) are world addresses like 2: judged by their address, as reserved:world-ipv4/-ipv6
 * when the policies are judged dual-stack (`replay` infers that from them, `FlowCapture.dualStackEvidence`, or from packets of both families).
 */
const RESERVED_BY_NUMBER: readonly (string | undefined)[] = [
  undefined, 'host', 'world', 'unmanaged', 'health', 'init', 'remote-node', 'kube-apiserver', 'ingress', 'world', 'world',
];

/**
 * Which reserved label names an identity with several (`reserved:host` + `reserved:kube-apiserver`,
 * `reserved:kube-apiserver` + `reserved:remote-node`, `reserved:kube-apiserver` + `reserved:world`): the lowest rank wins.
 */
const RESERVED_RANK: ReadonlyMap<string, number> = new Map([
  ['host', 0], ['kube-apiserver', 1], ['remote-node', 2], ['health', 3], ['ingress', 4], ['init', 5], ['unmanaged', 6],
  ['world', 7], ['world-ipv4', 7], ['world-ipv6', 7],
]);
const WORLD_RANK = 7;
const UNKNOWN_RANK = 50;

/** Label keys Cilium adds to pods. */
const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
const NAMESPACE_LABEL = `k8s:${NAMESPACE_KEY}=`;

/** Numeric codes of the scratch (cheaper than strings on the hot path). */
export const OBSERVED_CODES: readonly ObservedFlowVerdict[] = [
  ObservedFlowVerdict.FORWARDED, ObservedFlowVerdict.DROPPED, ObservedFlowVerdict.AUDIT, ObservedFlowVerdict.L7_DENIED,
];
const FORWARDED = 0;
const DROPPED = 1;
const AUDIT = 2;
const L7_DENIED = 3;

/** A pod key computed before, with the labels (and the namespace field, when it is part of the key) it came from. */
interface CachedKey {
  readonly labels: readonly string[];
  readonly namespace: string | undefined;
  readonly key: string;
}

const MAX_CACHED_IDENTITIES = 65_536;
const MAX_KEYS_PER_IDENTITY = 4;
/** Local-scope identities (CIDR, FQDN, kube-apiserver by IP) start here; their numbers differ between nodes. */
const LOCAL_SCOPE = 1 << 24;

/**
 * @internal The result of classifying one record, reused for every record of a read (no allocation beyond the keys).
 */
export class FlowScratch {
  /** Why it is skipped (`undefined`: a connection attempt). */
  public skip: FlowSkipReason | undefined = undefined;
  /** Source key. */
  public srcKey = '';
  /** Destination key. */
  public dstKey = '';
  /** Source address. */
  public srcIp: string | undefined = undefined;
  /** Source port (0 for ICMP). */
  public srcPort = 0;
  /** Destination address. */
  public dstIp: string | undefined = undefined;
  /** `TCP`, `UDP`, `SCTP`, `ICMP`. */
  public protocol = 'TCP';
  /** Destination port. */
  public port = 0;
  /** ICMP type. */
  public icmpType = 0;
  /** ICMP family. */
  public icmpFamily = 'IPv4';
  /** `8080/TCP`, `icmp/8`. */
  public l4Key = '';
  /** `H GET /path host`, `D name.`, `K produce topic`, or ''. */
  public l7Key = '';
  /** 0 forwarded, 1 dropped, 2 audit, 3 l7-denied. */
  public observed = FORWARDED;
  /** 0 unknown, 1 egress, 2 ingress. */
  public direction = 0;
  /** Whether the record proves delivery. */
  public delivered = false;
  /** The drop reason of a policy drop. */
  public dropReason: string | undefined = undefined;
  /**
   * A policy lookup of a reply-type packet (a SYN-ACK, an ICMP echo reply or error) without `is_reply` (absent, or the
   * constant `false` of a policy-verdict event): a policy drop, or a policy-verdict event (type 5: audited, forwarded or
   * redirected). Only the side that looked it up consulted policy (the
   * other end's conntrack finds it a reply or related, and policy is not consulted there).
   */
  public replyLookup = false;
  /**
   * The agent's `allow-icmp-frag-needed` (on by default): ICMPv4 fragmentation needed passes before the policy lookup.
   */
  public allowFragNeeded = true;
  /** Pod keys by identity number: the labels of a record are compared with those seen before, not joined again. */
  public readonly keyCache = new Map<number, CachedKey[]>();
}

/**
 * @internal Classifies a record into `s`. Returns true for a connection attempt (then every field of `s` is set), false
 * when it is skipped (`s.skip` says why).
 */
export function classifyFlow(flow: HubbleFlow, s: FlowScratch): boolean {
  s.skip = undefined;
  s.replyLookup = false;
  const et = flow.event_type?.type;
  const type = flow.Type;
  if (type === 'SOCK' || et === 7) return skip(s, FlowSkipReason.SOCKET_TRANSLATION);
  if (et !== undefined && et !== 1 && et !== 4 && et !== 5 && et !== 129) return skip(s, FlowSkipReason.NOT_A_CONNECTION_EVENT);
  const verdict = flowEnumName(flow.verdict, VERDICT_NAMES);
  let observed: number;
  switch (verdict) {
    case 'FORWARDED':
    case 'REDIRECTED':
      observed = FORWARDED;
      break;
    case 'DROPPED':
      observed = DROPPED;
      break;
    case 'AUDIT':
      observed = AUDIT;
      break;
    case 'TRACED':
    case 'TRANSLATED':
      return skip(s, FlowSkipReason.SOCKET_TRANSLATION);
    default:
      return skip(s, FlowSkipReason.UNKNOWN_VERDICT);
  }
  const l7 = type === 'L7' || et === 129;
  if (l7 && flow.l7?.type !== 'REQUEST') return skip(s, FlowSkipReason.L7_RESPONSE);
  const isReply = datapathIsReply(flow, et, observed);
  if (isReply === true) return skip(s, FlowSkipReason.REPLY);
  s.dropReason = undefined;
  if (observed === DROPPED) {
    if (l7) {
      observed = L7_DENIED;
    } else {
      const reason = policyDropReason(flow) ?? sctpDisabledDrop(flow);
      if (reason === undefined) {
        return skip(s, unknownDropReason(flow) !== undefined ? FlowSkipReason.UNKNOWN_DROP_REASON : FlowSkipReason.NON_POLICY_DROP);
      }
      s.dropReason = reason;
    }
  }
  const td = flowEnumName(flow.traffic_direction, TRAFFIC_DIRECTION_NAMES);
  const direction = td === 'EGRESS' ? 1 : td === 'INGRESS' ? 2 : 0;
  if (direction === 0 && observed !== DROPPED) return skip(s, FlowSkipReason.NO_DIRECTION);
  const ip = flow.IP;
  if (ip === undefined || ip === null) return skip(s, FlowSkipReason.NO_IP);
  const l4 = flow.l4;
  if (l4 === undefined || l4 === null) return skip(s, FlowSkipReason.NO_L4);
  let ports: HubblePorts | undefined;
  if ((ports = l4.TCP) !== undefined) s.protocol = 'TCP';
  else if ((ports = l4.UDP) !== undefined) s.protocol = 'UDP';
  else if ((ports = l4.SCTP) !== undefined) s.protocol = 'SCTP';
  if (ports !== undefined && ports !== null) {
    const port = ports.destination_port;
    if (typeof port !== 'number' || port < 1 || port > 65535) return skip(s, FlowSkipReason.NO_L4);
    // A SYN-ACK the cluster let through answers a SYN: a reply whatever the record says. Hubble leaves is_reply out where the
    // trace reason does not tell (pkg/hubble/parser/threefour `decodeIsReply`: an unknown reason, or an encapsulation or
    // decapsulation one), and the SYN-ACK's ports are the server's: judged, it would be a connection to the client's
    // ephemeral port. A drop is kept: `decodeIsReply` gives no drop an is_reply ("for other events, such as drops, we
    // simply do not know if they were replies or not"), and a SYN-ACK without connection-tracking state (a lost entry, an
    // asymmetric path) is looked up in policy as a new connection and dropped by it: a drop the cluster did, judged.
    if (isReply === undefined && s.protocol === 'TCP' && ports.flags?.SYN === true && ports.flags.ACK === true) {
      if (!policyLookedUp(observed, et)) return skip(s, FlowSkipReason.REPLY);
      s.replyLookup = true;
    }
    s.port = port;
    s.srcPort = typeof ports.source_port === 'number' ? ports.source_port : 0;
    s.l4Key = `${port}/${s.protocol}`;
  } else {
    const v6 = l4.ICMPv6 !== undefined;
    const icmp = v6 ? l4.ICMPv6 : l4.ICMPv4;
    if (icmp === undefined || icmp === null) return skip(s, Object.keys(l4).length > 0 ? FlowSkipReason.UNSUPPORTED_PROTOCOL : FlowSkipReason.NO_L4);
    const t = typeof icmp.type === 'number' ? icmp.type : 0;
    // ICMPv4 fragmentation needed passes before the policy lookup when the agent runs with allow-icmp-frag-needed (on by
    // default: pkg/defaults `AllowICMPFragNeeded = true`; bpf/lib/policy.h `__policy_can_access`: `if (icmphdr.type ==
    // ICMP_DEST_UNREACH && icmphdr.code == ICMP_FRAG_NEEDED) return CTX_ACT_OK`, at both ends, so no policy can drop it
    // (its policy-verdict event, on a new lookup, says FORWARDED). A policy drop or an audit of one shows the option off
    // in that cluster: judged by policy, as is every record when the option is given off.
    if (!v6 && t === 3 && icmp.code === 4 && s.allowFragNeeded && observed !== DROPPED && observed !== AUDIT) {
      return skip(s, FlowSkipReason.ICMP_FRAG_NEEDED);
    }
    // Echo replies and error messages are replies or related packets, which policy never checks. A drop is kept, as a
    // dropped SYN-ACK is: the datapath returns a policy drop only for a packet whose conntrack state is neither reply nor
    // related (bpf/bpf_lxc.c: `ct_status != CT_REPLY && ct_status != CT_RELATED && verdict < 0`), and an echo reply or an
    // error without a conntrack entry is looked up as new (bpf/lib/conntrack.h `ct_extract_ports4`/`6`: no entry created,
    // `__ct_lookup4` returns CT_NEW), its ICMP type the policy key's port (bpf/lib/policy.h, `enable_icmp_rule`).
    // Only these are replies or related there: echo reply (by its identifier) and the errors conntrack ties to the packet
    // they quote (ICMPv4 3, 11, 12; ICMPv6 1-4). Source quench (4) and redirect (5) fall to `default: ACTION_CREATE` in
    // `ct_extract_ports4`: new packets at both ends, judged by both sides' policies like a request.
    const replyType = v6 ? t === 129 || (t >= 1 && t <= 4) : t === 0 || t === 3 || t === 11 || t === 12;
    if (isReply === undefined && replyType) {
      if (!policyLookedUp(observed, et)) return skip(s, FlowSkipReason.REPLY);
      s.replyLookup = true;
    }
    s.protocol = 'ICMP';
    s.icmpType = t;
    s.icmpFamily = v6 ? 'IPv6' : 'IPv4';
    s.port = 0;
    s.srcPort = 0;
    s.l4Key = v6 ? `icmpv6/${t}` : `icmp/${t}`;
  }
  const srcKey = cachedEndpointKey(flow.source, ip.source, s.keyCache);
  if (srcKey === undefined) return skip(s, FlowSkipReason.UNKNOWN_IDENTITY);
  const dstKey = cachedEndpointKey(flow.destination, ip.destination, s.keyCache);
  if (dstKey === undefined) return skip(s, FlowSkipReason.UNKNOWN_IDENTITY);
  s.srcKey = srcKey;
  s.dstKey = dstKey;
  s.srcIp = ip.source;
  s.dstIp = ip.destination;
  s.l7Key = l7 ? l7Key(flow.l7) : '';
  s.observed = observed;
  s.direction = direction;
  s.delivered = (et === 4 && flow.trace_observation_point === 'TO_ENDPOINT') || (direction === 2 && (observed === FORWARDED || observed === AUDIT));
  return true;
}

/**
 * What the datapath said of a record being a reply: `is_reply` (or the deprecated `reply` when true), `undefined` when
 * unknown. Hubble gives every policy-verdict event that is not a drop `is_reply: false` as a constant, not from conntrack
 * (pkg/hubble/parser/threefour `decodeIsReply`: `case pvn != nil && pvn.Verdict >= 0: … we statically assume that they are
 * not reply packets`; a trace's comes from its reason, a drop has none), so on a type-5 record, and on an AUDIT record (only
 * a policy-verdict event gives AUDIT: `decodeVerdict`), `false` is unknown: a SYN-ACK or an ICMP reply type there is judged
 * by the reply-type rules, as with `is_reply` absent.
 */
function datapathIsReply(flow: HubbleFlow, eventType: number | undefined, observed: number): boolean | undefined {
  const isReply = flow.is_reply ?? (flow.reply === true ? true : undefined);
  return isReply === false && (eventType === 5 || observed === AUDIT) ? undefined : isReply;
}

/**
 * Whether a record of a reply-type packet without `is_reply` shows a policy lookup: a policy drop, an audit verdict (only a
 * policy-verdict event gives AUDIT: pkg/hubble/parser/threefour `decodeVerdict`), or any policy-verdict event (type 5).
 * The datapath skips the lookup, and the event, for a packet its conntrack finds a reply or related (bpf/bpf_lxc.c
 * `handle_ipv4_from_lxc`: `if (ct_status == CT_REPLY || ct_status == CT_RELATED) goto skip_policy_enforcement`), and sends
 * `send_policy_verdict_notify` after the lookup only `if (verdict != CTX_ACT_OK || ct_status != CT_ESTABLISHED)`: such a
 * record is a new-connection lookup at the side its `traffic_direction` names. A forwarded trace (type 4) is a reply.
 */
function policyLookedUp(observed: number, eventType: number | undefined): boolean {
  return observed === DROPPED || observed === AUDIT || eventType === 5;
}

function skip(s: FlowScratch, reason: FlowSkipReason): false {
  s.skip = reason;
  return false;
}

/** @internal The drop reason of SCTP dropped at conntrack because the agent runs without `enable-sctp`. */
export const SCTP_DISABLED_DROP = 'CT_UNKNOWN_L4_PROTOCOL';

/**
 * `CT_UNKNOWN_L4_PROTOCOL` for a dropped SCTP record of that reason (flow.proto `CT_UNKNOWN_L4_PROTOCOL = 137`), else
 * `undefined`. Without `ENABLE_SCTP` the tuple extraction refuses SCTP (bpf/lib/conntrack.h `ipv4_extract_tuple`:
 * `DROP_CT_UNKNOWN_PROTO`) and bpf/bpf_lxc.c `TAIL_CT_LOOKUP` drops it (`if (ct_buffer.ret < 0) return
 * drop_for_direction`) before any policy: the drop the engine decides as `sctp-disabled`, so it is kept as a drop it judges.
 */
function sctpDisabledDrop(flow: HubbleFlow): string | undefined {
  const l4 = flow.l4;
  if (l4 === undefined || l4 === null || l4.SCTP === undefined || l4.SCTP === null) return undefined;
  return recordDropReason(flow).name === SCTP_DISABLED_DROP ? SCTP_DISABLED_DROP : undefined;
}

/** The policy drop reason of a dropped L3/L4 record, or `undefined` when it was dropped for another (or no known) reason. */
function policyDropReason(flow: HubbleFlow): string | undefined {
  const name = recordDropReason(flow).name;
  return name !== undefined && POLICY_DROP_REASONS.has(name) ? name : undefined;
}

/**
 * `endpointKey`, reusing the key of an earlier record of the same pod identity. Cluster-wide identity numbers stand for
 * one label set, but the labels are still compared (no join, no allocation), so a capture that merges clusters cannot mix
 * two pods up. The key returned is the same string object each time, so its hash is computed once.
 */
function cachedEndpointKey(ep: HubbleEndpoint | undefined, ip: string | undefined, cache: Map<number, CachedKey[]>): string | undefined {
  if (ep === undefined || ep === null) return undefined;
  const id = ep.identity;
  const labels = ep.labels;
  if (typeof id !== 'number' || id < 256 || id >= LOCAL_SCOPE || labels === undefined || labels === null) return endpointKey(ep, ip);
  const entries = cache.get(id);
  if (entries !== undefined) {
    for (let e = 0; e < entries.length; e++) {
      const entry = entries[e];
      const known = entry.labels;
      if (known.length !== labels.length) continue;
      let i = 0;
      while (i < known.length && known[i] === labels[i]) i++;
      if (i === known.length && (entry.namespace === undefined || entry.namespace === (ep.namespace ?? ''))) return entry.key;
    }
  }
  const key = endpointKey(ep, ip);
  if (key === undefined || key.charCodeAt(0) !== 112 /* p */) return key;
  if (entries !== undefined ? entries.length < MAX_KEYS_PER_IDENTITY : cache.size < MAX_CACHED_IDENTITIES) {
    // The namespace field is part of the key only when no label names the namespace (`p:<namespace>|<labels>`).
    const namespaced = labels.some((l) => l.startsWith(NAMESPACE_LABEL));
    const entry: CachedKey = { labels: [...labels], namespace: namespaced ? undefined : ep.namespace ?? '', key };
    if (entries !== undefined) entries.push(entry);
    else cache.set(id, [entry]);
  }
  return key;
}

/**
 * The grouping key of an end: `p:<labels joined>` for pods (with the `namespace` field first when no label names it),
 * `e:<entity>` for reserved identities (`e:kube-apiserver@<ip>` for a managed API server), `w:<ip>` for the world (CIDR and FQDN identities included), `u:<namespace>/<pod>`
 * for an end that names a pod but carries no pod identity labels (a reserved identity, or none: resolved later from
 * the rest of the capture), `u:#<identity>` for a cluster identity without labels. `undefined` when the end cannot be
 * identified.
 */
/** The suffix of the key of an API server on a node of CIDR labels (`e:kube-apiserver@10.0.0.5+node`). */
const ON_NODE = '+node';

/**
 * @internal Whether a peer is the API server on a node of the cluster carrying CIDR labels (`policy-cidr-match-mode:
 * nodes`), not a managed one outside it: judged as that node, by its address.
 */
export function apiServerOnNode(peer: FlowPeer): boolean {
  return peer.kind === FlowPeerKind.ENTITY && peer.ip !== undefined && peer.key.endsWith(ON_NODE);
}

function endpointKey(ep: HubbleEndpoint | undefined, ip: string | undefined): string | undefined {
  if (ep === undefined || ep === null) return undefined;
  const labels = ep.labels;
  if (labels !== undefined && labels !== null && labels.length > 0) {
    let entity: string | undefined;
    let rank = 99;
    let world = false;
    let cidr = false;
    let reservedWorld = false;
    let remoteNode = false;
    let namespaced = false;
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (typeof l !== 'string') return undefined;
      const c = l.charCodeAt(0);
      if (c === 107 && l.startsWith(NAMESPACE_LABEL)) {
        namespaced = true;
      } else if (c === 114 && l.startsWith('reserved:')) {
        const name = l.slice(9);
        const r = RESERVED_RANK.get(name) ?? UNKNOWN_RANK;
        if (r === WORLD_RANK) reservedWorld = true;
        else if (name === 'remote-node') remoteNode = true;
        if (r < rank) {
          rank = r;
          entity = name;
        }
      } else if ((c === 99 && l.startsWith('cidr')) || (c === 102 && l.startsWith('fqdn:'))) {
        world = true;
        if (c === 99 && l.startsWith('cidr:')) cidr = true;
      }
    }
    if (entity === undefined) {
      if (world) return namedPodKey(ep) ?? worldKey(ip);
      // The namespace label is part of the identity; the `namespace` field is missing on some records (proxy legs).
      return namespaced ? `p:${labels.join(',')}` : `p:${ep.namespace ?? ''}|${labels.join(',')}`;
    }
    const named = namedPodKey(ep);
    if (named !== undefined) return named;
    if (rank === WORLD_RANK) return worldKey(ip);
    if (rank === UNKNOWN_RANK) return undefined;
    // A managed API server (EKS, GKE, AKS): the CIDR identity of its address, judged by that address.
    if (entity === 'kube-apiserver' && reservedWorld && typeof ip === 'string' && ip !== '') return `e:kube-apiserver@${ip}`;
    // A node with CIDR labels: the agent runs `policy-cidr-match-mode: nodes`, under which CIDR rules select node addresses
    // (pkg/ipcache/metadata.go `resolveLabels`: "It is not allowed for nodes to have CIDR labels, unless
    // policy-cidr-match-mode includes "nodes". Then CIDR labels are required"; pkg/node/manager adds them per address).
    // Judged by its address, as the engine judges a node under `cidrMatchNodes`.
    if (entity === 'remote-node' && cidr && typeof ip === 'string' && ip !== '') return `e:${entity}@${ip}`;
    // A control-plane node in that mode: reserved:kube-apiserver beside reserved:remote-node and its CIDR labels, judged by
    // its address as that node (the managed API server above is reserved:world instead).
    if (entity === 'kube-apiserver' && remoteNode && cidr && typeof ip === 'string' && ip !== '') return `e:kube-apiserver@${ip}${ON_NODE}`;
    return `e:${entity}`;
  }
  const named = namedPodKey(ep);
  if (named !== undefined) return named;
  const id = ep.identity;
  if (typeof id === 'number' && id > 0 && id < RESERVED_BY_NUMBER.length) {
    const name = RESERVED_BY_NUMBER[id] as string;
    if (name === 'world') return worldKey(ip);
    return `e:${name}`;
  }
  // A cluster-scoped identity (a pod or another Cilium endpoint) whose labels the record does not carry.
  if (typeof id === 'number' && id >= 256 && id < LOCAL_SCOPE && Number.isInteger(id)) return `u:#${id}`;
  return undefined;
}

/** `u:<namespace>/<pod>` when the end names a pod (Hubble's own pod attribution, by address), else `undefined`. */
function namedPodKey(ep: HubbleEndpoint): string | undefined {
  const ns = ep.namespace;
  const pod = ep.pod_name;
  return typeof ns === 'string' && ns !== '' && typeof pod === 'string' && pod !== '' ? `u:${ns}/${pod}` : undefined;
}

function worldKey(ip: string | undefined): string | undefined {
  return typeof ip === 'string' && ip !== '' ? `w:${ip}` : undefined;
}

/** The L7 part of the key. */
function l7Key(l7: HubbleL7 | undefined): string {
  if (l7 === undefined || l7 === null) return '';
  const http = l7.http;
  if (http !== undefined && http !== null) {
    const { path, host, scheme } = splitUrl(typeof http.url === 'string' ? http.url : '');
    // The scheme only when it is not plain HTTP (a rule on `:scheme` tells the two apart), so HTTP keys stay as they were.
    return `H ${typeof http.method === 'string' ? http.method : 'GET'} ${path} ${host ?? ''}${scheme !== undefined && scheme !== 'http' ? ` ${scheme}` : ''}`;
  }
  const dns = l7.dns;
  if (dns !== undefined && dns !== null) return `D ${typeof dns.query === 'string' ? dns.query.toLowerCase() : ''}`;
  const kafka = l7.kafka;
  if (kafka !== undefined && kafka !== null) return `K ${kafka.api_key ?? ''} ${kafka.topic ?? ''}`;
  return '';
}

/**
 * `http://host:8080/a?b` → scheme `http`, path `/a?b`, host `host:8080`; `/a` → path `/a`. The scheme is the request's
 * X-Forwarded-Proto as Envoy left it (Cilium's access log takes it from there), which `:scheme` follows.
 */
export function splitUrl(url: string): { path: string; host?: string; scheme?: string } {
  const sep = url.indexOf('://');
  if (sep < 0) return { path: url === '' ? '/' : url };
  const scheme = url.slice(0, sep);
  const slash = url.indexOf('/', sep + 3);
  const host = url.slice(sep + 3, slash < 0 ? undefined : slash);
  return { path: slash < 0 ? '/' : url.slice(slash), ...(host !== '' ? { host } : {}), ...(scheme !== '' ? { scheme } : {}) };
}

/** The HTTP request, DNS name or Kafka request of an L7 record. */
export function l7Request(l7: HubbleL7 | undefined): { http?: HttpRequest; dns?: string; kafka?: KafkaRequest } {
  if (l7 === undefined || l7 === null) return {};
  if (l7.http) {
    const { path, host, scheme } = splitUrl(typeof l7.http.url === 'string' ? l7.http.url : '');
    const entries: [string, string][] = [];
    for (const h of l7.http.headers ?? []) {
      if (typeof h?.key !== 'string' || h.key === '') continue;
      entries.push([h.key, String(h.value ?? '')]);
    }
    // The URL scheme is the X-Forwarded-Proto Envoy left. Only `http` and `https` (case-sensitive) are schemes Envoy takes for
    // `:scheme` (and the engine accepts); any other value is a client's X-Forwarded-Proto kept by trusted hops, so it goes in
    // as that header: `:scheme` is then the connection's and a rule on X-Forwarded-Proto's value is not matched on a guess.
    const valid = scheme === 'http' || scheme === 'https';
    if (scheme !== undefined && !valid && !entries.some(([k]) => k.toLowerCase() === 'x-forwarded-proto')) entries.push(['x-forwarded-proto', scheme]);
    // A header Hubble lists twice is one header of both values, as Envoy matched it.
    const headers = headerRecord(entries, false);
    const any = entries.length > 0;
    return {
      http: {
        method: typeof l7.http.method === 'string' ? l7.http.method : 'GET',
        path,
        ...(host !== undefined ? { host } : {}),
        ...(valid ? { scheme } : {}),
        ...(any ? { headers } : {}),
      },
    };
  }
  if (l7.dns) return { dns: typeof l7.dns.query === 'string' ? l7.dns.query.toLowerCase() : '' };
  if (l7.kafka) {
    return {
      kafka: {
        apiKey: String(l7.kafka.api_key ?? ''),
        ...(typeof l7.kafka.api_version === 'number' ? { apiVersion: l7.kafka.api_version } : {}),
        ...(typeof l7.kafka.topic === 'string' && l7.kafka.topic !== '' ? { topic: l7.kafka.topic } : {}),
      },
    };
  }
  return {};
}

/** Builds the peer of an end from its key (computed by `classifyFlow`) and the flow's endpoint. */
export function flowPeer(key: string, ep: HubbleEndpoint | undefined, ip: string | undefined): FlowPeer {
  const podNames = typeof ep?.pod_name === 'string' && ep.pod_name !== '' ? [ep.pod_name] : [];
  const identity = typeof ep?.identity === 'number' ? { identity: ep.identity } : {};
  const w = ep?.workloads?.find((x) => typeof x?.name === 'string' && typeof x?.kind === 'string');
  const workload = w ? { workload: { name: w.name as string, kind: w.kind as string } } : {};
  if (key.startsWith('e:')) {
    const at = key.indexOf('@');
    if (at >= 0 && key.endsWith(ON_NODE)) {
      return { kind: FlowPeerKind.ENTITY, key, entity: key.slice(2, at), ip: key.slice(at + 1, -ON_NODE.length), podNames: [], ...identity };
    }
    if (at >= 0) return { kind: FlowPeerKind.ENTITY, key, entity: key.slice(2, at), ip: key.slice(at + 1), podNames: [], ...identity };
    return { kind: FlowPeerKind.ENTITY, key, entity: key.slice(2), podNames: [], ...identity };
  }
  if (key.startsWith('w:')) return { kind: FlowPeerKind.WORLD, key, ip: ip ?? key.slice(2), podNames: [], ...identity };
  if (key.startsWith('u:')) {
    const ns = typeof ep?.namespace === 'string' && ep.namespace !== '' ? { namespace: ep.namespace } : {};
    return { kind: FlowPeerKind.UNKNOWN, key, ...ns, ...(typeof ip === 'string' && ip !== '' ? { ip } : {}), podNames, ...identity };
  }
  const labels: [string, string][] = [];
  const namespaceLabels: [string, string][] = [];
  let namespace = ep?.namespace;
  let serviceAccount: string | undefined;
  let cluster: string | undefined;
  for (const l of ep?.labels ?? []) {
    const [source, k, v] = splitFlowLabel(l);
    if (source !== 'k8s') {
      labels.push([`${source}:${k}`, v]);
    } else if (k === NAMESPACE_KEY) {
      namespace = v;
    } else if (k.startsWith(NAMESPACE_LABELS_PREFIX)) {
      namespaceLabels.push([k.slice(NAMESPACE_LABELS_PREFIX.length), v]);
    } else if (k === SERVICE_ACCOUNT_KEY) {
      serviceAccount = v;
    } else if (k === CLUSTER_KEY) {
      cluster = v;
    } else {
      // A Kubernetes key that would read as another source (`reserved.example.com/tier`) keeps its `k8s:` source.
      labels.push([k8sObjectLabelKey(k), v]);
    }
  }
  return {
    kind: FlowPeerKind.POD,
    key,
    namespace: namespace ?? 'default',
    labels: Object.fromEntries(labels),
    ...(namespaceLabels.length > 0 ? { namespaceLabels: Object.fromEntries(namespaceLabels) } : {}),
    ...(serviceAccount !== undefined ? { serviceAccount } : {}),
    ...(cluster !== undefined ? { cluster } : {}),
    podNames,
    ...identity,
    ...workload,
  };
}

/** `k8s:app=web` → `['k8s', 'app', 'web']`; a label without a source is of the `k8s` source, one without `=` has an empty value. */
function splitFlowLabel(l: string): [source: string, key: string, value: string] {
  const colon = l.indexOf(':');
  const rest = colon < 0 ? l : l.slice(colon + 1);
  const eq = rest.indexOf('=');
  return [colon < 0 ? 'k8s' : l.slice(0, colon), eq < 0 ? rest : rest.slice(0, eq), eq < 0 ? '' : rest.slice(eq + 1)];
}

/**
 * Why a pod end (`flowPeer` of `ep`) cannot be a Kubernetes pod, or `undefined`: its namespace is not a namespace name,
 * or a label of the `k8s` source (its own or its namespace's) has a key or value Kubernetes refuses. Hubble writes what
 * the API server accepted, so such a record is corrupt or made up: judged, it would be a pod no policy can select (a
 * verdict about nothing), and drafted, a policy Cilium refuses.
 */
export function flowPeerProblem(peer: FlowPeer, ep: HubbleEndpoint | undefined): string | undefined {
  if (peer.kind !== FlowPeerKind.POD) return undefined;
  const ns = peer.namespace ?? '';
  if (!isDns1123Label(ns)) return `namespace ${JSON.stringify(ns.slice(0, 80))} is not a Kubernetes namespace name`;
  for (const l of ep?.labels ?? []) {
    const [source, key, value] = splitFlowLabel(l);
    // The namespace is checked above; a service account name may be longer than a label value (a DNS subdomain).
    if (source !== 'k8s' || key === NAMESPACE_KEY || key === SERVICE_ACCOUNT_KEY) continue;
    if (!isIdentityLabelKey(key) || !isLabelValue(value)) {
      const k = key.startsWith(NAMESPACE_LABELS_PREFIX) ? key.slice(NAMESPACE_LABELS_PREFIX.length) : key;
      return `label ${JSON.stringify(l.slice(0, 120))} is not a Kubernetes label (${!isIdentityLabelKey(key) ? `key ${JSON.stringify(k.slice(0, 80))}` : `value ${JSON.stringify(value.slice(0, 80))}`})`;
    }
  }
  return undefined;
}

/**
 * Normalises one flow record: the connection attempt it is, or why it is skipped. (Replay and draft use the same
 * classification on a reused scratch object; this allocating form is for inspection and tests.)
 */
export function normalizeFlow(flow: HubbleFlow): NormalizedFlow {
  const s = new FlowScratch();
  if (!classifyFlow(flow, s)) return { skip: s.skip };
  const req = s.l7Key !== '' ? l7Request(flow.l7) : {};
  return {
    key: connectionKey(s),
    source: flowPeer(s.srcKey, flow.source, s.srcIp),
    destination: flowPeer(s.dstKey, flow.destination, s.dstIp),
    protocol: s.protocol,
    ...(s.protocol === 'ICMP' ? { icmpType: s.icmpType, icmpFamily: s.icmpFamily } : { port: s.port }),
    ...req,
    observed: OBSERVED_CODES[s.observed],
    ...(s.direction !== 0 ? { direction: s.direction === 1 ? 'egress' as const : 'ingress' as const } : {}),
    delivered: s.delivered,
    ...(s.dropReason !== undefined ? { dropReason: s.dropReason } : {}),
  };
}

/** @internal The descriptive key of a classified record: source, destination, `port/protocol`, L7 request, one per line. */
export function connectionKey(s: FlowScratch): string {
  return `${s.srcKey}\n${s.dstKey}\n${s.l4Key}\n${s.l7Key}`;
}
