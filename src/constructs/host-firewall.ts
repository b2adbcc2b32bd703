import { Construct } from 'constructs';
import { ClusterwidePolicy } from './clusterwide-policy';
import { Entity } from './entity';
import { CiliumPolicyError, Severity, showValue, textOf } from '../core/errors';
import { RuleItemModel, SectionName } from '../model/policy-model';
import { IPeer, Peer, PEER_ENTRIES } from './peer';
import { CiliumVersion } from '../core/cilium-version';
import { AllowOptions, DenyOptions, checkOptionalPeer, checkPeerValue, checkRuleCall, checkSelectorValue, firstPortName } from './policy-rule';
import { checkPortsUnique, Icmp, IcmpFamily, isPort, Port } from './port';
import { CIDR_ENTRIES, checkEntriesUnique } from './list-duplicates';
import { INodeSelector, NodeSelector } from './selector';
import { GuardPath, guardViolations } from './lockout-guard';
import {
  cidrsHoldWholeWorld, controlPlaneOnly, ESSENTIAL_ICMP, itemsSelectBroadly, mayBeControlPlane, LOCKOUT_EXEMPTION_KEYS, LockoutExemption,
  LockoutPath, lockoutPathKey, NARROW_ROLE_LIMIT,
} from '../validate/lockout-guard';
import {
  checkOwnSelectorShape, isPeer, peerAsJudged, peersSelectBroadly, peersSelectWholeWorld, refuseCidrHostBits, refuseMalformedCidr,
} from './peer-config';
import { synthMemo } from '../model/synth-session';
import { parseCidr } from '../model/cidr';
import { protocolsMeet } from '../validate/pitfall-run';
import { nodeKeySourceProblem, nodeSelectorClaimable } from '../model/labels';
import { checkFlags, checkLabelMap, checkListOf, checkPropsObject, checkStringList, readPropsOnce } from './names';

/** How Cilium carries pod traffic between nodes; decides which tunnel port the guard keeps open. */
export enum RoutingMode {
  /** VXLAN tunnel, 8472/UDP (Cilium's default). */
  VXLAN = 'vxlan',
  /** Geneve tunnel, 6081/UDP. */
  GENEVE = 'geneve',
  /** Native routing: no tunnel port. */
  NATIVE = 'native',
}

/** The props of `HostFirewallProps` (`checkPropKeys`). */
export const HOST_FIREWALL_PROPS: readonly string[] = ['managementCidrs', 'nodeSelector', 'name', 'breakGlassPorts', 'routingMode', 'exemptions',
  'description', 'apiServerClients', 'apiServerPort', 'kubeletClients', 'controlPlaneNodeLabels', 'controlPlaneCidrs', 'nodeSelectorLabels', 'hubbleRelay',
  'metricsScraper', 'wireGuard', 'bgpPeers', 'nodeDnsServers', 'cidrMatchNodes'];

