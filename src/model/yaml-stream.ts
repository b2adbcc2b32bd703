/**
 * The one way the project parses a YAML stream (policies, the positions of their fields, CRD files): the `yaml`
 * library, with its duplicate-key check replaced by a linear one. The library compares each key of a mapping with
 * every key before it, so a mapping of 300,000 keys (3 MB, well under the input size limit) costs hours; here the
 * same errors (`DUPLICATE_KEY`, "Map keys must be unique", at the key) are found with one set per mapping.
 *
 * With merge keys on (`readYamlStream`), a key a merge key (`<<`) sets again is an error of the same kind: Go's YAML
 * readers do not agree on its value. go-yaml v2 (kubectl, Helm, Argo CD: sigs.k8s.io/yaml) applies the pairs of a
 * mapping in the order written, so a merge key overrides a key written before it (`a: 1`, then `<<: {a: 2}`: 2), and
 * a second merge key the first; go-yaml v3 (Flux) and this library keep the key written (1), and v3 refuses a second
 * merge key. A key written after the merge key, and keys the merged mappings share (`<<: [*a, *b]`: the first wins),
 * are read alike by all three (go-yaml v2 in strict mode, which no manifest reader of these uses, refuses a key that overrides a merged one).
 */
import { Alias, Document, DocumentOptions, EmptyStream, isAlias, isMap, isScalar, isSeq, LineCounter, Node, Pair, parseAllDocuments, ParseOptions,
  Scalar, SchemaOptions, visit, YAMLError, YAMLMap, YAMLParseError, YAMLSeq, YAMLWarning } from 'yaml';
import { MAX_DIAGNOSTICS_PER_ID } from './diagnostic-budget';
import { kubectlDroppedCutsBlanked } from './kubectl-parts';
import { jsonLoneCrsAsSpaces, MAX_YAML_VALUES } from './nesting-depth';
import { goBase64, goFloat32Key, goTimestamp, goYamlNumber, goYamlNumeric } from './go-yaml';

