/**
 * What the pitfall layer knows about the cluster besides Cilium policies, read from the other manifests of the same
 * input (or the same cdk8s app): Namespaces with their labels, workloads with their pod labels, service account and
 * container ports, Services with their selectors and ports, and Kubernetes NetworkPolicies (and, for the host lockout
 * guard, the CIDRs of CiliumCIDRGroups). Every entry remembers where it came from, so that a finding can name it.
 *
 * Objects are read through the SDK's manifest reader (`model/manifests.ts`). Unlike the verdict engine's
 * `EndpointInventory` (which keeps only named ports), this keeps every container port with an integer number: the
 * Service-port pitfall needs to know whether a port is one a container listens on.
 */
import { namespaceAssumed } from '../model/namespace-assumed';
import { CidrGroupContents } from '../model/cidr-groups';
import { parseCidr } from '../model/cidr';
import { isNumericTargetPort, readManifest } from '../model/manifests';
import { translateNetworkPolicy } from '../model/network-policy';
import { LabelSelectorModel, RuleModel } from '../model/policy-model';
import { networkPolicyRejections } from './network-policy-rules';

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

/** A container port (`containerPort` an integer), as the SDK's manifest reader reads it. */
export interface InventoryContainerPort {
  /** `containerPort`. */
  readonly port: number;
  /** `protocol` (`TCP` when unset). */
  readonly protocol: string;
  /**
   * `name`.
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
  readonly ports: InventoryContainerPort[];
  /** `hostNetwork: true`: not a Cilium endpoint; its traffic carries the node's identity. */
  readonly hostNetwork: boolean;
  /** Where it came from. */
  readonly source: InventorySource;
}

/** A Service port (`port` an integer; `targetPort` a number when written as digits, else a container port name). */
export interface InventoryServicePortInfo {
  /** `port`. */
  readonly port: number;
  /** `targetPort`: a number (also when written as a string of digits), or a container port name; `port` when unset. */
  readonly targetPort: number | string;
  /** `protocol` (`TCP` when unset). */
  readonly protocol: string;
  /**
   * `name`.
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
  readonly ports: InventoryServicePortInfo[];
  /** Where it came from. */
  readonly source: InventorySource;
  /**
   * `spec.type` as written (`ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`): up to 1.17 the agent holds no
   * `ExternalName` Service, so a `toServices` entry naming one adds no peer selector (`readServiceEntry`).
   * @default - not written (ClusterIP)
   */
  readonly type?: string;
  /**
   * Internal: the pod selector written on an `ExternalName` Service, which is no `selector` (such a Service has no pods),
   * but which from 1.18 a `toServices` entry naming it adds as a peer selector (`readServiceEntry`).
   * @default - none written, or not an ExternalName Service
   * @internal
   */
  readonly _externalNameSelector?: Readonly<Record<string, string>>;
}

/** A Kubernetes `networking.k8s.io/v1` NetworkPolicy. */
export interface InventoryNetworkPolicy {
  /** `metadata.name`. */
  readonly name: string;
  /** Namespace. */
  readonly namespace: string;
  /** `spec.podSelector` (`{}` selects every pod of the namespace). */
  readonly podSelector: LabelSelectorModel;
  /**
   * The Cilium rule the agent makes of it (`model/network-policy.ts`).
   * @default - not translated, or the API server rejects it (`k8s-np-…` errors): the cluster does not have it
   */
  readonly rule?: RuleModel;
  /**
   * @internal Whether it has no `metadata.namespace` (or `""`): `namespace` is then the `default` it is judged in
   * (`pitfall-namespace-assumed`).
   */
  readonly _namespaceAssumed?: boolean;
  /**
   * The directions (`ingress`, `egress`) whose rules Cilium enforces although `policyTypes` leaves them out
   * (`NetworkPolicyModel`).
   * @default - none
   */
  readonly enforcedOutsidePolicyTypes?: string[];
  /**
   * The NetworkPolicy path each item of `rule.ingress` comes from (`spec.ingress[0].from[1]`; `spec.policyTypes` for a
   * synthesized default deny), in order.
   * @default - no rule
   */
  readonly ingressPaths?: string[];
  /**
   * The NetworkPolicy paths of the ingress peers of only an `ipBlock` (`NetworkPolicyItemSource.ipBlockOnly`), in order.
   * @default - none
   */
  readonly ipBlockOnlyPaths?: string[];
  /**
   * The NetworkPolicy path each item of `rule.egress` comes from, in order.
   * @default - no rule
   */
  readonly egressPaths?: string[];
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

/** The Namespaces, workloads, Services and NetworkPolicies of a set of manifests. */
export class ManifestInventory {
  private readonly namespaceMap = new Map<string, InventoryNamespace>();
  private readonly workloadList: InventoryPodTemplate[] = [];
  private readonly serviceList: InventoryServiceInfo[] = [];
  private readonly networkPolicyList: InventoryNetworkPolicy[] = [];
  private readonly cidrGroupMap = new Map<string, CidrGroupContents>();
  private readonly endpointAddressCount = new Map<string, number>();

