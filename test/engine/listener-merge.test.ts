// The merge of the per-selector policies of one filter (model/selector-policy-merge.ts), per version:
// - two Envoy listeners for one peer selector: from 1.16 pkg/policy/rule.go `mergeListenerReference` keeps the lower
//   priority number (0, none, the lowest precedence) and fails on two of one priority ("cannot merge conflicting
//   CiliumEnvoyConfig Listeners ... with the same priority"); up to 1.15 no priority (pruned) and a second listener for
//   one cached selector fails (cilium/cilium#26644); two listeners of other peers on one filter up to 1.15: not known;
// - serverNames beside HTTP/Kafka rules without terminatingTLS for one peer selector: mergePortProto's SNI check refuses
//   the merge or not as the merge order decides: not known.
// Refused and not known both leave the subject's connections unjudged (engine-policy-refused); judged ones keep the
// verdicts (the allowed port, and a denied one).
import { describe, expect, test } from 'vitest';
import { CiliumVersion } from '../../src/core/cilium-version';
import { Connectivity } from '../../src';
import { PolicySet } from '../../src/engine';
import { cnp, labels, matcherQuery, notJudgedRefusal, policySet } from './helpers';

const API = labels({ app: 'api' });
const listener = (name: string, priority?: number, kind?: string): Record<string, unknown> => ({
  listener: { envoyConfig: { ...(kind !== undefined ? { kind } : {}), name: 'cec' }, name, ...(priority !== undefined ? { priority } : {}) },
});
const HTTP = { rules: { http: [{ method: 'GET' }] } };
const KAFKA = { rules: { kafka: [{ topic: 't' }] } };
const SNI = { serverNames: ['a.example'] };
const TERMINATING = { terminatingTLS: { secret: { name: 'tls' } } };
/** An item to the api pods (or, with `peer`, to other pods) on `p`/TCP with the fields of `extra`. */
const to = (p: string, extra: Record<string, unknown>, peer: Record<string, unknown> = API): Record<string, unknown> => ({
  toEndpoints: [peer], toPorts: [{ ports: [{ port: p, protocol: 'TCP' }], ...extra }],
});

function set(egress: readonly Record<string, unknown>[], version: CiliumVersion): PolicySet {
  return policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress })], { ciliumVersion: version });
}

/** `refused` (the agent refuses), `not known` (the merge order or the source decides), else decide()'s verdict on web → api:`port`. */
function outcome(s: PolicySet, port: number): string {
  const q = matcherQuery(s, 'pod:default:app=web', 'pod:default:app=api', port, {});
  const refusal = notJudgedRefusal(() => s.decide(q));
  expect(notJudgedRefusal(() => s.verdict(q))?.id).toBe(refusal?.id);
  if (refusal === undefined) return s.decide(q);
  expect(refusal.id).toBe('engine-policy-refused');
  return refusal.message.includes('is not known') ? 'not known' : 'refused';
}

const OLD = [CiliumVersion.V1_14, CiliumVersion.V1_15];
const NEW = [CiliumVersion.V1_16, CiliumVersion.V1_17, CiliumVersion.V1_18, CiliumVersion.V1_19];

