/**
 * Text from the inputs (file names, policy names, label keys, HTTP paths of rules and flows) as it may be printed in a
 * line of text output. Every text output (validate, trace, replay, diff, report, the CLI's warnings) writes lines, often
 * starting with what an input says: a newline in a name would start a line of its own, a forged summary (`0 errors`) or
 * a CI workflow command (`::error::`, `::add-mask::`); an invisible format character (a bidirectional mark or override,
 * U+200E, U+202E, U+2066, U+061C; a zero-width space or joiner; a Unicode tag) reorders or hides what a terminal, a
 * browser or a rendered Markdown page shows of the rest of the line (Trojan Source, CVE-2021-42574).
 */

/**
 * What no output writes as is: the control characters but tab, line feed and carriage return (C0, DEL, C1), the
 * Unicode format characters (general category Cf: the bidirectional marks, embeddings, overrides and isolates,
 * U+061C, the zero-width characters, U+FEFF, the interlinear annotations, the tags), the line and paragraph
 * separators, and lone surrogates. One class for every output channel: line feed and carriage return are added by
 * `withoutControls`; the HTML report keeps them (they are white space there).
 */
const UNPRINTABLE = '\\0-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}';

const UNPRINTABLE_IN_LINE = new RegExp(`[${UNPRINTABLE}\\n\\r]`, 'gu');

/** Characters a text that may span lines (HTML element text) does not show as is: `UNPRINTABLE`. */
export const UNPRINTABLE_KEEPING_LINE_BREAKS = new RegExp(`[${UNPRINTABLE}]`, 'gu');

/**
 * `text` with control characters (C0 but tab, DEL, C1), the Unicode format characters (the bidirectional controls, which
 * reorder what a terminal shows, the zero-width ones, which hide text), the line and paragraph separators and lone
 * surrogates as U+FFFD.
 */
export function withoutControls(text: string): string {
  return text.replace(UNPRINTABLE_IN_LINE, '\ufffd');
}

/** Lines as one text: each line `withoutControls`, each ended by a newline. */
export function printableLines(lines: readonly string[]): string {
  return `${lines.map(withoutControls).join('\n')}\n`;
}

/**
 * `value` as the JSON document of an output (`--output json`, SARIF): indented by 2, ended by a newline, with every
 * character of `UNPRINTABLE` in its strings written as its `\uXXXX` escape (`JSON.stringify` escapes only C0 and lone
 * surrogates), so that the document reads back to the same values and shows no bidirectional reordering in a terminal
 * or a pull request's file view.
 */
export function printableJson(value: unknown): string {
  const escape = (c: string): string => [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
  return `${JSON.stringify(value, null, 2).replace(UNPRINTABLE_KEEPING_LINE_BREAKS, escape)}\n`;
}
