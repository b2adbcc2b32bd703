/**
 * A node given without its labels (`entity:host`, `entity:remote-node`, `entity:kube-apiserver` on a node) where a rule
 * reads them: as the subject of host policies, and as the peer of `fromNodes`/`toNodes`. In Cilium the host endpoint
 * carries `reserved:host` and its node's labels of the `k8s` source, through the identity label filter (pkg/endpoint/endpoint.go
 * `InitWithNodeLabels`, pkg/endpointmanager/host.go `updateHostEndpointLabels`), and a `nodeSelector` selects it by them
 * (pkg/policy/rule.go `matches`); with per-node labels on (`enable-node-selector-labels`), a remote node's identity carries
 * its labels of the `node` source (pkg/node `nodeIdentityLabels`, `PerNodeLabelsEnabled`), and `fromNodes`/`toNodes` select
 * it by them. Where a selector reads such a label (src/model/node-label-reads.ts), whether it applies depends on the node,
 * which such an endpoint does not say: its verdict would be that of a node without labels, a claim about no node in particular.
 */
import { CiliumVersion } from '../core/cilium-version';
import { AbsentNodeLabels, nodeSelectorReadsNodeLabels, peerSelectorReadsNodeLabels } from '../model/node-label-reads';
import { Selector, splitLabelKey } from '../model/labels';
import { objectName } from '../model/object-names';
import { CLUSTER_KEY } from '../model/selectors';
import { CompiledItem, CompiledRule } from './compile';
import { DirectionPolicy } from './direction-policy';
import { Endpoint, EndpointKind } from './endpoint';
import { PeerView, ResolvedEndpoint } from './identity';
import { PolicyEnforcement } from './policy-set-options';

/**
 * Whether `ep`, where it stands for a node, is given without that node's labels: an entity (`entity:host`,
 * `entity:remote-node`, `entity:kube-apiserver`), or a `node:` endpoint whose labels are all of the source `reserved` (or the
 * cluster label) or
 * none (`node:reserved:kube-apiserver`, `node:@10.0.0.1`), which says no more of the node than the entity does. Before, such a
 * `node:` endpoint was judged as a node with no labels: a worker-only host rule (`DoesNotExist` control-plane) applied.
 */
export function givenWithoutNodeLabels(ep: Endpoint): boolean {
  if (ep.kind === EndpointKind.ENTITY) return true;
  return ep.kind === EndpointKind.NODE && Object.keys(ep.labels ?? {}).every((k) => !isOwnNodeLabelKey(k));
}

/**
 * Whether a label key of a `node:` endpoint is one of the node's own labels: not a reserved label, and not the cluster
 * label, which every node's identity carries (pkg/node `nodeIdentityLabels`; `readsPeerNodeLabel` leaves it out too).
 */
function isOwnNodeLabelKey(key: string): boolean {
  const { source, key: name } = splitLabelKey(key);
  return source !== 'reserved' && name !== CLUSTER_KEY;
}

/**
 * The imported host rules that give `subject` policy in `direction` (a section of that direction, or its default deny) and
 * whose `nodeSelector` selects nodes by their labels, when `subject` is a host endpoint given without them
 * (`givenWithoutNodeLabels`); empty otherwise (a `node:` endpoint with its labels; a pod is no host endpoint), and empty
 * under `PolicyEnforcement.NEVER`: there no rule gives any endpoint policy (pkg/policy/repository.go
 * `computePolicyEnforcementAndRules` returns before matching a rule), so whichever select the node, its verdict is the same.
 * With `absent` (the keys of the labels the node is known not to carry), only the rules that read another label.
 */
export function nodeLabelRules(rules: readonly CompiledRule[], subject: ResolvedEndpoint, direction: 'ingress' | 'egress',
  version: CiliumVersion, enforcement: PolicyEnforcement, absent?: AbsentNodeLabels): CompiledRule[] {
  if (enforcement === PolicyEnforcement.NEVER || !givenWithoutNodeLabels(subject.endpoint) || subject.subject !== 'node') return [];
  return rules.filter((r) => r.subjectKind === 'node' && r.imported && (r.present[direction] || r.defaultDeny[direction])
    && nodeSelectorReadsNodeLabels(r.subject, version, absent));
}

/** The endpoint's words: which node's host endpoint or identity it stands for. */
function whichNode(ep: Endpoint, role: 'subject' | 'peer'): string {
  const entity = ep.entity;
  if (entity === 'kube-apiserver') return role === 'subject' ? 'the host endpoint of the node the API server runs on' : 'the identity of a node the API server runs on';
  if (entity === 'remote-node') return role === 'subject' ? 'the host endpoint of another node' : 'the identity of another node';
  if (ep.kind === EndpointKind.NODE) return role === 'subject' ? 'a node\'s host endpoint' : 'the identity of a node';
  return role === 'subject' ? 'a node\'s host endpoint' : 'the identity of the local node';
}

/** The first three of `named`, and how many more. */
function listed(named: readonly string[]): string {
  return `${named.slice(0, 3).join(', ')}${named.length > 3 ? ` and ${named.length - 3} more` : ''}`;
}

/**
 * Why no verdict on `subject` in `direction` holds for every node, given the rules of `nodeLabelRules` (not empty): one
 * sentence without a fix (`NODE_LABELS_FIX`); with `alike`, why this side's verdict holds on every node all the same
 * (`decidesAlikeOnEveryNode`).
 */
