/**
 * Reads one policy object (or raw rule) against the wire schema into the model: every known field with its wire value,
 * `undefined` vs `[]` vs `[{}]` kept as written, and everything it cannot represent (unknown fields, wrong types, nulls,
 * YAML 1.1 ambiguities) reported as a pending diagnostic with its path.
 */
import { Severity } from '../core/errors';
import { nearestName } from './edit-distance';
import { fieldName, formatPath, parsePath, Segment } from './json-path';
import { ParseDiagnosticId } from './parse-diagnostic-id';
import { yaml11BooleanNote } from './go-yaml';
import { describeValue, isPlainObject } from './plain-value';
import { nameMissing, nameNotString } from './object-names';
import { CILIUM_API_VERSION, PolicyDocumentModel, PolicyKind, PolicyMetadataModel, RuleModel } from './policy-model';
import { arr, DOCUMENT_HINTS, IGNORED_METADATA_FIELDS, METADATA_FIELD_SPECS, METADATA_FIELDS, RULE, ScalarSpec, SELECTOR, Spec } from './wire-schema';
import { YamlSource } from './yaml-source';
import { pushAll } from './push-all';
import { DiagnosticBudget, OmittedDiagnostics, OmittedTally } from './diagnostic-budget';
import { unquotedNumberFix } from './unquoted-numbers';
import { nullMapValuesAsEmpty, nullStoredAsEmptyMessage } from './null-map-values';

/** A diagnostic of the reader, before its source position is known. */
export interface PendingDiagnostic {
  readonly id: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fix?: string;
  readonly path: readonly Segment[];
  /** Point at the key of the last path segment instead of its value (unknown fields). */
  readonly atKey?: boolean;
}

/**
 * A JSON path as the reader passes it down: a list of segments, or a parent path and one more segment. The list is
 * made (`segments`) only when something needs it (a diagnostic, a source position), not for every value read.
 */
export type ReaderPath = readonly Segment[] | { readonly parent: ReaderPath; readonly segment: Segment };

/** `path` as a list of segments. */
function segments(path: ReaderPath): readonly Segment[] {
  if (Array.isArray(path)) return path as readonly Segment[];
  const out: Segment[] = [];
  let p: ReaderPath = path;
  while (!Array.isArray(p)) {
    const child = p as { readonly parent: ReaderPath; readonly segment: Segment };
    out.push(child.segment);
    p = child.parent;
  }
  pushAll(out, [...(p as readonly Segment[])].reverse());
  return out.reverse();
}

/** `path` and one more segment. */
function child(path: ReaderPath, segment: Segment): ReaderPath {
  return { parent: path, segment };
}

/** Reads policy objects against the wire schema, collecting diagnostics. */
export class Reader {
  /** What was found, in reading order. */
  public readonly diagnostics: PendingDiagnostic[] = [];

  /**
   * For each list (by its path as written) from which entries were left out: the written index of each entry kept, in
   * model order. Empty when nothing was left out (the usual case).
   */
  private readonly keptIndices = new Map<string, readonly number[]>();

  /** The kind of the document read (`readDocument`); unset for raw rules. */
  private kind: PolicyKind | undefined;
  /** While a label selector that its null values leave empty is read: what `{}` selects there (`selectorScope`). */
  private emptiedSelector: string | undefined;

  /** The ids this reader (one document) reported: its first of each is listed whatever the file's budget. */
  private readonly reportedIds = new Set<string>();
  /** This document's diagnostics the file's budget left out. */
  private readonly leftOut = new OmittedTally();

  /** The diagnostics of this document the file's budget left out, by id. */
  public get omitted(): readonly OmittedDiagnostics[] {
    return this.leftOut.list();
  }

  /** The file's cap (the one a summary of `omitted` names). */
  public get maxPerId(): number | undefined {
    return this.budget?.max;
  }

  /** @param budget the file's cap on diagnostics of one id (default: every one listed) */
  constructor(private readonly source: YamlSource | undefined, private readonly budget?: DiagnosticBudget) {}

