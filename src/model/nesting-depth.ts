/**
 * A bound on the nesting depth of YAML and JSON text, checked before any parser sees it. Parsers and the code walking
 * their result recurse per level: 10,000 nested `[` abort V8 (not a catchable error) in the YAML reader, `JSON.parse`
 * consumers and the validators. Every reader (policy YAML/JSON, CRD files, Hubble flow lines) calls
 * `nestingDepthError` first and refuses deeper input with a clear error.
 *
 * The scan is one linear pass and counts conservatively (never fewer levels than a parser would build): open flow
 * collections (`[`, `{` outside quoted scalars and comments), block indentation levels, and `- ` sequence entries that
 * open a nested sequence on the same line. Block scalars (`|`, `>`) are skipped. The same check bounds the number of
 * YAML documents (`MAX_DOCUMENTS`), the other structure whose cost the size limit alone does not bound.
 */

/** The deepest nesting any reader accepts. Cilium policies need about 15 levels, Cilium's CRD files 27 (as this scan counts them). */
export const MAX_NESTING_DEPTH = 100;

/**
 * The most YAML documents (`---` separators) one input may hold. The YAML reader spends about 25 µs per document even
 * when it is empty: 8 MB of `---` lines (2 million documents) took minutes and gigabytes. A `kind: List` counts once.
 */
export const MAX_DOCUMENTS = 10_000;

/** Where text nests too deep (or holds too many documents). */
export interface NestingDepthError {
  /** 1-based line where the limit is passed. */
  readonly line: number;
  /** The limit passed: levels of nesting, or documents. */
  readonly max: number;
  /** One-line message. */
  readonly message: string;
}

/**
 * The first place where `text` (YAML, JSON or one JSON line) nests deeper than `max` levels, or `undefined`.
 * @param max the limit (default `MAX_NESTING_DEPTH`)
 */
export function nestingDepthError(text: string, max: number = MAX_NESTING_DEPTH): NestingDepthError | undefined {
  const docs = documentCountError(text);
  if (docs) return docs;
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
        while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
        indents.push(indent);
        // `- - - x`: each dash opens one more sequence.
        let j = i;
        while (j < end && text[j] === '-' && (j + 1 === end || text[j + 1] === ' ' || text[j + 1] === '\t' || text[j + 1] === '\r')) {
          depth++;
          j += 2;
          while (j < end && (text[j] === ' ' || text[j] === '\t')) j++;
        }
        depth += indents.length;
        if (depth > max) return tooDeep(line, max);
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
        } else if ((c === ']' || c === '}') && flow > 0) {
          flow--;
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

/** More than `MAX_DOCUMENTS` document markers (`---` at the start of a line). */
function documentCountError(text: string): NestingDepthError | undefined {
  let count = text.startsWith('---') ? 1 : 0;
  for (let i = text.indexOf('\n---'); i >= 0; i = text.indexOf('\n---', i + 4)) {
    const after = text.charCodeAt(i + 4);
    if (Number.isNaN(after) || after === 10 || after === 13 || after === 32 || after === 9) {
      if (++count > MAX_DOCUMENTS) {
        const line = text.slice(0, i + 1).split('\n').length;
        return { line, max: MAX_DOCUMENTS, message: `the input holds more than ${MAX_DOCUMENTS} YAML documents (line ${line}); it is not read` };
      }
    }
  }
  return undefined;
}

function tooDeep(line: number, max: number): NestingDepthError {
  return { line, max, message: `the input nests more than ${max} levels deep (line ${line}); it is not read` };
}
