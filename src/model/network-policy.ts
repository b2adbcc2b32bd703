/**
 * Kubernetes NetworkPolicy (`networking.k8s.io/v1`) in the policy model, translated the way the Cilium agent translates
 * it (pkg/k8s/network_policy.go `ParseNetworkPolicy`) into one Cilium rule of the same repository as CNPs and CCNPs:
 * - the subject is `podSelector` (keys as `k8s:` labels) plus `k8s:io.kubernetes.pod.namespace=<namespace>`;
 * - each peer of `from`/`to` becomes its own rule item: `podSelector` alone selects pods of the policy's namespace;
 *   `namespaceSelector` selects by namespace labels (`k8s:io.cilium.k8s.namespace.labels.<key>`; `{}` = every
 *   namespace, `k8s:io.kubernetes.pod.namespace Exists`), AND'ed with a `podSelector` in the same peer; `ipBlock` is a
 *   `fromCIDRSet`/`toCIDRSet` entry with its `except` (CIDR identities only: it never matches pods);
 * - a rule without peers (`from`/`to` missing or empty) matches every peer (the wildcard endpoint selector);
 * - `ports` apply to every item of the rule, one `toPorts` entry each: protocol TCP unless given, no port = every port,
 *   `endPort` ranges, named ports as written;
 * - `policyTypes`: with no ingress rules, `Ingress` listed (or `Egress` not listed, the implicit form) makes an
 *   `ingress: [{}]` default deny; with no egress rules, `Egress` listed makes an `egress: [{}]` one. Rules of a direction
 *   `policyTypes` leaves out are translated all the same (Kubernetes ignores them; cilium/cilium#48703).
 *
 * The result is a `RuleModel` in the form of a raw `api.Rule` (selectors already carry their namespace), plus the
 * NetworkPolicy path each item came from (`spec.ingress[1].from[0]`) so that explanations name the NetworkPolicy rule.
 */
import { isManifestObject, ManifestObject } from './manifests';
import { nullListItemsAsEmpty, nullMapValuesAsEmpty } from './null-map-values';
import { objectNamespace } from './resource-key';
import { CidrRuleModel, LabelExpressionModel, LabelSelectorModel, PolicyMetadataModel, PortRuleModel, RuleItemModel, RuleModel } from './policy-model';

/** The kind of a Kubernetes NetworkPolicy. */
export const NETWORK_POLICY_KIND = 'NetworkPolicy';

/** Where a translated rule item came from in the NetworkPolicy. */
export interface NetworkPolicyItemSource {
  /** The NetworkPolicy path: `spec.ingress[1].from[0]`, `spec.egress[0]`, or `spec.policyTypes` for a synthesized default deny. */
  readonly path: string;
  /** The index of the NetworkPolicy rule (`spec.ingress[i]`), -1 for a synthesized default deny. */
  readonly rule: number;
  /**
   * An ingress peer of only an `ipBlock`, which Cilium 1.19.0-1.19.4 also translates as a selector of the pods of the
   * policy namespace (`ipBlockPeerSelectsNamespace`).
   * @default false
   */
  readonly ipBlockOnly?: boolean;
}

/** A NetworkPolicy translated into one Cilium rule. */
export interface NetworkPolicyModel {
  /** Name and namespace (`default` when unset). */
  readonly metadata: PolicyMetadataModel;
  /** The Cilium rule, as `ParseNetworkPolicy` builds it (a raw `api.Rule`: namespaces already in the selectors). */
  readonly rule: RuleModel;
  /** The source of each item of `rule.ingress` and `rule.egress`, in order. */
  readonly sources: { readonly ingress: readonly NetworkPolicyItemSource[]; readonly egress: readonly NetworkPolicyItemSource[] };
  /**
   * The directions whose rules Cilium enforces although the written `policyTypes` leaves them out (Kubernetes ignores
   * them): `ParseNetworkPolicy` translates every `ingress` and `egress` rule whatever `policyTypes` says (cilium/cilium#48703).
   */
  readonly enforcedOutsidePolicyTypes: readonly ('ingress' | 'egress')[];
  /**
   * The name the agent gives the rule (its label `io.cilium.k8s.policy.name`, which Hubble flows report as the policy's
   * name): the annotation `policy.cilium.io/name`, else its alias `io.cilium.name`, when not empty; else `metadata.name`
   * (`GetPolicyLabelsv1`; the annotation found first decides, so an empty `policy.cilium.io/name` hides the alias).
   */
  readonly ciliumName: string;
}

