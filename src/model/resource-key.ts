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
  return `${kind}/${typeof namespace === 'string' && namespace !== '' ? namespace : 'default'}/${name}`;
}
