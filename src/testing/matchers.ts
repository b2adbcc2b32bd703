// Test matchers over CrdSchemas, for vitest and jest (`expect.extend(ciliumMatchers)`) and for any other framework
// (`expectValidCilium`, public as `CiliumTesting`). Nothing here imports a test framework: `cdk8s-cilium/vitest` and
// `cdk8s-cilium/jest` (src/vitest.mts, src/jest.ts) register these matchers and the engine's, declare their types and
// export the matcher objects (TypeScript only, not part of the jsii API).
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { CrdSchemas, CrdVersionRoot, CrdViolation, ICrdSchemaSource } from '../validate/crd-schema';
import { CiliumPolicyError } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { ownAnnotation } from '../model/version-annotation';
import { readYamlDocuments } from '../model/yaml-documents';
import { listEntries } from '../model/list-items';

/**
 * The environment variable naming a CRD folder, used when no default schemas were set with `setDefaultCrdSchemas` (instead of
 * the bundled schemas).
 */
export const CRD_DIR_ENV = 'CDK8S_CILIUM_CRD_DIR';

const DEFAULT_SOURCE = Symbol.for('cdk8s-cilium.defaultCrdSchemas');
const ENV_SOURCE = Symbol.for('cdk8s-cilium.envCrdSchemas');
const BUILTIN_SOURCE = Symbol.for('cdk8s-cilium.builtinCrdSchemas');

/** Where the process-wide settings live: on `globalThis`, so two copies of this module (src and lib) share them. */
interface GlobalSettings {
  [DEFAULT_SOURCE]?: ICrdSchemaSource;
  [ENV_SOURCE]?: { dir: string; source: ICrdSchemaSource };
  [BUILTIN_SOURCE]?: ICrdSchemaSource;
}

const settings = globalThis as GlobalSettings;

/**
 * Sets the CRD schemas `toBeValidCilium()` and `expectValidCilium()` use when none are passed, typically once in a test setup
 * file. A `CrdVersionRoot` (`CrdSchemas.fromVersionRoot(dir)`) makes the matchers pick the schemas of each policy's
 * `cdk8s-cilium.io/cilium-version` annotation, else of its construct's `CiliumVersion`; a plain `CrdSchemas` is used for everything.
 * @param schemas the schemas, or `undefined` to go back to `CDK8S_CILIUM_CRD_DIR` or the bundled schemas
 */
export function setDefaultCrdSchemas(schemas?: ICrdSchemaSource): void {
  settings[DEFAULT_SOURCE] = schemas;
}

/**
 * The CRD schemas the matchers use by default: the ones given to `setDefaultCrdSchemas`, else the folder named by the
 * `CDK8S_CILIUM_CRD_DIR` environment variable (holding `ciliumnetworkpolicies.yaml` and `ciliumclusterwidenetworkpolicies.yaml`,
 * or one `v<version>/` sub-folder per Cilium version), else the schemas bundled with the package (`CrdVersionRoot.builtin()`:
 * each policy is checked against the CRD of its own `cdk8s-cilium.io/cilium-version` annotation, else of its construct's
 * `CiliumVersion`).
 */
export function defaultCrdSchemas(): ICrdSchemaSource {
  const configured = settings[DEFAULT_SOURCE];
  if (configured) return configured;
  const dir = process.env[CRD_DIR_ENV];
  if (dir) {
    const cached = settings[ENV_SOURCE];
    if (cached?.dir === dir) return cached.source;
    const source = sourceFromDirectory(dir);
    settings[ENV_SOURCE] = { dir, source };
    return source;
  }
  settings[BUILTIN_SOURCE] ??= CrdVersionRoot.builtin();
  return settings[BUILTIN_SOURCE];
}