/** Pod label key of the namespace. */
const POD_NAMESPACE = 'k8s:io.kubernetes.pod.namespace';
/** Prefix of the namespace labels pods carry. */
const NAMESPACE_LABELS = 'k8s:io.cilium.k8s.namespace.labels.';

/** The annotation that names a NetworkPolicy's rule in Cilium (`annotation.PolicyName`), and its older alias (`PolicyNameAlias`). */
const POLICY_NAME_ANNOTATIONS = ['policy.cilium.io/name', 'io.cilium.name'];

/**
 * Whether an object is meant as a Kubernetes NetworkPolicy: kind `NetworkPolicy` in the `networking.k8s.io` group (any
 * version and case, or no apiVersion at all) or the old `extensions/v1beta1`. Only `networking.k8s.io/v1` is served: the
 * others are read so that `validate` reports them (`k8s-np-api-version`) and the engine skips them, never in silence.
 * Other groups' kinds of that name (Calico's `crd.projectcalico.org/v1`) are not.
 */
export function isNetworkPolicy(obj: unknown): obj is ManifestObject {
  if (!isManifestObject(obj) || obj.kind !== NETWORK_POLICY_KIND) return false;
  if (typeof obj.apiVersion !== 'string') return true;
  const group = obj.apiVersion.toLowerCase();
  return group.startsWith('networking.k8s.io/') || group === 'extensions/v1beta1';
}

/** Translates a NetworkPolicy object; `undefined` when it is not one. Never throws on malformed input. */
export function translateNetworkPolicy(obj: unknown): NetworkPolicyModel | undefined {
  if (!isNetworkPolicy(obj)) return undefined;
  const meta = objectOr(obj.metadata);
  const name = typeof meta.name === 'string' ? meta.name : '';
  const namespace = objectNamespace(meta.namespace);
  const spec = objectOr(obj.spec);
  const policyTypes = Array.isArray(spec.policyTypes) ? spec.policyTypes.map(String) : [];
  // Written policyTypes (the API server defaults an absent one from the rules, which then never leaves a direction out).
  const written = Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0;
  const enforcedOutsidePolicyTypes = (['ingress', 'egress'] as const).filter((d) => written && objects(spec[d]).length > 0
    && !policyTypes.includes(d === 'ingress' ? 'Ingress' : 'Egress'));
  const ingress: RuleItemModel[] = [];
  const egress: RuleItemModel[] = [];
  const sources = { ingress: [] as NetworkPolicyItemSource[], egress: [] as NetworkPolicyItemSource[] };
  for (const [direction, out] of [['ingress', ingress], ['egress', egress]] as const) {
    const peersKey = direction === 'ingress' ? 'from' : 'to';
    objects(spec[direction]).forEach((npRule, i) => {
      const peers = objects(npRule[peersKey]);
      const toPorts = Array.isArray(npRule.ports) && npRule.ports.length > 0 ? objects(npRule.ports).map(portRule) : undefined;
      const withPorts = (item: RuleItemModel): RuleItemModel => (toPorts ? { ...item, toPorts } : item);
      if (peers.length === 0) {
        out.push(withPorts({ endpoints: [{}] }));
        sources[direction].push({ path: `spec.${direction}[${i}]`, rule: i });
        return;
      }
      peers.forEach((peer, j) => {
        const selector = peerSelector(peer, namespace);
        const item: { endpoints?: LabelSelectorModel[]; cidrSet?: CidrRuleModel[] } = {};
        if (selector) item.endpoints = [selector];
        if (isManifestObject(peer.ipBlock)) item.cidrSet = [ipBlockRule(peer.ipBlock)];
        out.push(withPorts(item));
        const ipBlockOnly = direction === 'ingress' && selector === undefined && item.cidrSet !== undefined;
        sources[direction].push({ path: `spec.${direction}[${i}].${peersKey}[${j}]`, rule: i, ...(ipBlockOnly ? { ipBlockOnly } : {}) });
      });
    });
  }
  if (ingress.length === 0 && (policyTypes.includes('Ingress') || !policyTypes.includes('Egress'))) {
    ingress.push({});
    sources.ingress.push({ path: 'spec.policyTypes', rule: -1 });
  }
  if (egress.length === 0 && policyTypes.includes('Egress')) {
    egress.push({});
    sources.egress.push({ path: 'spec.policyTypes', rule: -1 });
  }
  const podSelector = isManifestObject(spec.podSelector) ? spec.podSelector : {};
  const subject = prefixed(podSelector, 'k8s:');
  const rule: RuleModel = {
    endpointSelector: { ...subject, matchLabels: { ...subject.matchLabels, [POD_NAMESPACE]: namespace } },
    ...(ingress.length > 0 ? { ingress } : {}),
    ...(egress.length > 0 ? { egress } : {}),
  };
  return { metadata: { name, namespace }, rule, sources, enforcedOutsidePolicyTypes, ciliumName: ciliumPolicyName(objectOr(meta.annotations), name) };
}

