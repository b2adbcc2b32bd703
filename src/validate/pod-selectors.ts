/**
 * Selectors of the pitfall layer: Cilium's selector translation at import (namespace injection), and three questions
 * about translated selectors — does a workload's pods match, can two selectors select the same pod (overlap), and does
 * every pod of one also match the other (implication). Matching itself is the verdict engine's (`model/labels.ts`), and
 * so is the translation (`model/selector-import.ts`): this layer runs it on its own normal form.
 *
 * Normal form: a key without source (`any:`) and `k8s:` are the same for pods (all pod labels are k8s-sourced); the
 * namespace-labels key `io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name` is the namespace key; requirements on
 * the cluster key are dropped (the input says nothing about clusters; one local cluster is assumed), so the translation
 * runs without the cluster filter. The engine needs none of this: it matches exact identities. The pitfall layer
 * compares selectors with each other (overlap, implication) and matches them against workloads it reads from manifests,
 * whose label sets leave out what the input cannot know (the cluster label); the normal form makes selectors that
 * Cilium treats alike compare alike.
 */
import { LabelSet, Selector, SelectorRequirement } from '../model/labels';
import { CiliumVersion } from '../core/cilium-version';
import { importEndpointSelector, importSubjectSelector, SelectorImportScope, versionImportOptions } from '../model/selector-import';
import { LabelSelectorModel, PolicyKind, RuleModel } from '../model/policy-model';
import { podObjectLabels } from '../model/pod-object-labels';
import { CLUSTER_KEY, SERVICE_ACCOUNT_KEY } from '../model/selectors';
import { InventoryNamespace, InventoryPodTemplate } from './inventory';

/** The pod label Cilium gives the namespace. */
export const NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** Prefix of the namespace-labels keys. */
const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
/** The namespace label every namespace has, as a namespace-labels key. */
const NAMESPACE_NAME_KEY = `${NAMESPACE_LABELS_PREFIX}kubernetes.io/metadata.name`;

/**
 * Brings a selector into normal form (see the module comment). `namespaceNameIsNamespace: false` keeps the namespace-labels
 * key `...kubernetes.io/metadata.name` as written: a peer translated for Cilium 1.14/1.15, where the agent added the
 * policy namespace beside it (`peerSelector`), so it reads the Namespace's label, as the engine does.
 */
export function normalise(selector: Selector, namespaceNameIsNamespace = true): Selector {
  const reqs = selector.requirements
    .filter((r) => !((r.source === 'any' || r.source === 'k8s') && r.key === CLUSTER_KEY))
    .map((r): SelectorRequirement => {
      const source = r.source === 'any' ? 'k8s' : r.source;
      return { ...r, source, key: namespaceNameIsNamespace && source === 'k8s' && r.key === NAMESPACE_NAME_KEY ? NAMESPACE_KEY : r.key };
    });
  return Selector.all().and(reqs);
}

/** A model selector in normal form (`undefined`: everything). */
export function fromModel(model: LabelSelectorModel | undefined): Selector {
  return normalise(Selector.from(model));
}

/** Whether a selector names the namespace of the pods it selects (a namespace key, or a namespace-labels key). */
export function constrainsNamespace(selector: Selector): boolean {
  return selector.requirements.some((r) => r.source === 'k8s' && (r.key === NAMESPACE_KEY || r.key.startsWith(NAMESPACE_LABELS_PREFIX)));
}

/** Whether a selector has a `reserved:` key: it selects Cilium's reserved identities, not pods. */
export function selectsReserved(selector: Selector): boolean {
  return selector.hasReservedKey();
}

/** What the translation of a rule's peers depends on: the policy (kind, namespace), its subject and the target version. */
export interface PeerScope {
  readonly kind: PolicyKind;
  /** The namespace of a CNP; ignored for a CCNP. */
  readonly namespace: string;
  /** The rule's subject in normal form (`subjectSelector`). */
  readonly subject: Selector | undefined;
  /** The target Cilium version (the translation follows it: `versionImportOptions`). */
  readonly version: CiliumVersion;
}

/**
 * A rule's subject in normal form, as the agent of `version` imports it: a CNP `endpointSelector` with its namespace
 * replaced by the policy's (on 1.14 not when it selects `reserved:init`); a CCNP `endpointSelector` as written; a
 * `nodeSelector` as written. `undefined` when the rule has neither.
 */
export function subjectSelector(kind: PolicyKind, namespace: string, rule: RuleModel, version: CiliumVersion): Selector | undefined {
  if (isObject(rule.endpointSelector)) return normalise(importSubjectSelector(rule.endpointSelector, scopeOf(kind, namespace, version)));
  if (isObject(rule.nodeSelector)) return fromModel(rule.nodeSelector);
  return undefined;
}