/** `parseAllDocuments` with the linear duplicate-key check; a document with a duplicate key has it in `errors`. */
export function parseYamlStream(source: string, options: ParseOptions & DocumentOptions & SchemaOptions = {}): Document.Parsed[] {
  // One JSON object is read as kubectl reads it: a lone CR in it is white space, not a character of the next key. A `---`
  // line kubectl drops is read as a plain cut (`---\v# c`: no document start to this library).
  const text = kubectlDroppedCutsBlanked(jsonLoneCrsAsSpaces(source));
  // The library's `prettyErrors` copies the whole line of each error out of the text for its context: quadratic on one
  // long line (20,000 `!!int x` in a 160 kB flow sequence: 41 s, twice as many: 129 s). Its errors are placed here
  // instead, with the same first line (`… at line L, column C`), without the context.
  const counter = options.lineCounter ?? new LineCounter();
  // Each error and warning of the library (and each here) is an `Error`, whose stack trace costs more than the rest of it:
  // none is shown (a finding names its line), so none is taken while the stream is read.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return checkStream(text, counter, parseAllDocuments(text, { ...options, lineCounter: counter, uniqueKeys: false, prettyErrors: false }));
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** `parseYamlStream` of the parsed documents: their errors placed, Go's reading of keys and tags checked. */
function checkStream(text: string, counter: LineCounter, docs: Document.Parsed[] | EmptyStream): Document.Parsed[] {
  if (!Array.isArray(docs)) return [];
  for (const doc of docs) {
    for (const list of [doc.errors, doc.warnings]) for (const e of list) placeError(e, counter);
    const report = (start: number, message: string, code: 'DUPLICATE_KEY' | 'TAG_RESOLVE_FAILED' | 'RESOURCE_EXHAUSTION' = 'DUPLICATE_KEY'): YAMLParseError => {
      const error = new YAMLParseError([start, start + 1], code, message);
      placeError(error, counter);
      doc.errors.push(error);
      return error;
    };
    // A document of a million refused scalars is refused at its first (as go-yaml v2 refuses it): the first of them are
    // listed, the rest counted in one error, not each made (memory).
    let refusedScalars = 0;
    let firstUnlisted = 0;
    const refuse = (start: number, message: string): void => {
      if (++refusedScalars <= MAX_DIAGNOSTICS_PER_ID) report(start, message, 'TAG_RESOLVE_FAILED');
      else if (refusedScalars === MAX_DIAGNOSTICS_PER_ID + 1) firstUnlisted = start;
    };
    const mergedKeys = new MergedKeys(doc);
    // The merge key at which the keys merged passed `MAX_MERGED_KEYS`.
    let mergeBombAt: number | undefined;
    // Where each tagged scalar that Go refuses, or reads as `readYamlStream` does, starts: the library's own diagnostics
    // of its tag give way to Go's reading.
    const judged = new Set<number>();
    // The scalars, keys or values, plain or tagged `!!bool`, whose text is a YAML 1.1 boolean only (`yes`, `on`, `n`): how
    // many, and where the first starts.
    let yaml11Booleans = 0;
    let firstYaml11Boolean = 0;
    // The scalars refused as values that JSON has no number for: an alias of one is not refused again.
    const nonJsonValues = new Set<Scalar>();
    visit(doc, {
      Alias(key, node) {
        // An alias as a value is the node it names: `? &k .inf` is a key (JSON's ".inf"), `extra: *k` the float +Inf.
        const target = key === 'key' ? undefined : mergedKeys.target(node);
        const notJson = isScalar(target) && !nonJsonValues.has(target) ? goNonJsonNumber(target, node) : undefined;
        if (notJson !== undefined) refuse(node.range?.[0] ?? 0, notJson);
      },
      Scalar(key, node) {
        const notJson = key === 'key' ? undefined : goNonJsonNumber(node);
        if (notJson !== undefined) {
          nonJsonValues.add(node);
          refuse(node.range?.[0] ?? 0, notJson);
        }
        if (node.tag === undefined) {
          if (node.type === 'PLAIN' && yaml11Boolean(node) !== undefined && yaml11Booleans++ === 0) firstYaml11Boolean = node.range?.[0] ?? 0;
          return;
        }
        const refused = goScalarRefusal(node, key === 'key' ? 'key' : 'value');
        if (refused !== undefined || node.tag === TIMESTAMP_TAG || node.tag === INT_TAG || node.tag === FLOAT_TAG || node.tag === BOOL_TAG) {
          judged.add(node.range?.[0] ?? -1);
        }
        if (refused === undefined && node.tag === BOOL_TAG && yaml11Boolean(node) !== undefined && yaml11Booleans++ === 0) {
          firstYaml11Boolean = node.range?.[0] ?? 0;
        }
        // A key is reported with its mapping (below), a value here.
        if (refused !== undefined && key !== 'key') refuse(node.range?.[0] ?? 0, refused);
      },
      Map(_, map) {
        // Each key written so far, by its key in go-yaml v2's map (`GoKey.id`) and by its text in the JSON Go's readers make
        // of it (`GoKey.json`: `1` and `"1"` are two keys in the map, one in JSON), with where.
        const seen = new Map<string, { key: GoKey; at: number }>();
        const seenJson = new Map<string, { key: GoKey; at: number }>();
        // Every key the merge key sets, by its JSON text: a key written after it is read alike unless only its JSON text is the same.
        const merged = new Map<string, GoKey>();
        let mergeKey: number | undefined;
        for (const pair of map.items) {
          if (isMergePair(pair)) {
            const start = pair.key.range?.[0] ?? 0;
            if (mergeKey !== undefined) {
              report(start, `Map keys must be unique: a second merge key << (the first at ${where(counter, mergeKey)}), which go-yaml v2 (kubectl, Helm, `
                + 'Argo CD) applies over the first and go-yaml v3 (Flux) refuses; merge the mappings with one key (<<: [*a, *b]), not the one');
            }
            mergeKey ??= start;
            // Every merged key is recorded; one error per merge key at most.
            let reported = false;
            for (const key of mergedKeys.of(pair.value).values()) {
              if (!mergedKeys.spendSet()) break;
              const other = key.json === undefined ? undefined : merged.get(key.json);
              if (key.json !== undefined && other === undefined) merged.set(key.json, key);
              if (reported) continue;
              reported = true;
              if (other !== undefined && other.id !== key.id) report(start, oneJsonKey(key, other, 'both set by this merge key'));
              else if (seen.has(key.id)) {
                report(start, `Map keys must be unique: ${describeKey(key.text)}, written at ${where(counter, seen.get(key.id)?.at ?? 0)}, is set again by a `
                  + 'merge key: go-yaml v2 (kubectl, Helm, Argo CD) takes the merged value, go-yaml v3 (Flux) the one written; write the key after the merge key');
              } else if (key.json !== undefined && seenJson.has(key.json)) {
                const before = seenJson.get(key.json);
                report(start, oneJsonKey(key, before?.key ?? key, `written at ${where(counter, before?.at ?? 0)}`));
              } else reported = false;
            }
            if (mergedKeys.exceeded) mergeBombAt ??= start;
            continue;
          }
          // As go-yaml v2 compares keys: scalars by type and value (NaN never equal, one JSON key `.nan`), collections never; and
          // keys of two types by the text Go's readers write in JSON.
          // An alias key is the node it names (`a: &k foo`, then `*k : y`: the key foo); a tag Go refuses there is refused
          // where the anchor is written.
          const keyNode = mergedKeys.target(pair.key);
          const refused = isScalar(pair.key) ? goScalarRefusal(pair.key, 'key') : undefined;
          if (refused !== undefined) {
            refuse((pair.key as Scalar).range?.[0] ?? 0, refused);
            continue;
          }
          const key = isScalar(keyNode) ? goKey(keyNode) : undefined;
          const start = (pair.key as Node | null)?.range?.[0] ?? map.range?.[0] ?? 0;
          if (key === undefined && isAlias(pair.key) && isScalar(keyNode)) continue;
          if (key === undefined || key.json === undefined) {
            // A null, uint64 or collection key: go-yaml v2 reads it, sigs.k8s.io/yaml's JSON conversion refuses the manifest.
            refuse(start, goNonJsonKey(keyNode, key, isAlias(pair.key) ? pair.key : undefined));
            continue;
          }
          if (seen.has(key.id)) {
            report(start, 'Map keys must be unique');
            continue;
          }
          seen.set(key.id, { key, at: start });
          const before = seenJson.get(key.json);
          if (before !== undefined) {
            report(start, oneJsonKey(key, before.key, `written at ${where(counter, before.at)}`));
            continue;
          }
          seenJson.set(key.json, { key, at: start });
          // A merged key of another type but the same JSON text: Go's JSON conversion keeps either (map order).
          const other = merged.get(key.json);
          if (other !== undefined && other.id !== key.id) report(start, oneJsonKey(key, other, `set by the merge key at ${where(counter, mergeKey ?? 0)}`));
        }
      },
    });
    if (mergeBombAt !== undefined) {
      report(mergeBombAt, `The merge keys (<<) of this document set (or gather) more than ${MAX_MERGED_KEYS.toLocaleString('en-US')} keys, each mapping they `
        + 'merge counted where it is merged (an alias bomb: mappings that merge mappings that merge …); it is not read (go-yaml v2, kubectl, refuses a document made mostly of '
        + 'aliases: "document contains excessive aliasing"); write the keys out, or merge fewer and smaller mappings', 'RESOURCE_EXHAUSTION');
    }
    if (refusedScalars > MAX_DIAGNOSTICS_PER_ID) {
      const more = refusedScalars - MAX_DIAGNOSTICS_PER_ID;
      const summary: OmittedYamlErrors = report(firstUnlisted, `and ${more.toLocaleString('en-US')} more tagged scalar${more === 1 ? '' : 's'} (keys or values) `
        + `Go's readers refuse, not listed (a document lists at most ${MAX_DIAGNOSTICS_PER_ID.toLocaleString('en-US')}; go-yaml v2 refuses it at the first)`,
      'TAG_RESOLVE_FAILED');
      // It stands for the errors it counts: a reader's totals count them (`diagnosticWeight`).
      summary.omitted = more;
    }
    if (yaml11Booleans > 0) {
      const one = yaml11Booleans === 1;
      const warning: Yaml11BooleanWarning = new YAMLWarning([firstYaml11Boolean, firstYaml11Boolean + 1], 'TAG_RESOLVE_FAILED',
        `${one ? 'A scalar' : `${yaml11Booleans.toLocaleString('en-US')} scalars`} ${one ? 'is a' : 'are'} YAML 1.1 boolean`
        + `${one ? '' : 's'} (the first here): kubectl, Helm, Argo CD and Flux read yes, y, on as true and no, n, off as false (sigs.k8s.io/yaml, `
        + 'go-yaml v2), and so does this reader, where a YAML 1.2 reader reads an untagged one as a string; a boolean where the CRD wants a string '
        + 'is refused by the API server; write true or false, or quote the string');
      warning.yaml11 = true;
      placeError(warning, counter);
      doc.warnings.push(warning);
    }
    if (judged.size > 0) {
      doc.warnings = doc.warnings.filter((w) => !judgedTagDiagnostic(text, w, judged));
      doc.errors = doc.errors.filter((e) => !judgedTagDiagnostic(text, e, judged));
    }
  }
  return docs;
}

/** The stream's warning of the YAML 1.1 booleans of a document (`parse-yaml11-ambiguous`, not a syntax warning). */
export interface Yaml11BooleanWarning extends YAMLWarning {
  yaml11?: true;
}

/** A reader's error that stands for `omitted` errors of its kind left out (the summary of refused tagged scalars). */
export interface OmittedYamlErrors extends YAMLError {
  omitted?: number;
}

/** As the library's `prettifyError` places an error (its `linePos`, ` at line L, column C` after its message), without its context lines. */
function placeError(error: YAMLError, counter: LineCounter): void {
  if (error.pos[0] === -1) return;
  const [start, end] = error.pos;
  error.linePos = [counter.linePos(start), counter.linePos(end)];
  error.message += ` at line ${error.linePos[0].line}, column ${error.linePos[0].col}`;
}

/** Whether `pair` is a merge key (`<<` unquoted, with merge keys on: the library resolves its key to a symbol). */
function isMergePair(pair: Pair): pair is Pair<{ value: symbol; range?: [number, number, number] }> {
  return isScalar(pair.key) && typeof pair.key.value === 'symbol' && pair.key.value.description === '<<';
}

function where(counter: LineCounter, offset: number): string {
  return `line ${counter.linePos(offset).line}`;
}

/**
 * A mapping key as kubectl, Helm and Argo CD read it (go-yaml v2, then sigs.k8s.io/yaml `convertToJSONableObject`).
 * `id` is the key in go-yaml v2's map, its type and value (`010` and `8` are one key: octal); `json` its text in the
 * JSON the API server gets (an int by `strconv.Itoa`, a float by `FormatFloat(f, 'g', -1, 32)`, a boolean as
 * `true`/`false`), or `undefined` where there is none (null, a uint64: Go refuses those keys),
 * so that only keys of one `id` are compared then. `text` is the key as written, `shown` the same, a string in quotes.
 */
interface GoKey {
  readonly id: string;
  readonly json: string | undefined;
  readonly text: string;
  readonly shown: string;
}

/** go-yaml v2's `resolve` table (YAML 1.1): its booleans and infinities; `.nan`, never equal to another NaN. */
const GO_BOOLEANS = new Map<string, boolean>([...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((t) => [t, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((t) => [t, false] as const)]);
/**
 * go-yaml v2's boolean of a scalar (plain, or tagged `!!bool`) whose text is a YAML 1.1 boolean only (`yes`, `on`, `n`, …:
 * not `true`, `false` and their capitals, which every reader reads alike), or `undefined`.
 */
function yaml11Boolean(node: Scalar): boolean | undefined {
  const text = typeof node.source === 'string' ? node.source : undefined;
  return text === undefined || /^(?:true|True|TRUE|false|False|FALSE)$/.test(text) ? undefined : GO_BOOLEANS.get(text);
}
const GO_INFINITY = /^([-+]?)\.(?:inf|Inf|INF)$/;
const GO_NAN = /^\.(?:nan|NaN|NAN)$/;

/**
 * The key `node` is to go-yaml v2 (`GoKey`), or `undefined` for one Go cannot read (a tag
 * its text does not fit: `!!int x`). An explicit tag is read as go-yaml v2's `resolve` reads it: `!!int`, `!!float`,
 * `!!bool` and `!!null` resolve the text as a plain scalar and keep it when the type agrees (`!!float` also takes an
 * integer, as a float); `!!binary` is its decoded text; every other tag (`!!str`, `!!timestamp`, `!`, `!custom`)
 * leaves the text a string. So `!!int 1` is the key `1`, and one JSON key with `"1"`.
 */
function goKey(node: Scalar): GoKey | undefined {
  const text = typeof node.source === 'string' ? node.source : String(node.value);
  if (node.tag === undefined) return node.type === 'PLAIN' ? resolvedGoKey(text).key : stringGoKey(text);
  const kinds = RESOLVED_TAGS.get(node.tag);
  if (kinds === undefined) return stringGoKey(node.tag === BINARY_TAG && node.value instanceof Uint8Array ? goBinaryText(node.value) : text);
  const read = resolvedGoKey(text);
  if (!kinds.includes(read.kind)) return undefined;
  if (node.tag !== FLOAT_TAG || read.number === undefined || read.kind === 'float') return read.key;
  const value = Number(read.number);
  return { id: `f:${String(value)}`, json: goFloat32Key(value), text, shown: text };
}

let nanKeys = 0;

/**
 * Why Go's readers refuse a mapping key that has no JSON text: sigs.k8s.io/yaml `convertToJSONableObject` (behind kubectl,
 * Helm and Argo CD) takes string, int, int64, float64 and bool keys and refuses the manifest for any other ("unsupported map
 * key of type: %!s(<nil>)", "… uint64", "yaml: invalid map key: []interface {}{…}", seen with kubectl v1.32.4).
 */
function goNonJsonKey(node: unknown, key: GoKey | undefined, alias?: Alias): string {
  if (alias !== undefined && node === undefined) {
    return `A key Go's readers refuse: the alias *${describeKey(alias.source)} names no anchor written before it (go-yaml v2: unknown anchor), so kubectl, `
      + 'Helm and Argo CD refuse the manifest; anchor the node it stands for (&name) before the alias, or write the key out';
  }
  const what = key !== undefined ? (key.id === 'null' ? `the null key ${key.text === '' ? '(empty)' : describeKey(key.text)}` : `the key ${describeKey(key.text)}, `
    + 'an integer above int64,') : isMap(node) ? 'a mapping used as a key' : isSeq(node) ? 'a sequence used as a key' : 'an empty key';
  const named = alias === undefined ? what : `the alias *${describeKey(alias.source)}, which stands for ${what.replace(/,$/, '')} (written at its anchor),`;
  return `A key Go's readers refuse: ${named} has no JSON text (sigs.k8s.io/yaml: unsupported map key), so kubectl, Helm and Argo CD refuse the `
    + 'manifest; write the key as a string';
}

/**
 * Why Go's readers refuse a value that is a float JSON cannot write: an infinity or NaN, plain (`.inf`, `-.Inf`, `.nan`)
 * or tagged `!!float` (sigs.k8s.io/yaml's `json.Marshal`: "json: unsupported value: +Inf", seen with kubectl v1.32.4); or
 * `undefined`. Quoted or tagged `!!str`, it is a string.
 */
function goNonJsonNumber(node: Scalar, alias?: Alias): string | undefined {
  if (node.tag !== undefined ? node.tag !== FLOAT_TAG : node.type !== 'PLAIN') return undefined;
  const text = typeof node.source === 'string' ? node.source : String(node.value);
  if (!GO_INFINITY.test(text) && !GO_NAN.test(text)) return undefined;
  const what = alias === undefined ? describeKey(text) : `the alias *${describeKey(alias.source)}, which stands for ${describeKey(text)} (written at its anchor),`;
  return `A value Go's readers refuse: ${what} is a float JSON has no number for (json: unsupported value), so kubectl, Helm and Argo CD `
    + `refuse the manifest; quote it ("${text}") if a string is meant`;
}

type GoScalarKind = 'bool' | 'float' | 'int' | 'uint' | 'null' | 'str';

/**
 * Why Go's readers refuse a scalar (a key or a value) whose explicit tag its text does not fit, as go-yaml v2's `resolve`
 * and `scalar` fail the whole document: `!!int x`, `!!bool 1`, `!!float` of an integer past int64 ("cannot decode !!str
 * `x` as a !!int"), a `!!timestamp` that is no timestamp of `parseTimestamp` (`goTimestamp`), a `!!binary` that is no
 * base64 (`goBase64`: "!!binary value contains invalid base64 data"); `undefined` for any other scalar (no tag, a tag
 * its text fits, or a tag Go leaves the text as it is: `!!str`, `!`, `!custom`).
 */
function goScalarRefusal(node: Scalar, role: 'key' | 'value'): string | undefined {
  if (node.tag === undefined) return undefined;
  const text = typeof node.source === 'string' ? node.source : String(node.value);
  const refused = (why: string): string => `A ${role} Go's readers refuse: ${text === '' ? '""' : describeKey(text)} ${why}, so kubectl, Helm and Argo CD refuse the manifest; `
    + `drop the tag or write a ${role} of its type`;
  if (node.tag === TIMESTAMP_TAG) {
    return goTimestamp(text) ? undefined : refused('tagged !!timestamp is no timestamp go-yaml v2 reads (yyyy-m-d, or with a time h:m:s after a space, '
      + 'or after T ending in Z or ±hh:mm)');
  }
  if (node.tag === BINARY_TAG) return goBase64(text) ? undefined : refused('tagged !!binary is no base64 (go-yaml v2: !!binary value contains invalid base64 data)');
  const kinds = RESOLVED_TAGS.get(node.tag);
  if (kinds === undefined) return undefined;
  const read = resolvedGoKey(text);
  if (kinds.includes(read.kind)) return undefined;
  const tag = (t: string): string => `!!${t === 'uint' ? 'int' : t}`;
  return refused(`tagged ${tag(kinds[0])} is no ${kinds[0]} (go-yaml v2: cannot decode ${tag(read.kind)} \`${describeKey(text)}\` as a ${tag(kinds[0])})`);
}

/**
 * Whether a diagnostic of the library is about the tag of a scalar that Go refuses (`goScalarRefusal`, an error of its
 * own) or that is read as Go reads it: its "Unresolved tag" warning for `!!int`, `!!float`, `!!bool`, `!!null` (given
 * `!!float 1` too, which Go reads as 1.0), its own `!!timestamp` error (YAML 1.1's pattern, not go-yaml v2's layouts). The diagnostic's position is the tag's;
 * `scalarStarts` holds where each such scalar starts: only white space, an anchor and comments come between a tag and its
 * node, and an empty scalar (`a: !!int` at the end of a line) starts where its tag ends.
 */
function judgedTagDiagnostic(text: string, error: YAMLError, scalarStarts: ReadonlySet<number>): boolean {
  if (error.code !== 'TAG_RESOLVE_FAILED') return false;
  if (!/^(?:Unresolved tag: tag:yaml\.org,2002:(?:int|float|bool|null) |!!timestamp expects )/.test(error.message)) return false;
  // From the tag's end, over white space, anchors and comments, a step at a time: an empty scalar starts at any of these.
  const step = /\s+|&\S+|#[^\n]*/y;
  for (let at = error.pos[1]; ; at = step.lastIndex) {
    if (scalarStarts.has(at)) return true;
    step.lastIndex = at;
    if (step.exec(text) === null) return false;
  }
}

/**
 * The explicit tags go-yaml v2 resolves, with the types of the plain reading each keeps (go-yaml v2 `resolve`: `!!float`
 * takes an `int` or `int64`, not a `uint64`).
 */
const RESOLVED_TAGS = new Map<string, readonly GoScalarKind[]>([
  ['tag:yaml.org,2002:int', ['int', 'uint']], ['tag:yaml.org,2002:float', ['float', 'int']],
  ['tag:yaml.org,2002:bool', ['bool']], ['tag:yaml.org,2002:null', ['null']],
]);
/** go-yaml v2's null texts (the YAML 1.2 core schema's too). */
const GO_NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);

/**
 * A plain scalar's key as go-yaml v2 resolves its text, with its type (and an integer's value). NaN is a key of its own
 * in go-yaml v2's map (never equal to another), and `.nan` in the JSON sigs.k8s.io/yaml makes (`FormatFloat` gives
 * `NaN`, written `.nan`), so each NaN key gets an id of its own.
 */
function resolvedGoKey(text: string): { key: GoKey; kind: GoScalarKind; number?: bigint } {
  const plain = (id: string, json: string | undefined): GoKey => ({ id, json, text, shown: text });
  const bool = GO_BOOLEANS.get(text);
  if (bool !== undefined) return { key: plain(`b:${bool}`, String(bool)), kind: 'bool' };
  const infinity = GO_INFINITY.exec(text);
  if (infinity) return { key: plain(`f:${infinity[1] === '-' ? '-' : ''}Infinity`, infinity[1] === '-' ? '-.inf' : '.inf'), kind: 'float' };
  if (GO_NAN.test(text)) return { key: plain(`nan:${nanKeys++}`, '.nan'), kind: 'float' };
  if (GO_NULLS.has(text)) return { key: plain('null', undefined), kind: 'null' };
  const number = goYamlNumeric(text);
  if (number?.kind === 'int') return { key: plain(`i:${number.value}`, String(number.value)), kind: 'int', number: number.value };
  if (number?.kind === 'uint') return { key: plain(`u:${number.value}`, undefined), kind: 'uint', number: number.value };
  // -0.0 and 0.0 are one float64 key (==), written "-0" or "0" as the first read.
  if (number?.kind === 'float') return { key: plain(`f:${String(number.value)}`, goFloat32Key(number.value)), kind: 'float' };
  return { key: stringGoKey(text), kind: 'str' };
}

function stringGoKey(text: string): GoKey {
  return { id: `s:${text}`, json: text, text, shown: JSON.stringify(text) };
}

/** The error of two keys of different types that are one key in JSON (`1` and `"1"`), each shown as written. */
function oneJsonKey(key: GoKey, other: GoKey, otherAt: string): string {
  return `Map keys must be unique: ${describeKey(key.shown)} and ${describeKey(other.shown)} (${otherAt}) are one key in the JSON Go's readers make of `
    + `the manifest (a number or boolean key is written as the string Go formats: here ${JSON.stringify(key.json)}), which keeps either value; write the key once`;
}

function describeKey(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/**
 * The keys a merge key's value sets in a document: those of the mapping (or of each mapping of the list) it names,
 * aliases resolved, with the keys of their own merge keys. Computed once per mapping, so an alias bomb costs its nodes,
 * not its expansion; a mapping that merges itself (through an alias of an enclosing anchor) adds nothing more.
 */
class MergedKeys {
  private readonly memo = new Map<YAMLMap | YAMLSeq, ReadonlyMap<string, GoKey>>();
  /** The keys gathered into the sets so far (`spend`): at most `MAX_MERGED_KEYS`, so the work stays linear. */
  private spent = 0;
  /** The keys the merge keys set so far (`spendSet`), each merged mapping counted where it is merged: at most `MAX_MERGED_KEYS`. */
  private set = 0;
  /** Whether more were wanted than `MAX_MERGED_KEYS`: the sets are then partial, and the document is refused. */
  public exceeded = false;
  /** Each alias's target, found in one pass over the document when first needed (`Alias.resolve` walks the document per call). */
  private targets: Map<Alias, Node> | undefined;

  constructor(private readonly doc: Document.Parsed) {}

  public of(value: unknown): ReadonlyMap<string, GoKey> {
    const source = this.target(value);
    if (!isSeq(source)) return this.ofMap(source);
    const known = this.memo.get(source);
    if (known !== undefined) return known;
    const out = new Map<string, GoKey>();
    this.memo.set(source, out);
    for (const item of source.items) {
      for (const key of this.ofMap(this.target(item)).values()) {
        if (!this.spend()) return out;
        if (!out.has(key.id)) out.set(key.id, key);
      }
    }
    return out;
  }

  private ofMap(node: unknown): ReadonlyMap<string, GoKey> {
    if (!isMap(node)) return EMPTY;
    const known = this.memo.get(node);
    if (known !== undefined) return known;
    const out = new Map<string, GoKey>();
    this.memo.set(node, out);
    for (const pair of node.items) {
      const keyNode = this.target(pair.key);
      const keys = isMergePair(pair) ? this.of(pair.value).values() : isScalar(keyNode) ? [goKey(keyNode)] : [];
      for (const key of keys) {
        if (!this.spend()) return out;
        if (key !== undefined && !out.has(key.id)) out.set(key.id, key);
      }
    }
    return out;
  }

  /**
   * Counts one key gathered into a merged mapping's set; `false` (and `exceeded`) past `MAX_MERGED_KEYS`. Chained merges
   * (each mapping merging the one before and adding a key) gather n²/2 keys in n lines: 290 kB took seconds and gigabytes.
   */
  public spend(): boolean {
    return this.count('spent');
  }

  /**
   * Counts one key a merge key sets (and compares with the mapping's own); `false` (and `exceeded`) past `MAX_MERGED_KEYS`.
   * Chained merges set n²/2 keys in n lines, one mapping of many keys merged by many mappings keys × mappings.
   */
  public spendSet(): boolean {
    return this.count('set');
  }

  private count(counter: 'spent' | 'set'): boolean {
    if (this[counter] >= MAX_MERGED_KEYS) {
      this.exceeded = true;
      return false;
    }
    this[counter]++;
    return true;
  }

  /** The node `value` names when it is an alias (`undefined` for an alias of no anchor), else `value`. */
  public target(value: unknown): unknown {
    return isAlias(value) ? this.aliasTargets().get(value) : value;
  }

  /**
   * As the library resolves an alias: the last node before it, in document order, that carries its anchor (an anchored
   * node comes before its own children, so a mapping that merges itself finds itself).
   */
  private aliasTargets(): Map<Alias, Node> {
    if (this.targets !== undefined) return this.targets;
    const targets = new Map<Alias, Node>();
    const anchors = new Map<string, Node>();
    visit(this.doc, {
      Node(_, node) {
        if (isAlias(node)) {
          const target = anchors.get(node.source);
          if (target !== undefined) targets.set(node, target);
        } else if (node.anchor) anchors.set(node.anchor, node);
      },
    });
    this.targets = targets;
    return targets;
  }
}

const EMPTY: ReadonlyMap<string, GoKey> = new Map();
/** The most keys the merge keys of one document may set, each merged mapping counted where it is merged (as many as the values a reader takes). */
const MAX_MERGED_KEYS = MAX_YAML_VALUES;

/** A YAML stream as the manifest readers read it: its documents (merge keys on) and the line counter of their positions. */
export interface YamlStream {
  readonly docs: Document.Parsed[];
  readonly lineCounter: LineCounter;
}

/**
 * Parses a stream of manifests as the readers (`fromYaml`, `validate`'s positions) read it; throws as `parseAllDocuments`
 * does. A caller that reads the same text twice parses it once and hands the stream to both (`YamlStreamReader`).
 */
export function readYamlStream(text: string): YamlStream {
  const lineCounter = new LineCounter();
  const docs = parseYamlStream(text, { lineCounter, merge: true, logLevel: 'error' });
  for (const doc of docs) goYamlNumbers(doc);
  return { docs, lineCounter };
}

/**
 * Gives the plain scalars (values, not keys), and those tagged `!!int` or `!!float` quoted or not (`!!int "0100"`: octal 64),
 * that Go's YAML readers read as numbers the number they read (`goYamlNumber`):
 * kubectl, Helm, Argo CD and Flux convert a manifest to JSON that way before the API server sees it, where YAML 1.2 reads
 * `010` as 10 (Go: octal 8) and `1_000`, `0b101`, `0X1F` as strings (Go: numbers). So every reader checks and judges
 * the object the cluster gets: a label `version: 1_000` is a number the API server refuses, an `endPort: 8_081` is 8081.
 * So are `!!binary` (the decoded text), `!!timestamp` (the text) and YAML 1.1 booleans, keys and values, plain or tagged
 * `!!bool` (`yes` and `!!bool yes` are true, a key `on` is the JSON key `"true"`): every tool that applies a manifest
 * decodes it with sigs.k8s.io/yaml (go-yaml v2's `resolve` table) — kubectl, Helm, Argo CD, and Flux, whose
 * kustomize-controller builds with kyaml (go-yaml v3, which keeps a plain `yes` as written) and decodes the result with
 * fluxcd/pkg/ssa `ReadObjects` (`NewYAMLOrJSONDecoder`). The stream warns about them (`parse-yaml11-ambiguous`).
 */
function goYamlNumbers(doc: Document.Parsed): void {
  if (doc.errors.length > 0) return;
  visit(doc, {
    Scalar(key, node) {
      // Explicit tags Go reads as strings where this library makes objects, keys and values: `!!binary` is its decoded
      // bytes as text (`string(data)`, invalid UTF-8 replaced as encoding/json does), `!!timestamp` the text as written.
      if (node.tag === BINARY_TAG && node.value instanceof Uint8Array) {
        node.value = goBinaryText(node.value);
        return;
      }
      if (node.tag === TIMESTAMP_TAG && node.value instanceof Date && typeof node.source === 'string') {
        node.value = node.source;
        return;
      }
      // go-yaml v2 resolves a plain scalar, and one tagged !!bool quoted or not, by its YAML 1.1 table: `yes` and
      // `!!bool yes` are true (the library leaves them the string "yes"), keys too; the stream warns about them.
      if (node.tag === BOOL_TAG || (node.tag === undefined && node.type === 'PLAIN')) {
        const bool = yaml11Boolean(node);
        if (bool !== undefined) node.value = bool;
        if (node.tag === BOOL_TAG || bool !== undefined) return;
      }
      if (key === 'key' || typeof node.source !== 'string') return;
      // go-yaml v2 resolves every scalar tagged !!int or !!float, quoted or not (`!!int "0100"` is octal 64); an untagged
      // one only when plain (`"0100"` is a string).
      const tagged = node.tag === INT_TAG || node.tag === FLOAT_TAG;
      if (!tagged && (node.type !== 'PLAIN' || node.tag !== undefined)) return;
      const value = goYamlNumber(node.source);
      if (value !== undefined && node.value !== value) node.value = value;
      // A number here that Go reads as a string (beyond its integers and floats: 0x + 17 digits, 1e400); .inf and .nan are
      // floats in both.
      else if (value === undefined && typeof node.value === 'number' && !INFINITY_OR_NAN.test(node.source)) node.value = node.source;
    },
  });
}

const BINARY_TAG = 'tag:yaml.org,2002:binary';
/** Go's text of `!!binary` bytes (`string(data)`, invalid UTF-8 replaced as encoding/json does). */
function goBinaryText(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';
/** The YAML 1.2 core schema's (and go-yaml's) infinities and not-a-number. */
const INFINITY_OR_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT_TAG = 'tag:yaml.org,2002:int';
const BOOL_TAG = 'tag:yaml.org,2002:bool';
const FLOAT_TAG = 'tag:yaml.org,2002:float';

/** How a reader gets the stream of its text: `readYamlStream`, or a stream already parsed from the same text. */
export type YamlStreamReader = (text: string) => YamlStream;

/** One document of a stream as a value, and where a path in it was written. */
export interface YamlValue {
  /** The document's index in the stream. */
  readonly index: number;
  /** Its value (`toJS`, aliases resolved up to the readers' bound). */
  readonly value: unknown;
  /** The 1-based line of `path` in the text (of the deepest node on the way that exists), when known. */
  lineOf(path: readonly (string | number)[]): number | undefined;
  /** The text of the plain (unquoted) scalar at `path` as written (`NO`, read as false), when it is one. */
  plainText(path: readonly (string | number)[]): string | undefined;
}

/**
 * The non-empty documents of a stream as values, for a reader that checks objects as written (`--inventory`). Documents
 * with errors are left out: read the text with `fromYaml` first, which reports them (and hand its stream to this one,
 * `read`, not to parse it twice).
 */
export function yamlValues(text: string, read: YamlStreamReader = readYamlStream): YamlValue[] {
  const { docs, lineCounter } = read(text);
  const out: YamlValue[] = [];
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0 || doc.contents === null) return;
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) return;
    out.push({
      index,
      value,
      lineOf: (path) => {
        for (let n = path.length; n >= 0; n--) {
          const node = doc.getIn(path.slice(0, n), true) as { range?: readonly number[] } | undefined;
          const offset = node !== null && typeof node === 'object' ? node.range?.[0] : undefined;
          if (offset !== undefined) return lineCounter.linePos(offset).line;
        }
        return undefined;
      },
      plainText: (path) => {
        const node = doc.getIn(path, true);
        return isScalar(node) && node.type === 'PLAIN' && typeof node.source === 'string' ? node.source : undefined;
      },
    });
  });
  return out;
}
