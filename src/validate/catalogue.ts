import { Diagnostic, Severity } from '../core/errors';

/**
 * Which validation layer a check belongs to: the three per-policy layers (`crd`, `sanitize`, `version`), the API server's
 * checks of Kubernetes NetworkPolicies (`k8s`), the pitfall layer over a whole set of manifests (`pitfall`), and the
 * reading of the input (`input`, `parse`) by `validateInputs`.
 */
export enum CheckLayer {
  /** The CRD schema of the target version, as the API server enforces it (`crd-…`). */
  CRD = 'crd',
  /** The agent's `Sanitize()` rules (`sanitize-…`). */
  SANITIZE = 'sanitize',
  /** Fields newer than the target version, removed or deprecated ones (`version-…`). */
  VERSION = 'version',
  /** The API server's checks of Kubernetes NetworkPolicies (`k8s-np-…`). */
  K8S = 'k8s',
  /** Pitfalls over a whole set of manifests (`pitfall-…`). */
  PITFALL = 'pitfall',
  /** The reading of the inputs (`input-…`). */
  INPUT = 'input',
  /** The YAML reader (`parse-…`). */
  PARSE = 'parse',
}

/** One entry of the check catalogue. */
export interface CheckInfo {
  /** Stable id, prefixed by its layer. */
  readonly id: string;
  /** Severity of every finding with this id. */
  readonly severity: Severity;
  /** The target versions on which the check can fire: `all`, `1.16+`, `1.14-1.15`. */
  readonly versions: string;
  /** What it finds, in a few words. */
  readonly what: string;
}

const E = Severity.ERROR;
const W = Severity.WARNING;

/**
 * Every check the validator runs. The table in the doc comment of `index.ts` mirrors this list (a test keeps them
 * equal), and every id has a failing and a passing test case.
 */
