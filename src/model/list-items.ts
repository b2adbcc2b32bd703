// The items of a Kubernetes List as kubectl reads them: one implementation for the policy reader and the manifest reader.

/**
 * An item of a List as kubectl decodes it (apimachinery's `unstructuredJSONScheme.decodeToList`): an item of a typed
 * List (`CiliumNetworkPolicyList`, `PodList`, as the API returns them) with neither `kind` nor `apiVersion` gets the
 * List's `apiVersion` and its kind without `List`, so `kubectl apply` applies it as that kind. A `List` gives no kind.
 * @param list the List (its `kind` and `apiVersion`)
 * @param item one of its `items`, returned as is when it has a kind or an apiVersion, or is not a mapping
 */
export function listItem(list: Readonly<Record<string, unknown>>, item: unknown): unknown {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
  const o = item as Record<string, unknown>;
  // Go's GetKind/GetAPIVersion read a missing or non-string field as "".
  const empty = (v: unknown): boolean => typeof v !== 'string' || v === '';
  const listKind = typeof list.kind === 'string' ? list.kind : '';
  if (!empty(o.kind) || !empty(o.apiVersion) || !listKind.endsWith('List') || listKind === 'List') return item;
  return { ...o, kind: listKind.slice(0, -'List'.length), apiVersion: typeof list.apiVersion === 'string' ? list.apiVersion : '' };
}
