/**
 * What the engine knows about the cluster besides policies: namespaces (their labels become pod labels
 * `io.cilium.k8s.namespace.labels.*`), workloads (pod labels, named container ports, service account), Services (for
 * `toServices`) and CiliumCIDRGroups (for `cidrGroupRef`/`cidrGroupSelector`). Read from the Kubernetes manifests that
 * sit next to the policies, or from a cdk8s app, through the SDK's manifest reader (`model/manifests.ts`); this keeps
 * the engine's view of them (named container ports only; an unset namespace is `default`).
 */
import { isPortNumber, ManifestPodTemplate, nestedPodTemplates, onHostNetworkOnly, readHeader, readManifest } from '../model/manifests';
import { listObjects } from '../model/object-names';
import { LabelSelectorModel } from '../model/policy-model';
import { servicesOfTarget } from '../model/services-unresolved';
import { Endpoint, NamedPort } from './endpoint';
import { podObjectLabels } from '../model/pod-object-labels';
import { checkCidrGroup, checkNamespace, checkService, checkWorkload } from './inventory-checks';
import { k8sObjectLabels, Selector, splitLabelKey } from '../model/labels';
import { CiliumPolicyError } from '../core/errors';
import { parseIp, unmapIp } from '../model/cidr';

/** A workload's pod template, as far as policy cares. */
export interface InventoryWorkload {
  /** Kind (`Deployment`, `Pod`, …). */
  readonly kind: string;
  /** Name. */
  readonly name: string;
  /** Namespace. */
  readonly namespace: string;
  /**
   * Labels of its pods, as on the pod object: Cilium drops a pod's own `io.cilium.k8s.*` labels and sets
   * `io.kubernetes.pod.namespace` itself, and so does the inventory.
   */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Named container ports. */
  readonly ports: NamedPort[];
  /**
   * `serviceAccountName` of its pods (a workload manifest without one is read as `default`, which Kubernetes sets).
   * @default - none
   */
  readonly serviceAccount?: string;
  /**
   * `hostNetwork: true`: its pods are not Cilium endpoints; their traffic carries the node's identity.
   * @default false
   */
  readonly hostNetwork?: boolean;
  /**
   * The `hostPort`s of its containers (`containers[].ports[].hostPort`, named or not): a connection to a node's address on
   * one is translated to a pod of the workload before any policy decides it (`nodePortOwner`). Not on the host network,
   * where the pod's port is the node's own.
   * @default - none
   */
  readonly hostPorts?: InventoryHostPort[];
}

/** A container's `hostPort`. */
export interface InventoryHostPort {
  /** The port on the node. */
  readonly port: number;
  /** Its protocol (`TCP`, `UDP`, `SCTP`). */
  readonly protocol: string;
  /**
   * The container port it is translated to (`containerPort`), which the refusal's fix names as the server's port.
   * @default - not known: the fix names the workload's pods without a port
   */
  readonly containerPort?: number;
}

/** A Service port. */
export interface InventoryServicePort {
  /** Service port. */
  readonly port: number;
  /** Target (container) port, a number or a container port name. */
  readonly targetPort: number | string;
  /** Protocol. */
  readonly protocol: string;
  /**
   * The port's name.
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * Its node port (`spec.ports[].nodePort`), of a `NodePort` or `LoadBalancer` Service: a connection to a node's address on
   * it is translated to a backend before any policy decides it (`nodePortOwner`).
   * @default - none given: on a `NodePort` or `LoadBalancer` Service (unless `allocateLoadBalancerNodePorts` is false), one
   * the API server assigns from the node-port range (30000-32767 by default), which the inputs do not say
   */
  readonly nodePort?: number;
}

