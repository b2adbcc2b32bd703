/**
 * A port rule's `listener` of kind `CiliumEnvoyConfig`, which the agent refuses for a subject without a namespace. The agent
 * resolves a listener in the namespace of the endpoint whose policy it computes, not the policy's (pkg/policy/repository.go
 * `resolvePolicyLocked`: `policyContext.ns` is the subject identity's `k8s:io.kubernetes.pod.namespace` label), and
 * pkg/policy/l4.go `createL4Filter` (1.14 to 1.19) fails with "Listener %q in CCNP can not use Kind CiliumEnvoyConfig" when
 * that namespace is "": for a node's host endpoint (a host policy), and for an endpoint of a reserved identity without a
 * namespace (`reserved:health`, `reserved:ingress`, `reserved:init`) that a CCNP's `endpointSelector` (`{}`, a `reserved:`
 * key) or, on 1.14, a CNP of `reserved:init` selects, its regeneration fails and it keeps the policy it had.
 * The one test of the engine (`parser-conflicts.ts` `listenerKindRefusals`) and of `validate` (`pitfall-listener-kind-refused`).
 */
import { LabelSet, Selector } from './labels';

/**
 * The identities of Cilium endpoints without a namespace label (pkg/identity's reserved identities 4, 8 and 5: the health,
 * ingress and init endpoints), each labelled with its reserved label alone, as the engine resolves `entity:health`,
 * `entity:ingress` and `entity:init`.
 */
const UNNAMESPACED_ENDPOINTS: readonly (readonly [string, LabelSet])[] = ['health', 'ingress', 'init']
  .map((name) => [`reserved:${name}`, LabelSet.of([{ source: 'reserved', key: name, value: '' }])] as const);

/**
 * The reserved labels of the endpoints without a namespace (`UNNAMESPACED_ENDPOINTS`) that an `endpointSelector`, as the
 * agent holds it (a CNP's with its namespace, but on 1.14 not when it selects `reserved:init`), selects; empty for one
 * that requires a namespace, or a pod label.
 * @param subject the rule's endpointSelector, translated (`importSubjectSelector`)
 */
export function unnamespacedEndpointsSelected(subject: Selector): string[] {
  return UNNAMESPACED_ENDPOINTS.filter(([, labels]) => subject.matches(labels)).map(([name]) => name);
}

/**
 * The listener's name when its `envoyConfig.kind` is `CiliumEnvoyConfig` (`""` for a listener without a name), else
 * `undefined` (another kind, no kind, or no listener).
 * @param listener a port rule's `listener`, as written
 */
export function namespacedListenerName(listener: unknown): string | undefined {
  if (typeof listener !== 'object' || listener === null) return undefined;
  const l = listener as Record<string, unknown>;
  const config = l.envoyConfig;
  const kind = typeof config === 'object' && config !== null ? (config as Record<string, unknown>).kind : undefined;
  if (kind !== 'CiliumEnvoyConfig') return undefined;
  return typeof l.name === 'string' ? l.name : '';
}

/** What `createL4Filter` answers for the listener `name` of kind CiliumEnvoyConfig and a subject without a namespace. */
export function listenerKindError(name: string): string {
  return `Listener ${JSON.stringify(name)} in CCNP can not use Kind CiliumEnvoyConfig`;
}

/** How to end the refusal. */
export const LISTENER_KIND_FIX = 'put the listener in a CiliumClusterwideEnvoyConfig and write envoyConfig.kind: CiliumClusterwideEnvoyConfig '
  + '(or leave the kind out)';
