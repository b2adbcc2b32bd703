/**
 * Loading the inputs of a `PolicySet`: YAML/JSON texts, files (through the one input reader, `model/inputs.ts`) and cdk8s
 * constructs become model documents, raw `api.Rule` lists and NetworkPolicies to compile, the reader's diagnostics, and
 * the endpoint inventory (Namespaces, workloads, Services, CIDR groups found next to the policies).
 */
import { isAbsolute, relative } from 'node:path';
import type { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CiliumPolicyError, Severity } from '../core/errors';
import { CiliumVersion } from '../core/cilium-version';
import { cdk8s } from '../model/lazy-cdk8s';
import { inSynthSession } from '../model/synth-session';
import { FoundFile, InputProblem, PathEntry, expandPaths, readInputFile } from '../model/inputs';
import { NAMESPACE_ASSUMED_FIX, namespaceAssumed, namespaceAssumedText } from '../model/namespace-assumed';
import { objectName } from '../model/object-names';
import { withoutControls } from '../model/printable';
import { pushAll } from '../model/push-all';
import { listEntries } from '../model/list-items';
import { cidrGroupApiVersionRejection } from '../model/cidr-group-admission';
import { translateNetworkPolicy } from '../model/network-policy';
import { fromConstructObject, fromYaml } from '../model/parse';
import { YamlStreamReader, readYamlStream } from '../model/yaml-stream';
import { ParseResult, SourceDiagnostic, SourcePosition } from '../model/parse-result';
import { AgentFlags, diagnosticsOf, networkPolicyRejection } from './admission';
import { SourcedDocument, SourcedNetworkPolicy, SourcedRawRules } from './compile';
import { rawRulesImportProblem } from './importable';
import { EndpointInventory } from './inventory';

/** One input text and the file it came from (`PolicySet.fromTexts`). */
export interface PolicyText {
  /** The file name, as explanations and diagnostics show it. */
  readonly file: string;
  /** Its YAML or JSON text. */
  readonly text: string;
}

/** A document read from the inputs, with what the reader found wrong in it. */
export interface InputDocument extends SourcedDocument {
  readonly readerDiagnostics?: readonly SourceDiagnostic[];
  /** The line of its `metadata.name` (of the document, where that is not in the source), when read from YAML. */
  readonly line?: number;
}

/** A raw `api.Rule` list read from the inputs, with where it starts. */
export interface InputRawRules extends SourcedRawRules {
  readonly at?: SourcePosition;
}

/** Inputs gathered before compiling. */
export interface PolicyInputs {
  readonly docs: InputDocument[];
  readonly raw: InputRawRules[];
  readonly networkPolicies: SourcedNetworkPolicy[];
  readonly diagnostics: SourceDiagnostic[];
  readonly inventory: EndpointInventory;
  /** The reader's errors about manifests the API server refuses for a label value that is no string (left out of `inventory`). */
  readonly refusedManifests: SourceDiagnostic[];
}

/** No inputs yet. */
export function emptyInputs(): PolicyInputs {
  return { docs: [], raw: [], networkPolicies: [], diagnostics: [], inventory: new EndpointInventory(), refusedManifests: [] };
}

/**
 * Why a policy path names no file to read, or `undefined`: a path that does not exist (`engine-file-not-found`), or `-`,
 * standard input, which policy inputs never read (only `validate -` does; `engine-policy-stdin`, or `of`'s own id): it was said not to
 * exist. The one refusal of `PolicySet.fromFiles`, `--policies`, `diff --base`/`--head` and the paths `replay` checks
 * before it reads the flows.
 */
export function policyPathRefusal(entry: PathEntry, of?: PathOption): CiliumPolicyError | undefined {
  if (entry.stdin) {
    return new CiliumPolicyError(of === undefined ? {
      id: 'engine-policy-stdin',
      message: '- (standard input) is not read for policies: they are read from files, directories and globs',
      fix: 'write the policies to a file and give its path (validate - checks policies on standard input)',
    } : { id: of.stdinId, message: `${of.option} - (standard input) is not read: it is read from files`, fix: of.fix });
  }
  if (entry.missing === undefined) return undefined;
  return new CiliumPolicyError({
    id: 'engine-file-not-found', message: `${of === undefined ? '' : `${of.option} `}${withoutControls(entry.missing)} does not exist`,
    fix: of?.fix ?? 'give existing policy files or directories',
  });
}

