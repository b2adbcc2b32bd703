// An ICMP query of one family with an address of the other is refused (`engine-query`): ICMPv4 travels in IPv4 packets
// only and ICMPv6 in IPv6 ones, and Cilium matches an `icmps` field of family IPv4 as protocol ICMP, of family IPv6 as
// ICMPv6 (pkg/policy/api/icmp.go `ICMPField.PortProtocol`, v1.14-v1.19). Before, `icmp/8` to 2001:db8::1 was ALLOWED by
// an IPv4 echo rule: a confident verdict on a packet that cannot exist, where the ping6 the user meant is denied.
import { describe, expect, test } from 'vitest';
import { IpFamilies } from '../../src';
import { Endpoints } from '../../src/engine';
import { thrown } from '../support/errors';
import { cnp, judged, labels, policySet } from './helpers';

const WEB = 'pod:default:app=web';
const set = policySet([cnp('p', {
  endpointSelector: labels({ app: 'web' }),
  egress: [{ toEntities: ['world'], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] }],
})], { ipFamilies: IpFamilies.DUAL });

describe('ICMP queries take the family of their addresses', () => {
  test('same family: judged (the IPv4 echo rule allows icmp/8 to an IPv4 address, not icmpv6/128 to an IPv6 one)', () => {
    expect(judged(set, WEB, 'cidr:8.8.8.8', 'icmp/8').verdict).toBe('allowed');
    expect(judged(set, WEB, 'cidr:::ffff:8.8.8.8', 'icmp/8').verdict).toBe('allowed');
    expect(judged(set, WEB, 'cidr:2001:db8::1', 'icmpv6/128').verdict).toBe('denied');
    expect(judged(set, WEB, 'entity:world', 'icmpv6/128').verdict).toBe('denied');
  });

  test('the other family: refused by verdict, decide and evaluateNaive, naming the address and the fix', () => {
    const q = { from: Endpoints.parse(WEB), to: Endpoints.parse('cidr:2001:db8::1'), protocol: 'ICMP', icmpType: 8, icmpFamily: 'IPv4' };
    for (const call of [(): unknown => set.verdict(q), (): unknown => set.decide(q), (): unknown => set.evaluateNaive(q)]) {
      const e = thrown(call);
      expect(e.id).toBe('engine-query');
      expect(e.message).toContain('ICMP (IPv4) with the IPv6 address 2001:db8::1: no such packet');
      expect(e.fix).toContain('icmpv6/128');
    }
    const v6 = thrown(() => set.verdict({ ...q, from: Endpoints.parse('cidr:8.8.4.4'), to: Endpoints.parse(WEB), icmpType: 128, icmpFamily: 'IPv6' }));
    expect(v6.message).toContain('ICMPv6 with the IPv4 address 8.8.4.4');
  });

  // The address shown is the IPv4 one the mapped address stands for (before: "the IPv4 address ::ffff:8.8.8.8").
  test('an IPv4-mapped address: refused for ICMPv6, naming the IPv4 address it stands for', () => {
    const q = { from: Endpoints.parse(WEB), to: Endpoints.parse('cidr:::ffff:8.8.8.8'), protocol: 'ICMP', icmpType: 128, icmpFamily: 'IPv6' };
    expect(thrown(() => set.verdict(q)).message).toContain('ICMPv6 with the IPv4 address 8.8.8.8 (::ffff:8.8.8.8, IPv4-mapped): no such packet');
  });
});
