/**
 * Cilium labels and label selectors as the agent matches them.
 *
 * A Cilium label is `source:key=value` (sources `k8s`, `reserved`, `cidr`, `fqdn`, `node`, …). A selector key without a
 * source means `any:` and matches the key from every source; `k8s:app` only matches k8s-sourced labels; a key without `:`
 * that starts with `reserved.` is the legacy spelling of `reserved:` (`reserved.world`). `matchLabels` and
 * `matchExpressions` are AND'ed (Documentation/security/policy/kubernetes.rst).
 */
import { CiliumPolicyError, showValue } from '../core/errors';
import { LabelSelectorModel } from './policy-model';

/** One identity label. */
export interface IdentityLabel {
  /** Source: `k8s`, `reserved`, `cidr`, `fqdn`, `node`, … */
  readonly source: string;
  /** Key without the source. */
  readonly key: string;
  /** Value (`''` for reserved labels). */
  readonly value: string;
}

/**
 * Splits a selector or label key into source and key as Cilium does (pkg/labels `ParseSource`, which `GetExtendedKeyFrom`
 * reads selector keys with and `ParseLabel` labels): everything before the first `:` is the source, whether or not Cilium
 * has such a source (`k8s:app` → (k8s, app), `example.com:role` → (example.com, role): a source no label has), an empty
 * source (`:app`) or none (`app`) is `defaultSource`; without a `:`, `reserved.world` → (reserved, world) and `$host` →
 * (reserved, host) (a leading `$` is the short form of `reserved:`). The one reading of key sources: `labelKeySource`
 * and `labelKeyName` (model/selectors.ts) are this one.
 * @param key the key as written
 * @param defaultSource the source of a key without one (`any` for selectors, `k8s` for pod labels)
 */
export function splitLabelKey(key: string, defaultSource = 'any'): { source: string; key: string } {
  if (key.startsWith('$')) return { source: 'reserved', key: key.slice(1) };
  const i = key.indexOf(':');
  if (i < 0) return key.startsWith('reserved.') ? { source: 'reserved', key: key.slice('reserved.'.length) } : { source: defaultSource, key };
  // An empty source (`:app`) is the default one (`ParseSource` returns "", which a selector reads as `any`).
  return { source: i === 0 ? defaultSource : key.slice(0, i), key: key.slice(i + 1) };
}

/**
 * The labels of a Kubernetes object (a pod template's, from the inventory or manifests) as an endpoint's label record holds
 * them: keys in Cilium's form, which `splitLabelKey` reads. Cilium takes an object's labels as written, of source `k8s`
 * (pkg/labels `Map2Labels(labels, "k8s")`: the source given overrides any the key seems to say), so a valid Kubernetes key
 * `splitLabelKey` would read another source from (`reserved.example.com/tier`, read as `reserved:example.com/tier`) is
 * written `k8s:reserved.example.com/tier`; every other key is kept as it is.
 */
export function k8sObjectLabels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const keys = Object.keys(labels);
  if (keys.every(isPlainK8sKey)) return labels;
  return Object.fromEntries(keys.map((k) => [k8sObjectLabelKey(k), labels[k]]));
}

/** One key of `k8sObjectLabels`: as written when it reads as itself of the `k8s` source, else with `k8s:` written before it. */
export function k8sObjectLabelKey(k: string): string {
  return isPlainK8sKey(k) ? k : `k8s:${k}`;
}

function isPlainK8sKey(k: string): boolean {
  const { source, key } = splitLabelKey(k, 'k8s');
  return source === 'k8s' && key === k;
}

