/**
 * Reads CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy manifests (YAML or JSON, as written by hand or as
 * returned by `kubectl get cnp,ccnp -A -o yaml`) back into the policy model.
 *
 * The reader is lenient but honest: it reads every field it knows with its wire value, keeps `undefined` vs `[]`
 * vs `[{}]` exactly as written, and reports everything it cannot represent (unknown fields, wrong types, YAML
 * errors) as diagnostics with a path, a line/column and a fix instead of dropping it silently. Semantic checks
 * (selector/peer exclusivity, deny-section restrictions, enums, patterns, version gates) are the validator's job.
 *
 * Field coverage follows the v1.19 CRD `spec` schema (plus `fromRequires`/`toRequires` as label selectors, as they
 * were before 1.19), and the model's direction-neutral rule items (`PEER_FIELDS`).
 */
import { Document, isAlias, isMap, isScalar, isSeq, LineCounter, Node as YamlNode, Pair, parseAllDocuments } from 'yaml';
import { Diagnostic, Severity } from '../core/errors';
import { nestingDepthError } from './nesting-depth';
import { editDistance } from './edit-distance';
import {
  CILIUM_API_VERSION,
  PEER_FIELD_NAMES,
  PEER_FIELDS,
  PeerField,
  PolicyDocumentModel,
  PolicyKind,
  PolicyMetadataModel,
  RuleModel,
  SECTIONS,
  SectionName,
  sectionDirection,
} from './policy-model';

/** Options for `fromYaml` / `fromObject`. */
export interface ParseOptions {
  /** The file the text came from; copied into every source reference and diagnostic. @default - none */
  readonly file?: string;
}

