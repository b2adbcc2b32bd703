// The world identities and the `/0` CIDRs by the cluster's IP families (PolicySetOptions.ipFamilies), as Cilium's code
// decides them:
// - the world label of an outside address: pkg/labels `getWorldLabel` (AddWorldLabel before): `reserved:world` (identity 2)
//   for the family of a single-stack cluster, `reserved:world-ipv4` (9) / `reserved:world-ipv6` (10) in a dual-stack one
//   (and the qualified label for the family a single-stack cluster does not run); the agent upserts 0.0.0.0/0 and ::/0
//   into the ipcache with these identities for the families it runs only (daemon `initPolicy` special identities);
// - a `/0` CIDR: pkg/labels `IPStringToLabel` turns the zero-length prefix into that family's world label
//   (CIDRSlice.GetAsEndpointSelectors before: `EnableIPv4 && 0.0.0.0/0` / `EnableIPv6 && ::/0` add the world selector), so
//   in an IPv4-only cluster `::/0` selects reserved:world-ipv6, which no address has;
// - entities: pkg/policy/api `EntitySelectorMapping`: world = {world, world-ipv4, world-ipv6}, world-ipv4 = {world-ipv4},
//   world-ipv6 = {world-ipv6}, all = the wildcard selector; cluster never selects the world.
import { describe, expect, test } from 'vitest';
import { CiliumVersion, Endpoints, IpFamilies, PolicySetOptions } from '../../src';
import { PolicySet } from '../../src/engine';
import { cnp, labels, policySet, verdict } from './helpers';

const WEB = labels({ app: 'web' });
const FROM = 'pod:default:app=web';

/** One egress rule item of a CNP (CRD entities only). */
function egressTo(item: Record<string, unknown>, options: PolicySetOptions): PolicySet {
  return policySet([cnp('p', { endpointSelector: WEB, egress: [item] })], options);
}

/** One raw api.Rule (the local API: world-ipv4/world-ipv6 are Go-only entities, no CRD has them). */
function rawEgressTo(item: Record<string, unknown>, options: PolicySetOptions): PolicySet {
  return PolicySet.fromYaml(JSON.stringify([{ endpointSelector: WEB, egress: [item] }]), { file: 'r.json', ciliumVersion: CiliumVersion.V1_17, ...options });
}

const RULES: Record<string, { item: Record<string, unknown>; raw?: boolean }> = {
  'toCIDR 0.0.0.0/0': { item: { toCIDR: ['0.0.0.0/0'] } },
  'toCIDR ::/0': { item: { toCIDR: ['::/0'] } },
  'toCIDRSet ::/0': { item: { toCIDRSet: [{ cidr: '::/0' }] } },
  'toEntities world': { item: { toEntities: ['world'] } },
  'toEntities all': { item: { toEntities: ['all'] } },
  'toEntities cluster': { item: { toEntities: ['cluster'] } },
  'toEntities world-ipv4': { item: { toEntities: ['world-ipv4'] }, raw: true },
  'toEntities world-ipv6': { item: { toEntities: ['world-ipv6'] }, raw: true },
};

/** Whether web may reach `peer` on 443/TCP under the rule, in `mode`. */
function allowed(rule: string, peer: string, mode?: IpFamilies): boolean {
  const { item, raw } = RULES[rule];
  const options: PolicySetOptions = mode !== undefined ? { ipFamilies: mode } : {};
  const set = raw ? rawEgressTo(item, options) : egressTo(item, options);
  return verdict(set, FROM, peer, '443/TCP').verdict === 'allowed';
}

// Columns: the rules above, in order. 1 = allowed, 0 = denied.
const COLUMNS = Object.keys(RULES);

