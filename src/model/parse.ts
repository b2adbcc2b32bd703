/**
 * Reads CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy manifests (YAML or JSON, as written by hand or as
 * returned by `kubectl get cnp,ccnp -A -o yaml`) back into the policy model.
 *
 * The reader is lenient but honest: it reads every field it knows with its wire value, keeps `undefined` vs `[]`
 * vs `[{}]` exactly as written, and reports everything it cannot represent (unknown fields, wrong types, YAML
 * errors) as diagnostics with a path, a line/column and a fix instead of dropping it silently. Semantic checks
 * (selector/peer exclusivity, deny-section restrictions, enums, patterns, version gates) are the validator's job.
 *
 * This file reads the stream: YAML documents, `kind: List` items, raw `api.Rule` arrays, other kinds (skipped), and gives
 * each diagnostic its source position (`yaml-source.ts`). The fields of one policy are read by `wire-reader.ts` against
 * `wire-schema.ts` (the v1.19 CRD `spec`). Public entry points: `PolicyModel.fromYaml` / `PolicyModel.fromObject`.
 */
import { Node as YamlNode } from 'yaml';
import { Severity } from '../core/errors';
import { formatPath, parsePath } from './json-path';
import { ParseDiagnosticId } from './parse-diagnostic-id';
import { Locator, ParseOptions, ParseResult, SourcePosition } from './parse-result';
import { isKubernetesList, visitListEntries } from './list-items';
import { cidrGroupRejections } from './cidr-group-admission';
import { nodePortValueRefusals, nonStringMetadataValues, nullMetadataValues, readManifest } from './manifests';
import { metadataNotString, nameMissing } from './object-names';
import { withoutControls } from './printable';
import { describeValue, isPlainObject } from './plain-value';
import { DiagnosticBudget, omittedDiagnostic, omittedOf } from './diagnostic-budget';
import { PolicyKind, RuleModel } from './policy-model';
import { RAW_RULE } from './wire-schema';
import { Reader } from './wire-reader';
import { YamlSource } from './yaml-source';
import { readYamlDocuments } from './yaml-documents';
import { OmittedYamlErrors, readYamlStream, Yaml11BooleanWarning, YamlStreamReader } from './yaml-stream';

/** The kinds of the `cilium.io` API group (CRDs of Cilium 1.14 to 1.19). */
const CILIUM_KINDS: readonly string[] = [
  'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'CiliumCIDRGroup', 'CiliumEndpoint', 'CiliumEndpointSlice', 'CiliumNode',
  'CiliumNodeConfig', 'CiliumIdentity', 'CiliumExternalWorkload', 'CiliumLocalRedirectPolicy', 'CiliumEgressGatewayPolicy',
  'CiliumEnvoyConfig', 'CiliumClusterwideEnvoyConfig', 'CiliumLoadBalancerIPPool', 'CiliumL2AnnouncementPolicy', 'CiliumPodIPPool',
  'CiliumBGPPeeringPolicy', 'CiliumBGPClusterConfig', 'CiliumBGPPeerConfig', 'CiliumBGPAdvertisement', 'CiliumBGPNodeConfig',
  'CiliumBGPNodeConfigOverride', 'CiliumGatewayClassConfig',
];

/** The two policy kinds. */
const POLICY_KINDS: readonly PolicyKind[] = [PolicyKind.CILIUM_NETWORK_POLICY, PolicyKind.CILIUM_CLUSTERWIDE_NETWORK_POLICY];

// ------------------------------------------------------------------------------------------------------------------
// Entry points (public as PolicyModel.fromYaml / PolicyModel.fromObject)

/**
 * Reads a YAML (or JSON) stream: any number of `---`-separated documents, each a CNP, a CCNP, a `kind: List` of
 * them, a top-level array of raw `api.Rule`s, or something else (skipped). Never throws on bad input.
 */
