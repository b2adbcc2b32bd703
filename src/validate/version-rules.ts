/**
 * Layer 3: fields and values newer than the target Cilium version, and removed or deprecated ones.
 *
 * The API server prunes a field its CRD does not know without a word, so a policy written for a newer Cilium
 * silently means something else on an older cluster; a value its CRD types, enumerates or requires otherwise (an ICMP
 * type name, VRRP, a port entry without port) makes it refuse the whole policy. Every message names the version that
 * added the field and what the pruned rule then does, or that the policy is refused. The engine tells the two apart
 * from the CRD schema itself (`admission.ts`).
 */
import { CiliumVersion } from '../core/cilium-version';
import {
  CidrRuleModel, EMPTY_LIST_CHECKED_PEER_FIELDS, FqdnSelectorModel, HttpRuleModel, IcmpRuleModel, L3_PEER_FIELDS, PeerField,
} from '../model/policy-model';
import { parsePortValue } from '../model/port-entries';
import { portOmittedProtocolFix } from './schema-rules';
import { re2AngleNamedGroups } from '../model/re2';
import {
  AGENT_SINCE,
  CIDR_SET_FIELDS,
  CONSTRAINT_SINCE,
  fieldSince,
  LISTENER_FIELDS,
  PORT_FIELDS,
  PROTOCOLS,
  RULE_FIELDS,
  SECTION_FIELDS,
  sinceOf,
} from './tables';
import { arr, CheckContext, isObject, ItemNode, PortNode, PortRuleNode, RuleNode, show, Visitor, wireName } from './walk';

/** `<what> needs Cilium <since> or newer (target is <target>)`. */
function needs(what: string, since: CiliumVersion, ctx: CheckContext): string {
  return `${what} needs Cilium ${since} or newer (target is ${ctx.version})`;
}

/** The usual fix: raise the target, or the alternative. */
function raise(since: CiliumVersion, alternative: string): string {
  return `raise the target version to ${since} or newer, or ${alternative}`;
}

function checkRule(node: RuleNode, ctx: CheckContext): void {
  const { rule, path } = node;
  const edd = fieldSince(RULE_FIELDS, 'enableDefaultDeny');
  if (rule.enableDefaultDeny !== undefined && !ctx.version.atLeast(edd)) {
    ctx.report('version-enable-default-deny', `${path}.enableDefaultDeny`,
      `${needs('enableDefaultDeny', edd, ctx)}; an older API server prunes it silently and every direction with rules becomes default-deny`,
      raise(edd, 'drop enableDefaultDeny and accept default-deny for the directions this rule has'));
  }
  const log = fieldSince(RULE_FIELDS, 'log');
  if (rule.log !== undefined && !ctx.version.atLeast(log)) {
    ctx.report('version-log', `${path}.log`, `${needs('log', log, ctx)}; an older API server prunes it silently and flows carry no log tag`,
      raise(log, 'drop log'));
  }
}

function doubleStar(ctx: CheckContext, sel: unknown, path: string): void {
  if (!isObject(sel)) return;
  const pattern = (sel as FqdnSelectorModel).matchPattern;
  const since = AGENT_SINCE.fqdnDoubleStar;
  if (typeof pattern === 'string' && pattern.startsWith('**.') && !ctx.version.atLeast(since)) {
    ctx.report('version-fqdn-double-star', `${path}.matchPattern`,
      `${needs(`matchPattern ${show(pattern)}`, since, ctx)}; before ${since} ** works like *, so it matches one label only, not any depth of subdomains`,
      raise(since, `list each subdomain level, such as ${pattern.slice(1)} and ${pattern.slice(1).replace('*.', '*.*.')}`));
  }
}

/**
 * `(?<name>…)` in an HTTP path or method regex (`PortRuleHTTP.Sanitize` compiles both with Go's `regexp`): before Go 1.22
 * the agent refuses the rule. A warning: the Go version depends on the patch release of 1.14 and 1.15.
 */
function angleNamedGroups(ctx: CheckContext, h: unknown, path: string): void {
  if (!isObject(h)) return;
  for (const field of ['path', 'method'] as const) {
    const value = (h as HttpRuleModel)[field];
    if (typeof value !== 'string') continue;
    const names = re2AngleNamedGroups(value);
    if (names.length === 0) continue;
    ctx.report('version-regex-named-group', `${path}.${field}`,
      `http ${field} ${show(value)} names a group (?<${names[0]}>…), which Go's regexp accepts only from Go 1.22; agents of Cilium ${ctx.version} `
      + 'built with an older Go (the first patch releases of 1.14 and 1.15) refuse the rule',
      `write (?P<${names[0]}>…), which every Go version accepts, or leave the group unnamed`);
  }
}

