import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CiliumPolicyError, showValue } from '../core/errors';
import {
  isNumericTargetPort, ManifestInfo, namedTargetPorts, onHostNetworkOnly, POD_TEMPLATE_KINDS, podTemplatesOf, readManifest, serviceBackends,
  serviceSelects,
} from '../model/manifests';
import { clonePlain } from '../model/clone-plain';
import { LabelSet, Selector, splitLabelKey } from '../model/labels';
import { synthMemo } from '../model/synth-session';
import { NAMESPACE_LABEL, noPodLabelReason, selectorRequiresPodLabel } from '../model/selectors';
import { CILIUM_API_VERSION, LabelSelectorModel, PeerField, PortProtocolModel } from '../model/policy-model';
import { refusalLocation, RefusalLocation } from './caller-location';
import { PeerConfig } from './peer-config';
import { describeSelector } from './selector-description';
import { SELECTOR_OPERATORS, selectorOperatorFix } from '../validate/tables';

/** A container port as declared on a workload. */
export interface WorkloadPort {
  /** Container port number. */
  readonly number: number;
  /** Protocol (`TCP`, `UDP`, `SCTP`). */
  readonly protocol: string;
  /** Port name, if any. */
  readonly name?: string;
}

/** What the SDK reads from a workload (a cdk8s-plus `Deployment`/`StatefulSet`/`DaemonSet`/`Pod` or a plain `ApiObject`). */
export interface WorkloadInfo {
  /** Kind of the object. */
  readonly kind: string;
  /** Its namespace. */
  readonly namespace?: string;
  /** The selector of its pods. */
  readonly selector: LabelSelectorModel;
  /** The labels its pods carry. */
  readonly podLabels: Record<string, string>;
  /** Its container ports with their protocol. */
  readonly ports: WorkloadPort[];
  /** Whether its pods run on the node's network (`hostNetwork: true`): not Cilium endpoints (`refuseHostNetwork`). */
  readonly hostNetwork: boolean;
}

/** What the SDK reads from a Service. */
export interface ServiceInfo {
  /** Its namespace. */
  readonly namespace?: string;
  /** Its pod selector. */
  readonly selector: Record<string, string>;
  /** Its ports: service port and target (container) port; a named target port is resolved on the selected workloads. */
  readonly ports: {
    /** The Service port. */
    readonly port: number;
    /** The target (container) port: a number, or a container port name. */
    readonly targetPort: number | string;
    /** `TCP`, `UDP` or `SCTP`. */
    readonly protocol: string;
    /**
     * The port's name.
     * @default - unnamed
     */
    readonly name?: string;
  }[];
}

/**
 * Reads a workload through the manifest it synthesizes (`ApiObject.of(construct).toJson()`), so any cdk8s-plus
 * major version and plain `ApiObject`s work alike: no cdk8s-plus type is referenced.
 */
export function readWorkload(construct: IConstruct): WorkloadInfo | undefined {
  const info = readOnce(construct, 'workloadInfo', () => computeWorkloadInfo(construct));
  // A copy each call, as before: the reading is kept for the synthesis, what a caller does with its copy is its own.
  return info && {
    ...info,
    selector: clonePlain(info.selector),
    podLabels: { ...info.podLabels },
    ports: info.ports.map((p) => ({ ...p })),
  };
}

function computeWorkloadInfo(construct: IConstruct): WorkloadInfo | undefined {
  const workload = workloadManifest(construct);
  if (!workload) return undefined;
  const { info, namespace } = workload;
  return {
    kind: info.header.kind,
    namespace,
    selector: readableSelector(construct, info.selector, info.template.labels, namespace),
    podLabels: { ...info.template.labels },
    ports: info.template.ports.map((p) => ({ number: p.port, protocol: p.protocol, ...(p.name ? { name: p.name } : {}) })),
    hostNetwork: info.template.hostNetwork === true,
  };
}

/**
 * What `read` answers for a workload or Service, kept for the rest of the synthesis (`synthMemo` on its `ApiObject`, beside
 * its manifest, `manifestOf`): a policy reads each workload and Service it names several times (its selector, namespace,
 * serving ports, pods on the host network), and each reading read the manifest again and, for a workload, looked through
 * the app for other pods its labels would select (`readableSelector`). Outside a synthesis, read afresh each call.
 */
