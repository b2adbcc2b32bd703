// The three per-policy layers over one CNP/CCNP or one rule (see the catalogue in `index.ts`).
import { Diagnostic } from '../core/errors';
import { OptionDefaults, refuseOptionValue } from '../model/known-keys';
import { ParseDiagnosticId } from '../model/parse-diagnostic-id';
import { layerOf } from './catalogue';
import { DiagnosticBudget, omittedDiagnostic } from '../model/diagnostic-budget';
import { CiliumVersion } from '../core/cilium-version';
import { PolicyDocumentModel, PolicyKind, RuleModel } from '../model/policy-model';
import { sanitizeRules } from './sanitize-rules';
import { schemaRules } from './schema-rules';
import { versionRules } from './version-rules';
import { CheckContext, collectingContext, Visitor, walkDocument, walkRule } from './walk';

/** Options of `Validator.validatePolicy`. */
export interface ValidatePolicyOptions {
  /** The Cilium version the policy is written for. */
  readonly version: CiliumVersion;
}

/** Options of `Validator.validateRule`. */
export interface ValidateRuleOptions {
  /** The kind of policy the rule is in (a CNP is assumed to live in `default`). */
  readonly kind: PolicyKind;
  /** The Cilium version the rule is written for. */
  readonly version: CiliumVersion;
  /**
   * The rule's JSON path in its policy (`spec`, `specs[2]`): it prefixes every finding's path.
   * @default 'spec'
   */
  readonly pathPrefix?: string;
}

/** The options of `ValidatePolicyOptions` (`option-unknown`; kept equal to the interface by test/engine/option-keys-interfaces.test.ts). */
export const VALIDATE_POLICY_OPTION_DEFAULTS: OptionDefaults = { version: 'none: it is required' };

/** The options of `ValidateRuleOptions` with their defaults (`option-unknown`). */
export const VALIDATE_RULE_OPTION_DEFAULTS: OptionDefaults = { kind: 'none: it is required', version: 'none: it is required', pathPrefix: "'spec'" };

/**
 * Refuses a `version` option that is not a `CiliumVersion` (`option-value`): a version string or a misspelled key would
 * otherwise fail deep inside the checks with a TypeError.
 * @param version the `version` given
 * @param call the call, as the message names it (`Validator.validatePolicy()`)
 * @throws CiliumPolicyError (`option-value`)
 */
export function checkVersionOption(version: unknown, call: string, option = 'version'): void {
  if (version instanceof CiliumVersion) return;
  // A CiliumVersion of another copy of the package: what the checks use of it.
  const v = version as { atLeast?: unknown; toString?: unknown } | null | undefined;
  if (v !== null && typeof v === 'object' && typeof v.atLeast === 'function' && typeof v.toString === 'function') return;
  refuseOptionValue(call, option, version, 'a CiliumVersion',
    typeof version === 'string' ? `pass CiliumVersion.parse(${JSON.stringify(version)})` : 'pass a CiliumVersion, e.g. CiliumVersion.V1_19 or CiliumVersion.parse(\'1.19\')');
}

/**
 * Refuses a `kind` option that is not a policy kind (`option-value`): the rule would be checked as neither.
 * @throws CiliumPolicyError (`option-value`)
 */
export function checkKindOption(kind: unknown, call: string): void {
  if (Object.values(PolicyKind).includes(kind as PolicyKind)) return;
  refuseOptionValue(call, 'kind', kind, 'a policy kind', 'pass PolicyKind.CILIUM_NETWORK_POLICY or PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY');
}

/** The three layers, in the order their findings are listed. */
const LAYERS: readonly Visitor[] = [schemaRules, sanitizeRules, versionRules];

/**
 * Validates a whole CNP/CCNP against the CRD of `options.version`, the agent's `Sanitize()` of that version, and the
 * fields that version has. Returns every finding (errors and warnings), grouped by layer; an empty list means both the
 * API server and the agent accept the policy as written.
 */
export function validatePolicy(doc: PolicyDocumentModel, options: ValidatePolicyOptions): Diagnostic[] {
  const ns = typeof doc.metadata?.namespace === 'string' && doc.metadata.namespace !== '' ? doc.metadata.namespace : undefined;
  return layeredWalk(options.version, doc.kind, ns, (visitors, ctx) => walkDocument(doc, visitors, ctx));
}

/**
 * The findings of `validatePolicy` on a document read from a text that its reader has not said already: a missing name
 * (`nameMissing`) is the reader's `parse-missing-name` (or `parse-wrong-type` of the name) at its line, and `validatePolicy`'s only for a model that no
 * reader read (`PolicySet.fromDocuments`, `Validator.validatePolicy`). One fact, reported once.
 */
