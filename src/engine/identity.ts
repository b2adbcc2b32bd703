/**
 * The security identity of an endpoint: the label set Cilium gives it. Pods get `k8s:<label>` for their labels plus
 * `k8s:io.kubernetes.pod.namespace`, `k8s:io.cilium.k8s.policy.cluster`, the service account and the namespace labels
 * (`k8s:io.cilium.k8s.namespace.labels.<key>`); reserved entities get `reserved:<name>`; IPs outside the cluster are the
 * world identity; nodes are `reserved:remote-node` with their labels, or `reserved:host` for the local node.
 */
import { CiliumVersion } from '../core/cilium-version';
import { CiliumPolicyError } from '../core/errors';
import { parseIp, unmapIp, unmappedText } from '../model/cidr';
import { CLUSTER_KEY, DEFAULT_SERVICE_ACCOUNT, NAMESPACE_KEY, NAMESPACE_LABELS_PREFIX, SERVICE_ACCOUNT_KEY } from '../model/selectors';
import { Endpoint, EndpointKind, NamedPort, formatEndpoint } from './endpoint';
import { IdentityLabel, LabelSet, formatLabel, splitLabelKey } from '../model/labels';
import { identityRelevantLabel } from '../model/identity-labels';
import { IpFamilies } from './policy-set-options';

/** How an endpoint is subject to policy: as a Cilium endpoint (endpointSelector) or as a node (nodeSelector, host firewall). */
export type SubjectKind = 'endpoint' | 'node';

/** An endpoint with its identity worked out. */
export interface ResolvedEndpoint {
  /** The endpoint (after inventory enrichment). */
  readonly endpoint: Endpoint;
  /** Its text form. */
  readonly text: string;
  /** Its identity labels when it is the subject of policy (for nodes: the host endpoint's). */
  readonly labels: LabelSet;
  /** Named ports (pods). */
  readonly ports: readonly NamedPort[];
  /** Parsed IP (cidr, fqdn, node). */
  readonly ip?: { readonly family: 4 | 6; readonly value: bigint };
  /** How policy applies to it: `endpoint`, `node` (host firewall only), or not at all. */
  readonly subject?: SubjectKind;
  /** Why policy does not apply to it (when `subject` is undefined). */
  readonly unmanagedReason?: string;
  /**
   * Its labels that Cilium leaves out of its identity (`k8s:pod-template-hash=abc`: the default identity-relevant labels,
   * `identity-labels.ts`): of a pod, and of a node as the host endpoint.
   * @default - none
   */
  readonly droppedLabels?: readonly IdentityLabel[];
  /**
   * The IPv4-mapped IPv6 address it was given with (`::ffff:8.8.8.8`): `ip` and its CIDR label are the IPv4 address that
   * address stands for, which the packets carry (`unmapIp`).
   * @default - none: its address as given
   */
  readonly mappedAddress?: string;
}

/** The identity of one end as the other end's policy sees it. */
export interface PeerView {
  /** The peer's text form. */
  readonly text: string;
  /** The peer identity's labels. */
  readonly labels: LabelSet;
  /** The peer's IP, when CIDR rules can select it (outside the cluster, or nodes with `cidrMatchNodes`). */
  readonly ip?: { readonly family: 4 | 6; readonly value: bigint };
  /**
   * The IP family of the world identity without a specific address (`entity:world`, `entity:world-ipv4`,
   * `entity:world-ipv6`), matched by a CIDR `/0` of that family only; 0 for any other peer.
   */
  readonly worldFamily: 0 | 4 | 6;
  /** The DNS name (fqdn endpoints), lower-case with a trailing dot. */
  readonly fqdn?: string;
  /** The peer's named ports (egress named ports are resolved on the peer). */
  readonly ports: readonly NamedPort[];
  /** Whether the peer is the local host of the other end (allow-localhost). */
  readonly localHost: boolean;
  /** Whether the peer is a node. */
  readonly node: boolean;
}

