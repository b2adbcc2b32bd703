/**
 * The endpoint classes whose policy the agent refuses: the rules that select them put two L7 parsers, or two
 * `authentication.mode`s, on one filter (and peer selector), a merge error (pkg/policy `mergePortProto`: "cannot merge
 * conflicting L7 parsers", "cannot merge conflicting authentication types"). The endpoint's regeneration then fails
 * before its policy changes (pkg/endpoint `regeneratePolicy`), so it keeps the policy it had — which the inputs do not
 * hold. What the engine judges of its rules is not what the agent enforces, so a diff does not compare, and a report does
 * not judge, the connections to and from such a class: they are said (NOT COMPARED, counted by every `--fail-on`; not
 * judged), never shown as a change or an allowed connection. The detection is the engine's (`agentRefusals`).
 */
import { describeItem } from '../engine/evaluate';
import { AgentRefusal, agentRefusalText } from '../engine/parser-conflicts';
import { PolicySet } from '../engine/policy-set';
import { NotCompared, NotJudged } from '../model/connectivity-document';
import { compareCodeUnits } from '../model/code-unit-order';
import { ClassifiedEndpoint } from './endpoint-classes';

/** The classes of one side whose policy the agent refuses, and why. */
export interface RefusedOnSide {
  /** Per class (as given), whether the agent refuses its policy. */
  readonly refused: readonly boolean[];
  /** The names of the refused classes, in the order given. */
  readonly names: readonly string[];
  /** What the agent cannot merge, once each, sorted (`agentRefusalText`). */
  readonly reasons: readonly string[];
  /** The validate checks that find them, once each, sorted. */
  readonly checks: readonly string[];
}

/** The classes of `set` whose policy the agent refuses (`PolicySet._agentRefusals`), with the reasons. */
export function refusedClasses(set: PolicySet, classes: readonly ClassifiedEndpoint[]): RefusedOnSide {
  const refused: boolean[] = [];
  const names: string[] = [];
  const found = new Set<AgentRefusal>();
  for (const c of classes) {
    const refusals = set._agentRefusals(c.endpoint);
    refused.push(refusals.length > 0);
    if (refusals.length === 0) continue;
    names.push(c.cls.name);
    for (const r of refusals) found.add(r);
  }
  const reasons = [...new Set([...found].map((r) => agentRefusalText(r, describeItem)))].sort(compareCodeUnits);
  const checks = [...new Set([...found].map((r) => r.check as string))].sort(compareCodeUnits);
  return { refused, names, reasons, checks };
}

/**
 * The NOT COMPARED entries of a diff for the classes whose policy the agent refuses on `base` or `head` (one entry when
 * both sides refuse the same classes for the same reasons); none when neither does. Each may allow or deny anything.
 */
export function refusedNotCompared(base: RefusedOnSide, head: RefusedOnSide): NotCompared[] {
  const same = JSON.stringify([base.names, base.reasons]) === JSON.stringify([head.names, head.reasons]);
  const sides: { side: RefusedOnSide; where: string }[] = same ? [{ side: head, where: 'on base and head' }]
    : [{ side: base, where: 'on base' }, { side: head, where: 'on head' }];
  return sides.filter(({ side }) => side.names.length > 0).map(({ side, where }) => ({
    text: `${lead(side, where)}, so the connections to and from ${side.names.length === 1 ? 'it' : 'them'} are not compared; `
      + `${fix(side, where === 'on base' ? 'base' : 'head')}`,
    mayAllow: true,
    mayDeny: true,
  }));
}

/** The note of a report on the classes whose policy the agent refuses; none when it refuses none. */
export function refusedNotJudged(side: RefusedOnSide): NotJudged[] {
  if (side.names.length === 0) return [];
  return [{
    text: `${lead(side, '')}, so the connections to and from ${side.names.length === 1 ? 'it' : 'them'} are not judged and not listed; `
      + fix(side, undefined),
  }];
}

/**
 * `the agent refuses the policy of 2 endpoint classes on head (a, b): <reasons>: their endpoints keep the policy they had
 * (…), which the inputs do not hold`.
 */
function lead(side: RefusedOnSide, where: string): string {
  const n = side.names.length;
  const names = side.names.slice(0, 5).join(', ') + (n > 5 ? `, and ${n - 5} more` : '');
  const reasons = side.reasons.slice(0, 3).join('; ') + (side.reasons.length > 3 ? `; and ${side.reasons.length - 3} more` : '');
  const classes = n === 1 ? `the endpoint class ${names}${where === '' ? '' : ` ${where}`}` : `${n} endpoint classes${where === '' ? '' : ` ${where}`} (${names})`;
  return `the agent refuses the policy of ${classes}: ${reasons}: ${n === 1 ? 'its' : 'their'} endpoints keep the policy they had (their `
    + 'regeneration fails before it changes), which the inputs do not hold';
}

/** `run \`cdk8s-cilium validate\` on the head policies and fix pitfall-auth-mode-conflict`. */
function fix(side: RefusedOnSide, which: string | undefined): string {
  return `run \`cdk8s-cilium validate\` on the ${which === undefined ? '' : `${which} `}policies and fix ${side.checks.join(' and ')}`;
}
