/**
 * Layer 4: pitfalls. Policies that the API server and the agent both accept, but that do not do what they seem to —
 * judged over a whole set of manifests, because most of them depend on the other policies (is there a DNS rule for
 * these pods anywhere?) and on the workloads, Services, Namespaces and NetworkPolicies beside them.
 *
 * "The same pods": when the input has workloads in the namespaces a selector can select, selectors are matched against
 * their pod labels (with Cilium's namespace, service-account and namespace labels). Otherwise the question is answered from
 * the selectors alone — every pod one selects is selected by the other (implication), or some pod may be selected by both
 * (overlap) — and the message says so. Raw `api.Rule` lists are not judged here.
 *
 * The catalogue ("fires on" as in `index.ts`; `1.20-dev` is the target `1.20`, Cilium's main branch):
 *
 * | id | layer | severity | fires on | what |
 * |---|---|---|---|---|
 * | `pitfall-fqdn-without-dns` | pitfall | warning | all | toFQDNs for pods that no policy in the input gives an L7 DNS rule, so no address is ever learned |
 * | `pitfall-fqdn-not-in-dns-rules` | pitfall | warning | all | a toFQDNs name that the DNS rules of the same pods do not allow looking up |
 * | `pitfall-fqdn-dns-server-broad` | pitfall | warning | all | an L7 DNS rule to far more than one resolver (any peer, the world, a wide CIDR, the cluster, pods by no label of their own or of every namespace) beside toFQDNs rules: any server there can make their names resolve to any address |
 * | `pitfall-default-deny-without-dns` | pitfall | error | all | egress default deny for pods that no policy in the input allows DNS (53/UDP and 53/TCP) |
 * | `pitfall-dns-denied` | pitfall | error | all | an egressDeny that takes in the cluster DNS pods on 53/UDP (or on 53/TCP for pods with toFQDNs): a deny wins over every allow, so lookups fail |
 * | `pitfall-dns-tcp-denied` | pitfall | warning | all | an egressDeny that takes in the cluster DNS pods on 53/TCP only: answers too large for UDP fail |
 * | `pitfall-dns-may-be-denied` | pitfall | warning | all | an egressDeny on 53 whose selector may take in the cluster DNS pods by labels beyond the ones they are known to carry (k8s-app: kube-dns in kube-system) |
 * | `pitfall-deny-only-default-deny` | pitfall | warning | all | a direction with only deny rules: it puts its endpoints into default deny and drops everything else |
 * | `pitfall-default-deny-without-rules` | pitfall | warning | 1.16+ | a rule with `enableDefaultDeny.ingress` or `.egress` true and no rules of that direction: Cilium enforces a direction only for rules that have rules of it, so nothing becomes default deny |
 * | `pitfall-ccnp-peer-namespace` | pitfall | warning | all | a clusterwide fromEndpoints/toEndpoints selector without a namespace: it matches in every namespace |
 * | `pitfall-peer-selector-only-excludes` | pitfall | warning | all | an allow rule's from/toEndpoints selector that only excludes and gets no namespace: it selects the world, the host and remote nodes too |
 * | `pitfall-peer-sourceless-reserved-world` | pitfall | error | all | an allow rule's from/toEndpoints selector with a key without a source naming a reserved label (`world: ""`, `host Exists`) that gets no namespace (beside `io.kubernetes.pod.namespace DoesNotExist`, a `reserved:` key): it selects the world or the host, not pods (1.19: with a `reserved:` key only) |
 * | `pitfall-peer-sourceless-reserved` | pitfall | warning | all | the same of another reserved identity (`remote-node: ""`, `health: ""`, `kube-apiserver: ""`, …): it selects that identity, not pods; and in an ingressDeny/egressDeny selector of any reserved identity, the world and the host included: the deny drops its traffic |
 * | `pitfall-service-port` | pitfall | error | all | a Service port where Cilium matches the container (target) port |
 * | `pitfall-named-port-unresolved` | pitfall | warning | all | an ingress allow port given by name that no pod the rule selects in the input declares for its protocol: it allows nothing on it (Cilium policies only) |
 * | `pitfall-services-with-ports` | pitfall | warning | 1.17+ | toServices with toPorts for a Service not in the input, beside an entry that resolves (alone: pitfall-services-missing-every-peer): the ports must be its target ports |
 * | `pitfall-kube-apiserver-service` | pitfall | error | all | toServices to default/kubernetes instead of the kube-apiserver entity |
 * | `pitfall-kube-apiserver-every-port` | pitfall | warning | all | an egress allow of the kube-apiserver entity (or toEndpoints/toNodes requiring `reserved:kube-apiserver`) without toPorts: every port of the API server's addresses, on a self-managed cluster the control-plane nodes (etcd, the kubelet, SSH) |
 * | `pitfall-services-missing-every-peer` | pitfall | warning | all | an egress allow item with toPorts (1.17+) or icmps whose toServices entries add no peer in the input, some naming Services not in the input or selector-less Services without their Endpoints or EndpointSlices: if they do not exist (or have no address) in the cluster, its ports are open to every peer (the engine does not judge it) |
 * | `pitfall-services-every-peer` | pitfall | error | all | an egress allow item with toPorts (1.17+) or icmps whose toServices entries add no peer, as the input shows (a selector-less Service whose Endpoints or EndpointSlices hold no ready address; before 1.17 a Service with a selector; an entry naming no Service): its ports are open to every peer, the world included |
 * | `pitfall-services-every-port` | pitfall | warning | all | an egress allow of toServices without toPorts: every port of the Services' backends (the pods they select, or their endpoint addresses), not the Services' ports |
 * | `pitfall-host-ingress-every-port` | pitfall | warning | all | a host policy's ingress allow of a broad peer (the world, every pod, a CIDR wider than an IPv4 /8 or an IPv6 /32, a CIDR group) without toPorts: every port of the nodes (etcd, the kubelet, SSH, node ports) |
 * | `pitfall-deny-services-unresolved` | pitfall | error | all | toServices in egressDeny: never resolved, so the item denies its ports to every destination, or nothing |
 * | `pitfall-service-selector-invalid` | pitfall | error | all | a toServices entry that matches no Service whatever the cluster holds: a k8sServiceSelector whose requirements do not build (a source prefix such as k8s:app, In without values) or, up to 1.18, written {}; a k8sService without serviceName. The agent imports the policy; on 1.19 the patch release decides what a selector that does not build matches |
 * | `pitfall-cidr-group-ref-empty` | pitfall | error | 1.14-1.15 | Cilium 1.14/1.15: an ingress allow item with toPorts or icmps whose fromCIDRSet is only cidrGroupRef entries to CiliumCIDRGroups of the input without externalCIDRs: the agent drops the list, so the ports are open to every peer |
 * | `pitfall-cidr-group-ref-missing` | pitfall | warning | 1.14-1.15 | Cilium 1.14/1.15: an ingress allow item with toPorts or icmps whose fromCIDRSet is only cidrGroupRef entries, some to CiliumCIDRGroups not in the input: if they are missing or empty in the cluster too, the ports are open to every peer (the engine does not judge it) |
 * | `pitfall-selector-matches-nothing` | pitfall | warning | all | an endpoint selector that matches none of the workloads in the input |
 * | `pitfall-selector-non-identity-label` | pitfall | error | all | a selector requirement on a label key Cilium keeps out of identities (`pod-template-hash`, `kubernetes.io/os`, …): `In`/`Exists` select nothing, `NotIn`/`DoesNotExist` always hold |
 * | `pitfall-host-network-pods` | pitfall | warning | all | pods on the host network (`hostNetwork: true`) selected by pod labels: Cilium does not manage them, their traffic is the node's |
 * | `pitfall-network-policy-overlap` | pitfall | warning | all | a Kubernetes NetworkPolicy and a Cilium policy select the same pods (their allows add up) |
 * | `pitfall-host-lockout` | pitfall | warning | all | a host policy in default deny without the paths nodes need (kubelet, health, tunnel, API server) |
 * | `pitfall-host-deny-lockout` | pitfall | error | all | a host policy deny rule that cuts a path nodes need (SSH from the world, API server, kubelet, etcd, Cilium health, tunnel, essential ICMP, Hubble; node egress to the API server, kubelets, pods, DNS): deny wins over every allow |
 * | `pitfall-host-lockout-exempted` | pitfall | warning | all | a host policy deny rule that cuts a guarded path exempted by the `cdk8s-cilium.io/lockout-exemptions` annotation (the path, the deny item and the stated reason) |
 * | `pitfall-host-lockout-exemptions-invalid` | pitfall | warning | all | a `cdk8s-cilium.io/lockout-exemptions` annotation that is not JSON of a guarded path to a non-empty reason (bad JSON, unknown keys): those exemptions are ignored |
 * | `pitfall-authentication-drops` | pitfall | warning | all | a rule item with `authentication.mode` required or test-always-fail: the datapath drops what it allows unless the cluster runs mutual authentication with SPIRE (test-always-fail: always) |
 * | `pitfall-kafka-removed` | pitfall | error | 1.20-dev | kafka or l7proto rules (removed in Cilium 1.20) |
 * | `pitfall-broad-peer` | pitfall | warning | all | an allow rule open to every address (`0.0.0.0/0`, `::/0`), every name (toFQDNs `*`) or every identity (a `cidrGroupSelector` of no label or only exclusions, `{}`, 1.17+) |
 * | `pitfall-cidr-ipv6-world-only` | pitfall | warning | all | a rule item whose only `/0` is `::/0`: in an IPv4-only cluster (Cilium's default) it selects no outside address (a deny denies nothing) |
 * | `pitfall-cidr-ipv4-mapped` | pitfall | error | all | an IPv4-mapped IPv6 CIDR (`::ffff:a00:0/104`): it selects nothing, so a deny holds nothing (in a CIDR set on 1.14-1.16, its IPv4 CIDR until 1.17) |
 * | `pitfall-cidr-host-bits` | pitfall | warning | all | a CIDR with host bits set (`10.1.2.3/8`): Cilium masks it to the whole network |
 * | `pitfall-fqdn-ip-address` | pitfall | warning | all | an IPv4 address or range written as a toFQDNs name (`matchName: 10.0.0.1`, `matchPattern: 10.0.0.*`): it matches looked-up names only, never the addresses |
 * | `pitfall-fqdn-pattern-registrable` | pitfall | warning | all | a toFQDNs or L7 DNS rule matchPattern with a `*` in the registrable part of the name (`*.com`, `*example.com`, `example.*`): it matches names anyone may register |
 * | `pitfall-server-names-registrable` | pitfall | warning | all | a TLS serverNames entry with its wildcard in the registrable part of the name (`*.com`, `**.co.uk`): from 1.18 it matches names anyone may register, before 1.18 nothing |
 * | `pitfall-icmp-type-zero` | pitfall | warning | all | an icmps field of type 0 (IPv4 EchoReply): the agent reads it as every ICMP type of the family |
 * | `pitfall-port-rule-without-ports` | pitfall | warning | all | a `toPorts` entry that lists no ports (`toPorts: [{rules: …}]`, `ports: []`): the agent makes no filter of it, so it allows or denies nothing |
 * | `pitfall-ccnp-select-all-default-deny` | pitfall | warning | all | a clusterwide rule with `endpointSelector: {}` in default deny: every endpoint of the cluster, kube-system included |
 * | `pitfall-ccnp-subject-selects-reserved` | pitfall | warning | all | a clusterwide endpointSelector that only excludes: Cilium adds no namespace to it, so it also selects the health and ingress endpoints and pods still initializing |
 * | `pitfall-dns-rules-widened` | pitfall | error | all | a DNS rule restricting lookups, cancelled by a DNS `*` or an allow of port 53 without DNS rules (another policy's, or another item of the same rule; a host rule against itself) for the same pods or nodes, server and port (Cilium ORs them) |
 * | `pitfall-l7-rules-widened` | pitfall | error | all | HTTP or Kafka rules restricting requests, cancelled by an allow without L7 rules (Cilium adds an allow-all L7 rule), or with rules of the same kind that match every request, for the same pods, peers and port |
 * | `pitfall-l7-default-allow` | pitfall | warning | 1.16+ | HTTP or Kafka rules restricting requests in a direction that no policy of the input selecting their pods puts into default deny (`enableDefaultDeny.ingress` or `.egress` false): Cilium adds an allow-all rule beside them, so every request passes (visibility only) |
 * | `pitfall-l7-parser-conflict` | pitfall | error | all | two allow rules give one endpoint different L7 parsers that do not merge (http, kafka, dns, l7proto, an Envoy listener; TLS settings without L7 rules merge with any but dns and a listener) on the same port entry: the agent refuses its policy (from 1.18, for different peers, and on two entries of one first port such as 80 and 80-80: it takes it, but the port gets one proxy redirect of either parser) |
 * | `pitfall-listener-conflict` | pitfall | error | all | two allow rules send one peer selector of an endpoint both may select to different Envoy listeners on the same port entry: the agent refuses its policy when they share the lowest priority of that peer (up to 1.15 there is no priority: always), and refuses it or not as the order it merges the rules in decides when a third listener outranks them; up to 1.15 also two listeners of other peers on one port entry (not settled) |
 * | `pitfall-sni-l7-merge` | pitfall | error | all | an allow rule with serverNames and one with HTTP, Kafka or l7proto rules for the same peer selector on the same port entry of an endpoint both may select, neither with terminatingTLS: the agent refuses its policy when it merges the L7 rules first, else adds an allow-all rule to them (the merge order decides) |
 * | `pitfall-auth-mode-conflict` | pitfall | error | all | two allow rules give one endpoint different `authentication.mode`s on the same port entry for the same peer selector: the agent refuses its policy (beside a deny of the same port entry and peer, as the order it merges the rules in decides) |
 * | `pitfall-policy-name-duplicate` | pitfall | error | all | two policies with the same kind, namespace and name: one object on the API server, the one applied last replaces the other |
 * | `pitfall-ccnp-metadata-namespace` | pitfall | warning | all | a CiliumClusterwideNetworkPolicy with `metadata.namespace`: the API server drops it, the policy applies in every namespace |
 * | `pitfall-namespace-assumed` | pitfall | warning | all | a CiliumNetworkPolicy or NetworkPolicy without `metadata.namespace`: judged in `default` (its findings, as the engine's verdicts), stored in the namespace kubectl, kustomize or Helm apply it to |
 * | `pitfall-http-header-never-matches` | pitfall | error | all | an HTTP rule's `headers` entry no request can satisfy (`X-Token:abc` without the space, a value with whitespace at either end), or a `headerMatches` name that is no header name (`X Token`): the agent accepts it and the rule matches nothing (403) |
 * | `pitfall-http-method-case` | pitfall | error | all | an HTTP rule's `method` that matches a standard method only in another case (`get`, `GET|head`): Envoy matches :method case-sensitively, so it lets no such request through (403) |
 * | `pitfall-http-regex-too-large` | pitfall | error | all | an HTTP path, method or host regex whose RE2 program is certainly larger than the 100 Envoy accepts (`re2.max_program_size.error_level`): the agent accepts it, cilium-envoy refuses the policy update |
 * | `pitfall-listener-kind-refused` | pitfall | error | all | an egress `listener` of kind CiliumEnvoyConfig for endpoints without a namespace (a host policy; a CCNP endpointSelector that selects reserved:health, reserved:ingress or reserved:init, {} included; a 1.14 CNP of reserved:init): the agent resolves listeners in the namespace of the endpoint whose policy it computes, they have none, and createL4Filter refuses the policy of every such endpoint the rule selects |
 * | `pitfall-http-regex-may-be-too-large` | pitfall | warning | all | an HTTP path, method or host regex whose RE2 program size is estimated above the 100 Envoy accepts (alternatives, Unicode classes, `[^/]{n,m}`): the exact size is C++ RE2's |
 * | `pitfall-l7-matches-every-request` | pitfall | warning | all | an L7 rule list that lets every request through while looking restrictive: an HTTP rule of only mismatch-action header matches, an empty HTTP rule beside others, `l7proto` without rules, DNS `*` beside names |
 * | `pitfall-np-policy-types-ignored` | pitfall | warning | all | a NetworkPolicy with rules for a direction its policyTypes leaves out: Kubernetes ignores them, Cilium enforces them (cilium/cilium#48703) |
 * | `pitfall-np-peer-selects-reserved` | pitfall | warning | 1.14-1.18 | a NetworkPolicy namespaceSelector that only excludes: Cilium also selects the world, the host and remote nodes with it |
 * | `pitfall-np-ip-block-selects-namespace` | pitfall | warning | 1.19 | a NetworkPolicy ingress peer of only an ipBlock: Cilium 1.19.0-1.19.4 with the cluster filter also allows every pod of the policy namespace (cilium/cilium#46305) |
 * | `pitfall-np-agent-refuses` | pitfall | error | 1.14-1.18 | a NetworkPolicy the API server stores but the agent refuses whole: an ipBlock CIDR it cannot parse (leading zeros) before 1.19, an endPort on 1.15 |
 * | `pitfall-np-end-port-ignored` | pitfall | warning | 1.14 | a NetworkPolicy port range (endPort): Cilium 1.14 allows its first port only |
 * | `pitfall-groups-derivative` | pitfall | warning | all | a policy with toGroups (fromGroups from 1.16) whose derivative is not in the input: the agent never imports it and enforces the derivative the operator writes from the cloud API, or nothing |
 *
 * Pitfalls of the issue list that a per-policy layer already reports, with that layer's id: an empty list meant as default
 * deny (`sanitize-empty-section`), a namespace in a CNP `endpointSelector` (`sanitize-cnp-subject-namespace`), L7 rules on
 * non-TCP ports or port 0 (`sanitize-l7-protocol`, `sanitize-l7-port-zero`), removed and deprecated fields
 * (`version-requires-removed`, `version-requires-deprecated`, `version-kafka-deprecated`; `world-ipv4`/`world-ipv6`:
 * `crd-entity`), fields newer than the target (`version-…`), leading-zero ports (`sanitize-port-octal`,
 * `parse-yaml11-ambiguous`), `toServices` with `toPorts` on 1.14-1.16 (`sanitize-services-with-ports`).
 *
 * @module
 */
