/**
 * Layer-7 rules as the proxies enforce them. HTTP (Envoy, pkg/envoy/policy): `method`, `path` and `host` are RE2
 * `safe_regex` full matches against `:method`, `:path` (query string included) and `:authority`, run by the one RE2
 * engine (`model/re2.ts`, linear time; a pattern RE2 rejects makes the agent skip the whole policy: `importable.ts`);
 * `headers` entries are `Name` (present) or `Name: value` (exact), split at the first space as Cilium does (`model/http-header.ts`: an entry
 * no request satisfies, such as `X-Token:abc`, matches nothing); `headerMatches` without a `mismatch` action must match, pseudo-headers included (one bound to a Secret never does here:
 * its value is unknown offline). Header names are read as Envoy's request header map reads them (`requestHeaderValue`):
 * `host` is `:authority`, and `:scheme` and `x-forwarded-proto` are what Envoy's connection manager sets before Cilium's
 * filter runs (`http` on a plain connection, `https` where the proxy terminates TLS). Kafka (deprecated):
 * `role` (produce/consume) or `apiKey`, `apiVersion`, `clientID`, `topic`. DNS: the query name against `matchName` /
 * `matchPattern`. A violation is not a drop: HTTP answers 403, DNS answers REFUSED.
 */
import { HeaderMatchModel, HttpRuleModel, KafkaRuleModel, SecretReferenceModel } from '../model/policy-model';
import { headerMatchRefuses, headerNeverMatches, headerRequirement } from '../model/http-header';
import { KAFKA_PARSED_API_KEYS, KAFKA_ROLE_API_KEYS, KAFKA_TOPIC_API_KEYS, kafkaApiKeyName } from '../model/kafka-api-keys';
import { re2FullMatch } from '../model/re2';
import { compareCodeUnits } from '../model/code-unit-order';

/** An HTTP request to check against L7 rules. */
export interface HttpRequest {
  /** Method, e.g. `GET`. */
  readonly method: string;
  /** Path including the query string, e.g. `/public?page=2`. */
  readonly path: string;
  /**
   * `Host` / `:authority`. A `Host` or `:authority` header given too is one header with it, the values joined by a comma
   * (Envoy joins two Host fields or refuses the request): a rule on either value alone does not match.
   * @default - a `Host` or `:authority` header the request gives, else none (a rule with `host` does not match)
   */
  readonly host?: string;
  /**
   * The scheme the proxy gave the request: Hubble's URL scheme, which Cilium's access log takes from the request's
   * X-Forwarded-Proto after Envoy set it: `http` or `https` (lower case; `PolicySet.verdict` and `decide` refuse any other
   * value, `engine-query`). A rule on `:scheme` or `X-Forwarded-Proto` reads it.
   * @default - the connection's: Envoy sets `:scheme` and X-Forwarded-Proto to `http`, or to `https` on a port where a
   *   rule for the peer terminates TLS (`terminatingTLS`); a `:scheme` header the request gives is its `:scheme`
   */
  readonly scheme?: string;
  /**
   * Request headers. Names are matched in any case; a name written in two cases (`X-Auth`, `x-auth`) is one header whose
   * values Envoy joins by a comma. A name that is not an HTTP field name (an RFC 9110 token: not `X Token`, `X-Token:`)
   * nor a pseudo-header such as `:authority` is refused (`engine-query`): no request carries it.
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
   * @default - not known: a rule with `apiVersion` does not match (its answer would depend on it), and the explanation says so
   */
  readonly apiVersion?: number;
  /**
   * Client ID.
   * @default - not known: a rule with `clientID` does not match (its answer would depend on it), and the explanation says so
   */
  readonly clientID?: string;
  /**
   * Topic.
   * @default - not known: a rule with `topic` does not match a request of an API key that carries topics (produce, fetch,
   * metadata, …), and the explanation says so; requests of other keys (heartbeat, joingroup, …) have no topic
   */
  readonly topic?: string;
}

