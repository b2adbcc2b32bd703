/**
 * A host endpoint given without its node's labels (`entity:host`, `entity:remote-node`, `entity:kube-apiserver` on a node)
 * as the subject of host policies. In Cilium the host endpoint carries `reserved:host` and its node's labels of the `k8s`
 * source (pkg/endpoint/endpoint.go `InitWithNodeLabels`, pkg/endpointmanager/host.go `updateHostEndpointLabels`), and a
 * `nodeSelector` selects it by them (pkg/policy/rule.go `matches`). Where a host rule's `nodeSelector` reads a node label
 * (`nodeSelectorReadsNodeLabels`), whether it applies depends on the node, which such an endpoint does not say: its verdict
 * would be that of a node without labels, a claim about no node in particular.
 */
import { nodeSelectorReadsNodeLabels } from '../model/labels';
import { objectName } from '../model/object-names';
import { CompiledRule } from './compile';
import { EndpointKind } from './endpoint';
import { ResolvedEndpoint } from './identity';

/**
 * The imported host rules that give `subject` policy in `direction` (a section of that direction, or its default deny) and
 * whose `nodeSelector` selects nodes by their labels, when `subject` is a host endpoint given without them (an entity);
 * empty otherwise (a `node:` endpoint has its labels; a pod is no host endpoint).
 */
export function nodeLabelRules(rules: readonly CompiledRule[], subject: ResolvedEndpoint, direction: 'ingress' | 'egress'): CompiledRule[] {
  if (subject.endpoint.kind !== EndpointKind.ENTITY || subject.subject !== 'node') return [];
  return rules.filter((r) => r.subjectKind === 'node' && r.imported && (r.present[direction] || r.defaultDeny[direction])
    && nodeSelectorReadsNodeLabels(r.subject));
}

/**
 * Why no verdict on `subject` in `direction` holds for every node, given the rules of `nodeLabelRules` (not empty): one
 * sentence without a fix (`NODE_LABELS_FIX`).
 */
export function nodeLabelsUnknownText(rules: readonly CompiledRule[], subject: ResolvedEndpoint, direction: 'ingress' | 'egress'): string {
  const named = rules.slice(0, 3).map((r) => `${objectName(r.policy)} ${r.rulePath} (nodeSelector ${r.subject.toString()})`);
  const more = rules.length > 3 ? ` and ${rules.length - 3} more` : '';
  const which = subject.endpoint.entity === 'kube-apiserver' ? 'the host endpoint of the node the API server runs on'
    : subject.endpoint.entity === 'remote-node' ? 'the host endpoint of another node' : 'a node\'s host endpoint';
  return `${subject.text} as the subject of ${direction} host policy is ${which}, given without the node's labels, and whether `
    + `${rules.length === 1 ? 'the host rule' : 'the host rules'} ${named.join(', ')}${more} select${rules.length === 1 ? 's' : ''} it depends on them `
    + '(a host endpoint carries reserved:host and its node\'s labels, pkg/endpoint InitWithNodeLabels): on a node selected its rules apply, on '
    + 'another they do not, so no one verdict holds for every node';
}

/** The fix of `nodeLabelsUnknownText`: name the node by its labels. */
export const NODE_LABELS_FIX = 'give the node by its labels instead, node:kubernetes.io/hostname=<node>,<label>=<value>,... '
  + '(node:kubernetes.io/hostname=n1,node-role.kubernetes.io/control-plane= for a control-plane node)';