/** A Kubernetes Service. */
export interface InventoryService {
  /** Name. */
  readonly name: string;
  /** Namespace. */
  readonly namespace: string;
  /** The Service's own labels (`k8sServiceSelector` matches them). */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Its pod selector.
   * @default - a selector-less Service (backends from `endpointCidrs`)
   */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * Backend addresses of a selector-less Service (Endpoints / EndpointSlices), as CIDRs; `[]` for a Service known to have
   * none. Without it (and without an Endpoints or EndpointSlice added for it) whether it has any is not known: an egress
   * item whose `toServices` add no peer selector but for such a Service is not judged (trace exits 2), as for a Service
   * not in the inventory.
   * @default - not known
   */
  readonly endpointCidrs?: string[];
  /** Ports. */
  readonly ports: InventoryServicePort[];
  /**
   * The Service's own addresses (ClusterIPs, external and load-balancer IPs; `serviceVirtualAddresses`): Cilium
   * translates a connection to one of them to a backend before any policy decides it, so `trace`, the matchers, the
   * public verdicts and `replay` judge no connection to such an address (`engine-service-address`).
   * @default - none known
   */
  readonly virtualAddresses?: string[];
  /**
   * `spec.type` (`ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`): the DNS name of an `ExternalName` Service is
   * another name's alias, not a Service address (`serviceAtDnsName`).
   * @default - ClusterIP
   */
  readonly type?: string;
  /**
   * `spec.allocateLoadBalancerNodePorts`: false gives a `LoadBalancer` Service no node port but those written.
   * @default true
   */
  readonly allocateLoadBalancerNodePorts?: boolean;
  /**
   * `spec.clusterIP: None`: a headless Service. Its cluster DNS names resolve to its pods' own addresses, which nothing
   * translates: a connection to one is a connection to the pod, judged by the pod's identity (`serviceAtDnsName`).
   * @default false
   */
  readonly headless?: boolean;
}

/**
 * What a node's address is translated to on a port (`EndpointInventory.nodePortOwner`): a Service's node port, or a
 * workload's `hostPort`; `assigned` when the node port is one the API server assigns from the node-port range (not written).
 */
export interface NodePortOwner {
  /**
   * The Service of the node port, for one.
   * @default - none: a `hostPort`
   */
  readonly service?: InventoryService;
  /**
   * The workload of the `hostPort`, for one.
   * @default - none: a node port
   */
  readonly workload?: InventoryWorkload;
  /** The port is in the node-port range a Service's unwritten node port is assigned from (`NODE_PORT_RANGE`). */
  readonly assigned: boolean;
}

/**
 * The node-port range Kubernetes (`--service-node-port-range`) and Cilium's kube-proxy replacement (`node-port-range`,
 * pkg/option/config.go and later pkg/loadbalancer/config.go `NodePortMinDefault`/`NodePortMaxDefault`) default to: where
 * the API server assigns a node port that a Service's manifest does not write.
 */
export const NODE_PORT_RANGE = { lo: 30000, hi: 32767 } as const;

/** @internal A Node of the inputs, as a connection end names it: its name and labels (`EndpointInventory._nodeAtAddress`). */
export interface InventoryNodeRef {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A CiliumCIDRGroup: CIDRs plus the labels `cidrGroupSelector` matches. */
export interface CidrGroupSpec {
  /** The group's CIDRs (`spec.externalCIDRs`). */
  readonly cidrs: string[];
  /**
   * The group's labels.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * @internal Where a CIDR group read from a manifest came from: its apiVersion, which the cluster's release may not serve
 * (`cilium.io/v2` before 1.18), judged once the release is settled (`PolicySet`, `unservedCidrGroups`), and where it is written.
 */
export interface CidrGroupOrigin {
  readonly apiVersion?: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
}

/** Namespaces, workloads, Services and CIDR groups the engine resolves endpoints against. */
export class EndpointInventory {
  private readonly namespaces = new Map<string, Record<string, string>>();
  private readonly workloadList: InventoryWorkload[] = [];
  private readonly workloadsByNamespace = new Map<string, InventoryWorkload[]>();
  private readonly serviceList: InventoryService[] = [];
  private readonly cidrGroupMap = new Map<string, CidrGroupSpec>();
  private readonly cidrGroupOrigins = new Map<string, CidrGroupOrigin>();
  private readonly sliceAddresses = new Map<string, string[]>();
  /** Every Service of each own address, in the order added (`servicesAtAddress`): Services may share one on different ports. */
  private readonly servicesByAddress = new Map<string, InventoryService[]>();
  /** The first Service added of each `<name>.<namespace>` that is not `ExternalName` (`serviceAtDnsName`). */
  private readonly servicesByDnsName = new Map<string, InventoryService>();
  /** The first Service or workload of each `<PROTOCOL>/<port>` node port or `hostPort` written (`nodePortOwner`). */
  private readonly nodePorts = new Map<string, NodePortOwner>();
  /** The first Node read of each address (`_nodeAtAddress`). */
  private readonly nodesByAddress = new Map<string, InventoryNodeRef>();
  /** Per protocol, the first Service with a node port the API server assigns (not written; `nodePortOwner`). */
  private readonly assignedNodePorts = new Map<string, InventoryService>();

  /** Every workload, in the order added. */
  public get workloads(): InventoryWorkload[] {
    return this.workloadList;
  }

