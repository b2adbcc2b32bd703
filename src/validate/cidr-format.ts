// The `cidr` string format of the CRD schemas: Go's `net.ParseCIDR`, as the agent parses, or the API server's sloppy variant.

/** How the `cidr` string format of the CRD schema is checked. */
export enum CidrFormat {
  /**
   * Go's current `net.ParseCIDR` (the rules of `net/netip` since Go 1.17/1.22), which is also what the Cilium agent parses with:
   * IPv4 octets with leading zeros (`010.0.0.0/8`) and IPv6 groups of more than 4 hex digits are rejected.
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
 * `dtoi` allows them). Host bits may be set (`10.0.0.1/8`). A bare address, an IPv6 zone (`%eth0`) or spaces fail.
 * @param format `CidrFormat.GO` (current Go, no leading zeros in IPv4 octets, at most 4 hex digits per IPv6 group) or
 * `CidrFormat.APISERVER` (kube-apiserver's `ParseCIDRSloppy`: Go 1.16 rules, leading zeros accepted)
 */
export function isGoCidr(value: string, format: CidrFormat = CidrFormat.GO): boolean {
  const sloppy = format === CidrFormat.APISERVER;
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const addr = value.slice(0, slash);
  const mask = value.slice(slash + 1);
  let bits: number;
  if (parseIPv4(addr, sloppy)) bits = 32;
  else if (parseIPv6(addr, sloppy)) bits = 128;
  else return false;
  return /^[0-9]+$/.test(mask) && Number(mask) <= bits;
}

/** Go `net.ParseIP` for dotted IPv4: exactly four decimal fields 0–255; `sloppy` (Go ≤ 1.16) allows leading zeros. */
function parseIPv4(s: string, sloppy: boolean): boolean {
  const fields = s.split('.');
  if (fields.length !== 4) return false;
  return fields.every((f) => /^[0-9]+$/.test(f) && (sloppy || f.length === 1 || f[0] !== '0') && Number(f) <= 255);
}

/**
 * Go's IPv6 parser (`net/netip.parseIPv6`; `sloppy` = the Go 1.16 `net.parseIPv6` kept by k8s.io/utils, which does not limit a
 * group to 4 hex digits and allows leading zeros in an embedded IPv4). Zones are not accepted (`ParseCIDR` rejects them).
 */
function parseIPv6(input: string, sloppy: boolean): boolean {
  let s = input;
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return true;
  }
  let i = 0;
  while (i < 16) {
    let c = 0;
    while (c < s.length && /[0-9a-fA-F]/.test(s[c])) c++;
    if (c === 0 || (!sloppy && c > 4) || parseInt(s.slice(0, c), 16) > 0xffff) return false;
    if (c < s.length && s[c] === '.') {
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16 || !parseIPv4(s, sloppy)) return false;
      s = '';
      i += 4;
      break;
    }
    i += 2;
    s = s.slice(c);
    if (s === '') break;
    if (s[0] !== ':' || s.length === 1) return false;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return false;
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return false;
  return i < 16 ? ellipsis >= 0 : ellipsis < 0;
}