function checkItem(node: ItemNode, ctx: CheckContext): void {
  const { item, direction, section, itemPath } = node;
  const v = ctx.version;
  const fieldOf = (wire: string): CiliumVersion | undefined => sinceOf(SECTION_FIELDS[section], wire);
  const nodesWire = wireName(PeerField.NODES, direction);
  const nodesSince = fieldOf(nodesWire);
  if (item.nodes !== undefined && nodesSince && !v.atLeast(nodesSince)) {
    ctx.report('version-nodes', `${itemPath}.${nodesWire}`,
      `${needs(nodesWire, nodesSince, ctx)}; an older API server prunes it silently and the rule then applies to ${direction === 'ingress' ? 'every source' : 'every destination'}`,
      raise(nodesSince, `use ${wireName(PeerField.ENTITIES, direction)}: [remote-node, host] or ${wireName(PeerField.CIDR, direction)} with the node addresses`));
  }
  const onPorts = arr(item.toPorts).length > 0 ? 'toPorts' : arr(item.icmps).length > 0 ? 'icmps' : undefined;
  // The lists whose empty form, in an item with toPorts or icmps and no filled peer list (of any kind: a filled toFQDNs or
  // toGroups selects its peers), selected every peer on those ports before 1.16 and nothing from 1.16: the lists the agent
  // checks for emptiness (cilium-semantics §6.2; parserules.go `mergeEndpointSelectors`). An empty toFQDNs, toServices or
  // from/toGroups adds no selector on every version, so nothing differs for it.
  const filled = L3_PEER_FIELDS.some((f) => arr(item[f]).length > 0);
  if (!v.atLeast(AGENT_SINCE.emptyPeerListSelectsNothing) && onPorts !== undefined && !filled) {
    for (const field of EMPTY_LIST_CHECKED_PEER_FIELDS) {
      const w = wireName(field, direction);
      if (!Array.isArray(item[field]) || arr(item[field]).length > 0 || !fieldOf(w)) continue;
      ctx.report('version-empty-peer-list', `${itemPath}.${w}`,
        `${w}: [] beside ${onPorts} selects every peer on Cilium ${v} (from ${AGENT_SINCE.emptyPeerListSelectsNothing} it selects none), so this ${section} item `
        + `${section.endsWith('Deny') ? 'denies' : 'allows'} its ${onPorts === 'toPorts' ? 'ports' : 'ICMP types'} ${direction === 'ingress' ? 'from every source' : 'to every destination'}`,
        `remove the item if it should match nothing, or name the peers; for every peer leave the peer list out`);
    }
  }
  const groupsSince = fieldOf('fromGroups');
  if (item.groups !== undefined && direction === 'ingress' && groupsSince && !v.atLeast(groupsSince)) {
    ctx.report('version-from-groups', `${itemPath}.fromGroups`,
      `${needs('fromGroups', groupsSince, ctx)}; an older API server prunes it silently and the rule then applies to every source`,
      raise(groupsSince, 'list the addresses with fromCIDR or fromCIDRSet'));
  }
  const setWire = wireName(PeerField.CIDR_SET, direction);
  arr<CidrRuleModel>(item.cidrSet).forEach((entry, i) => {
    if (!isObject(entry)) return;
    const p = `${itemPath}.${setWire}[${i}]`;
    const sel = fieldSince(CIDR_SET_FIELDS, 'cidrGroupSelector');
    if (entry.cidrGroupSelector !== undefined && !v.atLeast(sel)) {
      ctx.report('version-cidr-group-selector', `${p}.cidrGroupSelector`,
        `${needs('cidrGroupSelector', sel, ctx)}; an older API server prunes it, and an entry left without cidr or cidrGroupRef makes it refuse the whole policy`,
        raise(sel, 'name each CiliumCIDRGroup with cidrGroupRef'));
    }
    // Before 1.16 the watcher resolves references only in the fromCIDRSet of ingress allow rules (pkg/k8s/watchers
    // `translateSpec` loops over spec.Ingress alone): in a deny item, which those agents do not sanitize, the entry
    // selects nothing, so the deny denies no one. (In an egress allow item `Sanitize` refuses the whole policy:
    // `sanitize-egress-cidr-group-ref`.)
    const egressRef = AGENT_SINCE.egressCidrGroupRef;
    if (entry.cidrGroupRef !== undefined && section.endsWith('Deny') && !v.atLeast(egressRef)) {
      const where = `an ${section} ${setWire}`;
      ctx.report('version-egress-cidr-group-ref', `${p}.cidrGroupRef`,
        `${needs(`cidrGroupRef in ${where}`, egressRef, ctx)}; older agents resolve CIDR groups only in the fromCIDRSet of ingress allow rules, `
        + 'so this entry selects nothing and denies no one',
        raise(egressRef, `list the cidrs of the group with ${setWire} cidr entries`));
    }
  });
  if (item.requires !== undefined) {
    const w = wireName(PeerField.REQUIRES, direction);
    const removed = CONSTRAINT_SINCE.requiresRemoved;
    if (v.atLeast(removed)) {
      if (arr(item.requires).length > 0) {
        ctx.report('version-requires-removed', `${itemPath}.${w}`, `${w} was removed in Cilium ${removed}; the API server refuses the whole policy (maxItems 0)`,
          `add the required labels to each ${wireName(PeerField.ENDPOINTS, direction)} selector instead (the SDK never writes ${w})`);
      }
    } else {
      const deprecated = v.atLeast(AGENT_SINCE.requiresDeprecated) ? `is deprecated since Cilium ${AGENT_SINCE.requiresDeprecated} and` : 'is';
      ctx.report('version-requires-deprecated', `${itemPath}.${w}`, `${w} ${deprecated} removed in ${removed}; the SDK never writes it`,
        `add the required labels to each ${wireName(PeerField.ENDPOINTS, direction)} selector instead`);
    }
  }
  if (section === 'egress') arr(item.fqdns).forEach((sel, i) => doubleStar(ctx, sel, `${itemPath}.toFQDNs[${i}]`));
  const named = CONSTRAINT_SINCE.icmpTypeIntOrString;
  if (!v.atLeast(named)) {
    arr<IcmpRuleModel>(item.icmps).forEach((rule, i) => {
      arr<unknown>(isObject(rule) ? rule.fields : undefined).forEach((f, j) => {
        if (!isObject(f) || typeof f.type !== 'string') return;
        ctx.report('version-icmp-type-name', `${itemPath}.icmps[${i}].fields[${j}].type`,
          `${needs(`icmp type ${show(f.type)} as a string`, named, ctx)}; the ${v} API server only accepts a number 0-255 and refuses the whole policy`,
          raise(named, 'write the ICMP type number, such as 8 for EchoRequest (IPv4) or 128 (IPv6)'));
      });
    });
  }
}