/** Properties of a `HostFirewall`. */
export interface HostFirewallProps {
  /**
   * The management network(s) operators come from: the source of the break-glass path and of kube-apiserver access.
   * Required, not empty; a /0 (every address), or CIDRs that hold every address together (`0.0.0.0/1` and
   * `128.0.0.0/1`), is refused, here and in `controlPlaneCidrs`, `bgpPeers` and `nodeDnsServers` (`host-firewall-cidr-everything`);
   * so is any CIDR shorter than an IPv4 /8 or an IPv6 /32, such as `0.0.0.0/1` (`host-firewall-cidr-broad`): a path meant for so wide a range is
   * a rule of its own (`allowIngress`).
   */
  readonly managementCidrs: string[];
  /**
   * The nodes the host policy applies to. A selector that excludes the control-plane nodes (both role keys,
   * `node-role.kubernetes.io/control-plane` and `…/master`, each `DoesNotExist` or `NotIn` `""` and `"true"`) selects
   * worker-only nodes: the API server (ingress) and etcd paths are then not opened, and `apiServerClients`,
   * `controlPlaneCidrs` and `controlPlaneNodeLabels` are refused (`host-firewall-worker-only`). A worker label alone
   * (`node-role.kubernetes.io/worker: ''`) does not exclude them (a node may carry both roles): add the two `DoesNotExist`s.
   * @default - every node
   */
  readonly nodeSelector?: INodeSelector;
  /**
   * `metadata.name` of the policy.
   * @default - the construct id in kebab case
   */
  readonly name?: string;
  /**
   * The break-glass ports reachable from the management CIDRs, by number: a named port is refused
   * (`port-name-host-ingress`; the host has no named ports, so the agent would skip it).
   * @default [Port.tcp(22)]
   */
  readonly breakGlassPorts?: Port[];
  /**
   * Cilium's routing mode, for the tunnel port between nodes.
   * @default RoutingMode.VXLAN
   */
  readonly routingMode?: RoutingMode;
  /**
   * Guarded paths to leave out, each with a stated reason. The prop of an exempted path given beside it (`breakGlassPorts`,
   * `hubbleRelay`, `kubeletClients`, `apiServerClients`, `apiServerPort`, `controlPlaneCidrs`, `controlPlaneNodeLabels`,
   * `nodeDnsServers`, `metricsScraper`, `wireGuard: true`, `bgpPeers`, `routingMode` of a tunnel: `VXLAN`, `GENEVE`) is refused
   * (`host-firewall-exempted-path-configured`): it would open nothing. `RoutingMode.NATIVE` beside the tunnel's exemption is not.
   * @default - every path is kept open
   */
  readonly exemptions?: LockoutExemption[];
  /**
   * Free-text description, prepended to the guard's summary.
   * @default - a summary of the guarded paths
   */
  readonly description?: string;
  /**
   * Who may call the API server (6443/TCP) besides the management CIDRs and the other nodes.
   * A peer that selects the world (`Peer.any()`, the `world` or `all` entity, CIDRs that hold every address) is refused
   * (`host-firewall-peer-world`); so is a CIDR shorter than an IPv4 /8 or an IPv6 /32, excepts or not, a CIDR group (`Peer.cidrGroup`,
   * `Peer.cidrGroupSelector`: its ranges live in the cluster, unseen at synthesis, and may be the world) or the `ingress` entity
   * (whatever Cilium's Ingress and Gateway API Envoy relays, the world included) (`host-firewall-peer-broad`).
   * @default [Peer.allNamespaces()] - every pod (controllers and operators use the API); never the world
   */
  readonly apiServerClients?: IPeer[];
  /**
   * The port the API server listens on (for the nodes' egress guard and ingress on control-plane nodes). A port another
   * guarded path keeps for its own service (a break-glass port, 10250, 2379, 2380, 4240, 4244, 9962-9965 with `metricsScraper`,
   * 179 with `bgpPeers`) is refused (`host-firewall-api-server-port-shared`): the API server path would open it to every pod.
   * @default 6443
   */
  readonly apiServerPort?: number;
  /**
   * Pods that call the kubelet API (10250/TCP) besides the API server, e.g. metrics-server.
   * A peer that selects the world (`Peer.any()`, the `world` or `all` entity, CIDRs that hold every address) is refused
   * (`host-firewall-peer-world`); so is one far wider than its clients (`host-firewall-peer-broad`): a CIDR shorter than an IPv4 /8 or an IPv6 /32
   * (excepts or not), a CIDR group (`Peer.cidrGroup`, `Peer.cidrGroupSelector`: its ranges live in the cluster, unseen at synthesis,
   * and may be the world), the `cluster` and `remote-node` entities, every pod, pods of namespaces not fixed by name or namespace
   * labels, the `unmanaged` and `init` entities (pods of any namespace whose identity Cilium has not resolved: an address carries
   * `reserved:unmanaged` until its pod's identity replaces it), the `ingress` entity (the source of whatever Cilium's Ingress and
   * Gateway API Envoy relays, the world included), or nodes (`Peer.nodes`) by labels a node's own kubelet may set, or every node carries (a node could label itself
   * into the path; give a label no kubelet may set, e.g. `node-restriction.kubernetes.io/<name>`, as for
   * `controlPlaneNodeLabels`, whose limit holds here too: pods, or node addresses as CIDRs where the agents run with policy-cidr-match-mode: nodes, are stronger).
   * @default - none: only the API server (`kube-apiserver` entity)
   */
  readonly kubeletClients?: IPeer[];
  /**
   * Labels of the control-plane nodes, for etcd (`fromNodes`, Cilium 1.16+ with `nodeSelectorLabels: true`).
   * At least one key must be one a node's own kubelet cannot set under the NodeRestriction admission plugin
   * (`node-role.kubernetes.io/control-plane`, a `node-restriction.kubernetes.io/` key) or `reserved:kube-apiserver`: labels of
   * your own domain, or of `node.kubernetes.io/`, a compromised node could give itself to reach etcd, and labels every node
   * carries would open etcd to every node; both are refused (`host-firewall-node-labels-self-set`). This guards against a node's
   * kubelet credentials only: Cilium reads other nodes' labels from their CiliumNode objects, which every agent's service
   * account may update, so a node whose root is compromised can still claim any label. `controlPlaneCidrs` (node addresses)
   * is the stronger choice.
   * A key of a label source no node identity carries (`k8s:`, except the cluster label, `container:`, a reserved label other
   * than `host`/`remote-node`/`kube-apiserver`, …) would select no node and close etcd to its peers, and is refused
   * (`host-firewall-node-labels-source`): write keys without a source or with `node:`.
   * @default - see `controlPlaneCidrs`
   */
  readonly controlPlaneNodeLabels?: Record<string, string>;
  /**
   * Addresses of the control-plane nodes, for etcd, when node labels cannot be used: etcd is then open to these
   * addresses only. Cilium's CIDR rules never match cluster nodes (their addresses carry the `remote-node` and
   * `kube-apiserver` identities) unless the agents run with `policy-cidr-match-mode: nodes`, so this prop needs
   * `cidrMatchNodes: true`; without it, it is refused (`host-firewall-control-plane-cidrs`): etcd would be closed to
   * the control-plane nodes.
   * @default - the nodes that run the API server (`kube-apiserver` entity), which is where stacked etcd runs
   */
  readonly controlPlaneCidrs?: string[];
  /**
   * Whether the Cilium agents run with `policy-cidr-match-mode: nodes` (Helm `policyCIDRMatchMode: nodes`), so that CIDR
   * rules select node addresses, which `controlPlaneCidrs` needs.
   * @default false
   */
  readonly cidrMatchNodes?: boolean;
  /**
   * Whether the Cilium agents run with `enable-node-selector-labels` (node labels in node identities), which
   * `controlPlaneNodeLabels` needs.
   * @default false
   */
  readonly nodeSelectorLabels?: boolean;
  /**
   * The hubble-relay pods, allowed to the nodes' Hubble server (4244/TCP).
   * A peer that selects the world (`Peer.any()`, the `world` or `all` entity, CIDRs that hold every address) is refused
   * (`host-firewall-peer-world`); so is one far wider than its clients (`host-firewall-peer-broad`): a CIDR shorter than an IPv4 /8 or an IPv6 /32
   * (excepts or not), a CIDR group, the `cluster`, `remote-node`, `unmanaged`, `init` and `ingress` entities, every pod, pods of namespaces
   * not fixed by name or namespace labels, or nodes by labels a node may give itself, as for `kubeletClients`. `null` is refused (`peer-unknown`), not read
   * as left out: leave it out for the default, or exempt the path (`LockoutPath.HUBBLE`).
   * @default - `k8s-app: hubble-relay` in `kube-system`
   */
  readonly hubbleRelay?: IPeer;
  /**
   * A metrics scraper allowed to Cilium's metrics ports 9962-9965/TCP (agent, operator, Envoy, Hubble).
   * A peer that selects the world (`Peer.any()`, the `world` or `all` entity, CIDRs that hold every address) is refused
   * (`host-firewall-peer-world`); so is one far wider than its clients (`host-firewall-peer-broad`): a CIDR shorter than an IPv4 /8 or an IPv6 /32
   * (excepts or not), the `cluster`, `unmanaged`, `init` and `ingress` entities, every pod, pods of namespaces not fixed by name or namespace labels, or a CIDR
   * group (`Peer.cidrGroup`, `Peer.cidrGroupSelector`: its ranges live in the cluster, unseen at synthesis, and may be the
   * world), the `remote-node` entity or nodes by labels a node may give itself (as for `kubeletClients`), as for
   * `DefaultDenyNamespace` `scrapeFrom`.
   * @default - none: metrics are not opened
   */
  readonly metricsScraper?: IPeer;
  /**
   * Keep WireGuard (51871/UDP) open between nodes, for transparent encryption.
   * @default false
   */
  readonly wireGuard?: boolean;
  /**
   * BGP peers (routers) that may open 179/TCP with the nodes, for Cilium's BGP control plane.
   * @default - none: BGP is not opened
   */
  readonly bgpPeers?: string[];
  /**
   * The nodes' DNS resolvers (from their `/etc/resolv.conf`), kept reachable on 53/UDP and 53/TCP once egress is
   * restricted. Required as soon as an egress rule is added, unless `LockoutPath.NODE_DNS` is exempted.
   * @default - none
   */
  readonly nodeDnsServers?: string[];
}

