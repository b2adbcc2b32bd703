import { CiliumPolicyError, showValue } from '../core/errors';
import { locationField, RefusalLocation } from './caller-location';
import { addressShapedNameProblem, ownDomainExample, publicSuffixReason, registrableWildcard, shownName, versionDependentWildcard } from '../model/fqdn-pattern';
import { describeValue } from '../model/plain-value';
import { isDns1123Label } from '../validate/syntax';
import { fqdnSyntaxProblem } from '../validate/schema-rules';

/**
 * Refuses a DNS pattern of only `*`s other than `*` (`**`, `*.`, `**.`), whose meaning changes with the Cilium version:
 * every name from 1.19 (`isDNSWildcard`), one-label names only before (`ToAnchoredRegexp` special-cases `*` alone). The
 * portable spelling of "every name" is `*`.
 * @param pattern the pattern given
 * @param factory what got it, e.g. `Peer.fqdnPattern` or `FqdnEgress fqdns`
 * @param location where it was called from (or `callerLocation`, read only for a refusal)
 */
export function checkFqdnWildcard(pattern: string, factory: string, location: RefusalLocation): void {
  if (typeof pattern !== 'string' || !versionDependentWildcard(pattern)) return;
  throw new CiliumPolicyError({
    id: 'fqdn-pattern-version-dependent',
    message: `${factory} ${JSON.stringify(pattern)}: a pattern of only "*" matches every name from Cilium 1.19, but one-label names `
      + '(such as "com.") before, so what it allows depends on the cluster\'s version',
    fix: 'write "*" for every name, or a pattern with a domain such as "*.example.com"',
    ...locationField(location),
  });
}

/**
 * Refuses an IPv4 address or range written as a `toFQDNs` name (`fqdn-ip-address`): `10.0.0.1`, `10.0.0.*`
 * (`addressShapedDnsName`; wording: `addressShapedNameProblem`). `toFQDNs` selects the addresses of looked-up names, never an
 * address written as a name: an address allows nothing, and a pattern may allow names (`10.0.0.io`) anyone may register. DNS
 * rules are not checked: there such a name lets exactly that lookup through.
 * @param text the name or pattern given
 * @param factory what got it, e.g. `Peer.fqdn` or `FqdnEgress fqdns entry`
 * @param location where it was called from (or `callerLocation`, read only for a refusal)
 */
export function checkFqdnNotAddress(text: string, factory: string, location: RefusalLocation): void {
  const problem = addressShapedNameProblem(factory, text, 'construct');
  if (problem === undefined) return;
  throw new CiliumPolicyError({ id: 'fqdn-ip-address', ...problem, ...locationField(location) });
}

/**
 * Refuses a DNS pattern with a `*` in the registrable part of the name (`fqdn-pattern-registrable`,
 * `registrableWildcard`, by the Public Suffix List with its private section): `*.com` matches every `.com` name, `*example.com`
 * matches `badexample.com`, `example.*` every top-level domain, `*.github.io` every GitHub Pages site — names anyone may
 * register or create and point at any address. The wildcard belongs below a domain the author controls (`*.example.com`,
 * `*.example.github.io`); `*` alone, every name, stays allowed (it says so). No opt-out: a name under a top-level domain not
 * reserved for private use is listed name by name. The one
 * rule of destinations (`toFQDNs`: `Peer.fqdnPattern`, `FqdnEgress` fqdns) and of the lookups an L7 DNS rule lets through
 * (`DnsRule.pattern`, `use: 'lookup'`), where such a pattern lets the pods look up names under a domain anyone may hold
 * (`**.com`, `*.*.com`: `data.attacker.com`), whose own DNS server then reads each lookup: a channel out of the cluster.
 * @param pattern the pattern given
 * @param factory what got it, e.g. `Peer.fqdnPattern` or `FqdnEgress fqdns entry`
 * @param location where it was called from (or `callerLocation`, read only for a refusal)
 * @param use what the pattern selects: the addresses of the names (`destination`, the default) or the lookups themselves (`lookup`)
 */
