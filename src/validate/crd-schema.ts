// Offline check of Cilium policy manifests against the CRD's openAPIV3Schema, the way the API server admits them.
//
// ajv, ajv-formats and yaml are loaded on first use (`require` inside functions), never at import time: this module
// is re-exported from the package's main index, and `cdk8s synth` must not pay for a JSON-schema compiler it does not use.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CiliumPolicyError } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { CidrFormat } from './cidr-format';
import { OptionDefaults, checkOptionKeys } from '../model/known-keys';
import { pushAll } from '../model/push-all';
import { withoutPrunedNulls } from '../model/pruned-nulls';
import { bundledRoot, clearCompiledFiles, CompiledKind, compiledFile, compiledFileCount, crdFilesIn } from './crd-compile';
import { CrdViolation, show, toViolations } from './crd-violations';

// The CIDR format of the options and the violations `validate` returns, for this module's users.
export { CidrFormat, isGoCidr } from './cidr-format';
export { CrdViolation } from './crd-violations';

/** The policy kinds this helper always claims: a manifest of one of these kinds is never skipped. */
const POLICY_KINDS: readonly string[] = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

/** Options for loading CRD schemas. */
export interface CrdSchemasOptions {
  /**
   * How `format: cidr` fields (`fromCIDR`, `toCIDR`, `cidr`, `except`; CRDs from Cilium 1.16 on) are checked.
   * Both modes need a prefix length (a bare IP fails) and accept host bits (`10.0.0.1/8`), as Go does.
   * @default CidrFormat.GO
   */
  readonly cidrFormat?: CidrFormat;
}

/** The options of `CrdSchemasOptions` with their defaults (`option-unknown`; kept equal to the interface by test/engine/option-keys-interfaces.test.ts). */
export const CRD_SCHEMAS_OPTION_DEFAULTS: OptionDefaults = { cidrFormat: 'CidrFormat.GO' };

/** Refuses an unknown key of `CrdSchemasOptions` (`option-unknown`). */
function checkCrdSchemasOptions(options: CrdSchemasOptions, call: string): void {
  checkOptionKeys(options, CRD_SCHEMAS_OPTION_DEFAULTS, { call, risk: 'so CIDRs would be checked as another parser reads them' });
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
    clearCompiledFiles();
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
    return compiledFileCount();
  }

  /** The CRD files, as absolute paths. */
  public readonly files: string[];

  /** The Cilium version these schemas belong to, when loaded through a version root or `forVersion`. @default - unknown */
  public readonly version?: string;

  private readonly cidrFormat: CidrFormat;

  private constructor(files: string[], options: CrdSchemasOptions, version?: string) {
    checkCrdSchemasOptions(options, 'CrdSchemas');
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
   * Loads the schemas as `load` does, charging each file's YAML values to the budget of the run it is loaded for
   * (`yaml-value-budget.ts`), before it is parsed: the CRD files a validation run was given are inputs of the run.
   * @throws CiliumPolicyError (`input-values-budget`) when a file takes the run past its limit of values
   * @internal
   */
  public _loadCharged(): void {
    for (const file of this.files) compiledFile(file, this.cidrFormat, true);
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
    // Checked as the API server checks it: after pruning its nulls (`withoutPrunedNulls`), which the reader warns of.
    const stored = withoutPrunedNulls(manifest);
    if (!compiled.validate(stored)) pushAll(violations, toViolations(compiled.validate.errors ?? [], stored));
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
    checkCrdSchemasOptions(options, 'CrdVersionRoot');
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
