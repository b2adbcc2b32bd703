/**
 * Reads Kubernetes manifests: pure functions from one object (parsed YAML/JSON, or what a cdk8s `ApiObject`
 * synthesizes) to what policies care about — its kind, name, namespace and labels; a workload's pod template (pod
 * labels, service account, container ports of the containers and sidecar init containers) and pod selector; a Service's
 * type, selector and ports; a NetworkPolicy's `podSelector`; the addresses of Endpoints/EndpointSlices; a
 * CiliumCIDRGroup's CIDRs. Plus the questions asked of them together: which workloads a Service sends to, and which
 * container ports a named `targetPort` stands for on them.
 *
 * The one manifest reader of the SDK: the construct layer (`workload.ts`), the verdict engine's `EndpointInventory`
 * and the `validate` layer's `ManifestInventory` all read through it, each keeping its own view on top (which ports it
 * keeps, what an unset namespace means, whether an ExternalName Service has pods).
 *
 * Values are read as written, typed or left out: a field of the wrong type reads as absent, and nothing here throws on
 * malformed input. Label values that are numbers or booleans are turned into strings (Go's YAML 1.1 reader reads `true`,
 * `on` and `8080` that way: `on` is the text `true`), a null is the empty string the API server stores; other values are
 * dropped.
 */
import { parseIp } from './cidr';
import { isKubernetesList, listEntries } from './list-items';
import { LabelSelectorModel } from './policy-model';
import { unquotedNumber } from './unquoted-numbers';
import { nullListItemsAsEmpty, nullMapValuesAsEmpty } from './null-map-values';
import { pushAll } from './push-all';
import { DEFAULT_SERVICE_ACCOUNT } from './selectors';

/** A manifest object (a JSON object). */
export type ManifestObject = Record<string, unknown>;