export const CHECKS: readonly CheckInfo[] = [
  // API server / CRD schema of the target version.
  { id: 'crd-metadata-name', severity: E, versions: 'all', what: 'metadata.name is not a DNS-1123 subdomain of at most 253 characters, or metadata.generateName makes none' },
  { id: 'crd-metadata-namespace', severity: E, versions: 'all', what: 'metadata.namespace is not a DNS-1123 label' },
  { id: 'crd-metadata-labels', severity: E, versions: 'all', what: 'a metadata label key is not a qualified name or its value not a label value' },
  { id: 'crd-metadata-annotations', severity: E, versions: 'all', what: 'a metadata annotation key is not a qualified name, or the annotations hold more than 256 KiB together' },
  { id: 'crd-type', severity: E, versions: 'all', what: 'a value has the wrong JSON type (number port, boolean label value, ...)' },
  { id: 'crd-subject-one-of', severity: E, versions: 'all', what: 'a rule has both or neither of endpointSelector and nodeSelector' },
  { id: 'crd-sections-any-of', severity: E, versions: '1.17+', what: 'a rule has none of ingress, ingressDeny, egress, egressDeny' },
  { id: 'crd-label-key-required', severity: E, versions: 'all', what: 'a spec.labels entry has no key' },
  { id: 'crd-field-direction', severity: E, versions: 'all', what: 'an egress-only field (toServices, toFQDNs) in an ingress section' },
  { id: 'crd-deny-fqdns', severity: E, versions: 'all', what: 'toFQDNs in egressDeny (not a field of deny rules)' },
  { id: 'crd-deny-authentication', severity: E, versions: 'all', what: 'authentication in a deny section (not a field of deny rules)' },
  { id: 'crd-deny-l7', severity: E, versions: 'all', what: 'rules, serverNames, listener or TLS in a deny toPorts (only ports exist)' },
  { id: 'crd-label-value', severity: E, versions: 'all', what: 'a matchLabels value is not a label value (pattern, at most 63 characters)' },
  { id: 'crd-selector-operator', severity: E, versions: 'all', what: 'a matchExpressions entry has no key or an operator other than In, NotIn, Exists, DoesNotExist' },
  { id: 'crd-entity', severity: E, versions: 'all', what: 'an entity outside the CRD enum (world-ipv4 and world-ipv6 included)' },
  { id: 'crd-cidr', severity: E, versions: 'all', what: 'a CIDR the API server rejects (1.14-1.15 regex; 1.16+ Go net.ParseCIDR, so no bare IP)' },
  { id: 'crd-cidr-group-ref', severity: E, versions: 'all', what: 'cidrGroupRef is not a DNS-1123 subdomain of at most 253 characters' },
  { id: 'crd-cidr-set-one-of', severity: E, versions: 'all', what: 'a CIDR set entry has not exactly one of cidr, cidrGroupRef, cidrGroupSelector' },
  { id: 'crd-fqdn-one-of', severity: E, versions: '1.16+', what: 'a toFQDNs or DNS rule entry has not exactly one of matchName, matchPattern' },
  { id: 'crd-fqdn-syntax', severity: E, versions: 'all', what: 'matchName or matchPattern fails the CRD pattern' },
  { id: 'crd-fqdn-max-length', severity: E, versions: '1.17+', what: 'matchName or matchPattern longer than 255 characters' },
  { id: 'crd-ports-max-items', severity: E, versions: '1.16+', what: 'more than 40 ports in one toPorts entry of an allow section' },
  { id: 'crd-port-syntax', severity: E, versions: 'all', what: 'port fails the CRD pattern' },
  { id: 'crd-end-port-range', severity: E, versions: '1.16+', what: 'endPort is not an integer from 0 to 65535' },
  { id: 'crd-protocol', severity: E, versions: 'all', what: 'protocol outside the version\'s enum (case-sensitive: tcp fails)' },
  { id: 'crd-rules-one-of', severity: E, versions: '1.16+', what: 'toPorts rules has not exactly one of http, kafka, dns, l7proto' },
  { id: 'crd-icmp-fields-max-items', severity: E, versions: '1.16+', what: 'more than 40 ICMP fields in one icmps entry' },
  { id: 'crd-icmp-family', severity: E, versions: 'all', what: 'ICMP family other than IPv4 or IPv6' },
  { id: 'crd-icmp-type', severity: E, versions: 'all', what: 'ICMP type missing, not an integer 0-255 (1.14-1.15), or not an integer or known type name (1.16+)' },
  { id: 'crd-authentication-mode', severity: E, versions: 'all', what: 'authentication.mode missing or not disabled, required, test-always-fail' },
  { id: 'crd-header-match-name', severity: E, versions: '1.16+', what: 'a headerMatches entry has an empty name' },
  { id: 'crd-header-match-mismatch', severity: E, versions: 'all', what: 'headerMatches mismatch not LOG, ADD, DELETE, REPLACE' },
  { id: 'crd-header-secret', severity: E, versions: 'all', what: 'a headerMatches secret without name' },
  { id: 'crd-tls-secret', severity: E, versions: 'all', what: 'terminatingTLS or originatingTLS without secret.name' },
  { id: 'crd-kafka-role', severity: E, versions: 'all', what: 'kafka role not produce or consume' },
  { id: 'crd-kafka-topic-max-length', severity: E, versions: 'all', what: 'kafka topic longer than 255 characters' },
  { id: 'crd-server-names-empty', severity: E, versions: '1.18+', what: 'serverNames is an empty list (minItems 1)' },
  { id: 'crd-server-names-duplicate', severity: E, versions: '1.18+', what: 'serverNames holds a name twice (list-type set)' },
  { id: 'crd-server-name-syntax', severity: E, versions: '1.18+', what: 'a server name fails the CRD pattern or is longer than 255 characters' },
  { id: 'crd-listener', severity: E, versions: 'all', what: 'listener without name or envoyConfig.name, or with an unknown envoyConfig.kind' },
  { id: 'crd-listener-priority', severity: E, versions: '1.16+', what: 'listener.priority not an integer from 1 to 100' },
  { id: 'crd-log-value', severity: E, versions: '1.18+', what: 'log.value longer than 32 characters or not printable' },
  { id: 'crd-service-selector', severity: E, versions: 'all', what: 'k8sServiceSelector without selector' },

  // Agent Sanitize: accepted by the API server, refused (or silently ignored) by the agent.
  { id: 'sanitize-empty-policy', severity: E, versions: 'all', what: 'neither spec nor a non-empty specs' },
  { id: 'sanitize-cnp-node-selector', severity: E, versions: 'all', what: 'a CiliumNetworkPolicy with nodeSelector (host policies need a CCNP)' },
  { id: 'sanitize-no-rules', severity: E, versions: 'all', what: 'a rule whose sections are all missing or empty' },
  { id: 'sanitize-rule-subject', severity: E, versions: 'all', what: 'a raw api.Rule with both or neither of endpointSelector, nodeSelector' },
  { id: 'sanitize-entity', severity: E, versions: 'all', what: 'a raw api.Rule entity the agent does not have (world-ipv4/ipv6 before 1.15)' },
  { id: 'sanitize-empty-section', severity: E, versions: 'all', what: 'an empty section list such as ingress: [] (ignored, so it is no default deny)' },
  { id: 'sanitize-l3-combination', severity: E, versions: 'all', what: 'more than one L3 peer field in one rule item' },
  { id: 'sanitize-icmps-with-ports', severity: E, versions: 'all', what: 'icmps and toPorts in the same rule item' },
  { id: 'sanitize-services-with-ports', severity: E, versions: '1.14-1.16', what: 'toServices combined with toPorts in one rule item' },
  { id: 'sanitize-ports-max-items', severity: E, versions: 'all', what: 'more than 40 ports in one toPorts entry where the CRD does not catch it' },
  { id: 'sanitize-icmp-fields-max-items', severity: E, versions: '1.14-1.15', what: 'more than 40 ICMP fields in one icmps entry' },
  { id: 'sanitize-icmp-type-range', severity: E, versions: '1.16+', what: 'an ICMP type number outside 0-255 (the int-or-string CRD lets it through)' },
  { id: 'sanitize-icmp-type-family', severity: E, versions: '1.16+', what: 'an ICMP type name that does not exist in its family' },
  { id: 'sanitize-port-parse', severity: E, versions: 'all', what: 'port is neither a service name nor a 16-bit number' },
  { id: 'sanitize-port-octal', severity: E, versions: 'all', what: 'port with a leading zero or a 0x/0b/0o prefix, read in that base ("010" is port 8, "0x_50" port 80)' },
  { id: 'sanitize-port-prefixed-name', severity: E, versions: 'all', what: 'port like "0x50" or "0o17", read as a named port' },
  { id: 'sanitize-port-omitted', severity: E, versions: '1.19', what: 'port omitted for a protocol that has ports' },
  { id: 'sanitize-portless-protocol-port', severity: E, versions: '1.19', what: 'VRRP or IGMP with a port other than empty or 0' },
  { id: 'sanitize-extended-protocols-flag', severity: W, versions: '1.19', what: 'VRRP or IGMP need agent flag enable-extended-ip-protocols' },
  { id: 'sanitize-end-port-named', severity: E, versions: '1.16+', what: 'endPort with a named port (a range from the resolved number)' },
  { id: 'sanitize-end-port-below-port', severity: W, versions: '1.16+', what: 'endPort below port (means the single port)' },
  { id: 'sanitize-l7-protocol', severity: E, versions: 'all', what: 'HTTP, Kafka or l7proto rules on a port whose protocol is not TCP' },
  { id: 'sanitize-l7-port-zero', severity: E, versions: 'all', what: 'L7 rules on port 0' },
  { id: 'sanitize-l7-multiple-kinds', severity: E, versions: '1.14-1.15', what: 'more than one L7 kind in one toPorts rules' },
  { id: 'sanitize-l7-without-l7proto', severity: E, versions: 'all', what: 'l7 rules without l7proto' },
  { id: 'sanitize-dns-ingress', severity: E, versions: 'all', what: 'DNS rules in an ingress section' },
  { id: 'sanitize-dns-no-ports', severity: E, versions: 'all', what: 'DNS rules without ports' },
  { id: 'sanitize-dns-port-range', severity: E, versions: '1.16+', what: 'DNS rules on a port range (endPort)' },
  { id: 'sanitize-l7-port-range', severity: E, versions: '1.16', what: 'HTTP, Kafka or l7proto rules on a port range (endPort): 1.16 refuses them, 1.17 enforces them' },
  { id: 'sanitize-host-l7', severity: E, versions: 'all', what: 'L7 rules in a host policy (DNS and l7proto rules on egress are allowed from 1.17)' },
  { id: 'sanitize-cidr-parse', severity: E, versions: 'all', what: 'a CIDR the API server accepts but the agent cannot parse (leading zeros, zone)' },
  { id: 'sanitize-except-outside-cidr', severity: E, versions: 'all', what: 'an except prefix outside its cidr' },
  { id: 'sanitize-egress-cidr-group-ref', severity: E, versions: '1.14-1.15', what: 'cidrGroupRef in an egress allow toCIDRSet: resolved from 1.16; before, the agent parses its empty cidr and refuses the policy' },
  { id: 'sanitize-except-with-group', severity: E, versions: '1.14-1.16', what: 'except together with cidrGroupRef' },
  { id: 'sanitize-fqdn-one-of', severity: E, versions: '1.14-1.15', what: 'a toFQDNs entry with both or neither of matchName, matchPattern' },
  { id: 'sanitize-fqdn-max-length', severity: E, versions: '1.14-1.16', what: 'matchName or matchPattern longer than 255 characters' },
  { id: 'sanitize-server-names-with-l7', severity: E, versions: 'all', what: 'serverNames with L7 rules but without terminatingTLS' },
  { id: 'sanitize-server-name-empty', severity: E, versions: '1.14-1.17', what: 'an empty server name' },
  { id: 'sanitize-listener-ingress', severity: E, versions: 'all', what: 'a listener in an ingress section' },
  { id: 'sanitize-listener-with-l7', severity: E, versions: 'all', what: 'a listener together with L7 rules' },
  { id: 'sanitize-http-regex', severity: E, versions: 'all', what: 'an HTTP path, method or host that is not a valid RE2 regular expression' },
  { id: 'sanitize-header-name-missing', severity: E, versions: '1.14-1.15', what: 'a headerMatches entry with an empty name' },
  { id: 'sanitize-header-secret-name', severity: E, versions: 'all', what: 'a headerMatches secret with an empty name' },
  { id: 'sanitize-kafka-role-and-api-key', severity: E, versions: 'all', what: 'a kafka rule with both role and apiKey' },
  { id: 'sanitize-kafka-api-key', severity: E, versions: 'all', what: 'an unknown kafka apiKey' },
  { id: 'sanitize-kafka-api-version', severity: E, versions: 'all', what: 'a kafka apiVersion that is not a number 0-32767' },
  { id: 'sanitize-kafka-topic', severity: E, versions: 'all', what: 'a kafka topic with characters other than letters, digits, ., _, -' },
  { id: 'sanitize-selector-key', severity: E, versions: 'all', what: 'a selector key that is not a valid label key once Cilium adds its source' },
  { id: 'sanitize-selector-values', severity: E, versions: 'all', what: 'In/NotIn without values or with a value that is not a label value, or Exists/DoesNotExist with values' },
  { id: 'sanitize-nodes-flag', severity: W, versions: '1.16+', what: 'fromNodes/toNodes need agent flag enable-node-selector-labels' },
  { id: 'sanitize-cnp-subject-namespace', severity: W, versions: 'all', what: 'a CNP endpointSelector namespace match: a k8s: match label is replaced by the policy namespace, other matches are ANDed with it' },

  // Fields and values newer than the target version, and removed ones.
  { id: 'version-end-port', severity: E, versions: '1.14-1.15', what: 'endPort (added in 1.16)' },
  { id: 'version-enable-default-deny', severity: E, versions: '1.14-1.15', what: 'enableDefaultDeny (added in 1.16)' },
  { id: 'version-nodes', severity: E, versions: '1.14-1.15', what: 'fromNodes/toNodes (added in 1.16)' },
  { id: 'version-from-groups', severity: E, versions: '1.14-1.15', what: 'fromGroups (added in 1.16)' },
  { id: 'version-listener-priority', severity: E, versions: '1.14-1.15', what: 'listener.priority (added in 1.16)' },
  { id: 'version-icmp-type-name', severity: E, versions: '1.14-1.15', what: 'an ICMP type given as a string (added in 1.16)' },
  { id: 'version-egress-cidr-group-ref', severity: E, versions: '1.14-1.15', what: 'cidrGroupRef in an ingressDeny or egressDeny CIDR set (resolved from 1.16; before, the deny denies no one)' },
  { id: 'version-cidr-group-selector', severity: E, versions: '1.14-1.16', what: 'cidrGroupSelector (added in 1.17)' },
  { id: 'version-log', severity: E, versions: '1.14-1.17', what: 'log (added in 1.18)' },
  { id: 'version-fqdn-double-star', severity: E, versions: '1.14-1.18', what: 'a **. FQDN pattern (1.19; before, ** is *)' },
  { id: 'version-protocol', severity: E, versions: '1.14-1.18', what: 'protocol VRRP or IGMP (added in 1.19)' },
  { id: 'version-port-omitted', severity: E, versions: '1.14-1.18', what: 'a port entry without port (optional from 1.19)' },
  { id: 'version-requires-removed', severity: E, versions: '1.19', what: 'fromRequires/toRequires with entries (removed in 1.19)' },
  { id: 'version-requires-deprecated', severity: W, versions: '1.14-1.18', what: 'fromRequires/toRequires (deprecated in 1.17, never written by the SDK)' },
  { id: 'version-empty-peer-list', severity: E, versions: '1.14-1.15', what: 'an empty peer list such as fromEndpoints: [] beside toPorts or icmps (every peer on them before 1.16, none from 1.16)' },
  { id: 'version-regex-named-group', severity: W, versions: '1.14-1.15', what: 'an HTTP path or method regex with (?<name>…) (Go 1.22 syntax)' },
  { id: 'version-kafka-deprecated', severity: W, versions: '1.18-1.19', what: 'kafka or l7proto rules (deprecated in 1.18, removed in 1.20)' },
];

