/**
 * The FQDN endpoint classes of a connectivity diff or report: one per DNS name and per pattern that a `toFQDNs` rule of
 * either side names (and per name or pattern of a DNS rule that a `toFQDNs` rule selects), each a destination outside
 * the cluster known by that name. The engine judges them with the DNS learning it models: `toFQDNs` selects such a
 * destination only when the client's lookup of the name goes through its DNS proxy (a DNS rule on its egress to the DNS
 * server allows the name) and the DNS server admits it; world and CIDR rules select it as any world address.
 */
import { EndpointClass, EndpointClassKind } from './connectivity-document';
import type { CompiledRule } from '../engine/compile';
import { Endpoint, Endpoints } from '../engine/endpoint';
import { compareCodeUnits as compare } from '../model/code-unit-order';
import { FqdnMatcher, compileFqdnSelector } from '../model/fqdn-pattern';
import type { FqdnSelectorModel } from '../model/policy-model';

/** How FQDN classes are built. */
export interface FqdnClassOptions {
  /** Whether a leading `**.` in a pattern means one or more labels (Cilium 1.19+). */
  readonly subdomainWildcard: boolean;
  /** The world address the classes' names resolve to (one no named CIDR holds but a /0). */
  readonly address: string;
}

/**
 * What the documents say of FQDN classes: reachable by `toFQDNs` only via DNS learning (printed by the text, markdown
 * and HTML outputs when a listed connection has an FQDN class).
 */
export const FQDN_CLASS_NOTE = 'fqdn: classes are DNS names outside the cluster, reachable by toFQDNs only via DNS learning '
  + '(the client\'s lookup of the name must go through its DNS proxy: a DNS rule toward its DNS server that allows the name); '
  + 'world and CIDR rules reach them as any world address, and a pattern class stands for a name only patterns name';

/** Whether a document lists a connection to an FQDN class. */
export function mentionsFqdnClass(doc: { readonly endpoints: readonly { readonly id: string; readonly kind: string }[] },
  connections: readonly { readonly to: string }[]): boolean {
  const fqdn = new Set(doc.endpoints.filter((e) => e.kind === EndpointClassKind.FQDN).map((e) => e.id));
  return fqdn.size > 0 && connections.some((c) => fqdn.has(c.to));
}

/** A name or pattern a `toFQDNs` or DNS rule names, with its matcher (compiled for the set's Cilium version). */
interface NamedFqdn {
  /** The name or pattern as the class shows it: lower case, no trailing dot. */
  readonly text: string;
  /** Whether it is a `matchPattern` with a wildcard. */
  readonly pattern: boolean;
  readonly matcher: FqdnMatcher;
}

/** Adds a `matchName`/`matchPattern` once (by its text; a pattern without a wildcard is the name). */
function addNamed(to: Map<string, NamedFqdn>, selector: FqdnSelectorModel, subdomainWildcard: boolean): void {
  const text = namedText(selector);
  if (text === undefined || to.has(text)) return;
  to.set(text, { text, pattern: selector.matchName === undefined && text.includes('*'), matcher: compileFqdnSelector(selector, subdomainWildcard) });
}

/**
 * One class per name and per pattern a `toFQDNs` rule of either side names (`fqdn:api.stripe.com`,
 * `fqdn:*.s3.amazonaws.com`), plus the names and patterns of DNS rules that a `toFQDNs` rule selects (their learning
 * decides it): a DNS name outside the cluster, judged with the engine's DNS learning. A name is judged as itself (a
 * pattern that matches it selects it too); a pattern as a name it matches that no rule names (`any.s3.amazonaws.com`),
 * matched by as few of the other patterns as can be. Each is at `options.address`.
 */
