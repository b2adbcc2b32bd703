// How a listener merge refusal names its listeners (model/selector-policy-merge.ts `listenerMergeText`), in the engine's
// refusal and in validate's pitfall-listener-conflict: a listener of a CiliumEnvoyConfig is qualified with the subject's
// namespace, one of a CiliumClusterwideEnvoyConfig with none (pkg/policy/l4.go `createL4Filter`: `api.ResourceQualifiedName`
// with the policy's namespace unless the kind is CiliumClusterwideEnvoyConfig), so only the former is "of the endpoint's
// namespace". Session 59 (mutant selector-policy-merge.ts:98 `l.namespace !== ''` → `true`: every listener was named "of the
// endpoint's namespace").
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { check, findings } from '../validate-cli/helpers';
import { cnp, labels, matcherQuery, notJudgedRefusal, policySet } from './helpers';

const CCEC = 'CiliumClusterwideEnvoyConfig';
const listener = (name: string, kind?: string, priority?: number): Record<string, unknown> => ({
  listener: { envoyConfig: { ...(kind !== undefined ? { kind } : {}), name: 'cec' }, name, ...(priority !== undefined ? { priority } : {}) },
});
const to = (extra: Record<string, unknown>): Record<string, unknown> => ({
  toEndpoints: [labels({ app: 'api' })], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], ...extra }],
});

/** The engine's refusal of web → api:8080, and validate's pitfall-listener-conflict message, for `egress` in one CNP of `default`. */
function messages(egress: Record<string, unknown>[]): string[] {
  const doc = cnp('p', { endpointSelector: labels({ app: 'web' }), egress });
  const s = policySet([doc], { ciliumVersion: CiliumVersion.V1_17 });
  const r = notJudgedRefusal(() => s.decide(matcherQuery(s, 'pod:default:app=web', 'pod:default:app=api', 8080, {})));
  expect(r?.id).toBe('engine-policy-refused');
  const found = findings(check({ 'p.yaml': JSON.stringify(doc) }, { ciliumVersion: '1.17' }), 'pitfall-listener-conflict');
  expect(found).toHaveLength(1);
  return [r?.message ?? '', found[0].message];
}

describe('the listeners a merge refusal names, with the namespace only where the listener is in it', () => {
  test('two listeners of CiliumClusterwideEnvoyConfigs: no namespace named', () => {
    for (const m of messages([to(listener('l1', CCEC)), to(listener('l2', CCEC))])) {
      expect(m).toContain(`to the Envoy listener l1 of ${CCEC} cec and `);
      expect(m).toMatch(new RegExp(`to the Envoy listener l2 of ${CCEC} cec: `));
      expect(m).not.toContain('of the endpoint\'s namespace');
    }
  });

  test('one of a CiliumClusterwideEnvoyConfig, one of the pod\'s namespace (one name, two listeners): only the latter is of the namespace', () => {
    for (const m of messages([to(listener('l1', CCEC)), to(listener('l1'))])) {
      expect(m).toContain(`to the Envoy listener l1 of ${CCEC} cec and `);
      expect(m).toContain('to the Envoy listener l1 of CiliumEnvoyConfig cec of the endpoint\'s namespace: ');
    }
  });
});

// Two pairs of one priority each under a preferred listener (1.16+): either merge before the preferred one fails, so the
// policy is not known; the pair named is the one of the lowest priority number (the ranks in order), whatever order the
// rules are written in. Session 59 (mutant selector-policy-merge.ts:155, the ranks not sorted: the pair named followed the
// order of the rules).
describe('several order-decided listener pairs: the one named does not depend on the rules\' order', () => {
  const l = (name: string, priority: number): Record<string, unknown> => to(listener(name, undefined, priority));
  test.each([
    ['the priority-3 pair first', [l('l1', 3), l('l2', 3), l('l4', 2), l('l5', 2), l('l3', 1)]],
    ['the priority-2 pair first', [l('l4', 2), l('l5', 2), l('l1', 3), l('l2', 3), l('l3', 1)]],
  ])('%s', (_name, egress) => {
    const s = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress })], { ciliumVersion: CiliumVersion.V1_17 });
    const r = notJudgedRefusal(() => s.decide(matcherQuery(s, 'pod:default:app=web', 'pod:default:app=api', 8080, {})));
    expect(r?.id).toBe('engine-policy-refused');
    expect(r?.message).toContain('the policy Cilium enforces for this endpoint is not known');
    expect(r?.message).toMatch(/to the Envoy listener l4 of CiliumEnvoyConfig cec of the endpoint's namespace \(priority 2\) and .* to the Envoy listener l5 of /);
    expect(r?.message).not.toMatch(/listener l[12] /);
  });
});