function readOnce<T>(construct: IConstruct, key: string, read: () => T): T {
  let object: ApiObject;
  try {
    object = ApiObject.of(construct);
  } catch {
    return read();
  }
  return synthMemo(construct, object, key, read);
}

/** Reads a Service (cdk8s-plus `Service` or a plain `ApiObject` of kind Service). */
export function readService(construct: IConstruct): ServiceInfo | undefined {
  const info = readOnce(construct, 'serviceInfo', () => computeServiceInfo(construct));
  // A copy each call, as `readWorkload`'s.
  return info && { ...info, selector: { ...info.selector }, ports: info.ports.map((p) => ({ ...p })) };
}

function computeServiceInfo(construct: IConstruct): ServiceInfo | undefined {
  const json = manifestOf(construct);
  const info = readManifest(json);
  if (info?.type !== 'service') return undefined;
  const ports = info.service.ports.map(({ port, targetPort, protocol, name }) => ({ port, targetPort, protocol, ...(name ? { name } : {}) }));
  return { namespace: json.metadata?.namespace, selector: { ...(info.service.selector ?? {}) }, ports };
}

/**
 * The container ports a Service sends traffic to: each `targetPort` (never the service `port`), a named target
 * port resolved to the container port number of the workloads the Service selects in the same app.
 */
export function serviceTargetPorts(service: IConstruct): PortProtocolModel[] {
  const ports = serviceTargetPortsOrReason(service);
  if (typeof ports !== 'string') return ports;
  throw new CiliumPolicyError({
    id: 'service-target-port-unresolved',
    message: ports,
    fix: ports.includes('several container ports')
      ? 'give the port of that name one number in every workload the Service selects, or use a numeric targetPort; where a rule names '
        + 'the ports itself (allowEgress(Peer.workload(svc), { ports }), a tier\'s ports), the Service\'s are not needed'
      : 'declare the container port with that name on the selected workload, or use a numeric targetPort; where a rule names the ports '
        + 'itself (allowEgress(Peer.workload(svc), { ports }), a tier\'s ports), the Service\'s are not needed',
    location: service.node.path,
  });
}

/** `serviceTargetPorts`, or why a named target port cannot be resolved in this app (no workload, or several numbers). */
function serviceTargetPortsOrReason(service: IConstruct): PortProtocolModel[] | string {
  const info = readService(service);
  if (!info) throw new Error(`internal: ${service.node.path} is not a Service`);
  const ports: PortProtocolModel[] = [];
  for (const p of info.ports) {
    if (isNumericTargetPort(p.targetPort)) {
      const port = Number(p.targetPort);
      // Port 0 would be written as every port; the API server refuses it, and anything outside 1-65535.
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new CiliumPolicyError({
          id: 'service-port-invalid',
          message: `Service ${service.node.path} has the target port ${typeof p.targetPort === 'string' ? JSON.stringify(p.targetPort) : String(p.targetPort)}, which is not a port between 1 and 65535`
            + (port === 0 ? ' (port 0 would mean every port)' : ''),
          fix: 'give the Service port and its targetPort numbers between 1 and 65535 (or a container port name as targetPort)',
          location: service.node.path,
        });
      }
      ports.push({ port: String(port), protocol: p.protocol });
      continue;
    }
    const name = String(p.targetPort);
    // The Service's backends of every kind: any of them may give the name another number, and the one number of the others
    // was opened on their pods too.
    const matches = namedTargetPorts(name, serviceBackendTemplates(service, info));
    if (matches.length !== 1) {
      return `Service ${service.node.path} targets the named port "${name}", which ${matches.length === 0
        ? 'no workload it selects in this app declares' : `resolves to several container ports (${matches.map((m) => `${m.port}/${m.protocol}`).join(', ')})`}`;
    }
    ports.push({ port: String(matches[0].port), protocol: matches[0].protocol });
  }
  return ports;
}

/** The endpoint selector of a workload's pods (or of the pods a Service selects), read when called. */
export function workloadSelectorModel(construct: IConstruct): LabelSelectorModel {
  const service = readService(construct);
  if (service) {
    refuseHostNetwork(construct, service);
    return selective(construct, 'Service', { matchLabels: { ...service.selector } });
  }
  const info = readWorkload(construct);
  if (!info) throw notAWorkload(construct);
  refuseHostNetwork(construct, info);
  return selective(construct, info.kind, info.selector);
}

