import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CiliumPolicyError } from './errors';
import { NAMESPACE_LABEL } from './model/selectors';
import { LabelSelectorModel, PortProtocolModel } from './model/policy-model';
import { IPeer, PeerConfig, describeSelector } from './peer';
import { IEndpointSelector } from './selector';

/** Kinds whose pod template is read. */
const TEMPLATE_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController'];

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
}

/** What the SDK reads from a Service. */
export interface ServiceInfo {
  /** Its namespace. */
  readonly namespace?: string;
  /** Its pod selector. */
  readonly selector: Record<string, string>;
  /** Its ports: service port and target (container) port; a named target port is resolved on the selected workloads. */
  readonly ports: { readonly port: number; readonly targetPort: number | string; readonly protocol: string; readonly name?: string }[];
}

/**
 * Reads a workload through the manifest it synthesizes (`ApiObject.of(construct).toJson()`), so any cdk8s-plus
 * major version and plain `ApiObject`s work alike: no cdk8s-plus type is referenced.
 */
export function readWorkload(construct: IConstruct): WorkloadInfo | undefined {
  const json = manifestOf(construct);
  if (!json) return undefined;
  const kind = String(json.kind ?? '');
  const namespace = json.metadata?.namespace;
  if (kind === 'Pod') {
    const podLabels = { ...(json.metadata?.labels ?? {}) };
    return { kind, namespace, selector: { matchLabels: podLabels }, podLabels, ports: containerPorts(json.spec) };
  }
  if (TEMPLATE_KINDS.includes(kind)) {
    const template = json.spec?.template ?? {};
    const podLabels = { ...(template.metadata?.labels ?? {}) };
    const selector: LabelSelectorModel = json.spec?.selector
      ? pruneSelector(json.spec.selector)
      : { matchLabels: podLabels };
    return { kind, namespace, selector, podLabels, ports: containerPorts(template.spec) };
  }
  return undefined;
}

/** Reads a Service (cdk8s-plus `Service` or a plain `ApiObject` of kind Service). */
export function readService(construct: IConstruct): ServiceInfo | undefined {
  const json = manifestOf(construct);
  if (!json || json.kind !== 'Service') return undefined;
  const ports = (json.spec?.ports ?? []).map((p: { port: number; targetPort?: number | string; protocol?: string; name?: string }) => ({
    port: p.port,
    targetPort: p.targetPort ?? p.port,
    protocol: p.protocol ?? 'TCP',
    ...(p.name ? { name: p.name } : {}),
  }));
  return { namespace: json.metadata?.namespace, selector: { ...(json.spec?.selector ?? {}) }, ports };
}

/**
 * The container ports a Service sends traffic to: each `targetPort` (never the service `port`), a named target
 * port resolved to the container port number of the workloads the Service selects in the same app.
 */
export function serviceTargetPorts(service: IConstruct): PortProtocolModel[] {
  const info = readService(service);
  if (!info) throw new Error(`internal: ${service.node.path} is not a Service`);
  return info.ports.map((p) => {
    if (typeof p.targetPort === 'number' || /^\d+$/.test(String(p.targetPort))) {
      return { port: String(p.targetPort), protocol: p.protocol };
    }
    const name = String(p.targetPort);
    const matches = service.node.root.node.findAll()
      .map((c) => (isApiObjectHolder(c) ? readWorkload(c) : undefined))
      .filter((w): w is WorkloadInfo => w !== undefined && (w.namespace ?? '') === (info.namespace ?? '') && labelsMatch(info.selector, w.podLabels))
      .flatMap((w) => w.ports.filter((wp) => wp.name === name));
    const numbers = [...new Set(matches.map((m) => `${m.number}/${m.protocol}`))];
    if (numbers.length !== 1) {
      throw new CiliumPolicyError({
        id: 'service-target-port-unresolved',
        message: `Service ${service.node.path} targets the named port "${name}", which ${numbers.length === 0
          ? 'no workload it selects in this app declares' : `resolves to several container ports (${numbers.join(', ')})`}`,
        fix: 'declare the container port with that name on the selected workload, or use a numeric targetPort',
        location: service.node.path,
      });
    }
    const [number, protocol] = numbers[0].split('/');
    return { port: number, protocol };
  });
}

/** The endpoint selector of a workload's pods (or of the pods a Service selects). */
export function workloadSelector(construct: IConstruct): IEndpointSelector {
  return {
    toEndpointSelector: () => {
      const service = readService(construct);
      if (service) return { matchLabels: { ...service.selector } };
      const info = readWorkload(construct);
      if (!info) throw notAWorkload(construct);
      return info.selector;
    },
  };
}

