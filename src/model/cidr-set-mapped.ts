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
import { ParsedCidr, isIpv4MappedCidr, unmapCidr } from './cidr';

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
 * A CIDR-set entry (`cidr` less `except`) as Cilium `version` selects it: on 1.14-1.16 (`cidrSetUnmaps`) a `cidr` inside
 * `::ffff:0:0/96` is its IPv4 CIDR (`unmapCidr`) less its mapped holes, as IPv4. Any other IPv6 `cidr` is as written, even
 * with mapped holes: `ip.RemoveCIDRs` cuts only where one `net.IPNet.Contains` the other, which takes a mapped address to
 * its 4 bytes and finds no 4-byte address in a 16-byte network, so `::/0` less `::ffff:808:808/128` stays `::/0` (no
 * IPv4 part; the hole holds no packet, which always travels unmapped). An entry the rewrite does not touch (1.17+, IPv4,
 * not mapped) is `undefined`: as written.
 */
export function cidrSetAsSelected(cidr: ParsedCidr, except: readonly ParsedCidr[], version: CiliumVersion): CidrSetBlock[] | undefined {
  if (!cidrSetUnmaps(version) || cidr.family !== 6 || !isIpv4MappedCidr(cidr)) return undefined;
  return [{ cidr: unmapCidr(cidr), except: except.filter(isIpv4MappedCidr).map(unmapCidr) }];
}
