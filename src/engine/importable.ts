/**
 * Whether the agent imports a raw `api.Rule` list at all (policy documents go through `admission.ts`, which applies every
 * error rule of `validate`; raw rules have no document to validate). The agent sanitizes the rules together: when
 * `Sanitize` fails for one, none is imported.
 *
 * The checks are the validator's own (one implementation each); today: HTTP `method`/`path`/`host` must compile as
 * RE2 (`model/re2.ts`, the `sanitize-http-regex` check of `validate`).
 */
import { RuleModel, SECTIONS } from '../model/policy-model';
import { re2Error } from '../model/re2';

/** One check: the first reason a rule (at `path`) makes the agent refuse its policy, or `undefined`. */
type RuleCheck = (rule: RuleModel, path: string) => string | undefined;

/** The checks whose failure makes the agent refuse a whole policy object. */
const PROBLEMS: readonly RuleCheck[] = [httpRegexProblem];

/** The same for a raw `api.Rule` list (`cilium policy import` sanitizes every rule and imports all or none). */
export function rawRulesImportProblem(rules: readonly RuleModel[]): string | undefined {
  return firstRuleProblem(rules.flatMap((rule, i) => (isObject(rule) ? [{ rule, path: `[${i}]` }] : [])));
}

function firstRuleProblem(rules: readonly { rule: RuleModel; path: string }[]): string | undefined {
  for (const check of PROBLEMS) {
    for (const { rule, path } of rules) {
      const problem = check(rule, path);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

function httpRegexProblem(rule: RuleModel, path: string): string | undefined {
  for (const section of SECTIONS) {
    const items = rule[section];
    if (!Array.isArray(items)) continue;
    for (let i = 0; i < items.length; i++) {
      const portRules = isObject(items[i]) ? items[i].toPorts : undefined;
      if (!Array.isArray(portRules)) continue;
      for (let j = 0; j < portRules.length; j++) {
        const http = isObject(portRules[j]) && isObject(portRules[j].rules) ? portRules[j].rules?.http : undefined;
        if (!Array.isArray(http)) continue;
        for (let k = 0; k < http.length; k++) {
          if (!isObject(http[k])) continue;
          for (const field of ['method', 'path', 'host'] as const) {
            const value: unknown = http[k][field];
            if (typeof value !== 'string' || value === '') continue;
            const error = re2Error(value);
            if (error !== undefined) {
              return `${path}.${section}[${i}].toPorts[${j}].rules.http[${k}].${field} ${JSON.stringify(value)} is not a valid RE2 regular expression: ${error}`;
            }
          }
        }
      }
    }
  }
  return undefined;
}

function isObject<T>(value: T): value is T & object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
