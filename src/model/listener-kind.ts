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
import { CiliumVersion } from '../core/cilium-version';
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

/**
 * Whether the target version's CRD has `listener.priority`: from 1.16 (cilium/cilium#28555 added it to the API and the
 * CRD); the 1.14/1.15 CRDs' structural schema has no such field, so the API server prunes it before the agent sees the
 * policy. The one test of `resolvedListener` and of the engine's compiled port rules (`prunedListener`).
 */
export function listenerPriorityExists(version: CiliumVersion): boolean {
  return version.atLeast(LISTENER_PRIORITY_SINCE);
}

/** The first version whose CRD has `listener.priority` (cilium/cilium#28555): the one fact `validate`'s `LISTENER_FIELDS` reads too. */
export const LISTENER_PRIORITY_SINCE = CiliumVersion.V1_16;

/**
 * A port rule's `listener` as the API server of the target version stores it: without `priority` up to 1.15
 * (`listenerPriorityExists`), as written otherwise (and when it is no object).
 */
export function prunedListener(listener: unknown, version: CiliumVersion): unknown {
  if (listenerPriorityExists(version) || typeof listener !== 'object' || listener === null || !('priority' in listener)) return listener;
  const { priority: _pruned, ...rest } = listener as Record<string, unknown>;
  return rest;
}

/** An Envoy listener reference as the agent qualifies it for one subject (`resolvedListener`). */
export interface ResolvedListener {
  /** The kind of its Envoy config: as written, else `CiliumEnvoyConfig` for a subject with a namespace, `CiliumClusterwideEnvoyConfig` for one without. */
  readonly kind: string;
  /** The namespace of its Envoy config: the subject's, `''` for a cluster-wide one (or a subject without a namespace). */
  readonly namespace: string;
  /** The name of its Envoy config (`envoyConfig.name`). */
  readonly config: string;
  /** The listener's name. */
  readonly name: string;
  /**
   * Its `priority` as the agent reads it: as written when a number other than 0, from Cilium 1.16 (the 1.14/1.15 CRDs have no
   * `priority`, and the API server prunes it); `undefined` for none (0 keeps the default).
   */
  readonly priority?: number;
}

/**
 * A port rule's `listener` as the agent qualifies it for a subject (pkg/policy/l4.go `createL4Filter`, 1.14-1.19): in the
 * subject's namespace (`policyCtx.GetNamespace()`, the subject identity's namespace label, pkg/policy/repository.go
 * `resolvePolicyLocked`) unless the kind is `CiliumClusterwideEnvoyConfig`, and `api.ResourceQualifiedName(ns, name,
 * listener)` names it. The kind only chooses the namespace: without one (the `default:` branch), a listener is in a
 * CiliumEnvoyConfig of the subject's namespace, and for a subject without one (a node) in a CiliumClusterwideEnvoyConfig.
 * `CiliumEnvoyConfig` for a subject without a namespace is refused (`listenerKindError`). The one reading of a listener
 * reference, for the engine's restriction (`evaluate.ts` `listenerOf`) and the listener merge (`model/selector-policy-merge.ts`).
 * The `priority` is read from 1.16 only (`listenerPriorityExists`: older API servers prune it).
 * @param listener a port rule's `listener`, as written (`undefined` for none)
 * @param subjectNamespace the subject's namespace, `''` for none
 * @param version the target version, whose CRD may prune `priority`
 */
export function resolvedListener(listener: unknown, subjectNamespace: string, version: CiliumVersion): ResolvedListener | undefined {
  if (listener === undefined) return undefined;
  const l = typeof listener === 'object' && listener !== null ? listener as Record<string, unknown> : {};
  const config = typeof l.envoyConfig === 'object' && l.envoyConfig !== null ? l.envoyConfig as Record<string, unknown> : {};
  const written = typeof config.kind === 'string' ? config.kind : undefined;
  const kind = written !== undefined && written !== '' ? written : subjectNamespace !== '' ? 'CiliumEnvoyConfig' : 'CiliumClusterwideEnvoyConfig';
  return {
    kind,
    namespace: written === 'CiliumClusterwideEnvoyConfig' ? '' : subjectNamespace,
    config: typeof config.name === 'string' ? config.name : '',
    name: typeof l.name === 'string' ? l.name : '',
    ...(typeof l.priority === 'number' && l.priority !== 0 && listenerPriorityExists(version) ? { priority: l.priority } : {}),
  };
}
