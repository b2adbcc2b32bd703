/**
 * The shape check of a policy model built by hand (`PolicySet.fromDocuments`, `PolicyModel.toManifest`/`ruleToManifest`):
 * the model is read by the manifest reader (`Reader`) against the wire schema (`wire-schema.ts`, the one list of what a
 * rule item may contain) with the rule items' wire names turned into the model's direction-neutral ones (`PEER_FIELDS`).
 * A key the model does not have (`fromEndpoints` where the model says `endpoints`), a value of the wrong type, a null or
 * a required field left out is refused: read past, the item would have no peer, which Cilium reads as every peer (a typo
 * opening the rule), or would lose the field that narrows it.
 */
import { CiliumPolicyError, Severity } from '../core/errors';
import { formatPath } from './json-path';
import { ParseDiagnosticId } from './parse-diagnostic-id';
import { describeValue, isPlainObject } from './plain-value';
import { PEER_FIELD_NAMES, PEER_FIELDS, PolicyKind } from './policy-model';
import { PendingDiagnostic, Reader } from './wire-reader';
import { METADATA_FIELD_SPECS, ObjectSpec, RULE, Spec, arr, obj } from './wire-schema';

/** Wire name of a rule item's peer field (either direction) → the model's name (`fromEndpoints`, `toEndpoints` → `endpoints`). */
const MODEL_PEER_NAMES: Readonly<Record<string, string>> = Object.fromEntries(PEER_FIELD_NAMES
  .flatMap((f) => [PEER_FIELDS[f].ingress, PEER_FIELDS[f].egress]
    .filter((w): w is string => w !== undefined).map((w) => [w, f])));

/** The fix for a wire peer name written in a model. */
function modelPeerHint(wire: string): string {
  return `did you mean ${MODEL_PEER_NAMES[wire]}? ${wire} is the manifest's name; the model's rule items are direction-neutral`
    + ` (PolicyModel.toManifest writes ${MODEL_PEER_NAMES[wire]} as ${wire})`;
}

/** The model's spec of `spec`: the same fields, with the renamed ones under their model name, and hints for the wire names. */
function modelSpecOf(spec: Spec, memo: Map<ObjectSpec, ObjectSpec>): Spec {
  if (typeof spec === 'string') return spec;
  if (spec.kind === 'array') {
    const items = modelSpecOf(spec.items, memo);
    return items === spec.items ? spec : arr(items);
  }
  const known = memo.get(spec);
  if (known) return known;
  memo.set(spec, spec); // no cycles in the schema; guards a shared spec met again while it is converted
  let changed = spec.rename !== undefined;
  const fields: Record<string, Spec> = {};
  for (const [wire, fieldSpec] of Object.entries(spec.fields)) {
    const converted = modelSpecOf(fieldSpec, memo);
    changed ||= converted !== fieldSpec;
    fields[spec.rename?.[wire] ?? wire] = converted;
  }
  if (!changed) return spec;
  const hints: Record<string, string> = {};
  for (const [key, hint] of Object.entries(spec.hints ?? {})) {
    if (Object.prototype.hasOwnProperty.call(fields, key)) continue;
    const model = Object.prototype.hasOwnProperty.call(MODEL_PEER_NAMES, key) ? MODEL_PEER_NAMES[key] : undefined;
    hints[key] = model === undefined ? hint : `${key} belongs inside a rule item, in the model as ${model}: ingress: [{${model}: …}]`;
  }
  if (spec.rename) for (const wire of Object.keys(MODEL_PEER_NAMES)) hints[wire] = modelPeerHint(wire);
  const out = obj(spec.name, fields, { ...(spec.required ? { required: spec.required } : {}), hints });
  memo.set(spec, out);
  return out;
}

/** A rule of the model (`RuleModel`). */
const MODEL_RULE = modelSpecOf(RULE, new Map()) as ObjectSpec;

/** Fixes for keys of a manifest that the model's document does not have. */
const MODEL_DOCUMENT_HINTS: Record<string, string> = {
  apiVersion: 'remove it: the model has no apiVersion (PolicyModel.toManifest writes cilium.io/v2)',
  status: 'remove it: the model keeps no status',
  ...Object.fromEntries(Object.keys(MODEL_RULE.fields).map((f) => [f, `${f} belongs under spec (or an element of specs)`])),
};

