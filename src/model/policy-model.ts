/**
 * The policy model: plain, immutable data for Cilium's `api.Rule` and the CNP/CCNP resources that hold it.
 *
 * This is the one representation of a policy in the SDK. The constructs build it, `PolicyModel.fromYaml`/`fromObject`
 * read it back from manifests, the emitter (`PolicyModel.toManifest`) turns it into CRD JSON, and the validator and the
 * verdict engine consume it. It knows nothing of cdk8s.
 *
 * Two deliberate choices:
 * - Rule items are direction-neutral: `endpoints` is `fromEndpoints` in an ingress section and `toEndpoints`
 *   in an egress section. The emitter and parser own the mapping (see `PEER_FIELDS`).
 * - Values keep Cilium's wire types (ports are strings, protocols and entities are strings) so that a
 *   hand-written manifest can be represented faithfully, including its mistakes, for the validator to report.
 *   An omitted list (`undefined`) and an empty list (`[]`) are different things in Cilium (`fromEndpoints: []`
 *   selects nothing) and stay different here.
 */

/** The two Cilium policy kinds (the values are the `kind` of the manifest). */
export enum PolicyKind {
  /** A namespaced `CiliumNetworkPolicy` (CNP). */
  CILIUM_NETWORK_POLICY = 'CiliumNetworkPolicy',
  /** A cluster-scoped `CiliumClusterwideNetworkPolicy` (CCNP). */
  CILIUM_CLUSTERWIDE_NETWORK_POLICY = 'CiliumClusterwideNetworkPolicy',
}

/** `apiVersion` of both kinds (public as `PolicyModel.API_VERSION`). */
export const CILIUM_API_VERSION = 'cilium.io/v2';

/** A Kubernetes label selector as Cilium reads it (keys may carry a `source:` prefix such as `k8s:`). */
export interface LabelSelectorModel {
  /**
   * Labels the endpoint must carry, each with exactly this value.
   * @default - no label constraint
   */
  readonly matchLabels?: { [key: string]: string };
  /**
   * Set-based requirements, all of which must hold.
   * @default - no expression
   */
  readonly matchExpressions?: LabelExpressionModel[];
}

/** One `matchExpressions` entry. `operator` is one of In, NotIn, Exists, DoesNotExist. */
export interface LabelExpressionModel {
  /** The label key (may carry a source prefix such as `k8s:`). */
  readonly key: string;
  /** `In`, `NotIn`, `Exists` or `DoesNotExist` (kept as written, so that a wrong operator can be reported). */
  readonly operator: string;
  /**
   * The values for `In` and `NotIn`.
   * @default - none (what `Exists` and `DoesNotExist` take)
   */
  readonly values?: string[];
}

/** One `fromCIDRSet`/`toCIDRSet` entry: exactly one of `cidr`, `cidrGroupRef`, `cidrGroupSelector`. */
export interface CidrRuleModel {
  /**
   * An IPv4 or IPv6 CIDR such as `10.0.0.0/8`.
   * @default - absent
   */
  readonly cidr?: string;
  /**
   * The name of a `CiliumCIDRGroup` whose CIDRs are selected.
   * @default - absent
   */
  readonly cidrGroupRef?: string;
  /**
   * Selects `CiliumCIDRGroup`s by their labels (Cilium 1.17+).
   * @default - absent
   */
  readonly cidrGroupSelector?: LabelSelectorModel;
  /**
   * CIDRs carved out of `cidr`.
   * @default - nothing carved out
   */
  readonly except?: string[];
}

/** `toServices[].k8sService`: one Service by name. */
export interface ServiceReferenceModel {
  /**
   * The Service's `metadata.name`.
   * @default - none: the entry matches no Service (Cilium compares the name, pkg/policy/k8s/service.go `serviceRefMatches`)
   */
  readonly serviceName?: string;
  /**
   * Its namespace.
   * @default - the Service is matched in every namespace
   */
  readonly namespace?: string;
}

/** `toServices[].k8sServiceSelector`: the Services whose own labels match a selector. */
export interface ServiceLabelSelectorModel {
  /** Selects Services by their labels. */
  readonly selector: LabelSelectorModel;
  /**
   * Their namespace.
   * @default - Services of every namespace
   */
  readonly namespace?: string;
}