/** What identity computation needs to know. */
export interface IdentityOptions {
  /** The local cluster name. */
  readonly clusterName: string;
  /** Whether host policies are enforced (`enable-host-firewall`). */
  readonly hostFirewall: boolean;
  /** Whether CIDR rules can select node IPs (`policy-cidr-match-mode=nodes`). */
  readonly cidrMatchNodes: boolean;
  /**
   * Whether remote nodes carry the cluster label `io.cilium.k8s.policy.cluster` (agent flag `enable-node-selector-labels`,
   * pkg/node `nodeIdentityLabels`): without it a cluster-filtered `fromNodes`/`toNodes` selector matches no node.
   */
  readonly nodeSelectorLabels: boolean;
  /** The IP families the cluster runs: the world label of an outside address (`worldLabel`). */
  readonly ipFamilies: IpFamilies;
  /** The Cilium version: before 1.15 every outside address is reserved:world, whatever the IP families (`worldLabel`). */
  readonly version: CiliumVersion;
}

/**
 * Works out an endpoint's identity.
 * @param intern the one label set object of an identity (the caller's interning), given the label set just computed
 */
export function resolveEndpoint(endpoint: Endpoint, options: IdentityOptions, intern: (labels: LabelSet) => LabelSet = sameLabels): ResolvedEndpoint {
  const text = formatEndpoint(endpoint);
  const written = endpoint.ip !== undefined ? parseIp(endpoint.ip) : undefined;
  // The IPv4 address an IPv4-mapped one stands for: the address of the packets Cilium judges (`unmapIp`).
  const ip = written !== undefined ? unmapIp(written) : undefined;
  const address = ip !== written ? unmappedText(endpoint.ip ?? '') : endpoint.ip ?? '';
  const ports = endpoint.ports ?? [];
  // Built field by field (no spreads): this runs for every new endpoint object.
  const resolved = (labels: LabelSet, subject: SubjectKind | undefined, unmanagedReason?: string,
    dropped?: readonly IdentityLabel[]): ResolvedEndpoint => {
    const out: { -readonly [K in keyof ResolvedEndpoint]: ResolvedEndpoint[K] } = ip
      ? { endpoint, text, ports, ip, labels: intern(labels) } : { endpoint, text, ports, labels: intern(labels) };
    if (subject !== undefined) out.subject = subject;
    if (unmanagedReason !== undefined) out.unmanagedReason = unmanagedReason;
    if (dropped !== undefined && dropped.length > 0) out.droppedLabels = dropped;
    if (ip !== written && endpoint.ip !== undefined) out.mappedAddress = endpoint.ip;
    return out;
  };
  const node = (labels: LabelSet, dropped?: readonly IdentityLabel[]): ResolvedEndpoint => (options.hostFirewall
    ? resolved(labels, 'node', undefined, dropped) : resolved(labels, undefined, HOST_FIREWALL_OFF, dropped));
  switch (endpoint.kind) {
    case EndpointKind.POD: {
      const dropped: IdentityLabel[] = [];
      // Interned before its labels are read by key: the identity's one set keeps the index that lookup builds (selectors
      // read it too), where a fresh equal set would build one only to be dropped.
      const labels = intern(podLabels(endpoint, options.clusterName, options.version, dropped));
      // repository.go computePolicyEnforcementAndRules: `if lbls.Has(labels.IDNameHost) && !EnableHostFirewall` enforces
      // nothing, and `Has("host")` reads a key without a source as one of any source: a pod labelled `host` is taken for
      // the host endpoint (cilium/cilium#48027).
      const host = options.hostFirewall ? undefined : labels.lookup('any', 'host')[0];
      if (host !== undefined) {
        return resolved(labels, undefined, `no policy is enforced on ${text}: its identity has the label ${formatLabel(host)}, and with the host firewall `
          + 'off Cilium enforces no policy on an identity with a label named host, of any source (LabelArray.Has("host") in '
          + 'computePolicyEnforcementAndRules, which means reserved:host; cilium/cilium#48027)', dropped);
      }
      return resolved(labels, 'endpoint', undefined, dropped);
    }
    case EndpointKind.NODE: {
      const dropped: IdentityLabel[] = [];
      return node(LabelSet.of([reserved('host'), ...identityRelevant(nodeOwnLabels(endpoint.labels, 'k8s'), options.version, dropped)]), dropped);
    }
    case EndpointKind.CIDR:
    case EndpointKind.FQDN:
      return resolved(worldLabels(address, options), undefined, `${text} is outside the cluster (world identity): no policy is enforced there`);
    case EndpointKind.ENTITY: {
      const name = endpoint.entity ?? '';
      if (!outsideCluster(endpoint)) {
        // The API server on one of the cluster's nodes is a process of that node: the node's host policy (egress) applies to
        // its calls (webhooks, pods), as to any host process; a managed one is outside the cluster (the peer side notes it).
        // As a policy subject it is that node's host endpoint, labelled reserved:host (and its node's k8s: labels, unknown
        // here): reserved:kube-apiserver is what the ipcache gives the host identity as a peer (pkg/ipcache/metadata.go
        // `updateReservedHostLabels`), not the host endpoint's labels that rules select by (pkg/endpoint `InitWithNodeLabels`),
        // so a nodeSelector on it selects no node (`hostNodeSelectorProblem`).
        if (name === 'kube-apiserver' || NODE_ENTITIES.includes(name)) return node(LabelSet.of([reserved('host')]));
        return resolved(LabelSet.of([reserved(name)]), 'endpoint');
      }
      if (name === 'kube-apiserver') {
        return resolved(worldLabels(address, options, [reserved('kube-apiserver')]), undefined, `${text} is a managed API server outside the cluster: no policy is enforced there`);
      }
      const family = worldEntityFamily(name, options.ipFamilies);
      if (family !== 0) return resolved(LabelSet.of([reserved(worldLabel(family, options.ipFamilies, options.version))]), undefined, `${text} is outside the cluster: no policy is enforced there`);
      return resolved(LabelSet.of([reserved(name)]), undefined, `${text} is not managed by Cilium: no policy is enforced there`);
    }
  }
}

