import { parseAddr, parseIpPrefix } from './ip-address';

/** A parsed CIDR. */
export interface ParsedCidr {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The network address (host bits cleared) as an integer. */
  readonly network: bigint;
  /** Prefix length. */
  readonly prefix: number;
}

/**
 * Parses an IPv4 or IPv6 address (without zone) into an integer, or `undefined` when it is not one: Go's `netip.ParseAddr`
 * as `model/ip-address.ts` reads it (no leading zeros in IPv4 octets, at most 4 hex digits per IPv6 group).
 */
export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  const addr = parseAddr(text);
  if (!addr || addr.zone !== undefined) return undefined;
  return { family: addr.family, value: addr.bytes.reduce((acc, b) => (acc << 8n) + BigInt(b), 0n) };
}

/** The IPv4-mapped block `::ffff:0:0/96`, as the upper 96 bits of an IPv6 address. */
const IPV4_MAPPED_HIGH = 0xffffn;

/** Whether an IPv6 address (as an integer) is in `::ffff:0:0/96`. */
function inMappedBlock(value: bigint): boolean {
  return value >> 32n === IPV4_MAPPED_HIGH;
}

/** Whether a CIDR lies in the IPv4-mapped block `::ffff:0:0/96` (`::ffff:808:808/128`, the block itself). */
export function isIpv4MappedCidr(c: ParsedCidr): boolean {
  return c.family === 6 && c.prefix >= 96 && inMappedBlock(c.network);
}

/**
 * The IPv4 CIDR an IPv4-mapped one stands for, as Go's `net.IPNet.String()` writes it (`To4()`, the mask trimmed to its
 * last 32 bits): `::ffff:808:808/128` → `8.8.8.8/32`, `::ffff:0:0/96` → `0.0.0.0/0`. Any other CIDR is itself.
 */
export function unmapCidr(c: ParsedCidr): ParsedCidr {
  return isIpv4MappedCidr(c) ? { family: 4, network: c.network & 0xffffffffn, prefix: c.prefix - 96 } : c;
}

/**
 * The address a packet carries for `ip` (Go's `netip.Addr.Unmap`): an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is the
 * IPv4 address `a.b.c.d`, any other address is itself. No packet carries a mapped address (RFC 4291 2.5.5.2): a socket
 * that connects or sends to one sends IPv4 packets (Linux `tcp_v6_connect` → `tcp_v4_connect`, `udpv6_sendmsg` →
 * `udp_sendmsg`), and Cilium enforces policy on those in bpf_lxc.c as on any IPv4 packet (bpf_sock.c `sock6_xlate_v4_in_v6`
 * is the socket load balancer's translation of such a connect, built only with IPv4 enabled). The same object when nothing
 * is unmapped.
 */
export function unmapIp(ip: { readonly family: 4 | 6; readonly value: bigint }): { readonly family: 4 | 6; readonly value: bigint } {
  if (ip.family !== 6 || !inMappedBlock(ip.value)) return ip;
  return { family: 4, value: ip.value & 0xffffffffn };
}

/**
 * The family of the packets that carry `text` (`unmapIp`: an IPv4-mapped address is IPv4), `link-scoped` for an IPv6
 * address every IPv6-capable kernel uses whatever the network's configuration (link-local fe80::/10, multicast ff00::/8,
 * unspecified ::), `undefined` for text that is no address.
 */
export function addressPacketFamily(text: string): 4 | 6 | 'link-scoped' | undefined {
  const parsed = parseIp(text);
  if (parsed === undefined) return undefined;
  const ip = unmapIp(parsed);
  if (ip.family === 4) return 4;
  return ip.value === 0n || ip.value >> 118n === 0x3fan || ip.value >> 120n === 0xffn ? 'link-scoped' : 6;
}

/** `text` as `unmapIp` reads it: the IPv4 address of an IPv4-mapped one (`::ffff:8.8.8.8` → `8.8.8.8`), else as written. */
export function unmappedText(text: string): string {
  // A mapped address writes its sixth group `ffff` in every form: any other text is left without parsing it.
  if (!/ffff/i.test(text)) return text;
  const written = parseIp(text);
  const ip = written !== undefined ? unmapIp(written) : undefined;
  return ip !== undefined && ip !== written ? formatIp({ family: ip.family, network: ip.value }) : text;
}

