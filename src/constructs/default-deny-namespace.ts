import { Construct } from 'constructs';
import { CiliumPolicy, requireNamespace } from './cilium-policy';
import { CiliumPolicyError } from '../core/errors';
import { DnsRule } from './l7';
import { IPeer, Peer } from './peer';
import { checkPortsUnique, isPort, Port } from './port';
import { allowDns, allowHostProbes, builtinsSummary, dnsRulesAllowEveryName } from './builtins';
import { CiliumVersion } from '../core/cilium-version';
import { DNS_DEFAULT_ALLOW_PATCH_SPLIT, l7AllowAllBackport, l7AllowAllWithoutDefaultDeny } from '../core/default-allow-l7';
import { METADATA_ENDPOINTS } from './metadata-endpoint-block';
import { checkOptionalPeer } from './policy-rule';
import { checkFlags, checkListOf, checkPropsObject, readPropsOnce } from './names';
import { peerAsJudged, refuseWorldScraper } from './peer-config';
import { SectionName } from '../model/policy-model';
import { API_SERVER_PORTS } from '../model/companion-rules';

/** The props of `DefaultDenyNamespaceProps` (`checkPropKeys`). */
export const DEFAULT_DENY_NAMESPACE_PROPS: readonly string[] = ['namespace', 'name', 'ingress', 'egress', 'allowWithinNamespace', 'allowKubeApiServer',
  'allowHostProbes', 'scrapeFrom', 'scrapePorts', 'dnsServer', 'dnsRules', 'blockMetadataEndpoint', 'stagedRollout'];

/** Properties of a `DefaultDenyNamespace`. */
export interface DefaultDenyNamespaceProps {
  /**
   * The namespace to lock down.
   * @default - the chart's namespace (one of the two is required)
   */
  readonly namespace?: string;
  /**
   * `metadata.name` of the policy.
   * @default 'default-deny'
   */
  readonly name?: string;
  /**
   * Deny ingress by default. The local node's probes stay allowed, on every port (`allowHostProbes`), and nothing else
   * is built in.
   * @default true
   */
  readonly ingress?: boolean;
  /**
   * Deny egress by default. DNS stays allowed, in the same resource: to `dnsServer` (kube-dns) on 53/UDP and 53/TCP,
   * for the names of `dnsRules` (every name by default); nothing else is built in.
   * @default true
   */
  readonly egress?: boolean;
  /**
   * Allow all traffic between the pods of the namespace (both directions).
   * @default false
   */
  readonly allowWithinNamespace?: boolean;
  /**
   * Allow egress to the Kubernetes API server: the `kube-apiserver` entity on its ports, 6443/TCP and 443/TCP only. Never
   * every port: on a self-managed cluster that entity is the control-plane nodes, which also serve etcd, the kubelet and SSH.
   * @default false - no API server access
   */
  readonly allowKubeApiServer?: boolean;
  /**
   * Allow ingress from the local node (`host` entity: kubelet probes), on every port.
   * @default true
   */
  readonly allowHostProbes?: boolean;
  /**
   * A metrics scraper (e.g. Prometheus) that may reach every pod of the namespace. A peer that selects the world
   * (`Peer.any()`, the `world` or `all` entity, a /0) is refused (`scraper-world`); so is one far wider than a scraper
   * (`scraper-broad`): a CIDR shorter than an IPv4 /8 or an IPv6 /32, the `cluster` entity, every pod, or pods of namespaces not fixed by name or
   * namespace labels (`allNamespaces: true`, `NotIn` on the namespace key), which any tenant can label a pod into, the
   * `unmanaged` or `init` entity (pods of any namespace whose identity Cilium has not resolved), a CIDR group, the `remote-node` entity, or nodes (`Peer.nodes`) by labels a node's own kubelet may set, or every node carries,
   * which a node could give itself (give a label no kubelet may set, e.g. `node-restriction.kubernetes.io/<name>`; Cilium
   * reads node labels from CiliumNode objects, which every agent may update, so pods, or node addresses as CIDRs where the agents run with policy-cidr-match-mode: nodes, are stronger).
   * @default - no scraping allowance
   */
  readonly scrapeFrom?: IPeer;
  /**
   * The ports `scrapeFrom` may reach (required with `scrapeFrom`: scraping is never opened on every port implicitly).
   * @default - none; required when `scrapeFrom` is set
   */
  readonly scrapePorts?: Port[];
  /**
   * The DNS server the pods use (NodeLocal DNSCache, a custom resolver).
   * A peer that selects the world (`Peer.any()`, the `world` or `all` entity, a /0) is refused (`dns-server-world`),
   * and so is one far wider than a resolver (`dns-server-broad`) or one that cannot be a resolver (`dns-server-not-resolver`:
   * a DNS name, a CIDR group, an entity other than `host`, nodes by label; see `Builtins.allowDns`).
   * `null` is refused (`peer-unknown`), not read as left out.
   * @default Peer.kubeDns()
   */
  readonly dnsServer?: IPeer;
  /**
   * Names the pods may look up. Keep every name the pods' FQDN rules need: Cilium learns FQDN addresses only
   * from lookups its DNS proxy sees and allows.
   * @default - every name (`matchPattern: "*"`), with the answers visible to the DNS proxy
   */
  readonly dnsRules?: DnsRule[];
  /**
   * Also deny egress to the cloud metadata endpoints (169.254.169.254/32, fd00:ec2::254/128 and fd20:ce::254/128),
   * whatever any allow rule says.
   * @default false
   */
  readonly blockMetadataEndpoint?: boolean;
  /**
   * Staged rollout: select the pods and write every rule, but do not switch them to default deny
   * (`enableDefaultDeny: false`, Cilium 1.16+). Watch Hubble for what would be dropped, then turn it off. With `dnsRules`
   * that restrict the names it is refused on Cilium 1.16.0-1.16.9 and 1.17.0-1.17.4, and on 1.16 and 1.17 without a patch
   * level (`default-deny-staged-dns-rules`): there the DNS rules of a rule without default deny refuse the other names, so
   * the lookups would be restricted at once; from 1.16.10, 1.17.5 and 1.18 they give visibility only.
   * @default false
   */
  readonly stagedRollout?: boolean;
}

