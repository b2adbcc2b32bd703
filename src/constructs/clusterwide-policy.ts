import { Construct } from 'constructs';
import { CiliumPolicyError, showValue } from '../core/errors';
import { PolicyKind } from '../model/policy-model';
import {
  LOCKOUT_EXEMPTION_KEYS, LOCKOUT_EXEMPTIONS_ANNOTATION, LockoutExemption, lockoutExemptionsAnnotation, LockoutPath,
} from '../validate/lockout-guard';
import { checkedProps, POLICY_BASE_PROPS, PolicyBase, PolicyBaseProps } from './policy-base';
import { checkListOf } from './names';

/** The props of `ClusterwidePolicyProps` (`checkPropKeys`). */
export const CLUSTERWIDE_POLICY_PROPS: readonly string[] = [...POLICY_BASE_PROPS, 'lockoutExemptions'];

/** Properties of a `ClusterwidePolicy`. */
export interface ClusterwidePolicyProps extends PolicyBaseProps {
  /**
   * Guarded host paths that the deny rules of this policy's host rules (those with a `nodeSelector`) may cut, each
   * with the reason it is safe (e.g. `{ path: LockoutPath.TUNNEL, reason: 'native routing' }`). Written into the
   * annotation `cdk8s-cilium.io/lockout-exemptions`, which synthesis and `validate` both read.
   * @default - none: a host rule's deny that cuts a guarded path fails the synthesis (`pitfall-host-deny-lockout`)
   */
  readonly lockoutExemptions?: LockoutExemption[];
}

/**
 * A CiliumClusterwideNetworkPolicy (CCNP): rules for pods of every namespace, or, with a `nodeSelector`, a host
 * policy for nodes. The resource is cluster-scoped: the chart's namespace is never written into it.
 *
 * Endpoint peers must name their namespace (or say `allNamespaces: true`): in a CCNP a selector without one
 * matches pods of every namespace, the classic way such a policy admits far more than intended. An `endpointSelector`
 * that only excludes (`NotIn`/`DoesNotExist`, no label it requires) is refused (`subject-selector-only-excludes`): Cilium
 * adds no namespace to a CCNP's subject, so it would also select Cilium's health and ingress endpoints and pods still
 * initializing; add `LabelExpression.exists('k8s:io.kubernetes.pod.namespace')` to keep it to pods.
 *
 * Host rules are guarded against lockouts: a deny that cuts a path the nodes need (SSH from the world, the API server,
 * the kubelet from the API server, etcd, Cilium health, the tunnel, essential ICMP, Hubble; from the nodes: the API
 * server, other kubelets, pods, DNS) fails the synthesis unless the path is in `lockoutExemptions`; `HostFirewall`
 * writes a host policy that keeps these paths open.
 */
export class ClusterwidePolicy extends PolicyBase {
  constructor(scope: Construct, id: string, props: ClusterwidePolicyProps = {}) {
    // Read once, the exemptions with them (`readPropsOnce`): the checks below and the annotation read the same list. They
    // read the props given, so a getter answering a checked list to the checks and another to the annotation had it written.
    const checked = checkedProps(scope, id, props, 'ClusterwidePolicy', CLUSTERWIDE_POLICY_PROPS,
      { lockoutExemptions: { keys: LOCKOUT_EXEMPTION_KEYS, owner: 'LockoutExemption' } });
    super(scope, id, PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, checked, undefined);
    props = checked;
    // Before the list check, as they were read (`checkedProps`): `{ pth: … }` is refused naming `path`, not as an entry without one.
    checkListOf(props.lockoutExemptions, 'ClusterwidePolicy lockoutExemptions', 'a LockoutExemption ({ path, reason })', 'path', this.node.path);
    const seen = new Map<string, string>();
    for (const e of props.lockoutExemptions ?? []) {
      if (!(Object.values(LockoutPath) as string[]).includes(e.path)) {
        throw new CiliumPolicyError({
          id: 'lockout-exemption-path',
          message: `lockoutExemptions: ${showValue(e.path)} is not a LockoutPath`,
          fix: `use one of LockoutPath.${Object.keys(LockoutPath).join(', LockoutPath.')}`,
          location: this.node.path,
        });
      }
      if (typeof e.reason !== 'string' || !e.reason.trim()) {
        throw new CiliumPolicyError({
          id: 'lockout-exemption-reason',
          message: `the lockout exemption of the ${String(e.path)} path has no reason`,
          fix: "say why it is safe, e.g. { path: LockoutPath.TUNNEL, reason: 'native routing, no tunnel' }",
          location: this.node.path,
        });
      }
      // A reason is shown in findings and reports (one line each): a newline or escape sequence could forge or hide output.
      const control = /[^\x20-\x7e\xa0-\uffff]/.exec(e.reason);
      if (control) {
        throw new CiliumPolicyError({
          id: 'lockout-exemption-reason',
          message: `the reason of the lockout exemption of the ${e.path} path has a control character (${JSON.stringify(control[0])}): ${JSON.stringify(e.reason.slice(0, 80))}`,
          fix: 'write the reason on one line of printable text',
          location: this.node.path,
        });
      }
      if (seen.has(e.path)) {
        throw new CiliumPolicyError({
          id: 'lockout-exemption-duplicate',
          message: `lockoutExemptions lists the ${e.path} path twice (reasons ${JSON.stringify(seen.get(e.path))} and ${JSON.stringify(e.reason.trim())})`,
          fix: 'give each path once, with one reason',
          location: this.node.path,
        });
      }
      seen.set(e.path, e.reason.trim());
    }
    const annotation = lockoutExemptionsAnnotation(props.lockoutExemptions ?? []);
    if (annotation !== undefined) this.apiObject.metadata.addAnnotation(LOCKOUT_EXEMPTIONS_ANNOTATION, annotation);
  }

  /** `CiliumClusterwideNetworkPolicy`. */
  public get kind(): PolicyKind {
    return PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY;
  }
}
