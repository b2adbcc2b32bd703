// Pitfalls of addresses: allow rules open to every address or name, CIDRs with host bits set.
import { cidrHostBits, formatIp, isIpv4MappedCidr, parseCidr, ParsedCidr, unmapCidr } from '../model/cidr';
import { cidrSetUnmaps } from '../model/cidr-set-mapped';
import { CiliumVersion } from '../core/cilium-version';
import { FqdnSelectorModel, LabelSelectorModel, PEER_FIELDS, RuleItemModel, sectionDirection, SECTIONS } from '../model/policy-model';
import { items, matchesEveryName, PitfallRun, RuleView } from './pitfall-run';
import { arr, isObject } from './walk';
import { selectorRequiresNothing } from '../model/selectors';
import { groupSelectorSelectsUngrouped, groupSelectorsSelectUngrouped } from '../model/cidr-groups';
import { describeSelector } from './pod-selectors';
import { addressShapedNameProblem, ownDomainExample, publicSuffixReason, RegistrableWildcard, registrableWildcard, shownName } from '../model/fqdn-pattern';
import { showValue } from '../core/errors';

/** `10.0.0.0/8` for a parsed CIDR, the address printed as the agent prints it (RFC 5952). */
/**
 * Deliberately broad peers, worth a second look in review: every IPv4/IPv6 address (`0.0.0.0/0`, `::/0`) or every
 * name (`matchPattern: "*"`) in an allow rule, and CIDRs with host bits set (Cilium masks them, so `10.1.2.3/8` is
 * all of `10.0.0.0/8`: the author meant one or the other).
 */
