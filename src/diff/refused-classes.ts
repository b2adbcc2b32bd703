/**
 * The endpoint classes whose policy the agent refuses: the rules that select them put two L7 parsers, or two
 * `authentication.mode`s, on one filter (and peer selector), a merge error (pkg/policy `mergePortProto`: "cannot merge
 * conflicting L7 parsers", "cannot merge conflicting authentication types"). The endpoint's regeneration then fails
 * before its policy changes (pkg/endpoint `regeneratePolicy`), so it keeps the policy it had — which the inputs do not
 * hold. What the engine judges of its rules is not what the agent enforces, so a diff does not compare, and a report does
 * not judge, the connections to and from such a class: they are said (NOT COMPARED, counted by every `--fail-on`; not
 * judged), never shown as a change or an allowed connection. The detection is the engine's (`agentRefusals`), which
 * also counts an HTTP regex certainly larger than Envoy accepts: cilium-envoy refuses the update and keeps the L7 policy
 * it had, and the regeneration fails.
 * When it refuses the policy of the DNS server, the `fqdn:` classes are not compared or judged either: `toFQDNs` selects
 * a name only once the DNS proxy has learned it from the server's answer to a lookup it forwards as the client, so the
 * server's ingress decides (`PolicySet._learningRefusals`, `learningRefusalText`).
 * Every other connection between two classes that the public verdicts refuse (`unjudgedConnectionError`, through
 * `PolicySet._judgedDecision`: a node class given without labels where a host rule reads them, a pod class given without
 * its service account where the accounts decide differently, a DNS name whose learning lookup is not judged) is likewise
 * not judged by a report and not compared by a diff, with the gate's id, words and fix (`unjudgedNotJudged`,
 * `unjudgedNotCompared`).
 */
import { CiliumPolicyError, errorWhat } from '../core/errors';
import { describeItem } from '../engine/evaluate';
import { EndpointKind, formatEndpoint } from '../engine/endpoint';
import { AgentRefusal, AgentRefusalCheck, agentRefusalText, learningRefusalText, notKnown } from '../engine/parser-conflicts';
import { PolicySet } from '../engine/policy-set';
import { NotCompared, NotJudged } from '../model/connectivity-document';
import { compareCodeUnits } from '../model/code-unit-order';
import { ClassifiedEndpoint } from './endpoint-classes';
import { VerdictKind, VerdictQuery } from '../engine/verdict';

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
  /**
   * Whether some are merge errors the agent refuses (the endpoint keeps the policy it had), whether some are, from
   * 1.18, two L7 parsers on one port for other peers, whose one proxy redirect the inputs do not decide (`notKnown`), and
   * whether some are merges of one port and peer the agent refuses or not as the order it merges the rules in decides
   * (two listeners, `serverNames` beside L7 rules: `SelectorMergeRefusal`).
   */
  readonly merges: { readonly kept: boolean; readonly redirect: boolean; readonly order: boolean };
  /**
   * When the agent refuses the policy of the DNS server and a class's egress has `toFQDNs` items: per class, whether it is
   * an `fqdn:` class (`unlearned`) and whether its egress has `toFQDNs` items (`learns`) — a pair of the two is not judged
   * (`pairRefused`) — with the names of the `fqdn:` classes and why. None otherwise.
   */
  readonly learning?: {
    readonly unlearned: readonly boolean[];
    readonly learns: readonly boolean[];
    /** The names of the `fqdn:` classes, in the order given. */
    readonly names: readonly string[];
    /** Why (`learningRefusalText`). */
    readonly reason: string;
    /** The validate checks that find the server's refusals, once each, sorted. */
    readonly checks: readonly string[];
  };
}

