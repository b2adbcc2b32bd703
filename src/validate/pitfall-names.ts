// Pitfalls of names: two documents of the input that are one resource on the API server; a namespace the API server drops;
// a namespace the input leaves to kubectl.
import { NAMESPACE_ASSUMED_FIX, namespaceAssumed, namespaceAssumedText } from '../model/namespace-assumed';
import { objectKey, resourceKey } from '../model/resource-key';
import { PitfallRun, where } from './pitfall-run';
import { show } from './walk';

/**
 * `pitfall-ccnp-metadata-namespace`: a CiliumClusterwideNetworkPolicy with `metadata.namespace`. The API server clears
 * the namespace of a cluster-scoped object without a word (`rest.EnsureObjectNamespaceMatchesRequestNamespace`: "cluster-
 * scoped, clear namespace"; kubectl sends no namespace for a cluster-scoped kind, and a value of the wrong type is dropped
 * as malformed metadata), so the policy is not confined to that namespace: it applies to what its selector selects in
 * every namespace. Nothing of this tool reads the namespace either (the engine, the duplicate check and the version
 * annotation key a CCNP by its name alone).
 */
export function ccnpMetadataNamespace(run: PitfallRun): void {
  run.documents.forEach(({ model }, doc) => {
    if (model.kind !== 'CiliumClusterwideNetworkPolicy') return;
    const ns = (model.metadata as { namespace?: unknown } | undefined)?.namespace;
    if (ns === undefined || ns === null || ns === '') return;
    const shown = show(ns);
    run.reportDocument('pitfall-ccnp-metadata-namespace', doc, 'metadata.namespace',
      `metadata.namespace ${shown} of the CiliumClusterwideNetworkPolicy "${String(model.metadata?.name ?? '')}" is dropped: the API server `
        + `clears the namespace of a cluster-scoped object, so the policy applies to the endpoints its selector selects in every namespace, not in ${shown} alone`,
      typeof ns === 'string'
        ? `remove metadata.namespace; to confine the policy to ${shown}, add k8s:io.kubernetes.pod.namespace: ${shown} to its endpointSelector, or make it a CiliumNetworkPolicy in ${shown}`
        : 'remove metadata.namespace: a cluster-scoped object has none');
  });
}

/**
 * `pitfall-policy-name-duplicate`: documents of the set with the same kind, namespace and name. On the API server they
 * are one object: `kubectl apply` keeps whichever it applies last (file order decides), and what the other allows or
 * denies silently does not exist; GitOps tools refuse the set (kustomize: "may not add resource with an already
 * registered id"; Argo CD reports the resource as repeated). Each document is reported, naming the first other one; the
 * same for Kubernetes NetworkPolicies of the input.
 */
export function duplicateNames(run: PitfallRun): void {
  const policies = run.documents.map((d, doc) => ({ doc, key: resourceKey(d.model) }));
  for (const [p, other] of sameObjects(policies)) {
    const { model } = run.documents[p.doc];
    const namespace = model.kind === 'CiliumNetworkPolicy' ? ` in namespace ${model.metadata?.namespace || 'default'}` : '';
    run.reportDocument('pitfall-policy-name-duplicate', p.doc, 'metadata.name', message(`${model.kind} named "${model.metadata?.name ?? ''}"${namespace}`, run.documents[other.doc].where),
      'give one of them another metadata.name, or merge their rules into one policy (`specs` holds several rules)');
  }
  const nps = run.inventory.networkPolicies.map((np) => ({ np, key: objectKey('NetworkPolicy', true, np.namespace, np.name) }));
  for (const [{ np }, other] of sameObjects(nps)) {
    const there = where(other.np.source).replace(/^ \((.*)\)$/, '$1');
    run.reportNetworkPolicy('pitfall-policy-name-duplicate', np, 'metadata.name', message(`NetworkPolicy named "${np.name}" in namespace ${np.namespace}`, there !== '' ? there : undefined),
      'give one of them another metadata.name, or merge their rules into one NetworkPolicy');
  }
}

/** Each object that shares its key with another, paired with the first other one, in input order. */
function sameObjects<T extends { readonly key: string | undefined }>(objects: readonly T[]): [T, T][] {
  const byKey = new Map<string, T[]>();
  for (const o of objects) {
    if (o.key === undefined) continue;
    const list = byKey.get(o.key);
    if (list) list.push(o);
    else byKey.set(o.key, [o]);
  }
  const out: [T, T][] = [];
  for (const list of byKey.values()) {
    if (list.length < 2) continue;
    for (const o of list) out.push([o, list.find((x) => x !== o) as T]);
  }
  return out;
}

function message(what: string, there: string | undefined): string {
  return `another ${what} is ${there !== undefined ? `at ${there}` : 'in the input'}: both are one object on the API server, so the one `
    + 'applied last replaces the other (kubectl apply) and GitOps tools refuse the set; the rules of the replaced one do not exist in the cluster';
}

/**
 * `pitfall-namespace-assumed`: a CiliumNetworkPolicy or NetworkPolicy without `metadata.namespace`. Its findings (the
 * Services, workloads and Namespaces it is checked against) are those of namespace `default`, as the engine's verdicts
 * (`engine-namespace-assumed`, the same wording: `model/namespace-assumed.ts`), but the API server stores it in the
 * namespace of the request (kubectl's `-n` or context, kustomize's, Helm's).
 */
export function namespaceAssumedPolicies(run: PitfallRun): void {
  run.documents.forEach(({ model }, doc) => {
    if (!namespaceAssumed(model.kind, model.metadata)) return;
    run.reportDocument('pitfall-namespace-assumed', doc, 'metadata.name',
      `no metadata.namespace: the ${model.kind} "${String(model.metadata?.name ?? '')}" is ${namespaceAssumedText('its findings')}`, NAMESPACE_ASSUMED_FIX);
  });
  for (const np of run.inventory.networkPolicies) {
    if (np._namespaceAssumed !== true) continue;
    run.reportNetworkPolicy('pitfall-namespace-assumed', np, 'metadata.name',
      `no metadata.namespace: the NetworkPolicy "${np.name}" is ${namespaceAssumedText('its findings')}`, NAMESPACE_ASSUMED_FIX);
  }
}