export function broadPeers(run: PitfallRun, r: RuleView): void {
  for (const section of SECTIONS) {
    const direction = sectionDirection(section);
    const allow = section === 'ingress' || section === 'egress';
    for (const { item, index } of items(r.rule, section)) {
      // Each CIDR with its path, and for a cidrSet entry's cidr the number of its except ranges and `set`.
      const cidrs: { text: string; path: string; holes?: number; set?: boolean }[] = [];
      const cidrField = PEER_FIELDS.cidr[direction] ?? 'toCIDR';
      const setField = PEER_FIELDS.cidrSet[direction] ?? 'toCIDRSet';
      arr<unknown>(item.cidr).forEach((c, j) => { if (typeof c === 'string') cidrs.push({ text: c, path: `${r.path}.${section}[${index}].${cidrField}[${j}]` }); });
      arr<unknown>(item.cidrSet).forEach((c, j) => {
        if (!isObject(c)) return;
        // A cidrGroupSelector that holds on an identity without any cidrgroup: label (`{}`, `matchLabels: {}`, only NotIn or
        // DoesNotExist): Cilium selects with its requirements alone (v1.17-v1.18 CIDRRuleSlice.GetAsEndpointSelectors, v1.19
        // pkg/policy/types/selector.go `newCIDRRuleSelector`), so it selects every identity no CiliumCIDRGroup labels, pods and
        // the world included (`groupSelectorSelectsUngrouped`, as the engine judges it). The constructs refuse it
        // (`selector-empty`, `peer-selector-only-excludes`); read from YAML it is reported here.
        if (allow && groupSelectorsSelectUngrouped(r.version) && isObject(c.cidrGroupSelector)
          && groupSelectorSelectsUngrouped(c.cidrGroupSelector as LabelSelectorModel)) {
          const sel = c.cidrGroupSelector as LabelSelectorModel;
          run.report('pitfall-broad-peer', r, `${r.path}.${section}[${index}].${setField}[${j}].cidrGroupSelector`,
            `cidrGroupSelector ${describeSelector(sel)} ${selectorRequiresNothing(sel) ? 'requires no label' : 'only excludes labels'}, so it holds on every `
            + 'identity without a cidrgroup: label: Cilium selects with it every pod of every namespace, every node, the reserved entities and '
            + `every outside address no CiliumCIDRGroup holds (less its except ranges), not only the groups' ranges: this ${direction} rule is open to all of them`,
            "give the labels of the CiliumCIDRGroups meant (cidrGroupSelector: { matchLabels: { team: 'payments' } }), or name one with cidrGroupRef");
        }
        if (typeof c.cidr === 'string') {
          cidrs.push({ text: c.cidr, path: `${r.path}.${section}[${index}].${setField}[${j}].cidr`, holes: arr<unknown>(c.except).length, set: true });
        }
        arr<unknown>(c.except).forEach((e, k) => { if (typeof e === 'string') cidrs.push({ text: e, path: `${r.path}.${section}[${index}].${setField}[${j}].except[${k}]` }); });
      });
      ipv6WorldOnly(run, r, cidrs, direction, allow);
      for (const { text, path, holes, set } of cidrs) {
        const written = parseCidr(text);
        if (!written) continue;
        // What the agent selects: in a CIDR set on 1.14-1.16, an IPv4-mapped CIDR is its IPv4 CIDR (`cidrSetUnmaps`).
        const unmaps = set === true && cidrSetUnmaps(r.version);
        const parsed = unmaps ? unmapCidr(written) : written;
        const hostBits = cidrHostBits(text);
        if (hostBits) {
          run.report('pitfall-cidr-host-bits', r, path,
            `${text} has host bits set: Cilium masks it to ${hostBits.network}, the whole /${hostBits.prefix}, not the one address ${hostBits.address}`,
            `write ${hostBits.host} for the one address, or ${hostBits.network} for the network`);
        }
        // (An except of such a block removes nothing: harmless, and written on purpose from the IANA special-purpose list.)
        if (isIpv4MappedCidr(written) && !path.includes('.except[')) ipv4Mapped(run, r, path, text, written, unmaps, allow);
        if (allow && parsed.prefix === 0 && !path.includes('.except[')) {
          run.report('pitfall-broad-peer', r, path,
            `${text} is every ${parsed.family === 4 ? 'IPv4' : 'IPv6'} address outside the cluster (the world)`
            + `${parsed !== written ? ` (Cilium ${r.version} writes this CIDR-set entry as ${formatIp(parsed)}/0: ComputeResultantCIDRSet)` : ''}`
            + `${holes ? `, less the ${holes} except range${holes === 1 ? '' : 's'}` : ''}: this ${direction} rule is open to the whole internet`,
            holes
              ? 'narrow it to the ranges meant (keep the except ranges: a world entity would drop them)'
              : `narrow it to the ranges meant; if the world is meant, say so with ${direction === 'ingress' ? 'fromEntities' : 'toEntities'}: [world] so reviewers see it`);
        }
      }
      if (section !== 'egress') continue;
      addressNames(run, r, item, `${r.path}.egress[${index}]`);
      registrableDnsRules(run, r, item, `${r.path}.egress[${index}]`);
      arr<FqdnSelectorModel>(item.fqdns).forEach((f, j) => {
        if (!isObject(f) || typeof f.matchPattern !== 'string') return;
        registrablePattern(run, r, `${r.path}.egress[${index}].toFQDNs[${j}].matchPattern`, f.matchPattern, 'toFQDNs');
        if (!matchesEveryName(f.matchPattern, r.version)) return;
        run.report('pitfall-broad-peer', r, `${r.path}.egress[${index}].toFQDNs[${j}].matchPattern`,
          `toFQDNs matchPattern ${showValue(f.matchPattern)} matches every DNS name: these pods may reach any address they can resolve, which `
          + 'is egress to the whole internet on these ports',
          'list the names or patterns meant (e.g. "*.github.com"); if any destination is meant, say so with toEntities: [world]');
      });
    }
  }
}

/**
 * An L7 DNS rule's `matchPattern` with a `*` in the registrable part of the name (`registrablePattern`): the DNS proxy lets the
 * pods look up names under a domain anyone may register (`**.com`: `data.attacker.com`), whose own DNS server reads each
 * lookup (pkg/fqdn/dnsproxy/proxy.go `CheckAllowed` matches the query name against the rule's patterns, then forwards it).
 */
function registrableDnsRules(run: PitfallRun, r: RuleView, item: RuleItemModel, at: string): void {
  arr<unknown>(item.toPorts).forEach((pr, k) => {
    const dns = isObject(pr) && isObject(pr.rules) ? arr<unknown>((pr.rules as { dns?: unknown }).dns) : [];
    dns.forEach((f, j) => {
      if (isObject(f) && typeof f.matchPattern === 'string') registrablePattern(run, r, `${at}.toPorts[${k}].rules.dns[${j}].matchPattern`, f.matchPattern, 'DNS rule');
    });
  });
}

