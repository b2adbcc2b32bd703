// DNS rules are checked at the call (session 47), as `Peer.fqdn()`, `Peer.fqdnPattern()` and `FqdnEgress` fqdns are: with the
// one check (`checkFqdnSyntax` over `fqdnSyntaxProblem`, the CRD pattern of `FQDNSelector` in pkg/policy/api/fqdn.go,
// 1.14-1.19). `DnsRule.exact('')`, a URL, `host:port`, a name with a `*` or surrounding spaces were written as given, and
// `DnsRule.exact(undefined)` as a DNS rule of no name (`{}`), found at synthesis if at all. A value that is no string is
// refused by every factory of that check, the peers too.
import { describe, expect, test } from 'vitest';
import { CiliumPolicy, DnsRule, EndpointSelector, L7, Peer, Port } from '../../src';
import { thrown } from '../support/errors';
import { chart } from '../support/synth';
import { verdictOf } from '../support/construct-verdicts';

const BAD_NAMES: [string, unknown][] = [
  ['empty', ''], ['a bare *', '*'], ['a URL', 'https://api.example.com'], ['host:port', 'api.example.com:443'],
  ['a path', 'api.example.com/v1'], ['spaces around it', ' api.example.com'], ['two dots', 'api..example.com'],
  ['undefined', undefined], ['null', null], ['a number', 443],
];
const BAD_PATTERNS: [string, unknown][] = [
  ['empty', ''], ['a URL', 'https://*.example.com'], ['host:port', '*.example.com:443'], ['trailing garbage', '*.example.com/x'],
  ['spaces around it', '*.example.com '], ['undefined', undefined], ['null', null],
];

describe('DnsRule.exact() and DnsRule.pattern() refuse what no Cilium version accepts, at the call', () => {
  test.each(BAD_NAMES)('DnsRule.exact(%s) is refused (fqdn-syntax) at the caller\'s line', (_, name) => {
    const e = thrown(() => DnsRule.exact(name as string));
    expect(e.id).toBe('fqdn-syntax');
    expect(e.message).toMatch(/^\S+ DnsRule\.exact /);
    expect(e.location).toMatch(/^test\/constructs\/dns-rule-syntax\.test\.ts:\d+$/);
  });

  test.each(BAD_PATTERNS)('DnsRule.pattern(%s) is refused (fqdn-syntax) at the caller\'s line', (_, pattern) => {
    const e = thrown(() => DnsRule.pattern(pattern as string));
    expect(e.id).toBe('fqdn-syntax');
    expect(e.location).toMatch(/^test\/constructs\/dns-rule-syntax\.test\.ts:\d+$/);
  });

  test('a value that is no string is named as such, and the fix asks for the name as text', () => {
    const e = thrown(() => DnsRule.exact(undefined as unknown as string));
    expect(e.message).toContain('DnsRule.exact is undefined, not a string');
    expect(e.fix).toBe("write the name as a string, such as 'api.example.com'");
    expect(thrown(() => Peer.fqdn(null as unknown as string)).message).toContain('Peer.fqdn is null, not a string');
    expect(thrown(() => Peer.fqdnPattern(undefined as unknown as string)).message).toContain('Peer.fqdnPattern is undefined, not a string');
  });

  test('the names and patterns meant are accepted, and the DNS proxy lets exactly their lookups through', () => {
    const c = chart('shop');
    const dns = L7.dns(DnsRule.exact('api.example.com'), DnsRule.pattern('*.cdn.example.com'));
    new CiliumPolicy(c, 'p', { endpointSelector: EndpointSelector.labels({ app: 'a' }) })
      .allowEgress(Peer.kubeDns(), { ports: [Port.udp(53)], l7: dns });
    const lookup = (name: string): string => verdictOf(c, 'pod:shop:app=a', 'pod:kube-system:k8s-app=kube-dns', '53/UDP', { dns: name });
    expect(lookup('api.example.com')).toBe('allowed');
    expect(lookup('img.cdn.example.com')).toBe('allowed');
    expect(lookup('evil.example.com')).toBe('l7-denied');
    expect(DnsRule.pattern('*')._toModel()).toEqual({ matchPattern: '*' });
  });
});