/** `GetPolicyLabelsv1`: `annotation.Get(np, PolicyName, PolicyNameAlias)` (the first key present), else the object's name when empty. */
function ciliumPolicyName(annotations: ManifestObject, name: string): string {
  const key = POLICY_NAME_ANNOTATIONS.find((k) => Object.prototype.hasOwnProperty.call(annotations, k));
  const value = key !== undefined ? annotations[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : name;
}

/** `parseNetworkPolicyPeer`: the endpoint selector of a peer, `undefined` for an `ipBlock`-only peer. */
function peerSelector(peer: ManifestObject, namespace: string): LabelSelectorModel | undefined {
  const pod = isManifestObject(peer.podSelector) ? prefixed(peer.podSelector, 'k8s:') : undefined;
  if (isManifestObject(peer.namespaceSelector)) {
    const ns = prefixed(peer.namespaceSelector, NAMESPACE_LABELS);
    const nsExpressions: LabelExpressionModel[] = Object.keys(ns.matchLabels ?? {}).length === 0 && (ns.matchExpressions ?? []).length === 0
      ? [{ key: POD_NAMESPACE, operator: 'Exists' }] : [...(ns.matchExpressions ?? [])];
    return compactSelector({ ...ns.matchLabels, ...pod?.matchLabels }, [...nsExpressions, ...(pod?.matchExpressions ?? [])]);
  }
  if (pod) return compactSelector({ ...pod.matchLabels, [POD_NAMESPACE]: namespace }, [...(pod.matchExpressions ?? [])]);
  return undefined;
}

function ipBlockRule(block: ManifestObject): CidrRuleModel {
  const except = Array.isArray(block.except) ? block.except.map(String) : [];
  return { cidr: String(block.cidr ?? ''), ...(except.length > 0 ? { except } : {}) };
}

/** `parsePorts`: one `toPorts` entry per NetworkPolicy port; protocol TCP unless given, no port = every port (`0`). */
function portRule(port: ManifestObject): PortRuleModel {
  const protocol = typeof port.protocol === 'string' ? port.protocol.toUpperCase() : 'TCP';
  const value = typeof port.port === 'number' || typeof port.port === 'string' ? String(port.port) : '0';
  const endPort = typeof port.endPort === 'number' && port.port !== undefined ? port.endPort : undefined;
  return { ports: [{ port: value, protocol, ...(endPort !== undefined ? { endPort } : {}) }] };
}

/** A Kubernetes label selector with every key given a prefix (`NewESFromK8sLabelSelector`). */
function prefixed(selector: ManifestObject, prefix: string): LabelSelectorModel {
  const matchLabels: Record<string, string> = {};
  // A null value is the empty string the API server stores (a NetworkPolicy is decoded into Go's map[string]string).
  for (const [k, v] of Object.entries(objectOr(nullMapValuesAsEmpty(selector.matchLabels)))) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') matchLabels[`${prefix}${k}`] = String(v);
  }
  const matchExpressions = objects(selector.matchExpressions).filter((e) => typeof e.key === 'string').map((e) => ({
    key: `${prefix}${String(e.key)}`,
    operator: String(e.operator ?? ''),
    // A null item is the empty string the API server stores (`nullListItemsAsEmpty`), not the text "null".
    ...(Array.isArray(e.values) ? { values: nullListItemsAsEmpty(e.values).map(String) } : {}),
  }));
  return compactSelector(matchLabels, matchExpressions);
}

function compactSelector(matchLabels: Record<string, string>, matchExpressions: LabelExpressionModel[]): LabelSelectorModel {
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}

function objectOr(value: unknown): ManifestObject {
  return isManifestObject(value) ? value : {};
}

function objects(value: unknown): ManifestObject[] {
  return Array.isArray(value) ? value.filter(isManifestObject) : [];
}
