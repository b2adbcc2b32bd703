// The items of a Kubernetes List as kubectl reads them: ONE implementation for every reader.
import { describeValue } from './plain-value';

/**
 * An item of a List as kubectl decodes it (apimachinery's `unstructuredJSONScheme.decodeToList`): an item of a typed
 * List (`CiliumNetworkPolicyList`, `PodList`, as the API returns them) with neither `kind` nor `apiVersion` gets the
 * List's `apiVersion` and its kind without a `List` suffix (`strings.TrimSuffix`: a `CiliumNetworkPolicy` holding
 * `items` gives `CiliumNetworkPolicy`), so `kubectl apply` applies it as that kind. A `List` gives no kind.
 * @param list the List (its `kind` and `apiVersion`)
 * @param item one of its `items`, returned as is when it has a kind or an apiVersion, or is not a mapping
 */
export function listItem(list: Readonly<Record<string, unknown>>, item: unknown): unknown {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
  const o = item as Record<string, unknown>;
  // Go's GetKind/GetAPIVersion read a missing or non-string field as "".
  const empty = (v: unknown): boolean => typeof v !== 'string' || v === '';
  const listKind = typeof list.kind === 'string' ? list.kind : '';
  const kind = listKind.endsWith('List') ? listKind.slice(0, -'List'.length) : listKind;
  if (!empty(o.kind) || !empty(o.apiVersion) || kind === '') return item;
  return { ...o, kind, apiVersion: typeof list.apiVersion === 'string' ? list.apiVersion : '' };
}

/** How deep Lists nest in Lists before the rest is refused (kubectl flattens any depth; no real manifest nests more than 2). */
export const MAX_LIST_DEPTH = 8;

/**
 * Whether `value` is a Kubernetes List as kubectl reads it: a mapping whose `kind` ends with `List` (`List`,
 * `CiliumNetworkPolicyList`, `PodList`, `NetworkPolicyList`), its objects in `items` (missing or null: none), or one of
 * any other kind holding `items`. A document holding an `items` key (null too) is a List whatever its kind (apimachinery
 * `unstructured/helpers.go`, `unstructuredJSONScheme.decode`: `det.Items != nil`), and kubectl applies its items, never the
 * object itself: a `CiliumNetworkPolicy` with a top-level `items: [<another policy>]` applies that other policy alone
 * (kubectl v1.32.4). An item of a List (`nested`) is one only when its `items` is a list: kubectl flattens the items with
 * `FlattenListVisitor` (k8s.io/cli-runtime `pkg/resource/visitor.go`), which asks `meta.IsListType`, that is
 * `Unstructured.IsList` (`items` a `[]interface{}`): an item with `items: null` or `items: {}` is applied as the object it
 * is. A kind that is empty is refused by kubectl either way (no kind).
 * @param nested whether `value` is an item of a List (not a document)
 */
export function isKubernetesList(value: unknown, nested = false): value is Record<string, unknown> & { kind: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const kind = (value as Record<string, unknown>).kind;
  if (typeof kind !== 'string' || kind === '') return false;
  if (kind.endsWith('List')) return true;
  return nested ? Array.isArray((value as Record<string, unknown>).items) : Object.prototype.hasOwnProperty.call(value, 'items');
}

/** One object of a document: the document itself, or an item of a List in it (`path` `['items', 2]`; `[]` for the document). */
export interface ListEntry {
  readonly value: Record<string, unknown>;
  readonly path: readonly (string | number)[];
}

/** What is wrong with a List: `items` not a list, an item that is no mapping, Lists nested too deep. */
export interface ListProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly fix: string;
  /** The value at `path`. */
  readonly value: unknown;
  /** Where the List is in the document (`[]`: the document itself; `['items', 0]`: a List in it). */
  readonly list: readonly (string | number)[];
}

/**
 * The objects of one document, read as kubectl reads them — THE implementation of Lists, used by every reader (policies,
 * manifests, inventories, validate's positions, CRD files): a List gives its items (nested Lists flattened, up to
 * `MAX_LIST_DEPTH`), each with the List's item kind when it has none (`listItem`); anything else is one object. A document
 * that is no mapping gives no entry (its reader reports it); a List's `items` that is no list, and an item that is no
 * mapping, give a problem (kubectl refuses both) and no entry.
 */
export function listEntries(value: unknown, nested = false): { readonly entries: readonly ListEntry[]; readonly problems: readonly ListProblem[] } {
  const entries: ListEntry[] = [];
  const problems: ListProblem[] = [];
  visitListEntries(value, (e) => entries.push(e), (p) => problems.push(p), nested);
  return { entries, problems };
}

/**
 * `listEntries` in document order: `onEntry` for each object, `onProblem` for each problem, as they come.
 * @param nested whether `value` is itself an item of a List (`isKubernetesList`)
 */
export function visitListEntries(
  value: unknown, onEntry: (entry: ListEntry) => void, onProblem: (problem: ListProblem) => void, nested = false,
): void {
  const visit = (v: unknown, path: readonly (string | number)[], depth: number): void => {
    if (!isKubernetesList(v, nested || depth > 0)) {
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) onEntry({ value: v as Record<string, unknown>, path });
      return;
    }
    const items = v.items;
    if (items === undefined || items === null) return;
    if (!Array.isArray(items)) {
      onProblem({ path: [...path, 'items'], list: path, value: items, message: `items of the ${v.kind} is ${describeValue(items)}, not a list`, fix: `write items as a list of Kubernetes objects` });
      return;
    }
    if (depth >= MAX_LIST_DEPTH) {
      onProblem({ path, list: path, value: v, message: `Lists nest more than ${MAX_LIST_DEPTH} deep`, fix: 'put the objects in one List, or in separate documents (---)' });
      return;
    }
    items.forEach((written, i) => {
      const item = listItem(v, written);
      const at = [...path, 'items', i];
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        onProblem({ path: at, list: path, value: item, message: `items[${i}] of the ${v.kind} is ${describeValue(item)}, not a Kubernetes object`, fix: 'each item of a List must be a mapping with apiVersion, kind and metadata' });
        return;
      }
      visit(item, at, depth + 1);
    });
  };
  visit(value, [], 0);
}
