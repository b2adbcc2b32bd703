import { HttpRuleModel } from './policy-model';
import { trimRuns } from './trim-runs';
import { showValue } from '../core/errors';

/**
 * A `headers` entry of an HTTP rule (`rules.http[].headers`), as Cilium hands it to Envoy (pkg/envoy `getHTTPRule`):
 * split at the FIRST space; one part is a header that must be present, named by the whole entry; two parts are a header
 * name (trailing `:` removed) and its exact value (the rest of the entry, as written). The agent does not check these
 * entries ("Headers are not sanitized"), so an entry no request can satisfy is accepted and the rule matches nothing:
 * Envoy answers 403 to every request it should have let through.
 *
 * Shared by the engine (which request a rule matches), the constructs (`HttpRule.of` refuses an entry that matches no
 * request) and `validate` (`pitfall-http-header-never-matches`).
 */

/** What a `headers` entry requires of a request. */
export interface HeaderRequirement {
  /** The header name, lower-cased (Envoy matches names case-insensitively). */
  readonly name: string;
  /** The exact value required; absent: presence only. */
  readonly value?: string;
}

/** HTTP field names are tokens (RFC 9110 `tchar`); Envoy's pseudo-headers add a leading `:`. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `name` is an HTTP field name (an RFC 9110 token), as every header a request carries is. */
export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

/** The pseudo-headers of a request that Envoy's header matchers read (Cilium's own path, method and host rules use them). */
export const PSEUDO_HEADERS: readonly string[] = [':authority', ':method', ':path', ':scheme'];

/** Whether a request can carry a field of this name: an HTTP field name, or a pseudo-header Envoy's matchers read (any case). */
export function isRequestFieldName(name: string): boolean {
  return TOKEN.test(name) || PSEUDO_HEADERS.includes(name.toLowerCase());
}

/** A `headers` entry read as Cilium reads it. */
export function headerRequirement(entry: string): HeaderRequirement {
  const space = entry.indexOf(' ');
  if (space < 0) return { name: entry.toLowerCase() };
  return { name: trimRuns(entry.slice(0, space), (c) => c === 0x3a, 'end').toLowerCase(), value: entry.slice(space + 1) };
}

/**
 * Why no request can satisfy a `headers` entry, or `undefined` when some request can: a name that is not an HTTP field
 * name (empty, a `:` left in it — `X-Token:` or `X-Token:abc` without the space —, other characters), or a value with
 * whitespace at either end (HTTP strips it from every field value, so the exact match never holds).
 */
export function headerNeverMatches(entry: string): string | undefined {
  const { name, value } = headerRequirement(entry);
  if (name === '') return 'it names no header (Cilium splits the entry at its first space)';
  if (!isRequestFieldName(name)) {
    return entry.indexOf(' ') < 0 && name.includes(':')
      ? `without a space after the colon, Cilium reads all of ${showValue(entry)} as one header name, which no request has`
      : `${showValue(name)} is not an HTTP header name, so no request has it`;
  }
  if (value !== undefined && value !== trimRuns(value, (c) => c === 0x20 || c === 0x09)) {
    return `its value ${showValue(value)} starts or ends with whitespace, which HTTP strips from every header value, so the exact match never holds`;
  }
  return undefined;
}

/**
 * Why no request can satisfy a `headerMatches` entry by its name, or `undefined`: a name that is not an HTTP field name
 * (RFC 9110 token) nor a pseudo-header Envoy matches (`X Token`, `X-Token:`) — Envoy's matcher accepts any name without
 * NUL, CR or LF and no request carries such a header. Only an entry that refuses a request counts (`headerMatchRefuses`):
 * one with a mismatch action never refuses.
 */
export function headerMatchNeverMatches(match: { readonly name?: unknown; readonly mismatch?: string }): string | undefined {
  if (typeof match.name !== 'string' || match.name === '' || !headerMatchRefuses(match)) return undefined;
  if (isRequestFieldName(match.name)) return undefined;
  return `${showValue(match.name)} is not an HTTP header name, so no request has it`;
}

/** The `mismatch` actions of a `headerMatches` entry (the CRD's enum). */
export const HEADER_MISMATCH_ACTIONS: readonly string[] = ['LOG', 'ADD', 'DELETE', 'REPLACE'];

/**
 * Whether a `headerMatches` entry refuses a request that does not satisfy it: one without a mismatch action. With one
 * (LOG, ADD, DELETE, REPLACE), Envoy acts on the mismatch and "the rule is still considered as matching" (pkg/envoy
 * `getHTTPRule`). A value that is no action is the CRD's to refuse (`crd-header-match-mismatch`); it counts as refusing.
 */
export function headerMatchRefuses(match: { readonly mismatch?: string }): boolean {
  return match.mismatch === undefined || !HEADER_MISMATCH_ACTIONS.includes(match.mismatch);
}

/**
 * Whether an HTTP rule lets every request through: no method, path or host (an empty string is Cilium's unset), no
 * `headers` entry, and no `headerMatches` entry that refuses a request (`headerMatchRefuses`). Shared by `HttpRule.of`
 * (`l7-rule-empty`) and `validate` (`pitfall-l7-matches-every-request`).
 */
export function httpRuleMatchesEveryRequest(rule: HttpRuleModel): boolean {
  return !rule.method && !rule.path && !rule.host && (rule.headers ?? []).length === 0 && !(rule.headerMatches ?? []).some(headerMatchRefuses);
}