/**
 * A host firewall: a CiliumClusterwideNetworkPolicy with a `nodeSelector`, applied to the nodes' own network
 * namespace (and hostNetwork pods).
 *
 * Its lockout guard keeps open, in the same resource, the minimal set of paths a cluster needs, each from the
 * narrowest peer Cilium can express: break-glass ports from the management CIDRs; the API server from the
 * management CIDRs, other nodes and pods; the kubelet from the API server; etcd between control-plane nodes; Cilium
 * health (4240/TCP, ICMP echo) between nodes; the tunnel port; Hubble from hubble-relay; essential ICMP (never echo
 * from the world). Metrics, WireGuard and BGP are opened only when declared. The first egress rule adds the egress
 * guard: the API server, other kubelets, etcd, health, the tunnel, essential ICMP (errors and IPv6 neighbor discovery,
 * never echo), every pod on every port (probes, webhooks, aggregated APIs), the nodes' DNS resolvers, and WireGuard and
 * BGP when declared. Synthesis fails when a deny rule would cut a guarded path; a path is removed only with
 * `exemptions` and a stated reason.
 *
 * Host policies do nothing until the host firewall is enabled in Cilium (`hostFirewall.enabled=true`, with
 * `devices` set). Roll them out with policy audit mode first (`policyAuditMode=true`) and watch
 * `hubble observe --verdict AUDIT`: the first enforcement can drop established connections.
 */
export class HostFirewall extends Construct {
  /** The host policy. */
  public readonly policy: ClusterwidePolicy;

  private readonly guarded: GuardPath[] = [];
  private readonly exempted: Map<LockoutPath, string>;
  private readonly props: HostFirewallProps;
  private readonly routing: RoutingMode;
  private readonly controlPlane: Peer[];
  /** Whether the nodes selected may be control-plane nodes (`mayBeControlPlane`): else the API server and etcd paths are not opened. */
  private readonly onControlPlane: boolean;
  private egressGuardAdded = false;