import { ManifestInventory } from './inventory';
import { broadPeers } from './pitfall-addresses';
import { defaultDenyWithoutDns, dnsDenied, dnsRulesWidened, fqdnDnsServerBroad, fqdnWithoutDns } from './pitfall-dns';
import { l7RulesWidened } from './pitfall-l7-widened';
import { l7DefaultAllow } from './pitfall-l7-default-allow';
import { hostDenyLockout, hostLockout } from './pitfall-host';
import { httpHeadersNeverMatching, httpMethodCase, httpRegexTooLarge } from './pitfall-http';
import { nonIdentityLabelSelectors } from './pitfall-identity-labels';
import { l7MatchesEveryRequest } from './pitfall-l7-every-request';
import { itemChecks } from './pitfall-items';
import { everyPortChecks } from './pitfall-every-port';
import { ccnpMetadataNamespace, duplicateNames, namespaceAssumedPolicies } from './pitfall-names';
import { authModeConflicts, l7ParserConflicts, selectorPolicyMerges } from './pitfall-parser-merge';
import { networkPolicyAgentRefuses, networkPolicyEndPortIgnored, policyTypesIgnored } from './pitfall-policy-types';
import { PitfallDocument, PitfallFinding, PitfallOptions, PitfallRun } from './pitfall-run';
import {
  ccnpPeerNamespace, ccnpSubjectSelectsReserved, clusterwideSelectAll, defaultDenyWithoutRules, denyOnly, hostNetworkPods,
  networkPolicyIpBlockSelectsNamespace, networkPolicyOverlap, networkPolicyPeerSelectsReserved, peerSelectsReserved, peerSourcelessReserved,
  selectorsMatchingNothing,
} from './pitfall-selectors';
import { servicePorts } from './pitfall-services';
import { namedPortsUnresolved } from './pitfall-named-ports';
import { groupsDerivative } from './pitfall-groups';
import { listenerKindRefused } from './pitfall-listener-kind';

