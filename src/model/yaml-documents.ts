import { Document, LineCounter } from 'yaml';
import { NestingDepthError, yamlInputLimitError } from './nesting-depth';
import { currentYamlValueBudget } from './yaml-value-budget';
import { readYamlStream, YamlStreamReader } from './yaml-stream';

/** One document of a YAML stream, as `readYamlDocuments` read it. */
export interface YamlDocumentRead {
  /** The document's position in the stream, from 0. */
  readonly index: number;
  readonly doc: Document.Parsed;
  /** Its plain value: `undefined` when the document has errors (`doc.errors`), has no contents, or could not be converted. */
  readonly value?: unknown;
  /** The message of why the value could not be converted (too many aliases, …), when it could not. */
  readonly convertError?: string;
}

/** A YAML stream as every reader of the package reads it. */
export interface YamlDocumentsRead {
  /** A limit of the reader the text exceeds (depth, documents, values, …): then nothing is read. */
  readonly limit?: NestingDepthError;
  /** The message of why the reader failed on the text (then nothing is read). */
  readonly readError?: string;
  readonly lineCounter?: LineCounter;
  readonly documents: readonly YamlDocumentRead[];
}

/**
 * The documents of a YAML (or JSON) stream, read under the input limits (`yamlInputLimitError`) by `read` (`readYamlStream`:
 * what the API server gets from kubectl), each converted to its plain value. The one per-document reader of `fromYaml` and
 * the matchers' YAML text. Never throws on bad input of its own; its values are charged, before it is parsed, to the budget
 * of the run it is read for (`yaml-value-budget.ts`), if any.
 * @param file the input's name, for the run's budget error
 * @throws CiliumPolicyError (`input-values-budget`) when the input takes its run past the run's limit of values
 */
export function readYamlDocuments(text: string, read: YamlStreamReader = readYamlStream, file?: string): YamlDocumentsRead {
  const counted = { values: 0 };
  const limit = yamlInputLimitError(text, counted);
  if (limit) return { limit, documents: [] };
  currentYamlValueBudget()?.charge(counted.values, file);
  let docs: Document.Parsed[];
  let lineCounter: LineCounter;
  try {
    ({ docs, lineCounter } = read(text));
  } catch (e) {
    return { readError: messageOf(e), documents: [] };
  }
  const documents = docs.map((doc, index): YamlDocumentRead => {
    if (doc.errors.length > 0 || doc.contents === null) return { index, doc };
    try {
      return { index, doc, value: doc.toJS({ maxAliasCount: 1000 }) };
    } catch (e) {
      return { index, doc, convertError: messageOf(e) };
    }
  });
  return { lineCounter, documents };
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