/** A folder with the two CRD files, or a version root with `v1.19/`-style sub-folders. */
function sourceFromDirectory(dir: string): ICrdSchemaSource {
  const abs = resolve(dir);
  if (existsSync(join(abs, 'ciliumnetworkpolicies.yaml'))) return CrdSchemas.fromDirectory(abs);
  if (existsSync(abs) && readdirSync(abs).some((d) => d === 'main' || /^v\d+\.\d+$/.test(d))) return CrdSchemas.fromVersionRoot(abs);
  throw new CiliumPolicyError({
    id: 'crd-folder-not-found',
    message: `${CRD_DIR_ENV}=${dir} holds neither ciliumnetworkpolicies.yaml nor v<version>/ sub-folders`,
    fix: `point ${CRD_DIR_ENV} at a folder with ciliumnetworkpolicies.yaml and ciliumclusterwidenetworkpolicies.yaml`,
  });
}

/** The result of a matcher, as vitest and jest expect it. */
export interface CiliumMatcherResult {
  /** Whether the assertion holds (before `.not`). */
  readonly pass: boolean;
  /** The message shown when the assertion fails: the failure for `expect(x)`, the pass for `expect(x).not`. */
  readonly message: () => string;
}

/** What a matcher sees as `this` (a subset of vitest's and jest's matcher state). */
export interface CiliumMatcherContext {
  /** Whether the assertion is negated (`.not`). @default false */
  readonly isNot?: boolean;
}

/** The matchers, as passed to `expect.extend` (a type alias, so that it fits vitest's and jest's `Record<string, matcher>`). */
export type CiliumMatchers = {
  /**
   * Passes when every Cilium policy object in `received` fits its CRD schema (closed: unknown fields fail).
   * `received` may be a cdk8s `App` (all its charts), a `Chart`, any construct (the API objects below it), a manifest object,
   * YAML text (the contents of a synthesized `dist/*.k8s.yaml`, as `toAllow`/`toDeny` take it: every document, the items of a
   * `List`) or an array of any of these. Other kinds are skipped; finding no Cilium policy object at all fails, and so does
   * anything that is not a manifest (a YAML document that does not parse, a value that is not an object).
   * @param schemas the schemas; a `CrdVersionRoot` checks each policy against the CRD of its own `cdk8s-cilium.io/cilium-version`
   * annotation, as `validate` judges it, else of its construct's `CiliumVersion` (plain manifests: `CiliumVersion.DEFAULT`);
   * other schemas are used for every policy, whatever its version. @default - `defaultCrdSchemas()`
   */
  toBeValidCilium(this: CiliumMatcherContext, received: unknown, schemas?: ICrdSchemaSource): CiliumMatcherResult;
};

/**
 * Matchers for vitest and jest: `expect.extend(ciliumMatchers)`, then `expect(chart).toBeValidCilium()`. Importing
 * `cdk8s-cilium/vitest` or `cdk8s-cilium/jest` does this (with the engine's `toAllow`/`toDeny`) and brings the types.
 */
export const ciliumMatchers: CiliumMatchers = {
  toBeValidCilium(received: unknown, schemas?: ICrdSchemaSource): CiliumMatcherResult {
    const report = checkCilium(received, schemas ?? defaultCrdSchemas());
    // Something that is no manifest fails too (never fail open: a YAML document that does not parse is not checked).
    const pass = report.checked.length > 0 && report.failures.length === 0 && report.invalid.length === 0;
    return { pass, message: () => (pass ? passMessage(report) : failureMessage(report)) };
  },
};

/**
 * The framework-free form of `toBeValidCilium`: throws an `Error` with the same message when a Cilium policy object in `received`
 * does not fit its CRD schema, or when there is none.
 * @param received an `App`, a `Chart`, any construct, a manifest, YAML text (every document) or an array of these
 * @param schemas @default - `defaultCrdSchemas()`
 */
export function expectValidCilium(received: unknown, schemas?: ICrdSchemaSource): void {
  const result = ciliumMatchers.toBeValidCilium.call({}, received, schemas);
  if (!result.pass) {
    const error = new Error(result.message());
    error.name = 'CiliumSchemaAssertionError';
    throw error;
  }
}

/** One object that was checked. */
interface Checked {
  readonly kind: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly constructPath?: string;
  readonly against: string;
  readonly violations: CrdViolation[];
}