  /** Every Service, with the addresses of Endpoints/EndpointSlices seen for selector-less ones. */
  public get services(): InventoryService[] {
    return this.serviceList.map((s) => {
      const extra = this.sliceAddresses.get(`${s.namespace}/${s.name}`);
      return s.selector === undefined && extra ? { ...s, endpointCidrs: [...(s.endpointCidrs ?? []), ...extra] } : s;
    });
  }

  /** Every CIDR group by name, in the order added. */
  public get cidrGroups(): { [name: string]: CidrGroupSpec } {
    return Object.fromEntries(this.cidrGroupMap);
  }

  /** @internal Every CIDR group by name (the engine's live view). */
  public get _cidrGroupMap(): ReadonlyMap<string, CidrGroupSpec> {
    return this.cidrGroupMap;
  }

  /** @internal Where each CIDR group read from a manifest came from (none for a group added from code). */
  public get _cidrGroupOrigins(): ReadonlyMap<string, CidrGroupOrigin> {
    return this.cidrGroupOrigins;
  }

  /**
   * Adds (or replaces) a namespace and its labels.
   * @throws CiliumPolicyError (`option-value`) when the name is not text or the labels not a mapping of strings
   */
  public addNamespace(name: string, labels: Readonly<Record<string, string>> = {}): void {
    checkNamespace(name, labels);
    this.namespaces.set(name, { ...labels });
  }

  /**
   * Adds a workload.
   * @throws CiliumPolicyError for a field the interface does not declare (`option-unknown`) or a value of another shape
   *   (`option-value`)
   */
  public addWorkload(workload: InventoryWorkload): void {
    checkWorkload(workload);
    const podLabels = podObjectLabels(workload.podLabels);
    this.store(podLabels === workload.podLabels ? workload : { ...workload, podLabels });
  }

  private store(workload: InventoryWorkload): void {
    this.workloadList.push(workload);
    if (workload.hostNetwork !== true) for (const p of workload.hostPorts ?? []) this.addNodePort(p.protocol, p.port, { workload, assigned: false });
    const list = this.workloadsByNamespace.get(workload.namespace);
    if (list) list.push(workload);
    else this.workloadsByNamespace.set(workload.namespace, [workload]);
  }

  /**
   * Adds a Service.
   * @throws CiliumPolicyError for a field the interface does not declare (`option-unknown`) or a value of another shape
   *   (`option-value`)
   */
  public addService(service: InventoryService): void {
    checkService(service);
    this.serviceList.push(service);
    for (const a of service.virtualAddresses ?? []) {
      const key = addressKey(a);
      if (key === undefined) continue;
      const list = this.servicesByAddress.get(key);
      if (list === undefined) this.servicesByAddress.set(key, [service]);
      else if (!list.includes(service)) list.push(service);
    }
    const dnsKey = `${service.name}.${service.namespace}`;
    if (service.type !== 'ExternalName' && !this.servicesByDnsName.has(dnsKey)) this.servicesByDnsName.set(dnsKey, service);
    // Node ports: of a NodePort or LoadBalancer Service only (the API server refuses a written one on another type, Kubernetes
    // validation: "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"); unwritten, assigned,
    // unless a LoadBalancer one says allocateLoadBalancerNodePorts: false.
    const hasNodePorts = service.type === 'NodePort' || service.type === 'LoadBalancer';
    const assigns = service.type === 'NodePort' || (service.type === 'LoadBalancer' && service.allocateLoadBalancerNodePorts !== false);
    for (const p of hasNodePorts ? service.ports : []) {
      if (p.nodePort !== undefined) this.addNodePort(p.protocol, p.nodePort, { service, assigned: false });
      else if (assigns && !this.assignedNodePorts.has(p.protocol.toUpperCase())) this.assignedNodePorts.set(p.protocol.toUpperCase(), service);
    }
  }

  private addNodePort(protocol: string, port: number, owner: NodePortOwner): void {
    const key = `${protocol.toUpperCase()}/${port}`;
    if (!this.nodePorts.has(key)) this.nodePorts.set(key, owner);
  }

