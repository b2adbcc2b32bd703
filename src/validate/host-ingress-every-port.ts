// The one rule of a host policy's ingress allow without ports from a broad peer: every port of the nodes.
import { RuleItemModel } from '../model/policy-model';
import { BroadPeerOptions, itemsSelectBroadly } from './lockout-guard';

/**
 * Broad for a host policy's port-less ingress, as the lockout guard judges its sources (`itemsSelectBroadly`): the world,
 * a CIDR wider than an IPv4 /8 or an IPv6 /32, every pod (`cluster`, every namespace), the `unmanaged` and `init` entities
 * (pods of any namespace whose identity Cilium has not resolved), the `ingress` entity (any client Cilium's Ingress and Gateway
 * API Envoy relays, the world included), and a CIDR group, whose ranges live in the cluster's
 * CiliumCIDRGroup objects, unseen where the rule is judged, and may be `0.0.0.0/0`.
 */
const HOST_INGRESS_BROAD: BroadPeerOptions = { everyPod: true, namespaceFixed: false, cidrGroups: true, unresolvedPods: true, ingressProxy: true };

/** What a port-less host ingress allow opens, for the messages of the construct and validate alike. */
export const HOST_INGRESS_EVERY_PORT = 'every port of the nodes the policy selects (etcd 2379-2380/TCP, the kubelet 10250/TCP, SSH 22/TCP, every node port)';

/**
 * What a host policy's ingress allow item with `portCount` ports (or ICMP types) selects when it opens every port of the
 * nodes to a broad peer, or `undefined`. An ingress item without toPorts is an L3 allow of every port of the endpoints the
 * rule selects (pkg/policy/rule.go `mergeIngress`: no toPorts, the wildcard port), and in a host policy those are the nodes
 * themselves. Allows only (the caller's part): a deny without ports denies more. The one judgement of the constructs
 * (`host-firewall-ingress-every-port`, `ClusterwidePolicy` with a `nodeSelector` and `HostFirewall` alike) and of validate
 * on hand-written YAML (`pitfall-host-ingress-every-port`).
 * @param item the rule item (a construct's peer item, or an item read from YAML)
 * @param portCount the item's ports and ICMP fields; an item with any is not every port
 */
export function hostIngressEveryPort(item: RuleItemModel, portCount: number): string | undefined {
  if (portCount > 0) return undefined;
  return itemsSelectBroadly([item], HOST_INGRESS_BROAD);
}
