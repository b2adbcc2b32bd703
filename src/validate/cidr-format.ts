// The `cidr` string format of the CRD schemas: Go's `net.ParseCIDR`, or the API server's sloppy variant.

import { parseAddr } from './syntax';

/** How the `cidr` string format of the CRD schema is checked. */
export enum CidrFormat {
  /**
   * Go's current `net.ParseCIDR` (the rules of `net/netip` since Go 1.17/1.22): IPv4 octets with leading zeros (`010.0.0.0/8`)
   * and IPv6 groups of more than 4 hex digits are rejected. The agent's `netip.ParsePrefix` reads addresses the same way and
   * also refuses a leading zero in the prefix length (`10.0.0.0/08`), which this format accepts.
   */
  GO = 'go',
  /**
   * Exactly what kube-apiserver admits: `k8s.io/utils/net.ParseCIDRSloppy` (a fork of Go 1.16's `net.ParseCIDR`), which
   * accepts leading zeros (`010.0.0.0/8` is read as `10.0.0.0/8`). Such a CIDR is stored but the agent then fails to parse it.
   */
  APISERVER = 'apiserver',
}

/**
 * Whether `value` is a CIDR that Go accepts (`net.ParseCIDR`): an IPv4 or IPv6 address (with `::` compression and an optional
 * embedded IPv4 tail), a `/`, and a decimal prefix length of at most 32 or 128 (leading zeros in the length are allowed, as Go's
 * `dtoi` allows them, though the agent's `netip.ParsePrefix` refuses them: `sanitize-cidr-parse`). Host bits may be set
 * (`10.0.0.1/8`). A bare address, an IPv6 zone (`%eth0`) or spaces fail. The address is read by `parseAddr`, the one reading
 * of Go's address parsers.
 * @param format `CidrFormat.GO` (current Go, no leading zeros in IPv4 octets, at most 4 hex digits per IPv6 group) or
 * `CidrFormat.APISERVER` (kube-apiserver's `ParseCIDRSloppy`: Go 1.16 rules, leading zeros accepted)
 */
export function isGoCidr(value: string, format: CidrFormat = CidrFormat.GO): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const addr = parseAddr(value.slice(0, slash), format === CidrFormat.APISERVER);
  const mask = value.slice(slash + 1);
  return addr !== undefined && addr.zone === undefined && /^[0-9]+$/.test(mask) && Number(mask) <= addr.bytes.length * 8;
}
