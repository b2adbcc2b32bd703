/**
 * The two ends of a connection the engine is asked about: a pod, a reserved entity, an IP outside the cluster, an FQDN
 * with the IP it resolved to, or a node. Plain data, with a compact text form for the CLI and the test matchers.
 */
import { CiliumPolicyError, showValue } from '../core/errors';
import { parseIp } from '../model/cidr';
import { OptionDefaults, checkOptionKeys } from '../model/known-keys';
import { DNS_LENGTH_FIX, addressShapedDnsName, dnsLengthRefusal, isDnsName, isLookupName } from '../model/fqdn-pattern';
import { isIdentityLabelKey, isLabelValue } from '../validate/syntax';
import { IDENTITY_LABEL_SOURCES, nodeKeySourceProblem, POD_LABEL_SOURCES, splitLabelKey } from '../model/labels';

/** What an endpoint is. */
export enum EndpointKind {
  /** A pod. */
  POD = 'pod',
  /** A reserved entity (host, remote-node, world, …). */
  ENTITY = 'entity',
  /** An IP address outside the cluster. */
  CIDR = 'cidr',
  /** A DNS name and the address it resolved to. */
  FQDN = 'fqdn',
  /** A node. */
  NODE = 'node',
}

/** A named container port of a pod (`containers[].ports[]`). */
export interface NamedPort {
  /** The port name, as declared (compared case-insensitively). */
  readonly name: string;
  /** The container port number. */
  readonly port: number;
  /**
   * Its protocol.
   * @default 'TCP'
   */
  readonly protocol?: string;
}

/**
 * One end of a connection. Which fields matter depends on `kind`:
 * - `pod`: `namespace`, `labels` (the pod's own labels, without Cilium's), `ports`, `serviceAccount`, `namespaceLabels`, `nodeName`;
 * - `entity`: `entity` (host, remote-node, world, health, kube-apiserver, init, ingress, unmanaged);
 * - `cidr`: `ip` (an address outside the cluster: the world identity with CIDR labels);
 * - `fqdn`: `name` and `ip` (a DNS name and the address it resolved to; world);
 * - `node`: `labels` (node labels), `name` (else the `kubernetes.io/hostname` label), `ip`. A node is a remote node
 *   unless it is the node of the pod on the other end (`nodeName`), which makes it the local host.
 */
export interface Endpoint {
  /** What the endpoint is. */
  readonly kind: EndpointKind;
  /**
   * The pod's namespace.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Pod or node labels. Keys may carry a Cilium source (`k8s:app`); pod labels are `k8s:` otherwise. A label of a source
   * Cilium gives other identities (`reserved:world`, `cidr:`, `fqdn:`; `node:` on a pod) is refused (`engine-endpoint-syntax`).
   * @default - no labels
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * The pod's named container ports (named `toPorts` are resolved on the destination).
   * @default - taken from a matching workload of the inventory, else none
   */
  readonly ports?: NamedPort[];
  /**
   * The pod's service account (`io.cilium.k8s.policy.serviceaccount`); `''` for a pod of an empty `serviceAccountName`,
   * whose identity has no such label. One written among `labels` wins over this field (it is the identity's label).
   * @default - from a matching workload of the inventory; else not known: the pod is judged where every account it may
   * run as decides alike, and `trace`, the test matchers, `replay`, `verdict()` and `decide()` refuse the connection
   * otherwise (`engine-service-account-unknown`)
   */
  readonly serviceAccount?: string;
  /**
   * Labels of the pod's namespace (`io.cilium.k8s.namespace.labels.<key>`).
   * @default - from a Namespace of the inventory, plus `kubernetes.io/metadata.name`
   */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /**
   * The node the pod runs on: a `node` endpoint with this name is its local host.
   * @default - unknown
   */
  readonly nodeName?: string;
  /**
   * The entity name (kind `entity`). On a node (kind `node`), only `kube-apiserver`: the node runs the API server, and
   * its identity also carries `reserved:kube-apiserver` (as a control-plane node's does in a Hubble capture).
   * @default - none
   */
  readonly entity?: string;
  /**
   * An IP address (kinds `cidr`, `fqdn`, optionally `node`; with the entity `kube-apiserver`, the address of a managed
   * API server outside the cluster, see `Endpoints.managedApiServer`).
   * @default - none
   */
  readonly ip?: string;
  /**
   * The DNS name (kind `fqdn`) or the node name (kind `node`).
   * @default - none
   */
  readonly name?: string;
}

