/**
 * The one way the project parses a YAML stream (policies, the positions of their fields, CRD files): the `yaml`
 * library, with its duplicate-key check replaced by a linear one. The library compares each key of a mapping with
 * every key before it, so a mapping of 300,000 keys (3 MB, well under the input size limit) costs hours; here the
 * same errors (`DUPLICATE_KEY`, "Map keys must be unique", at the key) are found with one set per mapping.
 */
import { Document, DocumentOptions, isScalar, LineCounter, parseAllDocuments, ParseOptions, SchemaOptions, visit, YAMLParseError } from 'yaml';

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
  return { docs: parseYamlStream(text, { lineCounter, merge: true, logLevel: 'error' }), lineCounter };
}

/** How a reader gets the stream of its text: `readYamlStream`, or a stream already parsed from the same text. */
export type YamlStreamReader = (text: string) => YamlStream;
