// Positions in YAML source text: the objects of a stream with their positions, where a token ends, where a key is.
import { Node as YamlNode } from 'yaml';
import { formatPath } from '../model/json-path';
import { isKubernetesList, listEntries } from '../model/list-items';
import { yamlInputLimitError } from '../model/nesting-depth';
import { SourcePosition } from '../model/parse-result';
import { YamlSource } from '../model/yaml-source';
import { readYamlStream, YamlStreamReader } from '../model/yaml-stream';

/** A Kubernetes object of a YAML stream: its value, document index (and List item path), and position. */
export interface RawObject {
  readonly obj: unknown;
  readonly index: number;
  readonly itemPath?: string;
  readonly line: number;
  readonly column: number;
}

/**
 * The Kubernetes objects of a YAML stream with their positions (List items one by one); documents with errors are left out.
 * `read` gives the parsed stream (a caller that also gives the text to `fromYaml` parses it once for both).
 */
export function rawObjects(text: string, read: YamlStreamReader = readYamlStream): RawObject[] {
  const out: RawObject[] = [];
  let docs;
  let lineCounter;
  if (yamlInputLimitError(text)) return out; // fromYaml reports it
  try {
    ({ docs, lineCounter } = read(text));
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
    if (!isKubernetesList(obj)) {
      out.push({ obj, index, ...at(contents) });
      return;
    }
    // The objects of a List as every reader reads them (`listEntries`: nested Lists flattened, item kinds of typed Lists).
    const nodes = new YamlSource(doc, text, contents, () => ({ line: 1, column: 1 }));
    for (const e of listEntries(obj).entries) out.push({ obj: e.value, index, itemPath: formatPath(e.path), ...at(nodes.node(e.path) ?? contents) });
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