  constructor(scope: Construct, id: string, props: HostFirewallProps) {
    super(scope, id);
    checkPropsObject(props, 'new HostFirewall()', "{ managementCidrs: ['10.50.0.0/24'] }", this.node.path, true);
    // A guard option misspelled (`nodeDNSServers`, `wireguard`) was dropped: the guard kept the default, not what was written.
    // Checked before the props are read (`readPropsOnce` runs every getter): an unknown prop whose getter throws is refused as unknown.
    props = readPropsOnce(props, { keys: HOST_FIREWALL_PROPS, owner: 'HostFirewall', lists: { exemptions: { keys: LOCKOUT_EXEMPTION_KEYS, owner: 'LockoutExemption' } } },
      { location: this.node.path });
    checkFlags(props, ['nodeSelectorLabels', 'wireGuard', 'cidrMatchNodes'], 'HostFirewall', this.node.path);
    // `hubbleRelay: null` was read as left out: 4244/TCP open to the hubble-relay pods, a path the props did not name.
    checkOptionalPeer(props.hubbleRelay, 'HostFirewall hubbleRelay',
      { default: 'the hubble-relay pods (kube-system, k8s-app=hubble-relay)', none: 'exempt the path (exemptions: [{ path: LockoutPath.HUBBLE, reason }])' },
      this.node.path);
    checkOptionalPeer(props.metricsScraper, 'HostFirewall metricsScraper', { default: "no scraper: Cilium's metrics ports stay closed" }, this.node.path);
    // `nodeSelector: null` (a lookup that found nothing) was read as every node.
    checkSelectorValue(props.nodeSelector, 'nodeSelector', this.node.path, 'the firewall would apply to every node');
    // Read below (whether the nodes may be control-plane nodes): a matchExpressions that is no list, or holds what is no
    // requirement, was a TypeError there.
    const nodeModel: unknown = typeof props.nodeSelector?.toNodeSelector === 'function' ? props.nodeSelector.toNodeSelector() : undefined;
    // An answer that is no selector (null) failed at synthesis, as a rule with no subject (crd-subject-one-of).
    if (nodeModel !== undefined) {
      checkOwnSelectorShape(nodeModel, "HostFirewall nodeSelector of one's own",
        "answer { matchLabels: { 'node-role.kubernetes.io/worker': '' } } (and matchExpressions: [{ key, operator, values }]) from "
          + 'toNodeSelector(), or pass a NodeSelector (NodeSelector.labels({ … }))', this.node.path);
    }
    // Before the snapshot, which spreads it: a string was read character by character (`'cp'`: the node labels "0": "c", "1": "p").
    checkPropsObject(props.controlPlaneNodeLabels, 'HostFirewall controlPlaneNodeLabels', "{ 'node-role.kubernetes.io/control-plane': '' }", this.node.path);
    // A Map or a Date was spread into {} and refused as "an empty label map", which it was not.
    checkLabelMap(props.controlPlaneNodeLabels, 'HostFirewall controlPlaneNodeLabels', this.node.path);
    // The props as given now: the egress guard reads them at the first allowEgress()/denyEgress(), after construction,
    // and a list changed in between (nodeDnsServers[0] = '0.0.0.0/0') would skip the checks below.
    for (const [prop, list] of Object.entries(props)) {
      const entries = LIST_PROPS[prop];
      if (entries === undefined) continue;
      if (entries.strings) checkStringList(list, `HostFirewall ${prop}`, entries.kind, this.node.path);
      else checkListOf(list, `HostFirewall ${prop}`, entries.kind, entries.property, this.node.path);
    }
    // A CIDR no version takes (`10.0.0.0/33`) was found at synthesis, at the output field (`spec.ingress[0].fromCIDR[0]`).
    for (const prop of ['managementCidrs', 'controlPlaneCidrs', 'bgpPeers', 'nodeDnsServers'] as const) {
      // Host bits too, here: they were refused by the `Peer.cidr()` the guard builds, naming that call at the caller's line.
      (props[prop] ?? []).forEach((c, i) => {
        refuseMalformedCidr(c, `HostFirewall ${prop}[${i}]`, this.node.path);
        refuseCidrHostBits(c, `HostFirewall ${prop}[${i}]`, this.node.path);
      });
      checkEntriesUnique(props[prop], { what: `HostFirewall ${prop}`, verb: 'opens its path to it', ...CIDR_ENTRIES }, this.node.path);
    }
    checkPortsUnique(props.breakGlassPorts, 'HostFirewall breakGlassPorts', this.node.path);
    for (const prop of ['apiServerClients', 'kubeletClients'] as const) {
      // Each entry a peer before the list is compared: a revoked proxy or a `toPeerConfig` getter that throws was a TypeError there.
      (props[prop] ?? []).forEach((peer, i) => checkPeerValue(peer, `HostFirewall ${prop}[${i}]:`, this.node.path));
      checkEntriesUnique(props[prop], { what: `HostFirewall ${prop}`, verb: 'opens its path to it', ...PEER_ENTRIES }, this.node.path);
    }
    props = snapshotProps(props);
    this.props = props;
    if (!props.managementCidrs || props.managementCidrs.length === 0) {
      throw new CiliumPolicyError({
        id: 'host-firewall-no-management',
        message: `HostFirewall needs the management CIDRs operators reach the nodes from (managementCidrs is ${props.managementCidrs ? '[]' : 'not given'}): `
          + (props.apiServerClients === undefined
            ? 'they are the only source of break-glass SSH, and of the API server from outside the cluster where one runs (apiServerClients is left to its default, every pod)'
            : 'they are the only source of break-glass SSH, and a source of the API server from outside the cluster where one runs, beside the peers apiServerClients lists'),
        fix: "pass managementCidrs: ['10.50.0.0/24'], the bastion or VPN range operators come from (a /32 for one bastion)",
        location: this.node.path,
      });
    }
    for (const [prop, list] of [['breakGlassPorts', props.breakGlassPorts], ['apiServerClients', props.apiServerClients],
      ['kubeletClients', props.kubeletClients], ['controlPlaneCidrs', props.controlPlaneCidrs], ['bgpPeers', props.bgpPeers],
      ['nodeDnsServers', props.nodeDnsServers]] as const) {
      if (list !== undefined && list.length === 0) {
        throw new CiliumPolicyError({
          id: 'host-firewall-empty-list',
          message: `HostFirewall ${prop} is an empty list`,
          fix: `list at least one entry, or leave ${prop} out for its documented default`,
          location: this.node.path,
        });
      }
    }
    // The host has no named ports (an ingress named port is the receiving endpoint's own container port): a named break-glass
    // port would open nothing, and operators would be locked out. The rule's own check (`namedPortProblem`) would refuse it
    // too, naming the rule it writes; this names the prop, and refuses it whether the path is exempted or not.
    const glassName = firstPortName((props.breakGlassPorts ?? []).map((p) => (p as Partial<Port> | undefined)?._match?.l4));
    if (glassName !== undefined) {
      throw new CiliumPolicyError({
        id: 'port-name-host-ingress',
        message: `HostFirewall breakGlassPorts holds the named port "${glassName}": Cilium resolves an ingress named port on the receiving endpoint's `
          + 'own container ports, and the host has none, so the agent would skip it and the break-glass path would let nobody in',
        fix: 'give the port by number (Port.tcp(22))',
        location: this.node.path,
      });
    }
    // A /0 is every address of its family: the guard would open the path it names to the internet.
    const opens: Record<string, string> = {
      managementCidrs: 'the break-glass ports and the API server', controlPlaneCidrs: 'etcd (2379-2380/TCP)', bgpPeers: 'BGP (179/TCP)',
      nodeDnsServers: 'the nodes\' DNS egress (53/UDP, 53/TCP)',
    };
    // So are CIDRs that hold every address together (`0.0.0.0/1` and `128.0.0.0/1`): the same world, written in parts.
    for (const [prop, list] of [['managementCidrs', props.managementCidrs], ['controlPlaneCidrs', props.controlPlaneCidrs], ['bgpPeers', props.bgpPeers],
      ['nodeDnsServers', props.nodeDnsServers]] as const) {
      if (list === undefined) continue;
      const family = cidrsHoldWholeWorld(list);
      if (family !== undefined) {
        const ip = family === 6 ? 'IPv6' : 'IPv4';
        // Name the /0 itself when there is one; else the CIDRs that hold the world together.
        const everything = list.find((c) => parseCidr(c)?.prefix === 0);
        const what = everything !== undefined
          ? `${JSON.stringify(everything)} is every ${everything.includes(':') ? 'IPv6' : 'IPv4'} address`
          : `${list.slice(0, 5).map((c) => JSON.stringify(c)).join(', ')}${list.length > 5 ? ` and ${list.length - 5} more` : ''} `
            + `together hold every ${ip} address`;
        throw new CiliumPolicyError({
          id: 'host-firewall-cidr-everything',
          message: `HostFirewall ${prop} ${what}: ${opens[prop]} would be open to the world`,
          fix: `list the networks meant (e.g. '10.50.0.0/24'); a path meant to be open to the world is a rule of its own (allowIngress with Peer.entity(Entity.WORLD))`,
          location: this.node.path,
        });
      }
    }
    // Not the world, yet most of it: `0.0.0.0/1`, or a /0 with holes. A path meant for such a range is a rule of its own.
    for (const [prop, list] of [['managementCidrs', props.managementCidrs], ['controlPlaneCidrs', props.controlPlaneCidrs], ['bgpPeers', props.bgpPeers],
      ['nodeDnsServers', props.nodeDnsServers]] as const) {
      const broad = list === undefined ? undefined : itemsSelectBroadly([{ cidr: [...list] }], { everyPod: false, namespaceFixed: false });
      if (broad !== undefined) {
        throw new CiliumPolicyError({
          id: 'host-firewall-cidr-broad',
          message: `HostFirewall ${prop} holds ${broad}: ${opens[prop]} would be open to most of the internet`,
          fix: `list the networks meant, each ${NARROW_ROLE_LIMIT} or narrower (e.g. '10.50.0.0/24'); a path meant for so wide a range is a rule `
            + 'of its own (allowIngress with Peer.cidr())',
          location: this.node.path,
        });
      }
    }
    // An unknown routing mode was read as native routing (no tunnel port kept open).
    if (props.routingMode !== undefined && !Object.values(RoutingMode).includes(props.routingMode)) {
      throw new CiliumPolicyError({
        id: 'host-firewall-routing-mode',
        message: `HostFirewall routingMode ${showValue(props.routingMode)} is not a routing mode: the guard would keep no tunnel port open`,
        fix: 'pass RoutingMode.VXLAN (8472/UDP, the default), RoutingMode.GENEVE (6081/UDP) or RoutingMode.NATIVE (no tunnel)',
        location: this.node.path,
      });
    }
    if (props.controlPlaneNodeLabels !== undefined && Object.keys(props.controlPlaneNodeLabels).length === 0) {
      throw new CiliumPolicyError({
        id: 'host-firewall-empty-list',
        message: 'HostFirewall controlPlaneNodeLabels is an empty label map, which selects every node',
        fix: "give the control-plane node labels, e.g. { 'node-role.kubernetes.io/control-plane': '' }, or leave it out",
        location: this.node.path,
      });
    }
    // Matched only on labels a node's own kubelet may set (NodeRestriction leaves all but a few domains to it, `kubeletMaySetNodeLabel`),
    // or on labels every node carries, the etcd path would open to any node that labels itself so, or to every node.
    const labels = props.controlPlaneNodeLabels;
    // A key of a source no node identity carries (`k8s:node-role.kubernetes.io/control-plane`) selected no node: etcd was closed to its peers.
    const foreign = Object.keys(labels ?? {}).map(nodeKeySourceProblem).find((p) => p !== undefined);
    if (foreign !== undefined) {
      throw new CiliumPolicyError({
        id: 'host-firewall-node-labels-source',
        message: `HostFirewall controlPlaneNodeLabels key ${foreign.says}: it would select no node, and etcd (2379-2380/TCP) would be closed to its `
          + 'peers on the control-plane nodes',
        fix: foreign.fix,
        location: this.node.path,
      });
    }
    if (labels !== undefined && nodeSelectorClaimable({ matchLabels: labels })) {
      throw new CiliumPolicyError({
        id: 'host-firewall-node-labels-self-set',
        message: `HostFirewall controlPlaneNodeLabels ${showValue(labels)} holds no label only the cluster's administrators can give a node: `
          + 'its keys are labels a node\'s own kubelet may set on its Node object (the NodeRestriction admission plugin protects only '
          + 'node-restriction.kubernetes.io/ keys and the kubernetes.io and k8s.io domains, except kubelet.kubernetes.io/, node.kubernetes.io/ '
          + 'and the labels the kubelet reports) or labels every node carries (reserved:remote-node, reserved:host, the cluster label): '
          + 'a compromised node could label itself so, or every node would match, and reach etcd (2379-2380/TCP) on the control-plane nodes',
        fix: "add a label no kubelet can set, e.g. { 'node-role.kubernetes.io/control-plane': '' } or a node-restriction.kubernetes.io/<name> "
          + 'label an administrator sets; better, give controlPlaneCidrs (node addresses are not labels a node can claim) or leave '
          + 'controlPlaneNodeLabels out (etcd stays open to the API server nodes, the kube-apiserver entity)',
        location: this.node.path,
      });
    }
    if (props.apiServerPort !== undefined && (!Number.isInteger(props.apiServerPort) || props.apiServerPort < 1 || props.apiServerPort > 65535)) {
      throw new CiliumPolicyError({
        id: 'host-firewall-api-server-port',
        message: `HostFirewall apiServerPort ${showValue(props.apiServerPort)} is not a port between 1 and 65535`,
        fix: 'give the port the API server listens on (6443 for kubeadm, 443 for most managed clusters), or leave it out',
        location: this.node.path,
      });
    }
    this.exempted = new Map();
    for (const e of props.exemptions ?? []) {
      // A reason that is no text (plain JavaScript: `reason: 1`) failed with a TypeError on `.trim()`.
      if (typeof e.reason !== 'string' || !e.reason.trim()) {
        throw new CiliumPolicyError({
          id: 'host-firewall-exemption-reason',
          message: `the exemption of the ${e.path} path has no reason`,
          fix: "say why it is safe, e.g. { path: LockoutPath.ETCD, reason: 'etcd runs outside the cluster' }",
          location: this.node.path,
        });
      }
      this.exempted.set(e.path, e.reason.trim());
    }
    // A prop that configures a path given beside that path's exemption was dropped without a word: the guard keeps no
    // exempted path, so `breakGlassPorts: [Port.tcp(2222)]` with the break-glass path exempted opened nothing (engine: 10.50.0.7
    // -> 2222/TCP denied) while the props read as if it were open.
    // `apiServerPort: 443` with the API server exempted, and `routingMode: GENEVE` with the tunnel exempted, were dropped alike.
    for (const [path, prop] of EXEMPTION_CONFLICTS) {
      const value = props[prop];
      if (!this.exempted.has(path) || value === undefined || value === false || value === RoutingMode.NATIVE) continue;
      // The value as given and the reason, each bounded and quoted (`showValue`): a reason of quotes and new lines, or a
      // page long, was put into the one line of the message raw.
      throw new CiliumPolicyError({
        id: 'host-firewall-exempted-path-configured',
        message: `HostFirewall ${prop} ${showValue(shownProp(value))} is set, but the ${path} path is exempted (reason ${showValue(this.exempted.get(path))}): `
          + `the guard does not keep an exempted path, so ${prop} would open nothing`,
        fix: `drop ${prop} where the path is meant closed${prop === 'routingMode' ? ' (RoutingMode.NATIVE where the nodes route natively)' : ''}, `
          + `or drop the exemption of ${path} where ${prop} is meant open`,
        location: this.node.path,
      });
    }
    this.routing = props.routingMode ?? RoutingMode.VXLAN;
    // A selector that is no node selector is refused by the policy below; until then, the safe side: control-plane nodes.
    const selector = props.nodeSelector as Partial<INodeSelector> | undefined;
    this.onControlPlane = typeof selector?.toNodeSelector !== 'function' || mayBeControlPlane(selector.toNodeSelector());
    if (!this.onControlPlane) {
      // Worker-only nodes run neither the API server nor etcd: these props would open, or narrow, paths that are not kept there.
      const given = (['apiServerClients', 'controlPlaneCidrs', 'controlPlaneNodeLabels'] as const).filter((k) => props[k] !== undefined);
      if (given.length > 0) {
        throw new CiliumPolicyError({
          id: 'host-firewall-worker-only',
          message: `HostFirewall ${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} set, but the nodeSelector excludes the control-plane nodes `
            + '(node-role.kubernetes.io/control-plane and …/master): the API server and etcd paths are not opened on worker-only nodes',
          fix: `drop ${given.join(', ')}, or give them to the HostFirewall of the control-plane nodes`,
          location: this.node.path,
        });
      }
    }
    this.controlPlane = this.controlPlanePeers();
    const paths = this.ingressGuard();
    this.refuseSharedApiServerPort(paths);
    // The ingress guard keeps each path at most once (one `add` per path), so the list needs no deduplication.
    const summary = `host firewall; lockout guard keeps ${paths.map((p) => p.path).join(', ')} open`
      + [...this.exempted].map(([path, reason]) => `; ${path} exempted: ${reason}`).join('');
    this.policy = new ClusterwidePolicy(this, 'Resource', {
      name: props.name,
      nodeSelector: props.nodeSelector ?? NodeSelector.all(),
      description: props.description ? `${props.description} (${summary})` : summary,
      // Also what the guard of every host policy (synthesis, `validate`) reads: a deny may cut an exempted path.
      lockoutExemptions: props.exemptions,
    });
    this.keep(paths);
    // After keep(): a peer the rules refuse (allowIngress) is refused there, with the call that got it.
    this.refuseWorldClients();
    // Once per synthesis, like the policy's own validation; again after a validation hook changes a policy (`noteSynthChange`).
    this.node.addValidation({ validate: () => [...synthMemo(this, this, 'checkLockout', () => this.checkLockout())] });
  }

