/**
 * The type check of a flow record before it is used: every field replay and draft read (of `HubbleFlow`; `uuid`,
 * `source_names`, `trace_reason` and `Summary` are not read, so not checked) must have its
 * protojson type, and lists and strings stay within bounds no real Hubble record reaches. A record that fails is a
 * malformed line (counted, reported with its line number and this reason) and the run goes on: one mistyped field
 * (`"labels": "k8s:app=web"`) must neither end the read nor be judged as something it is not.
 *
 * `null` counts as absent (protojson never writes it). The check is hand-written over fixed paths (no recursion into
 * the record) with named property reads, so its cost is a few property reads per record.
 */
import { parseIp } from '../model/cidr';
import { HubbleFlow, TRAFFIC_DIRECTION_NAMES, VERDICT_NAMES } from './flow';
import { timeError } from './flow-time';

/**
 * The most identity labels one endpoint of a record may carry (pods carry tens, with their namespace's labels): more
 * makes the line malformed. Draft's cost grows with the square of the labels of the peers it merges into one rule.
 */
export const MAX_FLOW_LABELS = 256;
/** The longest string field accepted (an HTTP URL, a label): Envoy refuses request headers above 60 KiB anyway. */
export const MAX_FLOW_STRING = 64 * 1024;
/** The most entries of any other list (DNS names, DNS answers, policies, workloads, headers). */
export const MAX_FLOW_LIST = 4096;

/**
 * The values of the enums whose value decides how a record is judged (flow.proto `Verdict`, `TrafficDirection`,
 * `FlowType`, `L7FlowType`, `IPVersion`), as protojson writes them. Any other string is no value Hubble writes: a
 * misspelt `"forwarded"` or `"FORWARDEDX"` read as "no verdict" would be skipped as not decided by policy, so a capture
 * of such records would pass the gate unjudged. It makes the line malformed instead (counted, and the gate fails closed).
 * `verdict`, `traffic_direction` and `drop_reason_desc` may also be a 32-bit integer: protojson writes a value the writer's
 * schema lacks as its number (a hubble CLI older than the agent), which the reader reads by number (`flowEnumName`,
 * `recordDropReason`: an unknown number is never judged).
 */
const VERDICTS: ReadonlySet<string> = new Set(VERDICT_NAMES);
const TRAFFIC_DIRECTIONS: ReadonlySet<string> = new Set(TRAFFIC_DIRECTION_NAMES);
const FLOW_TYPES: ReadonlySet<string> = new Set(['UNKNOWN_TYPE', 'L3_L4', 'L7', 'SOCK']);
const L7_TYPES: ReadonlySet<string> = new Set(['UNKNOWN_L7_TYPE', 'REQUEST', 'RESPONSE', 'SAMPLE']);
const IP_VERSIONS: ReadonlySet<string> = new Set(['IP_NOT_USED', 'IPv4', 'IPv6']);
/** The members of flow.proto's `Layer4` `protocol` oneof: a record has at most one. */
const L4_PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6', 'VRRP', 'IGMP']);

/** Why the record cannot be used, e.g. `source.labels is a string, not a list`; `undefined` when it can. */
export function flowShapeError(flow: HubbleFlow): string | undefined {
  // Named property reads only (records differ in shape, so every read here is megamorphic: keyed reads cost far more).
  const f = flow as unknown as Record<string, unknown>;
  return time(f.time) ?? enumValue(f.verdict, 'verdict', VERDICTS) ?? uint(f.drop_reason, 'drop_reason')
    ?? (typeof f.drop_reason_desc === 'number' ? int(f.drop_reason_desc, 'drop_reason_desc') : str(f.drop_reason_desc, 'drop_reason_desc')) ?? uint(f.policy_match_type, 'policy_match_type') ?? oneOf(f.Type, 'Type', FLOW_TYPES)
    ?? str(f.node_name, 'node_name') ?? bool(f.reply, 'reply')
    ?? bool(f.is_reply, 'is_reply') ?? enumValue(f.traffic_direction, 'traffic_direction', TRAFFIC_DIRECTIONS) ?? str(f.trace_observation_point, 'trace_observation_point')
    ?? eventType(f.event_type) ?? ip(f.IP) ?? l4(f.l4) ?? endpoint(f.source, 'source') ?? endpoint(f.destination, 'destination')
    ?? strings(f.destination_names, 'destination_names', MAX_FLOW_LIST) ?? l7(f.l7)
    ?? policies(f.egress_allowed_by, 'egress_allowed_by') ?? policies(f.ingress_allowed_by, 'ingress_allowed_by')
    ?? policies(f.egress_denied_by, 'egress_denied_by') ?? policies(f.ingress_denied_by, 'ingress_denied_by');
}

