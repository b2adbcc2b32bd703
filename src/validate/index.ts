/**
 * The SDK's own validation of a Cilium policy, per target Cilium version, in the two layers Cilium has plus version
 * gating:
 *
 * - `crd-…` (`schema-rules.ts`): what the API server enforces with the CRD schema of the target version. A finding
 *   means `kubectl apply` fails, or the API server prunes the field.
 * - `sanitize-…` (`sanitize-rules.ts`): what the agent's `Sanitize()` enforces. The API server stores the policy, but
 *   the agent refuses to import it (the CNP shows `Valid: False`) or ignores part of it.
 * - `version-…` (`version-rules.ts`): fields newer than the target version (pruned silently by older API servers)
 *   and removed or deprecated ones.
 *
 * Kubernetes NetworkPolicies in the input get the API server's own checks (`k8s-np-…`, `network-policy-rules.ts`,
 * catalogue `NETWORK_POLICY_CHECKS`): one that fails them is never stored, and the engine skips it too.
 *
 * Two more layers work on whole sets of manifests rather than one policy: the pitfalls (`pitfall-…`, `pitfall-rules.ts`,
 * catalogue `PITFALL_CHECKS`), and the reading of files for `validateInputs`/`validatePaths` (`input-…`, `parse-…`,
 * `crd-schema`; `validate-input.ts`, catalogue `INPUT_CHECKS`), which runs every layer over files, directories, globs and
 * standard input and places each finding at `file:line:column`. `REPORT_CHECKS` is all of them; the `validate` command,
 * the cdk8s validation plugin and `validateApp` (synthesis) share that code.
 *
 * Every finding is a `Diagnostic` with a stable id, a one-line message with the bad value, the JSON path in wire form
 * (`spec.ingress[0].fromEndpoints[0].matchLabels.app`) and a fix. The catalogue ("fires on" = the target versions on
 * which the check can fire):
 *
 * | id | layer | severity | fires on | what |
 * |---|---|---|---|---|
 * | `crd-metadata-name` | crd | error | all | metadata.name is not a DNS-1123 subdomain of at most 253 characters, or metadata.generateName makes none |
 * | `crd-metadata-namespace` | crd | error | all | metadata.namespace is not a DNS-1123 label |
 * | `crd-metadata-labels` | crd | error | all | a metadata label key is not a qualified name or its value not a label value |
 * | `crd-metadata-annotations` | crd | error | all | a metadata annotation key is not a qualified name, or the annotations hold more than 256 KiB together |
 * | `crd-type` | crd | error | all | a value has the wrong JSON type (number port, boolean label value, ...) |
 * | `crd-subject-one-of` | crd | error | all | a rule has both or neither of endpointSelector and nodeSelector |
 * | `crd-sections-any-of` | crd | error | 1.17+ | a rule has none of ingress, ingressDeny, egress, egressDeny |
 * | `crd-label-key-required` | crd | error | all | a spec.labels entry has no key |
 * | `crd-field-direction` | crd | error | all | an egress-only field (toServices, toFQDNs) in an ingress section |
 * | `crd-deny-fqdns` | crd | error | all | toFQDNs in egressDeny (not a field of deny rules) |
 * | `crd-deny-authentication` | crd | error | all | authentication in a deny section (not a field of deny rules) |
 * | `crd-deny-l7` | crd | error | all | rules, serverNames, listener or TLS in a deny toPorts (only ports exist) |
 * | `crd-label-value` | crd | error | all | a matchLabels value is not a label value (pattern, at most 63 characters) |
 * | `crd-selector-operator` | crd | error | all | a matchExpressions entry has no key or an operator other than In, NotIn, Exists, DoesNotExist |
 * | `crd-entity` | crd | error | all | an entity outside the CRD enum (world-ipv4 and world-ipv6 included) |
 * | `crd-cidr` | crd | error | all | a CIDR the API server rejects (1.14-1.15 regex; 1.16+ Go net.ParseCIDR, so no bare IP) |
 * | `crd-cidr-group-ref` | crd | error | all | cidrGroupRef is not a DNS-1123 subdomain of at most 253 characters |
 * | `crd-cidr-set-one-of` | crd | error | all | a CIDR set entry has not exactly one of cidr, cidrGroupRef, cidrGroupSelector |
 * | `crd-fqdn-one-of` | crd | error | 1.16+ | a toFQDNs or DNS rule entry has not exactly one of matchName, matchPattern |
 * | `crd-fqdn-syntax` | crd | error | all | matchName or matchPattern fails the CRD pattern |
 * | `crd-fqdn-max-length` | crd | error | 1.17+ | matchName or matchPattern longer than 255 characters |
 * | `crd-ports-max-items` | crd | error | 1.16+ | more than 40 ports in one toPorts entry of an allow section |
 * | `crd-port-syntax` | crd | error | all | port fails the CRD pattern |
 * | `crd-end-port-range` | crd | error | 1.16+ | endPort is not an integer from 0 to 65535 |
 * | `crd-protocol` | crd | error | all | protocol outside the version's enum (case-sensitive: tcp fails) |
 * | `crd-rules-one-of` | crd | error | 1.16+ | toPorts rules has not exactly one of http, kafka, dns, l7proto |
 * | `crd-icmp-fields-max-items` | crd | error | 1.16+ | more than 40 ICMP fields in one icmps entry |
 * | `crd-icmp-family` | crd | error | all | ICMP family other than IPv4 or IPv6 |
 * | `crd-icmp-type` | crd | error | all | ICMP type missing, not an integer 0-255 (1.14-1.15), or not an integer or known type name (1.16+) |
 * | `crd-authentication-mode` | crd | error | all | authentication.mode missing or not disabled, required, test-always-fail |
 * | `crd-header-match-name` | crd | error | 1.16+ | a headerMatches entry has an empty name |
 * | `crd-header-match-mismatch` | crd | error | all | headerMatches mismatch not LOG, ADD, DELETE, REPLACE |
 * | `crd-header-secret` | crd | error | all | a headerMatches secret without name |
 * | `crd-tls-secret` | crd | error | all | terminatingTLS or originatingTLS without secret.name |
 * | `crd-kafka-role` | crd | error | all | kafka role not produce or consume |
 * | `crd-kafka-topic-max-length` | crd | error | all | kafka topic longer than 255 characters |
 * | `crd-server-names-empty` | crd | error | 1.18+ | serverNames is an empty list (minItems 1) |
 * | `crd-server-names-duplicate` | crd | error | 1.18+ | serverNames holds a name twice (list-type set) |
 * | `crd-server-name-syntax` | crd | error | 1.18+ | a server name fails the CRD pattern or is longer than 255 characters |
 * | `crd-listener` | crd | error | all | listener without name or envoyConfig.name, or with an unknown envoyConfig.kind |
 * | `crd-listener-priority` | crd | error | 1.16+ | listener.priority not an integer from 1 to 100 |
 * | `crd-log-value` | crd | error | 1.18+ | log.value longer than 32 characters or not printable |
 * | `crd-service-selector` | crd | error | all | k8sServiceSelector without selector |
 * | `sanitize-empty-policy` | sanitize | error | all | neither spec nor a non-empty specs |
 * | `sanitize-cnp-node-selector` | sanitize | error | all | a CiliumNetworkPolicy with nodeSelector (host policies need a CCNP) |
 * | `sanitize-no-rules` | sanitize | error | all | a rule whose sections are all missing or empty |
 * | `sanitize-rule-subject` | sanitize | error | all | a raw api.Rule with both or neither of endpointSelector, nodeSelector |
 * | `sanitize-entity` | sanitize | error | all | a raw api.Rule entity the agent does not have (world-ipv4/ipv6 before 1.15) |
 * | `sanitize-empty-section` | sanitize | error | all | an empty section list such as ingress: [] (ignored, so it is no default deny) |
 * | `sanitize-l3-combination` | sanitize | error | all | more than one L3 peer field in one rule item |
 * | `sanitize-icmps-with-ports` | sanitize | error | all | icmps and toPorts in the same rule item |
 * | `sanitize-services-with-ports` | sanitize | error | 1.14-1.16 | toServices combined with toPorts in one rule item |
 * | `sanitize-ports-max-items` | sanitize | error | all | more than 40 ports in one toPorts entry where the CRD does not catch it |
 * | `sanitize-icmp-fields-max-items` | sanitize | error | 1.14-1.15 | more than 40 ICMP fields in one icmps entry |
 * | `sanitize-icmp-type-range` | sanitize | error | 1.16+ | an ICMP type number outside 0-255 (the int-or-string CRD lets it through) |
 * | `sanitize-icmp-type-family` | sanitize | error | 1.16+ | an ICMP type name that does not exist in its family |
 * | `sanitize-port-parse` | sanitize | error | all | port is neither a service name nor a 16-bit number |
 * | `sanitize-port-octal` | sanitize | error | all | port with a leading zero or a 0x/0b/0o prefix, read in that base ("010" is port 8, "0x_50" port 80) |
 * | `sanitize-port-prefixed-name` | sanitize | error | all | port like "0x50" or "0o17", read as a named port |
 * | `sanitize-port-omitted` | sanitize | error | 1.19 | port omitted for a protocol that has ports |
 * | `sanitize-portless-protocol-port` | sanitize | error | 1.19 | VRRP or IGMP with a port other than empty or 0 |
 * | `sanitize-extended-protocols-flag` | sanitize | warning | 1.19 | VRRP or IGMP need agent flag enable-extended-ip-protocols |
 * | `sanitize-end-port-named` | sanitize | error | 1.16+ | endPort with a named port (a range from the resolved number) |
 * | `sanitize-end-port-below-port` | sanitize | warning | 1.16+ | endPort below port (means the single port) |
 * | `sanitize-l7-protocol` | sanitize | error | all | HTTP, Kafka or l7proto rules on a port whose protocol is not TCP |
 * | `sanitize-l7-port-zero` | sanitize | error | all | L7 rules on port 0 |
 * | `sanitize-l7-multiple-kinds` | sanitize | error | 1.14-1.15 | more than one L7 kind in one toPorts rules |
 * | `sanitize-l7-without-l7proto` | sanitize | error | all | l7 rules without l7proto |
 * | `sanitize-dns-ingress` | sanitize | error | all | DNS rules in an ingress section |
 * | `sanitize-dns-no-ports` | sanitize | error | all | DNS rules without ports |
 * | `sanitize-dns-port-range` | sanitize | error | 1.16+ | DNS rules on a port range (endPort) |
 * | `sanitize-l7-port-range` | sanitize | error | 1.16 | HTTP, Kafka or l7proto rules on a port range (endPort): 1.16 refuses them, 1.17 enforces them |
 * | `sanitize-host-l7` | sanitize | error | all | L7 rules in a host policy (DNS and l7proto rules on egress are allowed from 1.17) |
 * | `sanitize-cidr-parse` | sanitize | error | all | a CIDR the API server accepts but the agent cannot parse (leading zeros, zone) |
 * | `sanitize-except-outside-cidr` | sanitize | error | all | an except prefix outside its cidr |
 * | `sanitize-egress-cidr-group-ref` | sanitize | error | 1.14-1.15 | cidrGroupRef in an egress allow toCIDRSet: resolved from 1.16; before, the agent parses its empty cidr and refuses the policy |
 * | `sanitize-except-with-group` | sanitize | error | 1.14-1.16 | except together with cidrGroupRef |
 * | `sanitize-fqdn-one-of` | sanitize | error | 1.14-1.15 | a toFQDNs entry with both or neither of matchName, matchPattern |
 * | `sanitize-fqdn-max-length` | sanitize | error | 1.14-1.16 | matchName or matchPattern longer than 255 characters |
 * | `sanitize-server-names-with-l7` | sanitize | error | all | serverNames with L7 rules but without terminatingTLS |
 * | `sanitize-server-name-empty` | sanitize | error | 1.14-1.17 | an empty server name |
 * | `sanitize-listener-ingress` | sanitize | error | all | a listener in an ingress section |
 * | `sanitize-listener-with-l7` | sanitize | error | all | a listener together with L7 rules |
 * | `sanitize-http-regex` | sanitize | error | all | an HTTP path, method or host that is not a valid RE2 regular expression |
 * | `sanitize-header-name-missing` | sanitize | error | 1.14-1.15 | a headerMatches entry with an empty name |
 * | `sanitize-header-secret-name` | sanitize | error | all | a headerMatches secret with an empty name |
 * | `sanitize-kafka-role-and-api-key` | sanitize | error | all | a kafka rule with both role and apiKey |
 * | `sanitize-kafka-api-key` | sanitize | error | all | an unknown kafka apiKey |
 * | `sanitize-kafka-api-version` | sanitize | error | all | a kafka apiVersion that is not a number 0-32767 |
 * | `sanitize-kafka-topic` | sanitize | error | all | a kafka topic with characters other than letters, digits, ., _, - |
 * | `sanitize-selector-key` | sanitize | error | all | a selector key that is not a valid label key once Cilium adds its source |
 * | `sanitize-selector-values` | sanitize | error | all | In/NotIn without values or with a value that is not a label value, or Exists/DoesNotExist with values |
 * | `sanitize-nodes-flag` | sanitize | warning | 1.16+ | fromNodes/toNodes need agent flag enable-node-selector-labels |
 * | `sanitize-cnp-subject-namespace` | sanitize | warning | all | a CNP endpointSelector namespace match: a k8s: match label is replaced by the policy namespace, other matches are ANDed with it |
 * | `version-end-port` | version | error | 1.14-1.15 | endPort (added in 1.16) |
 * | `version-enable-default-deny` | version | error | 1.14-1.15 | enableDefaultDeny (added in 1.16) |
 * | `version-nodes` | version | error | 1.14-1.15 | fromNodes/toNodes (added in 1.16) |
 * | `version-from-groups` | version | error | 1.14-1.15 | fromGroups (added in 1.16) |
 * | `version-listener-priority` | version | error | 1.14-1.15 | listener.priority (added in 1.16) |
 * | `version-icmp-type-name` | version | error | 1.14-1.15 | an ICMP type given as a string (added in 1.16) |
 * | `version-egress-cidr-group-ref` | version | error | 1.14-1.15 | cidrGroupRef in an ingressDeny or egressDeny CIDR set (resolved from 1.16; before, the deny denies no one) |
 * | `version-cidr-group-selector` | version | error | 1.14-1.16 | cidrGroupSelector (added in 1.17) |
 * | `version-log` | version | error | 1.14-1.17 | log (added in 1.18) |
 * | `version-fqdn-double-star` | version | error | 1.14-1.18 | a **. FQDN pattern (1.19; before, ** is *) |
 * | `version-protocol` | version | error | 1.14-1.18 | protocol VRRP or IGMP (added in 1.19) |
 * | `version-port-omitted` | version | error | 1.14-1.18 | a port entry without port (optional from 1.19) |
 * | `version-requires-removed` | version | error | 1.19 | fromRequires/toRequires with entries (removed in 1.19) |
 * | `version-requires-deprecated` | version | warning | 1.14-1.18 | fromRequires/toRequires (deprecated in 1.17, never written by the SDK) |
 * | `version-empty-peer-list` | version | error | 1.14-1.15 | an empty peer list such as fromEndpoints: [] beside toPorts or icmps (every peer on them before 1.16, none from 1.16) |
 * | `version-regex-named-group` | version | warning | 1.14-1.15 | an HTTP path or method regex with (?<name>…) (Go 1.22 syntax) |
 * | `version-kafka-deprecated` | version | warning | 1.18-1.19 | kafka or l7proto rules (deprecated in 1.18, removed in 1.20) |
 *
 * @module
 */