/** @internal Entities that can be an end of a connection (`cluster`, `all` and `none` are groups, not endpoints). */
export const ENDPOINT_ENTITIES: readonly string[] = [
  'host', 'remote-node', 'world', 'world-ipv4', 'world-ipv6', 'health', 'kube-apiserver', 'init', 'ingress', 'unmanaged',
];

/** Options of `Endpoints.pod()`. */
export interface PodEndpointOptions {
  /**
   * Named container ports.
   * @default - from the inventory
   */
  readonly ports?: NamedPort[];
  /**
   * Service account (`''`: none, an empty `serviceAccountName`).
   * @default - from the inventory, else not known (see `Endpoint.serviceAccount`)
   */
  readonly serviceAccount?: string;
  /**
   * Namespace labels.
   * @default - from the inventory
   */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /**
   * Node name.
   * @default - unknown
   */
  readonly nodeName?: string;
}

/** The options of `PodEndpointOptions` with their defaults (`option-unknown`; kept equal to the interface by test/engine/option-keys-interfaces.test.ts). */
export const POD_ENDPOINT_OPTION_DEFAULTS: OptionDefaults = {
  ports: 'from the inventory',
  serviceAccount: 'from the inventory, else not known',
  namespaceLabels: 'from the inventory',
  nodeName: 'unknown',
};

/**
 * @internal The fields of `Endpoint` with their defaults (`option-unknown`; kept equal to the interface by
 * test/engine/option-keys-interfaces.test.ts). A hand-built endpoint is checked once per object, when a set first
 * resolves it (`EndpointRecords.record`).
 */
export const ENDPOINT_FIELD_DEFAULTS: OptionDefaults = {
  kind: 'none: it is required',
  namespace: "'default'",
  labels: 'no labels',
  ports: 'from a matching workload of the inventory, else none',
  serviceAccount: 'from a matching workload of the inventory, else not known',
  namespaceLabels: 'from a Namespace of the inventory',
  nodeName: 'unknown',
  entity: 'none',
  ip: 'none',
  name: 'none',
};

/** What a field of an endpoint left at its default in place of the one meant does (`option-unknown`). */
export const ENDPOINT_RISK = 'so the connection would be judged for another endpoint than asked (a pod of another namespace, without its labels)';

/** Factories, the text form and the entities of `Endpoint`s. */
export class Endpoints {
  /** Entities that can be an end of a connection (`cluster`, `all` and `none` are groups, not endpoints). */
  public static readonly ENTITIES: string[] = [...ENDPOINT_ENTITIES];

  /**
   * Parses the text form of an endpoint (as the CLI and the test matchers take it):
   * `pod:<namespace>:<k=v,...>`, `entity:<name>`, `entity:kube-apiserver@<ip>` (a managed API server), `cidr:<ip>`,
   * `fqdn:<name>@<ip>`, `node:<k=v,...>[@<ip>]` (with `reserved:kube-apiserver` among the labels: a node that runs the
   * API server, `entity: 'kube-apiserver'`).
   * @throws CiliumPolicyError (`engine-endpoint-syntax`) for anything else
   */
  public static parse(text: string): Endpoint {
    return parseEndpoint(text);
  }