/** Kinds whose pod template is `spec.template`. */
export const POD_TEMPLATE_KINDS: readonly string[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController'];

/** Where a workload keeps its pod template and its pod selector: paths from the object's root (`WORKLOAD_PATHS`). */
export interface WorkloadPaths {
  /** The pod template (`{metadata, spec}`): `[]` for a Pod, which is its own. */
  readonly template: readonly string[];
  /**
   * The pod selector.
   * @default - none (a Pod)
   */
  readonly selector?: readonly string[];
}

/**
 * The one table of where each workload kind keeps its pod template and pod selector: a Pod is its own template; a CronJob
 * keeps both in its job template (`spec.jobTemplate.spec`: batch/v1 `JobTemplateSpec`); the `POD_TEMPLATE_KINDS` in `spec`.
 */
const WORKLOAD_PATHS: ReadonlyMap<string, WorkloadPaths> = new Map<string, WorkloadPaths>([
  ['Pod', { template: [] }],
  ['CronJob', { template: ['spec', 'jobTemplate', 'spec', 'template'], selector: ['spec', 'jobTemplate', 'spec', 'selector'] }],
  ...POD_TEMPLATE_KINDS.map((k): [string, WorkloadPaths] => [k, { template: ['spec', 'template'], selector: ['spec', 'selector'] }]),
]);

/** Where a workload kind keeps its pod template and pod selector; `undefined` for other kinds. */
export function workloadPaths(kind: unknown): WorkloadPaths | undefined {
  return typeof kind === 'string' ? WORKLOAD_PATHS.get(kind) : undefined;
}

/** The value at a path of mappings (`undefined` where one on the way is no mapping). */
function valueAt(obj: ManifestObject, path: readonly string[]): unknown {
  let node: unknown = obj;
  for (const key of path) node = isManifestObject(node) && Object.prototype.hasOwnProperty.call(node, key) ? node[key] : undefined;
  return node;
}

/** What every object has. */
export interface ManifestHeader {
  /** `kind` (`''` when missing). */
  readonly kind: string;
  /**
   * `apiVersion`.
   * @default - missing
   */
  readonly apiVersion?: string;
  /** `metadata.name` (`''` when missing). */
  readonly name: string;
  /**
   * `metadata.namespace`, when a non-empty string.
   * @default - unset (`default`, or the namespace kubectl is pointed at)
   */
  readonly namespace?: string;
  /** `metadata.labels`. */
  readonly labels: Readonly<Record<string, string>>;
}

/** A container port (`containers[].ports[]`). */
export interface ManifestContainerPort {
  /** `containerPort` as a number (`NaN` when it is not one: keep only integers where that matters). */
  readonly port: number;
  /** `protocol` (`TCP` when unset). */
  readonly protocol: string;
  /**
   * `name`.
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * `hostPort`, when a port number (1-65535): the node's address on it is translated to the pod (`nodePortOwner`).
   * @default - none
   */
  readonly hostPort?: number;
}

/** A pod template (or the pod itself, for a Pod). */
export interface ManifestPodTemplate {
  /** The labels of the pods. */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The service account of the pods: `serviceAccountName`, else the deprecated `serviceAccount`, else `default`, which
   * Kubernetes' ServiceAccount admission sets on a pod that names none (and Cilium labels the pod with it). The one reading
   * of a manifest's service account (both inventories).
   */
  readonly serviceAccount: string;
  /** The ports of its containers, then of its sidecar init containers (`restartPolicy: Always`), in order. */
  readonly ports: readonly ManifestContainerPort[];
  /**
   * `hostNetwork: true`: the pods share the node's network namespace. Cilium does not manage them as endpoints: policies
   * selecting them by pod labels do not apply to them, and their traffic carries the node's identity (`host` on the same
   * node, `remote-node` elsewhere).
   * @default false
   */
  readonly hostNetwork?: boolean;
}

/** A Service port (`spec.ports[]`). */
export interface ManifestServicePort {
  /** `port` as a number (`NaN` when it is not one). */
  readonly port: number;
  /** `targetPort` as written (a number, a name, or a string of digits); `port` when unset, `0` or `""`, as the API server defaults it. */
  readonly targetPort: number | string;
  /** `protocol` (`TCP` when unset). */
  readonly protocol: string;
  /**
   * `name`.
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * `nodePort`, when a port number (1-65535).
   * @default - none written (the API server assigns one to a port of a NodePort or LoadBalancer Service)
   */
  readonly nodePort?: number;
}

/** What a Service manifest says. */
export interface ManifestService {
  /**
   * `spec.type`.
   * @default - unset (ClusterIP)
   */
  readonly type?: string;
  /**
   * `spec.selector`, when it is a non-empty map.
   * @default - none (a selector-less Service)
   */
  readonly selector?: Readonly<Record<string, string>>;
  /** `spec.ports`. */
  readonly ports: readonly ManifestServicePort[];
  /**
   * The Service's own addresses, as written (`serviceVirtualAddresses`): `spec.clusterIP`, `spec.clusterIPs`,
   * `spec.externalIPs`, `spec.loadBalancerIP` and `status.loadBalancer.ingress[].ip`, each an IP address.
   * @default - none written (the API server assigns a ClusterIP the manifest does not hold)
   */
  readonly virtualAddresses?: readonly string[];
  /**
   * `spec.allocateLoadBalancerNodePorts: false`: a LoadBalancer Service gets no node port but those written.
   * @default - unset (true: the API server assigns node ports to a LoadBalancer Service)
   */
  readonly allocateLoadBalancerNodePorts?: false;
  /**
   * `spec.clusterIP: None`: a headless Service, whose DNS name resolves to its pods' own addresses (no address of its own).
   * @default - not headless
   */
  readonly headless?: true;
}

/** One Kubernetes object, read: what `readManifest` returns. */
export type ManifestInfo =
  /** A Pod, a workload with `spec.template` (`POD_TEMPLATE_KINDS`) or a CronJob. */
  | {
    readonly type: 'workload'; readonly header: ManifestHeader; readonly template: ManifestPodTemplate;
    /**
     * The pod selector: `spec.selector`, a CronJob's `spec.jobTemplate.spec.selector` (`workloadPaths`; a
     * ReplicationController's label map as `matchLabels`), else (Pods, workloads without one or with an empty one) the pod labels.
     */
    readonly selector: LabelSelectorModel;
  }
  | { readonly type: 'service'; readonly header: ManifestHeader; readonly service: ManifestService }
  | { readonly type: 'namespace'; readonly header: ManifestHeader }
  /** A `networking.k8s.io` NetworkPolicy (`{}` selects every pod of its namespace). */
  | { readonly type: 'network-policy'; readonly header: ManifestHeader; readonly podSelector: LabelSelectorModel }
  /** Endpoints, or an EndpointSlice with a `kubernetes.io/service-name` label: the backend IPs of a Service Cilium keeps (`isBackendEndpoint`). */
  | { readonly type: 'endpoints'; readonly header: ManifestHeader; readonly service: string; readonly addresses: readonly string[] }
  /** A CiliumCIDRGroup: `spec.externalCIDRs`. */
  | { readonly type: 'cidr-group'; readonly header: ManifestHeader; readonly cidrs: readonly string[] }
  /** A Node: its `InternalIP` and `ExternalIP` addresses (`status.addresses`), which the agents give the node's identity. */
  | { readonly type: 'node'; readonly header: ManifestHeader; readonly addresses: readonly string[] }
  /** A `List` (or a typed List, `PodList`): its objects (`listEntries`: nested Lists flattened), not read. */
  | { readonly type: 'list'; readonly items: readonly unknown[] };

/**
 * Reads one object. `undefined` for what is not an object, kinds of no interest, a NetworkPolicy of another API group
 * and an EndpointSlice that names no Service.
 */
export function readManifest(obj: unknown, nested = false): ManifestInfo | undefined {
  const header = readHeader(obj);
  if (!header || !isManifestObject(obj)) return undefined;
  // `List`, and the typed Lists of API responses (`PodList`, `NamespaceList`): their objects as every reader reads them.
  if (isKubernetesList(obj, nested)) return { type: 'list', items: listEntries(obj, nested).entries.map((e) => e.value) };
  const spec = objectOr(obj.spec);
  switch (header.kind) {
    case 'Namespace':
      return { type: 'namespace', header };
    case 'Service':
      return { type: 'service', header, service: readServiceSpec(spec, objectOr(obj.status)) };
    case 'NetworkPolicy':
      if (header.apiVersion !== undefined && !header.apiVersion.startsWith('networking.k8s.io/')) return undefined;
      return { type: 'network-policy', header, podSelector: isManifestObject(spec.podSelector) ? labelSelectorOf(spec.podSelector) : {} };
    case 'Endpoints': {
      const subsets = objects(obj.subsets);
      return { type: 'endpoints', header, service: header.name, addresses: subsets.flatMap((s) => objects(s.addresses).map((a) => String(a.ip ?? ''))) };
    }
    case 'EndpointSlice': {
      const service = header.labels['kubernetes.io/service-name'];
      if (!service) return undefined;
      const addresses = objects(obj.endpoints).filter(isBackendEndpoint)
        .flatMap((e) => (Array.isArray(e.addresses) ? e.addresses.map(String) : []));
      return { type: 'endpoints', header, service, addresses };
    }
    case 'Node':
      return {
        type: 'node', header, addresses: objects(objectOr(obj.status).addresses)
          .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP').map((a) => String(a.address ?? '')).filter((a) => a !== ''),
      };
    case 'CiliumCIDRGroup':
      return { type: 'cidr-group', header, cidrs: Array.isArray(spec.externalCIDRs) ? spec.externalCIDRs.map(String) : [] };
    default: {
      const template = podTemplateOf(obj);
      if (!template) return undefined;
      const pod = readPodTemplate(template);
      const paths = workloadPaths(header.kind);
      const sel = paths?.selector === undefined ? undefined : valueAt(obj, paths.selector);
      const written: LabelSelectorModel = !isManifestObject(sel) ? {}
        // A ReplicationController's selector is a plain label map; the others' a LabelSelector.
        : header.kind === 'ReplicationController' ? ((m) => (Object.keys(m).length > 0 ? { matchLabels: m } : {}))(stringMap(sel))
          : labelSelectorOf(sel);
      // No selector, or an empty one (the API server defaults a ReplicationController's to its pod labels and refuses it
      // elsewhere): the pod labels, never every pod.
      const selector = written.matchLabels || written.matchExpressions ? written : { matchLabels: { ...pod.labels } };
      return { type: 'workload', header, template: pod, selector };
    }
  }
}

/**
 * Whether Cilium keeps an EndpointSlice endpoint as a backend (pkg/k8s/endpoints.go `ParseEndpointSliceV1`): one that is
 * ready (`conditions.ready` true or unset), or not ready but serving (`conditions.serving` true: a terminating pod still
 * serving, kept while `enable-k8s-terminating-endpoint` is on, its default); others are discarded. Endpoints (v1) are read
 * from `subsets[].addresses` only, never `notReadyAddresses` (`ParseEndpoints`).
 */
function isBackendEndpoint(endpoint: ManifestObject): boolean {
  const conditions = objectOr(endpoint.conditions);
  return conditions.ready !== false || conditions.serving === true;
}

/** The kind, name, namespace and labels of an object (`undefined` for what is not an object). */
export function readHeader(obj: unknown): ManifestHeader | undefined {
  if (!isManifestObject(obj)) return undefined;
  const meta = objectOr(obj.metadata);
  return {
    kind: typeof obj.kind === 'string' ? obj.kind : '',
    ...(typeof obj.apiVersion === 'string' ? { apiVersion: obj.apiVersion } : {}),
    name: typeof meta.name === 'string' ? meta.name : '',
    ...(typeof meta.namespace === 'string' && meta.namespace !== '' ? { namespace: meta.namespace } : {}),
    labels: stringMap(meta.labels),
  };
}

/**
 * The pod template of a workload — `{metadata, spec}` of a Pod itself, `spec.template` of the `POD_TEMPLATE_KINDS`,
 * `spec.jobTemplate.spec.template` of a CronJob — or `undefined` for other kinds.
 */
export function podTemplateOf(obj: ManifestObject): ManifestObject | undefined {
  const paths = workloadPaths(obj.kind);
  if (paths === undefined) return undefined;
  if (paths.template.length === 0) return { metadata: objectOr(obj.metadata), spec: objectOr(obj.spec) };
  return objectOr(valueAt(obj, paths.template));
}

/** Reads a pod template (`{metadata, spec}`). */
export function readPodTemplate(template: ManifestObject): ManifestPodTemplate {
  const podSpec = objectOr(template.spec);
  const serviceAccount = nonEmptyString(podSpec.serviceAccountName) ?? nonEmptyString(podSpec.serviceAccount) ?? DEFAULT_SERVICE_ACCOUNT;
  return {
    labels: stringMap(objectOr(template.metadata).labels), serviceAccount, ports: containerPortsOf(podSpec),
    ...(podSpec.hostNetwork === true ? { hostNetwork: true } : {}),
  };
}

/** The container ports of a pod spec: of its containers, then of its sidecar init containers (`restartPolicy: Always`). */
export function containerPortsOf(podSpec: ManifestObject): ManifestContainerPort[] {
  const containers = [...objects(podSpec.containers), ...objects(podSpec.initContainers).filter((c) => c.restartPolicy === 'Always')];
  return containers.flatMap((c) => objects(c.ports).map((p) => ({
    port: Number(p.containerPort),
    protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP',
    ...(typeof p.name === 'string' && p.name !== '' ? { name: p.name } : {}),
    ...(isPortNumber(p.hostPort) ? { hostPort: p.hostPort } : {}),
  })));
}

/** A `hostPort` or `nodePort` the reader leaves out but the API server refuses (`nodePortValueRefusals`). */
export interface NodePortValueRefusal {
  /** Where it is written (`['spec', 'template', 'spec', 'containers', 0, 'ports', 1, 'hostPort']`). */
  readonly path: readonly (string | number)[];
  /** The value as written. */
  readonly value: unknown;
}

/**
 * The `hostPort`s of a workload's containers (and init containers) and the `nodePort`s of a Service's ports that are
 * neither unset (absent, null, 0: the API's unset value) nor a port number: `"8080"`, `8080.5`, `-1`, `70000`. The API
 * server refuses the object (int32 fields: a string does not decode; k8s.io/kubernetes pkg/apis/core/validation
 * `validateContainerPorts` / `ValidateService` take 1–65535), so it is not in the cluster; the reader, which keeps only
 * port numbers (`containerPortsOf`, `readServiceSpec`), would read it without the port, and a connection to a node on it
 * would be judged instead of refused (`engine-node-port`).
 */
export function nodePortValueRefusals(obj: unknown): NodePortValueRefusal[] {
  if (!isManifestObject(obj)) return [];
  const out: NodePortValueRefusal[] = [];
  const check = (value: unknown, path: readonly (string | number)[]): void => {
    if (value !== undefined && value !== null && value !== 0 && !isPortNumber(value)) out.push({ path, value });
  };
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
  if (obj.kind === 'Service') {
    const spec = obj.spec;
    if (isManifestObject(spec)) list(spec.ports).forEach((p, i) => isManifestObject(p) && check(p.nodePort, ['spec', 'ports', i, 'nodePort']));
    return out;
  }
  const paths = workloadPaths(obj.kind);
  if (paths === undefined) return out;
  const podSpec = valueAt(obj, [...paths.template, 'spec']);
  if (!isManifestObject(podSpec)) return out;
  for (const key of ['containers', 'initContainers']) {
    list(podSpec[key]).forEach((c, i) => {
      if (!isManifestObject(c)) return;
      list(c.ports).forEach((p, j) => isManifestObject(p) && check(p.hostPort, [...paths.template, 'spec', key, i, 'ports', j, 'hostPort']));
    });
  }
  return out;
}

/** Whether a value is a port number (an integer 1-65535), as `hostPort` and `nodePort` are written. */
export function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/**
 * The addresses a Service is reached at rather than its backends: `spec.clusterIP` and `spec.clusterIPs` (not `None`, a
 * headless Service's), `spec.externalIPs`, `spec.loadBalancerIP` and `status.loadBalancer.ingress[].ip`; only IP addresses
 * (`parseIp`), each once. Cilium load-balances a connection to such an address to one of the Service's backends before a
 * policy decides it (bpf/bpf_lxc.c: socket-level or `__per_packet_lb_svc_xlate_4`, then `handle_ipv4_from_lxc`'s policy
 * on the backend's identity), so no policy ever judges the address itself.
 */
export function serviceVirtualAddresses(spec: ManifestObject, status: ManifestObject): string[] {
  const written = [spec.clusterIP, ...(Array.isArray(spec.clusterIPs) ? spec.clusterIPs : []),
    ...(Array.isArray(spec.externalIPs) ? spec.externalIPs : []), spec.loadBalancerIP,
    ...objects(objectOr(status.loadBalancer).ingress).map((i) => i.ip)];
  const out: string[] = [];
  for (const a of written) if (typeof a === 'string' && parseIp(a) !== undefined && !out.includes(a)) out.push(a);
  return out;
}

/** Reads the `spec` (and `status`, for its load-balancer addresses) of a Service. */
export function readServiceSpec(spec: ManifestObject, status: ManifestObject = {}): ManifestService {
  const selector = isManifestObject(spec.selector) && Object.keys(spec.selector).length > 0 ? stringMap(spec.selector) : undefined;
  const ports = objects(spec.ports).map((p): ManifestServicePort => {
    const port = Number(p.port);
    return {
      port,
      // The API server defaults an unset, 0 or "" targetPort to the port (`SetDefaults_Service`).
      targetPort: (typeof p.targetPort === 'string' || typeof p.targetPort === 'number') && p.targetPort !== 0 && p.targetPort !== '' ? p.targetPort : port,
      protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP',
      ...(typeof p.name === 'string' ? { name: p.name } : {}),
      ...(isPortNumber(p.nodePort) ? { nodePort: p.nodePort } : {}),
    };
  });
  const virtualAddresses = serviceVirtualAddresses(spec, status);
  return {
    ...(typeof spec.type === 'string' ? { type: spec.type } : {}), ...(selector ? { selector } : {}), ports,
    ...(virtualAddresses.length > 0 ? { virtualAddresses } : {}),
    ...(spec.allocateLoadBalancerNodePorts === false ? { allocateLoadBalancerNodePorts: false } : {}),
    ...(spec.clusterIP === 'None' ? { headless: true } : {}),
  };
}

/** Reads a Kubernetes label selector, keeping only well-formed parts (empty parts are left out: `{}` selects everything). */
export function labelSelectorOf(value: ManifestObject): LabelSelectorModel {
  const matchLabels = stringMap(value.matchLabels);
  const matchExpressions = objects(value.matchExpressions)
    .filter((e) => typeof e.key === 'string' && typeof e.operator === 'string')
    .map((e) => ({
      key: String(e.key),
      operator: String(e.operator),
      // A null item is the empty string the API server stores (`nullListItemsAsEmpty`), not the text "null".
      ...(Array.isArray(e.values) ? { values: nullListItemsAsEmpty(e.values).map(String) } : {}),
    }));
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}

/** Whether a `targetPort` is a port number (a number, or a string of digits) rather than a container port name. */
export function isNumericTargetPort(targetPort: number | string): boolean {
  return typeof targetPort === 'number' || /^\d+$/.test(targetPort);
}

/**
 * The pod templates an object of any kind may nest (every object below its top level, arrays included, with a
 * `metadata.labels` map), read as `readPodTemplate` reads a workload's: what an Argo Rollout, a Knative Service, a KEDA
 * ScaledJob or an OpenKruise CloneSet gives the pods it makes, which `readManifest` does not know as workloads. A
 * superset: a nested object with `metadata.labels` that makes no pod is taken too, which only keeps the constructs'
 * reading of the app's pods on the safe side (a selector exact, a named port ambiguous). A stack, not recursion: a deep
 * object costs no stack frames.
 * @param obj a manifest object
 */
export function nestedPodTemplates(obj: unknown): ManifestPodTemplate[] {
  const out: ManifestPodTemplate[] = [];
  if (!isManifestObject(obj)) return out;
  const stack: unknown[] = Object.entries(obj).filter(([k]) => k !== 'metadata').map(([, v]) => v);
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      pushAll(stack, value);
      continue;
    }
    if (!isManifestObject(value)) continue;
    const metadata = value.metadata;
    if (isManifestObject(metadata) && isManifestObject(metadata.labels)) out.push(readPodTemplate(value));
    pushAll(stack, Object.values(value));
  }
  return out;
}

