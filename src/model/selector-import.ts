/**
 * Selector translation at import, as the agent does it (pkg/k8s/apis/cilium.io/utils/utils.go `ParseToCiliumRule`,
 * `getEndpointSelector`, and the `policy-default-local-cluster` option):
 * - a CNP's subject (`endpointSelector`) gets `k8s:io.kubernetes.pod.namespace=<policy namespace>` in place of any
 *   namespace it names (on 1.14 not when it selects `reserved:init`, nor its peers then); a CCNP's is taken as written;
 * - a from/toEndpoints selector without a namespace key gets the policy namespace (CNP, unless it has a
 *   namespace-labels key, from 1.16) or `k8s:io.kubernetes.pod.namespace Exists` (CCNP, unless the subject selects
 *   `reserved:init`); one with a `reserved:` key is left alone;
 * - with the cluster filter on, from/toEndpoints and from/toNodes without a cluster key get
 *   `k8s:io.cilium.k8s.policy.cluster=<local cluster>`; from/toNodes also get `reserved:remote-node Exists`; a
 *   NetworkPolicy peer's empty `matchLabels` cluster value does not count as a cluster key, and is replaced;
 * - raw `api.Rule` lists (local API format) are not translated.
 *
 * Shared by the verdict engine (`compile.ts`) and the pitfall layer of `validate` (`validate/pod-selectors.ts`, which
 * runs it on its normal form, without the cluster filter).
 */
import { CiliumVersion } from '../core/cilium-version';
import { CLUSTER_KEY, NAMESPACE_KEY, NAMESPACE_LABELS_PREFIX } from './selectors';
import { LabelSelectorModel } from './policy-model';
import { Selector, SelectorRequirement, isMatchLabel, matchLabel, splitLabelKey } from './labels';

/** What the translation of a rule's selectors depends on. */
export interface SelectorImportScope {
  /**
   * `cnp`: a CiliumNetworkPolicy; `ccnp`: a CiliumClusterwideNetworkPolicy; `raw`: an `api.Rule` list (no translation);
   * `k8s`: a Kubernetes NetworkPolicy already translated (`model/network-policy.ts`): only the cluster filter applies.
   */
  readonly mode: 'cnp' | 'ccnp' | 'raw' | 'k8s';
  /**
   * The namespace of a CNP.
   * @default 'default'
   */
  readonly namespace?: string;
  /**
   * Whether the rule's subject selects `reserved:init` (a CCNP's peers then get no namespace `Exists`).
   * @default false
   */
  readonly matchesInit?: boolean;
  /**
   * The local cluster, when from/to selectors select only it by default (`policy-default-local-cluster`).
   * @default - no cluster filter
   */
  readonly localCluster?: string;
  /**
   * Whether a CNP peer's namespace-labels key (`io.cilium.k8s.namespace.labels.<key>`) stands in for its namespace, so
   * that no policy namespace is added: from Cilium 1.16 (cilium/cilium#30650, `getEndpointSelector`
   * `podK8SNamespaceLabelsPrefix`); 1.14 and 1.15 check the namespace key alone and add the policy namespace, so such a
   * selector selects the labelled pods of the policy's own namespace only.
   * @default true
   */
  readonly namespaceLabelsSelectNamespaces?: boolean;
  /**
   * Whether a CNP whose `endpointSelector` has a `reserved:init` key is taken without a namespace, its subject and its
   * from/toEndpoints alike (`ParseToCiliumRule`: `!retRule.EndpointSelector.HasKey(podInitLbl)`; `getEndpointSelector`:
   * `!matchesInit`): Cilium 1.14; from 1.15 (cilium/cilium#28007, "Restrict configuring reserved:init policy via CNP")
   * the namespace is added whatever the subject, so a CNP selects no `reserved:init` endpoint.
   * @default false
   */
  readonly cnpInitUnnamespaced?: boolean;
}

/** The options of the translation that follow the target Cilium version (one place: the engine and `validate` use it). */
export type VersionImportOptions = Required<Pick<SelectorImportScope, 'namespaceLabelsSelectNamespaces' | 'cnpInitUnnamespaced'>>;

/**
 * The version-dependent translation options of `version`: namespace-labels peers select other namespaces from 1.16
 * (`namespaceLabelsSelectNamespaces`); a CNP of `reserved:init` is taken without a namespace on 1.14 only
 * (`cnpInitUnnamespaced`).
 */
export function versionImportOptions(version: CiliumVersion): VersionImportOptions {
  return { namespaceLabelsSelectNamespaces: version.atLeast(CiliumVersion.V1_16), cnpInitUnnamespaced: !version.atLeast(CiliumVersion.V1_15) };
}

