// Pitfalls of cloud provider groups: a policy with toGroups or fromGroups, which the agent leaves to the operator.
import { DerivativeIndex, derivativeNamePrefix, policyGroupsUses } from '../model/groups-derivative';
import { PitfallRun } from './pitfall-run';

/**
 * `pitfall-groups-derivative`: a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy with a non-empty `toGroups`
 * (`fromGroups` from 1.16) whose derivative is not in the input. The agent never imports it (`RequiresDerivative`); the
 * operator resolves the groups from the cloud API (AWS) and writes a derivative policy of every rule of it, which the
 * agent imports instead (`model/groups-derivative.ts`). Without an operator that does so, none of its rules is enforced.
 * Reported once per policy, at its first item with groups. The engine's refusal of the same case (`trace` exit 2,
 * `engine-policy-refused`) names this check.
 */
export function groupsDerivative(run: PitfallRun): void {
  const derivatives = new DerivativeIndex(run.documents.map((d) => d.model));
  run.documents.forEach(({ model, version }, doc) => {
    const uses = policyGroupsUses(model, version);
    if (uses.length === 0 || derivatives.derivativeOf(model) !== undefined) return;
    const at = uses[0];
    run.reportDocument('pitfall-groups-derivative', doc, at.path,
      `${at.field} (cloud provider groups): the agent never imports a ${model.kind} with ${at.field} (RequiresDerivative); the operator resolves `
        + `the groups from the cloud API (AWS) and writes the derivative policy ${derivativeNamePrefix(model)}<uid> with every rule of this one and `
        + 'the groups\' addresses as CIDRs, which the agent imports instead; without an operator that does so, none of this policy\'s rules is enforced, '
        + 'and verdicts on the endpoints it selects depend on addresses only the cloud API knows',
      'run the operator with the AWS provider and check the derivative\'s status; to judge the set offline, give the derivative policy (labelled '
        + 'io.cilium.network.policy.kind: derivative) with it, or select the addresses with toCIDRSet or a CiliumCIDRGroup');
  });
}
