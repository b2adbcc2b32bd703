/**
 * The labels Cilium keeps in a security identity: its default identity-relevant labels (pkg/labelsfilter
 * `defaultLabelPrefixCfg`, the agent's `labels` option left empty). A pod's labels pass through this filter before its
 * identity is allocated (`labelsfilter.Filter`), and so do the node's labels on the host endpoint, the subject of host
 * policies (pkg/endpoint `InitWithNodeLabels`). A label left out is in no identity: no selector sees it, so `matchLabels`
 * or `In`/`Exists` on its key select nothing, and `NotIn`/`DoesNotExist` on it always hold. (Remote nodes' labels, with
 * `enable-node-selector-labels`, pass the node filter `FilterNodeLabels` instead, which keeps every label by default.)
 *
 * The filter, as `filterLabels` applies it: each prefix is a regular expression that matches only at the start of the
 * key; a label is left out when an ignore prefix (`!…`) matches it and no include prefix matches a longer part of it.
 */
import { CiliumVersion } from '../core/cilium-version';
import { BoundedMemo } from './bounded-memo';
import { Selector, SelectorRequirement } from './labels';

/** One prefix of the default configuration. */
interface LabelPrefix {
  /** The regular expression, anchored at the start of the key (Cilium checks the match starts at 0). */
  readonly pattern: RegExp;
  /** An ignore prefix (`!` in the configuration). */
  readonly ignore: boolean;
  /** The Cilium version that added it to the defaults. @default - every supported version */
  readonly since?: CiliumVersion;
}

function prefix(pattern: string, ignore: boolean, since?: CiliumVersion): LabelPrefix {
  return { pattern: new RegExp(`^(?:${pattern})`), ignore, ...(since !== undefined ? { since } : {}) };
}

/**
 * The default prefixes of the label sources Kubernetes labels have (`reserved:.*`, the first default, only keeps reserved
 * labels). Each `since` is the first minor release whose branch has the entry in pkg/labelsfilter/filter.go
 * `defaultLabelPrefixCfg`, checked against the PRs' merge into main and the release cycle they fell in (session 34):
 * - StatefulSet pod name and index: cilium/cilium#28003 (September 2023, the 1.15 cycle; 1.14 has neither);
 * - Indexed Job completion index: #28897 (November 2023, before the v1.15 branch; a stored filter.go has it beside the
 *   StatefulSet entries and without the controller UIDs);
 * - `batch.kubernetes.io/controller-uid` and `controller-uid`: #31964 (April 2024, the 1.16 cycle);
 * - `topology.kubernetes.io` (the node topology labels Kubernetes 1.35 copies onto pods): #43725 (January 2026, the 1.19
 *   cycle). Its issue (#43723) is marked release-blocker/1.18, so a 1.18 patch release has it too, but which one could
 *   not be settled from the sources at hand: 1.18 is read as keeping them (the release without the entry).
 * No backport of the 1.15 or 1.16 entries to an older branch was found.
 */
const DEFAULT_PREFIXES: readonly LabelPrefix[] = [
  prefix('io\\.kubernetes\\.pod\\.namespace', false),
  prefix('io\\.cilium\\.k8s\\.namespace\\.labels', false),
  prefix('app\\.kubernetes\\.io', false),
  prefix('io\\.cilium\\.k8s\\.policy\\.cluster', false),
  prefix('io\\.kubernetes', true),
  prefix('kubernetes\\.io', true),
  prefix('statefulset\\.kubernetes\\.io/pod-name', true, CiliumVersion.V1_15),
  prefix('apps\\.kubernetes\\.io/pod-index', true, CiliumVersion.V1_15),
  prefix('batch\\.kubernetes\\.io/job-completion-index', true, CiliumVersion.V1_15),
  prefix('batch\\.kubernetes\\.io/controller-uid', true, CiliumVersion.V1_16),
  prefix('.*beta\\.kubernetes\\.io', true),
  prefix('k8s\\.io', true),
  prefix('pod-template-generation', true),
  prefix('pod-template-hash', true),
  prefix('controller-revision-hash', true),
  prefix('annotation.*', true),
  prefix('controller-uid', true, CiliumVersion.V1_16),
  prefix('etcd_node', true),
  prefix('topology\\.kubernetes\\.io', true, CiliumVersion.V1_19),
];

/** The verdicts per version and key: a policy set asks about the same few keys for every endpoint. */
const CACHE = new Map<string, BoundedMemo<string, boolean>>();
const MAX_CACHED_KEYS = 10_000;

/**
 * Whether Cilium's default label filter keeps a label with this key in an identity (`filterLabels`: kept unless an
 * ignore prefix matches it and no include prefix matches a longer part of it). Labels of the `reserved` source are kept.
 * @param source the label's source (`k8s`, `reserved`, …)
 * @param key the key without its source
 */
export function identityRelevantLabel(source: string, key: string, version: CiliumVersion): boolean {
  if (source === 'reserved') return true;
  const v = version.toString();
  let known = CACHE.get(v);
  if (known === undefined) {
    known = new BoundedMemo(MAX_CACHED_KEYS);
    CACHE.set(v, known);
  }
  return known.get(key, (k) => filterKeeps(k, version));
}

/** `filterLabels` for one key: kept unless an ignore prefix matches it and no include prefix matches a longer part. */
function filterKeeps(key: string, version: CiliumVersion): boolean {
  let included = 0;
  let ignored = 0;
  for (const p of DEFAULT_PREFIXES) {
    if (p.since !== undefined && !version.atLeast(p.since)) continue;
    const m = p.pattern.exec(key);
    if (m === null) continue;
    const length = m[0].length;
    if (p.ignore) {
      if (ignored === 0 || length < ignored) ignored = length;
    } else if (length > included) {
      included = length;
    }
  }
  return ignored === 0 || included > ignored;
}

/** The first version of each set of default prefixes (the defaults changed with 1.15, 1.16 and 1.19). */
export const IDENTITY_LABEL_FILTER_VERSIONS: readonly CiliumVersion[] = [
  CiliumVersion.V1_14, CiliumVersion.V1_15, CiliumVersion.V1_16, CiliumVersion.V1_19,
];

/**
 * Whether a requirement is on a key Cilium's default label filter keeps out of identities (`identityRelevantLabel`). An
 * `any:` key is judged as a `k8s:` one: the filter sets only `reserved` labels apart.
 */
export function onNonIdentityKey(r: SelectorRequirement, version: CiliumVersion): boolean {
  return !identityRelevantLabel(r.source, r.key, version);
}

/**
 * A selector as it reads identities filtered for `version`: its requirements on keys no identity has are settled (`In` and
 * `Exists` never hold, so `undefined`: it selects nothing; `NotIn` and `DoesNotExist` always hold, so they are dropped).
 * On labels as written, the result selects exactly what the selector selects on the identities made of them.
 */
export function selectorOnIdentities(selector: Selector, version: CiliumVersion): Selector | undefined {
  const reqs = selector.requirements;
  if (!reqs.some((r) => onNonIdentityKey(r, version))) return selector;
  if (reqs.some((r) => onNonIdentityKey(r, version) && (r.operator === 'In' || r.operator === 'Exists'))) return undefined;
  return Selector.all().and(reqs.filter((r) => !onNonIdentityKey(r, version)));
}