function sameLabels(labels: LabelSet): LabelSet {
  return labels;
}

const HOST_FIREWALL_OFF = 'the host firewall is off: host policies are not enforced on nodes (it is on by default when the policies hold a host policy, or with --host-firewall)';

/** The identity of `target` as the policy of `other` sees it. */
export function peerView(target: ResolvedEndpoint, other: ResolvedEndpoint, options: IdentityOptions): PeerView {
  const ep = target.endpoint;
  // Built field by field (no spreads): this runs for every new peer.
  const view = (labels: LabelSet, flags: { worldFamily?: 0 | 4 | 6; localHost?: boolean; node?: boolean }, ip?: PeerView['ip'], fqdn?: string): PeerView => {
    const out: { -readonly [K in keyof PeerView]: PeerView[K] } = {
      text: target.text, ports: target.ports, worldFamily: flags.worldFamily ?? 0, localHost: flags.localHost ?? false,
      node: flags.node ?? false, labels,
    };
    if (ip !== undefined) out.ip = ip;
    if (fqdn !== undefined) out.fqdn = fqdn;
    return out;
  };
  switch (ep.kind) {
    case EndpointKind.POD:
      return view(target.labels, NO_FLAGS);
    case EndpointKind.CIDR:
    case EndpointKind.FQDN:
      return view(target.labels, NO_FLAGS, target.ip, ep.kind === 'fqdn' && ep.name ? canonical(ep.name) : undefined);
    case EndpointKind.NODE: {
      const nodeName = ep.name ?? ep.labels?.['kubernetes.io/hostname'];
      const local = other.endpoint.kind === 'pod' && nodeName !== undefined && other.endpoint.nodeName === nodeName;
      // The local host is identity 1, labelled as the host endpoint is (its node labels through the identity label filter).
      // A node that runs the API server (`entity: 'kube-apiserver'`) also carries reserved:kube-apiserver, the label the
      // ipcache adds to the node's identity (pkg/ipcache/metadata.go `resolveLabels`; under policy-cidr-match-mode nodes
      // with the node's CIDR labels, which the address below stands for).
      const apiServer = ep.entity === 'kube-apiserver' ? [reserved('kube-apiserver')] : [];
      const labels = local
        ? LabelSet.of([reserved('host'), ...apiServer, ...identityRelevant(nodeOwnLabels(ep.labels, 'k8s'), options.version)])
        : LabelSet.of([reserved('remote-node'), ...apiServer, ...remoteNodeLabels(ep.labels, options), ...nodeClusterLabel(options)]);
      return view(labels, { localHost: local, node: true }, options.cidrMatchNodes ? target.ip : undefined);
    }
    case EndpointKind.ENTITY: {
      const name = ep.entity ?? '';
      if (name === 'host') return view(LabelSet.of([reserved('host')]), { localHost: true, node: true });
      if (name === 'remote-node') return view(LabelSet.of([reserved('remote-node'), ...nodeClusterLabel(options)]), { node: true });
      // The API server as a peer: Cilium's reserved identity 7 (pkg/identity `ReservedIdentityKubeAPIServer`), the identity
      // of a node that runs it, labelled reserved:kube-apiserver and reserved:remote-node.
      // A managed API server (`entity:kube-apiserver@<ip>`): the CIDR identity of its address (reserved:kube-apiserver,
      // reserved:world, cidr labels), held by CIDR rules like any outside address.
      if (name === 'kube-apiserver' && ep.ip !== undefined) return view(target.labels, NO_FLAGS, target.ip);
      if (name === 'kube-apiserver') return view(LabelSet.of([reserved('kube-apiserver'), reserved('remote-node'), ...nodeClusterLabel(options)]), { node: true });
      return view(target.labels, { worldFamily: worldEntityFamily(name, options.ipFamilies) });
    }
  }
}

