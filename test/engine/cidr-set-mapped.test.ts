// Cilium 1.14-1.16 read an IPv4-mapped CIDR in a CIDR set as IPv4: pkg/policy/api/cidr.go `ComputeResultantCIDRSet`
// parses each entry with net.ParseCIDR and prints each block with IPNet.String(), which writes a block inside
// ::ffff:0:0/96 as IPv4 (`::ffff:808:808/128` → `8.8.8.8/32`, `::ffff:0:0/96` → `0.0.0.0/0`); `GetAsEndpointSelectors`
// selects that text and `GetPrefixesFromCIDRSet` puts it in the ipcache. From 1.17 (cilium/cilium#35139) an entry is a
// label selector of its own prefix (netip, no Unmap): IPv6, selecting nothing. `toCIDR` never goes that way.
// Before, the engine read the entry as IPv6 on every version: an egressDeny of ::ffff:808:808/128 ALLOWED 8.8.8.8 on 1.16.
import { describe, expect, test } from 'vitest';
import { IpFamilies } from '../../src';
import { CiliumVersion } from '../../src/core/cilium-version';
import { cnp, judged, labels, policySet } from './helpers';

const WEB = 'pod:default:app=web';
const OLD = [CiliumVersion.V1_14, CiliumVersion.V1_15, CiliumVersion.V1_16];
const NEW = [CiliumVersion.V1_17, CiliumVersion.V1_19];

/** The verdicts on 443/TCP from web to each address, under a policy of `spec` on Cilium `version`. */
function verdicts(spec: Record<string, unknown>, version: CiliumVersion, to: readonly string[], ipFamilies = IpFamilies.IPV4): string[] {
  const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), ...spec })], { ciliumVersion: version, ipFamilies });
  return to.map((t) => `${t} ${judged(set, WEB, `cidr:${t}`, '443/TCP').verdict}`);
}

describe('a deny of a mapped CIDR set', () => {
  const spec = { egress: [{ toEntities: ['world'] }], egressDeny: [{ toCIDRSet: [{ cidr: '::ffff:808:808/128' }] }] };
  test.each(OLD)('%s: denies 8.8.8.8 (written as IPv4), not 8.8.4.4', (version) => {
    expect(verdicts(spec, version, ['::ffff:8.8.8.8', '8.8.8.8', '8.8.4.4'])).toEqual(['::ffff:8.8.8.8 denied', '8.8.8.8 denied', '8.8.4.4 allowed']);
    const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), ...spec })], { ciliumVersion: version });
    const v = judged(set, WEB, 'cidr:8.8.8.8', '443/TCP');
    expect(v.egress.decision).toBe('denied-by-deny-rule');
    expect(v.egress.notes.join('\n')).toContain('reads a CIDR-set entry through net.ParseCIDR and IPNet.String() (pkg/policy/api '
      + 'ComputeResultantCIDRSet), which write its IPv4-mapped part as IPv4, so it selects 8.8.8.8/32');
  });
  test.each(NEW)('%s: denies nothing (the IPv6 prefix no packet carries)', (version) => {
    expect(verdicts(spec, version, ['::ffff:8.8.8.8', '8.8.8.8'])).toEqual(['::ffff:8.8.8.8 allowed', '8.8.8.8 allowed']);
  });
});

describe('an allow of a mapped CIDR set', () => {
  test.each(OLD)('%s: ::ffff:808:808/128 allows 8.8.8.8 only; ::ffff:0:0/96 every IPv4 address', (version) => {
    const one = { egress: [{ toCIDRSet: [{ cidr: '::ffff:808:808/128' }] }] };
    expect(verdicts(one, version, ['::ffff:8.8.8.8', '8.8.8.8', '8.8.4.4'])).toEqual(['::ffff:8.8.8.8 allowed', '8.8.8.8 allowed', '8.8.4.4 denied']);
    const block = { egress: [{ toCIDRSet: [{ cidr: '::ffff:0:0/96', except: ['::ffff:a00:0/104'] }] }] };
    expect(verdicts(block, version, ['8.8.4.4', '10.1.2.3'])).toEqual(['8.8.4.4 allowed', '10.1.2.3 denied']);
  });
  test.each(NEW)('%s: selects nothing', (version) => {
    expect(verdicts({ egress: [{ toCIDRSet: [{ cidr: '::ffff:808:808/128' }] }] }, version, ['8.8.8.8'])).toEqual(['8.8.8.8 denied']);
    expect(verdicts({ egress: [{ toCIDRSet: [{ cidr: '::ffff:0:0/96' }] }] }, version, ['8.8.4.4'])).toEqual(['8.8.4.4 denied']);
  });
  test.each([...OLD, ...NEW])('%s: toCIDR ::ffff:808:808/128 selects nothing (never through ComputeResultantCIDRSet)', (version) => {
    expect(verdicts({ egress: [{ toCIDR: ['::ffff:808:808/128'] }] }, version, ['8.8.8.8'])).toEqual(['8.8.8.8 denied']);
  });
});

// RemoveCIDRs cuts ::/0 along the path to the hole: the blocks inside ::ffff:0:0/96 print as IPv4 on 1.14-1.16.
describe('a mapped hole in an IPv6 CIDR set (dual stack)', () => {
  const spec = { egress: [{ toCIDRSet: [{ cidr: '::/0', except: ['::ffff:808:808/128'] }] }] };
  test.each(OLD)('%s: every IPv4 address but 8.8.8.8, and IPv6', (version) => {
    expect(verdicts(spec, version, ['8.8.4.4', '8.8.8.8', '2001:db8::1'], IpFamilies.DUAL)).toEqual(['8.8.4.4 allowed', '8.8.8.8 denied', '2001:db8::1 allowed']);
  });
  test.each(NEW)('%s: IPv6 only', (version) => {
    expect(verdicts(spec, version, ['8.8.4.4', '2001:db8::1'], IpFamilies.DUAL)).toEqual(['8.8.4.4 denied', '2001:db8::1 allowed']);
  });
});
