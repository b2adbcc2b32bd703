/**
 * Per-version facts about Cilium's CRDs and agent, as data.
 *
 * Every value here was read from the CRDs of v1.14 … v1.19 (`ciliumnetworkpolicies.yaml`, identical `spec` schema for
 * CCNP) or from the agent's `rule_validation.go`. `test/validate/crd-tables.test.ts` loads the real CRDs and checks
 * that these tables still say what the CRDs say, version by version.
 */
import { CiliumVersion } from '../core/cilium-version';
import { SectionName } from '../model/policy-model';
import { KAFKA_API_KEYS as KAFKA_API_KEY_NUMBERS, KAFKA_ROLE_API_KEYS } from '../model/kafka-api-keys';
import { re2Test } from '../model/re2';
import { LISTENER_PRIORITY_SINCE } from '../model/listener-kind';

/** A value (enum member, field) and the first version that has it. */
export interface Since<T = string> {
  /** The value. */
  readonly value: T;
  /** The first Cilium version whose CRD has it. */
  readonly since: CiliumVersion;
}

const V = CiliumVersion;

/** The values of a versioned enum that a version accepts. */
export function valuesAt<T>(table: readonly Since<T>[], version: CiliumVersion): T[] {
  return table.filter((e) => version.atLeast(e.since)).map((e) => e.value);
}

/** The version that introduced `value`, or `undefined` when no version has it. */
export function sinceOf<T>(table: readonly Since<T>[], value: T): CiliumVersion | undefined {
  return table.find((e) => e.value === value)?.since;
}

/** The version that introduced a field of a `Since` table. @throws Error when the table does not list it. */
export function fieldSince(table: readonly Since[], field: string): CiliumVersion {
  const since = sinceOf(table, field);
  if (!since) throw new Error(`internal: ${field} is not in the field table`);
  return since;
}

/** `toPorts[].ports[].protocol` enum (case-sensitive in the CRD). */
export const PROTOCOLS: readonly Since[] = [
  { value: 'TCP', since: V.V1_14 },
  { value: 'UDP', since: V.V1_14 },
  { value: 'SCTP', since: V.V1_14 },
  { value: 'VRRP', since: V.V1_19 },
  { value: 'IGMP', since: V.V1_19 },
  { value: 'ANY', since: V.V1_14 },
];

/** Protocols that carry no port (1.19): `port` must be empty or `"0"`. */
export const PORTLESS_PROTOCOLS: readonly string[] = ['VRRP', 'IGMP'];

export { ENTITIES, GO_ONLY_ENTITIES } from '../model/entities';

/** `icmps[].fields[].family` enum. */
export const ICMP_FAMILIES: readonly string[] = ['IPv4', 'IPv6'];

/** `authentication.mode` enum. */
export const AUTHENTICATION_MODES: readonly string[] = ['disabled', 'required', 'test-always-fail'];

/** `headerMatches[].mismatch` enum. */
export const HEADER_MISMATCH_ACTIONS: readonly string[] = ['LOG', 'ADD', 'DELETE', 'REPLACE'];

/** `kafka[].role` enum: the roles the agent expands (`GetAPIKeys`). */
export const KAFKA_ROLES: readonly string[] = Object.keys(KAFKA_ROLE_API_KEYS);

/** `listener.envoyConfig.kind` enum. */
export const LISTENER_KINDS: readonly string[] = ['CiliumEnvoyConfig', 'CiliumClusterwideEnvoyConfig'];

/**
 * The fields of a label selector (Cilium's slim `LabelSelector`, pkg/k8s/slim/k8s/apis/meta/v1/types.go: `matchLabels`,
 * `matchExpressions`). The CRD of a Cilium policy keeps no unknown field there (no `x-kubernetes-preserve-unknown-fields`):
 * the API server prunes one, so a misspelled `matchExpression` is applied as left out.
 */
export const LABEL_SELECTOR_FIELDS: readonly string[] = ['matchLabels', 'matchExpressions'];

