// Offline check of Cilium policy manifests against the CRD's openAPIV3Schema, the way the API server admits them.
//
// ajv, ajv-formats and yaml are loaded on first use (`require` inside functions), never at import time: this module
// is re-exported from the package's main index, and `cdk8s synth` must not pay for a JSON-schema compiler it does not use.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Ajv as AjvInstance, AnySchemaObject, ErrorObject, SchemaValidateFunction, ValidateFunction } from 'ajv';
import { CiliumPolicyError } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { DEFAULT_MAX_FILE_BYTES, readInputFile } from '../model/inputs';
import { nestingDepthError } from '../model/nesting-depth';
import { compileRe2 } from '../model/re2';
import { editDistance } from '../model/edit-distance';

/** The file names of the two policy CRDs inside a version folder, as in `pkg/k8s/apis/cilium.io/client/crds/v2/`. */
const CNP_FILE = 'ciliumnetworkpolicies.yaml';
const CCNP_FILE = 'ciliumclusterwidenetworkpolicies.yaml';

/**
 * The two policy CRD files of a folder: `<name>.yaml` as in Cilium's repository, or `<name>.json` (`kubectl get crd -o json`,
 * and the compact CRDs bundled with this package) when there is no `.yaml`.
 */
function crdFilesIn(dir: string): string[] {
  return [CNP_FILE, CCNP_FILE].map((f) => {
    const yaml = join(dir, f);
    const json = join(dir, f.replace(/\.yaml$/, '.json'));
    return !existsSync(yaml) && existsSync(json) ? json : yaml;
  });
}

/** The folder name of the CRDs bundled with the package (`crd-schemas/v1.14/` … `v1.19/`, made by `npm run bundle-crds`). */
const BUNDLED_FOLDER = 'crd-schemas';

