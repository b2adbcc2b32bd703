// The object a policy document is on the API server.
import { PolicyDocumentModel } from './policy-model';

/**
 * The object a policy document is on the API server: `kind/namespace/name`, a CNP without a namespace in `default` (as
 * every reader of the input takes it); `undefined` for a document without a name. Two documents with one key are one
 * object: `kubectl apply` keeps the one applied last.
 */
export function resourceKey(model: PolicyDocumentModel): string | undefined {
  return objectKey(model.kind, model.kind === 'CiliumNetworkPolicy', model.metadata?.namespace, model.metadata?.name);
}

/**
 * The key of any object: `kind/namespace/name`, a namespaced object without a namespace in `default`; `undefined` without
 * a name.
 */
export function objectKey(kind: string, namespaced: boolean, namespace: unknown, name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return undefined;
  if (!namespaced) return `${kind}//${name}`;
  return `${kind}/${objectNamespace(namespace)}/${name}`;
}

/**
 * The namespace of a namespaced object from its `metadata.namespace`: a non-empty string as written; omitted, `""` or no
 * string is `default`. The API server gives an object whose namespace is `""` (`metav1.NamespaceNone`) the request's
 * (kubernetes/apiserver `pkg/registry/rest/create.go`, `EnsureObjectNamespaceMatchesRequestNamespace`), as it does an
 * omitted one, and `kubectl apply` without `-n` asks for `default`. The one reading of every reader (CNP, NetworkPolicy,
 * keys, `validate`).
 */
export function objectNamespace(namespace: unknown): string {
  return typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
}
