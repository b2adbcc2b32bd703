// Least privilege of `decide()`'s sharing: subject identities selected by the same rules share their direction policies
// and decision tables (`DirectionPolicyCache`'s selection trie), so an identity keyed too coarsely would get another
// identity's decisions. Identities here differ by one label, by a namespace label, by their kind (pod or node), by
// `reserved:init`, or by a rule the agent does not import; each is asked right after the identity it must not be confused
// with, in both orders, on one set, and must get what a fresh set gives it alone (and what Cilium decides).
import { describe, expect, test } from 'vitest';
import { PolicySet, VerdictKind, VerdictQuery } from '../../src/engine';
import { ccnp, cnp, labels, policySet } from './helpers';

const TEAM = 'io.cilium.k8s.namespace.labels.team';

const DOCS = [
  // app=web: ingress allowed from role=client on 80 (default deny otherwise).
  cnp('web', { endpointSelector: labels({ app: 'web' }), ingress: [{ fromEndpoints: [labels({ role: 'client' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] }, 'shop'),
  // app=web with tier=front also: role=client denied on 80 (deny wins).
  cnp('front-deny', {
    endpointSelector: labels({ app: 'web', tier: 'front' }),
    ingressDeny: [{ fromEndpoints: [labels({ role: 'client' })], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
  }, 'shop'),
  // app=web with tier=back also: a rule the agent does not import (DNS rules without port 53): same decisions as app=web,
  // but its explanation notes the skipped rule.
  cnp('back-skipped', { endpointSelector: labels({ app: 'web', tier: 'back' }), egress: [{ toPorts: [{ rules: { dns: [{ matchPattern: '*' }] } }] }] }, 'shop'),
  // app=db in a namespace labelled team=pay (shop, not other): ingress only from role=client on 5432.
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'pay' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other', labels: { team: 'ops' } } },
  ccnp('db-pay', { endpointSelector: labels({ app: 'db', [TEAM]: 'pay' }), ingress: [{ fromEndpoints: [labels({ role: 'client' })], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] }),
  // Nodes with role=edge (host policy): ingress only from the cluster on 22. A pod with role=edge is not selected by it.
  ccnp('edge-nodes', { nodeSelector: labels({ role: 'edge' }), ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }] }),
  // Every endpoint (reserved:init included): egress to the cluster, and to the world on 443 only.
  ccnp('egress', { endpointSelector: {}, egress: [{ toEntities: ['cluster'] }, { toEntities: ['world'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] }),
];

/** The connections, in pairs of identities that must not be confused, with what Cilium decides. */
const CASES: { from: string; to: string; port: number; expected: VerdictKind }[] = [
  // One label apart: tier=front adds the deny rule.
  { from: 'pod:shop:role=client', to: 'pod:shop:app=web', port: 80, expected: VerdictKind.ALLOWED },
  { from: 'pod:shop:role=client', to: 'pod:shop:app=web,tier=front', port: 80, expected: VerdictKind.DENIED },
  // A rule the agent does not import changes nothing decided.
  { from: 'pod:shop:role=client', to: 'pod:shop:app=web,tier=back', port: 80, expected: VerdictKind.ALLOWED },
  // Namespace labels apart (the same pod labels in a namespace labelled team=ops: not selected).
  { from: 'pod:shop:role=client', to: 'pod:shop:app=db', port: 8080, expected: VerdictKind.DENIED },
  { from: 'pod:other:role=client', to: 'pod:other:app=db', port: 8080, expected: VerdictKind.ALLOWED },
  { from: 'pod:shop:role=client', to: 'pod:shop:app=db', port: 5432, expected: VerdictKind.ALLOWED },
  // Kind apart: a node with role=edge is selected by the host policy, a pod with role=edge is not.
  { from: 'entity:world', to: 'node:role=edge,kubernetes.io/hostname=n1', port: 22, expected: VerdictKind.DENIED },
  { from: 'entity:world', to: 'pod:shop:role=edge', port: 22, expected: VerdictKind.ALLOWED },
  { from: 'pod:shop:app=web', to: 'node:role=edge,kubernetes.io/hostname=n1', port: 22, expected: VerdictKind.ALLOWED },
  // reserved:init apart: the same selecting rule, but init is in default deny on ingress too.
  { from: 'entity:world', to: 'pod:shop:role=edge', port: 8080, expected: VerdictKind.ALLOWED },
  { from: 'entity:world', to: 'entity:init', port: 8080, expected: VerdictKind.DENIED },
  { from: 'pod:shop:role=edge', to: 'entity:world', port: 443, expected: VerdictKind.ALLOWED },
  { from: 'entity:init', to: 'entity:world', port: 443, expected: VerdictKind.ALLOWED },
  { from: 'entity:init', to: 'entity:world', port: 80, expected: VerdictKind.DENIED },
];

const OPTIONS = { hostFirewall: true };

function query(set: PolicySet, c: (typeof CASES)[number]): VerdictQuery {
  return { from: set.endpoint(c.from), to: set.endpoint(c.to), protocol: 'TCP', port: c.port };
}

describe('decide(): identities that share rule selections get their own decisions', () => {
  test.each([['in order', CASES], ['in reverse order', [...CASES].reverse()]])('one set, every connection %s, cold', (_order, cases) => {
    const set = policySet(DOCS, OPTIONS);
    for (const c of cases) {
      const alone = policySet(DOCS, OPTIONS);
      const expectedAlone = alone.decide(query(alone, c));
      expect({ ...c, decided: set.decide(query(set, c)) }).toEqual({ ...c, decided: c.expected });
      expect(expectedAlone).toBe(c.expected);
      expect(set.verdict(query(set, c)).verdict).toBe(c.expected);
    }
  });

  test('a rule the agent does not import is noted for the identity it selects, not for the one that shares its other rules', () => {
    const set = policySet(DOCS, OPTIONS);
    const web = query(set, CASES[0]);
    const back = query(set, CASES[2]);
    expect(set.decide(web)).toBe(VerdictKind.ALLOWED);
    expect(set.decide(back)).toBe(VerdictKind.ALLOWED);
    const note = 'selects this endpoint but is not imported by the agent';
    expect(set.verdict(web).ingress.notes.filter((n) => n.includes(note))).toEqual([]);
    expect(set.verdict(back).ingress.notes.filter((n) => n.includes(note))).toHaveLength(1);
    expect(set.verdict(back).ingress.rule?.name).toBe('web');
  });
});

describe('decide(): endpoint objects that share a record are equal in what was resolved', () => {
  // An endpoint whose labels getter gives app=web on the first read and app=other after: whatever the engine keys the
  // object by must be what it resolved, or an equal plain object would get the other identity's decisions.
  const fickle = (): { endpoint: VerdictQuery['to']; reads: () => number } => {
    let reads = 0;
    const endpoint = { kind: 'pod', namespace: 'shop' } as Record<string, unknown>;
    Object.defineProperty(endpoint, 'labels', { enumerable: true, get: () => (reads++ === 0 ? { app: 'web' } : { app: 'other' }) });
    return { endpoint: endpoint as unknown as VerdictQuery['to'], reads: () => reads };
  };

  test.each([['app=web'], ['app=other']])('a plain pod:shop:%s asked after such an object gets its own decision', (labelsText) => {
    const set = policySet(DOCS, OPTIONS);
    const from = set.endpoint('pod:shop:role=client');
    const { endpoint, reads } = fickle();
    const first = set.decide({ from, to: endpoint, protocol: 'TCP', port: 8080 });
    expect(reads()).toBeGreaterThan(0);
    // It was judged as app=web (its first read): ingress on 8080 is not allowed to app=web.
    expect(first).toBe(VerdictKind.DENIED);
    const plain = { from, to: set.endpoint(`pod:shop:${labelsText}`), protocol: 'TCP', port: 8080 };
    const alone = policySet(DOCS, OPTIONS);
    const expected = alone.decide({ from: alone.endpoint('pod:shop:role=client'), to: alone.endpoint(`pod:shop:${labelsText}`), protocol: 'TCP', port: 8080 });
    expect(expected).toBe(labelsText === 'app=web' ? VerdictKind.DENIED : VerdictKind.ALLOWED);
    expect(set.decide(plain)).toBe(expected);
    expect(set.verdict(plain).verdict).toBe(expected);
  });
});