  /** The text form of an endpoint (the inverse of `Endpoints.parse`, labels sorted). */
  public static format(endpoint: Endpoint): string {
    return formatEndpoint(endpoint);
  }

  /**
   * A pod in `namespace` with `labels`.
   * @throws CiliumPolicyError for an option `PodEndpointOptions` does not declare (`option-unknown`)
   */
  public static pod(namespace: string, labels: Readonly<Record<string, string>>, options: PodEndpointOptions = {}): Endpoint {
    // Spread into the endpoint, a misspelled option became a field no one reads: `serviceAcount` left the account to the inventory.
    checkOptionKeys(options, POD_ENDPOINT_OPTION_DEFAULTS, { call: 'Endpoints.pod()', risk: 'so the pod would be judged as another pod than asked' });
    return compact({ kind: EndpointKind.POD, namespace, labels: { ...labels }, ...options });
  }

  /**
   * A reserved entity: host, remote-node, world, world-ipv4, world-ipv6, health, kube-apiserver, init, ingress, unmanaged.
   * `world` is an address outside the cluster of the cluster's IP family (`PolicySetOptions.ipFamilies`; IPv4 in a
   * dual-stack cluster), `world-ipv4`/`world-ipv6` one of that family.
   */
  public static entity(name: string): Endpoint {
    checkEntity(name, `entity:${name}`);
    return { kind: EndpointKind.ENTITY, entity: name };
  }

  /**
   * The API server of a managed control plane (EKS, GKE, AKS) at `ip`, outside the cluster: Cilium gives its address a
   * CIDR identity with `reserved:kube-apiserver` and `reserved:world` (pkg/ipcache), so the `kube-apiserver`, `world` and
   * `cluster` entities and CIDR rules holding `ip` select it, `remote-node` does not. `Endpoints.entity('kube-apiserver')`
   * is the API server on the cluster's nodes (identity 7).
   */
  public static managedApiServer(ip: string): Endpoint {
    checkIp(ip, `entity:kube-apiserver@${ip}`);
    return { kind: EndpointKind.ENTITY, entity: 'kube-apiserver', ip };
  }

  /** An IP address outside the cluster. */
  public static cidr(ip: string): Endpoint {
    checkIp(ip, `cidr:${ip}`);
    return { kind: EndpointKind.CIDR, ip };
  }

  /** A DNS name and the IP it resolved to. */
  public static fqdn(name: string, ip: string): Endpoint {
    checkFqdn(name, `fqdn:${name}@${ip}`);
    checkIp(ip, `fqdn:${name}@${ip}`);
    return { kind: EndpointKind.FQDN, name, ip };
  }

  /**
   * A node with these labels (`kubernetes.io/hostname` names it). With `reserved:kube-apiserver` among them (no value), a
   * node that runs the API server (`entity: 'kube-apiserver'`), as its text form `node:reserved:kube-apiserver,...` is.
   */
  public static node(labels: Readonly<Record<string, string>>, ip?: string): Endpoint {
    if (ip !== undefined) checkIp(ip, `node@${ip}`);
    return nodeEndpoint(labels, ip, () => `node:${Object.keys(labels).sort().map((k) => (labels[k] === '' ? k : `${k}=${labels[k]}`)).join(',')}`);
  }

  private constructor() {}
}

/**
 * @internal Parses the CLI form of an endpoint (`Endpoints.parse`):
 * `pod:<namespace>:<k=v,...>`, `entity:<name>`, `cidr:<ip>`, `fqdn:<name>@<ip>`, `node:<k=v,...>[@<ip>]`.
 * @throws CiliumPolicyError (`engine-endpoint-syntax`) for anything else
 */
