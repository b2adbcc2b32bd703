// Pitfall of L7 rules in default-allow mode (`pitfall-l7-default-allow`): HTTP or Kafka rules that restrict requests, in a
// direction no policy selecting their pods puts into default deny (`enableDefaultDeny.<direction>: false`, Cilium 1.16+).
// Cilium then adds an allow-all rule for every peer on every port beside them, so every request passes: visibility only.
// The engine's predicate (`defaultAllowL7`: the wildcard port on 1.16/1.17 before #38841's backports, visibility only after) decides it here too.
import { defaultAllowL7 } from '../core/default-allow-l7';
import { PortRuleModel, SectionName } from '../model/policy-model';
import { items, PitfallRun, RuleView } from './pitfall-run';
import { restrictingKind } from './pitfall-l7-widened';
import { mayOverlap } from './pod-selectors';
import { arr, isObject } from './walk';

/**
 * Reports each port rule of an allow item whose HTTP or Kafka rules restrict requests (`restrictingKind`) when the rule
 * leaves its direction out of default deny and no other rule of the input (a Cilium policy's or a Kubernetes
 * NetworkPolicy's) that may select some of its pods puts that direction into default deny: the pods' direction is then in
 * default-allow mode, whose L7 widening is the engine's (`defaultAllowL7`). Cilium
 * (pkg/policy/repository.go `computePolicyEnforcementAndRules`, case 3) adds an allow-all rule beside the rules of such a
 * direction: on 1.16-1.17 `wildcardRule`, an L3-only allow of `all` whose allow-all on the wildcard port Envoy consults
 * beside the port's own rules (cilium/proxy `PortNetworkPolicy`: "Check for any rules that wildcard the port"); from 1.18
 * createL4Filter adds an allow-all to every L7 rule list of such a direction (cilium/cilium#38841: repository.go passes the
 * endpoint's default-deny state to it). A warning: a policy outside the input
 * may still put the pods into default deny. Host policies are left out (their L7 rules are not enforced), as is a direction
 * on 1.14-1.15, where enableDefaultDeny does not exist (`run.defaultDeny`).
 */
export function l7DefaultAllow(run: PitfallRun, r: RuleView): void {
  if (r.host || !r.subject) return;
  for (const direction of ['ingress', 'egress'] as const) {
    if (run.defaultDeny(r, direction)) continue;
    // The pods' state as the engine's direction policy holds it: rules of the direction (this one), no default deny, no init.
    const state = { hasRules: true, defaultDeny: false, init: false };
    const widened = defaultAllowL7(state, r.version);
    if (!widened.wildcardPort && !widened.visibilityOnly) continue;
    const section = direction === 'ingress' ? SectionName.INGRESS : SectionName.EGRESS;
    const restricted = items(r.rule, section).flatMap(({ item, index }) => arr<PortRuleModel>(item.toPorts).flatMap((pr, k) => {
      const kind = isObject(pr) ? restrictingKind(pr.rules) : undefined;
      return kind === undefined ? [] : [{ kind, path: `${r.path}.${section}[${index}].toPorts[${k}]` }];
    }));
    if (restricted.length === 0 || enforcedElsewhere(run, r, direction)) continue;
    const how = widened.wildcardPort
      ? `Cilium ${r.version.release} adds an allow-all rule of every peer on every port beside them (${direction === 'ingress' ? 'fromEntities' : 'toEntities'}: `
        + '[all] without toPorts), whose allow-all on the wildcard port the proxy reads beside these rules'
      : `Cilium ${r.version.release} adds an allow-all to the L7 rules of every allow rule of such a direction`;
    for (const x of restricted) {
      run.report('pitfall-l7-default-allow', r, x.path,
        `these ${x.kind} rules restrict requests, but enableDefaultDeny.${direction} is false and no policy of the input selecting these pods `
        + `puts ${direction} into default deny: ${how}, so every request passes (visibility only)`,
        `to enforce them, drop enableDefaultDeny.${direction}: false (or set it true); if visibility is meant, let the rules match every request `
        + `(${x.kind === 'HTTP' ? 'http: [{}]' : 'kafka: [{}]'}); a policy outside the input that puts these pods into ${direction} default deny makes them restrict`);
    }
  }
}

/**
 * Whether another rule of the input that may select some of `r`'s pods puts `direction` into default deny: per the
 * workloads of the input (one of `r`'s selected by it), else by selectors that may overlap. A rule that selects them puts
 * the whole direction of those pods into default deny, and their L7 rules restrict there. A rule that may select only some
 * of the pods drops the warning for all of them: an under-report, by design.
 */
function enforcedElsewhere(run: PitfallRun, r: RuleView, direction: 'ingress' | 'egress'): boolean {
  const subject = r.subject;
  if (subject === undefined) return false;
  return [...run.rules, ...run.networkPolicyViews()].some((c) => c !== r && c.host === r.host && c.subject !== undefined
    && run.defaultDeny(c, direction) && (r.pods !== undefined && r.pods.length > 0 ? run.covers(c, r) : mayOverlap(subject, c.subject)));
}