/**
 * The API server's checks of a Kubernetes NetworkPolicy (`network-policy-rules.ts`; its doc-comment table mirrors this
 * list): a NetworkPolicy with any of these errors is never stored, so Cilium enforces none of it.
 */
export const NETWORK_POLICY_CHECKS: readonly CheckInfo[] = [
  { id: 'k8s-np-api-version', severity: E, versions: 'all', what: 'a NetworkPolicy apiVersion other than networking.k8s.io/v1 (the only one served)' },
  { id: 'k8s-np-type', severity: E, versions: 'all', what: 'a NetworkPolicy field with the wrong JSON type (a list that is not a list, a boolean port, ...)' },
  { id: 'k8s-np-metadata', severity: E, versions: 'all', what: 'a NetworkPolicy name (or generateName) that makes no DNS-1123 subdomain, a namespace that is not a DNS-1123 label, or an invalid label or annotation' },
  { id: 'k8s-np-selector', severity: E, versions: 'all', what: 'an invalid podSelector or namespaceSelector (label key or value, operator, values)' },
  { id: 'k8s-np-peer', severity: E, versions: 'all', what: 'a from/to peer with none of podSelector, namespaceSelector and ipBlock, or ipBlock beside a selector' },
  { id: 'k8s-np-ip-block', severity: E, versions: 'all', what: 'an ipBlock cidr or except that is not a CIDR, or an except not strictly inside the cidr' },
  { id: 'k8s-np-protocol', severity: E, versions: 'all', what: 'a NetworkPolicy port protocol other than TCP, UDP or SCTP (case-sensitive)' },
  { id: 'k8s-np-port', severity: E, versions: 'all', what: 'a NetworkPolicy port outside 1-65535, or a port name that is not a valid (lower-case) port name' },
  { id: 'k8s-np-end-port', severity: E, versions: 'all', what: 'an endPort without a numeric port, below port, or above 65535' },
  { id: 'k8s-np-policy-types', severity: E, versions: 'all', what: 'policyTypes with a value other than Ingress and Egress, or more than two' },
];

