// Peers given by an IPv4-mapped IPv6 address (`::ffff:8.8.8.8`) are judged as the IPv4 address they stand for: no packet
// carries a mapped address (RFC 4291 2.5.5.2); a socket that connects or sends to one sends IPv4 packets (Linux
// `tcp_v6_connect` → `tcp_v4_connect`, `udpv6_sendmsg` → `udp_sendmsg`), on which Cilium enforces policy in bpf_lxc as on
// any IPv4 packet (v1.14-v1.19). A toCIDR of the mapped block (`::ffff:808:808/128`) therefore selects nothing (pkg/labels
// `IPStringToLabel` keeps it IPv6; `pitfall-cidr-ipv4-mapped`); a CIDR set does on 1.14-1.16 (test/engine/cidr-set-mapped.test.ts).
import { describe, expect, test } from 'vitest';
import { IpFamilies } from '../../src';
import { CiliumVersion } from '../../src/core/cilium-version';
import { unmapIp, unmappedText } from '../../src/model/cidr';
import { cnp, judged, labels, policySet } from './helpers';

const WEB = 'pod:default:app=web';
const spec = (item: Record<string, unknown>): Record<string, unknown> => ({ endpointSelector: labels({ app: 'web' }), egress: [item] });

describe('an IPv4-mapped peer is judged as its IPv4 address', () => {
  for (const ipFamilies of [IpFamilies.IPV4, IpFamilies.DUAL]) {
    test(`${ipFamilies}: IPv4 rules decide it, a mapped IPv6 CIDR never selects it`, () => {
      const v4 = policySet([cnp('p', spec({ toCIDR: ['8.8.8.0/24'] }))], { ipFamilies });
      expect(judged(v4, WEB, 'cidr:::ffff:8.8.8.8', '443/TCP').verdict).toBe('allowed');
      expect(judged(v4, WEB, 'cidr:::ffff:9.9.9.9', '443/TCP').verdict).toBe('denied');
      const all = policySet([cnp('p', spec({ toCIDR: ['0.0.0.0/0'] }))], { ipFamilies });
      expect(judged(all, WEB, 'cidr:::ffff:8.8.8.8', '443/TCP').verdict).toBe('allowed');
      const mapped = policySet([cnp('p', spec({ toCIDR: ['::ffff:8.8.8.8/128'] }))], { ipFamilies });
      const v = judged(mapped, WEB, 'cidr:::ffff:8.8.8.8', '443/TCP');
      expect(v.verdict).toBe('denied');
      expect(v.egress.decision).toBe('default-deny');
      expect(v.egress.notes.join('\n')).toContain('::ffff:8.8.8.8 is an IPv4-mapped IPv6 address, judged as 8.8.8.8');
      expect(judged(mapped, WEB, 'cidr:8.8.8.8', '443/TCP').verdict).toBe('denied');
    });
  }

  test('a dual-stack cluster gives it the IPv4 world identity: ::/0 does not select it, 0.0.0.0/0 does', () => {
    const v6 = policySet([cnp('p', spec({ toCIDR: ['::/0'] }))], { ipFamilies: IpFamilies.DUAL });
    expect(judged(v6, WEB, 'cidr:::ffff:8.8.8.8', '443/TCP').verdict).toBe('denied');
    expect(judged(v6, WEB, 'cidr:2001:db8::1', '443/TCP').verdict).toBe('allowed');
  });

  test('on ingress too, and an ordinary IPv6 address keeps no note', () => {
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), ingress: [{ fromCIDR: ['8.8.8.8/32'] }] })]);
    expect(judged(set, 'cidr:::ffff:8.8.8.8', WEB, '80/TCP').verdict).toBe('allowed');
    expect(judged(set, 'cidr:::ffff:8.8.4.4', WEB, '80/TCP').verdict).toBe('denied');
    // An IPv6 address is a packet of a dual-stack cluster only (an IPv4-only one refuses it: engine-query).
    const dual = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), ingress: [{ fromCIDR: ['8.8.8.8/32'] }] })], { ipFamilies: IpFamilies.DUAL });
    const v = judged(dual, 'cidr:2001:db8::1', WEB, '80/TCP');
    expect(v.verdict).toBe('denied');
    expect(v.ingress.notes.join('\n')).not.toContain('IPv4-mapped');
  });
});

// Policy is enforced in bpf_lxc on the IPv4 packet (bpf_sock's sock6_xlate_v4_in_v6 is the socket-LB translation, built
// only under ENABLE_IPV4); a CIDR set of the mapped /128 selects it on 1.14-1.16 (ComputeResultantCIDRSet).
describe('the note says where Cilium enforces, per version and per IP family', () => {
  const note = (ciliumVersion: CiliumVersion, ipFamilies: IpFamilies): string => {
    const set = policySet([cnp('p', spec({ toEntities: ['world'] }))], { ciliumVersion, ipFamilies });
    return judged(set, WEB, 'cidr:::ffff:8.8.8.8', '443/TCP').egress.notes.find((n) => n.includes('IPv4-mapped')) ?? '';
  };

  test('1.16 dual-stack: enforced on the IPv4 packet in bpf_lxc; toCIDR of the hex /128 never selects it, a toCIDRSet does', () => {
    expect(note(CiliumVersion.V1_16, IpFamilies.DUAL)).toBe('::ffff:8.8.8.8 is an IPv4-mapped IPv6 address, judged as 8.8.8.8: no packet carries '
      + 'a mapped address (a socket that connects or sends to it sends IPv4 packets, and Cilium enforces policy on those in bpf_lxc as on any IPv4 '
      + 'packet), so IPv4 rules decide it; toCIDR ::ffff:808:808/128 never selects it, while a toCIDRSet of it does here (Cilium 1.16 writes that '
      + 'entry as 8.8.8.8/32)');
  });

  // Session 44 review: IPv6-only, it was judged with a note saying no such packet exists; now refused as no packet of the
  // cluster, as every IPv4 address there (engine-query).
  test('1.17: nor a toCIDRSet; IPv6-only: no such packet at all, refused', () => {
    expect(note(CiliumVersion.V1_17, IpFamilies.IPV4)).toContain('never selects it, nor (from Cilium 1.17) a toCIDRSet of it');
    expect(note(CiliumVersion.V1_17, IpFamilies.IPV4)).not.toContain('IPv6-only');
    expect(() => note(CiliumVersion.V1_19, IpFamilies.IPV6)).toThrow(/the IPv4 address 8\.8\.8\.8: no such packet, this cluster runs IPv6 only/);
  });
});

describe('unmapIp (Go netip.Addr.Unmap)', () => {
  test('only ::ffff:0:0/96 is unmapped', () => {
    expect(unmappedText('::ffff:8.8.8.8')).toBe('8.8.8.8');
    expect(unmappedText('::FFFF:0a00:0001')).toBe('10.0.0.1');
    for (const same of ['::8.8.8.8', '::fffe:8.8.8.8', '1::ffff:8.8.8.8', '8.8.8.8', '2001:db8::1']) expect(unmappedText(same)).toBe(same);
    const v6 = { family: 6 as const, value: 1n };
    expect(unmapIp(v6)).toBe(v6);
  });
});