/** Each case: its items, the outcome up to 1.15 and from 1.16, on the listener's port 8080 and on 9090 (allowed by nothing). */
const cases: [string, Record<string, unknown>[], string, string][] = [
  ['one listener', [to('8080', listener('l1'))], 'allowed', 'allowed'],
  ['the same listener twice', [to('8080', listener('l1')), to('8080', listener('l1'))], 'allowed', 'allowed'],
  ['two listeners, no priority', [to('8080', listener('l1')), to('8080', listener('l2'))], 'refused', 'refused'],
  ['two listeners, one priority', [to('8080', listener('l1', 2)), to('8080', listener('l2', 2))], 'refused', 'refused'],
  ['two listeners, priorities 1 and 2 (pruned up to 1.15)', [to('8080', listener('l1', 1)), to('8080', listener('l2', 2))], 'refused', 'allowed'],
  ['two listeners, none and 3 (3 wins from 1.16)', [to('8080', listener('l1')), to('8080', listener('l2', 3))], 'refused', 'allowed'],
  // A priority of the wrong type: up to 1.15 the API server prunes the field (no type check), so the merge is refused; from 1.16
  // the CRD refuses the object (crd-listener-priority): the policy is skipped, web has no policy, every port is allowed.
  ['two listeners, priorities "1" and 2 (pruned up to 1.15)', [to('8080', listener('l1', '1' as unknown as number)), to('8080', listener('l2', 2))],
    'refused', 'skipped'],
  ['two listeners, priorities 1.5 and 2 (pruned up to 1.15)', [to('8080', listener('l1', 1.5)), to('8080', listener('l2', 2))], 'refused', 'skipped'],
  ['the same listener with priorities 1 and 2', [to('8080', listener('l1', 1)), to('8080', listener('l1', 2))], 'allowed', 'allowed'],
  ['l1 and l2 at 2, l3 at 1 (from 1.16 refused if l1 and l2 merge first)',
    [to('8080', listener('l1', 2)), to('8080', listener('l2', 2)), to('8080', listener('l3', 1))], 'refused', 'not known'],
  ['l1 and l2 at 1, l3 at 2', [to('8080', listener('l3', 2)), to('8080', listener('l1', 1)), to('8080', listener('l2', 1))], 'refused', 'refused'],
  ['one listener of a CiliumClusterwideEnvoyConfig and one of the pod\'s namespace, one name',
    [to('8080', listener('l1', undefined, 'CiliumClusterwideEnvoyConfig')), to('8080', listener('l1'))], 'refused', 'refused'],
  ['kind CiliumEnvoyConfig and no kind, one name (one listener for a pod)',
    [to('8080', listener('l1', undefined, 'CiliumEnvoyConfig')), to('8080', listener('l1'))], 'allowed', 'allowed'],
  ['two listeners, other ports', [to('8080', listener('l1')), to('8081', listener('l2'))], 'allowed', 'allowed'],
  ['two listeners, other peers (one filter up to 1.15: not settled)', [to('8080', listener('l1')), to('8080', listener('l2'), labels({ app: 'other' }))],
    'not known', 'allowed'],
  ['two listeners, peers written apart (two cached selectors)',
    [to('8080', listener('l1')), to('8080', listener('l2'), { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] })], 'not known', 'allowed'],
  ['serverNames + HTTP, one peer, no terminatingTLS', [to('8080', SNI), to('8080', HTTP)], 'not known', 'not known'],
  ['HTTP + serverNames, one peer, no terminatingTLS', [to('8080', HTTP), to('8080', SNI)], 'not known', 'not known'],
  ['serverNames + Kafka, one peer, no terminatingTLS', [to('8080', SNI), to('8080', KAFKA)], 'not known', 'not known'],
  ['serverNames + HTTP with terminatingTLS', [to('8080', SNI), to('8080', { ...HTTP, ...TERMINATING })], 'allowed', 'allowed'],
  ['serverNames with terminatingTLS + HTTP', [to('8080', { ...SNI, ...TERMINATING }), to('8080', HTTP)], 'allowed', 'allowed'],
  ['terminatingTLS alone + HTTP (an allow-all HTTP rule added)', [to('8080', TERMINATING), to('8080', HTTP)], 'allowed', 'allowed'],
  ['serverNames + HTTP, other peers', [to('8080', SNI), to('8080', HTTP, labels({ app: 'other' }))], 'allowed', 'allowed'],
  ['serverNames + HTTP, other ports', [to('8080', SNI), to('8081', HTTP)], 'allowed', 'allowed'],
];

describe('listeners and serverNames in the per-selector merge: refused, not known or judged, per version', () => {
  for (const [name, egress, old, recent] of cases) {
    test(name, () => {
      for (const version of [...OLD, ...NEW]) {
        const expected = OLD.includes(version) ? old : recent;
        const s = set(egress, version);
        if (expected === 'skipped') {
          expect(s.diagnostics.map((d) => d.message).join('\n'), version.toString()).toMatch(/is skipped .*\[crd-listener-priority\]/);
          expect([outcome(s, 8080), outcome(s, 9090)], version.toString()).toEqual(['allowed', 'allowed']);
          continue;
        }
        expect(outcome(s, 8080), `${version.toString()} 8080`).toBe(expected);
        expect(outcome(s, 9090), `${version.toString()} 9090`).toBe(expected === 'allowed' ? 'denied' : expected);
      }
    });
  }
});

describe('a deny of the same peer and port beside the merge: the order decides (rule.go mergePortProto, "Denies takes priority")', () => {
  // A deny merged before the two listeners (or the serverNames and the HTTP rules) ends their merge: no refusal then; met
  // after both, the merge failed first. Whether Cilium refuses the policy is not known; a deny of another port or peer
  // changes nothing.
  const withDeny = (egress: Record<string, unknown>[], deny: Record<string, unknown>, version: CiliumVersion): PolicySet => policySet([
    cnp('p', { endpointSelector: labels({ app: 'web' }), egress }), cnp('d', { endpointSelector: labels({ app: 'web' }), egressDeny: [deny] }),
  ], { ciliumVersion: version });
  const twoListeners = [to('8080', listener('l1')), to('8080', listener('l2'))];
  const sniHttp = [to('8080', SNI), to('8080', HTTP)];
  test.each([
    ['two listeners, deny of the peer and port', twoListeners, to('8080', {}), 'not known'],
    ['two listeners, deny of another port', twoListeners, to('8081', {}), 'refused'],
    ['two listeners, deny of another peer', twoListeners, to('8080', {}, labels({ app: 'other' })), 'refused'],
    ['serverNames + HTTP, deny of the peer and port', sniHttp, to('8080', {}), 'not known'],
  ])('%s', (_name, egress, deny, expected) => {
    for (const version of [...OLD, ...NEW]) expect(outcome(withDeny(egress, deny, version), 9090), version.toString()).toBe(expected);
  });
});

