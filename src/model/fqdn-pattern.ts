/**
 * `toFQDNs` / L7 `dns` selectors as the agent matches them (pkg/fqdn/matchpattern): names are compared lower-case as
 * fully-qualified names (trailing dot added); in `matchPattern`, `*` is zero or more DNS characters except `.`, and `*`
 * alone matches every name. Since 1.19 any pattern made only of `*` with an optional trailing dot (`**`, `*.`, `**.`)
 * matches every name too (`isDNSWildcard`), and a leading `**.` matches one or more whole labels (`**.cilium.io` matches
 * `a.cilium.io` and `b.a.cilium.io`, not `cilium.io`). Before 1.19 only the exact pattern `*` is special: `**` is the same
 * as `*` inside a label, so `**`, `*.` and `**.` match one-label names only (`com.`), never `example.com.`.
 * Matching is hand-written and linear in the name (no regular expression).
 */
import { BoundedMemo } from './bounded-memo';
import { FqdnSelectorModel } from './policy-model';

/** A compiled `matchName`/`matchPattern`. */
export interface FqdnMatcher {
  /** The selector as written, for explanations: `matchName: cilium.io` or `matchPattern: *.cilium.io`. */
  readonly text: string;
  /** Whether the (canonical) name matches. */
  matches(name: string): boolean;
}

/**
 * Whether `name` is written as a DNS name: labels of letters, digits, `-` and `_`, separated by single dots, with an
 * optional trailing dot (what the CRD's `^([-a-zA-Z0-9_]+[.]?)+$` accepts). Linear in the name: that pattern, run by a
 * backtracking engine, takes exponential time on a long invalid name (`aaaa…a!`), and names come from hostile input
 * (flow logs, `trace` endpoints).
 */
export function isDnsName(name: string): boolean {
  return /^[-a-zA-Z0-9_]+(?:\.[-a-zA-Z0-9_]+)*\.?$/.test(name);
}

/** `Cilium.IO` → `cilium.io.` */
export function canonicalDnsName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/**
 * Compiles a selector for a Cilium version.
 * @param selector `{matchName}` or `{matchPattern}`; one with neither matches nothing
 * @param subdomainWildcard Cilium 1.19+ matching: `**.` means "one or more labels", and `**`, `*.`, `**.` match every name
 */
export function compileFqdnSelector(selector: FqdnSelectorModel, subdomainWildcard: boolean): FqdnMatcher {
  const { matchName, matchPattern } = selector;
  if (matchName !== undefined ? typeof matchName !== 'string' : matchPattern !== undefined && typeof matchPattern !== 'string') {
    return compileUncached(selector, subdomainWildcard);
  }
  const key = matchName !== undefined ? `n\0${matchName}` : matchPattern !== undefined ? `p${subdomainWildcard ? 1 : 0}\0${matchPattern}` : 'e';
  return matcherCache.get(key, () => Object.freeze(compileUncached(selector, subdomainWildcard)));
}

/** Compiled selectors by name or pattern (and wildcard mode): matchers are pure, so equal selectors share one. */
const matcherCache = new BoundedMemo<string, FqdnMatcher>(10_000);

function compileUncached(selector: FqdnSelectorModel, subdomainWildcard: boolean): FqdnMatcher {
  const { matchName, matchPattern } = selector;
  if (typeof matchName === 'string') {
    const want = canonicalDnsName(matchName);
    return { text: `matchName: ${matchName}`, matches: (name) => canonicalDnsName(name) === want };
  }
  if (matchName === undefined && typeof matchPattern === 'string') {
    const compiled = compilePattern(matchPattern, subdomainWildcard);
    return { text: `matchPattern: ${matchPattern}`, matches: (name) => compiled(canonicalDnsName(name)) };
  }
  return { text: 'an empty FQDN selector', matches: () => false };
}

/**
 * Whether a name matches a `matchPattern` (the one FQDN glob matcher of the SDK: engine, validator, constructs, trace).
 * @param subdomainWildcard Cilium 1.19+ matching: a leading `**.` means "one or more labels", and every all-`*` pattern matches every name
 */
export function fqdnPatternMatches(pattern: string, name: string, subdomainWildcard: boolean): boolean {
  return compilePattern(pattern, subdomainWildcard)(canonicalDnsName(name));
}

/**
 * Whether a `matchPattern` matches every name as the agent reads it: `*` in every version; from 1.19 also any other
 * pattern of only `*`s with an optional trailing dot (`**`, `*.`, `**.`: matchpattern `isDNSWildcard`). Before 1.19
 * `ToAnchoredRegexp` special-cases `pattern == "*"` alone, so `*.` is `^[-a-zA-Z0-9_]*[.]$`: one-label names.
 * @param subdomainWildcard Cilium 1.19+
 */
export function matchesEveryDnsName(pattern: string, subdomainWildcard: boolean): boolean {
  const p = pattern.trim();
  return p === '*' || (subdomainWildcard && /^\*+\.?$/.test(p));
}

