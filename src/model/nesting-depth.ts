/**
 * A bound on the nesting depth of YAML and JSON text, checked before any parser sees it. Parsers and the code walking
 * their result recurse per level: 10,000 nested `[` abort V8 (not a catchable error) in the YAML reader, `JSON.parse`
 * consumers and the validators. Every reader (policy YAML/JSON, CRD files, Hubble flow lines) calls
 * `nestingDepthError` first and refuses deeper input with a clear error.
 *
 * The scan is one linear pass and counts conservatively (never fewer levels than a parser would build): open flow
 * collections (`[`, `{` outside quoted scalars, plain scalars of block context and comments), block indentation levels,
 * and `- ` sequence entries that open a nested sequence on the same line. Plain scalars are followed as go-yaml v2 and
 * YAML 1.2 read them, so valid YAML is never refused: in block context one is text to the end of its line (`: ` and ` #`
 * end it; `[ ] { } ,` do not), and a line indented past its key goes on it (`key: a\n  - @b` is one scalar). Quoted
 * scalars are followed over lines (`''` and `\"` inside them); the lines after a quote's first are counted as structure
 * too, so a quote a parser reads as plain text hides nothing. Block scalars are skipped: a `|` or `>` (with its modifiers) where a value starts (after `: `, `- `, `? `, a
 * tag or an anchor), not one in a comment or a plain scalar. The same check bounds the number of
 * YAML documents (`MAX_DOCUMENTS`), the other structure whose cost the size limit alone does not bound, and, for the YAML
 * reader (`maxValues`), the number of values (`MAX_YAML_VALUES`).
 */

import { codePointName, GO_ONLY_LINE_BREAK, GO_ONLY_LINE_BREAK_ESCAPES, GO_YAML_REFUSED_CHARACTER, goOnlyLineBreakName } from './go-line-breaks';
import { kubectlDroppedCutsBlanked, kubectlPartProblem } from './kubectl-parts';

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
 * took minutes and ended in an out-of-memory abort. Block YAML counts one value per line (a `- x` entry too): a 10 MiB
 * list of CIDRs (`    - 1.0.0.0/24`, 18-byte lines) is 0.58 million; `kubectl get -o yaml` is about one per 23 bytes,
 * `kubectl get -o json` one per 41 bytes, Cilium's CRD files one per 40 to 83. So a 10 MiB file of them stays below this;
 * block YAML of lines under 11 bytes on average, and minified JSON of more than about 8 MiB, do not.
 */
export const MAX_YAML_VALUES = 1_000_000;

/** What limit an input passes. */
export type NestingLimit = 'depth' | 'documents' | 'values' | 'properties' | 'syntax';

/** Where text nests too deep (or holds too many documents or values). */
export interface NestingDepthError {
  /** Which limit is passed. */
  readonly limit: NestingLimit;
  /** 1-based line where the limit is passed. */
  readonly line: number;
  /** The limit passed: levels of nesting, documents or values (1 for `properties`: the tags, or the anchors, of a node; 0 for `syntax`). */
  readonly max: number;
  /** One-line message. */
  readonly message: string;
}

/**
 * The first place where `text` (YAML, JSON or one JSON line) nests deeper than `max` levels, or `undefined`.
 * @param max the limit (default `MAX_NESTING_DEPTH`)
 * @param maxValues the most values it may hold (the YAML reader: `MAX_YAML_VALUES`; default no limit): a value is counted
 * per block line (a `- x` entry is one; `- - x` two), per `[`, `{`, `,` and `:` of a flow collection, per line of a flow
 * collection holding none of these, and per line, `,`, `[` and `{` of a quoted scalar after its first line (never fewer
 * than the parser builds collections and entries, at most a few times more)
 * @param counted receives the values counted, when the text passes (the run's budget, `yaml-value-budget.ts`, counts them)
 */