export function nodeLabelsUnknownText(rules: readonly CompiledRule[], subject: ResolvedEndpoint, direction: 'ingress' | 'egress', alike: boolean): string {
  const named = rules.map((r) => `${objectName(r.policy)} ${r.rulePath} (nodeSelector ${r.subject.toString()})`);
  return `${subject.text} as the subject of ${direction} host policy is ${whichNode(subject.endpoint, 'subject')}, given without the node's labels, and whether `
    + `${rules.length === 1 ? 'the host rule' : 'the host rules'} ${listed(named)} select${rules.length === 1 ? 's' : ''} it depends on them `
    + '(a host endpoint carries reserved:host and its node\'s labels, pkg/endpoint InitWithNodeLabels): '
    + (alike ? `the node's labels are unknown and do not change this verdict: with ${rules.length === 1 ? 'it' : 'each'} selecting the node or not, `
      + `this side decides the same, so it holds on every node`
      : 'on a node selected its rules apply, on another they do not, so no one verdict holds for every node');
}

/**
 * The items of `dp` (the policy of the other end in one direction) whose peer selectors select `peer` on some nodes and not on
 * others by the node's own labels (`peerSelectorReadsNodeLabels`), when `other` is a node given without its labels (an
 * entity: `entity:remote-node`, `entity:kube-apiserver` on a node, `entity:host`, or a `node:` endpoint without them:
 * `givenWithoutNodeLabels`) and nodes carry their labels in their identity (`nodeSelectorLabels`); empty otherwise (a
 * `node:` endpoint with its labels). With `absent` (the keys of the labels the node is known not to carry), only the items
 * that read another label.
 */
export function peerNodeLabelItems(dp: DirectionPolicy | undefined, other: ResolvedEndpoint, peer: PeerView,
  nodeSelectorLabels: boolean, absent?: AbsentNodeLabels): CompiledItem[] {
  if (dp === undefined || !nodeSelectorLabels || !givenWithoutNodeLabels(other.endpoint) || !peer.node) return [];
  const reads = (item: CompiledItem): boolean => (item.peer.kind === 'nodes' || item.peer.kind === 'endpoints')
    && item.peer.selectors.some((s) => itemSelectorReadsNodeLabels(dp, item, s, peer, absent));
  return [...dp.deny.filter(reads), ...dp.allow.filter(reads)];
}

/**
 * Whether one peer selector of `item` (a `fromNodes`/`toNodes` or endpoint item of `dp`) selects the node `peer`, given
 * without its own labels, on some nodes and not on others (`peerSelectorReadsNodeLabels`): for an endpoint item, with the
 * `fromRequires`/`toRequires` of `dp` AND'ed on, as the decision reads it. The one test of `peerNodeLabelItems` and of the
 * node-label combinations (`node-label-combinations.ts`). `absent`: the keys of the labels the node is known not to carry.
 */
export function itemSelectorReadsNodeLabels(dp: DirectionPolicy, item: CompiledItem, selector: Selector, peer: PeerView,
  absent?: AbsentNodeLabels): boolean {
  const extra = item.peer.kind === 'endpoints' ? (item.deny ? dp.requirementsDeny : dp.requirements) : [];
  return peerSelectorReadsNodeLabels(extra.length === 0 ? selector : selector.and(extra), peer.labels, absent);
}

/**
 * Why no verdict on the connection holds for every node, given the items of `peerNodeLabelItems` (not empty) of the
 * `direction` policy of `subject`: one sentence without a fix (`NODE_LABELS_FIX`); with `alike`, why this side's verdict
 * holds on every node all the same (`decidesAlikeOnEveryNode`).
 */
export function peerNodeLabelsUnknownText(items: readonly CompiledItem[], subject: ResolvedEndpoint, other: ResolvedEndpoint,
  direction: 'ingress' | 'egress', alike: boolean): string {
  const named = items.map((i) => `${objectName(i.rule.policy)} ${i.path}${i.peerField !== undefined ? ` (${i.peerField})` : ''}`);
  return `${other.text} as a peer of the ${direction} policy of ${subject.text} is ${whichNode(other.endpoint, 'peer')}, given without the node's `
    + `labels, and whether ${items.length === 1 ? 'the rule item' : 'the rule items'} ${listed(named)} select${items.length === 1 ? 's' : ''} it depends on `
    + 'them (with per-node labels on, enable-node-selector-labels, a node\'s identity carries its labels, pkg/node nodeIdentityLabels): '
    + (alike ? `the node's labels are unknown and do not change this verdict: with ${items.length === 1 ? 'it' : 'each'} selecting the node or not, `
      + 'this side decides the same, so it holds on every node'
      : 'on a node selected they apply, on another they do not, so no one verdict holds for every node');
}

/** The fix of `nodeLabelsUnknownText` and `peerNodeLabelsUnknownText`: name the node by its labels. */
export const NODE_LABELS_FIX = 'give the node by its labels instead, node:kubernetes.io/hostname=<node>,<label>=<value>,... '
  + '(node:kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane= for a control-plane node)';

/**
 * The fix of those texts for an end that is the API server's node (`entity:kube-apiserver`): the node by its labels, with
 * `reserved:kube-apiserver` among them, which keeps its identity that of a node running the API server (a `node:`
 * endpoint without it is a node like any other: a pod's egress to the `kube-apiserver` entity does not reach it).
 */
export const API_SERVER_NODE_LABELS_FIX = 'give the node by its labels instead, with reserved:kube-apiserver among them (a node that runs the API server), '
  + 'node:reserved:kube-apiserver,kubernetes.io/hostname=<node>,<label>=<value>,... '
  + '(node:reserved:kube-apiserver,kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane= for a control-plane node)';

/** The fix for a node given without its labels as `entity`: `API_SERVER_NODE_LABELS_FIX` for the API server's node, else `NODE_LABELS_FIX`. */
export function nodeLabelsFix(entity: string | undefined): string {
  return entity === 'kube-apiserver' ? API_SERVER_NODE_LABELS_FIX : NODE_LABELS_FIX;
}
