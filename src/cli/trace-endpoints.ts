/**
 * The ends of a `trace` as a user names them, resolved against the inventory of the inputs (the workloads, Services
 * and Namespaces beside the policies):
 *
 * - `svc:<namespace>/<name>[:<port>]`: the pods the Service selects (one workload's pods; several workloads with
 *   different labels are refused, naming them) and, with a port (the Service port, by number or name), the target
 *   port Cilium matches — a named `targetPort` is looked up among the pods' container ports;
 * - a pod endpoint that matches no workload of the inputs gets a warning with the closest one (a typo such as
 *   `app=webb` would otherwise just read DENIED);
 * - a `--port` that is a Service port of a Service in front of the destination (and not its target port) gets a note:
 *   Cilium matches the container port, after the Service is translated.
 */
import { CiliumPolicyError, errorWhat } from '../core/errors';
import { Endpoint } from '../engine/endpoint';
import { noClusterEndError } from '../engine/identity';
import { EndpointInventory, InventoryService, InventoryServicePort, InventoryWorkload } from '../engine/inventory';
import { editDistance } from '../model/edit-distance';
import { k8sObjectLabels } from '../model/labels';
import { listObjects } from '../model/object-names';
import { isNumericTargetPort, namedTargetPorts, serviceSelects } from '../model/manifests';

/** The prefix of a Service endpoint. */
const SERVICE_PREFIX = 'svc:';

/**
 * The largest distance a suggestion may be from what was written. Distances are computed up to it only (a label value
 * of a workload in the inputs can be megabytes long); a larger one reads as `NEAR + 1`, which changes no suggestion.
 */
const NEAR = 3;

/** The longest valid label key (a 253-character prefix, a slash, a 63-character name): key distances are exact up to it. */
const LABEL_KEY_MAX = 317;

/** What `resolveTraceEndpoints` needs of a policy set. */
export interface TraceEndpointSource {
  /** The inventory of the inputs. */
  readonly inventory: EndpointInventory;
  /** An endpoint from its text form, completed from the inventory. */
  endpoint(text: string): Endpoint;
}

/** The ends of a trace and its port, resolved. */
export interface TraceEndpoints {
  /** The client. */
  readonly from: Endpoint;
  /** The server. */
  readonly to: Endpoint;
  /**
   * The connection, when the Service endpoint named its port (`svc:ns/name:80` → `8080/TCP`).
   * @default - the --port given
   */
  readonly port?: string;
  /** How the ends were read (`svc:` resolved to pods and a target port): printed after the verdict, JSON `notes`. */
  readonly notes: string[];
  /** What may make the verdict miss the question (a typo, a Service port for a container port): JSON `warnings`. */
  readonly warnings: string[];
}

/**
 * Resolves `--from`, `--to` and `--port` of a trace.
 * @param port the `--port` given, if any
 * @throws CiliumPolicyError (`trace-service-…`) for a Service that is not in the inputs, selects no pods the inputs can
 * name, or has no such port
 */
export function resolveTraceEndpoints(set: TraceEndpointSource, from: string, to: string, port: string | undefined): TraceEndpoints {
  const notes: string[] = [];
  const warnings: string[] = [];
  const client = resolveOne(set, from, '--from', warnings);
  const server = resolveOne(set, to, '--to', warnings);
  if (client.servicePort !== undefined) {
    throw new CiliumPolicyError({
      id: 'trace-service-port',
      message: `--from ${from}: a Service port only means something on the server side`,
      fix: `write --from ${from.slice(0, from.lastIndexOf(':'))} (the Service's pods as clients)`,
    });
  }
  // Pod IPs written as addresses (`cidr:10.0.0.5 → cidr:10.0.0.6`): neither end is judged, and ALLOWED passed as a check.
  const outside = noClusterEndError(client.endpoint, server.endpoint, `--from ${from}`, `--to ${to}`);
  if (outside) throw outside;
  let resolvedPort: string | undefined;
  if (server.service && server.servicePort !== undefined) {
    resolvedPort = targetPortOf(server.service, server.servicePort, server.workloads, to);
    notes.push(`${to}: the pods of Service ${server.service.namespace}/${server.service.name} on its target port ${resolvedPort} `
      + `(Service port ${server.servicePort}; Cilium matches the port after the Service is translated)`);
    if (port !== undefined && !samePort(port, resolvedPort)) {
      throw new CiliumPolicyError({
        id: 'trace-service-port',
        message: `--port ${port} does not agree with ${to}, whose target port is ${resolvedPort}`,
        fix: `leave out --port, or the port of ${to}`,
      });
    }
  } else if (port !== undefined) {
    const hint = servicePortHint(set.inventory, server.endpoint, port);
    if (hint) warnings.push(hint);
  }
  return { from: client.endpoint, to: server.endpoint, ...(resolvedPort !== undefined ? { port: resolvedPort } : {}), notes, warnings };
}

