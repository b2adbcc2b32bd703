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

/**
 * `CiliumNetworkPolicy default/web`; `CiliumClusterwideNetworkPolicy all` without a namespace; `CiliumNetworkPolicy
 * default/(no name)` for one without `metadata.name` (which the API server never stores).
 */
export function objectName(o: NamedObject): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name === '' ? '(no name)' : o.name}`;
}

/** How many objects `listObjects` (and names `listNames`) names before `and N more`. */
const SHOWN = 3;

/** The first objects of a list, for a message: `Deployment a/web, Deployment a/api and 4 more`. */
export function listObjects(list: readonly NamedObject[]): string {
  return listNames(list.map(objectName));
}

/** The first names of a list, for a message, bounded as `listObjects`: `a, b, c and 4 more`. */
export function listNames(names: readonly string[]): string {
  const shown = names.slice(0, SHOWN).join(', ');
  return `${shown}${names.length > SHOWN ? ` and ${names.length - SHOWN} more` : ''}`;
}

/**
 * Whether an object's `metadata` names it not at all: no `name` (absent, null or `""`) and no `generateName`. The API
 * server stores no such object (apimachinery `ValidateObjectMetaAccessor`: "name or generateName is required"; kubectl:
 * "resource name may not be empty"), so it is no policy of the cluster (`parse-missing-name`, never enforced).
 */
export function nameMissing(metadata: unknown): boolean {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return true;
  const { name, generateName } = metadata as { name?: unknown; generateName?: unknown };
  const given = (v: unknown): boolean => v !== undefined && v !== null && v !== '';
  return !given(name) && !(typeof generateName === 'string' && generateName !== '');
}

/**
 * The field of an object's `metadata` that names it and is written, but not as a string (`name: 0`, `name: {a: 1}`,
 * `generateName: [x]`), or `undefined`. `ObjectMeta.Name` and `GenerateName` are Go strings: the API server cannot decode
 * such an object and stores none, whatever its kind (`parse-wrong-type`, never enforced). Null is no value (as absent).
 */
export function nameNotString(metadata: unknown): 'name' | 'generateName' | undefined {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
  const m = metadata as { name?: unknown; generateName?: unknown };
  const wrong = (v: unknown): boolean => v !== undefined && v !== null && typeof v !== 'string';
  return wrong(m.name) ? 'name' : wrong(m.generateName) ? 'generateName' : undefined;
}

/**
 * The field of an object's `metadata` that places it and is written, but not as a string: `nameNotString`'s, else
 * `namespace` (`namespace: 7`, `namespace: [a]`), or `undefined`. `ObjectMeta.Namespace` is a Go string too: the API server
 * cannot decode such an object and stores none, so it is judged in no namespace at all (never enforced). Null is no value.
 */
export function metadataNotString(metadata: unknown): 'name' | 'generateName' | 'namespace' | undefined {
  const field = nameNotString(metadata);
  if (field !== undefined || typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return field;
  const ns = (metadata as { namespace?: unknown }).namespace;
  return ns !== undefined && ns !== null && typeof ns !== 'string' ? 'namespace' : undefined;
}
