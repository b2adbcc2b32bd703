/**
 * What the pitfall layer knows about the cluster besides Cilium policies, read from the other manifests of the same
 * input (or the same cdk8s app): Namespaces with their labels, workloads with their pod labels, service account and
 * container ports, Services with their selectors and ports, and Kubernetes NetworkPolicies. Every entry remembers where
 * it came from, so that a finding can name it.
 *
 * Unlike the verdict engine's `EndpointInventory` (which keeps only named ports), this keeps every container port: the
 * Service-port pitfall needs to know whether a port is one a container listens on.
 */
import { LabelSelectorModel } from '../model/policy-model';

/** Where an inventory object came from: a file position, or a construct path at synthesis. */
export interface InventorySource {
  /**
   * The file, as shown in diagnostics.
   * @default - none (a construct of a cdk8s app)
   */
  readonly file?: string;
  /**
   * 1-based line of the object.
   * @default - unknown
   */
  readonly line?: number;
  /**
   * 1-based column of the object.
   * @default - unknown
   */
  readonly column?: number;
  /**
   * The construct path, at synthesis.
   * @default - none
   */
  readonly constructPath?: string;
}

/** A container port. */
export interface InventoryContainerPort {
  /** `containerPort`. */
  readonly port: number;
  /** `TCP`, `UDP` or `SCTP`. */
  readonly protocol: string;
  /**
   * The port name.
   * @default - unnamed
   */
  readonly name?: string;
}

/** A workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, ReplicationController). */
export interface InventoryPodTemplate {
  /** Kind of the object. */
  readonly kind: string;
  /** `metadata.name`. */
  readonly name: string;
  /** Namespace (`default` when the manifest leaves it to kubectl). */
  readonly namespace: string;
  /** Labels of its pods. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** `serviceAccountName` of its pods (`default` when unset, as Kubernetes fills it in). */
  readonly serviceAccount: string;
  /** Container ports (containers and sidecar init containers). */
  readonly ports: readonly InventoryContainerPort[];
  /** Where it came from. */
  readonly source: InventorySource;
}

/** A Service port. */
export interface InventoryServicePortInfo {
  /** `port`: what clients connect to. */
  readonly port: number;
  /** `targetPort`: the container port (a number) or a container port name; `port` when unset. */
  readonly targetPort: number | string;
  /** Protocol. */
  readonly protocol: string;
  /**
   * The port name.
   * @default - unnamed
   */
  readonly name?: string;
}

/** A Kubernetes Service. */
export interface InventoryServiceInfo {
  /** `metadata.name`. */
  readonly name: string;
  /** Namespace. */
  readonly namespace: string;
  /** The Service's own labels. */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Its pod selector.
   * @default - none (a selector-less or ExternalName Service)
   */
  readonly selector?: Readonly<Record<string, string>>;
  /** Its ports. */
  readonly ports: readonly InventoryServicePortInfo[];
  /** Where it came from. */
  readonly source: InventorySource;
}

/** A Kubernetes `networking.k8s.io/v1` NetworkPolicy. */
export interface InventoryNetworkPolicy {
  /** `metadata.name`. */
  readonly name: string;
  /** Namespace. */
  readonly namespace: string;
  /** `spec.podSelector` (`{}` selects every pod of the namespace). */
  readonly podSelector: LabelSelectorModel;
  /** Where it came from. */
  readonly source: InventorySource;
}

/** A Namespace. */
export interface InventoryNamespace {
  /** Its name. */
  readonly name: string;
  /** Its labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** Where it came from. */
  readonly source: InventorySource;
}

/** Kinds whose `spec.template` is the pod template. */
const TEMPLATE_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController'];

/** The Namespaces, workloads, Services and NetworkPolicies of a set of manifests. */
export class ManifestInventory {
  private readonly namespaceMap = new Map<string, InventoryNamespace>();
  private readonly workloadList: InventoryPodTemplate[] = [];
  private readonly serviceList: InventoryServiceInfo[] = [];
  private readonly networkPolicyList: InventoryNetworkPolicy[] = [];

  /** Every Namespace, by name. */
  public get namespaces(): ReadonlyMap<string, InventoryNamespace> {
    return this.namespaceMap;
  }

  /** Every workload, in the order added. */
  public get workloads(): readonly InventoryPodTemplate[] {
    return this.workloadList;
  }

  /** Every Service, in the order added. */
  public get services(): readonly InventoryServiceInfo[] {
    return this.serviceList;
  }

  /** Every Kubernetes NetworkPolicy, in the order added. */
  public get networkPolicies(): readonly InventoryNetworkPolicy[] {
    return this.networkPolicyList;
  }

