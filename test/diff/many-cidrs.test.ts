// Rules naming many CIDRs (session 53): the engine looks a peer up in an index of the item's blocks (`AddressSet`,
// src/engine/cidr-peer-index.ts) and the diff finds the world classes in the nesting of the named CIDRs (`CidrNesting`),
// each O(n log n) for n CIDRs where testing every CIDR was O(n²). Both must decide as testing every CIDR does: verdicts
// on overlapping, nested and repeated blocks with `except` holes of both families (IPv4-mapped ones included), and the
// world classes as the former every-CIDR construction (kept here as the reference) made them.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Connectivity } from '../../src';
import { IpFamilies } from '../../src/engine';
import { ParsedCidr, cidrContains, formatIp, unmapIp } from '../../src/model/cidr';
import { cnp, judged, labels, policySet } from '../engine/helpers';
import { propertyParams } from '../support/property';
import { cidrBlock, probesOf } from '../support/cidr-arbitraries';

const WEB = 'pod:default:app=web';
const text = (c: ParsedCidr): string => `${formatIp(c)}/${c.prefix}`;
const host = (ip: { family: 4 | 6; value: bigint }): ParsedCidr => ({ family: ip.family, network: ip.value, prefix: ip.family === 4 ? 32 : 128 });
type Block = { cidr: ParsedCidr; except: ParsedCidr[] };

/** Blocks whose holes lie strictly inside them and leave some address (what the agent takes), each CIDR once. */
const blocks = fc.array(cidrBlock, { minLength: 1, maxLength: 10 }).map((list) => {
  const seen = new Set<string>();
  return list.flatMap((b): Block[] => {
    if (seen.has(text(b.cidr))) return [];
    seen.add(text(b.cidr));
    const except = b.except.filter((e) => e.prefix > b.cidr.prefix && cidrContains(b.cidr, e)).slice(0, 1);
    return [{ cidr: b.cidr, except }];
  });
});

const cidrSet = (list: readonly Block[]): Record<string, unknown>[] => list.map((b) => ({
  cidr: text(b.cidr), ...(b.except.length > 0 ? { except: b.except.map(text) } : {}),
}));

describe('a rule of many CIDRs decides as testing every CIDR does', () => {
  test('verdicts: allowed by some toCIDRSet block outside its holes, unless some egressDeny block holds the address', () => {
    fc.assert(fc.property(blocks, blocks, (allow, deny) => {
      const set = policySet([cnp('p', {
        endpointSelector: labels({ app: 'web' }),
        egress: [{ toCIDRSet: cidrSet(allow) }],
        egressDeny: [{ toCIDRSet: cidrSet(deny) }],
      })], { ipFamilies: IpFamilies.DUAL });
      const holds = (list: readonly Block[], ip: { family: 4 | 6; value: bigint }): boolean =>
        list.some((b) => cidrContains(b.cidr, host(ip)) && !b.except.some((e) => cidrContains(e, host(ip))));
      const all = [...allow, ...deny].flatMap((b) => [b.cidr, ...b.except]);
      for (const written of probesOf(all).slice(0, 60)) {
        // A packet carries an IPv4-mapped address as IPv4 (`unmapIp`): the engine judges it so.
        const ip = unmapIp(written);
        const expected = holds(allow, ip) && !holds(deny, ip) ? 'allowed' : 'denied';
        expect(judged(set, WEB, `cidr:${formatIp({ family: written.family, network: written.value })}`, '80/TCP').verdict).toBe(expected);
      }
    }), propertyParams('MANY_CIDRS_VERDICTS', 20));
  });

  test('world classes: those of testing every named CIDR against all the others', () => {
    fc.assert(fc.property(blocks, fc.constantFrom(IpFamilies.IPV4, IpFamilies.DUAL), (list, ipFamilies) => {
      const set = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [{ toCIDRSet: cidrSet(list) }] })], { ipFamilies });
      const named = list.flatMap((b) => [b.cidr, ...b.except]);
      const families: (4 | 6)[] = ipFamilies === IpFamilies.DUAL ? [4, 6] : [4];
      const actual = Connectivity.endpointClasses([set]).filter((c) => c.cls.kind === 'world').map((c) => `${c.cls.id} @ ${c.endpoint.ip ?? c.endpoint.kind}`);
      expect(actual).toEqual(referenceWorldClasses(named, families));
    }), propertyParams('MANY_CIDRS_CLASSES', 40));
  });
});