/** The fields of a `matchExpressions` entry (Cilium's slim `LabelSelectorRequirement`: `key`, `operator`, `values`). */
export const SELECTOR_REQUIREMENT_FIELDS: readonly string[] = ['key', 'operator', 'values'];

/** `matchExpressions[].operator` enum. */
export const SELECTOR_OPERATORS: readonly string[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * The fix of a `matchExpressions[].operator` the CRD's enum refuses (`SELECTOR_OPERATORS`: Cilium's slim
 * `LabelSelectorRequirement`, `+kubebuilder:validation:Enum=In;NotIn;Exists;DoesNotExist`), or `undefined` for one of them:
 * `write In` for the string `in`, else `use one of In, NotIn, Exists, DoesNotExist` (and `, as a string` for what is no string:
 * a list `['In']` is not the string `In`). Never reads the value but as a string (a BigInt, a Symbol, an object without a
 * prototype or with a `toString` that throws is no error of its own).
 * @param operator the operator as written (anything)
 */
export function selectorOperatorFix(operator: unknown): string | undefined {
  if (typeof operator === 'string' && SELECTOR_OPERATORS.includes(operator)) return undefined;
  const fixed = typeof operator === 'string' ? SELECTOR_OPERATORS.find((o) => o.toLowerCase() === operator.toLowerCase()) : undefined;
  if (fixed !== undefined) return `write ${fixed}`;
  return `use one of ${SELECTOR_OPERATORS.join(', ')}${typeof operator === 'string' ? '' : ', as a string'}`;
}

/** Kafka API key names the agent knows (`APIKeyMap`, compared lower-cased): the model's one table. */
export const KAFKA_API_KEYS: readonly string[] = Object.keys(KAFKA_API_KEY_NUMBERS);

/** Limits. */
export const LIMITS = {
  /** `toPorts[].ports` maxItems (CRD 1.16+ on allow sections; agent `maxPorts` always). */
  ports: 40,
  /** `icmps[].fields` maxItems (CRD 1.16+; agent `maxICMPFields` always). */
  icmpFields: 40,
  /** Label value maxLength (CRD). */
  labelValue: 63,
  /** `cidrGroupRef` maxLength (CRD). */
  cidrGroupRef: 253,
  /** FQDN `matchName`/`matchPattern` maxLength (CRD 1.17+; agent always). */
  fqdn: 255,
  /** `serverNames[]` maxLength (CRD 1.18+). */
  serverName: 255,
  /** `kafka[].topic` maxLength (CRD and agent). */
  kafkaTopic: 255,
  /** `log.value` maxLength (CRD 1.18+). */
  logValue: 32,
  /** `metadata.name` maxLength (DNS-1123 subdomain). */
  name: 253,
};

/** The first version of each CRD constraint that did not exist in every supported version. */
export const CONSTRAINT_SINCE = {
  /** `toPorts[].ports` maxItems 40 (allow sections only; deny sections never had it). */
  portsMaxItems: V.V1_16,
  /** `icmps[].fields` maxItems 40. */
  icmpFieldsMaxItems: V.V1_16,
  /** ICMP `type` becomes int-or-string with a name pattern (integer 0-255 before). */
  icmpTypeIntOrString: V.V1_16,
  /** CIDR strings use `format: cidr` (Go `net.ParseCIDR`) instead of a regex. */
  cidrFormat: V.V1_16,
  /** `oneOf` on `toFQDNs[]`, `rules.dns[]` (matchName|matchPattern) and `rules` (http|kafka|dns|l7proto). */
  fqdnAndRulesOneOf: V.V1_16,
  /** `headerMatches[].name` minLength 1. */
  headerNameMinLength: V.V1_16,
  /** `spec.anyOf` ingress|ingressDeny|egress|egressDeny. */
  sectionsAnyOf: V.V1_17,
  /** FQDN `maxLength: 255`. */
  fqdnMaxLength: V.V1_17,
  /** `serverNames` minItems 1, list-type set, item pattern and maxLength 255. */
  serverNamesConstraints: V.V1_18,
  /** `ports[].port` is no longer required. */
  portOptional: V.V1_19,
  /** `fromRequires`/`toRequires` become `maxItems: 0` string arrays. */
  requiresRemoved: V.V1_19,
};

