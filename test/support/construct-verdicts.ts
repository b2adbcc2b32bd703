// Verdicts on what a construct synthesizes, for the behavioural construct tests (and the mutation test set): the engine
// judges the chart directly (no synthesis to YAML, no CRD-schema check), so a test costs milliseconds and asserts what
// the construct allows, what it denies, and which rule item decided.
import { IConstruct } from 'constructs';
import { EngineMatcherOptions, Verdict } from '../../src/engine';
import { EndpointLike, verdictFor } from '../../src/engine/matchers';

/** The verdict on one connection through the policies of `scope`, with `allow-localhost=policy` unless told otherwise. */
export function judge(scope: IConstruct, from: EndpointLike, to: EndpointLike, port: string | number, options: EngineMatcherOptions = {}): Verdict {
  return verdictFor(scope, from, to, port, { allowLocalhost: false, ...options });
}

/**
 * One side of a verdict in one line: the side's decision, and the deciding rule item as `<policy> <path>` when a rule
 * decided (`allowed shop-api spec.ingress[0]`, `default-deny`, `no-policy-default-allow`), with `l7-denied` when the
 * L7 proxy refuses the request.
 */
export function decidedBy(scope: IConstruct, from: EndpointLike, to: EndpointLike, port: string | number, direction: 'ingress' | 'egress',
  options: EngineMatcherOptions = {}): string {
  const side = judge(scope, from, to, port, options)[direction];
  return [side.decision, side.rule ? `${side.rule.name} ${side.rule.path}` : undefined].filter(Boolean).join(' ');
}

/** The end-to-end verdict (`allowed`, `denied`, `l7-denied`) on one connection. */
export function verdictOf(scope: IConstruct, from: EndpointLike, to: EndpointLike, port: string | number,
  options: EngineMatcherOptions = {}): string {
  return judge(scope, from, to, port, options).verdict;
}
