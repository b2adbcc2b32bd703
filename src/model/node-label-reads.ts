/**
 * Whether a selector's answer on a node depends on the node's labels: the one test of the engine's refusal to judge a node
 * given without its labels (`entity:host`, `entity:remote-node`, `entity:kube-apiserver`), as the subject of host policy
 * (a `nodeSelector`) and as the peer of `fromNodes`/`toNodes`. Each side reads the labels a node's identity carries there,
 * after the filter Cilium applies on that side: the host endpoint's node labels pass the identity label filter
 * (pkg/endpoint `InitWithNodeLabels`: `labelsfilter.Filter(Map2Labels(nodeLabels, LabelSourceK8s))`), so a requirement on a
 * key it drops (`kubernetes.io/hostname`, every version) reads no label; a remote node's labels, with per-node labels on
 * (`enable-node-selector-labels`, pkg/node `nodeIdentityLabels`: `PerNodeLabelsEnabled`), are of the `node` source and pass
 * the node label filter (`FilterNodeLabels`, which keeps every label by default).
 */
import { CiliumVersion } from '../core/cilium-version';
import { selectorOnIdentities } from './identity-labels';
import { LabelSet, NODE_RESERVED_LABELS, Selector, SelectorRequirement, hostNodeSelectorProblem, readsHostEndpointNodeLabels } from './labels';
import { CLUSTER_KEY } from './selectors';

const OPERATORS: readonly string[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * The keys of the labels a node is known not to carry (bare keys, without a source: a node label `role` is `k8s:role` on
 * its host endpoint and `node:role` in its identity): the class of the other nodes of a connectivity diff or report, which
 * stands for the nodes with none of the labels its node selectors read. A requirement on such a key is settled on the node
 * (`In` and `Exists` fail, `NotIn` and `DoesNotExist` hold), so it reads no unknown label.
 */
export type AbsentNodeLabels = ReadonlySet<string>;

/** Whether a requirement holds on a node without its key (`NotIn`, `DoesNotExist`), as a selector reads a missing label. */
function holdsWithoutKey(q: SelectorRequirement): boolean {
  return q.operator === 'NotIn' || q.operator === 'DoesNotExist';
}

/**
 * Whether a host policy's `nodeSelector` selects some host endpoints and not others by their node's labels: as it reads the
 * host endpoint's identity (`selectorOnIdentities`: a requirement on a key the identity label filter drops is settled, `In`
 * and `Exists` never hold there and `NotIn`/`DoesNotExist` always do), one of its requirements reads a label of the `k8s`
 * source (written with `k8s:` or without a source), which a host endpoint carries from its Node object, and none never
 * holds there (`hostNodeSelectorProblem`). `host Exists` and `host In ("")` without a source hold on every host endpoint
 * by `reserved:host`. Then which nodes it selects is a question of their labels: a host endpoint given without them
 * (`entity:host`) is not judged by it. `kubernetes.io/hostname: n1` selects no node (the filter's `!kubernetes\.io` drops
 * the key), so it reads no label.
 * With `absent`, the node is known to carry none of those labels: a requirement on one is settled (one that fails there
 * settles the selector: it selects no such node), and only the others are read.
 * @param selector the nodeSelector, as the agent holds it
 * @param version the Cilium version, whose default label filter the host endpoint's labels pass
 * @param absent the keys of the labels the node is known not to carry (none when omitted)
 */
export function nodeSelectorReadsNodeLabels(selector: Selector, version: CiliumVersion, absent?: AbsentNodeLabels): boolean {
  if (selector.requirements.some((q) => hostNodeSelectorProblem(q)?.selectsNoNode === true)) return false;
  const read = selectorOnIdentities(selector, version);
  if (read === undefined) return false;
  // A node's own label: of the host endpoint's labels (`readsHostEndpointNodeLabels`), not `reserved:host`.
  const own = read.requirements.filter((q) => readsHostEndpointNodeLabels(q.source, q.key) && q.source !== 'reserved' && OPERATORS.includes(q.operator)
    && !(q.source === 'any' && q.key === 'host' && (q.operator === 'Exists' || (q.operator === 'In' && q.values.includes('')))));
  if (absent === undefined) return own.length > 0;
  if (own.some((q) => absent.has(q.key) && !holdsWithoutKey(q))) return false;
  return own.some((q) => !absent.has(q.key));
}

/**
 * Whether a requirement reads a remote node's own labels as a peer of `fromNodes`/`toNodes` (`node:` keys, or keys without a
 * source that no reserved or cluster label has): the labels its identity carries of the `node` source (pkg/node
 * `nodeIdentityLabels`), where a `k8s:` key other than the cluster's finds none. The peer's counterpart of
 * `readsHostEndpointNodeLabels` (labels.ts), which tells what a host policy's `nodeSelector` reads.
 * @param q the requirement, as the agent holds it
 */
export function readsPeerNodeLabel(q: SelectorRequirement): boolean {
  if (!OPERATORS.includes(q.operator)) return false;
  return q.source === 'node' || (q.source === 'any' && !NODE_RESERVED_LABELS.has(q.key) && q.key !== CLUSTER_KEY);
}

/**
 * Whether a peer selector (`fromNodes`/`toNodes` as the agent holds it: `reserved:remote-node Exists` and the cluster
 * filter added; or a from/toEndpoints selector taken as written) selects a node peer given without its labels (`peer`:
 * its identity's reserved and cluster labels) on some nodes and not on others: it has a requirement on the node's own
 * labels (`readsPeerNodeLabel`), and its other requirements hold on `peer`. Only with per-node labels on: without them a
 * node's identity carries no labels of its own, the same on every node.
 * With `absent`, the node is known to carry none of those labels: a requirement on one is read as on `peer`, which has none.
 * @param selector the peer selector, as the agent holds it
 * @param peer the labels of the node peer given without its own (`entity:remote-node`: `reserved:remote-node` and the cluster label)
 * @param absent the keys of the labels the node is known not to carry (none when omitted)
 */
export function peerSelectorReadsNodeLabels(selector: Selector, peer: LabelSet, absent?: AbsentNodeLabels): boolean {
  const unknown = (q: SelectorRequirement): boolean => readsPeerNodeLabel(q) && absent?.has(q.key) !== true;
  const reads = selector.requirements.filter(unknown);
  if (reads.length === 0) return false;
  return Selector.all().and(selector.requirements.filter((q) => !unknown(q))).matches(peer);
}