  /**
   * Adds what one Kubernetes object tells (a `List` is not unpacked here: add its items one by one, with their own
   * positions). Other kinds are ignored. Never throws on malformed input.
   * @returns whether the object was used
   */
  public add(obj: unknown, source: InventorySource = {}): boolean {
    if (!isObject(obj)) return false;
    const kind = typeof obj.kind === 'string' ? obj.kind : '';
    const meta = isObject(obj.metadata) ? obj.metadata : {};
    const name = typeof meta.name === 'string' ? meta.name : '';
    const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
    const spec = isObject(obj.spec) ? obj.spec : {};
    switch (kind) {
      case 'Namespace':
        this.namespaceMap.set(name, { name, labels: stringMap(meta.labels), source });
        return true;
      case 'Pod':
        this.workloadList.push(podTemplate(kind, name, namespace, { metadata: meta, spec }, source));
        return true;
      case 'CronJob': {
        const jobSpec = isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : {};
        this.workloadList.push(podTemplate(kind, name, namespace, isObject(jobSpec.template) ? jobSpec.template : {}, source));
        return true;
      }
      case 'Service': {
        const selector = isObject(spec.selector) && Object.keys(spec.selector).length > 0 && spec.type !== 'ExternalName'
          ? stringMap(spec.selector) : undefined;
        const ports = (Array.isArray(spec.ports) ? spec.ports : []).filter(isObject).flatMap((p) => {
          const port = Number(p.port);
          if (!Number.isInteger(port)) return [];
          const target = typeof p.targetPort === 'number' ? p.targetPort
            : typeof p.targetPort === 'string' ? (/^\d+$/.test(p.targetPort) ? Number(p.targetPort) : p.targetPort) : port;
          return [{ port, targetPort: target, protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP', ...(typeof p.name === 'string' ? { name: p.name } : {}) }];
        });
        this.serviceList.push({ name, namespace, labels: stringMap(meta.labels), ...(selector ? { selector } : {}), ports, source });
        return true;
      }
      case 'NetworkPolicy': {
        if (typeof obj.apiVersion === 'string' && !obj.apiVersion.startsWith('networking.k8s.io/')) return false;
        const podSelector = isObject(spec.podSelector) ? labelSelector(spec.podSelector) : {};
        this.networkPolicyList.push({ name, namespace, podSelector, source });
        return true;
      }
      default:
        if (!TEMPLATE_KINDS.includes(kind)) return false;
        this.workloadList.push(podTemplate(kind, name, namespace, isObject(spec.template) ? spec.template : {}, source));
        return true;
    }
  }
}

function podTemplate(
  kind: string, name: string, namespace: string, template: Record<string, unknown>, source: InventorySource,
): InventoryPodTemplate {
  const podMeta = isObject(template.metadata) ? template.metadata : {};
  const podSpec = isObject(template.spec) ? template.spec : {};
  const containers = [
    ...(Array.isArray(podSpec.containers) ? podSpec.containers : []),
    ...(Array.isArray(podSpec.initContainers) ? podSpec.initContainers : []).filter((c) => isObject(c) && c.restartPolicy === 'Always'),
  ].filter(isObject);
  const ports: InventoryContainerPort[] = containers.flatMap((c) => (Array.isArray(c.ports) ? c.ports.filter(isObject) : [])
    .filter((p) => Number.isInteger(Number(p.containerPort)))
    .map((p) => ({
      port: Number(p.containerPort),
      protocol: typeof p.protocol === 'string' ? p.protocol : 'TCP',
      ...(typeof p.name === 'string' && p.name !== '' ? { name: p.name } : {}),
    })));
  const sa = typeof podSpec.serviceAccountName === 'string' && podSpec.serviceAccountName !== '' ? podSpec.serviceAccountName
    : typeof podSpec.serviceAccount === 'string' && podSpec.serviceAccount !== '' ? podSpec.serviceAccount : 'default';
  return { kind, name, namespace, podLabels: stringMap(podMeta.labels), serviceAccount: sa, ports, source };
}

function labelSelector(value: Record<string, unknown>): LabelSelectorModel {
  const matchLabels = stringMap(value.matchLabels);
  const matchExpressions = (Array.isArray(value.matchExpressions) ? value.matchExpressions : []).filter(isObject)
    .filter((e) => typeof e.key === 'string' && typeof e.operator === 'string')
    .map((e) => ({
      key: String(e.key),
      operator: String(e.operator),
      ...(Array.isArray(e.values) ? { values: e.values.map(String) } : {}),
    }));
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}

function stringMap(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      Object.defineProperty(out, k, { value: String(v), enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]';
}