  /** Records a diagnostic at `path` (at its key when `atKey`), unless the file's budget leaves it out (it is counted). */
  public report(id: string, severity: Severity, path: ReaderPath, message: string, fix?: string, atKey?: boolean): void {
    const first = !this.reportedIds.has(id);
    this.reportedIds.add(id);
    if (this.budget && !this.budget.admit(id, severity, first)) {
      // Counted, and where (`OmittedDiagnostics.paths`): what it says is said there all the same.
      this.leftOut.add(id, severity, formatPath(segments(path)));
      return;
    }
    this.diagnostics.push({ id, severity, path: segments(path), message, fix, atKey });
  }

  /** Records a value of the wrong JSON type, which is left out. */
  public wrongType(value: unknown, expected: string, path: ReaderPath): void {
    const name = fieldName(segments(path));
    const wrap = expected.startsWith('a list') && isPlainObject(value) ? ' (wrap the mapping in a list: start it with "- ")' : '';
    this.report(ParseDiagnosticId.WRONG_TYPE, Severity.ERROR, path, `${name} must be ${expected}, got ${describeValue(value)}; it is left out`,
      `write ${name} as ${expected}${wrap}`);
  }

  /**
   * A number or boolean where the CRD wants a string: the API server rejects it, but dropping it could broaden the
   * policy (an HTTP rule without its path, a selector without a label), so it is kept as its source text.
   */
  private scalarAsString(value: number | boolean, path: ReaderPath): string {
    return this.notString(value, path, (text) => `the API server rejects it (read here as the string ${JSON.stringify(text)})`);
  }

  /**
   * Reports a number or boolean where a string is wanted (`parse-wrong-type`, error), named as written with its YAML 1.1
   * note, fix `quote it: "NO"`: the one wording of a scalar that is no string, for policies and for the label and
   * annotation values of the other manifests of the input (`nonStringMetadataValues`), where a list or a mapping is
   * reported alike (fix: one string).
   * @param consequence what follows, from the text as written
   * @returns the text as written
   */
  public notString(value: unknown, path: ReaderPath, consequence: (text: string) => string): string {
    const name = fieldName(segments(path));
    if (typeof value !== 'number' && typeof value !== 'boolean') {
      this.report(ParseDiagnosticId.WRONG_TYPE, Severity.ERROR, path, `${name} must be a string, got ${describeValue(value)}; ${consequence('')}`,
        `write ${name} as one string`);
      return '';
    }
    const text = this.source?.plainText(segments(path)) ?? String(value);
    // `on`, `yes`: a YAML 1.1 boolean to every tool that applies the manifest (the stream's `parse-yaml11-ambiguous`).
    const note = typeof value === 'boolean' ? yaml11BooleanNote(value, text) : undefined;
    const yaml11 = note === undefined ? '' : ` (${note})`;
    this.report(ParseDiagnosticId.WRONG_TYPE, Severity.ERROR, path, `${name} must be a string, got ${describeValue(value)}${yaml11}; ${consequence(text)}`,
      `quote it: "${text}"`);
    return text;
  }

  /**
   * Reports labels, annotations or a selector written as no mapping (`labels: "app=web"`, a list): `parse-wrong-type`,
   * error; Go cannot decode it into the map or struct the API wants, so the object is refused.
   * @param expected what it must be, with an example (`a mapping of strings (app: web)`)
   * @param consequence what follows
   */
  public notMapping(value: unknown, path: ReaderPath, expected: string, consequence: string): void {
    const name = fieldName(segments(path));
    this.report(ParseDiagnosticId.WRONG_TYPE, Severity.ERROR, path, `${name} must be ${expected}, got ${describeValue(value)}; ${consequence}`,
      `write ${name} as ${expected}`);
  }