export function notSaidByReader<D extends Diagnostic>(found: readonly D[], reader: readonly Diagnostic[]): D[] {
  // The reader's own words for it: the name is missing, or what names the object is no string (`name: [a]`, `metadata: x`).
  const said = reader.some((d) => d.id === ParseDiagnosticId.MISSING_NAME
    || (d.id === ParseDiagnosticId.WRONG_TYPE && ['metadata', 'metadata.name', 'metadata.generateName'].includes(d.path ?? '')));
  return found.filter((f) => !(said && f.id === ParseDiagnosticId.MISSING_NAME));
}

/**
 * Validates one rule as it would appear in a policy of `kind` (a CNP is assumed to live in `default`). `pathPrefix`
 * is the rule's JSON path (`spec`, `specs[2]`) and prefixes every finding's path. Document-level checks (metadata,
 * empty policy) are not run.
 */
export function validateRule(rule: RuleModel, kind: PolicyKind, version: CiliumVersion, pathPrefix = 'spec'): Diagnostic[] {
  return layeredWalk(version, kind, undefined, (visitors, ctx) => walkRule(rule, pathPrefix, visitors, ctx));
}

/**
 * Validates one raw `api.Rule` (an element of a rule list for `cilium policy import`, at `pathPrefix` such as `[2]`): no
 * API server sees it, so there is no CRD schema finding (`crd-…`); the agent's own checks that the schema makes first
 * for a document (one subject selector, at least one section, known entities) are `sanitize-…` findings instead. The
 * agent reads it as a clusterwide rule (no namespace is injected).
 */
export function validateRawRule(rule: RuleModel, version: CiliumVersion, pathPrefix: string): Diagnostic[] {
  const walk = (visitors: readonly Visitor[], ctx: CheckContext): void => walkRule(rule, pathPrefix, visitors, ctx);
  return layeredWalk(version, PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, undefined, walk, true).filter((d) => layerOf(d.id) !== 'crd');
}

/**
 * The agent's `Sanitize()` checks alone (the `sanitize-…` rules) over one raw `api.Rule`, its findings' paths prefixed
 * with `pathPrefix`: what the engine asks to decide whether the agent imports a rule no API server checked (a raw
 * `api.Rule` list, which `cilium policy import` only sanitizes). The same findings as the `sanitize-…` ones of
 * `validateRawRule`.
 */
export function sanitizeRawRule(rule: RuleModel, version: CiliumVersion, pathPrefix: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  walkRule(rule, pathPrefix, [sanitizeRules], collectingContext(version, PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, out, undefined, true));
  return out;
}

/** The callbacks of a visitor. */
const VISITOR_METHODS = ['document', 'rule', 'section', 'item', 'portRule', 'port', 'selector'] as const;

/** The contexts of the walk in progress, one per layer (see `LAYERED_VISITORS`). */
let layerContexts: readonly CheckContext[] = [];

/**
 * The three layers as visitors of one walk, each reporting into its own context of the walk in progress
 * (`layerContexts`): made once, not per policy.
 */
const LAYERED_VISITORS: readonly Visitor[] = LAYERS.map((layer, i) => {
  const bound: Record<string, (node: never) => void> = {};
  for (const m of VISITOR_METHODS) {
    const f = layer[m] as ((node: never, ctx: CheckContext) => void) | undefined;
    if (f) bound[m] = (node) => f.call(layer, node, layerContexts[i]);
  }
  return bound as Visitor;
});

/**
 * Runs `walk` over the three layers as one walk: each layer reports into a context of its own (its own list, its own
 * duplicate suppression), so the findings are those of one walk per layer, listed layer by layer.
 */
function layeredWalk(
  version: CiliumVersion,
  kind: PolicyKind,
  namespace: string | undefined,
  walk: (visitors: readonly Visitor[], ctx: CheckContext) => void,
  raw = false,
): Diagnostic[] {
  const outs = LAYERS.map((): Diagnostic[] => []);
  const previous = layerContexts;
  const budget = new DiagnosticBudget();
  layerContexts = outs.map((out) => collectingContext(version, kind, out, namespace, raw, budget));
  try {
    walk(LAYERED_VISITORS, layerContexts[0]);
  } finally {
    layerContexts = previous;
  }
  const omitted = budget.omitted().map((o) => omittedDiagnostic(o, budget.max, 'policy', 'policy'));
  return [...outs.flat(), ...omitted];
}