/** The bundled CRD folder: at the package root, two levels above `src/testing/` and three above `lib/src/testing/`. */
function bundledRoot(): string {
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

/** The policy kinds this helper always claims: a manifest of one of these kinds is never skipped. */
const POLICY_KINDS: readonly string[] = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

/** The CRD version whose schema is used when a CRD serves several. */
const PREFERRED_VERSION = 'v2';

/** How the `cidr` string format of the CRD schema is checked. */
export enum CidrFormat {
  /**
   * Go's current `net.ParseCIDR` (the rules of `net/netip` since Go 1.17/1.22), which is also what the Cilium agent parses with:
   * IPv4 octets with leading zeros (`010.0.0.0/8`) and IPv6 groups of more than 4 hex digits are rejected.
   */
  GO = 'go',
  /**
   * Exactly what kube-apiserver admits: `k8s.io/utils/net.ParseCIDRSloppy` (a fork of Go 1.16's `net.ParseCIDR`), which
   * accepts leading zeros (`010.0.0.0/8` is read as `10.0.0.0/8`). Such a CIDR is stored but the agent then fails to parse it.
   */
  APISERVER = 'apiserver',
}

/** Options for loading CRD schemas. */
export interface CrdSchemasOptions {
  /**
   * How `format: cidr` fields (`fromCIDR`, `toCIDR`, `cidr`, `except`; CRDs from Cilium 1.16 on) are checked.
   * Both modes need a prefix length (a bare IP fails) and accept host bits (`10.0.0.1/8`), as Go does.
   * @default CidrFormat.GO
   */
  readonly cidrFormat?: CidrFormat;
}

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

/** The violations of one manifest in a batch (see `CrdSchemas.validateAll`). */
export interface CrdValidationResult {
  /** The position of the manifest in the batch. */
  readonly index: number;
  /** The manifest's `kind`. */
  readonly kind: string;
  /** The manifest's `metadata.name`. @default - the manifest has no name */
  readonly name?: string;
  /** The manifest's `metadata.namespace`. @default - no namespace (cluster-scoped, or the namespace is left to kubectl) */
  readonly namespace?: string;
  /** Everything wrong with it (never empty). */
  readonly violations: CrdViolation[];
}

/**
 * Anything that can hand out the CRD schemas for a Cilium version: a fixed `CrdSchemas` set (which ignores the version) or a
 * `CrdVersionRoot` (one folder per version). Test matchers accept either.
 */
export interface ICrdSchemaSource {
  /**
   * The schemas to check a manifest written for `version` against.
   * @param version a Cilium minor version such as `1.19`, or `main`
   */
  schemasFor(version: string): CrdSchemas;
}

/**
 * The CRD schemas of Cilium's policy kinds, compiled for offline validation: the emulation of what `kubectl apply` (strict field
 * validation) would say about a manifest, without a cluster.
 *
 * The schema is *closed*: every object with declared properties rejects unknown fields, like kubectl's strict field validation,
 * instead of silently pruning them as the API server would. Patterns, enums, formats (`cidr`, `int32`, `date-time`), `oneOf`/`anyOf`
 * combinations, `x-kubernetes-list-type: set|map` uniqueness and the simple `has(self.x) || has(self.y)` CEL rules are checked.
 *
 * What it cannot see: empty lists (`egress: []` satisfies `required`), agent-side rules (Cilium's `Sanitize`, e.g. a port above
 * 65535 — the CRD's port pattern is only half anchored), and `metadata` beyond being an object.
 *
 * ```ts
 * const schemas = CrdSchemas.fromDirectory('crds/cilium/v1.19');
 * for (const v of schemas.validate(manifest)) console.log(v.message);
 * ```
 */
export class CrdSchemas implements ICrdSchemaSource {
  /**
   * Loads the CRDs in `files`. A file may hold one CRD, several YAML documents, `kubectl get crd … -o yaml|json` output or a
   * `kind: List` of CRDs. Each CRD contributes the `v2` schema (or its storage version) under its `spec.names.kind`.
   * Files are read and compiled on first use and cached by path and modification time.
   * @throws CiliumPolicyError when a file does not exist
   */
  public static fromFiles(files: string[], options: CrdSchemasOptions = {}): CrdSchemas {
    return new CrdSchemas(files.map((f) => resolve(f)), options);
  }

  /**
   * Loads `ciliumnetworkpolicies.yaml` and `ciliumclusterwidenetworkpolicies.yaml` from `dir` (the layout of Cilium's
   * `pkg/k8s/apis/cilium.io/client/crds/v2/`).
   * @throws CiliumPolicyError when either file is missing
   */
  public static fromDirectory(dir: string, options: CrdSchemasOptions = {}): CrdSchemas {
    return new CrdSchemas(crdFilesIn(resolve(dir)), options);
  }

  /**
   * The real CNP and CCNP schemas of a supported Cilium version, bundled with the package (compact copies of Cilium's CRDs,
   * without descriptions): no CRD files to fetch, no network.
   * @param version a `CiliumVersion`, or `1.19`, `v1.19`, `1.19.4` @default CiliumVersion.DEFAULT
   * @throws CiliumPolicyError when the version is not one of `CiliumVersion.ALL`
   */
  public static builtin(version: CiliumVersion | string = CiliumVersion.DEFAULT, options: CrdSchemasOptions = {}): CrdSchemas {
    return CrdVersionRoot.builtin(options).forVersion(version.toString());
  }

  /**
   * Loads the CRDs of one Cilium version from a folder holding one sub-folder per version (`root/v1.19/…`, `root/main/…`).
   * @param version `1.19`, `v1.19` or `1.19.4` (the patch level is ignored), or `main`
   * @throws CiliumPolicyError when the version folder does not exist
   */
  public static forVersion(root: string, version: string, options: CrdSchemasOptions = {}): CrdSchemas {
    return CrdVersionRoot.fromDirectory(root, options).forVersion(version);
  }

  /**
   * A source that resolves the schemas per Cilium version from `root/v<version>/`, for matchers that check constructs written for
   * different versions (`CiliumVersion.of(construct)`). Versions are loaded on first use.
   */
  public static fromVersionRoot(root: string, options: CrdSchemasOptions = {}): CrdVersionRoot {
    return CrdVersionRoot.fromDirectory(root, options);
  }

  /**
   * Drops every compiled schema from the process-wide cache (they are otherwise kept until their file changes).
   */
  public static clearCache(): void {
    for (const entry of COMPILED.values()) entry.release();
    COMPILED.clear();
  }

  /**
   * Creates the schema set of one version folder.
   * @internal
   */
  public static _forVersionFolder(dir: string, version: string, options: CrdSchemasOptions): CrdSchemas {
    return new CrdSchemas(crdFilesIn(dir), options, version);
  }

  /**
   * How many CRD files have been compiled in this process. For tests of the cache.
   * @internal
   */
  public static get _compileCount(): number {
    return compileCount;
  }

  /** The CRD files, as absolute paths. */
  public readonly files: readonly string[];

  /** The Cilium version these schemas belong to, when loaded through a version root or `forVersion`. @default - unknown */
  public readonly version?: string;

  private readonly cidrFormat: CidrFormat;

  private constructor(files: string[], options: CrdSchemasOptions, version?: string) {
    for (const file of files) {
      if (!existsSync(file)) {
        throw new CiliumPolicyError({
          id: 'crd-file-not-found',
          message: `CRD file ${file} does not exist`,
          fix: 'pass the path of a CRD YAML file, e.g. one saved with `kubectl get crd ciliumnetworkpolicies.cilium.io -o yaml`',
        });
      }
    }
    this.files = [...files];
    this.version = version;
    this.cidrFormat = options.cidrFormat ?? CidrFormat.GO;
  }

  /** The kinds a schema was loaded for, e.g. `['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy']`. Loads the files. */
  public get kinds(): string[] {
    return [...this.compiled().keys()];
  }

  /** A short description for messages: `CRD v1.19`, `CRD main`, or the file names. */
  public get label(): string {
    if (this.version) return this.version === 'main' ? 'CRD main' : `CRD v${this.version}`;
    return `CRDs ${this.files.join(', ')}`;
  }

  /** This set itself: a fixed set of schemas answers for every version. */
  public schemasFor(_version: string): CrdSchemas {
    return this;
  }

  /**
   * Reads and compiles the schemas now instead of on the first `validate` (for instance in a `beforeAll`, so the compile time is
   * not charged to the first test). Cheap when they are already cached.
   */
  public load(): void {
    this.compiled();
  }

  /**
   * Whether `validate` checks manifests of `kind`: the two Cilium policy kinds, and any kind a loaded CRD defines.
   * Other kinds are not its business and pass unchecked.
   */
  public handlesKind(kind: string): boolean {
    return POLICY_KINDS.includes(kind) || this.compiled().has(kind);
  }

  /**
   * Checks one manifest against the schema of its kind.
   * @returns every violation, most specific (deepest path) first; `[]` when the manifest is valid or of a kind this set does
   * not handle (a `Deployment`, say). A Cilium policy kind without a loaded schema gives one violation saying so.
   */
  public validate(manifest: unknown): CrdViolation[] {
    if (!isRecord(manifest) || typeof manifest.kind !== 'string') return [];
    const kind = manifest.kind;
    const compiled = this.compiled().get(kind);
    if (!compiled) {
      if (!POLICY_KINDS.includes(kind)) return [];
      return [{
        path: '',
        keyword: 'crd',
        message: `(root): no CRD schema loaded for kind ${kind} (loaded: ${this.kinds.join(', ') || 'none'} from ${this.label})`,
      }];
    }
    const violations: CrdViolation[] = [];
    if (manifest.apiVersion !== compiled.apiVersion) {
      violations.push({
        path: 'apiVersion',
        keyword: 'crd',
        message: `apiVersion: must be "${compiled.apiVersion}" for kind ${kind} (got ${show(manifest.apiVersion)})`,
      });
    }
    if (!compiled.validate(manifest)) violations.push(...toViolations(compiled.validate.errors ?? [], manifest));
    return violations;
  }

  /**
   * Checks a batch of manifests.
   * @returns one entry per manifest that has violations, in input order; `[]` when all are valid
   */
  public validateAll(manifests: unknown[]): CrdValidationResult[] {
    const results: CrdValidationResult[] = [];
    manifests.forEach((manifest, index) => {
      const violations = this.validate(manifest);
      if (violations.length === 0) return;
      const m = manifest as { kind: string; metadata?: { name?: unknown; namespace?: unknown } };
      results.push({
        index,
        kind: m.kind,
        name: typeof m.metadata?.name === 'string' ? m.metadata.name : undefined,
        namespace: typeof m.metadata?.namespace === 'string' ? m.metadata.namespace : undefined,
        violations,
      });
    });
    return results;
  }

  /** The compiled schema per kind (from the process-wide cache, recompiled when a file changed). */
  private compiled(): Map<string, CompiledKind> {
    const kinds = new Map<string, CompiledKind>();
    for (const file of this.files) {
      for (const [kind, compiled] of compiledFile(file, this.cidrFormat)) kinds.set(kind, compiled);
    }
    return kinds;
  }
}

/**
 * A folder with the CRDs of several Cilium versions, one sub-folder each (`v1.14/` … `v1.19/`, `main/`), each holding
 * `ciliumnetworkpolicies.yaml` and `ciliumclusterwidenetworkpolicies.yaml`. Hands out the `CrdSchemas` of a version on demand.
 */
export class CrdVersionRoot implements ICrdSchemaSource {
  /**
   * A version root at `root`. Nothing is read until a version is asked for.
   * @throws CiliumPolicyError when `root` does not exist
   */
  public static fromDirectory(root: string, options: CrdSchemasOptions = {}): CrdVersionRoot {
    return new CrdVersionRoot(resolve(root), options);
  }

  /**
   * The CRD schemas bundled with the package, one version per `CiliumVersion.ALL` entry. Matchers given this source check each
   * construct against the CRD of its `CiliumVersion`; it is what `toBeValidCilium()` uses when nothing else is configured.
   */
  public static builtin(options: CrdSchemasOptions = {}): CrdVersionRoot {
    return new CrdVersionRoot(bundledRoot(), options);
  }

  /** The folder, as an absolute path. */
  public readonly root: string;

  private readonly options: CrdSchemasOptions;
  private readonly byVersion = new Map<string, CrdSchemas>();

  private constructor(root: string, options: CrdSchemasOptions) {
    if (!existsSync(root)) {
      throw new CiliumPolicyError({
        id: 'crd-folder-not-found',
        message: `CRD folder ${root} does not exist`,
        fix: 'pass a folder with one sub-folder per Cilium version (v1.19/, main/, …), each holding the two policy CRD files',
      });
    }
    this.root = root;
    this.options = options;
  }

  /** The versions present, oldest first, e.g. `['1.14', …, '1.19', 'main']`. */
  public get versions(): string[] {
    const found = readdirSync(this.root, { withFileTypes: true })
      .filter((d) => d.isDirectory() && (d.name === 'main' || /^v\d+\.\d+$/.test(d.name)))
      .map((d) => (d.name === 'main' ? 'main' : d.name.slice(1)));
    const rank = (v: string): number[] => (v === 'main' ? [Infinity, Infinity] : v.split('.').map(Number));
    return found.sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1]);
  }

  /**
   * The schemas of one version (cached per version).
   * @param version `1.19`, `v1.19`, `1.19.4` (the patch level is ignored) or `main`
   * @throws CiliumPolicyError when the version is malformed or its folder does not exist
   */
  public forVersion(version: string): CrdSchemas {
    const key = normaliseVersion(version);
    let schemas = this.byVersion.get(key);
    if (!schemas) {
      const folder = key === 'main' ? 'main' : `v${key}`;
      const dir = join(this.root, folder);
      if (!existsSync(dir)) {
        throw new CiliumPolicyError({
          id: 'crd-version-not-found',
          message: `no CRDs for Cilium ${key} in ${this.root}`,
          fix: `use one of ${this.versions.join(', ') || '(none found)'}, or add a folder ${folder}/ with the two CRD files`,
        });
      }
      schemas = CrdSchemas._forVersionFolder(dir, key, this.options);
      this.byVersion.set(key, schemas);
    }
    return schemas;
  }

  /** Same as `forVersion`. */
  public schemasFor(version: string): CrdSchemas {
    return this.forVersion(version);
  }
}