/**
 * A `fromEndpoints`/`toEndpoints` selector in normal form, as the agent of `r.version` imports it: without a namespace
 * key, a CNP's gets the policy namespace (unless it has a namespace-labels key, from Cilium 1.16; on 1.14 unless its
 * subject selects `reserved:init`) and a CCNP's `io.kubernetes.pod.namespace Exists` (unless its subject selects
 * `reserved:init`); selectors with a `reserved:` key are taken as written. The translation runs on the written keys and
 * the normal form is taken after it: before 1.16 the namespace-labels key `...kubernetes.io/metadata.name` is not the
 * namespace key to the agent, and the policy namespace is added beside it.
 */
export function peerSelector(r: PeerScope, model: LabelSelectorModel): Selector {
  const scope = peerImportScope(r);
  return normalise(importEndpointSelector(Selector.from(model), scope), scope.namespaceLabelsSelectNamespaces);
}

/**
 * A from/toEndpoints selector as the agent's selector cache tells it apart (`Selector.cacheKey`: the written form after
 * translation), not in normal form: `app` and `k8s:app`, or a match label and an `In` expression, are two selectors there.
 */
export function peerCacheKey(r: PeerScope, model: LabelSelectorModel): string {
  return importEndpointSelector(Selector.from(model), peerImportScope(r)).cacheKey();
}

/**
 * The pods of a Kubernetes NetworkPolicy's `podSelector`, in normal form: those of its namespace (as a CNP subject is
 * translated).
 */
export function networkPolicySelector(namespace: string, podSelector: LabelSelectorModel): Selector {
  return normalise(importSubjectSelector(podSelector, { mode: 'cnp', namespace }));
}

/** The translation scope of a policy for `version` (no cluster filter: see the module comment). */
function scopeOf(kind: PolicyKind, namespace: string, version: CiliumVersion): SelectorImportScope {
  return kind === 'CiliumNetworkPolicy' ? { mode: 'cnp', namespace, ...versionImportOptions(version) } : { mode: 'ccnp', ...versionImportOptions(version) };
}

/** The translation scope of a rule's peers. */
function peerImportScope(r: PeerScope): SelectorImportScope {
  return { ...scopeOf(r.kind, r.namespace, r.version), matchesInit: r.subject?.hasKey('reserved', 'init') ?? false };
}

/** The namespaces a selector is limited to (`In` on the namespace key), or `undefined` for any namespace. */
export function namespacesOf(selector: Selector): string[] | undefined {
  let out: string[] | undefined;
  for (const r of selector.requirements) {
    if (r.source !== 'k8s' || r.key !== NAMESPACE_KEY || r.operator !== 'In') continue;
    out = out ? out.filter((n) => r.values.includes(n)) : [...r.values];
  }
  return out;
}

/** Label sets already built, per workload and namespace object. */
const LABEL_SETS = new WeakMap<InventoryPodTemplate, { namespace: InventoryNamespace | undefined; set: LabelSet }>();

/** The identity labels Cilium gives the pods of a workload (cluster label left out, see the module comment). */
export function podLabelSet(workload: InventoryPodTemplate, namespace: InventoryNamespace | undefined): LabelSet {
  const cached = LABEL_SETS.get(workload);
  if (cached && cached.namespace === namespace) return cached.set;
  const set = buildLabelSet(workload, namespace);
  LABEL_SETS.set(workload, { namespace, set });
  return set;
}

/**
 * The pod's own labels as Cilium takes them (`podObjectLabels`: none on the keys the agent owns), then the agent's: the
 * namespace labels, `io.kubernetes.pod.namespace` (the pod's real namespace), the service account (pkg/k8s/utils
 * `SanitizePodLabels`, 1.14-1.19). A pod in `a` labelled `io.kubernetes.pod.namespace: b` is in `a`.
 */
function buildLabelSet(workload: InventoryPodTemplate, namespace: InventoryNamespace | undefined): LabelSet {
  const labels = [
    ...Object.entries(podObjectLabels(workload.podLabels)).map(([k, v]) => ({ source: 'k8s', key: k, value: v })),
    ...Object.entries(namespace?.labels ?? {}).filter(([k]) => `${NAMESPACE_LABELS_PREFIX}${k}` !== NAMESPACE_NAME_KEY)
      .map(([k, v]) => ({ source: 'k8s', key: `${NAMESPACE_LABELS_PREFIX}${k}`, value: v })),
    // The API server sets `kubernetes.io/metadata.name` on every Namespace (a 1.14/1.15 peer may read it as written).
    ...(namespace ? [{ source: 'k8s', key: NAMESPACE_NAME_KEY, value: workload.namespace }] : []),
    { source: 'k8s', key: NAMESPACE_KEY, value: workload.namespace },
    { source: 'k8s', key: SERVICE_ACCOUNT_KEY, value: workload.serviceAccount },
  ];
  return LabelSet.of(labels);
}