/**
 * Whether a requirement on `source:key` in a host policy's `nodeSelector` reads a label the host endpoint carries as a policy
 * subject: its labels are `reserved:host` and its node's labels of the `k8s` source (pkg/endpoint/endpoint.go
 * `InitWithNodeLabels`: `MergeLabels(labels.LabelHost)` and `labels.Map2Labels(nodeLabels, labels.LabelSourceK8s)`;
 * pkg/endpointmanager/host.go `updateHostEndpointLabels`: `UpdateLabelsFrom(…, labels.LabelSourceK8s)`), which its
 * identity takes as they are (pkg/identity `LookupReservedIdentityByLabels`: `NewIdentity(ReservedIdentityHost, lbls)`), and
 * rules select it by that identity's labels (pkg/policy/rule.go `matches`: `getSelector().Matches(securityIdentity.LabelArray)`).
 * A key without a source is of `any`. A `node:` key (the labels node identities carry as peers, `fromNodes`/`toNodes`),
 * another reserved label (`reserved:remote-node`, and `reserved:kube-apiserver`, which the ipcache gives the host identity
 * as a peer, not the host endpoint's labels) or another source is absent from every host endpoint.
 * @param source the requirement's source (`splitLabelKey`)
 * @param key the requirement's key without its source
 */
export function readsHostEndpointNodeLabels(source: string, key: string): boolean {
  return source === 'k8s' || source === 'any' || (source === 'reserved' && key === 'host');
}

/** A requirement as a message shows it: `key: value` for a `matchLabels` entry, `key Op (a,b)` or `key Op` for an expression; `""` for an empty value. */
export function showRequirement(r: SelectorRequirement, written?: string): string {
  const key = written ?? (r.source === 'any' ? r.key : `${r.source}:${r.key}`);
  const value = (v: string | undefined): string => (v === undefined || v === '' ? '""' : v);
  if (isMatchLabel(r)) return `${key}: ${value(r.values[0])}`;
  return r.operator === 'In' || r.operator === 'NotIn' ? `${key} ${r.operator} (${r.values.map(value).join(',')})` : `${key} ${r.operator}`;
}

/** What the host endpoint as a policy subject carries, for the messages of `hostNodeSelectorProblem`. */
const HOST_ENDPOINT_LABELS = 'a host endpoint, which a nodeSelector selects, carries reserved:host and its node\'s labels of the k8s source only '
  + '(pkg/endpoint InitWithNodeLabels, Map2Labels(…, LabelSourceK8s))';

/**
 * What is wrong with a host policy's `nodeSelector` requirement that reads no label of the host endpoint
 * (`readsHostEndpointNodeLabels`), and how to write it, or `undefined` for one that may hold on some nodes and not on others,
 * or that holds on every node by `reserved:host`: the one wording of the constructs' refusal (`selector-non-identity-label`)
 * and of `validate`'s finding (`pitfall-selector-non-identity-label`). On a label no host endpoint carries, `In`/`Exists` never
 * hold (the host policy is enforced on no node) and `NotIn`/`DoesNotExist` always hold (it applies to nodes the selector
 * meant to leave out); on `reserved:host`, which every host endpoint carries with the value `""`, `DoesNotExist`, `In`
 * without `""` and `NotIn` with it never hold; `host DoesNotExist` without a source finds `reserved:host` too, and never holds. An operator Cilium does not know is left to the schema check.
 * @param r the requirement
 * @param written its key as written (`$host`, `node:role`)
 * @default written - `source:key`, or the key alone for `any`
 * @returns `says`: from `requires …` on, after the field's name; `selectsNoNode`: the requirement never holds
 */