export function fqdnClasses(rules: readonly CompiledRule[], options: FqdnClassOptions): { cls: EndpointClass; endpoint: Endpoint }[] {
  const { subdomainWildcard, address } = options;
  const selected = new Map<string, NamedFqdn>();
  const dnsRules = new Map<string, NamedFqdn>();
  for (const r of rules) {
    for (const item of r.items.egress) {
      if (item.peer.kind === 'fqdns') for (const m of item.peer.matchers) addNamed(selected, fqdnSelectorOf(m.text), subdomainWildcard);
      if (item.l4.kind !== 'ports') continue;
      for (const pr of item.l4.portRules) for (const d of pr.rules?.dns ?? []) addNamed(dnsRules, d, subdomainWildcard);
    }
  }
  if (selected.size === 0) return [];
  const toFqdns = [...selected.values()].map((n) => n.matcher);
  const all = new Map(selected);
  const names = new Set([...selected.values(), ...dnsRules.values()].filter((n) => !n.pattern).map((n) => n.text));
  const patterns = [...selected.values(), ...dnsRules.values()].filter((n) => n.pattern).map((n) => n.matcher);
  const witness = (n: NamedFqdn): string | undefined => (n.pattern ? patternWitness(n, names, patterns) : n.text);
  for (const [key, n] of dnsRules) {
    const w = all.has(key) ? undefined : witness(n);
    if (w !== undefined && toFqdns.some((m) => m.matches(w))) all.set(key, n);
  }
  const out: { cls: EndpointClass; endpoint: Endpoint }[] = [];
  for (const n of [...all.values()].sort((a, b) => compare(a.text, b.text))) {
    const dnsName = witness(n);
    if (dnsName === undefined || !DNS_NAME.test(dnsName)) continue;
    const id = `fqdn:${n.text}`;
    out.push({ cls: { id, kind: EndpointClassKind.FQDN, name: id, dnsName }, endpoint: Endpoints.fqdn(dnsName, address) });
  }
  return out;
}

/** The name or pattern of a selector as its class shows it (lower case, no trailing dot); `undefined` when empty. */
function namedText(selector: FqdnSelectorModel): string | undefined {
  const raw = typeof selector.matchName === 'string' ? selector.matchName : typeof selector.matchPattern === 'string' ? selector.matchPattern : undefined;
  const text = raw?.trim().toLowerCase().replace(/\.$/, '');
  return text === undefined || text === '' ? undefined : text;
}

/**
 * The id of the class that stands for a compiled `toFQDNs` matcher (by its text, `matchName: x`), whether or not
 * `fqdnClasses` made one; `undefined` for a matcher that names nothing.
 */
export function fqdnClassIdOf(matcherText: string): string | undefined {
  const text = namedText(fqdnSelectorOf(matcherText));
  return text === undefined ? undefined : `fqdn:${text}`;
}

/** A DNS name an FQDN endpoint can have. */
const DNS_NAME = /^([-a-z0-9_]+\.?)+$/;

/** The selector of a compiled `toFQDNs` matcher, from its text (`matchName: x`, `matchPattern: *.x`). */
function fqdnSelectorOf(text: string): FqdnSelectorModel {
  if (text.startsWith('matchName: ')) return { matchName: text.slice('matchName: '.length) };
  if (text.startsWith('matchPattern: ')) return { matchPattern: text.slice('matchPattern: '.length) };
  return {};
}

/** Fills of a `*` besides `any`, `any1`, …: first and last characters apart, so that a narrower pattern (`any*.x`) misses one. */
const OTHER_FILLS = ['zq0', '9xw', 'k7m'];

/** How many usable witness candidates of a pattern are ranked (the first ten numbered fills and the other fills). */
const RANKED_CANDIDATES = 10 + OTHER_FILLS.length;

/**
 * A name a pattern matches that no rule names, standing for the pattern rather than for a narrower pattern one side
 * names: among candidates with each run of `*` filled with one token (`any`, `any1`, …, then tokens of other first and
 * last characters; a pattern of `*` only as `<token>.invalid`), the one the fewest other named patterns match (ties:
 * the first). Total: there are more `anyN` candidates than names, so one is free.
 */
function patternWitness(n: NamedFqdn, names: ReadonlySet<string>, patterns: readonly FqdnMatcher[]): string | undefined {
  let best: { name: string; others: number } | undefined;
  let ranked = 0;
  const numbered = Array.from({ length: names.size + patterns.length + 2 }, (_, i) => (i === 0 ? 'any' : `any${i}`));
  for (const fill of [...numbered.slice(0, 10), ...OTHER_FILLS, ...numbered.slice(10)]) {
    const name = /^\*+$/.test(n.text) ? `${fill}.invalid` : n.text.replace(/\*+/g, fill);
    if (names.has(name) || !n.matcher.matches(name)) continue;
    const others = patterns.filter((m) => m !== n.matcher && m.matches(name)).length;
    if (best === undefined || others < best.others) best = { name, others };
    // Ranked among the first usable candidates only: a pattern every name matches (the usual DNS rule `*`) keeps `others`
    // above 0, and ranking every candidate would cost names x patterns per pattern.
    if (others === 0 || ++ranked >= RANKED_CANDIDATES) break;
  }
  return best?.name;
}
