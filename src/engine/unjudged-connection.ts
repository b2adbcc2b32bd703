/**
 * Connections on which no verdict of the engine is a claim about Cilium: an end whose policy the agent refuses to compute
 * (`PolicySet._agentRefusals`; a DNS name learned at a DNS server whose policy it refuses, `PolicySet._learningRefusals`),
 * an end that is a node given without its labels where a rule reads them (`PolicySet._nodeLabelsUnknown`), a pod given
 * without its service account where the side's decision depends on it (`PolicySet._serviceAccountUnknown`), and a request
 * allowed at L4 onto L7 rules the engine did not evaluate against it (`l7proto` rules, or rules of another protocol than
 * the request's), and a server end that is a Service's own address (`serviceAddressError`). The one predicate `trace`
 * (exit 2), the public verdicts (`PolicySet.verdict()`, `decide()`, `evaluateNaive()`) and the test matchers (`toAllow`,
 * `toDeny`, `Verdicts.verdictFor`) refuse such a connection by, and `replay` leaves it not judged by, with the same words.
 */
import { CiliumPolicyError, errorWhat } from '../core/errors';
import { Endpoint, EndpointKind, formatEndpoint } from './endpoint';
import { EndpointInventory, InventoryNodeRef, InventoryService, InventoryWorkload, NODE_PORT_RANGE, NodePortOwner } from './inventory';
import { describeItem } from './evaluate';
import { AgentRefusal, agentRefusalConsequence, agentRefusalFix, agentRefusalLead, learningRefusalText, refusalsText } from './parser-conflicts';
import { ConnectionEndNames, unjudgedRequest } from './unjudged-request';
import { Verdict, VerdictQuery } from './verdict';
import { AbsentNodeLabels } from '../model/node-label-reads';
import { parseIp, unmapIp } from '../model/cidr';
import { splitLabelKey } from '../model/labels';

export { ConnectionEndNames, l7RulesText } from './unjudged-request';

/** Why one side's verdict depends on an input the query does not give, with the fix, and which end lacks it. */
export interface UnknownEnd {
  readonly message: string;
  readonly fix: string;
  readonly end: 'subject' | 'peer';
}

/**
 * The keys of the labels each end of a query, where it is a node given without its labels, is known not to carry
 * (`AbsentNodeLabels`: the class of the other nodes of a connectivity diff or report, `ClassifiedEndpoint.nodeLabelsAbsent`).
 * A rule that reads only those labels is judged as on such a node; one that reads another still leaves the connection not judged.
 */
export interface EndsAbsentNodeLabels {
  /** Of the client (`query.from`). */
  readonly from?: AbsentNodeLabels;
  /** Of the server (`query.to`). */
  readonly to?: AbsentNodeLabels;
}

/**
 * What the gate reads of a policy set: `PolicySet` (whose `verdict()`, `decide()` and `evaluateNaive()` ask the gate
 * too, so it is named here by what it is asked, not imported). Each member is the `PolicySet` member of that name.
 */
export interface JudgedPolicies {
  readonly _dnsServer: Endpoint;
  readonly inventory: Pick<EndpointInventory, 'servicesAtAddress' | 'serviceAtDnsName' | 'nodePortOwner' | '_nodeAtAddress'>;
  _agentRefusals(endpoint: Endpoint): readonly AgentRefusal[];
  _learningRefusals(client: Endpoint, name: Endpoint): readonly AgentRefusal[];
  _nodeLabelsUnknown(query: VerdictQuery, direction: 'ingress' | 'egress', absent?: EndsAbsentNodeLabels): UnknownEnd | undefined;
  _serviceAccountUnknown(query: VerdictQuery, direction: 'ingress' | 'egress'): UnknownEnd | undefined;
  _dnsPatchSplit(query: VerdictQuery): { readonly message: string; readonly fix: string } | undefined;
  _ipBlockPatchSplit(query: VerdictQuery): { readonly message: string; readonly fix: string } | undefined;
  _learningLookup(client: Endpoint, name: Endpoint): VerdictQuery | undefined;
  _requestUnjudged(query: VerdictQuery): boolean;
  _verdict(query: VerdictQuery): Verdict;
}