/** One `toServices` entry: exactly one of `k8sService`, `k8sServiceSelector`. */
export interface ServiceSelectorModel {
  /**
   * One Service by name.
   * @default - absent
   */
  readonly k8sService?: ServiceReferenceModel;
  /**
   * The Services whose own labels match a selector.
   * @default - absent
   */
  readonly k8sServiceSelector?: ServiceLabelSelectorModel;
}

/** A `toFQDNs` entry or an L7 `dns` rule: exactly one of `matchName`, `matchPattern`. */
export interface FqdnSelectorModel {
  /**
   * An exact DNS name such as `api.example.com`.
   * @default - absent
   */
  readonly matchName?: string;
  /**
   * A DNS name pattern with `*` (one label or part of one) or, from 1.19, a leading `**.` (several labels).
   * @default - absent
   */
  readonly matchPattern?: string;
}

/** One `toPorts[].ports[]` entry. `port` is a decimal string, a named port, or omitted (1.19+). */
export interface PortProtocolModel {
  /**
   * A decimal port (`"8080"`) or a named container port (`"http"`).
   * @default - every port (1.19+)
   */
  readonly port?: string;
  /**
   * The last port of a range starting at `port` (1.16+).
   * @default - `port` alone
   */
  readonly endPort?: number;
  /**
   * `TCP`, `UDP`, `SCTP`, `ANY`, or (1.19+) `VRRP`, `IGMP`.
   * @default - `ANY`
   */
  readonly protocol?: string;
}

/** A reference to a Kubernetes Secret (`headerMatches[].secret`). */
export interface SecretReferenceModel {
  /** The Secret's name. */
  readonly name: string;
  /**
   * Its namespace.
   * @default - the policy's namespace
   */
  readonly namespace?: string;
}

/** An HTTP `headerMatches` entry. */
export interface HeaderMatchModel {
  /** The HTTP header name. */
  readonly name: string;
  /**
   * The value the header must have.
   * @default - the value of `secret`, else the header must only be present
   */
  readonly value?: string;
  /**
   * A Kubernetes Secret holding the value.
   * @default - `value`
   */
  readonly secret?: SecretReferenceModel;
  /**
   * What to do when the header does not match: `LOG`, `ADD`, `DELETE` or `REPLACE`.
   * @default - the request is refused
   */
  readonly mismatch?: string;
}

/** One L7 HTTP rule; `method`, `path` and `host` are regular expressions matched against the whole value. */
export interface HttpRuleModel {
  /**
   * RE2 regex over the HTTP method.
   * @default - any method
   */
  readonly method?: string;
  /**
   * RE2 regex over the URL path.
   * @default - any path
   */
  readonly path?: string;
  /**
   * RE2 regex over the `Host` header.
   * @default - any host
   */
  readonly host?: string;
  /**
   * Headers that must be present, as `Name` or `Name: value`.
   * @default - none
   */
  readonly headers?: string[];
  /**
   * Header checks with an action on mismatch.
   * @default - none
   */
  readonly headerMatches?: HeaderMatchModel[];
}

/** One L7 Kafka rule (deprecated in Cilium 1.18). */
export interface KafkaRuleModel {
  /**
   * `produce` or `consume`: a shorthand for the API keys of that role.
   * @default - `apiKey` decides
   */
  readonly role?: string;
  /**
   * A Kafka API key name such as `produce` or `fetch`.
   * @default - any API key
   */
  readonly apiKey?: string;
  /**
   * The API version.
   * @default - any version
   */
  readonly apiVersion?: string;
  /**
   * The client ID.
   * @default - any client
   */
  readonly clientID?: string;
  /**
   * The topic.
   * @default - any topic
   */
  readonly topic?: string;
}

/** `toPorts[].rules`: exactly one L7 kind. */
export interface L7RulesModel {
  /**
   * HTTP rules: a request must match one of them.
   * @default - absent
   */
  readonly http?: HttpRuleModel[];
  /**
   * Kafka rules (deprecated in 1.18, removed in 1.20).
   * @default - absent
   */
  readonly kafka?: KafkaRuleModel[];
  /**
   * DNS rules: the names a pod may look up through the DNS proxy.
   * @default - absent
   */
  readonly dns?: FqdnSelectorModel[];
  /**
   * The name of a generic L7 parser (with `l7`).
   * @default - absent
   */
  readonly l7proto?: string;
  /**
   * Key-value rules for the `l7proto` parser.
   * @default - absent
   */
  readonly l7?: { [key: string]: string }[];
}

/**
 * One `toPorts` entry. TLS interception (`terminatingTLS`/`originatingTLS`) and Envoy `listener`s are kept
 * as opaque JSON so that hand-written policies round-trip; the typed API does not write them.
 */
