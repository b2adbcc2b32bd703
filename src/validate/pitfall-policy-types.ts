/**
 * `pitfall-np-policy-types-ignored`: a Kubernetes NetworkPolicy whose `policyTypes` leaves out a direction it has rules
 * for. Kubernetes ignores those rules; Cilium enforces them (`ParseNetworkPolicy` translates every rule whatever
 * `policyTypes` says, cilium/cilium#48703): the selected pods go into default deny in that direction, open only to
 * what the ignored rules allow.
 *
 * `pitfall-np-end-port-ignored`: a NetworkPolicy port with `endPort` for Cilium 1.14. The API server keeps it (a
 * NetworkPolicy is no CRD, nothing is pruned), but the 1.14 agent's `parsePorts` (pkg/k8s/network_policy.go) has no
 * `EndPort`: the rule allows the first port only. 1.15 refuses the policy instead (below); 1.16 translates the range.
 *
 * `pitfall-np-agent-refuses`: a NetworkPolicy the API server stores but the agent refuses whole, importing none of its
 * rules (`networkPolicyRefusals`): before 1.19 an ipBlock CIDR it cannot parse (the API server parses CIDRs leniently,
 * `ParseCIDRSloppy`: leading zeros; `ParseNetworkPolicy` returns the error of `rule.Sanitize()`, whose
 * `CIDRRule.sanitize` parses `cidr` and `except` strictly), and on 1.15 any `endPort` (`parsePorts` returns
 * `ErrEndPortUnsupported` when `port.EndPort != nil`, cilium/cilium#28704, merged for 1.15 in October 2023; 1.16
 * translates port ranges, cilium/cilium#32389 and what followed it).
 */
import { CiliumVersion } from '../core/cilium-version';
import { networkPolicyRefusals } from './network-policy-refusals';
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

/** Reports each NetworkPolicy port range that the target version's agent narrows to its first port (1.14 only). */
export function networkPolicyEndPortIgnored(run: PitfallRun): void {
  const version = run.networkPolicyVersion;
  if (version.atLeast(CiliumVersion.V1_15)) return;
  for (const np of run.inventory.networkPolicies) {
    const seen = new Set<string>();
    for (const [direction, paths] of [['ingress', np.ingressPaths], ['egress', np.egressPaths]] as const) {
      (np.rule?.[direction] ?? []).forEach((item, i) => {
        const rulePath = /^spec\.(ingress|egress)\[\d+\]/.exec(paths?.[i] ?? '')?.[0];
        if (rulePath === undefined || seen.has(rulePath)) return;
        seen.add(rulePath);
        (item.toPorts ?? []).forEach((pr, j) => {
          const p = pr.ports?.[0];
          if (p?.endPort === undefined || !(p.endPort > Number(p.port))) return;
          run.reportNetworkPolicy('pitfall-np-end-port-ignored', np, `${rulePath}.ports[${j}].endPort`,
            `endPort ${p.endPort}: Cilium ${version.toString()} translates no NetworkPolicy endPort (its parsePorts has none; 1.15 refuses it, 1.16 translates it), so this rule `
            + `allows port ${p.port} only, not ${p.port}-${p.endPort}`,
            `list the ports of the range one by one (or upgrade to Cilium 1.16+)`);
        });
      });
    }
  }
}

/** Reports each part of a NetworkPolicy that makes the agent refuse all of it (`networkPolicyRefusals`). */
export function networkPolicyAgentRefuses(run: PitfallRun): void {
  const version = run.networkPolicyVersion;
  const whole = 'so it refuses this whole NetworkPolicy: none of its rules is enforced, and the pods it selects are not isolated by it';
  for (const np of run.inventory.networkPolicies) {
    for (const { at, value, why } of networkPolicyRefusals(np.rule, { ingress: np.ingressPaths, egress: np.egressPaths }, version)) {
      if (why === 'end-port') {
        run.reportNetworkPolicy('pitfall-np-agent-refuses', np, at,
          `endPort ${value}: the agent of Cilium ${version.toString()} supports no NetworkPolicy endPort (parsePorts returns ErrEndPortUnsupported, `
          + `cilium/cilium#28704), ${whole}`,
          'list the ports of the range one by one without endPort (or upgrade to Cilium 1.16+, which translates the range)');
      } else {
        run.reportNetworkPolicy('pitfall-np-agent-refuses', np, at,
          `the API server accepts ${JSON.stringify(value)} (it reads CIDRs leniently), but the agent of Cilium ${version.toString()} cannot parse it `
          + `(rule.Sanitize in ParseNetworkPolicy), ${whole}`,
          'write the CIDR without leading zeros or padding, such as 10.0.0.0/8');
      }
    }
  }
}
