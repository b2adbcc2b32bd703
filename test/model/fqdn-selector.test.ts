// What one toFQDNs / rules.dns selector matches (src/model/fqdn-pattern.ts, `compileFqdnSelector`): names compared
// lower-case and fully qualified, patterns per Cilium's matchpattern, hostile non-string values matching nothing, and the
// shared compiled matchers never confusing a name with a pattern or one Cilium version's `**.` with the other's.
import { describe, expect, test } from 'vitest';
import {
  addressShapedNameProblem, canonicalDnsName, compileFqdnSelector, fqdnPatternMatches, PublicSuffixSource, publicSuffixReason, registrableWildcard,
  registrableWildcardExample,
} from '../../src/model/fqdn-pattern';
import { FqdnSelectorModel } from '../../src/model/policy-model';

const matches = (selector: FqdnSelectorModel, name: string, v119 = true): boolean => compileFqdnSelector(selector, v119).matches(name);

describe('matchName', () => {
  test('is one exact name, compared lower-case and fully qualified', () => {
    const sel = { matchName: 'API.Example.com' };
    expect(['api.example.com', 'api.example.com.', 'API.EXAMPLE.COM', ' api.example.com ']
      .map((n) => matches(sel, n))).toEqual([true, true, true, true]);
    expect(['example.com', 'x.api.example.com', 'api.example.co', 'api.example.com.x', 'apixexample.com']
      .map((n) => matches(sel, n))).toEqual([false, false, false, false, false]);
    expect(matches({ matchName: 'api.example.com.' }, 'api.example.com')).toBe(true);
  });

  test('a * in a matchName is a literal character, not a wildcard; the name wins over a pattern beside it', () => {
    expect(matches({ matchName: '*.example.com' }, 'api.example.com')).toBe(false);
    expect(matches({ matchName: '*.example.com' }, '*.example.com')).toBe(true);
    expect(matches({ matchName: 'a.example.com', matchPattern: '*' }, 'b.example.com')).toBe(false);
    expect(matches({ matchName: 'a.example.com', matchPattern: '*' }, 'a.example.com')).toBe(true);
  });

  test('the text names the selector as written, for explanations', () => {
    expect(compileFqdnSelector({ matchName: 'A.io' }, true).text).toBe('matchName: A.io');
    expect(compileFqdnSelector({ matchPattern: '*.io' }, true).text).toBe('matchPattern: *.io');
    expect(compileFqdnSelector({}, true).text).toBe('an empty FQDN selector');
  });
});

describe('selectors that match nothing (fail closed)', () => {
  test('an empty selector matches no name, not even the root', () => {
    for (const name of ['a.io', '.', '', 'x']) expect(matches({}, name)).toBe(false);
  });

  test('a matchName or matchPattern that is not a string (hostile input read from an object) matches nothing', () => {
    const hostile = [{ matchName: 7 }, { matchName: ['a.io'] }, { matchPattern: 7 }, { matchPattern: { x: '*' } }, { matchName: null, matchPattern: '*' }];
    for (const sel of hostile) {
      for (const name of ['a.io', '7', '.']) expect(matches(sel as unknown as FqdnSelectorModel, name), JSON.stringify(sel)).toBe(false);
    }
    // Not cached under the key of a string selector: a later string selector with the same text still matches.
    expect(matches({ matchPattern: 77 } as unknown as FqdnSelectorModel, '77')).toBe(false);
    expect(matches({ matchPattern: '77' }, '77')).toBe(true);
    expect(matches({ matchPattern: '*' }, 'a.io')).toBe(true);
    expect(matches({ matchName: '7' }, '7')).toBe(true);
    // Nor is the empty selector: a pattern spelt "undefined" is a name like any other.
    expect(matches({}, 'undefined')).toBe(false);
    expect(matches({ matchPattern: 'undefined' }, 'undefined')).toBe(true);
  });
});