export function nestingDepthError(text: string, max: number = MAX_NESTING_DEPTH, maxValues = Infinity,
  counted?: { values: number }): NestingDepthError | undefined {
  const docs = documentCountError(text);
  if (docs) return docs;
  let values = 0;
  let flow = 0;
  // Block indentation levels outside flow collections; inside them, the levels of the lines (pretty JSON, or block YAML a
  // misread quote or bracket left in flow): a parser nests at least as deep as either.
  const indents: number[] = [];
  const flowIndents: number[] = [];
  let blockScalarIndent = -1;
  // A quoted scalar open at the end of a line (quoted scalars span lines, flow and block), and the `[`/`{` inside it.
  let quote = '';
  let quoteLine = 0;
  let quoted = 0;
  // A plain scalar of block context open at the end of the line before (`key: text`): the column its lines must be
  // indented past to go on it (YAML 1.2 `s-flow-line-prefix(n)`; go-yaml v2 `yaml_parser_scan_plain_scalar`). Such a
  // line is text (`- x`, `? x`, `@`, brackets, quotes), as the parser reads it. And the column of the node whose value
  // starts on the next line (`key:`, `- `; -1 at the start of a document), where a plain scalar on a line of its own belongs.
  let plainParent: number | undefined;
  let openParent: number | undefined = -1;
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
    let spaces = pos;
    while (spaces < end && text[spaces] === ' ') spaces++;
    spaces -= pos;
    const marker = indent === 0 && (text.startsWith('---', pos) || text.startsWith('...', pos)) && (pos + 3 >= end || ' \t\r'.includes(text[pos + 3]));
    // A comment line ends a plain scalar; an empty one does not.
    if (i < end && text[i] === '#') plainParent = undefined;
    const continued = quote === '' && flow === 0 && plainParent !== undefined && !blank && spaces > plainParent && !marker;
    if (quote === '' && blockScalarIndent >= 0 && (blank || indent > blockScalarIndent)) {
      // Inside a block scalar: text, not structure.
    } else if (quote !== '' || !blank) {
      blockScalarIndent = -1;
      const before = values;
      // `- - - x`: each dash opens one more sequence, each `? ` (an explicit key) one more mapping; an entry `- x` is one
      // value, as a line is.
      let j = i;
      let dashes = 0;
      // The column of the node a value on this line belongs to (the last dash; a key's; else the line's own).
      let parentCol: number = openParent !== undefined && openParent < indent ? openParent : indent;
      while (!continued && j < end && (text[j] === '-' || text[j] === '?') && (j + 1 === end || text[j + 1] === ' ' || text[j + 1] === '\t' || text[j + 1] === '\r')) {
        dashes++;
        parentCol = j - pos;
        j += 2;
        while (j < end && (text[j] === ' ' || text[j] === '\t')) j++;
      }
      if (quote !== '') {
        // The rest of a quoted scalar: text to a parser that sees the quote, structure to one that does not (a quote inside
        // a plain scalar, `a\n  "b`). Counted as structure: the line, its dashes, and `,` `[` `{` below.
        values += Math.max(1, dashes);
        if (flow + indents.length + quoted + dashes > max) return tooDeep(line, max);
      } else if (flow === 0) {
        values += Math.max(1, dashes);
        while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
        indents.push(indent);
        if (indents.length + dashes > max) return tooDeep(line, max);
      } else {
        while (flowIndents.length > 0 && flowIndents[flowIndents.length - 1] >= indent) flowIndents.pop();
        flowIndents.push(indent);
        if (flowIndents.length > max || flow + indents.length + dashes > max) return tooDeep(line, max);
      }
      if (values > maxValues) return tooManyValues(line, maxValues);
      // Flow collections, quoted scalars, comments and block scalar indicators on the rest of the line.
      let atStart = quote === '' && !continued;
      // In a plain scalar of block context: `[ ] { } ,`, quotes, tags, `- ` and `? ` are text to the end of the line (a
      // `: ` or a comment ends it).
      let plain = continued;
      // In a plain scalar of a flow collection, a `:` before no space or flow indicator is text (`[a:b]`).
      let flowPlain = false;
      let keyCol = parentCol;
      if (marker) {
        j = i + 3;
        parentCol = -1;
      }
      let indicator = -1;
      let contentEnd = end;
      // `- ` and `? ` after the start of the line (`[? ? x]`), and the tags and anchors of the node about to start.
      let inline = 0;
      let tags = 0;
      let anchors = 0;
      for (let k = quote === '' ? j : i; k < end; k++) {
        const c = text[k];
        if (quote !== '') {
          if (quote === '"' && c === '\\') {
            // An escape no reader takes (`\q`): a string of a million is a million errors to the YAML library (minutes).
            if (k + 1 < end && !GO_OR_YAML_ESCAPES.includes(text[k + 1])) return noYaml(line, `a double-quoted scalar has the escape \\${text[k + 1]}`);
            k++;
          } else if (c === quote) {
            if (quote === "'" && text[k + 1] === "'") {
              k++;
            } else {
              // Brackets left open in a quote over lines: a parser that saw no quote is in a flow collection still.
              flow += quoted;
              quote = '';
              quoted = 0;
              atStart = false;
            }
          } else if (line === quoteLine) {
            // The quote's own line: text to a parser whichever way it reads the quote.
          } else if (c === ',' || c === '[' || c === '{') {
            if (c !== ',' && flow + indents.length + ++quoted > max) return tooDeep(line, max);
            if (++values > maxValues) return tooManyValues(line, maxValues);
          } else if ((c === ']' || c === '}') && quoted > 0) {
            quoted--;
          }
          continue;
        }
        if (c === ' ' || c === '\t' || c === '\r') continue;
        if (c !== '!' && c !== '&') {
          tags = 0;
          anchors = 0;
        }
        const next = k + 1 < end ? text[k + 1] : ' ';
        const spaceNext = next === ' ' || next === '\t' || next === '\r';
        if (c === '#' && (k === pos || text[k - 1] === ' ' || text[k - 1] === '\t')) {
          contentEnd = k;
          plain = false;
          break;
        }
        if (plain) {
          if (c === ':' && spaceNext) {
            plain = false;
            atStart = true;
            parentCol = keyCol;
          }
          continue;
        }
        if (atStart && c !== '!' && c !== '&' && !((c === '-' || c === '?') && spaceNext)) keyCol = k - pos;
        if (atStart && (c === '"' || c === "'")) {
          quote = c;
          quoteLine = line;
        } else if (atStart && (c === '!' || c === '&')) {
          // A tag or an anchor before the value: the value starts after it. A node has at most one of each (YAML, go-yaml
          // v2 `yaml_parser_parse_node`): a line of a million (`!!seq !!seq …`) is a million errors, a minute and a gigabyte
          // to the YAML library.
          if ((c === '!' ? ++tags : ++anchors) > 1) return twoProperties(line, c === '!' ? 'tags' : 'anchors');
          // The property ends at a blank or a flow indicator (YAML 1.2 `ns-anchor-char`, `ns-tag-char`: `&a[[x]]` is an anchor
          // and two flow sequences to the YAML library); a verbatim tag `!<…>` at its `>`.
          if (c === '!' && text[k + 1] === '<') {
            while (k + 1 < end && text[k] !== '>') k++;
          } else {
            while (k + 1 < end && !' \t\r[]{},'.includes(text[k + 1])) k++;
          }
        } else if (atStart && flow === 0 && (c === '|' || c === '>')) {
          indicator = k;
          atStart = false;
        } else if (atStart && k > i && (c === '@' || c === '`' || (flow === 0 && (c === ']' || c === '}')))) {
          // Where a value starts after an indicator of this line, a reserved character or a bracket closing no flow collection
          // is an error to every reader (YAML 1.2 `c-indicator`; go-yaml v2: "found character that cannot start any token",
          // "did not find expected node content"); a line of millions of them cost the YAML library minutes. At the start
          // of a line it may go on a plain scalar of the line before.
          return noYaml(line, `a value starts with ${c}`);
        } else if (c === '[' || c === '{') {
          flowPlain = false;
          flow++;
          if (flow + indents.length > max) return tooDeep(line, max);
          if (++values > maxValues) return tooManyValues(line, maxValues);
          atStart = true;
        } else if (c === ']' || c === '}') {
          flowPlain = false;
          if (flow > 0 && --flow === 0) flowIndents.length = 0;
          atStart = false;
        } else if (c === ',' && flow > 0) {
          flowPlain = false;
          if (++values > maxValues) return tooManyValues(line, maxValues);
          atStart = true;
        } else if (c === ':' && (flow > 0 || spaceNext)) {
          if (flow > 0 && ++values > maxValues) return tooManyValues(line, maxValues);
          if (flow === 0) parentCol = keyCol;
          if (!flowPlain || spaceNext || ',[]{}'.includes(next)) {
            atStart = true;
            flowPlain = false;
          }
        } else if ((c === '-' || c === '?') && spaceNext) {
          // `- ` and `? ` open a value where one may start; elsewhere they are text. Where one may start, a level: the YAML
          // library recurses per `? ` (a line of a million overflowed its stack after 22 s and 700 MB).
          if (atStart && flow + indents.length + dashes + ++inline > max) return tooDeep(line, max);
          if (atStart) parentCol = k - pos;
        } else {
          // A plain scalar starts (in block context; not `,`, an alias or a directive's `%`, which no plain scalar starts with).
          if (atStart && flow === 0 && c !== ',' && c !== '*' && c !== '%') plain = true;
          if (atStart && flow > 0) flowPlain = true;
          atStart = false;
        }
      }
      // A line in a flow collection counts once, whatever it holds (a misread quote must not hide `- x` lines).
      if (values === before && ++values > maxValues) return tooManyValues(line, maxValues);
      // `key: |`, `- >-`, `x: !!str |2 # c`: a block scalar starts; its more indented lines are text.
      if (indicator >= 0 && quote === '' && flow === 0 && /^[-+0-9]*[ \t\r]*$/.test(text.slice(indicator + 1, contentEnd))) blockScalarIndent = indent;
      const inBlock = quote === '' && flow === 0 && blockScalarIndent < 0;
      if (!continued) plainParent = inBlock && plain ? parentCol : undefined;
      else if (!inBlock || !plain) plainParent = undefined;
      openParent = inBlock && atStart ? parentCol : undefined;
    }
    pos = end + 1;
    line++;
  }
  if (counted) counted.values = values;
  return undefined;
}