/**
 * Why no verdict on the connection `ends` is what Cilium enforces, as the error to throw; `undefined` when it is judged.
 * An end with a policy the agent refuses to compute (two L7 parsers or two authentication modes on one filter, …) keeps the
 * policy it had, which the policies given do not hold (`engine-policy-refused`); likewise a DNS name (`fqdn:`) a client with
 * `toFQDNs` rules reaches when the agent refuses the policy of the DNS server: whether `toFQDNs` selects it is not known.
 * An end that is the subject of host policy given without its node's labels (`entity:host`, `entity:remote-node`,
 * `entity:kube-apiserver` on a node) while a host rule of that side's direction selects nodes by their labels, or is such a
 * node as the peer of `fromNodes`/`toNodes` items that select nodes by their labels (per-node labels on) in the other
 * end's policy, and that side does not decide the query alike whichever of them select the node (`engine-node-labels-unknown`,
 * `decidesAlikeOnEveryNode`): its verdict depends on the node, which the query does not name. Likewise a pod end given
 * without its service account (no label, no workload of the inputs, none captured) where a side does not decide alike
 * under each account it may run as (`engine-service-account-unknown`, `service-account-candidates.ts`).
 * A DNS lookup that the client's DNS rules refuse on Cilium 1.16/1.17 where no selecting policy enables default deny on its
 * egress (`engine-dns-patch-split`, `PolicySet._dnsPatchSplit`): the DNS proxy refuses it on the earlier patches only.
 * On Cilium 1.19 without a patch level, a connection from a pod of the namespace of a NetworkPolicy with an ingress peer of
 * only an ipBlock whose verdict differs between 1.19.0-1.19.4 (the peer also selects the namespace's pods) and 1.19.5+
 * (`engine-ip-block-patch-split`, `PolicySet._ipBlockPatchSplit`).
 * Any of the last three on the lookup through which a client with `toFQDNs` items learns a DNS name (`fqdn:`) it reaches
 * (`PolicySet._learningLookup`, `learningLookupError`): whether `toFQDNs` selects the name is not known.
 * @param ends the query: its ends, and the port and request a node-label refusal depends on
 * Given the verdict on the connection, a request allowed at L4 onto L7 rules it was not judged by (`unjudgedRequest`).
 * @param names how the messages name the ends
 * @param lead the start of the message (the call and the connection), or nothing
 * @param judged the engine's verdict on the query, once computed: the query's request is checked too
 * @param absent the labels the ends, where they are nodes given without theirs, are known not to carry (none when omitted)
 */
export function unjudgedConnectionError(set: JudgedPolicies, ends: VerdictQuery, names: ConnectionEndNames,
  lead = '', judged?: { readonly verdict: Verdict }, absent?: EndsAbsentNodeLabels): CiliumPolicyError | undefined {
  const service = serviceAddressError(set, ends, names.to, lead) ?? nodePortError(set, ends, names.to, lead)
    ?? podDnsNameError(ends.from, names.from, lead) ?? podDnsNameError(ends.to, names.to, lead)
    ?? nodeAddressError(set, ends.from, names.from, lead) ?? nodeAddressError(set, ends.to, names.to, lead);
  if (service !== undefined) return service;
  for (const [name, end] of [[names.from, ends.from], [names.to, ends.to]] as const) {
    const refusals = set._agentRefusals(end);
    const learning = refusals.length === 0 ? set._learningRefusals(ends.from, end) : [];
    if (refusals.length === 0 && learning.length === 0) continue;
    const list = refusals.length > 0 ? refusals : learning;
    const r = list[0];
    return new CiliumPolicyError({
      id: 'engine-policy-refused',
      message: lead + (refusals.length > 0
        ? `${name} ${formatEndpoint(end)}: ${agentRefusalLead(r, 'this endpoint')}: ${refusalsText(list, describeItem)}; `
          + `${agentRefusalConsequence(r, 'it')}, so no verdict on them is what Cilium enforces`
        : `${name} ${formatEndpoint(end)}: ${learningRefusalText(formatEndpoint(set._dnsServer), refusalsText(list, describeItem), r)}; `
          + 'so no verdict on this name is what Cilium enforces'),
      fix: `${agentRefusalFix(r)}; \`cdk8s-cilium validate\` reports it as ${r.check}`,
    });
  }
  const unknownEnd = unknownEndError(set, ends, [[names.from, names.to, 'egress'], [names.to, names.from, 'ingress']],
    (named, message) => `${lead}${named} ${message}`, (named, fix) => `${fix} as ${named}`, absent);
  if (unknownEnd !== undefined) return unknownEnd;
  const split = set._dnsPatchSplit(ends);
  if (split !== undefined) return new CiliumPolicyError({ id: 'engine-dns-patch-split', message: `${lead}${names.from} ${formatEndpoint(ends.from)} ${split.message}`, fix: split.fix });
  const ipBlock = set._ipBlockPatchSplit(ends);
  if (ipBlock !== undefined) {
    return new CiliumPolicyError({ id: 'engine-ip-block-patch-split', message: `${lead}${names.from} ${formatEndpoint(ends.from)} ${ipBlock.message}`, fix: ipBlock.fix });
  }
  // The lookup's client is the query's: what is known of its labels holds there too (its server is the DNS server).
  const learning = learningLookupError(set, ends, names, lead, absent?.from === undefined ? undefined : { from: absent.from });
  if (learning !== undefined) return learning;
  return judged === undefined ? undefined : unjudgedRequest(ends, judged.verdict, names, lead);
}

