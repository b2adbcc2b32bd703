/**
 * The FQDN endpoint classes of a connectivity diff or report: one per DNS name and per pattern that a `toFQDNs` rule of
 * either side names (and per name or pattern of a DNS rule that a `toFQDNs` rule selects), each a destination outside
 * the cluster known by that name. The engine judges them with the DNS learning it models: `toFQDNs` selects such a
 * destination only when the client's lookup of the name goes through its DNS proxy (a DNS rule on its egress to the DNS
 * server allows the name) and the DNS server admits it; world and CIDR rules select it as any world address.
 */
import { EndpointClass, EndpointClassKind } from '../model/connectivity-document';
import type { CompiledRule } from '../engine/compile';
import { Endpoint, Endpoints } from '../engine/endpoint';
import { compareCodeUnits as compare } from '../model/code-unit-order';
import { FqdnMatcher, compileFqdnSelector, dnsLengthProblem, isLookupName, matchesEveryDnsName } from '../model/fqdn-pattern';
import type { FqdnSelectorModel } from '../model/policy-model';
import { pushAll } from '../model/push-all';

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
 * decides it), plus one per overlap of two patterns (`fqdn:*.example.com & api.*.com`, see `fqdnClassPlan`): a DNS name
 * outside the cluster, judged with the engine's DNS learning. A name is judged as itself (a pattern that matches it
 * selects it too); a pattern as a name it matches that no rule names (`any.s3.amazonaws.com`), matched by as few of the
 * other patterns as can be. Each is at `options.address`.
 */
export function fqdnClasses(rules: readonly CompiledRule[], options: FqdnClassOptions): { cls: EndpointClass; endpoint: Endpoint }[] {
  return fqdnClassPlan(rules, options.subdomainWildcard).classes.map(({ id, dnsName }) => ({
    cls: { id, kind: EndpointClassKind.FQDN, name: id, dnsName },
    endpoint: Endpoints.fqdn(dnsName, options.address),
  }));
}

/** Up to how many overlaps of two patterns get a class of their own (`fqdnClassPlan`). */
export const MAX_OVERLAP_CLASSES = 64;

/** The FQDN classes of some rules, before they get an address: each class's id and the DNS name it is judged as. */
export interface FqdnClassPlan {
  /** Each class's id (`fqdn:<name or pattern>`, `fqdn:<pattern> & <pattern>`) and the DNS name it is judged as, by id. */
  readonly classes: readonly { readonly id: string; readonly dnsName: string }[];
  /**
   * The overlaps of two patterns (`a & b`) left without a class beyond `MAX_OVERLAP_CLASSES`, and the patterns and
   * overlaps whose witness other patterns match when no character is free for a fill that avoids them (the names they
   * stand for are not all judged: a diff says so).
   */
  readonly overlapsLeftOut: readonly string[];
}

/**
 * The FQDN classes of some rules (see `fqdnClasses`), and the overlaps left out. Two patterns that can match one name
 * without either's own witness showing it (`*.example.com` and `api.*.com` both match `api.example.com`, which no rule
 * names; a `toFQDNs` pattern and a DNS-rule pattern, whose overlap alone is learned) get a class for their overlap, at
 * most `MAX_OVERLAP_CLASSES` of them (pairs in the order of their texts): a name both select, chosen as a pattern's
 * witness is, that no rule names and the fewest other patterns match (a fill of a character no rule names when the
 * usual fills leave other patterns: then the witness matches only the patterns every name of its shape matches).
 * Overlaps of three or more patterns need no class of their own: a name's verdicts are ORs over the patterns that match
 * it of pairs (a DNS rule that learns it and a `toFQDNs` item that allows the port, L7 rules merged), so a change seen on
 * a name of three patterns is seen on the class of one of its pairs, whose witness matches only those two.
 */
export function fqdnClassPlan(rules: readonly CompiledRule[], subdomainWildcard: boolean): FqdnClassPlan {
  // A diff asks twice for the same rules (its classes, then what they cannot stand for): the plan is kept while they live.
  if (rules.length === 0) return planOf(rules, subdomainWildcard);
  const last = plans.get(rules[0]);
  if (last && last.subdomainWildcard === subdomainWildcard && last.rules.length === rules.length && last.rules.every((r, i) => r === rules[i])) {
    return last.plan;
  }
  const plan = planOf(rules, subdomainWildcard);
  plans.set(rules[0], { rules: [...rules], subdomainWildcard, plan });
  return plan;
}