/**
 * Whether an HTTP request satisfies one rule (every field given in the rule must match).
 * @param tls whether the proxy terminates TLS on the connection (`terminatingTLS`): Envoy then sets `:scheme` and
 *   X-Forwarded-Proto to `https`
 */
export function httpRuleMatches(rule: HttpRuleModel, req: HttpRequest, tls = false): boolean {
  const re = (pattern: string | undefined, value: string | undefined): boolean => {
    if (pattern === undefined || pattern === '') return true;
    if (value === undefined) return false;
    return re2FullMatch(pattern, value);
  };
  const headers = lowerKeys(req.headers ?? {});
  if (!re(rule.method, req.method) || !re(rule.path, req.path) || !re(rule.host, requestHeaderValue(req, headers, ':authority', tls))) return false;
  for (const h of rule.headers ?? []) {
    if (headerNeverMatches(h) !== undefined) return false;
    const { name, value } = headerRequirement(h);
    if (value === undefined) {
      if (!requestHeaderPresent(req, headers, name, tls)) return false;
      continue;
    }
    if (requestHeaderValue(req, headers, name, tls) !== value) return false;
  }
  return (rule.headerMatches ?? []).every((m) => headerMatchHolds(m, req, headers, tls));
}

/**
 * `GET /public host api.example.com headers [x-team: blue]`: every field the rule decides by. Values are written as they
 * are when they cannot be misread (one word; a header entry without a list separator), else JSON-quoted (`"/a host b"`),
 * so that two rules that decide differently are never described alike: the connectivity diff compares the descriptions.
 */
export function describeHttpRule(rule: HttpRuleModel): string {
  // An empty method, path or host matches as an absent one (pkg/envoy `getHTTPRule`: `if h.Method != ""` adds a matcher).
  const given = (field: string | undefined): string | undefined => (field === undefined || field === '' ? undefined : field);
  const method = given(rule.method);
  const path = given(rule.path);
  const parts = [method !== undefined ? l7Word(method) : '*', path !== undefined ? l7Word(path) : '*'];
  const host = given(rule.host);
  if (host !== undefined) parts.push(`host ${l7Word(host)}`);
  // Order-free matchers sorted (pkg/envoy `getHTTPRule`: the `headers` entries and the `headerMatches` without a mismatch
  // action are Envoy HeaderMatchers, all of which must hold, sorted by `SortHeaderMatchers`); a `headerMatches` entry with a
  // mismatch action acts on the request in turn and keeps its place (`SortHeaderMatches(headerMatches)` is commented out).
  // A `headerMatches` entry that is the very HeaderMatcher of a `headers` entry is written as that entry, in the one list
  // (a matcher written twice is one requirement), so the two spellings of one rule read alike.
  const matches = rule.headerMatches ?? [];
  const asEntries = matches.map(headersEntryOf);
  const entries = [...(rule.headers ?? []), ...asEntries.filter((e): e is string => e !== undefined)];
  if (entries.length > 0) parts.push(`headers [${[...new Set(entries.map((e) => headerEntryText(lowerCaseName(e))))].sort(compareCodeUnits).join('; ')}]`);
  const rest = matches.filter((_m, i) => asEntries[i] === undefined);
  if (rest.length > 0) {
    const refusing = rest.filter((m) => headerMatchRefuses(m)).map(describeHeaderMatch).sort(compareCodeUnits);
    parts.push(`headerMatches [${[...refusing, ...rest.filter((m) => !headerMatchRefuses(m)).map(describeHeaderMatch)].join('; ')}]`);
  }
  return parts.join(' ');
}

/**
 * The `headers` entry that makes the same Envoy HeaderMatcher as a `headerMatches` entry, or `undefined`. pkg/envoy
 * `getHTTPRule` turns a `headers` entry `Name: value` into `{name: Name, exact: value}` and `Name` into `{name: Name,
 * present}`, and a `headerMatches` entry without a mismatch action and without a Secret into `{name, exact: value}`, or
 * `{name, present}` when its value is empty: `{name: X-Env, value: prod}` is `X-Env: prod`, `{name: X-Env}` is `X-Env`.
 * Only where the entry reads back as the same name and value (`headerRequirement`) and can match a request: a name with a
 * space or a trailing `:`, or a value with whitespace at an end, has no such entry.
 */