  /**
   * What a connection to a node's address on `port` of `protocol` is translated to before any policy decides it: a
   * Service's node port (a written one, else, for a Service whose node port the API server assigns, any port of the
   * node-port range `NODE_PORT_RANGE`), or a workload's `hostPort`; `undefined` for none. Cilium's socket load balancer
   * translates a connect to a node's address (`HOST_ID` or a remote node's identity) on a NodePort, or to the local host on
   * a HostPort, to a backend (bpf/bpf_sock.c `__sock4_xlate_fwd` → `sock4_wildcard_lookup_full`), bpf_host's NodePort
   * path does it for a packet from outside, and kube-proxy or the portmap plugin DNAT it where Cilium does not: either
   * way the backend's own policy decides it, not the node's.
   */
  public nodePortOwner(protocol: string, port: number): NodePortOwner | undefined {
    const key = protocol.toUpperCase();
    const written = this.nodePorts.get(`${key}/${port}`);
    if (written !== undefined) return written;
    const service = port >= NODE_PORT_RANGE.lo && port <= NODE_PORT_RANGE.hi ? this.assignedNodePorts.get(key) : undefined;
    return service === undefined ? undefined : { service, assigned: true };
  }

  /** Whether a connection to a node may be translated on some port (`nodePortOwner`): a node port or `hostPort` exists. */
  public get hasNodePorts(): boolean {
    return this.nodePorts.size > 0 || this.assignedNodePorts.size > 0;
  }

  /**
   * @internal The ports at which the connectivity diff and report cut a pair to a node (`NamedPortCuts`), so that each node
   * port and `hostPort` (`nodePortOwner`) is a segment of its own: each written port, and the node-port range's ends for a
   * protocol with assigned node ports.
   */
  public _nodePortCuts(): NamedPort[] {
    const out: NamedPort[] = [];
    for (const key of this.nodePorts.keys()) {
      const [protocol, port] = key.split('/');
      out.push({ name: '', port: Number(port), protocol });
    }
    for (const protocol of this.assignedNodePorts.keys()) {
      out.push({ name: '', port: NODE_PORT_RANGE.lo, protocol }, { name: '', port: NODE_PORT_RANGE.hi, protocol });
    }
    return out;
  }

  /**
   * Adds (or replaces) a CIDR group.
   * @throws CiliumPolicyError for a field the interface does not declare (`option-unknown`) or a value of another shape
   *   (`option-value`)
   */
  public addCidrGroup(name: string, group: CidrGroupSpec): void {
    this._addCidrGroup(name, group);
  }

  /** @internal `addCidrGroup`, with where the group came from when read from a manifest (replacing the origin of the name). */
  public _addCidrGroup(name: string, group: CidrGroupSpec, origin?: CidrGroupOrigin): void {
    checkCidrGroup(name, group);
    this.cidrGroupMap.set(name, group);
    if (origin === undefined) this.cidrGroupOrigins.delete(name);
    else this.cidrGroupOrigins.set(name, origin);
  }

  /** @internal Removes a CIDR group the cluster does not have (`unservedCidrGroups`). */
  public _removeCidrGroup(name: string): void {
    this.cidrGroupMap.delete(name);
    this.cidrGroupOrigins.delete(name);
  }

  /**
   * Adds what a Kubernetes object tells about the cluster: Namespace, Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
   * Job, CronJob, ReplicationController, Service, Endpoints, EndpointSlice, CiliumCIDRGroup, and the items of a List; of
   * an object of another kind (an Argo Rollout, a Knative Service), the `hostPort`s of the pod templates it nests
   * (`nodePortOwner`). Other objects are ignored. Never throws on malformed input.
   * @returns whether the object was used
   */
  public addManifest(obj: unknown): boolean {
    return this._addObject(obj, false);
  }

