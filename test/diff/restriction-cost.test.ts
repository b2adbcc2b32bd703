// Session 48 review (mends B): the diff's pass over the restrictions the engine does not evaluate (TLS server names, TLS
// interception, an Envoy listener: `restriction-changes.ts`) scanned every allow item of the four direction policies of each
// changed pair of classes, even when no policy has such a restriction: a clusterwide policy of 700 ingress items, one
// added, took 33 s where it took 9 s without the pass. Each direction policy's items are now read once (and the pass is
// skipped when no policy of either side restricts). Shown by a count of the reads of a policy's allow items (no timing).
import { describe, expect, test } from 'vitest';
import type { DirectionPolicy } from '../../src/engine/direction-policy';
import { restrictedSegments, restrictsSomePort } from '../../src/diff/restriction-changes';
import type { PortSegment } from '../../src/diff/port-segments';

/** A direction policy of `n` allow items, item 0 with `serverNames` when `restricted`, counting the reads of `allow`. */
function counted(n: number, restricted: boolean): { dp: DirectionPolicy; reads: () => number } {
  let reads = 0;
  const allow = Array.from({ length: n }, (_, i) => ({
    l4: { kind: 'ports', icmps: [], portRules: [{ index: 0, ports: [{ kind: 'range', lo: 1000 + i, hi: 1000 + i, protocols: ['TCP'] }],
      ...(restricted && i === 0 ? { serverNames: ['api.example.com'] } : {}) }] },
  }));
  const dp = { get allow() { reads++; return allow; } } as unknown as DirectionPolicy;
  return { dp, reads: () => reads };
}

describe('diff: the restriction pass reads each direction policy once', () => {
  const segs: PortSegment[] = [{ protocol: 'TCP', lo: 1000, hi: 1000 }, { protocol: 'TCP', lo: 1001, hi: 1001 }] as PortSegment[];

  test.each([[false], [true]])('restricted %j: 1,000 pairs asking about the same policy read its allow items once', (restricted) => {
    const { dp, reads } = counted(50, restricted);
    for (let pair = 0; pair < 1000; pair++) {
      expect(restrictsSomePort(dp)).toBe(restricted);
      expect(restrictedSegments(segs, [dp, undefined])).toEqual(restricted ? [segs[0]] : []);
    }
    expect(reads()).toBe(1);
  });
});

describe('diff: the segments a restricted port rule may cover', () => {
  // A seed-4949 mutant of restriction-changes.ts (session 49) took a range to cover every segment below it too (a
  // comparison dropped): the pass would then query segments no restriction can change.
  test('a range covers the segments it overlaps, of its protocols, never ICMP', () => {
    const { dp } = counted(1, true);
    const seg = (protocol: string, lo: number, hi = lo): PortSegment => ({ protocol, lo, hi }) as PortSegment;
    const segments = [seg('TCP', 998, 999), seg('TCP', 999, 1000), seg('TCP', 1000), seg('TCP', 1000, 1001), seg('TCP', 1001, 1002),
      seg('UDP', 1000), seg('ICMP', 0, 255)];
    expect(restrictedSegments(segments, [undefined, dp])).toEqual([seg('TCP', 999, 1000), seg('TCP', 1000), seg('TCP', 1000, 1001)]);
    // Without a restricted rule in the direction policies given: none.
    expect(restrictedSegments(segments, [counted(1, false).dp, undefined])).toEqual([]);
  });
});