export function hostNodeSelectorProblem(r: SelectorRequirement, written?: string): { says: string; fix: string; selectsNoNode: boolean } | undefined {
  if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(r.operator)) return undefined;
  const onHost = r.source === 'reserved' && r.key === 'host';
  // A key without a source matches a label of that key of any source (pkg/labels LabelArray.Has: `IsAnySource`), so
  // `host DoesNotExist` finds reserved:host on every host endpoint. `In`/`NotIn` read the value of the first such label
  // (LabelArray.Get), a node label `host` where one is set: they may hold on some nodes.
  if (r.source === 'any' && r.key === 'host' && r.operator === 'DoesNotExist') {
    return { says: `requires ${showRequirement(r, written)}, but ${HOST_ENDPOINT_LABELS}: a key without a source matches a label of every source `
      + '(pkg/labels LabelArray.Has), and every host endpoint has reserved:host, so this requirement never holds: the nodeSelector selects no node, '
      + 'so the host policy is enforced on no node',
    fix: 'leave the requirement out; for a node label named host, write k8s:host DoesNotExist', selectsNoNode: true };
  }
  if (readsHostEndpointNodeLabels(r.source, r.key) && !onHost) return undefined;
  const present = r.operator === 'Exists' || (r.operator === 'In' && r.values.includes('')) || (r.operator === 'NotIn' && !r.values.includes(''));
  const holds = onHost ? present : r.operator === 'NotIn' || r.operator === 'DoesNotExist';
  if (onHost && holds) return undefined;
  const effect = holds ? 'always holds: the nodeSelector applies to every node it would select without this requirement (control-plane nodes too)'
    : 'never holds: the nodeSelector selects no node, so the host policy is enforced on no node';
  const shown = showRequirement(r, written);
  const head = `requires ${shown}, but ${HOST_ENDPOINT_LABELS}`;
  if (onHost) {
    return { says: `${head}: every host endpoint has reserved:host, with the value "", so this requirement ${effect}`,
      fix: 'leave the requirement out, or write reserved:host Exists to select every node', selectsNoNode: true };
  }
  if (r.source === 'node') {
    return {
      says: `${head}; node: is the source of the labels node identities carry as peers (read by fromNodes/toNodes, pkg/node nodeIdentityLabels), never of `
        + `the host endpoint's labels as a policy subject, so this requirement ${effect}`,
      fix: `write the key without a source (${r.key}) or with k8s: (k8s:${r.key})`,
      selectsNoNode: !holds,
    };
  }
  if (r.source === 'reserved') {
    return {
      says: `${head}; reserved:${r.key} is on no host endpoint's labels (reserved:remote-node and reserved:kube-apiserver label node identities as peers, `
        + `through the ipcache, not the host endpoint a nodeSelector selects), so this requirement ${effect}`,
      fix: 'select the nodes by a label of their Node object, written without a source or with k8s: (node-role.kubernetes.io/control-plane: "" for the '
        + 'API server\'s nodes), or every node by reserved:host',
      selectsNoNode: !holds,
    };
  }
  return {
    says: `${head}; no label of the ${r.source} source is on any host endpoint, so this requirement ${effect}`,
    fix: 'select the nodes by a label of their Node object, written without a source or with k8s: (kubernetes.io/hostname, '
      + 'node-role.kubernetes.io/control-plane or a label of your own)',
    selectsNoNode: !holds,
  };
}

/** The node labels a kubelet may set on its own Node outside its label domains (k8s.io/kubelet/pkg/apis `kubeletLabels`). */
const KUBELET_LABELS = new Set(['kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region', 'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type', 'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch']);

/** Whether the prefix of a label key is `domain` or one of its subdomains. */
const inDomain = (prefix: string, domain: string): boolean => prefix === domain || prefix.endsWith(`.${domain}`);

/**
 * Whether a node's own kubelet may set the node label `key` on its Node object under the NodeRestriction admission plugin
 * (plugin/pkg/admission/noderestriction `getForbiddenLabels`): every key but those of the `node-restriction.kubernetes.io`
 * domain and those of the `kubernetes.io` and `k8s.io` domains that are not kubelet labels (k8s.io/kubelet/pkg/apis
 * `IsKubeletLabel`: the well-known labels it reports, and the `kubelet.kubernetes.io` and `node.kubernetes.io` domains).
 * A Cilium source (`k8s:`, `node:`) is not part of the Kubernetes key.
 * @param key a node label key, as a selector writes it
 */
export function kubeletMaySetNodeLabel(key: string): boolean {
  const k8sKey = splitLabelKey(key).key;
  const slash = k8sKey.indexOf('/');
  const prefix = slash < 0 ? '' : k8sKey.slice(0, slash);
  if (inDomain(prefix, 'node-restriction.kubernetes.io')) return false;
  if (!inDomain(prefix, 'kubernetes.io') && !inDomain(prefix, 'k8s.io')) return true;
  return KUBELET_LABELS.has(k8sKey) || inDomain(prefix, 'kubelet.kubernetes.io') || inDomain(prefix, 'node.kubernetes.io');
}