/** A 1-based line/column position in the YAML source. */
export interface SourcePosition {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/** A diagnostic found while reading a manifest, with its position in the source when known. */
export interface SourceDiagnostic extends Diagnostic {
  /** The file, as given in `ParseOptions.file`. */
  readonly file?: string;
  /** 1-based line (YAML input only). */
  readonly line?: number;
  /** 1-based column (YAML input only). */
  readonly column?: number;
  /** Index of the document in the YAML stream that the diagnostic belongs to. */
  readonly index?: number;
  /** For an item of a `kind: List` document, its path in that document (`items[3]`); `path` is then relative to the item. */
  readonly itemPath?: string;
}

/** Where a parsed policy came from. */
export interface DocumentSource {
  /** The file, as given in `ParseOptions.file`. */
  readonly file?: string;
  /** Index of the document in the YAML stream (0 for `fromObject`). */
  readonly index: number;
  /** For an item of a `kind: List` document: `items[3]`. */
  readonly itemPath?: string;
}

/** Finds the source position of a JSON path such as `spec.ingress[0].toPorts[0].ports[0].port`. */
export type Locator = (path: string) => SourcePosition | undefined;

/** One CNP/CCNP read from the input. */
export interface IParsedDocument {
  /** The policy. */
  readonly model: PolicyDocumentModel;
  /** Where it came from. */
  readonly source: DocumentSource;
  /**
   * The 1-based line/column of the node at `path` (relative to this policy object, e.g.
   * `spec.ingress[0].toPorts[0].ports[0].port`; keys that are not plain words are written `matchLabels["k8s:app"]`).
   * A path that is not in the source (an omitted field) gives the position of its nearest ancestor that is;
   * `undefined` for `fromObject` input or a malformed path.
   */
  locate(path: string): SourcePosition | undefined;
}

/** A top-level JSON/YAML array of raw Cilium `api.Rule`s (the local-API format used by `cilium policy import`). */
export interface IParsedRawRules {
  /** The rules, as written (no namespace injection, no labels added). */
  readonly rules: RuleModel[];
  /** Where they came from. */
  readonly source: DocumentSource;
  /** Like `IParsedDocument.locate`, with paths such as `[0].ingress[0].fromEndpoints`. */
  locate(path: string): SourcePosition | undefined;
}

/** A document (or List item) that is not a Cilium policy and was skipped. */
export interface ISkippedDocument {
  /** Its `kind`, when it has a string one. */
  readonly kind?: string;
  /** Index of the document in the YAML stream. */
  readonly index: number;
  /** For an item of a `kind: List` document: `items[3]`. */
  readonly itemPath?: string;
  /** The object as read (the engine's inventory and NetworkPolicy translation take it from here, without a second parse). */
  readonly object: Readonly<Record<string, unknown>>;
  /** Like `IParsedDocument.locate` (a NetworkPolicy's `spec.policyTypes`, say). */
  locate(path: string): SourcePosition | undefined;
}

/** What `fromYaml` / `fromObject` found. */
export interface ParseResult {
  /** The CNPs/CCNPs, in source order (List items in place of their List). */
  readonly documents: IParsedDocument[];
  /** Top-level arrays of raw `api.Rule`s. */
  readonly rawRules: IParsedRawRules[];
  /** Documents of other kinds (Deployment, Service, CiliumCIDRGroup, …), skipped without a diagnostic. */
  readonly skipped: ISkippedDocument[];
  /** Everything that could not be read faithfully. */
  readonly diagnostics: SourceDiagnostic[];
}

/** Stable diagnostic ids of the reader. */
export const PARSE_DIAGNOSTIC_IDS = {
  /** YAML syntax error, or a document that is neither a mapping nor a list. */
  yamlSyntax: 'parse-yaml-syntax',
  /** A field the v1.19 CRD (and the model) does not have; it is left out of the model. */
  unknownField: 'parse-unknown-field',
  /** A field with the wrong JSON type; it is left out of the model. */
  wrongType: 'parse-wrong-type',
  /** A required field is missing; the object holding it is left out of the model. */
  missingField: 'parse-missing-field',
  /** `apiVersion` is not `cilium.io/v2`. */
  apiVersion: 'parse-api-version',
  /** `metadata.name` is missing; the model gets name `''`. */
  missingName: 'parse-missing-name',
  /** A port written as a YAML/JSON number: the CRD wants a string and the API server rejects it. */
  portNotString: 'parse-port-not-string',
  /** A field set to `null`: the API server prunes it, so it counts as omitted. */
  nullValue: 'parse-null-value',
  /** A plain YAML scalar that Kubernetes (YAML 1.1) reads differently from YAML 1.2 (`010`, `yes`, `on`). */
  yaml11: 'parse-yaml11-ambiguous',
  /** A mapping without `kind` that looks like a policy. */
  missingKind: 'parse-missing-kind',
  /** A `cilium.io` apiVersion with a kind Cilium does not have (`ciliumnetworkpolicy`: the wrong case); it is skipped. */
  unknownKind: 'parse-unknown-kind',
} as const;

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

/** List kinds whose `items` are read (`kubectl get … -o yaml` writes `List`; the API returns `<Kind>List`). */
const LIST_KINDS = ['List', 'CiliumNetworkPolicyList', 'CiliumClusterwideNetworkPolicyList'];

/** Metadata fields the model keeps. */
const METADATA_FIELDS = ['name', 'namespace', 'labels', 'annotations'];

/** Server-populated or otherwise irrelevant ObjectMeta fields: ignored without a diagnostic. */
const IGNORED_METADATA_FIELDS = [
  'uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'selfLink', 'ownerReferences', 'finalizers',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName',
];

// ------------------------------------------------------------------------------------------------------------------
// Public API

/**
 * Reads a YAML (or JSON) stream: any number of `---`-separated documents, each a CNP, a CCNP, a `kind: List` of
 * them, a top-level array of raw `api.Rule`s, or something else (skipped). Never throws on bad input.
 */
export function fromYaml(text: string, options: ParseOptions = {}): ParseResult {
  const out = newResult();
  const deep = nestingDepthError(text);
  if (deep) {
    out.diagnostics.push(compact({
      id: PARSE_DIAGNOSTIC_IDS.yamlSyntax, severity: Severity.ERROR, message: deep.message, file: options.file, line: deep.line, column: 1,
      fix: deep.message.includes('documents') ? `split the input into files of at most ${deep.max} documents`
        : `nest at most ${deep.max} levels deep (Cilium policies need about 15)`,
    }));
    return out;
  }
  const lineCounter = new LineCounter();
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter, merge: true, logLevel: 'error' }) as Document.Parsed[];
  } catch (e) {
    out.diagnostics.push(compact({
      id: PARSE_DIAGNOSTIC_IDS.yamlSyntax, severity: Severity.ERROR, message: `cannot read YAML: ${errorText(e)}`, file: options.file,
    }));
    return out;
  }
  docs.forEach((doc, index) => {
    const pos = (offset: number): SourcePosition => {
      const p = lineCounter.linePos(offset);
      return { line: p.line, column: p.col };
    };
    let failed = false;
    for (const [list, severity] of [[doc.errors, Severity.ERROR], [doc.warnings, Severity.WARNING]] as const) {
      for (const e of list) {
        failed ||= severity === Severity.ERROR;
        const at = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        out.diagnostics.push(compact({
          id: PARSE_DIAGNOSTIC_IDS.yamlSyntax, severity, message: firstLine(e.message), file: options.file, index,
          line: at.line, column: at.col,
          fix: severity === Severity.ERROR ? `fix the YAML syntax of document ${index} (the other documents are still read)` : undefined,
        }));
      }
    }
    if (failed || doc.contents === null) return;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      const p = pos(doc.contents.range?.[0] ?? 0);
      out.diagnostics.push(compact({
        id: PARSE_DIAGNOSTIC_IDS.yamlSyntax, severity: Severity.ERROR, message: `cannot read document ${index}: ${errorText(e)}`,
        file: options.file, index, ...p,
      }));
      return;
    }
    if (value === null || value === undefined) return; // an empty document (only comments, or a trailing ---)
    readTopLevel(out, value, compact({ file: options.file, index }), (root) => new YamlSource(doc, text, root, pos), doc.contents);
  });
  return out;
}