export interface PortRuleModel {
  /**
   * The ports (at most 40 per entry).
   * @default - every port
   */
  readonly ports?: PortProtocolModel[];
  /**
   * L7 rules on these ports (allow sections only).
   * @default - L4 only
   */
  readonly rules?: L7RulesModel;
  /**
   * TLS SNI names the connection must carry.
   * @default - any
   */
  readonly serverNames?: string[];
  /**
   * TLS termination context, as written.
   * @default - absent
   */
  readonly terminatingTLS?: unknown;
  /**
   * TLS origination context, as written.
   * @default - absent
   */
  readonly originatingTLS?: unknown;
  /**
   * An Envoy listener to redirect to, as written.
   * @default - absent
   */
  readonly listener?: unknown;
}

/** One ICMP match: `type` is a number 0-255 or a CamelCase name; `family` is IPv4 (default) or IPv6. */
export interface IcmpFieldModel {
  /**
   * `IPv4` or `IPv6`.
   * @default 'IPv4'
   */
  readonly family?: string;
  /** The ICMP type: a number 0-255, or (1.16+) a CamelCase name such as `EchoRequest`. */
  readonly type: number | string;
}

/** One `icmps` entry. */
export interface IcmpRuleModel {
  /**
   * The ICMP types matched (at most 40).
   * @default - none
   */
  readonly fields?: IcmpFieldModel[];
}

/**
 * One item of an `ingress`/`ingressDeny`/`egress`/`egressDeny` list, direction-neutral.
 *
 * Cilium allows at most one L3 peer field per item (see `PEER_FIELDS`); no peer field at all means any peer.
 */
export interface RuleItemModel {
  /**
   * `fromEndpoints` / `toEndpoints`.
   * @default - absent
   */
  readonly endpoints?: LabelSelectorModel[];
  /**
   * `fromCIDR` / `toCIDR`.
   * @default - absent
   */
  readonly cidr?: string[];
  /**
   * `fromCIDRSet` / `toCIDRSet`.
   * @default - absent
   */
  readonly cidrSet?: CidrRuleModel[];
  /**
   * `fromEntities` / `toEntities`.
   * @default - absent
   */
  readonly entities?: string[];
  /**
   * `fromNodes` / `toNodes` (1.16+).
   * @default - absent
   */
  readonly nodes?: LabelSelectorModel[];
  /**
   * `toServices` (egress only).
   * @default - absent
   */
  readonly services?: ServiceSelectorModel[];
  /**
   * `toFQDNs` (egress allow only).
   * @default - absent
   */
  readonly fqdns?: FqdnSelectorModel[];
  /**
   * `fromGroups` / `toGroups` (AWS), kept opaque.
   * @default - absent
   */
  readonly groups?: unknown[];
  /**
   * `fromRequires` / `toRequires`: removed in 1.19, never written by the SDK; read back for validation.
   * @default - absent
   */
  readonly requires?: LabelSelectorModel[];
  /**
   * `toPorts`. In deny sections only `ports` is allowed.
   * @default - every port and protocol
   */
  readonly toPorts?: PortRuleModel[];
  /**
   * `icmps`.
   * @default - no ICMP match
   */
  readonly icmps?: IcmpRuleModel[];
  /**
   * `authentication` (allow sections only).
   * @default - none
   */
  readonly authentication?: AuthenticationModel;
}

/** A rule item's `authentication`. */
export interface AuthenticationModel {
  /** `disabled`, `required` or `test-always-fail` (kept as written, so that a wrong mode can be reported). */
  readonly mode: string;
}

/** The four rule sections of a Cilium rule (the values are the field names of `RuleModel`). */
export enum SectionName {
  /** `ingress`: allowed ingress. */
  INGRESS = 'ingress',
  /** `ingressDeny`: denied ingress. */
  INGRESS_DENY = 'ingressDeny',
  /** `egress`: allowed egress. */
  EGRESS = 'egress',
  /** `egressDeny`: denied egress. */
  EGRESS_DENY = 'egressDeny',
}

/** All sections, in the order the SDK writes them. */
export const SECTIONS: readonly SectionName[] = [SectionName.INGRESS, SectionName.INGRESS_DENY, SectionName.EGRESS, SectionName.EGRESS_DENY];

