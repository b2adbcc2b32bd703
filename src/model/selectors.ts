import { LabelSelectorModel } from './policy-model';

/** The pod label that carries the namespace (`k8s:` source). */
export const NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';

/** Prefix of the pod labels that mirror namespace labels. */
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
/** The pod label key Cilium adds for the namespace (without the `k8s:` source). */
export const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** The cluster label key. */
export const CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';
/** The service account label key. */
export const SERVICE_ACCOUNT_KEY = 'io.cilium.k8s.policy.serviceaccount';

/** Strips a `source:` prefix (`k8s:app` → `app`, `any:app` → `app`). */
export function labelKeyName(key: string): string {
  const i = key.indexOf(':');
  return i < 0 ? key : key.slice(i + 1);
}

/** The `source` of a selector key: `k8s`, `reserved`, `any` (no prefix means any). */
export function labelKeySource(key: string): string {
  const i = key.indexOf(':');
  if (i < 0) return key.startsWith('reserved.') ? 'reserved' : 'any';
  return key.slice(0, i);
}

/** All keys a selector constrains, from `matchLabels` and `matchExpressions`. */
export function selectorKeys(selector: LabelSelectorModel): string[] {
  return [...Object.keys(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).map((e) => e.key)];
}

/**
 * Whether a selector already says which namespace(s) it selects: a `io.kubernetes.pod.namespace` key
 * (from `k8s:` or any source) or a namespace-labels key. Cilium injects the policy namespace (CNP) or
 * "any namespace" (CCNP) into selectors that do not.
 */
export function selectorConstrainsNamespace(selector: LabelSelectorModel): boolean {
  return selectorKeys(selector).some((key) => {
    const source = labelKeySource(key);
    const name = labelKeyName(key);
    return (source === 'k8s' || source === 'any') && (name === 'io.kubernetes.pod.namespace' || name.startsWith(NAMESPACE_LABELS_PREFIX));
  });
}

/** Whether a selector has a `reserved:` key (Cilium then injects no namespace). */
export function selectorHasReservedKey(selector: LabelSelectorModel): boolean {
  return selectorKeys(selector).some((key) => labelKeySource(key) === 'reserved');
}

/**
 * Whether a selector only excludes: no `matchLabels`, and only `NotIn`/`DoesNotExist` expressions (at least one). It
 * matches every identity that lacks its keys, so unless a namespace requirement is added to it (the policy's, or
 * `io.kubernetes.pod.namespace Exists`) it selects the world, the host, remote nodes and Cilium's own endpoints too.
 */
export function selectorOnlyExcludes(selector: LabelSelectorModel): boolean {
  const expressions = selector.matchExpressions ?? [];
  return Object.keys(selector.matchLabels ?? {}).length === 0 && expressions.length > 0
    && expressions.every((e) => e.operator === 'NotIn' || e.operator === 'DoesNotExist');
}