/**
 * A rule's `endpointSelector`, translated. A CNP's gets `k8s:io.kubernetes.pod.namespace=<policy namespace>` as a match
 * label (`AddMatch`), which replaces a `matchLabels` entry on exactly that key; everything else is kept and AND'ed with
 * it: a `matchExpressions` entry on the namespace key (`NotIn [<own>]` then selects nothing), or a `matchLabels` entry on
 * the source-less key `io.kubernetes.pod.namespace` naming another namespace.
 */
export function importSubjectSelector(model: LabelSelectorModel | undefined, scope: SelectorImportScope): Selector {
  if (scope.mode !== 'cnp') return Selector.from(model);
  if (scope.cnpInitUnnamespaced === true && Selector.from(model).hasKey('reserved', 'init')) return Selector.from(model);
  const matchLabels = Object.fromEntries(Object.entries(model?.matchLabels ?? {}).filter(([k]) => {
    const { source, key } = splitLabelKey(k);
    return !(source === 'k8s' && key === NAMESPACE_KEY);
  }));
  return Selector.from({ ...model, matchLabels }).and([inRequirement('k8s', NAMESPACE_KEY, scope.namespace ?? 'default')]);
}

/**
 * A from/toEndpoints (or from/toRequires) selector, translated (`getEndpointSelector`): namespace injection, then the
 * cluster filter. A selector with a `reserved:` key is taken as written when `skipReserved` (from/toEndpoints).
 */
export function importEndpointSelector(selector: Selector, scope: SelectorImportScope, skipReserved = true): Selector {
  if (scope.mode === 'raw' || (skipReserved && selector.hasReservedKey())) return selector;
  if (scope.mode === 'k8s') return selector.requirements.length === 0 ? selector : networkPolicyClusterFilter(selector, scope.localCluster);
  let sel = selector;
  if (!sel.hasKey('k8s', NAMESPACE_KEY) && !sel.hasKey('any', NAMESPACE_KEY)) {
    if (scope.mode === 'ccnp') {
      if (!scope.matchesInit) sel = sel.and([{ source: 'k8s', key: NAMESPACE_KEY, operator: 'Exists', values: [] }]);
    } else if (scope.cnpInitUnnamespaced === true && scope.matchesInit === true) {
      // Cilium 1.14: a CNP of `reserved:init` adds no namespace to its peers either.
    } else if (scope.namespaceLabelsSelectNamespaces === false
      || (!sel.hasKeyPrefix('k8s', NAMESPACE_LABELS_PREFIX) && !sel.hasKeyPrefix('any', NAMESPACE_LABELS_PREFIX))) {
      sel = sel.and([inRequirement('k8s', NAMESPACE_KEY, scope.namespace ?? 'default')]);
    }
  }
  return clusterFilter(sel, scope.localCluster);
}

/** A from/toNodes selector, translated: `reserved:remote-node Exists`, then the cluster filter. */
export function importNodeSelector(selector: Selector, scope: SelectorImportScope): Selector {
  const sel = selector.and([{ source: 'reserved', key: 'remote-node', operator: 'Exists', values: [] }]);
  return scope.mode === 'raw' ? sel : clusterFilter(sel, scope.localCluster);
}

/** The cluster filter: a selector without a cluster key selects `localCluster` only (`undefined`: no filter). */
export function clusterFilter(selector: Selector, localCluster: string | undefined): Selector {
  if (localCluster === undefined || selector.hasKey('k8s', CLUSTER_KEY) || selector.hasKey('any', CLUSTER_KEY)) return selector;
  return selector.and([inRequirement('k8s', CLUSTER_KEY, localCluster)]);
}

/**
 * The cluster filter of a NetworkPolicy peer (pkg/k8s/network_policy.go `parseNetworkPolicyPeer`): the peer's podSelector
 * selects a cluster when it has a match expression on the cluster key, or a `matchLabels` entry with a non-empty value
 * (`isPodSelectorSelectingCluster`); otherwise the local cluster is set as a match label, which replaces an empty
 * `matchLabels` value. (A Cilium policy's selector counts any cluster key: `clusterFilter`.)
 */
function networkPolicyClusterFilter(selector: Selector, localCluster: string | undefined): Selector {
  if (localCluster === undefined) return selector;
  const clusterKey = (r: SelectorRequirement): boolean => r.source === 'k8s' && r.key === CLUSTER_KEY;
  const emptyLabel = (r: SelectorRequirement): boolean => clusterKey(r) && isMatchLabel(r) && r.values[0] === '';
  if (selector.requirements.some((r) => clusterKey(r) && !emptyLabel(r))) return selector;
  return Selector.all().and([...selector.requirements.filter((r) => !emptyLabel(r)), inRequirement('k8s', CLUSTER_KEY, localCluster)]);
}

/** `source:key In (value)`, added as a match label (`AddMatch`). */
export function inRequirement(source: string, key: string, value: string): SelectorRequirement {
  return matchLabel(source, key, value);
}