  /**
   * @internal `addManifest` of a document, or of an item of a List (`nested`: a List only when its `items` is a list,
   * `isKubernetesList`), as the policy reader adds the List items it skipped.
   * @param at where the object is written: its file, and the position of its `apiVersion` (a List's items get the file only)
   */
  public _addObject(obj: unknown, nested: boolean, at: Omit<CidrGroupOrigin, 'apiVersion'> = {}): boolean {
    const info = readManifest(obj, nested);
    if (!info) return this.addNestedHostPorts(obj);
    const file = at.file !== undefined ? { file: at.file } : {};
    if (info.type === 'list') return info.items.map((i) => this._addObject(i, true, file)).some(Boolean);
    const { name, labels } = info.header;
    const namespace = info.header.namespace ?? 'default';
    switch (info.type) {
      case 'namespace':
        this.addNamespace(name, labels);
        return true;
      case 'workload': {
        const { template } = info;
        // A named port without a container port number (`containerport:` misspelled, which the API server would refuse)
        // names no port: left out, as a name nothing declares.
        const ports = template.ports.flatMap((p) => (p.name !== undefined && isPortNumber(p.port)
          ? [{ name: p.name, port: p.port, protocol: p.protocol }] : []));
        const hostPorts = hostPortsOf(template);
        this.addWorkload({
          kind: info.header.kind, name, namespace, podLabels: template.labels, ports, serviceAccount: template.serviceAccount,
          ...(template.hostNetwork === true ? { hostNetwork: true } : {}), ...(hostPorts.length > 0 ? { hostPorts } : {}),
        });
        // A known kind of another API group keeps its templates elsewhere (a Volcano `Job`: `spec.tasks[].template`).
        this.addNestedHostPorts(obj);
        return true;
      }
      case 'service': {
        const { selector, virtualAddresses, type, allocateLoadBalancerNodePorts, headless } = info.service;
        const ports = info.service.ports.map((p) => ({
          port: p.port, targetPort: p.targetPort, protocol: p.protocol, ...(p.name !== undefined ? { name: p.name } : {}),
          ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
        }));
        this.addService({
          name, namespace, labels, ...(selector ? { selector } : {}), ports,
          ...(virtualAddresses ? { virtualAddresses: [...virtualAddresses] } : {}), ...(type !== undefined ? { type } : {}),
          ...(allocateLoadBalancerNodePorts !== undefined ? { allocateLoadBalancerNodePorts } : {}), ...(headless === true ? { headless } : {}),
        });
        return true;
      }
      case 'endpoints':
        this.addAddresses(namespace, info.service, info.addresses);
        return true;
      case 'node':
        for (const a of info.addresses) this._addNodeAddress(a, { name, labels });
        return true;
      case 'cidr-group':
        this._addCidrGroup(name, { cidrs: [...info.cidrs], labels },
          { ...at, ...(info.header.apiVersion !== undefined ? { apiVersion: info.header.apiVersion } : {}) });
        return true;
      default:
        return false;
    }
  }

  /**
   * The `hostPort`s of the pod templates an object nests (`nestedPodTemplates`, the one walker of the templates of any kind:
   * an Argo Rollout's, a Knative Service's, an OpenKruise CloneSet's), each a node port owned by a pod of the object
   * (`nodePortOwner`): the kubelet and the CNI's portmap (or Cilium's HostPort, bpf/bpf_sock.c `sock4_wildcard_lookup_full`)
   * translate the node's address on it to the pod whatever made the pod. The workload of the owner names the object and the
   * template's pod labels; it is not one of `workloads` (its pods' labels and named ports are not read here). Not on the
   * host network, where the pod's port is the node's own. A port a built-in workload (`store`) owns already keeps its owner.
   * @returns whether any was added
   */
  private addNestedHostPorts(obj: unknown): boolean {
    const header = readHeader(obj);
    if (header === undefined) return false;
    let added = false;
    for (const template of nestedPodTemplates(obj)) {
      const hostPorts = hostPortsOf(template);
      if (template.hostNetwork === true || hostPorts.length === 0) continue;
      const workload: InventoryWorkload = {
        kind: header.kind, name: header.name, namespace: header.namespace ?? 'default', podLabels: podObjectLabels(template.labels), ports: [], hostPorts,
      };
      for (const p of hostPorts) this.addNodePort(p.protocol, p.port, { workload, assigned: false });
      added = true;
    }
    return added;
  }

  /** The names of the namespaces the inventory has. */
  public namespaceNames(): string[] {
    return [...this.namespaces.keys()];
  }

  /** The labels of a namespace, if the inventory has it. */
  public namespaceLabels(namespace: string): Readonly<Record<string, string>> | undefined {
    return this.namespaces.get(namespace);
  }

  /** The workloads in `namespace` whose pods carry (at least) `labels`' matching pod labels. */
  public workloadsFor(namespace: string, labels: Readonly<Record<string, string>>): InventoryWorkload[] {
    return (this.workloadsByNamespace.get(namespace) ?? []).filter((w) => Object.keys(w.podLabels).length > 0
      && Object.entries(w.podLabels).every(([k, v]) => labels[k] === v || labels[`k8s:${k}`] === v));
  }

  /** The workloads in `namespace` whose pod labels include all of `labels` (the workloads a label selector picks). */
  public workloadsSelectedBy(namespace: string, labels: Readonly<Record<string, string>>): InventoryWorkload[] {
    const entries = Object.entries(labels).map(([k, v]) => [splitLabelKey(k, 'k8s').key, v] as const);
    if (entries.length === 0) return [];
    return (this.workloadsByNamespace.get(namespace) ?? []).filter((w) => entries.every(([k, v]) => w.podLabels[k] === v));
  }