/** A rule label (`spec.labels[]`). */
export interface RuleLabelModel {
  /** The label key. */
  readonly key: string;
  /**
   * The label value.
   * @default - empty
   */
  readonly value?: string;
  /**
   * The label source, such as `k8s`.
   * @default - unspecified
   */
  readonly source?: string;
}

/** One Cilium rule (`spec` or an element of `specs`). Exactly one of `endpointSelector`/`nodeSelector`. */
export interface RuleModel {
  /**
   * The endpoints (pods) the rule applies to; `{}` selects all (of the namespace, in a CNP).
   * @default - absent (then `nodeSelector`)
   */
  readonly endpointSelector?: LabelSelectorModel;
  /**
   * The nodes a host policy applies to (CCNP only).
   * @default - absent (then `endpointSelector`)
   */
  readonly nodeSelector?: LabelSelectorModel;
  /**
   * Allowed ingress; present (even `[{}]`) puts the subjects into ingress default deny.
   * @default - absent
   */
  readonly ingress?: RuleItemModel[];
  /**
   * Denied ingress, which wins over every allow.
   * @default - absent
   */
  readonly ingressDeny?: RuleItemModel[];
  /**
   * Allowed egress; present puts the subjects into egress default deny.
   * @default - absent
   */
  readonly egress?: RuleItemModel[];
  /**
   * Denied egress, which wins over every allow.
   * @default - absent
   */
  readonly egressDeny?: RuleItemModel[];
  /**
   * Whether the rule puts its subjects into default deny per direction (1.16+).
   * @default - true for each direction the rule has a section for
   */
  readonly enableDefaultDeny?: DefaultDenyModel;
  /**
   * A free-text description.
   * @default - none
   */
  readonly description?: string;
  /**
   * Policy verdict logging (1.18+).
   * @default - none
   */
  readonly log?: LogConfigModel;
  /**
   * Rule labels.
   * @default - none
   */
  readonly labels?: RuleLabelModel[];
}

/** A rule's `enableDefaultDeny` (1.16+). */
export interface DefaultDenyModel {
  /**
   * Ingress default deny.
   * @default true
   */
  readonly ingress?: boolean;
  /**
   * Egress default deny.
   * @default true
   */
  readonly egress?: boolean;
}

/** A rule's `log` (1.18+). */
export interface LogConfigModel {
  /** The value written into the policy verdict log. */
  readonly value: string;
}

