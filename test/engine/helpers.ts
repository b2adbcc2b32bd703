// Shared helpers of the engine tests: policy sets from plain objects, and the verdict matchers.
import { expect } from 'vitest';
import { Endpoint, EngineMatcherOptions, PolicySet, PolicySetOptions, Verdict, VerdictQuery } from '../../src/engine';
import { CiliumPolicyError } from '../../src/core/errors';
import { engineMatchers, verdictFor } from '../../src/engine/matchers';
import { parseHttpRequest, parseKafkaRequest, toConnection } from '../../src/engine/query';

expect.extend(engineMatchers);

/** A CiliumNetworkPolicy object. */
export function cnp(name: string, spec: Record<string, unknown>, namespace = 'default'): Record<string, unknown> {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec };
}

/** A CiliumClusterwideNetworkPolicy object. */
export function ccnp(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

/** A policy set from manifest objects (written as a YAML stream, so the reader sees them as a file would hold them). */
export function policySet(docs: readonly Record<string, unknown>[], options: PolicySetOptions = {}): PolicySet {
  return PolicySet.fromYaml(docs.map((d) => JSON.stringify(d)).join('\n---\n'), { file: 'test.yaml', ...options });
}

/** The verdict on one connection. */
export function verdict(set: PolicySet, from: string, to: string, port: string | number, options: EngineMatcherOptions = {}): Verdict {
  return verdictFor(set, from, to, port, options);
}

/**
 * Whether the matchers refuse the connection, asked without a request, as no claim about Cilium (`engine-policy-refused`,
 * `engine-node-labels-unknown`, `engine-service-account-unknown`: the one predicate of trace's exit 2, `unjudgedConnectionError`); `false` when they judge it.
 */
export function refusedByMatchers(set: PolicySet, from: string, to: string, port: string | number): boolean {
  try {
    verdictFor(set, from, to, port);
    return false;
  } catch (e) {
    if (e instanceof CiliumPolicyError && (e.id === 'engine-policy-refused' || e.id === 'engine-node-labels-unknown' || e.id === 'engine-service-account-unknown')) return true;
    throw e;
  }
}

/** Match labels shorthand. */
export function labels(l: Record<string, string>): { matchLabels: Record<string, string> } {
  return { matchLabels: l };
}

/** The query of a verdict, as the matchers build it (`to` as text, or an endpoint, e.g. with named ports). */
export function matcherQuery(set: PolicySet, from: string, to: string | Endpoint, port: string | number,
  options: EngineMatcherOptions): VerdictQuery {
  const http = typeof options.http === 'string' ? parseHttpRequest(options.http) : options.http;
  const kafka = typeof options.kafka === 'string' ? parseKafkaRequest(options.kafka) : options.kafka;
  return {
    from: set.endpoint(from), to: typeof to === 'string' ? set.endpoint(to) : to, ...toConnection(port),
    ...(http ? { http } : {}), ...(options.dns !== undefined ? { dns: options.dns } : {}), ...(kafka ? { kafka } : {}),
  };
}

/** The message of an `engine-l7-not-evaluated` refusal by `call`, or `undefined` when it answers. */
export function notEvaluatedRefusal(call: () => unknown): string | undefined {
  try {
    call();
    return undefined;
  } catch (e) {
    if (e instanceof CiliumPolicyError && e.id === 'engine-l7-not-evaluated') return e.message;
    throw e;
  }
}

/** The ids of the gate's refusals (`unjudgedConnectionError`): no verdict on the connection is what Cilium enforces. */
export const NOT_JUDGED_IDS: readonly string[] = ['engine-policy-refused', 'engine-node-labels-unknown', 'engine-service-account-unknown',
  'engine-dns-patch-split', 'engine-ip-block-patch-split', 'engine-l7-not-evaluated'];

/** The refusal of `call` as not judged (`NOT_JUDGED_IDS`), or `undefined` when it answers; any other error is thrown. */
export function notJudgedRefusal(call: () => unknown): CiliumPolicyError | undefined {
  try {
    call();
    return undefined;
  } catch (e) {
    if (e instanceof CiliumPolicyError && NOT_JUDGED_IDS.includes(e.id)) return e;
    throw e;
  }
}

/**
 * The explained verdict, after checking that `decide()` gives the same verdict (cold, then warm) and that the naive
 * evaluator (every item of every rule, no port index) gives the same explained verdict.
 */
export function judged(set: PolicySet, from: string, to: string | Endpoint, port: string | number, options: EngineMatcherOptions = {}): Verdict {
  const q = matcherQuery(set, from, to, port, options);
  // A connection no verdict on which is Cilium's (a request onto L7 rules the engine does not judge it by, an end the agent
  // refuses or not known): all three refuse it alike (session 54); the verdict read then is the one the matchers and trace
  // read before refusing it (`_verdict`, with its notes).
  const refusal = notJudgedRefusal(() => set.verdict(q));
  if (refusal !== undefined) {
    const same = (e: CiliumPolicyError | undefined, call: string): unknown => e && { id: e.id, message: e.message.replace(call, 'PolicySet.verdict()'), fix: e.fix };
    expect(same(notJudgedRefusal(() => set.decide(q)), 'PolicySet.decide()')).toEqual(same(refusal, 'PolicySet.verdict()'));
    expect(same(notJudgedRefusal(() => set.evaluateNaive(q)), 'PolicySet.evaluateNaive()')).toEqual(same(refusal, 'PolicySet.verdict()'));
    const l4 = set._verdict(q);
    expect(set._evaluateNaive(q)).toEqual(l4);
    return l4;
  }
  const decided = set.decide(q);
  const v = set.verdict(q);
  expect(decided, `decide() on ${from} → ${typeof to === 'string' ? to : 'an endpoint'} ${port} ${JSON.stringify(options)}`).toBe(v.verdict);
  expect(set.decide(q)).toBe(v.verdict);
  expect(set.evaluateNaive(q)).toEqual(v);
  return v;
}
