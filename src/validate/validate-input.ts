/**
 * `validateInputs`: every check of the SDK over a set of manifests as they are found in a repository — the YAML reader
 * (`parse-…`), the CRD schema of the target version (`crd-…`, or the real CRDs given as `crdFiles`: `crd-schema`), the
 * agent's `Sanitize` rules (`sanitize-…`), version gating (`version-…`) and the pitfalls over the whole set
 * (`pitfall-…`) — with every finding placed at `file:line:column`. Inputs that cannot be read get one `input-…`
 * finding each and the rest is still checked. The `validate` command and the cdk8s validation plugin are thin shells
 * over it; synthesis-time checks (`validateApp`) run the same layers.
 *
 * Checks of the input (see `INPUT_CHECKS` in `catalogue.ts`):
 *
 * | id | severity | what |
 * |---|---|---|
 * | `input-not-found` | error | a path or glob that matches no file |
 * | `input-unreadable` | error | a file that cannot be read (permissions, not a regular file, I/O error) |
 * | `input-binary` | error | a file with NUL bytes or invalid UTF-8 |
 * | `input-too-large` | error | a file larger than the size limit (10 MiB unless configured) |
 * | `input-empty` | warning | a file without any YAML document |
 * | `crd-schema` | error | a violation of the CRD given with `--crd`, or of the bundled CRD of the target version that no other finding reports (closed schema: unknown fields fail) |
 *
 * @module
 */