/**
 * The pitfall layer (`pitfall-rules.ts`): checks over a whole set of manifests (policies, workloads, Services, Namespaces,
 * NetworkPolicies) for policies that both Cilium layers accept but that do not do what they seem to. The table in the doc
 * comment of `pitfall-rules.ts` mirrors this list (a test keeps them equal). `fires on` names Cilium versions as in `CHECKS`;
 * `1.20-dev` is the `main` branch (`--cilium-version 1.20`).
 */
export const PITFALL_CHECKS: readonly CheckInfo[] = [
  { id: 'pitfall-fqdn-without-dns', severity: W, versions: 'all', what: 'toFQDNs for pods that no policy in the input gives an L7 DNS rule, so no address is ever learned' },
  { id: 'pitfall-fqdn-not-in-dns-rules', severity: W, versions: 'all', what: 'a toFQDNs name that the DNS rules of the same pods do not allow looking up' },
  {
    id: 'pitfall-fqdn-dns-server-broad', severity: W, versions: 'all',
    what: 'an L7 DNS rule to far more than one resolver (any peer, the world, a wide CIDR, the cluster, pods by no label of their own or of every namespace) beside toFQDNs rules: any server there can make their names resolve to any address',
  },
  { id: 'pitfall-default-deny-without-dns', severity: E, versions: 'all', what: 'egress default deny for pods that no policy in the input allows DNS (53/UDP and 53/TCP)' },
  {
    id: 'pitfall-dns-denied', severity: E, versions: 'all',
    what: 'an egressDeny that takes in the cluster DNS pods on 53/UDP (or on 53/TCP for pods with toFQDNs): a deny wins over every allow, so lookups fail',
  },
  { id: 'pitfall-dns-tcp-denied', severity: W, versions: 'all', what: 'an egressDeny that takes in the cluster DNS pods on 53/TCP only: answers too large for UDP fail' },
  {
    id: 'pitfall-dns-may-be-denied', severity: W, versions: 'all',
    what: 'an egressDeny on 53 whose selector may take in the cluster DNS pods by labels beyond the ones they are known to carry (k8s-app: kube-dns in kube-system)',
  },
  { id: 'pitfall-deny-only-default-deny', severity: W, versions: 'all', what: 'a direction with only deny rules: it puts its endpoints into default deny and drops everything else' },
  { id: 'pitfall-default-deny-without-rules', severity: W, versions: '1.16+', what: 'a rule with `enableDefaultDeny.ingress` or `.egress` true and no rules of that direction: Cilium enforces a direction only for rules that have rules of it, so nothing becomes default deny' },
  { id: 'pitfall-ccnp-peer-namespace', severity: W, versions: 'all', what: 'a clusterwide fromEndpoints/toEndpoints selector without a namespace: it matches in every namespace' },
  {
    id: 'pitfall-peer-selector-only-excludes', severity: W, versions: 'all',
    what: 'an allow rule\'s from/toEndpoints selector that only excludes and gets no namespace: it selects the world, the host and remote nodes too',
  },
  {
    id: 'pitfall-peer-sourceless-reserved-world', severity: E, versions: 'all',
    what: 'an allow rule\'s from/toEndpoints selector with a key without a source naming a reserved label (`world: ""`, `host Exists`) that gets no namespace '
      + '(beside `io.kubernetes.pod.namespace DoesNotExist`, a `reserved:` key): it selects the world or the host, not pods (1.19: with a `reserved:` key only)',
  },
  {
    id: 'pitfall-peer-sourceless-reserved', severity: W, versions: 'all',
    what: 'the same of another reserved identity (`remote-node: ""`, `health: ""`, `kube-apiserver: ""`, …): it selects that identity, not pods; '
      + 'and in an ingressDeny/egressDeny selector of any reserved identity, the world and the host included: the deny drops its traffic',
  },
  { id: 'pitfall-service-port', severity: E, versions: 'all', what: 'a Service port where Cilium matches the container (target) port' },
  { id: 'pitfall-named-port-unresolved', severity: W, versions: 'all', what: 'an ingress allow port given by name that no pod the rule selects in the input declares for its protocol: it allows nothing on it (Cilium policies only)' },
  { id: 'pitfall-services-with-ports', severity: W, versions: '1.17+', what: 'toServices with toPorts for a Service not in the input, beside an entry that resolves (alone: pitfall-services-missing-every-peer): the ports must be its target ports' },
  { id: 'pitfall-kube-apiserver-service', severity: E, versions: 'all', what: 'toServices to default/kubernetes instead of the kube-apiserver entity' },
  {
    id: 'pitfall-kube-apiserver-every-port', severity: W, versions: 'all',
    what: 'an egress allow of the kube-apiserver entity (or toEndpoints/toNodes requiring `reserved:kube-apiserver`) without toPorts: every port of the API server\'s addresses, on a self-managed cluster the control-plane nodes (etcd, the kubelet, SSH)',
  },
  {
    id: 'pitfall-services-missing-every-peer', severity: W, versions: 'all',
    what: 'an egress allow item with toPorts (1.17+) or icmps whose toServices entries add no peer in the input, some naming Services not in the input or selector-less Services without their Endpoints or EndpointSlices: if they do not exist (or have no address) in the cluster, its ports are open to every peer (the engine does not judge it)',
  },
  {
    id: 'pitfall-services-every-peer', severity: E, versions: 'all',
    what: 'an egress allow item with toPorts (1.17+) or icmps whose toServices entries add no peer, as the input shows (a selector-less Service whose Endpoints or EndpointSlices hold no ready address; before 1.17 a Service with a selector; an entry naming no Service): its ports are open to every peer, the world included',
  },
  {
    id: 'pitfall-services-every-port', severity: W, versions: 'all',
    what: 'an egress allow of toServices without toPorts: every port of the Services\' backends (the pods they select, or their endpoint addresses), not the Services\' ports',
  },
  {
    id: 'pitfall-host-ingress-every-port', severity: W, versions: 'all',
    what: 'a host policy\'s ingress allow of a broad peer (the world, every pod, a CIDR wider than an IPv4 /8 or an IPv6 /32, a CIDR group) without toPorts: every port of the nodes (etcd, the kubelet, SSH, node ports)',
  },
  { id: 'pitfall-deny-services-unresolved', severity: E, versions: 'all', what: 'toServices in egressDeny: never resolved, so the item denies its ports to every destination, or nothing' },
  { id: 'pitfall-service-selector-invalid', severity: E, versions: 'all', what: 'a toServices entry that matches no Service whatever the cluster holds: a k8sServiceSelector whose requirements do not build (a source prefix such as k8s:app, In without values) or, up to 1.18, written {}; a k8sService without serviceName. The agent imports the policy; on 1.19 the patch release decides what a selector that does not build matches' },
  { id: 'pitfall-cidr-group-ref-empty', severity: E, versions: '1.14-1.15', what: 'Cilium 1.14/1.15: an ingress allow item with toPorts or icmps whose fromCIDRSet is only cidrGroupRef entries to CiliumCIDRGroups of the input without externalCIDRs: the agent drops the list, so the ports are open to every peer' },
  { id: 'pitfall-cidr-group-ref-missing', severity: W, versions: '1.14-1.15', what: 'Cilium 1.14/1.15: an ingress allow item with toPorts or icmps whose fromCIDRSet is only cidrGroupRef entries, some to CiliumCIDRGroups not in the input: if they are missing or empty in the cluster too, the ports are open to every peer (the engine does not judge it)' },
  { id: 'pitfall-selector-matches-nothing', severity: W, versions: 'all', what: 'an endpoint selector that matches none of the workloads in the input' },
  { id: 'pitfall-selector-non-identity-label', severity: E, versions: 'all', what: 'a selector requirement on a label key Cilium keeps out of identities (`pod-template-hash`, `kubernetes.io/os`, …): `In`/`Exists` select nothing, `NotIn`/`DoesNotExist` always hold' },
  { id: 'pitfall-host-network-pods', severity: W, versions: 'all', what: 'pods on the host network (`hostNetwork: true`) selected by pod labels: Cilium does not manage them, their traffic is the node\'s' },
  { id: 'pitfall-network-policy-overlap', severity: W, versions: 'all', what: 'a Kubernetes NetworkPolicy and a Cilium policy select the same pods (their allows add up)' },
  { id: 'pitfall-host-lockout', severity: W, versions: 'all', what: 'a host policy in default deny without the paths nodes need (kubelet, health, tunnel, API server)' },
  {
    id: 'pitfall-host-deny-lockout', severity: E, versions: 'all',
    what: 'a host policy deny rule that cuts a path nodes need (SSH from the world, API server, kubelet, etcd, Cilium health, tunnel, essential ICMP, Hubble; node egress to the API server, kubelets, pods, DNS): deny wins over every allow',
  },
  {
    id: 'pitfall-host-lockout-exempted', severity: W, versions: 'all',
    what: 'a host policy deny rule that cuts a guarded path exempted by the `cdk8s-cilium.io/lockout-exemptions` annotation (the path, the deny item and the stated reason)',
  },
  { id: 'pitfall-host-lockout-exemptions-invalid', severity: W, versions: 'all', what: 'a `cdk8s-cilium.io/lockout-exemptions` annotation that is not JSON of a guarded path to a non-empty reason (bad JSON, unknown keys): those exemptions are ignored' },
  { id: 'pitfall-authentication-drops', severity: W, versions: 'all', what: 'a rule item with `authentication.mode` required or test-always-fail: the datapath drops what it allows unless the cluster runs mutual authentication with SPIRE (test-always-fail: always)' },
  { id: 'pitfall-kafka-removed', severity: E, versions: '1.20-dev', what: 'kafka or l7proto rules (removed in Cilium 1.20)' },
  { id: 'pitfall-broad-peer', severity: W, versions: 'all', what: 'an allow rule open to every address (`0.0.0.0/0`, `::/0`), every name (toFQDNs `*`) or every identity (a `cidrGroupSelector` of no label or only exclusions, `{}`, 1.17+)' },
  {
    id: 'pitfall-cidr-ipv6-world-only', severity: W, versions: 'all',
    what: 'a rule item whose only `/0` is `::/0`: in an IPv4-only cluster (Cilium\'s default) it selects no outside address (a deny denies nothing)',
  },
  { id: 'pitfall-cidr-ipv4-mapped', severity: E, versions: 'all', what: 'an IPv4-mapped IPv6 CIDR (`::ffff:a00:0/104`): it selects nothing, so a deny holds nothing (in a CIDR set on 1.14-1.16, its IPv4 CIDR until 1.17)' },
  { id: 'pitfall-cidr-host-bits', severity: W, versions: 'all', what: 'a CIDR with host bits set (`10.1.2.3/8`): Cilium masks it to the whole network' },
  {
    id: 'pitfall-fqdn-ip-address', severity: W, versions: 'all',
    what: 'an IPv4 address or range written as a toFQDNs name (`matchName: 10.0.0.1`, `matchPattern: 10.0.0.*`): it matches looked-up names only, never the addresses',
  },
  {
    id: 'pitfall-fqdn-pattern-registrable', severity: W, versions: 'all',
    what: 'a toFQDNs or L7 DNS rule matchPattern with a `*` in the registrable part of the name (`*.com`, `*example.com`, `example.*`): it matches names anyone may register',
  },
  {
    id: 'pitfall-server-names-registrable', severity: W, versions: 'all',
    what: 'a TLS serverNames entry with its wildcard in the registrable part of the name (`*.com`, `**.co.uk`): from 1.18 it matches names anyone may register, before 1.18 nothing',
  },
  { id: 'pitfall-icmp-type-zero', severity: W, versions: 'all', what: 'an icmps field of type 0 (IPv4 EchoReply): the agent reads it as every ICMP type of the family' },
  { id: 'pitfall-port-rule-without-ports', severity: W, versions: 'all', what: 'a `toPorts` entry that lists no ports (`toPorts: [{rules: …}]`, `ports: []`): the agent makes no filter of it, so it allows or denies nothing' },
  {
    id: 'pitfall-ccnp-select-all-default-deny', severity: W, versions: 'all',
    what: 'a clusterwide rule with `endpointSelector: {}` in default deny: every endpoint of the cluster, kube-system included',
  },
  {
    id: 'pitfall-ccnp-subject-selects-reserved', severity: W, versions: 'all',
    what: 'a clusterwide endpointSelector that only excludes: Cilium adds no namespace to it, so it also selects the health and ingress endpoints and pods still initializing',
  },
  {
    id: 'pitfall-dns-rules-widened', severity: E, versions: 'all',
    what: 'a DNS rule restricting lookups, cancelled by a DNS `*` or an allow of port 53 without DNS rules (another policy\'s, or another item of the same rule; a host rule against itself) for the same pods or nodes, server and port (Cilium ORs them)',
  },
  {
    id: 'pitfall-l7-rules-widened', severity: E, versions: 'all',
    what: 'HTTP or Kafka rules restricting requests, cancelled by an allow without L7 rules (Cilium adds an allow-all L7 rule), or with rules of the same kind that match every request, for the same pods, peers and port',
  },
  {
    id: 'pitfall-l7-default-allow', severity: W, versions: '1.16+',
    what: 'HTTP or Kafka rules restricting requests in a direction that no policy of the input selecting their pods puts into default deny (`enableDefaultDeny.ingress` or `.egress` false): Cilium adds an allow-all rule beside them, so every request passes (visibility only)',
  },
  {
    id: 'pitfall-l7-parser-conflict', severity: E, versions: 'all',
    what: 'two allow rules give one endpoint different L7 parsers that do not merge (http, kafka, dns, l7proto, an Envoy listener; TLS settings without L7 rules merge with any but dns and a listener) on the same port entry: the agent refuses its policy '
      + '(from 1.18, for different peers, and on two entries of one first port such as 80 and 80-80: it takes it, but the port gets one proxy '
      + 'redirect of either parser)',
  },
  {
    id: 'pitfall-listener-conflict', severity: E, versions: 'all',
    what: 'two allow rules send one peer selector of an endpoint both may select to different Envoy listeners on the same port entry: the agent refuses its policy when they '
      + 'share the lowest priority of that peer (up to 1.15 there is no priority: always), and refuses it or not as the order it merges the rules in decides when a third '
      + 'listener outranks them; up to 1.15 also two listeners of other peers on one port entry (not settled)',
  },
  {
    id: 'pitfall-sni-l7-merge', severity: E, versions: 'all',
    what: 'an allow rule with serverNames and one with HTTP, Kafka or l7proto rules for the same peer selector on the same port entry of an endpoint both may select, '
      + 'neither with terminatingTLS: the agent refuses its policy when it merges the L7 rules first, else adds an allow-all rule to them (the merge order decides)',
  },
  {
    id: 'pitfall-auth-mode-conflict', severity: E, versions: 'all',
    what: 'two allow rules give one endpoint different `authentication.mode`s on the same port entry for the same peer selector: the agent refuses its policy (beside a deny of the same port entry and peer, as the order it '
      + 'merges the rules in decides)',
  },
  {
    id: 'pitfall-policy-name-duplicate', severity: E, versions: 'all',
    what: 'two policies with the same kind, namespace and name: one object on the API server, the one applied last replaces the other',
  },
  {
    id: 'pitfall-ccnp-metadata-namespace', severity: W, versions: 'all',
    what: 'a CiliumClusterwideNetworkPolicy with `metadata.namespace`: the API server drops it, the policy applies in every namespace',
  },
  {
    id: 'pitfall-namespace-assumed', severity: W, versions: 'all',
    what: 'a CiliumNetworkPolicy or NetworkPolicy without `metadata.namespace`: judged in `default` (its findings, as the engine\'s verdicts), stored in the namespace kubectl, kustomize or Helm apply it to',
  },
  {
    id: 'pitfall-http-header-never-matches', severity: E, versions: 'all',
    what: 'an HTTP rule\'s `headers` entry no request can satisfy (`X-Token:abc` without the space, a value with whitespace at either end), or a `headerMatches` name that is no header name (`X Token`): the agent accepts it and the rule matches nothing (403)',
  },
  {
    id: 'pitfall-http-method-case', severity: E, versions: 'all',
    what: 'an HTTP rule\'s `method` that matches a standard method only in another case (`get`, `GET|head`): Envoy matches :method case-sensitively, so it lets no such request through (403)',
  },
  {
    id: 'pitfall-http-regex-too-large', severity: E, versions: 'all',
    what: 'an HTTP path, method or host regex whose RE2 program is certainly larger than the 100 Envoy accepts (`re2.max_program_size.error_level`): the agent accepts it, cilium-envoy refuses the policy update',
  },
  {
    id: 'pitfall-listener-kind-refused', severity: E, versions: 'all',
    what: 'an egress `listener` of kind CiliumEnvoyConfig for endpoints without a namespace (a host policy; a CCNP endpointSelector that selects reserved:health, '
      + 'reserved:ingress or reserved:init, {} included; a 1.14 CNP of reserved:init): the agent resolves listeners in the namespace of the endpoint whose policy it '
      + 'computes, they have none, and createL4Filter refuses the policy of every such endpoint the rule selects',
  },
  {
    id: 'pitfall-http-regex-may-be-too-large', severity: W, versions: 'all',
    what: 'an HTTP path, method or host regex whose RE2 program size is estimated above the 100 Envoy accepts (alternatives, Unicode classes, `[^/]{n,m}`): the exact size is C++ RE2\'s',
  },
  {
    id: 'pitfall-l7-matches-every-request', severity: W, versions: 'all',
    what: 'an L7 rule list that lets every request through while looking restrictive: an HTTP rule of only mismatch-action header matches, an empty HTTP rule beside others, `l7proto` without rules, DNS `*` beside names',
  },
  {
    id: 'pitfall-np-policy-types-ignored', severity: W, versions: 'all',
    what: 'a NetworkPolicy with rules for a direction its policyTypes leaves out: Kubernetes ignores them, Cilium enforces them (cilium/cilium#48703)',
  },
  {
    id: 'pitfall-np-peer-selects-reserved', severity: W, versions: '1.14-1.18',
    what: 'a NetworkPolicy namespaceSelector that only excludes: Cilium also selects the world, the host and remote nodes with it',
  },
  {
    id: 'pitfall-np-ip-block-selects-namespace', severity: W, versions: '1.19',
    what: 'a NetworkPolicy ingress peer of only an ipBlock: Cilium 1.19.0-1.19.4 with the cluster filter also allows every pod of the policy namespace (cilium/cilium#46305)',
  },
  {
    id: 'pitfall-np-agent-refuses', severity: E, versions: '1.14-1.18',
    what: 'a NetworkPolicy the API server stores but the agent refuses whole: an ipBlock CIDR it cannot parse (leading zeros) before 1.19, an endPort on 1.15',
  },
  {
    id: 'pitfall-np-end-port-ignored', severity: W, versions: '1.14',
    what: 'a NetworkPolicy port range (endPort): Cilium 1.14 allows its first port only',
  },
  {
    id: 'pitfall-groups-derivative', severity: W, versions: 'all',
    what: 'a policy with toGroups (fromGroups from 1.16) whose derivative is not in the input: the agent never imports it and enforces the derivative the operator writes from the cloud API, or nothing',
  },
];