export function parseEndpoint(text: string): Endpoint {
  const input = String(text).trim();
  const colon = input.indexOf(':');
  const kind = colon < 0 ? input : input.slice(0, colon);
  const rest = colon < 0 ? '' : input.slice(colon + 1);
  switch (kind) {
    case 'pod': {
      const i = rest.indexOf(':');
      const namespace = i < 0 ? rest : rest.slice(0, i);
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
        throw syntax(input, `"${namespace}" is not a namespace name`, 'write pod:<namespace>:<key>=<value>,..., e.g. pod:default:app=web');
      }
      const labels = parseLabels(i < 0 ? '' : rest.slice(i + 1), input);
      refuseForeignSources(labels, input, podKeySourceProblem);
      return Endpoints.pod(namespace, labels);
    }
    case 'entity': {
      const at = rest.indexOf('@');
      if (at >= 0) {
        if (rest.slice(0, at) !== 'kube-apiserver') {
          throw syntax(input, 'only the kube-apiserver entity takes an address (a managed API server)', `write entity:${rest.slice(0, at)} or entity:kube-apiserver@<ip>`);
        }
        checkIp(rest.slice(at + 1), input);
        return { kind: EndpointKind.ENTITY, entity: 'kube-apiserver', ip: rest.slice(at + 1) };
      }
      checkEntity(rest, input);
      return { kind: EndpointKind.ENTITY, entity: rest };
    }
    case 'cidr': {
      const ip = withoutHostPrefix(rest);
      checkIp(ip, input);
      return { kind: EndpointKind.CIDR, ip };
    }
    case 'fqdn': {
      const at = rest.lastIndexOf('@');
      if (at < 0) throw syntax(input, 'an FQDN endpoint needs the IP it resolved to', `write fqdn:${rest || 'api.example.com'}@<ip>`);
      const name = rest.slice(0, at);
      checkFqdn(name, input);
      checkIp(rest.slice(at + 1), input);
      return { kind: EndpointKind.FQDN, name, ip: rest.slice(at + 1) };
    }
    case 'node': {
      const at = rest.lastIndexOf('@');
      const labels = parseLabels(at < 0 ? rest : rest.slice(0, at), input);
      refuseForeignSources(labels, input, nodeKeySourceProblem);
      const ip = at < 0 ? undefined : rest.slice(at + 1);
      if (ip !== undefined) checkIp(ip, input);
      return nodeEndpoint(labels, ip, input);
    }
    default:
      throw kindMissing(input, kind);
  }
}

/** The endpoint syntax, as the fix of an endpoint of no kind names it. */
const ENDPOINT_FORMS = 'pod:<namespace>:<k=v,...>, entity:<name>, entity:kube-apiserver@<ip>, cidr:<ip>, fqdn:<name>@<ip> or node:<k=v,...>';

/** An address without its host prefix length (`10.0.0.5/32` → `10.0.0.5`, `2001:db8::1/128` → `2001:db8::1`). */
function withoutHostPrefix(text: string): string {
  return text.replace(/\/(32|128)$/, '');
}

/**
 * The error for text that starts with no endpoint kind. An address, an entity name or a DNS name written alone (`10.0.0.5`,
 * `2001:db8::1`, `world`, `api.stripe.com`, the way `kubectl` and `hubble observe` print them) is named as such, with
 * the endpoint it means: its kind is missing, not unknown. Digits and dots that are no address (`999.1.1.1`, `1.2.3.4.5`)
 * are a mistyped address, not a DNS name; a name past DNS's lengths is offered no `fqdn:`. The input is shown clipped
 * (`showValue`): a 9 KB input was printed three times.
 */
function kindMissing(input: string, kind: string): CiliumPolicyError {
  const shown = showValue(input);
  if (parseIp(withoutHostPrefix(input))) return kindless(shown, 'an address', `cidr:${input}`);
  if (ENDPOINT_ENTITIES.includes(input)) return kindless(shown, 'an entity', `entity:${input}`);
  if (input.includes('.') && isDnsName(input) && addressShapedDnsName(input)) {
    return syntaxShown(shown, `${shown} is no IPv4 or IPv6 address (digits and dots that are no address: a mistyped one, not a DNS name)`,
      `write cidr:<ip> with the address meant, e.g. cidr:192.0.2.10; the forms are ${ENDPOINT_FORMS}`);
  }
  if (input.includes('.') && isLookupName(input)) {
    return kindless(shown, 'a DNS name', `fqdn:${input}@<ip> (the address it resolved to)`);
  }
  return syntaxShown(shown, `unknown endpoint kind ${showValue(kind)}`, `use ${ENDPOINT_FORMS}`);
}

