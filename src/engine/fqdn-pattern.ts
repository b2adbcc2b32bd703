/**
 * `toFQDNs` / L7 `dns` selectors as the agent matches them (pkg/fqdn/matchpattern): names are compared lower-case as
 * fully-qualified names (trailing dot added); in `matchPattern`, `*` is zero or more DNS characters except `.`, a pattern
 * made only of `*` (`*`, `**`, `*.`) matches every name, and since 1.19 a leading `**.` matches one or more whole labels
 * (`**.cilium.io` matches `a.cilium.io` and `b.a.cilium.io`, not `cilium.io`); before 1.19 `**` is the same as `*`.
 */
import { FqdnSelectorModel } from '../model/policy-model';

const DNS_CHARS = '[-a-z0-9_]';

/** A compiled `matchName`/`matchPattern`. */
export interface FqdnMatcher {
  /** The selector as written, for explanations: `matchName: cilium.io` or `matchPattern: *.cilium.io`. */
  readonly text: string;
  /** Whether the (canonical) name matches. */
  matches(name: string): boolean;
}

/** `Cilium.IO` → `cilium.io.` */
export function canonicalDnsName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/**
 * Compiles a selector for a Cilium version.
 * @param selector `{matchName}` or `{matchPattern}`; one with neither matches nothing
 * @param subdomainWildcard whether `**.` means "one or more labels" (Cilium 1.19+)
 */
export function compileFqdnSelector(selector: FqdnSelectorModel, subdomainWildcard: boolean): FqdnMatcher {
  const { matchName, matchPattern } = selector;
  if (matchName !== undefined ? typeof matchName !== 'string' : matchPattern !== undefined && typeof matchPattern !== 'string') {
    return compileUncached(selector, subdomainWildcard);
  }
  const key = matchName !== undefined ? `n\0${matchName}` : matchPattern !== undefined ? `p${subdomainWildcard ? 1 : 0}\0${matchPattern}` : 'e';
  let m = matcherCache.get(key);
  if (!m) {
    m = Object.freeze(compileUncached(selector, subdomainWildcard));
    if (matcherCache.size >= MAX_CACHED_MATCHERS) matcherCache.clear();
    matcherCache.set(key, m);
  }
  return m;
}

/** Compiled selectors by name or pattern (and wildcard mode): matchers are pure, so equal selectors share one. */
const matcherCache = new Map<string, FqdnMatcher>();
const MAX_CACHED_MATCHERS = 10_000;

function compileUncached(selector: FqdnSelectorModel, subdomainWildcard: boolean): FqdnMatcher {
  if (selector.matchName !== undefined) {
    const want = canonicalDnsName(selector.matchName);
    return { text: `matchName: ${selector.matchName}`, matches: (name) => canonicalDnsName(name) === want };
  }
  if (selector.matchPattern !== undefined) {
    const re = new RegExp(patternToRegExp(selector.matchPattern, subdomainWildcard));
    return { text: `matchPattern: ${selector.matchPattern}`, matches: (name) => re.test(canonicalDnsName(name)) };
  }
  return { text: 'an empty FQDN selector', matches: () => false };
}

/** The anchored regular expression of a `matchPattern`. */
export function patternToRegExp(pattern: string, subdomainWildcard: boolean): string {
  const p = pattern.trim().toLowerCase();
  if (/^\*+\.?$/.test(p)) return `^(${DNS_CHARS}+[.])+$|^[.]$`;
  const fq = p.endsWith('.') ? p : `${p}.`;
  let out = '';
  let i = 0;
  const leading = /^\*{2,}\./.exec(fq);
  if (subdomainWildcard && leading) {
    out += `(${DNS_CHARS}+([.]${DNS_CHARS}+)*)[.]`;
    i = leading[0].length;
  }
  for (; i < fq.length; i++) {
    const c = fq[i];
    if (c === '.') {
      out += '[.]';
    } else if (c === '*') {
      while (fq[i + 1] === '*') i++;
      out += `${DNS_CHARS}*`;
    } else if (/[-a-z0-9_]/.test(c)) {
      out += c;
    } else {
      out += `\\${c}`;
    }
  }
  return `^${out}$`;
}