/**
 * Parses `a.b.c.d/n` or `x::y/n` as the agent's `netip.ParsePrefix` does (a prefix length is required, without leading
 * zeros; no zone), with the host bits cleared as `Prefix.Masked()` clears them; `undefined` when it is not a CIDR.
 */
export function parseCidr(text: string): ParsedCidr | undefined {
  // A value that is no text (a JavaScript caller's `undefined`) is no CIDR: left to the checks that name it (never a TypeError).
  if (typeof text !== 'string') return undefined;
  const prefix = parseIpPrefix(text, false);
  if (!prefix) return undefined;
  const family = prefix.addr.family;
  const bits = family === 4 ? 32 : 128;
  const value = prefix.addr.bytes.reduce((acc, b) => (acc << 8n) + BigInt(b), 0n);
  const mask = prefix.bits === 0 ? 0n : ((1n << BigInt(prefix.bits)) - 1n) << BigInt(bits - prefix.bits);
  return { family, network: value & mask, prefix: prefix.bits };
}

/**
 * Why `text` is a CIDR that no Cilium version takes, with its fix, or `undefined` when some version may take it: an address
 * as the API server reads it (`parseAddr`, sloppy: Go 1.16's `net` parser of `ParseCIDRSloppy`; an IPv6 zone too) with, if
 * any, a decimal prefix length within the family's width. What that leaves is the target version's to judge (a bare address,
 * leading zeros, a zone: validate's `crd-cidr` and `sanitize-cidr-parse`), never here: a prefix length beyond the width
 * (`10.0.0.0/33`), an octet above 255 (`300.1.1.1/32`) or text that is no address fails Go's `net.ParseCIDR`, the 1.14/1.15
 * CRD pattern and the agent's `netip.ParsePrefix` alike.
 */
export function cidrNeverValid(text: string): { reason: string; fix: string } | undefined {
  const slash = text.lastIndexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const addr = parseAddr(address, true);
  const example = 'write an address and a prefix length, such as 10.0.0.0/8, 10.1.2.3/32 or 2001:db8::/32';
  if (addr === undefined) {
    const what = /^[0-9.]+$/.test(address) ? 'no IPv4 address (four numbers of 0 to 255)' : /^[0-9a-fA-F:.]+$/.test(address) && address.includes(':')
      ? 'no IPv6 address (at most eight groups of 1 to 4 hex digits, one "::")' : 'no IP address';
    return { reason: `${JSON.stringify(address)} is ${what}`, fix: example };
  }
  if (slash < 0) return undefined;
  const width = addr.family === 4 ? 32 : 128;
  const length = text.slice(slash + 1);
  if (!/^[0-9]+$/.test(length)) return { reason: `the prefix length ${JSON.stringify(length)} is no number`, fix: example };
  if (Number(length) > width) {
    return {
      reason: `the prefix length ${length} is more than the ${width} bits of an IPv${addr.family} address`,
      // The address as written is offered only when every version takes it (no zone, no leading zeros: `parseAddr` strict).
      fix: parseAddr(address) !== undefined && !address.includes('%')
        ? `write a prefix length of 0 to ${width}: ${address}/${width} for the one address, a shorter one for a network`
        : `write a prefix length of 0 to ${width}, after an address without a zone or leading zeros`,
    };
  }
  return undefined;
}

/**
 * A CIDR whose address has host bits set (`10.1.2.3/8`), which Cilium masks to the whole network: the one address and
 * the network it was read as, for the message and its fix; `undefined` for a CIDR without host bits, or not a CIDR.
 */
