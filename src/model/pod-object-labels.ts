/**
 * The labels of a pod object as Cilium takes them into the pod's identity (pkg/k8s/utils `SanitizePodLabels`,
 * `filterPodLabels`; the sanitization was backported to 1.14, cilium/cilium#28032): a pod's own `io.cilium.k8s.*` labels
 * are dropped and its `io.kubernetes.pod.namespace` is replaced by the namespace's name, so a pod cannot claim another
 * namespace, namespace label, service account or cluster. The engine's inventory and the pitfall layer's label sets both
 * read pod labels through it.
 */

/** The pod's own labels without those Cilium owns. The same object when nothing is dropped. */
export function podObjectLabels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const keys = Object.keys(labels);
  if (!keys.some(ciliumOwned)) return labels;
  return Object.fromEntries(keys.filter((k) => !ciliumOwned(k)).map((k) => [k, labels[k]]));
}

function ciliumOwned(key: string): boolean {
  const name = key.startsWith('k8s:') || key.startsWith('any:') ? key.slice(4) : key;
  return name.startsWith('io.cilium.k8s') || name === 'io.kubernetes.pod.namespace';
}
