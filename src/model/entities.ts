// Cilium's entities (pkg/policy/api `EntitySelectorMapping`): the names `fromEntities`/`toEntities` accept and the reserved
// identities they stand for. One list, read by the engine, the validator and the L7 parser merge.

/** `fromEntities`/`toEntities` enum: the same in every supported CRD version. */
export const ENTITIES: readonly string[] = [
  'all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver',
];

/** Entities that exist in the agent's Go code but in no CRD enum. */
export const GO_ONLY_ENTITIES: readonly string[] = ['world-ipv4', 'world-ipv6'];

/** The reserved identities the `cluster` entity selects besides the pods of the local cluster. */
export const CLUSTER_RESERVED_ENTITIES: readonly string[] = ['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver'];