/**
 * Whether a selector selects the pods of a workload: `true`/`false`, or `undefined` when it depends on labels of a
 * Namespace the input does not have.
 */
export function selectsWorkload(selector: Selector, workload: InventoryPodTemplate, namespace: InventoryNamespace | undefined): boolean | undefined {
  if (selectsReserved(selector)) return false;
  if (namespace === undefined && readsNamespaceLabels(selector)) return undefined;
  return selector.matches(podLabelSet(workload, namespace));
}

/** Whether a selector reads the labels of the pods' Namespace (a namespace-labels key): `selectsWorkload` needs the Namespace. */
export function readsNamespaceLabels(selector: Selector): boolean {
  return selector.requirements.some((r) => r.source === 'k8s' && r.key.startsWith(NAMESPACE_LABELS_PREFIX));
}

/**
 * Whether a selector matches pods carrying (at least) `labels` in `namespace`: for a Service's selector when the input has
 * no workload behind it. Requirements the labels cannot decide (other keys) count as met only for `NotIn`/`DoesNotExist`.
 * The labels are read as the pod's own (`podObjectLabels`): on a key Cilium owns, the pods' identity carries Cilium's value
 * (their namespace is `namespace`), whatever the Service selects on.
 */
export function selectsLabels(selector: Selector, namespace: string, labels: Readonly<Record<string, string>>): boolean {
  if (selectsReserved(selector)) return false;
  const set = LabelSet.of([
    ...Object.entries(podObjectLabels(labels)).map(([k, v]) => ({ source: 'k8s', key: k, value: v })),
    { source: 'k8s', key: NAMESPACE_KEY, value: namespace },
  ]);
  return selector.matches(set);
}

/**
 * The refusal (`selector-contradictory`) of a selector whose requirements on one key no label set satisfies together (`app: db`
 * with `app NotIn (db)`; `keySatisfiable`, as `mayOverlap` reads them), or `undefined`. Cilium ANDs a selector's requirements and
 * a label has one value, so it selects nothing: a deny of it denies nothing, a subject so written puts no pod into default
 * deny. One rule for the factories (`selectorModel`) and the selectors of one's own (`checkOwnSelectorShape`).
 * @param model the selector, of a known shape
 * @param what who requires it, leading the message (`Peer.endpoints()`, `Peer.selectedBy(): the endpoint selector of one's own`)
 */
