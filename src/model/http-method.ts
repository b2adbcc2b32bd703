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
 * Method tokens that are no standard method's name in any case, lower-case and capitalized (`purge`, `Purge`, `foo`, `x`):
 * legal custom methods (RFC 9110 allows any token) that a regex written for custom methods matches.
 */
const CUSTOM_METHOD_PROBES: readonly string[] = ['purge', 'foo', 'x', 'mkcol', 'Purge', 'Foo', 'X'];

/**
 * The standard methods a `method` regex matches only in another case, lower (`get`) or capitalized (`Get`): `get` →
 * `['GET']`, `GET|head` → `['HEAD']`, `g.t` → `['GET']`; `[]` for a regex that matches each standard method it names as
 * sent (`GET`, `GET|HEAD`, `.*`), one matching no standard method in any case (`PURGE`, a custom method), one that also
 * matches a custom method that is no standard method's name in another case (`[a-z]+`, `[[:lower:]]+` match `purge`: a
 * pattern for custom methods, not a misspelled standard one; probed with `CUSTOM_METHOD_PROBES`), an empty one (any
 * method) and one that does not compile (`sanitize-http-regex`).
 */
export function methodOnlyInOtherCase(pattern: string): string[] {
  if (typeof pattern !== 'string' || pattern === '') return [];
  const missed = STANDARD_METHODS.filter((m) => !re2FullMatch(pattern, m)
    && (re2FullMatch(pattern, m.toLowerCase()) || re2FullMatch(pattern, m[0] + m.slice(1).toLowerCase())));
  if (missed.length === 0 || CUSTOM_METHOD_PROBES.some((m) => re2FullMatch(pattern, m))) return [];
  return missed;
}
