/**
 * What makes the agent refuse a whole Kubernetes NetworkPolicy that the API server stores (`pitfall-np-agent-refuses`
 * reports it, the engine skips such a policy, and the other pitfalls leave it out: none of its rules is enforced).
 */
import { CiliumVersion } from '../core/cilium-version';
import { RuleModel } from '../model/policy-model';
import { parsePrefixStrict } from './syntax';
import { pushAll } from '../model/push-all';

/** A part of a translated NetworkPolicy that makes the agent refuse all of it, at its NetworkPolicy path. */
export interface NetworkPolicyRefusal {
  /** The NetworkPolicy path (`spec.ingress[0].from[1].ipBlock.except[0]`, `spec.ingress[0].ports[1].endPort`). */
  readonly at: string;
  /** The value as written (a CIDR, or an endPort number as text). */
  readonly value: string;
  /** Why the agent refuses it. */
  readonly why: 'unparsable-cidr' | 'end-port';
}

/**
 * The parts of a translated NetworkPolicy that make the agent of `version` refuse the whole NetworkPolicy, which the API
 * server stores: before 1.19 an ipBlock CIDR (`cidr` or `except`) it cannot parse (`ParseNetworkPolicy` runs
 * `rule.Sanitize()`, whose `CIDRRule.sanitize` parses strictly; the API server reads CIDRs leniently), and on 1.15 any
 * `endPort` (`parsePorts` returns `ErrEndPortUnsupported`, cilium/cilium#28704). One reading for `validate` and the engine.
 * @param rule the translated rule (`translateNetworkPolicy`)
 * @param paths the NetworkPolicy path of each item of `rule.ingress` and `rule.egress`
 */
export function networkPolicyRefusals(rule: RuleModel | undefined,
  paths: { readonly ingress?: readonly string[]; readonly egress?: readonly string[] }, version: CiliumVersion): NetworkPolicyRefusal[] {
  const out: NetworkPolicyRefusal[] = [];
  const endPorts = version.atLeast(CiliumVersion.V1_15) && !version.atLeast(CiliumVersion.V1_16);
  const cidrs = !version.atLeast(CiliumVersion.V1_19);
  for (const direction of ['ingress', 'egress'] as const) {
    const seen = new Set<string>();
    (rule?.[direction] ?? []).forEach((item, i) => {
      const path = paths[direction]?.[i];
      if (path === undefined) return;
      const block = item.cidrSet?.[0];
      if (cidrs && block !== undefined) {
        const written = [{ at: `${path}.ipBlock.cidr`, value: block.cidr ?? '' }, ...(block.except ?? []).map((e, j) => ({ at: `${path}.ipBlock.except[${j}]`, value: e }))];
        pushAll(out, written.filter(({ value }) => parsePrefixStrict(value) === undefined).map((w) => ({ ...w, why: 'unparsable-cidr' as const })));
      }
      // Every peer of a NetworkPolicy rule carries the rule's ports: report each port of the rule once.
      const rulePath = /^spec\.(ingress|egress)\[\d+\]/.exec(path)?.[0];
      if (!endPorts || rulePath === undefined || seen.has(rulePath)) return;
      seen.add(rulePath);
      (item.toPorts ?? []).forEach((pr, j) => {
        const endPort = pr.ports?.[0]?.endPort;
        if (endPort !== undefined) out.push({ at: `${rulePath}.ports[${j}].endPort`, value: String(endPort), why: 'end-port' });
      });
    });
  }
  return out;
}