export function fromYaml(text: string, options: ParseOptions = {}, read: YamlStreamReader = readYamlStream): ParseResult {
  const out = newResult();
  const { limit: deep, readError, lineCounter, documents } = readYamlDocuments(text, read, options.file);
  if (deep) {
    out.diagnostics.push(compact({
      id: ParseDiagnosticId.YAML_SYNTAX, severity: Severity.ERROR, message: deep.message, file: options.file, line: deep.line, column: 1,
      fix: {
        documents: `split the input into files of at most ${deep.max} documents`,
        values: 'split the input into smaller files (a policy holds tens to hundreds of values, not a million)',
        properties: 'give each node at most one tag (!!str) and one anchor (&name)',
        syntax: 'fix the YAML at that line (quote a value that starts with @, ` or a bracket; write a backslash in a double-quoted scalar as \\\\)',
        depth: `nest at most ${deep.max} levels deep (Cilium policies need about 15)`,
      }[deep.limit],
    }));
    return out;
  }
  if (readError !== undefined || lineCounter === undefined) {
    out.diagnostics.push(compact({
      id: ParseDiagnosticId.YAML_SYNTAX, severity: Severity.ERROR, message: `cannot read YAML: ${errorText(readError)}`, file: options.file,
    }));
    return out;
  }
  for (const { index, doc, value, convertError } of documents) {
    const pos = (offset: number): SourcePosition => {
      const p = lineCounter.linePos(offset);
      return { line: p.line, column: p.col };
    };
    for (const [list, severity] of [[doc.errors, Severity.ERROR], [doc.warnings, Severity.WARNING]] as const) {
      for (const e of list) {
        const at = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        out.diagnostics.push(compact({
          id: (e as Yaml11BooleanWarning).yaml11 ? ParseDiagnosticId.YAML11_AMBIGUOUS : ParseDiagnosticId.YAML_SYNTAX, severity,
          message: firstLine(e.message), file: options.file, index,
          line: at.line, column: at.col, ...omittedOf(e as OmittedYamlErrors),
          fix: severity === Severity.ERROR ? `fix the YAML syntax of document ${index} (the other documents are still read)` : undefined,
        }));
      }
    }
    if (convertError !== undefined) {
      const p = pos(doc.contents?.range?.[0] ?? 0);
      out.diagnostics.push(compact({
        id: ParseDiagnosticId.YAML_SYNTAX, severity: Severity.ERROR, message: `cannot read document ${index}: ${errorText(convertError)}`,
        file: options.file, index, ...p,
      }));
      continue;
    }
    if (value === null || value === undefined) continue; // failed, or an empty document (only comments, or a trailing ---)
    readTopLevel(out, value, compact({ file: options.file, index }), (root) => new YamlSource(doc, text, root, pos), doc.contents ?? undefined);
  }
  return out;
}

/**
 * Reads one already-parsed object: a CNP, a CCNP, a `kind: List` of them, or an array of raw `api.Rule`s.
 * `locate()` of the results returns `undefined` (there is no source text). Never throws on bad input.
 */
export function fromObject(obj: unknown, options: ParseOptions = {}): ParseResult {
  return readObject(obj, options, false);
}

/**
 * `fromObject` for an object of a cdk8s construct, judged as the YAML cdk8s writes of it (what kubectl applies): a label or
 * annotation value of a manifest that cdk8s writes unquoted and Go reads as a number refuses it (`nonStringMetadataValues`).
 */
export function fromConstructObject(obj: unknown): ParseResult {
  return readObject(obj, {}, true);
}

function readObject(obj: unknown, options: ParseOptions, written: boolean): ParseResult {
  const out = newResult();
  if (written) WRITTEN.add(out);
  readTopLevel(out, obj, compact({ file: options.file, index: 0 }), undefined, undefined);
  return out;
}

// ------------------------------------------------------------------------------------------------------------------
// Documents of the stream

/** The cap on each result's diagnostics of one id (one per file read). */
const BUDGETS = new WeakMap<ParseResult, DiagnosticBudget>();

function newResult(): ParseResult {
  const out: ParseResult = { documents: [], rawRules: [], skipped: [], diagnostics: [] };
  BUDGETS.set(out, new DiagnosticBudget());
  return out;
}

/** The results of objects judged as cdk8s writes them (`fromConstructObject`). */
const WRITTEN = new WeakSet<ParseResult>();

function budgetOf(out: ParseResult): DiagnosticBudget | undefined {
  return BUDGETS.get(out);
}