/** A pod template an object makes pods with (`podTemplatesOf`), with the namespace they are made in. */
export interface ObjectPodTemplate {
  /**
   * The namespace of the object that holds the template, as written.
   * @default - unset: wherever the object is applied
   */
  readonly namespace?: string;
  /**
   * The template.
   * @default - none: a workload kind (`workloadPaths`) whose pod template cannot be read, which may make pods as well as not
   */
  readonly template?: ManifestPodTemplate;
}

/**
 * The pod templates an object of any kind makes pods with, each with the namespace of the object that holds it: a
 * workload's own (a Pod, the `POD_TEMPLATE_KINDS`, a CronJob: `readManifest`), those nested in an object of another kind
 * (`nestedPodTemplates`), and of a List (`readManifest`'s `list`: `listEntries`, nested Lists flattened) those of each
 * item read so, with the item's own namespace: kubectl applies each item as its own object, never in the List's
 * namespace (the List's `metadata` is not applied: cli-runtime `FlattenListVisitor`).
 * @param obj a manifest object
 */
export function podTemplatesOf(obj: unknown): ObjectPodTemplate[] {
  const info = readManifest(obj);
  const objects = info?.type === 'list' ? info.items : [obj];
  const out = objects.flatMap((o): ObjectPodTemplate[] => {
    const header = readHeader(o);
    if (!header) return [];
    const ns = header.namespace === undefined ? {} : { namespace: header.namespace };
    const nested = nestedPodTemplates(o).map((template) => ({ ...ns, template }));
    if (workloadPaths(header.kind) === undefined) return nested;
    // A List's items are flattened already: an item is read as the object it is (`nested`). A known kind of another API
    // group (a Volcano `Job`: `spec.tasks[].template`) keeps its templates where they are: the nested ones are read too.
    const read = readManifest(o, info?.type === 'list');
    return [read?.type === 'workload' ? { ...ns, template: read.template } : ns, ...nested];
  });
  if (info?.type !== 'list') return out;
  // On the safe side of what the List reading leaves out: a List nested deeper than `MAX_LIST_DEPTH` (kubectl applies its
  // items) may make pods anywhere (an entry of no namespace and no template), and a kind ending in `List` without `items`
  // (a `WorkerList` custom resource, applied as the object it is) has its nested templates read too.
  const record = obj as Record<string, unknown>;
  const unread: ObjectPodTemplate[] = listEntries(obj).problems.length > 0 ? [{}] : [];
  const own = Object.prototype.hasOwnProperty.call(record, 'items') ? [] : podTemplatesOfObject(record);
  return [...out, ...unread, ...own];
}