export function selectorContradiction(model: LabelSelectorModel, what: string): { id: string; message: string; fix: string } | undefined {
  const selector = Selector.from(model);
  const key = unsatisfiableKey(selector.requirements);
  if (key === undefined) return undefined;
  const onKey = selector.requirements.filter((r) => r.key === key);
  // The two that contradict, when two do (`app: db` with `app NotIn (db)`); else all of the key's (`In (a, b)`, `In (b, c)`, `In (a, c)`).
  const pair = onKey.flatMap((x, i) => onKey.slice(i + 1).filter((y) => !keySatisfiable([x, y])).map((y) => [x, y]))[0];
  const named = onKey.length === 1 ? onKey : pair ?? onKey;
  const shown = (r: SelectorRequirement): string =>
    `${r.source === 'any' ? '' : `${r.source}:`}${r.key} ${r.operator}${r.values.length > 0 ? ` (${r.values.join(', ')})` : ''}`;
  const list = named.map(shown);
  return {
    id: 'selector-contradictory',
    message: `${what} requires ${list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}` : list[0]}, which no label set `
      + "satisfies together: the selector would select nothing (as a deny's peer it would deny nothing, as a subject put no pod into default deny)",
    fix: `keep ${named.length > 2 ? 'the requirements' : 'one of the two requirements'} on ${key} meant, or give the values meant (is a computed value wrong?)`,
  };
}

/**
 * Whether some pod could match both selectors: for every key, some label of it (or none) meets the requirements of both on
 * that key (`keySatisfiable`), as the engine's `requirementMatches` reads them.
 */
export function mayOverlap(a: Selector, b: Selector): boolean {
  return unsatisfiableKey([...a.requirements, ...b.requirements]) === undefined;
}

/** The first key whose requirements no label of it (nor its absence) meets together, or `undefined`. */
function unsatisfiableKey(requirements: readonly SelectorRequirement[]): string | undefined {
  const byKey = new Map<string, SelectorRequirement[]>();
  for (const r of requirements) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  for (const [key, onKey] of byKey) if (!keySatisfiable(onKey)) return key;
  return undefined;
}

/** A source and a value no requirement names: the label of another source, or of another value, than any listed. */
const OTHER = '\u0000other';

/**
 * Whether one key's requirements (of any sources) are met together by some state of that key: absent, or one label, of
 * one source and one value. Cilium keeps one label per key (pkg/labels `Labels`: "a map of labels where the map's key is
 * the same as the label's key"), so the states are these, and trying the sources and values named (and one of each not
 * named) tries every case. A requirement of the `any` source (a key without a prefix) sees the label of every source, as
 * Cilium's `LabelArray.Has` and the engine's `requirementMatches` (src/model/labels.ts) do: `k8s:app: db` with `app NotIn
 * (db)`, and `k8s:app Exists` with `app DoesNotExist`, contradict; three requirements may where no two do (`In (a, b)`,
 * `In (b, c)`, `In (a, c)`).
 */
function keySatisfiable(onKey: readonly SelectorRequirement[]): boolean {
  const sources = [...new Set(onKey.map((r) => r.source).filter((s) => s !== 'any')), OTHER];
  const values = [...new Set(onKey.flatMap((r) => r.values)), OTHER];
  if (onKey.every((r) => meets(r, undefined))) return true;
  return sources.some((source) => values.some((value) => onKey.every((r) => meets(r, { source, value }))));
}

/** Whether a requirement is met by a key's state: no label (`undefined`) or the one label of that key. */
function meets(r: SelectorRequirement, label: { source: string; value: string } | undefined): boolean {
  const seen = label !== undefined && (r.source === 'any' || r.source === label.source);
  switch (r.operator) {
    case 'In':
      return seen && r.values.includes(label.value);
    case 'NotIn':
      return !(seen && r.values.includes(label.value));
    case 'Exists':
      return seen;
    case 'DoesNotExist':
      return !seen;
    default:
      return false;
  }
}

/**
 * Whether every pod `a` matches is also matched by `b` (each requirement of `b` follows from one of `a`). A positive
 * requirement of the `any` source (`app: web` without a prefix: `In`, `Exists`) follows from the same key of any source
 * (`k8s:app: web`): the label it guarantees is one of any source.
 */
export function implies(a: Selector, b: Selector): boolean {
  return b.requirements.every((rb) => a.requirements.some((ra) => ra.key === rb.key && sourceCovers(ra, rb) && follows(ra, rb)));
}

function sourceCovers(a: SelectorRequirement, b: SelectorRequirement): boolean {
  return a.source === b.source || (b.source === 'any' && (b.operator === 'In' || b.operator === 'Exists'));
}

/** Whether requirement `a` (of the narrower selector) guarantees requirement `b`. */
function follows(a: SelectorRequirement, b: SelectorRequirement): boolean {
  switch (b.operator) {
    case 'In':
      return a.operator === 'In' && a.values.length > 0 && a.values.every((v) => b.values.includes(v));
    case 'NotIn':
      return (a.operator === 'In' && !a.values.some((v) => b.values.includes(v)))
        || (a.operator === 'NotIn' && b.values.every((v) => a.values.includes(v)))
        || a.operator === 'DoesNotExist';
    case 'Exists':
      return (a.operator === 'In' && a.values.length > 0) || a.operator === 'Exists';
    case 'DoesNotExist':
      return a.operator === 'DoesNotExist';
    default:
      return false;
  }
}

/** A model selector for messages: `{app=web, tier In (a,b)}`; `{}` selects everything. */
export function describeSelector(model: LabelSelectorModel | undefined): string {
  const parts = [
    ...Object.entries(isObject(model?.matchLabels) ? model.matchLabels : {}).map(([k, v]) => `${k}=${v}`),
    ...(Array.isArray(model?.matchExpressions) ? model.matchExpressions : []).map((e) => {
      const values = Array.isArray(e.values) ? e.values : [];
      return ['In', 'NotIn'].includes(e.operator) ? `${e.key} ${e.operator} (${values.join(',')})` : `${e.key} ${e.operator}`;
    }),
  ];
  return `{${parts.join(', ')}}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The label key (`source:key`, the namespace key left out) that the most of `subjects` pin to one value (`app=x`), if any:
 * two subjects that pin different values of it select no common pod and imply neither the other, so checks over pairs of
 * rules compare a subject only with its value's bucket and the subjects that pin none.
 */
export function mostPinnedKey(subjects: Iterable<Selector | undefined>): string | undefined {
  const counts = new Map<string, number>();
  for (const subject of subjects) {
    for (const q of subject?.requirements ?? []) {
      if (q.operator === 'In' && q.values.length === 1 && q.key !== NAMESPACE_KEY) counts.set(`${q.source}:${q.key}`, (counts.get(`${q.source}:${q.key}`) ?? 0) + 1);
    }
  }
  let best: string | undefined;
  for (const [k, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0)) best = k;
  return best;
}

/** The one value `subject` requires for `key` (`source:key`, see `mostPinnedKey`), if it pins one. */
export function pinnedValue(subject: Selector | undefined, key: string): string | undefined {
  const q = subject?.requirements.find((x) => `${x.source}:${x.key}` === key && x.operator === 'In' && x.values.length === 1);
  return q?.values[0];
}
