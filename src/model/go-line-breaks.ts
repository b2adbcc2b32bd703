/**
 * The line breaks only Kubernetes' YAML reader takes. go-yaml v2 (gopkg.in/yaml.v2 v2.4.0, behind sigs.k8s.io/yaml, which
 * kubectl, Helm and Argo CD decode manifests with) ends a line at CR, LF, NEL (U+0085), LINE SEPARATOR (U+2028) and
 * PARAGRAPH SEPARATOR (U+2029) (`is_break`, `yamlprivateh.go`); the `yaml` library, this project's reader and cdk8s's
 * writer, at LF and CRLF only. The one list of those characters: the input check (`yamlInputLimitError`), the policies'
 * check of the strings they write and `draft`'s writer (`yamlQuotingGoNumbers`) read it.
 */

/** NEL, LS and PS: line breaks to go-yaml v2, characters to the `yaml` library (which writes them raw, even in quotes). */
const SEPARATORS = '\u0085\u2028\u2029';

/** One of them in a string value. (A carriage return in a string is written as the escape `"\r"` by the writer.) */
export const GO_ONLY_SEPARATOR = new RegExp(`[${SEPARATORS}]`);

/** One of them in a YAML text, or a carriage return not followed by a line feed (CRLF is a line break to both readers). */
export const GO_ONLY_LINE_BREAK = new RegExp(`\\r(?!\\n)|[${SEPARATORS}]`);

/** The name of a character `GO_ONLY_LINE_BREAK` finds, for a message. */
export function goOnlyLineBreakName(c: string): string {
  return c === '\r' ? 'a carriage return without a line feed' : c === '\u0085' ? 'a NEL (U+0085)'
    : c === '\u2028' ? 'a LINE SEPARATOR (U+2028)' : 'a PARAGRAPH SEPARATOR (U+2029)';
}

/** The double-quoted escapes of them both readers take: `"\r"`, `"\N"`, `"\L"`, `"\P"`. */
export const GO_ONLY_LINE_BREAK_ESCAPES = '"\\r", "\\N", "\\L", "\\P"';

/**
 * `text` (a YAML text whose every NEL, LS and PS stands in a double-quoted scalar) with each of them written as its
 * escape (`\N`, `\L`, `\P`), which go-yaml v2 and the `yaml` library read as the character itself.
 */
export function escapeGoOnlySeparators(text: string): string {
  return text.replace(new RegExp(`[${SEPARATORS}]`, 'g'), (c) => (c === '\u0085' ? '\\N' : c === '\u2028' ? '\\L' : '\\P'));
}

/** `text` as a JSON string, its NEL, LS and PS written as `\u0085`, `\u2028`, `\u2029` (for a message: no line break). */
export function quotedGoOnlySeparators(text: string): string {
  return JSON.stringify(text).replace(new RegExp(`[${SEPARATORS}]`, 'g'), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