/**
 * The Service of the inputs whose own address `end` is (`cidr:`, or the address of `fqdn:`: `EndpointInventory.servicesAtAddress`;
 * of several sharing the address, the one with the port and protocol of `at`, else the first added), or whose cluster DNS
 * name an `fqdn:` end names (`serviceAtDnsName`), with whether it was found by the address; `undefined` for any other end.
 * A node end with an address (`node:…@<ip>`, `entity:kube-apiserver@<ip>`: `hasNodeAddress`) that is a Service's own
 * address (an external or load-balancer IP on a node) is one on the ports of the Services at that address only (`at`, when
 * given: a port and protocol of one of them, each Service sharing the address asked; none when the query has no port):
 * Cilium looks the address, port and protocol up as a Service
 * first (bpf/bpf_sock.c `__sock4_xlate_fwd`: `lb4_lookup_service` on the exact address and port, before the node-port
 * wildcard `sock4_wildcard_lookup_full`; bpf_lxc's per-packet `lb4_lookup_service` likewise), and any other port reaches
 * the node itself. Without `at`, whether the end may be one on some port. The one test of `serviceAddressError`, which
 * `PolicySet.decide()` and the connectivity diff and report ask of an end (`PolicySet.endMayLeaveUnjudged`): map look-ups,
 * on `cidr:`, `fqdn:` and node ends with an address only.
 */
export function serviceOfServerEnd(inventory: JudgedPolicies['inventory'], end: Endpoint, at?: Pick<VerdictQuery, 'port' | 'protocol'>):
  { readonly service: InventoryService; readonly atAddress: boolean } | undefined {
  const onPort = (services: readonly InventoryService[]): InventoryService | undefined => (at === undefined ? undefined
    : services.find((s) => servicePortAt(s, at) !== undefined));
  if (hasNodeAddress(end)) {
    const services = inventory.servicesAtAddress(end.ip ?? '');
    const service = at === undefined ? services[0] : onPort(services);
    return service === undefined ? undefined : { service, atAddress: true };
  }
  if ((end.kind !== EndpointKind.CIDR && end.kind !== EndpointKind.FQDN) || end.ip === undefined) return undefined;
  const atAddress = inventory.servicesAtAddress(end.ip);
  if (atAddress.length > 0) return { service: onPort(atAddress) ?? atAddress[0], atAddress: true };
  // A cluster DNS name of a Service resolves to its ClusterIP, or a headless one's pods: never an outside address.
  const byName = end.kind === EndpointKind.FQDN && end.name !== undefined ? inventory.serviceAtDnsName(end.name) : undefined;
  return byName === undefined ? undefined : { service: byName, atAddress: false };
}

/**
 * The pod address a DNS name (`fqdn:`) stands for when it is a pod's cluster DNS name, which CoreDNS answers with that
 * address; `undefined` for any other end. Two forms (any domain, case or trailing dot; an IPv6 address with `-` for `:`):
 * `<address with dashes>.<namespace>.pod.<cluster domain>` (`10-0-0-5.shop.pod.cluster.local`), and the name of a headless
 * Service's endpoint without a hostname, `<address with dashes>.<service>.<namespace>.svc.<cluster domain>`
 * (`10-0-0-5.db.shop.svc.cluster.local`: CoreDNS plugin/kubernetes `endpointHostname` dashes the address), the latter only
 * at its own address (the end's `@ip`: a pod may take such a hostname).
 */
