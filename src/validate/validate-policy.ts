// The three per-policy layers over one CNP/CCNP or one rule (see the catalogue in `index.ts`).
import { Diagnostic } from '../errors';
import { CiliumVersion } from '../model/cilium-version';
import { PolicyDocumentModel, PolicyKind, RuleModel } from '../model/policy-model';
import { sanitizeRules } from './sanitize-rules';
import { schemaRules } from './schema-rules';
import { versionRules } from './version-rules';
import { collectingContext, Visitor, walkDocument, walkRule } from './walk';

/** Options of `validatePolicy`. */
export interface ValidatePolicyOptions {
  /** The Cilium version the policy is written for. */
  readonly version: CiliumVersion;
}

/** The three layers, in the order their findings are listed. */
const LAYERS: readonly Visitor[] = [schemaRules, sanitizeRules, versionRules];

/**
 * Validates a whole CNP/CCNP against the CRD of `options.version`, the agent's `Sanitize()` of that version, and the
 * fields that version has. Returns every finding (errors and warnings), grouped by layer; an empty list means both the
 * API server and the agent accept the policy as written.
 */
export function validatePolicy(doc: PolicyDocumentModel, options: ValidatePolicyOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const ns = typeof doc.metadata?.namespace === 'string' && doc.metadata.namespace !== '' ? doc.metadata.namespace : undefined;
  for (const layer of LAYERS) walkDocument(doc, [layer], collectingContext(options.version, doc.kind, out, ns));
  return out;
}

/**
 * Validates one rule as it would appear in a policy of `kind` (a CNP is assumed to live in `default`). `pathPrefix`
 * is the rule's JSON path (`spec`, `specs[2]`) and prefixes every finding's path. Document-level checks (metadata,
 * empty policy) are not run.
 */
export function validateRule(rule: RuleModel, kind: PolicyKind, version: CiliumVersion, pathPrefix = 'spec'): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const layer of LAYERS) walkRule(rule, pathPrefix, [layer], collectingContext(version, kind, out));
  return out;
}