/**
 * An optional time: a string protojson reads as a Timestamp. Any other is no value Hubble writes: read as "no time" it
 * would leave the record out of the capture's window in silence, so the line is malformed (as for any other field).
 */
function time(v: unknown): string | undefined {
  return str(v, 'time') ?? (typeof v === 'string' ? timeError(v, 'time') : undefined);
}

function eventType(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'event_type');
  if (typeof o === 'string') return o;
  return int(o.type, 'event_type.type') ?? int(o.sub_type, 'event_type.sub_type');
}

function ip(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'IP');
  if (typeof o === 'string') return o;
  return address(o.source, 'IP.source') ?? address(o.destination, 'IP.destination') ?? oneOf(o.ipVersion, 'IP.ipVersion', IP_VERSIONS);
}

function l4(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'l4');
  if (typeof o === 'string') return o;
  // A oneof: one protocol (a record with TCP and UDP is read as TCP, one with only an unknown key as no protocol at all).
  let protocol: string | undefined;
  for (const key in o) {
    if (!Object.prototype.hasOwnProperty.call(o, key) || o[key] === undefined || o[key] === null) continue;
    if (!L4_PROTOCOLS.has(key)) return `l4 has the field ${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}, which is no protocol of Hubble's Layer4`;
    if (protocol !== undefined) return `l4 has both ${protocol} and ${key}, where a record has one protocol`;
    protocol = key;
  }
  return ports(o.TCP, 'l4.TCP') ?? ports(o.UDP, 'l4.UDP') ?? ports(o.SCTP, 'l4.SCTP') ?? icmp(o.ICMPv4, 'l4.ICMPv4') ?? icmp(o.ICMPv6, 'l4.ICMPv6');
}

function ports(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, path);
  if (typeof o === 'string') return o;
  return port(o.source_port, `${path}.source_port`) ?? port(o.destination_port, `${path}.destination_port`)
    ?? (o.flags === undefined || o.flags === null ? undefined : notObject(o.flags, `${path}.flags`));
}

function icmp(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, path);
  if (typeof o === 'string') return o;
  return uint(o.type, `${path}.type`, 255) ?? uint(o.code, `${path}.code`, 255);
}

function endpoint(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, path);
  if (typeof o === 'string') return o;
  return uint(o.ID, `${path}.ID`) ?? uint(o.identity, `${path}.identity`) ?? str(o.cluster_name, `${path}.cluster_name`)
    ?? str(o.namespace, `${path}.namespace`) ?? str(o.pod_name, `${path}.pod_name`) ?? strings(o.labels, `${path}.labels`, MAX_FLOW_LABELS)
    ?? labelKeyTwice(o.labels as readonly string[] | undefined | null, `${path}.labels`) ?? workloads(o.workloads, `${path}.workloads`);
}

/**
 * A label key given twice among an end's identity labels (`k8s:app=api` and `k8s:app=other`, or one key of two sources):
 * Hubble writes the labels of an identity, a map keyed by the label key (pkg/labels `Labels`), so no record it writes
 * holds one. Read, one of the values would be judged (the engine keeps the last), another pod than the one seen.
 */
function labelKeyTwice(labels: readonly string[] | undefined | null, path: string): string | undefined {
  if (labels === undefined || labels === null || labels.length < 2) return undefined;
  const keys = new Set<string>();
  for (const label of labels) {
    const colon = label.indexOf(':');
    const rest = colon < 0 ? label : label.slice(colon + 1);
    const equals = rest.indexOf('=');
    const key = equals < 0 ? rest : rest.slice(0, equals);
    if (keys.has(key)) return `${path} has the key ${JSON.stringify(key.length > 100 ? `${key.slice(0, 100)}…` : key)} twice, where an identity has one value per key`;
    keys.add(key);
  }
  return undefined;
}

