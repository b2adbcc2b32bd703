// Loading and compiling the CRD schemas: the policy CRD files of a folder, the bundled folder, reading CRD files, the
// closed schema, and one ajv per CIDR format with Kubernetes' keywords; compiled files are cached process-wide.
//
// ajv and ajv-formats are loaded on first use (`require` inside functions), never at import time.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Ajv as AjvInstance, AnySchemaObject, Code, SchemaValidateFunction, ValidateFunction } from 'ajv';
import { LineCounter } from 'yaml';
import { CiliumPolicyError } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { DEFAULT_MAX_FILE_BYTES, readInputFile } from '../model/inputs';
import { listEntries } from '../model/list-items';
import { parseJsonFile } from '../model/json-duplicate-key';
import { yamlInputLimitError } from '../model/nesting-depth';
import { currentYamlValueBudget } from '../model/yaml-value-budget';
import { parseYamlStream } from '../model/yaml-stream';
import { compileRe2 } from '../model/re2';
import { CidrFormat, isGoCidr } from './cidr-format';
import { show } from './crd-violations';
import { isObject as isRecord } from './walk';

/** The file names of the two policy CRDs inside a version folder, as in `pkg/k8s/apis/cilium.io/client/crds/v2/`. */
const CNP_FILE = 'ciliumnetworkpolicies.yaml';
const CCNP_FILE = 'ciliumclusterwidenetworkpolicies.yaml';

/**
 * The two policy CRD files of a folder: `<name>.yaml` as in Cilium's repository, or `<name>.json` (`kubectl get crd -o json`,
 * and the compact CRDs bundled with this package) when there is no `.yaml`.
 */
export function crdFilesIn(dir: string): string[] {
  return [CNP_FILE, CCNP_FILE].map((f) => {
    const yaml = join(dir, f);
    const json = join(dir, f.replace(/\.yaml$/, '.json'));
    return !existsSync(yaml) && existsSync(json) ? json : yaml;
  });
}

/** The folder name of the CRDs bundled with the package (`crd-schemas/v1.14/` … `v1.19/`, made by `npm run bundle-crds`). */
const BUNDLED_FOLDER = 'crd-schemas';

/** The bundled CRD folder: at the package root, two levels above `src/testing/` and three above `lib/src/testing/`. */
export function bundledRoot(): string {
  const candidates = [join(__dirname, '..', '..', BUNDLED_FOLDER), join(__dirname, '..', '..', '..', BUNDLED_FOLDER)];
  const found = candidates.find((dir) => existsSync(join(dir, `v${CiliumVersion.DEFAULT.toString()}`)));
  if (!found) {
    throw new CiliumPolicyError({
      id: 'crd-folder-not-found',
      message: `the CRD schemas bundled with cdk8s-cilium are missing (looked in ${candidates.join(', ')})`,
      fix: 'reinstall cdk8s-cilium; in a clone of the project, run `npm run bundle-crds`',
    });
  }
  return found;
}

/** The CRD version whose schema is used when a CRD serves several. */
const PREFERRED_VERSION = 'v2';

/** A compiled schema for one kind. */
export interface CompiledKind {
  /** The `apiVersion` manifests of this kind must have, e.g. `cilium.io/v2`. */
  readonly apiVersion: string;
  /** The ajv validator of the closed schema. */
  readonly validate: ValidateFunction;
}

interface CacheEntry {
  readonly mtimeMs: number;
  readonly size: number;
  readonly kinds: Map<string, CompiledKind>;
  /** The YAML values of the file as the reader counts them (`yamlInputLimitError`), charged to a run that uses it. */
  readonly values: number;
  release(): void;
}

/** Compiled CRD files, keyed by `format \0 absolute path`; an entry is replaced when its file's mtime or size changes. */
const COMPILED = new Map<string, CacheEntry>();
let compileCount = 0;

/**
 * Where validators compiled by another process are kept, for the project's test run: its workers compile each CRD file
 * once per run, not once per worker.
 * @internal
 */
