/**
 * A null value of a string map of a Kubernetes object read as the API server stores it: the empty string. Labels and
 * annotations (`ObjectMeta`'s `map[string]string`), a Service's or ReplicationController's selector and a workload's
 * `matchLabels` are decoded into Go maps of strings, and a null map value decodes to the zero value, `""`: apimachinery
 * `pkg/runtime/converter.go` `fromUnstructured` → `mapFromUnstructured` (a nil value gives `reflect.Zero` of the element
 * type), as `encoding/json` does for a map element. So `labels: {quarantine: null}` is the label `quarantine=""`: its
 * pods carry the key, and `Exists` selects them. (The spec of a Cilium policy is a custom resource, whose nulls are pruned
 * instead: `wire-reader.ts`.) The one place that reading is made: the policy reader's metadata and the manifest reader
 * (`manifests.ts` `stringMap`) both call it.
 */
import { isPlainObject } from './plain-value';

/**
 * `value` with each null value the empty string (`value` itself when it is no mapping or holds no null).
 * @param onNull hears of each key whose value was null, in order
 */
export function nullMapValuesAsEmpty(value: unknown, onNull?: (key: string) => void): unknown {
  if (!isPlainObject(value) || !Object.values(value).some((v) => v === null)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) onNull?.(k);
    // `__proto__` stays a plain key.
    Object.defineProperty(out, k, { value: v === null ? '' : v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** The message of `parse-null-value` for such a value at `path` (`metadata.labels.team`). */
export function nullStoredAsEmptyMessage(path: string): string {
  return `${path} is null; the API server stores it as the empty string`;
}

/**
 * A list of strings of a Kubernetes object (a label selector requirement's `values`, Go's `[]string`) read as the API
 * server stores it: each null item the empty string (`values` itself when it holds none). apimachinery
 * `pkg/runtime/converter.go` `sliceFromUnstructured` converts item by item with `fromUnstructured`, which sets an item
 * without a value (nil) to `reflect.Zero` of the element type, and `encoding/json` leaves a string item untouched by
 * `null`: `values: [null]` (or `[~]`) is `values: [""]`, which `ValidateLabelSelectorRequirement` accepts (the empty
 * label value is valid) and `In` matches on the pods that carry the key with the empty value; never the text `null`. An
 * `undefined` item is one too: a cdk8s `ApiObject`'s `toJson()` turns a null item into it, and synth writes it as `null`.
 * (Where a manifest holds one is said by `nullMetadataValues`, at its line.)
 */
export function nullListItemsAsEmpty(values: readonly unknown[]): readonly unknown[] {
  if (!values.some((v) => v === null || v === undefined)) return values;
  return values.map((v) => (v === null || v === undefined ? '' : v));
}
