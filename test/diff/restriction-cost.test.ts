// Session 48 review (mends B): the diff's pass over the restrictions the engine does not evaluate (TLS server names, TLS
// interception, an Envoy listener: `restriction-changes.ts`) scanned every allow item of the four direction policies of each
// changed pair of classes, even when no policy has such a restriction: a clusterwide policy of 700 ingress items, one
// added, took 33 s where it took 9 s without the pass. Each direction policy's items are now read once (and the pass is
// skipped when no policy of either side restricts). Shown by a count of the reads of a policy's allow items (no timing).
import { describe, expect, test, vi } from 'vitest';
import { Connectivity } from '../../src/diff';
import { EndpointInventory, PolicySet } from '../../src/engine';
import { PolicyDocumentModel, PolicyKind } from '../../src/model/policy-model';
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

// Session 49: the pass asked `verdict()` of base and head for every changed pair of classes on the segments a restricted
// port rule covers: a CCNP with `endpointSelector: {}` and n ingress items (item i from app=a<i> on 1000+i/TCP), head the
// same plus one, `serverNames` on item 0: about 2 × classes² verdicts (700 items: 151.8 s, then 83.8 s). Now only the
// pairs a restricted item selects (`restrictionCandidates`): here the clients app=a0 toward every class, linear.
describe('diff: the restriction pass judges only the pairs a restricted item selects', () => {
  const n = 30;
  const inventory = (): EndpointInventory => {
    const inv = new EndpointInventory();
    for (let i = 0; i < n; i++) inv.addWorkload({ kind: 'Deployment', name: `w${i}`, namespace: 'shop', podLabels: { app: `a${i}` }, ports: [] });
    return inv;
  };
  const ccnp = (count: number, sni: boolean): PolicyDocumentModel[] => [{
    kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'many-items' },
    spec: {
      endpointSelector: {},
      ingress: Array.from({ length: count }, (_, i) => ({
        endpoints: [{ matchLabels: { app: `a${i}` } }],
        toPorts: [{ ports: [{ port: String(1000 + i), protocol: 'TCP' }], ...(sni && i === 0 ? { serverNames: ['api.example.com'] } : {}) }],
      })),
    },
  }];
  /** The `verdict()` calls of a diff of n items against n + 1, and its classes. */
  const verdicts = (sni: boolean): { calls: number; classes: number } => {
    const base = PolicySet.fromDocuments(ccnp(n, sni), { inventory: inventory() });
    const head = PolicySet.fromDocuments(ccnp(n + 1, sni), { inventory: inventory() });
    const classes = Connectivity.endpointClasses([base, head]);
    const spy = vi.spyOn(PolicySet.prototype, '_verdict');
    try {
      const doc = Connectivity.diff(base, head, { classes });
      expect(doc.notCompared ?? []).toEqual([]);
      return { calls: spy.mock.calls.length, classes: classes.length };
    } finally {
      spy.mockRestore();
    }
  };

  /** The `verdict()` calls of a diff, and its classes. */
  const callsOf = (baseDocs: PolicyDocumentModel[], headDocs: PolicyDocumentModel[]): { calls: number; classes: number } => {
    const base = PolicySet.fromDocuments(baseDocs, { inventory: inventory() });
    const head = PolicySet.fromDocuments(headDocs, { inventory: inventory() });
    const classes = Connectivity.endpointClasses([base, head]);
    const spy = vi.spyOn(PolicySet.prototype, '_verdict');
    try {
      Connectivity.diff(base, head, { classes });
      return { calls: spy.mock.calls.length, classes: classes.length };
    } finally {
      spy.mockRestore();
    }
  };

  test('a restricted item of every class\'s ingress, unchanged, beside a change of every class\'s egress: no extra verdict', () => {
    // Every pod admits the cluster on 443/TCP (with serverNames or without); head denies every pod's egress to a CIDR.
    const ingress = (sni: boolean): PolicyDocumentModel => ({
      kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'tls-ingress' },
      spec: { endpointSelector: {}, ingress: [{ entities: ['cluster'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], ...(sni ? { serverNames: ['api.example.com'] } : {}) }] }] },
    });
    const deny: PolicyDocumentModel = {
      kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'deny-partner' },
      spec: { endpointSelector: {}, egressDeny: [{ cidr: ['203.0.113.0/24'] }], enableDefaultDeny: { ingress: false, egress: false } },
    };
    const plain = callsOf([ingress(false)], [ingress(false), deny]);
    const restricted = callsOf([ingress(true)], [ingress(true), deny]);
    // The ingress sides are the same on both sides: their restriction too (before: 2,415 here, about 2 × classes²).
    expect(restricted.calls - plain.calls).toBe(0);
  });

  test('serverNames on item 0: the extra verdicts grow with the classes, not with their pairs', () => {
    const plain = verdicts(false);
    const restricted = verdicts(true);
    // The clients app=a0 and the node classes (whose view as a peer depends on the other end) toward each class, base and
    // head: 256 (before: about 2 × classes², 4,480 here).
    expect(restricted.calls - plain.calls).toBeLessThanOrEqual(4 * restricted.classes);
    expect(restricted.calls - plain.calls).toBeGreaterThan(0);
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
