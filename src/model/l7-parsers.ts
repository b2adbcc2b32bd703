/**
 * Cilium's merge of L7 parsers, the one mechanism behind the engine's note and `validate`'s `pitfall-l7-parser-conflict`.
 *
 * The agent turns every allow rule item that selects an endpoint into one L4 filter per direction and exact port entry
 * (port, end port and protocol as written, so `80` and `80` with `endPort: 80` are two; a named port by its name; `ANY` expanded to TCP, UDP and SCTP), and merges
 * the filters with the same key (pkg/policy `addL4Filter`, `ExactLookup`, then `mergePortProto`). A filter gets the
 * parser of its L7 rules (`createL4Filter`): DNS on any protocol; HTTP, Kafka and an `l7proto` parser on TCP only; none
 * without L7 rules, which merges with any parser. Two different parsers do not merge (`L7ParserType.Merge`: "cannot
 * merge conflicting L7 parsers"): the agent fails to compute the endpoint's policy, both directions, and the endpoint
 * keeps the policy it had — `kubectl apply` succeeded, the error is only in the agent log and the endpoint's status.
 *
 * Up to Cilium 1.17 the parser is the filter's (`L4Filter.L7Parser`): any two rules on the same key conflict, whatever
 * their peers. From 1.18 it is per peer selector (PR #37887, `PerSelectorPolicy.L7Parser`): only rules that name an
 * identical peer selector (after Cilium's translation; the selector cache holds one per written form, `Selector.cacheKey`:
 * `matchLabels {app: web}` and `app In [web]` are two) conflict; different peers
 * on one port may use different parsers, merged, but the port still gets one proxy redirect (ProxyID has no parser), of
 * the parser the agent meets first (the engine's `parserRedirectsUndecided`: not known). Port entries that overlap without being equal (`8000-8100` and `8080`) are
 * separate filters: never merged, never refused. A TLS-only port rule (`serverNames`, TLS contexts) has the parser `tls`,
 * promoted to any parser but DNS and a listener's; a port rule with an Envoy `listener` has the parser `crd`, which
 * merges with no other parser (`parsersMerge`).
 */
import { CiliumVersion } from '../core/cilium-version';
import { CLUSTER_RESERVED_ENTITIES } from './entities';
import { L7RulesModel } from './policy-model';
import { CompiledPort } from './port-entries';

/** One filter a port entry makes: its key (direction, protocol, port entry) and how messages name it (`ingress 80/TCP`). */
export interface ParserFilter {
  /** The key of the filter. */
  readonly key: string;
  /** Its protocol. */
  readonly protocol: string;
  /** `ingress 80/TCP`, `egress 8000-8100/TCP`, `ingress http/TCP`. */
  readonly text: string;
  /**
   * The proxy redirect its L7 rules get (`redirectKey`), for the filters of port entries (`parserFilters`).
   * @default - the filter's key
   */
  readonly redirect?: string;
}

/** One rule item's parser on one filter, for one peer selector (from 1.18) or for every peer (up to 1.17). */
export interface ParserUse<T> {
  /** The filter. */
  readonly filter: ParserFilter;
  /** The parser: `http`, `kafka`, `dns`, `tls`, `crd` (a listener) or the `l7proto` name. */
  readonly parser: string;
  /** The peer selector it is merged per (from 1.18), as a key; `''` up to 1.17 (per filter). */
  readonly peer: string;
  /** What the caller needs to name the item. */
  readonly ref: T;
}

/** What of a port rule besides its L7 rules decides its parser (`l7ParserOf`): its TLS settings and its Envoy listener. */
export interface PortRuleProxyFields {
  /** Its `serverNames`. */
  readonly serverNames?: unknown;
  /** Its `terminatingTLS`. */
  readonly terminatingTLS?: unknown;
  /** Its `originatingTLS`. */
  readonly originatingTLS?: unknown;
  /** Its `listener`. */
  readonly listener?: unknown;
}

/**
 * The parser a port rule gives the traffic of `protocol`, or `undefined` for none, as pkg/policy/l4.go `createL4Filter`
 * sets `L7Parser` (1.14 to 1.19): `tls` for a TLS context (`terminatingTLS`, `originatingTLS`) or `serverNames`, whatever
 * the protocol; overridden by the L7 rules (DNS on any protocol; HTTP, Kafka and an `l7proto` parser on TCP only);
 * overridden by a `listener`, whatever the rest, as `crd` ("Override the parser type to CRD"). How two parsers merge is
 * `parsersMerge`.
 */