/** The last plan made per first rule, with its rules (compared by identity: compiled rules are immutable). */
const plans = new WeakMap<CompiledRule, {
  readonly rules: readonly CompiledRule[];
  readonly subdomainWildcard: boolean;
  readonly plan: FqdnClassPlan;
}>();

function planOf(rules: readonly CompiledRule[], subdomainWildcard: boolean): FqdnClassPlan {
  const selected = new Map<string, NamedFqdn>();
  const dnsRules = new Map<string, NamedFqdn>();
  for (const r of rules) {
    for (const item of r.items.egress) {
      if (item.peer.kind === 'fqdns') for (const m of item.peer.matchers) addNamed(selected, fqdnSelectorOf(m.text), subdomainWildcard);
      if (item.l4.kind !== 'ports') continue;
      for (const pr of item.l4.portRules) for (const d of pr.rules?.dns ?? []) addNamed(dnsRules, d, subdomainWildcard);
    }
  }
  if (selected.size === 0) return { classes: [], overlapsLeftOut: [] };
  const toFqdns = [...selected.values()].map((n) => n.matcher);
  const all = new Map(selected);
  const names = new Set([...selected.values(), ...dnsRules.values()].filter((n) => !n.pattern).map((n) => n.text));
  const patterns = new PatternIndex([...selected.values(), ...dnsRules.values()].filter((n) => n.pattern));
  const fills = fillTokens([...selected.values(), ...dnsRules.values()], names.size + patterns.size);
  const leftOut: string[] = [];
  const witnesses = new Map<NamedFqdn, string | undefined>();
  const witness = (n: NamedFqdn): string | undefined => {
    if (!witnesses.has(n)) {
      const w = n.pattern ? patternWitness(n, names, patterns, fills) : { name: n.text, others: 0 };
      // Without a character no rule names, a witness that other patterns match may stand for fewer names than its class.
      if (w !== undefined && w.others > 0 && fills.fresh === undefined) leftOut.push(n.text);
      witnesses.set(n, w?.name);
    }
    return witnesses.get(n);
  };
  for (const [key, n] of dnsRules) {
    const w = all.has(key) ? undefined : witness(n);
    if (w !== undefined && toFqdns.some((m) => m.matches(w))) all.set(key, n);
  }
  const classes: { id: string; dnsName: string }[] = [];
  for (const n of [...all.values()].sort((a, b) => compare(a.text, b.text))) {
    const dnsName = witness(n);
    if (dnsName === undefined || !isEndpointDnsName(dnsName)) continue;
    classes.push({ id: `fqdn:${n.text}`, dnsName });
  }
  const taken = new Set(classes.map((c) => c.dnsName));
  const overlaps = patternOverlaps(selected, dnsRules, { names, patterns, fills, subdomainWildcard }, witness, taken);
  const overlapClasses = overlaps.kept.map((o) => ({ id: `fqdn:${o.text}`, dnsName: o.dnsName }));
  return { classes: [...classes, ...overlapClasses].sort((a, b) => compare(a.id, b.id)), overlapsLeftOut: [...leftOut, ...overlaps.leftOut] };
}

/**
 * The overlaps of two patterns, at least one of a `toFQDNs` rule, that neither's witness shows (a witness the other
 * pattern matches is already in the overlap), each with a name both match, in the order of their texts.
 */