describe('IPv4-only cluster (the default: enable-ipv4 true, enable-ipv6 false)', () => {
  // The world is reserved:world (2); 0.0.0.0/0 selects it, ::/0 selects reserved:world-ipv6, which no address has.
  test.each([
    //                       0/0 ::/0 set::/0 world all cluster w-ipv4 w-ipv6
    ['entity:world', [1, 0, 0, 1, 1, 0, 0, 0]],
    ['entity:world-ipv4', [1, 0, 0, 1, 1, 0, 0, 0]],
    ['cidr:8.8.8.8', [1, 0, 0, 1, 1, 0, 0, 0]],
  ])('%s', (peer, row) => {
    expect(COLUMNS.map((r) => (allowed(r, peer) ? 1 : 0))).toEqual(row);
    expect(COLUMNS.map((r) => (allowed(r, peer, IpFamilies.IPV4) ? 1 : 0))).toEqual(row);
  });

  // Session 44 review: an IPv6 address was judged here (reserved:world-ipv6, which ::/0 and world select), where no pod of
  // the cluster has an IPv6 address and the agent drops IPv6 packets (bpf_lxc.c, DROP_UNKNOWN_L3): refused (engine-query).
  test('cidr:2001:db8::1: no packet of this cluster, refused', () => {
    for (const r of COLUMNS) expect(() => allowed(r, 'cidr:2001:db8::1'), r).toThrow(/the IPv6 address 2001:db8::1: no such packet, this cluster runs IPv4 only/);
  });

  // Session 45: entity:world-ipv6 was judged here (ALLOWED by toEntities world, all, toCIDR ::/0), as if an IPv6 packet
  // came in; pkg/labels `getWorldLabel`: world-ipv6 "in IPv4-only deployment will not be populated into identities", and
  // the agent drops IPv6 before policy. Refused as its address would be, by verdict() and decide() alike.
  test('entity:world-ipv6: no packet of this cluster, refused by verdict() and decide(), either end, any protocol', () => {
    for (const r of COLUMNS) expect(() => allowed(r, 'entity:world-ipv6'), r).toThrow(/^entity:world-ipv6 \(the IPv6 world, reserved:world-ipv6\): no such packet, this cluster runs IPv4 only/);
    const set = egressTo({ toEntities: ['world'] }, {});
    const world6 = Endpoints.entity('world-ipv6');
    const web = Endpoints.pod('default', { app: 'web' });
    for (const q of [{ from: web, to: world6, port: 443, protocol: 'TCP' }, { from: world6, to: web, port: 80, protocol: 'TCP' }, { from: web, to: world6, protocol: 'ICMP' }]) {
      expect(() => set.decide(q), JSON.stringify(q)).toThrow(/no such packet/);
      expect(() => set.verdict(q), JSON.stringify(q)).toThrow(/no such packet/);
    }
    expect(set.decide({ from: web, to: Endpoints.entity('world-ipv4'), port: 443, protocol: 'TCP' })).toBe('allowed');
  });

  test('a world peer is reserved:world; toCIDR ::/0 has a note that it selects nothing here, and the verdict says which /0 would', () => {
    const set = egressTo({ toCIDR: ['::/0'] }, {});
    const v = verdict(set, FROM, 'entity:world', '443/TCP');
    expect(v.verdict).toBe('denied');
    const notes = v.egress.notes.join('\n');
    expect(notes).toContain('toCIDR ::/0: the IPv6 world selects reserved:world-ipv6, which no address of an IPv4-only cluster has; '
      + 'the world of this cluster is 0.0.0.0/0');
    expect(notes).toContain('::/0 is the IPv6 world: it selects reserved:world-ipv6, which no address of an IPv4-only cluster has; '
      + 'this peer is an IPv4 address (reserved:world), which 0.0.0.0/0 selects');
  });

  test('a /0 with except holes still selects the world identity (the holes only exclude the CIDR identities inside them)', () => {
    const set = egressTo({ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['8.8.8.0/24'] }] }, {});
    expect(set).toAllow(FROM, 'entity:world', '443/TCP');
    expect(set).toAllow(FROM, 'cidr:1.1.1.1', '443/TCP');
    expect(set).toDeny(FROM, 'cidr:8.8.8.8', '443/TCP');
  });
});