export interface _PrecompiledStore {
  /**
   * The validators of `file` (as it is now: same modification time and size) printed by the process that compiled it;
   * `undefined` when none are kept yet, `null` when the store does not keep this file.
   */
  get(file: string, format: CidrFormat): string | null | undefined;
  /** Keeps the validators of `file` that this process compiled and printed after `get` gave `undefined`. */
  put(file: string, format: CidrFormat, text: string): void;
  /** Says that this process will not `put` the validators of `file` after `get` gave `undefined` (its compile failed). */
  abandon?(file: string, format: CidrFormat): void;
}

let store: _PrecompiledStore | undefined;

/**
 * Sets (or, with `undefined`, removes) the store of precompiled validators that `compiledFile` asks before it compiles
 * a file. Nothing in the package sets it.
 * @returns the store set before
 * @internal
 */
export function _usePrecompiled(next: _PrecompiledStore | undefined): _PrecompiledStore | undefined {
  const previous = store;
  store = next;
  return previous;
}

/** How many CRD files have been compiled (or loaded precompiled) into the cache in this process. */
export function compiledFileCount(): number {
  return compileCount;
}

/** Empties the cache of compiled files and releases their schemas. */
export function clearCompiledFiles(): void {
  for (const entry of COMPILED.values()) entry.release();
  COMPILED.clear();
}

/**
 * The compiled schemas of a CRD file, from the cache while the file is unchanged.
 * @param charge whether its YAML values are charged to the budget of the run it is read for (`yaml-value-budget.ts`): once
 * per run for each CRD file the user gave (`crdFiles`, `--crd`), before it is parsed (from the cache when it is unchanged)
 * @throws CiliumPolicyError (`input-values-budget`) when, charged, it takes its run past the run's limit of values
 */
export function compiledFile(file: string, format: CidrFormat, charge = false): Map<string, CompiledKind> {
  const stat = statSync(file);
  const key = `${format}\0${file}`;
  const cached = COMPILED.get(key);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) {
    if (charge) currentYamlValueBudget()?.charge(cached.values, file);
    return cached.kinds;
  }
  // Out of the cache before its schemas are released: a compile or a charge that throws below leaves no released entry.
  if (cached) {
    COMPILED.delete(key);
    cached.release();
  }

  const kept = store?.get(file, format);
  // A file the store keeps is compiled on the instance that keeps the code (`code.source`, nothing else differs) and printed.
  const ajv = ajvFor(format, kept === undefined && store !== undefined);
  const kinds = new Map<string, CompiledKind>();
  const schemas: AnySchemaObject[] = [];
  const counted = { values: 0 };
  const chargeValues = (values: number): void => {
    counted.values = values;
    if (charge) currentYamlValueBudget()?.charge(values, file);
  };
  if (typeof kept === 'string') {
    // Precompiled elsewhere: the file is read here only to count (and charge) its values.
    crdFileText(file, chargeValues);
    for (const [kind, compiled] of loadStandalone(kept, ajv)) kinds.set(kind, compiled);
  } else {
    try {
      for (const crd of preparedCrds(file, ajv, chargeValues)) {
        schemas.push(crd.schema);
        kinds.set(crd.kind, { apiVersion: crd.apiVersion, validate: compileKind(ajv, crd, file) });
      }
      if (kept === undefined && store) store.put(file, format, printValidators(ajv, kinds));
    } catch (e) {
      if (kept === undefined) store?.abandon?.(file, format);
      throw e;
    }
  }
  compileCount++;
  COMPILED.set(key, {
    mtimeMs: stat.mtimeMs,
    size: stat.size,
    kinds,
    values: counted.values,
    release: () => schemas.forEach((s) => ajv.removeSchema(s)),
  });
  return kinds;
}

/** The CRDs of a file with their schemas closed and shared, and the unknown formats they name known to `ajv`. */
function preparedCrds(file: string, ajv: AjvInstance, counted: (values: number) => void): CrdDocument[] {
  return readCrds(file, counted).map((crd) => {
    const schema = shareSubschemas(closeSchema(crd.schema));
    ignoreUnknownFormats(ajv, schema);
    return { ...crd, schema };
  });
}