describe('the messages', () => {
  const message = (egress: Record<string, unknown>[], version: CiliumVersion): string => {
    const s = set(egress, version);
    return notJudgedRefusal(() => s.decide(matcherQuery(s, 'pod:default:app=web', 'pod:default:app=api', 8080, {})))?.message ?? '';
  };
  test('two listeners of one priority name both listeners, the merge and its error (1.16+)', () => {
    expect(message([to('8080', listener('l1', 4)), to('8080', listener('l2', 4))], CiliumVersion.V1_17)).toContain('Cilium refuses the policy of this endpoint: '
      + 'CiliumNetworkPolicy default/p spec.egress[0] sends the peer endpoints {any:app=api, k8s:io.kubernetes.pod.namespace=default} on egress 8080/TCP to '
      + 'the Envoy listener l1 of CiliumEnvoyConfig cec of the endpoint\'s namespace (priority 4) and CiliumNetworkPolicy default/p spec.egress[1] to the '
      + 'Envoy listener l2 of CiliumEnvoyConfig cec of the endpoint\'s namespace (priority 4): pkg/policy/rule.go mergeListenerReference');
  });
  test('1.14: no priority, cilium/cilium#26644', () => {
    expect(message([to('8080', listener('l1')), to('8080', listener('l2'))], CiliumVersion.V1_14))
      .toContain('there is no listener priority before 1.16, and a second listener for one cached selector fails the merge (cilium/cilium#26644)');
  });
  test('two listeners of one priority beside a deny: the note names the deny, not a third listener (session 59 review)', () => {
    const s = policySet([cnp('p', { endpointSelector: labels({ app: 'web' }), egress: [to('8080', listener('l1')), to('8080', listener('l2'))] }),
      cnp('d', { endpointSelector: labels({ app: 'web' }), egressDeny: [to('8080', {})] })], { ciliumVersion: CiliumVersion.V1_19 });
    const m = notJudgedRefusal(() => s.decide(matcherQuery(s, 'pod:default:app=web', 'pod:default:app=api', 8080, {})))?.message ?? '';
    expect(m).toContain('the policy Cilium enforces for this endpoint is not known');
    expect(m).toContain(', but CiliumNetworkPolicy default/d spec.egressDeny[0] denies the same filter and peer, and the agent ends the merge at the deny '
      + '(pkg/policy/rule.go mergePortProto: "Denies takes priority over any rule"), so it refuses the policy only when it merges both listeners before the deny');
    expect(m).not.toContain('another listener of the peer outranks');
  });
  test('serverNames beside HTTP rules: the SNI check and the merge order', () => {
    const m = message([to('8080', SNI), to('8080', HTTP)], CiliumVersion.V1_19);
    expect(m).toContain('the policy Cilium enforces for this endpoint is not known');
    expect(m).toContain('with SNI filtering without TLS termination');
    expect(m).toContain('the inputs do not say in which order the agent merges the rules');
  });
});

describe('report and diff', () => {
  test('a merge the order decides is not known (not kept), a certain listener conflict keeps the old policy', () => {
    const text = (egress: Record<string, unknown>[]): string[] => (Connectivity.report(set(egress, CiliumVersion.V1_19)).notJudged ?? [])
      .map((n) => n.text).filter((t) => t.includes('endpoint class'));
    expect(text([to('8080', SNI), to('8080', HTTP)])).toEqual([expect.stringMatching(/^The policy Cilium enforces for the endpoint class default\/app=web is not known: .*: its endpoints keep the policy they had or get the merged one, as the order the agent merges the rules in decides, which the inputs do not hold, so .* pitfall-sni-l7-merge$/)]);
    // A certain listener conflict beside an order-decided SNI merge: kept, whatever the order.
    expect(text([to('8080', listener('l1')), to('8080', listener('l2')), to('443', SNI), to('443', HTTP)])).toEqual([expect.stringMatching(
      /^Cilium refuses the policy of the endpoint class default\/app=web: .*: its endpoints keep the policy they had \(their regeneration fails before it changes\), which the inputs do not hold/)]);
    expect(text([to('8080', listener('l1')), to('8080', listener('l2'))])).toEqual([expect.stringMatching(/^Cilium refuses the policy of the endpoint class default\/app=web: .*: its endpoints keep the policy they had \(their regeneration fails before it changes\), which the inputs do not hold, .* pitfall-listener-conflict$/)]);
  });
});