interface Resolved {
  readonly endpoint: Endpoint;
  readonly service?: InventoryService;
  readonly servicePort?: string;
  readonly workloads: readonly InventoryWorkload[];
}

/** The engine's list of endpoint forms, which its fixes name (`Endpoints.parse` reads no Service endpoint). */
const ENGINE_FORMS = 'pod:<namespace>:<k=v,...>';

/**
 * `read`, whose endpoint syntax error, where its fix lists the forms the engine reads, also offers the Service form that
 * trace reads (its `--help` names it): `--to api` was told only of `pod:`, `entity:`, `cidr:`, `fqdn:` and `node:`.
 */
function withServiceForm<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof CiliumPolicyError) || e.id !== 'engine-endpoint-syntax' || e.location !== undefined || !e.fix?.includes(ENGINE_FORMS)) throw e;
    throw new CiliumPolicyError({
      id: e.id,
      message: errorWhat(e),
      fix: `${e.fix}; in trace also ${SERVICE_PREFIX}<namespace>/<name>[:<port>] (the pods of a Service in --policies)`,
    });
  }
}

function resolveOne(set: TraceEndpointSource, text: string, flag: string, warnings: string[]): Resolved {
  const input = String(text).trim();
  if (!input.startsWith(SERVICE_PREFIX)) {
    // `shop/api`, as kubectl names objects: the kinds of the engine's syntax, and the Service form only trace reads.
    if (/^[a-z0-9][-a-z0-9]*\/[a-z0-9][-.a-z0-9]*(:[^/:]+)?$/.test(input)) {
      throw new CiliumPolicyError({
        id: 'engine-endpoint-syntax',
        message: `bad endpoint "${input}": an endpoint starts with its kind`,
        fix: `for the pods of Service ${input.split(':')[0]} write ${SERVICE_PREFIX}${input}; for pods by label pod:<namespace>:<k=v,...> `
          + `(pod:${input.split('/')[0]}:app=…); also entity:<name>, cidr:<ip>, fqdn:<name>@<ip>, node:<k=v,...>[@<ip>]`,
      });
    }
    const endpoint = withServiceForm(() => set.endpoint(input));
    const note = unmatchedWorkloadNote(set.inventory, endpoint, input);
    if (note) warnings.push(`${flag} ${note}`);
    // Workloads of these labels on the host network beside managed ones (all of them on it: refused by `set.endpoint`).
    const matching = endpoint.kind === 'pod' ? set.inventory._podWorkloads(endpoint.namespace ?? 'default', endpoint.labels ?? {}).workloads : [];
    const onHost = matching.filter((w) => w.hostNetwork);
    if (onHost.length > 0) warnings.push(hostNetworkWarning(flag, input, onHost, matching.filter((w) => !w.hostNetwork)));
    return { endpoint, workloads: [] };
  }
  const m = /^svc:([^/:]+)\/([^/:]+)(?::([^/:]+))?$/.exec(input);
  if (!m) {
    throw new CiliumPolicyError({
      id: 'engine-endpoint-syntax',
      message: `bad endpoint "${input}": a Service endpoint is svc:<namespace>/<name>[:<port>]`,
      fix: 'write e.g. svc:shop/api or svc:shop/api:80 (the Service port, a number or its name)',
    });
  }
  const [, namespace, name, servicePort] = m;
  const service = set.inventory.servicesNamed(name, namespace)[0];
  if (!service) {
    const known = set.inventory.services.map((s) => `${s.namespace}/${s.name}`);
    const near = closest(`${namespace}/${name}`, known);
    throw new CiliumPolicyError({
      id: 'trace-service-unknown',
      message: `${flag} ${input}: no Service ${namespace}/${name} in the inputs`
        + (known.length > 0 ? ` (Services: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''})` : ''),
      fix: near ? `did you mean svc:${near}?` : 'add the Service manifest to --policies (a file or folder beside the policies), or name a pod: pod:<ns>:<k=v,...>',
    });
  }
  if (service.selector === undefined || Object.keys(service.selector).length === 0) {
    throw new CiliumPolicyError({
      id: 'trace-service-no-selector',
      message: `${flag} ${input}: Service ${namespace}/${name} has no selector, so it has no pods to trace`,
      fix: service.endpointCidrs && service.endpointCidrs.length > 0
        ? `trace one of its backends: cidr:${service.endpointCidrs[0].replace(/\/(32|128)$/, '')}`
        : 'trace its backends directly (cidr:<ip> or pod:<ns>:<k=v,...>)',
    });
  }
  const workloads = set.inventory.workloadsSelectedBy(namespace, service.selector);
  const distinct = new Map(workloads.map((w) => [labelText(w.podLabels), w]));
  if (distinct.size > 1) {
    // A workload on the host network has no endpoint: its pods are traced as their node.
    const options = [...distinct.values()].map((w) => (w.hostNetwork
      ? `entity:host or entity:remote-node (${w.kind} ${w.name}, on the host network)` : `pod:${namespace}:${labelText(w.podLabels)} (${w.kind} ${w.name})`));
    throw new CiliumPolicyError({
      id: 'trace-service-ambiguous',
      message: `${flag} ${input}: Service ${namespace}/${name} selects the pods of ${distinct.size} workloads with different labels, which policies may treat differently`,
      fix: `trace one of them: ${options.join(', ')}`,
    });
  }
  // Kubernetes objects' labels (source k8s, the key as written), put in an endpoint string that reads keys as Cilium's.
  const labels = k8sObjectLabels(workloads.length > 0 ? workloads[0].podLabels : service.selector);
  if (workloads.length === 0) {
    warnings.push(`${flag} ${input}: no workload in the inputs matches the selector of Service ${namespace}/${name}; tracing a pod with exactly the selector's labels`);
  }
  const endpoint = set.endpoint(`pod:${namespace}:${labelText(labels)}`);
  const onHost = workloads.filter((w) => w.hostNetwork);
  if (onHost.length > 0) warnings.push(hostNetworkWarning(flag, input, onHost, workloads.filter((w) => !w.hostNetwork)));
  return { endpoint, service, workloads, ...(servicePort !== undefined ? { servicePort } : {}) };
}