export function cidrHostBits(text: string): { address: string; host: string; network: string; prefix: number } | undefined {
  const parsed = parseCidr(text);
  if (!parsed) return undefined;
  const slash = text.indexOf('/');
  const address = parseIp(text.slice(0, slash));
  if (!address || address.value === parsed.network) return undefined;
  return {
    address: text.slice(0, slash),
    host: `${text.slice(0, slash)}/${parsed.family === 4 ? 32 : 128}`,
    network: `${formatIp(parsed)}/${parsed.prefix}`,
    prefix: parsed.prefix,
  };
}

/** Whether `outer` contains `inner` (same family, shorter or equal prefix, same network bits). */
export function cidrContains(outer: ParsedCidr, inner: ParsedCidr): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  return networkHolds(outer, inner.network);
}

/**
 * Whether the network bits of `address` (of `outer`'s family) are those of `outer`: for IPv4 in floating point, exact below
 * 2^53 (dividing by a power of two and flooring is the right shift), without the BigInt shifts (`cidrContains` and the
 * walks of `CidrNesting` run it often).
 */
export function networkHolds(outer: ParsedCidr, address: bigint): boolean {
  if (outer.prefix === 0) return true;
  if (outer.family === 4) {
    const size = 2 ** (32 - outer.prefix);
    return Math.floor(Number(address) / size) === Math.floor(Number(outer.network) / size);
  }
  const shift = BigInt(128 - outer.prefix);
  return (address >> shift) === (outer.network >> shift);
}

/** Whether two CIDRs share at least one address. */
export function cidrsIntersect(a: ParsedCidr, b: ParsedCidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** The text of an address (`parseIp`'s inverse): dotted IPv4, or IPv6 as eight hexadecimal groups with `::` for the longest run of zeros. */
export function formatIp(ip: { readonly family: 4 | 6; readonly network: bigint }): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip.network >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.network >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i > 1) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

/** A contiguous block of addresses of one family, both ends included. */
export interface AddressRange {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The first address. */
  readonly first: bigint;
  /** The last address. */
  readonly last: bigint;
}

/** The addresses of a CIDR as a range. */
export function cidrRange(cidr: ParsedCidr): AddressRange {
  const bits = cidr.family === 4 ? 32 : 128;
  return { family: cidr.family, first: cidr.network, last: cidr.network + (1n << BigInt(bits - cidr.prefix)) - 1n };
}

/**
 * The addresses of `ranges` that are in none of `holes` (sorted by family, then address; adjacent blocks merged). One
 * sweep over both sorted lists: linear after the sort, however many holes there are.
 */
export function subtractRanges(ranges: readonly AddressRange[], holes: readonly AddressRange[]): AddressRange[] {
  const hs = mergeRanges(holes);
  const out: AddressRange[] = [];
  let h = 0;
  for (const r of mergeRanges(ranges)) {
    let first = r.first;
    // Holes wholly before this range (or of a lower family) can cut no later range either.
    while (h < hs.length && (hs[h].family < r.family || (hs[h].family === r.family && hs[h].last < r.first))) h++;
    let k = h;
    while (k < hs.length && hs[k].family === r.family && hs[k].first <= r.last) {
      if (hs[k].first > first) out.push({ family: r.family, first, last: hs[k].first - 1n });
      if (hs[k].last + 1n > first) first = hs[k].last + 1n;
      if (first > r.last) break;
      k++;
    }
    if (first <= r.last) out.push({ family: r.family, first, last: r.last });
  }
  return out;
}

/** Whether the union of `ranges` holds every address of a family (all of IPv4 is `0.0.0.0/0`, all of IPv6 `::/0`). */
export function rangesCoverFamily(ranges: readonly AddressRange[], family: 4 | 6): boolean {
  const max = (1n << BigInt(family === 4 ? 32 : 128)) - 1n;
  const merged = mergeRanges(ranges).filter((r) => r.family === family);
  return merged.length === 1 && merged[0].first === 0n && merged[0].last === max;
}

function mergeRanges(ranges: readonly AddressRange[]): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => a.family - b.family || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const out: AddressRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.family === r.family && r.first <= last.last + 1n) {
      if (r.last > last.last) out[out.length - 1] = { ...last, last: r.last };
    } else {
      out.push(r);
    }
  }
  return out;
}