function compileKind(ajv: AjvInstance, crd: CrdDocument, file: string): ValidateFunction {
  try {
    return ajv.compile(crd.schema);
  } catch (e) {
    throw new CiliumPolicyError({
      id: 'crd-schema-invalid',
      message: `the ${crd.kind} schema in ${file} does not compile: ${(e as Error).message}`,
      fix: 'check that the file is an unmodified apiextensions.k8s.io/v1 CustomResourceDefinition',
    });
  }
}

/** The validators of one CRD file as `printValidators` prints them. */
interface StandaloneFile {
  readonly kinds: ReadonlyArray<{ readonly kind: string; readonly apiVersion: string; readonly code: string }>;
}

/**
 * The validators of a CRD file as text, for another process to load (`_PrecompiledStore`): ajv's standalone code of each
 * kind, compiled on the `code.source` instance `ajv`. The functions the validators call that ajv cannot print (the formats,
 * the Kubernetes keywords, the RE2 pattern constructor) are read at load time from the loading process's own ajv.
 */
function printValidators(ajv: AjvInstance, kinds: Map<string, CompiledKind>): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone')).default;
  nameExternals(ajv);
  const printed: StandaloneFile = {
    kinds: [...kinds].map(([kind, { apiVersion, validate }]) => ({ kind, apiVersion, code: standaloneCode(ajv, validate) })),
  };
  return JSON.stringify(printed);
}

/** What the standalone code reads from the loading process (`ext` in the printed code). */
interface Externals {
  readonly formats: Record<string, unknown>;
  readonly keywords: Record<string, unknown>;
  readonly regExp: unknown;
}

function externalsOf(ajv: AjvInstance): Externals {
  const keywords: Record<string, unknown> = {};
  for (const [keyword, rule] of Object.entries(ajv.RULES.all)) {
    if (typeof rule === 'object' && 'validate' in rule.definition && rule.definition.validate) keywords[keyword] = rule.definition.validate;
  }
  return { formats: { ...ajv.formats }, keywords, regExp: ajv.opts.code.regExp };
}

/** Gives each value of the source instance's scope that is one of the externals the code that reads it from `ext`. */
function nameExternals(ajv: AjvInstance): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { _ } = require('ajv') as typeof import('ajv');
  const ext = externalsOf(ajv);
  const codes = new Map<unknown, Code>();
  for (const [name, format] of Object.entries(ext.formats)) if (typeof format !== 'boolean') codes.set(format, _`ext.formats[${name}]`);
  for (const [name, validate] of Object.entries(ext.keywords)) codes.set(validate, _`ext.keywords[${name}]`);
  codes.set(ext.regExp, _`ext.regExp`);
  type ScopeName = { value?: { ref: unknown; code?: unknown } };
  const values = (ajv.scope as unknown as { _values: Record<string, Map<unknown, ScopeName> | undefined> })._values;
  for (const names of Object.values(values)) {
    for (const name of names?.values() ?? []) {
      const code = name.value && codes.get(name.value.ref);
      if (name.value && code) name.value.code = code;
    }
  }
}

/** Loads what `printValidators` printed, with `ajv`'s formats, keywords and pattern constructor. */
function loadStandalone(text: string, ajv: AjvInstance): Map<string, CompiledKind> {
  const printed = JSON.parse(text) as StandaloneFile;
  const ext = externalsOf(ajv);
  const kinds = new Map<string, CompiledKind>();
  for (const { kind, apiVersion, code } of printed.kinds) {
    const module = { exports: {} as { default?: ValidateFunction } };
    // The module ajv printed (`module.exports = validate`), evaluated as ajv evaluates its own compiled code.
    new Function('ext', 'self', 'require', 'module', 'exports', code)(ext, ajv, require, module, module.exports);
    const validate = module.exports.default;
    if (!validate) throw new Error(`precompiled ${kind} validator exports no function`);
    kinds.set(kind, { apiVersion, validate });
  }
  return kinds;
}

interface CrdDocument {
  readonly kind: string;
  readonly apiVersion: string;
  readonly schema: AnySchemaObject;
}

/**
 * The text of a CRD file as the one input reader reads it (regular files only, size limit, UTF-8 text), within the limits
 * of every YAML input (depth, documents, values); `counted` is given its values before anything parses it.
 */
