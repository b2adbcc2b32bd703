import { Construct } from 'constructs';
import { ClusterwidePolicy } from './clusterwide-policy';
import { Entity } from './entity';
import { CiliumPolicyError } from '../core/errors';
import { DnsRule } from './l7';
import { CiliumVersion } from '../core/cilium-version';
import { DNS_DEFAULT_ALLOW_PATCH_SPLIT, l7AllowAllBackport, l7AllowAllWithoutDefaultDeny } from '../core/default-allow-l7';
import { KUBE_DNS_LABELS } from '../model/companion-rules';
import {
  NAMESPACE_LABEL, noPodLabelReason, selectorConstrainsNamespace, selectorNamespaceNames, selectorRequiresPodLabel,
} from '../model/selectors';
import { LabelSelectorModel } from '../model/policy-model';
import { clonePlain } from '../model/clone-plain';
import { checkFlags, checkListOf, checkNamespaceName, checkPropsObject, readPropsOnce } from './names';
import { IPeer, Peer } from './peer';
import { checkedPeerConfig } from './peer-config';
import { checkPeerValue, checkOptionalPeer } from './policy-rule';
import { Port } from './port';
import { EndpointSelector, IEndpointSelector, LabelExpression } from './selector';
import { allowDns, allowHostProbes, builtinsSummary, refuseBroadDnsServer } from './builtins';
import { checkEntriesUnique } from './list-duplicates';

/**
 * The namespaces `ClusterDefaultDeny` leaves alone unless told otherwise: what a cluster-wide default deny exempts so that
 * the cluster keeps working. Not the draft's `INFRASTRUCTURE_NAMESPACES` (hubble/draft-namespaces.ts: kube-system only),
 * on purpose: that one is what a draft from a capture leaves out, and the hubble layer does not import constructs.
 */
export const DEFAULT_SYSTEM_NAMESPACES: readonly string[] = ['cilium', 'kube-node-lease', 'kube-public', 'kube-system'];

/** The props of `ClusterDefaultDenyProps` (`checkPropKeys`). */
export const CLUSTER_DEFAULT_DENY_PROPS: readonly string[] = ['name', 'excludedNamespaces', 'ingress', 'egress', 'dnsServer', 'dnsNamespace', 'dnsRules',
  'dnsVisibility', 'allowHostProbes'];

/** Properties of a `ClusterDefaultDeny`. */
export interface ClusterDefaultDenyProps {
  /**
   * `metadata.name` of the policy.
   * @default 'cluster-default-deny'
   */
  readonly name?: string;
  /**
   * Namespaces left out of the default deny (system components, ingress controllers, monitoring). A list given replaces
   * the default: keep the system namespaces with `[...ClusterDefaultDeny.DEFAULT_SYSTEM_NAMESPACES, 'monitoring']`.
   * @default ClusterDefaultDeny.DEFAULT_SYSTEM_NAMESPACES (kube-system, kube-public, kube-node-lease, cilium)
   */
  readonly excludedNamespaces?: string[];
  /**
   * Deny ingress by default. Built in: the local node's probes (`host`, every port; `allowHostProbes`), and the DNS pods
   * (`dnsServer`'s, in `dnsNamespace`) keep accepting 53/UDP and 53/TCP from every pod and node (`host`, `remote-node`).
   * @default true
   */
  readonly ingress?: boolean;
  /**
   * With `ingress`, allow ingress from the local node (`host` entity: kubelet probes, and hostNetwork pods of the node) into
   * every selected pod, on every port. Needed where the agent does not exempt the host (`allow-localhost=policy`); turn it
   * off where it does. Refused with `ingress: false` (`default-deny-ingress-options`).
   * @default true
   */
  readonly allowHostProbes?: boolean;
  /**
   * Deny egress by default (DNS stays allowed, in the same resource).
   * @default false
   */
  readonly egress?: boolean;
  /**
   * The DNS server pods use. Pods given here are also the subject of the rule that keeps DNS answering (53/UDP and 53/TCP
   * from every pod and node), so they must be named by a pod label in one namespace (`namespace`, or `dnsNamespace`);
   * `Peer.allNamespaces()`, `Peer.namespace('shop')` or pods of several namespaces are refused
   * (`cluster-default-deny-dns-server`). A peer that selects the world is refused (`dns-server-world`), and so is a
   * broad one (`dns-server-broad`) or one that cannot be a resolver (`dns-server-not-resolver`, see `Builtins.allowDns`).
   * `null` is refused (`peer-unknown`), not read as left out.
   * @default Peer.kubeDns()
   */
  readonly dnsServer?: IPeer;
  /**
   * The namespace of the DNS server pods, so that they keep accepting DNS if that namespace is not excluded (the rule
   * that keeps them answering selects pods of this namespace only, unless `dnsServer` names its namespaces).
   * @default - the namespace of `dnsServer`, else 'kube-system'
   */
  readonly dnsNamespace?: string;
  /**
   * Names pods may look up, with `egress: true` (refused without it, `cluster-default-deny-dns-rules`: no DNS rule restricts
   * them; with `dnsVisibility` on Cilium 1.16.0-1.16.9 and 1.17.0-1.17.4 only, where the DNS rules of a rule without default
   * deny refuse the names they do not list: a target of 1.16 or 1.17 without a patch level is refused too).
   * @default - every name
   */
  readonly dnsRules?: DnsRule[];
  /**
   * When only ingress is denied: also send every selected pod's DNS through Cilium's DNS proxy (an L7 DNS rule with
   * `enableDefaultDeny: { egress: false }`, Cilium 1.16+), so FQDN policies anywhere learn addresses. Beware: L7 rules
   * of one peer and port are ORed across policies, so this `*` rule widens any namespace policy that restricts DNS
   * names (and, with `egress: true`, so does the DNS companion itself: exclude such namespaces).
   * @default false
   */
  readonly dnsVisibility?: boolean;
}