/**
 * The label sources a pod's identity may carry: `k8s` (its own labels and its namespace's: pkg/labels `Map2Labels(labels, "k8s")`),
 * `container` and `unspec` (labels of a runtime), and a key written without a source (`any`). No `reserved` label: Cilium
 * gives those only to the identities of entities (`LabelWorld`, `LabelHost`, … in pkg/labels; `reserved:init` is the whole
 * identity of an endpoint before its labels are known, the entity `init`), never beside a pod's `k8s:` labels.
 */
export const POD_LABEL_SOURCES: ReadonlySet<string> = new Set(['any', 'k8s', 'container', 'unspec']);

/**
 * The label sources of identities other than a pod's (pkg/labels `LabelSourceReserved`, `LabelSourceCIDR`,
 * `LabelSourceCIDRGroup`, `LabelSourceFQDN`, `LabelSourceNode`): entities, addresses outside the cluster, and remote nodes.
 * A pod or node endpoint built by hand with such a label would be judged as another identity (`reserved:world` on a pod: as
 * the world), so it is refused (`checkEndpointValues`); a node's own reserved and `node:` labels are `nodeKeySourceProblem`'s.
 */
export const IDENTITY_LABEL_SOURCES: ReadonlySet<string> = new Set(['reserved', 'cidr', 'cidrgroup', 'fqdn', 'node']);

/** The reserved labels a node's identity carries: the local node's `host`, the other nodes' `remote-node`, `kube-apiserver` on API server nodes. */
export const NODE_RESERVED_LABELS: ReadonlySet<string> = new Set(['host', 'remote-node', 'kube-apiserver']);

/**
 * The source of a node selector key when it is one no node identity carries, else `undefined`. A node's identity holds its
 * node labels with the `node` source, the reserved labels `host`/`remote-node`/`kube-apiserver` and, with node labels on,
 * the `k8s:io.cilium.k8s.policy.cluster` label (pkg/node `nodeIdentityLabels`): a `k8s:` key (other than the cluster's),
 * `container:`, `cidr:`, another `reserved:` label (`$world`, `reserved.x`), or a source of its own (`example.com:role`: the
 * agent's `ParseSource` reads everything before the first `:` as the source) selects no node.
 * @param key a node selector key, as written
 */
export function sourceNoNodeCarries(key: string): string | undefined {
  const { source, key: bare } = splitLabelKey(key);
  if (source === 'reserved') return NODE_RESERVED_LABELS.has(bare) ? undefined : source;
  if (source === 'k8s') return bare === 'io.cilium.k8s.policy.cluster' ? undefined : source;
  return source !== 'any' && source !== 'node' ? source : undefined;
}

/**
 * What is wrong with a node selector key of a source no node identity carries (`sourceNoNodeCarries`), and how to write it,
 * or `undefined` for a key nodes may carry: the one wording of the refusals that read node selectors as peers (`fromNodes`/`toNodes`,
 * `controlPlaneNodeLabels`, `node:` endpoints). A host policy's `nodeSelector` reads the host endpoint instead: `hostNodeSelectorProblem`.
 * @param key a node selector key, as written
 */
export function nodeKeySourceProblem(key: string): { says: string; fix: string } | undefined {
  const source = sourceNoNodeCarries(key);
  if (source === undefined) return undefined;
  const bare = splitLabelKey(key).key;
  return {
    says: `${showValue(key)} ${source === 'reserved'
      ? 'is a reserved label no node\'s identity carries (nodes carry reserved:host, reserved:remote-node and, on API server nodes, reserved:kube-apiserver)'
      : `has the label source ${source}, which no node's identity carries (Cilium gives node labels the source node)`}`,
    fix: `write the node label's key without a source (${showValue(bare)}) or with the node source (${showValue(`node:${bare}`)})`,
  };
}

/**
 * Whether a node selector key names a label only the cluster's administrators can give a node: a node label a node's own
 * kubelet may not set (`kubeletMaySetNodeLabel`) or the API server nodes' `reserved:kube-apiserver`. The other reserved
 * labels and the cluster label are carried by every node (or by the local one).
 * @param key a node selector key, as written, of a source nodes carry (`sourceNoNodeCarries`)
 */