  /**
   * Reports a string of a cdk8s construct that cdk8s writes without quotes and Go reads as `number` (`parse-wrong-type`,
   * error, as `notString` for the file it writes), fix as `yaml-unquoted-number`'s (`unquotedNumberFix`).
   */
  public writtenAsNumber(text: string, number: number, path: ReaderPath, consequence: string): void {
    const name = fieldName(segments(path));
    this.report(ParseDiagnosticId.WRONG_TYPE, Severity.ERROR, path, `${name} must be a string, got a number (${number}): cdk8s writes `
      + `${JSON.stringify(text)} without quotes and kubectl, Helm, Argo CD and Flux (Go's YAML readers) read it as the number ${number}; ${consequence}`,
    unquotedNumberFix(text));
  }

  /** Reads a CNP/CCNP object (its `kind` already checked) into the model. */
  public readDocument(value: Record<string, unknown>, kind: PolicyKind): PolicyDocumentModel {
    if (value.apiVersion !== CILIUM_API_VERSION) {
      this.report(ParseDiagnosticId.API_VERSION, Severity.ERROR, value.apiVersion === undefined ? [] : ['apiVersion'],
        value.apiVersion === undefined
          ? `apiVersion is missing`
          : `apiVersion is ${JSON.stringify(value.apiVersion)}, but ${kind} is served only as ${CILIUM_API_VERSION}`,
        `set apiVersion: ${CILIUM_API_VERSION}`);
    }
    const known = ['apiVersion', 'kind', 'metadata', 'spec', 'specs', 'status'];
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) this.unknownField(key, known, DOCUMENT_HINTS, [key], `${kind}`);
    }
    this.kind = kind;
    const metadata = this.readMetadata(value.metadata);
    const doc: { kind: PolicyKind; metadata: PolicyMetadataModel; spec?: RuleModel; specs?: RuleModel[] } = { kind, metadata };
    if (value.spec === null) {
      this.nullValue(['spec']);
    } else if (value.spec !== undefined) {
      const spec = this.read(value.spec, RULE, ['spec']);
      if (spec !== undefined) doc.spec = spec as RuleModel;
    }
    if (value.specs === null) {
      this.nullValue(['specs']);
    } else if (value.specs !== undefined) {
      const specs = this.read(value.specs, arr(RULE), ['specs']);
      if (specs !== undefined) doc.specs = specs as RuleModel[];
    }
    return doc;
  }

  private readMetadata(value: unknown): PolicyMetadataModel {
    const out: { name: string; generateName?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = { name: '' };
    if (value === undefined || value === null) {
      this.report(ParseDiagnosticId.MISSING_NAME, Severity.ERROR, [], 'metadata.name is missing', 'add metadata: {name: <policy name>}');
      return out;
    }
    if (!isPlainObject(value)) {
      this.wrongType(value, 'a mapping', ['metadata']);
      this.report(ParseDiagnosticId.MISSING_NAME, Severity.ERROR, ['metadata'], 'metadata.name is missing', 'add metadata: {name: <policy name>}');
      return out;
    }
    for (const key of Object.keys(value)) {
      if (!METADATA_FIELDS.includes(key) && !IGNORED_METADATA_FIELDS.includes(key)) {
        this.unknownField(key, [...METADATA_FIELDS, ...IGNORED_METADATA_FIELDS], {}, ['metadata', key], 'metadata');
      }
    }
    const name = value.name === undefined || value.name === null ? undefined : this.read(value.name, 'string', ['metadata', 'name']);
    if (typeof name === 'string') out.name = name;
    // No name (or `""`) and no generateName: the API server stores no such object (`nameMissing`).
    if (nameNotString(value) === undefined && nameMissing(value)) {
      this.report(ParseDiagnosticId.MISSING_NAME, Severity.ERROR, ['metadata'], `metadata.name is ${value.name === '' ? 'empty' : 'missing'}`,
        'add metadata.name: <policy name>');
    }
    for (const [key, spec] of Object.entries(METADATA_FIELD_SPECS).filter(([k]) => k !== 'name')) {
      const v = value[key];
      if (v === undefined) continue;
      if (v === null) {
        this.nullValue(['metadata', key]);
        continue;
      }
      // A null label or annotation is the empty string, as the API server stores it (`nullMapValuesAsEmpty`), not pruned.
      const read = this.read(spec === 'stringMap' ? nullMapValuesAsEmpty(v, (k) => this.nullStoredAsEmpty(['metadata', key, k])) : v,
        spec, ['metadata', key]);
      // `namespace: ""` is no namespace: the API server gives the object the request's (kubernetes/apiserver
      // pkg/registry/rest/create.go `EnsureObjectNamespaceMatchesRequestNamespace`, `metav1.NamespaceNone`), as kubectl does.
      if (read !== undefined && !((key === 'namespace' || key === 'generateName') && read === '')) (out as Record<string, unknown>)[key] = read;
    }
    return out;
  }

  /** Reads `value` (never `undefined`) against `spec`; `undefined` means it was left out (and reported). */
  public read(value: unknown, spec: Spec, path: ReaderPath): unknown {
    if (typeof spec === 'string') return this.readScalar(value, spec, path);
    if (spec.kind === 'array') {
      if (!Array.isArray(value)) {
        this.wrongType(value, 'a list', path);
        return undefined;
      }
      return this.readList(value, (v, at) => this.read(v, spec.items, at), path);
    }
    if (!isPlainObject(value)) {
      this.wrongType(value, `a mapping (${spec.name})`, path);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    let complete = true;
    const outer = this.emptiedSelector;
    this.emptiedSelector = spec === SELECTOR && emptiedByNull(value) ? selectorScope(segments(path), this.kind) : undefined;
    for (const key of Object.keys(value)) {
      const fieldSpec = Object.prototype.hasOwnProperty.call(spec.fields, key) ? spec.fields[key] : undefined;
      if (!fieldSpec) {
        this.unknownField(key, Object.keys(spec.fields), spec.hints ?? {}, child(path, key), spec.name);
        continue;
      }
      const v = value[key];
      // Never in parsed YAML or JSON; a model built in code (`model-shape.ts`) writes `{ ingress: undefined }` for no field.
      if (v === undefined) continue;
      if (v === null) {
        this.nullValue(child(path, key));
        continue;
      }
      const r = this.read(v, fieldSpec, child(path, key));
      if (r !== undefined) out[spec.rename?.[key] ?? key] = r;
    }
    this.emptiedSelector = outer;
    for (const key of spec.required ?? []) {
      if (value[key] === undefined || value[key] === null) {
        complete = false;
        this.report(ParseDiagnosticId.MISSING_FIELD, Severity.ERROR, path, `${spec.name} has no ${key}, which is required; it is left out`,
          `add ${key}`);
      } else if (out[spec.rename?.[key] ?? key] === undefined) {
        complete = false; // present but unreadable: already reported as wrong type
      }
    }
    return complete ? out : undefined;
  }

  /**
   * Reads the entries of a list with `item`, leaving out those it cannot read and remembering the written index of each
   * entry kept (see `writtenPath`).
   */
  public readList<T>(value: readonly unknown[], item: (v: unknown, path: ReaderPath) => T | undefined, path: ReaderPath): T[] {
    const out: T[] = [];
    const kept: number[] = [];
    value.forEach((v, i) => {
      const r = item(v, child(path, i));
      if (r === undefined) return;
      out.push(r);
      kept.push(i);
    });
    if (kept.length < value.length) this.keptIndices.set(formatPath(segments(path)), kept);
    return out;
  }

  /**
   * The path as written in the source of a path into the model read (`egress[0].toServices[1]` is
   * `egress[0].toServices[2]` when the entry written first was left out): every index into a list from which entries
   * were left out is turned back into the entry's written index. Findings on the model name and locate entries with it.
   */
  public writtenPath(path: string): string {
    if (this.keptIndices.size === 0) return path;
    const parsed = parsePath(path);
    if (!parsed) return path;
    const out: Segment[] = [];
    for (const seg of parsed) {
      const kept = typeof seg === 'number' ? this.keptIndices.get(formatPath(out)) : undefined;
      out.push(kept !== undefined && typeof seg === 'number' && seg < kept.length ? kept[seg] : seg);
    }
    return formatPath(out);
  }

  private readScalar(value: unknown, spec: ScalarSpec, path: ReaderPath): unknown {
    switch (spec) {
      case 'asWritten':
        return value;
      case 'string':
        if (typeof value === 'string') return value;
        if (typeof value === 'number' || typeof value === 'boolean') return this.scalarAsString(value, path);
        this.wrongType(value, 'a string', path);
        return undefined;
      case 'boolean':
        if (typeof value === 'boolean') return value;
        this.wrongType(value, 'true or false', path);
        return undefined;
      case 'integer':
        if (typeof value === 'number' && Number.isInteger(value)) {
          this.checkYaml11Number(path);
          return value;
        }
        this.wrongType(value, 'an integer', path);
        return undefined;
      case 'intOrString':
        if (typeof value === 'string') return value;
        if (typeof value === 'number' && Number.isInteger(value)) {
          this.checkYaml11Number(path);
          return value;
        }
        this.wrongType(value, 'an integer or a string', path);
        return undefined;
      case 'port':
        if (typeof value === 'string') return value;
        if (typeof value === 'number') return this.numericPort(value, path);
        this.wrongType(value, 'a string', path);
        return undefined;
      case 'stringMap': {
        if (!isPlainObject(value)) {
          this.wrongType(value, 'a mapping of strings', path);
          return undefined;
        }
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(value)) {
          let text: string | undefined;
          // A null value of a map (`matchLabels: {app: null}`) is pruned by the API server as a null field is: every value
          // schema of Cilium's CRDs is non-nullable (apiextensions-apiserver `PruneNonNullableNullsWithoutDefaults` reads
          // a map's value schema from `additionalProperties`), so the object is stored without the key.
          if (v === null) {
            this.nullValue(child(path, k));
            continue;
          }
          if (typeof v === 'string') text = v;
          else if (typeof v === 'number' || typeof v === 'boolean') {
            text = this.scalarAsString(v, child(path, k));
          } else {
            this.wrongType(v, 'a string', child(path, k));
          }
          if (text !== undefined) Object.defineProperty(out, k, { value: text, enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
    }
  }

  private numericPort(value: number, path: ReaderPath): string {
    const text = this.source?.plainText(segments(path)) ?? String(value);
    const octal = /^[-+]?0[0-7]+$/.test(text);
    this.report(ParseDiagnosticId.PORT_NOT_STRING, Severity.ERROR, path,
      `port ${text} is written as a number; the CRD declares port as a string and the API server rejects a number` +
      (octal ? ` (and Kubernetes' YAML 1.1 parser reads ${text} as octal ${parseInt(text, 8)})` : ''),
      octal ? `quote it as a decimal string: port: "${Number(text)}" (or "${parseInt(text, 8)}" if octal was meant)` : `quote it: port: "${text}"`);
    return text;
  }

  private checkYaml11Number(path: ReaderPath): void {
    if (!this.source) return;
    const text = this.source.plainText(segments(path));
    if (text !== undefined && /^[-+]?0[0-7]+$/.test(text)) {
      // The stream is read as Kubernetes reads it (`goYamlNumbers`): the value is already the octal one.
      this.report(ParseDiagnosticId.YAML11_AMBIGUOUS, Severity.WARNING, path,
        `${text} is decimal ${Number(text.replace(/^([-+]?)0+(?=\d)/, '$1'))} in YAML 1.2 but octal ${parseInt(text, 8)} for Kubernetes (YAML 1.1), which the API server `
        + `stores; read here as ${parseInt(text, 8)}`,
        `write it without the leading zero`);
    }
  }

  /**
   * Reports a null value of a string map of a Kubernetes object that the API server stores as the empty string
   * (`nullMapValuesAsEmpty`: labels, annotations, a built-in object's selector), or a null item of a list of strings
   * (`nullListItemsAsEmpty`: a selector requirement's `values`): `parse-null-value`, warning, at its key or item. An item
   * has no key to remove, and removing it can leave `values: []`, which `In` refuses: its fix is to write the value.
   */
  public nullStoredAsEmpty(path: readonly Segment[]): void {
    const item = typeof path[path.length - 1] === 'number';
    this.report(ParseDiagnosticId.NULL_VALUE, Severity.WARNING, path, nullStoredAsEmptyMessage(formatPath(path)),
      item ? 'write the value ("" if the empty value is meant)' : 'remove the key, or write the value', true);
  }

  private nullValue(path: ReaderPath): void {
    // A selector left empty by the pruned nulls selects all: the consequence the reader of the warning must see.
    const emptied = this.emptiedSelector === undefined ? '' : `; without it the selector is empty ({}) and selects ${this.emptiedSelector}`;
    this.report(ParseDiagnosticId.NULL_VALUE, Severity.WARNING, path,
      `${fieldName(segments(path))} is null; the API server prunes null fields, so it counts as omitted${emptied}`,
      'remove the key, or write the value (an empty list [] is not the same as omitting it)', true);
  }

  private unknownField(
    key: string, known: readonly string[], hints: Readonly<Record<string, string>>, path: ReaderPath, where: string,
  ): void {
    const hinted = (k: string): string | undefined => (Object.prototype.hasOwnProperty.call(hints, k) ? hints[k] : undefined);
    let fix = hinted(key);
    if (fix === undefined) {
      const near = nearestName(key, [...known, ...Object.keys(hints)]);
      const nearHint = near === undefined ? undefined : hinted(near);
      if (near !== undefined && !known.includes(near) && nearHint !== undefined) fix = `did you mean ${near}? ${nearHint}`;
      else if (near !== undefined) fix = `did you mean ${near}?`;
      else fix = `remove it; known fields here: ${known.join(', ')}`;
    }
    this.report(ParseDiagnosticId.UNKNOWN_FIELD, Severity.ERROR, path, `unknown field ${key} in ${where}; it is left out`, fix, true);
  }
}

/**
 * Whether a label selector as written is left empty (`{}`) only by its null values, pruned: `matchLabels` is null or has a
 * null and no other value, and no `matchExpressions` entry is written.
 */
function emptiedByNull(value: Record<string, unknown>): boolean {
  const labels = value.matchLabels;
  const values = isPlainObject(labels) ? Object.values(labels) : [];
  const expressions = value.matchExpressions;
  return (labels === null || (values.length > 0 && values.every((v) => v === null)))
    && (expressions === undefined || expressions === null || (Array.isArray(expressions) && expressions.length === 0));
}

/**
 * What an empty selector at `path` selects: an endpoint selector every endpoint of the policy's namespace (of the cluster
 * in a CiliumClusterwideNetworkPolicy), as the agent scopes it (cilium pkg/k8s/apis/cilium.io/utils/utils.go
 * `getEndpointSelector`: the namespace's label is added, or for a clusterwide policy only `Exists`); a node selector every node.
 */
function selectorScope(path: readonly Segment[], kind: PolicyKind | undefined): string {
  const named = [...path].reverse().find((s): s is string => typeof s === 'string') ?? '';
  if (['nodeSelector', 'fromNodes', 'toNodes'].includes(named)) return 'every node';
  const where = kind === 'CiliumClusterwideNetworkPolicy' ? 'of the cluster' : kind === 'CiliumNetworkPolicy' ? "of the policy's namespace"
    : "of the policy's namespace (of the cluster in a clusterwide policy)";
  if (['endpointSelector', 'fromEndpoints', 'toEndpoints'].includes(named)) return `every endpoint ${where}`;
  return 'everything it can (as if the selector were written {})';
}