/** What a pattern with a `*` in the registrable part of the name lets through, by where it is written (`registrablePattern`). */
const REGISTRABLE_RISK: Readonly<Record<'toFQDNs' | 'DNS rule', (example: string) => string>> = {
  'toFQDNs': (example) => `it matches names such as ${example}, which anyone may register and point at any address, so these pods may reach whatever such `
    + 'a name resolves to',
  'DNS rule': (example) => `it lets the pods look up names such as ${example}, which anyone may register, and the DNS server of such a domain reads each `
    + 'lookup (a channel out of the cluster)',
};

/**
 * `pitfall-fqdn-pattern-registrable`: a `matchPattern` of a toFQDNs selector or an L7 DNS rule with a `*` in the registrable
 * part of the name (`registrableWildcard`, the one rule of `toFQDNs` patterns and of the constructs' `DnsRule.pattern`). The one
 * finding of both: the pattern as `showValue` shows it (a value of any size in the input is one bounded line), the example
 * name clipped likewise (`shownName`).
 * @param at the path of the `matchPattern`
 * @param rule where it is written
 */
function registrablePattern(run: PitfallRun, r: RuleView, at: string, pattern: string, rule: 'toFQDNs' | 'DNS rule'): void {
  const found = registrableWildcard(pattern);
  if (found === undefined) return;
  run.report('pitfall-fqdn-pattern-registrable', r, at,
    `${rule} matchPattern ${showValue(pattern)} has a "*" in the registrable part of the name: ${REGISTRABLE_RISK[rule](shownName(found.example))}; `
    + publicSuffixReason(found), registrableFix(found));
}

/** The fix of `pitfall-fqdn-pattern-registrable`: the wildcard below a domain of one's own (`*.example.github.io`), or the names. */
function registrableFix(found: RegistrableWildcard): string {
  const own = ownDomainExample(found);
  return `put the wildcard below a domain you control ("*.${own}" for its subdomains, plus matchName "${own}" for itself), or list the names`;
}

/**
 * An IPv4 address or range written as a `toFQDNs` name (`addressShapedDnsName`: `10.0.0.1`, `10.0.0.*`): `toFQDNs` selects the
 * addresses of looked-up names, never an address written as a name, so an address allows nothing and a pattern may allow names
 * (`10.0.0.io`) anyone may register. The constructs refuse both (`fqdn-ip-address`, the same wording). L7 DNS rules are not
 * judged: there such a name lets exactly that lookup through.
 */
function addressNames(run: PitfallRun, r: RuleView, item: RuleItemModel, at: string): void {
  arr<unknown>(item.fqdns).forEach((f, j) => {
    if (!isObject(f)) return;
    const field = typeof f.matchName === 'string' ? 'matchName' : typeof f.matchPattern === 'string' ? 'matchPattern' : undefined;
    const problem = field !== undefined ? addressShapedNameProblem(`toFQDNs ${field}`, f[field] as string, 'policy') : undefined;
    if (problem !== undefined) run.report('pitfall-fqdn-ip-address', r, `${at}.toFQDNs[${j}].${field}`, problem.message, problem.fix);
  });
}

/**
 * A rule item whose only world CIDR is `::/0`: in an IPv4-only cluster (Cilium's default, `enable-ipv6: false`)
 * labels.IPStringToLabel turns it into reserved:world-ipv6 (getWorldLabel), which no address has, so it selects no outside
 * address — a deny of "the internet" denies nothing, an allow allows nothing of it; in a dual-stack cluster, IPv6
 * addresses only. With `0.0.0.0/0` beside it in the item the pair is the usual portable "every address".
 */