  /**
   * Allows traffic into the nodes from `peer`. Without ports, a broad peer — the world (`Entity.WORLD`, `Entity.ALL`, any
   * peer, CIDRs that hold every address), the `cluster` entity or every pod, the `unmanaged` and `init` entities (pods of any
   * namespace whose identity Cilium has not resolved), a CIDR wider than an IPv4 /8 or an IPv6 /32, a CIDR group (its ranges
   * are not seen) — is
   * refused (`host-firewall-ingress-every-port`): every port of the nodes (etcd, the kubelet, SSH) would be open to it; name
   * the ports, or say every port outright with `{ ports: [Port.allPorts()] }`.
   * @param peer who may connect
   * @param options the ports (default: all, refused for a broad peer), L7 rules, authentication and TLS server names
   */
  public allowIngress(peer: IPeer, options: AllowOptions = {}): void {
    // The broad port-less peer is refused by the host policy's rule itself (`host-firewall-ingress-every-port`), when the
    // rule is given and again at synthesis on the peer read again: `policy.allowIngress` and `ClusterwidePolicy` alike.
    this.policy.allowIngress(peer, checkRuleCall('allowIngress', peer, options, arguments.length, this.policy.node.path));
  }

  /**
   * Allows traffic from the nodes to `peer`. The first egress rule puts the nodes into egress default deny; the
   * guard then also keeps the nodes' own paths open (API server, kubelets, etcd, health, tunnel, essential ICMP, pods,
   * node DNS). The guard's allow of every pod on every port leaves DNS rules to pods (kube-dns) in force (the DNS proxy reads
   * only the rules of the lookup's port); DNS rules to a resolver of `nodeDnsServers` would not hold, as the guard allows 53
   * there without them, and are refused (`pitfall-dns-rules-widened`) unless `LockoutPath.NODE_DNS` is exempted.
   * @param peer where the nodes may connect
   * @param options the ports (default: all), L7 rules, authentication and TLS server names
   */
  public allowEgress(peer: IPeer, options: AllowOptions = {}): void {
    const checked = checkRuleCall('allowEgress', peer, options, arguments.length, this.policy.node.path);
    this.ensureEgressGuard();
    this.policy.allowEgress(peer, checked);
  }