/**
 * What reading the input can report (`validateInputs`): unusable files, the YAML reader's diagnostics (`parse-…`, see
 * `ParseDiagnosticId`; their severity is the usual one, a YAML warning is reported as a warning), and violations of a
 * real CRD given with `--crd`.
 */
export const INPUT_CHECKS: readonly CheckInfo[] = [
  { id: 'input-not-found', severity: E, versions: 'all', what: 'a path or glob that matches no file, or a directory without a .yaml, .yml or .json file' },
  { id: 'input-unreadable', severity: E, versions: 'all', what: 'a file that cannot be read (permissions, not a regular file, I/O error)' },
  { id: 'input-binary', severity: E, versions: 'all', what: 'a file with NUL bytes or invalid UTF-8' },
  { id: 'input-too-large', severity: E, versions: 'all', what: 'a file larger than the size limit (10 MiB unless configured)' },
  { id: 'input-empty', severity: W, versions: 'all', what: 'a file without any YAML document, or a document written as null, `{}` or `[]` (alone or beside manifests)' },
  { id: 'parse-yaml-syntax', severity: E, versions: 'all', what: 'a YAML syntax error (truncated file, bad indentation), or a document that is not a mapping' },
  { id: 'parse-unknown-field', severity: E, versions: 'all', what: 'a field the CRD does not have (misspelled, or misplaced)' },
  { id: 'parse-wrong-type', severity: E, versions: 'all', what: 'a field with the wrong JSON type' },
  { id: 'parse-missing-field', severity: E, versions: 'all', what: 'a required field is missing' },
  { id: 'parse-api-version', severity: E, versions: 'all', what: 'apiVersion is not cilium.io/v2' },
  { id: 'parse-missing-name', severity: E, versions: 'all', what: 'metadata.name is missing' },
  { id: 'parse-port-not-string', severity: E, versions: 'all', what: 'a port written as a number (the CRD wants a string)' },
  { id: 'parse-null-value', severity: W, versions: 'all', what: 'a field set to null (the API server prunes it)' },
  { id: 'parse-yaml11-ambiguous', severity: W, versions: 'all', what: 'a scalar Kubernetes (YAML 1.1) reads differently from YAML 1.2 (010 is octal, yes and on are booleans); read as Kubernetes does' },
  { id: 'parse-missing-kind', severity: E, versions: 'all', what: 'a document without kind that looks like a Cilium policy (a cilium.io apiVersion, or a rule as its spec); a warning for any other document whose kind is missing, empty or no string (Helm values, a stray mapping): kubectl refuses it' },
  { id: 'parse-unknown-kind', severity: W, versions: 'all', what: 'a cilium.io apiVersion with a kind Cilium does not have (wrong case, misspelled), or a NetworkPolicy kind in the wrong case' },
  { id: 'version-annotation-invalid', severity: E, versions: 'all', what: 'a cdk8s-cilium.io/cilium-version annotation that names no supported version (`main`, `"1.9"`, an unquoted 1.20 YAML reads as 1.2): its policy is judged as one without it (for the one version the other annotations name, else 1.19)' },
  { id: 'version-annotation-missing', severity: W, versions: 'all', what: 'a policy without the cdk8s-cilium.io/cilium-version annotation among policies annotated for several versions: it is judged for the default (1.19), which may not be its cluster\'s version' },
  { id: 'crd-schema', severity: E, versions: 'all', what: 'a violation of the CRD given with --crd, or of the bundled CRD of the target version that no other finding reports (closed schema: unknown fields fail)' },
];

