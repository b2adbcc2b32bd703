/**
 * A bound on the nesting depth of YAML and JSON text, checked before any parser sees it. Parsers and the code walking
 * their result recurse per level: 10,000 nested `[` abort V8 (not a catchable error) in the YAML reader, `JSON.parse`
 * consumers and the validators. Every reader (policy YAML/JSON, CRD files, Hubble flow lines) calls
 * `nestingDepthError` first and refuses deeper input with a clear error.
 *
 * The scan is one linear pass and counts conservatively (never fewer levels than a parser would build): open flow
 * collections (`[`, `{` outside quoted scalars and comments), block indentation levels, and `- ` sequence entries that
 * open a nested sequence on the same line. Block scalars (`|`, `>`) are skipped. The same check bounds the number of
 * YAML documents (`MAX_DOCUMENTS`), the other structure whose cost the size limit alone does not bound, and, for the YAML
 * reader (`maxValues`), the number of values (`MAX_YAML_VALUES`).
 */

/** The deepest nesting any reader accepts. Cilium policies need about 15 levels, Cilium's CRD files 27 (as this scan counts them). */
export const MAX_NESTING_DEPTH = 100;

/**
 * The most YAML documents (`---` separators) one input may hold. The YAML reader spends about 25 µs per document even
 * when it is empty: 8 MB of `---` lines (2 million documents) took minutes and gigabytes. A `kind: List` counts once.
 */
export const MAX_DOCUMENTS = 10_000;

/**
 * The most values (scalars and collections, as `nestingDepthError` counts them) the YAML reader parses in one input. The
 * `yaml` library spends about 9 µs and 0.8 KB per value: 10 MiB of `[1,1,1,…]` (5 million values, under the size limit)
 * took minutes and ended in an out-of-memory abort. Policies written by hand or by a synth hold one value per 12 bytes or
 * more (block YAML about 2 per 26-byte line; `kubectl get -o json` about 2 per line), so a 10 MiB file of them stays
 * below this; minified JSON of more than about 8 MiB does not.
 */
export const MAX_YAML_VALUES = 1_000_000;

/** What limit an input passes. */
export type NestingLimit = 'depth' | 'documents' | 'values';

/** Where text nests too deep (or holds too many documents or values). */
export interface NestingDepthError {
  /** Which limit is passed. */
  readonly limit: NestingLimit;
  /** 1-based line where the limit is passed. */
  readonly line: number;
  /** The limit passed: levels of nesting, documents or values. */
  readonly max: number;
  /** One-line message. */
  readonly message: string;
}

/**
 * The first place where `text` (YAML, JSON or one JSON line) nests deeper than `max` levels, or `undefined`.
 * @param max the limit (default `MAX_NESTING_DEPTH`)
 * @param maxValues the most values it may hold (the YAML reader: `MAX_YAML_VALUES`; default no limit): a value is counted
 * per block line, per `- ` entry, and per `[`, `{`, `,` and `:` of a flow collection (never fewer than the parser builds
 * collections and entries, at most a few times more)
 */
export function nestingDepthError(text: string, max: number = MAX_NESTING_DEPTH, maxValues = Infinity): NestingDepthError | undefined {
  const docs = documentCountError(text);
  if (docs) return docs;
  let values = 0;
  let flow = 0;
  const indents: number[] = [];
  let blockScalarIndent = -1;
  let line = 1;
  let pos = 0;
  const n = text.length;
  while (pos <= n) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    // Indentation of this line.
    let i = pos;
    while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
    const indent = i - pos;
    const blank = i >= end || text[i] === '#' || text[i] === '\r';
    if (blockScalarIndent >= 0 && (blank || indent > blockScalarIndent)) {
      // Inside a block scalar: text, not structure.
    } else if (!blank) {
      blockScalarIndent = -1;
      let depth = flow;
      if (flow === 0) {
        values++;
        while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
        indents.push(indent);
        // `- - - x`: each dash opens one more sequence.
        let j = i;
        while (j < end && text[j] === '-' && (j + 1 === end || text[j + 1] === ' ' || text[j + 1] === '\t' || text[j + 1] === '\r')) {
          depth++;
          values++;
          j += 2;
          while (j < end && (text[j] === ' ' || text[j] === '\t')) j++;
        }
        depth += indents.length;
        if (depth > max) return tooDeep(line, max);
        if (values > maxValues) return tooManyValues(line, maxValues);
      }
      // Flow collections and quoted scalars on the rest of the line.
      let quote = '';
      let prev = ' ';
      for (let k = i; k < end; k++) {
        const c = text[k];
        if (quote !== '') {
          if (quote === '"' && c === '\\') k++;
          else if (c === quote) quote = '';
          prev = c;
          continue;
        }
        if ((c === '"' || c === "'") && ' \t[{,:-?'.includes(prev)) {
          quote = c;
        } else if (c === '#' && (prev === ' ' || prev === '\t') && quote === '') {
          break;
        } else if (c === '[' || c === '{') {
          flow++;
          if (flow + (indents.length > 0 ? indents.length : 0) > max) return tooDeep(line, max);
          if (++values > maxValues) return tooManyValues(line, maxValues);
        } else if ((c === ']' || c === '}') && flow > 0) {
          flow--;
        } else if ((c === ',' || c === ':') && flow > 0 && ++values > maxValues) {
          return tooManyValues(line, maxValues);
        }
        prev = c;
      }
      if (flow === 0 && /(?:^|[\s:-])[|>][-+0-9]*\s*(?:#.*)?\r?$/.test(text.slice(i, end))) blockScalarIndent = indent;
    }
    pos = end + 1;
    line++;
  }
  return undefined;
}

/** The limits of the YAML reader (`fromYaml`, `validate`'s positions): depth, documents and values (`MAX_YAML_VALUES`). */
export function yamlInputLimitError(text: string): NestingDepthError | undefined {
  return nestingDepthError(text, MAX_NESTING_DEPTH, MAX_YAML_VALUES);
}

/** More than `MAX_DOCUMENTS` document markers (`---` at the start of a line). */
function documentCountError(text: string): NestingDepthError | undefined {
  let count = text.startsWith('---') ? 1 : 0;
  for (let i = text.indexOf('\n---'); i >= 0; i = text.indexOf('\n---', i + 4)) {
    const after = text.charCodeAt(i + 4);
    if (Number.isNaN(after) || after === 10 || after === 13 || after === 32 || after === 9) {
      if (++count > MAX_DOCUMENTS) {
        const line = text.slice(0, i + 1).split('\n').length;
        return { limit: 'documents', line, max: MAX_DOCUMENTS, message: `the input holds more than ${MAX_DOCUMENTS} YAML documents (line ${line}); it is not read` };
      }
    }
  }
  return undefined;
}

function tooDeep(line: number, max: number): NestingDepthError {
  return { limit: 'depth', line, max, message: `the input nests more than ${max} levels deep (line ${line}); it is not read` };
}

function tooManyValues(line: number, max: number): NestingDepthError {
  return { limit: 'values', line, max, message: `the input holds more than ${max.toLocaleString('en-US')} YAML values (line ${line}); it is not read` };
}