/** The option whose path `policyPathRefusal` refuses, where it names no policies (`--inventory`), and how to fix it. */
export interface PathOption {
  /** The option, `--inventory`. */
  readonly option: string;
  /** The id of the refusal of `-`, the option's own (`cli-inventory`): `engine-policy-stdin` is policies'. */
  readonly stdinId: string;
  /** What to give instead. */
  readonly fix: string;
}

/** How `addFiles` reads, for a caller of its own (`--inventory`). */
export interface FileReading {
  /**
   * How each file's YAML stream is parsed (a reader that keeps the streams, to read them again).
   * @default readYamlStream
   */
  readonly read?: YamlStreamReader;
  /**
   * The option the paths are of, named by the refusal of a path that names no file (`policyPathRefusal`).
   * @default - policy paths
   */
  readonly option?: PathOption;
  /**
   * Hears the text of each file read (not of one that could not be used), as read: the one read of it.
   * @default - none
   */
  readonly onText?: (file: FoundFile, text: string) => void;
}

/**
 * Adds files, directories and globs (see `PolicySet.fromFiles`): file names relative to the working directory when
 * inside it; an input that cannot be used is a diagnostic.
 * @throws CiliumPolicyError (`engine-file-not-found`) when a path does not exist, (`engine-policy-stdin`) for `-`
 */
export function addFiles(inputs: PolicyInputs, paths: readonly string[], maxBytes: number, reading: FileReading = {}): void {
  addEntries(inputs, expandPaths(paths, process.cwd()), maxBytes, reading);
}

/**
 * Adds the inputs `expandPaths` found (`addFiles`), for a caller that walked the paths itself: each entry is read once.
 * @throws CiliumPolicyError (`engine-file-not-found`, `engine-policy-stdin`, or the option's) for an entry that names no file
 */
export function addEntries(inputs: PolicyInputs, entries: readonly PathEntry[], maxBytes: number, reading: FileReading = {}): void {
  const cwd = process.cwd();
  const problem = (file: string, p: InputProblem): void => {
    inputs.diagnostics.push({ id: p.id, severity: p.id === 'input-empty' ? Severity.WARNING : Severity.ERROR, message: p.message, fix: p.fix, file });
  };
  for (const entry of entries) {
    const absent = policyPathRefusal(entry, reading.option);
    if (absent) throw absent;
    if (entry.unreadable) {
      problem(entry.unreadable.name, entry.unreadable.problem);
      continue;
    }
    if (!entry.file) continue;
    const rel = relative(cwd, entry.file.path);
    const name = withoutControls(rel === '' || rel.startsWith('..') || isAbsolute(rel) ? entry.file.path : rel);
    const input = readInputFile(entry.file.path, maxBytes, name);
    if (input.problem) {
      problem(name, input.problem);
      continue;
    }
    reading.onText?.(entry.file, input.text ?? '');
    addYaml(inputs, input.text ?? '', name, reading.read);
  }
}

/**
 * Adds the manifests of a cdk8s app, chart or other construct (see `PolicySet.fromConstruct`): every chart's `toJson()`,
 * else the API objects under it.
 * @returns the construct whose Cilium version (`CiliumVersion.use`) the set defaults to: the first chart, else `scope`
 */
export function addConstruct(inputs: PolicyInputs, scope: IConstruct): IConstruct {
  const { App, Chart } = cdk8s();
  const charts = scope instanceof App ? scope.charts : Chart.isChart(scope) ? [scope] : scope.node.findAll().filter(Chart.isChart);
  // One synthesis session for all charts: each policy is rendered and validated once (cdk8s validates the whole app per chart).
  const manifests: unknown[] = inSynthSession(scope, () => (charts.length > 0
    ? charts.flatMap((c) => c.toJson())
    : [...apiObjectsUnder(scope)].map((o) => o.toJson())));
  for (const m of manifests) {
    const parsed = fromConstructObject(m);
    addParsed(inputs, parsed, undefined);
    // As for files (`addYaml`), judged as the file cdk8s writes: an object the API server refuses for a label or annotation
    // value that is no string (`0o17`, which cdk8s writes unquoted) is no endpoint.
    if (!parsed.skipped.some((d) => d._refused !== undefined)) addManifest(inputs, m, undefined);
    else addSkipped(inputs, parsed, undefined);
  }
  return charts[0] ?? scope;
}

