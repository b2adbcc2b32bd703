/**
 * Layer 4 of a rule item as the agent reads it (pkg/policy/api/l4.go, pkg/policy/rule.go `mergeL4Filter`): `toPorts`
 * omitted = every port and protocol (ICMP included); `port: "0"` (or no port, 1.19) = every port of the protocol;
 * `endPort` ranges (1.16+); named ports resolved on the destination endpoint; protocol omitted or `ANY` = TCP, UDP and
 * SCTP (not ICMP); ICMP only through `icmps`.
 */
import { icmpTypeCovers, icmpTypeNumber } from '../model/icmp-types';
import { CiliumVersion } from '../core/cilium-version';
import { l4Scope } from '../model/l4-scope';
import { prunedListener } from '../model/listener-kind';
import { IcmpRuleModel, L7RulesModel, PortRuleModel } from '../model/policy-model';
import { ANY_PROTOCOLS, CompiledPort, compilePortEntry, namedPortEnd, parsePortValue } from '../model/port-entries';

export { ANY_PROTOCOLS, CompiledPort, icmpTypeNumber, parsePortValue };
import { NamedPort } from './endpoint';

/** One `toPorts[]` entry, resolved. */
export interface CompiledPortRule {
  /** Index in `toPorts`. */
  readonly index: number;
  /** Its ports. */
  readonly ports: readonly CompiledPort[];
  /** Its L7 rules (allow rules only). */
  readonly rules?: L7RulesModel;
  /** Its SNI restriction. */
  readonly serverNames?: readonly string[];
  /** Its TLS interception and Envoy listener as written, when it has one (allow rules only): not evaluated. */
  readonly proxy?: Pick<PortRuleModel, 'terminatingTLS' | 'originatingTLS' | 'listener'>;
}

/** One ICMP match. */
export interface CompiledIcmp {
  /** Family. */
  readonly family: 'IPv4' | 'IPv6';
  /** The type number; `undefined` for an unknown name (matches nothing); 0 covers every type of the family (`icmpTypeCovers`). */
  readonly type: number | undefined;
  /** `8/IPv4`. */
  readonly text: string;
}

/**
 * The layer-4 part of a rule item: `none` (an item with neither peers nor ports, such as `ingress: [{}]`: it selects the
 * endpoint but allows nothing), `all` (a peer-only item: every port and protocol), or `ports`.
 */
export type L4Spec =
  | { readonly kind: 'none' }
  | { readonly kind: 'all' }
  | { readonly kind: 'ports'; readonly portRules: readonly CompiledPortRule[]; readonly icmps: readonly CompiledIcmp[] };

/** The layer-4 part of a query. */
export interface L4Query {
  /** `TCP`, `UDP`, `SCTP` or `ICMP`. */
  readonly protocol: string;
  /** Port (not ICMP). */
  readonly port?: number;
  /** ICMP type. */
  readonly icmpType?: number;
  /** ICMP family. */
  readonly icmpFamily: 'IPv4' | 'IPv6';
}

/** How an item matched at layer 4: all ports (no `toPorts`), or through these `toPorts` entries. */
export interface L4Match {
  /** The item has no `toPorts`/`icmps`: it covers everything (and has no L7 rules). */
  readonly allPorts: boolean;
  /** The `toPorts` entries that cover the query. */
  readonly portRules: readonly CompiledPortRule[];
  /** Whether it matched through `icmps`. */
  readonly icmp: boolean;
}

/** Options for compiling layer 4. */
export interface CompileL4Options {
  /** Whether `endPort` exists (Cilium 1.16+; older CRDs prune it). */
  readonly endPort: boolean;
  /** Whether the item is in a deny section (no L7 there). */
  readonly deny: boolean;
  /** The target version: its CRD may prune a listener's `priority` (`prunedListener`). */
  readonly version: CiliumVersion;
}

/**
 * Compiles the layer-4 part of an item.
 * @param hasPeers whether the item has an L3 peer field (`fromEndpoints`, `toCIDR`, …, even an empty one)
 */
export function compileL4(toPorts: readonly PortRuleModel[] | undefined, icmps: readonly IcmpRuleModel[] | undefined, hasPeers: boolean,
  options: CompileL4Options): L4Spec {
  const portRules = (toPorts ?? []).map((pr, index) => compilePortRule(pr, index, options));
  const icmpList = (icmps ?? []).flatMap((r) => (r.fields ?? []).map(compileIcmp));
  const scope = l4Scope(toPorts, icmps, hasPeers);
  return scope === 'ports' ? { kind: 'ports', portRules, icmps: icmpList } : { kind: scope };
}