const NO_FLAGS = Object.freeze({});

/**
 * The label set of a pod.
 * @param version the Cilium version whose default identity-relevant labels filter the pod's own labels (`identity-labels.ts`)
 * @default - its labels as written, unfiltered
 * @param dropped receives the labels the filter leaves out (`k8s:pod-template-hash=abc`)
 */
export function podLabels(ep: Endpoint, clusterName: string, version?: CiliumVersion, dropped?: IdentityLabel[]): LabelSet {
  const namespace = ep.namespace ?? 'default';
  const labels: IdentityLabel[] = [
    { source: 'k8s', key: CLUSTER_KEY, value: clusterName },
    { source: 'k8s', key: `${NAMESPACE_LABELS_PREFIX}kubernetes.io/metadata.name`, value: namespace },
  ];
  const nsLabels = ep.namespaceLabels;
  if (nsLabels !== undefined) for (const k of Object.keys(nsLabels)) labels.push({ source: 'k8s', key: NAMESPACE_LABELS_PREFIX + k, value: nsLabels[k] });
  // The endpoint's labels are its identity labels as Cilium shows them (a remote cluster's pod carries its cluster label,
  // a service account may be given as its label), but the namespace is the endpoint's: Cilium sets it (SanitizePodLabels).
  const written = k8sLabels(ep.labels);
  const serviceAccount = podServiceAccount(ep, written);
  if (serviceAccount !== undefined) labels.push({ source: 'k8s', key: SERVICE_ACCOUNT_KEY, value: serviceAccount });
  const own = version !== undefined ? identityRelevant(written, version, dropped) : written;
  for (let i = 0; i < own.length; i++) labels.push(own[i]);
  labels.push({ source: 'k8s', key: NAMESPACE_KEY, value: namespace });
  return LabelSet.of(labels);
}

/**
 * The service account label of a pod's identity. Cilium labels every pod with `spec.serviceAccountName` unless it is empty
 * (pkg/k8s/utils `SanitizePodLabels`: `if serviceAccount != ""` set, else delete). `''` is a pod of an empty
 * `serviceAccountName` (no such label); one written as a label (`io.cilium.k8s.policy.serviceaccount=robot`) is kept, and
 * wins over `ep.serviceAccount` (it is among the identity's labels). A pod given without one (`serviceAccountUnknown`) is
 * labelled `default`, which Kubernetes' admission sets on a pod that names none: the verdict of that pod, which the engine
 * gives only where every account it may run as decides alike, else refuses or notes (`service-account-candidates.ts`).
 */
function podServiceAccount(ep: Endpoint, written: readonly IdentityLabel[]): string | undefined {
  if (written.some((l) => l.source === 'k8s' && l.key === SERVICE_ACCOUNT_KEY)) return undefined;
  if (ep.serviceAccount !== undefined) return ep.serviceAccount === '' ? undefined : ep.serviceAccount;
  return DEFAULT_SERVICE_ACCOUNT;
}

/** The cluster label of a remote node's identity: only with node-selector labels on. */
function nodeClusterLabel(options: IdentityOptions): IdentityLabel[] {
  return options.nodeSelectorLabels ? [{ source: 'k8s', key: CLUSTER_KEY, value: options.clusterName }] : [];
}

