/**
 * The line breaks only Kubernetes' YAML reader takes. go-yaml v2 (gopkg.in/yaml.v2 v2.4.0, behind sigs.k8s.io/yaml, which
 * kubectl, Helm and Argo CD decode manifests with) ends a line at CR, LF, NEL (U+0085), LINE SEPARATOR (U+2028) and
 * PARAGRAPH SEPARATOR (U+2029) (`is_break`, `yamlprivateh.go`); the `yaml` library, this project's reader and cdk8s's
 * writer, at LF and CRLF only. The one list of those characters: the input check (`yamlInputLimitError`), the policies'
 * check of the strings they write and `draft`'s writer (`yamlQuotingGoNumbers`) read it.
 */
import { unicodeEscape } from './printable';

/** NEL, LS and PS: line breaks to go-yaml v2, characters to the `yaml` library (which writes them raw, even in quotes). */
const SEPARATORS = '\u0085\u2028\u2029';

/** One of them in a string value. (A carriage return in a string is written as the escape `"\r"` by the writer.) */
export const GO_ONLY_SEPARATOR = new RegExp(`[${SEPARATORS}]`);

/** One of them in a YAML text, or a carriage return not followed by a line feed (CRLF is a line break to both readers). */
export const GO_ONLY_LINE_BREAK = new RegExp(`\\r(?!\\n)|[${SEPARATORS}]`);

/**
 * The characters go-yaml v2's reader refuses anywhere in a YAML stream, in a comment or a quoted scalar too (readerc.go
 * `yaml_parser_update_buffer`: only TAB, LF, CR, U+0020–U+007E, NEL, U+00A0–U+D7FF, U+E000–U+FFFD and the planes above
 * pass; else "control characters are not allowed"): the C0 controls but TAB, LF and CR, DEL, the C1 controls but NEL,
 * U+FFFE and U+FFFF. (Surrogates are left out: a JavaScript string holds a character above U+FFFF as two, and text that is
 * not UTF-8 is refused before it is read.) The `yaml` library reads them as characters.
 */
const GO_YAML_REFUSED = '\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x84\\x86-\\x9f\\ufffe\\uffff';

/** One character go-yaml v2 refuses in a YAML text (`GO_YAML_REFUSED`). */
export const GO_YAML_REFUSED_CHARACTER = new RegExp(`[${GO_YAML_REFUSED}]`);

/**
 * The characters go-yaml v2 refuses that the `yaml` library (cdk8s's writer) writes raw, even in quotes: DEL, the C1
 * controls but NEL, U+FFFE and U+FFFF (it writes the C0 controls as escapes, `"\\v"`, `"\\x01"`, which go-yaml reads).
 */
const WRITTEN_RAW_REFUSED = '\\x7f-\\x84\\x86-\\x9f\\ufffe\\uffff';

/** One of them in a string value. */
export const GO_REFUSED_WRITTEN_RAW = new RegExp(`[${WRITTEN_RAW_REFUSED}]`);

/**
 * A character cdk8s's writer writes raw that go-yaml v2 reads otherwise: a NEL, LS or PS (a line break to it) or one it
 * refuses (`GO_REFUSED_WRITTEN_RAW`).
 */
export const GO_OTHERWISE_WRITTEN_RAW = new RegExp(`[${SEPARATORS}${WRITTEN_RAW_REFUSED}]`);

/** What the `yaml` library and go-yaml take after `---` on a document-start line alike: nothing, or blanks then a comment of no character either reads otherwise. */
export const YAML_MARKER_TAIL = new RegExp(`^(?:[ \\t]+(?:#[^\\r${SEPARATORS}${GO_YAML_REFUSED}]*)?)?$`);

/** The name of a character `GO_YAML_REFUSED_CHARACTER` finds, for a message: `U+000B`. */
export function codePointName(c: string): string {
  return `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The name of a character `GO_ONLY_LINE_BREAK` finds, for a message. */
export function goOnlyLineBreakName(c: string): string {
  return c === '\r' ? 'a carriage return without a line feed' : c === '\u0085' ? 'a NEL (U+0085)'
    : c === '\u2028' ? 'a LINE SEPARATOR (U+2028)' : 'a PARAGRAPH SEPARATOR (U+2029)';
}

/** The double-quoted escapes of them both readers take: `"\r"`, `"\N"`, `"\L"`, `"\P"`. */
export const GO_ONLY_LINE_BREAK_ESCAPES = '"\\r", "\\N", "\\L", "\\P"';

/**
 * `text` (a YAML text whose every character `GO_OTHERWISE_WRITTEN_RAW` finds stands in a double-quoted scalar) with each
 * of them written as its escape (`\N`, `\L`, `\P`; `\x7f`, `\u009b`, `\ufffe`), which go-yaml v2 and the `yaml`
 * library read as the character itself.
 */
export function escapeGoOnlySeparators(text: string): string {
  return text.replace(new RegExp(GO_OTHERWISE_WRITTEN_RAW.source, 'g'), (c) => (c === '\u0085' ? '\\N' : c === '\u2028' ? '\\L' : c === '\u2029' ? '\\P'
    : c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16)}` : `\\u${c.charCodeAt(0).toString(16)}`));
}

/**
 * `text` as a JSON string, its NEL, LS and PS written as `\u0085`, `\u2028`, `\u2029` and the characters of
 * `GO_REFUSED_WRITTEN_RAW` as theirs (for a message: no line break, no terminal control).
 */
export function quotedGoOnlySeparators(text: string): string {
  return JSON.stringify(text).replace(new RegExp(GO_OTHERWISE_WRITTEN_RAW.source, 'g'), unicodeEscape);
}
