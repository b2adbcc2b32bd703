import { Diagnostic } from '../../src/core/errors';
import { CiliumVersion } from '../../src/core/cilium-version';
import { PolicyDocumentModel, RuleItemModel, RuleModel, PolicyKind } from '../../src/model/policy-model';
import { validatePolicy } from '../../src/validate';

/**
 * Test policies are plain model literals. Hand-written manifests can hold values the model's types do not allow
 * (a number port, a missing key), so the builders accept loosely typed input on purpose.
 */

export type Loose = any;

/** A CNP named `test` in namespace `default` with the given rule as `spec`. */
export function cnp(spec: Loose, extra: Partial<PolicyDocumentModel> = {}): PolicyDocumentModel {
  return { kind: PolicyKind.CILIUM_NETWORK_POLICY, metadata: { name: 'test', namespace: 'default' }, spec: spec as RuleModel, ...extra };
}

/** A CCNP named `test` with the given rule as `spec`. */
export function ccnp(spec: Loose, extra: Partial<PolicyDocumentModel> = {}): PolicyDocumentModel {
  return { kind: PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, metadata: { name: 'test' }, spec: spec as RuleModel, ...extra };
}

/** A CNP selecting `app: web` with one ingress item. */
export function ingress(item: Loose): PolicyDocumentModel {
  return cnp({ endpointSelector: { matchLabels: { app: 'web' } }, ingress: [item as RuleItemModel] });
}

/** A CNP selecting `app: web` with one egress item. */
export function egress(item: Loose): PolicyDocumentModel {
  return cnp({ endpointSelector: { matchLabels: { app: 'web' } }, egress: [item as RuleItemModel] });
}

/** A CNP selecting `app: web` with one item in `section`. */
export function inSection(section: 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny', item: Loose): PolicyDocumentModel {
  return cnp({ endpointSelector: { matchLabels: { app: 'web' } }, [section]: [item as RuleItemModel] });
}

/** A host policy (CCNP with nodeSelector) with one item in `section`. */
export function host(section: 'ingress' | 'egress', item: Loose): PolicyDocumentModel {
  return ccnp({ nodeSelector: { matchLabels: { role: 'worker' } }, [section]: [item as RuleItemModel] });
}

/** An item allowing `ports` (a list of port entries) with optional extra `toPorts` fields. */
export function ports(list: Loose[], extra: Loose = {}): Loose {
  return { toPorts: [{ ports: list, ...extra }] };
}

/** An item allowing TCP port 80 with the given L7 `rules`. */
export function l7(rules: Loose, port: Loose = { port: '80', protocol: 'TCP' }): Loose {
  return { toPorts: [{ ports: [port], rules }] };
}

/** Validates at `version` (default 1.19). */
export function check(doc: PolicyDocumentModel, version: CiliumVersion = CiliumVersion.V1_19): Diagnostic[] {
  return validatePolicy(doc, { version });
}

/** Short `id @ path` lines, for readable assertion failures. */
export function summary(diags: readonly Diagnostic[]): string[] {
  return diags.map((d) => `${d.id} @ ${d.path ?? '(document)'}`);
}
