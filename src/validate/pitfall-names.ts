// Pitfalls of names: two documents of the input that are one resource on the API server.
import { objectKey, resourceKey } from '../model/resource-key';
import { InventoryNetworkPolicy } from './inventory';
import { PitfallRun, where } from './pitfall-run';

/**
 * `pitfall-policy-name-duplicate`: documents of the set with the same kind, namespace and name. On the API server they
 * are one object: `kubectl apply` keeps whichever it applies last (file order decides), and what the other allows or
 * denies silently does not exist; GitOps tools refuse the set (kustomize: "may not add resource with an already
 * registered id"; Argo CD reports the resource as repeated). Each document is reported, naming the first other one; the
 * same for Kubernetes NetworkPolicies of the input.
 */
export function duplicateNames(run: PitfallRun): void {
  const byKey = new Map<string, number[]>();
  run.documents.forEach((d, doc) => {
    const key = resourceKey(d.model);
    if (key === undefined) return;
    const list = byKey.get(key);
    if (list) list.push(doc);
    else byKey.set(key, [doc]);
  });
  for (const docs of byKey.values()) {
    if (docs.length < 2) continue;
    for (const doc of docs) {
      const other = docs.find((o) => o !== doc) ?? doc;
      const { model } = run.documents[doc];
      const namespace = model.kind === 'CiliumNetworkPolicy' ? ` in namespace ${model.metadata?.namespace || 'default'}` : '';
      const there = run.documents[other].where;
      run.reportDocument('pitfall-policy-name-duplicate', doc, 'metadata.name',
        `another ${model.kind} named "${model.metadata?.name ?? ''}"${namespace} is ${there !== undefined ? `at ${there}` : 'in the input'}: `
        + 'both are one object on the API server, so the one applied last replaces the other (kubectl apply) and GitOps tools refuse the set; '
        + 'the rules of the replaced one do not exist in the cluster',
        'give one of them another metadata.name, or merge their rules into one policy (`specs` holds several rules)');
    }
  }
  const nps = new Map<string, InventoryNetworkPolicy[]>();
  for (const np of run.inventory.networkPolicies) {
    const key = objectKey('NetworkPolicy', true, np.namespace, np.name);
    if (key === undefined) continue;
    const list = nps.get(key);
    if (list) list.push(np);
    else nps.set(key, [np]);
  }
  for (const list of nps.values()) {
    if (list.length < 2) continue;
    for (const np of list) {
      const other = list.find((o) => o !== np) ?? np;
      const there = where(other.source).replace(/^ \((.*)\)$/, '$1');
      run.reportNetworkPolicy('pitfall-policy-name-duplicate', np, 'metadata.name',
        `another NetworkPolicy named "${np.name}" in namespace ${np.namespace} is ${there !== '' ? `at ${there}` : 'in the input'}: `
        + 'both are one object on the API server, so the one applied last replaces the other (kubectl apply) and GitOps tools refuse the set; '
        + 'the rules of the replaced one do not exist in the cluster',
        'give one of them another metadata.name, or merge their rules into one NetworkPolicy');
    }
  }
}
