/**
 * Cilium's entities: classes of peers that have no labels of their own (the CRD enum, identical in 1.14 … 1.19).
 *
 * `world-ipv4` and `world-ipv6` exist in Cilium's Go code but in no CRD, so the API server rejects them; they
 * are deliberately absent.
 */
export enum Entity {
  /** Every identity, inside and outside the cluster. */
  ALL = 'all',
  /** Everything outside the cluster (equivalent to `0.0.0.0/0` and `::/0`). */
  WORLD = 'world',
  /** Everything inside the cluster: pods, nodes, health, ingress, kube-apiserver, init and unmanaged endpoints. */
  CLUSTER = 'cluster',
  /** The local node, including hostNetwork pods; kubelet probes come from here. */
  HOST = 'host',
  /** Endpoints whose identity is not resolved yet. */
  INIT = 'init',
  /** Cilium's Envoy ingress / Gateway API source addresses. */
  INGRESS = 'ingress',
  /** Pods not managed by Cilium. */
  UNMANAGED = 'unmanaged',
  /** Every other node of the cluster (and of ClusterMesh). */
  REMOTE_NODE = 'remote-node',
  /** Cilium's health-check endpoints. */
  HEALTH = 'health',
  /** Nothing. */
  NONE = 'none',
  /** The Kubernetes API server, in or out of the cluster. */
  KUBE_APISERVER = 'kube-apiserver',
}