export function nodeCannotClaimLabel(key: string): boolean {
  const { source, key: bare } = splitLabelKey(key);
  if (source === 'reserved') return bare === 'kube-apiserver';
  if (source === 'k8s') return false;
  return !kubeletMaySetNodeLabel(key);
}

/**
 * Whether a node selector is met by nodes that label themselves, or by every node: it requires (`matchLabels`, `In`, `Exists`)
 * no label only the cluster's administrators can give a node (`nodeCannotClaimLabel`). A node's own kubelet may set any
 * other node label on its Node object (NodeRestriction, `kubeletMaySetNodeLabel`), and the other reserved labels and the
 * cluster label are carried by every node: a compromised node could meet the selector, or every node does.
 * @param selector a node selector (`fromNodes`/`toNodes`, `controlPlaneNodeLabels` as `matchLabels`), keys as written
 */
export function nodeSelectorClaimable(selector: LabelSelectorModel): boolean {
  const required = [...Object.keys(selector.matchLabels ?? {}),
    ...(selector.matchExpressions ?? []).filter((e) => e.operator === 'In' || e.operator === 'Exists').map((e) => e.key)];
  return !required.some((key) => typeof key === 'string' && nodeCannotClaimLabel(key));
}

const NO_LABELS: readonly IdentityLabel[] = Object.freeze([]);

/**
 * Whether `name` is a cluster name the agent accepts (`cluster-name`, checked at start-up since Cilium 1.15): lower-case
 * letters, digits and `-`, starting and ending alphanumeric, at most 32 characters.
 */
export function isClusterName(name: string): boolean {
  return name.length <= 32 && /^([a-z0-9][-a-z0-9]*)?[a-z0-9]$/.test(name);
}

/**
 * The error for a local cluster name that is not one (`isClusterName`), or `undefined`. An unset CI variable
 * (`--cluster-name "$CLUSTER"`) would make every local pod a pod of cluster "": a deny naming the cluster would no longer
 * match it, and the verdict would read allowed. A value that is not text (`5`, `['east']`, `null` from JavaScript or YAML)
 * is refused too, not read as its `String()`.
 * @param name the name as given (any value: the options are read from JavaScript and YAML)
 * @param what where the name comes from, for the message
 */
export function clusterNameError(name: unknown, what = `cluster name ${JSON.stringify(name) ?? String(name)}`): CiliumPolicyError | undefined {
  if (typeof name === 'string' && isClusterName(name)) return undefined;
  const type = typeof name === 'string' ? '' : ` (${name === null ? 'null' : Array.isArray(name) ? 'a list' : `a ${typeof name}`}, not text)`;
  return new CiliumPolicyError({
    id: 'engine-cluster-name', message: `${what} is not a Cilium cluster name${type}`,
    fix: 'give the agent\'s cluster-name (cluster.name of the Helm values; --cluster-name): lower-case letters, digits and -, at most 32 characters, e.g. default',
  });
}

