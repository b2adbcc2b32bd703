// Pitfalls of HTTP rules: a `headers` entry no request can satisfy (Cilium accepts it; the rule then matches nothing).
import { headerNeverMatches } from '../model/http-header';
import { PortRuleModel, SECTIONS } from '../model/policy-model';
import { items, PitfallRun, RuleView } from './pitfall-run';
import { arr, isObject } from './walk';

/**
 * `rules.http[].headers` entries that no request satisfies (`model/http-header.ts`: `X-Token:abc` without the space after
 * the colon is one header name, a value with whitespace at either end never equals a request's): the agent does not check
 * them, so the policy is accepted and Envoy answers 403 to every request the rule was meant to let through.
 */
export function httpHeadersNeverMatching(run: PitfallRun, r: RuleView): void {
  for (const section of SECTIONS) {
    for (const { item, index } of items(r.rule, section)) {
      arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
        if (!isObject(pr) || !isObject(pr.rules)) return;
        arr<unknown>(pr.rules.http).forEach((rule, h) => {
          if (!isObject(rule)) return;
          arr<unknown>(rule.headers).forEach((entry, e) => {
            if (typeof entry !== 'string') return;
            const problem = headerNeverMatches(entry);
            if (problem === undefined) return;
            run.report('pitfall-http-header-never-matches', r, `${r.path}.${section}[${index}].toPorts[${k}].rules.http[${h}].headers[${e}]`,
              `headers entry ${JSON.stringify(entry)} of an HTTP rule matches no request: ${problem}; the agent accepts it, and Envoy answers 403 to every request this rule should let through`,
              "write 'Name' for a header that must be present, or 'Name: value' (one space after the colon) for an exact value");
          });
        });
      });
    }
  }
}
