// The one rule of an egress allow of toServices without ports: every port of the Service's backends, not its ports.
import { CiliumVersion } from '../core/cilium-version';
import { PortProtocolModel, RuleItemModel } from '../model/policy-model';
import { AGENT_SINCE } from './tables';
import { arr } from './walk';

/** Why an egress allow of `toServices` without ports holds on every port of the Services' backends. */
export interface ServicesEveryPort {
  /** Why the allow holds on every port of the backends (one sentence, for the construct and validate alike). */
  readonly reason: string;
  /** Whether the target version accepts `toPorts` beside `toServices` (`AGENT_SINCE.servicesWithPorts`, 1.17). */
  readonly portsAccepted: boolean;
}

/**
 * Whether an egress allow item with `portCount` ports (or ICMP types) holds on every port of the backends of the Services it
 * names, or `undefined`. The agent never reads a Service's own ports for `toServices`: pkg/policy/k8s/service.go
 * `processRule` (1.17+; pkg/k8s `RuleTranslator` before) appends the Service's pod selector as a generated `toEndpoints`
 * selector, or its endpoint addresses as generated `toCIDRSet` entries, to the same item; an item without toPorts is an L3
 * allow, every port of those peers (pkg/policy/rule.go `mergeEgress`). Before 1.17 the agent refuses `toServices` with
 * `toPorts` (pkg/policy/api/rule_validation.go `EgressRule.sanitize`, `l3DependentL4Support` "ToServices": false,
 * cilium/cilium#20067), so the ports cannot be said there. Egress allows only (the caller's part): the agent resolves
 * toServices in egress rules only. The one judgement of the constructs (`peer-service-every-port`) and validate
 * (`pitfall-services-every-port`).
 * @param item the rule item (a construct's peer item, or an item read from YAML)
 * @param portCount the item's ports and ICMP fields; an item with any is not every port
 * @param version the target Cilium version
 */
export function servicesEveryPort(item: RuleItemModel, portCount: number, version: CiliumVersion): ServicesEveryPort | undefined {
  if (portCount > 0 || arr<unknown>(item.services).length === 0) return undefined;
  return {
    reason: 'Cilium translates toServices to the backends (the pods the Service selects, or its endpoint addresses) and never reads the '
      + 'Service\'s ports, so an egress rule without ports holds on every port of those backends',
    portsAccepted: version.atLeast(AGENT_SINCE.servicesWithPorts),
  };
}

/**
 * Whether the ports are `Port.allPorts()` only (`port: "0"`, protocol `ANY`): every port said outright, which a `toServices`
 * item writes as no toPorts on every version: an item without toPorts is every port of its peers, and nothing while the
 * Service does not resolve, where on 1.17+ a toPorts entry would be open to every peer (pkg/policy/k8s/service.go
 * `processRule` adds no selector; pkg/policy/l4.go `createL4Filter`: an empty L3 is every peer); before 1.17 the agent
 * refuses toPorts beside toServices.
 */
export function isEveryPortOnly(ports: readonly PortProtocolModel[]): boolean {
  return ports.length > 0 && ports.every((p) => p.port === '0' && p.protocol === 'ANY' && p.endPort === undefined);
}