/**
 * The limits of the YAML reader (`fromYaml`, `validate`'s positions): depth, documents and values (`MAX_YAML_VALUES`),
 * the line breaks only Kubernetes' YAML reader takes (`goOnlyLineBreakError`), the characters it refuses
 * (`goRefusedCharacterError`) and the document separators it reads otherwise (`kubectlPartError`). The characters are
 * judged in what go-yaml reads behind kubectl: without the `---` lines kubectl drops (`kubectlDroppedCutsBlanked`).
 */
export function yamlInputLimitError(text: string, counted?: { values: number }): NestingDepthError | undefined {
  const read = kubectlDroppedCutsBlanked(text);
  return goOnlyLineBreakError(read) ?? goRefusedCharacterError(read) ?? kubectlPartError(text)
    ?? nestingDepthError(read, MAX_NESTING_DEPTH, MAX_YAML_VALUES, counted);
}

/**
 * A YAML text holding a character go-yaml v2 refuses anywhere, in a comment or a quoted string too
 * (`GO_YAML_REFUSED_CHARACTER`: a vertical tab, DEL, a C1 control, U+FFFE). kubectl, Helm and Argo CD decode manifests
 * with it (sigs.k8s.io/yaml): kubectl refuses the part of the stream holding it ("error converting YAML to JSON: yaml:
 * control characters are not allowed", seen with kubectl v1.32.4) and applies nothing from there on, where the `yaml`
 * library reads it as a character: a policy read here would be one the cluster never gets. Refused, at its line. A text
 * that is one JSON object is decoded as JSON by kubectl (see `goOnlyLineBreakError`), which takes DEL, C1 controls and
 * U+FFFE in a string as `JSON.parse` does: not checked.
 */