export function l7ParserOf(rules: L7RulesModel | undefined, protocol: string, proxy?: PortRuleProxyFields): string | undefined {
  if (proxy?.listener !== undefined && proxy.listener !== null) return 'crd';
  const fromRules = l7RulesParser(rules, protocol);
  if (fromRules !== undefined) return fromRules;
  const names = proxy?.serverNames;
  const tls = (Array.isArray(names) && names.length > 0) || isSet(proxy?.terminatingTLS) || isSet(proxy?.originatingTLS);
  return tls ? 'tls' : undefined;
}

function isSet(field: unknown): boolean {
  return field !== undefined && field !== null;
}

function l7RulesParser(rules: L7RulesModel | undefined, protocol: string): string | undefined {
  if (rules === undefined || rules === null || typeof rules !== 'object') return undefined;
  if (Array.isArray(rules.dns) && rules.dns.length > 0) return 'dns';
  if (protocol !== 'TCP') return undefined;
  if (Array.isArray(rules.http) && rules.http.length > 0) return 'http';
  if (Array.isArray(rules.kafka) && rules.kafka.length > 0) return 'kafka';
  return typeof rules.l7proto === 'string' && rules.l7proto !== '' ? rules.l7proto : undefined;
}

/**
 * Whether two parsers of one merge (`l7ParserOf`) merge, as pkg/policy/l4.go `L7ParserType.Merge` / `canPromoteTo`
 * (1.14 to 1.19; l4_test.go `TestL7ParserTypeMerge`) has it: a parser merges with itself; `tls` is promoted to any other
 * parser but `dns` and `crd` (a listener); `dns` and `crd` merge with no other; any two other parsers do not ("cannot
 * merge conflicting L7 parsers"). The merge's result is order-independent, so a set of parsers merges when every pair does.
 * Also used for authentication modes (`authenticationFilters`), which merge only with themselves: no mode is `tls`.
 */
export function parsersMerge(a: string, b: string): boolean {
  if (a === b) return true;
  const promotable = (tls: string, other: string): boolean => tls === 'tls' && other !== 'dns' && other !== 'crd';
  return promotable(a, b) || promotable(b, a);
}

/**
 * A parser's uses as words, after "has": `http rules`, `an Envoy listener (parser crd)`, `TLS settings without L7 rules
 * (serverNames or a TLS context: parser tls)`. The one wording of the engine's note and `validate`'s message.
 */
export function parserRulesText(parser: string): string {
  if (parser === 'crd') return 'an Envoy listener (parser crd)';
  if (parser === 'tls') return 'TLS settings without L7 rules (serverNames or a TLS context: parser tls)';
  return `${parser} rules`;
}

/**
 * Whether the uses of `parser` share a proxy redirect with other parsers' uses of their port: all but a listener's, whose
 * redirect is its own (pkg/policy/proxyid.go `ProxyID` keys it by the listener too, 1.14 to 1.19).
 */
export function sharesRedirect(parser: string): boolean {
  return parser !== 'crd';
}

/** The filters a port entry makes in `direction`, one per protocol (none for an invalid entry). */
export function parserFilters(direction: 'ingress' | 'egress', port: CompiledPort): ParserFilter[] {
  if (port.kind === 'invalid') return [];
  return port.protocols.map((protocol) => ({
    key: `${direction} ${l4FilterKey(port, protocol)}`, protocol, text: `${direction} ${l4FilterKey(port, protocol)}`, redirect: redirectKey(direction, port, protocol),
  }));
}

/** The proxy redirect of a filter (`ParserFilter.redirect`, else the filter itself). */
export function redirectOf(filter: ParserFilter): string {
  return filter.redirect ?? filter.key;
}

/**
 * The proxy redirect the L7 rules of a port entry get on an endpoint, as the agent keys it: pkg/endpoint `proxyID`
 * (1.14-1.19) gives pkg/policy `ProxyID` the direction, the protocol and `L4Filter.Port`, the entry's first port ("for port
 * ranges the proxy is identified by the first port in the range"), or for a named port the number it resolves to on the
 * endpoint (`GetNamedPort`), and no parser. So `80`, `80` with `endPort: 80` and `80-90`, two filters of the merge
 * (`l4FilterKey`), share one redirect, made with the parser of one of them (`addNewRedirects`, in Go map order). A named
 * port is keyed by its name here: the number is the endpoint's (`resolvedRedirect`).
 */