function ipv6WorldOnly(run: PitfallRun, r: RuleView, cidrs: readonly { text: string; path: string }[], direction: string, allow: boolean): void {
  const worlds = cidrs.filter((c) => !c.path.includes('.except[')).map((c) => ({ ...c, parsed: parseCidr(c.text) }))
    .filter((c) => c.parsed !== undefined && c.parsed.prefix === 0);
  const v6 = worlds.find((c) => c.parsed?.family === 6);
  if (v6 === undefined || worlds.some((c) => c.parsed?.family === 4)) return;
  const entity = direction === 'ingress' ? 'fromEntities' : 'toEntities';
  // 1.17-1.18 CIDRRuleSlice.GetAsEndpointSelectors maps a cidrSet ::/0 to reserved:world when not dual-stack; before 1.15
  // CIDRSlice.GetAsEndpointSelectors maps ::/0 (MatchesAll) to reserved:world, for toCIDR and a toCIDRSet without except
  // (src/engine/compile.ts `wholeWorlds`).
  const split = cidrs.some((c) => c.path.startsWith(`${v6.path.replace(/\.cidr$/, '')}.except[`));
  const before115 = !r.version.atLeast(CiliumVersion.V1_15) && !split;
  const anyFamily = before115 || (v6.path.includes('CIDRSet[') && r.version.atLeast(CiliumVersion.V1_17) && !r.version.atLeast(CiliumVersion.V1_19));
  const what = anyFamily
    ? `${v6.text} is the IPv6 world: in an IPv4-only cluster (Cilium's default, enable-ipv6 false) Cilium ${r.version} turns it into `
      + `reserved:world, every outside address, IPv4 included, while ${before115 ? '1.15' : '1.19'} turns it into reserved:world-ipv6, which no `
      + `address has: this ${direction} ${allow ? 'allow' : 'deny'} rule changes meaning on upgrade; in a dual-stack cluster, `
      + `${before115 ? 'every outside address too' : 'IPv6 addresses only'}`
    : `${v6.text} is the IPv6 world only: in an IPv4-only cluster (Cilium's default, enable-ipv6 false) ${r.version.atLeast(CiliumVersion.V1_15)
      ? 'it selects reserved:world-ipv6, which no address has' : `Cilium ${r.version} splits it at its except holes into IPv6 prefixes, which no address is in`}, `
      + `so this ${direction} ${allow ? 'allow rule allows' : 'deny rule denies'} no address outside the cluster; in a dual-stack `
      + 'cluster, IPv6 addresses only';
  run.report('pitfall-cidr-ipv6-world-only', r, v6.path, what,
    `add 0.0.0.0/0 beside it (or use ${entity}: [world]) if every address is meant; in an IPv6-only cluster it is the world and this can be ignored`);
}

/**
 * `pitfall-cidr-ipv4-mapped`: a CIDR inside `::ffff:0:0/96`. `toCIDR` keeps it IPv6 (labels.IPStringToLabel, netip
 * without Unmap), as a CIDR set does from 1.17 (cilium/cilium#35139): no packet carries such an address (IPv4 traffic is
 * looked up by its IPv4 address), so it selects nothing. In a CIDR set on 1.14-1.16 (`unmaps`) `ComputeResultantCIDRSet`
 * writes it as its IPv4 CIDR (net.IPNet.String), which it then selects, until an upgrade to 1.17 makes it select nothing.
 */
function ipv4Mapped(run: PitfallRun, r: RuleView, path: string, text: string, written: ParsedCidr, unmaps: boolean, allow: boolean): void {
  const v4 = unmapCidr(written);
  const ipv4 = `${formatIp(v4)}/${v4.prefix}`;
  if (unmaps) {
    run.report('pitfall-cidr-ipv4-mapped', r, path,
      `${text} is an IPv4-mapped IPv6 CIDR: Cilium ${r.version} writes it as ${ipv4} in a CIDR set (pkg/policy/api ComputeResultantCIDRSet, `
      + `net.IPNet.String), so it selects ${v4.prefix === 0 ? 'every IPv4 address (0.0.0.0/0)' : ipv4} here; from 1.17 a CIDR set keeps it IPv6, as `
      + `toCIDR always does, and it selects nothing${allow ? '' : ` — after that upgrade this deny holds nothing, and ${ipv4} is reachable`}`,
      `write the IPv4 CIDR ${ipv4}`);
    return;
  }
  // An allow that selects nothing is not widened to the world by a hint: 0.0.0.0/0 only when every IPv4 address is meant.
  run.report('pitfall-cidr-ipv4-mapped', r, path,
    `${text} is an IPv4-mapped IPv6 CIDR: Cilium keeps it as IPv6 and no packet carries such an address, so it selects nothing`
    + `${allow ? '' : ` — this deny holds nothing, and ${ipv4} stays reachable`}`,
    allow && v4.prefix === 0
      ? 'write the IPv4 ranges meant; only if every IPv4 address outside the cluster is meant, write 0.0.0.0/0, which opens this rule to the '
        + 'whole IPv4 internet (it allows nothing as written)'
      : `write the IPv4 CIDR ${ipv4}`);
}