/** Every check `validateInputs` can report: the per-policy layers, the NetworkPolicy checks, the pitfalls and the input checks, in that order. */
export const REPORT_CHECKS: readonly CheckInfo[] = [...CHECKS, ...NETWORK_POLICY_CHECKS, ...PITFALL_CHECKS, ...INPUT_CHECKS];

const BY_ID = new Map(REPORT_CHECKS.map((c) => [c.id, c]));

/** The catalogue entry of `id`. @throws Error for an id that is not in the catalogue (a programming error). */
export function checkInfo(id: string): CheckInfo {
  const info = BY_ID.get(id);
  if (!info) throw new Error(`internal: check id ${id} is not in the catalogue`);
  return info;
}

/**
 * Errors that describe a policy the cluster stores and imports, only not as written: the engine models what it makes of
 * them (the API server prunes unknown and null fields; the agent ignores an empty section, reads `"010"` as octal and
 * `"0x50"` as a port name, and reads `endPort` on a named port as a range from the number the name resolves to).
 */
export const ACCEPTED = new Set([
  'parse-unknown-field', 'parse-null-value', 'parse-yaml11-ambiguous',
  'sanitize-empty-section', 'sanitize-port-octal', 'sanitize-port-prefixed-name', 'sanitize-end-port-named',
]);

