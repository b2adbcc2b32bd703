/**
 * `pitfall-np-policy-types-ignored`: a Kubernetes NetworkPolicy whose `policyTypes` leaves out a direction it has rules
 * for. Kubernetes ignores those rules; Cilium enforces them (`ParseNetworkPolicy` translates every rule whatever
 * `policyTypes` says, cilium/cilium#48703): the selected pods go into default deny in that direction, open only to
 * what the ignored rules allow.
 *
 * `pitfall-np-end-port-ignored`: a NetworkPolicy port with `endPort` for Cilium before 1.16. The API server keeps it (a
 * NetworkPolicy is no CRD, nothing is pruned), but the agent's `parsePorts` (pkg/k8s/network_policy.go) has no `EndPort`
 * before 1.16: the rule allows the first port only.
 *
 * `pitfall-np-agent-refuses`: a NetworkPolicy the API server stores (it parses CIDRs leniently, `ParseCIDRSloppy`: leading
 * zeros) but whose translation the agent's `rule.Sanitize()` refuses before 1.19 (`ParseNetworkPolicy` returns the error
 * of `CIDRRule.sanitize`, which parses `cidr` and `except` strictly): the agent imports none of its rules.
 */
import { CiliumVersion } from '../core/cilium-version';
import { RuleModel } from '../model/policy-model';
import { PitfallRun } from './pitfall-run';
import { parsePrefixStrict } from './syntax';

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

/** Reports each NetworkPolicy port range that the target version's agent narrows to its first port. */
export function networkPolicyEndPortIgnored(run: PitfallRun): void {
  const version = run.networkPolicyVersion;
  if (version.atLeast(CiliumVersion.V1_16)) return;
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
            `endPort ${p.endPort}: Cilium ${version.toString()} translates no NetworkPolicy endPort (its parsePorts has none before 1.16), so this rule `
            + `allows port ${p.port} only, not ${p.port}-${p.endPort}`,
            `list the ports of the range one by one (or upgrade to Cilium 1.16+)`);
        });
      });
    }
  }
}

/** An ipBlock CIDR of a translated NetworkPolicy that the agent cannot parse, at its NetworkPolicy path. */
export interface UnparsableIpBlock {
  /** The NetworkPolicy path (`spec.ingress[0].from[1].ipBlock.except[0]`). */
  readonly at: string;
  /** The CIDR as written. */
  readonly value: string;
}

/**
 * The ipBlock CIDRs (`cidr` and `except`) of a translated NetworkPolicy that the agent of `version` cannot parse, which make
 * it refuse the whole NetworkPolicy (before 1.19: `ParseNetworkPolicy` runs `rule.Sanitize()`, whose `CIDRRule.sanitize`
 * parses strictly; the API server stores them, reading CIDRs leniently). One reading for `validate` and the engine.
 * @param rule the translated rule (`translateNetworkPolicy`)
 * @param paths the NetworkPolicy path of each item of `rule.ingress` and `rule.egress`
 */
export function unparsableIpBlocks(rule: RuleModel | undefined, paths: { readonly ingress?: readonly string[]; readonly egress?: readonly string[] },
  version: CiliumVersion): UnparsableIpBlock[] {
  if (version.atLeast(CiliumVersion.V1_19)) return [];
  const out: UnparsableIpBlock[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    (rule?.[direction] ?? []).forEach((item, i) => {
      const path = paths[direction]?.[i];
      const block = item.cidrSet?.[0];
      if (path === undefined || block === undefined) return;
      const written = [{ at: `${path}.ipBlock.cidr`, value: block.cidr ?? '' }, ...(block.except ?? []).map((e, j) => ({ at: `${path}.ipBlock.except[${j}]`, value: e }))];
      out.push(...written.filter(({ value }) => parsePrefixStrict(value) === undefined));
    });
  }
  return out;
}

/** Reports each NetworkPolicy ipBlock the agent cannot parse, which makes it refuse the whole NetworkPolicy before 1.19. */
export function networkPolicyAgentRefuses(run: PitfallRun): void {
  const version = run.networkPolicyVersion;
  for (const np of run.inventory.networkPolicies) {
    for (const { at, value } of unparsableIpBlocks(np.rule, { ingress: np.ingressPaths, egress: np.egressPaths }, version)) {
      run.reportNetworkPolicy('pitfall-np-agent-refuses', np, at,
        `the API server accepts ${JSON.stringify(value)} (it reads CIDRs leniently), but the agent of Cilium ${version.toString()} cannot parse it `
        + '(rule.Sanitize in ParseNetworkPolicy), so it refuses this whole NetworkPolicy: none of its rules is enforced, and the pods it selects '
        + 'are not isolated by it',
        'write the CIDR without leading zeros or padding, such as 10.0.0.0/8');
    }
  }
}