/**
 * A cluster-wide default deny: every pod outside a list of system namespaces is put into ingress (and optionally
 * egress) default deny by one CiliumClusterwideNetworkPolicy, with what they need in the same resource: ingress from
 * the local node (kubelet probes, on every port, unless `allowHostProbes` is false); a second rule (`specs`) that keeps the DNS pods accepting DNS on
 * 53/UDP and 53/TCP from every pod and node (additive, `enableDefaultDeny: { ingress: false }`, when their namespace
 * is excluded); and, with `egress: true`, the DNS companion next to `egress: [{}]`.
 *
 * The subject selector requires `io.kubernetes.pod.namespace` to exist: a CCNP selector with only `NotIn` would
 * also select Cilium's health, ingress and init endpoints, which carry no namespace. An ingress-only default deny
 * writes no egress rule at all: any egress rule would put every selected pod into egress default deny.
 */
export class ClusterDefaultDeny extends Construct {
  /** The namespaces left out unless told otherwise (`excludedNamespaces`): cilium, kube-node-lease, kube-public, kube-system (a copy). */
  public static readonly DEFAULT_SYSTEM_NAMESPACES: string[] = [...DEFAULT_SYSTEM_NAMESPACES];

  /** The policy. */
  public readonly policy: ClusterwidePolicy;
  /** The namespaces left out. */
  public readonly excludedNamespaces: string[];

