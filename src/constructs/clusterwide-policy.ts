import { Construct } from 'constructs';
import { PolicyKind } from '../model/policy-model';
import { PolicyBase, PolicyBaseProps } from './policy-base';

/** Properties of a `ClusterwidePolicy`. */
export interface ClusterwidePolicyProps extends PolicyBaseProps {}

/**
 * A CiliumClusterwideNetworkPolicy (CCNP): rules for pods of every namespace, or, with a `nodeSelector`, a host
 * policy for nodes. The resource is cluster-scoped: the chart's namespace is never written into it.
 *
 * Endpoint peers must name their namespace (or say `allNamespaces: true`): in a CCNP a selector without one
 * matches pods of every namespace, the classic way such a policy admits far more than intended.
 */
export class ClusterwidePolicy extends PolicyBase {
  constructor(scope: Construct, id: string, props: ClusterwidePolicyProps = {}) {
    super(scope, id, PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, props, undefined);
  }

  /** `CiliumClusterwideNetworkPolicy`. */
  public get kind(): PolicyKind {
    return PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY;
  }
}