/**
 * The classes of `set` whose policy the agent refuses (`PolicySet._agentRefusals`), with the reasons, and the `fqdn:`
 * classes whose learning a refused DNS server leaves unknown (`PolicySet._learningRefusals`).
 */
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
  const reasons = sorted([...found].map((r) => agentRefusalText(r, describeItem)));
  const checks = sorted([...found].map((r) => r.check as string));
  const merge = (r: AgentRefusal): boolean => r.check === AgentRefusalCheck.L7_PARSER_CONFLICT || r.check === AgentRefusalCheck.AUTH_MODE_CONFLICT;
  // Two listeners, or serverNames beside L7 rules, on one port and peer: refused, or refused depending on the merge order.
  const selector = (r: AgentRefusal): boolean => r.check === AgentRefusalCheck.LISTENER_CONFLICT || r.check === AgentRefusalCheck.SNI_L7_UNDECIDED;
  const merges = {
    kept: [...found].some((r) => (merge(r) || selector(r)) && !notKnown(r)), redirect: [...found].some((r) => merge(r) && notKnown(r)),
    order: [...found].some((r) => selector(r) && notKnown(r)),
  };
  const learning = unlearnedClasses(set, classes);
  return { refused, names, reasons, checks, merges, ...(learning !== undefined ? { learning } : {}) };
}

/** Whether the pair (`a` the client, `b` the server) is not judged on a side: a refused end, or a name it cannot learn. */
export function pairRefused(side: RefusedOnSide, a: number, b: number): boolean {
  return side.refused[a] || side.refused[b] || (side.learning !== undefined && side.learning.unlearned[b] && side.learning.learns[a]);
}

/**
 * The `fqdn:` classes whose verdicts a refused DNS server leaves unknown to the clients whose egress has `toFQDNs` items
 * (`PolicySet._learningRefusals`); `undefined` when the agent computes the server's policy, or no class has such items.
 */
function unlearnedClasses(set: PolicySet, classes: readonly ClassifiedEndpoint[]): RefusedOnSide['learning'] {
  // Every fqdn: class is a DNS name learned at the same server: the refusals are those of one client and one name.
  const name = classes.find((c) => c.endpoint.kind === EndpointKind.FQDN);
  const client = name === undefined ? undefined : classes.find((c) => set._learnsNames(c.endpoint));
  const refusals = name === undefined || client === undefined ? [] : set._learningRefusals(client.endpoint, name.endpoint);
  if (refusals.length === 0) return undefined;
  const learns = classes.map((c) => set._learnsNames(c.endpoint));
  const unlearned = classes.map((c) => c.endpoint.kind === EndpointKind.FQDN);
  const texts = sorted(refusals.map((r) => agentRefusalText(r, describeItem)));
  const reason = learningRefusalText(formatEndpoint(set._dnsServer),
    texts.slice(0, 3).join('; ') + (texts.length > 3 ? `; and ${texts.length - 3} more` : ''), refusals[0]);
  const names = classes.filter((_, i) => unlearned[i]).map((c) => c.cls.name);
  return { unlearned, learns, names, reason, checks: sorted(refusals.map((r) => r.check as string)) };
}

function sorted(texts: Iterable<string>): string[] {
  return [...new Set(texts)].sort(compareCodeUnits);
}

/**
 * The NOT COMPARED entries of a diff for the classes whose policy the agent refuses on `base` or `head` (one entry when
 * both sides refuse the same classes for the same reasons); none when neither does. Each may allow or deny anything.
 */
export function refusedNotCompared(base: RefusedOnSide, head: RefusedOnSide): NotCompared[] {
  const same = JSON.stringify([base.names, base.reasons]) === JSON.stringify([head.names, head.reasons]);
  const sides: { side: RefusedOnSide; where: string }[] = same ? [{ side: head, where: 'on base and head' }]
    : [{ side: base, where: 'on base' }, { side: head, where: 'on head' }];
  const classes = sides.filter(({ side }) => side.names.length > 0).map(({ side, where }) => ({
    text: `${lead(side, where)}, so the connections to and from ${side.names.length === 1 ? 'it' : 'them'} are not compared; `
      + `${fix(side.checks, where === 'on base' ? 'base' : 'head')}`,
    mayAllow: true,
    mayDeny: true,
  }));
  const learningKey = (side: RefusedOnSide): string => JSON.stringify(side.learning ? [side.learning.names, side.learning.reason] : null);
  const sameLearning = learningKey(base) === learningKey(head);
  const learningSides: { side: RefusedOnSide; where: string }[] = sameLearning ? [{ side: head, where: 'on base and head' }]
    : [{ side: base, where: 'on base' }, { side: head, where: 'on head' }];
  const names = learningSides.flatMap(({ side, where }) => (side.learning === undefined ? [] : [{
    text: `${learningLead(side.learning, where)}, so the connections of clients with toFQDNs rules to ${side.learning.names.length === 1 ? 'it' : 'them'} are not compared; `
      + `${fix(side.learning.checks, where === 'on base' ? 'base' : 'head')}`,
    mayAllow: true,
    mayDeny: true,
  }]));
  return [...classes, ...names];
}