function crdFileText(file: string, counted: (values: number) => void): string {
  const read = readInputFile(file, DEFAULT_MAX_FILE_BYTES);
  if (read.problem) {
    throw new CiliumPolicyError({ id: 'crd-file-invalid', message: `CRD file ${file}: ${read.problem.message}`, fix: 'pass a readable CRD file, e.g. saved with kubectl get crd ciliumnetworkpolicies.cilium.io -o yaml > cnp-crd.yaml' });
  }
  const text = read.text ?? '';
  const values = { values: 0 };
  const deep = yamlInputLimitError(text, values);
  if (deep) throw new CiliumPolicyError({ id: 'crd-file-invalid', message: `CRD file ${file}: ${deep.message}`, fix: 'pass an unmodified CRD file' });
  counted(values.values);
  return text;
}

/** The CRDs in a YAML/JSON file: plain documents, multi-document streams and `kind: List` wrappers. */
function readCrds(file: string, counted: (values: number) => void): CrdDocument[] {
  const text = crdFileText(file, counted);
  const crds: CrdDocument[] = [];
  const visit = (obj: unknown): void => {
    // The objects of a List as every reader reads them (`listEntries`).
    for (const { value } of listEntries(obj).entries) if (value.kind === 'CustomResourceDefinition') crds.push(crdSchema(value, file));
  };
  // JSON (the bundled CRDs, `kubectl get crd -o json`) is read with JSON.parse, several times faster than the YAML parser.
  const json = file.endsWith('.json') ? parseJson(text, file) : undefined;
  if (json !== undefined) {
    visit(json);
  } else {
    // With a line counter, a key written twice is named at its line, as other YAML errors are.
    for (const doc of parseYamlStream(text, { lineCounter: new LineCounter() })) {
      if (doc.errors.length > 0) {
        throw new CiliumPolicyError({
          id: 'crd-file-invalid',
          message: `${file} is not valid YAML: ${doc.errors[0].message}`,
          fix: 'pass a CRD file as written by `kubectl get crd <name> -o yaml`',
        });
      }
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount: 1000 });
      } catch (e) {
        // An alias bomb: the YAML library refuses to expand it (its message only, no file).
        throw new CiliumPolicyError({
          id: 'crd-file-invalid',
          message: `${file} is not a CRD file the validator reads: ${e instanceof Error ? e.message : String(e)}`,
          fix: 'pass a CRD file as written by `kubectl get crd <name> -o yaml` (without YAML aliases expanding to thousands of nodes)',
        });
      }
      visit(value);
    }
  }
  if (crds.length === 0) {
    throw new CiliumPolicyError({
      id: 'crd-file-invalid',
      message: `${file} holds no CustomResourceDefinition`,
      fix: 'pass a CRD file such as ciliumnetworkpolicies.yaml from cilium/cilium pkg/k8s/apis/cilium.io/client/crds/v2/',
    });
  }
  return crds;
}

/**
 * The value of a JSON text, or `undefined` when it is not JSON (the YAML reader then says what is wrong, at the line).
 * A key written twice in one object is refused (`crd-file-invalid`) at its line and column: `JSON.parse` would keep
 * the last value silently.
 */
function parseJson(text: string, file: string): unknown {
  return parseJsonFile(text, file, ({ message, fix }) => new CiliumPolicyError({ id: 'crd-file-invalid', message: `CRD file ${message}`, fix }));
}

function crdSchema(crd: Record<string, unknown>, file: string): CrdDocument {
  const spec = isRecord(crd.spec) ? crd.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
  const version = versions.find((v) => v.name === PREFERRED_VERSION) ?? versions.find((v) => v.storage === true) ?? versions[0];
  const schema = isRecord(version?.schema) ? version.schema.openAPIV3Schema : undefined;
  if (typeof names.kind !== 'string' || typeof spec.group !== 'string' || !version || !isRecord(schema)) {
    const name = isRecord(crd.metadata) ? String(crd.metadata.name) : '(unnamed)';
    throw new CiliumPolicyError({
      id: 'crd-file-invalid',
      message: `CRD ${name} in ${file} has no spec.names.kind, spec.group or spec.versions[].schema.openAPIV3Schema`,
      fix: 'pass an apiextensions.k8s.io/v1 CustomResourceDefinition',
    });
  }
  return { kind: names.kind, apiVersion: `${spec.group}/${String(version.name)}`, schema };
}