/**
 * Reads one already-parsed object: a CNP, a CCNP, a `kind: List` of them, or an array of raw `api.Rule`s.
 * `locate()` of the results returns `undefined` (there is no source text). Never throws on bad input.
 */
export function fromObject(obj: unknown, options: ParseOptions = {}): ParseResult {
  const out = newResult();
  readTopLevel(out, obj, compact({ file: options.file, index: 0 }), undefined, undefined);
  return out;
}

// ------------------------------------------------------------------------------------------------------------------
// Documents

type Segment = string | number;

interface PendingDiagnostic {
  readonly id: string;
  readonly severity: Severity;
  readonly message: string;
  readonly fix?: string;
  readonly path: readonly Segment[];
  /** Point at the key of the last path segment instead of its value (unknown fields). */
  readonly atKey?: boolean;
}

function newResult(): ParseResult {
  return { documents: [], rawRules: [], skipped: [], diagnostics: [] };
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
    const reader = new Reader(source);
    const rules: RuleModel[] = [];
    value.forEach((v, i) => {
      const rule = reader.read(v, RAW_RULE, [i]);
      if (rule !== undefined) rules.push(rule as RuleModel);
    });
    out.rawRules.push({ rules, source: { ...where }, locate: locator(source) });
    flush(out, reader, source, where);
    return;
  }
  if (!isPlainObject(value)) {
    const p = source?.position([]);
    out.diagnostics.push(compact({
      id: PARSE_DIAGNOSTIC_IDS.yamlSyntax, severity: Severity.ERROR,
      message: `document ${where.index} is ${describe(value)}, not a mapping`, fix: 'a manifest document must be a mapping with apiVersion, kind and metadata',
      file: where.file, index: where.index, ...p,
    }));
    return;
  }
  const kind = value.kind;
  if (typeof kind === 'string' && LIST_KINDS.includes(kind)) {
    readList(out, value, where, sourceFor, source);
    return;
  }
  readResource(out, value, where, source, undefined);
}

function readList(
  out: ParseResult,
  value: Record<string, unknown>,
  where: { file?: string; index: number },
  sourceFor: ((root: YamlNode) => YamlSource) | undefined,
  source: YamlSource | undefined,
): void {
  const items = value.items;
  if (items === undefined || items === null) return;
  if (!Array.isArray(items)) {
    const reader = new Reader(source);
    reader.wrongType(items, 'a list', ['items']);
    flush(out, reader, source, where);
    return;
  }
  items.forEach((item, i) => {
    const itemPath = `items[${i}]`;
    const itemNode = source?.node(['items', i]);
    const itemSource = itemNode && sourceFor ? sourceFor(itemNode) : undefined;
    if (!isPlainObject(item)) {
      const reader = new Reader(source);
      reader.wrongType(item, 'a mapping (a Kubernetes object)', ['items', i]);
      flush(out, reader, source, where);
      return;
    }
    readResource(out, item, where, itemSource, itemPath);
  });
}

