// The constructs' refusal of selectors on label keys that Cilium keeps out of identities (`model/identity-labels.ts`).
import { IConstruct } from 'constructs';
import { CiliumVersion } from '../core/cilium-version';
import { CiliumPolicyError } from '../core/errors';
import { IDENTITY_LABEL_FILTER_VERSIONS, onNonIdentityKey } from '../model/identity-labels';
import { hostNodeSelectorProblem, Selector, showRequirement } from '../model/labels';
import { LabelSelectorModel } from '../model/policy-model';

/**
 * Refuses a selector with a requirement on a label key that Cilium's default label filter keeps out of identities for the
 * target version of `scope` (`onNonIdentityKey`; pod labels, and node labels on the host endpoint): no identity has the
 * label, so `In`/`Exists` would select nothing and `NotIn`/`DoesNotExist` would always hold. A key left out only from a
 * later version (`statefulset.kubernetes.io/pod-name`, 1.15) pins the version of `scope` (`CiliumVersion._decideFor`), so
 * that a later `CiliumVersion.use` moving it there is refused. A `nodeSelector` requirement on a label no host endpoint carries
 * (`node:`, `cidr:`, `reserved:` but `host`) is refused first (`refuseForeignNodeSource`), with the same id.
 * @param what the field or call, for the message (`endpointSelector`, `allowIngress(pods app=web)`)
 * @param nodes the selector selects the host endpoint by node labels (a `nodeSelector`)
 * @internal
 */
export function checkIdentityLabels(model: LabelSelectorModel, what: string, scope: IConstruct, location: string, nodes = false): void {
  if (nodes) refuseForeignNodeSource(model, what, location);
  const requirements = Selector.from(model).requirements.filter((r) => r.source === 'k8s' || r.source === 'any');
  if (!requirements.some((r) => onNonIdentityKey(r, IDENTITY_LABEL_FILTER_VERSIONS[IDENTITY_LABEL_FILTER_VERSIONS.length - 1]))) return;
  const version = CiliumVersion._decideFor(scope);
  const bad = requirements.find((r) => onNonIdentityKey(r, version));
  if (bad === undefined) return;
  const never = bad.operator === 'In' || bad.operator === 'Exists';
  const shown = showRequirement(bad);
  throw new CiliumPolicyError({
    id: 'selector-non-identity-label',
    message: `${what} requires ${shown}, but Cilium ${version} keeps ${bad.key} out of every identity (its default identity-relevant labels, `
      + `pkg/labelsfilter, drop it from ${nodes ? 'the node labels of the host endpoint' : 'pod labels'}), so no selector sees it: `
      + (never ? `the requirement never holds and the selector selects no ${nodes ? 'node (the host policy would be enforced on no node)' : 'endpoint'}`
        : 'the requirement always holds and the selector selects more than written'),
    fix: nodes
      ? 'label the nodes with a key Cilium keeps, such as node-role.kubernetes.io/<role> or a label of your own (example.com/pool: edge), and select on that'
      : 'select on a label that is in the identity: app.kubernetes.io/… (name, component, instance) or a label of your own on the pod template',
    location,
  });
}

/**
 * Refuses a host policy's `nodeSelector` requirement on a label the host endpoint does not carry as a policy subject, or that
 * never holds on `reserved:host` (`hostNodeSelectorProblem`, whose wording `validate` shares): it would be enforced on no node,
 * or on nodes the selector meant to leave out.
 */
function refuseForeignNodeSource(model: LabelSelectorModel, what: string, location: string): void {
  for (const r of Selector.from(model).requirements) {
    const problem = hostNodeSelectorProblem(r);
    if (problem !== undefined) throw new CiliumPolicyError({ id: 'selector-non-identity-label', message: `${what} ${problem.says}`, fix: problem.fix, location });
  }
}