function checkPortRule(node: PortRuleNode, ctx: CheckContext): void {
  const { portRule: pr, portRulePath: path } = node;
  const v = ctx.version;
  const prio = fieldSince(LISTENER_FIELDS, 'priority');
  if (isObject(pr.listener) && pr.listener.priority !== undefined && !v.atLeast(prio)) {
    ctx.report('version-listener-priority', `${path}.listener.priority`, `${needs('listener.priority', prio, ctx)}; an older API server prunes it silently`,
      raise(prio, 'drop priority'));
  }
  if (!isObject(pr.rules)) return;
  arr(pr.rules.dns).forEach((sel, i) => doubleStar(ctx, sel, `${path}.rules.dns[${i}]`));
  if (!v.atLeast(AGENT_SINCE.regexAngleNamedGroup)) {
    arr<HttpRuleModel>(pr.rules.http).forEach((h, i) => angleNamedGroups(ctx, h, `${path}.rules.http[${i}]`));
  }
  const kafka = AGENT_SINCE.kafkaDeprecated;
  if (v.atLeast(kafka)) {
    for (const field of ['kafka', 'l7proto'] as const) {
      if (pr.rules[field] === undefined) continue;
      ctx.report('version-kafka-deprecated', `${path}.rules.${field}`, `${field} rules are deprecated since Cilium ${kafka} and removed in 1.20`,
        field === 'kafka' ? 'plan to enforce kafka at L4, or with a service mesh' : 'plan to replace the proxylib parser before 1.20');
    }
  }
}

/** Whether a port entry without its endPort is every port: port 0 in any spelling the agent reads (`"0"`, `"00"`, `"0_0"`), or none. */
function everyPortWithoutEnd(port: unknown): boolean {
  if (port === undefined || port === null) return true;
  const r = parsePortValue(String(port));
  return r.kind === 'number' && r.value === 0;
}

function checkPort(node: PortNode, ctx: CheckContext): void {
  const { port, portPath, deny } = node;
  const v = ctx.version;
  const endSince = fieldSince(PORT_FIELDS, 'endPort');
  if (port.endPort !== undefined && !v.atLeast(endSince)) {
    ctx.report('version-end-port', `${portPath}.endPort`,
      `${needs('endPort', endSince, ctx)}; an older API server prunes it silently and the rule then ${deny ? 'denies' : 'allows'} `
        + (everyPortWithoutEnd(port.port) ? `every port (port ${port.port ?? '(none)'} is every port)` : `only port ${port.port ?? '(none)'}`),
      raise(endSince, 'list the ports one by one (at most 40 per toPorts entry)'));
  }
  // A protocol the version's enum lacks (VRRP, IGMP before 1.19): with it, port "0" does not make the entry acceptable.
  const protocolSince = typeof port.protocol === 'string' ? sinceOf(PROTOCOLS, port.protocol) : undefined;
  const protocolRefused = protocolSince !== undefined && !v.atLeast(protocolSince);
  if (protocolRefused) {
    ctx.report('version-protocol', `${portPath}.protocol`, `${needs(`protocol ${String(port.protocol)}`, protocolSince, ctx)}; the ${v} API server refuses the whole `
      + 'policy (not in its protocol enum)', raise(protocolSince, 'drop the rule'));
  }
  const optional = CONSTRAINT_SINCE.portOptional;
  if (port.port === undefined && !v.atLeast(optional)) {
    ctx.report('version-port-omitted', `${portPath}.port`, `${needs('a port entry without port', optional, ctx)}; the ${v} API server requires port and refuses the whole policy`,
      portOmittedProtocolFix(port.protocol, v) ?? 'write port: "0" to match every port');
  }
}

/** The version-gating checks. */
export const versionRules: Visitor = {
  rule: checkRule,
  item: checkItem,
  portRule: checkPortRule,
  port: checkPort,
};