/** The namespace of a workload or Service as its manifest says (`undefined`: none written, wherever it is applied). */
export function workloadNamespace(construct: IConstruct): string | undefined {
  const service = readService(construct);
  if (service) return service.namespace;
  const info = readWorkload(construct);
  if (!info) throw notAWorkload(construct);
  return info.namespace;
}

/**
 * The ports a workload serves on: the target ports of a Service (never its service ports), or, for a workload, the
 * target ports of the Services of the app that select its pods. A port is never taken merely because a container
 * declares it (metrics, debug and admin ports are declared too).
 * @returns the ports (none when the Service has none), or `undefined` when no Service, or more than one (a metrics Service
 *   beside the serving one), selects it
 */
export function servingPorts(construct: IConstruct): PortProtocolModel[] | undefined {
  const service = readService(construct) ? construct : selectingService(construct);
  return service === undefined ? undefined : dedupe(serviceTargetPorts(service));
}

/** The one Service of the app that selects a workload (`undefined`: none, or several), or the Service itself. */
function selectingService(construct: IConstruct): IConstruct | undefined {
  const services = selectingServices(construct);
  return services.length === 1 ? services[0] : undefined;
}

/** The ports without repeats, in order. */
function dedupe(ports: PortProtocolModel[]): PortProtocolModel[] {
  const seen = new Set<string>();
  return ports.filter((p) => {
    const key = `${p.port}/${p.protocol}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Why the serving ports of a workload or Service are unknown (no Service selects it, several do, or the Service has no ports). */
export function noServingPorts(construct: IConstruct): string {
  if (readService(construct)) return `Service ${construct.node.path} has no ports, so its serving ports are unknown`;
  const services = selectingServices(construct);
  const count = services.length;
  if (count === 1 && serviceTargetPorts(services[0]).length === 0) {
    return `the Service that selects ${construct.node.path} (${services[0].node.path}) has no ports, so its serving ports are unknown`;
  }
  return count > 1
    ? `${count} Services of the app select ${construct.node.path} (a metrics Service beside the serving one, say), so which ports it serves is ambiguous`
    : `no Service of the app selects ${construct.node.path}, so its serving ports are unknown (container ports are not used: metrics and `
      + 'admin ports are declared there too)';
}

/** A pod template of the app (`AppIndex.templates`), with the path of the object that holds it. */
interface AppPodTemplate {
  readonly path: string;
  readonly namespace?: string;
  readonly podLabels: Record<string, string>;
  readonly ports: readonly { port: number; protocol: string; name?: string }[];
  readonly hostNetwork: boolean;
}

/**
 * What the workload and Service reads look up in the app (`appIndex`), computed from one rendering of each object of the
 * app (`manifestOf`).
 */
interface AppIndex {
  /**
   * The pod templates of the app, of every kind (`podTemplatesOf`), in construct order: a CronJob's pods, a pod template
   * nested in an object the SDK does not know as a workload (an Argo Rollout), an item of a List (in its own namespace).
   */
  readonly templates: readonly AppPodTemplate[];
  /**
   * The objects of the app whose pods cannot be read: an object that cannot be rendered, or one of a workload kind whose
   * pod template cannot be read. They may make pods with any labels (`readableSelector`).
   */
  readonly unreadPods: readonly ApiObject[];
  /** The pod templates read (`templates`, with the object that holds each), under each of their pod labels (`labelKey`). */
  readonly templatesByLabel: ReadonlyMap<string, readonly { readonly object: ApiObject; readonly template: AppPodTemplate }[]>;
  /**
   * The Services of the app with a selector, read (`readService`), with their position among the Services of the app, under
   * their namespace and the first label of their selector (`labelKey`): a Service sends only to pods of its namespace that
   * carry every label of its selector (`serviceBackends`).
   */
  readonly servicesByLabel: ReadonlyMap<string, readonly { readonly object: ApiObject; readonly info: ServiceInfo; readonly order: number }[]>;
}

/** The key of a pod label (in a namespace, for `servicesByLabel`) in `AppIndex`. */
function labelKey(key: string, value: string, namespace = ''): string {
  return `${namespace}\u0000${key}\u0000${value}`;
}

/**
 * The pod templates and Services of the app, each object rendered once, computed once per synthesis (`synthMemo` on the
 * root; the tree does not change within one): each Service or workload read at synthesis looks them up. Reading the app at
 * each read (every object rendered again, every Service read again) made a synthesis of n policies naming workloads or
 * Services cost n × the app: 400 policies naming Services 16 s of CPU (1.2 s once per synthesis, session 53); 100 policies
 * of two charts whose subjects and peers are Deployments and Services (`bench:synth --shape workloads`) 5.2 s (session 54).
 * Outside a synthesis it is computed at each read, so changes made to the app since the last read always show.
 */
function appIndex(scope: IConstruct): AppIndex {
  return synthMemo(scope, scope.node.root, 'appIndex', () => {
    const templates: AppPodTemplate[] = [];
    const unreadPods: ApiObject[] = [];
    const templatesByLabel = new Map<string, { object: ApiObject; template: AppPodTemplate }[]>();
    for (const object of appObjects(scope, 'any')) {
      const json = manifestOf(object);
      const read = json === undefined ? [] : podTemplatesOf(json);
      if (json === undefined || read.some((t) => t.template === undefined)) unreadPods.push(object);
      for (const { namespace, template } of read) {
        if (template === undefined) continue;
        const t = {
          path: object.node.path, namespace, podLabels: template.labels, ports: template.ports, hostNetwork: template.hostNetwork === true,
        };
        templates.push(t);
        for (const [k, v] of Object.entries(t.podLabels)) pushTo(templatesByLabel, labelKey(k, v), { object, template: t });
      }
    }
    const servicesByLabel = new Map<string, { object: ApiObject; info: ServiceInfo; order: number }[]>();
    appObjects(scope, 'service').forEach((object, order) => {
      const info = readService(object);
      const first = Object.entries(info?.selector ?? {})[0];
      // A Service without a selector sends to no pod of the app (`serviceSelects`).
      if (info !== undefined && first !== undefined) pushTo(servicesByLabel, labelKey(first[0], first[1], info.namespace), { object, info, order });
    });
    return { templates, unreadPods, templatesByLabel, servicesByLabel };
  });
}

function pushTo<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * The pod templates of the app a Service sends to (`serviceBackends`), of every kind (`AppIndex.templates`, in order): of those
 * that carry the first label of its selector (`templatesByLabel`), which all of them do.
 */
function serviceBackendTemplates(service: IConstruct, info: ServiceInfo): AppPodTemplate[] {
  const first = Object.entries(info.selector)[0];
  if (first === undefined) return [];
  return serviceBackends(info, (appIndex(service).templatesByLabel.get(labelKey(first[0], first[1])) ?? []).map((t) => t.template));
}

/**
 * The Services of the app that send to a workload's pods (`serviceBackends`: its namespace, a selector of its labels), in
 * construct order: those of `appIndex` filed under one of its pod labels, checked.
 */
function selectingServices(construct: IConstruct): IConstruct[] {
  const info = readWorkload(construct);
  if (!info) throw notAWorkload(construct);
  const { servicesByLabel } = appIndex(construct);
  const found = new Map<ApiObject, number>();
  for (const [k, v] of Object.entries(info.podLabels)) {
    for (const s of servicesByLabel.get(labelKey(k, v, info.namespace)) ?? []) {
      if (!found.has(s.object) && serviceBackends(s.info, [info]).length > 0) found.set(s.object, s.order);
    }
  }
  return [...found].sort((a, b) => a[1] - b[1]).map(([object]) => object);
}

/**
 * The peer config of a workload's pods (or of the pods a Service selects), read when called: namespace explicit when
 * known; egress to it defaults to its serving ports.
 */
export function workloadPeerConfig(construct: IConstruct): PeerConfig {
  const service = readService(construct);
  if (service) {
    refuseHostNetwork(construct, service);
    const selector = withNamespace(selective(construct, 'Service', { matchLabels: service.selector }), service.namespace);
    return {
      field: PeerField.ENDPOINTS,
      item: { endpoints: [selector] },
      namespaceImplicit: service.namespace === undefined,
      description: `pods of Service ${construct.node.path} ${describeSelector(selector)}`,
      ...portsOrReason(construct),
    };
  }
  const info = readWorkload(construct);
  if (!info) throw notAWorkload(construct);
  refuseHostNetwork(construct, info);
  const selector = withNamespace(selective(construct, info.kind, info.selector), info.namespace);
  return {
    field: PeerField.ENDPOINTS,
    item: { endpoints: [selector] },
    namespaceImplicit: info.namespace === undefined,
    description: `pods of ${info.kind} ${construct.node.path} ${describeSelector(selector)}`,
    ...portsOrReason(construct),
  };
}

/**
 * Refuses what cannot be read as a workload or Service at all (not a construct holding an `ApiObject`), where it is
 * passed: `Peer.workload()` (`peer-unknown`) or `EndpointSelector.workload()` (`selector-unknown`).
 */
export function requireApiObjectHolder(x: unknown, factory: 'Peer.workload' | 'EndpointSelector.workload', at?: RefusalLocation): IConstruct {
  if (isApiObjectHolder(x)) return x;
  const location = refusalLocation(at);
  throw factory === 'Peer.workload'
    ? new CiliumPolicyError({
      id: 'peer-unknown',
      message: `${String(x)} is not a peer`,
      fix: 'pass Peer.workload() a cdk8s-plus workload or Service (or an ApiObject of such a kind); for other peers use Peer.endpoints(), Peer.entity(), …',
      location,
    })
    : new CiliumPolicyError({
      id: 'selector-unknown',
      message: `${String(x)} is not an endpoint selector`,
      fix: 'pass EndpointSelector.workload() a cdk8s-plus workload or Service; for labels use EndpointSelector.labels()',
      location,
    });
}

/** Whether a construct is (or wraps) an object the SDK can read as a workload or Service. */
export function isApiObjectHolder(x: unknown): x is IConstruct {
  if (x === null || typeof x !== 'object' || !('node' in x)) return false;
  try {
    ApiObject.of(x as IConstruct);
    return true;
  } catch {
    return false;
  }
}

/** A workload's or Service's serving ports as the default of an egress rule, or why there are none (never an empty list: every port). */
function portsOrReason(construct: IConstruct): Pick<PeerConfig, 'defaultPorts' | 'defaultPortsUnknown'> {
  // A named target port that does not resolve matters only to a rule without ports of its own: that one is refused with it.
  const service = readService(construct) ? construct : selectingService(construct);
  const ports = service === undefined ? undefined : serviceTargetPortsOrReason(service);
  if (typeof ports === 'string') return { defaultPortsUnknown: ports };
  return ports && ports.length > 0 ? { defaultPorts: dedupe(ports) } : { defaultPortsUnknown: noServingPorts(construct) };
}

/** The label cdk8s-plus selects its workloads by: a hash of the construct path. */
export const CDK8S_PLUS_SELECTOR_LABEL = 'cdk8s.io/metadata.addr';

/**
 * The selector written for a workload's pods. cdk8s-plus selects pods by a hash of the construct path
 * (`cdk8s.io/metadata.addr`), unreadable in review and changed by a construct rename; when the pods carry labels of
 * their own that select exactly this workload's pods among the workloads of the app (same namespace, or either without
 * one), those labels are used instead. Otherwise (no own labels, or another workload of the app has them too) the hash label stays.
 */
function readableSelector(
  construct: IConstruct, selector: LabelSelectorModel, podLabels: Record<string, string>, namespace?: string,
): LabelSelectorModel {
  const matchLabels = selector.matchLabels ?? {};
  if (!(CDK8S_PLUS_SELECTOR_LABEL in matchLabels) || selector.matchExpressions?.length) return selector;
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries(podLabels)) if (k !== CDK8S_PLUS_SELECTOR_LABEL) own[k] = v;
  for (const [k, v] of Object.entries(matchLabels)) if (k !== CDK8S_PLUS_SELECTOR_LABEL) own[k] = v;
  if (Object.keys(own).length === 0) return selector;
  const self = ApiObject.of(construct);
  // Any other pod template of the app (`podTemplatesOf`: a CronJob's too) whose pods the labels would also select keeps the
  // hash label. So does one nested in an object of another kind (an Argo Rollout's `spec.template`, a KEDA ScaledJob's, a
  // Knative Service's) and one of an item of a List, in the item's own namespace: its pods carry those labels too, and
  // `{app: web}` let them in where only the workload's were meant. An object whose pods cannot be read may make such pods as
  // well as not. Those that carry the first of the labels are all those that may carry them all (`appIndex`).
  const index = appIndex(construct);
  const [firstKey, firstValue] = Object.entries(own)[0];
  const others = index.unreadPods.some((o) => o !== self)
    || (index.templatesByLabel.get(labelKey(firstKey, firstValue)) ?? []).some(({ object, template }) => object !== self
      // A workload without a namespace lands wherever it is applied, so it may share a namespace with any other.
      && (template.namespace === undefined || namespace === undefined || template.namespace === namespace)
      && serviceSelects(own, template.podLabels));
  return others ? selector : { matchLabels: own };
}

function withNamespace(selector: LabelSelectorModel, namespace: string | undefined): LabelSelectorModel {
  return namespace === undefined ? selector : { ...selector, matchLabels: { ...(selector.matchLabels ?? {}), [NAMESPACE_LABEL]: namespace } };
}

/**
 * The manifest of a workload construct, read, with its namespace as written (`undefined`: implicit). A CronJob is not
 * taken as a workload: its pods have no selector of their own.
 */
function workloadManifest(construct: IConstruct): { info: Extract<ManifestInfo, { type: 'workload' }>; namespace?: string } | undefined {
  const json = manifestOf(construct);
  const info = readManifest(json);
  if (info?.type !== 'workload' || info.header.kind === 'CronJob') return undefined;
  return { info, namespace: json.metadata?.namespace };
}

/** Kinds a workload construct may be: a Pod and the kinds with `spec.template` (`model/manifests.ts`). */
const WORKLOAD_KINDS = new Set(['Pod', ...POD_TEMPLATE_KINDS]);

/** The API group of Cilium's objects (`cilium.io/`), the SDK's policies among them. */
const CILIUM_API_GROUP = `${CILIUM_API_VERSION.split('/')[0]}/`;

/**
 * The distinct workload or Service objects of the app of `scope` (`any`: every object but Cilium's), found by kind before
 * any is rendered (rendering a policy to look at it would render its peers, and so on).
 */
function appObjects(scope: IConstruct, kinds: 'workload' | 'service' | 'any'): ApiObject[] {
  const seen = new Set<ApiObject>();
  const out: ApiObject[] = [];
  for (const c of scope.node.root.node.findAll()) {
    if (!ApiObject.isApiObject(c) || seen.has(c)) continue;
    seen.add(c);
    // `any`: every object but Cilium's (a policy renders its peers when read, which read the workloads again).
    const wanted = kinds === 'service' ? c.kind === 'Service' : kinds === 'workload' ? WORKLOAD_KINDS.has(c.kind) : !c.apiVersion.startsWith(CILIUM_API_GROUP);
    if (wanted) out.push(c);
  }
  return out;
}

/**
 * The manifest of a workload or Service (`undefined`: it cannot be rendered), rendered once per synthesis (`synthMemo` on
 * its `ApiObject`): a policy reads each workload it names several times (its selector, namespace, serving ports, pods on the
 * host network), and the app's index reads every object. Read only through `readManifest`, which copies what it reads.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function manifestOf(construct: IConstruct): any | undefined {
  let object: ApiObject;
  try {
    object = ApiObject.of(construct);
  } catch {
    return undefined;
  }
  return synthMemo(construct, object, 'manifest', () => {
    try {
      return object.toJson();
    } catch {
      return undefined;
    }
  });
}

/**
 * The pod selector of a workload or Service, refused when it requires no pod label by value (`selectorRequiresPodLabel`):
 * no requirement at all, or only `NotIn`, `DoesNotExist` and `Exists` (a Deployment may select its pods by
 * `app NotIn (web)`, which the API server accepts): it would select every pod of the namespace (or of the cluster) but those
 * it excludes, far more than the one workload named.
 */
function selective(construct: IConstruct, kind: string, selector: LabelSelectorModel): LabelSelectorModel {
  // An operator the API server refuses (`in`): no such workload can be stored, and it is neither a pod label nor none.
  const invalid = (selector.matchExpressions ?? []).find((e) => selectorOperatorFix(e.operator) !== undefined);
  if (invalid !== undefined) {
    throw new CiliumPolicyError({
      id: 'workload-selector-invalid',
      message: `${kind} ${construct.node.path} selects its pods by ${describeSelector(selector)}: the operator ${showValue(invalid.operator)} `
        + `of ${invalid.key} is not one of ${SELECTOR_OPERATORS.join(', ')}, which the API server refuses (the CRD of a Cilium policy too)`,
      fix: selectorOperatorFix(invalid.operator) as string,
      location: construct.node.path,
    });
  }
  if (selectorRequiresPodLabel(selector)) return selector;
  const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  const noPodLabel = noPodLabelReason(selector);
  throw new CiliumPolicyError({
    id: 'workload-without-labels',
    message: !empty
      ? `${kind} ${construct.node.path} selects its pods by ${describeSelector(selector)}, which ${noPodLabel.cluster
        ? `requires ${noPodLabel.why}` : 'requires no pod label by value'}: written as the peer or subject, it would select `
        + `${noPodLabel.selects.replace('its namespaces', 'the namespace')}, not only its own`
      : kind === 'Service'
        ? `Service ${construct.node.path} has no selector: its pods cannot be selected by labels, and an empty selector would select every pod`
        : `${kind} ${construct.node.path} has no pod labels and no selector: an empty selector would select every pod, not only its own`,
    fix: !empty
      ? `give the ${kind} a selector of its pod labels (matchLabels, or In), or select its pods yourself: EndpointSelector.labels(), Peer.endpoints({ labels })`
      : kind === 'Service'
        ? 'give the Service a selector, or name its backends another way: Peer.service() (toServices), Peer.endpoints() by their labels'
        : 'give the pod template labels (and the workload a selector); if every pod of the namespace is meant, say so: EndpointSelector.all(), Peer.namespace()',
    location: construct.node.path,
  });
}

/** How a policy uses the pods of a workload or Service (`checkWorkloadUse`). */
export interface WorkloadUse {
  /** The construct path of the policy (or construct) that uses them. */
  readonly by: string;
  /** What they are there: `the subject (endpointSelector)`, `denyEgress(test/db)`. */
  readonly role: string;
  /** A subject or a deny's peer is refused when any of the pods is on the host network; an allow's peer when all are. */
  readonly as: 'subject' | 'deny' | 'allow';
}

/**
 * Refuses the pods of a workload or Service (`workload-host-network`) as `use` makes them a subject or a peer, when they run
 * on the host network (`refuseHostNetwork`); with no `use` (read by a peer or selector that does not know its use), when all
 * of them do.
 * @param construct the workload or Service
 * @param use the policy using them, and how
 */
export function checkWorkloadUse(construct: IConstruct, use?: WorkloadUse): void {
  const service = readService(construct);
  const info = service ?? readWorkload(construct);
  if (!info) throw notAWorkload(construct);
  refuseHostNetwork(construct, info, use);
}

/**
 * Refuses a workload whose pods run on the node's network (`hostNetwork: true`, `workload-host-network`) where its pods
 * are to be selected by their labels (`Peer.workload()`, `EndpointSelector.workload()`, `Peer.selectedBy()` of one, a
 * `TieredApp` tier): Cilium manages no endpoint for such a pod (pkg/k8s/watchers/pod.go `updatePodHostData`: "pod is using
 * host networking") and its traffic carries its node's identity (`host` on the same node, `remote-node` elsewhere), so the
 * selector selects nothing: a policy of which they are the subject leaves their ports open to every peer, a deny of them
 * denies nothing, an allow allows nothing. A Service's pods are its backends in the app (`serviceBackendTemplates`); a
 * workload's, where it is a subject or a deny's peer, also the pod templates of the app its selector selects (a DaemonSet
 * on the host network that carries its labels). As a subject or a deny's peer, one backend on the host network is refused
 * (it stays open, or undenied, beside the others: validate's `pitfall-host-network-pods` warns when any selected pod is on
 * the host network); as an allow's peer, only when all are (the others are allowed, the host-network ones nothing).
 */
function refuseHostNetwork(construct: IConstruct, info: WorkloadInfo | ServiceInfo, use?: WorkloadUse): void {
  const strict = use !== undefined && use.as !== 'allow';
  let pods: readonly { readonly path: string; readonly hostNetwork: boolean }[];
  let name: string;
  if ('kind' in info) {
    name = `${info.kind} ${construct.node.path}`;
    const self = { path: construct.node.path, hostNetwork: info.hostNetwork };
    pods = strict ? [self, ...alsoSelected(construct, info)] : [self];
  } else {
    name = `Service ${construct.node.path}`;
    pods = serviceBackendTemplates(construct, info);
  }
  const onHost = [...new Set(pods.filter((p) => p.hostNetwork).map((p) => p.path))];
  if (onHost.length === 0 || (!strict && !onHostNetworkOnly(pods))) return;
  const all = onHostNetworkOnly(pods);
  const subject = 'kind' in info
    ? (info.hostNetwork ? `${name} runs its pods` : `the selector of ${name} also selects the pods of ${onHost.join(', ')}, which run`)
    : `${name} sends ${all ? 'only' : 'also'} to pods of ${onHost.join(', ')}`;
  const consequence = use === undefined
    ? 'as the subject its policy would leave their ports open to every peer, a deny of them would deny nothing, and an allow of them would allow nothing'
    : use.as === 'subject' ? 'the policy would leave their ports open to every peer'
      : use.as === 'deny' ? 'the deny would deny nothing of their traffic' : 'the allow would allow nothing (they are reached as their node)';
  throw new CiliumPolicyError({
    id: 'workload-host-network',
    message: `${use !== undefined ? `${use.role} of ${use.by}: ` : ''}${subject} on the host network (hostNetwork: true): Cilium manages no endpoint for them and their `
      + 'traffic carries their node\'s identity (host, remote-node), so a selector of their pod labels selects nothing: '
      + `${consequence}${all ? '' : ', beside the pods that are Cilium endpoints'}`,
    fix: 'restrict them with a host policy (HostFirewall, or a ClusterwidePolicy with a nodeSelector, with the host firewall on); as a peer, name '
      + 'their nodes with ports (Peer.entity(Entity.HOST), Peer.entity(Entity.REMOTE_NODE), Peer.nodes()); or run them without hostNetwork'
      + (all ? '' : '; or select only the pods off the host network (labels the host-network ones do not carry)'),
    location: use?.by ?? construct.node.path,
  });
}

/**
 * The other pod templates of the app a workload's selector selects (`AppIndex.templates`: in a namespace they may share), whose
 * pods a selector of its labels selects too.
 */
function alsoSelected(construct: IConstruct, info: WorkloadInfo): AppPodTemplate[] {
  const selector = Selector.from(info.selector);
  return selectorCandidates(construct, info.selector).filter((t) => t.path !== construct.node.path
    && (t.namespace === undefined || info.namespace === undefined || t.namespace === info.namespace)
    && selector.matches(LabelSet.of(Object.entries(t.podLabels).map(([key, value]) => ({ source: 'k8s', key, value })))));
}

/**
 * The pod templates of the app (`AppIndex.templates`, in order) a selector may select: with a `matchLabels` entry, those that
 * carry its label (`templatesByLabel`; pods carry `k8s` labels only, so an entry of another source selects none of them);
 * without one, all of them.
 */
function selectorCandidates(scope: IConstruct, selector: LabelSelectorModel): readonly AppPodTemplate[] {
  const index = appIndex(scope);
  const first = Object.entries(selector.matchLabels ?? {})[0];
  if (first === undefined) return index.templates;
  const { source, key } = splitLabelKey(first[0]);
  if (source !== 'any' && source !== 'k8s') return [];
  return (index.templatesByLabel.get(labelKey(key, first[1])) ?? []).map((t) => t.template);
}

function notAWorkload(construct: IConstruct): CiliumPolicyError {
  return new CiliumPolicyError({
    id: 'not-a-workload',
    message: `${construct.node.path} is neither a workload (${[...WORKLOAD_KINDS].join(', ')}) nor a Service`,
    fix: 'pass a cdk8s-plus workload or Service, an ApiObject of such a kind, or a Peer/EndpointSelector',
    location: construct.node.path,
  });
}
