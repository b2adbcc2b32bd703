// Random CIDRs that overlap, nest, repeat and share boundaries (a few network bases, many prefix lengths, both families and
// the IPv4-mapped block), with `except` holes inside them, and the addresses worth probing: each range's ends and the
// addresses just outside them. For the equivalence of the CIDR lookups (`AddressSet`, `CidrNesting`) with a test of every CIDR.
import fc from 'fast-check';
import { ParsedCidr, cidrRange } from '../../src/model/cidr';

const V4_BASES = [0x0a000000n, 0x0a000100n, 0x0a010000n, 0xc0000200n, 0n, 0xffffff00n];
const V4_PREFIXES = [0, 1, 8, 16, 23, 24, 25, 30, 31, 32, 32];
const V6_BASES = [0x20010db8n << 96n, (0x20010db8n << 96n) | (1n << 64n), 0xffff0a000000n, 0n, (1n << 128n) - 256n];
const V6_PREFIXES = [0, 32, 64, 96, 104, 120, 127, 128, 128];

/** The CIDR of `family` holding `value` with `prefix` bits (host bits cleared). */
export function cidrOf(family: 4 | 6, value: bigint, prefix: number): ParsedCidr {
  const bits = family === 4 ? 32 : 128;
  const size = 1n << BigInt(bits - prefix);
  return { family, network: value - (value % size), prefix };
}

/** A CIDR near one of a few bases: random CIDRs of it overlap and nest often. */
export const nearbyCidr: fc.Arbitrary<ParsedCidr> = fc.oneof(
  fc.tuple(fc.constantFrom(...V4_BASES), fc.integer({ min: 0, max: 511 }), fc.constantFrom(...V4_PREFIXES))
    .map(([base, offset, prefix]) => cidrOf(4, (base + BigInt(offset)) % (1n << 32n), prefix)),
  fc.tuple(fc.constantFrom(...V6_BASES), fc.integer({ min: 0, max: 511 }), fc.constantFrom(...V6_PREFIXES))
    .map(([base, offset, prefix]) => cidrOf(6, (base + BigInt(offset)) % (1n << 128n), prefix)),
);

/** A CIDR with up to three holes, each a CIDR inside it or a random one (holes outside a CIDR cut nothing). */
export const cidrBlock: fc.Arbitrary<{ cidr: ParsedCidr; except: ParsedCidr[] }> = fc.tuple(nearbyCidr, fc.array(
  fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }), nearbyCidr), { maxLength: 3 },
)).map(([cidr, holes]) => ({
  cidr,
  except: holes.map(([inside, offset, length, other]) => {
    if (!inside) return other;
    const bits = cidr.family === 4 ? 32 : 128;
    const prefix = Math.min(bits, cidr.prefix + 1 + (length % (bits - cidr.prefix + 1)));
    const size = 1n << BigInt(bits - cidr.prefix);
    return cidrOf(cidr.family, cidr.network + (offset % size), prefix);
  }),
}));

/** The addresses at and just past the ends of each CIDR, and the CIDRs' own networks, per family. */
export function probesOf(cidrs: readonly ParsedCidr[]): { family: 4 | 6; value: bigint }[] {
  const out: { family: 4 | 6; value: bigint }[] = [];
  for (const c of cidrs) {
    const max = (1n << BigInt(c.family === 4 ? 32 : 128)) - 1n;
    const { first, last } = cidrRange(c);
    for (const value of [first - 1n, first, first + 1n, (first + last) / 2n, last - 1n, last, last + 1n]) {
      if (value >= 0n && value <= max) out.push({ family: c.family, value });
    }
  }
  return out;
}