/** The note of a report on the classes whose policy the agent refuses; none when it refuses none. */
export function refusedNotJudged(side: RefusedOnSide): NotJudged[] {
  const classes = side.names.length === 0 ? [] : [{
    text: `${lead(side, '')}, so the connections to and from ${side.names.length === 1 ? 'it' : 'them'} are not judged and not listed; `
      + fix(side.checks, undefined),
  }];
  const { learning } = side;
  return learning === undefined ? classes : [...classes, {
    text: `${learningLead(learning, '')}, so the connections of clients with toFQDNs rules to ${learning.names.length === 1 ? 'it' : 'them'} are not judged and not listed; `
      + fix(learning.checks, undefined),
  }];
}

/**
 * `the DNS names fqdn:a, fqdn:b (on head): <reasons>` — the `fqdn:` classes a refused DNS server leaves unknown.
 */
function learningLead(learning: NonNullable<RefusedOnSide['learning']>, where: string): string {
  const n = learning.names.length;
  const names = learning.names.slice(0, 5).join(', ') + (n > 5 ? `, and ${n - 5} more` : '');
  return `${n === 1 ? 'the DNS name' : `${n} DNS names`} ${names}${where === '' ? '' : ` ${where}`}: ${learning.reason}`;
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
  // A policy left to the operator's derivative (toGroups) is not kept from before: the derivative is what applies.
  // A k8sServiceSelector whose Services the 1.19 patch release decides is no refusal: what is enforced is not known.
  const derivative = side.checks.includes(AgentRefusalCheck.GROUPS_DERIVATIVE);
  const undecided = side.checks.includes(AgentRefusalCheck.SERVICE_SELECTOR_UNDECIDED);
  const groups = side.checks.includes(AgentRefusalCheck.CIDR_GROUP_UNDECIDED);
  const services = side.checks.includes(AgentRefusalCheck.SERVICE_MISSING_UNDECIDED);
  const { redirect } = side.merges;
  // Two L7 parsers on one port for other peers (from 1.18) share the check of a refused merge: the merges tell them apart.
  const kept = side.merges.kept || side.checks.some((c) => c === AgentRefusalCheck.HTTP_REGEX_TOO_LARGE || c === AgentRefusalCheck.LISTENER_KIND);
  // A certain refusal beside an order-decided merge: the endpoints keep the policy they had whatever the order.
  const order = side.merges.order && !kept;
  const outcomes = [
    ...(kept ? ['keep the policy they had (their regeneration fails before it changes)'] : []),
    ...(redirect ? ['get the one proxy redirect of their port made with the parser the agent meets first'] : []),
    ...(order ? ['keep the policy they had or get the merged one, as the order the agent merges the rules in decides'] : []),
    ...(derivative ? ['get the operator\'s derivative policy'] : []),
    ...(undecided ? ['get the policy their agent\'s 1.19 patch release makes of it'] : []),
    ...(groups ? ['get the policy the cluster\'s CiliumCIDRGroups make of it'] : []),
    ...(services ? ['get the policy the cluster\'s Services make of it'] : []),
  ];
  const verb = (undecided || groups || services || redirect || order) && !kept && !derivative
    ? `The policy Cilium ${undecided ? '1.19 ' : ''}enforces for ${classes} is not known` : `Cilium refuses the policy of ${classes}`;
  return `${verb}: ${reasons}: ${n === 1 ? 'its' : 'their'} endpoints ${outcomes.join(' or ')}, which the inputs do not hold`;
}