export function redirectKey(direction: 'ingress' | 'egress', port: CompiledPort, protocol: string): string {
  return `${direction} ${port.kind === 'named' ? `${port.name ?? ''}` : port.lo}/${protocol}`;
}

/**
 * The proxy redirect `redirect` (`redirectKey`) is on an endpoint whose named ports resolve as `resolve` says: pkg/endpoint
 * `proxyID` (1.14-1.19) keys a named port's redirect by the number `GetNamedPort` resolves it to, so `http` resolving to 8080
 * shares the redirect of `8080` (and of `8080-8090`). A name that does not resolve keeps its own key (the agent makes it no
 * redirect: `proxyID` returns "").
 */
export function resolvedRedirect(redirect: string, resolve: (direction: 'ingress' | 'egress', name: string, protocol: string) => number | undefined): string {
  const m = /^(ingress|egress) ([^/]+)\/(.+)$/.exec(redirect);
  if (m === null || /^\d+$/.test(m[2])) return redirect;
  const port = resolve(m[1] as 'ingress' | 'egress', m[2], m[3]);
  return port === undefined ? redirect : `${m[1]} ${port}/${m[3]}`;
}

/**
 * The agent's L4 filter (of one direction) a port entry lands in for `protocol` (one of its protocols: `ANY` makes one
 * filter per protocol): port and end port as written, and protocol (`L4PolicyMap.ExactLookup(port, endPort, protocol)`),
 * so `80` and `80` with `endPort: 80` are two filters (`endPort: 0` is none); a named port is a filter of its own, `name/protocol`
 * (`namedPortMap`), apart from the number it resolves to. Rules merge per filter (`mergePortProto`); the DNS proxy reads
 * the rules of one filter per destination port (`evaluate.ts` `dnsFilterEntries`, `pitfall-dns-rules-widened`).
 */
export function l4FilterKey(port: CompiledPort, protocol: string): string {
  const entry = port.kind === 'named' ? `${port.name ?? ''}` : `${port.lo}${port.endPort ? `-${port.endPort}` : ''}`;
  return `${entry}/${protocol}`;
}

/** Whether the target version merges parsers per peer selector (1.18+) rather than per filter. */
export function parsersPerSelector(version: CiliumVersion): boolean {
  return version.atLeast(CiliumVersion.V1_18);
}

/**
 * The peer key of an endpoint selector, from its cache key (`Selector.cacheKey`). The empty selector, which a raw
 * `api.Rule` (or a clusterwide rule of `reserved:init` subjects, left without a namespace requirement) writes as
 * `{}`, is `api.WildcardEndpointSelector`: the one cached selector Cilium also gives an item without peers and the
 * entity `all`, so its parsers merge with theirs (l4_filter_test.go: `FromEndpoints: [WildcardEndpointSelector]` and
 * an L4-only item both land on the wildcard selector).
 */
export function endpointsPeerKey(cacheKey: string): string {
  return cacheKey === '{}' ? '*' : `endpoints ${cacheKey}`;
}

/** The cached selectors an entity stands for (pkg/policy/api `EntitySelectorMapping`), as peer keys; `none` selects nothing. */
export function entityPeerKeys(entity: string): string[] {
  switch (entity) {
    case 'all':
      return ['*'];
    case 'none':
      return [];
    case 'world':
      return ['reserved:world', 'reserved:world-ipv4', 'reserved:world-ipv6'];
    case 'cluster':
      return [...CLUSTER_RESERVED_ENTITIES.map((e) => `reserved:${e}`), 'cluster-pods'];
    default:
      return [`reserved:${entity}`];
  }
}

/**
 * The key of one filter and peer selector (`filter.key` NUL `peer`): the merge the agent meets entries of a port in
 * (pkg/policy/rule.go `mergePortProto`, per cached selector), and what a deny item covers. The one key `mergeGroups`,
 * the selector-policy merges and `mergeOrderDecided` read.
 */
export function filterPeerKey(use: { readonly filter: ParserFilter; readonly peer: string }): string {
  return `${use.filter.key}\0${use.peer}`;
}