/** The error for `shown` (the input, clipped), which is `what` written without its kind: `write` is the endpoint meant. */
function kindless(shown: string, what: string, write: string): CiliumPolicyError {
  return syntaxShown(shown, `${shown} is ${what} without the endpoint kind`, `write ${write}; the forms are ${ENDPOINT_FORMS}`);
}

/** @internal The text form of an endpoint (`Endpoints.format`: the inverse of `parseEndpoint`, labels sorted). */
export function formatEndpoint(ep: Endpoint): string {
  const labels = (l: Readonly<Record<string, string>> | undefined): string => Object.keys(l ?? {}).sort()
    .map((k) => ((l ?? {})[k] === '' ? k : `${k}=${(l ?? {})[k]}`)).join(',');
  switch (ep.kind) {
    case EndpointKind.POD:
      return `pod:${ep.namespace ?? 'default'}:${labels(ep.labels)}`;
    case EndpointKind.ENTITY:
      return `entity:${ep.entity ?? ''}${ep.entity === 'kube-apiserver' && ep.ip ? `@${ep.ip}` : ''}`;
    case EndpointKind.CIDR:
      return `cidr:${ep.ip ?? ''}`;
    case EndpointKind.FQDN:
      return `fqdn:${ep.name ?? ''}@${ep.ip ?? ''}`;
    case EndpointKind.NODE:
      return `node:${labels(ep.entity === 'kube-apiserver' ? { ...ep.labels, [API_SERVER_NODE_LABEL]: '' } : ep.labels)}${ep.ip ? `@${ep.ip}` : ''}`;
  }
}

/**
 * The label that makes a `node:` endpoint a node that runs the API server: Cilium's identity of such a node carries
 * `reserved:kube-apiserver` beside its other labels (pkg/ipcache/metadata.go `resolveLabels`), the entity `kube-apiserver`
 * of the endpoint (`Endpoint.entity`). Written among the node's labels, and so printed.
 */
const API_SERVER_NODE_LABEL = 'reserved:kube-apiserver';

/** Whether a node's `labels` hold `reserved:kube-apiserver` (`API_SERVER_NODE_LABEL`). */
function hasApiServerLabel(labels: Readonly<Record<string, string>> | undefined): boolean {
  return labels !== undefined && Object.prototype.hasOwnProperty.call(labels, API_SERVER_NODE_LABEL);
}

/**
 * The node endpoint of `labels` (`Endpoints.node` and the text form `node:`): one whose labels hold `reserved:kube-apiserver`
 * is a node that runs the API server (`apiServerNode`). Before, `Endpoints.node({'reserved:kube-apiserver': '', ...})` kept
 * the label as a plain one, and was judged otherwise than its own printed text.
 */
function nodeEndpoint(labels: Readonly<Record<string, string>>, ip: string | undefined, input: EndpointText): Endpoint {
  const node = compact({ kind: EndpointKind.NODE, labels: { ...labels }, name: labels['kubernetes.io/hostname'], ip });
  return hasApiServerLabel(labels) ? apiServerNode(node, input) : node;
}