/**
 * Agent behaviour that changed between versions (not visible in the CRD).
 */
export const AGENT_SINCE = {
  /** DNS L7 rules allowed in host policies (egress only); from the same release host egress refuses only HTTP and Kafka, so `l7` rules pass too. */
  hostDnsL7: V.V1_17,
  /**
   * `except` works together with `cidrGroupRef` (selector-based except). 1.14–1.16 agents refuse it from the patch releases
   * of January 2025 (v1.14.19, cilium/cilium#36559; #36560 for 1.15, #36561 for 1.16: pkg/k8s/watchers `validateCIDRRule`
   * "ExceptCIDRs cannot be used in combination with CIDRGroupRef"); earlier patches copied the except onto each CIDR of the
   * group in ingress (`translateSpec`) and could crash the agent in egressDeny.
   */
  exceptWithGroup: V.V1_17,
  /** `toServices` may be combined with `toPorts` ("Combining ToServices and ToPorts is not supported yet" before). */
  servicesWithPorts: V.V1_17,
  /** `cidrGroupRef` is resolved in egress `toCIDRSet` (only `fromCIDRSet` before). */
  egressCidrGroupRef: V.V1_16,
  /** `fromRequires`/`toRequires` deprecated. */
  requiresDeprecated: V.V1_17,
  /** `**.` FQDN prefix matches one or more labels (before: `**` behaves like `*`). */
  fqdnDoubleStar: V.V1_19,
  /**
   * `policy-default-local-cluster` on by default: from/toEndpoints and from/toNodes without a cluster key select the local
   * cluster only (pkg/k8s/apis/cilium.io/utils `getEndpointSelector`; the engine's `policyDefaultLocalCluster` default).
   */
  policyDefaultLocalCluster: V.V1_19,
  /** Kafka (and `l7proto`) rules deprecated, removed in 1.20. */
  kafkaDeprecated: V.V1_18,
  /** `fromNodes`/`toNodes` need agent flag `enable-node-selector-labels`. */
  nodesFlag: V.V1_16,
  /**
   * HTTP `path`/`method` regexes may name a group `(?<name>…)`: the agent compiles them with Go's `regexp`, which accepts
   * that spelling from Go 1.22; 1.14 and 1.15 were released with older Go (later patch releases moved to 1.22).
   */
  regexAngleNamedGroup: V.V1_16,
  /** An empty peer list (`fromEndpoints: []`) selects nothing; before, it selected every peer (as if absent). */
  emptyPeerListSelectsNothing: V.V1_16,
  /** The agent's entities `world-ipv4` and `world-ipv6` (in no CRD enum: raw rules only). */
  ipFamilyWorldEntities: V.V1_15,
  /**
   * `L7Rules.IsEmpty()` (pkg/policy/api/l4.go) is `Len() == 0`: an empty list (`http: []`) is no L7 rule to the port-rule
   * checks of `PortRule.sanitize`; before, it read the lists as nil (`HTTP == nil && …`), so `http: []` was L7 rules.
   * The first stored l4.go with `Len() == 0` carries the CRD `OneOf` markers that came with 1.16.
   */
  emptyL7ListIsNoRule: V.V1_16,
  /**
   * HTTP, Kafka and `l7proto` rules on a port range (`endPort` above `port`): Cilium 1.17 enforces them on every port of
   * the range; the 1.16 agent refuses them (cilium/cilium#36050, "[v1.16] policy/api: Disallow Port Ranges for All L7
   * Rules", merged December 2024 into the v1.16 branch only). DNS rules on a range are refused in every version
   * (`sanitize-dns-port-range`).
   */
  l7PortRange: V.V1_17,
};

