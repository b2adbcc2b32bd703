/**
 * Named ports of egress rules as Cilium 1.14-1.19 resolves them (pkg/endpoint `GetNamedPort(ingress=false)` →
 * `NamedPortMultiMap.GetNamedPort`): not on the destination alone but against the named container ports of every pod of
 * the cluster (host-network pods aside: they add none). A name and protocol with one port number resolves to it, for every
 * peer the rule selects, whether the peer names the port or not; with two numbers it is `ErrDuplicateNamedPorts` and the
 * entry is skipped (issues #24779, #30003). Ingress rules resolve on the selected pod's own ports. Cilium main resolves
 * egress names by the destination identities instead (PR #44429, #45760), which no supported version has.
 *
 * The cluster here is the inventory's workloads and the destination of the query.
 */
import { NamedPort } from './endpoint';
import { EndpointInventory } from './inventory';
import { namedPortKey, namedPortNumbers, workloadNamedPortNumbers } from '../model/named-port-numbers';

export { namedPortKey };

/** The named ports of an inventory's pods, by lower-case name and protocol: the port numbers seen. */
interface ClusterNamedPorts {
  /** The workloads they were read from (the inventory may grow). */
  readonly workloads: number;
  /** `name\0PROTOCOL` → port numbers. */
  readonly numbers: ReadonlyMap<string, ReadonlySet<number>>;
  /** The view of a destination whose named ports the cluster's already hold (most: the inventory's workloads). */
  readonly base: EgressNamedPorts;
  /** The view per destination port list (`base` where the cluster's ports already hold it). */
  readonly views: WeakMap<readonly NamedPort[], EgressNamedPorts>;
}

/** What an egress rule's named ports resolve to on one destination. */
export interface EgressNamedPorts {
  /** The named ports as `resolveNamedPort` reads them: one entry per unambiguous name and protocol. */
  readonly ports: readonly NamedPort[];
  /** Names with more than one number for a protocol: `name\0PROTOCOL` → the numbers, ascending. */
  readonly ambiguous: ReadonlyMap<string, readonly number[]>;
}

const clusters = new WeakMap<EndpointInventory, ClusterNamedPorts>();

/**
 * The named ports an egress rule resolves on `destination` (its own named ports, given or from the inventory), given the
 * cluster's (`inventory`). Kept per inventory and destination port list.
 */
export function egressNamedPorts(inventory: EndpointInventory, destination: readonly NamedPort[]): EgressNamedPorts {
  let cluster = clusters.get(inventory);
  if (cluster === undefined || cluster.workloads !== inventory.workloads.length) {
    const numbers = workloadNamedPortNumbers(inventory.workloads);
    cluster = { workloads: inventory.workloads.length, numbers, base: viewOf(numbers, []), views: new WeakMap() };
    clusters.set(inventory, cluster);
  }
  if (destination.length === 0) return cluster.base;
  let view = cluster.views.get(destination);
  if (view === undefined) {
    const known = cluster.numbers;
    view = destination.every((p) => known.get(namedPortKey(p.name, p.protocol))?.has(p.port) === true) ? cluster.base : viewOf(known, destination);
    cluster.views.set(destination, view);
  }
  return view;
}

/**
 * The names an endpoint's own ports give several numbers for one protocol (`name\0PROTOCOL` → the numbers, ascending):
 * none for one pod (Kubernetes refuses a pod that declares a port name twice), so such an endpoint stands for the pods
 * of several workloads with the same labels, on each of which Cilium resolves an ingress named port to its own number.
 */
export function podNamedPortConflicts(ports: readonly NamedPort[]): ReadonlyMap<string, readonly number[]> {
  return ports.length < 2 ? NO_CONFLICTS : viewOf(NO_NUMBERS, ports).ambiguous;
}

const NO_CONFLICTS: ReadonlyMap<string, readonly number[]> = new Map();
const NO_NUMBERS: ReadonlyMap<string, ReadonlySet<number>> = new Map();

function viewOf(cluster: ReadonlyMap<string, ReadonlySet<number>>, destination: readonly NamedPort[]): EgressNamedPorts {
  const numbers = new Map<string, Set<number>>();
  for (const [key, set] of cluster) numbers.set(key, new Set(set));
  for (const [key, set] of namedPortNumbers(destination)) {
    const known = numbers.get(key);
    if (known === undefined) numbers.set(key, set);
    else for (const n of set) known.add(n);
  }
  const ports: NamedPort[] = [];
  const ambiguous = new Map<string, number[]>();
  for (const [key, set] of numbers) {
    const [name, protocol] = key.split('\0');
    if (set.size === 1) ports.push({ name, port: [...set][0], protocol });
    else ambiguous.set(key, [...set].sort((a, b) => a - b));
  }
  return { ports, ambiguous };
}
