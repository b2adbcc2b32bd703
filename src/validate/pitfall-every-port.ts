// Pitfalls of allows without ports that the constructs refuse, on hand-written YAML: an egress allow of toServices without
// toPorts (`pitfall-services-every-port`, the constructs' `peer-service-every-port`) and a host policy's ingress allow of a
// broad peer without toPorts (`pitfall-host-ingress-every-port`, the constructs' `host-firewall-ingress-every-port`). One
// rule each, shared with the constructs: `servicesEveryPort`, `hostIngressEveryPort`.
import { RuleItemModel, SectionName } from '../model/policy-model';
import { HOST_INGRESS_EVERY_PORT, hostIngressEveryPort } from './host-ingress-every-port';
import { items, PitfallRun, RuleView } from './pitfall-run';
import { servicesEveryPort } from './services-every-port';
import { AGENT_SINCE } from './tables';
import { arr } from './walk';

/** The ports and ICMP fields of an item, as the shared rules count them: an item with any is not every port. */
function portCount(item: RuleItemModel): number {
  return arr(item.toPorts).length + arr(item.icmps).length;
}

/**
 * An egress allow item of `toServices` without toPorts or icmps: the one rule `servicesEveryPort` — every port of the
 * Services' backends (pkg/policy/k8s/service.go `processRule` appends their selector or addresses to the item and reads no
 * Service port; pkg/policy/rule.go `mergeEgress`: no toPorts, every port). Egress allows only: a deny's toServices is never
 * resolved (`pitfall-deny-services-unresolved`).
 */
function servicesEveryPortItem(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string): void {
  const problem = servicesEveryPort(item, portCount(item), r.version);
  if (problem === undefined) return;
  run.report('pitfall-services-every-port', r, `${itemPath}.toServices`,
    `this egress allow of toServices has no toPorts, so it allows every port of the Services' backends, not the Services' ports: ${problem.reason}`,
    problem.portsAccepted
      ? 'give the ports the backends listen on (the Services\' targetPorts, matched after service translation): toPorts: [{ports: [{port: "5432", '
        + `protocol: TCP}]}] (on Cilium ${AGENT_SINCE.servicesWithPorts}+ those ports are open to every peer, the world included, while the Service does `
        + 'not exist in the cluster: the agent adds no selector for it); if every port of the backends is meant, leave it so (without toPorts the item '
        + 'allows nothing while the Service does not exist)'
      : `Cilium ${r.version} refuses toPorts beside toServices (from ${AGENT_SINCE.servicesWithPorts} it takes them): select the backends by their `
        + 'labels with their ports, toEndpoints: [{matchLabels: {…}}] with toPorts; if every port of the backends is meant, leave it so');
}

/**
 * A host policy's ingress allow item of a broad peer (the world, every pod, a CIDR wider than an IPv4 /8 or an IPv6 /32,
 * a CIDR group) without toPorts or icmps: the one rule `hostIngressEveryPort` — every port of the nodes the policy selects
 * (pkg/policy/rule.go `mergeIngress`: no toPorts, the wildcard port, and a host policy's endpoints are the nodes). Allows
 * only: a deny without ports denies more.
 */
function hostIngressEveryPortItem(run: PitfallRun, r: RuleView, item: RuleItemModel, itemPath: string): void {
  const broad = hostIngressEveryPort(item, portCount(item));
  if (broad === undefined) return;
  run.report('pitfall-host-ingress-every-port', r, itemPath,
    `this ingress allow of a host policy has no toPorts: the peer selects ${broad}, and an ingress rule without ports opens ${HOST_INGRESS_EVERY_PORT} to it`,
    'name the ports meant: toPorts: [{ports: [{port: "30443", protocol: TCP}]}]; if every port of the nodes is meant for that peer, say so: '
      + 'toPorts: [{ports: [{port: "0", protocol: ANY}]}]');
}

/** The checks of allow items without ports that the constructs refuse: toServices on egress, a host policy's broad ingress. */
export function everyPortChecks(run: PitfallRun, r: RuleView): void {
  for (const { item, index } of items(r.rule, SectionName.EGRESS)) servicesEveryPortItem(run, r, item, `${r.path}.egress[${index}]`);
  if (!r.host) return;
  for (const { item, index } of items(r.rule, SectionName.INGRESS)) hostIngressEveryPortItem(run, r, item, `${r.path}.ingress[${index}]`);
}