/** `run \`cdk8s-cilium validate\` on the head policies and fix pitfall-auth-mode-conflict`. */
function fix(checks: readonly string[], which: string | undefined): string {
  return `run \`cdk8s-cilium validate\` on the ${which === undefined ? '' : `${which} `}policies and fix ${checks.join(' and ')}`;
}

/** A connection between two classes, on some ports, that the gate refuses on one side at least (`PolicySet._judgedDecision`). */
export interface UnjudgedConnection {
  /** The classes' names and the ports (`formatPorts`). */
  readonly from: string;
  readonly to: string;
  readonly ports: readonly string[];
  /** A side's refusal (a diff: the head's when both refuse, else the refusing side's). */
  readonly refusal: CiliumPolicyError;
  /** A diff: each side's outcome, `not judged` where the gate refuses. */
  readonly before?: string;
  readonly after?: string;
}

/**
 * The NOT JUDGED notes of a report on the connections the gate refuses, never listed as allowed: one per refusal id, with
 * the first connection's refusal in the gate's words and fix.
 */
export function unjudgedNotJudged(connections: readonly UnjudgedConnection[]): NotJudged[] {
  return byRefusal(connections).map((group) => ({ text: groupText(group, 'not judged and not listed') }));
}

/**
 * The NOT COMPARED entries of a diff on the connections the gate refuses on base, head or both where the policies that
 * decide them differ (as for the refused classes: a change to, from or between not judged may allow or deny anything).
 */
export function unjudgedNotCompared(connections: readonly UnjudgedConnection[]): NotCompared[] {
  return byRefusal(connections).map((group) => ({
    text: groupText(group, 'not judged on base or head, so not compared'),
    mayAllow: true,
    mayDeny: true,
  }));
}

/** `3 connections are <state> (<id>): <the connections>; the first: <the gate's words>; fix: <its fix>`. */
function groupText({ list, first }: { list: UnjudgedConnection[]; first: UnjudgedConnection }, state: string): string {
  return `${count(list.length)} ${state} (${first.refusal.id}): ${shownConnections(list)}; `
    + `${list.length === 1 ? '' : 'the first: '}${errorWhat(first.refusal)}; fix: ${first.refusal.fix ?? ''}`;
}

function count(n: number): string {
  return n === 1 ? '1 connection is' : `${n} connections are`;
}

/** The connections grouped by refusal id, in the order given. */
function byRefusal(connections: readonly UnjudgedConnection[]): { list: UnjudgedConnection[]; first: UnjudgedConnection }[] {
  const groups = new Map<string, UnjudgedConnection[]>();
  for (const c of connections) {
    const list = groups.get(c.refusal.id) ?? [];
    list.push(c);
    groups.set(c.refusal.id, list);
  }
  return [...groups.values()].map((list) => ({ list, first: list[0] }));
}

/** `a → b 80/TCP (not judged → allowed), …, and 3 more`. */
function shownConnections(list: readonly UnjudgedConnection[]): string {
  const shown = list.slice(0, 5).map((c) => `${c.from} → ${c.to} ${c.ports.join(', ')}`
    + (c.before !== undefined && c.after !== undefined ? ` (${c.before} → ${c.after})` : ''));
  return shown.join('; ') + (list.length > 5 ? `; and ${list.length - 5} more` : '');
}

/**
 * The gate's decision on the query of a pair of classes (`PolicySet._judgedDecision`), with what the classes know of their
 * node labels (`ClassifiedEndpoint.nodeLabelsAbsent`: the class of the other nodes carries none of those its selectors read).
 * The one way the diff and the report ask the gate.
 */
export function judgedDecision(set: PolicySet, from: ClassifiedEndpoint, to: ClassifiedEndpoint, q: VerdictQuery): VerdictKind | CiliumPolicyError {
  if (from.nodeLabelsAbsent === undefined && to.nodeLabelsAbsent === undefined) return set._judgedDecision(q);
  return set._judgedDecision(q, '', {
    ...(from.nodeLabelsAbsent !== undefined ? { from: new Set(from.nodeLabelsAbsent) } : {}),
    ...(to.nodeLabelsAbsent !== undefined ? { to: new Set(to.nodeLabelsAbsent) } : {}),
  });
}
