import { Construct } from 'constructs';
import { ClusterwidePolicy } from '../clusterwide-policy';
import { Entity } from '../entity';
import { DnsRule } from '../l7';
import { CiliumVersion } from '../model/cilium-version';
import { NAMESPACE_LABEL } from '../model/selectors';
import { IPeer, Peer } from '../peer';
import { Port } from '../port';
import { EndpointSelector, LabelExpression } from '../selector';
import { allowDns, allowHostAndHealth } from './builtins';

/** The namespaces `ClusterDefaultDeny` leaves alone unless told otherwise. */
export const DEFAULT_SYSTEM_NAMESPACES: readonly string[] = ['cilium', 'kube-node-lease', 'kube-public', 'kube-system'];

/** Properties of a `ClusterDefaultDeny`. */
export interface ClusterDefaultDenyProps {
  /**
   * `metadata.name` of the policy.
   * @default 'cluster-default-deny'
   */
  readonly name?: string;
  /**
   * Namespaces left out of the default deny (system components, ingress controllers, monitoring).
   * @default DEFAULT_SYSTEM_NAMESPACES (kube-system, kube-public, kube-node-lease, cilium)
   */
  readonly excludedNamespaces?: string[];
  /**
   * Deny ingress by default.
   * @default true
   */
  readonly ingress?: boolean;
  /**
   * Deny egress by default (DNS stays allowed, in the same resource).
   * @default false
   */
  readonly egress?: boolean;
  /**
   * The DNS server pods use.
   * @default Peer.kubeDns()
   */
  readonly dnsServer?: IPeer;
  /**
   * The namespace of the DNS server pods, so that they keep accepting DNS if that namespace is not excluded.
   * @default 'kube-system'
   */
  readonly dnsNamespace?: string;
  /**
   * Names pods may look up.
   * @default - every name
   */
  readonly dnsRules?: DnsRule[];
  /**
   * When only ingress is denied: send the pods' DNS through Cilium's DNS proxy anyway (an L7 DNS rule with
   * `enableDefaultDeny: { egress: false }`, Cilium 1.16+), so that FQDN policies anywhere learn addresses and
   * DNS is allowed in this resource without putting egress into default deny.
   * @default true (on Cilium 1.16+)
   */
  readonly dnsVisibility?: boolean;
}

/**
 * A cluster-wide default deny: every pod outside a list of system namespaces is put into ingress (and optionally
 * egress) default deny by one CiliumClusterwideNetworkPolicy, with what they need in the same resource:
 * ingress from the local node (kubelet probes) and Cilium health, DNS to kube-dns on 53/UDP and 53/TCP, and, when
 * the DNS pods' namespace is not excluded, DNS ingress to those pods. Several selectors mean a `specs` list.
 *
 * The subject selector requires `io.kubernetes.pod.namespace` to exist: a CCNP selector with only `NotIn` would
 * also select Cilium's health, ingress and init endpoints, which carry no namespace.
 */
export class ClusterDefaultDeny extends Construct {
  /** The policy. */
  public readonly policy: ClusterwidePolicy;
  /** The namespaces left out. */
  public readonly excludedNamespaces: string[];

  constructor(scope: Construct, id: string, props: ClusterDefaultDenyProps = {}) {
    super(scope, id);
    this.excludedNamespaces = [...new Set(props.excludedNamespaces ?? DEFAULT_SYSTEM_NAMESPACES)].sort();
    const ingress = props.ingress ?? true;
    const egress = props.egress ?? false;
    const dnsNamespace = props.dnsNamespace ?? 'kube-system';
    const version = CiliumVersion.of(this);
    const dnsVisibility = !egress && (props.dnsVisibility ?? true) && version.atLeast(CiliumVersion.V1_16);
    const subject = EndpointSelector.of({
      expressions: [
        LabelExpression.exists(NAMESPACE_LABEL),
        ...(this.excludedNamespaces.length ? [LabelExpression.notIn(NAMESPACE_LABEL, this.excludedNamespaces)] : []),
      ],
    });
    this.policy = new ClusterwidePolicy(this, 'Resource', {
      name: props.name ?? 'cluster-default-deny',
      description: `default deny ${[ingress && 'ingress', egress && 'egress'].filter(Boolean).join(' and ')} for every pod outside `
        + `${this.excludedNamespaces.join(', ') || 'no namespace'}`,
      endpointSelector: subject,
      ...(dnsVisibility ? { enableDefaultDeny: { egress: false } } : {}),
    });
    const rule = this.policy.rule;
    if (ingress) {
      rule.isolateIngress();
      allowHostAndHealth(rule);
    }
    if (egress) rule.isolateEgress();
    if (egress || dnsVisibility) allowDns(rule, { dnsServer: props.dnsServer, dnsRules: props.dnsRules });
    if (ingress && !this.excludedNamespaces.includes(dnsNamespace)) {
      // The DNS pods are themselves in default deny: keep DNS open to every pod (and the nodes).
      const dns = this.policy.addRule({ endpointSelector: dnsSelector(props.dnsServer), description: 'keep DNS reachable' });
      dns.allowIngress(Peer.allNamespaces(), [Port.udp(53), Port.tcp(53)]);
      dns.allowIngress(Peer.entity(Entity.HOST), [Port.udp(53), Port.tcp(53)]);
    }
  }
}

function dnsSelector(server: IPeer | undefined): EndpointSelector {
  const config = (server ?? Peer.kubeDns()).toPeerConfig();
  const selector = config.item.endpoints?.[0];
  return selector ? EndpointSelector.of({ labels: { ...(selector.matchLabels ?? {}) } }) : EndpointSelector.labels({ 'k8s:k8s-app': 'kube-dns' });
}
