/**
 * Layer-7 rules as the proxies enforce them. HTTP (Envoy, pkg/envoy/policy): `method`, `path` and `host` are RE2
 * `safe_regex` full matches against `:method`, `:path` (query string included) and `:authority`, run by the one RE2
 * engine (`model/re2.ts`, linear time; a pattern RE2 rejects makes the agent skip the whole policy: `importable.ts`);
 * `headers` entries are `Name` (present) or `Name: value` (exact), split at the first space as Cilium does (`model/http-header.ts`: an entry
 * no request satisfies, such as `X-Token:abc`, matches nothing); `headerMatches` without a `mismatch` action must match. Kafka (deprecated):
 * `role` (produce/consume) or `apiKey`, `apiVersion`, `clientID`, `topic`. DNS: the query name against `matchName` /
 * `matchPattern`. A violation is not a drop: HTTP answers 403, DNS answers REFUSED.
 */
import { HeaderMatchModel, HttpRuleModel, KafkaRuleModel } from '../model/policy-model';
import { headerNeverMatches, headerRequirement } from '../model/http-header';
import { re2FullMatch } from '../model/re2';

/** An HTTP request to check against L7 rules. */
export interface HttpRequest {
  /** Method, e.g. `GET`. */
  readonly method: string;
  /** Path including the query string, e.g. `/public?page=2`. */
  readonly path: string;
  /**
   * `Host` / `:authority`.
   * @default - none (a rule with `host` does not match)
   */
  readonly host?: string;
  /**
   * Request headers.
   * @default - none
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A Kafka request to check against L7 rules. */
export interface KafkaRequest {
  /** API key: a name (`produce`, `fetch`, `metadata`, …) or its number. */
  readonly apiKey: string;
  /**
   * API version.
   * @default - any
   */
  readonly apiVersion?: number;
  /**
   * Client ID.
   * @default - none
   */
  readonly clientID?: string;
  /**
   * Topic.
   * @default - a request without topic
   */
  readonly topic?: string;
}

/** Kafka API key names and numbers. */
export const KAFKA_API_KEYS: Readonly<Record<string, number>> = {
  produce: 0, fetch: 1, offsets: 2, metadata: 3, leaderandisr: 4, stopreplica: 5, updatemetadata: 6, controlledshutdown: 7,
  offsetcommit: 8, offsetfetch: 9, findcoordinator: 10, joingroup: 11, heartbeat: 12, leavegroup: 13, syncgroup: 14,
  describegroups: 15, listgroups: 16, saslhandshake: 17, apiversions: 18, createtopics: 19, deletetopics: 20,
};

/** The API keys a Kafka `role` allows. */
const KAFKA_ROLES: Readonly<Record<string, readonly string[]>> = {
  produce: ['produce', 'metadata', 'apiversions'],
  consume: ['fetch', 'offsets', 'metadata', 'offsetcommit', 'offsetfetch', 'findcoordinator', 'joingroup', 'heartbeat', 'leavegroup',
    'syncgroup', 'apiversions'],
};

/** Whether an HTTP request satisfies one rule (every field given in the rule must match). */
export function httpRuleMatches(rule: HttpRuleModel, req: HttpRequest): boolean {
  const re = (pattern: string | undefined, value: string | undefined): boolean => {
    if (pattern === undefined || pattern === '') return true;
    if (value === undefined) return false;
    return re2FullMatch(pattern, value);
  };
  if (!re(rule.method, req.method) || !re(rule.path, req.path) || !re(rule.host, req.host)) return false;
  const headers = lowerKeys(req.headers ?? {});
  for (const h of rule.headers ?? []) {
    if (headerNeverMatches(h) !== undefined) return false;
    const { name, value } = headerRequirement(h);
    const actual = headerValue(req, headers, name);
    if (actual === undefined) return false;
    if (value !== undefined && actual !== value) return false;
  }
  return (rule.headerMatches ?? []).every((m) => headerMatchHolds(m, headers));
}

/** `GET /public host=… headers=[…]`. */
export function describeHttpRule(rule: HttpRuleModel): string {
  const parts = [rule.method ?? '*', rule.path ?? '*'];
  if (rule.host !== undefined) parts.push(`host ${rule.host}`);
  if ((rule.headers ?? []).length > 0) parts.push(`headers [${(rule.headers ?? []).join('; ')}]`);
  if ((rule.headerMatches ?? []).length > 0) parts.push(`headerMatches [${(rule.headerMatches ?? []).map((m) => m.name).join('; ')}]`);
  return parts.join(' ');
}

/** Whether a Kafka request satisfies one rule. */
export function kafkaRuleMatches(rule: KafkaRuleModel, req: KafkaRequest): boolean {
  const key = kafkaKeyName(req.apiKey);
  if (rule.role !== undefined && rule.role !== '') {
    if (!(KAFKA_ROLES[rule.role.toLowerCase()] ?? []).includes(key)) return false;
  } else if (rule.apiKey !== undefined && rule.apiKey !== '' && kafkaKeyName(rule.apiKey) !== key) {
    return false;
  }
  if (rule.apiVersion !== undefined && rule.apiVersion !== '' && req.apiVersion !== undefined && Number(rule.apiVersion) !== req.apiVersion) return false;
  if (rule.clientID !== undefined && rule.clientID !== '' && rule.clientID !== req.clientID) return false;
  if (rule.topic !== undefined && rule.topic !== '' && req.topic !== undefined && rule.topic !== req.topic) return false;
  return true;
}

/** `role=consume topic=empire-announce`. */
export function describeKafkaRule(rule: KafkaRuleModel): string {
  return Object.entries(rule).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${String(v)}`).join(' ') || '(any request)';
}

/** The canonical name of a Kafka API key given by name or number. */
export function kafkaKeyName(key: string): string {
  const lower = key.trim().toLowerCase();
  if (/^\d+$/.test(lower)) {
    const found = Object.entries(KAFKA_API_KEYS).find(([, n]) => n === Number(lower));
    return found ? found[0] : lower;
  }
  return lower;
}

function headerMatchHolds(m: HeaderMatchModel, headers: Record<string, string>): boolean {
  if (m.mismatch !== undefined && m.mismatch !== '') return true; // LOG/ADD/DELETE/REPLACE act on a mismatch, they do not deny
  const name = m.name.toLowerCase();
  if (!hasOwn(headers, name)) return false;
  if (m.secret !== undefined) return true; // the secret's value is not known offline: presence only
  return m.value === undefined || m.value === '' || headers[name] === m.value;
}

/**
 * The value of header `name` (lower case) in a request: Envoy's pseudo-headers `:method`, `:path` and `:authority` are
 * the request's method, path and host; any other name is looked up among its headers (`:scheme` and the rest only there).
 */
function headerValue(req: HttpRequest, headers: Record<string, string>, name: string): string | undefined {
  if (name === ':method') return req.method;
  if (name === ':path') return req.path;
  if (name === ':authority' && req.host !== undefined) return req.host;
  return hasOwn(headers, name) ? headers[name] : undefined;
}

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) Object.defineProperty(out, k.toLowerCase(), { value: v, enumerable: true, writable: true });
  return out;
}
