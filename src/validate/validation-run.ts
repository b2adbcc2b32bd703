// One run of `validateInputs`: reads every input, picks the version each policy is judged for (given, else the version
// it was synthesized for), runs every layer over each input, then the pitfalls over the policies of each version, and
// places each finding at file:line:column.
import { resolve } from 'node:path';
import { Diagnostic, Severity } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { fromYaml } from '../model/parse';
import { clusterNameError } from '../model/labels';
import { readYamlStream, YamlStream } from '../model/yaml-stream';
import { IParsedDocument, Locator, ParseResult, SourceDiagnostic, SourcePosition } from '../model/parse-result';
import { isNetworkPolicy } from '../model/network-policy';
import { PolicyDocumentModel } from '../model/policy-model';
import { DEFAULT_MAX_FILE_BYTES, InputProblem, ReadResult, decodeInput, readInputFile } from '../model/inputs';
import { CidrFormat } from './cidr-format';
import { CrdSchemas, CrdViolation } from './crd-schema';
import { DiagnosticBudget, leftOutPaths, omittedDiagnostic, omittedOf } from '../model/diagnostic-budget';
import { findCheck, refusesPolicy } from './catalogue';
import { InventoryNetworkPolicy, InventorySource, ManifestInventory } from './inventory';
import { cidrGroupApiVersionRejection } from '../model/cidr-group-admission';
import { booleanAsWritten, validateNetworkPolicy } from './network-policy-rules';
import { checkPitfalls } from './pitfall-rules';
import { PitfallDocument } from './pitfall-run';
import { mergeUnquotedPorts } from './unquoted-ports';
import { notSaidByReader, validatePolicy, validateRawRule } from './validate-policy';
import { TargetVersion, parseTargetVersion } from './target-version';
import {
  AnnotatedDocument, annotationFix, CILIUM_VERSION_ANNOTATION, VERSION_DEFAULT, VERSION_GIVEN, invalidAnnotationFinding, isAnnotationTypeDiagnostic,
  judgedVersion, ownAnnotation,
} from '../model/version-annotation';
import { ReportDiagnostic, ReportFile, ReportFileStatus, ReportVersion, ValidationReport } from './validation-report';
import { buildReport, Pending } from './build-report';
import { crdFix, defaultFix } from './finding-fixes';
import { RawObject, keyPosition, rawObjects, tokenEnd } from './yaml-positions';
import { InputSource, ValidateInputsOptions } from './validation-options';

/** The ids whose checks `crdFiles` take over for the kinds the CRDs define. */
const REPLACED_BY_CRD = new Set(['parse-unknown-field', 'parse-wrong-type', 'parse-missing-field', 'parse-port-not-string', 'parse-api-version']);

/** An input, or an argument that matched nothing. */
export type Entry = { readonly input: InputSource; readonly missing?: undefined; readonly unreadable?: undefined }
  | { readonly missing: string; readonly input?: undefined; readonly unreadable?: undefined }
  | { readonly unreadable: { readonly name: string; readonly problem: InputProblem }; readonly input?: undefined; readonly missing?: undefined };

/** A diagnostic as the checks make it: the end of the token is worked out from the source. */
type Placed = Omit<ReportDiagnostic, 'endLine' | 'endColumn'>;

/** A policy document of some input, for the pitfall layer. */
interface DocRef {
  readonly input: number;
  readonly file: string;
  readonly doc: IParsedDocument;
  /** The paths of its violations of the `crdFiles` (findings of other layers on the same fields are left out). */
  readonly crdPaths?: readonly string[];
  /** The version it is judged for. */
  readonly target: TargetVersion;
  /** Whether the API server or the agent refuses it (`refusesPolicy` of its findings). */
  readonly refused: boolean;
}

/** An input read and parsed, its policies not yet checked (they are checked once the target version is known). */
interface ReadInput {
  readonly index: number;
  readonly file: string;
  readonly parsed: ParseResult;
  /** The raw objects of its policies. */
  readonly objects: readonly RawObject[];
}