  /**
   * @internal The workloads a pod endpoint is taken to be one of, when all of them run on the host network (`enrich`
   * refuses such an endpoint: `engine-endpoint-host-network`); none otherwise. For the connectivity diff, which makes
   * no pod class of them.
   */
  public _hostNetworkWorkloads(endpoint: Endpoint): InventoryWorkload[] {
    if (endpoint.kind !== 'pod') return [];
    const { workloads } = this._podWorkloads(endpoint.namespace ?? 'default', endpoint.labels ?? {});
    return onHostNetworkOnly(workloads) ? workloads : [];
  }

  /**
   * The workloads a pod with `given` labels is taken to be one of: those whose pod labels it carries, else the one
   * workload that has all of its labels. Of the workloads whose pod labels it carries, one whose pod labels are a strict
   * subset of another's is left out: a pod carrying `{app: api, v: "2"}` is a pod of the workload with those labels, not
   * of one with `{app: api}` alone, whose pods lack `v`. Its named ports are then that workload's own, on which Cilium
   * resolves an ingress named port (pkg/endpoint `GetNamedPort(ingress=true)` reads the pod's own `k8sPorts`), and so is
   * its service account, an identity label (`io.cilium.k8s.policy.serviceaccount`, from the pod spec): the pod got both
   * workloads' named ports and the first one's service account. `workloads` are the ones `enrich` takes the pod to be of
   * (trace's host-network warning names the same).
   * @internal
   */
  public _podWorkloads(namespace: string, given: Readonly<Record<string, string>>): {
    workloads: InventoryWorkload[]; exact: InventoryWorkload[]; selected: InventoryWorkload[];
  } {
    const exact = mostSpecific(this.workloadsFor(namespace, given));
    const selected = exact.length > 0 ? [] : this.workloadsSelectedBy(namespace, given);
    return { workloads: exact.length > 0 ? exact : selected.length === 1 ? selected : [], exact, selected };
  }

  /**
   * A pod endpoint completed from the inventory. The workloads whose pod labels it carries give their named ports and
   * service account; if none does but exactly one workload has all of its labels, the pod is taken to be one of that
   * workload's pods and gets its full label set too (cdk8s-plus, for one, adds `cdk8s.io/metadata.addr`). The namespace's
   * labels are added. Fields already set are kept; other kinds are returned as they are.
   * @throws CiliumPolicyError `engine-endpoint-host-network` when the pod is one of workloads on the host network only:
   * Cilium has no endpoint for it (see `refuseHostNetworkPod`)
   */
  public enrich(endpoint: Endpoint): Endpoint {
    if (endpoint.kind !== 'pod') return endpoint;
    const namespace = endpoint.namespace ?? 'default';
    const given = endpoint.labels ?? {};
    const { workloads, exact, selected } = this._podWorkloads(namespace, given);
    if (onHostNetworkOnly(workloads)) refuseHostNetworkPod(namespace, given, workloads);
    // The workload's labels are a Kubernetes object's (source k8s, the key as written); the given ones are written as Cilium's.
    const labels = exact.length === 0 && selected.length === 1 ? { ...k8sObjectLabels(selected[0].podLabels), ...given } : given;
    const ports = endpoint.ports ?? dedupePorts(workloads.flatMap((w) => w.ports));
    const serviceAccount = endpoint.serviceAccount ?? workloads.find((w) => w.serviceAccount !== undefined)?.serviceAccount;
    const namespaceLabels = endpoint.namespaceLabels ?? this.namespaceLabels(namespace);
    return {
      ...endpoint,
      labels,
      ...(ports.length > 0 ? { ports } : {}),
      ...(serviceAccount !== undefined ? { serviceAccount } : {}),
      ...(namespaceLabels !== undefined ? { namespaceLabels } : {}),
    };
  }

  /**
   * The Services a label selector selects: its selector over the Service labels, each key as written (sources ignored:
   * Cilium looks the Service's labels up by key, pkg/policy/k8s `labelsMatcher`), in `namespace` if given. The selector
   * as given is matched; what a written `k8sServiceSelector` entry selects on a version (an empty or missing selector up to
   * 1.18: no Service) is `serviceEntryTarget`'s reading, which the engine uses.
   */
  public servicesMatching(selector: LabelSelectorModel, namespace: string | undefined): InventoryService[] {
    return servicesOfTarget({ kind: 'labels', selector: Selector.from(selector), ...(namespace !== undefined ? { namespace } : {}) }, this.services);
  }

  /** The Services named `name` (in `namespace` if given), as a `toServices` `k8sService` names them (`servicesOfTarget`). */
  public servicesNamed(name: string, namespace: string | undefined): InventoryService[] {
    return servicesOfTarget({ kind: 'name', name, ...(namespace !== undefined ? { namespace } : {}) }, this.services);
  }