function patternOverlaps(selected: ReadonlyMap<string, NamedFqdn>, dnsRules: ReadonlyMap<string, NamedFqdn>, named: NamedSets,
  witness: (n: NamedFqdn) => string | undefined, taken: Set<string>,
): { kept: { text: string; dnsName: string }[]; leftOut: string[] } {
  const { names, patterns, fills, subdomainWildcard } = named;
  const everything = (n: NamedFqdn): boolean => matchesEveryDnsName(n.text, subdomainWildcard);
  const byText = new Map<string, { n: NamedFqdn; toFqdns: boolean }>();
  for (const n of dnsRules.values()) if (n.pattern && !everything(n)) byText.set(n.text, { n, toFqdns: false });
  for (const n of selected.values()) if (n.pattern && !everything(n)) byText.set(n.text, { n, toFqdns: true });
  const list = [...byText.values()].sort((a, b) => compare(a.n.text, b.n.text));
  const shapes = list.map((e) => patternShape(e.n.text, subdomainWildcard));
  // Only patterns one of whose literal endings is the other's (or the same) can overlap: those pairs, in order.
  const position = new Map(list.map((e, i) => [e.n, i]));
  const pairs: [number, number][] = [];
  list.forEach((e, i) => {
    for (const other of patterns.onPathOf(e.n.text)) {
      const j = position.get(other);
      if (j !== undefined && j !== i && !(j < i && patterns.sameEnding(other.text, e.n.text))) pairs.push(i < j ? [i, j] : [j, i]);
    }
  });
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const kept: { text: string; dnsName: string }[] = [];
  const leftOut: string[] = [];
  for (const [i, j] of pairs) {
    const [a, b] = [list[i], list[j]];
    if (!a.toFqdns && !b.toFqdns) continue;
    // Past the bound, every candidate pair is left out without more work (some may not overlap at all: their rules are
    // then NOT COMPARED needlessly, never silently), so hostile lists of patterns cost no witness search per pair.
    if (kept.length >= MAX_OVERLAP_CLASSES) {
      leftOut.push(`${a.n.text} & ${b.n.text}`);
      continue;
    }
    const meet = shapeMeet(shapes[i], shapes[j]);
    if (meet === undefined) continue;
    const wa = witness(a.n);
    const wb = witness(b.n);
    if ((wa !== undefined && b.n.matcher.matches(wa)) || (wb !== undefined && a.n.matcher.matches(wb))) continue;
    const w = overlapWitness(meet, [a.n.matcher, b.n.matcher], names, patterns, fills);
    if (w === undefined || taken.has(w.name)) continue;
    // Without a character no rule names, a witness that other patterns match may miss the names only the two match.
    if (w.others > 0 && fills.fresh === undefined) {
      leftOut.push(`${a.n.text} & ${b.n.text}`);
      continue;
    }
    taken.add(w.name);
    kept.push({ text: `${a.n.text} & ${b.n.text}`, dnsName: w.name });
  }
  return { kept, leftOut };
}

/** A pattern's labels, each a list of tokens (a character, or `STAR`), and whether a leading `**.` stands for one or more labels. */
interface PatternShape {
  readonly subdomains: boolean;
  readonly labels: readonly (readonly string[])[];
}

/** One `*` (zero or more DNS characters, not `.`) in a label of a `PatternShape`. */
const STAR = '*';
/** Where a name built by `shapeMeet` has a free run of characters (filled with a token by `overlapWitness`). */
const FILL = '\u0000';

function patternShape(text: string, subdomainWildcard: boolean): PatternShape {
  const leading = subdomainWildcard ? /^\*{2,}\./.exec(text) : null;
  const rest = leading ? text.slice(leading[0].length) : text;
  return { subdomains: leading !== null, labels: rest.split('.').map((l) => [...l.replace(/\*+/g, STAR)]) };
}

/**
 * A name two patterns both match, with `FILL` where the characters are free (one label of `FILL` for the labels a
 * leading `**.` adds); `undefined` when they match no name in common.
 */
function shapeMeet(a: PatternShape, b: PatternShape): string | undefined {
  // Aligned from the last label: a `**.` prefix takes the labels the other pattern has in front (one or more).
  const [la, lb] = [a.labels.length, b.labels.length];
  if ((!a.subdomains && !b.subdomains && la !== lb) || (a.subdomains && !b.subdomains && lb <= la) || (b.subdomains && !a.subdomains && la <= lb)) {
    return undefined;
  }
  const n = Math.max(la, lb);
  const out: string[] = [];
  for (let k = 1; k <= n; k++) {
    const x = a.labels[la - k];
    const y = b.labels[lb - k];
    // A label only one pattern has is inside the other's `**.` prefix: any non-empty label it matches.
    const label = x && y ? labelMeet(x, y) : labelMeet(x ?? y, [STAR]);
    if (label === undefined || label === '') return undefined;
    out.unshift(label);
  }
  // Both `**.`: one more label in front of the longer one's.
  if (a.subdomains && b.subdomains) out.unshift(FILL);
  return out.join('.');
}

/**
 * A word two label globs both match, preferring free runs (`FILL`) and then fewer characters: a walk of the pair of
 * positions (each `*` may take a character of the other glob, end, or, with the other's `*`, take a free run).
 */