function readResource(
  out: ParseResult,
  value: Record<string, unknown>,
  where: { file?: string; index: number },
  source: YamlSource | undefined,
  itemPath: string | undefined,
): void {
  const kind = value.kind;
  const reader = new Reader(source);
  if (typeof kind !== 'string' || !(POLICY_KINDS as readonly string[]).includes(kind)) {
    if (kind === undefined && ['spec', 'specs', 'endpointSelector', 'nodeSelector'].some((k) => k in value)) {
      reader.report(PARSE_DIAGNOSTIC_IDS.missingKind, Severity.WARNING, [], 'document has no kind but looks like a Cilium policy; it is skipped',
        'add apiVersion: cilium.io/v2 and kind: CiliumNetworkPolicy (or CiliumClusterwideNetworkPolicy); a raw api.Rule list must be a top-level array');
    } else if (typeof value.apiVersion === 'string' && value.apiVersion.startsWith('cilium.io/') && !(typeof kind === 'string' && CILIUM_KINDS.includes(kind))) {
      const near = typeof kind === 'string' ? CILIUM_KINDS.find((k) => k.toLowerCase() === kind.toLowerCase()) : undefined;
      reader.report(PARSE_DIAGNOSTIC_IDS.unknownKind, Severity.WARNING, value.kind === undefined ? [] : ['kind'],
        `${value.apiVersion} has no kind ${JSON.stringify(kind ?? null)}; the document is skipped (not checked, not enforced)`,
        near ? `write kind: ${near} (kinds are case-sensitive)` : 'write kind: CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy');
    }
    out.skipped.push({ ...compact({ kind: typeof kind === 'string' ? kind : undefined, index: where.index, itemPath }), object: value, locate: locator(source) });
    flush(out, reader, source, where, itemPath);
    return;
  }
  const model = reader.readDocument(value, kind as PolicyKind);
  out.documents.push({
    model,
    source: compact({ ...where, itemPath }),
    locate: locator(source),
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
}

function locator(source: YamlSource | undefined): Locator {
  return (path: string) => {
    if (!source) return undefined;
    const segments = parsePath(path);
    return segments ? source.position(segments) : undefined;
  };
}

// ------------------------------------------------------------------------------------------------------------------
// Schema of the v1.19 CRD spec (what the reader knows)

type ScalarSpec = 'string' | 'integer' | 'boolean' | 'intOrString' | 'port' | 'stringMap';

interface ArraySpec {
  readonly kind: 'array';
  readonly items: Spec;
}

interface ObjectSpec {
  readonly kind: 'object';
  /** What it is, for messages ("port rule"). */
  readonly name: string;
  /** Wire field name → its spec. */
  readonly fields: Readonly<Record<string, Spec>>;
  /** Wire field name → model field name, where they differ. */
  readonly rename?: Readonly<Record<string, string>>;
  /** Fields without which the object is left out. */
  readonly required?: readonly string[];
  /** Fixes for keys that are unknown here but mean something elsewhere. */
  readonly hints?: Readonly<Record<string, string>>;
}

type Spec = ScalarSpec | ArraySpec | ObjectSpec;

function arr(items: Spec): ArraySpec {
  return { kind: 'array', items };
}

function obj(name: string, fields: Record<string, Spec>, extra: Partial<Omit<ObjectSpec, 'kind' | 'name' | 'fields'>> = {}): ObjectSpec {
  return { kind: 'object', name, fields, ...extra };
}

const SELECTOR = obj('label selector', {
  matchLabels: 'stringMap',
  matchExpressions: arr(obj('label selector expression', { key: 'string', operator: 'string', values: arr('string') }, { required: ['key', 'operator'] })),
});

const SECRET = obj('secret reference', { name: 'string', namespace: 'string' }, { required: ['name'] });

const TLS_CONTEXT = obj('TLS context', { secret: SECRET, trustedCA: 'string', certificate: 'string', privateKey: 'string' }, { required: ['secret'] });

const FQDN = obj('FQDN selector', { matchName: 'string', matchPattern: 'string' });

const PORT_RULE = obj('port rule', {
  ports: arr(obj('port', { port: 'port', endPort: 'integer', protocol: 'string' })),
  rules: obj('L7 rules', {
    http: arr(obj('HTTP rule', {
      method: 'string',
      path: 'string',
      host: 'string',
      headers: arr('string'),
      headerMatches: arr(obj('header match', { name: 'string', value: 'string', secret: SECRET, mismatch: 'string' }, { required: ['name'] })),
    })),
    kafka: arr(obj('Kafka rule', { role: 'string', apiKey: 'string', apiVersion: 'string', clientID: 'string', topic: 'string' })),
    dns: arr(FQDN),
    l7proto: 'string',
    l7: arr('stringMap'),
  }),
  serverNames: arr('string'),
  terminatingTLS: TLS_CONTEXT,
  originatingTLS: TLS_CONTEXT,
  listener: obj('listener', {
    envoyConfig: obj('Envoy config reference', { kind: 'string', name: 'string' }, { required: ['name'] }),
    name: 'string',
    priority: 'integer',
  }, { required: ['envoyConfig', 'name'] }),
});

const PEER_SPECS: Readonly<Record<PeerField, Spec>> = {
  endpoints: arr(SELECTOR),
  cidr: arr('string'),
  cidrSet: arr(obj('CIDR rule', { cidr: 'string', cidrGroupRef: 'string', cidrGroupSelector: SELECTOR, except: arr('string') })),
  entities: arr('string'),
  nodes: arr(SELECTOR),
  services: arr(obj('service selector', {
    k8sService: obj('Kubernetes service reference', { serviceName: 'string', namespace: 'string' }, { required: ['serviceName'] }),
    k8sServiceSelector: obj('Kubernetes service selector', { selector: SELECTOR, namespace: 'string' }, { required: ['selector'] }),
  })),
  fqdns: arr(FQDN),
  groups: arr(obj('group', {
    aws: obj('AWS group', { securityGroupsIds: arr('string'), securityGroupsNames: arr('string'), labels: 'stringMap', region: 'string' }),
  })),
  requires: arr(SELECTOR),
};

const RULE_LEVEL_FIELDS = ['endpointSelector', 'nodeSelector', 'ingress', 'ingressDeny', 'egress', 'egressDeny', 'enableDefaultDeny', 'description', 'log', 'labels'];

function ruleItemSpec(section: SectionName): ObjectSpec {
  const direction = sectionDirection(section);
  const other = direction === 'ingress' ? 'egress' : 'ingress';
  const fields: Record<string, Spec> = {};
  const rename: Record<string, string> = {};
  const hints: Record<string, string> = {};
  for (const field of PEER_FIELD_NAMES) {
    const wire = PEER_FIELDS[field][direction];
    if (wire) {
      fields[wire] = PEER_SPECS[field];
      rename[wire] = field;
    }
    const otherWire = PEER_FIELDS[field][other];
    if (otherWire && otherWire !== wire) {
      hints[otherWire] = wire
        ? `${otherWire} is an ${other} field; in ${section} rules write ${wire}`
        : `${otherWire} exists only in ${other} rules; it cannot be used in ${section}`;
    }
  }
  fields.toPorts = arr(PORT_RULE);
  fields.icmps = arr(obj('ICMP rule', { fields: arr(obj('ICMP field', { family: 'string', type: 'intOrString' }, { required: ['type'] })) }));
  fields.authentication = obj('authentication', { mode: 'string' }, { required: ['mode'] });
  hints.auth = '`auth: {type: …}` (Cilium <= 1.13) was replaced in 1.14 by `authentication: {mode: disabled | required | test-always-fail}`';
  for (const f of RULE_LEVEL_FIELDS) hints[f] = `${f} belongs to the rule (spec), not to an item of ${section}`;
  return obj(`${section} rule`, fields, { rename, hints });
}

function ruleSpec(raw: boolean): ObjectSpec {
  const hints: Record<string, string> = {};
  for (const section of SECTIONS) {
    for (const f of Object.keys(ruleItemSpec(section).fields)) {
      hints[f] ??= `${f} belongs inside a rule item, e.g. ${sectionDirection(section)}: [{${f}: …}]`;
    }
  }
  hints.auth = `auth belongs inside a rule item and was replaced by authentication in Cilium 1.14`;
  if (raw) {
    for (const f of ['apiVersion', 'kind', 'metadata', 'spec', 'specs']) {
      hints[f] = 'a top-level list is read as raw api.Rule JSON; for Kubernetes objects use separate documents (---) or kind: List';
    }
  }
  const fields: Record<string, Spec> = {
    endpointSelector: SELECTOR,
    nodeSelector: SELECTOR,
    enableDefaultDeny: obj('enableDefaultDeny', { ingress: 'boolean', egress: 'boolean' }),
    description: 'string',
    log: obj('log', { value: 'string' }, { required: ['value'] }),
    labels: arr(obj('rule label', { key: 'string', value: 'string', source: 'string' }, { required: ['key'] })),
  };
  for (const section of SECTIONS) fields[section] = arr(ruleItemSpec(section));
  return obj('rule', fields, { hints });
}

const RULE = ruleSpec(false);
const RAW_RULE = ruleSpec(true);

const DOCUMENT_HINTS: Record<string, string> = Object.fromEntries(
  Object.keys(RULE.fields).map((f) => [f, `${f} belongs under spec (or an element of specs)`]),
);

// ------------------------------------------------------------------------------------------------------------------
// The reader

class Reader {
  public readonly diagnostics: PendingDiagnostic[] = [];

  constructor(private readonly source: YamlSource | undefined) {}

  public report(id: string, severity: Severity, path: readonly Segment[], message: string, fix?: string, atKey?: boolean): void {
    this.diagnostics.push({ id, severity, path, message, fix, atKey });
  }

  public wrongType(value: unknown, expected: string, path: readonly Segment[]): void {
    const name = fieldName(path);
    const wrap = expected.startsWith('a list') && isPlainObject(value) ? ' (wrap the mapping in a list: start it with "- ")' : '';
    this.report(PARSE_DIAGNOSTIC_IDS.wrongType, Severity.ERROR, path, `${name} must be ${expected}, got ${describe(value)}; it is left out`,
      `write ${name} as ${expected}${wrap}`);
  }

  /**
   * A number or boolean where the CRD wants a string: the API server rejects it, but dropping it could broaden the
   * policy (an HTTP rule without its path, a selector without a label), so it is kept as its source text.
   */
  private scalarAsString(value: number | boolean, path: readonly Segment[]): string {
    const text = this.source?.plainText(path) ?? String(value);
    const name = fieldName(path);
    this.report(PARSE_DIAGNOSTIC_IDS.wrongType, Severity.ERROR, path,
      `${name} must be a string, got ${describe(value)}; the API server rejects it (read here as the string ${JSON.stringify(text)})`,
      `quote it: "${text}"`);
    return text;
  }

  public readDocument(value: Record<string, unknown>, kind: PolicyKind): PolicyDocumentModel {
    if (value.apiVersion !== CILIUM_API_VERSION) {
      this.report(PARSE_DIAGNOSTIC_IDS.apiVersion, Severity.ERROR, value.apiVersion === undefined ? [] : ['apiVersion'],
        value.apiVersion === undefined
          ? `apiVersion is missing`
          : `apiVersion is ${JSON.stringify(value.apiVersion)}, but ${kind} is served only as ${CILIUM_API_VERSION}`,
        `set apiVersion: ${CILIUM_API_VERSION}`);
    }
    const known = ['apiVersion', 'kind', 'metadata', 'spec', 'specs', 'status'];
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) this.unknownField(key, known, DOCUMENT_HINTS, [key], `${kind}`);
    }
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
    const out: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } = { name: '' };
    if (value === undefined || value === null) {
      this.report(PARSE_DIAGNOSTIC_IDS.missingName, Severity.ERROR, [], 'metadata.name is missing', 'add metadata: {name: <policy name>}');
      return out;
    }
    if (!isPlainObject(value)) {
      this.wrongType(value, 'a mapping', ['metadata']);
      this.report(PARSE_DIAGNOSTIC_IDS.missingName, Severity.ERROR, ['metadata'], 'metadata.name is missing', 'add metadata: {name: <policy name>}');
      return out;
    }
    for (const key of Object.keys(value)) {
      if (!METADATA_FIELDS.includes(key) && !IGNORED_METADATA_FIELDS.includes(key)) {
        this.unknownField(key, [...METADATA_FIELDS, ...IGNORED_METADATA_FIELDS], {}, ['metadata', key], 'metadata');
      }
    }
    const name = value.name === undefined || value.name === null ? undefined : this.read(value.name, 'string', ['metadata', 'name']);
    if (typeof name === 'string') {
      out.name = name;
    } else if (value.name === undefined || value.name === null) {
      this.report(PARSE_DIAGNOSTIC_IDS.missingName, Severity.ERROR, ['metadata'], 'metadata.name is missing', 'add metadata.name: <policy name>');
    }
    for (const [key, spec] of [['namespace', 'string'], ['labels', 'stringMap'], ['annotations', 'stringMap']] as const) {
      const v = value[key];
      if (v === undefined) continue;
      if (v === null) {
        this.nullValue(['metadata', key]);
        continue;
      }
      const read = this.read(v, spec, ['metadata', key]);
      if (read !== undefined) (out as Record<string, unknown>)[key] = read;
    }
    return out;
  }

  /** Reads `value` (never `undefined`) against `spec`; `undefined` means it was left out (and reported). */
  public read(value: unknown, spec: Spec, path: readonly Segment[]): unknown {
    if (typeof spec === 'string') return this.readScalar(value, spec, path);
    if (spec.kind === 'array') {
      if (!Array.isArray(value)) {
        this.wrongType(value, 'a list', path);
        return undefined;
      }
      const out: unknown[] = [];
      value.forEach((v, i) => {
        const r = this.read(v, spec.items, [...path, i]);
        if (r !== undefined) out.push(r);
      });
      return out;
    }
    if (!isPlainObject(value)) {
      this.wrongType(value, `a mapping (${spec.name})`, path);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    const known = Object.keys(spec.fields);
    let complete = true;
    for (const key of Object.keys(value)) {
      const fieldSpec = Object.prototype.hasOwnProperty.call(spec.fields, key) ? spec.fields[key] : undefined;
      if (!fieldSpec) {
        this.unknownField(key, known, spec.hints ?? {}, [...path, key], spec.name);
        continue;
      }
      const v = value[key];
      if (v === null) {
        this.nullValue([...path, key]);
        continue;
      }
      const r = this.read(v, fieldSpec, [...path, key]);
      if (r !== undefined) out[spec.rename?.[key] ?? key] = r;
    }
    for (const key of spec.required ?? []) {
      if (value[key] === undefined || value[key] === null) {
        complete = false;
        this.report(PARSE_DIAGNOSTIC_IDS.missingField, Severity.ERROR, path, `${spec.name} has no ${key}, which is required; it is left out`,
          `add ${key}`);
      } else if (out[spec.rename?.[key] ?? key] === undefined) {
        complete = false; // present but unreadable: already reported as wrong type
      }
    }
    return complete ? out : undefined;
  }

  private readScalar(value: unknown, spec: ScalarSpec, path: readonly Segment[]): unknown {
    switch (spec) {
      case 'string':
        if (typeof value === 'string') {
          this.checkYaml11String(path);
          return value;
        }
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
          if (typeof v === 'string') {
            this.checkYaml11String([...path, k]);
            text = v;
          } else if (typeof v === 'number' || typeof v === 'boolean') {
            text = this.scalarAsString(v, [...path, k]);
          } else {
            this.wrongType(v, 'a string', [...path, k]);
          }
          if (text !== undefined) Object.defineProperty(out, k, { value: text, enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
    }
  }

  private numericPort(value: number, path: readonly Segment[]): string {
    const text = this.source?.plainText(path) ?? String(value);
    const octal = /^[-+]?0[0-7]+$/.test(text);
    this.report(PARSE_DIAGNOSTIC_IDS.portNotString, Severity.ERROR, path,
      `port ${text} is written as a number; the CRD declares port as a string and the API server rejects a number` +
      (octal ? ` (and Kubernetes' YAML 1.1 parser reads ${text} as octal ${parseInt(text, 8)})` : ''),
      octal ? `quote it as a decimal string: port: "${Number(text)}" (or "${parseInt(text, 8)}" if octal was meant)` : `quote it: port: "${text}"`);
    return text;
  }

  private checkYaml11Number(path: readonly Segment[]): void {
    const text = this.source?.plainText(path);
    if (text !== undefined && /^[-+]?0[0-7]+$/.test(text)) {
      this.report(PARSE_DIAGNOSTIC_IDS.yaml11, Severity.WARNING, path,
        `${text} is decimal ${Number(text)} in YAML 1.2 but octal ${parseInt(text, 8)} for Kubernetes (YAML 1.1)`,
        `write it without the leading zero`);
    }
  }

  private checkYaml11String(path: readonly Segment[]): void {
    const text = this.source?.plainText(path);
    if (text !== undefined && /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(text)) {
      this.report(PARSE_DIAGNOSTIC_IDS.yaml11, Severity.WARNING, path,
        `unquoted ${text} is a string in YAML 1.2 but a boolean for Kubernetes (YAML 1.1), which the API server rejects here`,
        `quote it: "${text}"`);
    }
  }

  private nullValue(path: readonly Segment[]): void {
    this.report(PARSE_DIAGNOSTIC_IDS.nullValue, Severity.WARNING, path,
      `${fieldName(path)} is null; the API server prunes null fields, so it counts as omitted`,
      'remove the key, or write the value (an empty list [] is not the same as omitting it)', true);
  }

  private unknownField(
    key: string, known: readonly string[], hints: Readonly<Record<string, string>>, path: readonly Segment[], where: string,
  ): void {
    const hinted = (k: string): string | undefined => (Object.prototype.hasOwnProperty.call(hints, k) ? hints[k] : undefined);
    let fix = hinted(key);
    if (fix === undefined) {
      const near = nearest(key, [...known, ...Object.keys(hints)]);
      const nearHint = near === undefined ? undefined : hinted(near);
      if (near !== undefined && !known.includes(near) && nearHint !== undefined) fix = `did you mean ${near}? ${nearHint}`;
      else if (near !== undefined) fix = `did you mean ${near}?`;
      else fix = `remove it; known fields here: ${known.join(', ')}`;
    }
    this.report(PARSE_DIAGNOSTIC_IDS.unknownField, Severity.ERROR, path, `unknown field ${key} in ${where}; it is left out`, fix, true);
  }
}

// ------------------------------------------------------------------------------------------------------------------
// YAML source positions

class YamlSource {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly text: string,
    private readonly root: YamlNode,
    private readonly pos: (offset: number) => SourcePosition,
  ) {}

  /** The value node at `path` (aliases resolved). */
  public node(path: readonly Segment[]): YamlNode | undefined {
    let cur: YamlNode | undefined = this.deref(this.root);
    for (const seg of path) {
      if (!cur) return undefined;
      if (typeof seg === 'number') {
        cur = isSeq(cur) ? this.deref(cur.items[seg] as YamlNode | undefined) : undefined;
      } else {
        cur = this.deref(this.pair(cur, seg)?.value as YamlNode | undefined);
      }
    }
    return cur;
  }

  /** The position of the node at `path`, or of its key when `atKey` is set (falls back to the nearest ancestor). */
  public position(path: readonly Segment[], atKey = false): SourcePosition | undefined {
    for (let n = path.length; n >= 0; n--) {
      const prefix = path.slice(0, n);
      let node: YamlNode | undefined;
      if (atKey && n === path.length && typeof path[n - 1] === 'string') {
        const parent = this.node(path.slice(0, -1));
        node = parent ? (this.pair(parent, path[n - 1] as string)?.key as YamlNode | undefined) : undefined;
      }
      node ??= this.node(prefix);
      const offset = node?.range?.[0];
      if (offset !== undefined) return this.pos(offset);
    }
    return undefined;
  }

  /** The source text of a plain (unquoted) scalar at `path`. */
  public plainText(path: readonly Segment[]): string | undefined {
    const node = this.node(path);
    if (!isScalar(node) || node.type !== 'PLAIN' || !node.range) return undefined;
    return node.source ?? this.text.slice(node.range[0], node.range[1]);
  }

  private deref(node: YamlNode | undefined | null): YamlNode | undefined {
    let cur = node ?? undefined;
    for (let i = 0; i < 100 && cur && isAlias(cur); i++) cur = cur.resolve(this.doc) ?? undefined;
    return cur;
  }

  private pair(node: YamlNode, key: string, depth = 0): Pair | undefined {
    if (!isMap(node) || depth > 20) return undefined;
    // Later keys win for merges; explicit keys win over merged ones.
    for (const p of node.items) {
      if (isScalar(p.key) && typeof p.key.value !== 'symbol' && String(p.key.value) === key) return p;
    }
    for (const p of [...node.items].reverse()) {
      if (!isScalar(p.key) || typeof p.key.value !== 'symbol') continue;
      const merged = this.deref(p.value as YamlNode | undefined);
      const sources = isSeq(merged) ? merged.items.map((i) => this.deref(i as YamlNode)) : [merged];
      for (const s of sources) {
        const found = s ? this.pair(s, key, depth + 1) : undefined;
        if (found) return found;
      }
    }
    return undefined;
  }
}

// ------------------------------------------------------------------------------------------------------------------
// Helpers

/** The tail of a path from its second-to-last named segment (`ingress[0].toPorts`, `matchLabels.app`), for messages. */
function fieldName(path: readonly Segment[]): string {
  let named = 0;
  let i = path.length;
  while (i > 0 && named < 2) {
    i--;
    if (typeof path[i] === 'string') named++;
  }
  return formatPath(path.slice(i)) || 'the value';
}

/** `spec.ingress[0].fromEndpoints[0].matchLabels["k8s:app"]`. */
function formatPath(path: readonly Segment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** The inverse of `formatPath`; `undefined` for a malformed path. */
function parsePath(path: string): Segment[] | undefined {
  const out: Segment[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '[') {
      if (path[i + 1] === '"') {
        let j = i + 2;
        while (j < path.length && path[j] !== '"') j += path[j] === '\\' ? 2 : 1;
        if (path[j + 1] !== ']') return undefined;
        try {
          out.push(JSON.parse(path.slice(i + 1, j + 1)) as string);
        } catch {
          return undefined;
        }
        i = j + 2;
      } else {
        const m = /^\[(\d+)\]/.exec(path.slice(i));
        if (!m) return undefined;
        out.push(Number(m[1]));
        i += m[0].length;
      }
    } else {
      if (path[i] === '.') {
        if (out.length === 0) return undefined;
        i++;
      }
      const m = /^[^.[\]]+/.exec(path.slice(i));
      if (!m) return undefined;
      out.push(m[0]);
      i += m[0].length;
    }
  }
  return out;
}

/** The known name closest to `name` (case-insensitive edit distance), if it is close enough to be a typo. */
function nearest(name: string, known: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** A copy of `o` without its `undefined` properties. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return Object.prototype.toString.call(value) === '[object Object]';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  if (typeof value === 'number') return `a number (${value})`;
  if (typeof value === 'boolean') return `a boolean (${value})`;
  return typeof value;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0].trim().replace(/[.:]$/, '');
  return line.charAt(0).toLowerCase() + line.slice(1);
}

function errorText(e: unknown): string {
  return firstLine(e instanceof Error ? e.message : String(e));
}