/**
 * Whether `value` is a CIDR that Go accepts (`net.ParseCIDR`): an IPv4 or IPv6 address (with `::` compression and an optional
 * embedded IPv4 tail), a `/`, and a decimal prefix length of at most 32 or 128 (leading zeros in the length are allowed, as Go's
 * `dtoi` allows them). Host bits may be set (`10.0.0.1/8`). A bare address, an IPv6 zone (`%eth0`) or spaces fail.
 * @param format `CidrFormat.GO` (current Go, no leading zeros in IPv4 octets, at most 4 hex digits per IPv6 group) or
 * `CidrFormat.APISERVER` (kube-apiserver's `ParseCIDRSloppy`: Go 1.16 rules, leading zeros accepted)
 */
export function isGoCidr(value: string, format: CidrFormat = CidrFormat.GO): boolean {
  const sloppy = format === CidrFormat.APISERVER;
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const addr = value.slice(0, slash);
  const mask = value.slice(slash + 1);
  let bits: number;
  if (parseIPv4(addr, sloppy)) bits = 32;
  else if (parseIPv6(addr, sloppy)) bits = 128;
  else return false;
  return /^[0-9]+$/.test(mask) && Number(mask) <= bits;
}

/** Go `net.ParseIP` for dotted IPv4: exactly four decimal fields 0–255; `sloppy` (Go ≤ 1.16) allows leading zeros. */
function parseIPv4(s: string, sloppy: boolean): boolean {
  const fields = s.split('.');
  if (fields.length !== 4) return false;
  return fields.every((f) => /^[0-9]+$/.test(f) && (sloppy || f.length === 1 || f[0] !== '0') && Number(f) <= 255);
}

