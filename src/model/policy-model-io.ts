/**
 * `PolicyModel`: the public entry points of the policy model — read CNP/CCNP manifests into it, render it back.
 * The model itself is plain data (`PolicyDocumentModel`, `RuleModel`, …, in `policy-model.ts`); the reader and the
 * emitter are `parse.ts` and `emit.ts`, which this class delegates to.
 */
import { emitDocument, emitRule } from './emit';
import { checkDocumentShape, checkRuleShape } from './model-shape';
import { fromObject, fromYaml } from './parse';
import { ParseOptions, ParseResult } from './parse-result';
import { CILIUM_API_VERSION, PolicyDocumentModel, RuleModel } from './policy-model';

/**
 * Reads Cilium policy manifests into the policy model and renders the model back into manifests.
 *
 * The model is the one representation of a policy in the SDK: the constructs build it, `fromYaml`/`fromObject` read it
 * from manifests (hand-written, multi-document, `spec` and/or `specs`, a `List` from `kubectl get cnp,ccnp -A -o yaml`,
 * raw `api.Rule` JSON), the validator and the verdict engine consume it, and `toManifest` writes it.
 */
export class PolicyModel {
  /** `apiVersion` of both policy kinds: `cilium.io/v2`. */
  public static readonly API_VERSION: string = CILIUM_API_VERSION;

  /**
   * Reads a YAML (or JSON) stream: any number of `---`-separated documents, each a CNP, a CCNP, a `kind: List` of
   * them, a top-level array of raw `api.Rule`s, or something else (skipped). Never throws on bad input: what cannot be
   * read faithfully (YAML errors, unknown fields, wrong types) is reported in `diagnostics` with its line and column.
   * @param text the YAML or JSON text
   * @param options where the text came from
   */
  public static fromYaml(text: string, options: ParseOptions = {}): ParseResult {
    return fromYaml(text, options);
  }

  /**
   * Reads one already-parsed object: a CNP, a CCNP, a `kind: List` of them, or an array of raw `api.Rule`s.
   * `locate()` of the results returns `undefined` (there is no source text). Never throws on bad input.
   * @param obj the object, as `JSON.parse` or a YAML parser returns it
   * @param options where the object came from
   */
  public static fromObject(obj: unknown, options: ParseOptions = {}): ParseResult {
    return fromObject(obj, options);
  }

  /**
   * Renders a whole CNP/CCNP as its manifest (`apiVersion`, `kind`, `metadata`, `spec`/`specs`), as the constructs
   * synthesize it. Omitted lists stay omitted and empty lists stay empty (Cilium gives them different meanings).
   * @param doc the policy
   */
  public static toManifest(doc: PolicyDocumentModel): { [key: string]: unknown } {
    checkDocumentShape(doc, 'PolicyModel.toManifest()');
    return emitDocument(doc);
  }

  /**
   * Renders one rule as it appears under `spec` (or as an element of `specs`).
   * @param rule the rule
   */
  public static ruleToManifest(rule: RuleModel): { [key: string]: unknown } {
    checkRuleShape(rule, 'PolicyModel.ruleToManifest()');
    return emitRule(rule);
  }

  private constructor() {}
}