export function podAddressOfEnd(end: Endpoint): string | undefined {
  if (end.kind !== EndpointKind.FQDN || end.name === undefined) return undefined;
  const labels = end.name.toLowerCase().replace(/\.$/, '').split('.');
  const podForm = labels.length >= 4 && labels[2] === 'pod' && labels[1] !== '';
  const serviceForm = labels.length >= 5 && labels[3] === 'svc' && labels[1] !== '' && labels[2] !== '';
  if (!podForm && !serviceForm) return undefined;
  const address = dashedAddress(labels[0]);
  if (address === undefined || podForm) return address;
  const at = end.ip === undefined ? undefined : parseIp(end.ip);
  const of = parseIp(address);
  return at !== undefined && of !== undefined && unmapIp(at).family === unmapIp(of).family && unmapIp(at).value === unmapIp(of).value
    ? address : undefined;
}

/** The address a DNS label writes with dashes (`10-0-0-5`, `fd00-0-0-0-0-0-0-5`), or `undefined`. */
function dashedAddress(label: string): string | undefined {
  const v4 = label.replace(/-/g, '.');
  if (/^[0-9.]+$/.test(v4) && parseIp(v4) !== undefined) return v4;
  const v6 = label.replace(/-/g, ':');
  return v6.includes(':') && parseIp(v6) !== undefined ? v6 : undefined;
}

/**
 * Why no verdict on a connection with an end that is a pod's cluster DNS name (`podAddressOfEnd`) is what Cilium enforces: the
 * name resolves to the pod's address, which the ipcache holds with the pod's own identity (its CiliumEndpoint or pod, sources
 * `custom-resource`/`k8s`, which the `generated` prefixes of DNS answers never overwrite: pkg/source `AllowOverwrite`), so no
 * `toFQDNs` or CIDR rule judges it as the outside address the engine would take it for; which pod it is the query does not say
 * (`engine-pod-dns-name`).
 */
function podDnsNameError(end: Endpoint, name: string, lead: string): CiliumPolicyError | undefined {
  const address = podAddressOfEnd(end);
  if (address === undefined) return undefined;
  const labels = (end.name ?? '').toLowerCase().split('.');
  const namespace = labels[2] === 'pod' ? labels[1] : labels[2];
  return new CiliumPolicyError({
    id: 'engine-pod-dns-name',
    message: `${lead}${name} ${formatEndpoint(end)}: ${end.name ?? ''} is the cluster DNS name of the pod at ${address} in namespace ${namespace}, which `
      + 'resolves to that pod\'s address; Cilium gives the address the pod\'s own identity (DNS answers never overwrite it), so no toFQDNs or '
      + 'CIDR rule judges it as an outside address and no verdict on it as one is what Cilium enforces',
    fix: `give the pod itself (pod:${namespace}:<its labels>)`,
  });
}

/**
 * The Node of the inputs whose `InternalIP`/`ExternalIP` address an address end is (`cidr:`, the address of `fqdn:`, or
 * `entity:kube-apiserver@<ip>`, which the engine takes for a managed API server outside the cluster), or a node end given
 * with such an address is but with labels that Node does not carry (`node:kubernetes.io/hostname=n9@<n2's address>`:
 * the engine would judge the labels written, Cilium the Node's); `undefined` for any other end
 * (`EndpointInventory._nodeAtAddress`: a map look-up).
 */
export function nodeOfAddressEnd(inventory: JudgedPolicies['inventory'], end: Endpoint): InventoryNodeRef | undefined {
  if (end.ip === undefined) return undefined;
  const apiServer = end.kind === EndpointKind.ENTITY && end.entity === 'kube-apiserver';
  if (end.kind !== EndpointKind.CIDR && end.kind !== EndpointKind.FQDN && end.kind !== EndpointKind.NODE && !apiServer) return undefined;
  const node = inventory._nodeAtAddress(end.ip);
  if (node === undefined || end.kind !== EndpointKind.NODE) return node;
  return nodeLabelsContradicted(end.labels ?? {}, nodeLabels(node)) ? node : undefined;
}

/** A Node's labels as an end names it: those of its manifest, or its `kubernetes.io/hostname` (its name) without any. */
function nodeLabels(node: InventoryNodeRef): Readonly<Record<string, string>> {
  return Object.keys(node.labels).length > 0 ? node.labels : { 'kubernetes.io/hostname': node.name };
}

/** Whether a node end's labels (no source or `node:`; reserved and other sources aside) give one the Node's lack or differ on. */
function nodeLabelsContradicted(endLabels: Readonly<Record<string, string>>, node: Readonly<Record<string, string>>): boolean {
  return Object.entries(endLabels).some(([written, value]) => {
    const { source, key } = splitLabelKey(written);
    return (source === 'any' || source === 'node') && node[key] !== value;
  });
}