function goRefusedCharacterError(text: string): NestingDepthError | undefined {
  const m = GO_YAML_REFUSED_CHARACTER.exec(text);
  if (m === null || isOneJsonObject(text)) return undefined;
  // Every break before it is a LF or a CRLF (`goOnlyLineBreakError` ran first): the lines counted are the editor's.
  const line = text.slice(0, m.index).split('\n').length;
  const name = codePointName(m[0]);
  return {
    limit: 'syntax', line, max: 0,
    message: `a control character ${name} (line ${line}), which Kubernetes' YAML reader (go-yaml v2) refuses anywhere in a YAML stream, in a comment `
      + 'or a quoted string too ("control characters are not allowed": kubectl applies nothing of the file from there on) and this reader reads as a '
      + `character; the input is not read (remove it, or write it as an escape in a double-quoted string: "\\u${name.slice(2).toLowerCase()}")`,
  };
}

/**
 * A YAML text whose documents kubectl cuts otherwise than this reader (`kubectlPartProblem`): a document after a `...`
 * line with no `---` line between, which kubectl never applies, or a `---` line followed by content, which it refuses.
 * Read either way, the verdicts would be about other objects than the cluster's: refused, at its line. A text that is one
 * JSON object is decoded as JSON by kubectl (see `goOnlyLineBreakError`) and not checked.
 */
function kubectlPartError(text: string): NestingDepthError | undefined {
  const problem = kubectlPartProblem(text);
  if (problem === undefined || isOneJsonObject(text)) return undefined;
  return { limit: 'syntax', line: problem.line, max: 0, message: problem.message };
}

