// Peers given by an IPv4-mapped IPv6 address (`::ffff:8.8.8.8`) are judged as the IPv4 address they stand for: no packet
// carries a mapped address (RFC 4291 2.5.5.2); a socket that connects or sends to one sends IPv4 packets (Linux
// `tcp_v6_connect` → `tcp_v4_connect`, `udpv6_sendmsg` → `udp_sendmsg`), which Cilium judges (bpf/bpf_sock.c
// `sock6_xlate_v4_in_v6` translates such a connect as IPv4, v1.14-v1.19). An IPv6 CIDR of the mapped block
// (`::ffff:8.8.8.8/128`) therefore selects nothing (pkg/labels `IPStringToLabel` keeps it IPv6; `pitfall-cidr-ipv4-mapped`).
import { describe, expect, test } from 'vitest';
import { IpFamilies } from '../../src';
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
    const v = judged(set, 'cidr:2001:db8::1', WEB, '80/TCP');
    expect(v.verdict).toBe('denied');
    expect(v.ingress.notes.join('\n')).not.toContain('IPv4-mapped');
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
