import { CiliumPolicyError } from '../core/errors';
import { addressShapedCidr, addressShapedDnsName, versionDependentWildcard } from '../model/fqdn-pattern';

/**
 * Refuses a DNS pattern of only `*`s other than `*` (`**`, `*.`, `**.`), whose meaning changes with the Cilium version:
 * every name from 1.19 (`isDNSWildcard`), one-label names only before (`ToAnchoredRegexp` special-cases `*` alone). The
 * portable spelling of "every name" is `*`.
 * @param pattern the pattern given
 * @param factory what got it, e.g. `Peer.fqdnPattern` or `FqdnEgress fqdns`
 * @param location where it was called from
 */
export function checkFqdnWildcard(pattern: string, factory: string, location: string | undefined): void {
  if (typeof pattern !== 'string' || !versionDependentWildcard(pattern)) return;
  throw new CiliumPolicyError({
    id: 'fqdn-pattern-version-dependent',
    message: `${factory} ${JSON.stringify(pattern)}: a pattern of only "*" matches every name from Cilium 1.19, but one-label names `
      + '(such as "com.") before, so what it allows depends on the cluster\'s version',
    fix: 'write "*" for every name, or a pattern with a domain such as "*.example.com"',
    ...(location !== undefined ? { location } : {}),
  });
}

/**
 * Refuses an IPv4 address or range written as a DNS name (`fqdn-ip-address`): `10.0.0.1`, `10.0.0.*` (`addressShapedDnsName`).
 * Cilium matches `toFQDNs` and DNS rules against the names pods look up, never against addresses: an address allows
 * nothing, and a pattern allows the DNS names it matches (`10.0.0.io`), which anyone may register.
 * @param text the name or pattern given
 * @param factory what got it, e.g. `Peer.fqdn` or `FqdnEgress fqdns entry`
 * @param location where it was called from
 */
export function checkFqdnNotAddress(text: string, factory: string, location: string | undefined): void {
  if (typeof text !== 'string' || !addressShapedDnsName(text)) return;
  const pattern = text.includes('*');
  const cidr = addressShapedCidr(text);
  throw new CiliumPolicyError({
    id: 'fqdn-ip-address',
    message: `${factory} ${JSON.stringify(text)} is an IP address${pattern ? ' range' : ''} written as a DNS name: Cilium matches it against the names `
      + 'pods look up, never against addresses, so it would '
      + (pattern ? 'allow the DNS names it matches (10.0.0.* matches 10.0.0.io, a name anyone may register), not those addresses'
        : 'allow no connection to that address (no resolver looks an address up)'),
    fix: `allow the address${pattern ? 'es' : ''} with a CIDR peer: Peer.cidr('${cidr ?? '10.0.0.0/24'}'); for a DNS name, write the name`,
    ...(location !== undefined ? { location } : {}),
  });
}
