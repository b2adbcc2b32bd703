/**
 * Text from the inputs (file names, policy names, label keys, HTTP paths of rules and flows) as it may be printed in a
 * line of text output. Every text output (validate, trace, replay, diff, report, the CLI's warnings) writes lines, often
 * starting with what an input says: a newline in a name would start a line of its own, a forged summary (`0 errors`) or
 * a CI workflow command (`::error::`, `::add-mask::`); an invisible format character (a bidirectional mark or override,
 * U+200E, U+202E, U+2066, U+061C; a zero-width space; a Unicode tag) reorders or hides what a terminal, a browser or a
 * rendered Markdown page shows of the rest of the line (Trojan Source, CVE-2021-42574).
 */

/**
 * What no output writes as is: the control characters but tab, line feed and carriage return (C0, DEL, C1), the
 * Unicode format characters (general category Cf: the bidirectional marks, embeddings, overrides and isolates,
 * U+061C, the zero-width space, U+FEFF, the soft hyphen, U+2060–U+2064, the interlinear annotations, the tags), the line
 * and paragraph separators, and lone surrogates; line feed and carriage return too in a line (`withoutControls`), not
 * where the output keeps them (HTML, where they are white space; JSON, which escapes them itself). Two kinds of format
 * character are text, kept where they are: the zero-width non-joiner and joiner (U+200C, U+200D) between two visible
 * characters (`VISIBLE`: a ZWJ emoji sequence, man ZWJ woman ZWJ girl, the ZWNJ of Persian words, the ZWJ after a virama), and the tags of an
 * emoji tag sequence (Unicode UTS #51: U+1F3F4, a subdivision code of 3 to 6 tag letters or digits, U+E007F; the flag of
 * Scotland), which are shown as one flag. Elsewhere they are as unprintable as the rest.
 */
const UNPRINTABLE = '\\0-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}';

/** A character a terminal shows as a glyph (a letter, mark, number, punctuation or symbol): what a kept joiner stands between. */
const VISIBLE = '[\\p{L}\\p{M}\\p{N}\\p{P}\\p{S}]';

/** What of `UNPRINTABLE` is kept: a joiner or non-joiner between two visible characters, an emoji tag sequence. */
const KEPT = `(?<=${VISIBLE})[\\u200c\\u200d](?=${VISIBLE})|\\u{1F3F4}[\\u{E0030}-\\u{E0039}\\u{E0061}-\\u{E007A}]{3,6}\\u{E007F}`;

/** Matches what is kept (group `kept`) or one character no output writes as is (group `shown`), with line breaks or without. */
function unprintablePattern(lineBreaks: string): RegExp {
  return new RegExp(`(?<kept>${KEPT})|(?<shown>[${UNPRINTABLE}${lineBreaks}])`, 'gu');
}

const UNPRINTABLE_IN_LINE = unprintablePattern('\\n\\r');
const UNPRINTABLE_KEEPING_LINE_BREAKS = unprintablePattern('');

/**
 * `text` with each character of `pattern`'s `shown` group as `shown` gives it, the text between as `kept` gives it: the one
 * walk every output channel neutralizes its text with.
 */
function rewrite(text: string, pattern: RegExp, shown: (c: string) => string, kept: (s: string) => string = (s) => s): string {
  let out = '';
  let from = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.groups?.shown === undefined) continue;
    out += kept(text.slice(from, m.index)) + shown(m[0]);
    from = (m.index ?? 0) + m[0].length;
  }
  return out + kept(text.slice(from));
}

/**
 * `text` with control characters (C0 but tab, DEL, C1), line breaks, the Unicode format characters (the bidirectional
 * controls, which reorder what a terminal shows, the zero-width ones, which hide text, but a joiner between two visible
 * characters and an emoji tag sequence), the line and paragraph separators and lone surrogates as U+FFFD.
 */
export function withoutControls(text: string): string {
  return rewrite(text, UNPRINTABLE_IN_LINE, () => '\ufffd');
}

/** `text` as `withoutControls` gives it, its line feeds and carriage returns kept (for HTML element text, where they are white space). */
export function withoutControlsKeepingLineBreaks(text: string): string {
  return rewrite(text, UNPRINTABLE_KEEPING_LINE_BREAKS, () => '\ufffd');
}

/** Lines as one text: each line `withoutControls`, each ended by a newline. */
export function printableLines(lines: readonly string[]): string {
  return `${lines.map(withoutControls).join('\n')}\n`;
}

/** One character of `UNPRINTABLE`: in a JSON document, where a string may need escapes. */
const UNPRINTABLE_CHARACTER = new RegExp(`[${UNPRINTABLE}]`, 'gu');

/**
 * `value` as the JSON document of an output (`--output json`, SARIF): indented by 2, ended by a newline, with every
 * character `withoutControls` replaces in its strings (keys too) written as its `\uXXXX` escape (`JSON.stringify` escapes
 * only C0 and lone surrogates; a joiner between visible characters and an emoji tag sequence stay as they are), so that
 * the document reads back to the same values and shows no bidirectional reordering in a terminal or a pull request's
 * file view. Only a string holding a character of `UNPRINTABLE` is decoded and written again, so that a joiner's
 * neighbours are those of the value, not of its escapes or quotes; the rest of the document is `JSON.stringify`'s.
 */
export function printableJson(value: unknown): string {
  const json = JSON.stringify(value, null, 2);
  const quoted = (s: string): string => JSON.stringify(s).slice(1, -1);
  let out = '';
  let from = 0;
  for (const m of json.matchAll(UNPRINTABLE_CHARACTER)) {
    const at = m.index ?? 0;
    if (at < from) continue; // in a string already written
    // Outside its strings, `JSON.stringify` writes ASCII only, and C0 and lone surrogates escaped: the character is in a string.
    const open = stringQuote(json, at, -1);
    const close = stringQuote(json, at, 1);
    out += `${json.slice(from, open)}"${rewrite(JSON.parse(json.slice(open, close + 1)) as string, UNPRINTABLE_KEEPING_LINE_BREAKS, unicodeEscape, quoted)}"`;
    from = close + 1;
  }
  return `${out}${json.slice(from)}\n`;
}

/** A character as JSON's `\\uXXXX` escape, each UTF-16 unit of one above U+FFFF (`\\ud83d\\ude00`). */
export function unicodeEscape(c: string): string {
  return [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
}

/** The index of the quote that opens (`step` -1) or closes (1) the string of a JSON document holding index `at`: a quote after an even number of backslashes. */
function stringQuote(json: string, at: number, step: -1 | 1): number {
  for (let i = at + step; ; i += step) {
    if (json[i] !== '"') continue;
    let backslashes = 0;
    while (json[i - 1 - backslashes] === '\\') backslashes++;
    if (backslashes % 2 === 0) return i;
  }
}