/**
 * Go's IPv6 parser (`net/netip.parseIPv6`; `sloppy` = the Go 1.16 `net.parseIPv6` kept by k8s.io/utils, which does not limit a
 * group to 4 hex digits and allows leading zeros in an embedded IPv4). Zones are not accepted (`ParseCIDR` rejects them).
 */
function parseIPv6(input: string, sloppy: boolean): boolean {
  let s = input;
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return true;
  }
  let i = 0;
  while (i < 16) {
    let c = 0;
    while (c < s.length && /[0-9a-fA-F]/.test(s[c])) c++;
    if (c === 0 || (!sloppy && c > 4) || parseInt(s.slice(0, c), 16) > 0xffff) return false;
    if (c < s.length && s[c] === '.') {
      if ((ellipsis < 0 && i !== 12) || i + 4 > 16 || !parseIPv4(s, sloppy)) return false;
      s = '';
      i += 4;
      break;
    }
    i += 2;
    s = s.slice(c);
    if (s === '') break;
    if (s[0] !== ':' || s.length === 1) return false;
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) return false;
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') return false;
  return i < 16 ? ellipsis >= 0 : ellipsis < 0;
}

// ---------------------------------------------------------------------------------------------------------------------
// Loading and compiling

/** A compiled schema for one kind. */
interface CompiledKind {
  /** The `apiVersion` manifests of this kind must have, e.g. `cilium.io/v2`. */
  readonly apiVersion: string;
  /** The ajv validator of the closed schema. */
  readonly validate: ValidateFunction;
}