  /**
   * Denies traffic into the nodes; refused at synthesis if it cuts a guarded path.
   * @param peer who is denied
   * @param options the ports denied (default: all)
   */
  public denyIngress(peer: IPeer, options: DenyOptions = {}): void {
    const checked = checkRuleCall('denyIngress', peer, options, arguments.length, this.policy.node.path);
    this.policy.denyIngress(peer, checked);
  }

  /**
   * Denies traffic from the nodes; refused at synthesis if it cuts a guarded path.
   * @param peer where traffic is denied
   * @param options the ports denied (default: all)
   */
  public denyEgress(peer: IPeer, options: DenyOptions = {}): void {
    const checked = checkRuleCall('denyEgress', peer, options, arguments.length, this.policy.node.path);
    this.ensureEgressGuard();
    this.policy.denyEgress(peer, checked);
  }

  /** Refuses a client peer of a path that selects the whole world, as a /0 in the CIDR props is (`host-firewall-cidr-everything`). */
  private refuseWorldClients(): void {
    const props = this.props;
    // The world as a client of the API server, the kubelet, Hubble or the metrics: a path opened to the internet.
    for (const [prop, peers, opened] of [['apiServerClients', props.apiServerClients, 'the API server'], ['kubeletClients', props.kubeletClients,
      'the kubelet API (10250/TCP)'], ['hubbleRelay', props.hubbleRelay && [props.hubbleRelay], 'the Hubble server (4244/TCP)'],
    ['metricsScraper', props.metricsScraper && [props.metricsScraper], 'Cilium\'s metrics (9962-9965/TCP)']] as const) {
      const world = peersSelectWholeWorld(peers ?? []);
      // Every pod is the API server's default clients; the other paths are for a few named clients. Every path refuses a CIDR
      // group (its ranges unseen here, the world for all the SDK knows, as DefaultDenyNamespace scrapeFrom and TieredApp metricsFrom
      // refuse it) and the ingress entity (whatever Cilium's Ingress and Gateway API Envoy relays, the world included).
      const few = prop !== 'apiServerClients';
      // Nodes by labels a node may give itself: the API server path is open to every node already (remote-node), the others are not.
      const broad = world === undefined
        ? peersSelectBroadly(peers ?? [], {
          everyPod: few, namespaceFixed: few, cidrGroups: true, claimableNodes: few, unresolvedPods: few, ingressProxy: true,
        })
        : undefined;
      if (broad !== undefined) {
        throw new CiliumPolicyError({
          id: 'host-firewall-peer-broad',
          message: `HostFirewall ${prop} selects ${broad}: ${opened} would be open to far more than ${few ? 'its clients' : 'the pods and networks that call it'} `
            + 'on every node the policy selects',
          fix: `name the clients meant (pods with Peer.endpoints({ namespace, labels }), networks of ${NARROW_ROLE_LIMIT} or narrower with `
            + "Peer.cidr('10.50.0.0/24'), nodes by a label no kubelet may set with Peer.nodes({ 'node-restriction.kubernetes.io/<name>': '' }) "
            + '(Cilium reads node labels from CiliumNode objects, which every agent may update, so a node whose root is compromised can claim any '
            + 'label: pods, or node addresses as CIDRs where the agents run with policy-cidr-match-mode: nodes, are stronger)); '
            + 'a path meant to be open that widely is a rule of its own (allowIngress(peer, { ports }))',
          location: this.node.path,
        });
      }
      if (world !== undefined) {
        throw new CiliumPolicyError({
          id: 'host-firewall-peer-world',
          message: `HostFirewall ${prop} selects ${world}: ${opened} would be open to the world on every node the policy selects`,
          fix: `name the clients meant (pods with Peer.endpoints(), networks with Peer.cidr('10.50.0.0/24'))${prop === 'apiServerClients'
            ? ', or leave apiServerClients out for every pod' : ''}; a path meant to be open to the world is a rule of its own `
            + '(allowIngress with Peer.entity(Entity.WORLD))',
          location: this.node.path,
        });
      }
    }
  }

  /**
   * Refuses an `apiServerPort` that another guarded ingress path names as its own TCP port (a break-glass port, the kubelet's
   * 10250, etcd's 2379-2380, health's 4240, Hubble's 4244, the metrics' 9962-9965, BGP's 179): the API server path opens its
   * port to every pod and node, so that service would be open to them too, not only to its own narrow peers.
   */
  private refuseSharedApiServerPort(paths: readonly GuardPath[]): void {
    if (!paths.some((p) => p.path === LockoutPath.KUBE_APISERVER)) return;
    const port = String(this.props.apiServerPort ?? 6443);
    for (const other of paths) {
      if (other.path === LockoutPath.KUBE_APISERVER) continue;
      const same = other.ports.find((p) => {
        const l4 = p._match.l4;
        return l4 !== undefined && l4.port === port && l4.endPort === undefined && protocolsMeet('TCP', l4.protocol);
      });
      if (same === undefined) continue;
      throw new CiliumPolicyError({
        id: 'host-firewall-api-server-port-shared',
        message: `HostFirewall apiServerPort ${port} is the port of the ${other.path} path (${same.toString()}): the guard opens the API server's port `
          + `to apiServerClients (every pod by default), the other nodes and the management CIDRs, so ${other.path} would be open to them too`,
        fix: `give the port the API server listens on (6443 for kubeadm, 443 for most managed clusters)${other.path === LockoutPath.BREAK_GLASS
          ? ', or move the break-glass port (breakGlassPorts)' : ''}`,
        location: this.node.path,
      });
    }
  }

