// validate's listener and SNI search (pitfall-listener-conflict, pitfall-sni-l7-merge: selectorPolicyMerges in
// src/validate/pitfall-parser-merge.ts) at scale: many policies of one namespace, each sending its own pods to an Envoy
// listener on one port, are compared only with the policies that may select a common pod (their subjects bucketed by
// the label value they pin, `mostPinnedKey`), not each with every other. Counted in selector comparisons (`mayOverlap`
// calls of the whole validate run), never in time. The spy is a module mock: the file runs in a registry of its own
// (`MODULE_RESETS` in vitest.config.mts, project e2e-isolated), and a run that counts no call fails.
import { describe, expect, it, vi } from 'vitest';
import * as podSelectors from '../../src/validate/pod-selectors';
import { check, findings } from './helpers';

vi.mock('../../src/validate/pod-selectors', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/validate/pod-selectors')>();
  return { ...actual, mayOverlap: vi.fn(actual.mayOverlap) };
});

/** `n` CNPs of namespace prod on the pods app=a<i>, each sending app=api on 8080/TCP to its own listener; one more on app=a0. */
function policies(n: number): Record<string, string> {
  const doc = (name: string, app: string, listener: string): string => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n`
    + `metadata: { name: ${name}, namespace: prod }\nspec:\n  endpointSelector: { matchLabels: { app: ${app} } }\n  egress:\n`
    + '  - toEndpoints: [{ matchLabels: { app: api } }]\n'
    + `    toPorts: [{ ports: [{ port: "8080", protocol: TCP }], listener: { envoyConfig: { name: cec }, name: ${listener} } }]\n`;
  const docs = Array.from({ length: n }, (_, i) => doc(`p${i}`, `a${i}`, `l${i}`));
  docs.push(doc('clash', 'a0', 'other'));
  return { 'a.yaml': docs.join('---\n') };
}

/** The `mayOverlap` calls of one validate run over `policies(n)`, after checking its one finding. */
function comparisons(n: number): number {
  const spy = vi.mocked(podSelectors.mayOverlap);
  spy.mockClear();
  const found = findings(check(policies(n), { ciliumVersion: '1.19' }), 'pitfall-listener-conflict');
  expect(found.map((d) => d.message.match(/CiliumNetworkPolicy prod\/(\w+)/)?.[1])).toEqual(['p0']);
  return spy.mock.calls.length;
}

describe('one namespace, one port, a listener per policy', () => {
  it('the comparisons grow about linearly in the policies (was quadratic)', () => {
    const small = comparisons(50);
    const large = comparisons(200);
    // A mock that missed the module (loaded before it, in a shared registry) counts nothing and would pass any search.
    expect(small).toBeGreaterThan(0);
    console.log(`mayOverlap calls: 50 policies ${small}, 200 policies ${large}`);
    // Before: every entry against every other of the port (50: 2,550 calls; 200: 40,200).
    expect(large).toBeLessThan(6 * small + 10);
    expect(large).toBeLessThan(200);
  });
});

/**
 * One CNP of namespace prod with serverNames for the pods app=a0 on 443/TCP to app=api, then `n` CNPs on the pods app=a<i>
 * with HTTP rules there (session 59: the L7-only policies are visited too, against the serverNames entries only).
 */
function httpPolicies(n: number): Record<string, string> {
  const doc = (name: string, app: string, extra: string): string => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\n`
    + `metadata: { name: ${name}, namespace: prod }\nspec:\n  endpointSelector: { matchLabels: { app: ${app} } }\n  egress:\n`
    + `  - toEndpoints: [{ matchLabels: { app: api } }]\n    toPorts: [{ ports: [{ port: "443", protocol: TCP }], ${extra} }]\n`;
  const docs = [doc('sni', 'a0', 'serverNames: [a.example]'), ...Array.from({ length: n }, (_, i) => doc(`p${i}`, `a${i}`, 'rules: { http: [{ method: GET }] }'))];
  return { 'a.yaml': docs.join('---\n') };
}

describe('one namespace, one port, HTTP rules per policy beside one serverNames policy (session 59)', () => {
  it('the later HTTP policy of the serverNames\' pods is reported, and the comparisons grow about linearly', () => {
    const count = (n: number): number => {
      const spy = vi.mocked(podSelectors.mayOverlap);
      spy.mockClear();
      const found = findings(check(httpPolicies(n), { ciliumVersion: '1.19' }), 'pitfall-sni-l7-merge');
      expect(found.map((d) => `${d.severity} ${d.message.match(/CiliumNetworkPolicy prod\/(\w+)/)?.[1]} ${d.line}`)).toEqual(['error sni 17']);
      return spy.mock.calls.length;
    };
    const small = count(50);
    const large = count(200);
    console.log(`mayOverlap calls: 50 HTTP policies ${small}, 200 ${large}`);
    expect(large).toBeLessThan(6 * small + 10);
    expect(large).toBeLessThan(400);
  });
});