function worldLabels(address: string, options: IdentityOptions, extra: readonly IdentityLabel[] = []): LabelSet {
  const v6 = address.includes(':');
  return LabelSet.of([...extra, reserved(worldLabel(v6 ? 6 : 4, options.ipFamilies, options.version)), { source: 'cidr', key: `${address}/${v6 ? 128 : 32}`, value: '' }]);
}

/** The families of the cluster: 4, 6 or both. */
export function familiesOf(mode: IpFamilies): readonly (4 | 6)[] {
  return mode === IpFamilies.DUAL ? [4, 6] : mode === IpFamilies.IPV6 ? [6] : [4];
}

/**
 * The reserved world label of an outside address of `family` (pkg/labels `getWorldLabel`, `AddWorldLabel`; the agent
 * upserts `0.0.0.0/0` and `::/0` with it, daemon/cmd `initPolicy` special identities): `world` (identity 2) for the family
 * of a single-stack cluster; `world-ipv4` (9) and `world-ipv6` (10) in a dual-stack one; for the family a single-stack
 * cluster does not run, the qualified label, which no address of the cluster has. Before Cilium 1.15 there are no
 * family world identities (they came with cilium/cilium#22625): every outside address is `world` (2).
 */
export function worldLabel(family: 4 | 6, mode: IpFamilies, version: CiliumVersion): string {
  if (!version.atLeast(CiliumVersion.V1_15)) return 'world';
  if (mode !== IpFamilies.DUAL && familiesOf(mode)[0] === family) return 'world';
  return family === 4 ? 'world-ipv4' : 'world-ipv6';
}

/** The family of a world endpoint entity (`world`: the cluster's, IPv4 when dual-stack), 0 for other entities. */
function worldEntityFamily(name: string, mode: IpFamilies): 0 | 4 | 6 {
  if (name === 'world') return familiesOf(mode)[0];
  return name === 'world-ipv4' ? 4 : name === 'world-ipv6' ? 6 : 0;
}

/**
 * A remote node's own labels in its identity (pkg/node `nodeIdentityLabels`): only with node-selector labels on, and then
 * of the `node` source (`labels.Map2Labels(n.Labels, LabelSourceNode)`, through the node label filter, which keeps every
 * label by default); without them a remote node is identity 6, `reserved:remote-node` alone.
 */
function remoteNodeLabels(labels: Readonly<Record<string, string>> | undefined, options: IdentityOptions): IdentityLabel[] {
  return options.nodeSelectorLabels ? nodeOwnLabels(labels, 'node') : [];
}

/**
 * A node's own labels (a `node:` endpoint's, as written) as one view of the node carries them: each of the one `source`
 * Cilium gives a node's labels, `k8s` on the host endpoint and the local host (pkg/endpoint/endpoint.go
 * `InitWithNodeLabels`: `Map2Labels(nodeLabels, LabelSourceK8s)`), `node` in another node's identity (pkg/node/manager
 * `nodeIdentityLabels`: `Map2Labels(n.Labels, LabelSourceNode)`). pkg/labels `NewLabel(key, value, source)`: with a source
 * given, the one a key is written with (`node:role`, `k8s:role`, `container:x`, `any:x`, `unspec:x`) "will be deleted and
 * unused", so `node:node:role=cp` and `node:k8s:role=cp` are the node `role=cp` in every view. A written reserved label
 * (`reserved:host`, `reserved:remote-node`, `$host`) is no label of the node: which reserved label a node carries is the
 * view's (`reserved:host` on the local node and the host endpoint, `reserved:remote-node` on another node,
 * `reserved:kube-apiserver` by the endpoint's entity, which `node:reserved:kube-apiserver` was parsed into). Before, a
 * written source was kept: the host endpoint of `node:node:role=cp` was `node:role=cp`, and a host policy of
 * `nodeSelector: {k8s:role: cp}` did not select it (`no-policy-default-allow`).
 */
function nodeOwnLabels(labels: Readonly<Record<string, string>> | undefined, source: 'k8s' | 'node'): IdentityLabel[] {
  const out: IdentityLabel[] = [];
  if (labels === undefined) return out;
  for (const k of Object.keys(labels)) {
    const { source: written, key } = splitLabelKey(k);
    if (written !== 'reserved') out.push({ source, key, value: labels[k] });
  }
  return out;
}