/**
 * The deny item that makes a merge the agent refuses (two authentication modes, two listeners, `serverNames` beside L7
 * rules) of the filter and peer of `use` depend on the order the agent meets the rules in, or `undefined`: a deny item of
 * the endpoint's rules that covers the same filter and peer (`denied`, by `filterPeerKey`). pkg/policy/rule.go
 * `mergePortProto` (1.14 to 1.19) replaces the allow entries merged so far with the deny and skips the merge of later
 * ones ("Denies takes priority over any rule"), so the refusal happens only if both entries come before the deny. The
 * engine's reading for the rules of one endpoint (`denyOrdered`, `SelectorMergeProblem.deny`); `validate`, which compares
 * rules that may share endpoints, asks per pair for a deny that may select an endpoint of both (`orderingDeny`).
 */
export function mergeOrderDecided<T>(use: { readonly filter: ParserFilter; readonly peer: string }, denied: ReadonlyMap<string, T>): T | undefined {
  return denied.get(filterPeerKey(use));
}

/** Two uses of one filter and peer whose parsers cannot be merged. */
export interface ParserConflict<T> {
  /** The use met first. */
  readonly first: ParserUse<T>;
  /** A use with another parser. */
  readonly second: ParserUse<T>;
}

/**
 * The uses grouped by the merge they meet in (filter, and peer selector from 1.18), keeping only the groups with more
 * than one parser: the only places a conflict can be. Linear in the uses.
 */
export function mergeGroups<T>(uses: Iterable<ParserUse<T>>): ParserUse<T>[][] {
  const groups = new Map<string, { uses: ParserUse<T>[]; parsers: Set<string> }>();
  for (const use of uses) {
    const key = filterPeerKey(use);
    let g = groups.get(key);
    if (!g) groups.set(key, g = { uses: [], parsers: new Set() });
    g.uses.push(use);
    g.parsers.add(use.parser);
  }
  return [...groups.values()].filter((g) => g.parsers.size > 1).map((g) => g.uses);
}

/**
 * The conflicts among uses that all apply to one endpoint: per merge group, the first use of each further parser against
 * the first use of the group's first parser.
 */
export function parserConflicts<T>(uses: Iterable<ParserUse<T>>): ParserConflict<T>[] {
  return mergeGroups(uses).flatMap((group) => {
    // The first use of each parser, in order; each further parser against the first earlier one it does not merge with.
    const firsts: ParserUse<T>[] = [];
    const out: ParserConflict<T>[] = [];
    for (const use of group) {
      if (firsts.some((f) => f.parser === use.parser)) continue;
      const first = firsts.find((f) => !parsersMerge(f.parser, use.parser));
      if (first !== undefined) out.push({ first, second: use });
      firsts.push(use);
    }
    return out;
  });
}

/** One ICMP field of an item, as the filter key reads it: its family and type number (`undefined`: not a type). */
export interface IcmpFilterField {
  /** `IPv4` or `IPv6`. */
  readonly family: 'IPv4' | 'IPv6';
  /** The type number. */
  readonly type: number | undefined;
}

/**
 * The filters an item's `authentication.mode` (or, for a deny item, its deny) lands on, named as `parserFilters` names
 * them: `0/ANY` for an item of every port (no `toPorts` and no `icmps`, `l4Scope` 'all'), each port entry's filters, each
 * ICMP type's (`ICMP`/`ICMPv6`). The one reading of those filters, shared by the engine's note (`parser-conflicts.ts`)
 * and `validate`'s `pitfall-auth-mode-conflict`: two items that give one cached selector different modes on one filter
 * make the agent's merge fail (pkg/policy/rule.go `mergePortProto`: "cannot merge conflicting authentication types").
 */
export function authenticationFilters(direction: 'ingress' | 'egress', scope: 'all' | 'none' | 'ports', ports: readonly CompiledPort[],
  icmps: readonly IcmpFilterField[]): ParserFilter[] {
  if (scope === 'none') return [];
  if (scope === 'all') return [filterOf(direction, '0', 'ANY')];
  const filters = ports.flatMap((port) => parserFilters(direction, port));
  for (const icmp of icmps) if (icmp.type !== undefined) filters.push(filterOf(direction, String(icmp.type), icmp.family === 'IPv6' ? 'ICMPv6' : 'ICMP'));
  return filters;
}

/** The filter of a port (or ICMP type) and protocol, named as `parserFilters` names them. */
function filterOf(direction: 'ingress' | 'egress', port: string, protocol: string): ParserFilter {
  const text = `${direction} ${port}/${protocol}`;
  return { key: text, protocol, text };
}

/** A peer key as messages name it: `(any peer)` for the wildcard key `*`. */
export function peerText(peer: string): string {
  return peer === '*' ? '(any peer)' : peer;
}