/**
 * Checks a set of policies, together with the workloads, Services, Namespaces and NetworkPolicies beside them, for the
 * pitfalls of the catalogue above. Findings are in document order, then rule order.
 */
export function checkPitfalls(documents: readonly PitfallDocument[], inventory: ManifestInventory, options: PitfallOptions = {}): PitfallFinding[] {
  const run = new PitfallRun(documents, inventory, options);
  for (const r of run.rules) {
    fqdnWithoutDns(run, r);
    fqdnDnsServerBroad(run, r);
    ccnpPeerNamespace(run, r);
    peerSelectsReserved(run, r);
    peerSourcelessReserved(run, r);
    servicePorts(run, r);
    namedPortsUnresolved(run, r);
    selectorsMatchingNothing(run, r);
    hostNetworkPods(run, r);
    nonIdentityLabelSelectors(run, r);
    itemChecks(run, r);
    everyPortChecks(run, r);
    broadPeers(run, r);
    clusterwideSelectAll(run, r);
    ccnpSubjectSelectsReserved(run, r);
    httpHeadersNeverMatching(run, r);
    httpRegexTooLarge(run, r);
    httpMethodCase(run, r);
    l7MatchesEveryRequest(run, r);
    l7DefaultAllow(run, r);
    listenerKindRefused(run, r);
  }
  for (const r of run.rules) {
    dnsRulesWidened(run, r);
    defaultDenyWithoutDns(run, r);
    dnsDenied(run, r);
    denyOnly(run, r);
    defaultDenyWithoutRules(run, r);
    hostDenyLockout(run, r);
    hostLockout(run, r);
    networkPolicyOverlap(run, r);
  }
  for (const r of run.networkPolicyViews()) {
    defaultDenyWithoutDns(run, r);
    hostNetworkPods(run, r);
    nonIdentityLabelSelectors(run, r);
  }
  l7ParserConflicts(run);
  authModeConflicts(run);
  selectorPolicyMerges(run);
  l7RulesWidened(run);
  duplicateNames(run);
  ccnpMetadataNamespace(run);
  namespaceAssumedPolicies(run);
  policyTypesIgnored(run);
  networkPolicyPeerSelectsReserved(run);
  networkPolicyIpBlockSelectsNamespace(run);
  networkPolicyEndPortIgnored(run);
  networkPolicyAgentRefuses(run);
  groupsDerivative(run);
  return run.findings();
}