  /** The peers etcd talks to: control-plane nodes by label (1.16+, node labels on), by CIDR, or the API server nodes. */
  private controlPlanePeers(): Peer[] {
    const p = this.props;
    if (p.controlPlaneNodeLabels !== undefined) {
      const version = CiliumVersion._decideFor(this);
      if (!p.nodeSelectorLabels || !version.atLeast(CiliumVersion.V1_16)) {
        throw new CiliumPolicyError({
          id: 'host-firewall-node-labels',
          message: `controlPlaneNodeLabels needs fromNodes (Cilium 1.16+, target is ${version}) and the agent flag enable-node-selector-labels`
            + `${p.nodeSelectorLabels ? '' : ' (nodeSelectorLabels is not set)'}`,
          fix: 'set nodeSelectorLabels: true if the agents run with enable-node-selector-labels on 1.16+, or give controlPlaneCidrs instead',
          location: this.node.path,
        });
      }
      return [Peer.nodes(p.controlPlaneNodeLabels)];
    }
    if (p.controlPlaneCidrs) {
      // A CIDR rule never matches a cluster node unless the agents match nodes by CIDR: etcd would be closed to its peers.
      if (!p.cidrMatchNodes) {
        throw new CiliumPolicyError({
          id: 'host-firewall-control-plane-cidrs',
          message: `HostFirewall controlPlaneCidrs ${showValue(p.controlPlaneCidrs)} would never match the control-plane nodes: Cilium's CIDR `
            + 'rules do not select cluster nodes (their addresses carry the remote-node and kube-apiserver identities) unless the agents run '
            + 'with policy-cidr-match-mode: nodes, so etcd (2379-2380/TCP) would be closed to its peers',
          fix: 'leave controlPlaneCidrs out (etcd stays open to the API server nodes, the kube-apiserver entity), use controlPlaneNodeLabels '
            + '(Cilium 1.16+, nodeSelectorLabels: true), or set cidrMatchNodes: true if the agents run with policy-cidr-match-mode: nodes',
          location: this.node.path,
        });
      }
      return p.controlPlaneCidrs.map((c) => Peer.cidr(c));
    }
    return [Peer.entity(Entity.KUBE_APISERVER)];
  }

  /** Whether the nodes need the path: a control-plane-only path (the API server's ingress, etcd) only where they may be control-plane nodes. */
  private guards(path: LockoutPath, direction: 'ingress' | 'egress'): boolean {
    return this.onControlPlane || !controlPlaneOnly(path, direction);
  }

  private tunnelPort(): Port | undefined {
    if (this.routing === RoutingMode.VXLAN) return Port.udp(8472);
    if (this.routing === RoutingMode.GENEVE) return Port.udp(6081);
    return undefined;
  }