interface Report {
  readonly checked: Checked[];
  readonly failures: Checked[];
  /** Kinds that were skipped (not Cilium policies), for the "none found" message. */
  readonly skippedKinds: string[];
  /** Received values that are not objects at all. */
  readonly invalid: string[];
}

/** A manifest to check, with the Cilium version its construct targets (when it came from one). */
interface Target {
  readonly manifest: unknown;
  /** Why this is no manifest (YAML text that does not parse, a List item that is no object); then `manifest` is not read. */
  readonly invalid?: string;
  readonly version?: string;
  readonly constructPath?: string;
}

function checkCilium(received: unknown, source: ICrdSchemaSource): Report {
  const checked: Checked[] = [];
  const skippedKinds: string[] = [];
  const invalid: string[] = [];
  for (const target of collect(received)) {
    const manifest = target.manifest;
    if (target.invalid !== undefined) {
      invalid.push(target.invalid);
      continue;
    }
    if (typeof manifest !== 'object' || manifest === null || typeof (manifest as { kind?: unknown }).kind !== 'string') {
      invalid.push(describeValue(manifest));
      continue;
    }
    const m = manifest as { kind: string; metadata?: { name?: unknown; namespace?: unknown } };
    const schemas = source.schemasFor(targetVersion(target));
    if (!schemas.handlesKind(m.kind)) {
      skippedKinds.push(m.kind);
      continue;
    }
    checked.push({
      kind: m.kind,
      name: typeof m.metadata?.name === 'string' ? m.metadata.name : undefined,
      namespace: typeof m.metadata?.namespace === 'string' ? m.metadata.namespace : undefined,
      constructPath: target.constructPath,
      against: schemas.label,
      violations: schemas.validate(manifest),
    });
  }
  return { checked, failures: checked.filter((c) => c.violations.length > 0), skippedKinds, invalid };
}

/**
 * The Cilium version a manifest is checked for, by the rule of `validate`, the cdk8s plugin and `validateApp`: its own
 * `cdk8s-cilium.io/cilium-version` annotation (`ownAnnotation`), else the version in effect for its construct
 * (`CiliumVersion.of`), else `CiliumVersion.DEFAULT`. An annotation that names no supported version is passed over
 * (`validate` reports it: `version-annotation-invalid`). Schemas that are not a `CrdVersionRoot` ignore the version.
 */
function targetVersion(target: Target): string {
  const own = ownAnnotation(target.manifest as { metadata?: { annotations?: Record<string, unknown> } });
  return (own?.version ?? target.version ?? CiliumVersion.DEFAULT).toString();
}

/** The manifests in `received`, each with the Cilium version of the construct that produced it. */
function collect(received: unknown): Target[] {
  if (Array.isArray(received)) return received.flatMap(collect);
  if (typeof received === 'string') return fromYamlText(received);
  if (!Construct.isConstruct(received)) return [{ manifest: received }];
  if (Chart.isChart(received)) return fromChart(received);
  const charts = (received as { charts?: unknown }).charts;
  if (received.node.scope === undefined && Array.isArray(charts)) return charts.filter(Chart.isChart).flatMap(fromChart);
  return received.node.findAll().filter(ApiObject.isApiObject).map((o) => ({
    manifest: o.toJson(),
    version: CiliumVersion.of(o).toString(),
    constructPath: o.node.path,
  }));
}

/**
 * The manifests of YAML text, read by the package's one stream reader (`readYamlDocuments`: the input limits of `fromYaml`,
 * then `readYamlStream`, what the API server gets from kubectl, Go's numbers and booleans) and its Lists (`listEntries`).
 * Text over a limit, a document that does not parse or is no mapping (a top-level array of raw rules too: no CRD checks
 * it), and a List item that is no object are invalid targets (the matcher fails), never skipped.
 */
