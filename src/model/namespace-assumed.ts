/**
 * A CiliumNetworkPolicy or NetworkPolicy without `metadata.namespace` (or with `""`): the engine and `validate` judge it
 * in `default` (`objectNamespace`), but the API server stores it in the namespace of the request, which kubectl takes from
 * `-n` or its context, and kustomize and Helm from theirs (kubernetes/apiserver pkg/registry/rest/create.go
 * `EnsureObjectNamespaceMatchesRequestNamespace`). One wording for the engine's `engine-namespace-assumed` and
 * `validate`'s `pitfall-namespace-assumed`; the name and place are said, never a guess of the namespace meant.
 * @internal
 */
import { nameMissing } from './object-names';

/**
 * Whether an object of `kind` with this `metadata` is judged in an assumed namespace (`default`): no `metadata.namespace`
 * (or `""`), and a name (`nameMissing`: one without is no object of the cluster, skipped, in no namespace at all).
 */
export function namespaceAssumed(kind: string, metadata: unknown): boolean {
  if (kind === 'CiliumClusterwideNetworkPolicy' || nameMissing(metadata)) return false;
  const namespace = (metadata as { namespace?: unknown }).namespace;
  return namespace === undefined || namespace === null || namespace === '';
}

/**
 * What is assumed and why it matters (no leading capital, no final stop): `judged in namespace default; kubectl applies
 * it to …: the verdicts hold only if that is default`.
 * @param what what holds only in `default`: `the verdicts` (engine), `its findings` (validate)
 */
export function namespaceAssumedText(what: string): string {
  return 'judged in namespace default; kubectl applies it to the namespace of -n or of its context (kubectl config view --minify), '
    + `kustomize and Helm to theirs: ${what} hold only if that is default`;
}

/** The fix of an assumed namespace. */
export const NAMESPACE_ASSUMED_FIX = 'write metadata.namespace: <the namespace it is applied to>';