/** A document of the model (`PolicyDocumentModel`); `kind` is checked against `PolicyKind` on its own. */
const MODEL_DOCUMENT = obj('policy document', {
  kind: 'string',
  metadata: obj('metadata', METADATA_FIELD_SPECS, { required: ['name'] }),
  spec: MODEL_RULE,
  specs: arr(MODEL_RULE),
}, { required: ['kind', 'metadata'], hints: MODEL_DOCUMENT_HINTS });

const KINDS: readonly string[] = Object.values(PolicyKind);

/** What the reader found wrong with a model value read against `spec` (a document: its `kind` too). */
function shapeFindings(value: unknown, spec: ObjectSpec): PendingDiagnostic[] {
  const reader = new Reader(undefined);
  reader.read(value, spec, []);
  const kind = isPlainObject(value) ? value.kind : undefined;
  if (spec === MODEL_DOCUMENT && typeof kind === 'string' && !KINDS.includes(kind)) {
    reader.report(ParseDiagnosticId.UNKNOWN_KIND, Severity.ERROR, ['kind'], `kind must be ${KINDS.join(' or ')}, got ${describeValue(kind)}`,
      'use PolicyKind.CILIUM_NETWORK_POLICY or PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY');
  }
  return reader.diagnostics;
}

/** Throws the first finding (`what` names the model: the call and the document) with how many more there are. */
function refuse(findings: readonly PendingDiagnostic[], what: string): void {
  if (findings.length === 0) return;
  const d = findings[0];
  const path = formatPath(d.path);
  const more = findings.length > 1 ? ` (and ${findings.length - 1} more problem${findings.length > 2 ? 's' : ''} of its shape)` : '';
  throw new CiliumPolicyError({
    id: d.id,
    message: `${what}${path ? ` at ${path}` : ''}: ${d.message.replace(/; it is left out$/, '')}; the model is refused: read past, it would be judged as `
      + `another policy than meant${more}`,
    ...(d.fix !== undefined ? { fix: d.fix } : {}),
  });
}

/** How a document of the model is named in a refusal: its index and, where it has them, its kind, namespace and name. */
function documentName(doc: unknown, index: number | undefined): string {
  const at = index === undefined ? 'the document' : `docs[${index}]`;
  const meta = isPlainObject(doc) && isPlainObject(doc.metadata) ? doc.metadata : {};
  const name = typeof meta.name === 'string' && meta.name !== '' ? meta.name : undefined;
  if (name === undefined) return at;
  const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? `${meta.namespace}/` : '';
  return `${at} (${isPlainObject(doc) && typeof doc.kind === 'string' ? `${doc.kind} ` : ''}${ns}${name})`;
}

/**
 * Refuses a document of the model built by hand whose shape the model does not have (`parse-unknown-field`,
 * `parse-wrong-type`, `parse-missing-field`, `parse-null-value`, `parse-port-not-string`, `parse-unknown-kind`).
 * @param call the public call, as the message names it (`PolicySet.fromDocuments()`)
 * @param index the document's index in the call's list
 */
export function checkDocumentShape(doc: unknown, call: string, index?: number): void {
  refuse(shapeFindings(doc, MODEL_DOCUMENT), `${call}: ${documentName(doc, index)}`);
}

/** Refuses a list of documents of the model that is no list, or any of whose documents `checkDocumentShape` refuses. */
export function checkDocumentsShape(docs: unknown, call: string): void {
  if (!Array.isArray(docs)) {
    throw new CiliumPolicyError({
      id: ParseDiagnosticId.WRONG_TYPE,
      message: `${call}: the documents must be a list of PolicyDocumentModel, got ${describeValue(docs)}`,
      fix: 'pass an array of documents ([doc])',
    });
  }
  docs.forEach((doc, i) => checkDocumentShape(doc, call, i));
}

/** Refuses a rule of the model (`RuleModel`) built by hand whose shape the model does not have, as `checkDocumentShape`. */
export function checkRuleShape(rule: unknown, call: string): void {
  refuse(shapeFindings(rule, MODEL_RULE), `${call}: the rule`);
}
