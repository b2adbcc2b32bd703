/**
 * `pitfall-np-policy-types-ignored`: a Kubernetes NetworkPolicy whose `policyTypes` leaves out a direction it has rules
 * for. Kubernetes ignores those rules; Cilium enforces them (`ParseNetworkPolicy` translates every rule whatever
 * `policyTypes` says, cilium/cilium#48703): the selected pods go into default deny in that direction, open only to
 * what the ignored rules allow.
 */
import { PitfallRun } from './pitfall-run';

/** Reports each NetworkPolicy direction Cilium enforces outside its `policyTypes`. */
export function policyTypesIgnored(run: PitfallRun): void {
  for (const np of run.inventory.networkPolicies) {
    for (const direction of np.enforcedOutsidePolicyTypes ?? []) {
      const type = direction === 'ingress' ? 'Ingress' : 'Egress';
      run.reportNetworkPolicy('pitfall-np-policy-types-ignored', np, `spec.${direction}`,
        `spec.${direction} has rules but policyTypes leaves ${type} out: Kubernetes ignores them, while Cilium enforces them anyway `
        + `(cilium/cilium#48703), so the selected pods are ${direction} default deny except for what these rules allow`,
        `add ${type} to policyTypes if the rules are meant, or remove spec.${direction}`);
    }
  }
}
