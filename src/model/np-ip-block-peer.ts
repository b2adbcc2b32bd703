// How Cilium 1.19 translates a Kubernetes NetworkPolicy ingress peer of only an `ipBlock`: on its first patches, with the
// cluster filter on, also as a selector of every pod of the policy namespace (cilium/cilium#46305). The one reading of it:
// the engine's translation (`compile.ts`), its patch split (`PolicySet._ipBlockPatchSplit`) and validate's
// `pitfall-np-ip-block-selects-namespace` take it from here.
import { CiliumVersion } from '../core/cilium-version';

/** The first 1.19 patch release whose `parseNetworkPolicyPeer` leaves an ipBlock-only ingress peer without a pod selector. */
export const NP_IP_BLOCK_FIXED = CiliumVersion.parse('1.19.5');

/** The last 1.19 patch release that also selects the pods of the policy namespace (the engine judges it as that patch). */
export const NP_IP_BLOCK_LAST_WIDENED = CiliumVersion.parse(`1.19.${(NP_IP_BLOCK_FIXED.patch as number) - 1}`);

/**
 * Whether Cilium translates a NetworkPolicy ingress peer of only an `ipBlock` with a pod selector too, so that the rule
 * also allows every pod of the policy namespace in the local cluster: pkg/k8s/network_policy.go `ParseNetworkPolicy` calls
 * `parseNetworkPolicyPeer` on every ingress peer (the egress loop only on peers with a pod or namespace selector), which
 * with the cluster filter on (`policy-default-local-cluster`, the 1.19 default) gives a selector-less peer
 * `{io.cilium.k8s.policy.cluster: <local>}` and then the policy namespace (`parsePodSelector`). `true` on 1.19.0-1.19.4
 * with the filter on; `false` from 1.19.5 (cilium/cilium#46305, backport #46456), with the filter off and before 1.19
 * (no cluster filter: the peer gets no selector); `undefined` on 1.19 without a patch level and the filter on: the patch
 * decides.
 */
export function ipBlockPeerSelectsNamespace(version: CiliumVersion, policyDefaultLocalCluster: boolean): boolean | undefined {
  if (!policyDefaultLocalCluster || version.minorRelease !== CiliumVersion.V1_19) return false;
  return version.patch === undefined ? undefined : version.patch < (NP_IP_BLOCK_FIXED.patch as number);
}

/** What the first 1.19 patches do with such a peer, as words (no leading capital, no final stop). */
export function ipBlockPeerSplitText(namespace: string): string {
  return `on Cilium 1.19.0-${NP_IP_BLOCK_LAST_WIDENED.release} with policy-default-local-cluster (on by default) the agent translates a `
    + `NetworkPolicy ingress peer of only an ipBlock with a pod selector too (pkg/k8s/network_policy.go parseNetworkPolicyPeer, `
    + `cilium/cilium#46305), so the rule also allows every pod of namespace ${namespace} in the local cluster; from ${NP_IP_BLOCK_FIXED.release} `
    + 'the peer is the ipBlock only';
}