/**
 * Makes a structural schema reject unknown fields as kubectl's strict field validation does: every `type: object` with
 * `properties`, without `additionalProperties` and without `x-kubernetes-preserve-unknown-fields`, gets
 * `additionalProperties: false`. Objects without properties (`metadata`, label maps) stay open.
 * Mutates and returns `schema`.
 */
function closeSchema(schema: AnySchemaObject): AnySchemaObject {
  forEachSchemaNode(schema, (node) => {
    if (node.type === 'object' && isRecord(node.properties) && node.additionalProperties === undefined
      && node['x-kubernetes-preserve-unknown-fields'] !== true) {
      node.additionalProperties = false;
    }
  });
  return schema;
}

/** Subschemas at least this long (as JSON) that occur more than once are compiled once and referenced. */
const SHARED_MIN_LENGTH = 400;

/**
 * Compiles each large repeated subschema once: the policy CRDs repeat the rule schema (`spec` and `specs[]`), the
 * `toPorts` schema and the label selector (32 times), and ajv compiles every copy again (seconds for one CRD). Each
 * repeated subtree of at least `SHARED_MIN_LENGTH` characters moves to `definitions` and is replaced by a `$ref` (ajv,
 * with `inlineRefs: false`, compiles a referenced schema to one function). What is valid does not change; the instance
 * paths of errors do not either. Mutates and returns `schema`.
 */
function shareSubschemas(schema: AnySchemaObject): AnySchemaObject {
  const counts = new Map<string, number>();
  forEachSchemaNode(schema, (node) => {
    const key = JSON.stringify(node);
    if (key.length >= SHARED_MIN_LENGTH) counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  const definitions: Record<string, AnySchemaObject> = {};
  const names = new Map<string, string>();
  const share = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(share);
    if (!isRecord(node)) return node;
    const key = JSON.stringify(node);
    if ((counts.get(key) ?? 0) > 1 && node !== schema) {
      let name = names.get(key);
      if (name === undefined) {
        name = `shared${names.size}`;
        names.set(key, name);
        definitions[name] = shareChildren(node);
      }
      return { $ref: `#/definitions/${name}` };
    }
    return shareChildren(node);
  };
  const shareChildren = (node: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...node };
    if (isRecord(node.properties)) out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, share(v)]));
    for (const key of ['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'not']) {
      if (node[key] !== undefined) out[key] = share(node[key]);
    }
    return out;
  };
  const shared = shareChildren(schema);
  return names.size === 0 ? schema : { ...shared, definitions };
}

