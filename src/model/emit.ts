import {
  CILIUM_API_VERSION,
  PEER_FIELD_NAMES,
  PEER_FIELDS,
  PolicyDocumentModel,
  RuleItemModel,
  RuleModel,
  SECTIONS,
  SectionName,
  sectionDirection,
} from './policy-model';

/** JSON as it appears in a manifest. */
export type JsonObject = { [key: string]: unknown };

/** Options of `emitRule` and `emitRuleItem`. */
export interface EmitOptions {
  /**
   * Whether the values are copies (JSON's copy: `undefined` left out of objects). Without copies the result shares its
   * values with the model: for a caller that copies it at once (the policy constructs write it as cdk8s writes plain
   * data, which copies).
   * @default true
   */
  readonly copy?: boolean;
}

/**
 * Renders one rule item into its CRD form for a section (`fromEndpoints` or `toEndpoints`, …).
 * `undefined` fields are left out; empty lists are kept, because Cilium gives them a meaning.
 */
export function emitRuleItem(item: RuleItemModel, section: SectionName, options: EmitOptions = {}): JsonObject {
  const clone = options.copy === false ? share : copy;
  const direction = sectionDirection(section);
  const out: JsonObject = {};
  for (const field of PEER_FIELD_NAMES) {
    const value = item[field];
    if (value === undefined) continue;
    const wire = PEER_FIELDS[field][direction];
    if (!wire) {
      throw new Error(`internal: peer field ${field} has no ${direction} form`);
    }
    out[wire] = clone(value);
  }
  if (item.toPorts !== undefined) out.toPorts = clone(item.toPorts);
  if (item.icmps !== undefined) out.icmps = clone(item.icmps);
  if (item.authentication !== undefined) out.authentication = clone(item.authentication);
  return out;
}

/** Renders one rule (`spec` or an element of `specs`). */
export function emitRule(rule: RuleModel, options: EmitOptions = {}): JsonObject {
  const clone = options.copy === false ? share : copy;
  const out: JsonObject = {};
  if (rule.description !== undefined) out.description = rule.description;
  if (rule.endpointSelector !== undefined) out.endpointSelector = clone(rule.endpointSelector);
  if (rule.nodeSelector !== undefined) out.nodeSelector = clone(rule.nodeSelector);
  for (const section of SECTIONS) {
    const items = rule[section];
    if (items !== undefined) out[section] = items.map((item) => emitRuleItem(item, section, options));
  }
  if (rule.enableDefaultDeny !== undefined) out.enableDefaultDeny = clone(rule.enableDefaultDeny);
  if (rule.log !== undefined) out.log = clone(rule.log);
  if (rule.labels !== undefined) out.labels = clone(rule.labels);
  return out;
}

/** Renders a whole CNP/CCNP manifest. */
export function emitDocument(doc: PolicyDocumentModel): JsonObject {
  const metadata: JsonObject = { name: doc.metadata.name };
  if (doc.metadata.generateName !== undefined) metadata.generateName = doc.metadata.generateName;
  if (doc.metadata.namespace !== undefined && doc.kind === 'CiliumNetworkPolicy') metadata.namespace = doc.metadata.namespace;
  if (doc.metadata.labels !== undefined) metadata.labels = { ...doc.metadata.labels };
  if (doc.metadata.annotations !== undefined) metadata.annotations = { ...doc.metadata.annotations };
  const out: JsonObject = { apiVersion: CILIUM_API_VERSION, kind: doc.kind, metadata };
  if (doc.spec !== undefined) out.spec = emitRule(doc.spec);
  if (doc.specs !== undefined) out.specs = doc.specs.map((rule) => emitRule(rule));
  return out;
}

/**
 * The copy `JSON.parse(JSON.stringify(value))` makes, without the text in between for plain data (strings, finite
 * numbers, booleans, `null`, arrays, objects of `Object.prototype`): object keys whose value is `undefined` are left
 * out, `undefined` in an array becomes `null`. Anything else (`toJSON`, other prototypes, non-finite numbers) goes
 * through JSON.
 */
function copy<T>(value: T): T {
  if (value === undefined) return value;
  const copy = jsonCopy(value);
  return (copy === NOT_JSON_PLAIN ? JSON.parse(JSON.stringify(value)) : copy) as T;
}

/** The value itself (`EmitOptions.copy: false`). */
function share<T>(value: T): T {
  return value;
}

const NOT_JSON_PLAIN: unique symbol = Symbol('not plain JSON');

function jsonCopy(value: unknown): unknown {
  if (value === null) return null;
  const type = typeof value;
  if (type === 'string' || type === 'boolean') return value;
  if (type === 'number') return Number.isFinite(value) ? value : NOT_JSON_PLAIN;
  if (type !== 'object') return NOT_JSON_PLAIN;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const copy = v === undefined ? null : jsonCopy(v);
      if (copy === NOT_JSON_PLAIN) return NOT_JSON_PLAIN;
      out[i] = copy;
    }
    return out;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_JSON_PLAIN;
  const out: JsonObject = {};
  for (const key of Object.keys(value as object)) {
    const v = (value as JsonObject)[key];
    if (v === undefined) continue;
    // JSON.parse makes a key named __proto__ an own property; so does defineProperty.
    if (key === '__proto__') return NOT_JSON_PLAIN;
    const copy = jsonCopy(v);
    if (copy === NOT_JSON_PLAIN) return NOT_JSON_PLAIN;
    out[key] = copy;
  }
  return out;
}
