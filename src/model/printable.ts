/**
 * Text from the inputs (file names, policy names, label keys, HTTP paths of rules and flows) as it may be printed in a
 * line of text output. Every text output (validate, trace, replay, diff, report, the CLI's warnings) writes lines, often
 * starting with what an input says: a newline in a name would start a line of its own, a forged summary (`0 errors`) or
 * a CI workflow command (`::error::`, `::add-mask::`).
 */

/**
 * `text` with control characters (C0 but tab, DEL, C1), the Unicode line and paragraph separators and the bidirectional
 * controls (which reorder what a terminal shows) as U+FFFD.
 */
export function withoutControls(text: string): string {
  return text.replace(/[^\t\x20-\x7e\xa0-\uffff]|[\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '\ufffd');
}

/** Lines as one text: each line `withoutControls`, each ended by a newline. */
export function printableLines(lines: readonly string[]): string {
  return `${lines.map(withoutControls).join('\n')}\n`;
}
