import { Construct } from 'constructs';
import { ClusterwidePolicy } from '../clusterwide-policy';
import { Entity } from '../entity';
import { CiliumPolicyError, Severity } from '../errors';
import { L7 } from '../l7';
import { RuleItemModel, SectionName } from '../model/policy-model';
import { Peer } from '../peer';
import { AllowOptions } from '../policy-rule';
import { Icmp, IcmpFamily, Port } from '../port';
import { INodeSelector, NodeSelector } from '../selector';
import { PeerLike } from '../workload';
import { GuardPath, guardViolations } from './lockout-guard';

/** How Cilium carries pod traffic between nodes; decides which tunnel port the guard keeps open. */
export enum RoutingMode {
  /** VXLAN tunnel, 8472/UDP (Cilium's default). */
  VXLAN = 'vxlan',
  /** Geneve tunnel, 6081/UDP. */
  GENEVE = 'geneve',
  /** Native routing: no tunnel port. */
  NATIVE = 'native',
}

/** The paths the lockout guard keeps open. */
export enum LockoutPath {
  /** SSH (or the declared break-glass ports) from the management CIDRs. */
  BREAK_GLASS = 'break-glass',
  /** kube-apiserver, 6443/TCP, from the cluster and the management CIDRs. */
  KUBE_APISERVER = 'kube-apiserver',
  /** kubelet, 10250/TCP, from the cluster. */
  KUBELET = 'kubelet',
  /** etcd, 2379-2380/TCP, between nodes (control planes). */
  ETCD = 'etcd',
  /** Cilium health checks, 4240/TCP, from other nodes and health endpoints. */
  CILIUM_HEALTH = 'cilium-health',
  /** The tunnel port of the routing mode (VXLAN 8472/UDP, Geneve 6081/UDP) from other nodes. */
  TUNNEL = 'tunnel',
  /** ICMP echo, destination unreachable, time exceeded and (IPv6) packet too big. */
  ICMP = 'icmp',
}

/** Removing one guarded path, with the reason. */
export interface LockoutExemption {
  /** The path not to keep open. */
  readonly path: LockoutPath;
  /** Why it is safe to leave it out (written into the policy description). */
  readonly reason: string;
}

/** Properties of a `HostFirewall`. */
export interface HostFirewallProps {
  /**
   * The management network(s) operators come from: the source of the break-glass path and of kube-apiserver access.
   */
  readonly managementCidrs: string[];
  /**
   * The nodes the host policy applies to.
   * @default - every node
   */
  readonly nodeSelector?: INodeSelector;
  /**
   * `metadata.name` of the policy.
   * @default - the construct id in kebab case
   */
  readonly name?: string;
  /**
   * The break-glass ports reachable from the management CIDRs.
   * @default [Port.tcp(22)]
   */
  readonly breakGlassPorts?: Port[];
  /**
   * Cilium's routing mode, for the tunnel port between nodes.
   * @default RoutingMode.VXLAN
   */
  readonly routingMode?: RoutingMode;
  /**
   * Guarded paths to leave out, each with a stated reason.
   * @default - every path is kept open
   */
  readonly exemptions?: LockoutExemption[];
  /**
   * Free-text description, prepended to the guard's summary.
   * @default - a summary of the guarded paths
   */
  readonly description?: string;
}