/** Walks a schema and calls `fn` on every schema node (properties, items, additionalProperties, combinators). */
function forEachSchemaNode(schema: unknown, fn: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(schema)) {
    schema.forEach((s) => forEachSchemaNode(s, fn));
    return;
  }
  if (!isRecord(schema)) return;
  fn(schema);
  if (isRecord(schema.properties)) Object.values(schema.properties).forEach((s) => forEachSchemaNode(s, fn));
  for (const key of ['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'not']) forEachSchemaNode(schema[key], fn);
}

/** kube-apiserver ignores string formats it does not know; ajv (strict) would refuse to compile them. */
function ignoreUnknownFormats(ajv: AjvInstance, schema: AnySchemaObject): void {
  forEachSchemaNode(schema, (node) => {
    if (typeof node.format === 'string' && !ajv.formats[node.format]) ajv.addFormat(node.format, true);
  });
}

const AJV_BY_FORMAT = new Map<string, AjvInstance>();

/**
 * One ajv instance per CIDR mode, set up as kube-apiserver validates CRDs.
 * @param source keep the code of each compiled function (ajv's `code.source`) to print it: an instance of its own
 */
function ajvFor(format: CidrFormat, source = false): AjvInstance {
  const instanceKey = `${format}${source ? ' source' : ''}`;
  const existing = AJV_BY_FORMAT.get(instanceKey);
  if (existing) return existing;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Ajv } = require('ajv') as typeof import('ajv');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  // The CRD `pattern`s are Go RE2 (the API server's regexp package): run them with the one RE2 engine, in linear time
  // (a backtracking engine takes exponential time on `([chars]+[.]?)+` against a long invalid name).
  const goRegExp = Object.assign((pattern: string) => {
    const r = compileRe2(pattern);
    if (!r.ok) throw new Error(`invalid pattern ${pattern}: ${r.error}`);
    return r.pattern;
  }, { code: 'goRegExp' });
  // `optimize: false`: ajv's pass over the generated code (dropping unused names, folding constants) costs about a tenth of
  // a CRD file's compile and gives no faster validator here (the same CPU per validation, measured); the code is 8% longer.
  const ajv = new Ajv({
    allErrors: true, strict: true, strictTypes: false, verbose: true, inlineRefs: false, code: { regExp: goRegExp, source, optimize: false },
  });
  // Annotations the API server interprets structurally; as keywords here they only need to be known.
  ajv.addVocabulary(['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-embedded-resource',
    'x-kubernetes-list-map-keys', 'x-kubernetes-map-type']);
  ajv.addKeyword({ keyword: 'x-kubernetes-list-type', schemaType: 'string', errors: true, validate: validateListType });
  ajv.addKeyword({ keyword: 'x-kubernetes-validations', schemaType: 'array', errors: true, validate: validateCel });
  addFormats(ajv, ['date-time', 'int32', 'int64']);
  ajv.addFormat('cidr', { type: 'string', validate: (s: string) => isGoCidr(s, format) });
  // kube-apiserver does not validate idn-hostname (not in its format registry), so neither do we: HTTP `host` is a regex there.
  ajv.addFormat('idn-hostname', true);
  AJV_BY_FORMAT.set(instanceKey, ajv);
  return ajv;
}

/**
 * `x-kubernetes-list-type`: `set` items must be unique, `map` items unique by `x-kubernetes-list-map-keys`; the API server
 * rejects duplicates with "Duplicate value".
 */
const validateListType: SchemaValidateFunction = (listType: string, data: unknown, parentSchema, cxt) => {
  validateListType.errors = [];
  if (!Array.isArray(data) || (listType !== 'set' && listType !== 'map')) return true;
  const keys: string[] = listType === 'map' && Array.isArray(parentSchema?.['x-kubernetes-list-map-keys'])
    ? parentSchema['x-kubernetes-list-map-keys'] : [];
  const seen = new Map<string, number>();
  data.forEach((item, index) => {
    const identity = JSON.stringify(listType === 'set' ? item : keys.map((k) => (isRecord(item) ? item[k] : undefined)));
    const first = seen.get(identity);
    if (first === undefined) {
      seen.set(identity, index);
      return;
    }
    validateListType.errors?.push({
      keyword: 'x-kubernetes-list-type',
      instancePath: `${cxt?.instancePath ?? ''}/${index}`,
      params: { listType, duplicateOf: first },
      message: listType === 'set'
        ? `duplicate value ${show(item)} (same as item ${first}; the list is a set)`
        : `duplicate entry for key ${keys.join(', ')} (same as item ${first})`,
    });
  });
  return validateListType.errors.length === 0;
};

/** A CEL rule of `x-kubernetes-validations`. */
interface CelRule {
  readonly rule?: string;
  readonly message?: string;
}

/**
 * The CEL rules of `x-kubernetes-validations` that this helper can evaluate: presence disjunctions such as
 * `has(self.spec) || has(self.specs)` (the one rule in Cilium's policy CRDs, on `main`). Other rules are not evaluated.
 */
const validateCel: SchemaValidateFunction = (rules: CelRule[], data: unknown) => {
  validateCel.errors = [];
  for (const rule of rules) {
    const text = rule.rule?.trim() ?? '';
    if (!/^has\(self\.\w+\)(\s*\|\|\s*has\(self\.\w+\))*$/.test(text) || !isRecord(data)) continue;
    const fields = [...text.matchAll(/has\(self\.(\w+)\)/g)].map((m) => m[1]);
    if (!fields.some((f) => data[f] !== undefined)) {
      validateCel.errors.push({
        keyword: 'x-kubernetes-validations',
        params: { rule: text },
        message: rule.message ?? `failed rule: ${text}`,
      });
    }
  }
  return validateCel.errors.length === 0;
};
