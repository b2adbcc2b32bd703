// Pitfalls of HTTP rules: a `headers` entry no request can satisfy (Cilium accepts it; the rule then matches nothing), and a
// path, method or host regex too large for Envoy (Cilium accepts it; Envoy refuses the policy update).
import { envoyRegexSizeProblem } from '../model/envoy-regex';
import { showValue } from '../core/errors';
import { headerMatchNeverMatches, headerNeverMatches } from '../model/http-header';
import { methodOnlyInOtherCase } from '../model/http-method';
import { PortRuleModel, SECTIONS } from '../model/policy-model';
import { items, PitfallRun, RuleView } from './pitfall-run';
import { arr, isObject } from './walk';

/** Calls `visit` with every `rules.http[]` entry of the rule's items that is a mapping, and the path of that entry. */
function forEachHttpRule(r: RuleView, visit: (rule: Record<string, unknown>, at: string) => void): void {
  for (const section of SECTIONS) {
    for (const { item, index } of items(r.rule, section)) {
      arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
        if (!isObject(pr) || !isObject(pr.rules)) return;
        arr<unknown>(pr.rules.http).forEach((rule, h) => {
          if (isObject(rule)) visit(rule, `${r.path}.${section}[${index}].toPorts[${k}].rules.http[${h}]`);
        });
      });
    }
  }
}

/**
 * `rules.http[].headers` entries that no request satisfies (`model/http-header.ts`: `X-Token:abc` without the space after
 * the colon is one header name, a value with whitespace at either end never equals a request's): the agent does not check
 * them, so the policy is accepted and Envoy answers 403 to every request the rule was meant to let through.
 */
export function httpHeadersNeverMatching(run: PitfallRun, r: RuleView): void {
  forEachHttpRule(r, (rule, at) => {
    arr<unknown>(rule.headers).forEach((entry, e) => {
      if (typeof entry !== 'string') return;
      const problem = headerNeverMatches(entry);
      if (problem === undefined) return;
      run.report('pitfall-http-header-never-matches', r, `${at}.headers[${e}]`,
        `headers entry ${showValue(entry)} of an HTTP rule matches no request: ${problem}; the agent accepts it, and Envoy answers 403 to every request this rule should let through`,
        "write 'Name' for a header that must be present, or 'Name: value' (one space after the colon) for an exact value");
    });
    arr<unknown>(rule.headerMatches).forEach((m, e) => {
      if (!isObject(m)) return;
      const problem = headerMatchNeverMatches(m as { name?: unknown; mismatch?: string });
      if (problem === undefined) return;
      run.report('pitfall-http-header-never-matches', r, `${at}.headerMatches[${e}].name`,
        `headerMatches name ${problem}: the agent accepts it, and Envoy answers 403 to every request this rule should let through`,
        'write the header name as requests carry it (letters, digits and - _ . ! # $ % & \' * + ^ ` | ~), without a colon or spaces');
    });
  });
}

/**
 * HTTP `path`, `method` and `host` regexes whose RE2 program is larger than Envoy accepts (`model/envoy-regex.ts`): the
 * agent and the API server accept the policy, and cilium-envoy refuses the network-policy update that carries it, so the
 * endpoint's regeneration fails and Envoy keeps the L7 policies it had. Certainly too large: an error; estimated too large:
 * a warning. A regex that does not compile at all is `sanitize-http-regex`.
 */
export function httpRegexTooLarge(run: PitfallRun, r: RuleView): void {
  forEachHttpRule(r, (rule, at) => {
    for (const field of ['path', 'method', 'host'] as const) {
      const value = rule[field];
      if (typeof value !== 'string' || value === '') continue;
      const size = envoyRegexSizeProblem(field, value);
      if (size === undefined) continue;
      const message = `http ${field} ${size.shown} is ${size.certain ? 'too large' : 'probably too large'} for Envoy: ${size.problem}; `
        + `${size.certain ? '' : 'if it is, '}the agent accepts the policy, and cilium-envoy refuses the whole network-policy update that carries it: `
        + 'the endpoint\'s regeneration fails and Envoy keeps enforcing the L7 policies it had'
        + (size.certain ? '' : ' (the estimate is of C++ RE2\'s program, which only Envoy computes exactly)');
      if (size.certain) run.report('pitfall-http-regex-too-large', r, `${at}.${field}`, message, size.fix);
      else run.report('pitfall-http-regex-may-be-too-large', r, `${at}.${field}`, message, size.fix);
    }
  });
}

/**
 * HTTP `method` regexes that match a standard method only in another case and no custom method (`model/http-method.ts`:
 * `get`, `GET|head`; not `[a-z]+`, which matches `purge`):
 * Envoy matches `:method` case-sensitively and clients send `GET`, so the rule lets none of those requests through; the agent
 * accepts it and Envoy answers 403.
 */
export function httpMethodCase(run: PitfallRun, r: RuleView): void {
  forEachHttpRule(r, (rule, at) => {
    const method = rule.method;
    if (typeof method !== 'string') return;
    const missed = methodOnlyInOtherCase(method);
    if (missed.length === 0) return;
    const list = missed.join(', ');
    run.report('pitfall-http-method-case', r, `${at}.method`,
      `http method ${JSON.stringify(method)} matches ${list} only in another case: Envoy matches :method case-sensitively and clients send ${list}, `
      + `so this rule lets no ${list} request through (the agent accepts it, Envoy answers 403)`,
      `write the method${missed.length === 1 ? '' : 's'} in upper case (${missed.join('|')})`);
  });
}
