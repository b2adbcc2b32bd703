/**
 * `toFQDNs` / L7 `dns` selectors as the agent matches them (pkg/fqdn/matchpattern): names are compared lower-case as
 * fully-qualified names (trailing dot added); in `matchPattern`, `*` is zero or more DNS characters except `.`, and `*`
 * alone matches every name. Since 1.19 any pattern made only of `*` with an optional trailing dot (`**`, `*.`, `**.`)
 * matches every name too (`isDNSWildcard`), and a leading `**.` matches one or more whole labels (`**.cilium.io` matches
 * `a.cilium.io` and `b.a.cilium.io`, not `cilium.io`). Before 1.19 only the exact pattern `*` is special: `**` is the same
 * as `*` inside a label, so `**`, `*.` and `**.` match one-label names only (`com.`), never `example.com.`.
 * Matching is hand-written and linear in the name (no regular expression).
 */
import { parse as parsePublicSuffix } from 'tldts';
import { BoundedMemo } from './bounded-memo';
import { FqdnSelectorModel } from './policy-model';
import { clipText } from './clip-text';

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

/**
 * Which of DNS's length limits `name` breaks (RFC 1035 2.3.4: 63 octets a label, 255 on the wire, so 253 characters
 * written without the trailing dot; 3.1: a label of length zero is the root, which ends the name), as a phrase (`304
 * characters, more than 253`; `a label of 64 characters, more than 63`; `written with an empty label (…)`); `undefined`
 * when it keeps them. A label's length is one byte whose top two bits mark a compression pointer, so no query can carry a
 * longer label (miekg/dns, which Cilium's DNS proxy reads queries with, refuses to pack one), and an empty label other than
 * the root's ends the name there: miekg/dns `PackDomainName` refuses `.example.com` ("leading dots are not legal except
 * for the root zone") and `a..example.com`, `example.com..` ("two dots back to back is not legal"). The root (`.`) keeps
 * them. A name with white space at its start or end (`' .example.'`) is one too (`written with white space around it`): the
 * matchers trim (`canonicalDnsName`) where Cilium does not (its patterns' `[-a-zA-Z0-9_]*` never matches a space), and a
 * name a capture or a user wrote with spaces around it is not the one looked up; checked as given and trimmed by the
 * matcher, ` .example.` slipped past the empty-label refusal and was judged as `.example.`.
 */
export function dnsLengthProblem(name: string): string | undefined {
  if (/^\s|\s$/.test(name)) return `written with ${WHITE_SPACE}`;
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length > 253) return `${bare.length.toLocaleString('en-US')} characters, more than 253`;
  if (bare.length === 0) return undefined;
  let start = 0;
  for (let dot = bare.indexOf('.'); start <= bare.length; dot = bare.indexOf('.', start)) {
    const end = dot < 0 ? bare.length : dot;
    if (end - start > 63) return `a label of ${end - start} characters, more than 63`;
    if (end === start) return `written with ${EMPTY_LABEL}`;
    if (dot < 0) break;
    start = dot + 1;
  }
  return undefined;
}

/** The phrase of `dnsLengthProblem` for a name with an empty label. */
const EMPTY_LABEL = 'an empty label (a leading dot, or two dots in a row)';

/** The phrase of `dnsLengthProblem` for a name with white space at its start or end. */
const WHITE_SPACE = 'white space around it';

/**
 * Why a name past DNS's lengths (`dnsLengthProblem`) is refused, as the one wording of that refusal (`trace --dns`, the
 * engine's query check, `fqdn:` endpoints): `the DNS name "…" is … : no query carries it (…)`, the name clipped to 80
 * characters; `undefined` when it keeps them. Cilium's DNS proxy is a miekg/dns server, whose `(*Server).serveDNS` answers
 * FORMERR when the message does not unpack and never calls the proxy's `ServeDNS`; a name with an empty label is one no
 * client packs (miekg/dns `PackDomainName`), and no message unpacks into.
 */
export function dnsLengthRefusal(name: string): string | undefined {
  const problem = dnsLengthProblem(name);
  if (problem === undefined) return undefined;
  const shown = name.length > 80 ? `${name.slice(0, 40)}…${name.slice(-20)}` : name;
  const why = problem.endsWith(WHITE_SPACE) ? WHITE_SPACE_WHY : problem.endsWith(EMPTY_LABEL) ? EMPTY_LABEL_WHY : LENGTH_WHY;
  return `the DNS name ${JSON.stringify(shown)} is ${problem}: no query carries it (${why})`;
}

