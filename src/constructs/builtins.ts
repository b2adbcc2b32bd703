import { Entity } from './entity';
import { CiliumPolicyError } from '../core/errors';
import { HOST_PROBE_ENTITY, dnsPorts } from '../model/companion-rules';
import { DnsRule, dnsRuleModelOrNone, dnsRuleModels, L7 } from './l7';
import { hasValueMark } from './value-mark';
import { IPeer, Peer } from './peer';
import { checkOptionalPeer, PolicyRule } from './policy-rule';
import { Port } from './port';
import { checkListOf, checkPropsObject, readPropsOnce } from './names';
import { callerLocation } from './caller-location';
import { describeValue } from '../model/plain-value';
import { peerAsJudged, peerItems, peersSelectBroadly, peersSelectWholeWorld } from './peer-config';
import { DNS_SERVER_ROLE, itemCidrGroup, reservedAsEntities } from '../validate/lockout-guard';
import { describeSelector } from '../validate/pod-selectors';
import { matchesEveryDnsName } from '../model/fqdn-pattern';

/**
 * The built-in pieces of Cilium practice the high-level constructs share. Each one adds rule items to a rule;
 * none of them creates a resource, so a construct can put them in the same resource as the rules they protect
 * (no moment exists where, say, egress is denied but DNS is not yet allowed).
 */

/** The options of `DnsCompanionOptions` (`checkPropKeys`). */
export const DNS_COMPANION_OPTION_KEYS: readonly string[] = ['dnsServer', 'dnsRules'];

/** Options of `allowDns`. */
export interface DnsCompanionOptions {
  /**
   * The DNS server pods or addresses.
   * A peer that selects the world (`Peer.any()`, the `world` or `all` entity, a /0) is refused (`dns-server-world`), and so
   * is one far wider than a resolver (`dns-server-broad`): a CIDR shorter than an IPv4 /8 or an IPv6 /32 (`0.0.0.0/1`, `0.0.0.0/0` with excepts, `fd00::/8`, or more than an IPv4 /8 of the NAT64 `64:ff9b::/96` or `64:ff9b:1::/48`),
   * the `cluster` entity, every pod, pods of namespaces not fixed by name or namespace labels, or pods named by no pod label
   * of their own (`Peer.namespace('kube-system')`: every pod there could answer, and toFQDNs learns from every answer). A peer that cannot be a
   * resolver is refused too (`dns-server-not-resolver`): a DNS name (`Peer.fqdn`), a CIDR group, an entity other than `host`,
   * nodes by label (`Peer.nodes`: never the pod's own node).
   * `null` is refused (`peer-unknown`), not read as left out.
   * @default Peer.kubeDns()
   */
  readonly dnsServer?: IPeer;
  /**
   * Which names may be looked up. The rules also make Cilium's DNS proxy see the answers, which is how
   * `toFQDNs` rules learn their addresses.
   * @default - every name (`matchPattern: "*"`)
   */
  readonly dnsRules?: DnsRule[];
}

/** DNS to the cluster DNS on 53/UDP and 53/TCP, through Cilium's DNS proxy (an L7 `dns` rule). */
export function allowDns(rule: PolicyRule, options: DnsCompanionOptions = {}): void {
  checkPropsObject(options, 'Builtins.allowDns()', 'Builtins.allowDns(policy.rule, { dnsRules: [DnsRule.exact(\'api.example.com\')] })', rule._owner);
  // `dnsRule: [...]` was dropped: every name could be looked up.
  // Read once: a `dnsRules` getter answering names to the checks and `undefined` after was written as every name.
  options = readPropsOnce(options, { keys: DNS_COMPANION_OPTION_KEYS, owner: 'Builtins.allowDns()', noun: 'option' }, { location: rule._owner });
  checkListOf(options.dnsRules, 'dnsRules', 'a DnsRule', '_toModel', rule._owner);
  // Named here as the construct's dnsRules (L7.dns() reads them again, and would name its own list).
  if (options.dnsRules !== undefined) dnsRuleModels(options.dnsRules, 'dnsRules', rule._owner);
  if (options.dnsRules !== undefined && options.dnsRules.length === 0) {
    throw new CiliumPolicyError({
      id: 'dns-rules-empty',
      message: 'dnsRules is an empty list: it would be written as the default, every name (matchPattern "*")',
      fix: 'list the names the pods may look up (DnsRule.exact(), DnsRule.pattern()), leave dnsRules out for every name, or say [DnsRule.all()]',
      location: rule._owner,
    });
  }
  checkOptionalPeer(options.dnsServer, 'Builtins.allowDns() dnsServer', { default: 'Peer.kubeDns(), the kube-dns pods of kube-system' }, rule._owner);
  // Judged and written as read now: a resolver of one's own that answers the world at synthesis is not written.
  const server = peerAsJudged(options.dnsServer ?? Peer.kubeDns());
  refuseBroadDnsServer(server, rule._owner);
  const rules = options.dnsRules ?? [DnsRule.all()];
  rule.allowEgress(server, { ports: dnsPorts().map(Port._fromModel), l7: L7._dnsOf(rules, 'dnsRules', rule._owner) });
}

