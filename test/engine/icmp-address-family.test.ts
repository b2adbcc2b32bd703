// An ICMP query of one family with an address of the other is refused (`engine-query`): ICMPv4 travels in IPv4 packets
// only and ICMPv6 in IPv6 ones, and Cilium matches an `icmps` field of family IPv4 as protocol ICMP, of family IPv6 as
// ICMPv6 (pkg/policy/api/icmp.go `ICMPField.PortProtocol`, v1.14-v1.19). Before, `icmp/8` to 2001:db8::1 was ALLOWED by
// an IPv4 echo rule: a confident verdict on a packet that cannot exist, where the ping6 the user meant is denied.
import { describe, expect, test } from 'vitest';
import { IpFamilies } from '../../src';
import { Endpoints, VerdictQuery } from '../../src/engine';
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

// Session 44 review: report and diff list no ICMPv6 between the pods of an IPv4-only cluster (its pods have no IPv6
// address, and an agent without ENABLE_IPV6 drops IPv6 packets before any policy: bpf_lxc.c, DROP_UNKNOWN_L3), but trace
// said ALLOWED for `icmpv6/128` between two pods, and for an IPv6 address, under the default --ip-families ipv4. Such a
// packet is refused as no packet of this cluster, by every call (decide's fast path too), naming the flag and the fix.
describe('a packet of a family the cluster does not run: refused', () => {
  const open = (ipFamilies: IpFamilies): ReturnType<typeof policySet> => policySet([cnp('p', {
    endpointSelector: labels({ app: 'web' }),
    ingress: [{ fromEndpoints: [labels({ app: 'client' })] }, { fromCIDR: ['2001:db8::/32', '10.0.0.0/8'] }],
  })], { ipFamilies });
  const q = (from: string, l4: Partial<VerdictQuery>): VerdictQuery =>
    ({ from: Endpoints.parse(from), to: Endpoints.parse(WEB), ...l4 } as VerdictQuery);
  const calls = (s: ReturnType<typeof policySet>, query: VerdictQuery): (() => unknown)[] =>
    [() => s.verdict(query), () => s.decide(query), () => s.evaluateNaive(query)];

  test.each([
    ['IPv4-only: ICMPv6 between pods', IpFamilies.IPV4, q('pod:default:app=client', { protocol: 'ICMP', icmpType: 128, icmpFamily: 'IPv6' }),
      'ICMPv6: no such packet, this cluster runs IPv4 only (--ip-families ipv4, PolicySet option ipFamilies; Cilium\'s default is ipv4): its pods have no IPv6 address'],
    ['IPv4-only: TCP from an IPv6 address', IpFamilies.IPV4, q('cidr:2001:db8::1', { protocol: 'TCP', port: 80 }),
      'the IPv6 address 2001:db8::1: no such packet, this cluster runs IPv4 only'],
    ['IPv4-only: ICMPv6 from an IPv6 address', IpFamilies.IPV4, q('cidr:2001:db8::1', { protocol: 'ICMP', icmpType: 128, icmpFamily: 'IPv6' }),
      'ICMPv6: no such packet, this cluster runs IPv4 only'],
    ['IPv6-only: ICMP between pods', IpFamilies.IPV6, q('pod:default:app=client', { protocol: 'ICMP', icmpType: 8 }),
      'ICMP (IPv4): no such packet, this cluster runs IPv6 only (--ip-families ipv6'],
    ['IPv6-only: TCP from an IPv4 address', IpFamilies.IPV6, q('cidr:10.1.1.1', { protocol: 'TCP', port: 80 }),
      'the IPv4 address 10.1.1.1: no such packet, this cluster runs IPv6 only'],
    // Review of fixfid44: decide() took an IPv4-mapped address in an IPv6-only cluster as IPv6 (allowed) where verdict() refused it.
    ['IPv6-only: TCP from an IPv4-mapped address (dotted)', IpFamilies.IPV6, q('cidr:::ffff:10.1.1.1', { protocol: 'TCP', port: 80 }),
      'no such packet, this cluster runs IPv6 only'],
    ['IPv6-only: TCP from an IPv4-mapped address (hex)', IpFamilies.IPV6, q('cidr:::ffff:a01:101', { protocol: 'TCP', port: 80 }),
      'no such packet, this cluster runs IPv6 only'],
  ])('%s', (_name, ipFamilies, query, message) => {
    for (const call of calls(open(ipFamilies), query)) {
      const e = thrown(call);
      expect(e.id).toBe('engine-query');
      expect(e.message).toContain(message);
      expect(e.fix).toBe('if the cluster runs both families, say so: --ip-families dual (ipFamilies: IpFamilies.DUAL)');
    }
    // Dual-stack: judged, and allowed.
    expect(open(IpFamilies.DUAL).decide(query)).toBe('allowed');
    expect(open(IpFamilies.DUAL).verdict(query).verdict).toBe('allowed');
  });

  test('the cluster\'s own family is judged (an IPv4-mapped address is IPv4)', () => {
    const s = open(IpFamilies.IPV4);
    expect(s.decide(q('cidr:::ffff:10.1.1.1', { protocol: 'TCP', port: 80 }))).toBe('allowed');
    expect(s.verdict(q('pod:default:app=client', { protocol: 'ICMP', icmpType: 8 })).verdict).toBe('allowed');
  });
});