function fromYamlText(text: string): Target[] {
  const { limit, readError, lineCounter, documents } = readYamlDocuments(text);
  if (limit) return [{ manifest: undefined, invalid: `YAML text that is not read: ${limit.message}` }];
  if (readError !== undefined || lineCounter === undefined) {
    return [{ manifest: undefined, invalid: `YAML text that cannot be read (${readError?.split('\n')[0]})` }];
  }
  const targets: Target[] = [];
  for (const { index, doc, value, convertError } of documents) {
    const error = doc.errors[0];
    if (error) {
      const at = error.linePos?.[0] ?? lineCounter.linePos(error.pos[0]);
      targets.push({ manifest: undefined, invalid: `YAML text whose document ${index} does not parse (line ${at.line}: ${error.message.split('\n')[0]})` });
      continue;
    }
    if (convertError !== undefined) {
      targets.push({ manifest: undefined, invalid: `YAML text whose document ${index} cannot be read (${convertError.split('\n')[0]})` });
      continue;
    }
    if (value === null || value === undefined) continue; // an empty document (only comments, or a trailing ---)
    if (typeof value !== 'object' || Array.isArray(value)) {
      const rules = Array.isArray(value) ? ' (a list of raw rules has no CRD to check: give each a CiliumNetworkPolicy\'s spec)' : '';
      targets.push({ manifest: undefined, invalid: `YAML text whose document ${index} is ${describeValue(value)}, not a Kubernetes object${rules}` });
      continue;
    }
    const { entries, problems } = listEntries(value);
    for (const p of problems) targets.push({ manifest: undefined, invalid: `YAML text whose document ${index}: ${p.message}` });
    for (const e of entries) targets.push({ manifest: e.value });
  }
  return targets;
}

/** `chart.toJson()` (the chart's own objects, not those of nested charts), each with its construct's Cilium version. */
function fromChart(chart: Chart): Target[] {
  const owners = new Map<string, ApiObject>();
  for (const o of chart.node.findAll().filter(ApiObject.isApiObject)) {
    if (Chart.of(o) === chart) owners.set(objectKey(o.kind, o.metadata.namespace, o.name), o);
  }
  return chart.toJson().map((manifest: { kind?: string; metadata?: { name?: string; namespace?: string } }) => {
    const owner: IConstruct = owners.get(objectKey(manifest.kind, manifest.metadata?.namespace, manifest.metadata?.name)) ?? chart;
    return { manifest, version: CiliumVersion.of(owner).toString(), constructPath: owner.node.path };
  });
}

function objectKey(kind?: string, namespace?: string, name?: string): string {
  return `${kind ?? ''}\0${namespace ?? ''}\0${name ?? ''}`;
}

function title(c: Checked): string {
  const name = c.name === undefined ? '(no name)' : c.namespace ? `${c.namespace}/${c.name}` : c.name;
  return `${c.kind} ${name}`;
}

function failureMessage(report: Report): string {
  const { checked, failures, skippedKinds, invalid } = report;
  const lines: string[] = [];
  if (invalid.length > 0) {
    lines.push(`expected Kubernetes manifests (objects or YAML text), a cdk8s Chart or App, but got ${invalid.join(', ')}`);
  }
  if (checked.length === 0) {
    const skipped = skippedKinds.length > 0 ? ` among ${skippedKinds.length} object(s) (${[...new Set(skippedKinds)].join(', ')})` : '';
    lines.push(`expected at least one Cilium policy object (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy), but found none${skipped}`);
    return lines.join('\n');
  }
  if (failures.length === 0) return lines.join('\n');
  const total = checked.length === 1 ? 'the Cilium policy object' : `all ${checked.length} Cilium policy objects`;
  lines.push(`expected ${total} to match the CRD schema, but ${failures.length} ${failures.length === 1 ? 'does' : 'do'} not:`);
  for (const f of failures) {
    const where = f.constructPath ? `, construct ${f.constructPath}` : '';
    lines.push('', `  ${title(f)} (${f.against}${where}):`);
    for (const v of f.violations) lines.push(`    - ${v.message}`);
  }
  return lines.join('\n');
}

function passMessage(report: Report): string {
  const names = report.checked.map((c) => `${title(c)} (${c.against})`).join(', ');
  return `expected the Cilium policy objects not to match the CRD schema, but all ${report.checked.length} do: ${names}`;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object without a kind';
  return `${typeof value} ${JSON.stringify(value)}`;
}