  /** Every Namespace, in the order first added (a later one of the same name replaces it). */
  public get namespaces(): InventoryNamespace[] {
    return [...this.namespaceMap.values()];
  }

  /** Every workload, in the order added. */
  public get workloads(): InventoryPodTemplate[] {
    return [...this.workloadList];
  }

  /** Every Service, in the order added. */
  public get services(): InventoryServiceInfo[] {
    return [...this.serviceList];
  }

  /** Every Kubernetes NetworkPolicy, in the order added. */
  public get networkPolicies(): InventoryNetworkPolicy[] {
    return [...this.networkPolicyList];
  }

  /** @internal Every CiliumCIDRGroup by name (a later one of the same name replaces it), for the host lockout guard. */
  public get _cidrGroupMap(): ReadonlyMap<string, CidrGroupContents> {
    return this.cidrGroupMap;
  }

  /** @internal Removes a CiliumCIDRGroup the cluster does not have (an apiVersion its release does not serve). */
  public _removeCidrGroup(name: string): void {
    this.cidrGroupMap.delete(name);
  }

  /**
   * The Namespace named `name`.
   * @returns the Namespace, or `undefined` when the manifests have none of that name
   */
  public namespace(name: string): InventoryNamespace | undefined {
    return this.namespaceMap.get(name);
  }

  /**
   * How many endpoint addresses the Endpoints and EndpointSlices of the input give the Service `namespace`/`name`
   * (0 when they hold none), or `undefined` when the input has none of those objects for it (not known).
   */
  public endpointAddresses(namespace: string, name: string): number | undefined {
    return this.endpointAddressCount.get(`${namespace}/${name}`);
  }

  /**
   * Adds what one Kubernetes object tells (a `List` is not unpacked here: add its items one by one, with their own
   * positions). Other kinds are ignored. Never throws on malformed input.
   * @returns whether the object was used
   */
  public add(obj: unknown, source: InventorySource = {}): boolean {
    const info = readManifest(obj);
    if (!info || info.type === 'list') return false;
    const { name, labels } = info.header;
    const namespace = info.header.namespace ?? 'default';
    switch (info.type) {
      case 'namespace':
        this.namespaceMap.set(name, { name, labels, source });
        return true;
      case 'workload': {
        const { template } = info;
        const ports = template.ports.filter((p) => Number.isInteger(p.port));
        this.workloadList.push({
          kind: info.header.kind, name, namespace, podLabels: template.labels, serviceAccount: template.serviceAccount, ports,
          hostNetwork: template.hostNetwork === true, source,
        });
        return true;
      }
      case 'service': {
        // An ExternalName Service has no pods, whatever its selector says.
        const selector = info.service.type !== 'ExternalName' ? info.service.selector : undefined;
        const ports = info.service.ports.filter((p) => Number.isInteger(p.port))
          .map((p) => ({ ...p, targetPort: isNumericTargetPort(p.targetPort) ? Number(p.targetPort) : p.targetPort }));
        const { type } = info.service;
        const ignored = type === 'ExternalName' ? info.service.selector : undefined;
        this.serviceList.push({
          name, namespace, labels, ...(selector ? { selector } : {}), ports, source, ...(type !== undefined ? { type } : {}),
          ...(ignored ? { _externalNameSelector: ignored } : {}),
        });
        return true;
      }
      case 'network-policy': {
        // One the API server rejects (a missing name too) is never in the cluster: kept (it is in the input) but without a rule.
        const model = networkPolicyRejections(obj).length === 0 ? translateNetworkPolicy(obj) : undefined;
        const outside = model?.enforcedOutsidePolicyTypes ?? [];
        const paths = model ? {
          ingressPaths: model.sources.ingress.map((s) => s.path), egressPaths: model.sources.egress.map((s) => s.path),
          ipBlockOnlyPaths: model.sources.ingress.filter((s) => s.ipBlockOnly === true).map((s) => s.path),
        } : {};
        const np: InventoryNetworkPolicy = {
          name, namespace, podSelector: info.podSelector, rule: model?.rule, ...paths, source,
          ...(namespaceAssumed('NetworkPolicy', (obj as { metadata?: unknown }).metadata) ? { _namespaceAssumed: true } : {}),
        };
        this.networkPolicyList.push(outside.length > 0 ? { ...np, enforcedOutsidePolicyTypes: [...outside] } : np);
        return true;
      }
      case 'cidr-group':
        this.cidrGroupMap.set(name, { cidrs: [...info.cidrs], labels });
        return true;
      case 'endpoints': {
        // The backend addresses of a Service (Endpoints, or an EndpointSlice naming it), counted as the engine reads them.
        const key = `${namespace}/${info.service}`;
        const parsed = info.addresses.filter((ip) => parseCidr(`${ip}/${ip.includes(':') ? 128 : 32}`) !== undefined).length;
        this.endpointAddressCount.set(key, (this.endpointAddressCount.get(key) ?? 0) + parsed);
        return true;
      }
      default:
        return false;
    }
  }
}