function workloads(v: unknown, path: string): string | undefined {
  const items = objects(v, path);
  if (typeof items === 'string') return items;
  for (let i = 0; i < items.length; i++) {
    const w = items[i];
    const e = str(w.name, `${path}[${i}].name`) ?? str(w.kind, `${path}[${i}].kind`);
    if (e !== undefined) return e;
  }
  return undefined;
}

function policies(v: unknown, path: string): string | undefined {
  const items = objects(v, path);
  if (typeof items === 'string') return items;
  for (let i = 0; i < items.length; i++) {
    const p = items[i];
    const e = str(p.name, `${path}[${i}].name`) ?? str(p.namespace, `${path}[${i}].namespace`) ?? str(p.kind, `${path}[${i}].kind`)
      ?? strings(p.labels, `${path}[${i}].labels`, MAX_FLOW_LABELS);
    if (e !== undefined) return e;
  }
  return undefined;
}

function l7(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'l7');
  if (typeof o === 'string') return o;
  return oneOf(o.type, 'l7.type', L7_TYPES) ?? dns(o.dns) ?? http(o.http) ?? kafka(o.kafka);
}

function dns(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'l7.dns');
  if (typeof o === 'string') return o;
  return str(o.query, 'l7.dns.query') ?? uint(o.rcode, 'l7.dns.rcode') ?? strings(o.ips, 'l7.dns.ips', MAX_FLOW_LIST)
    ?? strings(o.qtypes, 'l7.dns.qtypes', MAX_FLOW_LIST);
}

function http(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'l7.http');
  if (typeof o === 'string') return o;
  const e = str(o.method, 'l7.http.method') ?? str(o.url, 'l7.http.url') ?? str(o.protocol, 'l7.http.protocol') ?? uint(o.code, 'l7.http.code');
  if (e !== undefined) return e;
  const headers = objects(o.headers, 'l7.http.headers');
  if (typeof headers === 'string') return headers;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    const he = str(h.key, `l7.http.headers[${i}].key`) ?? str(h.value, `l7.http.headers[${i}].value`);
    if (he !== undefined) return he;
  }
  return undefined;
}

function kafka(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'l7.kafka');
  if (typeof o === 'string') return o;
  return str(o.api_key, 'l7.kafka.api_key') ?? int(o.api_version, 'l7.kafka.api_version') ?? str(o.topic, 'l7.kafka.topic')
    ?? int(o.correlation_id, 'l7.kafka.correlation_id') ?? int(o.error_code, 'l7.kafka.error_code');
}

const NONE: readonly Record<string, unknown>[] = [];

/** An optional list of objects, or why not. */
function objects(v: unknown, path: string): readonly Record<string, unknown>[] | string {
  if (v === undefined || v === null) return NONE;
  if (!Array.isArray(v)) return `${path} is ${describe(v)}, not a list`;
  if (v.length > MAX_FLOW_LIST) return `${path} has ${v.length} entries, more than the ${MAX_FLOW_LIST} accepted`;
  for (let i = 0; i < v.length; i++) {
    const e = notObject(v[i], `${path}[${i}]`);
    if (e !== undefined) return e;
  }
  return v as Record<string, unknown>[];
}

/** An optional list of strings of at most `max` entries. */
function strings(v: unknown, path: string, max: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return `${path} is ${describe(v)}, not a list`;
  if (v.length > max) return `${path} has ${v.length} entries, more than the ${max} accepted`;
  for (let i = 0; i < v.length; i++) {
    const s = v[i];
    if (typeof s !== 'string' || s.length > MAX_FLOW_STRING) return str(s, `${path}[${i}]`);
  }
  return undefined;
}

function obj(v: unknown, path: string): Record<string, unknown> | string {
  return notObject(v, path) ?? (v as Record<string, unknown>);
}

