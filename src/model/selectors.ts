import { splitLabelKey } from './labels';
import { LabelSelectorModel } from './policy-model';

/** The pod label that carries the namespace (`k8s:` source). */
export const NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';

/** Prefix of the pod labels that mirror namespace labels. */
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
/** The pod label key Cilium adds for the namespace (without the `k8s:` source). */
export const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** The cluster label key. */
export const CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';

/** The agent's cluster name unless `cluster-name` is set (pkg/option `ClusterName` default): the engine's `clusterName` default, validate's local cluster. */
export const DEFAULT_CLUSTER_NAME = 'default';
/** The service account label key. */
export const SERVICE_ACCOUNT_KEY = 'io.cilium.k8s.policy.serviceaccount';
/** The service account Kubernetes gives a pod whose spec names none (the ServiceAccount admission plugin, on by default). */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** Strips a `source:` prefix (`k8s:app` → `app`, `any:app` → `app`, `$host` → `host`, `reserved.world` → `world`): `splitLabelKey`. */
export function labelKeyName(key: string): string {
  return splitLabelKey(key).key;
}

/**
 * The `source` of a selector key: `k8s`, `reserved` (also `$host`, `reserved.world`), `any` (no prefix, or an empty one,
 * means any), or whatever precedes the first `:` (`splitLabelKey`).
 */
export function labelKeySource(key: string): string {
  return splitLabelKey(key).source;
}

/**
 * All keys a selector constrains, from `matchLabels` and `matchExpressions`. A `matchExpressions` that is no list, or an entry
 * of it that is no object (a selector of one's own answering `[null]`, which the CRD check refuses), names no key (it was a TypeError).
 */
export function selectorKeys(selector: LabelSelectorModel): string[] {
  const expressions: unknown[] = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  return [...Object.keys(selector.matchLabels ?? {}),
    ...expressions.flatMap((e) => (e !== null && typeof e === 'object' ? [(e as { key: string }).key] : []))];
}

/**
 * Whether a selector requires nothing (no `matchLabels` entry, no `matchExpressions` entry): `{}` or `{ matchLabels: {} }`, which
 * Cilium reads as the wildcard selector, every identity it is matched against. `matchExpressions` that is not a list
 * (`{}`, which the API server refuses) is no wildcard: never read as every peer (nor a TypeError).
 */
