import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ciliumExtendedKey,
  goParseUint,
  isIanaSvcName,
  isQualifiedName,
  parseCidrApiServer,
  parsePrefixStrict,
  prefixContains,
  readPort,
} from '../../src/validate/syntax';
import { re2Error } from '../../src/model/re2';
import { CRD_PATTERNS, SAFE } from '../../src/validate/tables';

describe('goParseUint (strconv.ParseUint(s, 0, 16))', () => {
  it.each([
    ['80', 80, 10], ['0', 0, 8], ['010', 8, 8], ['0x50', 80, 16], ['0o17', 15, 8], ['0b101', 5, 2], ['1_000', 1000, 10], ['65535', 65535, 10],
  ])('%s is %d (base %d)', (s, value, base) => {
    expect(goParseUint(s, 16)).toEqual({ ok: true, value, base });
  });

  it.each([['65536', 'range'], ['', 'syntax'], ['08', 'syntax'], ['1__0', 'syntax'], ['_1', 'syntax'], ['1_', 'syntax'], ['8a', 'syntax'], ['-1', 'syntax']])(
    '%s fails (%s)', (s, reason) => {
      expect(goParseUint(s, 16)).toEqual({ ok: false, reason });
    });
});

describe('readPort (the agent)', () => {
  it('reads IANA service names first, lower-cased', () => {
    expect(readPort('HTTP')).toEqual({ kind: 'named', name: 'http' });
    expect(readPort('0x50')).toEqual({ kind: 'named', name: '0x50' });
    expect(readPort('http-8080')).toEqual({ kind: 'named', name: 'http-8080' });
  });

  it('then numbers, then gives up', () => {
    expect(readPort('8080')).toEqual({ kind: 'number', value: 8080, base: 10 });
    expect(readPort('a--b')).toEqual({ kind: 'invalid', reason: 'syntax' });
    expect(readPort('x'.repeat(16))).toEqual({ kind: 'invalid', reason: 'syntax' });
    expect(readPort('')).toEqual({ kind: 'empty' });
  });

  it('service names: 1-15 characters, a letter, no double or edge dashes', () => {
    expect(['a', 'http', 'h2c', 'x-1'].every(isIanaSvcName)).toBe(true);
    expect(['', '80', '-a', 'a-', 'a--b', 'a_b', 'abcdefghijklmnop'].some(isIanaSvcName)).toBe(false);
  });
});

describe('CIDR parsers', () => {
  it('the API server (ParseCIDRSloppy) needs a prefix length and tolerates leading zeros', () => {
    expect(parseCidrApiServer('10.0.0.0/8')?.bits).toBe(8);
    expect(parseCidrApiServer('010.0.0.0/08')?.bits).toBe(8);
    expect(parseCidrApiServer('2001:db8::/32')?.addr.family).toBe(6);
    expect(parseCidrApiServer('::ffff:10.0.0.1/128')?.addr.family).toBe(6);
    for (const bad of ['10.0.0.1', '10.0.0.0/33', '10.0.0/8', '256.0.0.0/8', 'fe80::1%eth0/64', '::/129', '1::2::3/64', '10.0.0.0/', 'a.b.c.d/8']) {
      expect(parseCidrApiServer(bad), bad).toBeUndefined();
    }
  });

  it('the agent (netip.ParsePrefix) also rejects leading zeros and long IPv6 groups', () => {
    expect(parsePrefixStrict('10.0.0.0/8')).toBeDefined();
    for (const bad of ['010.0.0.0/8', '10.0.0.0/08', '2001:0db8a::/32']) expect(parsePrefixStrict(bad), bad).toBeUndefined();
  });

  it('prefix containment is per family and per bit', () => {
    const p = parsePrefixStrict('10.0.0.0/8')!;
    expect(prefixContains(p, parsePrefixStrict('10.200.0.0/16')!.addr)).toBe(true);
    expect(prefixContains(p, parsePrefixStrict('11.0.0.0/16')!.addr)).toBe(false);
    expect(prefixContains(parsePrefixStrict('192.168.0.0/23')!, parsePrefixStrict('192.168.1.0/24')!.addr)).toBe(true);
    expect(prefixContains(parsePrefixStrict('192.168.0.0/24')!, parsePrefixStrict('192.168.1.0/24')!.addr)).toBe(false);
    expect(prefixContains(parsePrefixStrict('0.0.0.0/0')!, parsePrefixStrict('::/0')!.addr)).toBe(false);
  });

  it('agrees with the 1.14/1.15 CRD regex on well-formed IPv4 prefixes', () => {
    const legacy = new RegExp(CRD_PATTERNS.legacyCidr);
    fc.assert(fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, bits) => {
      const s = `${ip}/${bits}`;
      expect(legacy.test(s)).toBe(true);
      expect(parsePrefixStrict(s)).toBeDefined();
    }));
  });
});

