/**
 * HTTP `method` regexes that only the case keeps from matching: Envoy matches `:method` as sent, case-sensitively (RFC 9110:
 * a method token is case-sensitive; Cilium passes the rule's `method` to Envoy as a `safe_regex` on `:method` unchanged), and
 * clients send the standard methods in upper case. So `method: get` matches no `GET` request: the agent accepts it and
 * Envoy answers 403 to every request the rule was meant to let through.
 */
import { re2FullMatch } from './re2';

/** The methods of RFC 9110 and RFC 5789, as clients send them. */
const STANDARD_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/**
 * The standard methods a `method` regex matches only in another case, lower (`get`) or capitalized (`Get`): `get` →
 * `['GET']`, `GET|head` → `['HEAD']`; `[]` for a regex that matches each standard method it names as sent (`GET`,
 * `GET|HEAD`, `.*`), one matching no standard method in any case (`PURGE`, a custom method), an empty one (any method) and
 * one that does not compile (`sanitize-http-regex`).
 */
export function methodOnlyInOtherCase(pattern: string): string[] {
  if (typeof pattern !== 'string' || pattern === '') return [];
  return STANDARD_METHODS.filter((m) => !re2FullMatch(pattern, m)
    && (re2FullMatch(pattern, m.toLowerCase()) || re2FullMatch(pattern, m[0] + m.slice(1).toLowerCase())));
}
