/**
 * The type check of a flow record before it is used: every field replay and draft read (`HubbleFlow`) must have its
 * protojson type, and lists and strings stay within bounds no real Hubble record reaches. A record that fails is a
 * malformed line (counted, reported with its line number and this reason) and the run goes on: one mistyped field
 * (`"labels": "k8s:app=web"`) must neither end the read nor be judged as something it is not.
 *
 * `null` counts as absent (protojson never writes it). The check is hand-written over fixed paths (no recursion into
 * the record), so its cost is a few property reads per record.
 */
import { HubbleFlow } from './flow';

/** The most identity labels one endpoint of a record may carry (pods carry tens; Cilium caps identities far lower). */
export const MAX_FLOW_LABELS = 1024;
/** The longest string field accepted (an HTTP URL, a label): Envoy refuses request headers above 60 KiB anyway. */
export const MAX_FLOW_STRING = 64 * 1024;
/** The most entries of any other list (DNS names, DNS answers, policies, workloads, headers). */
export const MAX_FLOW_LIST = 4096;

type Kind = 'string' | 'number' | 'boolean' | 'object';

/** Why the record cannot be used, e.g. `source.labels is a string, not a list`; `undefined` when it can. */
export function flowShapeError(flow: HubbleFlow): string | undefined {
  const f = flow as unknown as Record<string, unknown>;
  return fields(f, '', TOP)
    ?? object(f.event_type, 'event_type', EVENT_TYPE)
    ?? object(f.IP, 'IP', IP)
    ?? l4(f.l4)
    ?? endpoint(f.source, 'source')
    ?? endpoint(f.destination, 'destination')
    ?? list(f.source_names, 'source_names', 'string')
    ?? list(f.destination_names, 'destination_names', 'string')
    ?? l7(f.l7)
    ?? policies(f, 'egress_allowed_by') ?? policies(f, 'ingress_allowed_by') ?? policies(f, 'egress_denied_by') ?? policies(f, 'ingress_denied_by');
}

const TOP: Readonly<Record<string, Kind>> = {
  time: 'string', uuid: 'string', verdict: 'string', drop_reason: 'number', drop_reason_desc: 'string', Type: 'string', node_name: 'string',
  reply: 'boolean', is_reply: 'boolean', traffic_direction: 'string', policy_match_type: 'number', trace_observation_point: 'string',
  trace_reason: 'string', Summary: 'string',
};
const EVENT_TYPE: Readonly<Record<string, Kind>> = { type: 'number', sub_type: 'number' };
const IP: Readonly<Record<string, Kind>> = { source: 'string', destination: 'string', ipVersion: 'string' };
const PORTS: Readonly<Record<string, Kind>> = { source_port: 'number', destination_port: 'number', flags: 'object' };
const ICMP: Readonly<Record<string, Kind>> = { type: 'number', code: 'number' };
const ENDPOINT: Readonly<Record<string, Kind>> = { ID: 'number', identity: 'number', cluster_name: 'string', namespace: 'string', pod_name: 'string' };
const NAMED: Readonly<Record<string, Kind>> = { name: 'string', namespace: 'string', kind: 'string' };
const L7: Readonly<Record<string, Kind>> = { type: 'string' };
const DNS: Readonly<Record<string, Kind>> = { query: 'string', rcode: 'number' };
const HTTP: Readonly<Record<string, Kind>> = { method: 'string', url: 'string', protocol: 'string', code: 'number' };
const HEADER: Readonly<Record<string, Kind>> = { key: 'string', value: 'string' };
const KAFKA: Readonly<Record<string, Kind>> = { api_key: 'string', api_version: 'number', topic: 'string', correlation_id: 'number', error_code: 'number' };
const WORKLOAD: Readonly<Record<string, Kind>> = { name: 'string', kind: 'string' };

