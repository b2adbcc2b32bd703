// Pitfalls of names: two documents of the input that are one resource on the API server.
import { objectKey, resourceKey } from '../model/resource-key';
import { PitfallRun, where } from './pitfall-run';

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