/** One validation run. */
export class Run {
  /** The version given (`ciliumVersion`), read before any input. */
  private readonly given?: TargetVersion;
  /**
   * The version of the documents that name none of their own (unannotated policies, raw rules, NetworkPolicies): given,
   * else the one version the policies' annotations name, else the default.
   */
  private fallback!: TargetVersion;
  /** Where `fallback` came from (`JudgedVersion.source`). */
  private fallbackSource!: string;
  /** The version each policy is judged for, when it is not `fallback` (its own annotation). */
  private readonly targets = new Map<IParsedDocument, TargetVersion>();
  /** Reader diagnostics another finding says (`isAnnotationTypeDiagnostic`), left out. */
  private readonly superseded = new Set<SourceDiagnostic>();
  private readonly cwd: string;
  private readonly maxBytes: number;
  private readonly crd?: CrdSchemas;
  private readonly crdKinds: readonly string[] = [];
  /**
   * The bundled CRD schemas of each target version, checked behind the built-in rules when no `crdFiles` are given
   * (compiled once per version, when a policy of that version is first checked).
   */
  private readonly bundled = new Map<string, CrdSchemas>();
  /** The paths of the findings reported on each policy document. */
  private readonly findingPaths = new Map<IParsedDocument, FindingPaths>();
  /** The policies with a CRD schema violation listed (their first is listed whatever the file's budget). */
  private readonly violated = new Set<IParsedDocument>();
  private readonly out: Pending[] = [];
  private readonly files: ReportFile[] = [];
  private readonly docs: DocRef[] = [];
  private readonly inventory = new ManifestInventory();
  /** Where each object of the inventory is, for findings about a NetworkPolicy. */
  private readonly inventorySources = new Map<InventorySource, { input: number; itemPath?: string; locate: Locator }>();
  /**
   * The CiliumCIDRGroups of the inventory by name (a later one replaces it, as in the inventory), with the apiVersion they were
   * read with: judged for the release once it is settled (`unservedCidrGroups`).
   */
  private readonly cidrGroups = new Map<string, { apiVersion: unknown; source: InventorySource }>();
  /** The source lines of each input that has text, by input index. */
  private readonly lines = new Map<number, string[]>();

  constructor(private readonly options: ValidateInputsOptions) {
    // As the engine refuses it (`PolicySet`): an unset CI variable (`--cluster-name "$CLUSTER"`) must not judge the DNS
    // pitfalls for a cluster "" no pod is of.
    const badCluster = options.clusterName !== undefined ? clusterNameError(options.clusterName) : undefined;
    if (badCluster) throw badCluster;
    if (options.ciliumVersion !== undefined) this.given = parseTargetVersion(options.ciliumVersion);
    this.cwd = options.cwd ?? process.cwd();
    this.maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (options.crdFiles && options.crdFiles.length > 0) {
      this.crd = CrdSchemas.fromFiles(options.crdFiles.map((f) => resolve(this.cwd, f)));
      // The user's CRD files are inputs of the run: charged to its budget of YAML values, as the manifests are.
      this.crd._loadCharged();
      this.crdKinds = this.crd.kinds;
    }
  }