function str(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return `${path} is ${describe(v)}, not a string`;
  return v.length > MAX_FLOW_STRING ? `${path} is longer than ${MAX_FLOW_STRING} characters` : undefined;
}

/**
 * An optional integer between `min` and `max`. Protobuf integers are written as whole numbers within their type's range:
 * a fraction, a negative `uint32` or a port above 65535 is no value Hubble writes, so the record is malformed (not judged
 * as, say, "no port" and skipped in silence, or as port 80.5).
 */
function integer(v: unknown, path: string, min: number, max: number, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number') return `${path} is ${describe(v)}, not a number`;
  if (!Number.isFinite(v)) return `${path} is not a finite number`;
  // JSON.parse rounds an integer of 2^53 or more to a double: 9007199254741293 is read as 9007199254741292, so the value
  // read is not quoted (the record's text of it is not kept here).
  if (Math.abs(v) > Number.MAX_SAFE_INTEGER) return `${path} is a number of magnitude 2^53 or more (not read exactly), not ${what}`;
  return Number.isInteger(v) && v >= min && v <= max ? undefined : `${path} is ${v}, not ${what}`;
}

/** An optional `uint32` (or a smaller unsigned field: ICMP type and code are bytes). */
function uint(v: unknown, path: string, max = 0xffff_ffff): string | undefined {
  return integer(v, path, 0, max, `an integer from 0 to ${max}`);
}

/** An optional `int32`. */
function int(v: unknown, path: string): string | undefined {
  return integer(v, path, -0x8000_0000, 0x7fff_ffff, 'a 32-bit integer');
}

/** An optional port (a `uint32` in the record, but a port is at most 65535). */
function port(v: unknown, path: string): string | undefined {
  return integer(v, path, 0, 65535, 'a port from 0 to 65535');
}

/** Addresses already found valid (a capture has few distinct ones): an IPv6 address is parsed once. */
const VALID_ADDRESSES = new Set<string>();
const MAX_VALID_ADDRESSES = 65_536;

/**
 * An optional IP address, as Hubble writes one (`""` counts as absent). Anything else is malformed: a world end is keyed
 * and judged by its address, and `"evil"` or `"10.0.0.0/8"` could only be listed as not judged, which no gate can pass on.
 */
function address(v: unknown, path: string): string | undefined {
  const e = str(v, path);
  if (e !== undefined || typeof v !== 'string' || v === '' || isIpv4(v) || VALID_ADDRESSES.has(v)) return e;
  if (parseIp(v) === undefined) return `${path} is ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}, not an IP address`;
  if (VALID_ADDRESSES.size < MAX_VALID_ADDRESSES) VALID_ADDRESSES.add(v);
  return undefined;
}

/** Whether `s` is a dotted-quad IPv4 address (no leading zeros, as Go's netip reads them), without allocating. */
function isIpv4(s: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46; /* '.' */
    if (c === 46) {
      if (digits === 0 || value > 255 || ++parts > 4) return false;
      digits = 0;
      value = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return false;
      if (++digits > 3) return false;
      value = value * 10 + (c - 48);
    } else {
      return false;
    }
  }
  return parts === 4;
}

/** An optional enum, written as the name of one of its values. */
function oneOf(v: unknown, path: string, values: ReadonlySet<string>): string | undefined {
  const e = str(v, path);
  if (e !== undefined || v === undefined || v === null || values.has(v as string)) return e;
  const text = v as string;
  return `${path} is ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}, not one of ${[...values].join(', ')}`;
}

/** An enum value as protojson writes it: a name of `values`, or (a value the writer's schema lacks) a 32-bit integer. */
function enumValue(v: unknown, path: string, values: ReadonlySet<string>): string | undefined {
  return typeof v === 'number' ? int(v, path) : oneOf(v, path, values);
}

function bool(v: unknown, path: string): string | undefined {
  if (v === undefined || v === null || typeof v === 'boolean') return undefined;
  return `${path} is ${describe(v)}, not a boolean`;
}

function notObject(value: unknown, path: string): string | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : `${path} is ${describe(value)}, not an object`;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  const t = typeof value;
  return t === 'object' ? 'an object' : `a ${t}`;
}
