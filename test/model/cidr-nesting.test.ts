// `CidrNesting` (src/model/cidr-nesting.ts), how the diff's world classes find which named CIDRs hold an address: the
// same CIDRs, outermost first, as testing every CIDR says, on overlapping, nested and repeated CIDRs of both families.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CidrNesting } from '../../src/model/cidr-nesting';
import { ParsedCidr, cidrContains, parseCidr } from '../../src/model/cidr';
import { propertyParams } from '../support/property';
import { nearbyCidr, probesOf } from '../support/cidr-arbitraries';

const text = (c: ParsedCidr): string => `${c.family}:${c.network.toString(16)}/${c.prefix}`;
const cidr = (t: string): ParsedCidr => parseCidr(t) ?? (() => {
  throw new Error(t);
})();

describe('CidrNesting', () => {
  test('the holders of an address are the CIDRs that hold it, outermost first; the innermost is the last', () => {
    fc.assert(fc.property(fc.array(nearbyCidr, { maxLength: 16 }), (cidrs) => {
      const nesting = new CidrNesting(cidrs);
      // Each distinct CIDR once.
      expect(nesting.cidrs.map(text).sort()).toEqual([...new Set(cidrs.map(text))].sort());
      for (const ip of probesOf(cidrs)) {
        const host: ParsedCidr = { family: ip.family, network: ip.value, prefix: ip.family === 4 ? 32 : 128 };
        const expected = [...new Set(cidrs.filter((c) => cidrContains(c, host)).map(text))]
          .sort((a, b) => Number(a.split('/')[1]) - Number(b.split('/')[1]));
        const holders = nesting.holders(ip).map((i) => text(nesting.cidrs[i]));
        expect(holders).toEqual(expected);
        const inner = nesting.innermost(ip);
        expect(inner < 0 ? undefined : text(nesting.cidrs[inner])).toBe(expected[expected.length - 1]);
      }
    }), propertyParams('CIDR_NESTING', 200));
  });

  test('a CIDR before the address that does not hold it leads to the one that does', () => {
    // 10.0.0.0/8 holds 10.0.0.0/24 and 10.9.0.0/16; an address of 10.128.0.0/9 past them is held by the /8 alone.
    const nesting = new CidrNesting(['10.9.0.0/16', '10.0.0.0/24', '10.0.0.0/8', '10.0.0.0/8', '192.0.2.0/24', '::/0'].map(cidr));
    const at = (t: string): string[] => nesting.holders({ family: cidr(t).family, value: cidr(t).network }).map((i) => text(nesting.cidrs[i]));
    expect(at('10.200.0.1/32')).toEqual(['4:a000000/8']);
    expect(at('10.9.1.1/32')).toEqual(['4:a000000/8', '4:a090000/16']);
    expect(at('192.0.3.0/32')).toEqual([]);
    expect(at('2001:db8::1/128')).toEqual(['6:0/0']);
    expect(nesting.cidrs).toHaveLength(5);
  });
});
