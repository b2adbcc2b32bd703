/**
 * A custom resource as the API server validates and stores it after pruning its nulls: every field and map value that is
 * `null` is dropped, at every depth, but never a list item (a list cannot drop an item) and nothing inside `metadata`
 * (ObjectMeta, whose schema has no properties: its nulls are decoded, not pruned). The API server does it before the schema
 * check: kubernetes apiextensions-apiserver `pkg/apiserver/customresource_handler.go` `unstructuredSchemaCoercer.apply`
 * calls `structuraldefaulting.PruneNonNullableNullsWithoutDefaults` (`pkg/apiserver/schema/defaulting/prunenulls.go`), which
 * deletes a null whose schema (a property, or a map's `additionalProperties`) is neither `nullable` nor defaulted: no schema
 * of Cilium's policy CRDs is either. The policy reader prunes the same nulls as it reads them (`wire-reader.ts`, each with
 * its `parse-null-value` warning); this is that reading for the CRD schema check (`CrdSchemas.validate`).
 */
import { isPlainObject } from './plain-value';

/** `object` (a whole custom resource) without its null fields and map values: a copy where one is dropped, else `object` itself. */
export function withoutPrunedNulls(object: unknown): unknown {
  return pruned(object, true);
}

function pruned(value: unknown, top: boolean): unknown {
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((v) => {
      const p = pruned(v, false);
      changed ||= p !== v;
      return p;
    });
    return changed ? items : value;
  }
  if (!isPlainObject(value)) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) {
      changed = true;
      continue;
    }
    const p = top && k === 'metadata' ? v : pruned(v, false);
    changed ||= p !== v;
    // `__proto__` stays a plain key.
    Object.defineProperty(out, k, { value: p, enumerable: true, writable: true, configurable: true });
  }
  return changed ? out : value;
}