/** A `node:` endpoint whose labels hold `reserved:kube-apiserver`: the same node as one that runs the API server. */
function apiServerNode(node: Endpoint, input: EndpointText): Endpoint {
  const { [API_SERVER_NODE_LABEL]: value, ...labels } = node.labels ?? {};
  if (value !== '') {
    throw syntax(input, `${API_SERVER_NODE_LABEL} takes no value (it is given "${value}")`,
      `write ${API_SERVER_NODE_LABEL} alone among the node's labels, as node:${API_SERVER_NODE_LABEL},kubernetes.io/hostname=n1`);
  }
  return { ...node, labels, entity: 'kube-apiserver' };
}

/** What is wrong with a pod endpoint's label key of a source no pod's labels carry (`app:frontend`: the source `app`), else `undefined`. */
function podKeySourceProblem(key: string, value: string): { says: string; fix: string } | undefined {
  const { source, key: bare } = splitLabelKey(key);
  if (POD_LABEL_SOURCES.has(source)) return undefined;
  if (source === 'reserved') return reservedOnPodProblem(key, bare);
  const asWritten = value === '' ? '' : `=${value}`;
  return {
    says: `"${key}" reads as the label ${bare} of the source ${source} (the text before the first ":" is a label source), which no pod's `
      + 'labels carry (Cilium gives a pod\'s labels the source k8s): such a pod exists in no cluster, and every answer about it would be made up',
    fix: value === ''
      ? `write labels as key=value: ${source}=${bare} if that is the label meant (or ${bare}, or k8s:${bare}, for a label ${bare} with an empty value)`
      : `write the key without a source (${bare}${asWritten}) or with the k8s source (k8s:${bare}${asWritten})`,
  };
}

/**
 * A reserved label among a pod's (`reserved:world`, `$host`, `reserved.x`): Cilium gives reserved labels only to the
 * identities of entities (pkg/labels `LabelWorld`, `LabelHost`, …; `reserved:init` is an endpoint's whole identity before
 * its labels are known), a pod's labels are of the source k8s (`Map2Labels(labels, "k8s")`, and a Kubernetes label key holds
 * no `:`). Before, `pod:shop:app=api,reserved:world` was judged as the world: `toEntities: [world]` let it in.
 */
function reservedOnPodProblem(key: string, bare: string): { says: string; fix: string } {
  const entity = ENDPOINT_ENTITIES.includes(bare) ? bare : undefined;
  // A Kubernetes key of the `reserved.` prefix (`reserved.example.com/tier`) is the pod label of that name with k8s: written.
  const k8sKey = !key.includes(':') && key.startsWith('reserved.') ? `, or k8s:${key} for the pod label ${key}` : '';
  return {
    says: `"${key}" is the reserved label ${bare}, which no pod carries (Cilium gives reserved labels only to entities such as world and host; `
      + 'a pod\'s labels are of the source k8s): the pod would be judged as that entity',
    fix: `${entity !== undefined ? `trace the entity itself as entity:${entity} (Endpoints.entity('${entity}'))` : 'leave the reserved label out'}${k8sKey}; `
      + 'a pod endpoint names the pod\'s own labels',
  };
}

/**
 * Refuses an endpoint's label of a source no such endpoint carries (`pod:shop:app:frontend`, a typo of `app=frontend`): the
 * endpoint would be one no cluster has, and a trace or a `toDeny` check of it would pass without judging anything.
 */
function refuseForeignSources(
  labels: Readonly<Record<string, string>>, input: string, problem: (key: string, value: string) => { says: string; fix: string } | undefined,
): void {
  for (const [key, value] of Object.entries(labels)) {
    const found = problem(key, value);
    if (found !== undefined) throw syntax(input, found.says, found.fix);
  }
}

