// A listener of kind CiliumEnvoyConfig for a subject without a namespace: the agent refuses the policy of every such endpoint the rule selects.
import { SectionName } from '../model/policy-model';
import { LISTENER_KIND_FIX, listenerKindError, namespacedListenerName, unnamespacedEndpointsSelected } from '../model/listener-kind';
import { items, PitfallRun, RuleView } from './pitfall-run';
import { arr, isObject } from './walk';

/**
 * An egress `listener` of kind `CiliumEnvoyConfig` in a rule that selects endpoints without a namespace: a host policy
 * (`nodeSelector`: every node's host endpoint), or an `endpointSelector` that selects a reserved identity without the
 * namespace label (a CCNP's `{}` or `reserved:health`, `reserved:ingress`, `reserved:init`; on 1.14 a CNP of
 * `reserved:init`, which gets no namespace: `unnamespacedEndpointsSelected`). The agent looks a listener up in the namespace
 * of the endpoint whose policy it computes, and such an endpoint has none, so `createL4Filter` fails for it
 * (`model/listener-kind.ts`): its regeneration fails and it keeps the policy it had. For a pod, in a CNP or a CCNP, the
 * listener is in the pod's namespace, which the agent accepts.
 */
export function listenerKindRefused(run: PitfallRun, r: RuleView): void {
  const reserved = r.host || r.subject === undefined ? [] : unnamespacedEndpointsSelected(r.subject);
  if (!r.host && reserved.length === 0) return;
  const where = r.host ? 'in a host policy' : `in a rule whose endpointSelector selects the ${reserved.join(', ')} endpoint${reserved.length === 1 ? '' : 's'}`;
  const who = r.host ? 'a node\'s host endpoint has none' : 'their identities carry no namespace label';
  const which = r.host ? 'every node this rule selects' : `every ${reserved.join(', ')} endpoint`;
  for (const { item, index } of items(r.rule, SectionName.EGRESS)) {
    arr<unknown>(item.toPorts).forEach((pr, k) => {
      if (!isObject(pr)) return;
      const name = namespacedListenerName(pr.listener);
      if (name === undefined) return;
      run.report('pitfall-listener-kind-refused', r, `${r.path}.egress[${index}].toPorts[${k}].listener.envoyConfig.kind`,
        `listener ${JSON.stringify(name)} of kind CiliumEnvoyConfig ${where}: the agent looks a listener up in the namespace of the endpoint `
        + `whose policy it computes (pkg/policy/repository.go resolvePolicyLocked), and ${who}, so pkg/policy/l4.go `
        + `createL4Filter fails with ${listenerKindError(name)} on ${which}: their regeneration fails and they keep the policy they had`,
        r.host ? LISTENER_KIND_FIX : `${LISTENER_KIND_FIX}, or select only pods (add k8s:io.kubernetes.pod.namespace Exists to the endpointSelector)`);
    });
  }
}