/**
 * Whether a finding means the cluster does not have the policy: an error of the CRD schema, of the agent's `Sanitize`, or
 * of the reader (a value of the wrong type). Not: version findings (an older API server prunes a newer field and stores
 * the rest, which the engine models; those the older schema refuses instead are found by engine/admission.ts
 * `versionSchemaRefusals`), and the `ACCEPTED` ones. Findings on `metadata` count: a name that is no DNS-1123 subdomain
 * (`fooIngressRule1`), a namespace that is no DNS-1123 label, a bad label or annotation make the API server refuse the
 * object whatever its rules say (apiextensions-apiserver pkg/registry/customresource/validator.go
 * `customResourceValidator.Validate` → apimachinery `ValidateObjectMetaAccessor(…, NameIsDNSSubdomain, …)`).
 */
export function refusesPolicy(d: Diagnostic): boolean {
  if (d.severity !== Severity.ERROR || ACCEPTED.has(d.id)) return false;
  const layer = layerOf(d.id);
  return layer === CheckLayer.CRD || layer === CheckLayer.SANITIZE || layer === CheckLayer.PARSE;
}

/** The layer of a check id, from its prefix (`crd-schema`, from `--crd`, is `crd`). */
export function layerOf(id: string): CheckLayer {
  return id.slice(0, id.indexOf('-')) as CheckLayer;
}