/** Matches a query against an item's layer 4; `undefined` when it does not cover the query. */
export function matchL4(l4: L4Spec, query: L4Query, destinationPorts: readonly NamedPort[]): L4Match | undefined {
  if (l4.kind === 'none') return undefined;
  if (l4.kind === 'all') return query.protocol === 'ICMP' ? ALL_PORTS_ICMP : ALL_PORTS;
  if (query.protocol === 'ICMP') {
    const type = query.icmpType;
    return type !== undefined && l4.icmps.some((i) => i.family === query.icmpFamily && i.type !== undefined && icmpTypeCovers(i.type, type))
      ? ICMP_MATCH : undefined;
  }
  // A loop without closures, and the item's own list when every entry covers the query (most items have one).
  const rules = l4.portRules;
  let matched: CompiledPortRule[] | undefined;
  let count = 0;
  for (let r = 0; r < rules.length; r++) {
    const ports = rules[r].ports;
    let covers = false;
    for (let i = 0; i < ports.length && !covers; i++) covers = portMatches(ports[i], query, destinationPorts);
    if (covers) {
      if (matched === undefined && count === r) count++;
      else (matched ??= rules.slice(0, count)).push(rules[r]);
    }
  }
  if (matched !== undefined) return { allPorts: false, portRules: matched, icmp: false };
  if (count === 0) return undefined;
  return { allPorts: false, portRules: count === rules.length ? rules : rules.slice(0, count), icmp: false };
}

/** The matches that carry no port rule (shared: an `L4Match` is never modified). */
const ALL_PORTS: L4Match = Object.freeze({ allPorts: true, portRules: Object.freeze([]), icmp: false });
const ALL_PORTS_ICMP: L4Match = Object.freeze({ allPorts: true, portRules: Object.freeze([]), icmp: true });
const ICMP_MATCH: L4Match = Object.freeze({ allPorts: false, portRules: Object.freeze([]), icmp: true });

/** Whether one port entry covers the query (named ports resolved on `destinationPorts`). */
export function portMatches(p: CompiledPort, query: L4Query, destinationPorts: readonly NamedPort[]): boolean {
  if (query.port === undefined || !p.protocols.includes(query.protocol)) return false;
  switch (p.kind) {
    case 'all':
      return true;
    case 'range':
      return query.port >= p.lo && query.port <= p.hi;
    case 'named':
      return namedPortCovers(p, query.port, query.protocol, destinationPorts);
    case 'invalid':
      return false;
  }
}

/**
 * Whether a named port entry resolves on `ports` to a range holding `port`/`protocol` (the resolved number up to the
 * entry's `endPort`, `namedPortEnd`): `resolveNamedPort(p, ports).some(...)` without the intermediate lists, as this
 * runs for every named-port candidate of a decision.
 */
function namedPortCovers(p: CompiledPort, port: number, protocol: string, ports: readonly NamedPort[]): boolean {
  for (let i = 0; i < ports.length; i++) {
    const np = ports[i];
    if (port < np.port || port > namedPortEnd(p, np.port) || np.name.toLowerCase() !== p.name) continue;
    const resolved = (np.protocol ?? 'TCP').toUpperCase();
    if (resolved === protocol && p.protocols.includes(resolved)) return true;
  }
  return false;
}

/**
 * The container ports a named port entry resolves to on an endpoint (protocol-compatible ones only), with the last port
 * of the range each starts when the entry has an `endPort` above it (`namedPortEnd`; `endPort` = `port` otherwise).
 */
export function resolveNamedPort(p: CompiledPort, ports: readonly NamedPort[]): { port: number; endPort: number; protocol: string }[] {
  return ports.filter((np) => np.name.toLowerCase() === p.name)
    .map((np) => ({ port: np.port, endPort: namedPortEnd(p, np.port), protocol: (np.protocol ?? 'TCP').toUpperCase() }))
    .filter((r) => p.protocols.includes(r.protocol));
}

function compilePortRule(pr: PortRuleModel, index: number, options: CompileL4Options): CompiledPortRule {
  const ports = (pr.ports ?? []).map((p) => compilePortEntry(p, options.endPort));
  return {
    index, ports,
    ...(!options.deny && pr.rules !== undefined ? { rules: pr.rules } : {}),
    ...(!options.deny && pr.serverNames !== undefined ? { serverNames: pr.serverNames } : {}),
    ...(!options.deny && (pr.terminatingTLS !== undefined || pr.originatingTLS !== undefined || pr.listener !== undefined)
      ? { proxy: { terminatingTLS: pr.terminatingTLS, originatingTLS: pr.originatingTLS, listener: prunedListener(pr.listener, options.version) as PortRuleModel['listener'] } }
      : {}),
  };
}

function compileIcmp(field: { family?: string; type: number | string }): CompiledIcmp {
  const family = field.family === 'IPv6' ? 'IPv6' : 'IPv4';
  const type = icmpTypeNumber(field.type, family);
  return { family, type, text: `${field.type}/${family}${type === 0 ? ` (every ${family === 'IPv6' ? 'ICMPv6' : 'ICMP'} type)` : ''}` };
}