/**
 * The wire fields a rule item may hold per section, with the first version whose CRD has them. A field absent
 * from a section (e.g. `toFQDNs` in `egressDeny`, `authentication` in deny sections) is unknown to the API server.
 */
export const SECTION_FIELDS: Readonly<Record<SectionName, readonly Since[]>> = {
  ingress: [
    { value: 'fromEndpoints', since: V.V1_14 },
    { value: 'fromRequires', since: V.V1_14 },
    { value: 'fromCIDR', since: V.V1_14 },
    { value: 'fromCIDRSet', since: V.V1_14 },
    { value: 'fromEntities', since: V.V1_14 },
    { value: 'fromGroups', since: V.V1_16 },
    { value: 'fromNodes', since: V.V1_16 },
    { value: 'toPorts', since: V.V1_14 },
    { value: 'icmps', since: V.V1_14 },
    { value: 'authentication', since: V.V1_14 },
  ],
  ingressDeny: [
    { value: 'fromEndpoints', since: V.V1_14 },
    { value: 'fromRequires', since: V.V1_14 },
    { value: 'fromCIDR', since: V.V1_14 },
    { value: 'fromCIDRSet', since: V.V1_14 },
    { value: 'fromEntities', since: V.V1_14 },
    { value: 'fromGroups', since: V.V1_16 },
    { value: 'fromNodes', since: V.V1_16 },
    { value: 'toPorts', since: V.V1_14 },
    { value: 'icmps', since: V.V1_14 },
  ],
  egress: [
    { value: 'toEndpoints', since: V.V1_14 },
    { value: 'toRequires', since: V.V1_14 },
    { value: 'toCIDR', since: V.V1_14 },
    { value: 'toCIDRSet', since: V.V1_14 },
    { value: 'toEntities', since: V.V1_14 },
    { value: 'toServices', since: V.V1_14 },
    { value: 'toFQDNs', since: V.V1_14 },
    { value: 'toGroups', since: V.V1_14 },
    { value: 'toNodes', since: V.V1_16 },
    { value: 'toPorts', since: V.V1_14 },
    { value: 'icmps', since: V.V1_14 },
    { value: 'authentication', since: V.V1_14 },
  ],
  egressDeny: [
    { value: 'toEndpoints', since: V.V1_14 },
    { value: 'toRequires', since: V.V1_14 },
    { value: 'toCIDR', since: V.V1_14 },
    { value: 'toCIDRSet', since: V.V1_14 },
    { value: 'toEntities', since: V.V1_14 },
    { value: 'toServices', since: V.V1_14 },
    { value: 'toGroups', since: V.V1_14 },
    { value: 'toNodes', since: V.V1_16 },
    { value: 'toPorts', since: V.V1_14 },
    { value: 'icmps', since: V.V1_14 },
  ],
};

/** Top-level rule fields (`spec` / `specs[]`) with the first version whose CRD has them. */
export const RULE_FIELDS: readonly Since[] = [
  { value: 'description', since: V.V1_14 },
  { value: 'egress', since: V.V1_14 },
  { value: 'egressDeny', since: V.V1_14 },
  { value: 'enableDefaultDeny', since: V.V1_16 },
  { value: 'endpointSelector', since: V.V1_14 },
  { value: 'ingress', since: V.V1_14 },
  { value: 'ingressDeny', since: V.V1_14 },
  { value: 'labels', since: V.V1_14 },
  { value: 'log', since: V.V1_18 },
  { value: 'nodeSelector', since: V.V1_14 },
];

/** `toPorts[].ports[]` fields. */
export const PORT_FIELDS: readonly Since[] = [
  { value: 'port', since: V.V1_14 },
  { value: 'endPort', since: V.V1_16 },
  { value: 'protocol', since: V.V1_14 },
];