/** The catalogue entry of `id`, or `undefined` for an id no catalogue lists. */
export function findCheck(id: string): CheckInfo | undefined {
  return BY_ID.get(id);
}

/**
 * The catalogue of every check the validator runs: stable ids, severities, the target versions each can fire on and what
 * it finds. The lists are copies: changing them changes nothing in the validator.
 *
 * ```ts
 * const check = CheckCatalogue.find('pitfall-service-port');
 * console.log(check?.severity, check?.what);
 * ```
 */
export class CheckCatalogue {
  /** The per-policy checks (`crd-…`, `sanitize-…`, `version-…`, and the reader's `parse-…` warnings about policies). */
  public static readonly POLICY_CHECKS: CheckInfo[] = [...CHECKS];
  /** The API server's checks of Kubernetes NetworkPolicies (`k8s-np-…`). */
  public static readonly NETWORK_POLICY_CHECKS: CheckInfo[] = [...NETWORK_POLICY_CHECKS];
  /** The pitfalls, judged over a whole set of manifests (`pitfall-…`). */
  public static readonly PITFALL_CHECKS: CheckInfo[] = [...PITFALL_CHECKS];
  /** The checks of the inputs of `Validator.validateInputs` (`input-…`, `parse-…`, `crd-schema`). */
  public static readonly INPUT_CHECKS: CheckInfo[] = [...INPUT_CHECKS];
  /** Every check a validation report can hold: the per-policy checks, the NetworkPolicy checks, the pitfalls and the input checks, in that order. */
  public static readonly ALL_CHECKS: CheckInfo[] = [...REPORT_CHECKS];

  /**
   * The catalogue entry of a check id.
   * @param id a check id such as `pitfall-service-port`
   * @returns the entry, or `undefined` for an id no catalogue lists
   */
  public static find(id: string): CheckInfo | undefined {
    return findCheck(id);
  }

  /**
   * The layer of a check id, from its prefix (`crd-schema` is `crd`).
   * @param id a check id such as `sanitize-l7-protocol`
   */
  public static layerOf(id: string): CheckLayer {
    return layerOf(id);
  }

  private constructor() {}
}