function readTopLevel(
  out: ParseResult,
  value: unknown,
  where: { file?: string; index: number },
  sourceFor: ((root: YamlNode) => YamlSource) | undefined,
  rootNode: YamlNode | undefined,
): void {
  const source = rootNode && sourceFor ? sourceFor(rootNode) : undefined;
  if (Array.isArray(value)) {
    const reader = new Reader(source, budgetOf(out));
    const rules = reader.readList(value, (v, at) => reader.read(v, RAW_RULE, at) as RuleModel | undefined, []);
    out.rawRules.push({ rules, source: { ...where }, locate: locator(source), _writtenPath: (path) => reader.writtenPath(path) });
    flush(out, reader, source, where);
    return;
  }
  if (!isPlainObject(value)) {
    const p = source?.position([]);
    out.diagnostics.push(compact({
      id: ParseDiagnosticId.YAML_SYNTAX, severity: Severity.ERROR,
      message: `document ${where.index} is ${describeValue(value)}, not a mapping`, fix: 'a manifest document must be a mapping with apiVersion, kind and metadata',
      file: where.file, index: where.index, ...p,
    }));
    return;
  }
  if (isKubernetesList(value)) {
    readList(out, value, where, sourceFor, source);
    return;
  }
  readResource(out, value, where, source, undefined);
}

/**
 * The objects of a List (any `*List`: `List`, `CiliumNetworkPolicyList`, `PodList`), as `listEntries` reads them for
 * every reader: nested Lists flattened as kubectl's `FlattenListVisitor` does (`kubectl apply` applies the policies of an
 * inner List too), an item without kind of a typed List of the List's kind; `items` that is no list and an item that is
 * no mapping are errors.
 */
function readList(
  out: ParseResult,
  value: Record<string, unknown>,
  where: { file?: string; index: number },
  sourceFor: ((root: YamlNode) => YamlSource) | undefined,
  source: YamlSource | undefined,
): void {
  visitListEntries(value, (entry) => {
    const itemNode = source?.node(entry.path);
    const itemSource = itemNode && sourceFor ? sourceFor(itemNode) : undefined;
    readResource(out, entry.value, where, itemSource, formatPath(entry.path));
  }, (p) => {
    // At the List it is in: its path relative to it, the List's path as the item path (as for its objects).
    const listNode = p.list.length > 0 ? source?.node(p.list) : undefined;
    const listSource = p.list.length === 0 ? source : listNode && sourceFor ? sourceFor(listNode) : undefined;
    const reader = new Reader(listSource, budgetOf(out));
    reader.report(ParseDiagnosticId.WRONG_TYPE, Severity.ERROR, p.path.slice(p.list.length), p.message, p.fix);
    flush(out, reader, listSource, where, p.list.length > 0 ? formatPath(p.list) : undefined);
  });
}

/**
 * Whether a document without kind is meant as a Cilium policy: a `cilium.io` apiVersion with a spec, or a rule (an `endpointSelector`
 * or `nodeSelector` beside `ingress`, `egress`, `ingressDeny` or `egressDeny`) as its `spec`, one of its `specs`, or
 * itself with an `endpointSelector`. A Helm values file (`nodeSelector: {}` beside an `ingress:` block) or a pod spec
 * patch is not.
 */
function looksLikePolicy(value: Record<string, unknown>): boolean {
  if (typeof value.apiVersion === 'string' && value.apiVersion.startsWith('cilium.io/') && ('spec' in value || 'specs' in value)) return true;
  const sections = ['ingress', 'egress', 'ingressDeny', 'egressDeny'];
  const rule = (v: unknown, selectors: readonly string[]): boolean => typeof v === 'object' && v !== null && !Array.isArray(v)
    && selectors.some((k) => k in v) && sections.some((k) => k in v);
  return rule(value.spec, ['endpointSelector', 'nodeSelector'])
    || (Array.isArray(value.specs) && value.specs.some((r) => rule(r, ['endpointSelector', 'nodeSelector'])))
    || rule(value, ['endpointSelector']);
}

/** A kind that is no string, as a warning names it: numbers and booleans as written, else what it is. */
function describeKind(kind: unknown): string {
  if (typeof kind === 'number' || typeof kind === 'boolean') return String(kind);
  return Array.isArray(kind) ? 'a list' : typeof kind === 'object' ? 'a mapping' : `a ${typeof kind}`;
}