interface CacheEntry {
  readonly mtimeMs: number;
  readonly size: number;
  readonly kinds: Map<string, CompiledKind>;
  release(): void;
}

/** Compiled CRD files, keyed by `format \0 absolute path`; an entry is replaced when its file's mtime or size changes. */
const COMPILED = new Map<string, CacheEntry>();
let compileCount = 0;

function compiledFile(file: string, format: CidrFormat): Map<string, CompiledKind> {
  const stat = statSync(file);
  const key = `${format}\0${file}`;
  const cached = COMPILED.get(key);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.kinds;
  cached?.release();

  const ajv = ajvFor(format);
  const kinds = new Map<string, CompiledKind>();
  const schemas: AnySchemaObject[] = [];
  for (const crd of readCrds(file)) {
    const schema = shareSubschemas(closeSchema(crd.schema));
    ignoreUnknownFormats(ajv, schema);
    schemas.push(schema);
    try {
      kinds.set(crd.kind, { apiVersion: crd.apiVersion, validate: ajv.compile(schema) });
    } catch (e) {
      throw new CiliumPolicyError({
        id: 'crd-schema-invalid',
        message: `the ${crd.kind} schema in ${file} does not compile: ${(e as Error).message}`,
        fix: 'check that the file is an unmodified apiextensions.k8s.io/v1 CustomResourceDefinition',
      });
    }
  }
  compileCount++;
  COMPILED.set(key, {
    mtimeMs: stat.mtimeMs,
    size: stat.size,
    kinds,
    release: () => schemas.forEach((s) => ajv.removeSchema(s)),
  });
  return kinds;
}

interface CrdDocument {
  readonly kind: string;
  readonly apiVersion: string;
  readonly schema: AnySchemaObject;
}