/** `fromCIDRSet[]`/`toCIDRSet[]` fields; the first three are a `oneOf`. */
export const CIDR_SET_FIELDS: readonly Since[] = [
  { value: 'cidr', since: V.V1_14 },
  { value: 'cidrGroupRef', since: V.V1_14 },
  { value: 'cidrGroupSelector', since: V.V1_17 },
  { value: 'except', since: V.V1_14 },
];

/** `toPorts[].listener` fields. */
export const LISTENER_FIELDS: readonly Since[] = [
  { value: 'envoyConfig', since: V.V1_14 },
  { value: 'name', since: V.V1_14 },
  { value: 'priority', since: LISTENER_PRIORITY_SINCE },
];

/** CRD patterns, verbatim (Go RE2 syntax). Run them with `SAFE` (RE2), never as JavaScript regexes. */
export const CRD_PATTERNS = {
  /** `ports[].port`; only half-anchored, so it accepts anything that starts with a digit or ends with a letter run. */
  port: '^(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})|([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$',
  /** matchLabels values. */
  labelValue: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$',
  /** `cidrGroupRef`. */
  cidrGroupRef: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  /** `toFQDNs[].matchName` and `rules.dns[].matchName`. */
  fqdnName: '^([-a-zA-Z0-9_]+[.]?)+$',
  /** `toFQDNs[].matchPattern` and `rules.dns[].matchPattern`. */
  fqdnPattern: '^([-a-zA-Z0-9_*]+[.]?)+$',
  /** `serverNames[]` (1.18+). */
  serverName: '^(\\*?\\*\\.)?([-a-zA-Z0-9_]+\\.?)+$',
  /** `log.value` (1.18+). */
  logValue: '^\\PC*$',
  /** ICMP `type` as a string (1.16+); note `ExtendedEcho Reply` with a space, as the CRD has it. */
  icmpType: '^([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5]|EchoReply|DestinationUnreachable|Redirect|Echo|RouterAdvertisement|'
    + 'RouterSelection|TimeExceeded|ParameterProblem|Timestamp|TimestampReply|Photuris|ExtendedEchoRequest|ExtendedEcho Reply|'
    + 'PacketTooBig|ParameterProblem|EchoRequest|MulticastListenerQuery|MulticastListenerReport|MulticastListenerDone|'
    + 'RouterSolicitation|RouterAdvertisement|NeighborSolicitation|NeighborAdvertisement|RedirectMessage|RouterRenumbering|'
    + 'ICMPNodeInformationQuery|ICMPNodeInformationResponse|InverseNeighborDiscoverySolicitation|'
    + 'InverseNeighborDiscoveryAdvertisement|HomeAgentAddressDiscoveryRequest|HomeAgentAddressDiscoveryReply|'
    + 'MobilePrefixSolicitation|MobilePrefixAdvertisement|DuplicateAddressRequestCodeSuffix|'
    + 'DuplicateAddressConfirmationCodeSuffix)$',
  /** CIDR strings on 1.14/1.15 (replaced by `format: cidr` in 1.16). The `s*` are upstream's (a lost backslash). */
  legacyCidr: '^(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\\/([0-9]|[1-2][0-9]|3[0-2])$'
    + '|^s*((([0-9A-Fa-f]{1,4}:){7}(:|([0-9A-Fa-f]{1,4})))|(([0-9A-Fa-f]{1,4}:){6}:([0-9A-Fa-f]{1,4})?)|'
    + '(([0-9A-Fa-f]{1,4}:){5}(((:[0-9A-Fa-f]{1,4}){0,1}):([0-9A-Fa-f]{1,4})?))|'
    + '(([0-9A-Fa-f]{1,4}:){4}(((:[0-9A-Fa-f]{1,4}){0,2}):([0-9A-Fa-f]{1,4})?))|'
    + '(([0-9A-Fa-f]{1,4}:){3}(((:[0-9A-Fa-f]{1,4}){0,3}):([0-9A-Fa-f]{1,4})?))|'
    + '(([0-9A-Fa-f]{1,4}:){2}(((:[0-9A-Fa-f]{1,4}){0,4}):([0-9A-Fa-f]{1,4})?))|'
    + '(([0-9A-Fa-f]{1,4}:){1}(((:[0-9A-Fa-f]{1,4}){0,5}):([0-9A-Fa-f]{1,4})?))|'
    + '(:(:|((:[0-9A-Fa-f]{1,4}){1,7}))))(%.+)?s*/([0-9]|[1-9][0-9]|1[0-1][0-9]|12[0-8])$',
};