export function checkFqdnRegistrable(pattern: string, factory: string, location: RefusalLocation, use: 'destination' | 'lookup' = 'destination'): void {
  const found = registrableWildcard(pattern);
  if (found === undefined) return;
  const p = pattern.trim();
  // The domain hint only when the text after the `*` starts with a whole DNS label (`*example.com`, not `*-api.com`).
  const domain = /^\*[^.*]+\.[^*]+$/.test(p) && isDns1123Label(p.slice(1).split('.')[0].toLowerCase()) ? p.slice(1) : undefined;
  throw new CiliumPolicyError({
    id: 'fqdn-pattern-registrable',
    message: `${factory} ${showValue(pattern)} has a "*" in the registrable part of the name: it would match names such as ${shownName(found.example)}, which `
      + (use === 'lookup'
        ? 'anyone may register: the pods could look up names under a domain of anyone\'s, whose DNS server reads each lookup (a channel out of the cluster)'
        : 'anyone may register and point at any address')
      + `; ${publicSuffixReason(found)}`,
    fix: domain !== undefined
      ? `write "*.${shownName(domain)}" for the subdomains of ${shownName(domain)} (and the name ${shownName(domain)} itself as a name, `
        + `${use === 'lookup' ? 'DnsRule.exact' : 'Peer.fqdn'}), `
        + 'or list the names'
      : `put the wildcard below a domain you control, such as "*.${ownDomainExample(found)}", or list the names; there is no opt-out: `
        + 'only reserved top-level domains (such as internal, corp, home, test) count as private',
    ...locationField(location),
  });
}

/**
 * Refuses names and patterns the CRD pattern of every Cilium version refuses (`fqdn-syntax`, `fqdnSyntaxProblem`: a URL,
 * `host:port`, a space), at the call or prop that wrote them, every bad entry of the list in one refusal. Before, synthesis
 * found each one twice, at the output fields: in `toFQDNs` and in the DNS rule a construct derives from it (`crd-fqdn-syntax`).
 * A value that is no string (`undefined`, `null`, a number from plain JavaScript or a computed name) is refused too: it was
 * written as `matchName: null`, or left out (`{}`), and `DnsRule.exact(undefined)` was a DNS rule of no name. A blank name
 * (`''`, `'  '`) is this refusal too, wherever it is given (`Peer.fqdn('')`, `DnsRule.exact('')`, an entry of `FqdnEgress`
 * fqdns, which was `fqdn-egress-empty` with words of its own): it names no DNS name, and the CRD's pattern refuses it.
 * @param entries the names or patterns, each with where it was written (`fqdns[0]`, or `''` for a single value), and the field
 * it goes to (`matchName` for `DnsRule.exact`, which takes no `*`); default: `matchPattern` when it has a `*`, else `matchName`
 * @param factory what got them, e.g. `Peer.fqdn` or `FqdnEgress`
 * @param location where it was called from (or `callerLocation`, read only for a refusal)
 */
export function checkFqdnSyntax(entries: readonly { text: string; at: string; field?: 'matchName' | 'matchPattern' }[], factory: string,
  location: RefusalLocation): void {
  const bad = entries.flatMap(({ text, at, field }) => {
    const problem = typeof text !== 'string'
      ? { message: `is ${describeValue(text)}, not a string`, fix: "write the name as a string, such as 'api.example.com'" }
      : text.trim() === '' ? { message: 'is blank, no DNS name', fix: 'write the name meant (a blank entry of a list: remove it)' }
        : fqdnSyntaxProblem(field ?? (text.includes('*') ? 'matchPattern' : 'matchName'), text);
    return problem === undefined ? [] : [{ at, text, problem }];
  });
  if (bad.length === 0) return;
  const name = (b: typeof bad[number]): string => `${factory}${b.at === '' ? '' : ` ${b.at}`}${typeof b.text === 'string' ? ` ${JSON.stringify(b.text)}` : ''}`;
  throw new CiliumPolicyError({
    id: 'fqdn-syntax',
    message: `${bad.map((b) => `${name(b)} ${b.problem.message}`).join('; ')}: no Cilium version accepts it (the CRD pattern of matchName and matchPattern)`,
    fix: bad.length === 1 ? bad[0].problem.fix : bad.map((b) => `${b.at}: ${b.problem.fix}`).join('; '),
    ...locationField(location),
  });
}
