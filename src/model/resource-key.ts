// The object a policy document is on the API server.
import { PolicyDocumentModel } from './policy-model';

/**
 * The object a policy document is on the API server: `kind/namespace/name`, a CNP without a namespace in `default` (as
 * every reader of the input takes it); `undefined` for a document without a name. Two documents with one key are one
 * object: `kubectl apply` keeps the one applied last.
 */
export function resourceKey(model: PolicyDocumentModel): string | undefined {
  const name = model.metadata?.name;
  if (typeof name !== 'string' || name === '') return undefined;
  if (model.kind !== 'CiliumNetworkPolicy') return `${model.kind}//${name}`;
  const namespace = model.metadata?.namespace;
  return `${model.kind}/${typeof namespace === 'string' && namespace !== '' ? namespace : 'default'}/${name}`;
}
