/**
 * The policy model: plain, immutable data for Cilium's `api.Rule` and the CNP/CCNP resources that hold it.
 *
 * This is the one representation of a policy in the SDK. The constructs build it, `fromYaml`/`fromObject`
 * read it back from manifests, the emitter turns it into CRD JSON, and the validator (and later the verdict
 * engine) consume it. It knows nothing of cdk8s.
 *
 * Two deliberate choices:
 * - Rule items are direction-neutral: `endpoints` is `fromEndpoints` in an ingress section and `toEndpoints`
 *   in an egress section. The emitter and parser own the mapping (see `PEER_FIELDS`).
 * - Values keep Cilium's wire types (ports are strings, protocols and entities are strings) so that a
 *   hand-written manifest can be represented faithfully, including its mistakes, for the validator to report.
 *   An omitted list (`undefined`) and an empty list (`[]`) are different things in Cilium (`fromEndpoints: []`
 *   selects nothing) and stay different here.
 */

/** The two Cilium policy kinds. */
export type PolicyKind = 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';

/** `apiVersion` of both kinds. */
export const CILIUM_API_VERSION = 'cilium.io/v2';

/** A Kubernetes label selector as Cilium reads it (keys may carry a `source:` prefix such as `k8s:`). */
export interface LabelSelectorModel {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelExpressionModel[];
}

/** One `matchExpressions` entry. `operator` is one of In, NotIn, Exists, DoesNotExist. */
export interface LabelExpressionModel {
  readonly key: string;
  readonly operator: string;
  readonly values?: readonly string[];
}

/** One `fromCIDRSet`/`toCIDRSet` entry: exactly one of `cidr`, `cidrGroupRef`, `cidrGroupSelector`. */
export interface CidrRuleModel {
  readonly cidr?: string;
  readonly cidrGroupRef?: string;
  readonly cidrGroupSelector?: LabelSelectorModel;
  readonly except?: readonly string[];
}

/** One `toServices` entry: exactly one of `k8sService`, `k8sServiceSelector`. */
export interface ServiceSelectorModel {
  readonly k8sService?: { readonly serviceName: string; readonly namespace?: string };
  readonly k8sServiceSelector?: { readonly selector: LabelSelectorModel; readonly namespace?: string };
}

/** A `toFQDNs` entry or an L7 `dns` rule: exactly one of `matchName`, `matchPattern`. */
export interface FqdnSelectorModel {
  readonly matchName?: string;
  readonly matchPattern?: string;
}

/** One `toPorts[].ports[]` entry. `port` is a decimal string, a named port, or omitted (1.19+). */
export interface PortProtocolModel {
  readonly port?: string;
  readonly endPort?: number;
  readonly protocol?: string;
}

/** An HTTP `headerMatches` entry. */
export interface HeaderMatchModel {
  readonly name: string;
  readonly value?: string;
  readonly secret?: { readonly name: string; readonly namespace?: string };
  readonly mismatch?: string;
}

/** One L7 HTTP rule; `method`, `path` and `host` are regular expressions matched against the whole value. */
export interface HttpRuleModel {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  readonly headers?: readonly string[];
  readonly headerMatches?: readonly HeaderMatchModel[];
}

/** One L7 Kafka rule (deprecated in Cilium 1.18). */
export interface KafkaRuleModel {
  readonly role?: string;
  readonly apiKey?: string;
  readonly apiVersion?: string;
  readonly clientID?: string;
  readonly topic?: string;
}

/** `toPorts[].rules`: exactly one L7 kind. */
export interface L7RulesModel {
  readonly http?: readonly HttpRuleModel[];
  readonly kafka?: readonly KafkaRuleModel[];
  readonly dns?: readonly FqdnSelectorModel[];
  readonly l7proto?: string;
  readonly l7?: readonly Readonly<Record<string, string>>[];
}

/**
 * One `toPorts` entry. TLS interception (`terminatingTLS`/`originatingTLS`) and Envoy `listener`s are kept
 * as opaque JSON so that hand-written policies round-trip; the typed API does not write them.
 */
export interface PortRuleModel {
  readonly ports?: readonly PortProtocolModel[];
  readonly rules?: L7RulesModel;
  readonly serverNames?: readonly string[];
  readonly terminatingTLS?: unknown;
  readonly originatingTLS?: unknown;
  readonly listener?: unknown;
}

/** One ICMP match: `type` is a number 0-255 or a CamelCase name; `family` is IPv4 (default) or IPv6. */
export interface IcmpFieldModel {
  readonly family?: string;
  readonly type: number | string;
}

/** One `icmps` entry. */
export interface IcmpRuleModel {
  readonly fields?: readonly IcmpFieldModel[];
}

/**
 * One item of an `ingress`/`ingressDeny`/`egress`/`egressDeny` list, direction-neutral.
 *
 * Cilium allows at most one L3 peer field per item (see `PEER_FIELDS`); no peer field at all means any peer.
 */