function headersEntryOf(m: HeaderMatchModel): string | undefined {
  if (m.secret !== undefined || !headerMatchRefuses(m) || typeof m.name !== 'string' || m.name === '') return undefined;
  const value = m.value !== undefined && m.value !== '' ? m.value : undefined;
  const entry = value === undefined ? m.name : `${m.name}: ${value}`;
  const read = headerRequirement(entry);
  return read.name === m.name.toLowerCase() && read.value === value && headerNeverMatches(entry) === undefined ? entry : undefined;
}

/**
 * A `headers` entry with its name lower-cased: Envoy matches header names in any case (its `HeaderMatcher` keeps the name
 * as an `Http::LowerCaseString`, `HeaderUtility::HeaderData::name_`, as cilium-envoy's `HeaderMatch` for `headerMatches`
 * does), so `X-Env: prod` and `x-env: prod` are one matcher and read alike. The name is what Cilium reads as one: up to the
 * first space (`headerRequirement`), the whole entry without one.
 */
function lowerCaseName(entry: string): string {
  const space = entry.indexOf(' ');
  return space < 0 ? entry.toLowerCase() : `${entry.slice(0, space).toLowerCase()}${entry.slice(space)}`;
}

/**
 * A value of an L7 rule as its description writes it: as written when it is one word that reads as no other (no
 * whitespace, control character or quote; not `*`, which stands for an absent field), else JSON-quoted. Ordinary methods,
 * paths, hosts, topics and keys (`GET`, `/api/v[0-9]+`, `(a|b)`) read as written.
 */