  public validate(entries: readonly Entry[]): ValidationReport {
    const read: ReadInput[] = [];
    entries.forEach((entry, index) => {
      if (entry.input) {
        const r = this.read(index, entry.input);
        if (r) read.push(r);
        return;
      }
      if (entry.unreadable) {
        const { name, problem } = entry.unreadable;
        const status = problem.id === 'input-not-found' ? ReportFileStatus.NOT_FOUND : ReportFileStatus.UNREADABLE;
        this.files.push({ file: name, status, documents: 0, policies: 0 });
        this.push(index, { id: problem.id, severity: Severity.ERROR, message: problem.message, fix: problem.fix, file: name, line: 1, column: 1 });
        return;
      }
      const m = entry.missing;
      this.files.push({ file: m, status: ReportFileStatus.NOT_FOUND, documents: 0, policies: 0 });
      this.push(index, {
        id: 'input-not-found', severity: Severity.ERROR, file: m, line: 1, column: 1,
        message: /[*?[{]/.test(m) ? `the pattern ${m} matches no file` : `${m} does not exist`,
        fix: 'check the path (globs are relative to the working directory; quote them so that the shell does not expand them)',
      });
    });
    this.chooseTarget(read);
    this.unservedCidrGroups();
    for (const r of read) this.check(r);
    this.pitfalls();
    return this.report();
  }

  /**
   * The version each policy is judged for: `ciliumVersion` when given (the annotations are then not read); else its own
   * `cdk8s-cilium.io/cilium-version` annotation (an app's charts may describe clusters of different versions); else, for
   * policies without one (and raw rules, NetworkPolicies), the one version the annotations of the inputs name, or 1.19
   * when they name none or several. An annotation that names no supported version is a `version-annotation-invalid`
   * finding at its line, and its policy is judged as one without. With `crdFiles` (the CRDs of one cluster), policies
   * annotated for different versions are refused as in `trace`.
   * @throws CiliumPolicyError (`version-annotation-conflict`) with `crdFiles`
   */
  private chooseTarget(read: readonly ReadInput[]): void {
    if (this.given !== undefined) {
      this.fallback = this.given;
      this.fallbackSource = VERSION_GIVEN;
      return;
    }
    const annotated: { doc: IParsedDocument; file: string; version: CiliumVersion }[] = [];
    const invalid: { r: ReadInput; doc: IParsedDocument; value: unknown }[] = [];
    for (const r of read) {
      for (const d of r.parsed.documents) {
        const own = ownAnnotation(d.model);
        if (own === undefined) continue;
        if (own.version !== undefined) annotated.push({ doc: d, file: r.file, version: own.version });
        else invalid.push({ r, doc: d, value: own.value });
      }
    }
    const versions = [...new Set(annotated.map((a) => a.version))];
    // One cluster's CRDs: one version (the refusal of trace, naming both).
    if (this.crd && versions.length > 1) judgedVersion(annotated.map((a): AnnotatedDocument => ({ model: a.doc.model, file: a.file })));
    const sole = versions.length === 1 ? judgedVersion(annotated.map((a): AnnotatedDocument => ({ model: a.doc.model, file: a.file }))) : undefined;
    this.fallback = parseTargetVersion((sole?.version ?? CiliumVersion.DEFAULT).release);
    this.fallbackSource = sole?.source ?? VERSION_DEFAULT;
    for (const a of annotated) if (a.version !== this.fallback.rules) this.targets.set(a.doc, parseTargetVersion(a.version.release));
    for (const { r, doc, value } of invalid) this.invalidAnnotation(r, doc, value);
    if (versions.length > 1) this.missingAnnotations(read, versions);
  }

  /**
   * `version-annotation-missing`: with policies annotated for several versions, each document without the annotation is
   * judged for the default, which may not be its cluster's version (an older cluster's errors would pass unseen).
   */
  private missingAnnotations(read: readonly ReadInput[], versions: readonly CiliumVersion[]): void {
    const named = versions.map((v) => v.release).sort(compareVersions).join(' and ');
    for (const r of read) {
      for (const d of r.parsed.documents) {
        if (ownAnnotation(d.model) !== undefined) continue;
        this.pushDoc(r.index, r.file, d, {
          id: 'version-annotation-missing', severity: Severity.WARNING, path: 'metadata.name',
          message: `it has no ${CILIUM_VERSION_ANNOTATION} annotation, while other policies name Cilium ${named}: it is judged for `
            + `Cilium ${this.fallback.name} (the default), which may not be its cluster's version`,
          fix: `annotate it with its cluster's version (${CILIUM_VERSION_ANNOTATION}; CiliumVersion.use in its chart), or validate each `
            + "cluster's policies on their own with --cilium-version (ciliumVersion in the API)",
        });
      }
    }
  }

  /**
   * `version-annotation-invalid`: at the annotation, with its value; its policy is judged for `fallback`. The reader's
   * `parse-wrong-type` there (an unquoted number) is said by it, and left out (`superseded`).
   */
  private invalidAnnotation(r: ReadInput, d: IParsedDocument, value: unknown): void {
    const key = docKey(d.source.index, d.source.itemPath);
    const typed = r.parsed.diagnostics.find((x) => x.index !== undefined && docKey(x.index, x.itemPath) === key && isAnnotationTypeDiagnostic(x));
    if (typed) this.superseded.add(typed);
    this.pushDoc(r.index, r.file, d, { ...invalidAnnotationFinding(value, this.fallback.name, typed !== undefined, annotationFix('ciliumVersion')), severity: Severity.ERROR });
  }

  /** The version a policy is judged for. */
  private targetOf(doc: IParsedDocument): TargetVersion {
    return this.targets.get(doc) ?? this.fallback;
  }

  /** The bundled CRD schemas of a target version (none for 1.20-dev, nor with `crdFiles`). */
  private bundledOf(target: TargetVersion): CrdSchemas | undefined {
    if (this.crd || !CiliumVersion.ALL.some((v) => v.toString() === target.name)) return undefined;
    let schemas = this.bundled.get(target.name);
    // As the API server parses CIDRs (leading zeros accepted); what the agent then refuses is a `sanitize-` finding.
    if (!schemas) this.bundled.set(target.name, (schemas = CrdSchemas.builtin(target.rules, { cidrFormat: CidrFormat.APISERVER })));
    return schemas;
  }

  // ----------------------------------------------------------------------------------------------------------------

  /** Reads and parses an input; its objects other than policies go to the inventory, and NetworkPolicies are checked. */
  private read(index: number, input: InputSource): ReadInput | undefined {
    let result: ReadResult;
    const named = input.name === '-' || input.name.startsWith('<') ? undefined : input.name;
    if (input.bytes !== undefined) result = decodeInput(input.bytes, this.maxBytes, named);
    else if (input.text !== undefined) result = decodeInput(input.text, this.maxBytes);
    else result = readInputFile(resolve(this.cwd, input.path ?? input.name), this.maxBytes, named ?? input.path ?? input.name);
    const file = input.name;
    if (result.problem) {
      const status = result.problem.id.replace(/^input-/, '') as ReportFileStatus;
      this.files.push({ file, status, ...(result.bytes !== undefined ? { bytes: result.bytes } : {}), documents: 0, policies: 0 });
      const severity = findCheck(result.problem.id)?.severity ?? Severity.ERROR;
      this.push(index, { id: result.problem.id, severity, message: result.problem.message, fix: result.problem.fix, file, line: 1, column: 1 });
      return undefined;
    }
    const text = result.text ?? '';
    this.lines.set(index, text.split(/\r?\n/));
    // The text is parsed once: the policy reader and the positions of the other objects read the same stream.
    let stream: YamlStream | undefined;
    const read = (t: string): YamlStream => (stream ??= readYamlStream(t));
    const parsed = fromYaml(text, { file }, read);
    const objects = rawObjects(text, read);
    const skippedByKey = new Map(parsed.skipped.map((d) => [docKey(d.index, d.itemPath), d]));
    for (const o of objects) {
      if (isPolicyKind(o.obj)) continue;
      const source: InventorySource = { file, line: o.line, column: o.column };
      const skipped = skippedByKey.get(docKey(o.index, o.itemPath));
      // One the API server refuses for a label value that is no string (the reader's error says it) is never stored.
      if (skipped?._refused !== undefined) continue;
      // A NetworkPolicy of a version the inventory does not read (extensions/v1beta1) is still placed for its findings.
      if ((this.inventory.add(o.obj, source) || isNetworkPolicy(o.obj)) && skipped) {
        this.inventorySources.set(source, { input: index, itemPath: o.itemPath, locate: skipped.locate });
      }
      if (isRecord(o.obj) && o.obj.kind === 'CiliumCIDRGroup') this.cidrGroups.set(stringOr(o.obj.metadata, 'name'), { apiVersion: o.obj.apiVersion, source });
      if (skipped && isNetworkPolicy(o.obj)) {
        const np = { name: stringOr(o.obj.metadata, 'name'), namespace: stringOr(o.obj.metadata, 'namespace') || 'default', source };
        for (const finding of validateNetworkPolicy(o.obj)) this.pushNetworkPolicy(finding, np);
      }
    }
    // A document written as `null` (or `~`), `{}` or `[]` holds nothing: named where it is, as what it is, whether alone or
    // beside manifests. `{}` (a mapping without kind) and `[]` (a raw rule list of no rule) were counted as documents, so a
    // file of `{}` passed as "0 policies, 1 document" where a file of `null` was nothing to validate.
    const written = (o: { obj: unknown; line: number; column: number }): string | undefined => o.obj !== null ? (Array.isArray(o.obj) ? '[]' : '{}')
      : /^(?:null|Null|NULL|~)(?=[\s#]|$)/.exec((this.lines.get(index) ?? [])[o.line - 1]?.slice(o.column - 1) ?? '')?.[0];
    const nulls = objects.filter((o) => o.itemPath === undefined && (o.obj === null ? written(o) !== undefined : isEmptyValue(o.obj)));
    const documents = parsed.documents.length + parsed.skipped.length + parsed.rawRules.length - nulls.filter((o) => o.obj !== null).length;
    const status = documents === 0 && parsed.diagnostics.length === 0 ? ReportFileStatus.EMPTY : ReportFileStatus.CHECKED;
    this.files.push({ file, status, bytes: result.bytes ?? 0, documents, policies: parsed.documents.length });
    const what = nulls.every((o) => o.obj === null) ? 'null' : 'empty';
    if (documents === 0 && parsed.diagnostics.length === 0) {
      const message = nulls.length === 0 ? 'the file holds no manifest (only comments, document markers or a List of no items)'
        : `the file holds no manifest: ${nulls.length === 1 ? 'its only document is' : `its ${nulls.length} documents are`} ${what} `
          + `(\`${written(nulls[0]) ?? 'null'}\` at line ${nulls[0].line})`;
      this.push(index, {
        id: 'input-empty', severity: Severity.WARNING, file, line: nulls[0]?.line ?? 1, column: nulls[0]?.column ?? 1,
        message, fix: 'remove the file from the input, or write the manifests into it',
      });
      return undefined;
    }
    if (nulls.length > 0) {
      this.push(index, {
        id: 'input-empty', severity: Severity.WARNING, file, line: nulls[0].line, column: nulls[0].column,
        message: `${nulls.length === 1 ? 'a document of the file is' : `${nulls.length} documents of the file are`} ${what}, beside its manifests `
          + `(\`${written(nulls[0]) ?? 'null'}\` at line ${nulls[0].line}): ${nulls.length === 1 ? 'it holds' : 'they hold'} no manifest`,
        fix: `remove the ${what} ${nulls.length === 1 ? 'document' : 'documents'} (a template that rendered nothing writes one), or write the manifest into it`,
      });
    }
    // Only the policies' raw objects are kept until they are checked (for the CRD schemas); the rest is in the inventory.
    return { index, file, parsed, objects: objects.filter((o) => isPolicyKind(o.obj)) };
  }

  /** Checks the policies of an input read, for the target version. */
  private check({ index, file, parsed, objects }: ReadInput): void {
    const byKey = new Map(parsed.documents.map((d) => [docKey(d.source.index, d.source.itemPath), d]));
    const rawByKey = new Map(objects.map((o) => [docKey(o.index, o.itemPath), o.obj]));
    const crdViolations = new Map<IParsedDocument, CrdViolation[]>();
    // A schema's violations of one file, capped as the reader's diagnostics are (a million wrong values are a million).
    const budget = new DiagnosticBudget();
    const crd = this.crd;
    for (const d of parsed.documents) {
      if (crd && this.crdKinds.includes(d.model.kind)) crdViolations.set(d, crd.validate(rawByKey.get(docKey(d.source.index, d.source.itemPath))));
    }
    // The findings of the rules reported (a schema's violations stand for the crd- rules), one mistake at a port one finding.
    type Diagnostic = (typeof parsed.diagnostics)[number];
    const diagnosticsOf = new Map<IParsedDocument, Diagnostic[]>();
    for (const diag of parsed.diagnostics) {
      const doc = diag.index !== undefined ? byKey.get(docKey(diag.index, diag.itemPath)) : undefined;
      if (!doc) continue;
      const list = diagnosticsOf.get(doc);
      if (list) list.push(diag);
      else diagnosticsOf.set(doc, [diag]);
    }
    const dropped = new Set<Diagnostic>();
    const layered = new Map(parsed.documents.map((d) => {
      const checked = notSaidByReader(validatePolicy(d.model, { version: this.targetOf(d).rules }), diagnosticsOf.get(d) ?? []);
      // The findings the policy's cap left out were found all the same: the schema's violations there are said.
      for (const f of checked) for (const p of leftOutPaths(f)) this.noteFinding(d, asWritten(d, { path: p }).path);
      const found = checked.map((f) => asWritten(d, f))
        .filter((f) => !(crdViolations.has(d) && f.id.startsWith('crd-') && !f.id.startsWith('crd-metadata-')));
      const merged = mergeUnquotedPorts(diagnosticsOf.get(d) ?? [], found);
      for (const diag of merged.dropped) dropped.add(diag);
      return [d, merged.findings];
    }));
    for (const diag of parsed.diagnostics) {
      if (this.superseded.has(diag) || dropped.has(diag)) continue;
      const doc = diag.index !== undefined ? byKey.get(docKey(diag.index, diag.itemPath)) : undefined;
      if (doc && crdViolations.has(doc) && REPLACED_BY_CRD.has(diag.id)) continue;
      if (doc) this.noteFinding(doc, diag.path);
      // The diagnostics the file's cap left out were found all the same: the schema's violations there are said.
      if (doc) for (const p of leftOutPaths(diag)) this.noteFinding(doc, p);
      this.pushSource(index, file, diag, doc?.model);
    }
    for (const d of parsed.documents) {
      const violations = crdViolations.get(d);
      const crdPaths = (violations ?? []).map((v) => v.path);
      const target = this.targetOf(d);
      for (const finding of layered.get(d) ?? []) {
        if (violations && finding.id.startsWith('crd-') && !finding.id.startsWith('crd-metadata-')) continue;
        if (violations && finding.id.startsWith('version-') && crdPaths.some((p) => related(p, finding.path ?? ''))) continue;
        if (target.kafkaRemoved && finding.id === 'version-kafka-deprecated') continue;
        this.pushDoc(index, file, d, finding);
      }
      this.bundledViolations(index, file, d, rawByKey.get(docKey(d.source.index, d.source.itemPath)), target, budget);
      for (const v of violations ?? []) this.pushViolation(index, file, d, v, crdFix(v), budget);
      // Its reader's errors and its own findings (a schema violation of `crdFiles` counts too): as the engine's `admission`.
      const refused = (violations ?? []).length > 0 || [...(diagnosticsOf.get(d) ?? []), ...(layered.get(d) ?? [])].some(refusesPolicy);
      this.docs.push({ input: index, file, doc: d, target, refused, ...(violations ? { crdPaths } : {}) });
    }
    for (const raw of parsed.rawRules) {
      raw.rules.forEach((rule, i) => {
        for (const found of validateRawRule(rule, this.fallback.rules, `[${i}]`)) {
          const finding = asWritten(raw, found);
          const pos = raw.locate(finding.path ?? asWritten(raw, { path: `[${i}]` }).path) ?? { line: 1, column: 1 };
          this.push(index, { ...finding, fix: finding.fix ?? '', file, ...pos, kind: 'api.Rule' });
        }
      });
    }
    for (const o of budget.omitted()) {
      const summary = omittedDiagnostic(o, budget.max, 'file', 'file');
      this.push(index, { ...summary, fix: summary.fix ?? '', file, line: 1, column: 1 });
    }
  }

  /**
   * The violations of the bundled CRD schema that no other finding on the document covers (the built-in rules say the
   * same things in their own words, with a fix; the real schema catches what they do not know), as `crd-schema`.
   */
  private bundledViolations(index: number, file: string, doc: IParsedDocument, raw: unknown, target: TargetVersion, budget: DiagnosticBudget): void {
    const bundled = raw === undefined ? undefined : this.bundledOf(target);
    if (!bundled) return;
    const violations = bundled.validate(raw);
    if (violations.length === 0) return;
    const covered = this.findingPathsOf(doc);
    for (const v of violations) {
      // The API server drops `status` from writes to the object (the status subresource owns it).
      if (v.path === 'status' || within(v.path, 'status')) continue;
      // A finding on the same field, inside it, or around it (but not one about a whole rule) says it already.
      if (covered.covers(v.path)) continue;
      this.pushViolation(index, file, doc, v, `the CRD of Cilium ${target.name} rejects it: ${crdFix(v)}`, budget);
    }
  }

  /**
   * The pitfalls, once per version over the policies judged for it (their cross-policy checks see the policies of one
   * cluster), each time with the whole inventory; the NetworkPolicies of the inventory are judged for `fallback`, and a
   * finding on one that two versions' runs both make is reported once (`buildReport` drops the repeat).
   */
  private pitfalls(): void {
    const groups = new Map<string, DocRef[]>();
    for (const d of this.docs) {
      const group = groups.get(d.target.name);
      if (group) group.push(d);
      else groups.set(d.target.name, [d]);
    }
    if (groups.size === 0) groups.set(this.fallback.name, []);
    for (const refs of groups.values()) {
      const target = refs[0]?.target ?? this.fallback;
      const docs: PitfallDocument[] = refs.map((d) => {
        const at = d.doc.locate('');
        const locate = (path: string): string | undefined => {
          const p = d.doc.locate(asWritten(d.doc, { path }).path);
          return p ? `${d.file}:${p.line}` : undefined;
        };
        return { model: d.doc.model, version: target.rules, where: `${d.file}${at ? `:${at.line}` : ''}`, _locate: locate, ...(d.refused ? { _refused: true } : {}) };
      });
      for (const found of checkPitfalls(docs, this.inventory, {
        kafkaRemoved: target.kafkaRemoved, ciliumVersion: this.fallback.rules,
        ...(this.options.clusterName !== undefined ? { clusterName: this.options.clusterName } : {}),
      })) {
        if (found.networkPolicy) {
          this.pushNetworkPolicy(found, found.networkPolicy);
          continue;
        }
        const ref = refs[found.document];
        const finding = asWritten(ref.doc, found);
        if (finding.id === 'pitfall-kafka-removed' && ref.crdPaths?.some((p) => related(p, finding.path ?? ''))) continue;
        this.pushDoc(ref.input, ref.file, ref.doc, finding);
      }
    }
  }

  private report(): ValidationReport {
    const judged = new Map<string, Set<string>>();
    for (const d of this.docs) {
      const files = judged.get(d.target.name) ?? new Set<string>();
      judged.set(d.target.name, files.add(d.file));
    }
    const several = judged.size > 1;
    const versions: ReportVersion[] = [...judged].sort(([a], [b]) => compareVersions(a, b))
      .map(([version, files]) => ({ version, files: [...files] }));
    return buildReport(this.out, this.files, {
      version: this.fallback.name,
      versionSource: several ? `the annotation ${CILIUM_VERSION_ANNOTATION} of each policy` : this.fallbackSource,
      ...(several ? { versions } : {}),
      crdFiles: this.options.crdFiles, maxWarnings: this.options.maxWarnings, cwd: this.cwd,
    });
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
      ...omittedOf(diag),
    });
  }

  /**
   * A violation of a CRD schema, as a `crd-schema` finding; an unknown field is shown at its key, as the reader does.
   * Beyond the file's `budget` it is only counted.
   */
  private pushViolation(index: number, file: string, doc: IParsedDocument, v: CrdViolation, fix: string, budget: DiagnosticBudget): void {
    const first = !this.violated.has(doc);
    this.violated.add(doc);
    if (!budget.admit('crd-schema', Severity.ERROR, first)) return;
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
    this.findingPathsOf(doc).add(path ?? '');
  }

  private findingPathsOf(doc: IParsedDocument): FindingPaths {
    let paths = this.findingPaths.get(doc);
    if (!paths) this.findingPaths.set(doc, (paths = new FindingPaths()));
    return paths;
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
      ...omittedOf(finding),
    });
  }