/**
 * Why no verdict on a connection with an address end that is a node's address in the inputs (`nodeOfAddressEnd`) is what
 * Cilium enforces: the agents give a node's addresses its identity, `reserved:host` on the node itself and
 * `reserved:remote-node` on the others (pkg/node/manager `NodeUpdated` upserts each node IP into the ipcache with the node's
 * identity; pkg/ipcache), and CIDR rules select them only under `policy-cidr-match-mode: nodes`, while the engine takes a
 * `cidr:` end (or `entity:kube-apiserver@<ip>`, a managed API server) for an address outside the cluster (the world
 * identity): `toCIDR` of the node's subnet would pass it, and an allow of `remote-node` would not; a node end with labels
 * the Node at its address lacks would be judged by labels that node's identity does not carry (`engine-node-address`).
 * Which node's view (local or remote) the query does not say.
 */
function nodeAddressError(set: JudgedPolicies, end: Endpoint, name: string, lead: string): CiliumPolicyError | undefined {
  const node = nodeOfAddressEnd(set.inventory, end);
  if (node === undefined) return undefined;
  const written = Object.entries(nodeLabels(node)).map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(',');
  const of = `${end.ip ?? ''} is an address of Node ${node.name} in the inputs`;
  if (end.kind === EndpointKind.NODE) {
    return new CiliumPolicyError({
      id: 'engine-node-address',
      message: `${lead}${name} ${formatEndpoint(end)}: ${of}, whose labels (${written}) do not include the node's given here; Cilium judges `
        + 'a node by the labels of the Node at its address, so no verdict on these labels is what Cilium enforces',
      fix: `give the Node's labels (node:${written}@${end.ip ?? ''}), or the address of the node meant`,
    });
  }
  const apiServer = end.kind === EndpointKind.ENTITY;
  return new CiliumPolicyError({
    id: 'engine-node-address',
    message: `${lead}${name} ${formatEndpoint(end)}: ${of}; Cilium gives a node's addresses the node's identity (host on the node itself, `
      + `remote-node on the others${apiServer ? ', with kube-apiserver when the API server runs there' : ''}), which CIDR rules select only under `
      + `policy-cidr-match-mode: nodes, so no verdict on it as ${apiServer ? 'a managed API server outside the cluster' : 'an outside address'} is what Cilium enforces`,
    fix: apiServer ? `give entity:kube-apiserver (the API server on the nodes) or the node (node:${written}@${end.ip ?? ''})`
      : `give the node (node:${written}@${end.ip ?? ''}; entity:host for the client's own node)`,
  });
}

/** Whether `end` is a node end (`isNodeEnd`) or `entity:kube-apiserver`, given with an address: one a Service's may be. */
function hasNodeAddress(end: Endpoint): boolean {
  return end.ip !== undefined && (isNodeEnd(end) || (end.kind === EndpointKind.ENTITY && end.entity === 'kube-apiserver'));
}

/** The port of `service` a connection on `at` reaches (its `port` and protocol); `undefined` for none or a query without a port. */
function servicePortAt(service: InventoryService, at: Pick<VerdictQuery, 'port' | 'protocol'>): number | undefined {
  const proto = at.protocol.toUpperCase();
  return at.port === undefined ? undefined : service.ports.find((p) => p.port === at.port && p.protocol.toUpperCase() === proto)?.port;
}

/**
 * Why no verdict on a connection to `to` is what Cilium enforces because `to` is an address (`cidr:`, or the address of
 * `fqdn:`) of a Service of the inputs (`EndpointInventory.serviceAtAddress`: a ClusterIP, an external or load-balancer IP):
 * Cilium load-balances a connection to it to one of the Service's backends before a policy decides it (bpf/bpf_lxc.c: the
 * socket-level translation or `__per_packet_lb_svc_xlate_4`, then `handle_ipv4_from_lxc`'s policy on the backend's
 * identity; a Service without backends drops it before any policy), so the policy never sees the address, which the
 * engine would judge as an address outside the cluster (`engine-service-address`); likewise a node end given with an address
 * that is a Service's, on a port of that Service (`serviceOfServerEnd`), which the engine would judge as the node. With kube-proxy rather than Cilium
 * serving external and load-balancer addresses the policy sees the address: which one holds depends on the cluster.
 */
