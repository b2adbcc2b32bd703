// A host policy's listener of kind CiliumEnvoyConfig: the agent refuses the policy of every node the rule selects.
import { SectionName } from '../model/policy-model';
import { LISTENER_KIND_FIX, listenerKindError, namespacedListenerName } from '../model/listener-kind';
import { items, PitfallRun, RuleView } from './pitfall-run';
import { arr, isObject } from './walk';

/**
 * An egress `listener` of kind `CiliumEnvoyConfig` in a host policy (`nodeSelector`): the agent looks a listener up in the
 * namespace of the endpoint whose policy it computes, and a node's host endpoint has none, so `createL4Filter` fails on
 * every node the rule selects (`model/listener-kind.ts`): their regeneration fails and they keep the policy they had. For a
 * pod, in a CNP or a CCNP, the listener is in the pod's namespace, which the agent accepts.
 */
export function listenerKindRefused(run: PitfallRun, r: RuleView): void {
  if (!r.host) return;
  for (const { item, index } of items(r.rule, SectionName.EGRESS)) {
    arr<unknown>(item.toPorts).forEach((pr, k) => {
      if (!isObject(pr)) return;
      const name = namespacedListenerName(pr.listener);
      if (name === undefined) return;
      run.report('pitfall-listener-kind-refused', r, `${r.path}.egress[${index}].toPorts[${k}].listener.envoyConfig.kind`,
        `listener ${JSON.stringify(name)} of kind CiliumEnvoyConfig in a host policy: the agent looks a listener up in the namespace of the endpoint `
        + 'whose policy it computes (pkg/policy/repository.go resolvePolicyLocked), and a node\'s host endpoint has none, so pkg/policy/l4.go '
        + `createL4Filter fails with ${listenerKindError(name)} on every node this rule selects: their regeneration fails and they keep the policy they had`,
        LISTENER_KIND_FIX);
    });
  }
}
