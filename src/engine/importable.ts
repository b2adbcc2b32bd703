/**
 * Whether the agent imports a raw `api.Rule` list at all (policy documents go through `admission.ts`, which applies every
 * error rule of `validate`; raw rules have no document and no API server). `cilium policy import` sanitizes the rules
 * together: when `Sanitize` fails for one, none is imported.
 *
 * The checks are the validator's own `sanitize-…` rules (`validate/sanitize-rules.ts`, one implementation each), judged
 * by `importRefusal` as for documents: the reason names the field and ends with the rule's id.
 */
import { CiliumVersion } from '../core/cilium-version';
import { RuleModel } from '../model/policy-model';
import { sanitizeRawRule } from '../validate/validate-policy';
import { AgentFlags, importRefusal } from './admission';

/**
 * Why the agent refuses one raw rule (at `path`, such as `[2]`): the first `sanitize-…` error of the validator, with
 * `flags` deciding the flag-dependent ones, or `undefined`.
 */
export function ruleImportProblem(rule: RuleModel, path: string, version: CiliumVersion, flags: AgentFlags): string | undefined {
  return isObject(rule) ? importRefusal(sanitizeRawRule(rule, version, path), flags) : undefined;
}

/** The same for a raw `api.Rule` list (`cilium policy import` sanitizes every rule and imports all or none). */
export function rawRulesImportProblem(rules: readonly RuleModel[], version: CiliumVersion, flags: AgentFlags): string | undefined {
  for (let i = 0; i < rules.length; i++) {
    const problem = ruleImportProblem(rules[i], `[${i}]`, version, flags);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function isObject<T>(value: T): value is T & object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
