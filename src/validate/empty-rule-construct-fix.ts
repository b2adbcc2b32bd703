import { Diagnostic } from '../core/errors';

/** The checks of a rule without sections (Cilium 1.17+: the CRD's anyOf; before: the agent's `Sanitize`, a rule that enforces nothing). */
const EMPTY_RULE_CHECKS: ReadonlySet<string> = new Set(['crd-sections-any-of', 'sanitize-no-rules']);

/**
 * The fix of a rule without sections for a policy the SDK's constructs wrote, in the construct's words: the validator's
 * speaks YAML (`ingress: [{}]`), while a construct's rule is empty because no `allow…`/`deny…`/`isolate…` call was made on
 * it. `spec`: the policy's only rule; `specs[0]`: the policy's own rule beside `addRule()`'s; another `specs[i]`: the rule
 * `addRule()` returned. One mapping for synthesis (`CiliumPolicy`) and `Validator.validateApp` (`includeSdkPolicyLayers`).
 */
export function constructFixOfEmptyRule(d: Diagnostic): Diagnostic {
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