/** The templates nested in `obj` read as an object of its kind, not as a List (`podTemplatesOf`). */
function podTemplatesOfObject(obj: Record<string, unknown>): ObjectPodTemplate[] {
  const header = readHeader(obj);
  const ns = header?.namespace === undefined ? {} : { namespace: header.namespace };
  return nestedPodTemplates(obj).map((template) => ({ ...ns, template }));
}

/** Whether a Service selector selects pods with these labels: every key, same value. An empty selector selects no pod. */
export function serviceSelects(selector: Readonly<Record<string, string>> | undefined, podLabels: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => podLabels[k] === v);
}

/**
 * The workloads a Service sends to: in its namespace (an unset namespace is only the same as another unset one) and
 * with pod labels its selector selects.
 */
export function serviceBackends<W extends { readonly namespace?: string; readonly podLabels: Readonly<Record<string, string>> }>(
  service: { readonly namespace?: string; readonly selector?: Readonly<Record<string, string>> }, workloads: Iterable<W>,
): W[] {
  return [...workloads].filter((w) => (w.namespace ?? '') === (service.namespace ?? '') && serviceSelects(service.selector, w.podLabels));
}

/**
 * Whether pods are some, all of them on the host network (`hostNetwork: true`): then no Cilium endpoint stands for them and a
 * selector of their labels selects nothing. The one reading of "only host-network pods", for the verdict engine (an endpoint
 * of such workloads) and the constructs (a workload or Service selected by its pod labels) alike.
 * @param workloads the workloads (pod templates) that carry the labels
 */