  /**
   * A CiliumCIDRGroup of an apiVersion the release of the run (`fallback`: given, or the policies' annotation, as the
   * NetworkPolicies of the inventory) does not serve (`cidrGroupApiVersionRejection`: `cilium.io/v2` before 1.18): the API
   * server has no such resource, so the group is not in the cluster; an error at its apiVersion, and left out of the inventory.
   */
  private unservedCidrGroups(): void {
    for (const [name, { apiVersion, source }] of this.cidrGroups) {
      const why = cidrGroupApiVersionRejection(apiVersion, name === '' ? '' : ` ${name}`, this.fallback.rules, this.fallbackSource);
      const at = this.inventorySources.get(source);
      if (why === undefined || at === undefined || source.file === undefined) continue;
      this.inventory._removeCidrGroup(name);
      const pos = at.locate('apiVersion') ?? { line: source.line ?? 1, column: source.column ?? 1 };
      this.push(at.input, {
        id: why.id, severity: Severity.ERROR, message: why.message, fix: why.fix,
        file: source.file, line: pos.line, column: pos.column, ...withPath(at.itemPath, 'apiVersion'), kind: 'CiliumCIDRGroup', ...(name ? { name } : {}),
      });
    }
  }

  /** A finding on a Kubernetes NetworkPolicy of the inventory. */
  private pushNetworkPolicy(finding: Diagnostic, np: Pick<InventoryNetworkPolicy, 'name' | 'namespace' | 'source'>): void {
    const at = this.inventorySources.get(np.source);
    if (!at || np.source.file === undefined) return;
    const pos = at.locate(finding.path ?? '') ?? { line: np.source.line ?? 1, column: np.source.column ?? 1 };
    // The token written at the finding (`NO`): a boolean label value is said as written (`booleanAsWritten`).
    const line = this.lines.get(at.input)?.[pos.line - 1];
    const shown = booleanAsWritten(finding, line === undefined ? undefined : line.slice(pos.column - 1, tokenEnd(line, pos.column) - 1));
    this.push(at.input, {
      id: shown.id,
      severity: shown.severity,
      message: shown.message,
      fix: shown.fix ?? defaultFix(shown.id),
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

/** Orders `1.9` before `1.16` before `1.20-dev`. */
function compareVersions(a: string, b: string): number {
  const minor = (v: string): number => Number(/^1\.(\d+)/.exec(v)?.[1] ?? 0);
  const patch = (v: string): number => Number(/^1\.\d+\.(\d+)$/.exec(v)?.[1] ?? -1);
  return minor(a) - minor(b) || patch(a) - patch(b);
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

/**
 * The paths of the findings on one document, indexed so that asking whether a path is covered costs the depth of the
 * path, not the number of findings (a hostile file can have tens of thousands of both findings and CRD violations).
 */
class FindingPaths {
  private readonly exact = new Set<string>();
  /** Every path some finding is inside of (its proper ancestors). */
  private readonly around = new Set<string>();

  public add(path: string): void {
    if (this.exact.has(path)) return;
    this.exact.add(path);
    for (const a of ancestors(path)) this.around.add(a);
  }

  /** Whether a finding is on `path`, inside it, or around it (but not one about a whole rule): it says it already. */
  public covers(path: string): boolean {
    return this.exact.has(path) || this.around.has(path) || ancestors(path).some((a) => this.exact.has(a) && !/^(spec|specs\[\d+\])?$/.test(a));
  }
}

/** The proper ancestors of a path (`a.b[0]` → `a.b`, `a`, ''): those it is `within`. */
function ancestors(path: string): string[] {
  if (path === '') return [];
  const out = [''];
  let quoted = false;
  for (let k = 1; k < path.length; k++) {
    const c = path[k];
    if (quoted) {
      if (c === '\\') k++;
      else if (c === '"' && path[k + 1] === ']') quoted = false;
    } else if (c === '[' && path[k + 1] === '"') {
      out.push(path.slice(0, k));
      quoted = true;
      k++;
    } else if (c === '.' || c === '[') {
      out.push(path.slice(0, k));
    }
  }
  return out;
}

/** Whether two paths are the same field or one contains the other. */
function related(a: string, b: string): boolean {
  return a === b || b.startsWith(`${a}.`) || b.startsWith(`${a}[`) || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
}

/**
 * `finding` with its path into the model turned into the path as written in the source of `at` (the reader leaves out
 * list entries it cannot read, so the model's indices can be lower than the written ones).
 */
function asWritten<T extends { readonly path?: string }>(at: { readonly _writtenPath?: (path: string) => string }, finding: T): T {
  return finding.path === undefined || at._writtenPath === undefined ? finding : { ...finding, path: at._writtenPath(finding.path) };
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a document is an empty mapping (`{}`) or an empty list (`[]`). */
function isEmptyValue(value: unknown): boolean {
  return Array.isArray(value) ? value.length === 0 : typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}
