// `PolicySet.decide` on every conformance case (Cilium-authored and NetworkPolicy verdicts): always the `verdict` of
// `verdict()`, whether asked first (cold decision tables) or after it, and on repeated asks (warm).
import { describe, expect, test } from 'vitest';
import { PolicySet, parseEndpoint } from '../../src/engine';
import { caseQuery, readCases } from './support/verdict-cases';

const CASES = [...readCases('cilium-cases.yaml'), ...readCases('networkpolicy-cases.yaml')];

describe('decide() == verdict().verdict on the conformance cases', () => {
  test.each(CASES.map((c) => [`${c.id}: ${c.from} → ${c.to} ${c.port}`, c] as const))('%s', (_name, c) => {
    const cold = caseQuery(c);
    const decidedCold = cold.set.decide(cold.query);
    const warm = caseQuery(c);
    const expected = warm.set.verdict(warm.query).verdict;
    expect(decidedCold).toBe(expected);
    expect(warm.set.decide(warm.query)).toBe(expected);
    expect(cold.set.decide(cold.query)).toBe(expected);
    // A fresh but equal query object decides the same.
    expect(cold.set.decide({ ...cold.query, from: { ...cold.query.from }, to: { ...cold.query.to } })).toBe(expected);
  });

  test('L7 requests on one peer and port are judged each (HTTP 403 and allowed from one kept L4 decision)', () => {
    const set = PolicySet.fromYaml(`
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: { name: api, namespace: shop }
spec:
  endpointSelector: { matchLabels: { app: api } }
  ingress:
    - fromEndpoints: [{ matchLabels: { app: web } }]
      toPorts: [{ ports: [{ port: "8080", protocol: TCP }], rules: { http: [{ method: GET, path: "/public/.*" }] } }]
`);
    const from = parseEndpoint('pod:shop:app=web');
    const to = parseEndpoint('pod:shop:app=api');
    const q = { from, to, protocol: 'TCP', port: 8080 };
    expect(set.decide(q)).toBe('allowed');
    expect(set.decide({ ...q, http: { method: 'GET', path: '/public/a' } })).toBe('allowed');
    expect(set.decide({ ...q, http: { method: 'GET', path: '/admin' } })).toBe('l7-denied');
    expect(set.decide({ ...q, http: { method: 'POST', path: '/public/a' } })).toBe('l7-denied');
    expect(set.decide({ ...q, port: 8081 })).toBe('denied');
    expect(set.decide({ ...q, from: parseEndpoint('pod:shop:app=other') })).toBe('denied');
    for (const query of [q, { ...q, http: { method: 'GET', path: '/admin' } }, { ...q, port: 8081 }]) {
      expect(set.decide(query)).toBe(set.verdict(query).verdict);
    }
  });
});