/** Pods on the host network are not endpoints: Cilium sees their traffic as the node's. */
/**
 * The warning for pod labels that match workloads on the host network beside workloads Cilium manages (`managed`): the
 * verdict is for the managed pods; the others' traffic has their node's identity.
 */
function hostNetworkWarning(flag: string, input: string, onHost: readonly InventoryWorkload[], managed: readonly InventoryWorkload[]): string {
  return `${flag} ${input}: these labels also match the pods of ${listObjects(onHost)}, which run on the host network (hostNetwork: true): Cilium `
    + `does not manage them as endpoints and gives their traffic the node's identity. The verdict is for the pods Cilium manages (${listObjects(managed)}); `
    + 'for the host-network pods trace entity:host (the same node) or entity:remote-node';
}

/** `8080/TCP`: the target port of the Service port named or numbered `servicePort`. */
function targetPortOf(service: InventoryService, servicePort: string, workloads: readonly InventoryWorkload[], input: string): string {
  const entry = findServicePort(service, servicePort);
  const svc = `${service.namespace}/${service.name}`;
  if (!entry) {
    const ports = service.ports.map((p) => `${p.port}/${p.protocol}`).join(', ');
    throw new CiliumPolicyError({
      id: 'trace-service-port',
      message: `${input}: Service ${svc} has no port ${servicePort} (its ports: ${ports || 'none'})`,
      fix: `use one of its ports: ${service.ports.map((p) => `svc:${svc}:${p.port}`).join(', ') || `svc:${svc} with --port`}`,
    });
  }
  if (isNumericTargetPort(entry.targetPort)) return `${Number(entry.targetPort)}/${entry.protocol}`;
  const name = String(entry.targetPort);
  const named = namedTargetPorts(name, workloads.map((w) => ({ ports: w.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) })));
  if (named.length !== 1) {
    const whose = workloads.length === 0 ? 'no workload of the inputs backs the Service'
      : named.length === 0 ? `the pods of ${workloads[0].kind} ${workloads[0].name} declare no container port of that name`
        : `the pods declare it as ${named.map((p) => `${p.port}/${p.protocol}`).join(' and ')}`;
    throw new CiliumPolicyError({
      id: 'trace-service-port',
      message: `${input}: the target port of Service ${svc} port ${entry.port} is the container port named "${name}", and ${whose}`,
      fix: 'add the workload manifest to --policies, or give the container port with --port and the pod with pod:<ns>:<k=v,...>',
    });
  }
  return `${named[0].port}/${named[0].protocol}`;
}

function findServicePort(service: InventoryService, text: string): InventoryServicePort | undefined {
  return /^\d+$/.test(text) ? service.ports.find((p) => p.port === Number(text)) : service.ports.find((p) => p.name === text);
}

/**
 * A note when `port` is a Service port of a Service in front of the destination pod but not the port Cilium matches:
 * `port 80 is the Service port of svc shop/api; Cilium matches the container port 8080`.
 */
