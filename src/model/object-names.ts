/**
 * How messages name Kubernetes objects: `CiliumNetworkPolicy team-a/web` (no namespace for a cluster-scoped object), and
 * the first few of a list of workloads (`Deployment a/web, DaemonSet kube-system/agent and 2 more`).
 * @internal
 */

/** An object as messages name it. */
export interface NamedObject {
  readonly kind: string;
  readonly name: string;
  /** @default - none: a cluster-scoped object */
  readonly namespace?: string;
}

/** `CiliumNetworkPolicy default/web`; `CiliumClusterwideNetworkPolicy all` without a namespace. */
export function objectName(o: NamedObject): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** How many objects `listObjects` names before `and N more`. */
const SHOWN = 3;

/** The first objects of a list, for a message: `Deployment a/web, Deployment a/api and 4 more`. */
export function listObjects(list: readonly NamedObject[]): string {
  const shown = list.slice(0, SHOWN).map(objectName).join(', ');
  return `${shown}${list.length > SHOWN ? ` and ${list.length - SHOWN} more` : ''}`;
}