describe('dual-stack cluster', () => {
  // Session 45: ICMP (IPv4) to the IPv6 world (or ICMPv6 to the IPv4 world) is no packet, as with an address of that family.
  test('ICMP of the other family to world-ipv6 / world-ipv4: refused by verdict() and decide(); of its own family, judged', () => {
    const set = egressTo({ toEntities: ['world'] }, { ipFamilies: IpFamilies.DUAL });
    const web = Endpoints.pod('default', { app: 'web' });
    for (const [entity, family, ok] of [['world-ipv6', 'IPv4', false], ['world-ipv4', 'IPv6', false], ['world-ipv6', 'IPv6', true], ['world-ipv4', 'IPv4', true]] as const) {
      const q = { from: web, to: Endpoints.entity(entity), protocol: 'ICMP', icmpFamily: family };
      if (ok) {
        expect([entity, family, set.decide(q), set.verdict(q).verdict]).toEqual([entity, family, 'allowed', 'allowed']);
      } else {
        expect(() => set.decide(q), `${entity} ${family}`).toThrow(/no such packet \(ICMP travels in IPv4 packets/);
        expect(() => set.verdict(q), `${entity} ${family}`).toThrow(new RegExp(`with entity:${entity} \\(the IPv${family === 'IPv4' ? 6 : 4} world`));
      }
    }
  });

  // IPv4 addresses are reserved:world-ipv4 (9), IPv6 ones reserved:world-ipv6 (10): each /0 selects its own family's.
  test.each([
    //                       0/0 ::/0 set::/0 world all cluster w-ipv4 w-ipv6
    ['entity:world', [1, 0, 0, 1, 1, 0, 1, 0]],
    ['entity:world-ipv4', [1, 0, 0, 1, 1, 0, 1, 0]],
    ['entity:world-ipv6', [0, 1, 1, 1, 1, 0, 0, 1]],
    ['cidr:8.8.8.8', [1, 0, 0, 1, 1, 0, 1, 0]],
    ['cidr:2001:db8::1', [0, 1, 1, 1, 1, 0, 0, 1]],
  ])('%s', (peer, row) => {
    expect(COLUMNS.map((r) => (allowed(r, peer, IpFamilies.DUAL) ? 1 : 0))).toEqual(row);
  });

  test('no note on ::/0: the cluster runs IPv6; an IPv4 peer missed by it is told which /0 selects it', () => {
    const set = egressTo({ toCIDR: ['::/0'] }, { ipFamilies: IpFamilies.DUAL });
    const v = verdict(set, FROM, 'entity:world', '443/TCP');
    expect(v.verdict).toBe('denied');
    expect(v.egress.notes.join('\n')).not.toContain('which no address');
    expect(v.egress.notes.join('\n')).toContain('::/0 is the IPv6 world: it selects reserved:world-ipv6; this peer is an IPv4 address '
      + '(reserved:world-ipv4), which 0.0.0.0/0 selects');
  });

  // Session 52 (mutant of evaluate.ts otherFamilyWorld, `family === 4` → `true`: the note told an IPv6 peer that 0.0.0.0/0
  // selects it, the rule it was just denied by).
  test('the reverse: an IPv6 peer missed by 0.0.0.0/0 is told that ::/0 selects it, and ::/0 does', () => {
    const peers = ['cidr:2001:db8::1', 'entity:world-ipv6'];
    const v4 = egressTo({ toCIDR: ['0.0.0.0/0'] }, { ipFamilies: IpFamilies.DUAL });
    const v6 = egressTo({ toCIDR: ['::/0'] }, { ipFamilies: IpFamilies.DUAL });
    for (const peer of peers) {
      const v = verdict(v4, FROM, peer, '443/TCP');
      expect([peer, v.verdict, verdict(v6, FROM, peer, '443/TCP').verdict]).toEqual([peer, 'denied', 'allowed']);
      expect(v.egress.notes.join('\n'), peer).toContain('0.0.0.0/0 is the IPv4 world: it selects reserved:world-ipv4; this peer is an IPv6 address '
        + '(reserved:world-ipv6), which ::/0 selects');
    }
  });
});

describe('toCIDRSet ::/0 by Cilium version (IPv4-only)', () => {
  // 1.15-1.16: CIDRRuleSlice goes through CIDRSlice.GetAsEndpointSelectors (ComputeResultantCIDRSet), whose world selector
  // needs `EnableIPv6 && ::/0`: nothing. 1.17-1.18: CIDRRuleSlice.GetAsEndpointSelectors maps `::/0` to the non-dual-stack
  // world label (reserved:world) when not dual-stack: every outside address. 1.19: labels.IPStringToLabel/getWorldLabel
  // gives reserved:world-ipv6: nothing. toCIDR ::/0 selects nothing from 1.15 on. (1.14: below.)
  test.each([
    [CiliumVersion.V1_15, 0, 0], [CiliumVersion.V1_16, 0, 0], [CiliumVersion.V1_17, 1, 1], [CiliumVersion.V1_18, 1, 1], [CiliumVersion.V1_19, 0, 0],
  ])('%s: entity:world %i, cidr:8.8.8.8 %i', (version, world, address) => {
    const set = egressTo({ toCIDRSet: [{ cidr: '::/0', except: ['2001:db8::/32'] }] }, { ciliumVersion: version });
    expect(verdict(set, FROM, 'entity:world', '443/TCP').verdict === 'allowed' ? 1 : 0).toBe(world);
    expect(verdict(set, FROM, 'cidr:8.8.8.8', '443/TCP').verdict === 'allowed' ? 1 : 0).toBe(address);
    const toCidr = egressTo({ toCIDR: ['::/0'] }, { ciliumVersion: version });
    expect(verdict(toCidr, FROM, 'entity:world', '443/TCP').verdict).toBe('denied');
    // Dual-stack: ::/0 is reserved:world-ipv6 in every version.
    expect(verdict(egressTo({ toCIDRSet: [{ cidr: '::/0' }] }, { ciliumVersion: version, ipFamilies: IpFamilies.DUAL }), FROM, 'entity:world', '443/TCP').verdict)
      .toBe('denied');
  });

  test('1.14: 0.0.0.0/0 and ::/0 are reserved:world, every outside address of either family; except holes split them into prefixes', () => {
    // Before cilium/cilium#22625 (1.15, "Fix CIDR to World Entity Conversion Bug", which brought reserved:world-ipv4/-ipv6):
    // CIDRSlice.GetAsEndpointSelectors adds the reserved:world selector for a CIDR that MatchesAll (CIDRMatchAll is
    // 0.0.0.0/0 and ::/0), for toCIDR and, through ComputeResultantCIDRSet, for a toCIDRSet without except; every outside
    // address, IPv4 or IPv6, is reserved:world (identity 2). With except, ComputeResultantCIDRSet splits the /0 into
    // prefixes of its own family: no MatchesAll.
    const v = CiliumVersion.V1_14;
    for (const ipFamilies of [IpFamilies.IPV4, IpFamilies.DUAL]) {
      for (const rule of [{ toCIDR: ['::/0'] }, { toCIDRSet: [{ cidr: '::/0' }] }, { toCIDR: ['0.0.0.0/0'] }]) {
        const set = egressTo(rule, { ciliumVersion: v, ipFamilies });
        // An IPv6 address is no packet of an IPv4-only cluster (engine-query).
        for (const peer of ['entity:world', 'cidr:8.8.8.8', ...(ipFamilies === IpFamilies.DUAL ? ['cidr:2001:db8::1'] : [])]) expect(verdict(set, FROM, peer, '443/TCP').verdict, `${JSON.stringify(rule)} ${ipFamilies} ${peer}`).toBe('allowed');
      }
      const split = egressTo({ toCIDRSet: [{ cidr: '::/0', except: ['2001:db8::/32'] }] }, { ciliumVersion: v, ipFamilies });
      expect(verdict(split, FROM, 'cidr:8.8.8.8', '443/TCP').verdict).toBe('denied');
      // No note about family world labels, which 1.14 does not have.
      expect(verdict(split, FROM, 'cidr:8.8.8.8', '443/TCP').egress.notes.join('\n')).not.toMatch(/world-ipv|is the IPv6 world/);
      if (ipFamilies === IpFamilies.DUAL) expect(verdict(split, FROM, 'cidr:2001:db8::1', '443/TCP').verdict).toBe('denied');
      // Outside the hole, an IPv6 address is in the prefixes the split gives.
      if (ipFamilies === IpFamilies.DUAL) expect(verdict(split, FROM, 'cidr:2001:db9::1', '443/TCP').verdict).toBe('allowed');
    }
    // 1.15, dual-stack: 0.0.0.0/0 is the IPv4 world only.
    expect(verdict(egressTo({ toCIDR: ['0.0.0.0/0'] }, { ciliumVersion: CiliumVersion.V1_15, ipFamilies: IpFamilies.DUAL }), FROM, 'cidr:2001:db8::1', '443/TCP').verdict)
      .toBe('denied');
    // The note says why, where it differs from 1.15.
    const noted = verdict(egressTo({ toCIDR: ['::/0'] }, { ciliumVersion: v }), FROM, 'cidr:8.8.8.8', '443/TCP');
    expect(noted.egress.notes.join('\n')).toContain('toCIDR ::/0: Cilium 1.14 turns 0.0.0.0/0 and ::/0 into reserved:world (CIDRSlice.GetAsEndpointSelectors, '
      + 'CIDRMatchAll), the identity of every outside address of either family before 1.15, so it selects the whole world; from 1.15 it selects the IPv6 world only');
  });

  // The IPv4-mapped hole of a ::/0 deny beside toEntities world (session 44 check): 1.17-1.18 select reserved:world AND
  // DoesNotExist cidr:::ffff:0:0/96; an IPv4 identity's CIDR label (cidr:1.1.1.1/32) is no prefix inside the IPv6
  // ::ffff:0:0/96 (netip.Prefix.Contains is false across families), so the hole keeps nothing out and the deny wins. 1.16:
  // ComputeResultantCIDRSet's ip.RemoveCIDRs does not cut it (net.IPNet.Contains of a mapped address is its 4 bytes) and
  // ::/0 selects no IPv4 world; 1.19: getWorldLabel gives ::/0 reserved:world-ipv6 when IPv4 is enabled.
  test.each([[CiliumVersion.V1_16, 'allowed'], [CiliumVersion.V1_17, 'denied'], [CiliumVersion.V1_18, 'denied'], [CiliumVersion.V1_19, 'allowed']])(
    '%s: egressDeny ::/0 except ::ffff:0:0/96 beside toEntities world, 1.1.1.1 is %s', (version, expected) => {
      const set = policySet([cnp('p', { endpointSelector: WEB, egress: [{ toEntities: ['world'] }],
        egressDeny: [{ toCIDRSet: [{ cidr: '::/0', except: ['::ffff:0:0/96'] }] }] })], { ciliumVersion: version });
      const v = verdict(set, FROM, 'cidr:1.1.1.1', '443/TCP');
      expect(v.verdict).toBe(expected);
      expect(v.egress.reason).toContain(expected === 'denied' ? 'spec.egressDeny[0]' : 'spec.egress[0]');
    });

  test('1.18: the note says so', () => {
    const v = verdict(egressTo({ toCIDRSet: [{ cidr: '::/0' }] }, { ciliumVersion: CiliumVersion.V1_18 }), FROM, 'entity:world', '443/TCP');
    expect(v.egress.notes.join('\n')).toContain('toCIDRSet ::/0: Cilium 1.18 turns a /0 of either family into reserved:world in a single-stack cluster');
  });
});

describe('entity:world of a dual-stack cluster is its IPv4 world', () => {
  test('a note says when the IPv6 world is judged otherwise, and none when alike', () => {
    const v = verdict(egressTo({ toCIDR: ['::/0'] }, { ipFamilies: IpFamilies.DUAL }), FROM, 'entity:world', '443/TCP');
    expect(v.verdict).toBe('denied');
    expect(v.egress.notes.join('\n')).toContain('entity:world is the IPv4 world of this dual-stack cluster (reserved:world-ipv4); the IPv6 world '
      + '(entity:world-ipv6, reserved:world-ipv6) is judged otherwise: allowed');
    const alike = verdict(egressTo({ toEntities: ['world'] }, { ipFamilies: IpFamilies.DUAL }), FROM, 'entity:world', '443/TCP');
    expect(alike.egress.notes.join('\n')).not.toContain('IPv6 world');
    const single = verdict(egressTo({ toCIDR: ['::/0'] }, {}), FROM, 'entity:world', '443/TCP');
    expect(single.egress.notes.join('\n')).not.toContain('is judged otherwise');
  });
});

describe('IPv6-only cluster', () => {
  test.each([
    //                       0/0 ::/0 set::/0 world all cluster w-ipv4 w-ipv6
    ['entity:world', [0, 1, 1, 1, 1, 0, 0, 0]],
    ['entity:world-ipv6', [0, 1, 1, 1, 1, 0, 0, 0]],
    ['cidr:2001:db8::1', [0, 1, 1, 1, 1, 0, 0, 0]],
  ])('%s', (peer, row) => {
    expect(COLUMNS.map((r) => (allowed(r, peer, IpFamilies.IPV6) ? 1 : 0))).toEqual(row);
  });

  test('entity:world-ipv4: no packet of this cluster, refused (before: judged as an IPv4 packet)', () => {
    for (const r of COLUMNS) expect(() => allowed(r, 'entity:world-ipv4', IpFamilies.IPV6), r).toThrow(/^entity:world-ipv4 \(the IPv4 world, reserved:world-ipv4\): no such packet, this cluster runs IPv6 only/);
  });

  test('cidr:8.8.8.8: no packet of this cluster, refused', () => {
    for (const r of COLUMNS) expect(() => allowed(r, 'cidr:8.8.8.8', IpFamilies.IPV6), r).toThrow(/the IPv4 address 8.8.8.8: no such packet, this cluster runs IPv6 only/);
  });

  test('0.0.0.0/0 selects nothing here, with a note', () => {
    const set = egressTo({ toCIDR: ['0.0.0.0/0'] }, { ipFamilies: IpFamilies.IPV6 });
    const v = verdict(set, FROM, 'entity:world', '443/TCP');
    expect(v.verdict).toBe('denied');
    expect(v.egress.notes.join('\n')).toContain('toCIDR 0.0.0.0/0: the IPv4 world selects reserved:world-ipv4, which no address of an IPv6-only '
      + 'cluster has; the world of this cluster is ::/0');
  });
});

describe('world-ipv4/world-ipv6 entities (raw rules) by family', () => {
  test('single-stack: they select nothing of the world, with a note; dual-stack: their family', () => {
    const v4 = verdict(rawEgressTo({ toEntities: ['world-ipv4'] }, {}), FROM, 'entity:world', '443/TCP');
    expect(v4.verdict).toBe('denied');
    expect(v4.egress.notes.join('\n')).toContain('in an IPv4-only cluster outside addresses are reserved:world, which it does not select');
    const dual = verdict(rawEgressTo({ toEntities: ['world-ipv4'] }, { ipFamilies: IpFamilies.DUAL }), FROM, 'entity:world', '443/TCP');
    expect(dual.verdict).toBe('allowed');
    expect(dual.egress.notes.join('\n')).not.toContain('does not select');
  });
});

describe('ingress from the world', () => {
  test('fromCIDR ::/0 does not admit the IPv4 world of an IPv4-only cluster; fromCIDR 0.0.0.0/0 does', () => {
    const v6 = policySet([cnp('p', { endpointSelector: WEB, ingress: [{ fromCIDR: ['::/0'] }] })]);
    expect(v6).toDeny('entity:world', 'pod:default:app=web', '443/TCP');
    const v4 = policySet([cnp('p', { endpointSelector: WEB, ingress: [{ fromCIDR: ['0.0.0.0/0'] }] })]);
    expect(v4).toAllow('entity:world', 'pod:default:app=web', '443/TCP');
  });
});
