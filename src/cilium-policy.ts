import { Construct } from 'constructs';
import { PolicyKind } from './model/policy-model';
import { PolicyBase, PolicyBaseProps, chartNamespace } from './policy-base';

/** Properties of a `CiliumPolicy`. */
export interface CiliumPolicyProps extends PolicyBaseProps {
  /**
   * Namespace of the policy; its endpoint selector only ever selects pods of this namespace.
   * @default - the chart's namespace (none: the namespace `kubectl apply` uses, usually `default`)
   */
  readonly namespace?: string;
}

/**
 * A CiliumNetworkPolicy (CNP): rules for the pods of one namespace.
 *
 * ```ts
 * const policy = new CiliumPolicy(chart, 'backend', { endpointSelector: EndpointSelector.labels({ app: 'backend' }) });
 * policy.allowIngress(Peer.endpoints({ labels: { app: 'frontend' } }), [Port.tcp(8080)]);
 * ```
 *
 * Endpoint peers without a namespace are written with the policy's namespace made explicit, so a rule means
 * the same wherever it is copied.
 */
export class CiliumPolicy extends PolicyBase {
  constructor(scope: Construct, id: string, props: CiliumPolicyProps = {}) {
    super(scope, id, 'CiliumNetworkPolicy', props, props.namespace ?? chartNamespace(scope));
  }

  /** `CiliumNetworkPolicy`. */
  public get kind(): PolicyKind {
    return 'CiliumNetworkPolicy';
  }

  /** The namespace of the policy, if known. */
  public get namespace(): string | undefined {
    return this.namespaceForMetadata();
  }
}
