/**
 * Policies with cloud provider groups (`toGroups`, and from 1.16 `fromGroups`; AWS security groups): the agent never
 * imports such a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy. The operator parses it, resolves the groups into
 * addresses from the cloud API and writes a derivative policy of the same kind, `<name>-togroups-<uid>` labelled
 * `io.cilium.network.policy.kind: derivative`, holding every rule of the parent with the groups replaced by `toCIDRSet`
 * (`fromCIDRSet`); the agent imports that one. Read in Cilium 1.14-1.19:
 * - pkg/policy/k8s/cilium_network_policy.go `onUpsert` (pkg/k8s/watchers before 1.15): `if cnp.RequiresDerivative() { return nil }`;
 * - pkg/policy/api/rule.go `(*Rule).RequiresDerivative`: a non-empty `toGroups` in `egress`/`egressDeny`, and from 1.16
 *   a non-empty `fromGroups` in `ingress`/`ingressDeny` (`len(ToGroups) > 0`: an empty list requires none);
 * - pkg/policy/groups/helpers.go `createDerivativeCNP`/`createDerivativeCCNP`, `getDerivativeName`, `createAPIRules`.
 * So what is enforced for the endpoints such a policy selects is the derivative, whose addresses only the cloud API
 * knows: without it in the input no verdict on them is what Cilium enforces (and without an operator that resolves the
 * groups, none of the parent's rules is enforced at all).
 */
import { CiliumVersion } from '../core/cilium-version';
import { PEER_FIELDS, PeerField, PolicyDocumentModel, RuleModel, SectionName, sectionDirection } from './policy-model';
import { pushAll } from './push-all';
import { objectNamespace } from './resource-key';

/** The label the operator gives a derivative policy, and its value (pkg/policy/groups `cnpKindKey`, `cnpKindName`). */
export const DERIVATIVE_KIND_LABEL = 'io.cilium.network.policy.kind';
const DERIVATIVE_KIND = 'derivative';
const TOGROUPS = '-togroups-';

/** A rule item with cloud provider groups. */
export interface GroupsUse {
  /** The rule: `spec`, `specs[1]`. */
  readonly rulePath: string;
  /** The section. */
  readonly section: SectionName;
  /** The item's index in the section. */
  readonly index: number;
  /** The item's path: `spec.egress[0].toGroups`. */
  readonly path: string;
  /** `toGroups` or `fromGroups`. */
  readonly field: string;
}

/** The sections whose groups make a rule require a derivative on `version` (`RequiresDerivative`). */
function derivativeSections(version: CiliumVersion): readonly SectionName[] {
  const egress = [SectionName.EGRESS, SectionName.EGRESS_DENY];
  return version.atLeast(CiliumVersion.V1_16) ? [SectionName.INGRESS, SectionName.INGRESS_DENY, ...egress] : egress;
}

/** The items of `rule` (at `rulePath`) with non-empty groups that make the agent leave its policy to a derivative. */
export function ruleGroupsUses(rule: RuleModel, rulePath: string, version: CiliumVersion): GroupsUse[] {
  const out: GroupsUse[] = [];
  for (const section of derivativeSections(version)) {
    const list = rule[section];
    if (!Array.isArray(list)) continue;
    list.forEach((item, index) => {
      if (!Array.isArray(item?.groups) || item.groups.length === 0) return;
      const field = PEER_FIELDS[PeerField.GROUPS][sectionDirection(section)] ?? 'toGroups';
      out.push({ rulePath, section, index, path: `${rulePath}.${section}[${index}].${field}`, field });
    });
  }
  return out;
}

/** The items of a policy with groups (`RequiresDerivative` of the whole CNP/CCNP: any of its rules), in rule order. */
export function policyGroupsUses(doc: PolicyDocumentModel, version: CiliumVersion): GroupsUse[] {
  const out = doc.spec ? ruleGroupsUses(doc.spec, 'spec', version) : [];
  (Array.isArray(doc.specs) ? doc.specs : []).forEach((rule, i) => pushAll(out, ruleGroupsUses(rule, `specs[${i}]`, version)));
  return out;
}

/** The name prefix of the derivatives of `parent`: `<name>-togroups-` (then the parent's uid). */
export function derivativeNamePrefix(parent: PolicyDocumentModel): string {
  return `${parent.metadata?.name ?? ''}${TOGROUPS}`;
}

function key(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}\0${kind === 'CiliumNetworkPolicy' ? objectNamespace(namespace) : ''}\0${name}`;
}

/**
 * The parents whose derivative is among `docs`: a document of the derivative kind label named `<parent>-togroups-<uid>`
 * (the uid, a UUID, holds no `-togroups-`), keyed by kind, namespace (CNP) and parent name. Worked out once for a set of
 * documents, so that finding each parent's derivative is linear in all.
 */
export class DerivativeIndex {
  private readonly parents = new Map<string, string>();

  constructor(docs: Iterable<PolicyDocumentModel>) {
    for (const d of docs) {
      if (d.metadata?.labels?.[DERIVATIVE_KIND_LABEL] !== DERIVATIVE_KIND) continue;
      const name = d.metadata?.name ?? '';
      const at = name.lastIndexOf(TOGROUPS);
      if (at <= 0 || at + TOGROUPS.length === name.length) continue;
      const k = key(d.kind, d.metadata?.namespace, name.slice(0, at));
      if (!this.parents.has(k)) this.parents.set(k, name);
    }
  }

  /** The name of the derivative of `parent` among the documents, if any. */
  public derivativeOf(parent: PolicyDocumentModel): string | undefined {
    return this.parents.get(key(parent.kind, parent.metadata?.namespace, parent.metadata?.name ?? ''));
  }
}