  /**
   * The first Service added whose own addresses hold `ip` (`servicesAtAddress`); `undefined` when none does or `ip` is no IP
   * address. Services may share an address on different ports (an external IP, a shared load-balancer IP): which of them a
   * connection reaches is the one with its port and protocol, which `servicesAtAddress` tells.
   */
  public serviceAtAddress(ip: string): InventoryService | undefined {
    return this.servicesAtAddress(ip)[0];
  }

  /**
   * Every Service whose own addresses (`InventoryService.virtualAddresses`) hold `ip` (an IPv4-mapped IPv6 address is its IPv4
   * address, which the packets carry: `unmapIp`), in the order added; `[]` when none does or `ip` is no IP address. Several
   * Services may share one address on different ports or protocols (an `externalIPs` entry, a load-balancer IP shared by
   * LB-IPAM's `lbipam.cilium.io/sharing-key`, MetalLB's `allow-shared-ip`, the node IPAM's node addresses): Cilium looks a
   * connection up by its address, port and protocol (bpf/bpf_sock.c `__sock4_xlate_fwd` → `lb4_lookup_service` on the exact
   * address and port; bpf_lxc's per-packet `lb4_lookup_service` likewise), so each of them is one on its own ports.
   */
  public servicesAtAddress(ip: string): InventoryService[] {
    const key = addressKey(ip);
    return key === undefined ? [] : [...(this.servicesByAddress.get(key) ?? [])];
  }

  /**
   * @internal Adds a Node's `InternalIP` or `ExternalIP` address (read from its manifest): the agents give it the node's
   * identity (`_nodeAtAddress`). The first Node of an address keeps it.
   */
  public _addNodeAddress(ip: string, node: InventoryNodeRef): void {
    const key = addressKey(ip);
    if (key !== undefined && !this.nodesByAddress.has(key)) this.nodesByAddress.set(key, node);
  }

  /**
   * @internal The Node of the inputs one of whose `InternalIP`/`ExternalIP` addresses `ip` is (an IPv4-mapped IPv6 address
   * is its IPv4 address); `undefined` for none.
   */
  public _nodeAtAddress(ip: string): InventoryNodeRef | undefined {
    const key = addressKey(ip);
    return key === undefined ? undefined : this.nodesByAddress.get(key);
  }

  /**
   * The Service of the inputs a cluster DNS name names (`<service>.<namespace>.svc.<cluster domain>`, any domain, a trailing
   * dot or not, any case) or is under (a headless Service's per-pod name `<pod>.<service>.<namespace>.svc.…`, an SRV name
   * `_<port>._<proto>.<service>.<namespace>.svc.…`), but an `ExternalName` one: the name resolves to the Service's ClusterIP,
   * or for a headless Service to its pods' addresses, never to an address outside the cluster. `undefined` for any other name.
   */
  public serviceAtDnsName(dnsName: string): InventoryService | undefined {
    const labels = dnsName.toLowerCase().replace(/\.$/, '').split('.');
    // The two labels before a `svc` label: a name under a Service's (a headless one's pod, `web-0.db.shop.svc.…`; an SRV
    // name, `_http._tcp.api.shop.svc.…`) is in the cluster too. Each `svc` label is tried (a namespace or Service `svc`).
    for (let i = labels.indexOf('svc', 2); i >= 2; i = labels.indexOf('svc', i + 1)) {
      const service = this.servicesByDnsName.get(`${labels[i - 2]}.${labels[i - 1]}`);
      if (service !== undefined) return service;
    }
    return undefined;
  }