/** Object metadata the model keeps. */
export interface PolicyMetadataModel {
  /** `metadata.name` (`""` for none: then `generateName` names it, or the API server stores no such object). */
  readonly name: string;
  /**
   * `metadata.generateName`: without a name, the API server names the object with this prefix when it creates it (every
   * create a new object); with neither, it stores none (`nameMissing`, `parse-missing-name`).
   * @default - none
   */
  readonly generateName?: string;
  /**
   * `metadata.namespace` (CNP only).
   * @default - none (cluster-scoped, or left to kubectl)
   */
  readonly namespace?: string;
  /**
   * `metadata.labels`.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * `metadata.annotations` (the constructs write `cdk8s-cilium.io/cilium-version`).
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

/** A whole CNP or CCNP resource. `spec` and `specs` may both be present; Cilium imports each rule. */
export interface PolicyDocumentModel {
  /** `CiliumNetworkPolicy` or `CiliumClusterwideNetworkPolicy`. */
  readonly kind: PolicyKind;
  /** The object metadata. */
  readonly metadata: PolicyMetadataModel;
  /**
   * The one rule.
   * @default - absent (then `specs`)
   */
  readonly spec?: RuleModel;
  /**
   * Several rules.
   * @default - absent (then `spec`)
   */
  readonly specs?: RuleModel[];
}

/** The L3 peer fields of a rule item (the values are the field names of `RuleItemModel`). */
export enum PeerField {
  /** `fromEndpoints` / `toEndpoints`. */
  ENDPOINTS = 'endpoints',
  /** `fromCIDR` / `toCIDR`. */
  CIDR = 'cidr',
  /** `fromCIDRSet` / `toCIDRSet`. */
  CIDR_SET = 'cidrSet',
  /** `fromEntities` / `toEntities`. */
  ENTITIES = 'entities',
  /** `fromNodes` / `toNodes`. */
  NODES = 'nodes',
  /** `toServices`. */
  SERVICES = 'services',
  /** `toFQDNs`. */
  FQDNS = 'fqdns',
  /** `fromGroups` / `toGroups`. */
  GROUPS = 'groups',
  /** `fromRequires` / `toRequires`. */
  REQUIRES = 'requires',
}

/** The wire names of a peer field per direction. */
export interface PeerFieldWireNames {
  /** The field name in ingress sections (`fromEndpoints`); `undefined` when it does not exist there. */
  readonly ingress?: string;
  /** The field name in egress sections (`toEndpoints`); `undefined` when it does not exist there. */
  readonly egress?: string;
  /** Whether it is an L3 selector (at most one per rule item). */
  readonly l3: boolean;
}

/**
 * The L3 peer fields with their wire names per direction. `undefined` means the field does not exist in
 * that direction. `requires` is not an L3 selector for Cilium's mutual-exclusion rule.
 */
export const PEER_FIELDS: Readonly<Record<PeerField, PeerFieldWireNames>> = {
  [PeerField.ENDPOINTS]: { ingress: 'fromEndpoints', egress: 'toEndpoints', l3: true },
  [PeerField.CIDR]: { ingress: 'fromCIDR', egress: 'toCIDR', l3: true },
  [PeerField.CIDR_SET]: { ingress: 'fromCIDRSet', egress: 'toCIDRSet', l3: true },
  [PeerField.ENTITIES]: { ingress: 'fromEntities', egress: 'toEntities', l3: true },
  [PeerField.NODES]: { ingress: 'fromNodes', egress: 'toNodes', l3: true },
  [PeerField.SERVICES]: { egress: 'toServices', l3: true },
  [PeerField.FQDNS]: { egress: 'toFQDNs', l3: true },
  [PeerField.GROUPS]: { ingress: 'fromGroups', egress: 'toGroups', l3: true },
  [PeerField.REQUIRES]: { ingress: 'fromRequires', egress: 'toRequires', l3: false },
};

/** All peer fields in the order the SDK writes them. */
export const PEER_FIELD_NAMES = Object.keys(PEER_FIELDS) as PeerField[];

/** The direction of a section. */
export function sectionDirection(section: SectionName): 'ingress' | 'egress' {
  return section === SectionName.INGRESS || section === SectionName.INGRESS_DENY ? 'ingress' : 'egress';
}

/** Whether a section holds deny rules. */
export function isDenySection(section: SectionName): boolean {
  return section === SectionName.INGRESS_DENY || section === SectionName.EGRESS_DENY;
}

/** A rule of a document and where it is. */
export interface DocumentRule {
  /** The rule. */
  readonly rule: RuleModel;
  /** Its JSON path prefix: `spec` or `specs[i]`. */
  readonly path: string;
}

/** The rules of a document, `spec` first, then `specs`, with their JSON path prefix. */
export function documentRules(doc: PolicyDocumentModel): DocumentRule[] {
  const out: DocumentRule[] = [];
  if (doc.spec) out.push({ rule: doc.spec, path: 'spec' });
  (doc.specs ?? []).forEach((rule, i) => out.push({ rule, path: `specs[${i}]` }));
  return out;
}

/** The peer fields that are present (not `undefined`) in an item, in `PEER_FIELD_NAMES` order. */
export function presentPeerFields(item: RuleItemModel): PeerField[] {
  return PEER_FIELD_NAMES.filter((f) => item[f] !== undefined);
}

/** The L3 peer fields (every peer field but `fromRequires`/`toRequires`, which alone leave an item open to any peer). */
export const L3_PEER_FIELDS: readonly PeerField[] = PEER_FIELD_NAMES.filter((f) => PEER_FIELDS[f].l3);

/** Whether an item names an L3 peer (any L3 peer field present, empty or not); without one it is open to every peer. */
export function itemNamesPeer(item: RuleItemModel): boolean {
  return L3_PEER_FIELDS.some((f) => item[f] !== undefined);
}

/**
 * The L3 peer fields whose empty list (`[]`) selects nothing from Cilium 1.16: the agent checks them for empty non-nil
 * slices (pkg/policy/utils/parserules.go `mergeEndpointSelectors`; before the policy entries, `getAggregatedSelectors`
 * and `getDestinationEndpointSelectorsWithRequirements`). An empty `toFQDNs`, `toServices` or `from/toGroups` list is
 * not checked: it adds no selector, as if the field were left out (with `toPorts`, every peer on them).
 */
export const EMPTY_LIST_CHECKED_PEER_FIELDS: readonly PeerField[] = [
  PeerField.ENDPOINTS, PeerField.NODES, PeerField.ENTITIES, PeerField.CIDR, PeerField.CIDR_SET,
];
