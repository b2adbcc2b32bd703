// Pitfalls of L7 rule lists that look restrictive and let every request through: a request passes when ANY rule of the
// port's list matches it, so one rule that matches everything cancels the others.
import { httpRuleMatchesEveryRequest } from '../model/http-header';
import { FqdnSelectorModel, HttpRuleModel, isDenySection, PortRuleModel, SECTIONS } from '../model/policy-model';
import { items, PitfallRun, RuleView } from './pitfall-run';
import { arr, isObject } from './walk';

/**
 * Reports, per port entry of an allow section:
 * - an HTTP rule whose only constraints are `headerMatches` with a mismatch action (Envoy logs or fixes the header and
 *   lets the request through: the rule matches every request);
 * - an HTTP rule without any field beside rules that restrict (the list then lets every request through);
 * - `l7proto` without `l7` rules, or with a rule without fields (the proxylib parser lets every request through);
 * - a DNS `matchPattern: "*"` beside names or patterns that restrict (every name may be looked up).
 * A list that only holds a match-everything rule (`http: [{}]`, `dns: [{matchPattern: "*"}]`) is visibility, not reported.
 */
export function l7MatchesEveryRequest(run: PitfallRun, r: RuleView): void {
  for (const section of SECTIONS) {
    if (isDenySection(section)) continue;
    for (const { item, index } of items(r.rule, section)) {
      arr<PortRuleModel>(item.toPorts).forEach((pr, k) => {
        if (!isObject(pr) || !isObject(pr.rules)) return;
        const at = `${r.path}.${section}[${index}].toPorts[${k}].rules`;
        httpList(run, r, at, arr<HttpRuleModel>(pr.rules.http).filter(isObject) as HttpRuleModel[]);
        l7protoRules(run, r, at, pr.rules.l7proto, pr.rules.l7);
        dnsList(run, r, at, arr<FqdnSelectorModel>(pr.rules.dns).filter(isObject) as FqdnSelectorModel[]);
      });
    }
  }
}

function httpList(run: PitfallRun, r: RuleView, at: string, rules: readonly HttpRuleModel[]): void {
  const restricting = rules.filter((rule) => !httpRuleMatchesEveryRequest(rule)).length;
  rules.forEach((rule, h) => {
    if (!httpRuleMatchesEveryRequest(rule)) return;
    const matches = arr<{ name?: unknown; mismatch?: unknown }>(rule.headerMatches);
    if (matches.length > 0) {
      run.report('pitfall-l7-matches-every-request', r, `${at}.http[${h}]`,
        `this HTTP rule's only constraints are headerMatches with a mismatch action (${matches.map((m) => `${String(m.name)}: ${String(m.mismatch)}`).join(', ')}), `
          + 'which logs or fixes the header and lets the request through: the rule matches every request on this port',
        'remove mismatch from a header match that must hold (the request is then refused without it), or add a method, path or host');
    } else if (restricting > 0) {
      run.report('pitfall-l7-matches-every-request', r, `${at}.http[${h}]`,
        `this HTTP rule has no field and matches every request, so the ${restricting} other rule${restricting === 1 ? '' : 's'} of the list restrict${restricting === 1 ? 's' : ''} nothing (a request passes when any rule matches)`,
        'remove the empty rule, or give it a method, path, host or header');
    }
  });
}

function l7protoRules(run: PitfallRun, r: RuleView, at: string, proto: unknown, l7: unknown): void {
  if (typeof proto !== 'string' || proto === '') return;
  const rules = arr<unknown>(l7);
  if (rules.length === 0) {
    run.report('pitfall-l7-matches-every-request', r, `${at}.l7proto`, `l7proto ${JSON.stringify(proto)} without l7 rules: the proxylib parser lets every request through`,
      'list the requests to allow in l7 (key-value rules of the parser)');
    return;
  }
  rules.forEach((rule, i) => {
    // A blank value constrains nothing in the proxylib parsers (r2d2 `cmd: ""` is any command): such a rule has no field.
    if (isObject(rule) && Object.values(rule).some((v) => typeof v !== 'string' || v.trim() !== '')) return;
    const blank = isObject(rule) && Object.keys(rule).length > 0;
    run.report('pitfall-l7-matches-every-request', r, `${at}.l7[${i}]`,
      `this l7 rule has no field${blank ? ' with a value (a blank value constrains nothing)' : ''}: the ${JSON.stringify(proto)} parser lets every request through it`,
      'give the rule the fields of the requests to allow, or remove it');
  });
}

function dnsList(run: PitfallRun, r: RuleView, at: string, rules: readonly FqdnSelectorModel[]): void {
  const everything = rules.findIndex((rule) => rule.matchPattern === '*');
  if (everything < 0) return;
  const others = rules.filter((rule, i) => i !== everything && rule.matchPattern !== '*').length;
  if (others === 0) return;
  run.report('pitfall-l7-matches-every-request', r, `${at}.dns[${everything}]`,
    `matchPattern "*" allows looking up every name, so the ${others} other DNS rule${others === 1 ? '' : 's'} of the list restrict${others === 1 ? 's' : ''} nothing`,
    'remove the "*" pattern to restrict lookups to the names listed, or remove the other rules');
}
