import { Diagnostic } from '../core/errors';

/** The checks of a rule without sections (Cilium 1.17+: the CRD's anyOf; before: the agent's `Sanitize`, a rule that enforces nothing). */
const EMPTY_RULE_CHECKS: ReadonlySet<string> = new Set(['crd-sections-any-of', 'sanitize-no-rules']);

/**
 * The fix of a finding in a policy the SDK's constructs wrote, in the construct's words, where the validator's names YAML.
 * An L7 rule on a port that is not TCP (`sanitize-l7-protocol`): the TCP `Port` factories. A rule without sections, in the construct's words: the validator's
 * speaks YAML (`ingress: [{}]`), while a construct's rule is empty because no `allow…`/`deny…`/`isolate…` call was made on
 * it. `spec`: the policy's only rule; `specs[0]`: the policy's own rule beside `addRule()`'s; another `specs[i]`: the rule
 * `addRule()` returned. One mapping for synthesis (`CiliumPolicy`) and `Validator.validateApp` (`includeSdkPolicyLayers`).
 */
export function constructFixOfEmptyRule(d: Diagnostic): Diagnostic {
  // L7 rules on a port that is not TCP: the validator's fix names the YAML field; a construct user wrote a `Port` factory
  // that writes ANY (`Port.any()`, `Port.range()`, `Port.named()` and `Port.of()` without a protocol), UDP or SCTP.
  if (d.id === 'sanitize-l7-protocol') {
    return { ...d, fix: 'give the ports of the l7 rules as TCP: Port.tcp(<port>), Port.tcpRange(<first>, <last>), Port.named(<name>, Protocol.TCP) '
      + 'or Port.of({ …, protocol: Protocol.TCP }) (Port.any(), Port.range() and Port.of() without a protocol are ANY: TCP, UDP and SCTP)' };
  }
  if (!EMPTY_RULE_CHECKS.has(d.id)) return d;
  const calls = 'allowIngress(), allowEgress(), denyIngress() or denyEgress()';
  const isolate = 'isolateIngress()/isolateEgress() for a default deny that allows nothing';
  if (d.path === 'specs[0]') {
    return { ...d, fix: `give the policy's own rule a call (${calls}, or ${isolate}), or put the first addRule()'s selector and calls on the policy itself` };
  }
  if (d.path !== undefined && d.path !== 'spec') {
    return { ...d, fix: `call ${calls} on the rule addRule() returned (${d.path}), or ${isolate}; drop the addRule() call if no rule is meant` };
  }
  return { ...d, fix: `call ${calls} on the policy, or ${isolate}; remove the policy if none is meant` };
}
