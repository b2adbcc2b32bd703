/**
 * The container ports at which a report or a diff cuts a pair's port segments for named ports, on the sides it judges,
 * as the engine resolves a named port (`evaluate.ts` `destinationNamedPorts`): an ingress rule's on the server's own
 * ports (Cilium pkg/endpoint `GetNamedPort(ingress=true)`, the pod's `k8sPorts`), an egress rule's on the named ports of
 * every pod of the cluster (`GetNamedPort(ingress=false)` → `namedPortsGetter.GetNamedPorts()`, cluster-wide: one number
 * for a name allows it to every peer the rule selects, world and pods without ports too; `named-ports.ts`
 * `egressNamedPorts`). A segment is judged at its first port only, so a port a named port resolves to must start one.
 * The server's ports are those of its class's endpoint as the side's inventory completes it (`EndpointInventory.enrich`:
 * a class the selectors tell apart whose labels hold a workload's pod labels is one of that workload's pods).
 * A node class's pairs are cut at the node ports and `hostPort`s of each side's inputs too (`EndpointInventory._nodePortCuts`):
 * the gate refuses a connection to a node on one (`engine-node-port`), so each must be a segment of its own.
 */
import type { CompiledItem } from '../engine/compile';
import type { DirectionPolicy } from '../engine/direction-policy';
import { Endpoint, NamedPort } from '../engine/endpoint';
import { egressNamedPorts } from '../engine/named-ports';
import type { PolicySet } from '../engine/policy-set';
import { isNodeEnd } from '../engine/unjudged-connection';
import type { ClassifiedEndpoint } from './endpoint-classes';

/** The ports to cut a pair's segments at, and a short key equal for equal lists. */
export interface PortCuts {
  readonly ports: readonly NamedPort[];
  readonly key: string;
}

/** The named-port cuts of a list of classes on one or more sides (base and head for a diff). */
export class NamedPortCuts {
  /** Per side, per class: its endpoint as the side's inventory completes it (`EndpointInventory.enrich`). */
  public readonly endpoints: readonly (readonly Endpoint[])[];
  private readonly server: readonly NamedPort[][];
  private readonly serverKeys: readonly string[];
  private readonly sets: readonly PolicySet[];
  private cluster?: readonly NamedPort[];
  /** Per server, its cuts with the cluster's (made once: the pairs grow with the square of the classes). */
  private readonly withCluster = new Map<number, PortCuts>();

  public constructor(sets: readonly PolicySet[], classes: readonly ClassifiedEndpoint[]) {
    this.sets = sets;
    this.endpoints = sets.map((set) => classes.map((c) => set.inventory.enrich(c.endpoint)));
    const nodePorts = sets.flatMap((set) => set.inventory._nodePortCuts());
    this.server = classes.map((c, i) => [...this.endpoints.flatMap((side) => side[i].ports ?? []), ...(isNodeEnd(c.endpoint) ? nodePorts : [])]);
    this.serverKeys = this.server.map((p) => (p.length > 0 ? JSON.stringify(p) : ''));
  }

  /**
   * The ports to cut the pair to class `server` at: its own named ports on every side, and, when an egress rule of the
   * client names a port (`egressNamesPort`), the cluster's named ports on every side, each number of an ambiguous name
   * too (Cilium skips such a name, `ErrDuplicateNamedPorts`, but a destination's own ports may make it one).
   */
  public at(server: number, egressNamesPort: boolean): PortCuts {
    const own = this.server[server];
    if (!egressNamesPort) return { ports: own, key: this.serverKeys[server] };
    let cuts = this.withCluster.get(server);
    if (cuts === undefined) {
      cuts = { ports: [...own, ...this.clusterPorts()], key: `${this.serverKeys[server]}\n+cluster` };
      this.withCluster.set(server, cuts);
    }
    return cuts;
  }

  /** The named ports of every pod of each side's cluster, as an egress named port resolves them (with ambiguous names' numbers). */
  public clusterPorts(): readonly NamedPort[] {
    this.cluster ??= this.sets.flatMap((set) => {
      const view = egressNamedPorts(set.inventory, []);
      return [...view.ports, ...[...view.ambiguous].flatMap(([key, numbers]) => {
        const [name, protocol] = key.split('\0');
        return numbers.map((port) => ({ name, port, protocol }));
      })];
    });
    return this.cluster;
  }
}

const egressNames = new WeakMap<DirectionPolicy, boolean>();

/** Whether some allow or deny item of an egress direction policy names a port by name (resolved cluster-wide). Once per policy. */
export function egressNamesPort(dp: DirectionPolicy | undefined): boolean {
  if (dp === undefined || dp.direction !== 'egress') return false;
  let named = egressNames.get(dp);
  if (named === undefined) {
    named = dp.allow.some(namesPort) || dp.deny.some(namesPort);
    egressNames.set(dp, named);
  }
  return named;
}

/** Whether an item names a port by name (`port: http`). */
export function namesPort(item: CompiledItem): boolean {
  return item.l4.kind === 'ports' && item.l4.portRules.some((pr) => pr.ports.some((p) => p.kind === 'named'));
}