function serviceAddressError(set: JudgedPolicies, ends: VerdictQuery, name: string, lead: string): CiliumPolicyError | undefined {
  const to = ends.to;
  const found = serviceOfServerEnd(set.inventory, to, ends);
  if (found === undefined) return undefined;
  const { service, atAddress } = found;
  if (!atAddress && service.headless === true) return headlessNameError(service, to, name, lead);
  const named = `${service.namespace}/${service.name}`;
  const node = hasNodeAddress(to);
  // The port of the query when the Service has it (a node end's always), else the Service's first port.
  const port = servicePortAt(service, ends) ?? (node ? undefined : service.ports.find((p) => Number.isInteger(p.port))?.port);
  const fix = serviceServerFix(service, port);
  const onPort = node ? ` on ${ends.port ?? ''}/${ends.protocol.toUpperCase()}, a port of it` : '';
  return new CiliumPolicyError({
    id: 'engine-service-address',
    message: `${lead}${name} ${formatEndpoint(to)}: ${atAddress ? `${to.ip} is an address of Service ${named} in the inputs${onPort}`
      : `${to.name ?? ''} is a cluster DNS name of Service ${named} in the inputs (its own or one under it), which resolves to its ClusterIP`}; `
      + 'Cilium translates a connection to a Service address to one of its backends before any policy decides it (bpf_lxc '
      + `service translation) and judges a pod by its own identity, so no policy judges the address as ${node ? 'the node\'s' : 'an outside one'} and no `
      + 'verdict on it is what Cilium enforces',
    fix,
  });
}

/**
 * Why no verdict on a connection to a cluster DNS name (`fqdn:`) of a headless Service (`clusterIP: None`) is what Cilium
 * enforces: the name resolves to its pods' own addresses (CoreDNS answers a headless Service's name with its endpoints'
 * addresses), which nothing translates; the ipcache holds each with its pod's identity, which the `generated` prefixes of
 * DNS answers never overwrite (pkg/source `AllowOverwrite`), so no `toFQDNs` or CIDR rule judges it as the outside address the
 * engine would take it for (`engine-service-address`, as for another Service's name). The fix gives the pods the Service
 * selects, or the addresses of a selector-less one's Endpoints.
 */
function headlessNameError(service: InventoryService, to: Endpoint, name: string, lead: string): CiliumPolicyError {
  const named = `${service.namespace}/${service.name}`;
  const pods = service.selector !== undefined
    ? formatEndpoint({ kind: EndpointKind.POD, namespace: service.namespace, labels: service.selector }) : undefined;
  return new CiliumPolicyError({
    id: 'engine-service-address',
    message: `${lead}${name} ${formatEndpoint(to)}: ${to.name ?? ''} is a cluster DNS name of headless Service ${named} in the inputs `
      + '(clusterIP: None; its own or one under it), which resolves to the addresses of its backends (its pods\', or its Endpoints\' for a '
      + 'selector-less one), not to a Service address: nothing is translated, and a connection to a backend is judged as that backend, a pod\'s '
      + 'address by the pod\'s own identity (DNS answers never overwrite it), so no verdict on the name as an outside address is what Cilium enforces',
    fix: pods !== undefined ? `give a pod of the Service as the server (${pods}, on its container port)`
      : `give a backend of Service ${named} as the server (the address of one of its Endpoints: cidr:<ip>, or the pod or node behind it)`,
  });
}

/**
 * The fix of a connection refused because its server is translated to a backend of `service` (`serviceAddressError`,
 * `nodePortError`): give the Service (`svc:`, which traces its pods, on Service port `port` when known) or a backend; a
 * selector-less one's backends are addresses (default/kubernetes: the API server).
 */
function serviceServerFix(service: InventoryService, port: number | undefined): string {
  const named = `${service.namespace}/${service.name}`;
  return service.selector !== undefined
    ? `give the Service as the server (svc:${named}${port !== undefined ? `:${port}` : ''}: its backends on their target port), or a backend itself`
    : `give a backend of Service ${named} as the server (${named === 'default/kubernetes' ? 'entity:kube-apiserver, or entity:kube-apiserver@<ip> for a managed one'
      : 'the address of one of its Endpoints: cidr:<ip>, or the pod or node behind it'})`;
}

/**
 * Whether `end` stands for a node's address as the datapath sees it (`HOST_ID` or a remote node's identity, which
 * bpf/bpf_sock.c `sock4_wildcard_lookup` reads): a `node:` endpoint, or the entity `host` or `remote-node`, or
 * `kube-apiserver` given without the address of a managed one (an API server on the host network of a node).
 */