export function onHostNetworkOnly(workloads: readonly { readonly hostNetwork?: boolean }[]): boolean {
  return workloads.length > 0 && workloads.every((w) => w.hostNetwork === true);
}

/**
 * The container ports a named `targetPort` stands for on a Service's backends: the distinct port/protocol pairs of the
 * container ports with that name, in order. One pair: the name resolves; none or several: it does not.
 */
export function namedTargetPorts(
  name: string, backends: Iterable<{ readonly ports: readonly { readonly port: number; readonly protocol: string; readonly name?: string }[] }>,
): { readonly port: number; readonly protocol: string }[] {
  const out = new Map<string, { port: number; protocol: string }>();
  for (const w of backends) {
    for (const p of w.ports) {
      if (p.name === name && !out.has(`${p.port}/${p.protocol}`)) out.set(`${p.port}/${p.protocol}`, { port: p.port, protocol: p.protocol });
    }
  }
  return [...out.values()];
}

/**
 * A map of strings from a manifest map: string values as they are, a null as the empty string (as the API server stores
 * it: `nullMapValuesAsEmpty`), numbers and booleans as strings, others left out. Keys such as `__proto__` are kept as plain keys.
 */
export function stringMap(value: unknown): Record<string, string> {
  if (!isManifestObject(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(nullMapValuesAsEmpty(value) as ManifestObject)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      Object.defineProperty(out, k, { value: String(v), enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

/** What labels, annotations and label maps (a Service's or ReplicationController's selector) must be (`ManifestNonString.notMapping`). */
export const STRING_MAP = 'a mapping of strings (app: web)';

/** A label, annotation or selector value that is no string, and where (`nonStringMetadataValues`). */
export interface ManifestNonString {
  /** Its path in the object (`['spec', 'template', 'metadata', 'labels', 'country']`). */
  readonly path: readonly (string | number)[];
  /**
   * The value as read: a number, a boolean (`false` for an unquoted `NO`), a list or a mapping; or, as written
   * (`written`), the string that cdk8s writes without quotes and Go reads as the number `number`.
   */
  readonly value: unknown;
  /** For a string as written: the number Go's YAML readers make of it (`unquotedNumber`). */
  readonly number?: number;
  /**
   * Set when the field itself (`labels`, `annotations`, a selector) is no mapping (a string, a list, a number): what
   * it must be, with an example (`a mapping of strings (app: web)`).
   */
  readonly notMapping?: string;
}

/**
 * The label and annotation values of an object the readers here read (Namespaces, Services, workloads, NetworkPolicies
 * (whose selectors `validate`'s NetworkPolicy rules check), Endpoints/EndpointSlices, CIDR groups) that are no strings
 * — numbers, booleans, lists, mappings — in `metadata.labels` and `metadata.annotations`, a pod template's labels and
 * annotations, a workload's pod selector (`spec.selector`, a CronJob's `spec.jobTemplate.spec.selector`: `workloadPaths`;
 * its `matchLabels`, its `matchExpressions` and their `values`; a ReplicationController's label map) and a Service's
 * `spec.selector`. The API server refuses every one of them (ObjectMeta's labels and
 * annotations and the selectors are `map[string]string`, `[]string`), so the object never exists; `stringMap` would read
 * a scalar as text (`country: NO` as `false`). `null` is left alone (Go decodes it to `""`). With `written` (an object of
 * a cdk8s construct, judged as the file cdk8s writes), a string cdk8s writes unquoted and Go reads as a number (`0o17`:
 * `unquotedNumber`, the one judgement of `yaml-unquoted-number`) counts too. So does one of those maps that is itself no
 * mapping (`labels: "app=web"`, a list: `notMapping`), which Go cannot decode either. The policy reader refuses such an object
 * at its line (`parse.ts`).
 */
export function nonStringMetadataValues(obj: unknown, written = false): ManifestNonString[] {
  return metadataValues(obj, written).refused;
}

/**
 * The paths of the null values of the maps `nonStringMetadataValues` reads (`['spec', 'template', 'metadata', 'labels',
 * 'quarantine']`), of the lists of its selectors' `matchExpressions` (`[..., 'matchExpressions', 0, 'values', 0]`), and of
 * a NetworkPolicy's selectors alike (its pod selector, its peers' pod and namespace selectors): each is read as the empty
 * string, as the API server stores it (`nullMapValuesAsEmpty`, `nullListItemsAsEmpty`), and said where.
 */
export function nullMetadataValues(obj: unknown): (readonly (string | number)[])[] {
  return metadataValues(obj, false).nulls;
}

function metadataValues(obj: unknown, written: boolean): { refused: ManifestNonString[]; nulls: (readonly (string | number)[])[] } {
  const info = readManifest(obj);
  if (!info || info.type === 'list' || !isManifestObject(obj)) return { refused: [], nulls: [] };
  const out: ManifestNonString[] = [];
  const nulls: (readonly (string | number)[])[] = [];
  const check = (v: unknown, path: readonly (string | number)[]): void => {
    if (typeof v === 'string') {
      const number = written ? unquotedNumber(v) : undefined;
      if (number !== undefined) out.push({ path, value: v, number });
    } else if (v !== null && v !== undefined) {
      out.push({ path, value: v });
    }
  };
  // `typed`: whether a value that is no string is refused here (a NetworkPolicy's are `k8s-np-type` findings instead).
  const values = (value: unknown, path: readonly (string | number)[], typed = true): void => {
    // `labels: "app=web"`, `labels: [app=web]`: Go cannot decode it into a map[string]string, so the API server refuses
    // the object (kubectl: "cannot unmarshal string into Go struct field ObjectMeta.metadata.labels"); not "no labels".
    if (typed && value !== null && value !== undefined && !isManifestObject(value)) out.push({ path, value, notMapping: STRING_MAP });
    if (!isManifestObject(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (v === null) nulls.push([...path, k]);
      else if (typed) check(v, [...path, k]);
    }
  };
  // A label selector: its `matchLabels`, and each requirement's `values`, a []string (Go decodes nothing else).
  const labelSelector = (value: ManifestObject, path: readonly (string | number)[], typed = true): void => {
    values(value.matchLabels, [...path, 'matchLabels'], typed);
    const expressions = value.matchExpressions;
    const expressionsPath = [...path, 'matchExpressions'];
    if (typed && expressions !== undefined && expressions !== null && !Array.isArray(expressions)) {
      out.push({ path: expressionsPath, value: expressions, notMapping: 'a list of requirements ([{key: app, operator: In, values: [web]}])' });
    } else if (Array.isArray(expressions)) {
      expressions.forEach((e: unknown, i) => {
        if (e === null || e === undefined) return;
        if (!isManifestObject(e)) {
          if (typed) out.push({ path: [...expressionsPath, i], value: e, notMapping: 'a requirement ({key: app, operator: In, values: [web]})' });
        } else if (typed && e.values !== undefined && e.values !== null && !Array.isArray(e.values)) {
          out.push({ path: [...expressionsPath, i, 'values'], value: e.values, notMapping: 'a list of strings ([web])' });
        } else if (Array.isArray(e.values)) {
          // A null item is the empty string the API server stores (`nullListItemsAsEmpty`), said at its line.
          e.values.forEach((v: unknown, j) => {
            if (v === null) nulls.push([...expressionsPath, i, 'values', j]);
            else if (typed) check(v, [...expressionsPath, i, 'values', j]);
          });
        }
      });
    }
  };
  const meta = (metadata: unknown, path: readonly (string | number)[]): void => {
    values(objectOr(metadata).labels, [...path, 'labels']);
    values(objectOr(metadata).annotations, [...path, 'annotations']);
  };
  meta(obj.metadata, ['metadata']);
  const spec = objectOr(obj.spec);
  if (info.type === 'service') values(spec.selector, ['spec', 'selector']);
  if (info.type === 'network-policy') {
    // Its selectors' null values, as a workload's (the types are the NetworkPolicy checks').
    if (isManifestObject(spec.podSelector)) labelSelector(spec.podSelector, ['spec', 'podSelector'], false);
    for (const [section, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
      const rules = spec[section];
      if (!Array.isArray(rules)) continue;
      rules.forEach((rule: unknown, i) => {
        const list = isManifestObject(rule) ? rule[peers] : undefined;
        if (!Array.isArray(list)) return;
        list.forEach((peer: unknown, j) => {
          for (const key of ['podSelector', 'namespaceSelector']) {
            const sel = isManifestObject(peer) ? peer[key] : undefined;
            if (isManifestObject(sel)) labelSelector(sel, ['spec', section, i, peers, j, key], false);
          }
        });
      });
    }
    return { refused: out, nulls };
  }
  const paths = info.type === 'workload' ? workloadPaths(obj.kind) : undefined;
  if (paths === undefined) return { refused: out, nulls };
  if (paths.template.length > 0) meta(podTemplateOf(obj)?.metadata, [...paths.template, 'metadata']);
  if (paths.selector === undefined) return { refused: out, nulls };
  const selectorPath = paths.selector;
  const selector = valueAt(obj, selectorPath);
  if (obj.kind === 'ReplicationController') {
    values(selector, selectorPath);
  } else if (selector !== undefined && selector !== null && !isManifestObject(selector)) {
    out.push({ path: selectorPath, value: selector, notMapping: 'a label selector (matchLabels: {app: web})' });
  } else if (isManifestObject(selector)) {
    labelSelector(selector, selectorPath);
  }
  return { refused: out, nulls };
}

/** Whether a value is a JSON object (not an array, not `null`, not a class instance such as a Date). */
export function isManifestObject(value: unknown): value is ManifestObject {
  return Object.prototype.toString.call(value) === '[object Object]';
}

function objectOr(value: unknown): ManifestObject {
  return isManifestObject(value) ? value : {};
}

function objects(value: unknown): ManifestObject[] {
  return Array.isArray(value) ? value.filter(isManifestObject) : [];
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
