/**
 * What the API server checks on an object's labels and annotations before storing it (apimachinery
 * pkg/api/validation/objectmeta.go `ValidateObjectMetaAccessor` → `v1validation.ValidateLabels` and
 * `ValidateAnnotations`): the one implementation behind a Cilium policy's `crd-metadata-labels` and
 * `crd-metadata-annotations` (schema-rules.ts) and a NetworkPolicy's `k8s-np-metadata` (network-policy-rules.ts, through
 * `ValidateNetworkPolicy` → `ValidateObjectMeta`).
 *
 * Label keys are qualified names as written (`ValidateLabels` → `ValidateLabelName`: `IsQualifiedName(k)`, case
 * matters only in that both cases are allowed). Annotation keys are checked lower-cased (`ValidateAnnotations`:
 * `IsQualifiedName(strings.ToLower(k))`, "case doesn't matter"), so a prefix `Example.COM/owner` is stored although
 * `Example.COM` is no DNS-1123 subdomain. The annotations together hold at most 256 KiB (`ValidateAnnotationsSize`: the
 * bytes of every key and value).
 */
import { nullMapValuesAsEmpty } from '../model/null-map-values';
import { isLabelValue, isQualifiedName } from './syntax';
import { isObject, keyPath, show } from './walk';

/** One reason the API server refuses an object's labels or annotations. */
export interface MetadataMapProblem {
  /** The map at fault. */
  readonly field: 'labels' | 'annotations';
  /** Where: `metadata.labels["a b"]`, or `metadata.annotations` for their total size. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
}

/** The most bytes the annotations of an object may hold together (apimachinery's `TotalAnnotationSizeLimitB`). */
export const MAX_ANNOTATION_BYTES = 256 * 1024;

const KEY_FIX = 'use an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or "."';

/**
 * The problems of `metadata.labels` and `metadata.annotations` (`metadata` an object), in that order; `[]` when the API
 * server takes both. A null value is the empty string, as the API server decodes it (`nullMapValuesAsEmpty`).
 */
export function metadataMapProblems(metadata: Record<string, unknown>): MetadataMapProblem[] {
  const out: MetadataMapProblem[] = [];
  const labels = nullMapValuesAsEmpty(metadata.labels);
  if (isObject(labels)) {
    for (const [k, v] of Object.entries(labels)) {
      const path = keyPath('metadata.labels', k);
      if (!isQualifiedName(k)) {
        out.push({ field: 'labels', path, message: `metadata label key ${show(k)} is not a valid label key`, fix: KEY_FIX });
      } else if (typeof v !== 'string' || !isLabelValue(v)) {
        out.push({ field: 'labels', path, message: `metadata label ${k} has the invalid value ${show(v)}`,
          fix: 'use a string of at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit' });
      }
    }
  }
  const annotations = nullMapValuesAsEmpty(metadata.annotations);
  if (isObject(annotations)) {
    let bytes = 0;
    for (const [k, v] of Object.entries(annotations)) {
      bytes += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
      if (!isQualifiedName(goToLower(k))) {
        out.push({ field: 'annotations', path: keyPath('metadata.annotations', k), message: `metadata annotation key ${show(k)} is not a valid key`, fix: KEY_FIX });
      }
    }
    if (bytes > MAX_ANNOTATION_BYTES) {
      out.push({ field: 'annotations', path: 'metadata.annotations',
        message: `metadata.annotations hold ${bytes} bytes (keys and values); the API server refuses more than ${MAX_ANNOTATION_BYTES} (256 KiB)`,
        fix: 'keep large data out of annotations (a ConfigMap), or shorten the values' });
    }
  }
  return out;
}

/**
 * Go's `strings.ToLower` as far as a qualified name can tell: ASCII letters lower-cased, and the two non-ASCII letters
 * whose lower case is ASCII (`unicode.ToLower`: U+0130 `İ` → `i`, U+212A Kelvin sign → `k`). Any other non-ASCII
 * character stays non-ASCII in Go and here (JavaScript's `toLowerCase` writes `İ` as `i̇`, two characters), and no
 * qualified name has one.
 */
function goToLower(s: string): string {
  return s.replace(/[A-Z\u0130\u212A]/g, (c) => (c === '\u0130' ? 'i' : c === '\u212A' ? 'k' : c.toLowerCase()));
}