/** The labels of one identity, indexed by key. Immutable; `id` is canonical (sorted), so equal sets have equal ids. */
export class LabelSet {
  /** A set from labels (later duplicates of the same source:key win). */
  public static of(labels: readonly IdentityLabel[]): LabelSet {
    // Sorted by `source:key` (UTF-16 code units, as the default sort compares), each key built once; of labels with the
    // same `source:key`, the last one.
    const n = labels.length;
    const keys: string[] = new Array<string>(n);
    const order: number[] = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      keys[i] = `${labels[i].source}:${labels[i].key}`;
      order[i] = i;
    }
    order.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
    const sorted: IdentityLabel[] = [];
    for (let i = 0; i < n; i++) {
      if (i + 1 < n && keys[order[i + 1]] === keys[order[i]]) continue;
      sorted.push(labels[order[i]]);
    }
    return new LabelSet(sorted);
  }

  /** `source:key=value` for every label, sorted. */
  public readonly id: string;
  /** The labels by key, built on first lookup (a set made only to find the interned one with its `id` never needs it). */
  private byKeyMap?: Map<string, IdentityLabel[]>;

  private constructor(
    /** The labels, sorted by source and key. */
    public readonly labels: readonly IdentityLabel[],
  ) {
    // Joined once: one flat string (the id is kept as a map key for as long as the identity is).
    const parts = new Array<string>(labels.length);
    for (let i = 0; i < labels.length; i++) parts[i] = formatLabel(labels[i]);
    this.id = parts.join(',');
  }

  private get byKey(): Map<string, IdentityLabel[]> {
    let map = this.byKeyMap;
    if (map === undefined) {
      map = new Map();
      for (const l of this.labels) {
        const list = map.get(l.key);
        if (list) list.push(l);
        else map.set(l.key, [l]);
      }
      this.byKeyMap = map;
    }
    return map;
  }

  /** The labels with `key` whose source fits `source` (`any` fits every source). */
  public lookup(source: string, key: string): readonly IdentityLabel[] {
    const list = this.byKey.get(key);
    if (list === undefined) return NO_LABELS;
    if (source === 'any') return list;
    if (list.length === 1) return list[0].source === source ? list : NO_LABELS;
    return list.filter((l) => l.source === source);
  }

  /** @internal Every label with `key`, whatever its source (do not modify). */
  public _withKey(key: string): readonly IdentityLabel[] {
    return this.byKey.get(key) ?? NO_LABELS;
  }

  /** Whether a label with `key` from `source` exists. */
  public has(source: string, key: string): boolean {
    return this.lookup(source, key).length > 0;
  }

  /** The value of the first label with `key` from `source`. */
  public get(source: string, key: string): string | undefined {
    return this.lookup(source, key)[0]?.value;
  }

  /** `source:key=value` strings, sorted. */
  public toStrings(): string[] {
    return this.labels.map(formatLabel);
  }
}

/** `k8s:app=web`, `reserved:host`. */
export function formatLabel(l: IdentityLabel): string {
  return `${l.source}:${l.key}${l.value === '' && l.source === 'reserved' ? '' : `=${l.value}`}`;
}

/** One requirement of a translated selector. */
export interface SelectorRequirement {
  /** Source of the key (`any` matches every source). */
  readonly source: string;
  /** Key without source. */
  readonly key: string;
  /** `In`, `NotIn`, `Exists`, `DoesNotExist` (anything else never matches). */
  readonly operator: string;
  /** Values of `In`/`NotIn`. */
  readonly values: readonly string[];
}

/**
 * A requirement written as a `matchLabels` entry (by `Selector.from` or `matchLabel`), for `Selector.cacheKey`: told apart
 * by its class (a copy made by a spread is a plain requirement), not by a `WeakSet` entry per requirement, which cost
 * an insertion per label read and weak-collection work in every garbage collection.
 */
class MatchLabelRequirement implements SelectorRequirement {
  public readonly source: string;
  public readonly key: string;
  public readonly operator: string;
  public readonly values: readonly string[];

  constructor(source: string, key: string, value: string) {
    this.source = source;
    this.key = key;
    this.operator = 'In';
    this.values = [value];
  }
}

/** `source:key In (value)`, written as a `matchLabels` entry (as the agent adds the namespace and cluster labels). */
export function matchLabel(source: string, key: string, value: string): SelectorRequirement {
  return new MatchLabelRequirement(source, key, value);
}

/** Whether a requirement was written as a `matchLabels` entry (`matchLabel`, `Selector.from`), not as a match expression. */
export function isMatchLabel(r: SelectorRequirement): boolean {
  return r instanceof MatchLabelRequirement;
}

/** A label selector compiled to requirements, as the agent holds it after translation (namespace, cluster filter). */
export class Selector {
  /** Compiles a model selector (keys may carry a source). `undefined` selects everything. */
  public static from(model: LabelSelectorModel | undefined): Selector {
    const reqs: SelectorRequirement[] = [];
    for (const [k, v] of Object.entries(model?.matchLabels ?? {})) {
      const { source, key } = splitLabelKey(k);
      reqs.push(matchLabel(source, key, v));
    }
    for (const e of model?.matchExpressions ?? []) {
      const { source, key } = splitLabelKey(e.key);
      reqs.push({ source, key, operator: e.operator, values: [...(e.values ?? [])] });
    }
    return new Selector(reqs);
  }