  private addAddresses(namespace: string, service: string, ips: readonly string[]): void {
    const key = `${namespace}/${service}`;
    const list = this.sliceAddresses.get(key) ?? [];
    for (const ip of ips.filter((i) => i !== '')) list.push(ip.includes(':') ? `${ip}/128` : `${ip}/32`);
    this.sliceAddresses.set(key, list);
  }
}

/** The `hostPort`s of a pod template's containers, with the container port each is translated to (`InventoryWorkload.hostPorts`). */
function hostPortsOf(template: ManifestPodTemplate): InventoryHostPort[] {
  return template.ports.flatMap((p) => (p.hostPort !== undefined
    ? [{ port: p.hostPort, protocol: p.protocol, ...(isPortNumber(p.port) ? { containerPort: p.port } : {}) }] : []));
}

/**
 * An IP address as one key whatever its spelling (`2001:db8::1` and `2001:DB8:0::1`, an IPv4-mapped IPv6 address and its IPv4
 * address), `undefined` for no address.
 */
function addressKey(ip: string): string | undefined {
  const written = parseIp(ip);
  if (written === undefined) return undefined;
  // The address the packet carries (`unmapIp`, as the CIDR matcher reads an end): `::ffff:10.96.12.34` is `10.96.12.34`.
  const parsed = unmapIp(written);
  return `${parsed.family}:${parsed.value}`;
}

/**
 * The workloads whose pod labels are a strict subset of no other's in `workloads` (which all match one pod, so a key
 * they share has the pod's value: inclusion is of key sets). Workloads with the same pod labels are one set; the
 * distinct sets are bit sets over the keys, compared largest first against the maximal ones found so far (a set inside
 * another is inside a maximal one): a namespace of many copies stays linear, and thousands of distinct sets one pod
 * carries cost a few word operations per pair.
 */
function mostSpecific(workloads: InventoryWorkload[]): InventoryWorkload[] {
  if (workloads.length < 2) return workloads;
  interface Group { readonly labels: Readonly<Record<string, string>>; readonly size: number; bits?: Uint32Array; dropped: boolean }
  const groups = new Map<string, Group>();
  const keys = workloads.map((w) => {
    const key = labelSetKey(w.podLabels);
    if (!groups.has(key)) groups.set(key, { labels: w.podLabels, size: Object.keys(w.podLabels).length, dropped: false });
    return key;
  });
  if (groups.size < 2) return workloads;
  const index = new Map<string, number>();
  for (const g of groups.values()) for (const k of Object.keys(g.labels)) if (!index.has(k)) index.set(k, index.size);
  const words = Math.ceil(index.size / 32);
  for (const g of groups.values()) {
    const bits = new Uint32Array(words);
    for (const k of Object.keys(g.labels)) {
      const i = index.get(k) as number;
      bits[i >>> 5] |= 1 << (i & 31);
    }
    g.bits = bits;
  }
  const inside = (a: Uint32Array, b: Uint32Array): boolean => {
    for (let i = 0; i < a.length; i++) if ((a[i] & ~b[i]) !== 0) return false;
    return true;
  };
  const maximal: Group[] = [];
  for (const g of [...groups.values()].sort((a, b) => b.size - a.size)) {
    g.dropped = maximal.some((m) => m.size > g.size && inside(g.bits as Uint32Array, m.bits as Uint32Array));
    if (!g.dropped) maximal.push(g);
  }
  return workloads.filter((_, i) => !(groups.get(keys[i]) as Group).dropped);
}

/** The key of a pod label set, worked out once per label object (workloads keep theirs). */
function labelSetKey(labels: Readonly<Record<string, string>>): string {
  let key = LABEL_SET_KEYS.get(labels);
  if (key === undefined) {
    key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    LABEL_SET_KEYS.set(labels, key);
  }
  return key;
}

const LABEL_SET_KEYS = new WeakMap<Readonly<Record<string, string>>, string>();

function dedupePorts(ports: NamedPort[]): NamedPort[] {
  const seen = new Set<string>();
  return ports.filter((p) => {
    const k = `${p.name.toLowerCase()}/${p.port}/${p.protocol ?? 'TCP'}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Refuses a pod endpoint of workloads on the host network (`hostNetwork: true`): Cilium creates no endpoint for such pods,
 * their traffic has the identity of the node they run on (`host` on that node, `remote-node` on the others), and their
 * node's host policies, not pod policies, govern them. Judging the pod by its labels would be a verdict on an endpoint
 * that does not exist; which node identity the peer sees depends on where both run, which the query does not say. So
 * the query names the node, as the connectivity diff does (it lists such workloads under its `host` and `remote-node`
 * classes, never as a pod class).
 */
function refuseHostNetworkPod(namespace: string, labels: Readonly<Record<string, string>>, workloads: readonly InventoryWorkload[]): never {
  const which = listObjects(workloads);
  const text = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  throw new CiliumPolicyError({
    id: 'engine-endpoint-host-network',
    message: `pod:${namespace}:${text} is a pod of ${which}, on the host network (hostNetwork: true): Cilium manages no endpoint for it, `
      + 'and its traffic carries the identity of its node, so no verdict on it as a pod is what Cilium enforces',
    fix: 'judge its node instead: entity:host (the same node as the other end; node:<labels> for the node\'s own host policies) '
      + 'or entity:remote-node (another node), as the connectivity diff lists such workloads',
  });
}