/**
 * A pattern whose meaning depends on the Cilium version: only `*`s with an optional trailing dot, other than `*` itself
 * (`**`, `*.`, `**.`): every name from 1.19, one-label names (`com.`) before. `*` says "every name" on every version.
 */
export function versionDependentWildcard(pattern: string): boolean {
  return matchesEveryDnsName(pattern, true) !== matchesEveryDnsName(pattern, false);
}

/**
 * Whether a `matchName`/`matchPattern` is an IPv4 address (or a range of them) written as a DNS name: labels of only digits
 * and `*`, at least one digit (`10.0.0.1`, `10.0.0.*`, `192.168.*.*`, `1*`). No top-level domain is all-numeric (RFC 3696
 * section 2) and resolvers never look up an address, so the agent's DNS proxy matches such a selector against looked-up names
 * only: an exact address allows nothing, and a pattern allows names (`10.0.0.io` for `10.0.0.*`) that anyone may register,
 * never the addresses meant.
 */
export function addressShapedDnsName(text: string): boolean {
  const labels = text.trim().replace(/\.$/, '').split('.');
  return labels.every((l) => /^[0-9*]+$/.test(l)) && labels.some((l) => /[0-9]/.test(l));
}

/**
 * The IPv4 CIDR an address-shaped name meant (`10.0.0.1` → `10.0.0.1/32`, `10.0.0.*` → `10.0.0.0/24`): four labels, whole
 * octets first and whole `*` labels after; `undefined` for any other shape.
 */
export function addressShapedCidr(text: string): string | undefined {
  const labels = text.trim().replace(/\.$/, '').split('.');
  const octets = labels.findIndex((l) => !/^(0|[1-9][0-9]{0,2})$/.test(l) || Number(l) > 255);
  const known = octets < 0 ? labels.length : octets;
  if (labels.length !== 4 || known === 0 || labels.slice(known).some((l) => l !== '*')) return undefined;
  return `${[...labels.slice(0, known), ...labels.slice(known).map(() => '0')].join('.')}/${known * 8}`;
}

/** One label of a pattern: its literal pieces between `*`s, or `undefined` for a label without `*` (compared whole). */
interface LabelGlob {
  readonly text: string;
  readonly pieces?: readonly string[];
}

/**
 * A `matchPattern` as a matcher of canonical names, by hand and in linear time (no regular expression: the agent's
 * `[-a-z0-9_]*` regexes backtrack polynomially in JavaScript). `*` never crosses a `.`, so pattern and name are compared
 * label by label; within a label the pieces between `*`s are found leftmost-first (leftmost is always best: a later
 * occurrence leaves less room and a longer `*` gap), and each gap must be DNS characters.
 */
function compilePattern(pattern: string, subdomainWildcard: boolean): (canonical: string) => boolean {
  const p = pattern.trim().toLowerCase();
  if (matchesEveryDnsName(p, subdomainWildcard)) return (name) => name === '.' || (name.split('.').slice(0, -1).every((l) => l !== '' && isDnsChars(l, 0, l.length)));
  const fq = p.endsWith('.') ? p : `${p}.`;
  const leading = subdomainWildcard ? /^\*{2,}\./.exec(fq) : null;
  const labels: LabelGlob[] = (leading ? fq.slice(leading[0].length) : fq).split('.').map((text) => {
    if (!text.includes('*')) return { text };
    return { text, pieces: text.split(/\*+/) };
  });
  return (name) => {
    const got = name.split('.');
    let first = 0;
    if (leading) {
      // `**.`: one or more whole labels of DNS characters before the rest.
      first = got.length - labels.length;
      if (first < 1) return false;
      for (let i = 0; i < first; i++) if (got[i] === '' || !isDnsChars(got[i], 0, got[i].length)) return false;
    } else if (got.length !== labels.length) {
      return false;
    }
    for (let i = 0; i < labels.length; i++) if (!labelMatches(labels[i], got[first + i])) return false;
    return true;
  };
}

function labelMatches(glob: LabelGlob, label: string): boolean {
  const pieces = glob.pieces;
  if (!pieces) return glob.text === label;
  const head = pieces[0];
  const tail = pieces[pieces.length - 1];
  if (label.length < head.length + tail.length || !label.startsWith(head) || !label.endsWith(tail)) return false;
  let at = head.length;
  const end = label.length - tail.length;
  for (let k = 1; k < pieces.length - 1; k++) {
    const piece = pieces[k];
    const found = label.indexOf(piece, at);
    if (found < 0 || found + piece.length > end || !isDnsChars(label, at, found)) return false;
    at = found + piece.length;
  }
  return isDnsChars(label, at, end);
}

/** Whether `s[from, to)` is DNS characters only (`[-a-z0-9_]`, what `*` matches). */
function isDnsChars(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95)) return false;
  }
  return true;
}