export { Validator } from './validator';
export { ValidationReportFormat } from './report-format';
export { CheckCatalogue, CheckLayer } from './catalogue';
export { ReportFileStatus } from './validation-report';
export { validatePolicy, validateRule } from './validate-policy';
export type { ValidatePolicyOptions, ValidateRuleOptions } from './validate-policy';
export { CHECKS, INPUT_CHECKS, NETWORK_POLICY_CHECKS, PITFALL_CHECKS, REPORT_CHECKS, checkInfo, findCheck, layerOf } from './catalogue';
export { networkPolicyRejections, validateNetworkPolicy } from './network-policy-rules';
export type { CheckInfo } from './catalogue';
export { checkPitfalls } from './pitfall-rules';
export type { PitfallDocument, PitfallFinding, PitfallOptions } from './pitfall-run';
export { ManifestInventory } from './inventory';
export type {
  InventoryContainerPort, InventoryNamespace, InventoryNetworkPolicy, InventoryPodTemplate, InventoryServiceInfo, InventoryServicePortInfo,
  InventorySource,
} from './inventory';
export { validateInputs, validatePaths } from './validate-input';
export type { InputSource, PathsOptions, ValidateInputsOptions, ValidatePathsOptions, ValidationInput } from './validation-options';
export { STDIN_NAME, VALIDATE_REPORT_SCHEMA } from './validation-report';
export type { ReportDiagnostic, ReportFile, ReportSummary, ReportVersion, ValidationReport } from './validation-report';
export { parseTargetVersion } from './target-version';
export type { TargetVersion } from './target-version';
export { DEFAULT_MAX_FILE_BYTES } from '../model/inputs';
export { formatDiagnosticText, formatReportText, summaryLine } from './format-text';
export { VALIDATE_REPORT_JSON_SCHEMA, formatReportJson, reportToJson } from './format-json';
export { SARIF_SCHEMA_URI, formatReportSarif, reportToSarif } from './format-sarif';
export { CiliumAppValidation, formatAppDiagnostic, validateApp } from './validate-app';
export type { AppDiagnostic, AppValidationOptions } from './validate-app';
export type { SarifOptions } from './format-sarif';