function addParsed(inputs: PolicyInputs, result: ParseResult, file: string | undefined): void {
  for (const d of result.documents) {
    const at = d.locate('metadata.name');
    const readerDiagnostics = diagnosticsOf(d, result.diagnostics);
    inputs.docs.push({ model: d.model, ...(file !== undefined ? { file } : {}), ...(at ? { line: at.line } : {}), readerDiagnostics });
    const assumed = namespaceAssumedWarning(d.model.kind, d.model.metadata, file, at);
    if (assumed !== undefined) inputs.diagnostics.push(assumed);
  }
  for (const r of result.rawRules) {
    const at = r.locate('');
    inputs.raw.push({ rules: r.rules, index: r.source.index, ...(file !== undefined ? { file } : {}), ...(at ? { at } : {}) });
  }
  pushAll(inputs.diagnostics, result.diagnostics);
}

/**
 * A warning for a CiliumNetworkPolicy or NetworkPolicy without `metadata.namespace` (`engine-namespace-assumed`): the engine
 * judges it in `default` (`objectNamespace`), the API server stores it in the namespace of the request
 * (`model/namespace-assumed.ts`, the wording `validate`'s `pitfall-namespace-assumed` shares).
 */
function namespaceAssumedWarning(kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy' | 'NetworkPolicy', metadata: unknown, file: string | undefined,
  at: SourcePosition | undefined): SourceDiagnostic | undefined {
  if (!namespaceAssumed(kind, metadata)) return undefined;
  const name = (metadata as { name?: unknown }).name;
  return {
    id: 'engine-namespace-assumed',
    severity: Severity.WARNING,
    message: `${withoutControls(objectName({ kind, name: typeof name === 'string' ? name : '' }))} has no metadata.namespace: ${namespaceAssumedText('the verdicts')}`,
    fix: NAMESPACE_ASSUMED_FIX,
    ...(file !== undefined ? { file } : {}),
    ...(at ? { line: at.line, column: at.column } : {}),
  };
}

/**
 * A warning per raw `api.Rule` list the agent does not import (`importable.ts`: the validator's sanitize rules, judged
 * for the target version and agent flags, which the inputs do not know while they are read).
 */
export function rawRulesDiagnostics(raw: readonly InputRawRules[], version: CiliumVersion, flags: AgentFlags): SourceDiagnostic[] {
  return raw.flatMap((r) => {
    const problem = rawRulesImportProblem(r.rules, version, flags);
    return problem === undefined ? [] : [skippedDiagnostic(`the api.Rule list (document ${r.index})`, problem, r.file, r.at)];
  });
}

function skippedDiagnostic(what: string, problem: string, file: string | undefined, at: SourcePosition | undefined): SourceDiagnostic {
  return {
    id: 'engine-policy-skipped',
    severity: Severity.WARNING,
    message: `${what} is skipped: the agent does not import it (Sanitize fails: ${problem}), so none of its rules is enforced`,
    fix: 'fix the field (cdk8s-cilium validate shows it), or remove the policy',
    ...(file !== undefined ? { file } : {}),
    ...(at ? { line: at.line, column: at.column } : {}),
  };
}

/** Adds a YAML or JSON stream read from `file`, parsed by `read`. */
export function addYaml(inputs: PolicyInputs, text: string, file: string | undefined, read: YamlStreamReader = readYamlStream): void {
  const parsed = fromYaml(text, file !== undefined ? { file } : {}, read);
  addParsed(inputs, parsed, file);
  // The other documents (and List items) as the reader read them: workloads, Services, Namespaces, NetworkPolicies.
  addSkipped(inputs, parsed, file);
}

/**
 * The documents (and List items) the reader skipped as no policy: each is added as a manifest, but one the API server
 * refuses (a label value that is no string) is never stored: no endpoint, Service or Namespace, its errors kept.
 */
function addSkipped(inputs: PolicyInputs, parsed: ParseResult, file: string | undefined): void {
  for (const skipped of parsed.skipped) {
    if (skipped._refused !== undefined) {
      pushAll(inputs.refusedManifests, skipped._refused);
      continue;
    }
    addManifest(inputs, skipped.object, file, skipped.locate, skipped.itemPath !== undefined);
  }
}

/**
 * A Kubernetes object besides the Cilium policies: a NetworkPolicy (translated into a Cilium rule; one without
 * `metadata.namespace` gets `engine-namespace-assumed`), or what the inventory keeps (Namespaces, workloads, Services,
 * CIDR groups); the items of a List each. The one place NetworkPolicies enter, from files and constructs alike.
 * @param locate where a path of `obj` is written (`metadata.name`), when read from YAML
 */