export function isNodeEnd(end: Endpoint): boolean {
  if (end.kind === EndpointKind.NODE) return true;
  return end.kind === EndpointKind.ENTITY && (end.entity === 'host' || end.entity === 'remote-node' || (end.entity === 'kube-apiserver' && end.ip === undefined));
}

/**
 * Why no verdict on a connection to `ends.to` is what Cilium enforces because `ends.to` is a node (`isNodeEnd`) and the
 * connection's port a node port of a Service or a `hostPort` of a workload in the inputs (`EndpointInventory.nodePortOwner`):
 * the connection is translated to a backend before any policy decides it — by Cilium's socket load balancer for a connect
 * to a node's address (bpf/bpf_sock.c `__sock4_xlate_fwd` → `sock4_wildcard_lookup_full`: NodePort on the local host or a
 * remote node, HostPort on the local host), by bpf_host's NodePort path for a packet from outside, by kube-proxy or the
 * portmap plugin otherwise — and the backend's own policy decides it, which no verdict on the node holds
 * (`engine-node-port`).
 */
function nodePortError(set: JudgedPolicies, ends: VerdictQuery, name: string, lead: string): CiliumPolicyError | undefined {
  if (ends.port === undefined || !isNodeEnd(ends.to)) return undefined;
  const owner = set.inventory.nodePortOwner(ends.protocol, ends.port);
  if (owner === undefined) return undefined;
  const at = `${ends.port}/${ends.protocol.toUpperCase()}`;
  return new CiliumPolicyError({
    id: 'engine-node-port',
    message: `${lead}${name} ${formatEndpoint(ends.to)} is a node, and ${at} ${nodePortOwnerText(owner)}; a connection to a node's `
      + 'address on it is translated to a backend before any policy decides it (Cilium\'s socket load balancer and NodePort '
      + 'path, or kube-proxy and the portmap plugin), and the backend\'s own policy decides it, so no verdict on the node is '
      + 'what Cilium enforces',
    fix: owner.service !== undefined
      ? serviceServerFix(owner.service, servicePortOf(owner.service, ends.protocol, owner.assigned ? undefined : ends.port))
      : hostPortFix(owner.workload, ends),
  });
}

/**
 * The fix of a connection refused on a `hostPort` of `workload` (`nodePortError`): one of its pods as the server, by its pod
 * labels, on the container port the `hostPort` of the query's port and protocol is translated to (`InventoryHostPort.containerPort`).
 */
function hostPortFix(workload: InventoryWorkload | undefined, ends: VerdictQuery): string {
  if (workload === undefined) return '';
  const proto = ends.protocol.toUpperCase();
  const hostPort = workload.hostPorts?.find((p) => p.port === ends.port && p.protocol.toUpperCase() === proto);
  const pod = formatEndpoint({ kind: EndpointKind.POD, namespace: workload.namespace, labels: workload.podLabels });
  const port = hostPort?.containerPort !== undefined ? `${hostPort.containerPort}/${proto}` : `<its container port>/${proto}`;
  return `give a pod of ${workload.kind} ${workload.namespace}/${workload.name} as the server (${pod}, --port ${port}: the container port `
    + `hostPort ${ends.port ?? ''} is translated to)`;
}

/** The Service port whose node port is `nodePort` (a written one), else the first of `protocol` whose node port is assigned. */
function servicePortOf(service: InventoryService, protocol: string, nodePort: number | undefined): number | undefined {
  const proto = protocol.toUpperCase();
  return service.ports.find((p) => p.protocol.toUpperCase() === proto && p.nodePort === nodePort)?.port;
}

/** What a node port is, for `nodePortError`'s message. */
function nodePortOwnerText(owner: NodePortOwner): string {
  if (owner.workload !== undefined) return `is a hostPort of ${owner.workload.kind} ${owner.workload.namespace}/${owner.workload.name} in the inputs`;
  const named = `Service ${owner.service?.namespace ?? ''}/${owner.service?.name ?? ''}`;
  return owner.assigned
    ? `is in the node-port range (${NODE_PORT_RANGE.lo}-${NODE_PORT_RANGE.hi}) the API server assigns the node port of ${named} in the inputs from, `
      + 'which its manifest does not write'
    : `is the node port of ${named} in the inputs`;
}

