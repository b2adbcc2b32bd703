// Shared helpers of the engine tests: policy sets from plain objects, and the verdict matchers.
import { expect } from 'vitest';
import { EngineMatcherOptions, PolicySet, PolicySetOptions, Verdict } from '../../src/engine';
import { engineMatchers, verdictFor } from '../../src/engine/matchers';

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

/** Match labels shorthand. */
export function labels(l: Record<string, string>): { matchLabels: Record<string, string> } {
  return { matchLabels: l };
}