function addManifest(
  inputs: PolicyInputs, obj: unknown, file: string | undefined, locate?: (path: string) => SourcePosition | undefined, nested = false,
): void {
  const at = locate?.('apiVersion');
  inputs.inventory._addObject(obj, nested, { ...(file !== undefined ? { file } : {}), ...(at ? { line: at.line, column: at.column } : {}) });
  const { entries } = listEntries(obj, nested);
  for (const { value: item } of entries) {
    const np = translateNetworkPolicy(item);
    if (!np) continue;
    // The metadata as written (the model's namespace is already `default`).
    const assumed = namespaceAssumedWarning('NetworkPolicy', (item as { metadata?: unknown }).metadata, file, item === obj ? locate?.('metadata.name') : undefined);
    if (assumed !== undefined) inputs.diagnostics.push(assumed);
    const why = networkPolicyRejection(item);
    inputs.networkPolicies.push({
      model: np, ...(file !== undefined ? { file } : {}), ...(why !== undefined ? { rejected: `the API server rejects it: ${why}` } : {}),
    });
  }
}

/** The API objects under a construct (a cdk8s-plus construct and its inner ApiObject count once). */
function apiObjectsUnder(scope: IConstruct): Set<ApiObject> {
  const { ApiObject } = cdk8s();
  const out = new Set<ApiObject>();
  for (const c of scope.node.findAll()) {
    try {
      out.add(ApiObject.of(c));
    } catch {
      // not an API object
    }
  }
  return out;
}

/** Adds the namespaces, workloads, Services and CIDR groups of `from` to `into`. */
export function mergeInventory(into: EndpointInventory, from: EndpointInventory): void {
  for (const w of from.workloads) into.addWorkload(w);
  for (const s of from.services) into.addService(s);
  for (const [name, g] of from._cidrGroupMap) into._addCidrGroup(name, g, from._cidrGroupOrigins.get(name));
  for (const ns of from.namespaceNames()) into.addNamespace(ns, from.namespaceLabels(ns) ?? {});
}

/**
 * The CIDR groups of `inventory` read from a manifest whose apiVersion the cluster's release does not serve
 * (`cidrGroupApiVersionRejection`: `cilium.io/v2` before 1.18): the API server has no such resource (kubectl: no matches
 * for kind), so the group is not in the cluster. Each is removed from the inventory (a ref to it selects nothing) and
 * returned as an error at its apiVersion, which the commands and the test matchers refuse (`policyInputError`). Judged
 * here, once the release is settled (given, or the policies' annotation): the reader does not know it.
 * @param source where the release came from (`JudgedVersion.source`), named in the message
 */
export function unservedCidrGroups(inventory: EndpointInventory, version: CiliumVersion, source: string): SourceDiagnostic[] {
  const out: SourceDiagnostic[] = [];
  for (const [name, origin] of [...inventory._cidrGroupOrigins]) {
    const why = cidrGroupApiVersionRejection(origin.apiVersion, ` ${withoutControls(name)}`, version, source);
    if (why === undefined) continue;
    inventory._removeCidrGroup(name);
    out.push({
      id: why.id, severity: Severity.ERROR, message: why.message, path: 'apiVersion', fix: why.fix,
      ...(origin.file !== undefined ? { file: origin.file } : {}), ...(origin.line !== undefined ? { line: origin.line } : {}),
      ...(origin.column !== undefined ? { column: origin.column } : {}),
    });
  }
  return out;
}

/**
 * Policy files read once (`PolicySet.fromFiles` reads them so), for a caller that must know what they say before the set is
 * built — the Cilium version they are judged for, `judgedVersion(inputs.docs, given)`, on which the IP families a capture
 * tells depend — and then builds the set from the same inputs (`PolicySet._fromInputs`), not by reading and parsing again.
 * @param read how each file's YAML stream is parsed (as `addFiles`)
 * @throws CiliumPolicyError as `PolicySet.fromFiles`: a path that does not exist
 */
export function readPolicyFiles(paths: readonly string[], maxBytes: number, reading: FileReading = {}): PolicyInputs {
  const inputs = emptyInputs();
  addFiles(inputs, paths, maxBytes, reading);
  return inputs;
}