/**
 * Why no verdict on a DNS name (`fqdn:`) is what Cilium enforces because the lookup through which the client's `toFQDNs`
 * items learn it (`PolicySet._learningLookup`) is itself not judged: the DNS proxy refuses it on some patches of the target
 * version only (`engine-dns-patch-split`), an end of it is a node given without its labels where a rule reads them
 * (`engine-node-labels-unknown`), or it is allowed at L4 onto L7 rules that do not judge a DNS name (`engine-l7-not-evaluated`,
 * `unjudgedRequest`: the DNS server's `l7proto` rules on its port); whether the name is learned, and so whether `toFQDNs` selects it, is not known.
 */
function learningLookupError(set: JudgedPolicies, ends: VerdictQuery, names: ConnectionEndNames, lead: string,
  absent: EndsAbsentNodeLabels | undefined): CiliumPolicyError | undefined {
  const lookup = set._learningLookup(ends.from, ends.to);
  if (lookup === undefined) return undefined;
  // Worded only for a refusal: the gate asks this of every connection to a DNS name that `decide` judges.
  const learns = (): string => `${names.to} ${formatEndpoint(ends.to)} is reached through toFQDNs, which learns the name only from the lookup of `
    + `${lookup.dns ?? ''} at the DNS server ${formatEndpoint(lookup.to)}, and that lookup is not judged: `;
  const consequence = '; whether the name is learned, and so whether toFQDNs selects it, is not known';
  const server = 'the DNS server';
  const unknownEnd = unknownEndError(set, lookup, [[names.from, server, 'egress'], [server, names.from, 'ingress']],
    (named, message) => `${lead}${learns()}${named} ${message}${consequence}`,
    (named, fix, id) => (id === 'engine-service-account-unknown' && named === server
      ? `${fix} (the DNS server: PolicySetOptions.dnsServer, --dns-server)` : `${fix} as ${named}`), absent);
  if (unknownEnd !== undefined) return unknownEnd;
  const split = set._dnsPatchSplit(lookup);
  if (split !== undefined) {
    return new CiliumPolicyError({
      id: 'engine-dns-patch-split',
      message: `${lead}${learns()}${names.from} ${formatEndpoint(ends.from)} ${split.message}${consequence}`,
      fix: split.fix,
    });
  }
  // The lookup allowed at L4 onto L7 rules that do not judge a DNS name (the server's `l7proto` rules on 53/UDP): the proxy
  // decides whether it passes, and so whether the name is learned.
  // Decided first as `decide` decides it: the explained verdict of the lookup is built only for the rare refusal.
  if (!set._requestUnjudged(lookup)) return undefined;
  const unjudged = unjudgedRequest(lookup, set._verdict(lookup), { from: names.from, to: server }, '');
  if (unjudged === undefined) return undefined;
  return new CiliumPolicyError({
    id: 'engine-l7-not-evaluated',
    message: `${lead}${learns()}${errorWhat(unjudged)}${consequence}`,
    fix: 'give the DNS server\'s port rules the engine judges a DNS name by (DNS rules, or none): the proxy decides the lookup now, '
      + 'and with it whether toFQDNs selects the name',
  });
}

/**
 * The refusal of a query one of whose ends is not known where a rule reads it: a node given without its labels
 * (`engine-node-labels-unknown`, checked on both sides first), then a pod given without its service account
 * (`engine-service-account-unknown`). `sides` names the subject and the peer of each direction; `message` and `fix` word it;
 * `absent`, what is known of the ends' node labels.
 */
function unknownEndError(set: JudgedPolicies, query: VerdictQuery,
  sides: readonly (readonly [string, string, 'egress' | 'ingress'])[],
  message: (named: string, message: string) => string,
  fix: (named: string, fix: string, id: string) => string, absent: EndsAbsentNodeLabels | undefined): CiliumPolicyError | undefined {
  const checks = [
    ['engine-node-labels-unknown', (q: VerdictQuery, d: 'egress' | 'ingress') => set._nodeLabelsUnknown(q, d, absent)],
    ['engine-service-account-unknown', (q: VerdictQuery, d: 'egress' | 'ingress') => set._serviceAccountUnknown(q, d)],
  ] as const;
  for (const [id, check] of checks) {
    for (const [name, otherName, direction] of sides) {
      const unknown = check(query, direction);
      if (unknown === undefined) continue;
      const named = unknown.end === 'subject' ? name : otherName;
      return new CiliumPolicyError({ id, message: message(named, unknown.message), fix: fix(named, unknown.fix, id) });
    }
  }
  return undefined;
}