  /** The selector that selects everything. */
  public static all(): Selector {
    return new Selector([]);
  }

  private constructor(
    /** The requirements, all of which must hold. */
    public readonly requirements: readonly SelectorRequirement[],
  ) {}

  /**
   * A copy with more requirements. A list, not rest arguments: a selector's requirements are user-sized (a YAML selector of
   * 200,000 labels), and spreading them into a call's arguments overflowed the call stack (`RangeError`).
   */
  public and(extra: readonly SelectorRequirement[]): Selector {
    return new Selector(this.requirements.concat(extra));
  }

  /** A copy without the requirements on exactly `source:key`. */
  public without(source: string, key: string): Selector {
    return new Selector(this.requirements.filter((r) => !(r.source === source && r.key === key)));
  }

  /** Whether some requirement is on `key` from exactly `source` (Cilium's `HasKey` on `source.key`). */
  public hasKey(source: string, key: string): boolean {
    return this.requirements.some((r) => r.source === source && r.key === key);
  }

  /** Whether some requirement's key from exactly `source` starts with `prefix` (`HasKeyPrefix`). */
  public hasKeyPrefix(source: string, prefix: string): boolean {
    return this.requirements.some((r) => r.source === source && r.key.startsWith(prefix));
  }

  /** Whether some requirement is on a `reserved:` key. */
  public hasReservedKey(): boolean {
    return this.requirements.some((r) => r.source === 'reserved');
  }

  /** Whether the selector selects an identity with these labels. */
  public matches(labels: LabelSet): boolean {
    const reqs = this.requirements;
    for (let i = 0; i < reqs.length; i++) if (!requirementMatches(reqs[i], labels)) return false;
    return true;
  }

  /**
   * The selector as the agent's selector cache tells selectors apart: by their written form (`LabelSelector.String()`),
   * the `matchLabels` entries sorted by key (`k:key=value`), then the `matchExpressions` in written order, values as
   * written (`k:key In (a,b)`, also for one value). Two
   * selectors of the same identities written differently (`matchLabels: {app: web}`, `app In [web]`) are two cached
   * selectors.
   */
  public cacheKey(): string {
    const labels: string[] = [];
    const expressions: string[] = [];
    for (const r of this.requirements) {
      if (isMatchLabel(r)) labels.push(`${r.source}:${r.key}=${r.values[0]}`);
      else expressions.push(r.operator === 'In' || r.operator === 'NotIn' ? `${r.source}:${r.key} ${r.operator} (${r.values.join(',')})` : `${r.source}:${r.key} ${r.operator}`);
    }
    return `{${[...labels.sort(), ...expressions].join(', ')}}`;
  }

  /** `{k8s:app=web, any:tier In (a,b)}`; `{}` for the selector of everything. */
  public toString(): string {
    const parts = this.requirements.map((r) => {
      const k = `${r.source}:${r.key}`;
      switch (r.operator) {
        case 'In':
          return r.values.length === 1 ? `${k}=${r.values[0]}` : `${k} In (${r.values.join(',')})`;
        case 'NotIn':
          return `${k} NotIn (${r.values.join(',')})`;
        default:
          return `${k} ${r.operator}`;
      }
    });
    return `{${parts.join(', ')}}`;
  }
}

function requirementMatches(r: SelectorRequirement, labels: LabelSet): boolean {
  // The labels with the key whose source fits (`lookup`), read in place: this runs for every selector of every verdict.
  const found = labels._withKey(r.key);
  const any = r.source === 'any';
  switch (r.operator) {
    case 'In':
      for (let i = 0; i < found.length; i++) if ((any || found[i].source === r.source) && r.values.includes(found[i].value)) return true;
      return false;
    case 'NotIn':
      for (let i = 0; i < found.length; i++) if ((any || found[i].source === r.source) && r.values.includes(found[i].value)) return false;
      return true;
    case 'Exists':
      for (let i = 0; i < found.length; i++) if (any || found[i].source === r.source) return true;
      return false;
    case 'DoesNotExist':
      for (let i = 0; i < found.length; i++) if (any || found[i].source === r.source) return false;
      return true;
    default:
      return false;
  }
}