/** The CRDs in a YAML/JSON file: plain documents, multi-document streams and `kind: List` wrappers. */
function readCrds(file: string): CrdDocument[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const YAML = require('yaml') as typeof import('yaml');
  // The one input reader: regular files only, size limit, UTF-8 text; then the nesting bound before the YAML parser.
  const read = readInputFile(file, DEFAULT_MAX_FILE_BYTES);
  if (read.problem) {
    throw new CiliumPolicyError({ id: 'crd-file-invalid', message: `CRD file ${file}: ${read.problem.message}`, fix: 'pass a readable CRD file, e.g. saved with kubectl get crd ciliumnetworkpolicies.cilium.io -o yaml > cnp-crd.yaml' });
  }
  const text = read.text ?? '';
  const deep = nestingDepthError(text);
  if (deep) throw new CiliumPolicyError({ id: 'crd-file-invalid', message: `CRD file ${file}: ${deep.message}`, fix: 'pass an unmodified CRD file' });
  const crds: CrdDocument[] = [];
  const visit = (obj: unknown): void => {
    if (!isRecord(obj)) return;
    if (Array.isArray(obj.items) && typeof obj.kind === 'string' && obj.kind.endsWith('List')) {
      obj.items.forEach(visit);
    } else if (obj.kind === 'CustomResourceDefinition') {
      crds.push(crdSchema(obj, file));
    }
  };
  // JSON (the bundled CRDs, `kubectl get crd -o json`) is read with JSON.parse, several times faster than the YAML parser.
  const json = file.endsWith('.json') ? parseJson(text) : undefined;
  if (json !== undefined) {
    visit(json);
  } else {
    for (const doc of YAML.parseAllDocuments(text)) {
      if (doc.errors.length > 0) {
        throw new CiliumPolicyError({
          id: 'crd-file-invalid',
          message: `${file} is not valid YAML: ${doc.errors[0].message}`,
          fix: 'pass a CRD file as written by `kubectl get crd <name> -o yaml`',
        });
      }
      visit(doc.toJS({ maxAliasCount: 1000 }));
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

/** The value of a JSON text, or `undefined` when it is not JSON (the YAML reader then says what is wrong). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
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

const AJV_BY_FORMAT = new Map<CidrFormat, AjvInstance>();

/** One ajv instance per CIDR mode, set up as kube-apiserver validates CRDs. */
function ajvFor(format: CidrFormat): AjvInstance {
  const existing = AJV_BY_FORMAT.get(format);
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
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, verbose: true, inlineRefs: false, code: { regExp: goRegExp } });
  // Annotations the API server interprets structurally; as keywords here they only need to be known.
  ajv.addVocabulary(['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-embedded-resource',
    'x-kubernetes-list-map-keys', 'x-kubernetes-map-type']);
  ajv.addKeyword({ keyword: 'x-kubernetes-list-type', schemaType: 'string', errors: true, validate: validateListType });
  ajv.addKeyword({ keyword: 'x-kubernetes-validations', schemaType: 'array', errors: true, validate: validateCel });
  addFormats(ajv, ['date-time', 'int32', 'int64']);
  ajv.addFormat('cidr', { type: 'string', validate: (s: string) => isGoCidr(s, format) });
  // kube-apiserver does not validate idn-hostname (not in its format registry), so neither do we: HTTP `host` is a regex there.
  ajv.addFormat('idn-hostname', true);
  AJV_BY_FORMAT.set(format, ajv);
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

// ---------------------------------------------------------------------------------------------------------------------
// ajv errors → violations

/** Turns ajv's errors into violations: readable paths and messages, `oneOf`/`anyOf` noise summarised, deepest paths first. */
function toViolations(errors: ErrorObject[], root: unknown): CrdViolation[] {
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
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= 2 && bestDistance < name.length / 2 ? best : undefined;
}

function normaliseVersion(version: string): string {
  const text = String(version).trim();
  if (text === 'main') return 'main';
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(text);
  if (!m) {
    throw new CiliumPolicyError({
      id: 'crd-version-invalid',
      message: `"${version}" is not a Cilium version`,
      fix: 'use a minor version such as "1.19" (or "v1.19", "1.19.4"), or "main"',
    });
  }
  return `${Number(m[1])}.${Number(m[2])}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A short rendering of a value for messages. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  if (isRecord(value)) return '{…}';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…"` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