/**
 * A host firewall: a CiliumClusterwideNetworkPolicy with a `nodeSelector`, applied to the nodes' own network
 * namespace (and hostNetwork pods).
 *
 * Its lockout guard keeps open, in the same resource, the paths a cluster needs: the break-glass path (SSH) from
 * the management CIDRs, kube-apiserver 6443/TCP, kubelet 10250/TCP from the cluster, etcd 2379-2380/TCP between
 * nodes, Cilium health 4240/TCP, the tunnel port of the routing mode and essential ICMP. It refuses to synthesize
 * when a deny rule would cut one of them, and a path can only be removed with a stated reason.
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

  constructor(scope: Construct, id: string, props: HostFirewallProps) {
    super(scope, id);
    if (!props.managementCidrs || props.managementCidrs.length === 0) {
      throw new CiliumPolicyError({
        id: 'host-firewall-no-management',
        message: 'HostFirewall needs the management CIDRs operators reach the nodes from',
        fix: "pass managementCidrs: ['10.50.0.0/24']",
        location: this.node.path,
      });
    }
    this.exempted = new Map();
    for (const e of props.exemptions ?? []) {
      if (!e.reason || !e.reason.trim()) {
        throw new CiliumPolicyError({
          id: 'host-firewall-exemption-reason',
          message: `the exemption of the ${e.path} path has no reason`,
          fix: "say why it is safe, e.g. { path: LockoutPath.ETCD, reason: 'etcd runs outside the cluster' }",
          location: this.node.path,
        });
      }
      this.exempted.set(e.path, e.reason.trim());
    }
    const routing = props.routingMode ?? RoutingMode.VXLAN;
    const paths = this.buildGuard(props.managementCidrs, props.breakGlassPorts ?? [Port.tcp(22)], routing);
    const summary = `host firewall; lockout guard keeps ${paths.map((p) => p.path).filter((v, i, a) => a.indexOf(v) === i).join(', ')} open`
      + [...this.exempted].map(([path, reason]) => `; ${path} exempted: ${reason}`).join('');
    this.policy = new ClusterwidePolicy(this, 'Resource', {
      name: props.name,
      nodeSelector: props.nodeSelector ?? NodeSelector.all(),
      description: props.description ? `${props.description} (${summary})` : summary,
    });
    for (const path of paths) {
      this.guarded.push(path);
      for (const peer of path.peers) this.policy.allowIngress(peer, path.ports);
    }
    this.node.addValidation({ validate: () => this.checkLockout() });
  }

  /** Allows traffic into the nodes from `peer`. */
  public allowIngress(peer: PeerLike, ports?: Port[], l7?: L7, options?: AllowOptions): void {
    this.policy.allowIngress(peer, ports, l7, options);
  }

  /**
   * Allows traffic from the nodes to `peer`. The first egress rule puts the nodes into egress default deny; the
   * guard then also keeps the nodes' own paths to the API server, other nodes and health checks open.
   */
  public allowEgress(peer: PeerLike, ports?: Port[], l7?: L7, options?: AllowOptions): void {
    this.ensureEgressGuard();
    this.policy.allowEgress(peer, ports, l7, options);
  }

  /** Denies traffic into the nodes; refused at synthesis if it cuts a guarded path. */
  public denyIngress(peer: PeerLike, ports?: Port[]): void {
    this.policy.denyIngress(peer, ports);
  }

  /** Denies traffic from the nodes; refused at synthesis if it cuts a guarded path. */
  public denyEgress(peer: PeerLike, ports?: Port[]): void {
    this.ensureEgressGuard();
    this.policy.denyEgress(peer, ports);
  }

  private egressGuardAdded = false;

  private ensureEgressGuard(): void {
    if (this.egressGuardAdded) return;
    this.egressGuardAdded = true;
    const paths: GuardPath[] = [];
    const add = (path: LockoutPath, peers: Peer[], ports: Port[]): void => {
      if (!this.exempted.has(path)) paths.push({ path, direction: 'egress', peers, ports });
    };
    add(LockoutPath.KUBE_APISERVER, [Peer.entity(Entity.KUBE_APISERVER)], [Port.tcp(6443)]);
    add(LockoutPath.KUBELET, [Peer.entity(Entity.REMOTE_NODE)], [Port.tcp(10250)]);
    add(LockoutPath.ETCD, [Peer.entity(Entity.REMOTE_NODE)], [Port.tcp(2379), Port.tcp(2380)]);
    add(LockoutPath.CILIUM_HEALTH, [Peer.entity(Entity.REMOTE_NODE), Peer.entity(Entity.HEALTH)], [Port.tcp(4240)]);
    const tunnel = this.tunnelPort();
    if (tunnel) add(LockoutPath.TUNNEL, [Peer.entity(Entity.REMOTE_NODE)], [tunnel]);
    add(LockoutPath.ICMP, [Peer.entity(Entity.ALL)], icmpTypes());
    for (const path of paths) {
      this.guarded.push(path);
      for (const peer of path.peers) this.policy.allowEgress(peer, path.ports);
    }
  }

  private routing: RoutingMode = RoutingMode.VXLAN;

  private tunnelPort(): Port | undefined {
    if (this.routing === RoutingMode.VXLAN) return Port.udp(8472);
    if (this.routing === RoutingMode.GENEVE) return Port.udp(6081);
    return undefined;
  }

  private buildGuard(managementCidrs: string[], breakGlassPorts: Port[], routing: RoutingMode): GuardPath[] {
    this.routing = routing;
    const mgmt = managementCidrs.map((c) => Peer.cidr(c));
    const paths: GuardPath[] = [];
    const add = (path: LockoutPath, peers: Peer[], ports: Port[]): void => {
      if (!this.exempted.has(path)) paths.push({ path, direction: 'ingress', peers, ports });
    };
    add(LockoutPath.BREAK_GLASS, mgmt, breakGlassPorts);
    add(LockoutPath.KUBE_APISERVER, [Peer.entity(Entity.CLUSTER), ...mgmt], [Port.tcp(6443)]);
    add(LockoutPath.KUBELET, [Peer.entity(Entity.CLUSTER)], [Port.tcp(10250)]);
    add(LockoutPath.ETCD, [Peer.entity(Entity.REMOTE_NODE)], [Port.tcp(2379), Port.tcp(2380)]);
    add(LockoutPath.CILIUM_HEALTH, [Peer.entity(Entity.REMOTE_NODE), Peer.entity(Entity.HEALTH)], [Port.tcp(4240)]);
    const tunnel = this.tunnelPort();
    if (tunnel) add(LockoutPath.TUNNEL, [Peer.entity(Entity.REMOTE_NODE)], [tunnel]);
    add(LockoutPath.ICMP, [Peer.entity(Entity.ALL)], icmpTypes());
    return paths;
  }

  private checkLockout(): string[] {
    const { model } = this.policy.synthesizeModel();
    const rule = model.spec ?? model.specs?.[0];
    if (!rule) return [];
    const denies: { section: SectionName; item: RuleItemModel; index: number }[] = [];
    for (const section of ['ingressDeny', 'egressDeny'] as const) {
      (rule[section] ?? []).forEach((item, index) => denies.push({ section, item, index }));
    }
    return guardViolations(this.guarded, denies).map((v) => ({
      id: 'host-firewall-lockout',
      severity: Severity.ERROR,
      message: `spec.${v.section}[${v.index}] would cut the ${v.path} path (${v.what}): a host policy that does this can lock operators`
        + ' and the cluster out of the nodes',
      fix: `narrow the deny rule, or remove the path on purpose with exemptions: [{ path: LockoutPath.${enumKey(v.path as LockoutPath)}, reason: '…' }]`,
    })).map((d) => `${d.message} (${d.id})\n    fix: ${d.fix}`);
  }
}

function icmpTypes(): Port[] {
  return [
    Icmp.echoRequest(), Icmp.echoReply(), Icmp.destinationUnreachable(), Icmp.timeExceeded(),
    Icmp.echoRequest(IcmpFamily.IPV6), Icmp.echoReply(IcmpFamily.IPV6), Icmp.destinationUnreachable(IcmpFamily.IPV6),
    Icmp.timeExceeded(IcmpFamily.IPV6), Icmp.packetTooBig(),
  ];
}

function enumKey(path: LockoutPath): string {
  return (Object.keys(LockoutPath) as (keyof typeof LockoutPath)[]).find((k) => LockoutPath[k] === path) ?? path;
}