/** Why `dnsLengthRefusal` refuses a name with white space around it, an empty label, or past DNS's lengths. */
const WHITE_SPACE_WHY = 'a name as looked up has no space around it (Hubble and dig write a space in a label as \\032); Cilium matches the name '
  + 'as asked, untrimmed, and its patterns match no space';
const EMPTY_LABEL_WHY = "RFC 1035: 1 to 63 characters a label, the empty one is the root that ends the name; miekg/dns, which Cilium's DNS proxy "
  + 'reads queries with, packs no such name, so no policy judges a lookup of it';
const LENGTH_WHY = "RFC 1035: 63 characters a label, 253 in all; the DNS proxy's server answers such a message FORMERR before any policy judges it";

/** The fix of `dnsLengthRefusal`. */
export const DNS_LENGTH_FIX = 'give the name the lookup asked, e.g. api.example.com';

/**
 * Whether `name` is one a DNS lookup can ask and answer: written as a DNS name (`isDnsName`) and within DNS's lengths
 * (`dnsLengthProblem`). The one test of a name read as looked up: `fqdn:` endpoints, a capture's destination names, the
 * names `draft` writes.
 */
export function isLookupName(name: string): boolean {
  return isDnsName(name) && dnsLengthProblem(name) === undefined;
}

/**
 * A name a capture gives (a DNS query or response's name, a flow's destination names) as the SDK keeps it: lower case,
 * without its trailing dot, when the name as given keeps DNS's lengths (`dnsLengthProblem`); otherwise lower case as given,
 * so that `isLookupName` refuses it wherever it is read (replay's names, draft's peers and DNS companion). The one form of
 * the capture's readers: each stripped the dot before the check, so `example.com..` (an empty label: no query carries it)
 * became `example.com.` and was judged, and drafted, as `example.com`.
 */
