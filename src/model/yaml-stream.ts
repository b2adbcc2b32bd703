/**
 * The one way the project parses a YAML stream (policies, the positions of their fields, CRD files): the `yaml`
 * library, with its duplicate-key check replaced by a linear one. The library compares each key of a mapping with
 * every key before it, so a mapping of 300,000 keys (3 MB, well under the input size limit) costs hours; here the
 * same errors (`DUPLICATE_KEY`, "Map keys must be unique", at the key) are found with one set per mapping.
 */
import { Document, DocumentOptions, isScalar, LineCounter, parseAllDocuments, ParseOptions, SchemaOptions, visit, YAMLParseError } from 'yaml';
import { goYamlNumber } from './go-yaml';

/** `parseAllDocuments` with the linear duplicate-key check; a document with a duplicate key has it in `errors`. */
export function parseYamlStream(text: string, options: ParseOptions & DocumentOptions & SchemaOptions = {}): Document.Parsed[] {
  const docs = parseAllDocuments(text, { ...options, uniqueKeys: false });
  if (!Array.isArray(docs)) return [];
  const lines = options.lineCounter;
  for (const doc of docs) {
    visit(doc, {
      Map(_, map) {
        const seen = new Set<unknown>();
        for (const pair of map.items) {
          // As the library compares keys: scalars by value (===, so NaN is never a duplicate), collections by identity.
          if (!isScalar(pair.key) || Number.isNaN(pair.key.value)) continue;
          if (!seen.has(pair.key.value)) {
            seen.add(pair.key.value);
            continue;
          }
          const start = pair.key.range?.[0] ?? 0;
          const error = new YAMLParseError([start, start + 1], 'DUPLICATE_KEY', 'Map keys must be unique');
          if (lines) {
            const at = lines.linePos(start);
            error.linePos = [at];
            error.message += ` at line ${at.line}, column ${at.col}`;
          }
          doc.errors.push(error);
        }
      },
    });
  }
  return docs;
}

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
 * Gives the plain scalars (values, not keys) that Go's YAML readers read as numbers the number they read (`goYamlNumber`):
 * kubectl, Helm, Argo CD and Flux convert a manifest to JSON that way before the API server sees it, where YAML 1.2 reads
 * `010` as 10 (Go: octal 8) and `1_000`, `0b101`, `0X1F` as strings (Go: numbers). So every reader checks and judges
 * the object the cluster gets: a label `version: 1_000` is a number the API server refuses, an `endPort: 8_081` is 8081.
 * So are `!!binary` (the decoded text) and `!!timestamp` (the text) scalars. Booleans (`yes`, `on`) are left as YAML 1.2 reads them: Go's readers differ there (go-yaml v3 reads them as strings),
 * and the readers warn about them (`parse-yaml11-ambiguous`).
 */
function goYamlNumbers(doc: Document.Parsed): void {
  if (doc.errors.length > 0) return;
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key') return;
      // Explicit tags Go reads as strings where this library makes objects: `!!binary` is its decoded bytes as text
      // (`string(data)`, invalid UTF-8 replaced as encoding/json does), `!!timestamp` the text as written.
      if (node.tag === BINARY_TAG && node.value instanceof Uint8Array) {
        node.value = new TextDecoder().decode(node.value);
        return;
      }
      if (node.tag === TIMESTAMP_TAG && node.value instanceof Date && typeof node.source === 'string') {
        node.value = node.source;
        return;
      }
      if (node.type !== 'PLAIN' || typeof node.source !== 'string' || (node.tag !== undefined && node.tag !== INT_TAG && node.tag !== FLOAT_TAG)) return;
      const value = goYamlNumber(node.source);
      if (value !== undefined && node.value !== value) node.value = value;
      // A number here that Go reads as a string (beyond its integers and floats: 0x + 17 digits, 1e400); .inf and .nan are
      // floats in both.
      else if (value === undefined && typeof node.value === 'number' && !INFINITY_OR_NAN.test(node.source)) node.value = node.source;
    },
  });
}

const BINARY_TAG = 'tag:yaml.org,2002:binary';
const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';
/** The YAML 1.2 core schema's (and go-yaml's) infinities and not-a-number. */
const INFINITY_OR_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT_TAG = 'tag:yaml.org,2002:int';
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
}

/**
 * The non-empty documents of a stream as values, for a reader that checks objects as written (`--inventory`). Documents
 * with errors are left out: read the text with `fromYaml` first, which reports them.
 */
export function yamlValues(text: string): YamlValue[] {
  const { docs, lineCounter } = readYamlStream(text);
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
    });
  });
  return out;
}