function servicePortHint(inventory: EndpointInventory, to: Endpoint, port: string): string | undefined {
  if (to.kind !== 'pod') return undefined;
  const m = /^(\d{1,5})(?:\/([A-Za-z]+))?$/.exec(port.trim());
  if (!m) return undefined;
  const number = Number(m[1]);
  const protocol = (m[2] ?? 'TCP').toUpperCase();
  const namespace = to.namespace ?? 'default';
  const podLabels = Object.fromEntries(Object.entries(to.labels ?? {}).map(([k, v]) => [k.replace(/^k8s:/, ''), v]));
  for (const service of inventory.services) {
    if (service.namespace !== namespace || service.selector === undefined || Object.keys(service.selector).length === 0) continue;
    if (!serviceSelects(service.selector, podLabels)) continue;
    for (const p of service.ports) {
      if (p.port !== number || p.protocol !== protocol) continue;
      const byName = isNumericTargetPort(p.targetPort) ? [] : namedTargetPorts(String(p.targetPort), [{ ports: (to.ports ?? []).map((n) => ({ ...n, protocol: n.protocol ?? 'TCP' })) }]);
      const target = isNumericTargetPort(p.targetPort) ? Number(p.targetPort) : byName.length === 1 ? byName[0].port : undefined;
      if (target === number) continue;
      const what = target !== undefined ? `the container port ${target}${isNumericTargetPort(p.targetPort) ? '' : ` (targetPort "${p.targetPort}")`}`
        : `the container port named "${String(p.targetPort)}"`;
      return `port ${number} is the Service port of svc ${service.namespace}/${service.name}; Cilium matches ${what}, `
        + `after the Service is translated${target !== undefined ? `: trace --port ${target}/${protocol}` : ''}`
        + ` (or --to svc:${service.namespace}/${service.name}:${number})`;
    }
  }
  return undefined;
}

/** A note when a pod endpoint matches no workload of the inputs (only when the inputs hold workloads at all). */
function unmatchedWorkloadNote(inventory: EndpointInventory, endpoint: Endpoint, input: string): string | undefined {
  if (endpoint.kind !== 'pod' || inventory.workloads.length === 0) return undefined;
  const namespace = endpoint.namespace ?? 'default';
  const given = endpoint.labels ?? {};
  const plain = Object.fromEntries(Object.entries(given).map(([k, v]) => [k.replace(/^k8s:/, ''), v]));
  if (inventory.workloadsFor(namespace, given).length > 0 || inventory.workloadsSelectedBy(namespace, plain).length > 0) return undefined;
  const here = inventory.workloads.filter((w) => w.namespace === namespace);
  const candidates = here.length > 0 ? here : inventory.workloads;
  let best: InventoryWorkload | undefined;
  let bestScore = Infinity;
  for (const w of candidates) {
    const score = labelDistance(plain, w.podLabels) + (w.namespace === namespace ? 0 : editDistance(namespace, w.namespace, NEAR));
    if (score < bestScore) {
      best = w;
      bestScore = score;
    }
  }
  const suggestion = best && bestScore <= NEAR ? `; did you mean pod:${best.namespace}:${labelText(pick(best.podLabels, plain))} (${best.kind} ${best.name})?` : '';
  const where = here.length > 0 ? `in namespace ${namespace}` : `in namespace ${namespace} (it has none; the inputs have workloads in ${[...new Set(inventory.workloads.map((w) => w.namespace))].sort().join(', ')})`;
  return `${input} matches no workload ${where}: the verdict is for a pod that may not exist${suggestion}`;
}

/** How far the labels `given` are from a workload's pod labels: per given label, the distance of the closest key and value. */
function labelDistance(given: Readonly<Record<string, string>>, pod: Readonly<Record<string, string>>): number {
  let total = 0;
  for (const [k, v] of Object.entries(given)) {
    if (pod[k] !== undefined) {
      total += editDistance(v, pod[k], NEAR);
      continue;
    }
    let best = k.length + v.length;
    for (const [pk, pv] of Object.entries(pod)) best = Math.min(best, editDistance(k, pk, NEAR) + editDistance(v, pv, NEAR));
    total += best;
  }
  return total;
}

/** The pod labels whose keys are given (or closest to them), so the suggestion reads like what the user wrote. */
function pick(pod: Readonly<Record<string, string>>, given: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(given)) {
    const key = pod[k] !== undefined ? k : Object.keys(pod).sort((a, b) => editDistance(k, a, LABEL_KEY_MAX) - editDistance(k, b, LABEL_KEY_MAX))[0];
    if (key !== undefined) out[key] = pod[key];
  }
  return Object.keys(out).length > 0 ? out : { ...pod };
}

function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name, k, NEAR);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= NEAR ? best : undefined;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort().map((k) => (labels[k] === '' ? k : `${k}=${labels[k]}`)).join(',');
}

function samePort(a: string, b: string): boolean {
  const norm = (p: string): string => (/^\d+$/.test(p.trim()) ? `${p.trim()}/TCP` : p.trim().toUpperCase());
  return norm(a) === norm(b);
}