describe('label keys', () => {
  it('Cilium adds the source before k8s validation', () => {
    expect(ciliumExtendedKey('app')).toBe('any.app');
    expect(ciliumExtendedKey('k8s:app.kubernetes.io/name')).toBe('k8s.app.kubernetes.io/name');
    expect(ciliumExtendedKey('$host')).toBe('reserved.host');
    expect(isQualifiedName(ciliumExtendedKey('k8s:io.kubernetes.pod.namespace'))).toBe(true);
    expect(isQualifiedName(ciliumExtendedKey('app name'))).toBe(false);
    expect(isQualifiedName(ciliumExtendedKey('x'.repeat(60)))).toBe(false);
  });
});

describe('re2Error (HTTP regexes)', () => {
  it.each(['/api/.*', 'GET|POST', '(?i)/Api', '(?P<v>v[0-9]+)/x', '[[:alpha:]]+', '\\d{3}', 'foo\\.example\\.com', '\\pL+',
    '\\Qa.b\\E', '/a(?i)B', '\\x{41}', '(?U)a+', '(?<n>x)'])('accepts %s', (re) => {
    expect(re2Error(re)).toBeUndefined();
  });

  it.each(['/api/(v1', '[a-', '(?=x)', '(?<!x)y', '(a)\\1', '\\k<n>', '(?>a)', 'a{1001}', '\\y', '*a', 'a**', 'x*+', '\\C', '(a{1000}){1000}'])('rejects %s', (re) => {
    expect(re2Error(re)).toBeDefined();
  });
});

describe('linear-time equivalents of the CRD patterns', () => {
  const word = (chars: string): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...chars.split('')), maxLength: 12 });

  it.each([
    ['port', CRD_PATTERNS.port, SAFE.port, 'ab1-_.0x9Z '],
    ['fqdnName', CRD_PATTERNS.fqdnName, SAFE.fqdnName, 'a1-_.*Z '],
    ['fqdnPattern', CRD_PATTERNS.fqdnPattern, SAFE.fqdnPattern, 'a1-_.*Z '],
    ['serverName', CRD_PATTERNS.serverName, SAFE.serverName, 'a1-_.*Z '],
  ] as const)('%s accepts exactly what the CRD pattern accepts', (_name, pattern, safe, chars) => {
    const re = new RegExp(pattern);
    fc.assert(fc.property(word(chars), (s) => {
      expect(safe(s)).toBe(re.test(s));
    }), { numRuns: 3000 });
  });

  // A backtracking pattern would not return on this input within the test timeout; no wall-clock budget is asserted.
  it('refuse long invalid input (linear-time patterns)', () => {
    for (const safe of [SAFE.port, SAFE.fqdnName, SAFE.fqdnPattern, SAFE.serverName]) expect(safe(`${'a-'.repeat(5000)}!`)).toBe(false);
    for (const safe of [SAFE.fqdnName, SAFE.fqdnPattern]) expect(safe(`${'a-'.repeat(5000)}a`)).toBe(true);
  });
});