/**
 * Refuses a DNS server that selects the whole world (`dns-server-world`), or far more than a resolver (`dns-server-broad`):
 * a CIDR wider than an IPv4 /8 or an IPv6 /32 (`0.0.0.0/1`, `0.0.0.0/0` with excepts, `fd00::/8`, or more than an IPv4 /8 of the NAT64 `64:ff9b::/96` or `64:ff9b:1::/48`), the `cluster` entity, every pod, or pods whose namespace
 * is not fixed (`allNamespaces: true`, `NotIn` on the namespace key), which any tenant can label a pod into and answer DNS,
 * or pods named by no pod label of their own (`Peer.namespace('kube-system')`, only `NotIn`/`DoesNotExist`/`Exists`): every pod
 * of the namespace would take the lookups, and the DNS proxy passes each answer to toFQDNs (`pkg/fqdn/dnsproxy` `ServeDNS`
 * forwards to the server the pod asked and hands the response to `NotifyOnDNSMsg`), so any of them could make a name resolve
 * to any address the pods may then reach.
 * @param server the DNS server given
 * @param location the construct path
 */
export function refuseBroadDnsServer(server: unknown, location: string): void {
  const world = peersSelectWholeWorld([server]);
  if (world === undefined) refuseNonResolver(server, location);
  const broad = world ?? peersSelectBroadly([server], DNS_SERVER_ROLE);
  if (broad === undefined) return;
  throw new CiliumPolicyError({
    id: world !== undefined ? 'dns-server-world' : 'dns-server-broad',
    message: `dnsServer selects ${broad}: the DNS companion would let the pods send DNS (53/UDP, 53/TCP) to `
      + `${world !== undefined ? 'any server on the internet' : 'far more than one resolver'}, not to their resolver, and Cilium learns the `
      + 'addresses of toFQDNs names from whatever answer comes back (pkg/fqdn/dnsproxy ServeDNS), so any of them could answer',
    fix: 'name the resolver: Peer.kubeDns() (the default), its pods with Peer.endpoints({ namespace, labels }), its Service with '
      + "Peer.service('kube-dns', 'kube-system') or Peer.serviceSelector({ namespace, labels }), or its address with Peer.cidr('169.254.20.10/32'); "
      + 'for a second resolver, add Builtins.allowDns(policy.rule, { dnsServer }) once more; DNS meant to reach '
      + 'that widely is a rule of its own without DNS rules (policy.allowEgress(peer, { ports: [Port.udp(53), Port.tcp(53)] })), which Cilium '
      + 'does not send through its DNS proxy, so its answers teach toFQDNs nothing',
    location,
  });
}

/**
 * Refuses a DNS server that cannot be the cluster's resolver (`dns-server-not-resolver`): a DNS name (`toFQDNs`: its
 * addresses come only from answers of a resolver, which this one replaces; a resolver outside the cluster is not the one
 * pods ask), a CIDR group (`cidrGroupRef`, `cidrGroupSelector`: its ranges live in the cluster, unseen here, and may be
 * any), an entity other than `host` (`remote-node` is every other node, `kube-apiserver`, `health`, `ingress`, `init`,
 * `unmanaged` and `none` run no resolver), nodes by label (`Peer.nodes`: Cilium selects them as `reserved:remote-node`
 * only, so never the pod's own node, where a node-local resolver answers as `host`; what it does select is every other
 * node carrying the labels, which a node's kubelet may set on itself). Pods, Services, a CIDR and the local node remain.
 * @param server the DNS server given (its breadth already checked)
 * @param location the construct path
 */
function refuseNonResolver(server: unknown, location: string): void {
  // A selector of a reserved label is the entity it names (`reservedAsEntities`): `{ 'reserved:unmanaged': '' }` is refused as `unmanaged` is.
  for (const item of peerItems([server]).map((i) => reservedAsEntities(i))) {
    const fqdns = item.fqdns ?? [];
    const group = itemCidrGroup(item);
    // The cluster entity holds the resolver among every pod and node: refused for its breadth (`DNS_SERVER_ROLE`), after this.
    const entity = (item.entities ?? []).find((e) => e !== Entity.HOST && e !== Entity.CLUSTER);
    const nodes = (item.nodes ?? [])[0];
    const why = fqdns.length > 0
      ? [`the DNS name ${JSON.stringify(fqdns[0].matchName ?? fqdns[0].matchPattern)}`, 'its addresses come only from DNS answers, and a resolver outside the cluster is not the one the pods ask']
      : group !== undefined ? [group, 'its ranges live in the cluster\'s CiliumCIDRGroup objects, unseen at synthesis, and may hold any address']
        : entity === Entity.REMOTE_NODE ? ['the entity remote-node', 'it is every other node of the cluster at once, not the one resolver the pods ask']
          : entity !== undefined ? [`the entity ${entity}`, 'no cluster resolver runs as it']
            : nodes !== undefined ? [`the nodes ${describeSelector(nodes)}`, 'Cilium selects nodes by label as remote nodes only (reserved:remote-node), never the pod\'s own '
              + 'node, where a node-local resolver answers as the host, while every other node carrying the labels (a kubelet may label its own node) would get the pods\' DNS']
              : undefined;
    if (why === undefined) continue;
    throw new CiliumPolicyError({
      id: 'dns-server-not-resolver',
      message: `dnsServer is ${why[0]}, which cannot be the cluster's DNS resolver: ${why[1]}; the DNS companion would send the pods' DNS (53/UDP, 53/TCP) there`,
      fix: "name the resolver: Peer.kubeDns() (the default), its pods with Peer.endpoints({ namespace, labels }), its Service, or its address with Peer.cidr('169.254.20.10/32')"
        + ' (Peer.entity(Entity.HOST) for a resolver on the node\'s own network)',
      location,
    });
  }
}