/**
 * The CRD patterns as checks, run by the one RE2 engine (`model/re2.ts`: Go semantics, linear time; a backtracking engine
 * takes exponential time on their nested quantifiers). `test/validate/syntax.test.ts` checks each one against the
 * verbatim pattern.
 */
export const SAFE = {
  /** `CRD_PATTERNS.port`: starts with a digit, or some suffix is a letter-bearing name. */
  port: (s: string): boolean => startsWithDigit(s) || crdPattern(CRD_PATTERNS.port, s),
  /** `CRD_PATTERNS.fqdnName`. */
  fqdnName: (s: string): boolean => crdPattern(CRD_PATTERNS.fqdnName, s),
  /** `CRD_PATTERNS.fqdnPattern`. */
  fqdnPattern: (s: string): boolean => crdPattern(CRD_PATTERNS.fqdnPattern, s),
  /** `CRD_PATTERNS.serverName`. */
  serverName: (s: string): boolean => crdPattern(CRD_PATTERNS.serverName, s),
  /** `CRD_PATTERNS.logValue`: no control, format, surrogate or private-use characters. */
  logValue: (s: string): boolean => crdPattern(CRD_PATTERNS.logValue, s),
};

/**
 * Whether `s` starts with an ASCII digit: then `CRD_PATTERNS.port` matches (its first alternative, `^(…|[0-9]{1,4})`,
 * matches the leading digit), so the common numeric port needs no RE2 run (nor loading the RE2 engine).
 */
function startsWithDigit(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/** Whether `value` matches a CRD pattern (Go `MatchString`: anywhere, unless the pattern anchors itself). */
function crdPattern(pattern: string, value: string): boolean {
  return re2Test(pattern, value);
}

/** ICMP type names the agent resolves, per family (from the `type` field's documentation in the CRDs). */
export const ICMP_TYPE_NAMES: Readonly<Record<'IPv4' | 'IPv6', readonly string[]>> = {
  IPv4: [
    'EchoReply', 'DestinationUnreachable', 'Redirect', 'Echo', 'EchoRequest', 'RouterAdvertisement', 'RouterSelection',
    'TimeExceeded', 'ParameterProblem', 'Timestamp', 'TimestampReply', 'Photuris', 'ExtendedEchoRequest', 'ExtendedEchoReply',
  ],
  IPv6: [
    'DestinationUnreachable', 'PacketTooBig', 'TimeExceeded', 'ParameterProblem', 'EchoRequest', 'EchoReply',
    'MulticastListenerQuery', 'MulticastListenerReport', 'MulticastListenerDone', 'RouterSolicitation', 'RouterAdvertisement',
    'NeighborSolicitation', 'NeighborAdvertisement', 'RedirectMessage', 'RouterRenumbering', 'ICMPNodeInformationQuery',
    'ICMPNodeInformationResponse', 'InverseNeighborDiscoverySolicitation', 'InverseNeighborDiscoveryAdvertisement',
    'HomeAgentAddressDiscoveryRequest', 'HomeAgentAddressDiscoveryReply', 'MobilePrefixSolicitation', 'MobilePrefixAdvertisement',
    'DuplicateAddressRequestCodeSuffix', 'DuplicateAddressConfirmationCodeSuffix', 'ExtendedEchoRequest', 'ExtendedEchoReply',
  ],
};