function l4(value: unknown): string | undefined {
  const shape = isAbsent(value) ? undefined : notObject(value, 'l4');
  if (shape !== undefined || isAbsent(value)) return shape;
  const v = value as Record<string, unknown>;
  return object(v.TCP, 'l4.TCP', PORTS) ?? object(v.UDP, 'l4.UDP', PORTS) ?? object(v.SCTP, 'l4.SCTP', PORTS)
    ?? object(v.ICMPv4, 'l4.ICMPv4', ICMP) ?? object(v.ICMPv6, 'l4.ICMPv6', ICMP);
}

function endpoint(value: unknown, path: string): string | undefined {
  const error = object(value, path, ENDPOINT);
  if (error !== undefined || isAbsent(value)) return error;
  const v = value as Record<string, unknown>;
  return list(v.labels, `${path}.labels`, 'string', MAX_FLOW_LABELS) ?? objects(v.workloads, `${path}.workloads`, WORKLOAD);
}

function l7(value: unknown): string | undefined {
  const error = object(value, 'l7', L7);
  if (error !== undefined || isAbsent(value)) return error;
  const v = value as Record<string, unknown>;
  const dns = object(v.dns, 'l7.dns', DNS);
  if (dns !== undefined) return dns;
  if (!isAbsent(v.dns)) {
    const d = v.dns as Record<string, unknown>;
    const e = list(d.ips, 'l7.dns.ips', 'string') ?? list(d.qtypes, 'l7.dns.qtypes', 'string');
    if (e !== undefined) return e;
  }
  const http = object(v.http, 'l7.http', HTTP);
  if (http !== undefined) return http;
  if (!isAbsent(v.http)) {
    const e = objects((v.http as Record<string, unknown>).headers, 'l7.http.headers', HEADER);
    if (e !== undefined) return e;
  }
  return object(v.kafka, 'l7.kafka', KAFKA);
}

function policies(f: Record<string, unknown>, key: string): string | undefined {
  return objects(f[key], key, NAMED);
}

/** An optional object whose listed fields have their kinds. */
function object(value: unknown, path: string, shape: Readonly<Record<string, Kind>>): string | undefined {
  if (isAbsent(value)) return undefined;
  return notObject(value, path) ?? fields(value as Record<string, unknown>, `${path}.`, shape);
}

/** An optional list of objects of one shape. */
function objects(value: unknown, path: string, shape: Readonly<Record<string, Kind>>): string | undefined {
  const error = list(value, path, 'object');
  if (error !== undefined || isAbsent(value)) return error;
  const items = value as unknown[];
  for (let i = 0; i < items.length; i++) {
    const e = fields(items[i] as Record<string, unknown>, `${path}[${i}].`, shape);
    if (e !== undefined) return e;
  }
  return undefined;
}

/** An optional list whose items are all of one kind, with at most `max` items. */
function list(value: unknown, path: string, kind: Kind, max = MAX_FLOW_LIST): string | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) return `${path} is ${describe(value)}, not a list`;
  if (value.length > max) return `${path} has ${value.length} entries, more than the ${max} accepted`;
  for (let i = 0; i < value.length; i++) {
    const e = check(value[i], `${path}[${i}]`, kind);
    if (e !== undefined) return e;
  }
  return undefined;
}

function fields(v: Record<string, unknown>, prefix: string, shape: Readonly<Record<string, Kind>>): string | undefined {
  for (const key in shape) {
    const value = v[key];
    if (isAbsent(value)) continue;
    const e = check(value, `${prefix}${key}`, shape[key]);
    if (e !== undefined) return e;
  }
  return undefined;
}

function check(value: unknown, path: string, kind: Kind): string | undefined {
  if (kind === 'object') return notObject(value, path);
  if (typeof value !== kind) return `${path} is ${describe(value)}, not a ${kind}`;
  if (kind === 'string' && (value as string).length > MAX_FLOW_STRING) return `${path} is longer than ${MAX_FLOW_STRING} characters`;
  if (kind === 'number' && !Number.isFinite(value)) return `${path} is not a finite number`;
  return undefined;
}

function notObject(value: unknown, path: string): string | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : `${path} is ${describe(value)}, not an object`;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  const t = typeof value;
  return t === 'object' ? 'an object' : `a ${t}`;
}