function readResource(
  out: ParseResult,
  value: Record<string, unknown>,
  where: { file?: string; index: number },
  source: YamlSource | undefined,
  itemPath: string | undefined,
): void {
  const kind = value.kind;
  const reader = new Reader(source, budgetOf(out));
  if (typeof kind !== 'string' || !(POLICY_KINDS as readonly string[]).includes(kind)) {
    // kubectl refuses an object without kind ("Object 'Kind' is missing"), or whose kind is no string.
    const noKind = kind === undefined || kind === null || kind === '';
    if (noKind && looksLikePolicy(value)) {
      // An error, never a policy silently not applied.
      reader.report(ParseDiagnosticId.MISSING_KIND, Severity.ERROR, [], 'document has no kind but looks like a Cilium policy; kubectl refuses it (Object \'Kind\' is missing), it is not read',
        'add apiVersion: cilium.io/v2 and kind: CiliumNetworkPolicy (or CiliumClusterwideNetworkPolicy); a raw api.Rule list must be a top-level array');
    } else if ((noKind || typeof kind !== 'string') && Object.keys(value).length > 0
      && !(typeof value.apiVersion === 'string' && value.apiVersion.startsWith('cilium.io/'))) {
      // A Helm values file (`nodeSelector: {}`, `ingress:`), a Kustomize patch, any other mapping: not a manifest kubectl
      // applies; a warning, as a `{}` or `null` document beside manifests (`input-empty`, which names `{}`), never a
      // silent skip. (A cilium.io one is `parse-unknown-kind`, below.)
      reader.report(ParseDiagnosticId.MISSING_KIND, Severity.WARNING, noKind ? [] : ['kind'],
        `${noKind ? 'document has no kind' : `the document's kind is ${describeKind(kind)}, not a string`}; it is skipped (not a Kubernetes object: kubectl refuses it)`,
        'if it is meant as a Kubernetes object, write apiVersion and kind (apiVersion: cilium.io/v2, kind: CiliumNetworkPolicy for a policy); else leave the file out of the input');
    } else if (typeof value.apiVersion === 'string' && value.apiVersion.toLowerCase().startsWith('networking.k8s.io/') && typeof kind === 'string'
      && kind !== 'NetworkPolicy' && kind.toLowerCase() === 'networkpolicy') {
      reader.report(ParseDiagnosticId.UNKNOWN_KIND, Severity.WARNING, ['kind'],
        `${value.apiVersion} has no kind ${JSON.stringify(kind)}; the document is skipped (not checked, not enforced)`, 'write kind: NetworkPolicy (kinds are case-sensitive)');
    } else if (typeof value.apiVersion === 'string' && value.apiVersion.startsWith('cilium.io/') && !(typeof kind === 'string' && CILIUM_KINDS.includes(kind))) {
      const near = typeof kind === 'string' ? CILIUM_KINDS.find((k) => k.toLowerCase() === kind.toLowerCase()) : undefined;
      reader.report(ParseDiagnosticId.UNKNOWN_KIND, Severity.WARNING, value.kind === undefined ? [] : ['kind'],
        `${value.apiVersion} has no kind ${JSON.stringify(kind ?? null)}; the document is skipped (not checked, not enforced)`,
        near ? `write kind: ${near} (kinds are case-sensitive)` : 'write kind: CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy');
    }
    // A label or annotation value the API server refuses (a number, `country: NO` read as false, a list): the object is
    // never stored, so it is refused here, at its line, as a policy's would be; the engine leaves it out of its endpoints.
    const refused = nonStringMetadataValues(value, WRITTEN.has(out));
    for (const r of refused) {
      const consequence = `the API server refuses the ${objectName(value)} (labels and annotations are ${r.notMapping === undefined ? 'strings' : 'maps of strings'}), so it is not read`;
      if (r.number !== undefined) reader.writtenAsNumber(String(r.value), r.number, r.path, consequence);
      else if (r.notMapping !== undefined) reader.notMapping(r.value, r.path, r.notMapping, consequence);
      else reader.notString(r.value, r.path, () => consequence);
    }
    // A null label, annotation or selector value is the empty string the API server stores: read so, and said at its line.
    for (const path of nullMetadataValues(value)) reader.nullStoredAsEmpty(path);
    // A NetworkPolicy without a name, said as a policy's is (`Reader.readMetadata`): the API server stores no object
    // without one (kubectl: "resource name may not be empty").
    const meta = value.metadata;
    // A name or namespace that is no string (`name: 0`, `namespace: 7`): the API server cannot decode the object
    // (`metadataNotString`), said as a policy's is.
    const notString = readManifest(value, itemPath !== undefined)?.type === 'network-policy' && isPlainObject(meta) ? metadataNotString(meta) : undefined;
    if (notString !== undefined && isPlainObject(meta)) reader.read(meta[notString], 'string', ['metadata', notString]);
    if (readManifest(value, itemPath !== undefined)?.type === 'network-policy' && notString === undefined && nameMissing(meta)) {
      reader.report(ParseDiagnosticId.MISSING_NAME, Severity.ERROR, isPlainObject(meta) ? ['metadata'] : [],
        `metadata.name is ${isPlainObject(meta) && meta.name === '' ? 'empty' : 'missing'}`,
        isPlainObject(meta) ? 'add metadata.name: <policy name>' : 'add metadata: {name: <policy name>}');
    }
    // A CiliumCIDRGroup the API server refuses (an apiVersion it does not serve, a CIDR no schema takes) is not in the
    // cluster: refused here as a workload with a label value that is no string is, never read as a group whose CIDRs are selected.
    const groupRefusals = cidrGroupRejections(value);
    for (const r of groupRefusals) reader.report(r.id, Severity.ERROR, r.path, r.message, r.fix);
    const groupIds = new Set<string>(groupRefusals.map((r) => r.id));
    // A hostPort or nodePort the API server refuses (`"8080"`, 70000): the object is not in the cluster, and read without
    // the port a connection to a node on it would be judged instead of refused (engine-node-port). Refused at its line.
    const portRefusals = nodePortValueRefusals(value);
    for (const r of portRefusals) {
      const field = r.path[r.path.length - 1];
      reader.report(ParseDiagnosticId.WRONG_TYPE, Severity.ERROR, r.path,
        `${field} ${JSON.stringify(r.value) ?? String(r.value)} is not a port number (1-65535): the API server refuses the ${objectName(value)}, so it is not read `
          + `(read without it, a connection to a node on that port would be judged instead of refused)`,
        `write ${field} as a number from 1 to 65535 (unquoted), or leave it out`);
    }
    const before = out.diagnostics.length;
    flush(out, reader, source, where, itemPath);
    const refusals = out.diagnostics.slice(before).filter((d) => d.severity === Severity.ERROR
      && (((refused.length > 0 || portRefusals.length > 0) && d.id === ParseDiagnosticId.WRONG_TYPE) || groupIds.has(d.id)));
    out.skipped.push({
      ...compact({ kind: typeof kind === 'string' ? kind : undefined, index: where.index, itemPath }), object: value, locate: locator(source),
      ...(refused.length > 0 || groupRefusals.length > 0 || portRefusals.length > 0 ? { _refused: refusals } : {}),
    });
    return;
  }
  const model = reader.readDocument(value, kind as PolicyKind);
  out.documents.push({
    model,
    source: compact({ ...where, itemPath }),
    locate: locator(source),
    _writtenPath: (path) => reader.writtenPath(path),
  });
  flush(out, reader, source, where, itemPath);
}