/**
 * An endpoint's own labels, keys in Cilium's form (`k8s:app`, `container:x`, as an endpoint string writes them): those a
 * Kubernetes object gave (the inventory's workloads) come escaped by `k8sObjectLabels`, so that a key read as written
 * stays of source k8s, as Cilium's `Map2Labels(labels, "k8s")` has it.
 */
export function k8sLabels(labels: Readonly<Record<string, string>> | undefined): IdentityLabel[] {
  const out: IdentityLabel[] = [];
  if (labels === undefined) return out;
  // A loop building each label once: this runs for every new endpoint object.
  for (const k of Object.keys(labels)) {
    const { source, key } = splitLabelKey(k, 'k8s');
    out.push({ source: source === 'any' ? 'k8s' : source, key, value: labels[k] });
  }
  return out;
}

/** The labels Cilium's default label filter keeps in an identity (`identityRelevantLabel`); `dropped` receives the others. */
function identityRelevant(labels: IdentityLabel[], version: CiliumVersion, dropped?: IdentityLabel[]): IdentityLabel[] {
  let kept: IdentityLabel[] | undefined;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (identityRelevantLabel(l.source, l.key, version)) {
      kept?.push(l);
      continue;
    }
    kept ??= labels.slice(0, i);
    dropped?.push(l);
  }
  return kept ?? labels;
}

function reserved(name: string): IdentityLabel {
  return { source: 'reserved', key: name, value: '' };
}

function canonical(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** Entities that are nodes of the cluster: the host endpoint, with host policies under the host firewall. */
const NODE_ENTITIES: readonly string[] = ['host', 'remote-node'];
/** Entities that are Cilium endpoints of the cluster, with endpoint policies (Cilium's reserved identities 4, 8 and 5). */
const CLUSTER_ENDPOINT_ENTITIES: readonly string[] = ['health', 'ingress', 'init'];

/**
 * Whether an endpoint is outside the cluster, where Cilium enforces no policy: an address (`cidr:`: the engine knows no
 * pod IPs), a DNS name, the world, a managed API server (`kube-apiserver@<ip>`), `unmanaged` — every entity but the
 * nodes, the API server on them and the reserved endpoints. `resolveEndpoint` branches on it: none of these is a subject of policy.
 */
export function outsideCluster(ep: Endpoint): boolean {
  switch (ep.kind) {
    case EndpointKind.CIDR:
    case EndpointKind.FQDN:
      return true;
    case EndpointKind.ENTITY: {
      const name = ep.entity ?? '';
      if (name === 'kube-apiserver') return ep.ip !== undefined;
      return !NODE_ENTITIES.includes(name) && !CLUSTER_ENDPOINT_ENTITIES.includes(name);
    }
    default:
      return false;
  }
}

/**
 * @internal The refusal of a connection of which neither end is in the cluster (`cidr:10.0.0.5 → cidr:10.0.0.6`: the
 * engine takes any `cidr:` endpoint for an address outside the cluster, since it has no inventory of pod IPs, so pods
 * written by their IPs are two outside addresses; in Cilium a pod's IP carries the pod's identity), or `undefined` when one
 * end is: neither end is judged, so `allowed` would say nothing about the policies (`trace` exit 0, a `toAllow` that
 * passes whatever they say).
 * @param fromText how the caller names the client (`--from cidr:10.0.0.5`, `cidr:10.0.0.5`)
 * @param toText how the caller names the server
 * @param call the call that asked, for the message (`toAllow()`)
 * @default - none (the CLI's own error line)
 */
export function noClusterEndError(from: Endpoint, to: Endpoint, fromText: string, toText: string, call?: string): CiliumPolicyError | undefined {
  if (!outsideCluster(from) || !outsideCluster(to)) return undefined;
  return new CiliumPolicyError({
    id: 'engine-no-cluster-end',
    message: `${call !== undefined ? `${call}: ` : ''}neither ${fromText} nor ${toText} is in the cluster: Cilium enforces no policy at either end, so the verdict `
      + '(allowed) would say nothing about the policies',
    fix: 'give a pod or a node at one end: a pod by namespace and labels, pod:<namespace>:<k=v,...>, never by its IP (the engine takes a '
      + 'cidr: endpoint for an address outside the cluster: it knows no pod IPs), a node as node:<k=v,...> or entity:host',
  });
}