export function capturedDnsName(name: string): string {
  const lower = name.toLowerCase();
  return dnsLengthProblem(name) === undefined && lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/**
 * `Cilium.IO` → `cilium.io.`. Trims a selector's name or pattern; a looked-up name reaches it only past `dnsLengthProblem`,
 * which refuses white space around a name, so the name matched is the name checked.
 */
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
 * Whether a `matchName`/`matchPattern` looks like an IPv4 address (or a range of them) written as a DNS name: labels of only
 * digits and `*`, at least one digit (`10.0.0.1`, `10.0.0.*`, `192.168.*.*`, also `1*`, `*.1`, `8080`). In `toFQDNs` such a
 * selector selects the addresses DNS answers give for matching looked-up names, never the addresses it looks like: an exact
 * address allows nothing (clients reach an address without a lookup), and a pattern may match names (`10.0.0.io` for
 * `10.0.0.*`) that anyone may register. (In a DNS rule it is harmless: the proxy compares the query name as text, so it lets
 * exactly such lookups through.)
 */
export function addressShapedDnsName(text: string): boolean {
  const labels = text.trim().replace(/\.$/, '').split('.');
  return labels.every((l) => /^[0-9*]+$/.test(l)) && labels.some((l) => /[0-9]/.test(l));
}

/** The labels of a dotted-quad IPv4 address or range: four labels, each a whole octet (`0`-`255`) or holding a `*`. */
function ipv4Labels(text: string): string[] | undefined {
  const labels = text.trim().replace(/\.$/, '').split('.');
  const octet = (l: string): boolean => /^(0|[1-9][0-9]{0,2})$/.test(l) && Number(l) <= 255;
  return labels.length === 4 && labels.every((l) => octet(l) || /^[0-9]*\*[0-9*]*$/.test(l)) ? labels : undefined;
}

/**
 * The IPv4 CIDR an address-shaped name meant (`10.0.0.1` → `10.0.0.1/32`, `10.0.0.*` → `10.0.0.0/24`): four labels, whole
 * octets first and whole `*` labels after; `undefined` for any other shape.
 */
export function addressShapedCidr(text: string): string | undefined {
  const labels = ipv4Labels(text);
  if (labels === undefined) return undefined;
  const octets = labels.findIndex((l) => l.includes('*'));
  const known = octets < 0 ? labels.length : octets;
  if (known === 0 || labels.slice(known).some((l) => l !== '*')) return undefined;
  return `${[...labels.slice(0, known), ...labels.slice(known).map(() => '0')].join('.')}/${known * 8}`;
}

/**
 * What is wrong with an address-shaped `toFQDNs` selector (`addressShapedDnsName`) and its fix, or `undefined` for any other
 * text: the one wording of the constructs' refusal (`fqdn-ip-address`) and of validate's `pitfall-fqdn-ip-address`.
 * @param subject what holds the text: `Peer.fqdn`, `FqdnEgress fqdns entry`, `toFQDNs matchName`
 * @param text the name or pattern
 * @param context `construct`: a refused call (it "would allow"; fix `Peer.cidr(…)`); `policy`: YAML as written (it "allows";
 *   fix `toCIDR`)
 */
export function addressShapedNameProblem(subject: string, text: string, context: 'construct' | 'policy'): { message: string; fix: string } | undefined {
  if (typeof text !== 'string' || !addressShapedDnsName(text)) return undefined;
  const name = text.trim();
  const ipv4 = ipv4Labels(name) !== undefined;
  const pattern = name.includes('*');
  const cidr = addressShapedCidr(name);
  const would = context === 'construct' ? 'would ' : '';
  const allow = context === 'construct' ? 'allow' : 'allows';
  const what = !ipv4 ? 'a name of only digits, dots and "*"' : pattern ? 'an IPv4 address range written as a DNS name' : 'an IPv4 address written as a DNS name';
  // A name this pattern matches that anyone may register: one whose last label, a `*`, is a top-level domain.
  const labels = name.replace(/\.$/, '').split('.');
  const example = /^\*+$/.test(labels[labels.length - 1])
    ? [...labels.slice(0, -1).map((l) => l.replace(/\*+/g, '0')), 'io'].join('.') : undefined;
  const effect = !pattern
    ? `${would}${allow} no connection ${ipv4 ? 'to that address (clients reach an address without looking it up)' : '(no public DNS name ends in a label of only digits)'}`
    : example !== undefined
      ? `${would}${allow} the DNS names it matches (such as ${example}, which anyone may register)${ipv4 ? ', not those addresses' : ''}`
      : `${would}${allow} only looked-up names of that shape${ipv4 ? ', not those addresses' : ''}`;
  const message = `${subject} ${JSON.stringify(name)} is ${what}: toFQDNs selects the addresses DNS answers give for the names pods look up, `
    + `never an address written as a name, so it ${effect}`;
  const plural = pattern ? 'addresses' : 'address';
  const fix = context === 'construct'
    ? cidr !== undefined ? `allow the ${plural} with a CIDR peer: Peer.cidr('${cidr}')` : "write the address range as a CIDR, Peer.cidr('<network>/<bits>')"
    : cidr !== undefined ? `allow the ${plural} with toCIDR: [${cidr}]` : 'allow the addresses with toCIDR / toCIDRSet with the network (<network>/<bits>)';
  return { message, fix: `${fix}; for a DNS name, write the name` };
}

/**
 * Top-level domains no one can register a name under (RFC 6761 `test`, `example`, `invalid`, `localhost`; RFC 6762
 * `local`; RFC 7686 `onion`; RFC 9476 `alt`; ICANN's private-use `internal`; `corp`, `home` and `mail`, which the ICANN
 * board resolved in 2018 never to delegate; RFC 8375 `home.arpa` is matched as `arpa`): a wildcard there selects only
 * private names. Not `lan` or `localdomain`: common private suffixes, but no standard or ICANN decision reserves them, so
 * a later round of new top-level domains may delegate them and `*.lan` stays refused (list the names, or put the
 * wildcard below a named domain such as `*.office.lan`).
 */
const PRIVATE_TLDS: ReadonlySet<string> = new Set([
  'test', 'example', 'invalid', 'localhost', 'local', 'onion', 'alt', 'internal', 'corp', 'home', 'mail', 'arpa',
]);

/** Where a public suffix comes from: the Public Suffix List's ICANN or private section, or its default rule `*` (an unlisted top-level domain). */
export type PublicSuffixSource = 'icann' | 'private' | 'default';

/** A `*` in the registrable part of a name (`registrableWildcard`). */
export interface RegistrableWildcard {
  /** A name the pattern matches that anyone could register: each `*` run written `x` (`x.github.io`). */
  readonly example: string;
  /** The public suffix of `example` (`com`, `co.uk`, `github.io`, `x.kawasaki.jp`). */
  readonly suffix: string;
  /** Where the Public Suffix List has `suffix`. */
  readonly source: PublicSuffixSource;
  /** Whether a `*` stands in the suffix itself (`example.*`, `*.kawasaki.jp`), not only in the label below it. */
  readonly inSuffix: boolean;
}

/** tldts on a canonical name as written: the PSL with its private section, no URL parsing, `_` and IP-like names taken as names. */
const PSL_OPTIONS = { allowPrivateDomains: true, extractHostname: false, validateHostname: false, detectIp: false, mixedInputs: false } as const;

/**
 * A `toFQDNs` `matchPattern` with a `*` in the registrable part of the name: the public suffix, or the one label below it,
 * of the name obtained by writing each `*` run as `x`, by the Public Suffix List (ICANN and private sections, from the
 * `tldts` package; its wildcard and exception rules included: `*.kawasaki.jp` but not `*.city.kawasaki.jp`). `*.com`
 * matches every `.com` name, `*example.com` matches `badexample.com`, `example.*` every top-level domain, `**.com` (1.19)
 * every name under `.com`, `*.github.io` every GitHub Pages site: names anyone may register or create and point at any
 * address. Returns a name it matches that anyone could register and the suffix, or `undefined` for a pattern that keeps its
 * wildcards inside a registrable domain (`*.example.com`, `api-*.example.com`, `*.myorg.github.io`), one under a private
 * top-level domain (`*.internal`), one of only `*`s (every name: `pitfall-broad-peer` and `fqdn-pattern-version-dependent`)
 * or one shaped like an address (`fqdn-ip-address`). The one judgement of the constructs' refusal
 * (`fqdn-pattern-registrable`) and validate's `pitfall-fqdn-pattern-registrable`. `x` as the letter can only lengthen the
 * suffix found (an explicit entry such as `x.se`), never shorten it (no exception rule names `x`), so no pattern is let
 * through that another letter would refuse.
 */
export function registrableWildcard(pattern: string): RegistrableWildcard | undefined {
  if (typeof pattern !== 'string') return undefined;
  const p = pattern.trim().toLowerCase().replace(/\.$/, '');
  if (!p.includes('*') || matchesEveryDnsName(p, true) || addressShapedDnsName(p)) return undefined;
  const labels = p.replace(/^\*{2,}\./, '*.').split('.');
  const n = labels.length;
  if (PRIVATE_TLDS.has(labels[n - 1])) return undefined;
  const example = labels.map((l) => l.replace(/\*+/g, 'x')).join('.');
  const found = parsePublicSuffix(example, PSL_OPTIONS);
  const suffix = found.publicSuffix ?? example.slice(example.lastIndexOf('.') + 1);
  const suffixLabels = suffix.split('.').length;
  if (!labels.slice(Math.max(0, n - suffixLabels - 1)).some((l) => l.includes('*'))) return undefined;
  return {
    example,
    suffix,
    source: found.isIcann === true ? 'icann' : found.isPrivate === true ? 'private' : 'default',
    inSuffix: labels.slice(Math.max(0, n - suffixLabels)).some((l) => l.includes('*')),
  };
}

/** A name a pattern with a `*` in the registrable part of the name matches that anyone could register (`registrableWildcard`). */
export function registrableWildcardExample(pattern: string): string | undefined {
  return registrableWildcard(pattern)?.example;
}

/**
 * Why names under the suffix `registrableWildcard` found are anyone's, for a refusal's or a finding's message: "github.io is a
 * public suffix in the Public Suffix List's private section, under which anyone can create a name". The one wording of
 * `fqdn-pattern-registrable` and `pitfall-fqdn-pattern-registrable`.
 */
export function publicSuffixReason(found: RegistrableWildcard): string {
  const what = found.source === 'default' ? "a top-level domain by the Public Suffix List's default rule"
    : `a public suffix in the Public Suffix List's ${found.source === 'icann' ? 'ICANN' : 'private'} section`;
  return found.inSuffix
    ? `its "*" stands in the public suffix itself (such as ${shownName(found.suffix)}, ${what}), under which anyone can create a name`
    : `${shownName(found.suffix)} is ${what}, under which anyone can create a name`;
}

/**
 * A name derived from a pattern of the input (`RegistrableWildcard` `example` or `suffix`), as a message shows it: whole up to
 * 80 characters, else clipped (`clipText`), so that a hostile pattern of any size (validate reads what the CRD check also
 * refuses) is one bounded line, not its text two or three times over.
 */
export function shownName(name: string): string {
  return clipText(name, 80);
}

/**
 * A domain of one's own to put the wildcard below, for the fix of a refusal or finding: one label below the suffix found
 * (`example.github.io`, `example.co.uk`), or `example.com` when the `*` stands in the suffix itself.
 */
export function ownDomainExample(found: RegistrableWildcard): string {
  return found.inSuffix ? 'example.com' : `example.${shownName(found.suffix)}`;
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
