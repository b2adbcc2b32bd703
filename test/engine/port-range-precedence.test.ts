// Deny and allow port ranges on one peer, as Cilium's own test states them: cilium/cilium pkg/policy/distillery_test.go
// `TestEgressPortRangePrecedence` (read at index id 7783595473): a raw rule for endpoint A with one egress item per range
// to endpoint B (allow) or one egressDeny item (deny), TCP, `{port, endPort}` (endPort 0 = a single port), and the flows
// A → B whose verdict the test checks with `checkFlow`. Ranges the Go loop never visits (`{79, 0}`: start above end) are
// left out, as the Go test checks nothing for them.
import { describe, expect, test } from 'vitest';
import { judged, policySet } from './helpers';

type Range = readonly [start: number, end: number, allow: boolean];

interface Case {
  readonly name: string;
  readonly rules: readonly Range[];
  readonly flows: readonly Range[];
}

const CASES: readonly Case[] = [
  { name: 'deny range (1-1024) covers port allow (80)', rules: [[80, 0, true], [1, 1024, false]], flows: [[79, 81, false], [1023, 1025, false]] },
  {
    name: 'deny port (80) in broader allow range (1-1024)', rules: [[80, 0, false], [1, 1024, true]],
    flows: [[1, 2, true], [80, 80, false], [1023, 1024, true], [1025, 1026, false]],
  },
  { name: 'wildcard deny (*) covers broad allow range (1-1024)', rules: [[0, 0, false], [1, 1024, true]], flows: [[1, 2, false], [1023, 1025, false]] },
  { name: 'wildcard allow (*) has an deny range hole (1-1024)', rules: [[0, 0, true], [1, 1024, false]], flows: [[1, 2, false], [1023, 1024, false], [1025, 1026, true]] },
  {
    name: 'two allow ranges (80-90, 90-100) with overlapping deny (85-95)', rules: [[80, 90, true], [85, 95, false], [90, 100, true]],
    flows: [[80, 84, true], [85, 95, false], [96, 100, true]],
  },
];

const A = 'pod:default:id=a';
const B = 'pod:default:id=b';

describe('TestEgressPortRangePrecedence (distillery_test.go)', () => {
  test.each(CASES)('$name', ({ rules, flows }) => {
    const egress: Record<string, unknown>[] = [];
    const egressDeny: Record<string, unknown>[] = [];
    for (const [start, end, allow] of rules) {
      const item = { toEndpoints: [{ matchLabels: { id: 'b' } }], toPorts: [{ ports: [{ port: String(start), ...(end ? { endPort: end } : {}), protocol: 'TCP' }] }] };
      (allow ? egress : egressDeny).push(item);
    }
    // A raw api.Rule list, as the Go test adds it (no namespace is added to its selectors).
    const set = policySet([[{ endpointSelector: { matchLabels: { id: 'a' } }, egress, egressDeny }] as unknown as Record<string, unknown>]);
    for (const [start, end, allow] of flows) {
      for (let port = start; port <= end; port++) {
        expect(judged(set, A, B, `${port}/TCP`).verdict, `${port}/TCP`).toBe(allow ? 'allowed' : 'denied');
      }
    }
  });
});