export function l7Word(value: string): string {
  return value !== '' && value !== '*' && !/[\s\p{Cc}"]/u.test(value) ? value : JSON.stringify(value);
}

/**
 * A `headers` entry as written (`X-Team: blue`, spaces included) unless it could be misread in the list: a list
 * separator or bracket (`;`, `[`, `]`, `|`), a quote, a control character, whitespace other than a space, or whitespace
 * at either end (` X-Team` names no header, `X-Team` does): then JSON-quoted.
 */
function headerEntryText(entry: string): string {
  return entry !== '' && !/[;[\]|"\p{Cc}]|[^\S ]|^ | $/u.test(entry) ? entry : JSON.stringify(entry);
}

/**
 * `X-Team: "blue"`, `Authorization from Secret default/token (else "x")`, `… on mismatch LOG`: everything the entry decides by (the
 * value, the Secret, the mismatch action), so that two rules that decide differently are never described alike (the
 * connectivity diff compares the descriptions).
 */
function describeHeaderMatch(m: HeaderMatchModel): string {
  const value = m.value !== undefined && m.value !== '' ? JSON.stringify(m.value) : undefined;
  const secret = m.secret !== undefined ? secretText(m.secret) : undefined;
  const matched = secret !== undefined ? ` from ${secret}${value !== undefined ? ` (else ${value})` : ''}` : value !== undefined ? `: ${value}` : '';
  const mismatch = m.mismatch !== undefined && m.mismatch !== '' ? ` on mismatch ${l7Word(m.mismatch)}` : '';
  // Lower-cased, as Envoy matches it (`lowerCaseName`).
  return `${headerNameText(m.name.toLowerCase())}${matched}${mismatch}`;
}

/**
 * `Secret default/token`: a Secret's namespace and name as `l7Word` writes them, each JSON-quoted when it holds a `/` (a
 * name `a/b` and the namespace `a` with the name `b` are two Secrets: `Secret "a/b"`, `Secret a/b`). The one writer of a
 * Secret reference, for rule descriptions and notes.
 */
export function secretText(secret: SecretReferenceModel): string {
  const part = (v: string): string => (v.includes('/') ? JSON.stringify(v) : l7Word(v));
  return `Secret ${secret.namespace !== undefined ? `${part(secret.namespace)}/` : ''}${part(secret.name)}`;
}

/** A `headerMatches` name as written unless it could be misread (as `l7Word`, or with a list separator): then JSON-quoted. */
function headerNameText(name: string): string {
  return /[;[\]|:]/.test(name.replace(/^:/, '')) ? JSON.stringify(name) : l7Word(name);
}

/**
 * Whether a Kafka request satisfies one rule (Cilium's `ruleMatches`: `CheckAPIKeyRole`, then `apiVersion`, then
 * `clientID` and `topic`). A rule whose answer depends on a field the request does not give (see `kafkaRuleUnknowns`) does
 * not match: the engine never allows on a guess.
 */
export function kafkaRuleMatches(rule: KafkaRuleModel, req: KafkaRequest): boolean {
  const key = kafkaApiKeyName(req.apiKey);
  if (!kafkaKeyMatches(rule, key)) return false;
  if (set(rule.apiVersion) && (req.apiVersion === undefined || Number(rule.apiVersion) !== req.apiVersion)) return false;
  if (set(rule.clientID) && (req.clientID === undefined || rule.clientID !== req.clientID)) return false;
  if (set(rule.topic) && KAFKA_TOPIC_API_KEYS.has(key)) {
    if (!KAFKA_PARSED_API_KEYS.has(key) || req.topic === undefined || rule.topic !== req.topic) return false;
  }
  return true;
}

/**
 * Whether a rule's `topic` can never match the request's API key: the key's requests carry topics, but Cilium's parser
 * does not read them (`createtopics`, `deletetopics`, …), so `matchNonTopicRequests` refuses them under a topic rule.
 */
export function kafkaTopicUnreadable(rule: KafkaRuleModel, req: KafkaRequest): boolean {
  const key = kafkaApiKeyName(req.apiKey);
  return set(rule.topic) && KAFKA_TOPIC_API_KEYS.has(key) && !KAFKA_PARSED_API_KEYS.has(key) && kafkaKeyMatches(rule, key);
}

/**
 * The request fields a rule's answer depends on that the request does not give (`apiVersion`, `clientID`, `topic`), when
 * the rest of the rule would match it: such a rule is judged not to match, and the explanation names what was unknown.
 */
export function kafkaRuleUnknowns(rule: KafkaRuleModel, req: KafkaRequest): string[] {
  const key = kafkaApiKeyName(req.apiKey);
  if (!kafkaKeyMatches(rule, key)) return [];
  const known = (field: 'apiVersion' | 'clientID' | 'topic'): boolean => !set(rule[field]) || req[field] !== undefined;
  if (known('apiVersion') && set(rule.apiVersion) && Number(rule.apiVersion) !== req.apiVersion) return [];
  if (known('clientID') && set(rule.clientID) && rule.clientID !== req.clientID) return [];
  if (kafkaTopicUnreadable(rule, req)) return [];
  const topicMatters = KAFKA_TOPIC_API_KEYS.has(key);
  if (topicMatters && known('topic') && set(rule.topic) && rule.topic !== req.topic) return [];
  const out: string[] = [];
  if (!known('apiVersion')) out.push('apiVersion');
  if (!known('clientID')) out.push('clientID');
  if (topicMatters && !known('topic')) out.push('topic');
  return out;
}

/** Whether the rule's `role` or `apiKey` admits the request's API key (`CheckAPIKeyRole`). */
function kafkaKeyMatches(rule: KafkaRuleModel, key: string): boolean {
  if (set(rule.role)) {
    const role = rule.role.toLowerCase();
    return hasOwn(KAFKA_ROLE_API_KEYS, role) && KAFKA_ROLE_API_KEYS[role].includes(key);
  }
  return !set(rule.apiKey) || kafkaApiKeyName(rule.apiKey) === key;
}

function set(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

/** `role=consume topic=empire-announce`; a value that could be misread (`clientID="a topic=b"`) JSON-quoted (`l7Word`). */
export function describeKafkaRule(rule: KafkaRuleModel): string {
  return Object.entries(rule).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `${k}=${l7Word(String(v))}`).join(' ') || '(any request)';
}

/**
 * `l7proto: r2d2 cmd="READ" file="a"`: the parser and one key-value rule, keys in code-unit order (a Go map: their order is
 * no part of the rule), values JSON-quoted, parser and keys as `l7Word` writes them (a key with `=` quoted too).
 */
export function describeL7protoRule(l7proto: string, rule: Readonly<Record<string, string>> | undefined): string {
  if (rule === undefined) return `l7proto: ${l7Word(l7proto)}`;
  const key = (k: string): string => (k.includes('=') ? JSON.stringify(k) : l7Word(k));
  return `l7proto: ${l7Word(l7proto)} ${Object.keys(rule).sort(compareCodeUnits).map((k) => `${key(k)}=${JSON.stringify(rule[k])}`).join(' ')}`.trimEnd();
}

/**
 * Whether a request satisfies one `headerMatches` entry (pkg/envoy `getHTTPRule`, `getSecretString`). A mismatch action
 * (LOG, ADD, DELETE, REPLACE) acts on a mismatch and does not deny. With a `secret`, the header must equal the Secret's
 * value (`value` is only the fallback when the agent cannot read the Secret). The engine does not read Secrets, so it
 * never judges a request to have a Secret's value: such an entry without a mismatch action matches no request here.
 * (A Secret the agent cannot read, without a `value`, makes Envoy match no request at all, mismatch action or not:
 * `secretHeaderNotes` says so.)
 */
function headerMatchHolds(m: HeaderMatchModel, req: HttpRequest, headers: Record<string, string>, tls: boolean): boolean {
  if (!headerMatchRefuses(m)) return true;
  if (m.secret !== undefined) return false;
  // The same Envoy HeaderMatcher as a `headers` entry: pseudo-headers (`:method`, `:path`, `:authority`) included.
  const name = m.name.toLowerCase();
  if (m.value === undefined || m.value === '') return requestHeaderPresent(req, headers, name, tls);
  return requestHeaderValue(req, headers, name, tls) === m.value;
}

/** What an explanation says of the rule's `headerMatches` bound to a Secret (see `headerMatchHolds`). */
export function secretHeaderNotes(rule: HttpRuleModel): string[] {
  const notes: string[] = [];
  for (const m of rule.headerMatches ?? []) {
    if (m.secret === undefined) continue;
    const secret = secretText(m.secret);
    const fallback = m.value !== undefined && m.value !== '';
    if (!headerMatchRefuses(m)) {
      if (!fallback) notes.push(`headerMatches ${m.name} takes its value from ${secret}: if the agent cannot read it, Envoy matches no request to this rule`);
    } else {
      notes.push(`headerMatches ${m.name} takes its value from ${secret}, which the engine cannot read: no request is judged to match it `
        + `(Cilium requires the header to equal the Secret's value; if the agent cannot read the Secret, ${fallback ? `to equal ${JSON.stringify(m.value)}` : 'no request matches'})`);
    }
  }
  return notes;
}

/**
 * The value of header `name` (lower case) in a request as Envoy's header matchers read it, or `undefined` when the request
 * has none or its value is not known offline:
 * - `:method` and `:path` are the request's method and path;
 * - `:authority` and `host` are one header (Envoy's request header map stores a legacy `Host` as `:authority`): the
 *   request's host and any header of either name it gives, their values joined by a comma as for any header given twice
 *   (Envoy joins two Host fields or refuses the request: either way a rule on one of the values does not match);
 * - `:scheme` and `x-forwarded-proto` are what `ConnectionManagerUtility::mutateRequestHeaders` leaves before Cilium's
 *   filter runs (`requestScheme`);
 * - any other name is looked up among the request's headers.
 */
function requestHeaderValue(req: HttpRequest, headers: Record<string, string>, name: string, tls: boolean): string | undefined {
  if (name === ':method') return req.method;
  if (name === ':path') return req.path;
  if (name === ':authority' || name === 'host') {
    // One header of every value given: Envoy joins the fields (or refuses the request), so none alone matches.
    const values = [req.host, ...[':authority', 'host'].map((n) => (hasOwn(headers, n) ? headers[n] : undefined))].filter((v): v is string => v !== undefined);
    return values.length > 0 ? values.join(',') : undefined;
  }
  if (name === ':scheme') return hasOwn(headers, ':scheme') ? headers[':scheme'] : requestScheme(req, headers, tls).scheme;
  if (name === 'x-forwarded-proto') return requestScheme(req, headers, tls).forwardedProto;
  return hasOwn(headers, name) ? headers[name] : undefined;
}

/**
 * Whether a request has header `name` (lower case) as Envoy's header matchers see it: `:scheme` and `x-forwarded-proto`
 * always (Envoy's connection manager sets both, whatever their values: `requestScheme`), any other when
 * `requestHeaderValue` gives it.
 */
function requestHeaderPresent(req: HttpRequest, headers: Record<string, string>, name: string, tls: boolean): boolean {
  return name === ':scheme' || name === 'x-forwarded-proto' || requestHeaderValue(req, headers, name, tls) !== undefined;
}

/** The schemes Envoy takes from X-Forwarded-Proto for `:scheme` (`HeaderUtility::schemeIsValid`, case-sensitive). */
const VALID_SCHEMES: readonly string[] = ['http', 'https'];

/**
 * `:scheme` and X-Forwarded-Proto of a request as Envoy sets them (`ConnectionManagerUtility::mutateRequestHeaders`):
 * Cilium's proxy listener uses the remote address (pkg/envoy `getHttpFilterChainProto`), so with the agent's default of
 * no trusted hops (`--proxy-xff-num-trusted-hops-*` 0) Envoy overwrites X-Forwarded-Proto with the connection's
 * encryption (`http` on a plain connection); with trusted hops a client's X-Forwarded-Proto is kept. `:scheme`, when the
 * request has none, is X-Forwarded-Proto if it is `http` or `https`, else the connection's encryption (`https` where the
 * proxy terminates TLS, `terminatingTLS`). A request of
 * Hubble's carries the result (`scheme`); for another, a client's X-Forwarded-Proto of a valid scheme other than the
 * connection's makes both depend on that agent setting, so neither value is known: a rule on their values is judged not
 * to match (never allowed on a guess); a rule on their presence matches (`requestHeaderPresent`).
 */
function requestScheme(req: HttpRequest, headers: Record<string, string>, tls: boolean): { scheme?: string; forwardedProto?: string } {
  if (req.scheme !== undefined) {
    return { forwardedProto: req.scheme, ...(VALID_SCHEMES.includes(req.scheme) ? { scheme: req.scheme } : {}) };
  }
  const connection = tls ? 'https' : 'http';
  const client = hasOwn(headers, 'x-forwarded-proto') ? headers['x-forwarded-proto'] : undefined;
  if (client === undefined || client === connection) return { scheme: connection, forwardedProto: connection };
  // Trusted or not, an X-Forwarded-Proto that is no valid scheme leaves `:scheme` to the connection.
  return VALID_SCHEMES.includes(client) ? {} : { scheme: connection };
}

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return headerRecord(Object.entries(headers), true);
}

/**
 * The headers of a request as Envoy matches them: a name given more than once (in any case: `X-Auth` and `x-auth` are
 * one header) has its values joined by a comma in the order given, as `Http::HeaderUtility::getAllOfHeaderAsString`
 * gives them to `headers` and `headerMatches` alike. So `X-Auth: no` then `X-Auth: yes` is `no,yes`, which a rule
 * requiring `X-Auth: yes` does not match.
 * @param lower whether the names are written in lower case (else as first given)
 */
export function headerRecord(entries: Iterable<readonly [string, string]>, lower: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const names = new Map<string, string>();
  for (const [name, value] of entries) {
    const folded = name.toLowerCase();
    const key = names.get(folded) ?? (lower ? folded : name);
    names.set(folded, key);
    const joined = hasOwn(out, key) ? `${out[key]},${value}` : value;
    Object.defineProperty(out, key, { value: joined, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