describe('shared compiled matchers', () => {
  test('a name and a pattern with the same text are different selectors, in either order', () => {
    expect(matches({ matchName: '*.b.io' }, 'a.b.io')).toBe(false);
    expect(matches({ matchPattern: '*.b.io' }, 'a.b.io')).toBe(true);
    expect(matches({ matchName: '*.b.io' }, 'a.b.io')).toBe(false);
    expect(matches({ matchPattern: '*.c.io' }, 'a.c.io')).toBe(true);
    expect(matches({ matchName: '*.c.io' }, 'a.c.io')).toBe(false);
  });

  test('**. keeps the meaning of the Cilium version it was compiled for, in either order', () => {
    expect(matches({ matchPattern: '**.d.io' }, 'x.y.d.io', true)).toBe(true);
    expect(matches({ matchPattern: '**.d.io' }, 'x.y.d.io', false)).toBe(false);
    expect(matches({ matchPattern: '**.d.io' }, 'x.y.d.io', true)).toBe(true);
    expect(matches({ matchPattern: '**.e.io' }, 'x.y.e.io', false)).toBe(false);
    expect(matches({ matchPattern: '**.e.io' }, 'x.y.e.io', true)).toBe(true);
  });

  test('equal selectors share one frozen matcher', () => {
    const a = compileFqdnSelector({ matchPattern: '*.share.io' }, true);
    expect(compileFqdnSelector({ matchPattern: '*.share.io' }, true)).toBe(a);
    expect(compileFqdnSelector({ matchPattern: '*.share.io' }, false)).not.toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('matchPattern edges (Cilium pkg/fqdn/matchpattern)', () => {
  const m = (pattern: string, name: string, v119 = true): boolean => fqdnPatternMatches(pattern, name, v119);

  test('patterns made only of stars match every well-formed name and the root, nothing malformed', () => {
    for (const p of ['*', '**', '***', '*.', '**.', ' * ']) {
      expect([m(p, 'a.io'), m(p, 'a-b_c.d0.io'), m(p, '.'), m(p, '')], p).toEqual([true, true, true, true]);
      expect([m(p, 'a..io'), m(p, 'a!.io'), m(p, '.a.io'), m(p, 'a b.io')], p).toEqual([false, false, false, false]);
    }
  });

  test('before 1.19 only `*` itself matches every name: `**`, `***`, `*.`, `**.` are one-label patterns (ToAnchoredRegexp)', () => {
    // Cilium 1.14-1.18 special-case `pattern == "*"` alone; `*.` compiles to ^[-a-zA-Z0-9_]*[.]$ (PR #43420 added isDNSWildcard in 1.19).
    expect([m('*', 'a.io', false), m(' * ', 'b.a.io', false)]).toEqual([true, true]);
    for (const p of ['**', '***', '*.', '**.']) {
      expect([m(p, 'a.io', false), m(p, 'evil.example.org', false)], p).toEqual([false, false]);
      expect([m(p, 'localhost', false), m(p, 'com.', false), m(p, '.', false)], p).toEqual([true, true, true]);
      expect([m(p, 'a.io', true), m(p, 'evil.example.org', true)], p).toEqual([true, true]);
    }
  });

  test('a star is DNS characters within one label, at either end or in the middle', () => {
    expect(['api.io', 'xapi.io', 'x-_9api.io'].map((n) => m('*api.io', n))).toEqual([true, true, true]);
    expect(['apx.io', 'x.api.io', 'x!api.io', 'apix.io'].map((n) => m('*api.io', n))).toEqual([false, false, false, false]);
    expect(['api.io', 'apix.io', 'api-1.io'].map((n) => m('api*.io', n))).toEqual([true, true, true]);
    expect(['ap.io', 'api.x.io', 'api!.io'].map((n) => m('api*.io', n))).toEqual([false, false, false]);
    expect(['ab.io', 'a1b.io', 'axxb.io'].map((n) => m('a*b.io', n))).toEqual([true, true, true]);
    expect(['a.io', 'b.io', 'a!b.io', 'abx.io', 'xab.io'].map((n) => m('a*b.io', n))).toEqual([false, false, false, false, false]);
  });

  test('a star is exactly the DNS characters: lower-case letters a-z, digits 0-9, - and _', () => {
    expect(['a.io', 'z.io', '0.io', '9.io', '-.io', '_.io', 'az09-_.io'].map((n) => m('*.io', n))).toEqual(Array(7).fill(true));
    // The characters just outside each range: / and : around the digits, ` and { around the letters, and others.
    expect(['a/b.io', 'a:b.io', 'a@b.io', 'a`b.io', 'a{b.io', 'a~b.io', 'a^b.io', 'a,b.io'].map((n) => m('*.io', n))).toEqual(Array(8).fill(false));
    expect(['a/b.io', 'a:b.io', 'a{b.io', 'a`b.io'].map((n) => m('x*.io', `x${n.slice(1)}`))).toEqual(Array(4).fill(false));
  });

  test('several stars in one label: the pieces in order, with DNS characters between them', () => {
    expect(['abc.io', 'a1b2c.io', 'a-bc.io', 'abxc.io'].map((n) => m('a*b*c.io', n))).toEqual([true, true, true, true]);
    expect(['acb.io', 'ab.io', 'a!bc.io', 'ab!c.io', 'abcx.io', 'bc.io'].map((n) => m('a*b*c.io', n))).toEqual([false, false, false, false, false, false]);
    expect(['xaybz.io', 'ab.io', 'aab.io'].map((n) => m('*a*b*.io', n))).toEqual([true, true, true]);
    expect(['ba.io', 'a.io', 'a!b.io'].map((n) => m('*a*b*.io', n))).toEqual([false, false, false]);
    // A piece that only fits over the tail is not found: "aba" has no "b" between head "a" and tail "a" with room.
    expect(m('a*b*a.io', 'aba.io')).toBe(true);
    expect(m('a*b*a.io', 'aa.io')).toBe(false);
    expect(m('ab*ba.io', 'aba.io')).toBe(false);
    expect(m('ab*ba.io', 'abba.io')).toBe(true);
    // A middle piece may not run into the tail.
    expect(m('a*b*b.io', 'ab.io')).toBe(false);
    expect(m('a*b*b.io', 'abb.io')).toBe(true);
  });

  test('**. is one or more whole labels from 1.19 (never zero, never an empty or non-DNS label)', () => {
    expect(['a.d.io', 'b.a.d.io', 'x-1.y_2.d.io'].map((n) => m('**.d.io', n))).toEqual([true, true, true]);
    expect(['d.io', '.d.io', 'a..d.io', 'a!.d.io', 'a.x.io'].map((n) => m('**.d.io', n))).toEqual([false, false, false, false, false]);
    expect(m('***.d.io', 'b.a.d.io')).toBe(true);
    // The labels after **. are compared as written, even an empty one (Cilium's regex: (labels)[.][.]io[.]).
    expect(m('**..io', 'a..io')).toBe(true);
    expect(m('**.*.d.io', 'c.b.a.d.io')).toBe(true);
    expect(m('**.*.d.io', 'a.d.io')).toBe(false);
    // Before 1.19, **. is *. (one label's worth of characters).
    expect(['a.d.io', 'd.io', 'b.a.d.io'].map((n) => m('**.d.io', n, false))).toEqual([true, false, false]);
    expect(m('**.d.io', '.d.io', false)).toBe(true);
    // ** not followed by a dot is a plain star in both versions.
    expect(m('**d.io', 'xd.io')).toBe(true);
    expect(m('**d.io', 'x.d.io')).toBe(false);
  });

  test('names and patterns are compared lower-case and fully qualified', () => {
    expect(m('*.EXAMPLE.com', 'Api.Example.COM.')).toBe(true);
    expect(m(' *.example.com. ', 'api.example.com')).toBe(true);
    expect(m('example.com', 'example.com.x')).toBe(false);
    expect(m('example.com', 'example.com..')).toBe(false);
    expect(canonicalDnsName(' Api.IO ')).toBe('api.io.');
    expect(canonicalDnsName('api.io.')).toBe('api.io.');
  });
});

describe('the fix of an address-shaped toFQDNs selector names a CIDR only for whole octets then whole "*" labels', () => {
  // `10.*.0.1` and `*.0.0.1` are no network: suggesting 10.0.0.0/8 or 0.0.0.0/0 would allow far more than the pattern meant.
  test.each(['10.*.0.1', '*.0.0.1', '10.0.*.1'])('%s: no CIDR suggested', (text) => {
    expect(addressShapedNameProblem('toFQDNs matchPattern', text, 'policy')?.fix)
      .toBe('allow the addresses with toCIDR / toCIDRSet with the network (<network>/<bits>); for a DNS name, write the name');
  });
  test('10.0.*.*: toCIDR 10.0.0.0/16', () => {
    expect(addressShapedNameProblem('toFQDNs matchPattern', '10.0.*.*', 'policy')?.fix).toBe('allow the addresses with toCIDR: [10.0.0.0/16]; for a DNS name, write the name');
  });
});

// Cilium's matchpattern accepts any of these (prevalidate checks only the characters and the length) and compiles `*` to
// `[-a-zA-Z0-9_]*` inside one label: a wildcard in the registrable part matches names anyone may register.
describe('wildcards in the registrable part of a name (what they match, and registrableWildcardExample)', () => {
  const m = (pattern: string, name: string, v119 = true): boolean => fqdnPatternMatches(pattern, name, v119);

  test('truth table: allowed and denied names, in both pattern dialects', () => {
    for (const v119 of [false, true]) {
      expect(['example.com', 'badexample.com', 'x-example.com'].map((n) => m('*example.com', n, v119))).toEqual([true, true, true]);
      expect(['a.example.com', 'example.org', 'example.com.evil.io'].map((n) => m('*example.com', n, v119))).toEqual([false, false, false]);
      expect(['example.com', 'evil.com'].map((n) => m('*.com', n, v119))).toEqual([true, true]);
      expect(['com', 'a.b.com', 'example.org'].map((n) => m('*.com', n, v119))).toEqual([false, false, false]);
      expect(['ab.example.com', 'axyzb.example.com'].map((n) => m('a*b.example.com', n, v119))).toEqual([true, true]);
      expect(['ab.evil.com', 'a.b.example.com', 'ba.example.com'].map((n) => m('a*b.example.com', n, v119))).toEqual([false, false, false]);
    }
    // `**.` is one or more labels from 1.19, a one-label star before.
    expect(['a.example.com', 'b.a.example.com', 'example.com'].map((n) => m('**.example.com', n, true))).toEqual([true, true, false]);
    expect(['a.example.com', 'b.a.example.com', 'example.com'].map((n) => m('**.example.com', n, false))).toEqual([true, false, false]);
    expect(['a.com', 'b.a.com', 'com'].map((n) => m('**.com', n, true))).toEqual([true, true, false]);
  });

  test('flags a star in the top-level domain or the label below it (or below a country public suffix), naming a name it matches', () => {
    const cases: [string, string | undefined][] = [
      ['*example.com', 'xexample.com'], ['*.com', 'x.com'], ['**.com', 'x.com'], ['example.*', 'example.x'], ['a*.com.', 'ax.com'],
      ['*.co.uk', 'x.co.uk'], ['x.*.com', 'x.x.com'], ['*.*', 'x.x'],
      // Session 55 (a mutant of registrableWildcard): each run of `*`s is one `x`, inside a label too, as the matcher reads a run.
      ['a**.com', 'ax.com'], ['a**b*.com', 'axbx.com'],
      ['*.example.com', undefined], ['**.example.com', undefined], ['a*b.example.com', undefined], ['*.example.co.uk', undefined],
      ['*.internal', undefined], ['*.svc.cluster.local', undefined], ['*', undefined], ['**.', undefined], ['10.0.0.*', undefined],
      ['api.example.com', undefined],
      // Reserved or never-delegated top-level domains (RFC 9476, RFC 7686, ICANN 2018); `lan` and `localdomain` are not reserved.
      ['*.alt', undefined], ['*.onion', undefined], ['*.corp', undefined], ['*.home', undefined], ['*.mail', undefined],
      ['*.lan', 'x.lan'], ['*.localdomain', 'x.localdomain'],
    ];
    for (const [pattern, example] of cases) {
      expect(registrableWildcardExample(pattern), pattern).toBe(example);
      if (example !== undefined) expect(m(pattern, example), pattern).toBe(true);
    }
    expect(registrableWildcardExample(7 as unknown as string)).toBeUndefined();
  });

  // The Public Suffix List (tldts, with its private section): a name anyone can create under github.io or herokuapp.com is
  // as much anyone's as one under com; a wildcard one label below the suffix stays in someone's own domain.
  test('Public Suffix List truth table: ICANN, private and 3-level suffixes, wildcard and exception rules', () => {
    const refused: [string, string, PublicSuffixSource, boolean][] = [
      ['*.github.io', 'github.io', 'private', false], ['*.herokuapp.com', 'herokuapp.com', 'private', false],
      ['*.s3.amazonaws.com', 's3.amazonaws.com', 'private', false], ['*.blogspot.com', 'blogspot.com', 'private', false],
      ['*.azurewebsites.net', 'azurewebsites.net', 'private', false], ['*.appspot.com', 'appspot.com', 'private', false],
      ['*.cloudfront.net', 'cloudfront.net', 'private', false], ['*.pages.dev', 'pages.dev', 'private', false],
      ['*.vercel.app', 'vercel.app', 'private', false], ['*.netlify.app', 'netlify.app', 'private', false],
      ['**.github.io', 'github.io', 'private', false], ['api-*.github.io', 'github.io', 'private', false],
      ['*.com.br', 'com.br', 'icann', false], ['*.k12.ak.us', 'k12.ak.us', 'icann', false], ['*.co.uk', 'co.uk', 'icann', false],
      ['*.com', 'com', 'icann', false], ['*.co.de', 'co.de', 'private', false], ['*.lan', 'lan', 'default', false],
      // PSL wildcard rules: every label under kawasaki.jp and ck is a suffix of its own (`*.kawasaki.jp`, `*.ck`).
      ['*.kawasaki.jp', 'x.kawasaki.jp', 'icann', true], ['*.ck', 'x.ck', 'icann', true], ['example.*', 'x', 'default', true],
    ];
    for (const [pattern, suffix, source, inSuffix] of refused) {
      const found = registrableWildcard(pattern);
      expect(found, pattern).toEqual({ example: pattern.replace(/^\*\*\./, '*.').replace(/\*+/g, 'x'), suffix, source, inSuffix });
      expect(m(pattern, found!.example), pattern).toBe(true);
    }
    expect(publicSuffixReason(registrableWildcard('*.github.io')!))
      .toBe("github.io is a public suffix in the Public Suffix List's private section, under which anyone can create a name");
    expect(publicSuffixReason(registrableWildcard('*.kawasaki.jp')!)).toBe('its "*" stands in the public suffix itself (such as x.kawasaki.jp, '
      + "a public suffix in the Public Suffix List's ICANN section), under which anyone can create a name");
    expect(publicSuffixReason(registrableWildcard('*.lan')!))
      .toBe("lan is a top-level domain by the Public Suffix List's default rule, under which anyone can create a name");
    // Kept: wildcards below a registrable domain, under a PSL exception (`!city.kawasaki.jp`, `!www.ck`), under a private
    // top-level domain; and second levels of a two-letter TLD that are no public suffix there (net.de, org.ch: one holder).
    for (const pattern of ['*.myorg.github.io', '**.myorg.github.io', '*.example.co.uk', '*.example.com', 'api-*.example.com', '*.app.herokuapp.com',
      '*.bucket.s3.amazonaws.com', '*.school.k12.ak.us', '*.city.kawasaki.jp', '*.www.ck', '*.example.com.br', '*.internal', '*.svc.cluster.local',
      '*.net.de', '*.org.ch', '*.nic.de']) {
      expect(registrableWildcard(pattern), pattern).toBeUndefined();
    }
  });
});