  constructor(scope: Construct, id: string, props: ClusterDefaultDenyProps = {}) {
    super(scope, id);
    checkPropsObject(props, 'new ClusterDefaultDeny()', "{ excludedNamespaces: ['kube-system'] }", this.node.path);
    props = readPropsOnce(props, { keys: CLUSTER_DEFAULT_DENY_PROPS, owner: 'ClusterDefaultDeny' }, { location: this.node.path });
    // `dnsServer: null` was read as left out: DNS to kube-dns (53/UDP, 53/TCP), a path the props did not name.
    checkOptionalPeer(props.dnsServer, 'ClusterDefaultDeny dnsServer', { default: 'Peer.kubeDns(), the kube-dns pods of kube-system' }, this.node.path);
    checkFlags(props, ['ingress', 'egress', 'dnsVisibility', 'allowHostProbes'], 'ClusterDefaultDeny', this.node.path);
    checkListOf(props.excludedNamespaces, 'ClusterDefaultDeny excludedNamespaces', 'a namespace name', undefined, this.node.path);
    if (props.excludedNamespaces !== undefined && props.excludedNamespaces.length === 0) {
      throw new CiliumPolicyError({
        id: 'cluster-default-deny-no-exclusions',
        message: 'ClusterDefaultDeny excludedNamespaces is an empty list: kube-system, DNS and Cilium itself would go into default deny',
        fix: `leave excludedNamespaces out for the system namespaces (${DEFAULT_SYSTEM_NAMESPACES.join(', ')}), or list the namespaces to leave alone`,
        location: this.node.path,
      });
    }
    // Each entry on its own before the list (`checkEntriesUnique`): `['Bad_NS', 'Bad_NS']` was refused as a namespace twice.
    for (const ns of props.excludedNamespaces ?? []) checkNamespaceName(ns, 'ClusterDefaultDeny excludedNamespaces entry', this.node.path);
    checkEntriesUnique(props.excludedNamespaces, { what: 'ClusterDefaultDeny excludedNamespaces', noun: 'namespace', verb: 'excludes it' }, this.node.path);
    this.excludedNamespaces = [...(props.excludedNamespaces ?? DEFAULT_SYSTEM_NAMESPACES)].sort();
    if (props.dnsNamespace !== undefined) checkNamespaceName(props.dnsNamespace, 'ClusterDefaultDeny dnsNamespace', this.node.path);
    const ingress = props.ingress ?? true;
    const egress = props.egress ?? false;
    if (!ingress && !egress) {
      throw new CiliumPolicyError({
        id: 'default-deny-nothing',
        message: 'ClusterDefaultDeny with ingress and egress both false denies nothing',
        fix: 'leave at least one direction on, or remove the construct',
        location: this.node.path,
      });
    }
    if (!ingress && props.allowHostProbes !== undefined) {
      throw new CiliumPolicyError({
        id: 'default-deny-ingress-options',
        message: 'ClusterDefaultDeny ingress is false, yet allowHostProbes is set: it applies only to an ingress default deny',
        fix: 'drop allowHostProbes, or leave ingress on',
        location: this.node.path,
      });
    }
    // Without egress the names restrict nothing: no DNS rule is written, or (dnsVisibility) one of a rule that puts no pod
    // into egress default deny, which Cilium makes visibility only (an allow-all beside it) from 1.18 and from 1.16.10 and
    // 1.17.5 (`l7AllowAllWithoutDefaultDeny`); on 1.16/1.17 without a patch level whether they restrict is not known.
    const target = CiliumVersion._decideFor(this);
    const allowAll = l7AllowAllWithoutDefaultDeny(target);
    if (props.dnsRules !== undefined && !egress && (!props.dnsVisibility || allowAll !== false)) {
      const early = l7AllowAllBackport(target);
      throw new CiliumPolicyError({
        id: 'cluster-default-deny-dns-rules',
        message: `ClusterDefaultDeny dnsRules is set without egress: true, so ${allowAll === undefined ? 'the lookups may all stay' : 'every lookup stays'} allowed: `
          + (!props.dnsVisibility ? 'no DNS rule is written'
            : allowAll === true ? `dnsVisibility's DNS rule puts no pod into egress default deny, and on Cilium ${target.release} (from 1.18, and from 1.16.10 `
              + 'and 1.17.5 through the backports of cilium/cilium#38841) the L7 rules of such a rule give visibility only'
              : `dnsVisibility's DNS rule puts no pod into egress default deny, and ${DNS_DEFAULT_ALLOW_PATCH_SPLIT}; the target Cilium ${target} names no patch`),
        fix: 'set egress: true for the names to apply, or drop dnsRules'
          + (allowAll === undefined && early !== undefined ? `; or, if the cluster runs a patch before ${early.release}, say which (e.g. `
            + `CiliumVersion.use(app, CiliumVersion.parse('${target}.${(early.patch as number) - 1}'))), where the names restrict until it is upgraded` : ''),
        location: this.node.path,
      });
    }
    const server = dnsServerSelector(props.dnsServer, this.node.path);
    const serverNamespace = server !== undefined ? selectorNamespaceNames(server)?.[0] : undefined;
    if (props.dnsNamespace !== undefined && serverNamespace !== undefined && props.dnsNamespace !== serverNamespace) {
      throw new CiliumPolicyError({
        id: 'cluster-default-deny-dns-namespace',
        message: `ClusterDefaultDeny dnsNamespace is ${props.dnsNamespace}, but the dnsServer pods are in ${serverNamespace}`,
        fix: `drop dnsNamespace (the dnsServer's namespace is used), or give both the same namespace`,
        location: this.node.path,
      });
    }
    const dnsNamespace = props.dnsNamespace ?? serverNamespace ?? 'kube-system';
    const dnsExcluded = this.excludedNamespaces.includes(dnsNamespace);
    const version = target;
    const additive = version.atLeast(CiliumVersion.V1_16);
    const dnsVisibility = !egress && (props.dnsVisibility ?? false);
    const subject = EndpointSelector.of({
      expressions: [
        LabelExpression.exists(NAMESPACE_LABEL),
        ...(this.excludedNamespaces.length ? [LabelExpression.notIn(NAMESPACE_LABEL, this.excludedNamespaces)] : []),
      ],
    });
    this.policy = new ClusterwidePolicy(this, 'Resource', {
      name: props.name ?? 'cluster-default-deny',
      description: `default deny ${[ingress && 'ingress', egress && 'egress'].filter(Boolean).join(' and ')} for every pod outside `
        + `${this.excludedNamespaces.join(', ') || 'no namespace'}`
        + builtinsSummary({ hostProbes: ingress && (props.allowHostProbes ?? true),
          dns: egress || dnsVisibility ? { dnsServer: props.dnsServer, dnsRules: props.dnsRules } : undefined }),
      endpointSelector: subject,
      ...(dnsVisibility ? { enableDefaultDeny: { egress: false } } : {}),
    });
    const rule = this.policy.rule;
    if (ingress) {
      rule.isolateIngress();
      if (props.allowHostProbes ?? true) allowHostProbes(rule);
    }
    if (egress) rule.isolateEgress();
    if (egress || dnsVisibility) allowDns(rule, { dnsServer: props.dnsServer, dnsRules: props.dnsRules });
    if (ingress && (!dnsExcluded || additive)) {
      // Keep the DNS pods answering every pod and node, whether or not this policy puts them into default deny.
      const dns = this.policy.addRule({
        endpointSelector: dnsSelector(server, dnsNamespace),
        description: 'keep DNS reachable from every pod and node',
        ...(dnsExcluded ? { enableDefaultDeny: { ingress: false } } : {}),
      });
      const ports = [Port.udp(53), Port.tcp(53)];
      dns.allowIngress(Peer.allNamespaces(), { ports });
      dns.allowIngress(Peer.entity(Entity.HOST), { ports });
      dns.allowIngress(Peer.entity(Entity.REMOTE_NODE), { ports });
    }
  }
}