export function selectorRequiresNothing(selector: LabelSelectorModel): boolean {
  const expressions: unknown = selector.matchExpressions;
  if (expressions !== undefined && !Array.isArray(expressions)) return false;
  // Entries, not keys: one that is no requirement (`[null]`) is no wildcard either.
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (expressions ?? []).length === 0;
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

/**
 * Whether a peer selector of a CNP for Cilium before 1.16 needs `k8s:io.kubernetes.pod.namespace Exists` written: it has a
 * namespace-labels key (`io.cilium.k8s.namespace.labels.*`, `k8s:`, `any:` or no source) in `matchLabels` or
 * `matchExpressions`, and no namespace key (`io.kubernetes.pod.namespace`, `k8s:`, `any:` or no source). Before 1.16 the
 * agent adds the policy namespace to such a selector (pkg/k8s/apis/cilium.io/utils/utils.go `getEndpointSelector`:
 * `!es.HasKey(podPrefixLbl) && !es.HasKey(podAnyPrefixLbl)`, v1.14/v1.15); from 1.16 (cilium/cilium#30650) the
 * namespace-labels key stands in for the namespace. Decided by the keys, whichever factory or peer of one's own wrote them.
 */
export function selectorNeedsNamespaceKeyBefore116(selector: LabelSelectorModel): boolean {
  const keys = selectorKeys(selector).filter((key) => typeof key === 'string' && (labelKeySource(key) === 'k8s' || labelKeySource(key) === 'any'));
  return keys.some((key) => labelKeyName(key).startsWith(NAMESPACE_LABELS_PREFIX)) && !keys.some((key) => labelKeyName(key) === NAMESPACE_KEY);
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

/** A `matchExpressions` as written or answered: left out (`undefined`, `null`), or a list of objects each with a string `key`. */
export function isRequirementList(expressions: unknown): boolean {
  return expressions === undefined || expressions === null
    || (Array.isArray(expressions) && expressions.every((e) => isMap(e) && typeof (e as { key?: unknown }).key === 'string'));
}

/**
 * The refusal (`selector-empty`) of an expressions list given or answered empty, or `undefined` when `given` is not an empty
 * list. Dropped when written (Cilium reads an empty `matchExpressions` as no requirement): the selector required its other
 * labels only, so exclusions (or an `In`) computed empty by mistake were lost. One rule for the factories' `expressions`
 * (`checkExpressionList`) and the `matchExpressions` a selector or peer of one's own answers (`checkOwnSelectorShape`, the
 * custom peers' selectors, a policy's subject).
 * @param given the list as given or answered (anything)
 * @param said who gave it, leading the message (`EndpointSelector.of() got`, `… of one's own answered {…} with`)
 * @param field `expressions` (an option of the factories) or `matchExpressions` (a selector as answered)
 */
export function emptyExpressionList(given: unknown, said: string, field: 'expressions' | 'matchExpressions'): { id: string; message: string; fix: string } | undefined {
  if (!Array.isArray(given) || given.length > 0) return undefined;
  return {
    id: 'selector-empty',
    message: `${said} an empty ${field} list: it would be dropped, and the selector would require its other labels only (is a computed list empty by mistake?)`,
    fix: field === 'expressions' ? 'leave expressions out, or give at least one LabelExpression'
      : 'leave matchExpressions out, or give at least one requirement ({ key, operator, values })',
  };
}

function isMap(x: unknown): boolean {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/**
 * `selectorOnlyExcludes` of a selector as written or answered, whose parts may be anything (hand-written YAML, a selector
 * of one's own): false for what is no selector, a `matchLabels` that is no map or a `matchExpressions` that is no list
 * of objects with a key (left to the checks of their shape); a `null` part is read as left out, as the agent reads it.
 */
export function writtenSelectorOnlyExcludes(selector: unknown): boolean {
  if (!isMap(selector)) return false;
  const { matchLabels, matchExpressions } = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  if (matchLabels !== undefined && matchLabels !== null && !isMap(matchLabels)) return false;
  if (!isRequirementList(matchExpressions)) return false;
  return selectorOnlyExcludes({
    ...(matchLabels ? { matchLabels: matchLabels as Record<string, string> } : {}),
    ...(matchExpressions ? { matchExpressions: matchExpressions as LabelSelectorModel['matchExpressions'] } : {}),
  });
}

/** Whether a key (of the `k8s` or any source) is the cluster key, which every pod carries. */
export function isClusterKey(key: string): boolean {
  const source = labelKeySource(key);
  return (source === 'k8s' || source === 'any') && labelKeyName(key) === CLUSTER_KEY;
}

/** Whether a key (of any source but `reserved:`) is the namespace key or a namespace-labels key. */
export function isNamespaceKey(key: string): boolean {
  const source = labelKeySource(key);
  const name = labelKeyName(key);
  return (source === 'k8s' || source === 'any') && (name === NAMESPACE_KEY || name.startsWith(NAMESPACE_LABELS_PREFIX));
}

/**
 * The namespaces a selector pins by name: its `io.kubernetes.pod.namespace` equality (`matchLabels`) or `In` values,
 * intersected when given more than once; `undefined` when it pins none (no namespace key, or only `Exists`, `NotIn`,
 * `DoesNotExist`, or namespace labels).
 */
export function selectorNamespaceNames(selector: LabelSelectorModel): string[] | undefined {
  let names: string[] | undefined;
  const narrow = (values: readonly string[]): void => {
    names = names === undefined ? [...new Set(values)] : names.filter((n) => values.includes(n));
  };
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (isNamespaceKey(key) && labelKeyName(key) === NAMESPACE_KEY) narrow([value]);
  }
  for (const e of selector.matchExpressions ?? []) {
    if (isNamespaceKey(e.key) && labelKeyName(e.key) === NAMESPACE_KEY && e.operator === 'In') narrow(e.values ?? []);
  }
  return names;
}

/**
 * Whether a selector fixes the namespaces of the pods it selects, so that no tenant can bring a pod into it by labelling
 * the pod: the namespace by name (equality or `In`), or namespace labels by equality or `In` (only who may label
 * namespaces can add one). `Exists`, `NotIn` and `DoesNotExist` on those keys fix nothing: every other namespace passes.
 */
export function selectorFixesNamespace(selector: LabelSelectorModel): boolean {
  if (selectorNamespaceNames(selector) !== undefined) return true;
  return Object.keys(selector.matchLabels ?? {}).some(isNamespaceKey)
    || (selector.matchExpressions ?? []).some((e) => isNamespaceKey(e.key) && e.operator === 'In');
}

/**
 * Whether a selector requires a pod label of its own (equality or `In`), besides the namespace keys and the cluster key
 * (`io.cilium.k8s.policy.cluster`): Cilium sets that one on every pod of the cluster (pkg/k8s/utils `SanitizePodLabels`,
 * "Sanitize cluster name"), so it names no pod.
 */
export function selectorRequiresPodLabel(selector: LabelSelectorModel): boolean {
  const own = (key: string): boolean => !isNamespaceKey(key) && labelKeySource(key) !== 'reserved' && !isClusterKey(key);
  return Object.keys(selector.matchLabels ?? {}).some(own) || (selector.matchExpressions ?? []).some((e) => own(e.key) && e.operator === 'In');
}

/**
 * For messages on a selector `selectorRequiresPodLabel` refuses: why it names no pod (`no pod label required by value`, or the
 * cluster label it gives, which every pod carries) and the pods of its namespaces it takes in (all of them, all but those
 * it excludes with `NotIn`/`DoesNotExist`, or those with the labels of its `Exists`, whatever their values).
 * @param selector the selector refused
 */
export function noPodLabelReason(selector: LabelSelectorModel): { readonly cluster: boolean; readonly why: string; readonly selects: string } {
  const expressions = selector.matchExpressions ?? [];
  const own = (key: string): boolean => !isNamespaceKey(key) && labelKeySource(key) !== 'reserved' && !isClusterKey(key);
  const cluster = Object.keys(selector.matchLabels ?? {}).some(isClusterKey) || expressions.some((e) => e.operator === 'In' && isClusterKey(e.key));
  const excludes = expressions.some((e) => own(e.key) && (e.operator === 'NotIn' || e.operator === 'DoesNotExist'));
  const exists = expressions.filter((e) => own(e.key) && e.operator === 'Exists').map((e) => e.key);
  return {
    cluster,
    why: cluster ? `no pod label but the cluster label ${CLUSTER_KEY}, which Cilium sets on every pod of the cluster` : 'no pod label required by value',
    selects: `every pod of its namespaces${excludes ? ' but those it excludes' : exists.length > 0 ? ` with ${exists.join(', ')}, whatever the value` : ''}`,
  };
}
