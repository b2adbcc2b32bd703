// IP addresses and prefixes as Go reads them: `net/netip` (the agent: `netip.ParseAddr`, `netip.ParsePrefix`) and, with
// `sloppy`, the Go 1.16 `net` parser that `k8s.io/utils/net` keeps for the API server. The one reading of both, for the
// engine (`model/cidr.ts`) and validate (`validate/syntax.ts`, `validate/cidr-format.ts`).
import { pushAll } from './push-all';

/** An IP address: family and 4 or 16 bytes. */
export interface IpAddress {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Network-order bytes. */
  readonly bytes: readonly number[];
  /** IPv6 zone (`%eth0`), if any. */
  readonly zone?: string;
}

/** An IP prefix. */
export interface IpPrefix {
  /** The address as written. */
  readonly addr: IpAddress;
  /** Prefix length. */
  readonly bits: number;
}

/**
 * Dotted IPv4: four decimal fields 0-255. Go's `netip` (the agent) rejects leading zeros; `sloppy` is the Go 1.16
 * parser that `k8s.io/utils/net.ParseCIDRSloppy` keeps for the API server, which reads `010` as 10.
 */
function parseIPv4(s: string, sloppy: boolean): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]+$/.test(p) || (!sloppy && (p.length > 3 || (p.length > 1 && p[0] === '0')))) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    out.push(v);
  }
  return out;
}

/** IPv6 with `::`, an embedded IPv4 tail and an optional zone; `sloppy` allows groups of more than 4 hex digits. */
function parseIPv6(input: string, sloppy: boolean): { bytes: number[]; zone?: string } | undefined {
  let s = input;
  let zone: string | undefined;
  const pct = s.indexOf('%');
  if (pct >= 0) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === '') return undefined;
  }
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const parseGroups = (part: string, allowV4Tail: boolean): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    const out: number[] = [];
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g, sloppy);
        if (!v4) return undefined;
        pushAll(out, v4);
        continue;
      }
      if (!/^[0-9A-Fa-f]+$/.test(g) || (!sloppy && g.length > 4)) return undefined;
      const v = parseInt(g, 16);
      if (v > 0xffff) return undefined;
      out.push(v >> 8, v & 0xff);
    }
    return out;
  };
  let bytes: number[];
  if (dbl >= 0) {
    const head = parseGroups(s.slice(0, dbl), false);
    const tail = parseGroups(s.slice(dbl + 2), true);
    if (!head || !tail || head.length + tail.length > 14) return undefined;
    bytes = [...head, ...new Array<number>(16 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(s, true);
    if (!all || all.length !== 16) return undefined;
    bytes = all;
  }
  return { bytes, zone };
}

/** An IP address as Go's `netip.ParseAddr` (the agent) reads it; `sloppy` = the API server's Go 1.16 parser. */
export function parseAddr(s: string, sloppy = false): IpAddress | undefined {
  if (s.includes(':')) {
    const v6 = parseIPv6(s, sloppy);
    return v6 ? { family: 6, bytes: v6.bytes, zone: v6.zone } : undefined;
  }
  const v4 = parseIPv4(s, sloppy);
  return v4 ? { family: 4, bytes: v4 } : undefined;
}

/**
 * An IP prefix as Go's `netip.ParsePrefix` (the agent) reads it, or with `sloppy` as `ParseCIDRSloppy` (the API server,
 * which also accepts leading zeros in the length): an address without zone, `/`, a decimal length within the family's width.
 */
export function parseIpPrefix(s: string, sloppy: boolean): IpPrefix | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = parseAddr(s.slice(0, slash), sloppy);
  const mask = s.slice(slash + 1);
  if (!addr || addr.zone !== undefined || !/^[0-9]+$/.test(mask)) return undefined;
  if (!sloppy && mask.length > 1 && mask[0] === '0') return undefined;
  const bits = Number(mask);
  if (bits > addr.bytes.length * 8) return undefined;
  return { addr, bits };
}

/** Whether `prefix` contains `addr` (same family and the first `bits` bits equal), as `netip.Prefix.Contains`. */
export function prefixContains(prefix: IpPrefix, addr: IpAddress): boolean {
  if (prefix.addr.family !== addr.family) return false;
  let bits = prefix.bits;
  for (let i = 0; i < prefix.addr.bytes.length && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((prefix.addr.bytes[i] & mask) !== (addr.bytes[i] & mask)) return false;
  }
  return true;
}
