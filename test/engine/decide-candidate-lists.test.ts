// `decide()`'s candidate items per direction policy and port (`MergedIndex.candidateLists`, direction-policy.ts): worked
// out once per (direction policy, protocol and port) and kept, rather than once per decision. A key too coarse would hand
// one port the items of another: TCP and UDP on the same number, a port inside a range and one outside it, a named port
// (resolved per destination after the lookup), ICMP types. Each is asked right after the one it must not be confused with,
// and must get the verdict Cilium gives it (allowed AND denied), the one a fresh set gives it alone and `verdict()`'s.
import { describe, expect, test } from 'vitest';
import { Endpoint, Endpoints, PolicySet, VerdictKind, VerdictQuery } from '../../src/engine';
import { cnp, labels, policySet } from './helpers';

const A = VerdictKind.ALLOWED;
const D = VerdictKind.DENIED;

// Three rules select app=api (a direction policy made of several rules' port indexes): TCP 80 from role=web; UDP 80
// denied to everyone and allowed from role=web; the range 8000-8099/TCP and the named port `metrics` from role=mon;
// ICMP echo (type 8) from role=web.
const DOCS = [
  cnp('tcp-80', { endpointSelector: labels({ app: 'api' }), ingress: [{ fromEndpoints: [labels({ role: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] }),
  cnp('udp-80', {
    endpointSelector: labels({ app: 'api' }),
    ingress: [{ fromEndpoints: [labels({ role: 'web' })], toPorts: [{ ports: [{ port: '80', protocol: 'UDP' }] }] }],
    ingressDeny: [{ fromEndpoints: [labels({ role: 'mon' })], toPorts: [{ ports: [{ port: '80', protocol: 'UDP' }] }] }],
  }),
  cnp('mon', {
    endpointSelector: labels({ app: 'api' }),
    ingress: [
      { fromEndpoints: [labels({ role: 'mon' })], toPorts: [{ ports: [{ port: '8000', endPort: 8099, protocol: 'TCP' }, { port: 'metrics', protocol: 'TCP' }] }] },
      { fromEndpoints: [labels({ role: 'web' })], icmps: [{ fields: [{ type: 8 }] }] },
    ],
  }),
];

const API: Endpoint = Endpoints.pod('default', { app: 'api' }, { ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] });
const WEB: Endpoint = Endpoints.pod('default', { role: 'web' });
const MON: Endpoint = Endpoints.pod('default', { role: 'mon' });

/** Connections to app=api, each right after the one a coarse key would confuse it with, and what Cilium decides. */
const CASES: readonly (readonly [string, VerdictQuery, VerdictKind])[] = [
  ['web → 80/TCP', { from: WEB, to: API, protocol: 'TCP', port: 80 }, A],
  ['web → 80/UDP', { from: WEB, to: API, protocol: 'UDP', port: 80 }, A],
  ['mon → 80/UDP (denied)', { from: MON, to: API, protocol: 'UDP', port: 80 }, D],
  ['mon → 80/TCP', { from: MON, to: API, protocol: 'TCP', port: 80 }, D],
  ['mon → 8050/TCP (range)', { from: MON, to: API, protocol: 'TCP', port: 8050 }, A],
  ['mon → 8100/TCP (past the range)', { from: MON, to: API, protocol: 'TCP', port: 8100 }, D],
  ['mon → 9100/TCP (named metrics)', { from: MON, to: API, protocol: 'TCP', port: 9100 }, A],
  ['web → 9100/TCP', { from: WEB, to: API, protocol: 'TCP', port: 9100 }, D],
  ['mon → 8050/UDP', { from: MON, to: API, protocol: 'UDP', port: 8050 }, D],
  ['web → ICMP 8', { from: WEB, to: API, protocol: 'ICMP', icmpType: 8 }, A],
  ['web → ICMP 0', { from: WEB, to: API, protocol: 'ICMP', icmpType: 0 }, D],
  ['mon → ICMP 8', { from: MON, to: API, protocol: 'ICMP', icmpType: 8 }, D],
];

describe('decide(): candidate items kept per direction policy and port', () => {
  test('each connection gets what Cilium decides, asked after the others on one set, in both orders', () => {
    for (const order of [CASES, [...CASES].reverse()]) {
      const set = policySet(DOCS);
      for (const [name, query, expected] of order) {
        expect([name, set.decide(query)]).toEqual([name, expected]);
        expect([name, set.verdict(query).verdict]).toEqual([name, expected]);
        expect([name, policySet(DOCS).decide(query)]).toEqual([name, expected]);
      }
    }
  });

  test('the lists of a port are worked out once and hold its candidates in rule order, for each port alike', () => {
    const set: PolicySet = policySet(DOCS);
    const dp = set._directionPolicyOf(API, 'ingress');
    const index = dp?.allowIndex;
    expect(index).toBeDefined();
    for (const [name, query] of CASES) {
      const l4 = query.protocol === 'ICMP' ? { protocol: 'ICMP', icmpType: query.icmpType, icmpFamily: 'IPv4' as const }
        : { protocol: query.protocol.toUpperCase(), port: query.port, icmpFamily: 'IPv4' as const };
      const first = index?.candidateLists(l4);
      // Kept: the second lookup returns the same lists (before, a new array per decision).
      expect([name, index?.candidateLists(l4)]).toEqual([name, first]);
      expect(index?.candidateLists(l4) === first).toBe(true);
      // The same items as the merged list, in order.
      expect([name, (first ?? []).flat().map((i) => i.ordinal)]).toEqual([name, (index?.candidates(l4) ?? []).map((i) => i.ordinal)]);
    }
  });
});