  private ingressGuard(): GuardPath[] {
    const p = this.props;
    const mgmt = p.managementCidrs.map((c) => Peer.cidr(c));
    const nodes = Peer.entity(Entity.REMOTE_NODE);
    const health = Peer.entity(Entity.HEALTH);
    const apiPort = Port.tcp(p.apiServerPort ?? 6443);
    const paths: GuardPath[] = [];
    const add = (path: LockoutPath, peers: IPeer[], ports: Port[]): void => {
      if (!this.exempted.has(path) && this.guards(path, 'ingress')) paths.push({ path, direction: 'ingress', peers, ports });
    };
    add(LockoutPath.BREAK_GLASS, mgmt, p.breakGlassPorts ?? [Port.tcp(22)]);
    add(LockoutPath.KUBE_APISERVER, [...mgmt, nodes, ...(p.apiServerClients ?? [Peer.allNamespaces()])], [apiPort]);
    add(LockoutPath.KUBELET, [Peer.entity(Entity.KUBE_APISERVER), ...(p.kubeletClients ?? [])], [Port.tcp(10250)]);
    add(LockoutPath.ETCD, this.controlPlane, [Port.tcp(2379), Port.tcp(2380)]);
    add(LockoutPath.CILIUM_HEALTH, [nodes, health], [Port.tcp(4240), Icmp.echoRequest(), Icmp.echoRequest(IcmpFamily.IPV6)]);
    const tunnel = this.tunnelPort();
    if (tunnel) add(LockoutPath.TUNNEL, [nodes], [tunnel]);
    add(LockoutPath.ICMP, [Peer.entity(Entity.ALL)], essentialIcmp());
    add(LockoutPath.HUBBLE, [p.hubbleRelay ?? Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s:k8s-app': 'hubble-relay' } })], [Port.tcp(4244)]);
    if (p.metricsScraper) add(LockoutPath.METRICS, [p.metricsScraper], [9962, 9963, 9964, 9965].map((n) => Port.tcp(n)));
    if (p.wireGuard) add(LockoutPath.WIREGUARD, [nodes], [Port.udp(51871)]);
    if (p.bgpPeers) add(LockoutPath.BGP, p.bgpPeers.map((c) => Peer.cidr(c)), [Port.tcp(179)]);
    return paths;
  }

  private ensureEgressGuard(): void {
    if (this.egressGuardAdded) return;
    this.egressGuardAdded = true;
    const p = this.props;
    if (!p.nodeDnsServers && !this.exempted.has(LockoutPath.NODE_DNS)) {
      throw new CiliumPolicyError({
        id: 'host-firewall-node-dns',
        message: 'an egress rule puts the nodes into egress default deny, and the nodes\' DNS resolvers are not declared: node DNS (image pulls, '
          + 'the kubelet, cloud agents) would break',
        fix: "pass nodeDnsServers: ['169.254.169.253/32'] (the resolvers of the nodes' /etc/resolv.conf), or exempt LockoutPath.NODE_DNS with a reason",
        location: this.node.path,
      });
    }
    const nodes = Peer.entity(Entity.REMOTE_NODE);
    const paths: GuardPath[] = [];
    const add = (path: LockoutPath, peers: IPeer[], ports: Port[]): void => {
      if (!this.exempted.has(path) && this.guards(path, 'egress')) paths.push({ path, direction: 'egress', peers, ports });
    };
    add(LockoutPath.KUBE_APISERVER, [Peer.entity(Entity.KUBE_APISERVER)], [Port.tcp(p.apiServerPort ?? 6443)]);
    add(LockoutPath.KUBELET, [nodes], [Port.tcp(10250)]);
    add(LockoutPath.ETCD, this.controlPlane, [Port.tcp(2379), Port.tcp(2380)]);
    add(LockoutPath.CILIUM_HEALTH, [nodes, Peer.entity(Entity.HEALTH)], [Port.tcp(4240), Icmp.echoRequest(), Icmp.echoRequest(IcmpFamily.IPV6)]);
    const tunnel = this.tunnelPort();
    if (tunnel) add(LockoutPath.TUNNEL, [nodes], [tunnel]);
    add(LockoutPath.ICMP, [Peer.entity(Entity.ALL)], essentialIcmp());
    add(LockoutPath.POD_TRAFFIC, [Peer.allNamespaces()], [Port.allPorts()]);
    if (p.nodeDnsServers) add(LockoutPath.NODE_DNS, p.nodeDnsServers.map((c) => Peer.cidr(c)), [Port.udp(53), Port.tcp(53)]);
    if (p.wireGuard) add(LockoutPath.WIREGUARD, [nodes], [Port.udp(51871)]);
    if (p.bgpPeers) add(LockoutPath.BGP, p.bgpPeers.map((c) => Peer.cidr(c)), [Port.tcp(179)]);
    this.keep(paths);
  }

  private keep(paths: GuardPath[]): void {
    for (const path of paths) {
      this.guarded.push(path);
      for (const peer of path.peers) {
        if (path.direction === 'ingress') this.policy.allowIngress(peer, { ports: path.ports });
        else this.policy.allowEgress(peer, { ports: path.ports });
      }
    }
  }

  private checkLockout(): string[] {
    const { model } = this.policy.synthesizeModel();
    const rule = model.spec ?? model.specs?.[0];
    if (!rule) return [];
    const denies: { section: SectionName; item: RuleItemModel; index: number }[] = [];
    for (const section of [SectionName.INGRESS_DENY, SectionName.EGRESS_DENY] as const) {
      (rule[section] ?? []).forEach((item, index) => denies.push({ section, item, index }));
    }
    return guardViolations(this.guarded, denies).map((v) => ({
      id: 'host-firewall-lockout',
      severity: Severity.ERROR,
      message: `spec.${v.section}[${v.index}] would cut the ${v.path} path (${v.what}): a host policy that does this can lock operators`
        + ' and the cluster out of the nodes',
      fix: `narrow the deny rule, or remove the path on purpose with exemptions: [{ path: LockoutPath.${lockoutPathKey(v.path)}, reason: '…' }]`,
    })).map((d) => `${d.message} (${d.id})\n    fix: ${d.fix}`);
  }
}

/**
 * The props that configure one guarded path: refused beside that path's exemption (`host-firewall-exempted-path-configured`),
 * when given (`wireGuard` when true, `routingMode` when a tunnel mode: native routing with the tunnel path exempted says one thing).
 */
const EXEMPTION_CONFLICTS: readonly (readonly [LockoutPath, keyof HostFirewallProps])[] = [
  [LockoutPath.BREAK_GLASS, 'breakGlassPorts'], [LockoutPath.KUBE_APISERVER, 'apiServerClients'], [LockoutPath.KUBE_APISERVER, 'apiServerPort'],
  [LockoutPath.KUBELET, 'kubeletClients'], [LockoutPath.ETCD, 'controlPlaneCidrs'], [LockoutPath.ETCD, 'controlPlaneNodeLabels'],
  [LockoutPath.TUNNEL, 'routingMode'], [LockoutPath.HUBBLE, 'hubbleRelay'], [LockoutPath.NODE_DNS, 'nodeDnsServers'],
  [LockoutPath.METRICS, 'metricsScraper'], [LockoutPath.WIREGUARD, 'wireGuard'], [LockoutPath.BGP, 'bgpPeers'],
];

/**
 * The props that are lists, with what each entry must be: a string (`strings`, `checkStringList`), an object with `property`
 * (`checkListOf`: `breakGlassPorts: [undefined]` was a TypeError) or a `Port` (`isPort`: `[{ _match: 1 }]` was every port),
 * or anything the rule it goes to checks (peers: `peer-unknown`).
 */
const LIST_PROPS: Readonly<Record<string, {
  readonly kind: string; readonly property?: string | ((entry: unknown) => boolean); readonly strings?: boolean;
}>> = {
  managementCidrs: { kind: 'a CIDR', strings: true },
  controlPlaneCidrs: { kind: 'a CIDR', strings: true },
  bgpPeers: { kind: 'a CIDR', strings: true },
  nodeDnsServers: { kind: 'a CIDR', strings: true },
  breakGlassPorts: { kind: 'a Port', property: isPort },
  exemptions: { kind: 'a LockoutExemption ({ path, reason })', property: 'path' },
  apiServerClients: { kind: 'a peer' },
  kubeletClients: { kind: 'a peer' },
};

/** A prop's value as `host-firewall-exempted-path-configured` shows it: ports and peers by their text (`2222/TCP`, `cidr 10.9.0.0/16`). */
function shownProp(value: unknown): unknown {
  const text = (v: unknown): unknown => (isPort(v) || isPeer(v) ? textOf(v) : v);
  return Array.isArray(value) ? value.map(text) : text(value);
}

/** A copy of the props whose lists and maps later changes to the caller's objects cannot reach. */
function snapshotProps(props: HostFirewallProps): HostFirewallProps {
  const list = <T>(l: T[] | undefined): T[] | undefined => (Array.isArray(l) ? [...l] : l);
  return {
    ...props,
    managementCidrs: list(props.managementCidrs) as string[],
    breakGlassPorts: list(props.breakGlassPorts),
    exemptions: props.exemptions?.map((e) => ({ ...e })),
    // The client peers as read now (`peerAsJudged`): checked against their paths below, and written as checked.
    apiServerClients: list(props.apiServerClients)?.map(peerAsJudged),
    kubeletClients: list(props.kubeletClients)?.map(peerAsJudged),
    hubbleRelay: peerAsJudged(props.hubbleRelay),
    metricsScraper: peerAsJudged(props.metricsScraper),
    controlPlaneNodeLabels: props.controlPlaneNodeLabels !== undefined ? { ...props.controlPlaneNodeLabels } : undefined,
    controlPlaneCidrs: list(props.controlPlaneCidrs),
    bgpPeers: list(props.bgpPeers),
    nodeDnsServers: list(props.nodeDnsServers),
  };
}

/** ICMP every host needs from anywhere: errors (path MTU discovery, traceroute) and IPv6 neighbor discovery; never echo. */
function essentialIcmp(): Port[] {
  return ESSENTIAL_ICMP.map((i) => Icmp.type(i.type, i.family === 'IPv6' ? IcmpFamily.IPV6 : IcmpFamily.IPV4));
}