/**
 * A YAML text holding a line break Kubernetes' YAML reader takes and this one does not (`GO_ONLY_LINE_BREAK`): go-yaml v2
 * ends a line at a lone CR, NEL, LS or PS (`is_break`, yamlprivateh.go, v2.4.0), where the `yaml` library reads them as
 * characters of a scalar or a comment: `app: api<LS>` is the label value `api` to the cluster and `api<LS>` (no valid
 * label: the policy skipped) here, and a key after `# note<LS>` is the cluster's and a comment here. Read either way, the
 * verdicts would be about another object than the cluster's: refused, at its line.
 * Only a text that is one JSON value opening with `{` is not checked: kubectl's `NewYAMLOrJSONDecoder`
 * (k8s.io/apimachinery `pkg/util/yaml/decoder.go`) decodes it as JSON, where a lone CR is white space (`JSON.parse`
 * refuses it in a string) and NEL, LS and PS are characters of a string (`JSON.parse` refuses them elsewhere). The `yaml`
 * library would read a lone CR there as a character of the key after it: the parser is given such a text with each lone CR
 * a space (`jsonLoneCrsAsSpaces`). Any other text, flow-style YAML opening with `{` too, is YAML to it: the decoder falls
 * back to YAML when the JSON decoder fails on the first or second value. (A stream of several JSON values is no YAML
 * this reader takes: refused anyway.)
 */
function goOnlyLineBreakError(text: string): NestingDepthError | undefined {
  const m = GO_ONLY_LINE_BREAK.exec(text);
  if (m === null || isOneJsonObject(text)) return undefined;
  // Every break before the first match is a LF (or CRLF): the lines counted are the editor's.
  const line = text.slice(0, m.index).split('\n').length;
  return {
    limit: 'syntax', line, max: 0,
    message: `${goOnlyLineBreakName(m[0])} (line ${line}), which Kubernetes' YAML reader (go-yaml v2) reads as a line break and this reader does not; `
      + `the input is not read (replace it with a line feed, or write it as an escape in a double-quoted string: ${GO_ONLY_LINE_BREAK_ESCAPES})`,
  };
}

/**
 * `text` as the YAML parser is to read it: a text that is one JSON object (`isOneJsonObject`), which kubectl decodes as JSON,
 * with each lone CR (not followed by a LF) a space, its JSON reading (white space: `JSON.parse` refuses a raw CR in a
 * string); the `yaml` library would read it as a character of the key after it (`{<CR>"app":"web"}`: the key `<CR>"app"`).
 * Positions and lengths are kept. Any other text is returned as it is (a lone CR in YAML is refused: `goOnlyLineBreakError`).
 */
export function jsonLoneCrsAsSpaces(text: string): string {
  return LONE_CR.test(text) && isOneJsonObject(text) ? text.replace(LONE_CR_ALL, ' ') : text;
}

const LONE_CR = /\r(?!\n)/;
const LONE_CR_ALL = /\r(?!\n)/g;

/** Whether `text` (after a UTF-8 byte-order mark, which kubectl drops) is one JSON object, as kubectl decodes it. */
function isOneJsonObject(text: string): boolean {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!/^[ \t\r\n]*\{/.test(body)) return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
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

/**
 * The escapes of a double-quoted scalar YAML 1.2 or go-yaml v2 (`yaml_parser_scan_flow_scalar`) takes: go-yaml's add `'`;
 * a line break (or the end of the line) continues the scalar.
 */
const GO_OR_YAML_ESCAPES = '0abt\tnvfre "\'/\\N_LPxuU\r';

function noYaml(line: number, what: string): NestingDepthError {
  return { limit: 'syntax', line, max: 0, message: `${what} (line ${line}), which no YAML reader takes; the input is not read` };
}

function twoProperties(line: number, what: 'tags' | 'anchors'): NestingDepthError {
  return { limit: 'properties', line, max: 1, message: `a node has two ${what} (line ${line}), which no YAML reader takes; the input is not read` };
}

function tooDeep(line: number, max: number): NestingDepthError {
  return { limit: 'depth', line, max, message: `the input nests more than ${max} levels deep (line ${line}); it is not read` };
}

function tooManyValues(line: number, max: number): NestingDepthError {
  return { limit: 'values', line, max, message: `the input holds more than ${max.toLocaleString('en-US')} YAML values (line ${line}); it is not read` };
}
