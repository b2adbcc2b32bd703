/**
 * How Cilium 1.14-1.16 read an IPv4-mapped IPv6 CIDR in a CIDR-set entry (`toCIDRSet`/`fromCIDRSet` and their deny
 * forms, and the CIDRs of a CiliumCIDRGroup the watcher writes into one): as the IPv4 CIDR it stands for.
 * `pkg/policy/api/cidr.go` `ComputeResultantCIDRSet` parses each entry with `net.ParseCIDR`, takes out its `except`
 * blocks (`ip.RemoveCIDRs`) and prints each remaining block with `net.IPNet.String()`, which writes a block inside
 * `::ffff:0:0/96` as IPv4 (`To4()`, mask trimmed): `::ffff:808:808/128` → `8.8.8.8/32`, `::ffff:0:0/96` → `0.0.0.0/0`.
 * `CIDRRuleSlice.GetAsEndpointSelectors` selects that text, and `GetPrefixesFromCIDRSet` puts it in the ipcache. From 1.17
 * (cilium/cilium#35139) an entry is a label selector of its own prefix (`labels.IPStringToLabel`, `netip` without `Unmap`),
 * which stays IPv6 and selects nothing, as `toCIDR` (never through `ComputeResultantCIDRSet`) does in every release.
 */
import { CiliumVersion } from '../core/cilium-version';
import { IPV4_MAPPED_BLOCK, ParsedCidr, cidrContains, isIpv4MappedCidr, unmapCidr } from './cidr';

/** Whether Cilium `version` reads the IPv4-mapped CIDRs of a CIDR-set entry as IPv4 (1.14-1.16: `ComputeResultantCIDRSet`). */
export function cidrSetUnmaps(version: CiliumVersion): boolean {
  return !version.atLeast(CiliumVersion.V1_17);
}

/** One block of a CIDR-set entry as the agent selects it: a CIDR less its holes. */
export interface CidrSetBlock {
  /** The CIDR. */
  readonly cidr: ParsedCidr;
  /** The `except` holes. */
  readonly except: readonly ParsedCidr[];
}

/**
 * A CIDR-set entry (`cidr` less `except`) as Cilium `version` selects it: on 1.14-1.16 (`cidrSetUnmaps`) the part of it
 * inside `::ffff:0:0/96` that `ComputeResultantCIDRSet` splits off is IPv4 (`unmapCidr`): a mapped `cidr` is its IPv4
 * CIDR less its IPv4 holes; a `cidr` around the mapped block with holes inside it is split there (RemoveCIDRs cuts
 * along the path to each hole), so the block leaves the IPv6 CIDR and comes back as `0.0.0.0/0` less the holes. An entry
 * the rewrite does not touch (1.17+, IPv4, no mapped block split off) is `undefined`: as written.
 */
export function cidrSetAsSelected(cidr: ParsedCidr, except: readonly ParsedCidr[], version: CiliumVersion): CidrSetBlock[] | undefined {
  if (!cidrSetUnmaps(version) || cidr.family !== 6) return undefined;
  if (isIpv4MappedCidr(cidr)) return [{ cidr: unmapCidr(cidr), except: except.filter(isIpv4MappedCidr).map(unmapCidr) }];
  // A CIDR around the mapped block is split inside it only by a hole inside it (one that holds the block takes it out whole).
  const inside = except.filter(isIpv4MappedCidr);
  if (!cidrContains(cidr, IPV4_MAPPED_BLOCK) || inside.length === 0 || except.some((e) => cidrContains(e, IPV4_MAPPED_BLOCK))) return undefined;
  return [
    { cidr, except: [...except.filter((e) => !isIpv4MappedCidr(e)), IPV4_MAPPED_BLOCK] },
    { cidr: unmapCidr(IPV4_MAPPED_BLOCK), except: inside.map(unmapCidr) },
  ];
}