function parseLabels(text: string, input: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (key === '' || /\s/.test(key)) throw syntax(input, `"${part}" is not a label`, 'write labels as key=value pairs separated by commas');
    const bad = labelSyntaxProblem(key, value);
    if (bad !== undefined) throw syntax(input, `"${part}" is not a label: ${bad.says}`, bad.fix);
    if (Object.prototype.hasOwnProperty.call(out, key)) {
      throw syntax(input, `label ${key} is given twice ("${key}=${out[key]}" and "${part}"); a pod has one value per label key`,
        `keep one ${key}=<value> (a selector that accepts either value is not an endpoint: trace each pod on its own)`);
    }
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * What makes `key=value` no label of an endpoint: a label source (`k8s:app`, `container:app`) and then a Kubernetes label key
 * (k8s.io/apimachinery `IsQualifiedName`), and a Kubernetes label value (`IsValidLabelValue`), which Cilium's labels are made
 * of (pkg/labels `Map2Labels`). Neither holds `,` or `=`: a label set's id (`LabelSet.id`, `source:key=value` joined by `,`)
 * names one set only. `app!=web` is no label of any pod. The one check of the text form (`parseLabels`) and of hand-built
 * endpoints (`checkEndpointValues`).
 */
function labelSyntaxProblem(key: string, value: string): { says: string; fix: string } | undefined {
  const colon = key.indexOf(':');
  if (!isIdentityLabelKey(key.slice(colon + 1)) || (colon >= 0 && !/^[a-z0-9][-a-z0-9.]*$/i.test(key.slice(0, colon)))) {
    return { says: `${JSON.stringify(key.slice(0, 120))} is not a label key`,
      fix: 'write key=value with a Kubernetes label key ([source:][prefix/]name: letters, digits, -, _ and .); '
        + 'an endpoint is one pod, so conditions such as != do not apply' };
  }
  if (!isLabelValue(value)) {
    const shown = value.length > 63 ? `"${value.slice(0, 63)}…" (${value.length} characters)` : JSON.stringify(value);
    return { says: `${shown} is not a valid label value (of the key ${key})`,
      fix: 'label values are up to 63 letters, digits, -, _ and ., starting and ending alphanumeric' };
  }
  return undefined;
}

/**
 * What is wrong with a hand-built pod's or node's label of a source Cilium gives other identities (`IDENTITY_LABEL_SOURCES`:
 * `Endpoints.pod('shop', {'reserved:world': ''})` was judged as the world), in the words of the text form's refusal
 * (`podKeySourceProblem`, `nodeKeySourceProblem`). Other foreign sources stay judged here, as a capture's may carry them.
 */
function identitySourceProblem(kind: EndpointKind, key: string, value: string): { says: string; fix: string } | undefined {
  if (!IDENTITY_LABEL_SOURCES.has(splitLabelKey(key).source)) return undefined;
  return kind === EndpointKind.POD ? podKeySourceProblem(key, value) : nodeKeySourceProblem(key);
}

/**
 * @internal The values of a hand-built endpoint object (`{ kind: 'cidr', ip: 'not-an-ip' }`), checked as its text form
 * is (`parseEndpoint`): a known kind, a known entity, the address and DNS name a kind needs. Before, such an endpoint was
 * judged as written (`cidr:not-an-ip`, an address no rule holds). The fields themselves are `ENDPOINT_FIELD_DEFAULTS`.
 * @throws CiliumPolicyError (`engine-endpoint-syntax`) naming the endpoint, the bad value and the form to write
 */
export function checkEndpointValues(ep: Endpoint): void {
  if (!ENDPOINT_KINDS.has(ep.kind)) {
    throw syntax(JSON.stringify(ep), `unknown endpoint kind ${JSON.stringify(ep.kind)}`, `give kind one of ${[...ENDPOINT_KINDS].join(', ')} (EndpointKind)`);
  }
  // The endpoint's text only for an error: this runs once per endpoint object a query brings (the cold first pass).
  const input = (): string => formatEndpoint(ep);
  const needIp = (what: string): void => {
    if (ep.ip === undefined) throw syntax(input, `${what} needs the address: ip is not given`, `give ip, e.g. { kind: '${ep.kind}', ip: '192.0.2.10' }`);
  };
  switch (ep.kind) {
    case EndpointKind.CIDR:
      needIp('a cidr endpoint');
      break;
    case EndpointKind.FQDN:
      needIp('an fqdn endpoint');
      checkFqdn(ep.name ?? '', input);
      break;
    case EndpointKind.ENTITY:
      checkEntity(ep.entity ?? '', input);
      if (ep.ip !== undefined && ep.entity !== 'kube-apiserver') {
        throw syntax(input, 'only the kube-apiserver entity takes an address (a managed API server)', `leave ip out, or give entity 'kube-apiserver'`);
      }
      break;
    case EndpointKind.NODE:
      if (ep.entity !== undefined && ep.entity !== 'kube-apiserver') {
        throw syntax(input, `a node takes only the entity kube-apiserver (a node that runs the API server), not ${JSON.stringify(ep.entity)}`,
          `leave entity out, or give entity 'kube-apiserver'`);
      }
      // A hand-built node with the label among its labels: judged as a node with a plain label, not as its text form is.
      if (hasApiServerLabel(ep.labels)) {
        throw syntax(input, `${API_SERVER_NODE_LABEL} among a hand-built node's labels would be judged as a plain label: on a node it is the entity kube-apiserver`,
          `build the node with Endpoints.node(labels) or Endpoints.parse('node:...'), which take the label, or give entity 'kube-apiserver' and leave the label out`);
      }
      break;
    default:
      break;
  }
  // A hand-built pod's or node's labels as the text form's are: `{a: '1,k8s:host='}` shared the label set id of `{a: '1', host: ''}`.
  if (ep.labels !== undefined && (ep.kind === EndpointKind.POD || ep.kind === EndpointKind.NODE)) {
    for (const key of Object.keys(ep.labels)) {
      const bad = labelSyntaxProblem(key, ep.labels[key]) ?? identitySourceProblem(ep.kind, key, ep.labels[key]);
      if (bad !== undefined) throw syntax(input, `the label ${bad.says}`, bad.fix);
    }
  }
  if (ep.ip !== undefined) checkIp(ep.ip, input);
}

function checkEntity(name: string, input: EndpointText): void {
  if (!ENDPOINT_ENTITIES.includes(name)) {
    const group = ['cluster', 'all', 'none'].includes(name) ? ` ("${name}" is a group of endpoints, not one endpoint)` : '';
    throw syntax(input, `unknown entity "${name}"${group}`, `use one of ${ENDPOINT_ENTITIES.join(', ')}`);
  }
}

function checkIp(ip: string, input: EndpointText): void {
  if (!parseIp(ip)) throw syntax(input, `"${ip}" is not an IPv4 or IPv6 address`, 'give a single address such as 192.0.2.10 or 2001:db8::1');
}

function checkFqdn(name: string, input: EndpointText): void {
  if (!isDnsName(name)) throw syntax(input, `"${name}" is not a DNS name`, 'use letters, digits, -, _ and dots, e.g. api.example.com');
  const tooLong = dnsLengthRefusal(name);
  if (tooLong !== undefined) throw syntax(input, tooLong, DNS_LENGTH_FIX);
}

/** The endpoint kinds (`checkEndpointValues` runs once per endpoint object a query brings: no array per call). */
const ENDPOINT_KINDS: ReadonlySet<string> = new Set<string>(Object.values(EndpointKind));

/** An endpoint as written, or how to write it (made only for an error). */
type EndpointText = string | (() => string);

function syntax(input: EndpointText, message: string, fix: string): CiliumPolicyError {
  return syntaxShown(`"${typeof input === 'string' ? input : input()}"`, message, fix);
}

/** The `engine-endpoint-syntax` error of the endpoint shown as `shown` (quoted). */
function syntaxShown(shown: string, message: string, fix: string): CiliumPolicyError {
  return new CiliumPolicyError({ id: 'engine-endpoint-syntax', message: `bad endpoint ${shown}: ${message}`, fix });
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
