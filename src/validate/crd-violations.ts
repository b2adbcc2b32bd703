// ajv errors → CRD violations: readable field paths and messages, `oneOf`/`anyOf` noise summarised, deepest paths first.
import type { ErrorObject } from 'ajv';
import { editDistance } from '../model/edit-distance';
import { isObject as isRecord } from './walk';

/** One way a manifest does not fit its CRD schema. */
export interface CrdViolation {
  /**
   * Where in the manifest, as a field path such as `spec.ingress[0].toPorts[0].ports[0].port`. For an unknown or a missing
   * field the path names that field (`spec.egress[0].toFQDN`). The empty string means the whole object.
   */
  readonly path: string;
  /** What is wrong, prefixed with the path, e.g. `spec.egress[0].toFQDN: unknown field "toFQDN" (did you mean "toFQDNs"?)`. */
  readonly message: string;
  /**
   * The schema keyword that failed (`additionalProperties` for an unknown field, `required`, `pattern`, `enum`, `format`, `type`,
   * `oneOf`, `anyOf`, `maxItems`, `x-kubernetes-validations`, `x-kubernetes-list-type`, …), or `crd` for a check around the
   * schema (no schema loaded for the kind, wrong `apiVersion`).
   */
  readonly keyword: string;
}

/** Turns ajv's errors into violations: readable paths and messages, `oneOf`/`anyOf` noise summarised, deepest paths first. */
export function toViolations(errors: ErrorObject[], root: unknown): CrdViolation[] {
  const dropped = new Set<ErrorObject>();
  const summaries = new Map<ErrorObject, string>();
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') continue;
    const subs = errors.filter((x) => x !== e && x.schemaPath.startsWith(`${e.schemaPath}/`)
      && (x.instancePath === e.instancePath || x.instancePath.startsWith(`${e.instancePath}/`)));
    const summary = summariseCombinator(e);
    if (summary) {
      summaries.set(e, summary);
      subs.forEach((x) => dropped.add(x));
    }
  }

  const violations: { v: CrdViolation; depth: number }[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (dropped.has(e)) continue;
    const segments = pointerSegments(e.instancePath);
    let message = summaries.get(e) ?? describeError(e);
    if (e.keyword === 'additionalProperties') segments.push(String(e.params.additionalProperty));
    if (e.keyword === 'required') segments.push(String(e.params.missingProperty));
    const path = formatPath(segments, root);
    message = `${path || '(root)'}: ${message}`;
    if (seen.has(message)) continue;
    seen.add(message);
    violations.push({ v: { path, message, keyword: e.keyword }, depth: segments.length });
  }
  return violations.sort((a, b) => b.depth - a.depth).map((x) => x.v);
}

/** One line for a `oneOf`/`anyOf` whose branches only require fields or only name types; `undefined` for other shapes. */
function summariseCombinator(e: ErrorObject): string | undefined {
  const branches: unknown = e.parentSchema?.[e.keyword];
  if (!Array.isArray(branches) || branches.length === 0 || !branches.every(isRecord)) return undefined;
  const data = e.data;
  if (branches.every(isPresenceBranch)) {
    const options = branches.map((b) => (b.required as string[]).join(' and '));
    const present = options.filter((_o, i) => (branches[i].required as string[]).every((f) => isRecord(data) && data[f] !== undefined));
    if (e.keyword === 'anyOf') return `must set at least one of: ${options.join(', ')}`;
    return present.length > 1
      ? `must set only one of: ${options.join(', ')} (found ${present.join(', ')})`
      : `must set exactly one of: ${options.join(', ')}`;
  }
  if (branches.every((b) => Object.keys(b).length === 1 && typeof b.type === 'string')) {
    return `must be ${branches.map((b) => b.type as string).join(' or ')} (got ${typeName(data)} ${show(data)})`;
  }
  return undefined;
}

/** A branch like `{ properties: { nodeSelector: {} }, required: ['nodeSelector'] }`: it only asks for fields to be present. */
function isPresenceBranch(branch: Record<string, unknown>): boolean {
  return Array.isArray(branch.required)
    && Object.keys(branch).every((k) => ['required', 'properties', 'description'].includes(k))
    && (branch.properties === undefined || (isRecord(branch.properties)
      && Object.values(branch.properties).every((p) => isRecord(p) && Object.keys(p).length === 0)));
}

function describeError(e: ErrorObject): string {
  const data = e.data;
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(e.params.additionalProperty);
      const known = isRecord(e.parentSchema?.properties) ? Object.keys(e.parentSchema.properties) : [];
      const guess = closest(field, known);
      return `unknown field "${field}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
    }
    case 'required':
      return `missing required field "${String(e.params.missingProperty)}"`;
    case 'enum':
      return `must be equal to one of the allowed values: ${(e.params.allowedValues as unknown[]).map(String).join(', ')} (got ${show(data)})`;
    case 'type':
      return `must be ${String(e.params.type)} (got ${typeName(data)} ${show(data)})`;
    case 'format':
      if (e.params.format === 'cidr' && typeof data === 'string' && !data.includes('/')) {
        return `must match format "cidr" (got ${show(data)}; a CIDR needs a prefix length, e.g. "${data}/${data.includes(':') ? 128 : 32}")`;
      }
      return `${e.message ?? 'is invalid'} (got ${show(data)})`;
    case 'pattern':
    case 'maximum':
    case 'minimum':
    case 'maxLength':
    case 'minLength':
      return `${e.message ?? 'is invalid'} (got ${show(data)})`;
    case 'maxItems':
    case 'minItems':
      return `${e.message ?? 'is invalid'} (got ${Array.isArray(data) ? data.length : show(data)})`;
    default:
      return e.message ?? `fails ${e.keyword}`;
  }
}

/** The property names of a JSON pointer (`/spec/ingress/0` → `['spec', 'ingress', '0']`). */
function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `spec.ingress[0].toPorts`, with `["key"]` for map keys that are not plain names (`matchLabels["app.kubernetes.io/name"]`). */
function formatPath(segments: string[], root: unknown): string {
  let out = '';
  let node: unknown = root;
  for (const segment of segments) {
    if (Array.isArray(node) && /^\d+$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
    node = isRecord(node) || Array.isArray(node) ? (node as Record<string, unknown>)[segment] : undefined;
  }
  return out;
}

/** The known name closest to `name` (case-insensitive match, or edit distance ≤ 2 and less than half the name). */
function closest(name: string, known: string[]): string | undefined {
  const lower = name.toLowerCase();
  const exact = known.find((k) => k.toLowerCase() === lower);
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase(), 2);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= 2 && bestDistance < name.length / 2 ? best : undefined;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A short rendering of a value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  if (isRecord(value)) return '{…}';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…"` : text;
}