function flush(
  out: ParseResult,
  reader: Reader,
  source: YamlSource | undefined,
  where: { file?: string; index: number },
  itemPath?: string,
): void {
  for (const d of reader.diagnostics) {
    const p = source?.position(d.path, d.atKey);
    out.diagnostics.push(compact({
      id: d.id,
      severity: d.severity,
      message: d.message,
      path: d.path.length ? formatPath(d.path) : undefined,
      fix: d.fix,
      file: where.file,
      ...p,
      index: where.index,
      itemPath,
    }));
  }
  // What the file's budget left out of this document: one diagnostic per id with their count, at the document.
  for (const o of reader.omitted) {
    const summary = omittedDiagnostic(o, reader.maxPerId ?? 0, 'policy', 'file');
    Object.assign(summary, compact({ file: where.file, ...source?.position([]), index: where.index, itemPath }));
    out.diagnostics.push(summary);
  }
}

function locator(source: YamlSource | undefined): Locator {
  return (path: string) => {
    if (!source) return undefined;
    const segments = parsePath(path);
    return segments ? source.position(segments) : undefined;
  };
}

/** `Pod default/c` (kind, namespace and name as written, where strings), for a message. */
function objectName(value: Record<string, unknown>): string {
  const meta = isPlainObject(value.metadata) ? value.metadata : {};
  const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? `${meta.namespace}/` : '';
  const name = typeof meta.name === 'string' && meta.name !== '' ? ` ${ns}${meta.name}` : '';
  return withoutControls(`${String(value.kind)}${name}`.slice(0, 200));
}

/** A copy of `o` without its `undefined` properties. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0].trim().replace(/[.:]$/, '');
  return line.charAt(0).toLowerCase() + line.slice(1);
}

function errorText(e: unknown): string {
  return firstLine(e instanceof Error ? e.message : String(e));
}