/**
 * Ingress from the local node (`host`: kubelet liveness/readiness/startup probes, hostNetwork pods), on every port (a
 * probe may target any container port). Without it a default deny breaks probes wherever the agent does not exempt the
 * host (`allow-localhost=policy`). Nothing else: Cilium's health checks (`health` entity) probe nodes and the health
 * endpoints on 4240/TCP and ICMP, never pods, so pods need no allowance for them.
 */
export function allowHostProbes(rule: PolicyRule): void {
  rule.allowIngress(Peer.entity(HOST_PROBE_ENTITY as Entity));
}

/**
 * What the built-ins a construct adds on the user's behalf allow, for its policy's description (`; built in: …`), so that
 * the resource itself says what it grants beyond the props: ingress from the local node on every port (`allowHostProbes`),
 * DNS on 53/UDP and 53/TCP with the names it may look up (`allowDns`). Empty when nothing is built in. Read before the
 * options are checked (the description comes first): a `dnsRules` entry that is not a `DnsRule` is left to `allowDns`.
 * @param built whether the host allowance is added, and the DNS companion's options when it is added
 */
export function builtinsSummary(built: { hostProbes: boolean; dns?: DnsCompanionOptions }): string {
  const parts: string[] = [];
  if (built.hostProbes) parts.push('ingress from the local node on every port (kubelet probes)');
  if (built.dns !== undefined) {
    const every = dnsRulesAllowEveryName(built.dns.dnsRules);
    parts.push(`DNS to ${built.dns.dnsServer === undefined ? 'kube-dns' : 'the dnsServer'} on 53/UDP and 53/TCP for ${every ? 'every name' : 'the names of dnsRules'}`);
  }
  return parts.length > 0 ? `; built in: ${parts.join(', ')}` : '';
}

/**
 * Whether the DNS companion's `dnsRules` let every name be looked up: left out (the default, `matchPattern: "*"`), or a
 * list with a rule that matches every name (`DnsRule.all()`). Entries that are not a `DnsRule`, or answer no DNS rule
 * (`dnsRuleModelOrNone`), count for nothing (the companion refuses them, `dnsRuleModels`).
 * @param rules the `dnsRules` given
 */
export function dnsRulesAllowEveryName(rules: unknown): boolean {
  return rules === undefined
    || (Array.isArray(rules) && rules.some((r) => hasValueMark(r, 'DnsRule') && matchesEveryDnsName(dnsRuleModelOrNone(r)?.matchPattern ?? '', false)));
}

/** Refuses a rule that is not a `PolicyRule` (from JavaScript, `undefined` or a policy itself was a TypeError). */
function requireRule(rule: unknown, call: string): void {
  if (hasValueMark(rule, 'PolicyRule')) return;
  const policy = rule !== null && typeof rule === 'object' && hasValueMark((rule as { rule?: unknown }).rule, 'PolicyRule');
  throw new CiliumPolicyError({
    id: 'rule-not-a-rule',
    message: `${call}() got ${policy ? 'a policy' : describeValue(rule)}, not a PolicyRule`,
    fix: `pass the policy's rule: ${call}(policy.rule), or a rule of policy.addRule()`,
    location: callerLocation(),
  });
}

/**
 * The built-in pieces of Cilium practice, for your own policies: each adds rule items to a rule (`policy.rule`,
 * `policy.addRule()`), in the same resource as the rules they protect.
 */
export class Builtins {
  /**
   * DNS to the cluster DNS on 53/UDP and 53/TCP, through Cilium's DNS proxy (an L7 `dns` rule), so that `toFQDNs`
   * rules learn their addresses.
   * @param rule the rule to add to
   * @param options the DNS server and the names that may be looked up (default: kube-dns, every name)
   */
  public static allowDns(rule: PolicyRule, options: DnsCompanionOptions = {}): void {
    requireRule(rule, 'Builtins.allowDns');
    allowDns(rule, options);
  }

  /**
   * Ingress from the local node (`host`: kubelet liveness/readiness/startup probes, hostNetwork pods), on every port.
   * @param rule the rule to add to
   */
  public static allowHostProbes(rule: PolicyRule): void {
    requireRule(rule, 'Builtins.allowHostProbes');
    allowHostProbes(rule);
  }

  private constructor() {}
}