/** The container ports of a workload, or the target ports of a Service (never its service ports). */
export function workloadPorts(construct: IConstruct): PortProtocolModel[] {
  if (readService(construct)) return serviceTargetPorts(construct);
  const info = readWorkload(construct);
  if (!info) throw notAWorkload(construct);
  return info.ports.map((p) => ({ port: String(p.number), protocol: p.protocol }));
}

/** A peer for a workload's pods (namespace explicit when known); egress to it defaults to its container ports. */
export function workloadPeer(construct: IConstruct): IPeer {
  return {
    toPeerConfig: (): PeerConfig => {
      const service = readService(construct);
      if (service) {
        const selector = withNamespace({ matchLabels: service.selector }, service.namespace);
        return {
          field: 'endpoints',
          item: { endpoints: [selector] },
          namespaceImplicit: service.namespace === undefined,
          description: `pods of Service ${construct.node.path} ${describeSelector(selector)}`,
          defaultPorts: serviceTargetPorts(construct),
        };
      }
      const info = readWorkload(construct);
      if (!info) throw notAWorkload(construct);
      const selector = withNamespace(info.selector, info.namespace);
      return {
        field: 'endpoints',
        item: { endpoints: [selector] },
        namespaceImplicit: info.namespace === undefined,
        description: `pods of ${info.kind} ${construct.node.path} ${describeSelector(selector)}`,
        defaultPorts: info.ports.map((p) => ({ port: String(p.number), protocol: p.protocol })),
      };
    },
  };
}

/**
 * A peer: a `Peer` (or any `IPeer`), or a construct the SDK reads as one: a cdk8s-plus workload or Service, or a
 * plain `ApiObject` of such a kind. A Service stands for the pods it selects, on its target (container) ports.
 */
export type PeerLike = IPeer | IConstruct;

/** Anything that selects endpoints: an `EndpointSelector` (or any `IEndpointSelector`), or a workload construct. */
export type EndpointSelectorLike = IEndpointSelector | IConstruct;

/** Turns a `PeerLike` into an `IPeer`. */
export function toPeer(peer: PeerLike): IPeer {
  if (typeof (peer as IPeer).toPeerConfig === 'function') return peer as IPeer;
  if (isApiObjectHolder(peer)) return workloadPeer(peer);
  throw new CiliumPolicyError({
    id: 'peer-unknown',
    message: `${String(peer)} is not a peer`,
    fix: 'pass a Peer (Peer.endpoints(), Peer.entity(), …), a cdk8s-plus workload or Service',
  });
}

/** Turns an `EndpointSelectorLike` into an `IEndpointSelector`. */
export function toEndpointSelector(selector: EndpointSelectorLike): IEndpointSelector {
  if (typeof (selector as IEndpointSelector).toEndpointSelector === 'function') return selector as IEndpointSelector;
  if (isApiObjectHolder(selector)) return workloadSelector(selector);
  throw new CiliumPolicyError({
    id: 'selector-unknown',
    message: `${String(selector)} is not an endpoint selector`,
    fix: 'pass an EndpointSelector or a cdk8s-plus workload',
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

function withNamespace(selector: LabelSelectorModel, namespace: string | undefined): LabelSelectorModel {
  return namespace === undefined ? selector : { ...selector, matchLabels: { ...(selector.matchLabels ?? {}), [NAMESPACE_LABEL]: namespace } };
}

function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function manifestOf(construct: IConstruct): any | undefined {
  try {
    return ApiObject.of(construct).toJson();
  } catch {
    return undefined;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function containerPorts(podSpec: any): WorkloadPort[] {
  const containers = [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? []).filter((c: { restartPolicy?: string }) => c.restartPolicy === 'Always')];
  return containers.flatMap((c: { ports?: { containerPort: number; protocol?: string; name?: string }[] }) => (c.ports ?? []).map((p) => ({
    number: p.containerPort,
    protocol: p.protocol ?? 'TCP',
    ...(p.name ? { name: p.name } : {}),
  })));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function pruneSelector(selector: any): LabelSelectorModel {
  return {
    ...(selector.matchLabels && Object.keys(selector.matchLabels).length ? { matchLabels: { ...selector.matchLabels } } : {}),
    ...(selector.matchExpressions && selector.matchExpressions.length ? { matchExpressions: structuredClone(selector.matchExpressions) } : {}),
  };
}

function notAWorkload(construct: IConstruct): CiliumPolicyError {
  return new CiliumPolicyError({
    id: 'not-a-workload',
    message: `${construct.node.path} is neither a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, Pod) nor a Service`,
    fix: 'pass a cdk8s-plus workload or Service, an ApiObject of such a kind, or a Peer/EndpointSelector',
    location: construct.node.path,
  });
}