function labelMeet(a: readonly string[], b: readonly string[]): string | undefined {
  if (!a.includes(STAR) && !b.includes(STAR)) return a.join('') === b.join('') ? a.join('') : undefined;
  const memo = new Map<number, { word: string; fills: number } | null>();
  const better = (x: { word: string; fills: number } | null, y: { word: string; fills: number } | null): { word: string; fills: number } | null => {
    if (!x) return y;
    if (!y) return x;
    return y.fills > x.fills || (y.fills === x.fills && y.word.length < x.word.length) ? y : x;
  };
  const walk = (i: number, j: number): { word: string; fills: number } | null => {
    const key = i * (b.length + 1) + j;
    if (memo.has(key)) return memo.get(key) ?? null;
    memo.set(key, null);
    let best: { word: string; fills: number } | null = null;
    const prefix = (c: string, r: { word: string; fills: number } | null): { word: string; fills: number } | null =>
      r && { word: c + r.word, fills: r.fills + (c === FILL ? 1 : 0) };
    if (i === a.length && j === b.length) best = { word: '', fills: 0 };
    else if (i < a.length && j < b.length && a[i] === STAR && b[j] === STAR) {
      best = better(prefix(FILL, walk(i + 1, j)), prefix(FILL, walk(i, j + 1)));
    } else {
      if (i < a.length && a[i] === STAR) {
        best = better(best, walk(i + 1, j));
        if (j < b.length && isDnsChar(b[j])) best = better(best, prefix(b[j], walk(i, j + 1)));
      }
      if (j < b.length && b[j] === STAR) {
        best = better(best, walk(i, j + 1));
        if (i < a.length && isDnsChar(a[i])) best = better(best, prefix(a[i], walk(i + 1, j)));
      }
      if (i < a.length && j < b.length && a[i] !== STAR && a[i] === b[j]) best = better(best, prefix(a[i], walk(i + 1, j + 1)));
    }
    memo.set(key, best);
    return best;
  };
  return walk(0, 0)?.word;
}

function isDnsChar(c: string): boolean {
  return /^[-a-z0-9_]$/.test(c);
}

/**
 * The name an overlap is judged as: its free runs filled as a pattern's witness fills its `*`s, the first candidate no
 * rule names that both patterns match, and the fewest other patterns.
 */
function overlapWitness(meet: string, pair: readonly FqdnMatcher[], names: ReadonlySet<string>, patterns: PatternIndex,
  fills: FillTokens): Witness | undefined {
  const candidate = (fill: string): Witness | undefined => {
    const name = meet.split(FILL).join(fill);
    if (names.has(name) || !isEndpointDnsName(name) || !pair.every((m) => m.matches(name))) return undefined;
    return { name, others: patterns.candidates(name).filter((m) => !pair.includes(m.matcher) && m.matcher.matches(name)).length };
  };
  let best: Witness | undefined;
  let ranked = 0;
  for (const fill of fills.tokens) {
    const c = candidate(fill);
    if (!c) {
      if (!meet.includes(FILL)) return undefined;
      continue;
    }
    if (best === undefined || c.others < best.others) best = c;
    if (c.others === 0 || !meet.includes(FILL) || ++ranked >= RANKED_CANDIDATES) break;
  }
  return meet.includes(FILL) ? freshIfBetter(best, candidate, fills) ?? shortestFill(candidate) : best;
}

/**
 * The witness of the shortest fill that gives one (none, then one character), when every fill of `FillTokens` (three
 * characters and more) makes a name no lookup gives: `<61 a's>*.example.com` filled with `any` has a label of 64.
 */
function shortestFill(candidate: (fill: string) => Witness | undefined): Witness | undefined {
  for (const fill of ['', ...FRESH_CHARACTERS]) {
    const c = candidate(fill);
    if (c !== undefined) return c;
  }
  return undefined;
}

/**
 * Whether a compiled `toFQDNs` matcher (by its text, `matchName: x`, `matchPattern: *.x`) selects no name a lookup gives:
 * a `matchName`, or the shortest name of a `matchPattern` (each `*` run as nothing, a label of `*`s only as one character),
 * past DNS's lengths (`dnsLengthProblem`). The CRD's patterns take such a selector; it selects nothing, so it needs no class.
 */