// The world classes as every-CIDR tests made them before session 53 (src/diff/endpoint-classes.ts `worldClasses`), as
// `id @ address`.
function referenceWorldClasses(named: readonly ParsedCidr[], families: readonly (4 | 6)[]): string[] {
  const cidrs = [...new Map(named.map((c) => [text(c), c])).values()];
  const holdersOf = (ip: ParsedCidr): string => cidrs.filter((o) => cidrContains(o, ip)).map(text).sort().join(',');
  const out: { id: string; ip?: ParsedCidr }[] = [];
  if (!cidrs.some((c) => c.prefix === 0)) {
    out.push({ id: 'world' });
  } else {
    for (const family of families) {
      const ip = freeWorldAddress(cidrs, family);
      if (ip !== undefined) out.push({ id: `world (IPv${family})`, ip });
    }
  }
  const seen = new Set(out.flatMap((w) => (w.ip ? [holdersOf(w.ip)] : [])));
  const sorted = [...cidrs].sort((a, b) => a.family - b.family || (a.network < b.network ? -1 : a.network > b.network ? 1 : a.prefix - b.prefix));
  for (const c of sorted) {
    if (!families.includes(c.family)) continue;
    const ip = representative(c, cidrs);
    if (ip === undefined) continue;
    const key = holdersOf(ip);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ id: `world ${text(c)}`, ip });
  }
  return out.map((w) => `${w.id} @ ${w.ip ? formatIp(w.ip) : 'entity'}`);
}

function freeWorldAddress(cidrs: readonly ParsedCidr[], family: 4 | 6): ParsedCidr | undefined {
  const narrower = cidrs.filter((c) => c.family === family && c.prefix > 0);
  const docs = (family === 4 ? ['192.0.2.1', '198.51.100.1', '203.0.113.1'] : ['2001:db8::1', '2001:db8:1::1', '3fff::1'])
    .map((t): ParsedCidr => (family === 4
      ? { family, network: t.split('.').reduce((a, o) => a * 256n + BigInt(o), 0n), prefix: 32 }
      : { family, network: t === '2001:db8::1' ? (0x20010db8n << 96n) + 1n : t === '2001:db8:1::1' ? (0x20010db80001n << 80n) + 1n : (0x3fffn << 112n) + 1n, prefix: 128 }));
  return docs.find((ip) => !narrower.some((c) => cidrContains(c, ip))) ?? representative({ family, network: 0n, prefix: 0 }, narrower);
}

function representative(c: ParsedCidr, all: readonly ParsedCidr[]): ParsedCidr | undefined {
  const bits = c.family === 4 ? 32 : 128;
  const size = 1n << BigInt(bits - c.prefix);
  const inner = all.filter((o) => o.family === c.family && o.prefix > c.prefix && cidrContains(c, o));
  const candidates = size === 1n ? [c.network]
    : [c.network + 1n, c.network + size - 2n, c.network + size / 2n + 1n, c.network, c.network + size - 1n];
  const step = size / 64n > 0n ? size / 64n : 1n;
  for (let n = c.network; n < c.network + size; n += step) candidates.push(n);
  for (const n of candidates) {
    const h: ParsedCidr = { family: c.family, network: n, prefix: bits };
    if (!inner.some((o) => cidrContains(o, h))) return h;
  }
  return undefined;
}
