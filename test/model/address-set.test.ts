// `AddressSet` (src/model/address-set.ts), the lookup of the CIDR peers of compiled rules: it holds exactly the addresses
// that some block's CIDR holds and none of that block's holes does, as testing every block would say, on overlapping,
// nested and repeated CIDRs of both families (IPv4-mapped ones stay IPv6), at the ends of every range.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AddressSet } from '../../src/model/address-set';
import { ParsedCidr, cidrContains, parseCidr } from '../../src/model/cidr';
import { propertyParams } from '../support/property';
import { cidrBlock, nearbyCidr, probesOf } from '../support/cidr-arbitraries';

const host = (ip: { family: 4 | 6; value: bigint }): ParsedCidr => ({ family: ip.family, network: ip.value, prefix: ip.family === 4 ? 32 : 128 });
const cidr = (text: string): ParsedCidr => parseCidr(text) ?? (() => {
  throw new Error(text);
})();

describe('AddressSet', () => {
  test('holds what some block holds outside its own holes, as a test of every block says', () => {
    fc.assert(fc.property(fc.array(cidrBlock, { maxLength: 12 }), (blocks) => {
      const set = AddressSet.of(blocks);
      for (const ip of probesOf(blocks.flatMap((b) => [b.cidr, ...b.except]))) {
        const expected = blocks.some((b) => cidrContains(b.cidr, host(ip)) && !b.except.some((e) => cidrContains(e, host(ip))));
        expect(set.has(ip), `${ip.family}:${ip.value.toString(16)}`).toBe(expected);
      }
    }), propertyParams('ADDRESS_SET', 200));
  });

  test('of CIDRs alone: what any of them holds', () => {
    fc.assert(fc.property(fc.array(nearbyCidr, { maxLength: 12 }), (cidrs) => {
      const set = AddressSet.ofCidrs(cidrs);
      for (const ip of probesOf(cidrs)) expect(set.has(ip)).toBe(cidrs.some((c) => cidrContains(c, host(ip))));
    }), propertyParams('ADDRESS_SET_CIDRS', 100));
  });

  test('a hole of one block does not cut another block; the families stay apart', () => {
    const set = AddressSet.of([
      { cidr: cidr('10.0.0.0/8'), except: [cidr('10.1.0.0/16')] },
      { cidr: cidr('10.1.2.0/24'), except: [] },
      { cidr: cidr('::ffff:192.0.2.0/120'), except: [] },
    ]);
    const v4 = (text: string): { family: 4; value: bigint } => ({ family: 4, value: cidr(`${text}/32`).network });
    expect(set.has(v4('10.0.0.1'))).toBe(true);
    expect(set.has(v4('10.1.0.1'))).toBe(false);
    expect(set.has(v4('10.1.2.3'))).toBe(true);
    expect(set.has(v4('11.0.0.0'))).toBe(false);
    // The mapped block holds IPv6 addresses only: the IPv4 address it stands for is not in it.
    expect(set.has(v4('192.0.2.1'))).toBe(false);
    expect(set.has({ family: 6, value: cidr('::ffff:192.0.2.1/128').network })).toBe(true);
    expect(AddressSet.of([]).has(v4('10.0.0.1'))).toBe(false);
  });
});