export function selectsNoLookupName(matcherText: string): boolean {
  const selector = fqdnSelectorOf(matcherText);
  if (typeof selector.matchName === 'string') return dnsLengthProblem(selector.matchName.trim()) !== undefined;
  if (typeof selector.matchPattern !== 'string') return false;
  const shortest = selector.matchPattern.trim().replace(/\.$/, '').split('.').map((l) => l.replace(/\*+/g, '') || 'a').join('.');
  return dnsLengthProblem(shortest) !== undefined;
}

/** `best`, or the witness of the fill of a character no rule names when other patterns match fewer of it. */
function freshIfBetter(best: Witness | undefined, candidate: (fill: string) => Witness | undefined, fills: FillTokens): Witness | undefined {
  if (fills.fresh === undefined || (best !== undefined && best.others === 0)) return best;
  const c = candidate(fills.fresh);
  return c !== undefined && (best === undefined || c.others < best.others) ? c : best;
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

/** The id of the class that stands for a `matchName`/`matchPattern` (of a DNS rule), whether or not it has one. */
export function fqdnClassIdOfSelector(selector: FqdnSelectorModel): string | undefined {
  const text = namedText(selector);
  return text === undefined ? undefined : `fqdn:${text}`;
}

/**
 * A DNS name an FQDN endpoint can have (lower case: the canonical form), which a lookup can give (`isLookupName`: a
 * `matchName` with a label of 64 characters passes the CRD's pattern but selects no name a lookup returns).
 */
function isEndpointDnsName(name: string): boolean {
  return isLookupName(name) && name === name.toLowerCase();
}

/** The selector of a compiled `toFQDNs` matcher, from its text (`matchName: x`, `matchPattern: *.x`). */
function fqdnSelectorOf(text: string): FqdnSelectorModel {
  if (text.startsWith('matchName: ')) return { matchName: text.slice('matchName: '.length) };
  if (text.startsWith('matchPattern: ')) return { matchPattern: text.slice('matchPattern: '.length) };
  return {};
}

/** Fills of a `*` besides `any`, `any1`, …: first and last characters apart, so that a narrower pattern (`any*.x`) misses one. */
const OTHER_FILLS = ['zq0', '9xw', 'k7m'];

/** The characters a fill of one character no rule names is chosen from, in order. */
const FRESH_CHARACTERS = 'bcdefghijklmnopqrstuvwxyz0123456789a_';

/** A witness name, and how many named patterns besides its own match it. */
interface Witness {
  readonly name: string;
  readonly others: number;
}

/** The fills a witness tries for each `*` run, in order, and then a fill no rule names when those leave other patterns. */
interface FillTokens {
  readonly tokens: readonly string[];
  /** A character no name or pattern has (`undefined` when every letter and digit is taken). */
  readonly fresh: string | undefined;
}

/** How many usable witness candidates of a pattern are ranked (the first ten numbered fills and the other fills). */
const RANKED_CANDIDATES = 10 + OTHER_FILLS.length;

/** What the witnesses of a plan search among: names and patterns the rules name, the fills, and the `**.` reading. */
interface NamedSets {
  readonly names: ReadonlySet<string>;
  readonly patterns: PatternIndex;
  readonly fills: FillTokens;
  readonly subdomainWildcard: boolean;
}

/**
 * The fills: `any`, `any1` … `any9`, the other fills, then more numbered fills (as many as there are names and patterns,
 * so one is free); and a character that no name or pattern has, tried last when the best of those is matched by other
 * patterns (a name of it can match another pattern only where that pattern's `*` takes it, so it stands for every fill
 * of the same shape; tried last, so that every witness that was exact stays the name it was).
 */
function fillTokens(named: readonly NamedFqdn[], count: number): FillTokens {
  const used = new Set(named.flatMap((n) => [...n.text]));
  const numbered = Array.from({ length: count + 2 }, (_, i) => (i === 0 ? 'any' : `any${i}`));
  return { tokens: [...numbered.slice(0, 10), ...OTHER_FILLS, ...numbered.slice(10)], fresh: [...FRESH_CHARACTERS].find((c) => !used.has(c)) };
}

/**
 * A name a pattern matches that no rule names, standing for the pattern rather than for a narrower pattern one side
 * names: among candidates with each run of `*` filled with one token (`any`, `any1`, …, then tokens of other first and
 * last characters; a pattern of `*` only as `<token>.invalid`), the one the fewest other named patterns match (ties:
 * the first). Total: there are more `anyN` candidates than names, so one is free.
 */
function patternWitness(n: NamedFqdn, names: ReadonlySet<string>, patterns: PatternIndex, fills: FillTokens): Witness | undefined {
  const judge = (name: string): Witness | undefined => {
    // A name no lookup gives (a label past 63, past 253 in all) stands for nothing: a shorter fill is tried.
    if (names.has(name) || !isEndpointDnsName(name) || !n.matcher.matches(name)) return undefined;
    return { name, others: patterns.candidates(name).filter((m) => m !== n && m.matcher.matches(name)).length };
  };
  // A leading `**.` (Cilium 1.19+: one or more labels) also gets a name of two labels there, which a `*.` pattern of the
  // same ending does not match: without it `*.example.com` → `**.example.com` was judged on a name both match.
  const deep = n.text.startsWith('**.');
  const candidate = (fill: string): Witness | undefined => {
    // A pattern of `*` only matches every name from 1.19 (before, `**` is one label, as `*.example` is a label and more).
    const single = judge(/^\*+$/.test(n.text) && n.matcher.matches('x.invalid') ? `${fill}.invalid` : n.text.replace(/\*+/g, fill));
    const multi = deep ? judge(`${fill}.${n.text.replace(/\*+/g, fill)}`) : undefined;
    return multi !== undefined && (single === undefined || multi.others < single.others) ? multi : single;
  };
  let best: Witness | undefined;
  let ranked = 0;
  for (const fill of fills.tokens) {
    const c = candidate(fill);
    if (!c) continue;
    if (best === undefined || c.others < best.others) best = c;
    // Ranked among the first usable candidates only: a pattern every name matches (the usual DNS rule `*`) keeps `others`
    // above 0, and ranking every candidate would cost names x patterns per pattern.
    if (c.others === 0 || ++ranked >= RANKED_CANDIDATES) break;
  }
  return freshIfBetter(best, candidate, fills) ?? shortestFill(candidate);
}

/** A node of `PatternIndex`: the patterns whose literal ending leads here, and the next labels (from the last). */
interface EndingNode {
  readonly next: Map<string, EndingNode>;
  readonly here: NamedFqdn[];
}

/**
 * The named patterns by the labels they end with that have no `*` (`*.tenant1.example.org` under `org`, `example`,
 * `tenant1`): a pattern can match a name, or overlap another pattern, only if its literal ending is an ending of the
 * name's (of the other's literal ending, or the other way round), so only the patterns on a name's path are asked.
 */
class PatternIndex {
  private readonly root: EndingNode = { next: new Map(), here: [] };
  public readonly size: number;

  public constructor(patterns: readonly NamedFqdn[]) {
    this.size = patterns.length;
    for (const p of patterns) {
      let node = this.root;
      for (const label of literalEnding(p.text)) {
        let next = node.next.get(label);
        if (!next) {
          next = { next: new Map(), here: [] };
          node.next.set(label, next);
        }
        node = next;
      }
      node.here.push(p);
    }
  }

  /** The patterns that may match a name (a superset of those that do). */
  public candidates(name: string): NamedFqdn[] {
    return this.path(name.replace(/\.$/, '').split('.').reverse());
  }

  /** The patterns whose literal ending is an ending of this pattern's (itself included). */
  public onPathOf(text: string): NamedFqdn[] {
    return this.path(literalEnding(text));
  }

  /** Whether two patterns have the same literal ending. */
  public sameEnding(a: string, b: string): boolean {
    return literalEnding(a).join('.') === literalEnding(b).join('.');
  }

  private path(labels: readonly string[]): NamedFqdn[] {
    const out = [...this.root.here];
    let node: EndingNode | undefined = this.root;
    for (const label of labels) {
      node = node.next.get(label);
      if (!node) break;
      pushAll(out, node.here);
    }
    return out;
  }
}

/** The labels a pattern ends with that have no `*`, from the last. */
function literalEnding(text: string): string[] {
  const out: string[] = [];
  const labels = text.split('.');
  for (let i = labels.length - 1; i >= 0 && !labels[i].includes('*'); i--) out.push(labels[i]);
  return out;
}