/**
 * Default deny for a whole namespace, written as one CiliumNetworkPolicy with the `ingress: [{}]` /
 * `egress: [{}]` idiom (never empty lists, which Cilium ignores).
 *
 * When egress is denied, DNS to kube-dns on 53/UDP and 53/TCP is allowed in the same resource, with an L7 DNS
 * rule so that FQDN policies of the namespace keep learning addresses. Kubelet probes (`host`, every port) stay allowed
 * unless turned off (`allowHostProbes`); nothing else is built in (Cilium's `health` checks probe nodes, never pods).
 */
export class DefaultDenyNamespace extends Construct {
  /** The policy. */
  public readonly policy: CiliumPolicy;
  /** The namespace it locks down. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: DefaultDenyNamespaceProps = {}) {
    super(scope, id);
    checkPropsObject(props, 'new DefaultDenyNamespace()', "{ namespace: 'shop' }", this.node.path);
    props = readPropsOnce(props, { keys: DEFAULT_DENY_NAMESPACE_PROPS, owner: 'DefaultDenyNamespace' }, { location: this.node.path });
    // `dnsServer: null` was read as left out: DNS to kube-dns (53/UDP, 53/TCP), a path the props did not name.
    checkOptionalPeer(props.dnsServer, 'DefaultDenyNamespace dnsServer', { default: 'Peer.kubeDns(), the kube-dns pods of kube-system' }, this.node.path);
    checkFlags(props, ['ingress', 'egress', 'allowWithinNamespace', 'allowKubeApiServer', 'allowHostProbes', 'blockMetadataEndpoint', 'stagedRollout'],
      'DefaultDenyNamespace', this.node.path);
    const namespace = requireNamespace(scope, id, props.namespace, 'DefaultDenyNamespace');
    this.namespace = namespace;
    const ingress = props.ingress ?? true;
    const egress = props.egress ?? true;
    if (!ingress && !egress) {
      throw new CiliumPolicyError({
        id: 'default-deny-nothing',
        message: 'DefaultDenyNamespace with ingress and egress both false denies nothing',
        fix: 'leave at least one direction on, or remove the construct',
        location: this.node.path,
      });
    }
    // Before the scrape checks: a single Port (plain JavaScript) was refused as scrapePorts missing, "(an empty list)".
    checkListOf(props.scrapePorts, 'DefaultDenyNamespace scrapePorts', 'a Port', isPort, this.node.path);
    checkPortsUnique(props.scrapePorts, 'DefaultDenyNamespace scrapePorts', this.node.path);
    if (props.scrapeFrom && !(props.scrapePorts && props.scrapePorts.length > 0)) {
      throw new CiliumPolicyError({
        id: 'default-deny-scrape-ports',
        message: `DefaultDenyNamespace scrapeFrom is set without scrapePorts${props.scrapePorts ? ' (an empty list)' : ''}: the scraper would reach every port of every pod`,
        fix: 'pass the metrics ports, e.g. scrapePorts: [Port.tcp(9090)] (Port.allTcp() if every TCP port is really meant)',
        location: this.node.path,
      });
    }
    if (props.scrapePorts && !props.scrapeFrom) {
      throw new CiliumPolicyError({
        id: 'default-deny-scrape-ports',
        message: 'DefaultDenyNamespace scrapePorts is set without scrapeFrom, so nobody may scrape them',
        fix: "set scrapeFrom: Peer.endpoints({ namespace: 'monitoring', labels: { app: 'prometheus' } }), or drop scrapePorts",
        location: this.node.path,
      });
    }
    // Judged and written as read now (`peerAsJudged`): a scraper of one's own that answers the world at synthesis is not written.
    const scrapeFrom = peerAsJudged(props.scrapeFrom);
    if (scrapeFrom !== undefined && props.scrapePorts) {
      refuseWorldScraper(scrapeFrom, 'DefaultDenyNamespace scrapeFrom', `the scrape ports (${props.scrapePorts.map(String).join(', ')}) of every pod`,
        this.node.path);
    }
    if (!ingress && (props.scrapeFrom !== undefined || props.allowHostProbes !== undefined)) {
      throw new CiliumPolicyError({
        id: 'default-deny-ingress-options',
        message: 'DefaultDenyNamespace ingress is false, yet scrapeFrom or allowHostProbes is set: they apply only to an ingress default deny',
        fix: 'drop them, or leave ingress on',
        location: this.node.path,
      });
    }
    if (!egress && (props.dnsRules !== undefined || props.dnsServer !== undefined || props.allowKubeApiServer)) {
      throw new CiliumPolicyError({
        id: 'default-deny-egress-options',
        message: 'DefaultDenyNamespace egress is false, yet dnsRules, dnsServer or allowKubeApiServer is set: they apply only to an egress default deny',
        fix: 'drop them, or leave egress on',
        location: this.node.path,
      });
    }
    const staged = props.stagedRollout ?? false;
    const metadataBlock = props.blockMetadataEndpoint ?? false;
    const enableDefaultDeny = staged
      ? { ...(ingress ? { ingress: false } : {}), ...(egress || metadataBlock ? { egress: false } : {}) }
      : (!egress && metadataBlock ? { egress: false } : undefined);
    this.policy = new CiliumPolicy(this, 'Resource', {
      name: props.name ?? 'default-deny',
      namespace,
      description: `default deny ${[ingress && 'ingress', egress && 'egress'].filter(Boolean).join(' and ')} for namespace ${namespace}`
        + (staged ? ' (staged: not enforced)' : '')
        + builtinsSummary({ hostProbes: ingress && (props.allowHostProbes ?? true),
          dns: egress ? { dnsServer: props.dnsServer, dnsRules: props.dnsRules } : undefined }),
      ...(enableDefaultDeny ? { enableDefaultDeny } : {}),
    });
    const rule = this.policy.rule;
    if (ingress) {
      // Staged: written, not enforced (enableDefaultDeny false), on purpose.
      rule._isolate(SectionName.INGRESS, !staged);
      if (props.allowHostProbes ?? true) allowHostProbes(rule);
      if (props.allowWithinNamespace) rule.allowIngress(Peer.namespace(namespace));
      if (scrapeFrom && props.scrapePorts) rule.allowIngress(scrapeFrom, { ports: props.scrapePorts });
    }
    if (egress) {
      // Staged: written, not enforced (enableDefaultDeny false), on purpose.
      rule._isolate(SectionName.EGRESS, !staged);
      allowDns(rule, { dnsServer: props.dnsServer, dnsRules: props.dnsRules });
      // After allowDns has judged the dnsRules list (an empty or malformed one gets its own error). Staged, the rule enables
      // no default deny, and its DNS rules restrict the lookups at once unless Cilium adds an allow-all to them
      // (`l7AllowAllWithoutDefaultDeny`: from 1.18, 1.16.10 and 1.17.5; not known on 1.16/1.17 without a patch level). Before
      // 1.16 there is no enableDefaultDeny (version-enable-default-deny refuses staging itself).
      const version = CiliumVersion._decideFor(this);
      const allowAll = l7AllowAllWithoutDefaultDeny(version);
      if (staged && !dnsRulesAllowEveryName(props.dnsRules) && version.atLeast(CiliumVersion.V1_16) && allowAll !== true) {
        throw new CiliumPolicyError({
          id: 'default-deny-staged-dns-rules',
          message: `DefaultDenyNamespace stagedRollout is true, yet dnsRules restricts the names the pods may look up: ${DNS_DEFAULT_ALLOW_PATCH_SPLIT}; `
            + (allowAll === undefined ? `the target Cilium ${version} names no patch, so on some patches` : `on the target Cilium ${version.release}`)
            + ' the staged rollout would enforce the lookup restriction at once',
          fix: 'leave dnsRules out while staged (every name, seen by the DNS proxy), and add it when stagedRollout is turned off; '
            + `or, if the cluster runs ${l7AllowAllBackport(version)?.release ?? '1.17.5'} or later, say so (CiliumVersion.use(app, `
            + `CiliumVersion.parse('${l7AllowAllBackport(version)?.release ?? '1.17.5'}'))): there staged DNS rules give visibility only, as on 1.18+`,
          location: this.node.path,
        });
      }
      if (props.allowWithinNamespace) rule.allowEgress(Peer.namespace(namespace));
      if (props.allowKubeApiServer) rule.allowEgress(Peer.kubeApiServer(), { ports: API_SERVER_PORTS.map((p) => Port.tcp(p)) });
    }
    if (metadataBlock) {
      for (const cidr of METADATA_ENDPOINTS) rule.denyEgress(Peer.cidr(cidr));
    }
  }
}
