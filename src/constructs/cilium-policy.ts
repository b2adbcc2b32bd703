import { Construct } from 'constructs';
import { CiliumPolicyError } from '../core/errors';
import { checkNamespaceName } from './names';
import { PolicyKind } from '../model/policy-model';
import { POLICY_BASE_PROPS, PolicyBase, PolicyBaseProps, chartNamespace, checkedProps } from './policy-base';

/** The props of `CiliumPolicyProps` (`checkPropKeys`). */
export const CILIUM_POLICY_PROPS: readonly string[] = [...POLICY_BASE_PROPS, 'namespace'];

/** Properties of a `CiliumPolicy`. */
export interface CiliumPolicyProps extends PolicyBaseProps {
  /**
   * Namespace of the policy; its endpoint selector only ever selects pods of this namespace.
   * @default - the chart's namespace; one of the two is required (a CNP without `metadata.namespace` would land in
   * whatever namespace `kubectl` points at, and its peers could not name their namespace)
   */
  readonly namespace?: string;
}

/**
 * A CiliumNetworkPolicy (CNP): rules for the pods of one namespace.
 *
 * ```ts
 * const policy = new CiliumPolicy(chart, 'backend', { endpointSelector: EndpointSelector.labels({ app: 'backend' }) });
 * policy.allowIngress(Peer.endpoints({ labels: { app: 'frontend' } }), { ports: [Port.tcp(8080)] });
 * ```
 *
 * Endpoint peers without a namespace are written with the policy's namespace made explicit, so a rule means
 * the same wherever it is copied.
 */
export class CiliumPolicy extends PolicyBase {
  constructor(scope: Construct, id: string, props: CiliumPolicyProps = {}) {
    super(scope, id, PolicyKind.CILIUM_NETWORK_POLICY, ...checkedPolicyArgs(scope, id, props));
  }

  /** `CiliumNetworkPolicy`. */
  public get kind(): PolicyKind {
    return PolicyKind.CILIUM_NETWORK_POLICY;
  }

  /** The namespace of the policy. */
  public get namespace(): string {
    return this.namespaceForMetadata() as string;
  }
}

/**
 * The namespace of a namespaced construct: its own `namespace` prop, else the chart's. Refuses none (the object would
 * apply to whatever namespace `kubectl` points at) and names Kubernetes would refuse.
 * @param scope the construct's scope
 * @param id the construct's id
 * @param namespace the `namespace` prop
 * @param what the construct's class, for the message
 */
export function requireNamespace(scope: Construct, id: string, namespace: string | undefined, what = 'CiliumPolicy'): string {
  const location = scope.node.path ? `${scope.node.path}/${id}` : id;
  const ns = namespace ?? chartNamespace(scope);
  if (ns === undefined) {
    throw new CiliumPolicyError({
      id: 'namespace-required',
      message: `${what} needs a namespace: without one the CiliumNetworkPolicy has no metadata.namespace and lands in whatever namespace kubectl points at`,
      fix: "pass `namespace`, or create it in a chart that has one (new Chart(app, 'shop', { namespace: 'shop' }))",
      location,
    });
  }
  return checkNamespaceName(ns, `${what} namespace`, location);
}

/** The props as checked and read once (`checkedProps`), and the namespace they (or the chart) give: the base class reads the same copy. */
function checkedPolicyArgs(scope: Construct, id: string, props: CiliumPolicyProps): [CiliumPolicyProps, string] {
  const checked = checkedProps(scope, id, props, 'CiliumPolicy', CILIUM_POLICY_PROPS);
  return [checked, requireNamespace(scope, id, checked.namespace)];
}