export interface RuleItemModel {
  /** `fromEndpoints` / `toEndpoints`. */
  readonly endpoints?: readonly LabelSelectorModel[];
  /** `fromCIDR` / `toCIDR`. */
  readonly cidr?: readonly string[];
  /** `fromCIDRSet` / `toCIDRSet`. */
  readonly cidrSet?: readonly CidrRuleModel[];
  /** `fromEntities` / `toEntities`. */
  readonly entities?: readonly string[];
  /** `fromNodes` / `toNodes` (1.16+). */
  readonly nodes?: readonly LabelSelectorModel[];
  /** `toServices` (egress only). */
  readonly services?: readonly ServiceSelectorModel[];
  /** `toFQDNs` (egress allow only). */
  readonly fqdns?: readonly FqdnSelectorModel[];
  /** `fromGroups` / `toGroups` (AWS), kept opaque. */
  readonly groups?: readonly unknown[];
  /** `fromRequires` / `toRequires`: removed in 1.19, never written by the SDK; read back for validation. */
  readonly requires?: readonly LabelSelectorModel[];
  /** `toPorts`. In deny sections only `ports` is allowed. */
  readonly toPorts?: readonly PortRuleModel[];
  /** `icmps`. */
  readonly icmps?: readonly IcmpRuleModel[];
  /** `authentication` (allow sections only). */
  readonly authentication?: { readonly mode: string };
}

/** The four rule sections of a Cilium rule. */
export type SectionName = 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny';

/** All sections, in the order the SDK writes them. */
export const SECTIONS: readonly SectionName[] = ['ingress', 'ingressDeny', 'egress', 'egressDeny'];

/** A rule label (`spec.labels[]`). */
export interface RuleLabelModel {
  readonly key: string;
  readonly value?: string;
  readonly source?: string;
}

/** One Cilium rule (`spec` or an element of `specs`). Exactly one of `endpointSelector`/`nodeSelector`. */
export interface RuleModel {
  readonly endpointSelector?: LabelSelectorModel;
  readonly nodeSelector?: LabelSelectorModel;
  readonly ingress?: readonly RuleItemModel[];
  readonly ingressDeny?: readonly RuleItemModel[];
  readonly egress?: readonly RuleItemModel[];
  readonly egressDeny?: readonly RuleItemModel[];
  readonly enableDefaultDeny?: { readonly ingress?: boolean; readonly egress?: boolean };
  readonly description?: string;
  readonly log?: { readonly value: string };
  readonly labels?: readonly RuleLabelModel[];
}

/** Object metadata the model keeps. */
export interface PolicyMetadataModel {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A whole CNP or CCNP resource. `spec` and `specs` may both be present; Cilium imports each rule. */
export interface PolicyDocumentModel {
  readonly kind: PolicyKind;
  readonly metadata: PolicyMetadataModel;
  readonly spec?: RuleModel;
  readonly specs?: readonly RuleModel[];
}

/** The L3 peer fields of a rule item. */
export type PeerField = 'endpoints' | 'cidr' | 'cidrSet' | 'entities' | 'nodes' | 'services' | 'fqdns' | 'groups' | 'requires';

/**
 * The L3 peer fields with their wire names per direction. `undefined` means the field does not exist in
 * that direction. `requires` is not an L3 selector for Cilium's mutual-exclusion rule.
 */
export const PEER_FIELDS: Readonly<Record<PeerField, { readonly ingress?: string; readonly egress?: string; readonly l3: boolean }>> = {
  endpoints: { ingress: 'fromEndpoints', egress: 'toEndpoints', l3: true },
  cidr: { ingress: 'fromCIDR', egress: 'toCIDR', l3: true },
  cidrSet: { ingress: 'fromCIDRSet', egress: 'toCIDRSet', l3: true },
  entities: { ingress: 'fromEntities', egress: 'toEntities', l3: true },
  nodes: { ingress: 'fromNodes', egress: 'toNodes', l3: true },
  services: { egress: 'toServices', l3: true },
  fqdns: { egress: 'toFQDNs', l3: true },
  groups: { ingress: 'fromGroups', egress: 'toGroups', l3: true },
  requires: { ingress: 'fromRequires', egress: 'toRequires', l3: false },
};

/** All peer fields in the order the SDK writes them. */
export const PEER_FIELD_NAMES = Object.keys(PEER_FIELDS) as PeerField[];

/** The direction of a section. */
export function sectionDirection(section: SectionName): 'ingress' | 'egress' {
  return section.startsWith('ingress') ? 'ingress' : 'egress';
}

/** Whether a section holds deny rules. */
export function isDenySection(section: SectionName): boolean {
  return section.endsWith('Deny');
}

/** The rules of a document, `spec` first, then `specs`, with their JSON path prefix. */
export function documentRules(doc: PolicyDocumentModel): { rule: RuleModel; path: string }[] {
  const out: { rule: RuleModel; path: string }[] = [];
  if (doc.spec) out.push({ rule: doc.spec, path: 'spec' });
  (doc.specs ?? []).forEach((rule, i) => out.push({ rule, path: `specs[${i}]` }));
  return out;
}

/** The peer fields that are present (not `undefined`) in an item, in `PEER_FIELD_NAMES` order. */
export function presentPeerFields(item: RuleItemModel): PeerField[] {
  return PEER_FIELD_NAMES.filter((f) => item[f] !== undefined);
}