/** The pod selector of the DNS server peer (`undefined`: the server is not pods, e.g. a CIDR). */
function dnsServerSelector(server: IPeer | undefined, location: string): LabelSelectorModel | undefined {
  const peer = server ?? Peer.kubeDns();
  checkPeerValue(peer, 'ClusterDefaultDeny dnsServer:', location);
  const config = checkedPeerConfig(peer.toPeerConfig(), 'ClusterDefaultDeny dnsServer', location);
  if (config.field !== 'endpoints') {
    // Refused here too, not only by the DNS companion (egress: true): the prop says a resolver, whatever the directions.
    refuseBroadDnsServer(peer, location);
    return undefined;
  }
  // The selector becomes the subject of the rule that admits DNS from every pod and node: it must be the DNS pods, by their
  // labels, in one namespace (or in dnsNamespace), or that rule would open 53 on every pod of a namespace, or of the cluster.
  const selectors = config.item.endpoints ?? [];
  const names = selectors.length === 1 ? selectorNamespaceNames(selectors[0]) : undefined;
  const noPodLabel = selectors.length === 1 && !selectorRequiresPodLabel(selectors[0]) ? noPodLabelReason(selectors[0]) : undefined;
  const why = selectors.length !== 1 ? `${selectors.length} endpoint selectors`
    : noPodLabel !== undefined ? `${noPodLabel.cluster ? noPodLabel.why : 'no pod label'} (${noPodLabel.selects})`
      : selectorConstrainsNamespace(selectors[0]) && names?.length !== 1 ? 'no single namespace by name'
        : undefined;
  if (why !== undefined) {
    throw new CiliumPolicyError({
      id: 'cluster-default-deny-dns-server',
      message: `ClusterDefaultDeny dnsServer ${config.description} has ${why}: it is also the subject of the rule that keeps DNS answering, `
        + 'which would admit 53/UDP and 53/TCP from every pod and node to each pod it selects',
      fix: "name the DNS pods by their labels in one namespace: Peer.endpoints({ namespace: 'kube-system', labels: { 'k8s-app': 'node-local-dns' } }), "
        + 'or leave dnsServer out for Peer.kubeDns()',
      location,
    });
  }
  return selectors[0];
}

/**
 * The DNS pods the second rule keeps answering: the server's whole selector (its expressions too), else kube-dns's labels,
 * always within `dnsNamespace` unless the selector names its namespaces: a clusterwide rule without one would open 53 on
 * every pod of the cluster that carries those labels.
 */
function dnsSelector(server: LabelSelectorModel | undefined, dnsNamespace: string): IEndpointSelector {
  const base: LabelSelectorModel = server ?? { matchLabels: { ...KUBE_DNS_LABELS } };
  const model: LabelSelectorModel = selectorConstrainsNamespace(base)
    ? base
    : { ...base, matchLabels: { ...(base.matchLabels ?? {}), [NAMESPACE_LABEL]: dnsNamespace } };
  return { toEndpointSelector: () => clonePlain(model) as LabelSelectorModel };
}
