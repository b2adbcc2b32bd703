// Property: the SDK refuses a selector as contradictory (`selector-contradictory`) exactly when no label set satisfies it.
// The oracle (`satisfiable`, test/property/arbitraries.ts) is a brute force, key by key, over label sets judged by the engine's
// `Selector.matches`, independent of the `mayOverlap`/`keySatisfiable` reading the SDK refuses by; the generators of valid
// programs filter by the oracle, so a false refusal fails the valid-program properties too.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EndpointSelector, LabelExpression, Peer } from '../../src';
import { selectorContradiction } from '../../src/validate/pod-selectors';
import { propertyParams } from '../support/property';
import { satisfiable, selectorModelOf, selectorParts } from './arbitraries';

describe('selector-contradictory is refused exactly when no label set satisfies the selector', () => {
  test('the one rule (selectorContradiction) agrees with the brute-force oracle', () => {
    // One key under three sources and without one, three values: contradictions across sources and of three requirements are frequent.
    const parts = fc.oneof(selectorParts(), selectorParts(fc.constantFrom('app', 'k8s:app', 'container:app', 'tier'), fc.constantFrom('a', 'b', 'c'), 4));
    fc.assert(fc.property(parts, (o) => {
      expect(selectorContradiction(selectorModelOf(o), 'the selector') === undefined).toBe(satisfiable(o));
    }), propertyParams('SELECTOR_CONTRADICTION', 300));
  });

  test('the cases found by review: across sources, the namespace key, three requirements', () => {
    const cases: [string, () => unknown][] = [
      ['k8s:app=db, app NotIn (db)', () => EndpointSelector.of({ labels: { 'k8s:app': 'db' }, expressions: [LabelExpression.notIn('app', ['db'])] })],
      ['k8s:app=db, app DoesNotExist', () => EndpointSelector.of({ labels: { 'k8s:app': 'db' }, expressions: [LabelExpression.doesNotExist('app')] })],
      ['k8s:app Exists, app DoesNotExist', () => EndpointSelector.of({ expressions: [LabelExpression.exists('k8s:app'), LabelExpression.doesNotExist('app')] })],
      ['In (db, x), NotIn (db), NotIn (x)', () => EndpointSelector.of({ expressions: [LabelExpression.in('app', ['db', 'x']), LabelExpression.notIn('app', ['db']), LabelExpression.notIn('app', ['x'])] })],
      ['In (a, b), In (b, c), In (a, c)', () => EndpointSelector.of({ expressions: [LabelExpression.in('app', ['a', 'b']), LabelExpression.in('app', ['b', 'c']), LabelExpression.in('app', ['a', 'c'])] })],
      ['namespace o, io.kubernetes.pod.namespace NotIn (o)', () => Peer.endpoints({ namespace: 'o', expressions: [LabelExpression.notIn('io.kubernetes.pod.namespace', ['o'])] })],
    ];
    for (const [name, run] of cases) expect(run, name).toThrow(/selector-contradictory/);
    expect(() => EndpointSelector.of({ labels: { 'k8s:app': 'db' }, expressions: [LabelExpression.notIn('app', ['web'])] })).not.toThrow();
    expect(() => EndpointSelector.of({ expressions: [LabelExpression.in('app', ['a', 'b']), LabelExpression.in('app', ['b', 'c'])] })).not.toThrow();
  });
});