import { resolve } from 'node:path';
import { LineCounter, Node as YamlNode, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { CiliumPolicyError, Diagnostic, Severity } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { nestingDepthError } from '../model/nesting-depth';
import { fromYaml } from '../model/parse';
import { Locator, IParsedDocument, SourceDiagnostic, SourcePosition } from '../model/parse-result';
import { isNetworkPolicy } from '../model/network-policy';
import { PolicyDocumentModel, PolicyKind } from '../model/policy-model';
import { CidrFormat, CrdSchemas, CrdViolation } from './crd-schema';
import { REPORT_CHECKS, findCheck } from './catalogue';
import { DEFAULT_MAX_FILE_BYTES, InputProblem, ReadResult, decodeInput, displayName, expandPaths, readInputFile } from '../model/inputs';
import { InventoryNetworkPolicy, InventorySource, ManifestInventory } from './inventory';
import { validateNetworkPolicy } from './network-policy-rules';
import { PitfallDocument, checkPitfalls } from './pitfall-rules';
import { validatePolicy, validateRule } from './validate-policy';
import { compareCodeUnits as compare } from '../model/code-unit-order';

/** The `schema` value of a report (and of its JSON form). */
export const VALIDATE_REPORT_SCHEMA = 'cdk8s-cilium/validate/v1';

/** The name standard input gets in a report. */
export const STDIN_NAME = '<stdin>';

/** One input of `validateInputs`. */
export interface ValidationInput {
  /** The name shown in diagnostics: a path relative to the working directory, or `<stdin>`. */
  readonly name: string;
  /**
   * The content, as text.
   * @default - `bytes`, else the file at `path`
   */
  readonly text?: string;
  /**
   * The content, as bytes (checked for binary content and UTF-8).
   * @default - `text`, else the file at `path`
   */
  readonly bytes?: Uint8Array;
  /**
   * The file to read when neither `text` nor `bytes` is given.
   * @default - `name`, relative to `cwd`
   */
  readonly path?: string;
}

/** Options of `validateInputs` and `validatePaths`. */
export interface ValidateInputsOptions {
  /**
   * The Cilium version the manifests are written for: `1.14` … `1.19`, or `1.20` (also `main`, `1.20-dev`: the rules of
   * 1.19 without Kafka; give the CRDs of `main` with `crdFiles` for its schema).
   * @default '1.19'
   */
  readonly ciliumVersion?: string;
  /**
   * Real CRD files (as from `kubectl get crd ciliumnetworkpolicies.cilium.io -o yaml`, a `List` of CRDs, or Cilium's
   * `pkg/k8s/apis/cilium.io/client/crds/v2/*.yaml`) to check the policies against instead of the built-in schema rules
   * and the bundled schemas.
   * @default - the built-in schema rules of the target version, backed by the CNP/CCNP schemas bundled for it
   * (`CrdSchemas.builtin`; 1.14 … 1.19): a violation of those that no other finding reports on the same field is a
   * `crd-schema` finding
   */
  readonly crdFiles?: string[];
  /**
   * More warnings than this fail the report (`summary.passed`).
   * @default - no limit
   */
  readonly maxWarnings?: number;
  /**
   * Inputs larger than this many bytes are not read (`input-too-large`).
   * @default 10485760 (10 MiB)
   */
  readonly maxFileBytes?: number;
  /**
   * The directory paths are relative to (and shown relative to).
   * @default process.cwd()
   */
  readonly cwd?: string;
}

/** Options of `validatePaths`. */
export interface ValidatePathsOptions extends ValidateInputsOptions {
  /**
   * What `-` reads (standard input), already read by the caller.
   * @default - `-` is an error
   */
  readonly stdin?: Uint8Array;
}

/** One finding of a report. */
export interface ReportDiagnostic {
  /** Stable id of the check (`pitfall-service-port`). */
  readonly id: string;
  /** `error` or `warning`. */
  readonly severity: Severity;
  /** What is wrong, one line. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /** The input, as named in the report (relative path with `/`, or `<stdin>`). */
  readonly file: string;
  /** 1-based line of the offending field (1 for findings about a whole file). */
  readonly line: number;
  /** 1-based column of the offending field. */
  readonly column: number;
  /** 1-based line where the offending token ends (its last character). */
  readonly endLine: number;
  /** 1-based column just after the offending token (on `endLine`). */
  readonly endColumn: number;
  /**
   * The field, as a path in its YAML document (`spec.egress[0].toPorts[0].ports[0].port`, `items[2].spec` in a List).
   * @default - the whole file or document
   */
  readonly path?: string;
  /**
   * Kind of the object the finding is about.
   * @default - not about one object
   */
  readonly kind?: string;
  /**
   * `metadata.name` of that object.
   * @default - not about one object
   */
  readonly name?: string;
  /**
   * `metadata.namespace` of that object.
   * @default - cluster-scoped, or not about one object
   */
  readonly namespace?: string;
}

/** One input of a report. */
export interface ReportFile {
  /** The input, as named in diagnostics. */
  readonly file: string;
  /** `checked`, or why not: `not-found`, `unreadable`, `binary`, `too-large`, `empty`. */
  readonly status: string;
  /**
   * Size in bytes.
   * @default - unknown (not found, unreadable)
   */
  readonly bytes?: number;
  /** Kubernetes objects read (List items count one each; a raw `api.Rule` list counts one). */
  readonly documents: number;
  /** CiliumNetworkPolicies and CiliumClusterwideNetworkPolicies among them. */
  readonly policies: number;
}

/** The totals of a report. */
export interface ReportSummary {
  /** Inputs. */
  readonly files: number;
  /** Kubernetes objects read. */
  readonly documents: number;
  /** Cilium policies read. */
  readonly policies: number;
  /** Findings of severity error. */
  readonly errors: number;
  /** Findings of severity warning. */
  readonly warnings: number;
  /**
   * The warning limit.
   * @default - no limit
   */
  readonly maxWarnings?: number;
  /** No error, and no more warnings than `maxWarnings`. */
  readonly passed: boolean;
}

/** What `validateInputs` found. The JSON form is documented in `format-json.ts`. */
export interface ValidationReport {
  /** `cdk8s-cilium/validate/v1`. */
  readonly schema: string;
  /** The target Cilium version: `1.14` … `1.19`, or `1.20-dev`. */
  readonly version: string;
  /** The CRD files given (`[]`: the built-in schema rules and the bundled schemas of `version`). */
  readonly crdFiles: string[];
  /** The inputs, in order. */
  readonly files: ReportFile[];
  /** The findings, by input, then line and column. */
  readonly diagnostics: ReportDiagnostic[];
  /** The totals. */
  readonly summary: ReportSummary;
}

/** The target version: the rules to run and what to call it. */
export interface TargetVersion {
  /** The rules of this version run. */
  readonly rules: CiliumVersion;
  /** `1.19`, or `1.20-dev`. */
  readonly name: string;
  /** Kafka and l7proto rules were removed (1.20). */
  readonly kafkaRemoved: boolean;
}

/**
 * Reads a target version: `1.14` … `1.19` (also `v1.17`, `1.17.3`), or `1.20`/`main`/`1.20-dev` (Cilium's main branch).
 * @throws CiliumPolicyError for anything else
 */
export function parseTargetVersion(text: string = CiliumVersion.DEFAULT.toString()): TargetVersion {
  const t = String(text).trim();
  if (/^(main|v?1\.20(\.\d+)?(-dev)?)$/.test(t)) return { rules: CiliumVersion.V1_19, name: '1.20-dev', kafkaRemoved: true };
  try {
    const v = CiliumVersion.parse(t);
    return { rules: v, name: v.toString(), kafkaRemoved: false };
  } catch {
    throw new CiliumPolicyError({
      id: 'version-unsupported',
      message: `unsupported Cilium version "${text}"`,
      fix: `use one of ${CiliumVersion.ALL.map(String).join(', ')}, or 1.20 (main)`,
    });
  }
}

/**
 * Finds the inputs (files, directories recursively, globs; `-` is `options.stdin`) and validates them together. A path
 * or glob that matches nothing is an `input-not-found` finding.
 * @throws CiliumPolicyError for an unsupported version or a CRD file that cannot be loaded (usage errors)
 */
export function validatePaths(args: readonly string[], options: ValidatePathsOptions = {}): ValidationReport {
  const cwd = options.cwd ?? process.cwd();
  const entries: Entry[] = expandPaths(args, cwd).map((e): Entry => {
    if (e.file) return { input: { name: e.file.name, path: e.file.path } };
    if (e.missing !== undefined) return { missing: e.missing };
    if (e.unreadable) return { unreadable: e.unreadable };
    if (options.stdin === undefined) {
      throw new CiliumPolicyError({ id: 'input-stdin', message: '- (standard input) was given but nothing was read from it', fix: 'pipe the manifests in' });
    }
    return { input: { name: STDIN_NAME, bytes: options.stdin } };
  });
  return new Run(options).validate(entries);
}

/**
 * Validates inputs together: each one is read and checked alone, then the pitfalls are checked over all of them (a DNS
 * rule in one file counts for toFQDNs in another).
 * @throws CiliumPolicyError for an unsupported version or a CRD file that cannot be loaded (usage errors)
 */
export function validateInputs(inputs: readonly ValidationInput[], options: ValidateInputsOptions = {}): ValidationReport {
  return new Run(options).validate(inputs.map((input) => ({ input })));
}

/** The ids whose checks `crdFiles` take over for the kinds the CRDs define. */
const REPLACED_BY_CRD = new Set(['parse-unknown-field', 'parse-wrong-type', 'parse-missing-field', 'parse-port-not-string', 'parse-api-version']);

/** How findings are ordered at the same position. */
const CHECK_ORDER = new Map(REPORT_CHECKS.map((c, i) => [c.id, i]));

/** An input, or an argument that matched nothing. */
type Entry = { readonly input: ValidationInput; readonly missing?: undefined; readonly unreadable?: undefined }
  | { readonly missing: string; readonly input?: undefined; readonly unreadable?: undefined }
  | { readonly unreadable: { readonly name: string; readonly problem: InputProblem }; readonly input?: undefined; readonly missing?: undefined };

/** A diagnostic being collected, before sorting. */
interface Pending extends ReportDiagnostic {
  readonly order: number;
}

/** A diagnostic as the checks make it: the end of the token is worked out from the source. */
type Placed = Omit<ReportDiagnostic, 'endLine' | 'endColumn'>;

/** A policy document of some input, for the pitfall layer. */
interface DocRef {
  readonly input: number;
  readonly file: string;
  readonly doc: IParsedDocument;
  /** The paths of its violations of the `crdFiles` (findings of other layers on the same fields are left out). */
  readonly crdPaths?: readonly string[];
}

/** One validation run. */
class Run {
  private readonly target: TargetVersion;
  private readonly cwd: string;
  private readonly maxBytes: number;
  private readonly crd?: CrdSchemas;
  private readonly crdKinds: readonly string[] = [];
  /** The bundled CRD schemas of the target version, checked behind the built-in rules when no `crdFiles` are given. */
  private readonly bundled?: CrdSchemas;
  /** The paths of the findings reported on each policy document. */
  private readonly findingPaths = new Map<IParsedDocument, string[]>();
  private readonly out: Pending[] = [];
  private readonly files: ReportFile[] = [];
  private readonly docs: DocRef[] = [];
  private readonly inventory = new ManifestInventory();
  /** Where each object of the inventory is, for findings about a NetworkPolicy. */
  private readonly inventorySources = new Map<InventorySource, { input: number; itemPath?: string; locate: Locator }>();
  /** The source lines of each input that has text, by input index. */
  private readonly lines = new Map<number, string[]>();

  constructor(private readonly options: ValidateInputsOptions) {
    this.target = parseTargetVersion(options.ciliumVersion);
    this.cwd = options.cwd ?? process.cwd();
    this.maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (options.crdFiles && options.crdFiles.length > 0) {
      this.crd = CrdSchemas.fromFiles(options.crdFiles.map((f) => resolve(this.cwd, f)));
      this.crd.load();
      this.crdKinds = this.crd.kinds;
    } else if (CiliumVersion.ALL.some((v) => v.toString() === this.target.name)) {
      // As the API server parses CIDRs (leading zeros accepted); what the agent then refuses is a `sanitize-` finding.
      this.bundled = CrdSchemas.builtin(this.target.rules, { cidrFormat: CidrFormat.APISERVER });
    }
  }

  public validate(entries: readonly Entry[]): ValidationReport {
    entries.forEach((entry, index) => {
      if (entry.input) {
        this.read(index, entry.input);
        return;
      }
      if (entry.unreadable) {
        const { name, problem } = entry.unreadable;
        this.files.push({ file: name, status: 'unreadable', documents: 0, policies: 0 });
        this.push(index, { id: problem.id, severity: Severity.ERROR, message: problem.message, fix: problem.fix, file: name, line: 1, column: 1 });
        return;
      }
      const m = entry.missing;
      this.files.push({ file: m, status: 'not-found', documents: 0, policies: 0 });
      this.push(index, {
        id: 'input-not-found', severity: Severity.ERROR, file: m, line: 1, column: 1,
        message: /[*?[{]/.test(m) ? `the pattern ${m} matches no file` : `${m} does not exist`,
        fix: 'check the path (globs are relative to the working directory; quote them so that the shell does not expand them)',
      });
    });
    this.pitfalls();
    return this.report();
  }

  // ----------------------------------------------------------------------------------------------------------------

  private read(index: number, input: ValidationInput): void {
    let result: ReadResult;
    if (input.bytes !== undefined) result = decodeInput(input.bytes, this.maxBytes);
    else if (input.text !== undefined) result = decodeInput(input.text, this.maxBytes);
    else result = readInputFile(resolve(this.cwd, input.path ?? input.name), this.maxBytes);
    const file = input.name;
    if (result.problem) {
      const status = result.problem.id.replace(/^input-/, '');
      this.files.push({ file, status, ...(result.bytes !== undefined ? { bytes: result.bytes } : {}), documents: 0, policies: 0 });
      const severity = findCheck(result.problem.id)?.severity ?? Severity.ERROR;
      this.push(index, { id: result.problem.id, severity, message: result.problem.message, fix: result.problem.fix, file, line: 1, column: 1 });
      return;
    }
    const text = result.text ?? '';
    this.lines.set(index, text.split(/\r?\n/));
    const parsed = fromYaml(text, { file });
    const objects = rawObjects(text);
    const skippedByKey = new Map(parsed.skipped.map((d) => [docKey(d.index, d.itemPath), d]));
    for (const o of objects) {
      if (isPolicyKind(o.obj)) continue;
      const source: InventorySource = { file, line: o.line, column: o.column };
      const skipped = skippedByKey.get(docKey(o.index, o.itemPath));
      if (this.inventory.add(o.obj, source) && skipped) {
        this.inventorySources.set(source, { input: index, itemPath: o.itemPath, locate: skipped.locate });
      }
      if (skipped && isNetworkPolicy(o.obj)) {
        const np = { name: stringOr(o.obj.metadata, 'name'), namespace: stringOr(o.obj.metadata, 'namespace') || 'default', source };
        for (const finding of validateNetworkPolicy(o.obj)) this.pushNetworkPolicy(finding, np);
      }
    }
    const documents = parsed.documents.length + parsed.skipped.length + parsed.rawRules.length;
    this.files.push({ file, status: documents === 0 && parsed.diagnostics.length === 0 ? 'empty' : 'checked', bytes: result.bytes ?? 0, documents, policies: parsed.documents.length });
    if (documents === 0 && parsed.diagnostics.length === 0) {
      this.push(index, {
        id: 'input-empty', severity: Severity.WARNING, file, line: 1, column: 1,
        message: 'the file holds no YAML document (only comments or document markers)', fix: 'remove the file from the input, or write the manifests into it',
      });
      return;
    }
    const byKey = new Map(parsed.documents.map((d) => [docKey(d.source.index, d.source.itemPath), d]));
    const rawByKey = new Map(objects.map((o) => [docKey(o.index, o.itemPath), o.obj]));
    const crdViolations = new Map<IParsedDocument, CrdViolation[]>();
    const crd = this.crd;
    for (const d of parsed.documents) {
      if (crd && this.crdKinds.includes(d.model.kind)) crdViolations.set(d, crd.validate(rawByKey.get(docKey(d.source.index, d.source.itemPath))));
    }
    for (const diag of parsed.diagnostics) {
      const doc = diag.index !== undefined ? byKey.get(docKey(diag.index, diag.itemPath)) : undefined;
      if (doc && crdViolations.has(doc) && REPLACED_BY_CRD.has(diag.id)) continue;
      if (doc) this.noteFinding(doc, diag.path);
      this.pushSource(index, file, diag, doc?.model);
    }
    for (const d of parsed.documents) {
      const violations = crdViolations.get(d);
      const crdPaths = (violations ?? []).map((v) => v.path);
      for (const finding of validatePolicy(d.model, { version: this.target.rules })) {
        if (violations && finding.id.startsWith('crd-') && !finding.id.startsWith('crd-metadata-')) continue;
        if (violations && finding.id.startsWith('version-') && crdPaths.some((p) => related(p, finding.path ?? ''))) continue;
        if (this.target.kafkaRemoved && finding.id === 'version-kafka-deprecated') continue;
        this.pushDoc(index, file, d, finding);
      }
      this.bundledViolations(index, file, d, rawByKey.get(docKey(d.source.index, d.source.itemPath)));
      for (const v of violations ?? []) this.pushViolation(index, file, d, v, crdFix(v));
      this.docs.push({ input: index, file, doc: d, ...(violations ? { crdPaths } : {}) });
    }
    for (const raw of parsed.rawRules) {
      raw.rules.forEach((rule, i) => {
        for (const finding of validateRule(rule, PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY, this.target.rules, `[${i}]`)) {
          if (finding.id.startsWith('crd-')) continue; // raw api.Rule JSON never meets the API server
          const pos = raw.locate(finding.path ?? `[${i}]`) ?? { line: 1, column: 1 };
          this.push(index, { ...finding, fix: finding.fix ?? '', file, ...pos, kind: 'api.Rule' });
        }
      });
    }
  }

  /**
   * The violations of the bundled CRD schema that no other finding on the document covers (the built-in rules say the
   * same things in their own words, with a fix; the real schema catches what they do not know), as `crd-schema`.
   */
  private bundledViolations(index: number, file: string, doc: IParsedDocument, raw: unknown): void {
    if (!this.bundled || raw === undefined) return;
    const violations = this.bundled.validate(raw);
    if (violations.length === 0) return;
    const covered = this.findingPaths.get(doc) ?? [];
    for (const v of violations) {
      // The API server drops `status` from writes to the object (the status subresource owns it).
      if (v.path === 'status' || within(v.path, 'status')) continue;
      // A finding on the same field, inside it, or around it (but not one about a whole rule) says it already.
      if (covered.some((p) => p === v.path || within(p, v.path) || (within(v.path, p) && !/^(spec|specs\[\d+\])?$/.test(p)))) continue;
      this.pushViolation(index, file, doc, v, `the CRD of Cilium ${this.target.name} rejects it: ${crdFix(v)}`);
    }
  }

  private pitfalls(): void {
    const docs: PitfallDocument[] = this.docs.map((d) => {
      const at = d.doc.locate('');
      return { model: d.doc.model, version: this.target.rules, where: `${d.file}${at ? `:${at.line}` : ''}` };
    });
    for (const finding of checkPitfalls(docs, this.inventory, { kafkaRemoved: this.target.kafkaRemoved })) {
      if (finding.networkPolicy) {
        this.pushNetworkPolicy(finding, finding.networkPolicy);
        continue;
      }
      const ref = this.docs[finding.document];
      if (finding.id === 'pitfall-kafka-removed' && ref.crdPaths?.some((p) => related(p, finding.path ?? ''))) continue;
      this.pushDoc(ref.input, ref.file, ref.doc, finding);
    }
  }

  private report(): ValidationReport {
    const seen = new Set<string>();
    const diagnostics = this.out
      .sort((a, b) => a.order - b.order || a.line - b.line || a.column - b.column
        || (CHECK_ORDER.get(a.id) ?? 0) - (CHECK_ORDER.get(b.id) ?? 0) || compare(a.path ?? '', b.path ?? '') || compare(a.message, b.message))
      .filter((d) => {
        const key = `${d.file}\0${d.line}\0${d.column}\0${d.id}\0${d.path ?? ''}\0${d.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .map(({ order: _order, ...d }) => d);
    const errors = diagnostics.filter((d) => d.severity === Severity.ERROR).length;
    const warnings = diagnostics.length - errors;
    const max = this.options.maxWarnings;
    return {
      schema: VALIDATE_REPORT_SCHEMA,
      version: this.target.name,
      crdFiles: (this.options.crdFiles ?? []).map((f) => displayName(resolve(this.cwd, f), this.cwd)),
      files: this.files,
      diagnostics,
      summary: {
        files: this.files.length,
        documents: this.files.reduce((n, f) => n + f.documents, 0),
        policies: this.files.reduce((n, f) => n + f.policies, 0),
        errors,
        warnings,
        ...(max !== undefined ? { maxWarnings: max } : {}),
        passed: errors === 0 && (max === undefined || warnings <= max),
      },
    };
  }

  // ----------------------------------------------------------------------------------------------------------------

  /** A reader diagnostic (it has its own position; its path is relative to its List item). */
  private pushSource(index: number, file: string, diag: SourceDiagnostic, model: PolicyDocumentModel | undefined): void {
    this.push(index, {
      id: diag.id,
      severity: diag.severity,
      message: diag.message,
      fix: diag.fix ?? defaultFix(diag.id),
      file,
      line: diag.line ?? 1,
      column: diag.column ?? 1,
      ...withPath(diag.itemPath, diag.path),
      ...objectOf(model),
    });
  }

  /** A violation of a CRD schema, as a `crd-schema` finding; an unknown field is shown at its key, as the reader does. */
  private pushViolation(index: number, file: string, doc: IParsedDocument, v: CrdViolation, fix: string): void {
    const prefix = `${v.path || '(root)'}: `;
    const finding: Diagnostic = {
      id: 'crd-schema', severity: Severity.ERROR, path: v.path || undefined,
      message: v.message.startsWith(prefix) ? v.message.slice(prefix.length) : v.message,
      fix,
    };
    // The value of an unknown field may start on the next line.
    const field = v.keyword === 'additionalProperties' ? /(?:^|\.)([^.[\]]+)$/.exec(v.path)?.[1] : undefined;
    const at = field ? keyPosition(this.lines.get(index) ?? [], doc.locate(v.path), field) : undefined;
    this.pushDoc(index, file, doc, finding, at);
  }

  /** Remembers that a finding was reported on `path` of `doc` (so the bundled schema does not say it again). */
  private noteFinding(doc: IParsedDocument, path: string | undefined): void {
    const paths = this.findingPaths.get(doc);
    if (paths) paths.push(path ?? '');
    else this.findingPaths.set(doc, [path ?? '']);
  }

  /** A finding on a parsed policy: placed with its `locate` (or at `at`). */
  private pushDoc(index: number, file: string, doc: IParsedDocument, finding: Diagnostic, at?: SourcePosition): void {
    this.noteFinding(doc, finding.path);
    const pos: SourcePosition = at ?? doc.locate(finding.path ?? '') ?? { line: 1, column: 1 };
    this.push(index, {
      id: finding.id,
      severity: finding.severity,
      message: finding.message,
      fix: finding.fix ?? defaultFix(finding.id),
      file,
      line: pos.line,
      column: pos.column,
      ...withPath(doc.source.itemPath, finding.path),
      ...objectOf(doc.model),
    });
  }

  /** A finding on a Kubernetes NetworkPolicy of the inventory. */
  private pushNetworkPolicy(finding: Diagnostic, np: Pick<InventoryNetworkPolicy, 'name' | 'namespace' | 'source'>): void {
    const at = this.inventorySources.get(np.source);
    if (!at || np.source.file === undefined) return;
    const pos = at.locate(finding.path ?? '') ?? { line: np.source.line ?? 1, column: np.source.column ?? 1 };
    this.push(at.input, {
      id: finding.id,
      severity: finding.severity,
      message: finding.message,
      fix: finding.fix ?? defaultFix(finding.id),
      file: np.source.file,
      line: pos.line,
      column: pos.column,
      ...withPath(at.itemPath, finding.path),
      kind: 'NetworkPolicy',
      ...(np.name ? { name: np.name } : {}),
      namespace: np.namespace,
    });
  }

  private push(order: number, d: Placed): void {
    const text = this.lines.get(order)?.[d.line - 1];
    const end = text === undefined ? d.column + 1 : tokenEnd(text, d.column);
    this.out.push({ ...d, endLine: d.line, endColumn: end, order });
  }
}

// ------------------------------------------------------------------------------------------------------------------
// Helpers

/** The Kubernetes objects of a YAML stream with their positions (List items one by one); documents with errors are left out. */
export function rawObjects(text: string): { obj: unknown; index: number; itemPath?: string; line: number; column: number }[] {
  const lineCounter = new LineCounter();
  const out: { obj: unknown; index: number; itemPath?: string; line: number; column: number }[] = [];
  let docs;
  if (nestingDepthError(text)) return out; // fromYaml reports it
  try {
    docs = parseAllDocuments(text, { lineCounter, merge: true, logLevel: 'silent' });
  } catch {
    return out;
  }
  if (!Array.isArray(docs)) return out;
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0 || doc.contents === null) return;
    let obj: unknown;
    try {
      obj = doc.toJS({ maxAliasCount: 1000 });
    } catch {
      return;
    }
    const at = (node: YamlNode | null | undefined): { line: number; column: number } => {
      const p = lineCounter.linePos(node?.range?.[0] ?? 0);
      return { line: p.line, column: p.col };
    };
    const contents = doc.contents as YamlNode;
    if (isRecord(obj) && typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
      const itemsNode = isMap(contents) ? contents.items.find((p) => isScalar(p.key) && p.key.value === 'items')?.value : undefined;
      obj.items.forEach((item, i) => {
        const node = isSeq(itemsNode) ? (itemsNode.items[i] as YamlNode | undefined) : undefined;
        out.push({ obj: item, index, itemPath: `items[${i}]`, ...at(node ?? contents) });
      });
      return;
    }
    out.push({ obj, index, ...at(contents) });
  });
  return out;
}

/**
 * The 1-based column just after the YAML token that starts at `column` of `line`: a quoted scalar with its quotes, a
 * flow collection to its closing bracket, a key to its colon, a plain value to the end of the line (without a comment).
 */
export function tokenEnd(line: string, column: number): number {
  const start = column - 1;
  if (start < 0 || start >= line.length) return column + 1;
  const c = line[start];
  let i: number;
  if (c === '"' || c === "'") {
    for (i = start + 1; i < line.length; i++) {
      if (c === '"' && line[i] === '\\') i++;
      else if (line[i] === c) {
        if (c === "'" && line[i + 1] === "'") i++;
        else return i + 2;
      }
    }
    return line.length + 1;
  }
  if (c === '[' || c === '{') {
    let depth = 0;
    for (i = start; i < line.length; i++) {
      if (line[i] === '[' || line[i] === '{') depth++;
      else if ((line[i] === ']' || line[i] === '}') && --depth === 0) return i + 2;
    }
    return line.length + 1;
  }
  for (i = start; i < line.length; i++) {
    const ch = line[i];
    if (ch === ':' && (i + 1 === line.length || line[i + 1] === ' ')) break;
    if (ch === '#' && i > start && line[i - 1] === ' ') break;
    if (ch === ',' || ch === ']' || ch === '}') break;
  }
  let end = i;
  while (end > start && line[end - 1] === ' ') end--;
  return end > start ? end + 1 : column + 1;
}

/**
 * The position of the key `key` whose value is at `value`: on the same line before it, or on one of the three lines
 * above (a block value starts on the line after its key). `undefined` when it cannot be found.
 */
export function keyPosition(lines: readonly string[], value: SourcePosition | undefined, key: string): SourcePosition | undefined {
  if (!value) return undefined;
  const re = new RegExp(`(^|[\\s{,-])(["']?)${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\2\\s*:`);
  for (let line = value.line; line >= Math.max(1, value.line - 3); line--) {
    const text = lines[line - 1] ?? '';
    const upTo = line === value.line ? text.slice(0, value.column - 1) : text;
    const m = re.exec(upTo);
    if (m) return { line, column: m.index + m[1].length + 1 };
  }
  return undefined;
}

function stringOr(obj: unknown, key: string): string {
  const v = isRecord(obj) ? obj[key] : undefined;
  return typeof v === 'string' ? v : '';
}

function docKey(index: number, itemPath: string | undefined): string {
  return `${index}/${itemPath ?? ''}`;
}

function isPolicyKind(obj: unknown): boolean {
  return isRecord(obj) && (obj.kind === 'CiliumNetworkPolicy' || obj.kind === 'CiliumClusterwideNetworkPolicy');
}

/** Whether `path` is a field inside `base` (`base` '' is the whole object). */
function within(path: string, base: string): boolean {
  return base === '' ? path !== '' : path.startsWith(`${base}.`) || path.startsWith(`${base}[`);
}

/** Whether two paths are the same field or one contains the other. */
function related(a: string, b: string): boolean {
  return a === b || b.startsWith(`${a}.`) || b.startsWith(`${a}[`) || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
}

function withPath(itemPath: string | undefined, path: string | undefined): { path?: string } {
  const full = itemPath ? (path ? `${itemPath}.${path}` : itemPath) : path;
  return full ? { path: full } : {};
}

function objectOf(model: PolicyDocumentModel | undefined): { kind?: string; name?: string; namespace?: string } {
  if (!model) return {};
  const name = model.metadata?.name;
  const ns = model.kind === 'CiliumNetworkPolicy' ? model.metadata?.namespace : undefined;
  return { kind: model.kind, ...(name ? { name } : {}), ...(ns ? { namespace: ns } : {}) };
}

/** A fix for findings that come without one. */
export function defaultFix(id: string): string {
  if (id === 'parse-yaml-syntax') return 'fix the YAML at this position';
  const what = findCheck(id)?.what;
  return what ? `correct it: ${what}` : 'correct the field';
}

/** The fix for a violation of a real CRD, by schema keyword. */
function crdFix(v: CrdViolation): string {
  switch (v.keyword) {
    case 'additionalProperties':
      return 'remove the field or correct its name: the CRD of your cluster does not have it (an API server prunes it, kubectl apply rejects it)';
    case 'required':
      return 'add the missing field';
    case 'crd':
      return 'check apiVersion and kind, and that the CRD files given with --crd define this kind';
    default:
      return 'write a value the CRD of your cluster accepts';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
